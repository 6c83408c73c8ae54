//! One target's raw values (flags or a config file's `[[target]]`) validated into a `Spec`, one
//! concern at a time: the bot and aliases, conflicting flags, text logs, audio logs, the role and
//! its mode flags, and the principals that may pass the role.

use crate::error::{Error, Result};

use super::principal::grant_error;
use super::valid::{
    prefix_ends_a_folder, valid_bucket_name, valid_iam_name, valid_kms_key_ref,
    valid_log_group_name, valid_prefix, ROLE_NAME_MAX,
};
use super::{
    AlarmSpec, AudioSpec, Names, Principal, PrincipalLocation, Selective, Spec, TargetConfig,
    TargetSpec, TextSpec, DEFAULT_AUDIO_PREFIX, DEFAULT_LOG_PREFIX, RETENTION_DAYS,
};

const PREFIX_RULE: &str =
    "use 1-1024 characters, without '*' or ':', not starting with '/' and ending with '/'";

impl TargetSpec {
    /// Builds and validates one target, naming its values as `names` says (flags, or a file's
    /// keys and lines). Makes no AWS call.
    pub(crate) fn from_named_target(args: &TargetConfig, names: &Names) -> Result<TargetSpec> {
        check_bot_and_aliases(args, names)?;
        check_flag_conflicts(args, names)?;
        let text = text_spec(args, names)?;
        let audio = audio_spec(args, names)?;
        if text.is_none() && audio.is_none() {
            return Err(nothing_to_log(names));
        }
        check_role(args, names)?;
        let (pass_role, principal_locations) = pass_role(args, names)?;
        let (text_logged, audio_logged) = (text.is_some(), audio.is_some());
        let spec = Spec {
            bot: args.bot.clone(),
            aliases: distinct(&args.aliases),
            text,
            audio,
            role_name: args.role_name.clone(),
            pass_role,
            publish_version: args.publish_version,
            pin_source_arn: args.pin_source_arn,
            pin_source_account: args.pin_source_account,
            take_over_destinations: args.take_over_destinations,
            selective: selective(args, names, text_logged, audio_logged)?,
            alarm: alarm(args, names, text_logged)?,
            insights_queries: insights_queries(args, names, text_logged)?,
        };
        Ok(TargetSpec {
            spec,
            principal_locations,
            location: super::location::location(args, names)?,
            names: names.clone(),
            config: args.clone(),
        })
    }
}

/// A target names a bot and at least one alias.
fn check_bot_and_aliases(args: &TargetConfig, names: &Names) -> Result<()> {
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
    Ok(())
}

/// Text-log values with `no_text_logs`, and audio values without `audio_bucket`.
fn check_flag_conflicts(args: &TargetConfig, names: &Names) -> Result<()> {
    let key = |k: &str| names.key(k);
    if args.no_text_logs {
        if let Some(other) = [
            args.log_group.as_ref().map(|_| "log_group"),
            args.retention_days.map(|_| "retention_days"),
            args.log_prefix.as_ref().map(|_| "log_prefix"),
            args.log_group_kms_key.as_ref().map(|_| "log_group_kms_key"),
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
    Ok(())
}

/// Text logs: the log group, its retention and the stream prefix; `None` with `no_text_logs`.
fn text_spec(args: &TargetConfig, names: &Names) -> Result<Option<TextSpec>> {
    if args.no_text_logs {
        return Ok(None);
    }
    // An ARN (with or without the `:*` IAM policies use) names the group and its place.
    let (log_group, log_group_place) = match &args.log_group {
        Some(given) if given.starts_with("arn:") => match log_group_of_arn(given) {
            Some((region, account, name)) => (Some(name), Some((region, account))),
            None => {
                return Err(Error::invalid(
                    format!(
                        "{} is not a CloudWatch Logs group ARN",
                        names.given("log_group", &format!("{given:?}"))
                    ),
                    "give the group's name, or arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME (with or without :*)",
                ))
            }
        },
        other => (other.clone(), None),
    };
    if let Some(group) = &log_group {
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
    check_prefix(names, "log_prefix", &log_prefix)?;
    check_key_ref(
        names,
        "log_group_kms_key",
        args.log_group_kms_key.as_deref(),
    )?;
    Ok(Some(TextSpec {
        log_group,
        log_group_place,
        retention_days: args.retention_days,
        log_prefix,
        kms_key: args.log_group_kms_key.clone(),
    }))
}

/// `selective_logging`: which halves capture only the turns that ask for it. A half named must
/// be logged by this target (there is no selective capture of logs it does not set up).
fn selective(
    args: &TargetConfig,
    names: &Names,
    text: bool,
    audio: bool,
) -> Result<Option<Selective>> {
    let Some(which) = &args.selective_logging else {
        return Ok(None);
    };
    let asked = match which.as_str() {
        "text" => Selective {
            text: true,
            audio: false,
        },
        "audio" => Selective {
            text: false,
            audio: true,
        },
        "both" => Selective {
            text: true,
            audio: true,
        },
        "off" => Selective {
            text: false,
            audio: false,
        },
        _ => {
            return Err(Error::invalid(
                format!(
                    "{} is not one of text, audio, both, off",
                    names.given("selective_logging", &format!("{which:?}"))
                ),
                "give text, audio, both or off",
            ))
        }
    };
    let missing = match (asked.text && !text, asked.audio && !audio) {
        (true, _) => Some(("text", "drop --no-text-logs")),
        (_, true) => Some(("audio", "give --audio-bucket")),
        _ => None,
    };
    if let Some((half, hint)) = missing {
        return Err(Error::invalid(
            format!(
                "{} asks for selective {half} logs, but this target sets up no {half} logs",
                names.given("selective_logging", &format!("{which:?}"))
            ),
            format!("{hint}, or ask selective capture only of what is logged"),
        ));
    }
    Ok(Some(asked))
}

/// A log group ARN's region, account and name: `arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME`,
/// with or without the `:*` that IAM policies add for the group's streams.
pub(crate) fn log_group_of_arn(arn: &str) -> Option<(String, String, String)> {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let [_, _, service, region, account, kind, name] = parts.as_slice() else {
        return None;
    };
    let name = name.strip_suffix(":*").unwrap_or(name);
    let wellformed = *service == "logs"
        && *kind == "log-group"
        && !region.is_empty()
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && !name.is_empty()
        && !name.contains(':');
    wellformed.then(|| (region.to_string(), account.to_string(), name.to_string()))
}

/// Audio logs: the bucket, the key prefix and the KMS key; `None` without `audio_bucket`.
fn audio_spec(args: &TargetConfig, names: &Names) -> Result<Option<AudioSpec>> {
    let Some(bucket) = &args.audio_bucket else {
        return Ok(None);
    };
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
    check_prefix(names, "audio_prefix", &prefix)?;
    check_key_ref(names, "kms_key", args.kms_key.as_deref())?;
    Ok(Some(AudioSpec {
        bucket: bucket.clone(),
        prefix,
        kms_key: args.kms_key.clone(),
    }))
}

/// A KMS key reference (`key` names it in the error): a key id, key ARN, alias name or alias ARN.
fn check_key_ref(names: &Names, key: &str, given: Option<&str>) -> Result<()> {
    match given {
        Some(kms) if !valid_kms_key_ref(kms) => Err(Error::invalid(
            format!(
                "{} is not a KMS key id, key ARN or alias",
                names.given(key, &format!("{kms:?}"))
            ),
            "give a key id, arn:...:key/ID, alias/NAME or an alias ARN",
        )),
        _ => Ok(()),
    }
}

/// A prefix (`key` names it in the error) as CloudWatch Logs and S3 take it, ending with `/`:
/// the audio grant is `s3:PutObject` on `BUCKET/PREFIX*`, so a prefix `lex` would also grant
/// `lexicon/...`; the text prefix follows the same rule. Lex itself takes any prefix of at most
/// 1024 characters (even an empty one, or one without `/`): ours is stricter, and the error
/// says so, with the prefix to use instead.
fn check_prefix(names: &Names, key: &str, prefix: &str) -> Result<()> {
    let given = || names.given(key, &format!("{prefix:?}"));
    if !valid_prefix(prefix) {
        return Err(Error::invalid(
            format!("{} is not a valid prefix", given()),
            PREFIX_RULE,
        ));
    }
    if !prefix_ends_a_folder(prefix) {
        let why = match key {
            "audio_prefix" => "the grant s3:PutObject on BUCKET/PREFIX* covers every key that starts with the prefix, so \"lex\" would also cover \"lexicon/...\"",
            _ => "the log streams' names start with it, and text and audio prefixes follow one rule",
        };
        return Err(Error::invalid(
            format!(
                "{} does not end with '/': a prefix must end with '/' here ({why}); Lex would take it without",
                given()
            ),
            format!("use {}", written(names, key, &format!("{prefix}/"))),
        ));
    }
    Ok(())
}

/// A value as the user would write it: `--log-prefix "x"`, or `log_prefix = "x"` in a file.
fn written(names: &Names, key: &str, value: &str) -> String {
    match names.key(key) {
        flag if flag.starts_with("--") => format!("{flag} {value:?}"),
        file_key => format!("{file_key} = {value:?}"),
    }
}

/// `no_text_logs` without `audio_bucket`.
fn nothing_to_log(names: &Names) -> Error {
    let key = |k: &str| names.key(k);
    Error::invalid(
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
    )
}

/// The dedicated role's name, and the flags that only the dedicated-role mode takes.
fn check_role(args: &TargetConfig, names: &Names) -> Result<()> {
    if let Some(role) = &args.role_name {
        if role.len() > ROLE_NAME_MAX {
            return Err(Error::invalid(
                format!(
                    "{} is {} characters; IAM allows at most {ROLE_NAME_MAX}",
                    names.given("role_name", &format!("{role:?}")),
                    role.len()
                ),
                format!("choose a shorter {}", names.key("role_name")),
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
        return Ok(());
    }
    let needs_role = [
        args.publish_version.then_some("--publish-version"),
        args.pin_source_arn.then_some("--pin-source-arn"),
        args.pin_source_account.then_some("--pin-source-account"),
    ]
    .into_iter()
    .flatten()
    .next();
    match needs_role {
        Some(flag) => Err(Error::invalid(
            format!("{flag} needs --role-name (the dedicated-role mode)"),
            format!("add --role-name NAME, or drop {flag}"),
        )),
        None => Ok(()),
    }
}

/// The principals that may pass the role (sorted, without repeats), and where those given with
/// an account or a path were said to live.
fn pass_role(
    args: &TargetConfig,
    names: &Names,
) -> Result<(Vec<Principal>, Vec<PrincipalLocation>)> {
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
    Ok((pass_role, locations))
}

/// The aliases in the order given, each once.
fn distinct(aliases: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    for alias in aliases {
        if !seen.contains(alias) {
            seen.push(alias.clone());
        }
    }
    seen
}

/// `alarm` and `alarm_topic`: the alarm watches text logs, and notifies an SNS topic given by
/// its ARN (`arn:PARTITION:sns:REGION:ACCOUNT:NAME`).
fn alarm(args: &TargetConfig, names: &Names, text_logged: bool) -> Result<Option<AlarmSpec>> {
    if !args.alarm {
        return match &args.alarm_topic {
            Some(_) => Err(Error::invalid(
                format!(
                    "{}{} needs {}",
                    names.at("alarm_topic"),
                    names.key("alarm_topic"),
                    names.key("alarm")
                ),
                "add --alarm (alarm = true in a config file), or leave the topic out",
            )),
            None => Ok(None),
        };
    }
    if !text_logged {
        return Err(Error::invalid(
            format!(
                "{}{} watches text logs, and this target has none",
                names.at("alarm"),
                names.key("alarm")
            ),
            "drop --no-text-logs, or leave --alarm out",
        ));
    }
    if let Some(topic) = &args.alarm_topic {
        let parts: Vec<&str> = topic.splitn(6, ':').collect();
        let valid = parts.len() == 6
            && parts[0] == "arn"
            && parts[1].starts_with("aws")
            && parts[2] == "sns"
            && !parts[3].is_empty()
            && parts[4].len() == 12
            && parts[4].bytes().all(|b| b.is_ascii_digit())
            && !parts[5].is_empty()
            && !parts[5].contains(':');
        if !valid {
            return Err(Error::invalid(
                format!(
                    "{} is not an SNS topic ARN",
                    names.given("alarm_topic", &format!("{topic:?}"))
                ),
                "give arn:aws:sns:REGION:ACCOUNT:TOPIC",
            ));
        }
    }
    Ok(Some(AlarmSpec {
        topic: args.alarm_topic.clone(),
    }))
}

/// `insights_queries`: the queries read the text log group.
fn insights_queries(args: &TargetConfig, names: &Names, text_logged: bool) -> Result<bool> {
    if args.insights_queries && !text_logged {
        return Err(Error::invalid(
            format!(
                "{}{} reads the text log group, and this target has none",
                names.at("insights_queries"),
                names.key("insights_queries")
            ),
            "drop --no-text-logs, or leave --insights-queries out",
        ));
    }
    Ok(args.insights_queries)
}
