//! Unit tests of the typed log settings: lossless SDK and JSON round trips, the JSON a plan
//! shows, and which differences count as a change.

use super::*;
use serde_json::json;

const GROUP: &str = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lex/Bot";
const BUCKET: &str = "arn:aws:s3:::audio-bucket";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k-1";

fn text(selective: Option<bool>) -> TextLogSetting {
    TextLogSetting::to_group(GROUP, "lex/", selective)
}

fn audio(kms: Option<&str>, selective: Option<bool>) -> AudioLogSetting {
    AudioLogSetting::to_bucket(BUCKET, "audio/", kms, selective)
}

/// Settings that differ in every member the model has, and in which lists are set.
fn varied() -> Vec<LogSettings> {
    let mut all = vec![LogSettings::default()];
    for selective in [None, Some(true), Some(false)] {
        for kms in [None, Some(KEY)] {
            let mut off = text(selective);
            off.enabled = false;
            off.destination.cloud_watch.log_prefix = String::new();
            all.push(LogSettings {
                text_log_settings: Some(vec![text(selective)]),
                audio_log_settings: Some(vec![audio(kms, selective)]),
            });
            all.push(LogSettings {
                text_log_settings: Some(vec![off]),
                audio_log_settings: None,
            });
            all.push(LogSettings {
                text_log_settings: None,
                audio_log_settings: Some(vec![audio(kms, selective.map(|s| !s))]),
            });
        }
    }
    // An empty list is not something Lex sends, but converting it must not turn it into another.
    all.push(LogSettings {
        text_log_settings: Some(vec![]),
        audio_log_settings: None,
    });
    all
}

#[test]
fn sdk_round_trip_keeps_every_member() {
    for settings in varied() {
        let sdk = settings.to_sdk();
        assert_eq!(LogSettings::from_sdk(&sdk), settings);
        // And the SDK value itself carries the members (not only our own conversion back).
        let first_text = sdk.text_log_settings().first();
        assert_eq!(
            first_text.and_then(|t| t.selective_logging_enabled()),
            settings
                .text()
                .first()
                .and_then(|t| t.selective_logging_enabled)
        );
        let first_audio = sdk.audio_log_settings().first();
        assert_eq!(
            first_audio
                .and_then(|a| a.destination())
                .and_then(|d| d.s3_bucket())
                .and_then(|s| s.kms_key_arn()),
            settings
                .audio()
                .first()
                .and_then(|a| a.destination.s3_bucket.kms_key_arn.as_deref())
        );
        assert_eq!(
            sdk.text_log_settings.is_some(),
            settings.text_log_settings.is_some()
        );
    }
}

#[test]
fn json_round_trip_keeps_every_member() {
    for settings in varied() {
        let value = serde_json::to_value(&settings).unwrap();
        let back: LogSettings = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(back, settings, "{value}");
    }
}

#[test]
fn json_shows_the_api_names_and_leaves_out_what_is_unset() {
    let settings = LogSettings {
        text_log_settings: Some(vec![text(Some(true))]),
        audio_log_settings: Some(vec![audio(None, None)]),
    };
    assert_eq!(
        shown(Some(&settings)),
        json!({
            "textLogSettings": [{
                "enabled": true,
                "cloudWatchLogGroupArn": GROUP,
                "logPrefix": "lex/",
                "selectiveLoggingEnabled": true,
            }],
            "audioLogSettings": [{
                "enabled": true,
                "s3BucketArn": BUCKET,
                "logPrefix": "audio/",
            }],
        })
    );
    let only_audio = LogSettings::of(vec![], vec![audio(Some(KEY), Some(false))]).unwrap();
    assert_eq!(
        shown(Some(&only_audio)),
        json!({"audioLogSettings": [{
            "enabled": true,
            "s3BucketArn": BUCKET,
            "logPrefix": "audio/",
            "kmsKeyArn": KEY,
            "selectiveLoggingEnabled": false,
        }]})
    );
    assert_eq!(shown(None), serde_json::Value::Null);
}

#[test]
fn settings_compare_by_what_they_log() {
    let empty = LogSettings {
        text_log_settings: Some(vec![]),
        audio_log_settings: None,
    };
    let with_text = |selective| LogSettings::of(vec![text(selective)], vec![]).unwrap();
    assert!(same_logging(None, Some(&empty)));
    assert!(same_logging(
        Some(&with_text(None)),
        Some(&with_text(Some(false)))
    ));
    assert!(!same_logging(
        Some(&with_text(None)),
        Some(&with_text(Some(true)))
    ));
    assert!(!same_logging(None, Some(&with_text(None))));
    assert_eq!(tidy(Some(&empty)), None);
    // Every other member counts.
    let base = LogSettings::of(vec![text(None)], vec![audio(Some(KEY), None)]).unwrap();
    let mut changed = Vec::new();
    let mut one = base.clone();
    one.audio_log_settings.as_mut().unwrap()[0].selective_logging_enabled = Some(true);
    changed.push(one);
    let mut one = base.clone();
    one.audio_log_settings.as_mut().unwrap()[0]
        .destination
        .s3_bucket
        .kms_key_arn = None;
    changed.push(one);
    let mut one = base.clone();
    one.audio_log_settings.as_mut().unwrap()[0]
        .destination
        .s3_bucket
        .log_prefix = "other/".into();
    changed.push(one);
    let mut one = base.clone();
    one.text_log_settings.as_mut().unwrap()[0].enabled = false;
    changed.push(one);
    let mut one = base.clone();
    one.text_log_settings.as_mut().unwrap()[0]
        .destination
        .cloud_watch
        .cloud_watch_log_group_arn = format!("{GROUP}-2");
    changed.push(one);
    for other in &changed {
        assert!(!same_logging(Some(&base), Some(other)), "{other:?}");
    }
}
