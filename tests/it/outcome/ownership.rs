//! What is someone else's or still in use: another team's log group is never taken silently
//! (and a take-over is undone exactly), destroy keeps what remaining aliases log through, and
//! PassRole grants are recorded so a dropped one is revoked and destroy finds them all.

use serde_json::json;

use crate::support::{expect_exit, stderr, unique, World, SENTIMENT_POLICY};

use super::{cmd, logged, say, tool, with};

#[tokio::test]
async fn another_teams_log_group_is_never_taken_silently_and_a_take_over_is_undone_exactly() {
    let world = World::new().await;
    let theirs = format!("/team-x/{}", unique("lex"));
    world
        .clients
        .logs
        .create_log_group()
        .log_group_name(&theirs)
        .send()
        .await
        .unwrap();
    // Team X logs the alias to its own group, through a policy of its own on the bot's role.
    world
        .clients
        .iam
        .put_role_policy()
        .role_name(world.bot_role_name())
        .policy_name("TeamXLogs")
        .policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": format!("arn:aws:logs:us-east-1:000000000000:log-group:{theirs}:*")}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let theirs_arn = format!("arn:aws:logs:us-east-1:000000000000:log-group:{theirs}");
    let described = world
        .clients
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .unwrap();
    use aws_sdk_lexmodelsv2::types::{
        CloudWatchLogGroupLogDestination, ConversationLogSettings, TextLogDestination,
        TextLogSetting,
    };
    let their_settings = ConversationLogSettings::builder()
        .text_log_settings(
            TextLogSetting::builder()
                .enabled(true)
                .destination(
                    TextLogDestination::builder()
                        .cloud_watch(
                            CloudWatchLogGroupLogDestination::builder()
                                .cloud_watch_log_group_arn(&theirs_arn)
                                .log_prefix("team-x/")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .build();
    world
        .clients
        .lex
        .update_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .bot_alias_name("live")
        .set_description(described.description().map(str::to_string))
        .bot_version("1")
        .set_bot_alias_locale_settings(described.bot_alias_locale_settings().cloned())
        .set_sentiment_analysis_settings(described.sentiment_analysis_settings().cloned())
        .conversation_log_settings(their_settings)
        .send()
        .await
        .unwrap();
    let (session, _) = say(&world, &world.alias_id, "team x").await;
    assert_eq!(
        logged(&world, &theirs, &session).await.len(),
        1,
        "team X's logs arrive"
    );
    let before = world.snapshot().await;

    // A plain apply refuses, before any change.
    let out = tool(cmd("apply", &world.target_args(), &["--yes"])).await;
    expect_exit(&out, 64);
    let shown = format!("{}{}", crate::support::stdout(&out), stderr(&out));
    assert!(
        shown.contains(&theirs) && shown.contains("--take-over-destinations"),
        "{shown}"
    );
    assert_eq!(world.snapshot().await, before);

    // Taken over explicitly: the logs go to ours...
    let args = with(world.target_args(), &["--take-over-destinations"]);
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let (session, _) = say(&world, &world.alias_id, "ours now").await;
    assert_eq!(logged(&world, &world.log_group(), &session).await.len(), 1);
    assert!(logged(&world, &theirs, &session).await.is_empty());

    // ...and destroy (even without the flag) gives team X its setting back exactly.
    let out = tool(cmd("destroy", &world.target_args(), &["--yes"])).await;
    expect_exit(&out, 0);
    let after = world.snapshot().await;
    assert_eq!(after["aliases"]["live"], before["aliases"]["live"]);
    let (session, _) = say(&world, &world.alias_id, "team x again").await;
    assert_eq!(
        logged(&world, &theirs, &session).await.len(),
        1,
        "their logs arrive again"
    );
    assert!(logged(&world, &world.log_group(), &session)
        .await
        .is_empty());
}

#[tokio::test]
async fn destroy_needs_no_flags_from_apply_and_keeps_what_remaining_aliases_log_through() {
    let world = World::new().await;
    world.add_alias("beta").await;
    let beta = world
        .clients
        .lex
        .list_bot_aliases()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap()
        .bot_alias_summaries()
        .iter()
        .find(|a| a.bot_alias_name() == Some("beta"))
        .and_then(|a| a.bot_alias_id().map(str::to_string))
        .unwrap();
    let group = format!("/custom/{}", unique("g"));
    let apply = vec![
        "--bot".to_string(),
        world.bot_name.clone(),
        "--alias".into(),
        "live".into(),
        "--alias".into(),
        "beta".into(),
        "--log-group".into(),
        group.clone(),
        "--log-prefix".into(),
        "custom/".into(),
    ];
    expect_exit(&tool(cmd("apply", &apply, &["--yes"])).await, 0);
    for alias in [world.alias_id.as_str(), beta.as_str()] {
        let (session, _) = say(&world, alias, "both").await;
        assert_eq!(logged(&world, &group, &session).await.len(), 1, "{alias}");
    }

    // Destroy beta alone, with none of apply's destination flags.
    let only_beta = vec![
        "--bot".to_string(),
        world.bot_name.clone(),
        "--alias".into(),
        "beta".into(),
    ];
    let out = tool(cmd("destroy", &only_beta, &["--yes"])).await;
    expect_exit(&out, 0);
    let shown = format!("{}{}", crate::support::stdout(&out), stderr(&out));
    assert!(
        shown.contains("alias live still logs"),
        "says what it kept and why:\n{shown}"
    );
    let (session, _) = say(&world, &beta, "beta off").await;
    assert!(logged(&world, &group, &session).await.is_empty());
    let (session, _) = say(&world, &world.alias_id, "live on").await;
    assert_eq!(
        logged(&world, &group, &session).await.len(),
        1,
        "live still logs"
    );

    // Then live, again with no destination flags: everything of ours goes.
    expect_exit(
        &tool(cmd("destroy", &world.target_args(), &["--yes"])).await,
        0,
    );
    let (session, _) = say(&world, &world.alias_id, "live off").await;
    assert!(logged(&world, &group, &session).await.is_empty());
    let snapshot = world.snapshot().await;
    assert_eq!(
        snapshot["botRole"]["inline"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec![SENTIMENT_POLICY]
    );
}

#[tokio::test]
async fn pass_role_grants_in_place_are_recorded_so_a_dropped_one_is_revoked_and_destroy_finds_all()
{
    let world = World::new().await;
    let iam = &world.clients.iam;
    let other = unique("user-");
    iam.create_user().user_name(&other).send().await.unwrap();
    let grant = format!("LexLogsPassRole-{}", world.role_name());
    let has_grant = |user: String| {
        let grant = grant.clone();
        async move {
            iam.get_user_policy()
                .user_name(&user)
                .policy_name(&grant)
                .send()
                .await
                .is_ok()
        }
    };
    let both = with(
        world.target_args(),
        &[
            "--grant-pass-role",
            &format!("user/{}", world.user),
            "--grant-pass-role",
            &format!("user/{other}"),
        ],
    );
    expect_exit(&tool(cmd("apply", &both, &["--yes"])).await, 0);
    assert!(has_grant(world.user.clone()).await && has_grant(other.clone()).await);
    let document = iam
        .get_user_policy()
        .user_name(&other)
        .policy_name(&grant)
        .send()
        .await
        .unwrap();
    let document = lex_logs_setup::policy::parse_returned(document.policy_document()).unwrap();
    assert_eq!(
        document["Statement"][0]["Resource"],
        json!([world.bot_role_arn]),
        "PassRole on the role that writes the logs: {document}"
    );

    // Dropping a principal revokes its grant.
    let one = with(
        world.target_args(),
        &["--grant-pass-role", &format!("user/{}", world.user)],
    );
    expect_exit(&tool(cmd("apply", &one, &["--yes"])).await, 0);
    assert!(has_grant(world.user.clone()).await);
    assert!(
        !has_grant(other.clone()).await,
        "no longer asked for: revoked"
    );

    // Destroy without --grant-pass-role still finds the grant.
    expect_exit(
        &tool(cmd("destroy", &world.target_args(), &["--yes"])).await,
        0,
    );
    assert!(
        !has_grant(world.user.clone()).await,
        "destroy revokes every recorded grant"
    );
}
