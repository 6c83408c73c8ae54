//! Planner tests of the log group: another team's group keeps its settings unless taken over
//! (recorded, and put back exactly by destroy), and a shorter retention is never silent.

use crate::resources::alias_write::Guard;
use crate::resources::log_group::{LogGroupState, LogGroupStep, TagChange};
use crate::resources::tags::{self, Tags};
use crate::spec::Spec;
use crate::step::Step;

use super::in_place::{find, spec, world};
use crate::plan::Action;
use crate::planner::*;

const GROUP: &str = "/aws/lex/PizzaBot";
const GROUP_ARN: &str = "arn:aws:logs:us-west-2:444455556666:log-group:/aws/lex/PizzaBot";

fn group(retention: Option<i32>, tags: &[(&str, &str)]) -> LogGroupState {
    LogGroupState {
        name: GROUP.into(),
        retention_days: retention,
        kms_key_id: None,
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn with_group(state: LogGroupState) -> crate::observe::Observed {
    let mut obs = world();
    obs.log_group = Some((GROUP.into(), Some(state)));
    obs
}

fn retention(days: Option<i32>, take_over: bool) -> Spec {
    let mut spec = spec(true, false);
    spec.text.as_mut().unwrap().retention_days = days;
    spec.take_over_destinations = take_over;
    spec
}

fn tags_of(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const OURS: (&str, &str) = (tags::MANAGED_BY, tags::MANAGED_BY_VALUE);
const TEAM: (&str, &str) = ("team", "x");

#[test]
fn another_teams_retention_is_refused_without_the_flag_naming_group_retention_and_flag() {
    for (now, said) in [(Some(30), "30 days"), (None, "never expire")] {
        let obs = with_group(group(now, &[TEAM]));
        let err = plan_apply(&retention(Some(7), false), &obs)
            .unwrap_err()
            .to_string();
        for part in [
            GROUP,
            said,
            "--take-over-destinations",
            "--retention-days 7",
        ] {
            assert!(err.contains(part), "{part:?} missing from: {err}");
        }
    }
}

#[test]
fn without_retention_another_teams_group_is_left_exactly_as_it_is() {
    let obs = with_group(group(Some(30), &[TEAM]));
    for take_over in [false, true] {
        let plan = plan_apply(&retention(None, take_over), &obs).unwrap();
        assert_eq!(
            find(&plan, &format!("log_group[{GROUP}]")).action,
            Action::NoOp
        );
        assert!(
            !plan.notes.iter().any(|n| n.contains("retention")),
            "{:?}",
            plan.notes
        );
    }
}

#[test]
fn a_take_over_records_the_retention_first_and_shows_the_before_value() {
    for (now, recorded) in [(Some(30), "30"), (None, tags::NEVER_EXPIRE)] {
        let obs = with_group(group(now, &[TEAM]));
        let plan = plan_apply(&retention(Some(60), true), &obs).unwrap();
        let change = find(&plan, &format!("log_group[{GROUP}]"));
        assert_eq!(change.action, Action::Update);
        assert_eq!(
            change.before_json()["retentionInDays"],
            serde_json::json!(now)
        );
        let want = tags_of(&[
            (tags::PREVIOUS_RETENTION, recorded),
            (tags::TAKEN_OVER_RETENTION, "60"),
        ]);
        assert_eq!(
            change.step,
            Some(Step::LogGroup(LogGroupStep::RetentionWithRecord {
                name: GROUP.into(),
                arn: GROUP_ARN.into(),
                days: Some(60),
                previous: now,
                record: TagChange {
                    keys: vec![
                        tags::PREVIOUS_RETENTION.into(),
                        tags::TAKEN_OVER_RETENTION.into()
                    ],
                    values: want,
                    previous: Tags::new(),
                },
                guard: Guard::Plan,
            }))
        );
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("another team's") && n.contains("--take-over-destinations")),
            "{:?}",
            plan.notes
        );
    }
}

#[test]
fn a_group_taken_over_earlier_keeps_its_first_record_and_needs_no_flag_again() {
    let obs = with_group(group(
        Some(60),
        &[
            TEAM,
            (tags::PREVIOUS_RETENTION, "30"),
            (tags::TAKEN_OVER_RETENTION, "60"),
        ],
    ));
    let plan = plan_apply(&retention(Some(90), false), &obs).unwrap();
    let Some(Step::LogGroup(LogGroupStep::RetentionWithRecord { record, .. })) =
        &find(&plan, &format!("log_group[{GROUP}]")).step
    else {
        panic!("a retention with its record")
    };
    assert_eq!(record.values[tags::PREVIOUS_RETENTION], "30");
    assert_eq!(record.values[tags::TAKEN_OVER_RETENTION], "90");
    assert_eq!(record.previous[tags::TAKEN_OVER_RETENTION], "60");
}

#[test]
fn a_shorter_retention_warns_even_on_our_group_and_a_longer_one_does_not() {
    let warned = |now: Option<i32>, want: i32| {
        let obs = with_group(group(now, &[OURS]));
        let plan = plan_apply(&retention(Some(want), false), &obs).unwrap();
        let change = find(&plan, &format!("log_group[{GROUP}]"));
        assert!(matches!(
            change.step,
            Some(Step::LogGroup(LogGroupStep::SetRetention { .. }))
        ));
        plan.notes
            .iter()
            .find(|n| n.starts_with("warning: the retention"))
            .cloned()
    };
    let note = warned(Some(30), 7).expect("30 -> 7 warns");
    assert!(note.contains("older than 7 days"), "{note}");
    assert!(warned(None, 400).is_some(), "never expire -> 400 deletes");
    assert_eq!(warned(Some(7), 30), None);
}

#[test]
fn destroy_puts_back_the_recorded_retention_exactly_and_drops_the_record() {
    for (recorded, back) in [("30", Some(30)), (tags::NEVER_EXPIRE, None)] {
        let record = [
            TEAM,
            (tags::PREVIOUS_RETENTION, recorded),
            (tags::TAKEN_OVER_RETENTION, "7"),
        ];
        let obs = with_group(group(Some(7), &record));
        let plan = plan_destroy(&spec(true, false), &obs).unwrap();
        let change = find(&plan, &format!("log_group[{GROUP}]"));
        let Some(Step::LogGroup(LogGroupStep::RetentionWithRecord {
            days,
            previous,
            record,
            ..
        })) = &change.step
        else {
            panic!("a restore")
        };
        assert_eq!((*days, *previous), (back, Some(7)));
        assert!(record.values.is_empty());
        assert_eq!(record.keys.len(), 2);
        assert_eq!(
            change.after_json()["retentionInDays"],
            serde_json::json!(back)
        );
    }
}

#[test]
fn destroy_leaves_a_retention_changed_since_the_take_over_and_says_so() {
    let record = [
        TEAM,
        (tags::PREVIOUS_RETENTION, "30"),
        (tags::TAKEN_OVER_RETENTION, "7"),
    ];
    let obs = with_group(group(Some(14), &record));
    let plan = plan_destroy(&spec(true, false), &obs).unwrap();
    let Some(Step::LogGroup(LogGroupStep::RetentionWithRecord { days, previous, .. })) =
        &find(&plan, &format!("log_group[{GROUP}]")).step
    else {
        panic!("the record dropped")
    };
    assert_eq!((*days, *previous), (Some(14), Some(14)));
    assert!(plan.notes.iter().any(|n| n.contains("changed to 14 days")));
}

#[test]
fn destroy_finds_a_taken_over_group_our_grants_name_and_leaves_unrecorded_groups_alone() {
    let mut obs = world();
    obs.log_group = Some((GROUP.into(), Some(group(Some(5), &[TEAM]))));
    let mut other = group(Some(7), &[(tags::PREVIOUS_RETENTION, "3")]);
    other.name = "/team-x/pizza".into();
    obs.granted_log_groups = vec![other];
    let plan = plan_destroy(&spec(true, false), &obs).unwrap();
    let groups: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.address.to_string().starts_with("log_group"))
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(groups, vec!["log_group[/team-x/pizza]".to_string()]);
}

#[test]
fn the_dedicated_mode_refuses_another_teams_retention_too() {
    let mut obs = super::dedicated::fresh();
    let mut state = group(Some(30), &[TEAM]);
    state.name = "/aws/lex/OrderBot".into();
    obs.log_group = Some(("/aws/lex/OrderBot".into(), Some(state)));
    let mut spec = super::dedicated::spec();
    spec.text.as_mut().unwrap().retention_days = Some(7);
    let err = plan_apply(&spec, &obs).unwrap_err().to_string();
    assert!(err.contains("--take-over-destinations"), "{err}");
    spec.take_over_destinations = true;
    let plan = plan_apply(&spec, &obs).unwrap();
    assert_eq!(
        find(&plan, "log_group[/aws/lex/OrderBot]").action,
        Action::Update
    );
}

/// A group taken over (30 -> 3) whose team set 90 since.
fn changed_since_the_take_over() -> crate::observe::Observed {
    with_group(group(
        Some(90),
        &[
            TEAM,
            (tags::PREVIOUS_RETENTION, "30"),
            (tags::TAKEN_OVER_RETENTION, "3"),
        ],
    ))
}

#[test]
fn a_retention_changed_since_the_take_over_is_the_teams_again_and_refused_without_the_flag() {
    let err = plan_apply(&retention(Some(3), false), &changed_since_the_take_over())
        .unwrap_err()
        .to_string();
    for part in [
        GROUP,
        "90 days",
        "set 3 days",
        "--retention-days 3",
        "--take-over-destinations",
    ] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    // A missing half of the record is no record to keep either.
    let half = with_group(group(Some(3), &[TEAM, (tags::PREVIOUS_RETENTION, "30")]));
    let err = plan_apply(&retention(Some(7), false), &half).unwrap_err();
    assert!(
        err.to_string().contains("--take-over-destinations"),
        "{err}"
    );
}

#[test]
fn taking_it_over_again_records_the_teams_retention_in_place_of_the_first() {
    let plan = plan_apply(&retention(Some(3), true), &changed_since_the_take_over()).unwrap();
    let change = find(&plan, &format!("log_group[{GROUP}]"));
    assert_eq!(
        change.before_json()["retentionInDays"],
        serde_json::json!(90)
    );
    let Some(Step::LogGroup(step @ LogGroupStep::RetentionWithRecord { .. })) = &change.step else {
        panic!("a take-over")
    };
    let LogGroupStep::RetentionWithRecord {
        days,
        previous,
        record,
        guard,
        ..
    } = step
    else {
        unreachable!()
    };
    assert_eq!((*days, *previous, *guard), (Some(3), Some(90), Guard::Plan));
    assert_eq!(
        record.values,
        tags_of(&[
            (tags::PREVIOUS_RETENTION, "90"),
            (tags::TAKEN_OVER_RETENTION, "3")
        ])
    );
    assert_eq!(
        record.previous,
        tags_of(&[
            (tags::PREVIOUS_RETENTION, "30"),
            (tags::TAKEN_OVER_RETENTION, "3")
        ])
    );
    use crate::resources::operation::Operation;
    let said = step.describe();
    assert!(
        said.contains("its retention (90 days)") && said.contains("to 3 days"),
        "{said}"
    );
    let note = plan
        .notes
        .iter()
        .find(|n| n.contains("another team's"))
        .expect("the take-over is noted");
    assert!(
        note.contains("90 days")
            && note.contains("set 3 days")
            && note.ends_with("puts back 90 days"),
        "{note}"
    );
}

#[test]
fn a_later_change_on_a_group_still_as_taken_over_says_the_first_record_is_kept() {
    let obs = with_group(group(
        Some(60),
        &[
            TEAM,
            (tags::PREVIOUS_RETENTION, "30"),
            (tags::TAKEN_OVER_RETENTION, "60"),
        ],
    ));
    let plan = plan_apply(&retention(Some(90), false), &obs).unwrap();
    let Some(Step::LogGroup(step)) = &find(&plan, &format!("log_group[{GROUP}]")).step else {
        panic!("a change")
    };
    use crate::resources::operation::Operation;
    let said = step.describe();
    assert!(
        said.contains("from 60 days to 90 days") && said.contains("keeps 30 days"),
        "{said}"
    );
    assert!(!said.contains("its retention (60 days)"), "{said}");
    // Its undo puts back 60 only while the group still holds the 90 it set.
    let Some(LogGroupStep::RetentionWithRecord {
        days,
        previous,
        guard,
        ..
    }) = step.inverse()
    else {
        panic!("an undo")
    };
    assert_eq!((days, previous, guard), (Some(60), Some(90), Guard::Undo));
}
