//! The slots of a bot's versions whose values conversation logs keep unmasked
//! (`obfuscationSetting` `None`), for `status --check-slots`. Only DescribeSlot says a slot's
//! obfuscation (ListSlots' summaries do not), so a version costs 1 ListBotLocales, 1 ListIntents
//! per locale, 1 ListSlots per intent (not the built-in FallbackIntent, which has none) and 1
//! DescribeSlot per slot, plus a call per further page. Each version is read once, however many
//! aliases run it.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_lexmodelsv2::types::ObfuscationSettingType;

use crate::error::{Context, Result};

/// The parent signature of the built-in intent every locale has, which has no slots.
const FALLBACK_SIGNATURE: &str = "AMAZON.FallbackIntent";

/// For each of `versions` of the bot: its unmasked slots, as `LOCALE/INTENT/SLOT`, sorted.
pub(crate) async fn unmasked_slots(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    versions: &BTreeSet<String>,
) -> Result<BTreeMap<String, Vec<String>>> {
    let found = futures::future::try_join_all(versions.iter().map(|version| async move {
        let slots = of_version(lex, bot_id, version).await?;
        Ok::<_, crate::error::Error>((version.clone(), slots))
    }))
    .await?;
    Ok(found.into_iter().collect())
}

async fn of_version(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    version: &str,
) -> Result<Vec<String>> {
    let address = format!("bot[{bot_id}] version {version}");
    let mut locales = Vec::new();
    let mut pages = lex
        .list_bot_locales()
        .bot_id(bot_id)
        .bot_version(version)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.context("lex:ListBotLocales", address.clone())?;
        locales.extend(
            page.bot_locale_summaries()
                .iter()
                .filter_map(|l| l.locale_id().map(str::to_string)),
        );
    }
    let per_locale = futures::future::try_join_all(
        locales
            .iter()
            .map(|locale| of_locale(lex, bot_id, version, locale)),
    )
    .await?;
    let mut slots: Vec<String> = per_locale.into_iter().flatten().collect();
    slots.sort();
    Ok(slots)
}

async fn of_locale(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    version: &str,
    locale: &str,
) -> Result<Vec<String>> {
    let address = format!("bot[{bot_id}] version {version} locale {locale}");
    let mut intents = Vec::new();
    let mut pages = lex
        .list_intents()
        .bot_id(bot_id)
        .bot_version(version)
        .locale_id(locale)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.context("lex:ListIntents", address.clone())?;
        intents.extend(
            page.intent_summaries()
                .iter()
                .filter(|i| i.parent_intent_signature() != Some(FALLBACK_SIGNATURE))
                .filter_map(|i| Some((i.intent_id()?.to_string(), i.intent_name()?.to_string()))),
        );
    }
    let per_intent = futures::future::try_join_all(intents.iter().map(|(id, name)| async move {
        let slots = of_intent(lex, bot_id, version, locale, id).await?;
        Ok::<_, crate::error::Error>(
            slots
                .into_iter()
                .map(|slot| format!("{locale}/{name}/{slot}"))
                .collect::<Vec<_>>(),
        )
    }))
    .await?;
    Ok(per_intent.into_iter().flatten().collect())
}

/// The names of the intent's slots that are not obfuscated.
async fn of_intent(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    version: &str,
    locale: &str,
    intent: &str,
) -> Result<Vec<String>> {
    let address = format!("bot[{bot_id}] version {version} locale {locale} intent {intent}");
    let mut slot_ids = Vec::new();
    let mut pages = lex
        .list_slots()
        .bot_id(bot_id)
        .bot_version(version)
        .locale_id(locale)
        .intent_id(intent)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.context("lex:ListSlots", address.clone())?;
        slot_ids.extend(
            page.slot_summaries()
                .iter()
                .filter_map(|s| s.slot_id().map(str::to_string)),
        );
    }
    let described = futures::future::try_join_all(slot_ids.iter().map(|slot| {
        lex.describe_slot()
            .bot_id(bot_id)
            .bot_version(version)
            .locale_id(locale)
            .intent_id(intent)
            .slot_id(slot)
            .send()
    }))
    .await
    .context("lex:DescribeSlot", address)?;
    Ok(described
        .iter()
        .filter(|d| {
            // A slot that does not say is not obfuscated: Lex's default is None.
            d.obfuscation_setting()
                .is_none_or(|o| o.obfuscation_setting_type() == &ObfuscationSettingType::None)
        })
        .map(|d| d.slot_name().unwrap_or_default().to_string())
        .collect())
}
