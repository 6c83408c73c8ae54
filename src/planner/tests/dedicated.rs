//! Planner tests of the dedicated-role mode.
use std::collections::BTreeMap;

use aws_sdk_lexmodelsv2::types::ConversationLogSettings;

use crate::documents::Concern;
use crate::observe::Observed;
use crate::resources::alias::Alias;
use crate::resources::alias::{AliasStep, AliasVersion};
use crate::resources::attachment::AttachmentStep;
use crate::resources::bot::BotStep;
use crate::resources::inline_policy::InlinePolicyStep;
use crate::resources::log_group::LogGroupStep;
use crate::resources::log_settings::LogSettings;
use crate::resources::managed_policy::PolicyStep;
use crate::resources::role::RoleStep;
use crate::resources::role::{PreviousRole, RoleState};
use crate::resources::tags::{self, Tags};
use crate::resources::version::VersionStep;
use crate::spec::Spec;
use crate::step::Step;

use crate::arn::Scope;
use crate::plan::{Action, Change, Plan};
use crate::planner::*;
use crate::resources::bot::Bot;
use crate::resources::managed_policy::PolicyState;
use crate::spec::TextSpec;
use aws_sdk_lexmodelsv2::operation::describe_bot::DescribeBotOutput;
use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;

pub(super) const SLR: &str = "arn:aws:iam::111122223333:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_X";

pub(super) fn scope() -> Scope {
    Scope {
        partition: "aws".into(),
        account: "111122223333".into(),
        region: "eu-west-1".into(),
    }
}

pub(super) fn spec() -> Spec {
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
        role_name: Some("LexLogs-OrderBot".into()),
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

/// An alias on DRAFT (which runs on the bot's current role).
pub(super) fn alias(settings: Option<ConversationLogSettings>) -> Alias {
    Alias {
        id: "ALIAS12345".into(),
        name: "live".into(),
        described: DescribeBotAliasOutput::builder()
            .bot_alias_id("ALIAS12345")
            .bot_alias_name("live")
            .bot_version("DRAFT")
            .set_conversation_log_settings(settings)
            .build(),
        runs_on: Some(SLR.into()),
        tags: Default::default(),
    }
}

/// A bot on a service-linked role, before any apply.
pub(super) fn fresh() -> Observed {
    Observed {
        scope: scope(),
        provider: crate::plan::Provider {
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            via: None,
        },
        bot: Bot {
            id: "BOTID12345".into(),
            name: "OrderBot".into(),
            described: DescribeBotOutput::builder()
                .bot_id("BOTID12345")
                .bot_name("OrderBot")
                .role_arn(SLR)
                .build(),
        },
        aliases: vec![alias(None)],
        role_name: "LexLogs-OrderBot".into(),
        role: None,
        policies: Concern::ALL.into_iter().map(|c| (c, None)).collect(),
        previous: Some(PreviousRole::ServiceLinked {
            arn: SLR.into(),
            inline: BTreeMap::new(),
        }),
        log_group: Some(("/aws/lex/OrderBot".into(), None)),
        kms_key: None,
        grants: BTreeMap::new(),
        writers: BTreeMap::new(),
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

/// The world after apply, as observation would read it.
pub(super) fn applied(spec: &Spec) -> Observed {
    let mut obs = fresh();
    // Observation lists every principal asked for, with no grant yet.
    obs.grants = spec.pass_role.iter().map(|p| (p.clone(), None)).collect();
    let plan = plan_apply(spec, &obs).unwrap();
    let role_arn = obs.role_arn();
    for change in &plan.changes {
        match &change.step {
            Some(Step::Role(RoleStep::Create {
                name, trust, tags, ..
            })) => {
                obs.role = Some(RoleState {
                    boundary: None,
                    name: name.clone(),
                    arn: role_arn.clone(),
                    trust: trust.clone(),
                    tags: tags.clone(),
                    attached: vec![],
                    inline: BTreeMap::new(),
                })
            }
            Some(Step::Policy(PolicyStep::Create {
                name,
                arn,
                document,
                tags,
            })) => {
                let concern = Concern::ALL
                    .into_iter()
                    .find(|c| c.policy_name(&obs.role_name) == *name)
                    .unwrap();
                obs.policies.insert(
                    concern,
                    Some(PolicyState {
                        name: name.clone(),
                        arn: arn.clone(),
                        document: document.clone(),
                        default_version: "v1".into(),
                        attached_roles: vec![],
                        tags: tags.clone(),
                    }),
                );
            }
            Some(Step::Attachment(AttachmentStep::Attach { policy_arn, .. })) => {
                obs.role.as_mut().unwrap().attached.push(policy_arn.clone())
            }
            Some(Step::Bot(BotStep::SetRole { role_arn, .. })) => {
                obs.bot.described = DescribeBotOutput::builder()
                    .bot_id("BOTID12345")
                    .bot_name("OrderBot")
                    .role_arn(role_arn)
                    .build()
            }
            Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) => {
                obs.aliases = vec![alias(settings.as_ref().map(LogSettings::to_sdk))]
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
                        tags: Tags::new(),
                    }),
                ))
            }
            Some(Step::InlinePolicy(InlinePolicyStep::Put {
                owner, document, ..
            })) => {
                obs.grants.insert(owner.clone(), Some(document.clone()));
            }
            _ => {}
        }
    }
    obs
}

pub(super) fn find<'a>(plan: &'a Plan, address: &str) -> &'a Change {
    plan.changes
        .iter()
        .find(|c| c.address.to_string() == address)
        .unwrap_or_else(|| {
            panic!(
                "no {address} in {:?}",
                plan.changes.iter().map(|c| &c.address).collect::<Vec<_>>()
            )
        })
}

#[test]
fn dedicated_mode_refuses_aliases_on_old_versions_unless_asked_to_publish() {
    let mut obs = fresh();
    let mut on_v3 = alias(None);
    on_v3.described = DescribeBotAliasOutput::builder()
        .bot_alias_id("ALIAS12345")
        .bot_alias_name("live")
        .bot_version("3")
        .build();
    obs.aliases = vec![on_v3];
    let err = plan_apply(&spec(), &obs).unwrap_err().to_string();
    assert!(
        err.contains("live (version 3") && err.contains("--publish-version"),
        "{err}"
    );
    let publishing = Spec {
        publish_version: true,
        ..spec()
    };
    let plan = plan_apply(&publishing, &obs).unwrap();
    let publish = find(&plan, "version[OrderBot/new]");
    assert!(matches!(
        publish.step,
        Some(Step::Version(VersionStep::Publish { .. }))
    ));
    assert!(publish
        .depends_on
        .iter()
        .any(|d| d.address.to_string() == "bot[OrderBot]"));
    let alias = find(&plan, "alias[OrderBot/live]");
    assert!(alias.depends_on.contains(&publish.abs()));
    assert!(matches!(
        alias.step,
        Some(Step::Alias(AliasStep::UpdateLogs {
            version: AliasVersion::PublishedByRun,
            ..
        }))
    ));
    assert!(plan.notes.iter().any(
        |n| n.contains("publishes a new version of bot OrderBot from the locales of version 3")
    ));
}

#[test]
fn dedicated_destroy_points_repointed_aliases_back_and_deletes_our_versions() {
    let spec = Spec {
        publish_version: true,
        ..spec()
    };
    let mut obs = fresh();
    obs.aliases[0].described = DescribeBotAliasOutput::builder()
        .bot_alias_id("ALIAS12345")
        .bot_alias_name("live")
        .bot_version("1")
        .build();
    let plan = plan_apply(&spec, &obs).unwrap();
    let Some(Step::Role(RoleStep::Create {
        tags: role_tags, ..
    })) = &find(&plan, "role[LexLogs-OrderBot]").step
    else {
        panic!()
    };
    assert_eq!(role_tags[tags::ALIAS_VERSIONS], "ALIAS12345=1");

    // After apply: the bot and version 2 (ours) on our role, the alias on version 2.
    let mut after = applied(&Spec {
        publish_version: false,
        ..spec.clone()
    });
    after.role.as_mut().unwrap().tags = role_tags.clone();
    after.aliases[0].described = DescribeBotAliasOutput::builder()
        .bot_alias_id("ALIAS12345")
        .bot_alias_name("live")
        .bot_version("2")
        .build();
    let our_role = after.role_arn();
    after.version_roles = vec![
        crate::resources::version::VersionInfo {
            number: "2".into(),
            role: Some(our_role),
            ours: true,
        },
        crate::resources::version::VersionInfo {
            number: "1".into(),
            role: Some(SLR.into()),
            ours: false,
        },
    ];
    let plan = plan_destroy(&spec, &after).unwrap();
    let alias = find(&plan, "alias[OrderBot/live]");
    assert!(matches!(
        &alias.step,
        Some(Step::Alias(AliasStep::UpdateLogs { version: AliasVersion::Number(v), .. })) if v == "1"
    ));
    let version = find(&plan, "version[OrderBot/2]");
    assert_eq!(version.action, Action::Delete);
    assert!(version.depends_on.contains(&alias.abs()));
    let role = find(&plan, "role[LexLogs-OrderBot]");
    assert_eq!(role.action, Action::Delete);
    assert!(
        version.depends_on.contains(&role.abs()),
        "a deleted version cannot be restored: it goes last, so a failure before rolls back"
    );
}

#[test]
fn a_changed_log_group_says_the_old_one_is_left_and_a_plan_names_the_run_tag() {
    let spec = spec();
    let fresh_plan = plan_apply(&spec, &fresh()).unwrap();
    assert!(fresh_plan.notes.iter().any(|n| n.contains(tags::RUN)));
    let mut obs = applied(&spec);
    obs.log_group = Some(("/aws/lex/NewGroup".into(), None));
    let plan = plan_apply(&spec, &obs).unwrap();
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("/aws/lex/OrderBot") && n.contains("left as it is")),
        "{:?}",
        plan.notes
    );
    let again = plan_apply(&spec, &applied(&spec)).unwrap();
    assert!(
        !again.notes.iter().any(|n| n.contains(tags::RUN)),
        "nothing created"
    );
}

#[test]
fn dedicated_destroy_keeps_a_role_that_a_published_version_runs_on() {
    let spec = spec();
    let mut obs = applied(&spec);
    obs.version_roles = vec![
        crate::resources::version::VersionInfo {
            number: "4".into(),
            role: Some(obs.role_arn()),
            ours: false,
        },
        crate::resources::version::VersionInfo {
            number: "2".into(),
            role: Some(SLR.into()),
            ours: false,
        },
    ];
    let plan = plan_destroy(&spec, &obs).unwrap();
    assert!(plan
        .changes
        .iter()
        .all(|c| c.action != Action::Delete || !c.address.to_string().starts_with("role[")));
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("version 4") && n.contains("kept")),
        "{:?}",
        plan.notes
    );
}
