//! Unit tests of the ownership refusals: each refusal, its message, and when it does not apply.

use std::collections::BTreeMap;

use aws_sdk_lexmodelsv2::operation::describe_bot::DescribeBotOutput;
use aws_sdk_lexmodelsv2::types::DataPrivacy;
use serde_json::json;

use super::*;
use crate::arn::Scope;
use crate::documents::Concern;
use crate::resources::managed_policy::PolicyState;
use crate::resources::tags::Tags;
use crate::spec::TextSpec;

const BOT_ID: &str = "BOTID12345";
const ROLE: &str = "LexLogs-OrderBot";

fn spec(role_name: Option<&str>) -> Spec {
    Spec {
        bot: "OrderBot".into(),
        aliases: vec!["live".into()],
        text: Some(TextSpec {
            log_group: None,
            log_group_place: None,
            retention_days: None,
            log_prefix: "lex/".into(),
            kms_key: None,
        }),
        audio: None,
        role_name: role_name.map(str::to_string),
        pass_role: vec![],
        publish_version: false,
        pin_source_arn: false,
        take_over_destinations: false,
        selective: None,
        alarm: None,
        insights_queries: false,
        pin_source_account: false,
    }
}

fn bot(role_arn: &str, child_directed: bool) -> Bot {
    Bot {
        id: BOT_ID.into(),
        name: "OrderBot".into(),
        described: DescribeBotOutput::builder()
            .bot_id(BOT_ID)
            .bot_name("OrderBot")
            .role_arn(role_arn)
            .data_privacy(
                DataPrivacy::builder()
                    .child_directed(child_directed)
                    .build(),
            )
            .build(),
    }
}

fn our_tags(bot_id: &str) -> Tags {
    Tags::from([
        (
            tags::MANAGED_BY.to_string(),
            tags::MANAGED_BY_VALUE.to_string(),
        ),
        (tags::BOT_ID.to_string(), bot_id.to_string()),
    ])
}

fn role(tags: Tags) -> RoleState {
    RoleState {
        name: ROLE.into(),
        arn: format!("arn:aws:iam::111122223333:role/{ROLE}"),
        trust: json!({}),
        tags,
        attached: vec![],
        inline: BTreeMap::new(),
        boundary: None,
    }
}

/// A bot on a customer role (not ours), nothing of ours yet.
fn observed() -> Observed {
    Observed {
        scope: Scope {
            partition: "aws".into(),
            account: "111122223333".into(),
            region: "eu-west-1".into(),
        },
        provider: crate::plan::Provider {
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            via: None,
        },
        bot: bot("arn:aws:iam::111122223333:role/BotRole", false),
        aliases: vec![],
        role_name: ROLE.into(),
        role: None,
        policies: Concern::ALL.into_iter().map(|c| (c, None)).collect(),
        previous: None,
        log_group: None,
        kms_key: None,
        grants: BTreeMap::new(),
        writers: BTreeMap::new(),
        bystanders: vec![],
        version_roles: vec![],
        earlier_role: None,
        bot_tags: Tags::new(),
        granted_log_groups: Vec::new(),
        boundaries: Default::default(),
        version_contents: Default::default(),
        bucket: None,
        attached_policies_quota: None,
        log_group_key: None,
        replicas: Vec::new(),
        alarms: None,
        queries: None,
        version_locales: Default::default(),
    }
}

fn refusal(spec: &Spec, observed: &Observed, mode: Mode) -> String {
    refuse(spec, observed, mode)
        .expect_err("refused")
        .to_string()
}

#[test]
fn nothing_of_ours_yet_is_no_refusal() {
    for role_name in [None, Some(ROLE)] {
        for mode in [Mode::Apply, Mode::Destroy] {
            assert!(refuse(&spec(role_name), &observed(), mode).is_ok());
        }
    }
}

#[test]
fn a_child_directed_bot_is_refused_on_apply_only() {
    let mut obs = observed();
    obs.bot = bot("arn:aws:iam::111122223333:role/BotRole", true);
    let err = refusal(&spec(None), &obs, Mode::Apply);
    assert!(
        err.contains("bot OrderBot (BOTID12345) is marked child-directed (COPPA)"),
        "{err}"
    );
    assert!(refuse(&spec(None), &obs, Mode::Destroy).is_ok());
}

#[test]
fn a_child_directed_bot_is_refused_before_a_foreign_role() {
    let mut obs = observed();
    obs.bot = bot("arn:aws:iam::111122223333:role/BotRole", true);
    obs.role = Some(role(Tags::new()));
    assert!(refusal(&spec(Some(ROLE)), &obs, Mode::Apply).contains("child-directed"));
}

#[test]
fn a_role_of_our_name_that_is_not_ours_is_never_taken_over() {
    let mut obs = observed();
    obs.role = Some(role(Tags::new()));
    let err = refusal(&spec(Some(ROLE)), &obs, Mode::Apply);
    assert!(
        err.contains("role LexLogs-OrderBot already exists and was not created by lex-logs-setup"),
        "{err}"
    );
    // In place, the role of our name is not used: no refusal.
    assert!(refuse(&spec(None), &obs, Mode::Apply).is_ok());
    // Destroy leaves a foreign role alone (the planner says so) rather than refusing.
    assert!(refuse(&spec(Some(ROLE)), &obs, Mode::Destroy).is_ok());
}

#[test]
fn the_logging_role_of_another_bot_is_refused_on_apply_and_destroy() {
    let mut obs = observed();
    obs.role = Some(role(our_tags("OTHERBOT99")));
    let err = refusal(&spec(Some(ROLE)), &obs, Mode::Apply);
    assert!(
        err.contains("role LexLogs-OrderBot is the logging role of another bot (OTHERBOT99)"),
        "{err}"
    );
    let err = refusal(&spec(Some(ROLE)), &obs, Mode::Destroy);
    assert!(
        err.contains("role LexLogs-OrderBot is the logging role of another bot (OTHERBOT99)"),
        "{err}"
    );
    // In place, the role matters to destroy only when the bot runs on it.
    assert!(refuse(&spec(None), &obs, Mode::Destroy).is_ok());
    obs.bot = bot(&format!("arn:aws:iam::111122223333:role/{ROLE}"), false);
    assert!(refusal(&spec(None), &obs, Mode::Destroy).contains("another bot"));
}

#[test]
fn our_role_for_this_bot_is_no_refusal() {
    let mut obs = observed();
    obs.role = Some(role(our_tags(BOT_ID)));
    for mode in [Mode::Apply, Mode::Destroy] {
        assert!(refuse(&spec(Some(ROLE)), &obs, mode).is_ok());
    }
}

#[test]
fn a_policy_of_our_name_that_is_not_ours_is_refused_on_apply_in_both_modes() {
    let mut obs = observed();
    let name = Concern::CloudWatch.policy_name(ROLE);
    obs.policies.insert(
        Concern::CloudWatch,
        Some(PolicyState {
            arn: obs.scope.policy(&name),
            name: name.clone(),
            document: json!({}),
            default_version: "v1".into(),
            tags: Tags::new(),
            attached_roles: vec![],
        }),
    );
    for role_name in [None, Some(ROLE)] {
        let err = refusal(&spec(role_name), &obs, Mode::Apply);
        assert!(
            err.contains(&format!(
                "policy {name} already exists and was not created by lex-logs-setup"
            )),
            "{err}"
        );
        assert!(refuse(&spec(role_name), &obs, Mode::Destroy).is_ok());
    }
}

#[test]
fn a_log_group_arn_of_another_account_or_region_is_refused_on_apply() {
    let with_place = |region: &str, account: &str| {
        let mut asked = spec(None);
        asked.text.as_mut().unwrap().log_group_place = Some((region.into(), account.into()));
        asked
    };
    let obs = observed();
    assert!(refuse(&with_place("eu-west-1", "111122223333"), &obs, Mode::Apply).is_ok());
    for (region, account) in [("eu-west-1", "999999999999"), ("us-east-1", "111122223333")] {
        let err = refuse(&with_place(region, account), &obs, Mode::Apply)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("group of account {account} in {region}"))
                && err.contains("only to a group in the bot's own account and region"),
            "{err}"
        );
    }
}
