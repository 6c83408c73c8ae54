//! Planner tests of destroy's notes about the destinations it keeps: only those in use (an alias
//! logs there, or our grants name them), and only a log group that exists.

use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, S3BucketLogDestination, TextLogDestination, TextLogSetting,
};
use serde_json::json;

use super::in_place::{spec, world};
use super::WithSettings;
use crate::documents;
use crate::observe::Observed;
use crate::planner::*;
use crate::resources::log_group::LogGroupState;

const GROUP_ARN: &str = "arn:aws:logs:us-west-2:444455556666:log-group:/aws/lex/PizzaBot";

fn text_to(group_arn: &str) -> TextLogSetting {
    let group = CloudWatchLogGroupLogDestination::builder()
        .cloud_watch_log_group_arn(group_arn)
        .log_prefix("lex/")
        .build()
        .unwrap();
    TextLogSetting::builder()
        .enabled(true)
        .destination(TextLogDestination::builder().cloud_watch(group).build())
        .build()
}

fn audio_to(bucket: &str) -> AudioLogSetting {
    let bucket = S3BucketLogDestination::builder()
        .s3_bucket_arn(format!("arn:aws:s3:::{bucket}"))
        .log_prefix("calls/")
        .build()
        .unwrap();
    AudioLogSetting::builder()
        .enabled(true)
        .destination(AudioLogDestination::builder().s3_bucket(bucket).build())
        .build()
}

/// The default log group exists.
fn with_group(mut obs: Observed) -> Observed {
    let name = "/aws/lex/PizzaBot".to_string();
    let state = LogGroupState {
        name: name.clone(),
        retention_days: Some(7),
        kms_key_id: None,
        tags: Default::default(),
    };
    obs.log_group = Some((name, Some(state)));
    obs
}

fn kept_notes(obs: &Observed, text: bool, audio: bool) -> Vec<String> {
    let plan = plan_destroy(&spec(text, audio), obs).unwrap();
    plan.notes
        .into_iter()
        .filter(|n| n.contains(" is kept, with the"))
        .collect()
}

#[test]
fn nothing_in_use_names_no_destination_even_if_asked_for() {
    // Text and audio asked for, the default group absent: nothing logged anywhere.
    assert_eq!(kept_notes(&world(), true, true), Vec::<String>::new());
    // The group exists but no alias logs to it and no grant of ours names it.
    assert_eq!(
        kept_notes(&with_group(world()), true, true),
        Vec::<String>::new()
    );
}

#[test]
fn a_group_an_alias_logs_to_is_named_with_the_alias_and_an_unused_bucket_is_not() {
    let mut obs = with_group(world());
    let settings = ConversationLogSettings::builder()
        .text_log_settings(text_to(GROUP_ARN))
        .build();
    obs.aliases[0].described = obs.aliases[0]
        .described
        .clone()
        .to_builder_with(Some(settings));
    let notes = kept_notes(&obs, true, true);
    assert_eq!(
        notes,
        vec!["log group /aws/lex/PizzaBot is kept, with the logs in it (used by alias prod)"]
    );
    // The same alias logging to a group that no longer exists: nothing is kept, nothing named.
    obs.log_group = Some(("/aws/lex/PizzaBot".into(), None));
    assert_eq!(kept_notes(&obs, true, true), Vec::<String>::new());
}

#[test]
fn a_bucket_named_only_by_our_grants_is_named_and_one_in_use_names_its_aliases() {
    let mut obs = world();
    let inline = documents::service_linked_policy_name("LexLogs-PizzaBot");
    let document = json!({"Statement": [{"Effect": "Allow", "Action": ["s3:PutObject"],
        "Resource": ["arn:aws:s3:::old-audio/calls/*"]}]});
    let bot_role = obs.bot.role_arn().unwrap().to_string();
    let writer = obs.writers.get_mut(&bot_role).unwrap();
    writer
        .state
        .as_mut()
        .unwrap()
        .inline
        .insert(inline, document);
    // Text only asked for this time: the bucket is found from the grant.
    assert_eq!(
        kept_notes(&obs, true, false),
        vec!["bucket old-audio is kept, with the audio in it (our grants named it)"]
    );
    // Both aliases send their audio to the bucket asked for, which no grant names.
    for alias in obs.aliases.iter_mut() {
        let settings = ConversationLogSettings::builder()
            .audio_log_settings(audio_to("audio-bucket"))
            .build();
        alias.described = alias.described.clone().to_builder_with(Some(settings));
    }
    let notes = kept_notes(&obs, false, true);
    assert!(
        notes.contains(
            &"bucket audio-bucket is kept, with the audio in it (used by aliases prod, beta)"
                .to_string()
        ),
        "{notes:?}"
    );
    assert_eq!(notes.len(), 2, "{notes:?}");
}
