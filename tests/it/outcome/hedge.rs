//! An alias on a published version built with another role than the bot's current one: Lex V2
//! does not document which of the two writes its logs, so in place both get the grant (the plan
//! says why), the conversation is logged, and destroy takes the grant from both.

use crate::support::{expect_exit, stdout, World};

use super::{cmd, logged, say, tool};

/// Our managed policies attached to `role`.
async fn ours_attached(world: &World, role: &str) -> Vec<String> {
    let out = world
        .clients
        .iam
        .list_attached_role_policies()
        .role_name(role)
        .send()
        .await
        .unwrap();
    out.attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .filter(|n| n.starts_with(&world.role_name()))
        .map(str::to_string)
        .collect()
}

/// Whether the bot's service-linked role carries our inline grant.
async fn slr_granted(world: &World) -> bool {
    let names = world
        .clients
        .iam
        .list_role_policies()
        .role_name(world.bot_role_name())
        .send()
        .await
        .unwrap();
    let ours = format!("{}-ConversationLogs", world.role_name());
    names.policy_names().iter().any(|n| n == &ours)
}

#[tokio::test]
async fn a_version_on_another_role_than_the_bots_is_granted_on_both_and_destroy_revokes_both() {
    let world = World::new().await;
    // `live` runs version 1, built on the service-linked role; the bot moves to a team's role.
    let team_role = world.customer_role().await;
    world.move_bot_to(&team_role).await;
    let team_name = team_role.rsplit('/').next().unwrap().to_string();
    let target = world.target_args();
    let out = tool(cmd("apply", &target, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(
        stdout(&out).contains("so both get the grant"),
        "{}",
        stdout(&out)
    );
    assert!(slr_granted(&world).await, "the version's role is granted");
    assert!(
        !ours_attached(&world, &team_name).await.is_empty(),
        "the bot's current role is granted too"
    );
    let (session, _) = say(&world, &world.alias_id, "hedged").await;
    assert_eq!(logged(&world, &world.log_group(), &session).await.len(), 1);
    let out = tool(cmd("destroy", &target, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(
        !slr_granted(&world).await,
        "destroy revokes the version's role"
    );
    assert_eq!(
        ours_attached(&world, &team_name).await,
        Vec::<String>::new(),
        "destroy revokes the bot's role"
    );
}
