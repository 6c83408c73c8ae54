//! The outcome users care about, on the twin: after apply, a conversation on each named alias
//! puts its log line in the group (or its audio in the bucket); the bot keeps every permission it
//! had; after destroy every alias still answers and nothing is logged to our destinations.

use aws_sdk_lexmodelsv2::types::DataPrivacy;
use serde_json::{json, Value};

use crate::support::{
    expect_exit, publish_version, run_tool, runtime, stderr, unique, World, SENTIMENT_POLICY,
};

const TEST_ALIAS: &str = "TSTALIASID";

/// One turn on the alias, with a unique session id; returns the session id and the answer's
/// interpretations (as JSON, for the sentiment check).
async fn say(world: &World, alias_id: &str, text: &str) -> (String, Value) {
    let session = unique("s-");
    let out = runtime()
        .await
        .recognize_text()
        .bot_id(&world.bot_id)
        .bot_alias_id(alias_id)
        .locale_id("en_US")
        .session_id(&session)
        .text(text)
        .send()
        .await
        .unwrap_or_else(|e| panic!("RecognizeText on {alias_id}: {e:?}"));
    let interpretations: Vec<Value> = out
        .interpretations()
        .iter()
        .map(|i| {
            json!({
                "intent": i.intent().map(|x| x.name()),
                "sentiment": i.sentiment_response().and_then(|s| s.sentiment()).map(|s| s.as_str()),
            })
        })
        .collect();
    (session, json!(interpretations))
}

/// One audio turn (a short PCM clip of silence) on the alias; returns the session id.
async fn say_audio(world: &World, alias_id: &str) -> String {
    let session = unique("a-");
    runtime()
        .await
        .recognize_utterance()
        .bot_id(&world.bot_id)
        .bot_alias_id(alias_id)
        .locale_id("en_US")
        .session_id(&session)
        .request_content_type("audio/l16; rate=16000; channels=1")
        .input_stream(aws_sdk_lexruntimev2::primitives::ByteStream::from(vec![
            0u8;
            3200
        ]))
        .send()
        .await
        .unwrap_or_else(|e| panic!("RecognizeUtterance on {alias_id}: {e:?}"));
    session
}

/// The log events of `group` that belong to `session` (read back through CloudWatch Logs).
async fn logged(world: &World, group: &str, session: &str) -> Vec<Value> {
    let out = match world
        .clients
        .logs
        .filter_log_events()
        .log_group_name(group)
        .send()
        .await
    {
        Ok(out) => out,
        Err(_) => return vec![],
    };
    out.events()
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e.message().unwrap_or_default()).ok())
        .filter(|m| m["sessionId"] == session)
        .collect()
}

/// The audio objects under `prefix` of the world's bucket whose key names `session`.
async fn audio_objects(world: &World, prefix: &str, session: &str) -> Vec<String> {
    let out = world
        .clients
        .s3
        .list_objects_v2()
        .bucket(&world.bucket)
        .prefix(prefix)
        .send()
        .await
        .expect("ListObjectsV2");
    out.contents()
        .iter()
        .filter_map(|o| o.key())
        .filter(|k| k.contains(session))
        .map(str::to_string)
        .collect()
}

async fn tool(args: Vec<String>) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool(&args).await
}

fn with(mut args: Vec<String>, more: &[&str]) -> Vec<String> {
    args.extend(more.iter().map(|s| s.to_string()));
    args
}

/// `command`, then `args`, then `more`.
fn cmd(command: &str, args: &[String], more: &[&str]) -> Vec<String> {
    let mut all = vec![command.to_string()];
    all.extend(args.iter().cloned());
    all.extend(more.iter().map(|s| s.to_string()));
    all
}

async fn bot_role(world: &World) -> String {
    world
        .clients
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap()
        .role_arn()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn in_place_text_logs_arrive_for_a_published_alias_and_the_test_alias() {
    let world = World::new().await;
    let group = world.log_group();
    let args = with(world.target_args(), &["--alias", "TestBotAlias"]);

    // Before: no logs configured, so a conversation logs nothing.
    let (before, _) = say(&world, &world.alias_id, "hello before").await;

    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let shown = format!("{}{}", crate::support::stdout(&out), stderr(&out));
    assert!(
        shown.contains("alias live runs version 1")
            && shown.contains("AWSServiceRoleForLexV2Bots_"),
        "the plan says which role writes each alias's logs:\n{shown}"
    );

    for alias in [world.alias_id.as_str(), TEST_ALIAS] {
        let (session, interpretations) = say(&world, alias, "I want a pizza").await;
        let events = logged(&world, &group, &session).await;
        assert_eq!(
            events.len(),
            1,
            "one log line for {alias}, read back: {events:?}"
        );
        assert_eq!(events[0]["inputTranscript"], "I want a pizza");
        assert_eq!(events[0]["bot"]["id"], world.bot_id.as_str());
        if alias == world.alias_id {
            assert_eq!(events[0]["bot"]["version"], "1");
            assert_eq!(
                interpretations[0]["sentiment"], "NEUTRAL",
                "the service-linked role's sentiment permission still works: {interpretations}"
            );
        }
    }
    assert!(logged(&world, &group, &before).await.is_empty());
    assert_eq!(
        bot_role(&world).await,
        world.bot_role_arn,
        "the bot keeps its role"
    );

    // The bot's own inline policy is untouched; ours sits beside it.
    let snapshot = world.snapshot().await;
    let inline = &snapshot["botRole"]["inline"];
    assert!(inline.get(SENTIMENT_POLICY).is_some(), "{inline}");
    assert!(
        inline
            .get(format!("{}-ConversationLogs", world.role_name()))
            .is_some(),
        "{inline}"
    );

    // Re-apply: nothing to do.
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let shown = crate::support::stdout(&out);
    assert!(shown.contains("No changes"), "{shown}");

    let out = tool(cmd("destroy", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    for alias in [world.alias_id.as_str(), TEST_ALIAS] {
        let (session, interpretations) = say(&world, alias, "still there?").await;
        assert_eq!(
            interpretations[0]["intent"], "FallbackIntent",
            "{alias} answers"
        );
        assert!(logged(&world, &group, &session).await.is_empty());
    }
    let snapshot = world.snapshot().await;
    let inline = &snapshot["botRole"]["inline"];
    assert_eq!(
        inline.as_object().unwrap().keys().collect::<Vec<_>>(),
        vec![SENTIMENT_POLICY],
        "destroy removes our inline policy and keeps the bot's own"
    );
    let (_, interpretations) = say(&world, &world.alias_id, "feelings").await;
    assert_eq!(interpretations[0]["sentiment"], "NEUTRAL");
}

#[tokio::test]
async fn in_place_audio_only_with_kms_and_text_with_audio_both_deliver() {
    let world = World::new().await;
    let prefix = format!("calls-{}/", unique("p"));
    let audio_only = with(
        world.target_args(),
        &[
            "--no-text-logs",
            "--audio-bucket",
            &world.bucket,
            "--audio-prefix",
            &prefix,
            "--kms-key",
            &world.key_arn,
        ],
    );
    let out = tool(cmd("apply", &audio_only, &["--yes"])).await;
    expect_exit(&out, 0);
    let session = say_audio(&world, &world.alias_id).await;
    let objects = audio_objects(&world, &prefix, &session).await;
    assert_eq!(objects.len(), 1, "audio under {prefix}: {objects:?}");
    let head = world
        .clients
        .s3
        .head_object()
        .bucket(&world.bucket)
        .key(&objects[0])
        .send()
        .await
        .unwrap();
    assert_eq!(head.ssekms_key_id(), Some(world.key_arn.as_str()));
    let alias = world
        .clients
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .unwrap();
    let settings = alias.conversation_log_settings().unwrap();
    assert!(
        settings.text_log_settings.is_none(),
        "audio only: no text list"
    );

    // Both: the same audio, and text to the default group.
    let both = with(
        world.target_args(),
        &[
            "--audio-bucket",
            &world.bucket,
            "--audio-prefix",
            &prefix,
            "--kms-key",
            &world.key_arn,
        ],
    );
    let out = tool(cmd("apply", &both, &["--yes"])).await;
    expect_exit(&out, 0);
    let session = say_audio(&world, &world.alias_id).await;
    assert_eq!(audio_objects(&world, &prefix, &session).await.len(), 1);
    let (session, _) = say(&world, &world.alias_id, "text too").await;
    assert_eq!(logged(&world, &world.log_group(), &session).await.len(), 1);

    let out = tool(cmd("destroy", &both, &["--yes"])).await;
    expect_exit(&out, 0);
    let session = say_audio(&world, &world.alias_id).await;
    assert!(audio_objects(&world, &prefix, &session).await.is_empty());
}

#[tokio::test]
async fn a_bot_on_a_customer_role_logs_through_our_attached_policies() {
    let world = World::new().await;
    let iam = world.clients.iam.clone();
    let role_name = unique("team-bot-role-");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let role = iam
        .create_role()
        .role_name(&role_name)
        .path("/team/")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    let role_arn = role.role().unwrap().arn().to_string();
    iam.put_role_policy()
        .role_name(&role_name)
        .policy_name("polly")
        .policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "polly:SynthesizeSpeech", "Resource": "*"}]})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    let lex = world.clients.lex.clone();
    let bot_name = unique("TeamBot");
    let bot_id = lex
        .create_bot()
        .bot_name(&bot_name)
        .role_arn(&role_arn)
        .data_privacy(DataPrivacy::builder().child_directed(false).build())
        .idle_session_ttl_in_seconds(300)
        .send()
        .await
        .unwrap()
        .bot_id()
        .unwrap()
        .to_string();
    let version = publish_version(&lex, &bot_id, &[]).await;
    let alias_id = lex
        .create_bot_alias()
        .bot_id(&bot_id)
        .bot_alias_name("prod")
        .bot_version(&version)
        .send()
        .await
        .unwrap()
        .bot_alias_id()
        .unwrap()
        .to_string();
    let team = World {
        bot_id: bot_id.clone(),
        bot_name: bot_name.clone(),
        bot_role_arn: role_arn.clone(),
        alias_id: alias_id.clone(),
        alias_name: "prod".into(),
        ..world
    };
    let group = format!("/team/{}", unique("logs"));
    let args: Vec<String> = vec![
        "--bot".into(),
        bot_name.clone(),
        "--alias".into(),
        "prod".into(),
        "--log-group".into(),
        group.clone(),
    ];
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let attached = iam
        .list_attached_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    let attached: Vec<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    assert_eq!(attached.len(), 1, "{attached:?}");
    assert!(attached[0].ends_with("-CloudWatchLogs"));
    let (session, _) = say(&team, &alias_id, "order").await;
    assert_eq!(logged(&team, &group, &session).await.len(), 1);
    assert_eq!(bot_role(&team).await, role_arn);

    let out = tool(cmd("destroy", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let attached = iam
        .list_attached_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    assert!(attached.attached_policies().is_empty());
    let inline = iam
        .list_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        inline.policy_names(),
        ["polly".to_string()],
        "the team's own policy stays"
    );
    let (session, interpretations) = say(&team, &alias_id, "order again").await;
    assert_eq!(interpretations[0]["intent"], "FallbackIntent");
    assert!(logged(&team, &group, &session).await.is_empty());
}

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

/// A fresh 12-digit account id for a test that changes the twin's settings.
fn fresh_account() -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "7{:011}",
        (n + std::process::id() as u128) % 100_000_000_000
    )
}

async fn twin_settings(account: &str, settings: Value) {
    let mut body = settings;
    body["account"] = json!(account);
    let body = body.to_string();
    let request = format!(
        "POST /_lexlogs/settings HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", crate::support::port()))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"),
        "{answer}"
    );
}

#[tokio::test]
async fn iam_refusing_the_service_linked_role_is_rolled_back_and_names_the_dedicated_mode() {
    let account = fresh_account();
    let world = World::new_in(&account).await;
    twin_settings(&account, json!({"slr_inline_policies": false})).await;
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
