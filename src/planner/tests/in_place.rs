//! Planner tests of the in-place mode.
use std::collections::BTreeMap;

use aws_sdk_lexmodelsv2::types::ConversationLogSettings;

use crate::documents::Concern;
use crate::observe::{Observed, Writer};
use crate::resources::alias::Alias;
use crate::resources::alias::AliasStep;
use crate::resources::attachment::AttachmentStep;
use crate::resources::bot::BotStep;
use crate::resources::inline_policy::InlinePolicyStep;
use crate::resources::log_group::LogGroupStep;
use crate::resources::log_settings::LogSettings;
use crate::resources::managed_policy::PolicyStep;
use crate::resources::role::RoleState;
use crate::resources::tags::{self};
use crate::spec::Spec;
use crate::step::Step;
use serde_json::{json, Value};

use crate::arn::Scope;
use crate::plan::{Action, Change, Plan};
use crate::planner::*;
use crate::resources::bot::Bot;
use crate::spec::{AudioSpec, TextSpec};
use aws_sdk_lexmodelsv2::operation::describe_bot::DescribeBotOutput;
use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;

const ACCOUNT: &str = "444455556666";

pub(super) fn slr(suffix: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_{suffix}")
}

pub(super) fn customer(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/team/{name}")
}

pub(super) fn spec(text: bool, audio: bool) -> Spec {
    Spec {
        bot: "PizzaBot".into(),
        aliases: vec!["prod".into(), "beta".into()],
        text: text.then(|| TextSpec {
            log_group: None,
            log_group_place: None,
            retention_days: Some(7),
            log_prefix: "lex/".into(),
            kms_key: None,
        }),
        audio: audio.then(|| AudioSpec {
            bucket: "audio-bucket".into(),
            prefix: "calls/".into(),
            kms_key: None,
        }),
        role_name: None,
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

fn alias(id: &str, name: &str, version: &str, role: &str) -> Alias {
    alias_with(id, name, version, role, None)
}

fn alias_with(
    id: &str,
    name: &str,
    version: &str,
    role: &str,
    settings: Option<ConversationLogSettings>,
) -> Alias {
    Alias {
        id: id.into(),
        name: name.into(),
        described: DescribeBotAliasOutput::builder()
            .bot_alias_id(id)
            .bot_alias_name(name)
            .bot_version(version)
            .set_conversation_log_settings(settings)
            .build(),
        runs_on: Some(role.into()),
        tags: Default::default(),
    }
}

pub(super) fn writer(arn: &str, attached: usize, inline: &[(&str, Value)]) -> Writer {
    let name = crate::arn::iam_name(arn).unwrap().to_string();
    Writer {
        arn: arn.into(),
        name: name.clone(),
        service_linked: crate::resources::role::is_service_linked(arn),
        state: Some(RoleState {
            boundary: None,
            name,
            arn: arn.into(),
            trust: json!({}),
            tags: Default::default(),
            attached: (0..attached)
                .map(|i| format!("arn:aws:iam::aws:policy/Other{i}"))
                .collect(),
            inline: inline
                .iter()
                .map(|(n, d)| (n.to_string(), d.clone()))
                .collect(),
        }),
        unread_inline: Vec::new(),
    }
}

/// PizzaBot on its service-linked role; `prod` on version 2 (published on a customer role),
/// `beta` on version 3 (on the service-linked role).
pub(super) fn world() -> Observed {
    let bot_role = slr("Pizza");
    let writers = [
        writer(&bot_role, 1, &[("Sentiment", json!({"Statement": []}))]),
        writer(&customer("pizza-runtime"), 2, &[]),
    ];
    Observed {
        scope: Scope {
            partition: "aws".into(),
            account: ACCOUNT.into(),
            region: "us-west-2".into(),
        },
        provider: crate::plan::Provider {
            account: ACCOUNT.into(),
            region: "us-west-2".into(),
            via: None,
        },
        bot: Bot {
            id: "PIZZA00001".into(),
            name: "PizzaBot".into(),
            described: DescribeBotOutput::builder()
                .bot_id("PIZZA00001")
                .bot_name("PizzaBot")
                .role_arn(&bot_role)
                .build(),
        },
        aliases: vec![
            alias("PRODALIAS1", "prod", "2", &customer("pizza-runtime")),
            alias("BETAALIAS1", "beta", "3", &bot_role),
        ],
        role_name: "LexLogs-PizzaBot".into(),
        role: None,
        policies: Concern::ALL.into_iter().map(|c| (c, None)).collect(),
        previous: None,
        log_group: Some(("/aws/lex/PizzaBot".into(), None)),
        kms_key: None,
        grants: BTreeMap::new(),
        writers: writers.into_iter().map(|w| (w.arn.clone(), w)).collect(),
        bystanders: vec![],
        version_roles: vec![],
        earlier_role: None,
        bot_tags: Default::default(),
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

pub(super) fn find<'a>(plan: &'a Plan, address: &str) -> &'a Change {
    plan.changes
        .iter()
        .find(|c| c.address.to_string() == address)
        .unwrap_or_else(|| {
            let all: Vec<String> = plan.changes.iter().map(|c| c.address.to_string()).collect();
            panic!("no change {address} in {all:?}")
        })
}

#[test]
fn each_alias_is_granted_on_the_role_its_version_runs_on_and_the_bot_is_untouched() {
    let obs = world();
    let plan = plan_apply(&spec(true, false), &obs).unwrap();
    let inline = find(
        &plan,
        "inline_policy[role/AWSServiceRoleForLexV2Bots_Pizza/LexLogs-PizzaBot-ConversationLogs]",
    );
    assert_eq!(inline.action, Action::Create);
    let Some(Step::InlinePolicy(InlinePolicyStep::Put { document, .. })) = &inline.step else {
        panic!("{:?}", inline.step)
    };
    assert_eq!(
        document["Statement"][0]["Resource"],
        json!([format!(
            "arn:aws:logs:us-west-2:{ACCOUNT}:log-group:/aws/lex/PizzaBot:*"
        )])
    );
    let policy_arn = format!("arn:aws:iam::{ACCOUNT}:policy/LexLogs-PizzaBot-CloudWatchLogs");
    let attach = find(&plan, &format!("attachment[pizza-runtime -> {policy_arn}]"));
    assert_eq!(attach.action, Action::Create);
    assert!(
        plan.changes
            .iter()
            .all(|c| !c.address.to_string().starts_with("bot[")
                && !c.address.to_string().starts_with("role[")
                && !matches!(c.step, Some(Step::Bot(BotStep::SetRole { .. })))),
        "in place, neither the bot nor a role of ours changes"
    );
    for name in ["prod", "beta"] {
        let change = find(&plan, &format!("alias[PizzaBot/{name}]"));
        assert!(change.depends_on.contains(&inline.abs()));
        assert!(change.depends_on.contains(&attach.abs()));
        let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &change.step else {
            panic!()
        };
        let settings = settings.as_ref().unwrap();
        assert!(
            settings.audio_log_settings.is_none(),
            "text only: no empty audio list"
        );
        assert_eq!(settings.text_log_settings.as_ref().unwrap().len(), 1);
    }
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("alias prod runs version 2")
                && n.contains("role/team/pizza-runtime")),
        "{:?}",
        plan.notes
    );
}

#[test]
fn audio_only_sends_no_text_list_and_the_slr_grant_holds_s3_and_kms() {
    let mut obs = world();
    obs.kms_key = Some(crate::resources::destination::KeyInfo {
        arn: format!("arn:aws:kms:us-west-2:{ACCOUNT}:key/k-1"),
        iam_policies_enabled: Some(false),
        allows_account_via_s3: false,
    });
    obs.log_group = None;
    let plan = plan_apply(&spec(false, true), &obs).unwrap();
    let inline = find(
        &plan,
        "inline_policy[role/AWSServiceRoleForLexV2Bots_Pizza/LexLogs-PizzaBot-ConversationLogs]",
    );
    let actions: Vec<String> = inline.after_json()["document"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().clone())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert!(actions.contains(&"s3:PutObject".to_string()));
    assert!(actions.contains(&"kms:GenerateDataKey".to_string()));
    assert!(!actions.iter().any(|a| a.starts_with("logs:")));
    assert!(
        plan.notes.iter().any(|n| n.contains("key policy")),
        "a key whose policy ignores IAM is called out: {:?}",
        plan.notes
    );
    let alias = find(&plan, "alias[PizzaBot/beta]");
    let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &alias.step else {
        panic!()
    };
    assert!(settings.as_ref().unwrap().text_log_settings.is_none());
}

#[test]
fn a_full_customer_role_is_refused_before_any_change() {
    let mut obs = world();
    let arn = customer("pizza-runtime");
    obs.writers.insert(arn.clone(), writer(&arn, 10, &[]));
    let err = plan_apply(&spec(true, false), &obs)
        .unwrap_err()
        .to_string();
    assert!(err.contains("pizza-runtime") && err.contains("10"), "{err}");
}

#[test]
fn an_alias_whose_version_role_is_gone_is_refused() {
    let mut obs = world();
    let arn = customer("pizza-runtime");
    obs.writers.get_mut(&arn).unwrap().state = None;
    let err = plan_apply(&spec(true, false), &obs)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no longer exists") && err.contains("prod"),
        "{err}"
    );
}

#[test]
fn reapply_changes_nothing_and_destroy_keeps_what_a_bystander_needs() {
    let mut obs = world();
    let spec = spec(true, false);
    let plan = plan_apply(&spec, &obs).unwrap();
    // The world after apply.
    for change in &plan.changes {
        match &change.step {
            Some(Step::InlinePolicy(InlinePolicyStep::Put {
                owner,
                name,
                document,
                ..
            })) => {
                let w = obs
                    .writers
                    .values_mut()
                    .find(|w| w.name == owner.name)
                    .unwrap();
                w.state
                    .as_mut()
                    .unwrap()
                    .inline
                    .insert(name.clone(), document.clone());
            }
            Some(Step::Policy(PolicyStep::Create {
                name,
                arn,
                document,
                tags,
            })) => {
                obs.policies.insert(
                    Concern::CloudWatch,
                    Some(crate::resources::managed_policy::PolicyState {
                        name: name.clone(),
                        arn: arn.clone(),
                        document: document.clone(),
                        default_version: "v1".into(),
                        attached_roles: vec![],
                        tags: [(
                            tags::MANAGED_BY.to_string(),
                            tags::MANAGED_BY_VALUE.to_string(),
                        )]
                        .into_iter()
                        .chain(tags.clone())
                        .collect(),
                    }),
                );
            }
            Some(Step::LogGroup(LogGroupStep::Create {
                name,
                retention_days,
                kms_key_id,
            })) => {
                obs.log_group = Some((
                    name.clone(),
                    Some(crate::resources::log_group::LogGroupState {
                        name: name.clone(),
                        retention_days: *retention_days,
                        kms_key_id: kms_key_id.clone(),
                        tags: Default::default(),
                    }),
                ))
            }
            Some(Step::Attachment(AttachmentStep::Attach { role, policy_arn })) => {
                let w = obs.writers.values_mut().find(|w| w.name == *role).unwrap();
                w.state.as_mut().unwrap().attached.push(policy_arn.clone());
            }
            Some(Step::Alias(AliasStep::UpdateLogs {
                settings, alias_id, ..
            })) => {
                let a = obs.aliases.iter_mut().find(|a| a.id == *alias_id).unwrap();
                a.described = DescribeBotAliasOutput::builder()
                    .bot_alias_id(a.id.clone())
                    .bot_alias_name(a.name.clone())
                    .bot_version(a.version().to_string())
                    .set_conversation_log_settings(settings.as_ref().map(LogSettings::to_sdk))
                    .build();
            }
            _ => {}
        }
    }
    let again = plan_apply(&spec, &obs).unwrap();
    assert!(!again.has_changes(), "{:?}", again.changes);

    // Destroy only `beta`, while `prod` (not named) still logs through the customer role.
    let mut destroy_obs = obs.clone();
    let prod = destroy_obs.aliases.remove(0);
    destroy_obs.bystanders = vec![prod];
    let destroy_spec = Spec {
        aliases: vec!["beta".into()],
        ..spec.clone()
    };
    let plan = plan_destroy(&destroy_spec, &destroy_obs).unwrap();
    let beta = find(&plan, "alias[PizzaBot/beta]");
    assert_eq!(beta.action, Action::Update);
    assert_eq!(
        find(
            &plan,
            "inline_policy[role/AWSServiceRoleForLexV2Bots_Pizza/LexLogs-PizzaBot-ConversationLogs]"
        )
        .action,
        Action::Delete,
        "beta's role has no other alias logging to us"
    );
    assert!(
        plan.changes
            .iter()
            .all(|c| c.action != Action::Delete || !c.address.to_string().contains("pizza-runtime")),
        "prod still logs through pizza-runtime: {:?}",
        plan.changes.iter().map(|c| &c.address).collect::<Vec<_>>()
    );
    assert!(plan
        .changes
        .iter()
        .all(|c| !c.address.to_string().starts_with("policy[")));
    assert!(plan
        .notes
        .iter()
        .any(|n| n.contains("alias prod still logs")));

    // Destroy of both removes every grant and our policies, after the aliases.
    let plan = plan_destroy(&spec, &obs).unwrap();
    let policy = find(&plan, "policy[LexLogs-PizzaBot-CloudWatchLogs]");
    assert_eq!(policy.action, Action::Delete);
    let detach = plan
        .changes
        .iter()
        .find(|c| {
            c.address
                .to_string()
                .starts_with("attachment[pizza-runtime")
        })
        .unwrap();
    assert!(policy.depends_on.contains(&detach.abs()));
    assert!(detach
        .depends_on
        .iter()
        .any(|d| d.address.to_string() == "alias[PizzaBot/prod]"));
    for change in &plan.changes {
        if let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &change.step {
            assert!(
                settings.is_none(),
                "nothing else was logged: no settings left"
            );
        }
    }
}
