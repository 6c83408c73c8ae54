//! Planner tests of taking over and giving back destinations.

use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, S3BucketLogDestination, TextLogDestination, TextLogSetting,
};

use crate::documents::{self};
use crate::resources::alias::AliasStep;
use crate::resources::log_settings::LogSettings;
use crate::resources::record::RecordStep;
use crate::spec::Spec;
use crate::step::Step;

use super::in_place::{find, spec, world};
use super::WithSettings;
use crate::plan::Action;
use crate::planner::*;

pub(super) fn foreign_text(group: &str) -> TextLogSetting {
    foreign_text_enabled(group, true)
}

pub(super) fn foreign_text_enabled(group: &str, enabled: bool) -> TextLogSetting {
    TextLogSetting::builder()
        .enabled(enabled)
        .selective_logging_enabled(true)
        .destination(
            TextLogDestination::builder()
                .cloud_watch(
                    CloudWatchLogGroupLogDestination::builder()
                        .cloud_watch_log_group_arn(format!(
                            "arn:aws:logs:us-west-2:444455556666:log-group:{group}"
                        ))
                        .log_prefix("team-x/")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .build()
}

pub(super) fn foreign_audio() -> AudioLogSetting {
    foreign_audio_enabled(true)
}

pub(super) fn foreign_audio_enabled(enabled: bool) -> AudioLogSetting {
    AudioLogSetting::builder()
        .enabled(enabled)
        .destination(
            AudioLogDestination::builder()
                .s3_bucket(
                    S3BucketLogDestination::builder()
                        .s3_bucket_arn("arn:aws:s3:::team-x-audio")
                        .log_prefix("rec/")
                        .kms_key_arn("arn:aws:kms:us-west-2:444455556666:key/team-x")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .build()
}

#[test]
fn another_teams_destination_is_refused_or_recorded_and_put_back_exactly() {
    let mut obs = world();
    let theirs = ConversationLogSettings::builder()
        .text_log_settings(foreign_text("/team-x/lex"))
        .audio_log_settings(foreign_audio())
        .build();
    obs.aliases[1].described = obs.aliases[1]
        .described
        .clone()
        .to_builder_with(Some(theirs.clone()));
    let theirs = LogSettings::from_sdk(&theirs);
    let err = plan_apply(&spec(true, false), &obs)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("beta")
            && err.contains("/team-x/lex")
            && err.contains("--take-over-destinations"),
        "{err}"
    );
    // Audio only asked for: the text half is theirs and stays; the audio half conflicts.
    let err = plan_apply(&spec(false, true), &obs)
        .unwrap_err()
        .to_string();
    assert!(err.contains("audio to arn:aws:s3:::team-x-audio"), "{err}");

    let taking = Spec {
        take_over_destinations: true,
        ..spec(true, false)
    };
    let plan = plan_apply(&taking, &obs).unwrap();
    let record = find(&plan, "alias_record[PizzaBot/beta]");
    let Some(Step::Record(RecordStep::Set { values, .. })) = &record.step else {
        panic!("{:?}", record.step)
    };
    assert_eq!(
        values[crate::resources::alias::PREVIOUS_TEXT_ARN],
        "arn:aws:logs:us-west-2:444455556666:log-group:/team-x/lex"
    );
    assert!(
        !values.contains_key(crate::resources::alias::PREVIOUS_AUDIO_ARN),
        "only the half replaced is recorded"
    );
    let alias = find(&plan, "alias[PizzaBot/beta]");
    assert!(alias.depends_on.contains(&record.abs()));
    let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &alias.step else {
        panic!()
    };
    let settings = settings.clone().unwrap();
    assert_eq!(
        settings.audio().to_vec(),
        LogSettings::from_sdk(
            &ConversationLogSettings::builder()
                .audio_log_settings(foreign_audio())
                .build()
        )
        .audio()
        .to_vec(),
        "their audio half is kept as it was"
    );

    // After the take-over: the alias logs to ours, and carries the record.
    obs.aliases[1].described = obs.aliases[1]
        .described
        .clone()
        .to_builder_with(Some(settings.to_sdk()));
    obs.aliases[1].tags = values.clone();

    // Audio only from now on: the text half goes back to team X, and its record goes.
    let audio_only = Spec {
        take_over_destinations: true,
        ..spec(false, true)
    };
    let mut audio_obs = obs.clone();
    audio_obs.log_group = None;
    // What the take-over's apply put on the bot's role: our grant for /aws/lex/PizzaBot.
    let grant = documents::combined(&[&documents::cloudwatch(
        &audio_obs.scope,
        "/aws/lex/PizzaBot",
    )]);
    for writer in audio_obs.writers.values_mut().filter(|w| w.service_linked) {
        writer
            .state
            .as_mut()
            .unwrap()
            .inline
            .insert("LexLogs-PizzaBot-ConversationLogs".into(), grant.clone());
    }
    let audio_obs = audio_obs;
    let plan = plan_apply(&audio_only, &audio_obs).unwrap();
    let alias = find(&plan, "alias[PizzaBot/beta]");
    let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &alias.step else {
        panic!()
    };
    assert_eq!(
        settings.as_ref().unwrap().text().to_vec(),
        theirs.text().to_vec(),
        "their text half is back"
    );
    let released = find(&plan, "alias_record[PizzaBot/beta/released]");
    assert!(released.depends_on.contains(&alias.abs()));
    let plan = plan_destroy(&taking, &obs).unwrap();
    let alias = find(&plan, "alias[PizzaBot/beta]");
    let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &alias.step else {
        panic!()
    };
    assert_eq!(
        settings.as_ref().unwrap(),
        &theirs,
        "destroy puts their setting back exactly"
    );
    let unrecord = find(&plan, "alias_record[PizzaBot/beta]");
    assert_eq!(unrecord.action, Action::Delete);
    assert!(unrecord.depends_on.contains(&alias.abs()));
}
