//! Our managed policy edited by someone between observation and our new version: the update is
//! refused as stale and their version stays the default.

use super::args;
use crate::proxy::{Fault, FaultProxy};
use crate::proxy_hold::Then;
use crate::support::{endpoint, expect_exit, fresh_account, stdout, tool_command_as, World};

#[tokio::test]
async fn a_policy_edited_meanwhile_is_not_overwritten() {
    // An account of its own (see destroy_finds: the emulator lists 100 roles per policy).
    let account = fresh_account('6');
    let world = World::new_in(&account).await;
    let role = world.customer_role().await;
    world.move_bot_to(&role).await;
    let version = world.publish().await;
    world.deploy(&world.alias_id, Some(&version), None).await;
    let first = args(&world, "apply", &[]);
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let out = tool_command_as(&account, &endpoint(), &first)
        .output()
        .await
        .unwrap();
    expect_exit(&out, 0);

    // A second apply moves the logs to another group of ours: our CloudWatch policy changes.
    // Its observation reads as plan's does; the next GetPolicy is the update's own re-read, which
    // is held while someone edits the policy.
    let group = format!("{}-v2", world.log_group());
    let planned = FaultProxy::start(Fault::None).await;
    let plan = [
        "plan",
        "--bot",
        &world.bot_name,
        "--alias",
        "live",
        "--log-group",
        &group,
    ];
    let out = tool_command_as(&account, &planned.endpoint, &plan)
        .output()
        .await
        .unwrap();
    expect_exit(&out, 0);
    let reads = planned
        .calls()
        .iter()
        .filter(|c| c.operation == "GetPolicy")
        .count();
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("iam:GetPolicy", reads + 1);
    let second = args(&world, "apply", &["--log-group", &group]);
    let run = {
        let endpoint = proxy.endpoint.clone();
        let account = account.clone();
        tokio::spawn(async move {
            let args: Vec<&str> = second.iter().map(String::as_str).collect();
            tool_command_as(&account, &endpoint, &args)
                .output()
                .await
                .unwrap()
        })
    };
    held.arrived().await;
    let arn = format!(
        "arn:aws:iam::{account}:policy/{}-CloudWatchLogs",
        world.role_name()
    );
    let theirs = r#"{"Version":"2012-10-17","Statement":[{"Sid":"WriteConversationLogs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":["*"]}]}"#;
    let made = world
        .clients
        .iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(theirs)
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let their_version = made
        .policy_version()
        .unwrap()
        .version_id()
        .unwrap()
        .to_string();
    held.then(Then::Forward);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("changed since the plan read it") && text.contains(&their_version),
        "{text}"
    );
    let policy = world
        .clients
        .iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        policy.policy().unwrap().default_version_id(),
        Some(their_version.as_str())
    );
}
