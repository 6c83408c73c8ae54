//! `--publish-version`: what the version it publishes changes for the aliases it repoints. The
//! version is made from the locales of the version they run now (`sourceBotVersion`), so its
//! locales, intents and slot types are theirs; what comes from the bot as it is now (its role,
//! data privacy (child-directed) and idle session TTL) is compared and said. DRAFT's locales
//! are not published: what DRAFT holds beyond the running version is said to stay out.

use std::collections::{BTreeMap, BTreeSet};

use crate::observe::Observed;
use crate::resources::alias::Alias;
use crate::resources::version::DRAFT;
use crate::resources::version_contents::{LocaleContents, VersionContents};

/// One note per version the `stale` aliases run now: what the version published from its
/// locales changes (the role, and the bot's settings where they moved since), and what DRAFT
/// holds that is not published. Empty when the versions were not read.
pub(super) fn publish_difference_notes(obs: &Observed, stale: &[&Alias]) -> Vec<String> {
    let mut by_version: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for alias in stale {
        by_version
            .entry(alias.version())
            .or_default()
            .push(alias.name.as_str());
    }
    let draft = obs.version_contents.get(DRAFT);
    let role = obs.role_arn();
    let mut notes = Vec::new();
    for (version, aliases) in by_version {
        let Some(now) = obs.version_contents.get(version) else {
            continue;
        };
        let which = match aliases.as_slice() {
            [one] => format!("alias {one} runs"),
            many => format!("aliases {} run", many.join(", ")),
        };
        let mut said = Vec::new();
        if now.role.as_deref() != Some(role.as_str()) {
            let from = now.role.as_deref().unwrap_or("no role");
            said.push(format!("role {from} -> {role}"));
        }
        if let Some(bot) = draft {
            said.extend(bot_setting_differences(now, bot));
        }
        said.push(format!(
            "locales, intents and slot types are version {version}'s"
        ));
        notes.push(format!(
            "{which} version {version} now; the version published from its locales differs: {}",
            said.join("; ")
        ));
        if let Some(draft) = draft {
            let left = locale_differences(version, &now.locales, &draft.locales);
            if !left.is_empty() {
                notes.push(format!(
                    "DRAFT of bot {} differs from version {version} and is not published (it stays for your next build): {}",
                    obs.bot.name,
                    left.join("; ")
                ));
            }
        }
    }
    notes
}

/// What the bot's own settings (which a new version takes from the bot as it is now, `bot`)
/// change against version `now`: data privacy and the idle session TTL.
fn bot_setting_differences(now: &VersionContents, bot: &VersionContents) -> Vec<String> {
    let mut said = Vec::new();
    if now.child_directed != bot.child_directed {
        said.push(format!(
            "child-directed {} -> {} (the bot's setting now)",
            yes_no(now.child_directed),
            yes_no(bot.child_directed)
        ));
    }
    if now.idle_session_ttl != bot.idle_session_ttl {
        said.push(format!(
            "idle session TTL {} -> {} (the bot's setting now)",
            seconds(now.idle_session_ttl),
            seconds(bot.idle_session_ttl)
        ));
    }
    said
}

/// How DRAFT's locales differ from version `version`'s (none of it is published).
fn locale_differences(
    version: &str,
    now: &BTreeMap<String, LocaleContents>,
    draft: &BTreeMap<String, LocaleContents>,
) -> Vec<String> {
    let ids: BTreeSet<&String> = now.keys().chain(draft.keys()).collect();
    let mut said = Vec::new();
    for id in ids {
        match (now.get(id), draft.get(id)) {
            (None, Some(d)) if d.built() => {
                said.push(format!("locale {id} is built in DRAFT only{}", counts(d)))
            }
            (None, Some(d)) => said.push(format!("locale {id} is in DRAFT only ({})", d.status)),
            (Some(_), None) => said.push(format!("locale {id} is in version {version} only")),
            (Some(_), Some(d)) if !d.built() => {
                said.push(format!("locale {id} is {} in DRAFT", d.status))
            }
            (Some(v), Some(d)) => said.extend(count_changes(id, v, d)),
            (None, None) => {}
        }
    }
    said
}

/// A locale's intent and slot-type counts that differ, version -> DRAFT (both known).
fn count_changes(id: &str, now: &LocaleContents, draft: &LocaleContents) -> Option<String> {
    let change = |what: &str, a: Option<i32>, b: Option<i32>| match (a, b) {
        (Some(a), Some(b)) if a != b => Some(format!("{what} {a} -> {b}")),
        _ => None,
    };
    let changes: Vec<String> = [
        change("intents", now.intents, draft.intents),
        change("slot types", now.slot_types, draft.slot_types),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!changes.is_empty()).then(|| format!("locale {id}: {}", changes.join(", ")))
}

/// ` (N intents, M slot types)` when known.
fn counts(locale: &LocaleContents) -> String {
    match (locale.intents, locale.slot_types) {
        (Some(i), Some(s)) => format!(" ({i} intents, {s} slot types)"),
        _ => String::new(),
    }
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

fn seconds(value: Option<i32>) -> String {
    value.map_or("unknown".into(), |s| format!("{s} s"))
}
