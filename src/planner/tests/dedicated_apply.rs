//! Planner tests of the dedicated-role mode: apply, re-apply and destroy.
use std::collections::BTreeMap;

use crate::documents::{self, Concern};
use crate::resources::log_settings::{same_logging, LogSettings};
use crate::resources::managed_policy::PolicyStep;
use crate::resources::role::RoleState;
use crate::resources::tags::{self, Tags};
use crate::spec::Spec;
use crate::step::Step;
use serde_json::{json, Value};

use crate::plan::Action;
use crate::planner::alias_settings::desired_settings;
use crate::planner::destinations::{AudioDestination, TextDestination};
use crate::planner::*;
use crate::resources::managed_policy::PolicyState;

use super::dedicated::{applied, find, fresh, spec, SLR};

#[test]
fn fresh_apply_creates_everything_and_orders_the_bot_and_alias_last() {
    let plan = plan_apply(&spec(), &fresh()).unwrap();
    assert_eq!(find(&plan, "role[LexLogs-OrderBot]").action, Action::Create);
    assert_eq!(
        find(&plan, "log_group[/aws/lex/OrderBot]").action,
        Action::Create
    );
    assert_eq!(
        find(&plan, "policy[LexLogs-OrderBot-CloudWatchLogs]").action,
        Action::Create
    );
    assert_eq!(
        find(&plan, "policy[LexLogs-OrderBot-LexBotRuntime]").action,
        Action::Create,
        "service-linked role's runtime actions are carried"
    );
    let bot = find(&plan, "bot[OrderBot]");
    assert_eq!(bot.action, Action::Update);
    assert!(bot
        .depends_on
        .iter()
        .any(|d| d.address.to_string() == "role[LexLogs-OrderBot]"));
    assert!(
        bot.depends_on
            .iter()
            .filter(|d| d.address.to_string().starts_with("attachment["))
            .count()
            == 2,
        "{:?}",
        bot.depends_on
    );
    let alias = find(&plan, "alias[OrderBot/live]");
    assert!(alias
        .depends_on
        .iter()
        .any(|d| d.address.to_string() == "bot[OrderBot]"));
    assert!(alias
        .depends_on
        .iter()
        .any(|d| d.address.to_string() == "log_group[/aws/lex/OrderBot]"));
    assert_eq!(
        alias.after_json()["conversationLogSettings"]["textLogSettings"][0]
            ["cloudWatchLogGroupArn"],
        "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lex/OrderBot"
    );
    let role = find(&plan, "role[LexLogs-OrderBot]");
    assert_eq!(role.after_json()["tags"][tags::PREVIOUS_ROLE], SLR);
}

#[test]
fn apply_after_apply_changes_nothing() {
    let spec = Spec {
        pass_role: vec!["user/dev".parse().unwrap()],
        ..spec()
    };
    let plan = plan_apply(&spec, &applied(&spec)).unwrap();
    let changed: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| &c.address)
        .collect();
    assert!(changed.is_empty(), "{changed:?}");
}

#[test]
fn a_changed_document_is_a_new_version_and_an_unwanted_policy_is_detached_then_deleted() {
    let mut obs = applied(&spec());
    // The CloudWatch policy was edited by hand; an old S3 policy is still attached.
    let cw = obs
        .policies
        .get_mut(&Concern::CloudWatch)
        .unwrap()
        .as_mut()
        .unwrap();
    cw.document = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]});
    let s3_arn = obs.scope.policy("LexLogs-OrderBot-S3AudioLogs");
    obs.policies.insert(
        Concern::S3,
        Some(PolicyState {
            name: "LexLogs-OrderBot-S3AudioLogs".into(),
            arn: s3_arn.clone(),
            document: documents::s3(&obs.scope, "old-bucket", "lex-audio/"),
            default_version: "v2".into(),
            attached_roles: vec!["LexLogs-OrderBot".into()],
            tags: [(
                tags::MANAGED_BY.to_string(),
                tags::MANAGED_BY_VALUE.to_string(),
            )]
            .into(),
        }),
    );
    obs.role.as_mut().unwrap().attached.push(s3_arn.clone());
    let plan = plan_apply(&spec(), &obs).unwrap();
    let cw = find(&plan, "policy[LexLogs-OrderBot-CloudWatchLogs]");
    assert_eq!(cw.action, Action::Update);
    assert!(
        matches!(&cw.step, Some(Step::Policy(PolicyStep::Update { previous_version, .. })) if previous_version == "v1")
    );
    let detach = find(&plan, &format!("attachment[LexLogs-OrderBot -> {s3_arn}]"));
    assert_eq!(detach.action, Action::Delete);
    let delete = find(&plan, "policy[LexLogs-OrderBot-S3AudioLogs]");
    assert_eq!(delete.action, Action::Delete);
    assert_eq!(delete.depends_on, vec![detach.abs()]);
}

#[test]
fn a_grant_no_longer_asked_for_is_revoked() {
    let with_grant = Spec {
        pass_role: vec!["role/ci".parse().unwrap()],
        ..spec()
    };
    let obs = applied(&with_grant);
    let plan = plan_apply(&spec(), &obs).unwrap();
    let revoke = find(
        &plan,
        "inline_policy[role/ci/LexLogsPassRole-LexLogs-OrderBot]",
    );
    assert_eq!(revoke.action, Action::Delete);
    let role = find(&plan, "role[LexLogs-OrderBot]");
    assert_eq!(
        role.action,
        Action::Update,
        "the recorded principals tag changes"
    );
}

#[test]
fn alias_settings_keep_what_is_not_ours() {
    let ours = OurDestinations {
        log_group_arns: vec!["arn:ours".into()],
        bucket_arns: vec!["arn:aws:s3:::ours".into()],
    };
    let theirs = AudioDestination {
        bucket_arn: "arn:aws:s3:::theirs".into(),
        prefix: "p/".into(),
        kms_key_arn: None,
        selective: None,
    };
    let text = TextDestination {
        log_group_arn: "arn:ours".into(),
        prefix: "lex/".into(),
        selective: None,
    };
    let current = desired_settings(
        None,
        Some(&text),
        Some(&theirs),
        &OurDestinations::default(),
    );
    // Turning our text logs off keeps someone else's audio logs.
    let after = desired_settings(current.as_ref(), None, None, &ours).expect("their audio stays");
    assert!(after.text().is_empty());
    assert_eq!(after.audio().len(), 1);
    // Nothing left means no settings at all.
    let only_ours = desired_settings(None, Some(&text), None, &ours);
    assert_eq!(
        desired_settings(only_ours.as_ref(), None, None, &ours),
        None
    );
    assert!(same_logging(None, Some(&LogSettings::default())));
}

#[test]
fn destroy_undoes_apply_in_a_safe_order() {
    let spec = Spec {
        pass_role: vec!["user/dev".parse().unwrap()],
        ..spec()
    };
    let obs = applied(&spec);
    let plan = plan_destroy(&spec, &obs).unwrap();
    let alias = find(&plan, "alias[OrderBot/live]");
    assert_eq!(alias.after_json()["conversationLogSettings"], Value::Null);
    let bot = find(&plan, "bot[OrderBot]");
    assert_eq!(bot.after_json()["roleArn"], SLR);
    assert!(bot.depends_on.contains(&alias.abs()));
    let role = find(&plan, "role[LexLogs-OrderBot]");
    assert_eq!(role.action, Action::Delete);
    assert!(
        role.depends_on
            .iter()
            .filter(|d| d.address.to_string().starts_with("attachment["))
            .count()
            == 2
    );
    assert!(role.depends_on.contains(&bot.abs()));
    assert_eq!(
        find(
            &plan,
            "inline_policy[user/dev/LexLogsPassRole-LexLogs-OrderBot]"
        )
        .action,
        Action::Delete
    );
    assert!(plan
        .notes
        .iter()
        .any(|n| n.contains("/aws/lex/OrderBot is kept")));
    assert!(
        plan.changes
            .iter()
            .all(|c| !c.address.to_string().starts_with("log_group[")),
        "log groups are never deleted by destroy"
    );
}

#[test]
fn destroy_of_a_foreign_role_changes_nothing() {
    let mut obs = fresh();
    obs.role = Some(RoleState {
        boundary: None,
        name: "LexLogs-OrderBot".into(),
        arn: obs.role_arn(),
        trust: json!({}),
        tags: Tags::new(),
        attached: vec![],
        inline: BTreeMap::new(),
    });
    let plan = plan_destroy(&spec(), &obs).unwrap();
    assert!(!plan.has_changes());
    assert!(plan.notes[0].contains("left alone"));
}
