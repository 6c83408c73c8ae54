//! An alias's conversation log settings as apply and destroy want them: ours in place, anyone
//! else's kept, a half a take-over replaced put back. Never an empty list (AWS refuses one).

use super::destinations::{same_log_group, AudioDestination, OurDestinations, TextDestination};
use crate::resources::alias::Alias;
use crate::resources::log_settings::{AudioLogSetting, LogSettings, TextLogSetting};
use crate::resources::tags::Tags;

/// The alias's conversation log settings with ours in place: text and audio replaced by the
/// given destinations; where one is not wanted, settings pointing at our destinations removed and
/// anyone else's kept. `None` when nothing is left.
pub(super) fn desired_settings(
    current: Option<&LogSettings>,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
    ours: &OurDestinations,
) -> Option<LogSettings> {
    let current_text = current.map(LogSettings::text).unwrap_or_default();
    let current_audio = current.map(LogSettings::audio).unwrap_or_default();
    // The model allows exactly one item in each list: an empty list is a ValidationException on
    // AWS, so a list with nothing in it is left out.
    LogSettings::of(
        desired_text(current_text, text, ours),
        desired_audio(current_audio, audio, ours),
    )
}

/// The text half: our group (with the selective-logging flag asked, else the current one), or
/// what is there without our groups.
fn desired_text(
    current_text: &[TextLogSetting],
    text: Option<&TextDestination>,
    ours: &OurDestinations,
) -> Vec<TextLogSetting> {
    match text {
        Some(d) => vec![TextLogSetting::to_group(
            &d.log_group_arn,
            &d.prefix,
            d.selective.or_else(|| {
                current_text
                    .first()
                    .and_then(|t| t.selective_logging_enabled)
            }),
        )],
        None => current_text
            .iter()
            .filter(|t| {
                !ours
                    .log_group_arns
                    .iter()
                    .any(|o| same_log_group(o, t.log_group_arn()))
            })
            .cloned()
            .collect(),
    }
}

/// The audio half: our bucket (with the selective-logging flag asked, else the current one), or
/// what is there without our buckets.
fn desired_audio(
    current_audio: &[AudioLogSetting],
    audio: Option<&AudioDestination>,
    ours: &OurDestinations,
) -> Vec<AudioLogSetting> {
    match audio {
        Some(d) => vec![AudioLogSetting::to_bucket(
            &d.bucket_arn,
            &d.prefix,
            d.kms_key_arn.as_deref(),
            d.selective.or_else(|| {
                current_audio
                    .first()
                    .and_then(|a| a.selective_logging_enabled)
            }),
        )],
        None => current_audio
            .iter()
            .filter(|a| !ours.bucket_arns.iter().any(|o| o == a.bucket_arn()))
            .cloned()
            .collect(),
    }
}

/// Apply: where a half (text or audio) is no longer wanted and a take-over recorded what it
/// replaced, the settings with that half put back, and the record keys of those halves.
pub(super) fn restore_released_halves(
    alias: &Alias,
    desired: Option<&LogSettings>,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
) -> (Option<LogSettings>, Tags) {
    use crate::resources::alias::{
        recorded_audio, recorded_text, PREVIOUS_AUDIO_ARN, PREVIOUS_AUDIO_FLAGS,
        PREVIOUS_AUDIO_KMS, PREVIOUS_AUDIO_PREFIX, PREVIOUS_TEXT_ARN, PREVIOUS_TEXT_FLAGS,
        PREVIOUS_TEXT_PREFIX,
    };
    let mut text_list: Vec<TextLogSetting> = desired.map(|d| d.text().to_vec()).unwrap_or_default();
    let mut audio_list: Vec<AudioLogSetting> =
        desired.map(|d| d.audio().to_vec()).unwrap_or_default();
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
    let restored = changed
        .then(|| LogSettings::of(text_list, audio_list))
        .flatten();
    (restored, released)
}
