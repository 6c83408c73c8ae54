//! Planner tests of `--log-group-kms-key`: a new group is created with the key's ARN, a group of
//! ours gets it associated (beside a retention change, in one change of the group), another team's
//! only when taken over, a key CloudWatch Logs may not use for the group is refused with the
//! statement to add, and destroy never touches a group's key.

use serde_json::json;

use crate::iam_eval::logs_key::logs_key_statement;
use crate::observe::{FoundKey, ObservedKey};
use crate::plan::Action;
use crate::planner::*;
use crate::resources::alias_write::Guard;
use crate::resources::log_group::{LogGroupState, LogGroupStep};
use crate::resources::operation::Operation;
use crate::resources::tags;
use crate::spec::Spec;
use crate::step::Step;

use super::in_place::{find, spec, world};

const GROUP: &str = "/aws/lex/PizzaBot";
const GROUP_ARN: &str = "arn:aws:logs:us-west-2:444455556666:log-group:/aws/lex/PizzaBot";
const KEY: &str = "arn:aws:kms:us-west-2:444455556666:key/k1";
const OTHER_KEY: &str = "arn:aws:kms:us-west-2:444455556666:key/k0";
const ADDRESS: &str = "log_group[/aws/lex/PizzaBot]";

/// The key as read: `admits` says whether its policy has the statement for our group.
fn key(given: &str, admits: bool) -> ObservedKey {
    let root = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                      "Action": "kms:*", "Resource": "*"});
    let mut statements = vec![root];
    if admits {
        statements.push(logs_key_statement(GROUP_ARN));
    }
    ObservedKey {
        given: given.into(),
        found: Some(FoundKey {
            arn: KEY.into(),
            account: "444455556666".into(),
            symmetric_encryption: true,
            kind: "SYMMETRIC_DEFAULT for ENCRYPT_DECRYPT".into(),
            enabled: true,
            state: "Enabled".into(),
            policy: Some(json!({"Version": "2012-10-17", "Statement": statements})),
            customer_managed: true,
        }),
    }
}

fn asked(given: &str, retention: Option<i32>, take_over: bool) -> Spec {
    let mut spec = spec(true, false);
    let text = spec.text.as_mut().unwrap();
    text.kms_key = Some(given.into());
    text.retention_days = retention;
    spec.take_over_destinations = take_over;
    spec
}

fn observed(group: Option<LogGroupState>, key: ObservedKey) -> crate::observe::Observed {
    let mut obs = world();
    obs.log_group = Some((GROUP.into(), group));
    obs.log_group_key = Some(key);
    obs
}

fn group(ours: bool, retention: Option<i32>, key: Option<&str>) -> LogGroupState {
    let owner = match ours {
        true => (tags::MANAGED_BY, tags::MANAGED_BY_VALUE),
        false => ("team", "x"),
    };
    LogGroupState {
        name: GROUP.into(),
        retention_days: retention,
        kms_key_id: key.map(str::to_string),
        tags: [(owner.0.to_string(), owner.1.to_string())].into(),
    }
}

#[test]
fn a_new_group_is_created_with_the_keys_arn_and_an_alias_is_named_as_the_key_it_is_now() {
    for given in ["alias/lex-logs", KEY] {
        let plan = plan_apply(
            &asked(given, Some(30), false),
            &observed(None, key(given, true)),
        )
        .unwrap();
        let change = find(&plan, ADDRESS);
        assert_eq!(change.action, Action::Create);
        assert_eq!(
            change.step,
            Some(Step::LogGroup(LogGroupStep::Create {
                name: GROUP.into(),
                retention_days: Some(30),
                kms_key_id: Some(KEY.into()),
            }))
        );
        assert_eq!(change.after_json()["kmsKeyId"], json!(KEY));
        let noted = plan
            .notes
            .iter()
            .any(|n| n.contains("alias/lex-logs is key"));
        assert_eq!(noted, given != KEY, "{:?}", plan.notes);
    }
}

#[test]
fn a_key_whose_policy_does_not_admit_cloudwatch_logs_is_refused_with_the_statement_to_add() {
    for state in [None, Some(group(true, None, None))] {
        let obs = observed(state, key("alias/lex-logs", false));
        let err = plan_apply(&asked("alias/lex-logs", None, false), &obs)
            .unwrap_err()
            .to_string();
        for part in [
            "\"alias/lex-logs\" cannot encrypt log group",
            GROUP_ARN,
            "logs.us-west-2.amazonaws.com",
            "kms:EncryptionContext:aws:logs:arn",
            "never edits a key policy",
            KEY,
        ] {
            assert!(err.contains(part), "{part:?} missing from: {err}");
        }
    }
}

#[test]
fn a_group_of_ours_gets_the_key_associated_beside_its_retention_in_one_change() {
    let spec = asked(KEY, None, false);
    for now in [None, Some(OTHER_KEY)] {
        let obs = observed(Some(group(true, Some(7), now)), key(KEY, true));
        let plan = plan_apply(&spec, &obs).unwrap();
        let change = find(&plan, ADDRESS);
        assert_eq!(change.action, Action::Update);
        let step = LogGroupStep::SetKey {
            name: GROUP.into(),
            key: Some(KEY.into()),
            previous: now.map(str::to_string),
            guard: Guard::Plan,
        };
        assert_eq!(change.step, Some(Step::LogGroup(step.clone())));
        assert_eq!(change.before_json()["kmsKeyId"], json!(now));
        assert_eq!(change.after_json()["kmsKeyId"], json!(KEY));
        assert_eq!(change.after_json()["retentionInDays"], json!(7));
        // Its undo puts back exactly what the group had, only while it holds our key.
        assert_eq!(
            step.inverse(),
            Some(LogGroupStep::SetKey {
                name: GROUP.into(),
                key: now.map(str::to_string),
                previous: Some(KEY.into()),
                guard: Guard::Undo,
            })
        );
    }
    let obs = observed(Some(group(true, Some(7), None)), key(KEY, true));
    let plan = plan_apply(&asked(KEY, Some(30), false), &obs).unwrap();
    let Some(Step::LogGroup(LogGroupStep::Several { steps })) = &find(&plan, ADDRESS).step else {
        panic!("one change of the group, with both steps")
    };
    assert!(matches!(
        steps.as_slice(),
        [
            LogGroupStep::SetRetention { .. },
            LogGroupStep::SetKey { .. }
        ]
    ));
    let Some(LogGroupStep::Several { steps: undos }) = (LogGroupStep::Several {
        steps: steps.clone(),
    })
    .inverse() else {
        panic!("undone together")
    };
    assert!(matches!(
        undos.as_slice(),
        [
            LogGroupStep::SetKey { .. },
            LogGroupStep::SetRetention { .. }
        ]
    ));
}

#[test]
fn a_group_that_has_the_key_already_is_left_as_it_is() {
    for ours in [true, false] {
        let obs = observed(Some(group(ours, None, Some(KEY))), key(KEY, true));
        let plan = plan_apply(&asked("alias/lex-logs", None, false), &obs).unwrap();
        let change = find(&plan, ADDRESS);
        assert_eq!(change.action, Action::NoOp);
        assert_eq!(change.before_json()["kmsKeyId"], json!(KEY));
    }
}

#[test]
fn another_teams_group_gets_the_key_only_when_taken_over_and_destroy_leaves_it() {
    let obs = observed(Some(group(false, None, Some(OTHER_KEY))), key(KEY, true));
    let err = plan_apply(&asked(KEY, None, false), &obs)
        .unwrap_err()
        .to_string();
    for part in [
        GROUP,
        OTHER_KEY,
        "--take-over-destinations",
        "another team's",
    ] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
    let plan = plan_apply(&asked(KEY, None, true), &obs).unwrap();
    let change = find(&plan, ADDRESS);
    assert!(matches!(
        change.step,
        Some(Step::LogGroup(LogGroupStep::SetKey { .. }))
    ));
    let note = plan.notes.iter().find(|n| n.contains("taken over"));
    assert!(
        note.is_some_and(|n| n.contains("destroy leaves this key")),
        "{:?}",
        plan.notes
    );

    // Destroy reads no key and changes none: it says the group stays encrypted.
    let mut destroyed = observed(Some(group(false, None, Some(KEY))), key(KEY, true));
    destroyed.log_group_key = None;
    let plan = plan_destroy(&spec(true, false), &destroyed).unwrap();
    assert!(!plan
        .changes
        .iter()
        .any(|c| matches!(&c.step, Some(Step::LogGroup(LogGroupStep::SetKey { .. })))));
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("stays encrypted with KMS key") && n.contains(KEY)),
        "{:?}",
        plan.notes
    );
}
