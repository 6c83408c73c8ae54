//! Where an alias's conversation log settings send the logs: the log group and the bucket (with
//! its prefix and key), read from the first enabled text and audio settings.

use aws_sdk_lexmodelsv2::types::ConversationLogSettings;

/// Where an alias sends text logs (its first enabled text setting).
#[derive(Debug, Clone, PartialEq)]
pub struct TextDest {
    pub group_arn: String,
    /// The group's name (from the ARN).
    pub group: String,
    pub prefix: String,
}

/// Where an alias sends audio logs (its first enabled audio setting).
#[derive(Debug, Clone, PartialEq)]
pub struct AudioDest {
    pub bucket_arn: String,
    pub bucket: String,
    pub prefix: String,
    pub kms_key: Option<String>,
}

/// The destinations an alias's settings name; both `None`: not configured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Destinations {
    pub text: Option<TextDest>,
    pub audio: Option<AudioDest>,
}

impl Destinations {
    pub fn configured(&self) -> bool {
        self.text.is_some() || self.audio.is_some()
    }
}

/// The group name in a log-group ARN (`...:log-group:NAME` or `...:log-group:NAME:*`).
pub fn group_name(arn: &str) -> Option<String> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let name = resource.strip_prefix("log-group:")?;
    Some(name.strip_suffix(":*").unwrap_or(name).to_string())
}

/// Reads the destinations from an alias's conversation log settings (enabled ones only).
pub fn destinations(settings: Option<&ConversationLogSettings>) -> Destinations {
    let Some(settings) = settings else {
        return Destinations::default();
    };
    let text = settings
        .text_log_settings()
        .iter()
        .filter(|t| t.enabled())
        .find_map(|t| t.destination().and_then(|d| d.cloud_watch()))
        .map(|cw| TextDest {
            group_arn: cw.cloud_watch_log_group_arn().to_string(),
            group: group_name(cw.cloud_watch_log_group_arn())
                .unwrap_or_else(|| cw.cloud_watch_log_group_arn().to_string()),
            prefix: cw.log_prefix().to_string(),
        });
    let audio = settings
        .audio_log_settings()
        .iter()
        .filter(|a| a.enabled())
        .find_map(|a| a.destination().and_then(|d| d.s3_bucket()))
        .map(|s3| AudioDest {
            bucket_arn: s3.s3_bucket_arn().to_string(),
            bucket: s3
                .s3_bucket_arn()
                .rsplit(":::")
                .next()
                .unwrap_or_default()
                .to_string(),
            prefix: s3.log_prefix().to_string(),
            kms_key: s3.kms_key_arn().map(str::to_string),
        });
    Destinations { text, audio }
}
