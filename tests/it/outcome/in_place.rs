//! In place (the default): text logs arrive for a published alias and the test alias; audio
//! only with KMS, and text with audio, both deliver.

use crate::support::{expect_exit, stderr, unique, World, SENTIMENT_POLICY};

use super::{audio_objects, bot_role, cmd, logged, say, say_audio, tool, with, TEST_ALIAS};

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
