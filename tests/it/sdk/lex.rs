//! Lex V2: bots and aliases round-trip conversation log settings, missing ones are not found;
//! and a test world has its user, key, bucket and bot.

use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, DataPrivacy, S3BucketLogDestination, TextLogDestination,
    TextLogSetting,
};

use crate::support::{unique, World, ACCOUNT, REGION};

#[tokio::test]
async fn lex_bots_and_aliases_round_trip_conversation_log_settings() {
    let world = World::new().await;
    let lex = &world.clients.lex;
    let listed = lex.list_bots().send().await.expect("ListBots");
    assert!(listed
        .bot_summaries()
        .iter()
        .any(|b| b.bot_id() == Some(world.bot_id.as_str())));
    let bot = lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .expect("DescribeBot");
    assert_eq!(bot.role_arn(), Some(world.bot_role_arn.as_str()));
    let new_role = format!("arn:aws:iam::{ACCOUNT}:role/{}", unique("r"));
    lex.update_bot()
        .bot_id(&world.bot_id)
        .bot_name(&world.bot_name)
        .description(bot.description().unwrap())
        .role_arn(&new_role)
        .data_privacy(DataPrivacy::builder().child_directed(false).build())
        .idle_session_ttl_in_seconds(bot.idle_session_ttl_in_seconds().unwrap())
        .send()
        .await
        .expect("UpdateBot");
    let bot = lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    assert_eq!(bot.role_arn(), Some(new_role.as_str()));
    assert_eq!(bot.description(), Some("a bot for tests"));

    let aliases = lex
        .list_bot_aliases()
        .bot_id(&world.bot_id)
        .send()
        .await
        .expect("ListBotAliases");
    let names: Vec<_> = aliases
        .bot_alias_summaries()
        .iter()
        .filter_map(|a| a.bot_alias_name())
        .collect();
    assert_eq!(names.len(), 2, "only this bot's aliases: {names:?}");
    assert!(names.contains(&"TestBotAlias") && names.contains(&"live"));
    let log_group_arn = format!(
        "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lex/{}",
        world.bot_name
    );
    let settings = ConversationLogSettings::builder()
        .text_log_settings(
            TextLogSetting::builder()
                .enabled(true)
                .destination(
                    TextLogDestination::builder()
                        .cloud_watch(
                            CloudWatchLogGroupLogDestination::builder()
                                .cloud_watch_log_group_arn(&log_group_arn)
                                .log_prefix("lex/")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .audio_log_settings(
            AudioLogSetting::builder()
                .enabled(true)
                .destination(
                    AudioLogDestination::builder()
                        .s3_bucket(
                            S3BucketLogDestination::builder()
                                .s3_bucket_arn(format!("arn:aws:s3:::{}", world.bucket))
                                .log_prefix("audio/")
                                .kms_key_arn(&world.key_arn)
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .build();
    let before = lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .expect("DescribeBotAlias");
    lex.update_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .bot_alias_name(before.bot_alias_name().unwrap())
        .set_description(before.description().map(str::to_string))
        .set_bot_version(before.bot_version().map(str::to_string))
        .set_bot_alias_locale_settings(before.bot_alias_locale_settings().cloned())
        .set_sentiment_analysis_settings(before.sentiment_analysis_settings().cloned())
        .conversation_log_settings(settings.clone())
        .send()
        .await
        .expect("UpdateBotAlias");
    let after = lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .unwrap();
    assert_eq!(after.conversation_log_settings(), Some(&settings));
    assert_eq!(
        after.bot_alias_locale_settings(),
        before.bot_alias_locale_settings()
    );
    assert_eq!(
        after.sentiment_analysis_settings(),
        before.sentiment_analysis_settings()
    );
    assert_eq!(after.description(), Some("the live alias"));
    assert_eq!(
        after.bot_alias_status().map(|s| s.as_str()),
        Some("Available")
    );
    let test_alias = lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id("TSTALIASID")
        .send()
        .await
        .expect("TestBotAlias");
    assert_eq!(test_alias.bot_version(), Some("DRAFT"));
}

#[tokio::test]
async fn lex_missing_bot_and_alias_are_not_found() {
    let world = World::new().await;
    let lex = &world.clients.lex;
    let missing = lex
        .describe_bot()
        .bot_id("MISSINGBOT")
        .send()
        .await
        .unwrap_err();
    assert!(missing
        .as_service_error()
        .unwrap()
        .is_resource_not_found_exception());
    assert_eq!(missing.raw_response().unwrap().status().as_u16(), 404);
    let missing = lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id("MISSINGALI")
        .send()
        .await
        .unwrap_err();
    assert!(missing
        .as_service_error()
        .unwrap()
        .is_resource_not_found_exception());
    let update = lex
        .update_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id("MISSINGALI")
        .bot_alias_name("x")
        .send()
        .await
        .unwrap_err();
    use aws_sdk_lexmodelsv2::error::ProvideErrorMetadata;
    assert_eq!(update.code(), Some("PreconditionFailedException"));
}

#[tokio::test]
async fn a_test_world_has_its_user_key_bucket_and_bot() {
    let world = World::new().await;
    let c = &world.clients;
    c.iam
        .get_user()
        .user_name(&world.user)
        .send()
        .await
        .expect("the world's user exists");
    let key = c
        .kms
        .describe_key()
        .key_id(&world.key_id)
        .send()
        .await
        .expect("the world's key exists");
    assert_eq!(
        key.key_metadata().unwrap().arn(),
        Some(world.key_arn.as_str())
    );
    c.s3.head_bucket()
        .bucket(&world.bucket)
        .send()
        .await
        .expect("the world's bucket exists");
    let other = World::new().await;
    assert_ne!(
        world.bot_name, other.bot_name,
        "worlds are isolated by unique names"
    );
    assert_ne!(world.bucket, other.bucket);
}
