//! The reads `--alarm` and `--insights-queries` need: our alarm of each alias, by its
//! deterministic name (apply with `--alarm`, destroy, status; `status` looks it up in one listing
//! of our alarms per account and region), the locales of the versions the
//! aliases run (apply with `--alarm`: the alarm watches each locale's traffic), and the saved
//! queries named with our prefix for the text log group (apply with `--insights-queries`,
//! destroy).

use std::collections::{BTreeMap, BTreeSet};

use crate::aws::Clients;
use crate::error::{AwsError, Error, Result};
use crate::plan::Mode;
use crate::resources::alarm::{self, name as alarm_name};
use crate::spec::Spec;

use super::Observed;

/// True when apply asks for alarms or destroy may remove them: then our alarms are read.
pub(crate) fn wanted(spec: &Spec, mode: Mode) -> bool {
    mode == Mode::Destroy || (mode == Mode::Apply && spec.alarm.is_some())
}

/// Our alarms of the aliases `alias_ids` of the bot (by their deterministic names), when
/// [`wanted`]: they need only the ids, so they are read beside the aliases themselves.
pub(crate) async fn read_by_ids(
    clients: &Clients,
    spec: &Spec,
    mode: Mode,
    bot_id: &str,
    alias_ids: &[String],
) -> Result<Option<BTreeMap<String, alarm::AlarmState>>> {
    if !wanted(spec, mode) {
        return Ok(None);
    }
    by_names(clients, bot_id, alias_ids.iter()).await.map(Some)
}

/// Apply with `--alarm`: the locale ids of each version the aliases run (the alarm watches
/// each locale's traffic).
pub(crate) async fn read_locales(
    clients: &Clients,
    spec: &Spec,
    mode: Mode,
    observed: &Observed,
) -> Result<BTreeMap<String, Vec<String>>> {
    if !(mode == Mode::Apply && spec.alarm.is_some()) {
        return Ok(BTreeMap::new());
    }
    let versions: BTreeSet<String> = observed
        .aliases
        .iter()
        .map(|a| a.version().to_string())
        .collect();
    let bot = &observed.bot;
    let locales = futures::future::try_join_all(versions.into_iter().map(|version| async move {
        let ids = locale_ids(&clients.lex, &bot.id, &bot.name, &version).await?;
        Ok::<_, Error>((version, ids))
    }))
    .await?;
    Ok(locales.into_iter().collect())
}

/// Reads our saved queries of the text log group `group` (its name is known from the first wave
/// on) when apply asks for them or destroy may remove them.
pub(crate) async fn read_queries(
    clients: &Clients,
    spec: &Spec,
    mode: Mode,
    group: Option<&str>,
) -> Result<Option<Vec<crate::resources::query::QueryState>>> {
    let wanted = mode == Mode::Destroy || (mode == Mode::Apply && spec.insights_queries);
    let Some(group) = group.filter(|_| wanted) else {
        return Ok(None);
    };
    let prefix = crate::resources::query::group_prefix(group);
    crate::resources::query::observe(&clients.logs, &prefix)
        .await
        .map(Some)
}

/// The alarms of the observed aliases that exist (by name), with their tags.
pub(crate) async fn read_alarms(
    clients: &Clients,
    observed: &Observed,
) -> Result<BTreeMap<String, alarm::AlarmState>> {
    let ids = observed.aliases.iter().map(|a| &a.id);
    by_names(clients, &observed.bot.id, ids).await
}

/// Our alarms of the bot's aliases `alias_ids` that exist, with their tags. When the alarms of
/// ours in the clients' account and region were listed (`status`), they are looked up there
/// (one DescribeAlarms for every bot, not one per bot); else, or when the listing failed, they
/// are read by name.
async fn by_names<'a>(
    clients: &Clients,
    bot_id: &str,
    alias_ids: impl Iterator<Item = &'a String>,
) -> Result<BTreeMap<String, alarm::AlarmState>> {
    let names: Vec<String> = alias_ids.map(|a| alarm_name(bot_id, a)).collect();
    let cloudwatch = &clients.cloudwatch;
    match clients
        .listings
        .alarms(cloudwatch, alarm::NAME_PREFIX)
        .await?
    {
        Some(listed) => {
            let found: Vec<_> = names
                .iter()
                .filter_map(|n| listed.get(n).cloned())
                .collect();
            alarm::tagged(cloudwatch, &found).await
        }
        None => alarm::observe(cloudwatch, &names).await,
    }
}

/// The locale ids of a version of the bot (ListBotLocales).
async fn locale_ids(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
    version: &str,
) -> Result<Vec<String>> {
    let address = format!("version[{bot_name}/{version}]");
    let mut pages = lex
        .list_bot_locales()
        .bot_id(bot_id)
        .bot_version(version)
        .into_paginator()
        .send();
    let mut ids = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| Error::from(AwsError::from_sdk("lex:ListBotLocales", &address, &e)))?;
        let listed = page.bot_locale_summaries().iter();
        ids.extend(listed.filter_map(|s| s.locale_id().map(str::to_string)));
    }
    ids.sort();
    Ok(ids)
}
