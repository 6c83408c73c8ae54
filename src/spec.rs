//! The desired setup as the user asked for it (`Spec`), validated offline before any AWS call:
//! names, prefixes, key references, principals, retention values and conflicting flags.

use std::collections::BTreeMap;
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
    #[serde(default)]
    pub take_over_destinations: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    target: Vec<TargetConfig>,
}

/// Reads a TOML config file of `[[target]]` tables. Unknown keys are errors naming the key and line.
pub fn load_config(path: &Path) -> Result<Vec<TargetConfig>> {
    Ok(load_named_config(path)?
        .into_iter()
        .map(|(t, _)| t)
        .collect())
}

/// The lines of a config file's keys, to name them in errors about their values.
#[derive(Deserialize)]
struct ConfigLines {
    #[serde(default)]
    target: Vec<toml::Spanned<BTreeMap<String, toml::Spanned<toml::Value>>>>,
}

/// Reads a config file, and how to name each target's values in errors (file, line, key).
pub fn load_named_config(path: &Path) -> Result<Vec<(TargetConfig, Names)>> {
    let targets = read_config(path)?;
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    // The file parsed as TargetConfigs, so it parses as spans too.
    let spans: ConfigLines = toml::from_str(&text).unwrap_or(ConfigLines { target: Vec::new() });
    Ok(targets
        .into_iter()
        .enumerate()
        .map(|(i, target)| {
            let names = match spans.target.get(i) {
                Some(table) => Names::file(
                    path,
                    table
                        .get_ref()
                        .iter()
                        .map(|(key, value)| (key.clone(), line(value.span().start)))
                        .collect(),
                    line(table.span().start),
                ),
                None => Names::file(path, BTreeMap::new(), 0),
            };
            (target, names)
        })
        .collect())
}

fn read_config(path: &Path) -> Result<Vec<TargetConfig>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::invalid(
            format!("cannot read --config {}: {e}", path.display()),
            "check the path",
        )
    })?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        Error::invalid(
            format!("--config {}: {}", path.display(), e.to_string().trim_end()),
            "each [[target]] takes: bot, aliases, log_group, retention_days, log_prefix, no_text_logs, audio_bucket, audio_prefix, kms_key, role_name, grant_pass_role, publish_version, pin_source_arn, take_over_destinations",
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
    Ok(targets_from_args(args)?
        .into_iter()
        .map(|t| t.spec)
        .collect())
}

/// The targets the command line asks for, with where their principals were said to live.
pub fn targets_from_args(args: &SetupArgs) -> Result<Vec<TargetSpec>> {
    let targets = match &args.config {
        Some(path) => load_named_config(path)?,
        None => vec![(args.to_target()?, Names::default())],
    };
    let specs = targets
        .iter()
        .map(|(target, names)| TargetSpec::from_named_target(target, names))
        .collect::<Result<Vec<_>>>()?;
    let mut bots: Vec<&str> = specs.iter().map(|s| s.spec.bot.as_str()).collect();
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
    /// Replace destinations lex-logs-setup did not set (recording them for destroy).
    pub take_over_destinations: bool,
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

/// Where a `--grant-pass-role` principal was said to live, when it was said: an ARN names one
/// identity (partition, account, path and name), and `user/PATH/NAME` one path in this account.
/// A plain `user/NAME` means "this account, any path" and needs no check. Before anything is
/// planned, the partition and account must be the caller's and the path the principal's real one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalLocation {
    pub principal: Principal,
    /// The principal as given.
    pub given: String,
    /// The principal as given and where: `--grant-pass-role arn:...`, or a config file's line.
    pub named: String,
    /// From an ARN only.
    pub partition: Option<String>,
    /// From an ARN only.
    pub account: Option<String>,
    /// `/`, or `/a/b/` for `user/a/b/NAME`.
    pub path: String,
}

impl Principal {
    /// Parses `user/NAME`, `role/NAME`, `group/NAME`, or an IAM ARN of one of those (then also
    /// where the ARN says it lives). The error says why, without naming the flag.
    pub fn parse_given(
        text: &str,
    ) -> std::result::Result<(Principal, Option<PrincipalLocation>), String> {
        let (resource, arn) = if text.starts_with("arn:") {
            let arn: Arn = text.parse()?;
            if arn.service != "iam" {
                return Err("not an IAM ARN".into());
            }
            if !arn.region.is_empty() {
                return Err(format!("an IAM ARN has no region (found {:?})", arn.region));
            }
            if arn.account.len() != 12 || !arn.account.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!(
                    "the account {:?} in the ARN is not 12 digits",
                    arn.account
                ));
            }
            (arn.resource.clone(), Some(arn))
        } else {
            (text.to_string(), None)
        };
        let (kind, rest) = resource
            .split_once('/')
            .ok_or_else(|| "no kind/ prefix".to_string())?;
        let kind = match kind {
            "user" => PrincipalKind::User,
            "role" => PrincipalKind::Role,
            "group" => PrincipalKind::Group,
            _ => return Err("the kind must be user, role or group".into()),
        };
        // A path (role/path/to/NAME) is checked against the principal's real one before planning;
        // IAM APIs take the bare name.
        let (path, name) = match rest.rsplit_once('/') {
            Some((path, name)) => (Some(path), name),
            None => (None, rest),
        };
        let max = if kind == PrincipalKind::Group {
            128
        } else {
            64
        };
        if !valid_iam_name(name, max) {
            return Err(format!(
                "{name:?} is not a valid IAM name (1-{max} of A-Z a-z 0-9 + = . @ _ -)"
            ));
        }
        let path = match path {
            None => None,
            Some(inner) => {
                if inner.split('/').any(str::is_empty)
                    || !inner.chars().all(|c| ('!'..='~').contains(&c))
                    || inner.len() > 510
                {
                    return Err(format!("{inner:?} is not a valid IAM path"));
                }
                Some(format!("/{inner}/"))
            }
        };
        let principal = Principal {
            kind,
            name: name.into(),
        };
        let location = match (arn, path) {
            (None, None) => None,
            (None, Some(path)) => Some(PrincipalLocation {
                principal: principal.clone(),
                given: text.to_string(),
                named: format!("--grant-pass-role {text}"),
                partition: None,
                account: None,
                path,
            }),
            (Some(arn), path) => Some(PrincipalLocation {
                principal: principal.clone(),
                given: text.to_string(),
                named: format!("--grant-pass-role {text}"),
                partition: Some(arn.partition),
                account: Some(arn.account),
                path: path.unwrap_or_else(|| "/".into()),
            }),
        };
        Ok((principal, location))
    }
}

impl std::str::FromStr for Principal {
    type Err = Error;

    /// `user/NAME`, `role/NAME`, `group/NAME`, or an IAM ARN of one of those.
    fn from_str(text: &str) -> Result<Self> {
        Principal::parse_given(text)
            .map(|(principal, _)| principal)
            .map_err(|why| grant_error(&format!("--grant-pass-role {text:?}"), &why))
    }
}

/// `named`: the value as given, e.g. `--grant-pass-role "x"`.
fn grant_error(named: &str, why: &str) -> Error {
    Error::invalid(
        format!("{named}: {why}"),
        "give user/NAME, role/NAME, group/NAME or an IAM user, role or group ARN",
    )
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
        TargetSpec::from_target(args).map(|t| t.spec)
    }
}

/// One target's spec, and where it said its `--grant-pass-role` principals live (checked against
/// the caller's account and the principals' real paths before planning; see `PrincipalLocation`).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSpec {
    pub spec: Spec,
    pub principal_locations: Vec<PrincipalLocation>,
}

/// How a target's values are named in errors: as the flags that gave them, or as the keys of a
/// config file, with the file and the line.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// The file, the line of each key given, and the line of the `[[target]]` table itself.
    file: Option<(String, BTreeMap<String, usize>, usize)>,
}

impl Names {
    /// The keys of one `[[target]]` of `path`, at the lines where they are given.
    pub fn file(path: &Path, lines: BTreeMap<String, usize>, table_line: usize) -> Names {
        Names {
            file: Some((path.display().to_string(), lines, table_line)),
        }
    }

    /// `--log-group`, or `log_group` in a file.
    fn key(&self, key: &str) -> String {
        match &self.file {
            None => format!("--{}", key.replace('_', "-")),
            Some(_) => key.to_string(),
        }
    }

    /// Nothing for flags; `FILE line N: ` in a file (the key's line, else the table's).
    fn at(&self, key: &str) -> String {
        match &self.file {
            None => String::new(),
            Some((path, lines, table)) => {
                format!("{path} line {}: ", lines.get(key).unwrap_or(table))
            }
        }
    }

    /// A value as given: `--log-group "x"`, or `FILE line N: log_group = "x"`.
    fn given(&self, key: &str, value: &str) -> String {
        match &self.file {
            None => format!("{} {value}", self.key(key)),
            Some(_) => format!("{}{key} = {value}", self.at(key)),
        }
    }
}

impl TargetSpec {
    /// Builds and validates one target given by flags. Fails with a message that names the bad
    /// value; makes no AWS call.
    pub fn from_target(args: &TargetConfig) -> Result<TargetSpec> {
        Self::from_named_target(args, &Names::default())
    }

    /// Builds and validates one target, naming its values as `names` says (flags, or a file's
    /// keys and lines). Makes no AWS call.
    pub fn from_named_target(args: &TargetConfig, names: &Names) -> Result<TargetSpec> {
        let key = |k: &str| names.key(k);
        if args.bot.is_empty() {
            return Err(Error::invalid(
                format!("{}a target has no bot", names.at("bot")),
                "give --bot NAME_OR_ID (bot = \"...\" in a config file)",
            ));
        }
        if args.aliases.is_empty() {
            return Err(Error::invalid(
                format!(
                    "{}bot {:?} has no alias to set up",
                    names.at("aliases"),
                    args.bot
                ),
                "give --alias NAME_OR_ID (aliases = [\"...\"] in a config file)",
            ));
        }
        if args.no_text_logs {
            if let Some(other) = [
                args.log_group.as_ref().map(|_| "log_group"),
                args.retention_days.map(|_| "retention_days"),
                args.log_prefix.as_ref().map(|_| "log_prefix"),
            ]
            .into_iter()
            .flatten()
            .next()
            {
                return Err(Error::invalid(
                    format!(
                        "{}{} conflicts with {}",
                        names.at(other),
                        key("no_text_logs"),
                        key(other)
                    ),
                    format!("drop one of {} and {}", key("no_text_logs"), key(other)),
                ));
            }
        }
        if args.audio_bucket.is_none() {
            if let Some(other) = [
                args.audio_prefix.as_ref().map(|_| "audio_prefix"),
                args.kms_key.as_ref().map(|_| "kms_key"),
            ]
            .into_iter()
            .flatten()
            .next()
            {
                return Err(Error::invalid(
                    format!(
                        "{}{} needs {}",
                        names.at(other),
                        key(other),
                        key("audio_bucket")
                    ),
                    format!("add {} BUCKET, or drop it", key("audio_bucket")),
                ));
            }
        }
        let text = if args.no_text_logs {
            None
        } else {
            if let Some(group) = &args.log_group {
                if !valid_log_group_name(group) {
                    return Err(Error::invalid(
                        format!(
                            "{} is not a valid log group name",
                            names.given("log_group", &format!("{group:?}"))
                        ),
                        "use 1-512 characters of A-Z a-z 0-9 . _ - / #",
                    ));
                }
            }
            if let Some(days) = args.retention_days {
                if !RETENTION_DAYS.contains(&days) {
                    return Err(Error::invalid(
                        format!(
                            "{} is not a retention CloudWatch Logs accepts",
                            names.given("retention_days", &days.to_string())
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
                    format!(
                        "{} is not a valid prefix",
                        names.given("log_prefix", &format!("{log_prefix:?}"))
                    ),
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
                        format!(
                            "{} is not a valid S3 bucket name",
                            names.given("audio_bucket", &format!("{bucket:?}"))
                        ),
                        "use 3-63 lowercase letters, digits, dots and hyphens",
                    ));
                }
                let prefix = args
                    .audio_prefix
                    .clone()
                    .unwrap_or_else(|| DEFAULT_AUDIO_PREFIX.into());
                if !valid_prefix(&prefix) {
                    return Err(Error::invalid(
                        format!(
                            "{} is not a valid prefix",
                            names.given("audio_prefix", &format!("{prefix:?}"))
                        ),
                        "use 1-1024 characters, without '*' or ':', not starting with '/'",
                    ));
                }
                if let Some(kms) = &args.kms_key {
                    if !valid_kms_key_ref(kms) {
                        return Err(Error::invalid(
                            format!(
                                "{} is not a KMS key id, key ARN or alias",
                                names.given("kms_key", &format!("{kms:?}"))
                            ),
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
                format!(
                    "{}{} without {} leaves nothing to log",
                    names.at("no_text_logs"),
                    key("no_text_logs"),
                    key("audio_bucket")
                ),
                format!(
                    "drop {}, or add {} BUCKET",
                    key("no_text_logs"),
                    key("audio_bucket")
                ),
            ));
        }
        if let Some(role) = &args.role_name {
            if role.len() > ROLE_NAME_MAX {
                return Err(Error::invalid(
                    format!(
                        "{} is {} characters; IAM allows at most {ROLE_NAME_MAX}",
                        names.given("role_name", &format!("{role:?}")),
                        role.len()
                    ),
                    format!("choose a shorter {}", key("role_name")),
                ));
            }
            if !valid_iam_name(role, ROLE_NAME_MAX) {
                return Err(Error::invalid(
                    format!(
                        "{} is not a valid IAM role name",
                        names.given("role_name", &format!("{role:?}"))
                    ),
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
        let mut pass_role = Vec::new();
        let mut locations = Vec::new();
        for given in &args.grant_pass_role {
            let named = names.given("grant_pass_role", &format!("{given:?}"));
            let (principal, location) =
                Principal::parse_given(given).map_err(|why| grant_error(&named, &why))?;
            pass_role.push(principal);
            locations.extend(location.map(|l| PrincipalLocation {
                named: names.given("grant_pass_role", given),
                ..l
            }));
        }
        pass_role.sort();
        pass_role.dedup();
        let mut aliases = Vec::new();
        for alias in &args.aliases {
            if !aliases.contains(alias) {
                aliases.push(alias.clone());
            }
        }
        let spec = Spec {
            bot: args.bot.clone(),
            aliases,
            text,
            audio,
            role_name: args.role_name.clone(),
            pass_role,
            publish_version: args.publish_version,
            pin_source_arn: args.pin_source_arn,
            take_over_destinations: args.take_over_destinations,
        };
        Ok(TargetSpec {
            spec,
            principal_locations: locations,
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
    fn principals_keep_the_account_and_path_they_were_given_with() {
        let located = |text: &str| Principal::parse_given(text).unwrap().1;
        assert_eq!(located("user/alice"), None, "this account, any path");
        let l = located("arn:aws-cn:iam::111122223333:role/ci/deploy/deployer").unwrap();
        assert_eq!(l.principal.to_string(), "role/deployer");
        assert_eq!(
            (
                l.partition.as_deref(),
                l.account.as_deref(),
                l.path.as_str()
            ),
            (Some("aws-cn"), Some("111122223333"), "/ci/deploy/")
        );
        assert_eq!(
            l.given,
            "arn:aws-cn:iam::111122223333:role/ci/deploy/deployer"
        );
        let l = located("arn:aws:iam::111122223333:group/admins").unwrap();
        assert_eq!(
            (l.path.as_str(), l.principal.kind),
            ("/", PrincipalKind::Group)
        );
        let l = located("user/team-a/alice").unwrap();
        assert_eq!((l.account, l.path.as_str()), (None, "/team-a/"));
        for bad in [
            "arn:aws:iam:us-east-1:111122223333:user/alice",
            "arn:aws:iam::1234:user/alice",
            "arn:aws:iam::111122223333:user//alice",
            "user/a b/alice",
        ] {
            assert!(Principal::parse_given(bad).is_err(), "{bad}");
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
    fn bad_values_in_a_file_are_named_by_file_line_and_key() {
        let text = "# targets\n\n[[target]]\nbot = \"A\"\naliases = [\"live\"]\n\n[[target]]\nbot = \"B\"\naliases = [\n  \"live\",\n]\nretention_days = 2\nlog_group = \"bad group\"\ngrant_pass_role = [\"bucket/x\"]\n";
        let path = write(text);
        let shown = path.display().to_string();
        let named = load_named_config(&path).unwrap();
        assert!(TargetSpec::from_named_target(&named[0].0, &named[0].1).is_ok());
        let (target, names) = &named[1];
        let err = TargetSpec::from_named_target(target, names)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "{shown} line 13: log_group = \"bad group\" is not"
            )),
            "{err}"
        );
        let mut t = target.clone();
        t.log_group = None;
        let err = TargetSpec::from_named_target(&t, names)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "{shown} line 12: retention_days = 2 is not a retention"
            )),
            "{err}"
        );
        assert!(!err.contains("--retention-days"), "{err}");
        t.retention_days = None;
        let err = TargetSpec::from_named_target(&t, names)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "{shown} line 14: grant_pass_role = \"bucket/x\": "
            )),
            "{err}"
        );
        t.grant_pass_role.clear();
        t.aliases.clear();
        let err = TargetSpec::from_named_target(&t, names)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("{shown} line 9: bot \"B\" has no alias")),
            "{err}"
        );
        t.aliases = vec!["a".into()];
        t.no_text_logs = true;
        let err = TargetSpec::from_named_target(&t, names)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "{shown} line 7: no_text_logs without audio_bucket"
            )),
            "a key not in the file is named at its table: {err}"
        );
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
