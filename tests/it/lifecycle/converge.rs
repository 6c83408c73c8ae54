//! apply sets up text logs; applied again it finds nothing to do, and destroy converges back
//! to the account as it was.

use lex_logs_setup::policy::{equivalent, parse_returned};
use serde_json::{json, Value};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{endpoint, expect_exit, stdout, World, ACCOUNT, REGION};

use super::{alias_logs, dedicated, policy_document};

#[tokio::test]
async fn apply_sets_up_text_logs_then_reapply_and_destroy_converge() {
    let world = World::new().await;
    let before = world.snapshot().await;
    let grant = format!("user/{}", world.user);
    let flags = [
        "--retention-days",
        "30",
        "--grant-pass-role",
        grant.as_str(),
    ];

    let proxy = FaultProxy::start(Fault::None).await;
    let out = dedicated(&world, &proxy.endpoint, "apply", &flags).await;
    expect_exit(&out, 0);
    let mut mutating = proxy.mutating();
    mutating.sort();
    assert_eq!(
        mutating,
        [
            "iam:AttachRolePolicy",
            "iam:AttachRolePolicy",
            "iam:CreatePolicy",
            "iam:CreatePolicy",
            "iam:CreateRole",
            // The service-linked role's inline sentiment policy, copied to our role.
            "iam:PutRolePolicy",
            "iam:PutUserPolicy",
            // The alias runs version 1 on the service-linked role: --publish-version publishes
            // DRAFT (now on our role) as version 2 for it.
            "lex:CreateBotVersion",
            "lex:UpdateBot",
            "lex:UpdateBotAlias",
            "logs:CreateLogGroup",
            "logs:PutRetentionPolicy",
        ],
        "a fresh apply makes exactly these changes"
    );

    // The role: trusted by Lex V2 only, for this account and bot; tagged as ours.
    let c = &world.clients;
    let role_name = world.role_name();
    let role = c
        .iam
        .get_role()
        .role_name(&role_name)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let trust = parse_returned(role.assume_role_policy_document().unwrap()).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "lexv2.amazonaws.com"
    );
    assert!(
        trust["Statement"][0].get("Condition").is_none(),
        "AWS's own form unless a pin is asked: {trust}"
    );
    let tags: std::collections::BTreeMap<_, _> =
        role.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(
        tags.get("lex-logs-setup:managed-by"),
        Some(&"lex-logs-setup")
    );
    assert_eq!(
        tags.get("lex-logs-setup:previous-role-arn"),
        Some(&world.bot_role_arn.as_str())
    );
    // Its policies: CloudWatch on the one log group, and the bot runtime actions of the
    // service-linked role it replaces.
    let cloudwatch = policy_document(&world, "CloudWatchLogs")
        .await
        .expect("CloudWatch policy");
    let group_arn = format!(
        "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{}",
        world.log_group()
    );
    assert!(equivalent(
        &cloudwatch,
        &json!({"Version": "2012-10-17", "Statement": [{"Sid": "WriteConversationLogs", "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": format!("{group_arn}:*")}]})
    ));
    let runtime = policy_document(&world, "LexBotRuntime")
        .await
        .expect("bot runtime policy");
    assert_eq!(
        runtime["Statement"][0]["Action"],
        json!(["polly:SynthesizeSpeech", "comprehend:DetectSentiment"])
    );
    let attached = c
        .iam
        .list_attached_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached_policies().len(), 2);
    // The grant: PassRole on this role only, only to Lex V2.
    let grant_doc = c
        .iam
        .get_user_policy()
        .user_name(&world.user)
        .policy_name(format!("LexLogsPassRole-{role_name}"))
        .send()
        .await
        .unwrap();
    let grant_doc = parse_returned(grant_doc.policy_document()).unwrap();
    assert_eq!(
        grant_doc["Statement"][0]["Resource"],
        json!([format!("arn:aws:iam::{ACCOUNT}:role/{role_name}")])
    );
    assert_eq!(
        grant_doc["Statement"][0]["Condition"]["StringEquals"]["iam:PassedToService"],
        "lexv2.amazonaws.com"
    );
    // The log group, with retention.
    let groups = c
        .logs
        .describe_log_groups()
        .log_group_name_prefix(world.log_group())
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(30));
    // The bot runs with the role; the alias logs text there; every other field survived.
    let bot = c
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        bot.role_arn(),
        Some(format!("arn:aws:iam::{ACCOUNT}:role/{role_name}").as_str())
    );
    assert_eq!(bot.description(), Some("a bot for tests"));
    let logs = alias_logs(&world, &world.alias_id).await;
    assert_eq!(
        logs["textLogSettings"],
        json!([{"enabled": true, "cloudWatchLogGroupArn": group_arn, "logPrefix": "lex/"}])
    );
    let after_apply = world.snapshot().await;
    assert_eq!(
        after_apply["aliases"]["live"]["description"],
        before["aliases"]["live"]["description"]
    );
    assert_eq!(
        after_apply["aliases"]["live"]["locales"],
        before["aliases"]["live"]["locales"]
    );
    assert_eq!(
        after_apply["aliases"]["live"]["sentiment"],
        before["aliases"]["live"]["sentiment"]
    );
    // The alias moved from version 1 (on the service-linked role) to version 2, which this run
    // published on our role.
    assert_eq!(before["aliases"]["live"]["botVersion"], "1");
    assert_eq!(after_apply["aliases"]["live"]["botVersion"], "2");
    assert_eq!(
        after_apply["versions"]["2"],
        json!(format!("arn:aws:iam::{ACCOUNT}:role/{role_name}"))
    );
    assert_eq!(after_apply["versions"]["1"], before["versions"]["1"]);
    assert_eq!(
        after_apply["aliases"]["TestBotAlias"], before["aliases"]["TestBotAlias"],
        "other aliases untouched"
    );

    // A second apply finds nothing to do and makes no mutating call.
    let proxy = FaultProxy::start(Fault::None).await;
    let out = dedicated(&world, &proxy.endpoint, "apply", &flags).await;
    expect_exit(&out, 0);
    assert!(stdout(&out).contains("No changes"), "{}", stdout(&out));
    assert_eq!(proxy.mutating(), Vec::<String>::new());
    assert_eq!(world.snapshot().await, after_apply);

    // plan --destroy shows destroy's plan and changes nothing.
    let out = dedicated(
        &world,
        &endpoint(),
        "plan",
        &["--destroy", "--output", "json"],
    )
    .await;
    expect_exit(&out, 0);
    let destroy_plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(destroy_plan["command"], "destroy");
    let role_change = destroy_plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == format!("role[{role_name}]"))
        .cloned();
    assert_eq!(
        role_change.map(|c| c["action"].clone()),
        Some(json!("delete"))
    );
    assert_eq!(
        world.snapshot().await,
        after_apply,
        "plan --destroy changes nothing"
    );

    // destroy restores the bot and removes what is ours (the version it published too: the alias
    // goes back to version 1); the log group stays.
    let out = dedicated(&world, &endpoint(), "destroy", &[]).await;
    expect_exit(&out, 0);
    let after_destroy = world.snapshot().await;
    assert_eq!(after_destroy["bot"], before["bot"]);
    assert_eq!(after_destroy["aliases"], before["aliases"]);
    assert_eq!(after_destroy["versions"], before["versions"]);
    assert_eq!(after_destroy["botRole"], before["botRole"]);
    assert_eq!(after_destroy["role"], Value::Null);
    assert_eq!(after_destroy["grant"], Value::Null);
    assert!(after_destroy["policies"]
        .as_object()
        .unwrap()
        .values()
        .all(Value::is_null));
    assert_eq!(
        after_destroy["logGroups"], after_apply["logGroups"],
        "the log group and its logs are kept"
    );

    // A second destroy finds nothing to do.
    let proxy = FaultProxy::start(Fault::None).await;
    let out = dedicated(&world, &proxy.endpoint, "destroy", &[]).await;
    expect_exit(&out, 0);
    assert_eq!(proxy.mutating(), Vec::<String>::new());
}
