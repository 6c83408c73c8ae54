//! The desired setup as the user asked for it (`Spec`), validated offline before any AWS call:
//! names, prefixes, key references, principals, retention values and conflicting flags.
//!
//! Pure: no file, no environment, no command-line types. The command line (`cli`) and config
//! files (`config`) produce `TargetConfig`s; this module turns each into a `Spec`.

mod location;
mod names;
mod principal;
mod target;
mod valid;

use serde::Deserialize;

use crate::error::{Error, Result};

pub(crate) use location::location;
pub use location::{AssumeRole, Location, DEFAULT_SESSION_NAME};
pub(crate) use names::{place_location_error, Names};
pub(crate) use principal::PrincipalLocation;
pub use principal::{Principal, PrincipalKind};
pub use valid::default_role_name;
pub(crate) use valid::valid_log_group_name;

/// One target as a config file's `[[target]]` table or the command line gives it: the one model
/// both share. Keys are the flags' names with `_` for `-`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TargetConfig {
    pub bot: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub log_group: Option<String>,
    pub retention_days: Option<i32>,
    pub log_prefix: Option<String>,
    /// The KMS key that encrypts the log group (id, ARN, alias name or alias ARN).
    pub log_group_kms_key: Option<String>,
    #[serde(default)]
    pub no_text_logs: bool,
    pub audio_bucket: Option<String>,
    pub audio_prefix: Option<String>,
    pub kms_key: Option<String>,
    pub role_name: Option<String>,
    #[serde(default)]
    pub grant_pass_role: Vec<String>,
    #[serde(default)]
    pub publish_version: bool,
    #[serde(default)]
    pub pin_source_arn: bool,
    #[serde(default)]
    pub pin_source_account: bool,
    #[serde(default)]
    pub take_over_destinations: bool,
    /// `text`, `audio`, `both` or `off`: which halves log only the turns that ask to be logged
    /// (Lex's selective conversation log capture); absent: as each alias has it now.
    pub selective_logging: Option<String>,
    /// One alarm per alias when its text logs stop arriving (`--alarm`).
    #[serde(default)]
    pub alarm: bool,
    /// The SNS topic ARN the alarm notifies (`--alarm-topic`).
    pub alarm_topic: Option<String>,
    /// Saved Logs Insights queries for the log group (`--insights-queries`).
    #[serde(default)]
    pub insights_queries: bool,
    /// The target's region, when not the credentials' (config files only).
    pub region: Option<String>,
    /// A role in the target's account to assume with STS (config files only).
    pub assume_role: Option<String>,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
}

/// Retention values CloudWatch Logs accepts.
pub(crate) const RETENTION_DAYS: &[i32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
pub(crate) const DEFAULT_LOG_PREFIX: &str = "lex/";
pub(crate) const DEFAULT_AUDIO_PREFIX: &str = "lex-audio/";

/// What the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub bot: String,
    pub aliases: Vec<String>,
    /// Text logs to CloudWatch Logs; `None` with `--no-text-logs`.
    pub text: Option<TextSpec>,
    /// Audio logs to S3; `None` without `--audio-bucket`.
    pub audio: Option<AudioSpec>,
    /// `Some`: the dedicated-role mode (our role, the bot switched to it). `None`: the in-place
    /// mode (the permissions go to the role each alias's version runs on).
    pub role_name: Option<String>,
    pub pass_role: Vec<Principal>,
    /// Dedicated-role mode: publish DRAFT and repoint aliases that run an older version.
    pub publish_version: bool,
    /// Dedicated-role mode: pin the trust policy to the bot's ARNs (aws:SourceArn).
    pub pin_source_arn: bool,
    /// Dedicated-role mode: pin the trust policy to this account (aws:SourceAccount).
    pub pin_source_account: bool,
    /// Replace destinations lex-logs-setup did not set (recording them for destroy).
    pub take_over_destinations: bool,
    /// Selective capture as asked (`--selective-logging`): `None` keeps each alias's flags.
    pub selective: Option<Selective>,
    /// The alarm when text logs stop arriving (`--alarm`); `None`: not asked (an alarm of ours
    /// is kept as it is; destroy removes it).
    pub alarm: Option<AlarmSpec>,
    /// Saved Logs Insights queries for the text log group (`--insights-queries`).
    pub insights_queries: bool,
}

/// `--alarm`: one alarm per alias, notifying `topic` (an SNS topic ARN) when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmSpec {
    pub topic: Option<String>,
}

/// Which halves of an alias's logs capture only the turns that ask for it
/// (`selectiveLoggingEnabled`): what `--selective-logging text|audio|both|off` asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selective {
    pub text: bool,
    pub audio: bool,
}

impl Spec {
    /// True in the dedicated-role mode (`--role-name`).
    pub fn dedicated(&self) -> bool {
        self.role_name.is_some()
    }

    /// Tests' shorthand: the spec of one target given by flags.
    #[cfg(test)]
    pub(crate) fn from_target(args: &TargetConfig) -> Result<Spec> {
        TargetSpec::from_named_target(args, &Names::default()).map(|t| t.spec)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextSpec {
    /// `None`: `/aws/lex/<bot name>`.
    pub log_group: Option<String>,
    /// When the group was given by its ARN: the (region, account) the ARN names, which must be
    /// the bot's (Lex writes only to a group in the bot's account and region).
    pub log_group_place: Option<(String, String)>,
    pub retention_days: Option<i32>,
    pub log_prefix: String,
    /// `--log-group-kms-key`: the key that encrypts the group (key id, key ARN, alias name or
    /// alias ARN); `None`: the group's encryption stays as it is.
    pub kms_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudioSpec {
    pub bucket: String,
    pub prefix: String,
    /// Key id, key ARN, alias name or alias ARN; `None`: the bucket's default SSE-KMS key, if any.
    pub kms_key: Option<String>,
}

/// One target's spec, and where it said its `--grant-pass-role` principals live (checked against
/// the caller's account and the principals' real paths before planning; see `PrincipalLocation`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetSpec {
    pub spec: Spec,
    pub principal_locations: Vec<PrincipalLocation>,
    /// Where the target lives (region, account through an assumed role).
    pub location: Location,
    /// How its values are named, and where it is written (errors AWS reveals later name it).
    pub names: Names,
    /// The target as it was given (a saved plan keeps it, to observe the same targets again).
    pub config: TargetConfig,
}

/// Each bot (in one place) may be the target of one `[[target]]` only.
pub(crate) fn check_distinct_bots(targets: &[TargetSpec]) -> Result<()> {
    let mut bots: Vec<(&Location, &str)> = targets
        .iter()
        .map(|s| (&s.location, s.spec.bot.as_str()))
        .collect();
    bots.sort();
    match bots.windows(2).find(|w| w[0] == w[1]) {
        Some(twice) => Err(Error::invalid(
            format!("bot {:?} is a target twice", twice[0].1),
            "give each bot one [[target]] with all its aliases",
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
