//! `plan` changes nothing and prints every change (address, action, before, after) as JSON.

use serde_json::{json, Value};

use crate::support::{endpoint, expect_exit, stdout, World};

use super::{dedicated, tool};

#[tokio::test]
async fn plan_changes_nothing_and_prints_every_change_as_json() {
    let world = World::new().await;
    let before = world.snapshot().await;
    let grant = format!("user/{}", world.user);
    // The dedicated role: a role to create, the bot switched to it.
    let out = dedicated(
        &world,
        &endpoint(),
        "plan",
        &[
            "--output",
            "json",
            "--retention-days",
            "30",
            "--grant-pass-role",
            &grant,
        ],
    )
    .await;
    expect_exit(&out, 0);
    assert_eq!(
        world.snapshot().await,
        before,
        "plan must not change anything"
    );
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON plan");
    let changes = plan["changes"].as_array().unwrap();
    for change in changes {
        for key in ["address", "action", "before", "after"] {
            assert!(change.get(key).is_some(), "{key} missing in {change}");
        }
    }
    let action_of = |address: &str| {
        changes
            .iter()
            .find(|c| c["address"] == address)
            .map(|c| c["action"].clone())
    };
    assert_eq!(
        action_of(&format!("role[{}]", world.role_name())),
        Some(json!("create"))
    );
    assert_eq!(
        action_of(&format!("log_group[{}]", world.log_group())),
        Some(json!("create"))
    );
    assert_eq!(
        action_of(&format!("bot[{}]", world.bot_name)),
        Some(json!("update"))
    );
    assert_eq!(
        action_of(&format!("alias[{}/live]", world.bot_name)),
        Some(json!("update"))
    );
    assert_eq!(plan["summary"]["update"], 2);

    let out = dedicated(&world, &endpoint(), "plan", &["--detailed-exitcode"]).await;
    expect_exit(&out, 2);
    assert!(
        stdout(&out).contains(&format!("+ role[{}]", world.role_name())),
        "{}",
        stdout(&out)
    );

    // In place (the default): an inline policy on the service-linked role version 1 runs on,
    // no role of ours and no change to the bot; only the alias is updated.
    let out = tool(&world, &endpoint(), "plan", &["--output", "json"]).await;
    expect_exit(&out, 0);
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON plan");
    let changes = plan["changes"].as_array().unwrap();
    let action_of = |address: &str| {
        changes
            .iter()
            .find(|c| c["address"] == address)
            .map(|c| c["action"].clone())
    };
    assert_eq!(
        action_of(&format!(
            "inline_policy[role/{}/{}-ConversationLogs]",
            world.bot_role_name(),
            world.role_name()
        )),
        Some(json!("create")),
        "{changes:?}"
    );
    assert_eq!(action_of(&format!("role[{}]", world.role_name())), None);
    assert_eq!(action_of(&format!("bot[{}]", world.bot_name)), None);
    assert_eq!(
        action_of(&format!("alias[{}/live]", world.bot_name)),
        Some(json!("update"))
    );
    assert_eq!(plan["summary"]["update"], 1);
    assert_eq!(
        world.snapshot().await,
        before,
        "plan must not change anything"
    );
}
