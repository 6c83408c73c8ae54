//! Unit tests of plan files: what is refused on reading, and what a moved world is said to be.

use super::*;
use crate::plan::{Action, Address, Mode, Provider, Resource, Target};
use crate::resources::alias::{AliasStep, AliasVersion, Expected, Guard};
use crate::step::Step;

fn here() -> Provider {
    Provider {
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        via: None,
    }
}

fn alias_change(version: &str, prefix: &str) -> Change {
    let settings = |p: &str| {
        crate::resources::log_settings::LogSettings::of(
            vec![crate::resources::log_settings::TextLogSetting::to_group(
                "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lex/B",
                p,
                None,
            )],
            vec![],
        )
    };
    Change::new(
        &here(),
        Address::alias("B", "live"),
        Action::Update,
        Some(Resource::bot("x")),
        Some(Resource::bot(prefix)),
        Step::Alias(AliasStep::UpdateLogs {
            bot_id: "BID".into(),
            bot_name: "B".into(),
            alias_id: "AID".into(),
            alias_name: "live".into(),
            expected: Box::new(Expected {
                settings: None,
                version: AliasVersion::Number(version.into()),
                writer: None,
            }),
            settings: settings(prefix),
            version: AliasVersion::Keep,
            guard: Guard::Plan,
        }),
    )
}

fn plan(changes: Vec<Change>) -> Plan {
    Plan {
        command: Mode::Apply,
        targets: vec![Target {
            bot: "B".into(),
            bot_id: "BID".into(),
            aliases: vec!["live".into()],
            alias_ids: vec!["AID".into()],
            role: "LexLogs-B".into(),
            region: "eu-west-1".into(),
            account: "111122223333".into(),
            partition: "aws".into(),
            writers: vec![],
            previous_role: None,
            assume_role: None,
        }],
        changes,
        notes: vec![],
    }
}

fn written(text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "saved-plan-test-{}-{}.json",
        std::process::id(),
        text.len() ^ text.chars().map(|c| c as usize).sum::<usize>()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_written_plan_reads_back_equal() {
    let saved = SavedPlan::new(plan(vec![alias_change("6", "lex/")]), vec![]);
    let path = std::env::temp_dir().join(format!("saved-plan-rt-{}.json", std::process::id()));
    saved.write(&path).unwrap();
    assert_eq!(SavedPlan::read(&path).unwrap(), saved);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\"formatVersion\": 1") && text.ends_with("}\n"),
        "{text}"
    );
}

#[test]
fn a_file_that_is_not_a_plan_of_this_format_and_version_is_refused_with_the_reason() {
    let good = serde_json::to_value(SavedPlan::new(plan(vec![]), vec![])).unwrap();
    let with = |key: &str, value: Value| {
        let mut v = good.clone();
        v[key] = value;
        written(&v.to_string())
    };
    let cases = [
        (
            written("not json at all"),
            "is not a lex-logs-setup plan file",
        ),
        (
            written("{\"terraform_version\": \"1.9\"}"),
            "is not a lex-logs-setup plan file",
        ),
        (
            with("formatVersion", 2.into()),
            "a plan file of format 2; this lex-logs-setup reads format 1",
        ),
        (
            with("toolVersion", "0.0.1 (commit old)".into()),
            "was made by lex-logs-setup 0.0.1 (commit old)",
        ),
        (with("plan", "nothing".into()), "is damaged"),
    ];
    for (path, said) in cases {
        let err = SavedPlan::read(&path).unwrap_err();
        assert!(err.to_string().contains(said), "{}: {err}", path.display());
        assert_eq!(err.exit_code(), crate::error::exit_code::USAGE);
        let _ = std::fs::remove_file(path);
    }
    let missing = SavedPlan::read(std::path::Path::new("/nonexistent/plan.json")).unwrap_err();
    assert!(missing.to_string().contains("could not read the plan file"));
}

#[test]
fn a_moved_world_is_said_field_by_field() {
    let saved = plan(vec![alias_change("6", "lex/")]);
    assert!(stale_differences(&saved, &saved.clone()).is_empty());
    // A deployment moved the alias to version 7.
    let moved = stale_differences(&saved, &plan(vec![alias_change("7", "lex/")]));
    assert_eq!(
        moved,
        ["111122223333/eu-west-1: alias[B/live]: step.Alias.UpdateLogs.expected.version.Number: \"6\" -> \"7\""],
    );
    // What the change would write moved too: after and the step's settings are named.
    let moved = stale_differences(&saved, &plan(vec![alias_change("6", "other/")]));
    assert!(
        moved
            .iter()
            .any(|m| m.contains("after.roleArn: \"lex/\" -> \"other/\"")),
        "{moved:?}"
    );
    assert!(
        moved
            .iter()
            .any(|m| m.contains("step.Alias.UpdateLogs.settings")),
        "{moved:?}"
    );
    // A change no longer needed, and one now needed.
    let gone = stale_differences(&saved, &plan(vec![]));
    assert_eq!(
        gone,
        ["111122223333/eu-west-1: alias[B/live]: planned to update, now not planned at all"]
    );
    let new = stale_differences(&plan(vec![]), &saved);
    assert_eq!(
        new,
        ["111122223333/eu-west-1: alias[B/live]: not planned, now needs to update"]
    );
    let mut done = saved.clone();
    done.changes[0].action = Action::NoOp;
    assert_eq!(
        stale_differences(&saved, &done),
        ["111122223333/eu-west-1: alias[B/live]: planned to update, now needs to change nothing"]
    );
    assert_eq!(
        stale_differences(&done, &saved),
        ["111122223333/eu-west-1: alias[B/live]: planned to change nothing, now needs to update"]
    );
    // What needs nothing, then and now, may differ: no change depends on it.
    let mut other_noop = done.clone();
    other_noop.changes[0].before = Some(Resource::bot("someone else's"));
    assert!(stale_differences(&done, &other_noop).is_empty());
    assert!(stale_differences(&done, &plan(vec![])).is_empty());
}
