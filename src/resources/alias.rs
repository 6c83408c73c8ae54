//! Lex V2 bot aliases: finding them by name or id, and reading them whole (UpdateBotAlias replaces
//! the alias, so every field we do not own is sent back as read).

use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;
use aws_sdk_lexmodelsv2::types::ConversationLogSettings;

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

/// The ids of `wanted` (names or ids), from one paginated listing of the bot's aliases.
pub async fn find_ids(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
    wanted: &[String],
) -> Result<Vec<String>> {
    let listed = list(lex, bot_id, bot_name).await?;
    let mut ids: Vec<String> = Vec::new();
    for name_or_id in wanted {
        let found = listed
            .iter()
            .find(|(id, name)| id == name_or_id || name == name_or_id)
            .map(|(id, _)| id.clone())
            .or_else(|| {
                (name_or_id == TEST_ALIAS_ID || name_or_id == TEST_ALIAS_NAME)
                    .then(|| TEST_ALIAS_ID.to_string())
            });
        let Some(id) = found else {
            let names: Vec<&str> = listed.iter().map(|(_, name)| name.as_str()).collect();
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
    Ok(ids)
}

/// Reads the aliases, all at once.
pub async fn describe_all(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot: &Bot,
    ids: &[String],
) -> Result<Vec<Alias>> {
    futures::future::try_join_all(ids.iter().map(|id| describe(lex, bot, id))).await
}

/// Reads one alias by id.
pub async fn describe(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot: &Bot,
    alias_id: &str,
) -> Result<Alias> {
    let described = lex
        .describe_bot_alias()
        .bot_id(&bot.id)
        .bot_alias_id(alias_id)
        .send()
        .await
        .context(
            "lex:DescribeBotAlias",
            format!("alias[{}/{alias_id}]", bot.name),
        )?;
    Ok(Alias {
        id: described.bot_alias_id().unwrap_or(alias_id).to_string(),
        name: described.bot_alias_name().unwrap_or_default().to_string(),
        described,
        runs_on: None,
    })
}

/// Every alias of the bot as (id, name), across all pages.
pub async fn list(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
) -> Result<Vec<(String, String)>> {
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
                listed.push((id.to_string(), name.to_string()));
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
    json!({"textLogSettings": text, "audioLogSettings": audio})
}
