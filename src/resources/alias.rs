//! Lex V2 bot aliases: finding them by name or id, and reading them whole (UpdateBotAlias replaces
//! the alias, so every field we do not own is sent back as read).

use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;
use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, S3BucketLogDestination, TextLogDestination, TextLogSetting,
};

use crate::arn::Scope;

use crate::error::{AwsError, Context, Error, Result};
use crate::resources::bot::Bot;

/// The alias every bot has, which always points at the DRAFT version.
pub const TEST_ALIAS_ID: &str = "TSTALIASID";
pub const TEST_ALIAS_NAME: &str = "TestBotAlias";

/// An alias as read from Lex.
#[derive(Debug, Clone)]
pub struct Alias {
    pub id: String,
    pub name: String,
    pub described: DescribeBotAliasOutput,
    /// The role that writes this alias's logs: the role of the version it runs (DRAFT: the
    /// bot's). `None` until observation has read it, or when the version has no role.
    pub runs_on: Option<String>,
    /// The alias's tags (where a take-over records the destination it replaced).
    pub tags: crate::resources::tags::Tags,
}

impl Alias {
    /// The version the alias runs (`DRAFT` for TestBotAlias).
    pub fn version(&self) -> &str {
        self.described
            .bot_version()
            .unwrap_or(crate::resources::version::DRAFT)
    }

    /// True when the alias runs DRAFT, whose role is the bot's current one.
    pub fn on_draft(&self) -> bool {
        self.version() == crate::resources::version::DRAFT
    }

    pub fn address(&self, bot: &Bot) -> String {
        format!("alias[{}/{}]", bot.name, self.name)
    }
}

/// The ids of `wanted` (names or ids), from one paginated listing of the bot's aliases, and the
/// listing itself (id, name, version) with the test alias in it.
pub async fn find_ids(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
    wanted: &[String],
) -> Result<(Vec<String>, Vec<(String, String, String)>)> {
    let mut listed = list(lex, bot_id, bot_name).await?;
    if !listed.iter().any(|(id, _, _)| id == TEST_ALIAS_ID) {
        listed.push((
            TEST_ALIAS_ID.to_string(),
            TEST_ALIAS_NAME.to_string(),
            crate::resources::version::DRAFT.to_string(),
        ));
    }
    let mut ids: Vec<String> = Vec::new();
    for name_or_id in wanted {
        let found = listed
            .iter()
            .find(|(id, name, _)| id == name_or_id || name == name_or_id)
            .map(|(id, _, _)| id.clone())
            .or_else(|| {
                (name_or_id == TEST_ALIAS_ID || name_or_id == TEST_ALIAS_NAME)
                    .then(|| TEST_ALIAS_ID.to_string())
            });
        let Some(id) = found else {
            let names: Vec<&str> = listed.iter().map(|(_, name, _)| name.as_str()).collect();
            return Err(Error::invalid(
                format!(
                    "alias {name_or_id:?} not found on bot {bot_name} ({bot_id}); its aliases are: {}",
                    if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
                ),
                "check --alias (a name or an id)",
            ));
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok((ids, listed))
}

/// Reads the aliases, all at once.
pub async fn describe_all(
    lex: &aws_sdk_lexmodelsv2::Client,
    scope: &Scope,
    bot: &Bot,
    ids: &[String],
) -> Result<Vec<Alias>> {
    futures::future::try_join_all(ids.iter().map(|id| describe(lex, scope, bot, id))).await
}

/// Reads one alias by id, with its tags (both at once).
pub async fn describe(
    lex: &aws_sdk_lexmodelsv2::Client,
    scope: &Scope,
    bot: &Bot,
    alias_id: &str,
) -> Result<Alias> {
    let address = format!("alias[{}/{alias_id}]", bot.name);
    let arn = scope.bot_alias(&bot.id, alias_id);
    let (described, tags) = tokio::join!(
        lex.describe_bot_alias()
            .bot_id(&bot.id)
            .bot_alias_id(alias_id)
            .send(),
        lex.list_tags_for_resource().resource_arn(&arn).send()
    );
    let described = described.context("lex:DescribeBotAlias", &address)?;
    let tags = match tags.context("lex:ListTagsForResource", &address) {
        Ok(out) => out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        // Tags only matter to a take-over; a caller who may not read them has none of ours.
        Err(e) if e.has_code(&["AccessDeniedException"]) => Default::default(),
        Err(e) => return Err(e),
    };
    Ok(Alias {
        id: described.bot_alias_id().unwrap_or(alias_id).to_string(),
        name: described.bot_alias_name().unwrap_or_default().to_string(),
        described,
        runs_on: None,
        tags,
    })
}

/// Tag keys on an alias that record the destination a take-over replaced.
pub const PREVIOUS_TEXT_ARN: &str = "lex-logs-setup:previous-text-log-group";
pub const PREVIOUS_TEXT_PREFIX: &str = "lex-logs-setup:previous-text-prefix";
pub const PREVIOUS_TEXT_FLAGS: &str = "lex-logs-setup:previous-text-flags";
pub const PREVIOUS_AUDIO_ARN: &str = "lex-logs-setup:previous-audio-bucket";
pub const PREVIOUS_AUDIO_PREFIX: &str = "lex-logs-setup:previous-audio-prefix";
pub const PREVIOUS_AUDIO_KMS: &str = "lex-logs-setup:previous-audio-kms-key";
pub const PREVIOUS_AUDIO_FLAGS: &str = "lex-logs-setup:previous-audio-flags";

/// Every key a take-over record may use.
pub const RECORD_KEYS: [&str; 7] = [
    PREVIOUS_TEXT_ARN,
    PREVIOUS_TEXT_PREFIX,
    PREVIOUS_TEXT_FLAGS,
    PREVIOUS_AUDIO_ARN,
    PREVIOUS_AUDIO_PREFIX,
    PREVIOUS_AUDIO_KMS,
    PREVIOUS_AUDIO_FLAGS,
];

fn flags(enabled: bool, selective: Option<bool>) -> String {
    format!(
        "enabled={enabled} selective={}",
        selective
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unset".into())
    )
}

fn parse_flags(text: &str) -> (bool, Option<bool>) {
    let mut enabled = true;
    let mut selective = None;
    for part in text.split_whitespace() {
        match part.split_once('=') {
            Some(("enabled", v)) => enabled = v == "true",
            Some(("selective", "true")) => selective = Some(true),
            Some(("selective", "false")) => selective = Some(false),
            _ => {}
        }
    }
    (enabled, selective)
}

fn fits(value: &str) -> std::result::Result<(), String> {
    if value.chars().count() > crate::resources::tags::VALUE_MAX {
        Err(format!(
            "{value:?} is longer than a tag value may be ({} characters)",
            crate::resources::tags::VALUE_MAX
        ))
    } else {
        Ok(())
    }
}

/// The tags that record a text setting being replaced.
pub fn record_text(
    setting: &TextLogSetting,
) -> std::result::Result<crate::resources::tags::Tags, String> {
    let cw = setting
        .destination()
        .and_then(|d| d.cloud_watch())
        .ok_or("a text setting with no CloudWatch destination")?;
    fits(cw.cloud_watch_log_group_arn())?;
    fits(cw.log_prefix())?;
    Ok([
        (
            PREVIOUS_TEXT_ARN,
            cw.cloud_watch_log_group_arn().to_string(),
        ),
        (PREVIOUS_TEXT_PREFIX, cw.log_prefix().to_string()),
        (
            PREVIOUS_TEXT_FLAGS,
            flags(setting.enabled(), setting.selective_logging_enabled()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect())
}

/// The tags that record an audio setting being replaced.
pub fn record_audio(
    setting: &AudioLogSetting,
) -> std::result::Result<crate::resources::tags::Tags, String> {
    let s3 = setting
        .destination()
        .and_then(|d| d.s3_bucket())
        .ok_or("an audio setting with no S3 destination")?;
    fits(s3.s3_bucket_arn())?;
    fits(s3.log_prefix())?;
    let mut tags: crate::resources::tags::Tags = [
        (PREVIOUS_AUDIO_ARN, s3.s3_bucket_arn().to_string()),
        (PREVIOUS_AUDIO_PREFIX, s3.log_prefix().to_string()),
        (
            PREVIOUS_AUDIO_FLAGS,
            flags(setting.enabled(), setting.selective_logging_enabled()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(key) = s3.kms_key_arn() {
        fits(key)?;
        tags.insert(PREVIOUS_AUDIO_KMS.into(), key.to_string());
    }
    Ok(tags)
}

/// The text setting a take-over recorded on the alias, rebuilt exactly.
pub fn recorded_text(tags: &crate::resources::tags::Tags) -> Option<TextLogSetting> {
    let arn = tags.get(PREVIOUS_TEXT_ARN)?;
    let prefix = tags.get(PREVIOUS_TEXT_PREFIX).cloned().unwrap_or_default();
    let (enabled, selective) = parse_flags(tags.get(PREVIOUS_TEXT_FLAGS).map_or("", |s| s));
    Some(
        TextLogSetting::builder()
            .enabled(enabled)
            .set_selective_logging_enabled(selective)
            .destination(
                TextLogDestination::builder()
                    .cloud_watch(
                        CloudWatchLogGroupLogDestination::builder()
                            .cloud_watch_log_group_arn(arn)
                            .log_prefix(prefix)
                            .build()
                            .ok()?,
                    )
                    .build(),
            )
            .build(),
    )
}

/// The audio setting a take-over recorded on the alias, rebuilt exactly.
pub fn recorded_audio(tags: &crate::resources::tags::Tags) -> Option<AudioLogSetting> {
    let arn = tags.get(PREVIOUS_AUDIO_ARN)?;
    let prefix = tags.get(PREVIOUS_AUDIO_PREFIX).cloned().unwrap_or_default();
    let (enabled, selective) = parse_flags(tags.get(PREVIOUS_AUDIO_FLAGS).map_or("", |s| s));
    Some(
        AudioLogSetting::builder()
            .enabled(enabled)
            .set_selective_logging_enabled(selective)
            .destination(
                AudioLogDestination::builder()
                    .s3_bucket(
                        S3BucketLogDestination::builder()
                            .s3_bucket_arn(arn)
                            .log_prefix(prefix)
                            .set_kms_key_arn(tags.get(PREVIOUS_AUDIO_KMS).cloned())
                            .build()
                            .ok()?,
                    )
                    .build(),
            )
            .build(),
    )
}

/// Sets `values` on the alias's tags and removes the other `keys` (TagResource, UntagResource).
pub async fn set_tags(
    lex: &aws_sdk_lexmodelsv2::Client,
    arn: &str,
    keys: &[String],
    values: &crate::resources::tags::Tags,
) -> Result<()> {
    let address = format!("alias_tags[{arn}]");
    if !values.is_empty() {
        lex.tag_resource()
            .resource_arn(arn)
            .set_tags(Some(
                values.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ))
            .send()
            .await
            .context("lex:TagResource", &address)?;
    }
    let removed: Vec<String> = keys
        .iter()
        .filter(|k| !values.contains_key(*k))
        .cloned()
        .collect();
    if !removed.is_empty() {
        lex.untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .context("lex:UntagResource", &address)?;
    }
    Ok(())
}

/// Every alias of the bot as (id, name, version), across all pages.
pub async fn list(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
) -> Result<Vec<(String, String, String)>> {
    let mut pages = lex
        .list_bot_aliases()
        .bot_id(bot_id)
        .into_paginator()
        .send();
    let mut listed = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            Error::from(AwsError::from_sdk(
                "lex:ListBotAliases",
                format!("bot[{bot_name}]"),
                &e,
            ))
        })?;
        for summary in page.bot_alias_summaries() {
            if let (Some(id), Some(name)) = (summary.bot_alias_id(), summary.bot_alias_name()) {
                listed.push((
                    id.to_string(),
                    name.to_string(),
                    summary
                        .bot_version()
                        .unwrap_or(crate::resources::version::DRAFT)
                        .to_string(),
                ));
            }
        }
    }
    Ok(listed)
}

/// UpdateBotAlias with `settings` as the conversation log settings, sending back every other field
/// as `described` has it; retries while IAM propagates, then waits until the alias is Available.
pub async fn update_logs(
    lex: &aws_sdk_lexmodelsv2::Client,
    progress: &crate::progress::Progress,
    bot_id: &str,
    bot_name: &str,
    described: &DescribeBotAliasOutput,
    settings: Option<&ConversationLogSettings>,
    version: Option<&str>,
) -> Result<()> {
    let alias_id = described.bot_alias_id().unwrap_or_default();
    let address = format!(
        "alias[{bot_name}/{}]",
        described.bot_alias_name().unwrap_or(alias_id)
    );
    let out = super::lex_wait::retry_while_iam_propagates(
        progress,
        &format!("UpdateBotAlias of {address}"),
        || async {
            lex.update_bot_alias()
                .bot_id(bot_id)
                .bot_alias_id(alias_id)
                .bot_alias_name(described.bot_alias_name().unwrap_or_default())
                .set_description(described.description().map(str::to_string))
                .set_bot_version(version.or(described.bot_version()).map(str::to_string))
                .set_bot_alias_locale_settings(
                    described
                        .bot_alias_locale_settings()
                        .filter(|m| !m.is_empty())
                        .cloned(),
                )
                .set_sentiment_analysis_settings(described.sentiment_analysis_settings().cloned())
                .set_conversation_log_settings(settings.cloned())
                .send()
                .await
                .context("lex:UpdateBotAlias", &address)
        },
    )
    .await?;
    if out.bot_alias_status().map(|s| s.as_str()) != Some("Available") {
        super::lex_wait::until_available(progress, &address, || async {
            let out = lex
                .describe_bot_alias()
                .bot_id(bot_id)
                .bot_alias_id(alias_id)
                .send()
                .await
                .context("lex:DescribeBotAlias", &address)?;
            Ok(out
                .bot_alias_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default())
        })
        .await?;
    }
    Ok(())
}

/// The settings as JSON, in the API's own field names, for plans and snapshots.
pub fn settings_json(settings: Option<&ConversationLogSettings>) -> serde_json::Value {
    use serde_json::json;
    let Some(settings) = settings else {
        return serde_json::Value::Null;
    };
    let text: Vec<_> = settings
        .text_log_settings()
        .iter()
        .map(|t| {
            let cw = t.destination().and_then(|d| d.cloud_watch());
            json!({
                "enabled": t.enabled(),
                "cloudWatchLogGroupArn": cw.map(|c| c.cloud_watch_log_group_arn()),
                "logPrefix": cw.map(|c| c.log_prefix()),
            })
        })
        .collect();
    let audio: Vec<_> = settings
        .audio_log_settings()
        .iter()
        .map(|a| {
            let s3 = a.destination().and_then(|d| d.s3_bucket());
            json!({
                "enabled": a.enabled(),
                "s3BucketArn": s3.map(|s| s.s3_bucket_arn()),
                "logPrefix": s3.map(|s| s.log_prefix()),
                "kmsKeyArn": s3.and_then(|s| s.kms_key_arn()),
            })
        })
        .collect();
    // As the API sends it: a list that is not set is left out (never an empty list).
    let mut value = json!({});
    if settings.text_log_settings.is_some() {
        value["textLogSettings"] = json!(text);
    }
    if settings.audio_log_settings.is_some() {
        value["audioLogSettings"] = json!(audio);
    }
    value
}
