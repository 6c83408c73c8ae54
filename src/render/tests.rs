//! Unit tests of rendering: diffs, grouping, colour, summaries, places.
use super::*;

#[test]
fn json_diff_marks_only_what_changed() {
    let before = json!({"roleArn": "old", "keep": 1});
    let after = json!({"roleArn": "new", "keep": 1});
    let diff = json_diff(&before, &after);
    assert!(
        diff.contains(&"-   \"roleArn\": \"old\",".to_string()),
        "{diff:?}"
    );
    assert!(
        diff.contains(&"+   \"roleArn\": \"new\",".to_string()),
        "{diff:?}"
    );
    assert!(diff.contains(&"    \"keep\": 1".to_string()), "{diff:?}");
    assert!(json_diff(&Value::Null, &json!({"a": 1}))
        .iter()
        .all(|l| l.starts_with("+ ")));
    assert!(json_diff(&json!({"a": 1}), &Value::Null)
        .iter()
        .all(|l| l.starts_with("- ")));
}

#[test]
fn plan_text_groups_by_kind_and_colours_only_when_asked() {
    use crate::plan::{Address, Step, Target};
    use crate::resources::log_group::LogGroupStep;
    let step = || {
        Step::LogGroup(LogGroupStep::Create {
            name: "/g".into(),
            retention_days: None,
            kms_key_id: None,
        })
    };
    let plan = Plan {
        command: Mode::Apply,
        targets: vec![Target {
            bot: "B".into(),
            bot_id: "ID".into(),
            aliases: vec!["live".into()],
            alias_ids: vec![],
            role: "R".into(),
            region: "r".into(),
            account: "111122223333".into(),
            partition: "aws".into(),
            writers: vec![],
            previous_role: None,
            assume_role: None,
        }],
        changes: vec![
            Change::new(
                &crate::plan::Provider::default(),
                Address::alias("B", "live"),
                Action::Update,
                Some(crate::plan::Resource::bot("1")),
                Some(crate::plan::Resource::bot("2")),
                step(),
            ),
            Change::new(
                &crate::plan::Provider::default(),
                Address::Role("R".into()),
                Action::Create,
                None,
                Some(crate::plan::Resource::bot("R")),
                step(),
            ),
            Change::no_op(
                &crate::plan::Provider::default(),
                Address::LogGroup("/g".into()),
                crate::plan::Resource::bot(""),
            ),
        ],
        notes: vec!["a note".into()],
    };
    let text = plan_text(&plan, false);
    assert!(
        text.find("+ role[R]").unwrap() < text.find("~ alias[B/live]").unwrap(),
        "{text}"
    );
    assert!(
        text.contains("Unchanged:\n  log_group[/g]") && text.contains("  - a note"),
        "{text}"
    );
    assert!(!text.contains('\x1b'));
    assert!(text.ends_with("Plan: 1 to create, 1 to update, 0 to delete, 1 unchanged.\n"));
    let colored = plan_text(&plan, true);
    assert!(
        colored.contains("\x1b[32m+ role[R]\x1b[0m") && colored.contains("\x1b[33m~ alias[B/live]"),
        "{colored}"
    );
}

#[test]
fn summary_line_counts_actions() {
    let s = Summary {
        create: 3,
        update: 1,
        delete: 0,
        no_op: 2,
    };
    assert_eq!(
        summary_line(s),
        "Plan: 3 to create, 1 to update, 0 to delete, 2 unchanged."
    );
    assert!(summary_line(Summary {
        no_op: 4,
        ..Default::default()
    })
    .starts_with("No changes"));
}

#[test]
fn a_plan_in_several_places_says_where_each_change_is() {
    use crate::plan::{Address, Provider, Target};
    let target = |account: &str, region: &str| Target {
        bot: "B".into(),
        bot_id: "ID".into(),
        aliases: vec!["live".into()],
        alias_ids: vec![],
        role: "R".into(),
        region: region.into(),
        account: account.into(),
        partition: "aws".into(),
        writers: vec![],
        previous_role: None,
        assume_role: None,
    };
    let at = |account: &str, region: &str, change: Change| Change {
        provider: Provider {
            account: account.into(),
            region: region.into(),
            via: None,
        },
        ..change
    };
    let group = || {
        Change::no_op(
            &crate::plan::Provider::default(),
            Address::LogGroup("/g".into()),
            crate::plan::Resource::bot(""),
        )
    };
    let mut plan = Plan {
        command: Mode::Apply,
        targets: vec![target("111111111111", "eu-west-1")],
        changes: vec![at("111111111111", "eu-west-1", group())],
        notes: vec![],
    };
    let one = plan_text(&plan, false);
    assert!(
        !one.contains("111111111111/") && !one.contains("account "),
        "{one}"
    );
    assert!(plan_json(&plan)["changes"][0].get("account").is_none());
    plan.targets.push(target("222222222222", "us-west-2"));
    plan.changes.push(at("222222222222", "us-west-2", group()));
    let two = plan_text(&plan, false);
    assert!(two.contains("in account 222222222222, us-west-2"), "{two}");
    assert!(
        two.contains("  111111111111/eu-west-1: log_group[/g]")
            && two.contains("  222222222222/us-west-2: log_group[/g]"),
        "{two}"
    );
    let json = plan_json(&plan);
    assert_eq!(json["changes"][1]["account"], "222222222222");
    assert_eq!(json["changes"][1]["region"], "us-west-2");
}

#[test]
fn versioned_puts_the_format_version_first_and_keeps_every_field_in_order() {
    let document = json!({"command": "apply", "changes": [], "formatVersion": 7});
    let printed = versioned(&document);
    let keys: Vec<&str> = printed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["formatVersion", "command", "changes"]);
    assert_eq!(printed["formatVersion"], json!(FORMAT_VERSION));
    assert_eq!(printed["command"], "apply");
    assert_eq!(versioned(&json!([1, 2])), json!([1, 2]));
}
