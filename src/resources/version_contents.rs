//! What a bot version (or DRAFT) holds, as far as a reviewer of `--publish-version` cares: the
//! role it runs on, its data privacy and idle session TTL (DescribeBotVersion, or DescribeBot for
//! DRAFT), and its locales with their status and intent and slot-type counts (ListBotLocales,
//! then DescribeBotLocale for each). The plan compares DRAFT with the version each repointed
//! alias runs now.

use std::collections::BTreeMap;

use crate::error::{AwsError, Context, Error, Result};
use crate::resources::bot::Bot;
use crate::resources::version::DRAFT;

/// A version's (or DRAFT's) settings and locales.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionContents {
    pub role: Option<String>,
    pub child_directed: Option<bool>,
    pub idle_session_ttl: Option<i32>,
    /// By locale id; empty until the locales are read (only with `--publish-version`).
    pub locales: BTreeMap<String, LocaleContents>,
}

/// One locale of a version: its status (`Built`, `NotBuilt`, ...) and how many intents and slot
/// types it has (`None`: DescribeBotLocale was not allowed).
#[derive(Debug, Clone, PartialEq)]
pub struct LocaleContents {
    pub status: String,
    pub intents: Option<i32>,
    pub slot_types: Option<i32>,
}

impl LocaleContents {
    pub(crate) fn built(&self) -> bool {
        self.status == "Built"
    }
}

/// DRAFT's settings, from the bot as DescribeBot gave it (its locales are read apart).
pub(crate) fn of_draft(bot: &Bot) -> VersionContents {
    VersionContents {
        role: bot.role_arn().map(str::to_string),
        child_directed: bot.described.data_privacy().map(|p| p.child_directed()),
        idle_session_ttl: bot.described.idle_session_ttl_in_seconds(),
        locales: BTreeMap::new(),
    }
}

/// A published version's settings (DescribeBotVersion; its locales are read apart).
pub(crate) async fn describe(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot: &Bot,
    version: &str,
) -> Result<VersionContents> {
    let out = lex
        .describe_bot_version()
        .bot_id(&bot.id)
        .bot_version(version)
        .send()
        .await
        .context(
            "lex:DescribeBotVersion",
            format!("version[{}/{version}]", bot.name),
        )?;
    Ok(VersionContents {
        role: out.role_arn().map(str::to_string),
        child_directed: out.data_privacy().map(|p| p.child_directed()),
        idle_session_ttl: out.idle_session_ttl_in_seconds(),
        locales: BTreeMap::new(),
    })
}

/// The locales of `version` (DRAFT or a number), each with its counts, read concurrently.
pub(crate) async fn locales(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot: &Bot,
    version: &str,
) -> Result<BTreeMap<String, LocaleContents>> {
    let address = format!("version[{}/{version}]", bot.name);
    let mut pages = lex
        .list_bot_locales()
        .bot_id(&bot.id)
        .bot_version(version)
        .into_paginator()
        .send();
    let mut listed = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| Error::from(AwsError::from_sdk("lex:ListBotLocales", &address, &e)))?;
        for summary in page.bot_locale_summaries() {
            let Some(id) = summary.locale_id() else {
                continue;
            };
            let status = summary.bot_locale_status().map(|s| s.as_str().to_string());
            listed.push((id.to_string(), status.unwrap_or_default()));
        }
    }
    let described = futures::future::try_join_all(listed.into_iter().map(|(id, status)| {
        let address = &address;
        async move {
            let (intents, slot_types) = counts(lex, bot, version, &id, address).await?;
            let locale = LocaleContents {
                status,
                intents,
                slot_types,
            };
            Ok::<_, Error>((id, locale))
        }
    }))
    .await?;
    Ok(described.into_iter().collect())
}

/// How many intents and slot types a locale has; unknown (`None`) when DescribeBotLocale is not
/// allowed, since the counts only inform the plan.
async fn counts(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot: &Bot,
    version: &str,
    locale: &str,
    address: &str,
) -> Result<(Option<i32>, Option<i32>)> {
    match lex
        .describe_bot_locale()
        .bot_id(&bot.id)
        .bot_version(version)
        .locale_id(locale)
        .send()
        .await
        .context(
            "lex:DescribeBotLocale",
            format!("{address} locale {locale}"),
        ) {
        Ok(out) => Ok((out.intents_count(), out.slot_types_count())),
        Err(e) if e.has_code(&["AccessDeniedException"]) => Ok((None, None)),
        Err(e) => Err(e),
    }
}

/// The locales of DRAFT and of each of `versions`, by version, all read concurrently.
pub(crate) async fn locales_of_versions(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot: &Bot,
    versions: impl Iterator<Item = &String>,
) -> Result<BTreeMap<String, BTreeMap<String, LocaleContents>>> {
    let all: Vec<String> = std::iter::once(DRAFT.to_string())
        .chain(versions.cloned())
        .collect();
    let read = futures::future::try_join_all(all.into_iter().map(|version| async move {
        let found = locales(lex, bot, &version).await?;
        Ok::<_, Error>((version, found))
    }))
    .await?;
    Ok(read.into_iter().collect())
}
