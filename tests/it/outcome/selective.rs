//! `selectiveLoggingEnabled`, set by another actor on an alias's text logs, is kept exactly: a
//! take-over keeps it on our setting and destroy puts the other setting back with it; a half the
//! tool does not touch keeps it through apply and destroy, in both modes.

use aws_sdk_lexmodelsv2::types::{
    CloudWatchLogGroupLogDestination, ConversationLogSettings, TextLogDestination, TextLogSetting,
};

use crate::support::{expect_exit, stdout, World};

use super::{cmd, tool, with};

/// Text logs to another team's group (made here), with selective logging on.
async fn selective_text_of_another_team(world: &World) -> ConversationLogSettings {
    let (_, settings) = world.other_teams_logs().await;
    let theirs = &settings.text_log_settings()[0];
    let group_arn = theirs
        .destination()
        .and_then(|d| d.cloud_watch())
        .map(|c| c.cloud_watch_log_group_arn().to_string())
        .unwrap();
    ConversationLogSettings::builder()
        .text_log_settings(
            TextLogSetting::builder()
                .enabled(true)
                .selective_logging_enabled(true)
                .destination(
                    TextLogDestination::builder()
                        .cloud_watch(
                            CloudWatchLogGroupLogDestination::builder()
                                .cloud_watch_log_group_arn(group_arn)
                                .log_prefix("theirs/")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build(),
        )
        .build()
}

/// The alias's log settings and version, read through the SDK.
async fn read_alias(world: &World) -> (Option<ConversationLogSettings>, Option<String>) {
    let alias = world
        .clients
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .unwrap();
    (
        alias.conversation_log_settings().cloned(),
        alias.bot_version().map(str::to_string),
    )
}

/// The text half's selective flag, as the alias holds it now.
fn text_selective(settings: &Option<ConversationLogSettings>) -> Option<bool> {
    settings
        .as_ref()
        .and_then(|s| s.text_log_settings().first())
        .and_then(|t| t.selective_logging_enabled())
}

#[tokio::test]
async fn a_selective_flag_another_actor_set_survives_a_take_over_and_its_undo_exactly() {
    let world = World::new().await;
    let theirs = selective_text_of_another_team(&world).await;
    world
        .deploy(&world.alias_id, None, Some(theirs.clone()))
        .await;
    let (now, version_before) = read_alias(&world).await;
    assert_eq!(
        now.as_ref(),
        Some(&theirs),
        "the twin keeps selectiveLoggingEnabled on UpdateBotAlias and returns it on DescribeBotAlias"
    );
    let before = world.snapshot().await;

    // The plan shows the flag on both sides of the alias change.
    let args = with(world.target_args(), &["--take-over-destinations"]);
    let out = tool(cmd("plan", &args, &["--output", "json"])).await;
    expect_exit(&out, 0);
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let alias_change = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == format!("alias[{}/live]", world.bot_name))
        .unwrap_or_else(|| panic!("{plan}"));
    for side in ["before", "after"] {
        assert_eq!(
            alias_change[side]["conversationLogSettings"]["textLogSettings"][0]
                ["selectiveLoggingEnabled"],
            true,
            "{side}: {alias_change}"
        );
    }

    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let (ours, _) = read_alias(&world).await;
    let group = ours
        .as_ref()
        .and_then(|s| s.text_log_settings().first())
        .and_then(|t| t.destination())
        .and_then(|d| d.cloud_watch())
        .map(|c| c.cloud_watch_log_group_arn().to_string())
        .unwrap();
    assert!(group.ends_with(&world.log_group()), "logs to ours: {group}");
    assert_eq!(text_selective(&ours), Some(true), "apply keeps the flag");

    // Apply again: nothing to change (the flag is as the plan wants it).
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    assert_eq!(read_alias(&world).await.0, ours);

    let out = tool(cmd("destroy", &world.target_args(), &["--yes"])).await;
    expect_exit(&out, 0);
    let (after, version_after) = read_alias(&world).await;
    assert_eq!(
        after,
        Some(theirs),
        "destroy puts their setting back exactly"
    );
    assert_eq!(version_after, version_before);
    assert_eq!(
        world.snapshot().await["aliases"]["live"],
        before["aliases"]["live"]
    );
}

#[tokio::test]
async fn a_selective_flag_on_a_half_the_tool_leaves_is_kept_through_apply_and_destroy_in_both_modes(
) {
    for dedicated in [false, true] {
        let world = World::new().await;
        let theirs = selective_text_of_another_team(&world).await;
        world
            .deploy(&world.alias_id, None, Some(theirs.clone()))
            .await;
        let (_, version_before) = read_alias(&world).await;
        let target = if dedicated {
            world.dedicated_args()
        } else {
            world.target_args()
        };
        // Audio only: the text half is theirs and is not replaced.
        let args = with(
            target,
            &[
                "--no-text-logs",
                "--audio-bucket",
                &world.bucket,
                "--kms-key",
                &world.key_arn,
            ],
        );
        let out = tool(cmd("apply", &args, &["--yes"])).await;
        expect_exit(&out, 0);
        let (now, version_applied) = read_alias(&world).await;
        assert_eq!(
            version_applied != version_before,
            dedicated,
            "the dedicated mode repoints the alias to the version it publishes"
        );
        let now = now.unwrap();
        assert_eq!(
            now.text_log_settings(),
            theirs.text_log_settings(),
            "dedicated={dedicated}: their text half, flag and all"
        );
        assert_eq!(now.audio_log_settings().len(), 1, "dedicated={dedicated}");

        let mut destroy = world.target_args();
        if dedicated {
            destroy.extend(["--role-name".to_string(), world.role_name()]);
        }
        let out = tool(cmd("destroy", &destroy, &["--yes"])).await;
        expect_exit(&out, 0);
        let (after, version_after) = read_alias(&world).await;
        assert_eq!(
            after,
            Some(theirs),
            "dedicated={dedicated}: only our audio half went"
        );
        assert_eq!(version_after, version_before, "dedicated={dedicated}");
    }
}
