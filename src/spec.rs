//! The desired setup as the user asked for it (`Spec`), validated offline before any AWS call:
//! names, prefixes, key references, principals, retention values and conflicting flags.

use std::path::Path;

use serde::Deserialize;

use crate::arn::Arn;
use crate::cli::SetupArgs;
use crate::error::{Error, Result};

/// One target as a config file's `[[target]]` table or the command line gives it: the one model
/// both share. Keys are the flags' names with `_` for `-`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub bot: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub log_group: Option<String>,
    pub retention_days: Option<i32>,
    pub log_prefix: Option<String>,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    target: Vec<TargetConfig>,
}

/// Reads a TOML config file of `[[target]]` tables. Unknown keys are errors naming the key and line.
pub fn load_config(path: &Path) -> Result<Vec<TargetConfig>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::invalid(
            format!("cannot read --config {}: {e}", path.display()),
            "check the path",
        )
    })?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        Error::invalid(
            format!("--config {}: {}", path.display(), e.to_string().trim_end()),
            "each [[target]] takes: bot, aliases, log_group, retention_days, log_prefix, no_text_logs, audio_bucket, audio_prefix, kms_key, role_name, grant_pass_role, publish_version, pin_source_arn",
        )
    })?;
    if file.target.is_empty() {
        return Err(Error::invalid(
            format!("--config {} has no [[target]]", path.display()),
            "add a [[target]] table with bot and aliases",
        ));
    }
    Ok(file.target)
}

/// The specs the command line asks for: every target of `--config`, or the one the flags give.
pub fn specs_from_args(args: &SetupArgs) -> Result<Vec<Spec>> {
    let targets = match &args.config {
        Some(path) => load_config(path)?,
        None => vec![args.to_target()?],
    };
    let specs = targets
        .iter()
        .map(Spec::from_target)
        .collect::<Result<Vec<_>>>()?;
    let mut bots: Vec<&str> = specs.iter().map(|s| s.bot.as_str()).collect();
    bots.sort();
    if let Some(twice) = bots.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::invalid(
            format!("bot {:?} is a target twice", twice[0]),
            "give each bot one [[target]] with all its aliases",
        ));
    }
    Ok(specs)
}

/// Retention values CloudWatch Logs accepts.
pub const RETENTION_DAYS: &[i32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
pub const DEFAULT_LOG_PREFIX: &str = "lex/";
pub const DEFAULT_AUDIO_PREFIX: &str = "lex-audio/";
pub const ROLE_NAME_MAX: usize = 64;

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
}

impl Spec {
    /// True in the dedicated-role mode (`--role-name`).
    pub fn dedicated(&self) -> bool {
        self.role_name.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextSpec {
    /// `None`: `/aws/lex/<bot name>`.
    pub log_group: Option<String>,
    pub retention_days: Option<i32>,
    pub log_prefix: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudioSpec {
    pub bucket: String,
    pub prefix: String,
    /// Key id, key ARN, alias name or alias ARN; `None`: the bucket's default SSE-KMS key, if any.
    pub kms_key: Option<String>,
}

/// An IAM identity that may pass the role to Lex.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    User,
    Role,
    Group,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
            PrincipalKind::Group => "group",
        }
    }
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind.as_str(), self.name)
    }
}

impl std::str::FromStr for Principal {
    type Err = Error;

    /// `user/NAME`, `role/NAME`, `group/NAME`, or an IAM ARN of one of those.
    fn from_str(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::invalid(
                format!("--grant-pass-role {text:?}: {why}"),
                "give user/NAME, role/NAME, group/NAME or an IAM user, role or group ARN",
            )
        };
        let resource = if text.starts_with("arn:") {
            let arn: Arn = text.parse().map_err(|e: String| bad(&e))?;
            if arn.service != "iam" {
                return Err(bad("not an IAM ARN"));
            }
            arn.resource
        } else {
            text.to_string()
        };
        let (kind, rest) = resource
            .split_once('/')
            .ok_or_else(|| bad("no kind/ prefix"))?;
        let kind = match kind {
            "user" => PrincipalKind::User,
            "role" => PrincipalKind::Role,
            "group" => PrincipalKind::Group,
            _ => return Err(bad("the kind must be user, role or group")),
        };
        // An ARN may carry a path (role/path/to/NAME); IAM APIs take the bare name.
        let name = rest.rsplit('/').next().unwrap_or_default();
        let max = if kind == PrincipalKind::Group {
            128
        } else {
            64
        };
        if !valid_iam_name(name, max) {
            return Err(bad(&format!(
                "{name:?} is not a valid IAM name (1-{max} of A-Z a-z 0-9 + = . @ _ -)"
            )));
        }
        Ok(Principal {
            kind,
            name: name.into(),
        })
    }
}

/// IAM names: letters, digits and `+=,.@_-`. Commas are refused because principal names are
/// recorded in a tag, and tag values cannot hold them.
fn valid_iam_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=.@_-".contains(c))
}

/// CloudWatch Logs group names: 1-512 of `A-Za-z0-9._-/#`.
pub fn valid_log_group_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c))
}

/// S3 bucket names: 3-63 of lowercase letters, digits, dots and hyphens, starting and ending with
/// a letter or digit.
pub fn valid_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
}

/// KMS key references: a key id, a key ARN, `alias/NAME` or an alias ARN.
pub fn valid_kms_key_ref(key: &str) -> bool {
    if key.starts_with("arn:") {
        return key
            .parse::<Arn>()
            .map(|a| {
                a.service == "kms"
                    && (a.resource.starts_with("key/") || a.resource.starts_with("alias/"))
            })
            .unwrap_or(false);
    }
    if let Some(alias) = key.strip_prefix("alias/") {
        return !alias.is_empty()
            && alias.len() <= 250
            && alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c));
    }
    !key.is_empty() && key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn valid_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.len() <= 1024
        && !prefix.contains(['*', ':'])
        && !prefix.starts_with('/')
}

/// The default role name for a bot: `LexLogs-<bot name>`, shortened with a stable hash when it
/// would pass IAM's 64-character limit.
pub fn default_role_name(bot_name: &str) -> String {
    let full = format!("LexLogs-{bot_name}");
    if full.len() <= ROLE_NAME_MAX {
        return full;
    }
    // FNV-1a: stable across runs and platforms.
    let hash = bot_name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{}-{:08x}", &full[..ROLE_NAME_MAX - 9], hash as u32)
}

impl Spec {
    /// Builds and validates the spec of one target. Fails with a message that names the bad
    /// value; makes no AWS call.
    pub fn from_target(args: &TargetConfig) -> Result<Spec> {
        if args.bot.is_empty() {
            return Err(Error::invalid(
                "a target has no bot",
                "give --bot NAME_OR_ID (bot = \"...\" in a config file)",
            ));
        }
        if args.aliases.is_empty() {
            return Err(Error::invalid(
                format!("bot {:?} has no alias to set up", args.bot),
                "give --alias NAME_OR_ID (aliases = [\"...\"] in a config file)",
            ));
        }
        if args.no_text_logs {
            if let Some(flag) = [
                args.log_group.as_ref().map(|_| "--log-group"),
                args.retention_days.map(|_| "--retention-days"),
                args.log_prefix.as_ref().map(|_| "--log-prefix"),
            ]
            .into_iter()
            .flatten()
            .next()
            {
                return Err(Error::invalid(
                    format!("--no-text-logs conflicts with {flag}"),
                    format!("drop one of --no-text-logs and {flag}"),
                ));
            }
        }
        if args.audio_bucket.is_none() {
            if let Some(flag) = [
                args.audio_prefix.as_ref().map(|_| "--audio-prefix"),
                args.kms_key.as_ref().map(|_| "--kms-key"),
            ]
            .into_iter()
            .flatten()
            .next()
            {
                return Err(Error::invalid(
                    format!("{flag} needs --audio-bucket"),
                    "add --audio-bucket BUCKET, or drop it",
                ));
            }
        }
        let text = if args.no_text_logs {
            None
        } else {
            if let Some(group) = &args.log_group {
                if !valid_log_group_name(group) {
                    return Err(Error::invalid(
                        format!("--log-group {group:?} is not a valid log group name"),
                        "use 1-512 characters of A-Z a-z 0-9 . _ - / #",
                    ));
                }
            }
            if let Some(days) = args.retention_days {
                if !RETENTION_DAYS.contains(&days) {
                    return Err(Error::invalid(
                        format!(
                            "--retention-days {days} is not a retention CloudWatch Logs accepts"
                        ),
                        format!("use one of {RETENTION_DAYS:?}"),
                    ));
                }
            }
            let log_prefix = args
                .log_prefix
                .clone()
                .unwrap_or_else(|| DEFAULT_LOG_PREFIX.into());
            if !valid_prefix(&log_prefix) {
                return Err(Error::invalid(
                    format!("--log-prefix {log_prefix:?} is not a valid prefix"),
                    "use 1-1024 characters, without '*' or ':', not starting with '/'",
                ));
            }
            Some(TextSpec {
                log_group: args.log_group.clone(),
                retention_days: args.retention_days,
                log_prefix,
            })
        };
        let audio = match &args.audio_bucket {
            None => None,
            Some(bucket) => {
                if !valid_bucket_name(bucket) {
                    return Err(Error::invalid(
                        format!("--audio-bucket {bucket:?} is not a valid S3 bucket name"),
                        "use 3-63 lowercase letters, digits, dots and hyphens",
                    ));
                }
                let prefix = args
                    .audio_prefix
                    .clone()
                    .unwrap_or_else(|| DEFAULT_AUDIO_PREFIX.into());
                if !valid_prefix(&prefix) {
                    return Err(Error::invalid(
                        format!("--audio-prefix {prefix:?} is not a valid prefix"),
                        "use 1-1024 characters, without '*' or ':', not starting with '/'",
                    ));
                }
                if let Some(key) = &args.kms_key {
                    if !valid_kms_key_ref(key) {
                        return Err(Error::invalid(
                            format!("--kms-key {key:?} is not a KMS key id, key ARN or alias"),
                            "give a key id, arn:...:key/ID, alias/NAME or an alias ARN",
                        ));
                    }
                }
                Some(AudioSpec {
                    bucket: bucket.clone(),
                    prefix,
                    kms_key: args.kms_key.clone(),
                })
            }
        };
        if text.is_none() && audio.is_none() {
            return Err(Error::invalid(
                "--no-text-logs without --audio-bucket leaves nothing to log",
                "drop --no-text-logs, or add --audio-bucket BUCKET",
            ));
        }
        if let Some(role) = &args.role_name {
            if role.len() > ROLE_NAME_MAX {
                return Err(Error::invalid(
                    format!(
                        "--role-name {role:?} is {} characters; IAM allows at most {ROLE_NAME_MAX}",
                        role.len()
                    ),
                    "choose a shorter --role-name",
                ));
            }
            if !valid_iam_name(role, ROLE_NAME_MAX) {
                return Err(Error::invalid(
                    format!("--role-name {role:?} is not a valid IAM role name"),
                    "use letters, digits and + = . @ _ -",
                ));
            }
        }
        if args.role_name.is_none() {
            if let Some(flag) = [
                args.publish_version.then_some("--publish-version"),
                args.pin_source_arn.then_some("--pin-source-arn"),
            ]
            .into_iter()
            .flatten()
            .next()
            {
                return Err(Error::invalid(
                    format!("{flag} needs --role-name (the dedicated-role mode)"),
                    format!("add --role-name NAME, or drop {flag}"),
                ));
            }
        }
        let mut pass_role = args
            .grant_pass_role
            .iter()
            .map(|p| p.parse::<Principal>())
            .collect::<Result<Vec<_>>>()?;
        pass_role.sort();
        pass_role.dedup();
        let mut aliases = Vec::new();
        for alias in &args.aliases {
            if !aliases.contains(alias) {
                aliases.push(alias.clone());
            }
        }
        Ok(Spec {
            bot: args.bot.clone(),
            aliases,
            text,
            audio,
            role_name: args.role_name.clone(),
            pass_role,
            publish_version: args.publish_version,
            pin_source_arn: args.pin_source_arn,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_parse_from_short_forms_and_arns() {
        let p: Principal = "user/alice".parse().unwrap();
        assert_eq!((p.kind, p.name.as_str()), (PrincipalKind::User, "alice"));
        let p: Principal = "arn:aws:iam::123456789012:role/ci/deployer"
            .parse()
            .unwrap();
        assert_eq!((p.kind, p.name.as_str()), (PrincipalKind::Role, "deployer"));
        assert_eq!(p.to_string(), "role/deployer");
        for bad in [
            "alice",
            "bucket/x",
            "user/",
            "arn:aws:s3:::b/x",
            "user/a,b",
            "user/has space",
        ] {
            assert!(bad.parse::<Principal>().is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_validated_like_aws_does() {
        assert!(valid_log_group_name("/aws/lex/OrderBot#1"));
        assert!(!valid_log_group_name("bad group"));
        assert!(!valid_log_group_name(""));
        assert!(valid_bucket_name("order-audio.logs"));
        for bad in ["Upper", "ab", "-start", "end-", "a..b", "under_score"] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
        for good in [
            "alias/lex-audio",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:1:key/abc",
            "arn:aws:kms:us-east-1:1:alias/x",
            "mrk-1234",
        ] {
            assert!(valid_kms_key_ref(good), "{good}");
        }
        for bad in [
            "alias/",
            "not a key!",
            "arn:aws:s3:::bucket",
            "arn:aws:kms:us-east-1:1:thing/x",
        ] {
            assert!(!valid_kms_key_ref(bad), "{bad}");
        }
    }

    #[test]
    fn default_role_names_fit_iam_and_stay_distinct() {
        assert_eq!(default_role_name("OrderBot"), "LexLogs-OrderBot");
        let long_a = format!("{}A", "x".repeat(99));
        let long_b = format!("{}B", "x".repeat(99));
        let (a, b) = (default_role_name(&long_a), default_role_name(&long_b));
        assert!(a.len() <= ROLE_NAME_MAX && b.len() <= ROLE_NAME_MAX);
        assert_ne!(a, b);
        assert_eq!(a, default_role_name(&long_a), "stable");
    }
}

#[cfg(test)]
mod config_tests {
    use super::*;

    fn write(text: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "lex-logs-setup-test-{}-{}.toml",
            std::process::id(),
            text.len()
        ));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn config_files_share_the_flags_model() {
        let path = write(
            r#"
[[target]]
bot = "OrderBot"
aliases = ["live", "beta"]
log_group = "/aws/lex/OrderBot"
role_name = "LexLogs-OrderBot"
audio_bucket = "order-audio"
kms_key = "alias/lex-audio"
grant_pass_role = ["role/ci-deployer"]

[[target]]
bot = "FaqBot"
aliases = ["live"]
retention_days = 30
"#,
        );
        let targets = load_config(&path).unwrap();
        let specs: Vec<Spec> = targets
            .iter()
            .map(|t| Spec::from_target(t).unwrap())
            .collect();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].aliases, ["live", "beta"]);
        assert_eq!(
            specs[0].audio.as_ref().unwrap().kms_key.as_deref(),
            Some("alias/lex-audio")
        );
        assert_eq!(specs[0].pass_role[0].to_string(), "role/ci-deployer");
        assert_eq!(specs[1].text.as_ref().unwrap().retention_days, Some(30));
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_key_and_line() {
        let path = write("[[target]]\nbot = \"B\"\naliases = [\"a\"]\nlog_groop = \"x\"\n");
        let err = load_config(&path).unwrap_err().to_string();
        assert!(err.contains("log_groop") && err.contains("line 4"), "{err}");
    }

    #[test]
    fn file_targets_get_the_same_conflict_checks_as_flags() {
        let t = TargetConfig {
            bot: "B".into(),
            aliases: vec!["a".into()],
            no_text_logs: true,
            log_group: Some("g".into()),
            ..Default::default()
        };
        assert!(Spec::from_target(&t)
            .unwrap_err()
            .to_string()
            .contains("--no-text-logs conflicts with --log-group"));
        let t = TargetConfig {
            bot: "B".into(),
            aliases: vec!["a".into()],
            kms_key: Some("alias/k".into()),
            ..Default::default()
        };
        assert!(Spec::from_target(&t)
            .unwrap_err()
            .to_string()
            .contains("--kms-key needs --audio-bucket"));
        let t = TargetConfig {
            bot: "B".into(),
            ..Default::default()
        };
        assert!(Spec::from_target(&t)
            .unwrap_err()
            .to_string()
            .contains("no alias"));
    }
}
