//! An alias's conversation log settings as apply and destroy want them: ours in place, anyone
//! else's kept, a half a take-over replaced put back. Never an empty list (AWS refuses one).

use super::destinations::{same_log_group, AudioDestination, OurDestinations, TextDestination};
use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, S3BucketLogDestination, TextLogDestination, TextLogSetting,
};

use crate::resources::alias::{settings_json, Alias};
use crate::resources::tags::Tags;

/// The alias's conversation log settings with ours in place: text and audio replaced by the
/// given destinations; where one is not wanted, settings pointing at our destinations removed and
/// anyone else's kept. `None` when nothing is left.
pub(super) fn desired_settings(
    current: Option<&ConversationLogSettings>,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
    ours: &OurDestinations,
) -> Option<ConversationLogSettings> {
    let current_text = current.map(|c| c.text_log_settings()).unwrap_or_default();
    let current_audio = current.map(|c| c.audio_log_settings()).unwrap_or_default();
    let text_settings = desired_text(current_text, text, ours);
    let audio_settings = desired_audio(current_audio, audio, ours);
    if text_settings.is_empty() && audio_settings.is_empty() {
        return None;
    }
    // The model allows exactly one item in each list: an empty list is a ValidationException on
    // AWS, so a list with nothing in it is left out.
    Some(
        ConversationLogSettings::builder()
            .set_text_log_settings((!text_settings.is_empty()).then_some(text_settings))
            .set_audio_log_settings((!audio_settings.is_empty()).then_some(audio_settings))
            .build(),
    )
}

/// The text half: our group (keeping the current selective-logging flag), or what is there
/// without our groups.
fn desired_text(
    current_text: &[TextLogSetting],
    text: Option<&TextDestination>,
    ours: &OurDestinations,
) -> Vec<TextLogSetting> {
    match text {
        Some(d) => vec![TextLogSetting::builder()
            .enabled(true)
            .destination(
                TextLogDestination::builder()
                    .cloud_watch(
                        CloudWatchLogGroupLogDestination::builder()
                            .cloud_watch_log_group_arn(&d.log_group_arn)
                            .log_prefix(&d.prefix)
                            .build()
                            .expect("arn and prefix are set"),
                    )
                    .build(),
            )
            .set_selective_logging_enabled(
                current_text
                    .first()
                    .and_then(|t| t.selective_logging_enabled()),
            )
            .build()],
        None => current_text
            .iter()
            .filter(|t| {
                let arn = t
                    .destination()
                    .and_then(|d| d.cloud_watch())
                    .map(|c| c.cloud_watch_log_group_arn());
                !arn.is_some_and(|a| ours.log_group_arns.iter().any(|o| same_log_group(o, a)))
            })
            .cloned()
            .collect(),
    }
}

/// The audio half: our bucket (keeping the current selective-logging flag), or what is there
/// without our buckets.
fn desired_audio(
    current_audio: &[AudioLogSetting],
    audio: Option<&AudioDestination>,
    ours: &OurDestinations,
) -> Vec<AudioLogSetting> {
    match audio {
        Some(d) => vec![AudioLogSetting::builder()
            .enabled(true)
            .destination(
                AudioLogDestination::builder()
                    .s3_bucket(
                        S3BucketLogDestination::builder()
                            .s3_bucket_arn(&d.bucket_arn)
                            .log_prefix(&d.prefix)
                            .set_kms_key_arn(d.kms_key_arn.clone())
                            .build()
                            .expect("arn and prefix are set"),
                    )
                    .build(),
            )
            .set_selective_logging_enabled(
                current_audio
                    .first()
                    .and_then(|a| a.selective_logging_enabled()),
            )
            .build()],
        None => current_audio
            .iter()
            .filter(|a| {
                let arn = a
                    .destination()
                    .and_then(|d| d.s3_bucket())
                    .map(|s| s.s3_bucket_arn());
                !arn.is_some_and(|a| ours.bucket_arns.iter().any(|o| o == a))
            })
            .cloned()
            .collect(),
    }
}

/// Settings compared as JSON, with "no settings" and "empty lists" the same.
pub(super) fn same_settings(
    a: Option<&ConversationLogSettings>,
    b: Option<&ConversationLogSettings>,
) -> bool {
    fn normal(s: Option<&ConversationLogSettings>) -> Option<&ConversationLogSettings> {
        s.filter(|s| !s.text_log_settings().is_empty() || !s.audio_log_settings().is_empty())
    }
    settings_json(normal(a)) == settings_json(normal(b))
}

/// Apply: where a half (text or audio) is no longer wanted and a take-over recorded what it
/// replaced, the settings with that half put back, and the record keys of those halves.
pub(super) fn restore_released_halves(
    alias: &Alias,
    desired: Option<&ConversationLogSettings>,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
) -> (Option<ConversationLogSettings>, Tags) {
    use crate::resources::alias::{
        recorded_audio, recorded_text, PREVIOUS_AUDIO_ARN, PREVIOUS_AUDIO_FLAGS,
        PREVIOUS_AUDIO_KMS, PREVIOUS_AUDIO_PREFIX, PREVIOUS_TEXT_ARN, PREVIOUS_TEXT_FLAGS,
        PREVIOUS_TEXT_PREFIX,
    };
    let mut text_list: Vec<TextLogSetting> = desired
        .map(|d| d.text_log_settings().to_vec())
        .unwrap_or_default();
    let mut audio_list: Vec<AudioLogSetting> = desired
        .map(|d| d.audio_log_settings().to_vec())
        .unwrap_or_default();
    let mut released = Tags::new();
    let mut take = |keys: &[&str]| {
        for k in keys {
            if let Some(v) = alias.tags.get(*k) {
                released.insert(k.to_string(), v.clone());
            }
        }
    };
    let mut changed = false;
    if text.is_none() && text_list.is_empty() {
        if let Some(setting) = recorded_text(&alias.tags) {
            text_list.push(setting);
            changed = true;
            take(&[PREVIOUS_TEXT_ARN, PREVIOUS_TEXT_PREFIX, PREVIOUS_TEXT_FLAGS]);
        }
    }
    if audio.is_none() && audio_list.is_empty() {
        if let Some(setting) = recorded_audio(&alias.tags) {
            audio_list.push(setting);
            changed = true;
            take(&[
                PREVIOUS_AUDIO_ARN,
                PREVIOUS_AUDIO_PREFIX,
                PREVIOUS_AUDIO_KMS,
                PREVIOUS_AUDIO_FLAGS,
            ]);
        }
    }
    let restored = changed.then(|| {
        ConversationLogSettings::builder()
            .set_text_log_settings((!text_list.is_empty()).then_some(text_list))
            .set_audio_log_settings((!audio_list.is_empty()).then_some(audio_list))
            .build()
    });
    (restored, released)
}
