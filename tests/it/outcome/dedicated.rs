//! The dedicated-role mode: old versions refused until DRAFT is published (destroy restores
//! them), a setup under another role name destroyed without the flag, a migration from our earlier
//! role, the way out when IAM refuses to change the service-linked role, and the inline policies
//! the policy command says apply copies to our role.

use serde_json::json;

use crate::support::{expect_exit, stderr, unique, World, SENTIMENT_POLICY};

use super::{bot_role, cmd, logged, say, tool, with};

#[tokio::test]
async fn dedicated_mode_refuses_old_versions_then_publishes_and_destroy_restores_them() {
    let world = World::new().await;
    let group = world.log_group();
    let before = world.snapshot().await;

    // --role-name alone: live runs version 1 on the service-linked role, so it could not log.
    let mut plain = world.target_args();
    plain.extend(["--role-name".to_string(), world.role_name()]);
    let out = tool(cmd("apply", &plain, &["--yes"])).await;
    expect_exit(&out, 64);
    assert!(
        stderr(&out).contains("--publish-version"),
        "{}",
        stderr(&out)
    );
    assert_eq!(world.snapshot().await, before, "refused before any change");

    let args = world.dedicated_args();
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let alias = world
        .clients
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        alias.bot_version(),
        Some("2"),
        "live runs the version just published"
    );
    let (session, interpretations) = say(&world, &world.alias_id, "dedicated").await;
    let events = logged(&world, &group, &session).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["bot"]["version"], "2");
    assert_eq!(
        interpretations[0]["sentiment"], "NEUTRAL",
        "our role carries the service-linked role's sentiment policy: {interpretations}"
    );
    let snapshot = world.snapshot().await;
    assert!(
        snapshot["role"]["inline"].get(SENTIMENT_POLICY).is_some(),
        "the service-linked role's inline policies are copied to ours: {}",
        snapshot["role"]
    );

    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let shown = crate::support::stdout(&out);
    assert!(shown.contains("No changes"), "{shown}");

    let out = tool(cmd("destroy", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let after = world.snapshot().await;
    assert_eq!(
        after["aliases"]["live"]["botVersion"], "1",
        "live is back on version 1"
    );
    assert!(after["versions"].get("2").is_none(), "our version is gone");
    assert!(after["role"].is_null(), "our role is gone");
    assert_eq!(after["bot"]["roleArn"], before["bot"]["roleArn"]);
    let (session, interpretations) = say(&world, &world.alias_id, "back").await;
    assert_eq!(interpretations[0]["intent"], "FallbackIntent");
    assert!(logged(&world, &group, &session).await.is_empty());
}

#[tokio::test]
async fn a_dedicated_setup_under_another_role_name_is_destroyed_without_the_flag() {
    let world = World::new().await;
    let role = unique("OurLogs-");
    let apply = with(
        world.target_args(),
        &["--role-name", &role, "--publish-version"],
    );
    expect_exit(&tool(cmd("apply", &apply, &["--yes"])).await, 0);
    assert_eq!(
        bot_role(&world).await,
        format!("arn:aws:iam::000000000000:role/{role}")
    );

    let out = tool(cmd("destroy", &world.target_args(), &["--yes"])).await;
    expect_exit(&out, 0);
    assert_eq!(
        bot_role(&world).await,
        world.bot_role_arn,
        "the bot is back on its role"
    );
    assert!(
        world
            .clients
            .iam
            .get_role()
            .role_name(&role)
            .send()
            .await
            .is_err(),
        "our role {role} is gone"
    );
    let snapshot = world.snapshot().await;
    assert_eq!(snapshot["aliases"]["live"]["botVersion"], "1");
    let (_, interpretations) = say(&world, &world.alias_id, "hello").await;
    assert_eq!(interpretations[0]["intent"], "FallbackIntent");
}

#[tokio::test]
async fn a_new_role_name_migrates_from_our_earlier_role_and_destroy_returns_to_the_original() {
    let world = World::new().await;
    let (first, second) = (unique("LogsA-"), unique("LogsB-"));
    let group = world.log_group();
    let user = format!("user/{}", world.user);
    let with_role = |role: &str| {
        with(
            world.target_args(),
            &[
                "--role-name",
                role,
                "--publish-version",
                "--grant-pass-role",
                &user,
            ],
        )
    };
    expect_exit(&tool(cmd("apply", &with_role(&first), &["--yes"])).await, 0);

    let out = tool(cmd("apply", &with_role(&second), &["--yes"])).await;
    expect_exit(&out, 0);
    let shown = format!("{}{}", crate::support::stdout(&out), stderr(&out));
    assert!(shown.contains("earlier logging role of ours"), "{shown}");
    let iam = &world.clients.iam;
    assert!(
        iam.get_role().role_name(&first).send().await.is_err(),
        "{first} is removed"
    );
    let grant_of = |role: String| {
        let user = world.user.clone();
        async move {
            iam.get_user_policy()
                .user_name(&user)
                .policy_name(format!("LexLogsPassRole-{role}"))
                .send()
                .await
                .is_ok()
        }
    };
    assert!(
        !grant_of(first.clone()).await,
        "the grant naming {first} goes with it"
    );
    assert!(grant_of(second.clone()).await);
    assert_eq!(
        bot_role(&world).await,
        format!("arn:aws:iam::000000000000:role/{second}")
    );
    let snapshot = world.snapshot().await;
    let versions: Vec<&String> = snapshot["versions"].as_object().unwrap().keys().collect();
    assert_eq!(
        versions,
        ["1", "3"],
        "the version published on {first} is gone"
    );
    let (session, _) = say(&world, &world.alias_id, "second role").await;
    let events = logged(&world, &group, &session).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["bot"]["version"], "3");

    let out = tool(cmd("destroy", &with_role(&second), &["--yes"])).await;
    expect_exit(&out, 0);
    assert_eq!(
        bot_role(&world).await,
        world.bot_role_arn,
        "back on the original role"
    );
    let snapshot = world.snapshot().await;
    assert_eq!(
        snapshot["aliases"]["live"]["botVersion"], "1",
        "back on the original version"
    );
    assert!(snapshot["role"].is_null());
    assert!(iam.get_role().role_name(&second).send().await.is_err());
    let (session, interpretations) = say(&world, &world.alias_id, "original").await;
    assert_eq!(interpretations[0]["intent"], "FallbackIntent");
    assert!(logged(&world, &group, &session).await.is_empty());
}

#[tokio::test]
async fn iam_refusing_the_service_linked_role_is_rolled_back_and_names_the_dedicated_mode() {
    let account = crate::support::fresh_account('7');
    let world = World::new_in(&account).await;
    crate::support::twin_settings(&account, json!({"slr_inline_policies": false})).await;
    let before = world.snapshot().await;
    let args = cmd(
        "apply",
        &world.target_args(),
        &["--yes", "--retention-days", "7"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = crate::support::tool_command_as(&account, &crate::support::endpoint(), &args)
        .output()
        .await
        .unwrap();
    expect_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("UnmodifiableEntity") && err.contains("--role-name"),
        "names the refusal and the way out:\n{err}"
    );
    let after = world.snapshot().await;
    assert_eq!(after, before, "nothing is left changed");

    // The way out works: the dedicated mode, in the same account.
    let args = cmd("apply", &world.dedicated_args(), &["--yes"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = crate::support::tool_command_as(&account, &crate::support::endpoint(), &args)
        .output()
        .await
        .unwrap();
    expect_exit(&out, 0);
}

#[tokio::test]
async fn the_policy_command_prints_the_inline_policies_apply_copies_to_our_role() {
    let world = World::new().await;
    let out = tool(cmd("policy", &world.dedicated_args(), &[])).await;
    expect_exit(&out, 0);
    let text = crate::support::stdout(&out);
    assert!(
        text.contains("copied from the bot's previous role")
            && text.contains(&format!("{}/{SENTIMENT_POLICY}", world.role_name())),
        "{text}"
    );
    let out = tool(cmd("policy", &world.target_args(), &[])).await;
    expect_exit(&out, 0);
    let text = crate::support::stdout(&out);
    assert!(
        text.contains("on the Lex service-linked role that writes the logs"),
        "in place, the inline policy on the bot's role: {text}"
    );
}

/// The trust is AWS's own form unless a pin is asked; `--pin-source-account` (and
/// `--pin-source-arn`) add the condition, logs still arrive (the twin presents both keys), and a
/// re-apply without the pins converges back to AWS's form.
#[tokio::test]
async fn source_pins_are_opt_in_and_each_form_logs() {
    let world = World::new().await;
    let group = world.log_group();
    let trust = |world: &World| {
        let iam = world.clients.iam.clone();
        let name = world.role_name();
        async move {
            let role = iam.get_role().role_name(name).send().await.unwrap();
            let text = role.role().unwrap().assume_role_policy_document().unwrap();
            lex_logs_setup::policy::parse_returned(text).unwrap()["Statement"][0].clone()
        }
    };
    let pinned = with(
        world.dedicated_args(),
        &["--pin-source-account", "--pin-source-arn", "--yes"],
    );
    expect_exit(&tool(cmd("apply", &pinned, &[])).await, 0);
    let statement = trust(&world).await;
    assert_eq!(
        statement["Condition"]["StringEquals"]["aws:SourceAccount"],
        crate::support::ACCOUNT
    );
    assert!(statement["Condition"]["ArnLike"]["aws:SourceArn"].is_array());
    let (session, _) = say(&world, &world.alias_id, "pinned").await;
    assert_eq!(
        logged(&world, &group, &session).await.len(),
        1,
        "pinned trust logs"
    );
    // Without the pins: the trust goes back to AWS's form, and logs still arrive.
    let out = tool(cmd("apply", &world.dedicated_args(), &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(trust(&world).await.get("Condition").is_none());
    let (session, _) = say(&world, &world.alias_id, "unpinned").await;
    assert_eq!(
        logged(&world, &group, &session).await.len(),
        1,
        "AWS's form logs"
    );
    expect_exit(
        &tool(cmd("destroy", &world.dedicated_args(), &["--yes"])).await,
        0,
    );
}

/// The bot's errorLogSettings (which this tool does not set: AWS documents only its `enabled`
/// flag, not where error logs go) survive the dedicated mode's UpdateBot, both ways.
#[tokio::test]
async fn the_bots_error_log_settings_survive_apply_and_destroy() {
    let world = World::new().await;
    let lex = &world.clients.lex;
    let error_logs = || async {
        lex.describe_bot()
            .bot_id(&world.bot_id)
            .send()
            .await
            .unwrap()
            .error_log_settings()
            .map(|e| e.enabled())
    };
    let bot = lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    lex.update_bot()
        .bot_id(&world.bot_id)
        .bot_name(&world.bot_name)
        .role_arn(bot.role_arn().unwrap())
        .set_data_privacy(bot.data_privacy().cloned())
        .idle_session_ttl_in_seconds(bot.idle_session_ttl_in_seconds().unwrap_or(300))
        .error_log_settings(
            aws_sdk_lexmodelsv2::types::ErrorLogSettings::builder()
                .enabled(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(error_logs().await, Some(true));
    let args = world.dedicated_args();
    expect_exit(&tool(cmd("apply", &args, &["--yes"])).await, 0);
    assert_eq!(error_logs().await, Some(true), "kept by apply's UpdateBot");
    expect_exit(&tool(cmd("destroy", &args, &["--yes"])).await, 0);
    assert_eq!(
        error_logs().await,
        Some(true),
        "kept by destroy's UpdateBot"
    );
}
