//! An alias's conversation log settings as a plain value: every member of the Lex V2 API model
//! (`ConversationLogSettings` and what it holds), in the API's own names, with conversions to and
//! from the SDK's types. Plans show it (its `Serialize` output), compare it (`same_logging`) and
//! carry it to the write, which alone turns it back into the SDK's type.
//!
//! The JSON keeps the API's names and lists; the two one-member wrappers (`destination` with its
//! `cloudWatch` or `s3Bucket`) are flattened into the setting, so a plan line reads
//! `{"enabled": true, "cloudWatchLogGroupArn": ..., "logPrefix": ...}`.

use aws_sdk_lexmodelsv2::types as sdk;
use serde::{Deserialize, Serialize};

/// `ConversationLogSettings`: the text and the audio settings of an alias. The model allows
/// exactly one item in each list; a list that is not set is left out (never an empty list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_log_settings: Option<Vec<TextLogSetting>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_log_settings: Option<Vec<AudioLogSetting>>,
}

/// `TextLogSetting`: text logs to a CloudWatch Logs group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextLogSetting {
    pub enabled: bool,
    #[serde(flatten)]
    pub destination: TextLogDestination,
    /// Unset, Lex takes it as `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selective_logging_enabled: Option<bool>,
}

/// `TextLogDestination` (shown flattened into its setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextLogDestination {
    #[serde(flatten)]
    pub cloud_watch: CloudWatchLogGroupLogDestination,
}

/// `CloudWatchLogGroupLogDestination`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudWatchLogGroupLogDestination {
    pub cloud_watch_log_group_arn: String,
    pub log_prefix: String,
}

/// `AudioLogSetting`: audio logs to an S3 bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioLogSetting {
    pub enabled: bool,
    #[serde(flatten)]
    pub destination: AudioLogDestination,
    /// Unset, Lex takes it as `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selective_logging_enabled: Option<bool>,
}

/// `AudioLogDestination` (shown flattened into its setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioLogDestination {
    #[serde(flatten)]
    pub s3_bucket: S3BucketLogDestination,
}

/// `S3BucketLogDestination`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3BucketLogDestination {
    pub s3_bucket_arn: String,
    pub log_prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
}

impl TextLogSetting {
    /// An enabled setting to `log_group_arn` under `prefix`.
    pub fn to_group(log_group_arn: &str, prefix: &str, selective: Option<bool>) -> Self {
        TextLogSetting {
            enabled: true,
            destination: TextLogDestination {
                cloud_watch: CloudWatchLogGroupLogDestination {
                    cloud_watch_log_group_arn: log_group_arn.to_string(),
                    log_prefix: prefix.to_string(),
                },
            },
            selective_logging_enabled: selective,
        }
    }

    /// The log group's ARN.
    pub fn log_group_arn(&self) -> &str {
        &self.destination.cloud_watch.cloud_watch_log_group_arn
    }

    /// The log stream prefix.
    pub fn log_prefix(&self) -> &str {
        &self.destination.cloud_watch.log_prefix
    }

    fn from_sdk(setting: &sdk::TextLogSetting) -> Self {
        let cw = setting.destination().and_then(|d| d.cloud_watch());
        TextLogSetting {
            enabled: setting.enabled(),
            destination: TextLogDestination {
                cloud_watch: CloudWatchLogGroupLogDestination {
                    cloud_watch_log_group_arn: cw
                        .map(|c| c.cloud_watch_log_group_arn().to_string())
                        .unwrap_or_default(),
                    log_prefix: cw.map(|c| c.log_prefix().to_string()).unwrap_or_default(),
                },
            },
            selective_logging_enabled: setting.selective_logging_enabled(),
        }
    }

    fn to_sdk(&self) -> sdk::TextLogSetting {
        let cw = &self.destination.cloud_watch;
        sdk::TextLogSetting::builder()
            .enabled(self.enabled)
            .destination(
                sdk::TextLogDestination::builder()
                    .cloud_watch(
                        sdk::CloudWatchLogGroupLogDestination::builder()
                            .cloud_watch_log_group_arn(&cw.cloud_watch_log_group_arn)
                            .log_prefix(&cw.log_prefix)
                            .build()
                            .expect("the builder has the ARN and the prefix"),
                    )
                    .build(),
            )
            .set_selective_logging_enabled(self.selective_logging_enabled)
            .build()
    }

    /// As Lex means it: an unset `selectiveLoggingEnabled` is `false`.
    fn normalised(&self) -> Self {
        TextLogSetting {
            selective_logging_enabled: Some(self.selective_logging_enabled.unwrap_or(false)),
            ..self.clone()
        }
    }
}

impl AudioLogSetting {
    /// An enabled setting to `bucket_arn` under `prefix`, encrypted with `kms_key_arn` if given.
    pub fn to_bucket(
        bucket_arn: &str,
        prefix: &str,
        kms_key_arn: Option<&str>,
        selective: Option<bool>,
    ) -> Self {
        AudioLogSetting {
            enabled: true,
            destination: AudioLogDestination {
                s3_bucket: S3BucketLogDestination {
                    s3_bucket_arn: bucket_arn.to_string(),
                    log_prefix: prefix.to_string(),
                    kms_key_arn: kms_key_arn.map(str::to_string),
                },
            },
            selective_logging_enabled: selective,
        }
    }

    /// The bucket's ARN.
    pub fn bucket_arn(&self) -> &str {
        &self.destination.s3_bucket.s3_bucket_arn
    }

    fn from_sdk(setting: &sdk::AudioLogSetting) -> Self {
        let s3 = setting.destination().and_then(|d| d.s3_bucket());
        AudioLogSetting {
            enabled: setting.enabled(),
            destination: AudioLogDestination {
                s3_bucket: S3BucketLogDestination {
                    s3_bucket_arn: s3
                        .map(|s| s.s3_bucket_arn().to_string())
                        .unwrap_or_default(),
                    log_prefix: s3.map(|s| s.log_prefix().to_string()).unwrap_or_default(),
                    kms_key_arn: s3.and_then(|s| s.kms_key_arn()).map(str::to_string),
                },
            },
            selective_logging_enabled: setting.selective_logging_enabled(),
        }
    }

    fn to_sdk(&self) -> sdk::AudioLogSetting {
        let s3 = &self.destination.s3_bucket;
        sdk::AudioLogSetting::builder()
            .enabled(self.enabled)
            .destination(
                sdk::AudioLogDestination::builder()
                    .s3_bucket(
                        sdk::S3BucketLogDestination::builder()
                            .s3_bucket_arn(&s3.s3_bucket_arn)
                            .log_prefix(&s3.log_prefix)
                            .set_kms_key_arn(s3.kms_key_arn.clone())
                            .build()
                            .expect("the builder has the ARN and the prefix"),
                    )
                    .build(),
            )
            .set_selective_logging_enabled(self.selective_logging_enabled)
            .build()
    }

    /// As Lex means it: an unset `selectiveLoggingEnabled` is `false`.
    fn normalised(&self) -> Self {
        AudioLogSetting {
            selective_logging_enabled: Some(self.selective_logging_enabled.unwrap_or(false)),
            ..self.clone()
        }
    }
}

impl LogSettings {
    /// The settings as Lex answered them. The model requires every setting's destination, so Lex
    /// always sends one; were one missing, it would read as empty ARN and prefix (which a write
    /// of it back would be refused for), never as a dropped setting.
    pub fn from_sdk(settings: &sdk::ConversationLogSettings) -> Self {
        LogSettings {
            text_log_settings: settings
                .text_log_settings
                .as_ref()
                .map(|list| list.iter().map(TextLogSetting::from_sdk).collect()),
            audio_log_settings: settings
                .audio_log_settings
                .as_ref()
                .map(|list| list.iter().map(AudioLogSetting::from_sdk).collect()),
        }
    }

    /// The settings as the SDK sends them.
    pub fn to_sdk(&self) -> sdk::ConversationLogSettings {
        sdk::ConversationLogSettings::builder()
            .set_text_log_settings(
                self.text_log_settings
                    .as_ref()
                    .map(|list| list.iter().map(TextLogSetting::to_sdk).collect()),
            )
            .set_audio_log_settings(
                self.audio_log_settings
                    .as_ref()
                    .map(|list| list.iter().map(AudioLogSetting::to_sdk).collect()),
            )
            .build()
    }

    /// Settings with these lists, as the API accepts them: a list with nothing in it left out,
    /// and `None` when neither has an item (AWS refuses an empty list).
    pub fn of(text: Vec<TextLogSetting>, audio: Vec<AudioLogSetting>) -> Option<Self> {
        (!text.is_empty() || !audio.is_empty()).then(|| LogSettings {
            text_log_settings: (!text.is_empty()).then_some(text),
            audio_log_settings: (!audio.is_empty()).then_some(audio),
        })
    }

    /// The text settings (none when the list is not set).
    pub fn text(&self) -> &[TextLogSetting] {
        self.text_log_settings.as_deref().unwrap_or_default()
    }

    /// The audio settings (none when the list is not set).
    pub fn audio(&self) -> &[AudioLogSetting] {
        self.audio_log_settings.as_deref().unwrap_or_default()
    }

    /// Whether the enabled text setting, and the enabled audio setting, log selectively
    /// (`selectiveLoggingEnabled`; a disabled setting logs nothing, selectively or not).
    pub fn selective(&self) -> (bool, bool) {
        let text = self.text().iter().find(|t| t.enabled);
        let audio = self.audio().iter().find(|a| a.enabled);
        (
            text.is_some_and(|t| t.selective_logging_enabled == Some(true)),
            audio.is_some_and(|a| a.selective_logging_enabled == Some(true)),
        )
    }
}

/// The settings as the API accepts them: no empty list, and none at all when neither list has an
/// item.
pub fn tidy(settings: Option<&LogSettings>) -> Option<LogSettings> {
    settings.and_then(|s| LogSettings::of(s.text().to_vec(), s.audio().to_vec()))
}

/// True when two settings log the same: no settings, an absent list and an empty one are alike,
/// and an unset `selectiveLoggingEnabled` is `false` (what Lex takes it to mean, and may answer
/// with); every other member counts.
pub fn same_logging(a: Option<&LogSettings>, b: Option<&LogSettings>) -> bool {
    fn normal(s: Option<&LogSettings>) -> (Vec<TextLogSetting>, Vec<AudioLogSetting>) {
        let Some(s) = s else {
            return Default::default();
        };
        (
            s.text().iter().map(TextLogSetting::normalised).collect(),
            s.audio().iter().map(AudioLogSetting::normalised).collect(),
        )
    }
    normal(a) == normal(b)
}

/// The settings as plans and snapshots show them (`null`: none).
pub fn shown(settings: Option<&LogSettings>) -> serde_json::Value {
    serde_json::to_value(settings).expect("log settings serialise to JSON")
}

#[cfg(test)]
#[path = "log_settings_tests.rs"]
mod tests;
