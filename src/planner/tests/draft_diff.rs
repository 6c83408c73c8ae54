//! Planner tests of what `--publish-version` says it changes: per version the repointed aliases
//! run, the locales, counts, role, data privacy and idle session TTL that differ from DRAFT.

use std::collections::BTreeMap;

use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;

use super::dedicated::{alias, fresh, spec, SLR};
use crate::observe::Observed;
use crate::planner::*;
use crate::resources::alias::Alias;
use crate::resources::version_contents::{LocaleContents, VersionContents};
use crate::spec::Spec;

const OURS: &str = "arn:aws:iam::111122223333:role/LexLogs-OrderBot";

fn on_version(id: &str, name: &str, version: &str) -> Alias {
    let mut on = alias(None);
    on.id = id.into();
    on.name = name.into();
    on.described = DescribeBotAliasOutput::builder()
        .bot_alias_id(id)
        .bot_alias_name(name)
        .bot_version(version)
        .build();
    on
}

fn locale(status: &str, intents: i32, slot_types: i32) -> LocaleContents {
    LocaleContents {
        status: status.into(),
        intents: Some(intents),
        slot_types: Some(slot_types),
    }
}

fn contents(
    role: Option<&str>,
    child: bool,
    ttl: i32,
    locales: &[(&str, LocaleContents)],
) -> VersionContents {
    VersionContents {
        role: role.map(str::to_string),
        child_directed: Some(child),
        idle_session_ttl: Some(ttl),
        locales: locales
            .iter()
            .map(|(id, l)| (id.to_string(), l.clone()))
            .collect(),
    }
}

/// `live` and `beta` on version 1, `canary` on version 2, as observation reads them with
/// --publish-version.
fn observed(draft: VersionContents, one: VersionContents, two: VersionContents) -> Observed {
    let mut obs = fresh();
    obs.aliases = vec![
        on_version("LIVE000001", "live", "1"),
        on_version("BETA000001", "beta", "1"),
        on_version("CANARY0001", "canary", "2"),
    ];
    obs.version_contents = BTreeMap::from([
        ("DRAFT".to_string(), draft),
        ("1".to_string(), one),
        ("2".to_string(), two),
    ]);
    obs
}

fn notes_of(obs: &Observed) -> Vec<String> {
    let spec = Spec {
        publish_version: true,
        aliases: vec!["live".into(), "beta".into(), "canary".into()],
        ..spec()
    };
    plan_apply(&spec, obs).unwrap().notes
}

fn note_for<'a>(notes: &'a [String], which: &str) -> &'a str {
    notes
        .iter()
        .find(|n| n.starts_with(which))
        .unwrap_or_else(|| panic!("no note starting {which:?} in {notes:#?}"))
}

#[test]
fn each_version_the_aliases_run_is_compared_with_draft() {
    let draft = contents(
        Some(SLR),
        false,
        600,
        &[
            ("en_US", locale("Built", 4, 2)),
            ("fr_FR", locale("Built", 3, 0)),
            ("de_DE", locale("NotBuilt", 1, 0)),
            ("en_GB", locale("NotBuilt", 1, 0)),
        ],
    );
    let one = contents(
        Some(SLR),
        false,
        300,
        &[
            ("en_US", locale("Built", 1, 0)),
            ("en_GB", locale("Built", 1, 0)),
            ("es_ES", locale("Built", 1, 0)),
        ],
    );
    let two = contents(
        Some(SLR),
        false,
        600,
        &[
            ("en_US", locale("Built", 4, 2)),
            ("fr_FR", locale("Built", 3, 0)),
        ],
    );
    let notes = notes_of(&observed(draft, one, two));
    let v1 = note_for(&notes, "aliases live, beta run version 1 now");
    for said in [
        format!("role {SLR} -> {OURS}"),
        "locale de_DE is in DRAFT but not built (NotBuilt), so it is not published".into(),
        "locale en_GB is dropped (in version 1; in DRAFT it is NotBuilt, not built)".into(),
        "locale en_US: intents 1 -> 4, slot types 0 -> 2".into(),
        "locale es_ES is dropped (in version 1, not in DRAFT)".into(),
        "locale fr_FR goes live (built in DRAFT, 3 intents, 0 slot types)".into(),
        "idle session TTL 300 s -> 600 s".into(),
    ] {
        assert!(v1.contains(&said), "{said:?} not in {v1}");
    }
    assert!(!v1.contains("child-directed"), "{v1}");
    // Version 2 holds what DRAFT holds: only the role changes (and unbuilt DRAFT locales).
    let v2 = note_for(&notes, "alias canary runs version 2 now");
    assert!(v2.contains(&format!("role {SLR} -> {OURS}")), "{v2}");
    assert!(
        !v2.contains("en_US") && !v2.contains("fr_FR") && !v2.contains("TTL"),
        "{v2}"
    );
    assert!(notes.iter().all(|n| !n.contains("no built locale")));
}

#[test]
fn only_what_differs_is_said_an_unbuilt_draft_is_warned_and_unread_stays_generic() {
    let same = || contents(Some(SLR), true, 300, &[("en_US", locale("Built", 2, 1))]);
    let mut draft = same();
    draft.child_directed = Some(false);
    let mut obs = observed(draft, same(), same());
    obs.aliases.truncate(1);
    let notes = notes_of(&obs);
    let v1 = note_for(&notes, "alias live runs version 1 now");
    assert_eq!(
        v1,
        format!("alias live runs version 1 now; the version published from DRAFT differs: role {SLR} -> {OURS}; child-directed yes -> no")
    );
    // All alike but the role: said so.
    let notes = notes_of(&observed(same(), same(), same()));
    let v2 = note_for(&notes, "alias canary runs version 2 now");
    assert!(v2.ends_with(&format!("role {SLR} -> {OURS}; nothing but the role differs (locales, intent and slot-type counts, data privacy, idle session TTL are alike)")), "{v2}");
    // DRAFT without a built locale: apply could not publish, and the plan says so.
    let unbuilt = contents(Some(SLR), true, 300, &[("en_US", locale("NotBuilt", 2, 1))]);
    let notes = notes_of(&observed(unbuilt, same(), same()));
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("warning: DRAFT of bot OrderBot has no built locale")),
        "{notes:#?}"
    );
    // Not read (no --publish-version reads): the plan keeps the general note only.
    let mut obs = observed(same(), same(), same());
    obs.version_contents.clear();
    let notes = notes_of(&obs);
    assert!(notes
        .iter()
        .any(|n| n.contains("whatever DRAFT holds that the old versions did not goes live")));
    assert!(notes
        .iter()
        .all(|n| !n.contains("now; the version published from DRAFT differs")));
}
