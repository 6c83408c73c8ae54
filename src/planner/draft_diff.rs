//! `--publish-version`: what the version published from DRAFT changes for the aliases it
//! repoints, said concretely for each version they run now: the locales that go live or are
//! dropped (a version takes only DRAFT's built locales), each kept locale's intent and slot-type
//! counts, the role, data privacy (child-directed) and the idle session TTL.

use std::collections::{BTreeMap, BTreeSet};

use crate::observe::Observed;
use crate::resources::alias::Alias;
use crate::resources::version::DRAFT;
use crate::resources::version_contents::{LocaleContents, VersionContents};

/// One note per version the `stale` aliases run now: what the version published from DRAFT
/// holds that it does not, and the reverse. Empty when DRAFT and the versions were not read.
pub(super) fn draft_difference_notes(obs: &Observed, stale: &[&Alias]) -> Vec<String> {
    let Some(draft) = obs.version_contents.get(DRAFT) else {
        return Vec::new();
    };
    let mut by_version: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for alias in stale {
        by_version
            .entry(alias.version())
            .or_default()
            .push(alias.name.as_str());
    }
    let mut notes = Vec::new();
    if !draft.locales.values().any(LocaleContents::built) {
        notes.push(format!(
            "warning: DRAFT of bot {} has no built locale, so apply cannot publish a version from it: build a locale first",
            obs.bot.name
        ));
    }
    let role = obs.role_arn();
    for (version, aliases) in by_version {
        let Some(now) = obs.version_contents.get(version) else {
            continue;
        };
        let which = match aliases.as_slice() {
            [one] => format!("alias {one} runs"),
            many => format!("aliases {} run", many.join(", ")),
        };
        let mut said = differences(version, now, draft);
        if said.is_empty() {
            said.push("nothing but the role differs (locales, intent and slot-type counts, data privacy, idle session TTL are alike)".into());
        }
        if now.role.as_deref() != Some(role.as_str()) {
            let from = now.role.as_deref().unwrap_or("no role");
            said.insert(0, format!("role {from} -> {role}"));
        }
        let said = said.join("; ");
        notes.push(format!(
            "{which} version {version} now; the version published from DRAFT differs: {said}"
        ));
    }
    notes
}

/// What differs, but for the role, between `now` (version `version`) and the version DRAFT
/// would publish, each as a phrase.
fn differences(version: &str, now: &VersionContents, draft: &VersionContents) -> Vec<String> {
    let mut said = locale_differences(version, &now.locales, &draft.locales);
    if now.child_directed != draft.child_directed {
        said.push(format!(
            "child-directed {} -> {}",
            yes_no(now.child_directed),
            yes_no(draft.child_directed)
        ));
    }
    if now.idle_session_ttl != draft.idle_session_ttl {
        said.push(format!(
            "idle session TTL {} -> {}",
            seconds(now.idle_session_ttl),
            seconds(draft.idle_session_ttl)
        ));
    }
    said
}

/// The locales added, dropped or left out, and the counts that change in those kept.
fn locale_differences(
    version: &str,
    now: &BTreeMap<String, LocaleContents>,
    draft: &BTreeMap<String, LocaleContents>,
) -> Vec<String> {
    let ids: BTreeSet<&String> = now.keys().chain(draft.keys()).collect();
    let mut said = Vec::new();
    for id in ids {
        match (now.get(id), draft.get(id)) {
            (None, Some(d)) if d.built() => said.push(format!(
                "locale {id} goes live (built in DRAFT{})",
                counts(d)
            )),
            (None, Some(d)) => said.push(format!(
                "locale {id} is in DRAFT but not built ({}), so it is not published",
                d.status
            )),
            (Some(_), None) => said.push(format!(
                "locale {id} is dropped (in version {version}, not in DRAFT)"
            )),
            (Some(_), Some(d)) if !d.built() => said.push(format!(
                "locale {id} is dropped (in version {version}; in DRAFT it is {}, not built)",
                d.status
            )),
            (Some(v), Some(d)) => said.extend(count_changes(id, v, d)),
            (None, None) => {}
        }
    }
    said
}

/// A kept locale's intent and slot-type counts that differ (both known).
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

/// `, N intents, M slot types` when known.
fn counts(locale: &LocaleContents) -> String {
    match (locale.intents, locale.slot_types) {
        (Some(i), Some(s)) => format!(", {i} intents, {s} slot types"),
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
