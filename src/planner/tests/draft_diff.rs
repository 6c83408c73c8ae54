//! Planner tests of `--publish-version`: a version published from the locales the repointed
//! aliases run (aliases on two versions refused), and what it says changes: the role and the
//! bot's own settings; what DRAFT holds beyond is said to stay out.

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

fn note_for<'a>(notes: &'a [String], which: &str) -> &'a str {
    notes
        .iter()
        .find(|n| n.starts_with(which))
        .unwrap_or_else(|| panic!("no note starting {which:?} in {notes:#?}"))
}

/// The plan of `obs` with --publish-version for the first `aliases` of live, beta, canary.
fn plan_of(obs: &Observed, aliases: usize) -> crate::error::Result<crate::plan::Plan> {
    let mut obs = obs.clone();
    obs.aliases.truncate(aliases);
    let spec = Spec {
        publish_version: true,
        aliases: obs.aliases.iter().map(|a| a.name.clone()).collect(),
        ..spec()
    };
    plan_apply(&spec, &obs)
}

fn draft() -> VersionContents {
    contents(
        Some(SLR),
        false,
        600,
        &[
            ("en_US", locale("Built", 4, 2)),
            ("fr_FR", locale("Built", 3, 0)),
            ("de_DE", locale("NotBuilt", 1, 0)),
            ("en_GB", locale("NotBuilt", 1, 0)),
        ],
    )
}

fn version_one() -> VersionContents {
    contents(
        Some(SLR),
        false,
        300,
        &[
            ("en_US", locale("Built", 1, 0)),
            ("en_GB", locale("Built", 1, 0)),
            ("es_ES", locale("Built", 1, 0)),
        ],
    )
}

#[test]
fn a_version_is_published_from_the_locales_the_aliases_run_and_only_the_bot_settings_are_said() {
    let obs = observed(draft(), version_one(), version_one());
    let plan = plan_of(&obs, 2).unwrap();
    // The step and the value say the source: version 1, not DRAFT.
    let publish = plan
        .changes
        .iter()
        .find(|c| c.address.to_string() == "version[OrderBot/new]")
        .unwrap();
    assert_eq!(publish.after_json()["sourceBotVersion"], "1");
    assert!(matches!(
        &publish.step,
        Some(crate::step::Step::Version(crate::resources::version::VersionStep::Publish { source, .. })) if source == "1"
    ));
    let notes = &plan.notes;
    let v1 = note_for(notes, "aliases live, beta run version 1 now");
    for said in [
        format!("role {SLR} -> {OURS}"),
        "idle session TTL 300 s -> 600 s (the bot's setting now)".into(),
        "locales, intents and slot types are version 1's".into(),
    ] {
        assert!(v1.contains(&said), "{said:?} not in {v1}");
    }
    assert!(
        !v1.contains("child-directed") && !v1.contains("fr_FR"),
        "{v1}"
    );
    // What DRAFT holds beyond version 1 is said to stay out of the published version.
    let left = note_for(
        notes,
        "DRAFT of bot OrderBot differs from version 1 and is not published",
    );
    for said in [
        "locale de_DE is in DRAFT only (NotBuilt)",
        "locale en_GB is NotBuilt in DRAFT",
        "locale en_US: intents 1 -> 4, slot types 0 -> 2",
        "locale es_ES is in version 1 only",
        "locale fr_FR is built in DRAFT only (3 intents, 0 slot types)",
    ] {
        assert!(left.contains(said), "{said:?} not in {left}");
    }
    assert!(notes.iter().any(|n| n.starts_with(
        "--publish-version publishes a new version of bot OrderBot from the locales of version 1"
    )));
}

#[test]
fn aliases_on_two_versions_are_refused_with_the_way_through() {
    let obs = observed(draft(), version_one(), version_one());
    let err = plan_of(&obs, 3).unwrap_err().to_string();
    assert!(
        err.contains("they run 1 and 2") && err.contains("canary (version 2"),
        "{err}"
    );
    assert!(
        err.contains("apply once per group of aliases on the same version"),
        "{err}"
    );
}

#[test]
fn only_what_differs_is_said_and_unread_stays_generic() {
    let same = || contents(Some(SLR), true, 300, &[("en_US", locale("Built", 2, 1))]);
    let mut bot_now = same();
    bot_now.child_directed = Some(false);
    let notes = plan_of(&observed(bot_now, same(), same()), 1)
        .unwrap()
        .notes;
    assert_eq!(
        note_for(&notes, "alias live runs version 1 now"),
        format!("alias live runs version 1 now; the version published from its locales differs: role {SLR} -> {OURS}; child-directed yes -> no (the bot's setting now); locales, intents and slot types are version 1's")
    );
    assert!(
        notes.iter().all(|n| !n.starts_with("DRAFT of bot")),
        "{notes:#?}"
    );
    // All alike but the role: only the role is said.
    let notes = plan_of(&observed(same(), same(), same()), 1).unwrap().notes;
    assert_eq!(
        note_for(&notes, "alias live runs version 1 now"),
        format!("alias live runs version 1 now; the version published from its locales differs: role {SLR} -> {OURS}; locales, intents and slot types are version 1's")
    );
    // Not read: the general note only.
    let mut obs = observed(same(), same(), same());
    obs.version_contents.clear();
    let notes = plan_of(&obs, 1).unwrap().notes;
    assert!(notes.iter().any(|n| n.contains("only the role changes")));
    assert!(notes
        .iter()
        .all(|n| !n.contains("now; the version published")));
}
