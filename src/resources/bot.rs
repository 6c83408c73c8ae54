//! The Lex V2 bot: finding it by name or id, reading it whole, and setting its role (UpdateBot
//! replaces the bot, so the bot is read again right before, and every field we do not own is sent
//! back as it is then).

use aws_sdk_lexmodelsv2::operation::describe_bot::DescribeBotOutput;
use aws_sdk_lexmodelsv2::types::{BotFilter, BotFilterName, BotFilterOperator};

use crate::error::{AwsError, Context, Error, Result};
pub(crate) use crate::resources::alias_write::Guard;
use crate::resources::operation::{self, Operation};

/// A bot as read from Lex.
#[derive(Debug, Clone)]
pub struct Bot {
    pub id: String,
    pub name: String,
    /// Everything DescribeBot returned, to send back on UpdateBot.
    pub described: DescribeBotOutput,
}

impl Bot {
    pub(crate) fn role_arn(&self) -> Option<&str> {
        self.described.role_arn()
    }

    /// Bots for children under 13 (COPPA) may not have conversation logs.
    pub(crate) fn child_directed(&self) -> bool {
        self.described
            .data_privacy()
            .map(|p| p.child_directed())
            .unwrap_or(false)
    }

    /// True when the bot runs with the role of this name.
    pub(crate) fn runs_on(&self, role_name: &str) -> bool {
        self.role_arn().and_then(crate::arn::iam_name) == Some(role_name)
    }
}

/// True when `err` says there is no bot with that id (or the text cannot be an id at all).
pub(crate) fn is_no_such_bot(err: &Error) -> bool {
    err.is_not_found() || err.has_code(&["ValidationException"])
}

/// The error for a bot that is neither a name nor an id.
pub(crate) fn not_found(name_or_id: &str, region: &str) -> Error {
    Error::invalid(
        format!("bot {name_or_id:?} not found in region {region}: {NO_SUCH_BOT}"),
        "check --bot and --region (`aws lexv2-models list-bots` lists the bots)",
    )
}

/// True when `err` is [`not_found`]'s: no bot has that name or id.
pub(crate) fn is_missing(err: &Error) -> bool {
    matches!(err, Error::Invalid { message, .. } if message.ends_with(NO_SUCH_BOT))
}

const NO_SUCH_BOT: &str = "no bot has that name or id";

/// The error for a text that is the name of one bot and the id of another: which bot is meant
/// cannot be known, and acting on the other would change the wrong bot's logs, so neither is
/// chosen.
pub(crate) fn ambiguous(given: &str, by_id: &Bot, named_id: &str) -> Error {
    Error::invalid(
        format!(
            "--bot {given:?} is both the id of bot {} and the name of bot {named_id}; nothing was done",
            by_id.name
        ),
        format!(
            "give the bot's other identifier instead: --bot {:?} for the bot whose id it is, or --bot {named_id} (the id) for the bot of that name",
            by_id.name
        ),
    )
}

/// Reads one bot by id.
pub(crate) async fn describe(lex: &aws_sdk_lexmodelsv2::Client, bot_id: &str) -> Result<Bot> {
    let described = lex
        .describe_bot()
        .bot_id(bot_id)
        .send()
        .await
        .context("lex:DescribeBot", format!("bot[{bot_id}]"))?;
    Ok(Bot {
        id: described.bot_id().unwrap_or(bot_id).to_string(),
        name: described.bot_name().unwrap_or_default().to_string(),
        described,
    })
}

pub(crate) async fn find_id_by_name(
    lex: &aws_sdk_lexmodelsv2::Client,
    name: &str,
) -> Result<Option<String>> {
    let filter = BotFilter::builder()
        .name(BotFilterName::BotName)
        .operator(BotFilterOperator::Equals)
        .values(name)
        .build()
        .map_err(|e| Error::invalid(format!("bad bot name {name:?}: {e}"), "check --bot"))?;
    let mut pages = lex.list_bots().filters(filter).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            Error::from(AwsError::from_sdk(
                "lex:ListBots",
                format!("bot[{name}]"),
                &e,
            ))
        })?;
        // The filter is a hint to the service; the exact match is ours.
        if let Some(found) = page
            .bot_summaries()
            .iter()
            .find(|b| b.bot_name() == Some(name))
        {
            return Ok(found.bot_id().map(str::to_string));
        }
    }
    Ok(None)
}

/// UpdateBot with `role_arn`, sending back every other field as `now` (read right before) has
/// it; retries while IAM propagates a new role, then waits until the bot is Available.
async fn update_role(
    lex: &aws_sdk_lexmodelsv2::Client,
    progress: &crate::progress::Progress,
    now: &DescribeBotOutput,
    role_arn: &str,
) -> Result<()> {
    let bot_id = now.bot_id().unwrap_or_default();
    let name = now.bot_name().unwrap_or_default();
    let address = format!("bot[{name}]");
    let out = super::lex_wait::retry_while_iam_propagates(
        progress,
        &format!("UpdateBot of {address}"),
        || async {
            lex.update_bot()
                .bot_id(bot_id)
                .bot_name(name)
                .set_description(now.description().map(str::to_string))
                .role_arn(role_arn)
                .set_data_privacy(now.data_privacy().cloned())
                .set_idle_session_ttl_in_seconds(now.idle_session_ttl_in_seconds())
                .set_bot_type(now.bot_type().cloned())
                .set_bot_members(
                    (!now.bot_members().is_empty()).then(|| now.bot_members().to_vec()),
                )
                .set_error_log_settings(now.error_log_settings().cloned())
                .send()
                .await
                .context("lex:UpdateBot", &address)
        },
    )
    .await?;
    if out.bot_status().map(|s| s.as_str()) != Some("Available") {
        super::lex_wait::until_available(progress, &address, || async {
            let now = describe(lex, bot_id).await?;
            Ok(now
                .described
                .bot_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default())
        })
        .await?;
    }
    Ok(())
}

/// The changes the engine makes to a bot.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum BotStep {
    /// UpdateBot with `role_arn`, every other field as the bot has it right before the write;
    /// refused when the bot's role is not `expected` (the plan's read; an undo: the role this run
    /// set, and otherwise left alone).
    SetRole {
        bot_id: String,
        bot_name: String,
        expected: Option<String>,
        role_arn: String,
        guard: Guard,
    },
}

impl Operation for BotStep {
    fn describe(&self) -> String {
        let BotStep::SetRole {
            bot_name, role_arn, ..
        } = self;
        format!("set the role of bot {bot_name} to {role_arn}")
    }

    fn how_by_hand(&self) -> Option<String> {
        let BotStep::SetRole {
            bot_id, role_arn, ..
        } = self;
        Some(format!(
            "set the role of bot {bot_id} back to {role_arn} in the Lex console (UpdateBot needs every field of the bot)"
        ))
    }

    /// The role the bot had when it was read, while it runs on the one this step set.
    fn inverse(&self) -> Option<Self> {
        let BotStep::SetRole {
            bot_id,
            bot_name,
            expected,
            role_arn,
            ..
        } = self.clone();
        Some(BotStep::SetRole {
            bot_id,
            bot_name,
            expected: Some(role_arn),
            role_arn: expected.unwrap_or_default(),
            guard: Guard::Undo,
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let BotStep::SetRole {
            bot_id,
            bot_name,
            expected,
            role_arn,
            guard,
        } = self;
        let lex = &ctx.clients.lex;
        let now = describe(lex, bot_id).await?;
        let now_role = now.role_arn();
        if now_role == Some(role_arn.as_str()) {
            return Ok(None);
        }
        if now_role != expected.as_deref() {
            let now_role = now_role.unwrap_or("(none)");
            let expected = expected.as_deref().unwrap_or("(none)");
            return Err(match guard {
                Guard::Plan => Error::stale(
                    format!("bot[{bot_name}] changed since the plan read it: its role is now {now_role} (the plan read {expected}); it was not written"),
                    "someone else changed the bot's role while this run worked; run plan again and review the new plan",
                ),
                Guard::Undo => Error::ChangedElsewhere(format!(
                    "bot[{bot_name}] was changed by someone else after this run wrote it: its role ({now_role}) left as it is"
                )),
            });
        }
        update_role(lex, &ctx.progress, &now.described, role_arn).await?;
        Ok(self.inverse())
    }
}

/// Every bot of the region: (id, name), in name order.
pub(crate) async fn list_all(lex: &aws_sdk_lexmodelsv2::Client) -> Result<Vec<(String, String)>> {
    let mut pages = lex.list_bots().into_paginator().send();
    let mut bots = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            Error::from(crate::error::AwsError::from_sdk("lex:ListBots", "bots", &e))
        })?;
        for summary in page.bot_summaries() {
            if let (Some(id), Some(name)) = (summary.bot_id(), summary.bot_name()) {
                bots.push((id.to_string(), name.to_string()));
            }
        }
    }
    bots.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(bots)
}
