//! Unit tests of plans: merging the plans of several targets by absolute address.

use super::*;
use crate::resources::log_group::LogGroupStep;

fn create_group() -> Step {
    Step::LogGroup(LogGroupStep::Create {
        name: "/g".into(),
        retention_days: None,
        kms_key_id: None,
    })
}

fn provider(account: &str, region: &str) -> Provider {
    Provider {
        account: account.into(),
        region: region.into(),
        via: None,
    }
}

fn plan(bot: &str, changes: Vec<Change>) -> Plan {
    Plan {
        command: Mode::Apply,
        targets: vec![Target {
            bot: bot.into(),
            bot_id: format!("{bot}-id"),
            aliases: vec![],
            alias_ids: vec![],
            role: String::new(),
            region: String::new(),
            account: String::new(),
            partition: String::new(),
            writers: vec![],
            previous_role: None,
            assume_role: None,
        }],
        changes,
        notes: vec![],
    }
}

#[test]
fn merge_keeps_one_copy_of_a_shared_change_and_refuses_conflicts() {
    let here = provider("111111111111", "eu-west-1");
    let shared = || {
        Change::new(
            &here,
            Address::LogGroup("/g".into()),
            Action::Create,
            None,
            Some(Resource::log_group("/g", None)),
            create_group(),
        )
    };
    let a = plan(
        "A",
        vec![
            shared(),
            Change::no_op(&here, Address::Bot("A".into()), Resource::bot("")),
        ],
    );
    let b = plan(
        "B",
        vec![
            shared().needs([Address::Bot("B".into())]),
            Change::no_op(&here, Address::Bot("B".into()), Resource::bot("")),
        ],
    );
    let merged = Plan::merge(vec![a, b]).unwrap();
    assert_eq!(merged.changes.len(), 3);
    assert_eq!(merged.targets.len(), 2);
    assert_eq!(
        merged.changes[0].depends_on,
        [here.locate(&Address::Bot("B".into()))]
    );
    let c = plan(
        "C",
        vec![Change::new(
            &here,
            Address::LogGroup("/g".into()),
            Action::Create,
            None,
            Some(Resource::log_group("/g", Some(3))),
            create_group(),
        )],
    );
    assert!(Plan::merge(vec![plan("A", vec![shared()]), c])
        .unwrap_err()
        .contains("log_group[/g]"));
    assert!(Plan::merge(vec![plan("A", vec![]), plan("A", vec![])])
        .unwrap_err()
        .contains("twice"));
}

#[test]
fn merge_keeps_places_apart_and_iam_one_per_account() {
    let at = |account: &str, region: &str, address: Address, after: Resource| {
        Change::no_op(&provider(account, region), address, after)
    };
    let target = |account: &str, region: &str| {
        let mut p = plan("B", vec![]);
        p.targets[0].account = account.into();
        p.targets[0].region = region.into();
        p
    };
    let group = || Address::LogGroup("/aws/lex/B".into());
    let role = || Address::Role("LexLogs-B".into());
    // The same bot name and group in two accounts: two targets, two resources.
    let mut a = target("111111111111", "eu-west-1");
    a.changes = vec![at("111111111111", "eu-west-1", group(), Resource::bot("a"))];
    let mut b = target("222222222222", "eu-west-1");
    b.changes = vec![at("222222222222", "eu-west-1", group(), Resource::bot("b"))];
    let merged = Plan::merge(vec![a, b]).unwrap();
    assert_eq!(merged.targets.len(), 2);
    assert_eq!(merged.changes.len(), 2);
    assert_eq!(merged.providers().len(), 2);
    // One account, two regions: a regional resource twice, IAM's once (or a conflict).
    let mut c = target("111111111111", "eu-west-1");
    c.changes = vec![
        at("111111111111", "eu-west-1", group(), Resource::bot("")),
        at("111111111111", "eu-west-1", role(), Resource::bot("1")),
    ];
    let mut d = target("111111111111", "us-east-1");
    d.changes = vec![
        at("111111111111", "us-east-1", group(), Resource::bot("")),
        at("111111111111", "us-east-1", role(), Resource::bot("1")),
    ];
    let merged = Plan::merge(vec![c.clone(), d.clone()]).unwrap();
    assert_eq!(
        merged.changes.len(),
        3,
        "the role once, the group per region"
    );
    d.changes[1].after = Some(Resource::bot("2"));
    let err = Plan::merge(vec![c, d]).unwrap_err();
    assert!(err.contains("role[LexLogs-B]"), "{err}");
    // The same bot twice in one place is refused.
    let twice = Plan::merge(vec![target("1", "r"), target("1", "r")]).unwrap_err();
    assert!(twice.contains("twice"), "{twice}");
}

#[test]
fn a_shared_change_keeps_the_other_targets_dependencies_in_their_place() {
    let grant = |region: &str| {
        Change::new(
            &provider("111111111111", region),
            Address::Role("LexLogs-B".into()),
            Action::Delete,
            Some(Resource::bot("")),
            None,
            create_group(),
        )
    };
    let alias = Address::alias("B", "live");
    let mut a = plan("B", vec![grant("eu-west-1").needs([alias.clone()])]);
    a.targets[0].region = "eu-west-1".into();
    let mut b = plan("B", vec![grant("us-east-1").needs([alias.clone()])]);
    b.targets[0].region = "us-east-1".into();
    let merged = Plan::merge(vec![a, b]).unwrap();
    assert_eq!(merged.changes.len(), 1, "IAM's role once per account");
    let kept = &merged.changes[0];
    let in_region = |region: &str| AbsAddress {
        account: "111111111111".into(),
        region: Some(region.into()),
        address: alias.clone(),
    };
    assert_eq!(
        kept.depends_on,
        [in_region("eu-west-1"), in_region("us-east-1")],
        "each region's alias is waited for where it is"
    );
}

#[test]
fn an_address_is_absolute_from_birth() {
    let here = provider("111111111111", "eu-west-1");
    let role = Change::no_op(&here, Address::Role("R".into()), Resource::bot(""))
        .needs([Address::LogGroup("/g".into())]);
    assert_eq!(role.abs().to_string(), "111111111111: role[R]");
    assert_eq!(
        role.depends_on[0].to_string(),
        "111111111111/eu-west-1: log_group[/g]"
    );
}
