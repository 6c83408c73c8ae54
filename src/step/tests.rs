//! Every step's undo: for each kind with an inverse, a representative value of every variant.

use serde_json::json;

use super::*;
use crate::resources::alias::{AliasVersion, Expected, Guard};
use crate::resources::log_settings::{LogSettings, TextLogSetting};
use crate::resources::tags::Tags;
use crate::spec::{Principal, PrincipalKind};

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn owner() -> Principal {
    Principal {
        kind: PrincipalKind::User,
        name: "deployer".into(),
    }
}

/// Steps whose inverse's inverse is the step itself.
fn involutive() -> Vec<Step> {
    let doc = json!({"Version": "2012-10-17", "Statement": []});
    let other = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]});
    let alarm = crate::plan::values::AlarmValue {
        alarm_name: "lex-logs-setup-B-A-text-logs-stopped".into(),
        alarm_description: "d".into(),
        metrics: vec![],
        evaluation_periods: 3,
        datapoints_to_alarm: 2,
        threshold: 1.0,
        comparison_operator: "GreaterThanOrEqualToThreshold".into(),
        treat_missing_data: "notBreaching".into(),
        alarm_actions: vec![],
        tags: tags(&[("k", "v")]),
    };
    let alarm_moved = crate::plan::values::AlarmValue {
        alarm_actions: vec!["arn:aws:sns:us-east-1:111122223333:t".into()],
        ..alarm.clone()
    };
    vec![
        Step::Alarm(crate::resources::alarm::AlarmStep::Create {
            value: alarm.clone(),
        }),
        Step::Alarm(crate::resources::alarm::AlarmStep::Delete {
            value: alarm.clone(),
        }),
        Step::Alarm(crate::resources::alarm::AlarmStep::Update {
            value: alarm_moved,
            previous: alarm,
            guard: Guard::Undo,
        }),
        Step::LogGroup(LogGroupStep::SetRetention {
            name: "/g".into(),
            days: Some(30),
            previous: None,
            guard: Guard::Undo,
        }),
        Step::LogGroup(LogGroupStep::SetRetention {
            name: "/g".into(),
            days: None,
            previous: Some(7),
            guard: Guard::Undo,
        }),
        Step::Role(RoleStep::Create {
            name: "R".into(),
            trust: doc.clone(),
            tags: tags(&[("k", "v")]),
            boundary: Some("arn:aws:iam::1:policy/B".into()),
        }),
        Step::Role(RoleStep::Update {
            name: "R".into(),
            trust: Some((doc.clone(), other.clone())),
            tags: Some((tags(&[("k", "new")]), tags(&[("k", "old")]))),
        }),
        Step::Role(RoleStep::Delete {
            name: "R".into(),
            trust: doc.clone(),
            tags: Tags::new(),
            boundary: None,
        }),
        Step::Policy(PolicyStep::Create {
            name: "P".into(),
            arn: "arn:aws:iam::1:policy/P".into(),
            document: doc.clone(),
            tags: tags(&[("k", "v")]),
        }),
        Step::Policy(PolicyStep::Delete {
            name: "P".into(),
            arn: "arn:aws:iam::1:policy/P".into(),
            document: doc.clone(),
            tags: Tags::new(),
        }),
        Step::Attachment(AttachmentStep::Attach {
            role: "R".into(),
            policy_arn: "arn:aws:iam::1:policy/P".into(),
        }),
        Step::Attachment(AttachmentStep::Detach {
            role: "R".into(),
            policy_arn: "arn:aws:iam::1:policy/P".into(),
        }),
        Step::InlinePolicy(InlinePolicyStep::Put {
            owner: owner(),
            name: "I".into(),
            document: doc.clone(),
            previous: Some(other.clone()),
            guard: Guard::Undo,
        }),
        Step::InlinePolicy(InlinePolicyStep::Put {
            owner: owner(),
            name: "I".into(),
            document: doc.clone(),
            previous: None,
            guard: Guard::Undo,
        }),
        Step::InlinePolicy(InlinePolicyStep::Delete {
            owner: owner(),
            name: "I".into(),
            previous: doc,
            guard: Guard::Undo,
        }),
        Step::Record(RecordStep::Set {
            arn: "arn:aws:lex:r:1:bot-alias/B/A".into(),
            what: "alias Bot/live".into(),
            keys: vec!["k".into(), "gone".into()],
            values: tags(&[("k", "v")]),
            previous: tags(&[("gone", "x")]),
            guard: Guard::Undo,
        }),
    ]
}

#[test]
fn the_inverse_of_the_inverse_is_the_step() {
    for step in involutive() {
        let inverse = step.inverse().unwrap_or_else(|| panic!("{step:?}"));
        assert_ne!(inverse, step, "an undo that changes nothing: {step:?}");
        assert_eq!(inverse.inverse().as_ref(), Some(&step), "{step:?}");
    }
}

/// Whatever a rollback may leave, a person can undo by hand: every undo the engine journals has
/// a command, and the grant record's names the tags to set and remove.
#[test]
fn every_undo_has_a_by_hand_command() {
    for step in involutive() {
        let undo = step.inverse().expect("involutive");
        let command = undo
            .how_by_hand()
            .unwrap_or_else(|| panic!("no by-hand command for {undo:?}"));
        assert!(command.starts_with("aws "), "{command}");
        assert_eq!(step.how_to_undo_by_hand(), Some(command));
    }
    let record = Step::Record(RecordStep::Set {
        arn: "arn:aws:lex:r:1:bot/B".into(),
        what: "bot Bot".into(),
        keys: vec!["k".into(), "gone".into()],
        values: tags(&[("k", "it's")]),
        previous: Tags::new(),
        guard: Guard::Plan,
    });
    assert_eq!(
        record.inverse().unwrap().how_by_hand().unwrap(),
        "aws lexv2-models untag-resource --resource-arn arn:aws:lex:r:1:bot/B --tag-keys k gone"
    );
    assert_eq!(
        record.how_by_hand().unwrap(),
        r#"aws lexv2-models tag-resource --resource-arn arn:aws:lex:r:1:bot/B --tags '{"k":"it'\''s"}' && aws lexv2-models untag-resource --resource-arn arn:aws:lex:r:1:bot/B --tag-keys gone"#
    );
}

fn text_logs(group: &str) -> LogSettings {
    let setting =
        TextLogSetting::to_group(&format!("arn:aws:logs:r:1:log-group:{group}"), "p/", None);
    LogSettings::of(vec![setting], vec![]).unwrap()
}

/// Bots and aliases are undone by writing back what was read: the undo of a change is the
/// restore, and the restore's undo is the restore again (an undo is never undone).
#[test]
fn bots_and_aliases_are_undone_by_what_was_read() {
    let set = |expected: &str, role: &str, guard| {
        Step::Bot(BotStep::SetRole {
            bot_id: "ID".into(),
            bot_name: "Bot".into(),
            expected: Some(format!("arn:aws:iam::1:role/{expected}")),
            role_arn: format!("arn:aws:iam::1:role/{role}"),
            guard,
        })
    };
    let set_role = set("old", "new", Guard::Plan);
    let restore = set("new", "old", Guard::Undo);
    assert_eq!(set_role.inverse(), Some(restore.clone()));
    assert_eq!(restore.inverse(), Some(set("old", "new", Guard::Undo)));

    // An alias update's undo restores what the plan read while the alias holds what the update
    // wrote; its inverse is the update again, as an undo (it too only restores what it finds).
    let step = |expected: &str, version: AliasVersion, settings: &str, to, guard| {
        Step::Alias(AliasStep::UpdateLogs {
            bot_id: "ID".into(),
            bot_name: "Bot".into(),
            alias_id: "AID".into(),
            alias_name: "live".into(),
            expected: Box::new(Expected {
                settings: Some(text_logs(expected)),
                version,
                writer: None,
            }),
            settings: Some(text_logs(settings)),
            version: to,
            guard,
        })
    };
    let number = |v: &str| AliasVersion::Number(v.into());
    let update = step("old", number("1"), "new", number("2"), Guard::Plan);
    let restore = step("new", number("2"), "old", number("1"), Guard::Undo);
    assert_eq!(update.inverse(), Some(restore.clone()));
    let again = step("old", number("1"), "new", number("2"), Guard::Undo);
    assert_eq!(restore.inverse(), Some(again));
    // Keeping the version, the undo keeps whatever version the alias runs then.
    let keep = step("old", number("1"), "new", AliasVersion::Keep, Guard::Plan);
    let restore_keep = step(
        "new",
        AliasVersion::Keep,
        "old",
        AliasVersion::Keep,
        Guard::Undo,
    );
    assert_eq!(keep.inverse(), Some(restore_keep));
}

/// What has no inverse: a deleted log group (its logs cannot come back), a policy update and its
/// restore (the undo needs the new version's id, from the answer), a deleted version; a publish's
/// undo finds the version by the run's description.
#[test]
fn steps_without_an_inverse() {
    let create = Step::LogGroup(LogGroupStep::Create {
        name: "/g".into(),
        retention_days: Some(3),
        kms_key_id: None,
    });
    let delete = Step::LogGroup(LogGroupStep::Delete { name: "/g".into() });
    assert_eq!(create.inverse(), Some(delete.clone()));
    assert_eq!(delete.inverse(), None);
    let policy = |version: &str| PolicyStep::Update {
        name: "P".into(),
        arn: "arn".into(),
        document: json!({}),
        previous_version: version.into(),
    };
    assert_eq!(Step::Policy(policy("v1")).inverse(), None);
    let restore = Step::Policy(PolicyStep::Restore {
        name: "P".into(),
        arn: "arn".into(),
        version: "v1".into(),
        remove: "v2".into(),
        pruned: None,
    });
    assert_eq!(restore.inverse(), None);
    let publish = Step::Version(VersionStep::Publish {
        bot_id: "ID".into(),
        bot_name: "Bot".into(),
        source: "2".into(),
    });
    let delete_version = Step::Version(VersionStep::Delete {
        bot_id: "ID".into(),
        bot_name: "Bot".into(),
        version: "3".into(),
    });
    // A publish's undo finds the version by this run's description (no answer needed).
    let delete_ours = Step::Version(VersionStep::DeletePublishedByRun {
        bot_id: "ID".into(),
        bot_name: "Bot".into(),
    });
    assert_eq!(publish.inverse(), Some(delete_ours.clone()));
    assert_eq!(delete_ours.inverse(), None);
    assert_eq!(delete_version.inverse(), None);
}

fn pass_role(action: &str, role: &str) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": [action], "Resource": format!("arn:aws:iam::1:role/{role}")
    }]})
}

/// An inline policy is written only over what the step expects (apply: the plan's read; an undo:
/// what this run wrote), compared by meaning as IAM returns documents reformatted; the undo of a
/// create deletes only our document, and finds nothing to do after a put that never happened.
#[test]
fn inline_policies_are_written_only_over_what_was_expected() {
    use crate::error::Error;
    use crate::resources::inline_policy::Found;
    let ours = pass_role("iam:PassRole", "Logs");
    // As IAM may return it: one statement as an object, one action as a string.
    let ours_returned = json!({"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Action": "iam:PassRole", "Resource": ["arn:aws:iam::1:role/Logs"]
    }});
    let theirs = pass_role("iam:PassRole", "TheirRole");
    let before = pass_role("iam:GetRole", "Logs");
    let put = |document: &serde_json::Value, previous: Option<&serde_json::Value>, guard| {
        InlinePolicyStep::Put {
            owner: owner(),
            name: "I".into(),
            document: document.clone(),
            previous: previous.cloned(),
            guard,
        }
    };
    let delete = |previous: &serde_json::Value, guard| InlinePolicyStep::Delete {
        owner: owner(),
        name: "I".into(),
        previous: previous.clone(),
        guard,
    };

    let create = put(&ours, None, Guard::Plan);
    assert_eq!(create.judge(None), Found::Expected);
    assert_eq!(create.judge(Some(&ours_returned)), Found::AlreadySo);
    assert_eq!(create.judge(Some(&theirs)), Found::Moved);
    let undo_create = create.inverse().unwrap();
    assert_eq!(undo_create, delete(&ours, Guard::Undo));
    assert_eq!(undo_create.judge(Some(&ours_returned)), Found::Expected);
    assert_eq!(undo_create.judge(None), Found::AlreadySo);
    assert_eq!(undo_create.judge(Some(&theirs)), Found::Moved);

    let update = put(&ours, Some(&before), Guard::Plan);
    assert_eq!(update.judge(Some(&before)), Found::Expected);
    assert_eq!(update.judge(None), Found::Moved);
    assert_eq!(update.judge(Some(&theirs)), Found::Moved);
    let restore = update.inverse().unwrap();
    assert_eq!(restore, put(&before, Some(&ours), Guard::Undo));
    assert_eq!(restore.judge(Some(&ours_returned)), Found::Expected);
    assert_eq!(restore.judge(Some(&before)), Found::AlreadySo);
    assert_eq!(restore.judge(Some(&theirs)), Found::Moved);
    assert_eq!(restore.judge(None), Found::Moved);

    let remove = delete(&before, Guard::Plan);
    assert_eq!(remove.judge(Some(&before)), Found::Expected);
    assert_eq!(remove.judge(None), Found::AlreadySo);
    assert_eq!(remove.judge(Some(&ours)), Found::Moved);
    let recreate = remove.inverse().unwrap();
    assert_eq!(recreate, put(&before, None, Guard::Undo));
    assert_eq!(recreate.judge(None), Found::Expected);
    assert_eq!(recreate.judge(Some(&theirs)), Found::Moved);

    // Apply refuses as stale; an undo leaves it and says so (the rollback lists it).
    let owner = owner();
    assert!(matches!(
        update.moved(&owner, "I", Some(&theirs)),
        Error::Stale { .. }
    ));
    let Error::ChangedElsewhere(left) = restore.moved(&owner, "I", Some(&theirs)) else {
        panic!("an undo reports what it left");
    };
    assert!(left.contains("inline_policy[user/deployer/I]"), "{left}");
    assert!(left.contains("TheirRole"), "{left}");
}
