//! Destroy finds every grant it made wherever the aliases are now: after a deployment moved the
//! alias to a version on another role, and after the bot itself was deleted.

use super::{args, slr_inline};
use crate::support::{expect_exit, run_tool, stdout, World};

async fn tool(args: Vec<String>) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool(&args).await
}

#[tokio::test]
async fn destroy_after_a_repoint_to_another_role_removes_the_grant_where_it_was() {
    for delete_old_version in [false, true] {
        repoint_then_destroy(delete_old_version).await;
    }
}

/// Apply, then a deployment moves live to a version on a customer role (and, with
/// `delete_old_version`, deletes the version live ran: no version runs on the role of our grant
/// any more); destroy still finds the grant.
async fn repoint_then_destroy(delete_old_version: bool) {
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
    if delete_old_version {
        world
            .clients
            .lex
            .delete_bot_version()
            .bot_id(&world.bot_id)
            .bot_version("1")
            .send()
            .await
            .unwrap();
    }

    let out = tool(args(&world, "destroy", &[])).await;
    expect_exit(&out, 0);
    assert_eq!(
        slr_inline(&world).await,
        ["LexV2SentimentAnalysis"],
        "delete_old_version={delete_old_version}: the grant left the role live ran on before"
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

/// Deletes the world's bot (aliases and versions with it), as a team retiring it would.
async fn delete_bot(world: &World) {
    world
        .clients
        .lex
        .delete_bot()
        .bot_id(&world.bot_id)
        .skip_resource_in_use_check(true)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn destroy_of_a_deleted_bot_removes_what_is_ours_and_lists_it() {
    for case in ["in place", "customer role", "dedicated"] {
        let customer = case == "customer role";
        // An account of its own: the emulator's ListEntitiesForPolicy looks at the first 100
        // roles of an account only (see localstack/FIDELITY.md).
        let account = crate::support::fresh_account('7');
        let world = World::new_in(&account).await;
        let tool = |args: Vec<String>| {
            let account = account.clone();
            async move {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                crate::support::run_tool_as(&account, &args).await
            }
        };
        let grant = format!("user/{}", world.user);
        let role = if customer {
            // The bot runs on a customer role: our managed policies get attached to it.
            let role = world.customer_role().await;
            world.move_bot_to(&role).await;
            let version = world.publish().await;
            world.deploy(&world.alias_id, Some(&version), None).await;
            Some(role)
        } else {
            None
        };
        let mut apply = args(&world, "apply", &["--grant-pass-role", &grant]);
        if case == "dedicated" {
            apply.extend([
                "--role-name".into(),
                world.role_name(),
                "--publish-version".into(),
            ]);
        }
        let out = tool(apply).await;
        expect_exit(&out, 0);
        delete_bot(&world).await;

        let mut plan_args = args(&world, "plan", &["--destroy"]);
        plan_args.retain(|a| a != "--yes");
        let plan = tool(plan_args).await;
        let plan_text = stdout(&plan);
        assert!(
            plan_text.contains("does not exist"),
            "{plan_text}{}",
            crate::support::stderr(&plan)
        );
        assert!(plan_text.contains(&format!("LexLogsPassRole-{}", world.role_name())));
        let out = tool(args(&world, "destroy", &[])).await;
        expect_exit(&out, 0);
        let text = stdout(&out);
        assert!(text.contains("Destroy complete"), "{case}: {text}");
        let ours = world
            .clients
            .iam
            .get_role()
            .role_name(world.role_name())
            .send()
            .await;
        assert!(ours.is_err(), "{case}: our dedicated role is gone");

        let iam = &world.clients.iam;
        let user = iam
            .list_user_policies()
            .user_name(&world.user)
            .send()
            .await
            .unwrap();
        assert!(user.policy_names().is_empty(), "{:?}", user.policy_names());
        assert_eq!(slr_inline(&world).await, ["LexV2SentimentAnalysis"]);
        if let Some(role) = role {
            let name = role.rsplit('/').next().unwrap();
            let attached = iam
                .list_attached_role_policies()
                .role_name(name)
                .send()
                .await
                .unwrap();
            assert!(
                attached.attached_policies().is_empty(),
                "{:?} {}",
                attached.attached_policies(),
                text
            );
        }
        for suffix in [
            "CloudWatchLogs",
            "S3AudioLogs",
            "KmsAudioLogs",
            "LexBotRuntime",
        ] {
            let arn = format!(
                "arn:aws:iam::{account}:policy/{}-{suffix}",
                world.role_name()
            );
            let found = iam.get_policy().policy_arn(&arn).send().await;
            assert!(found.is_err(), "{case}: {arn} is gone");
        }
        // Nothing of ours is left: a second destroy has nothing to do.
        let again = tool(args(&world, "destroy", &[])).await;
        expect_exit(&again, 0);
        assert!(
            stdout(&again).contains("0 deleted") || stdout(&again).contains("No changes"),
            "{}",
            stdout(&again)
        );
    }
}

/// IAM names are global and bots regional: destroy of a bot name in a region where no such bot
/// is must not take what a bot of that name uses in another region. Refused, nothing changed.
#[tokio::test]
async fn destroy_of_a_bot_in_the_wrong_region_touches_nothing() {
    for dedicated in [false, true] {
        let account = crate::support::fresh_account('8');
        let world = World::new_in(&account).await;
        let run = |args: Vec<String>| {
            let account = account.clone();
            async move {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                crate::support::run_tool_as(&account, &args).await
            }
        };
        let grant = format!("user/{}", world.user);
        let mut apply = args(&world, "apply", &["--grant-pass-role", &grant]);
        if dedicated {
            apply.extend([
                "--role-name".into(),
                world.role_name(),
                "--publish-version".into(),
            ]);
        }
        expect_exit(&run(apply).await, 0);
        let before = world.snapshot().await;
        let out = run(args(&world, "destroy", &["--region", "us-west-2"])).await;
        expect_exit(&out, 64);
        let text = crate::support::stderr(&out);
        assert!(
            text.contains("may still live there") && text.contains("--region us-east-1"),
            "dedicated={dedicated}: {text}"
        );
        assert_eq!(world.snapshot().await, before, "dedicated={dedicated}");
    }
}
