//! Destroy finds every grant it made wherever the aliases are now: after a deployment moved the
//! alias to a version on another role, and after the bot itself was deleted.

use super::args;
use crate::support::{expect_exit, run_tool, stdout, World};

/// The inline policies of the bot's service-linked role.
async fn slr_inline(world: &World) -> Vec<String> {
    let out = world
        .clients
        .iam
        .list_role_policies()
        .role_name(world.bot_role_name())
        .send()
        .await
        .unwrap();
    let mut names = out.policy_names().to_vec();
    names.sort();
    names
}

async fn tool(args: Vec<String>) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool(&args).await
}

#[tokio::test]
async fn destroy_after_a_repoint_to_another_role_removes_the_grant_where_it_was() {
    let world = World::new().await;
    let grant = format!("user/{}", world.user);
    let out = tool(args(&world, "apply", &["--grant-pass-role", &grant])).await;
    expect_exit(&out, 0);
    let granted = format!("{}-ConversationLogs", world.role_name());
    assert!(slr_inline(&world).await.contains(&granted));
    // A deployment moves the bot to a customer role and live to a version on it.
    let role = world.customer_role().await;
    world.move_bot_to(&role).await;
    let version = world.publish().await;
    world.deploy(&world.alias_id, Some(&version), None).await;

    let out = tool(args(&world, "destroy", &[])).await;
    expect_exit(&out, 0);
    assert_eq!(
        slr_inline(&world).await,
        ["LexV2SentimentAnalysis"],
        "the grant left the role live ran on before the deployment"
    );
    let (now, settings) = world.alias_now(&world.alias_id).await;
    assert_eq!(now, version, "destroy keeps the deployment");
    assert!(
        !settings.to_string().contains(&world.log_group()),
        "{settings}"
    );
    let snapshot = world.snapshot().await;
    assert!(snapshot["grant"].is_null(), "{}", snapshot["grant"]);
    assert!(
        stdout(&out).contains("Destroy complete"),
        "{}",
        stdout(&out)
    );
}
