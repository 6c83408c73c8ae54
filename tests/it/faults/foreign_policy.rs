//! Destroy leaves alone a policy of the name our scheme would use but without our tags.

use crate::support::{endpoint, expect_exit, World};

use super::{full_args, run, Mode};

#[tokio::test]
async fn destroy_leaves_a_same_named_policy_without_our_tags_alone() {
    // Our managed policies `<role>-*` belong to the dedicated role.
    let world = World::new().await;
    expect_exit(
        &run(
            &endpoint(),
            &full_args(&world, "apply", Mode::Dedicated),
            "2",
        )
        .await,
        0,
    );
    // Someone puts a policy of their own beside ours, under a name our scheme would use.
    let c = &world.clients;
    let foreign = format!("{}-Foreign", world.role_name());
    c.iam
        .create_policy()
        .policy_name(&foreign)
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let out = run(
        &endpoint(),
        &full_args(&world, "destroy", Mode::Dedicated),
        "2",
    )
    .await;
    expect_exit(&out, 0);
    let arn = format!("arn:aws:iam::{}:policy/{foreign}", crate::support::ACCOUNT);
    c.iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .expect("their policy is still there");
}

/// Someone else's inline policy under the name of our grant: on the bot's service-linked role
/// (in place) or on a principal we would grant PassRole. Apply and destroy refuse, in both modes,
/// naming it, and its document is left exactly as it was.
#[tokio::test]
async fn a_same_named_inline_policy_not_written_by_us_is_refused_and_untouched() {
    let theirs = r#"{"Version":"2012-10-17","Statement":[{"Sid":"TeamAudit","Effect":"Allow","Action":"logs:*","Resource":"*"}]}"#;
    for (on_role, mode) in [
        (true, Mode::InPlace),
        (false, Mode::InPlace),
        (false, Mode::Dedicated),
    ] {
        let world = World::new().await;
        let c = &world.clients;
        let name = if on_role {
            format!("{}-ConversationLogs", world.role_name())
        } else {
            format!("LexLogsPassRole-{}", world.role_name())
        };
        if on_role {
            c.iam
                .put_role_policy()
                .role_name(world.bot_role_name())
                .policy_name(&name)
                .policy_document(theirs)
                .send()
                .await
                .unwrap();
        } else {
            c.iam
                .put_user_policy()
                .user_name(&world.user)
                .policy_name(&name)
                .policy_document(theirs)
                .send()
                .await
                .unwrap();
        }
        let before = world.snapshot().await;
        let grant = format!("user/{}", world.user);
        for command in ["apply", "destroy"] {
            let mut args = full_args(&world, command, mode);
            args.extend(["--grant-pass-role".to_string(), grant.clone()]);
            let out = run(&endpoint(), &args, "2").await;
            expect_exit(&out, 64);
            let text = crate::support::stderr(&out);
            assert!(
                text.contains(&name) && text.contains("was not written by it"),
                "{command} {mode:?} on_role={on_role}: {text}"
            );
        }
        assert_eq!(world.snapshot().await, before, "{mode:?} on_role={on_role}");
        let now = if on_role {
            let out = c
                .iam
                .get_role_policy()
                .role_name(world.bot_role_name())
                .policy_name(&name)
                .send()
                .await
                .unwrap();
            out.policy_document().to_string()
        } else {
            let out = c
                .iam
                .get_user_policy()
                .user_name(&world.user)
                .policy_name(&name)
                .send()
                .await
                .unwrap();
            out.policy_document().to_string()
        };
        let now = lex_logs_setup::policy::parse_returned(&now).unwrap();
        assert_eq!(
            now,
            serde_json::from_str::<serde_json::Value>(theirs).unwrap()
        );
    }
}
