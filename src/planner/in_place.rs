//! The in-place mode (the default): the logging permissions go to the role each alias's version
//! already runs on, because that role is the one Lex writes the alias's logs with. A Lex
//! service-linked role gets one inline policy (what the console does); a customer role gets our
//! managed policies attached. The bot is not updated, so no version goes stale, no feature
//! permission is lost, and no PassRole change is needed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::{
    attachment_address, grant_changes, log_group_change, managed_policy_changes, our_destinations,
    policy_json, target, wanted_destinations, wanted_documents, AttachTarget, OurDestinations,
};
use crate::documents::{self, Concern};
use crate::error::{Error, Result};
use crate::observe::{Observed, Writer};
use crate::plan::{Action, Change, Kind, Plan};
use crate::resources::alias::Alias;
use crate::resources::alias::AliasVersion;
use crate::resources::inline_policy;
use crate::resources::inline_policy::InlinePolicyStep;
use crate::resources::managed_policy::PolicyStep;
use crate::resources::record::RecordStep;
use crate::resources::tags;
#[cfg(test)]
use crate::resources::{
    alias::AliasStep, attachment::AttachmentStep, bot::BotStep, log_group::LogGroupStep,
};
use crate::spec::{Principal, PrincipalKind, Spec};
use crate::step::Step;

/// The concerns our managed policies cover in place (a bot keeps its own role, so it needs no
/// copy of the service-linked role's runtime actions).
const LOG_CONCERNS: [Concern; 3] = [Concern::CloudWatch, Concern::S3, Concern::Kms];

/// IAM's default quota of managed policies attached to one role.
pub const ATTACHED_POLICIES_MAX: usize = 10;

/// The role an alias's logs are written by, or why there is none.
fn writer_of<'a>(obs: &'a Observed, alias: &Alias) -> Result<&'a Writer> {
    let version = alias.version();
    let Some(arn) = alias.runs_on.as_deref() else {
        return Err(Error::invalid(
            format!(
                "alias {} of bot {} runs version {version}, which has no role: Lex cannot write its logs",
                alias.name, obs.bot.name
            ),
            "point the alias at a version that has a role",
        ));
    };
    match obs.writers.get(arn) {
        Some(writer) if writer.state.is_some() => Ok(writer),
        _ => Err(Error::invalid(
            format!(
                "alias {} of bot {} runs version {version}, whose role {arn} no longer exists: the alias cannot run, nor log",
                alias.name, obs.bot.name
            ),
            "publish a version with a role that exists and point the alias at it, or use --role-name (the dedicated-role mode) with --publish-version",
        )),
    }
}

fn role_owner(writer: &Writer) -> Principal {
    Principal {
        kind: PrincipalKind::Role,
        name: writer.name.clone(),
    }
}

/// The distinct writers of `aliases`, in ARN order.
fn writers_of<'a>(obs: &'a Observed, aliases: &[Alias]) -> Result<Vec<&'a Writer>> {
    let mut seen = BTreeMap::new();
    for alias in aliases {
        let writer = writer_of(obs, alias)?;
        seen.insert(writer.arn.clone(), writer);
    }
    Ok(seen.into_values().collect())
}

/// The destinations of ours: what our managed policies and our inline policies on the writers
/// grant, and what this run wants.
fn ours_in_place(obs: &Observed, setup: &str, spec: &Spec) -> OurDestinations {
    let (text, audio) = wanted_destinations(spec, obs);
    let mut ours = our_destinations(obs, text.as_ref(), audio.as_ref());
    let inline_name = documents::service_linked_policy_name(setup);
    for writer in obs.writers.values() {
        let Some(document) = writer
            .state
            .as_ref()
            .and_then(|s| s.inline.get(&inline_name))
        else {
            continue;
        };
        for resource in documents::granted_resources(document) {
            if resource.contains(":logs:") {
                ours.log_group_arns
                    .push(resource.trim_end_matches(":*").to_string());
            } else if resource.starts_with("arn:") && resource.contains(":s3:::") {
                let bucket = resource.split('/').next().unwrap_or_default().to_string();
                ours.bucket_arns.push(bucket);
            }
        }
    }
    ours.log_group_arns.sort();
    ours.log_group_arns.dedup();
    ours.bucket_arns.sort();
    ours.bucket_arns.dedup();
    ours
}

/// True when the alias logs to a destination of ours.
fn logs_to_ours(alias: &Alias, ours: &OurDestinations) -> bool {
    let Some(settings) = alias.described.conversation_log_settings() else {
        return false;
    };
    let text = settings.text_log_settings().iter().any(|t| {
        t.destination()
            .and_then(|d| d.cloud_watch())
            .is_some_and(|c| {
                ours.log_group_arns
                    .iter()
                    .any(|o| same_log_group(o, c.cloud_watch_log_group_arn()))
            })
    });
    let audio = settings.audio_log_settings().iter().any(|a| {
        a.destination()
            .and_then(|d| d.s3_bucket())
            .is_some_and(|s| ours.bucket_arns.iter().any(|o| o == s.s3_bucket_arn()))
    });
    text || audio
}

/// Log group ARNs compared with and without the trailing `:*`.
pub fn same_log_group(a: &str, b: &str) -> bool {
    a.trim_end_matches(":*") == b.trim_end_matches(":*")
}

/// Apply in place: the log group, our grant on each writer role, PassRole on them if asked,
/// then the aliases.
pub fn plan_apply(spec: &Spec, obs: &Observed) -> Result<Plan> {
    let setup = obs.role_name.as_str();
    let mut changes: Vec<Change> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let writers = writers_of(obs, &obs.aliases)?;

    let wanted = wanted_documents(spec, obs);
    let mut ready: Vec<String> = Vec::new();

    // Service-linked roles take one inline policy with every statement.
    let inline_name = documents::service_linked_policy_name(setup);
    let combined = documents::combined(&wanted.values().collect::<Vec<_>>());
    for writer in writers.iter().filter(|w| w.service_linked) {
        let state = writer.state.as_ref().expect("writers exist");
        let owner = role_owner(writer);
        let change = super::put_inline_change(
            &owner,
            &inline_name,
            state.inline.get(&inline_name),
            &combined,
        );
        let addr = change.address.clone();
        changes.push(change);
        ready.push(addr);
    }

    // IAM may refuse changes to a service-linked role (UnmodifiableEntity): the error then says
    // so, and what ran beside it (the log group, grants) is rolled back. The puts run beside the
    // rest rather than first, which keeps a fresh apply at two rounds of changes.
    let log_group = log_group_change(spec, obs);
    let log_group_addr = log_group.as_ref().map(|c| c.address.clone());
    changes.extend(log_group);

    // Customer roles get our managed policies attached (within IAM's quota).
    let customers: Vec<&Writer> = writers
        .iter()
        .copied()
        .filter(|w| !w.service_linked)
        .collect();
    if !customers.is_empty() {
        for writer in &customers {
            let attached = &writer.state.as_ref().expect("writers exist").attached;
            let adding = wanted
                .keys()
                .filter(|c| !attached.contains(&obs.scope.policy(&c.policy_name(setup))))
                .count();
            if attached.len() + adding > ATTACHED_POLICIES_MAX {
                return Err(Error::invalid(
                    format!(
                        "role {} has {} managed policies attached and needs {adding} more; IAM allows {ATTACHED_POLICIES_MAX} per role",
                        writer.name,
                        attached.len()
                    ),
                    "detach a policy the role does not need, or use --role-name (the dedicated-role mode)",
                ));
            }
        }
        let targets: Vec<AttachTarget> = customers
            .iter()
            .map(|w| AttachTarget {
                role: &w.name,
                attached: &w.state.as_ref().expect("writers exist").attached,
                after: vec![],
            })
            .collect();
        let (policy_changes, attached) =
            managed_policy_changes(obs, setup, &LOG_CONCERNS, &wanted, &targets);
        changes.extend(policy_changes);
        ready.extend(attached);
    }

    // PassRole on the roles that write the logs; who got it is recorded on the bot's tags, so
    // that a later apply revokes a grant no longer asked for and destroy finds every grant.
    let writer_arns: Vec<String> = writers.iter().map(|w| w.arn.clone()).collect();
    changes.extend(grant_changes(
        spec,
        obs,
        &documents::pass_role_policy_name(setup),
        &writer_arns,
    ));
    changes.extend(grant_record_change(spec, obs)?);

    // The aliases, once their writers may write.
    let (text_dest, audio_dest) = wanted_destinations(spec, obs);
    let ours = ours_in_place(obs, setup, spec);
    for alias in &obs.aliases {
        let writer = writer_of(obs, alias)?;
        notes.push(format!(
            "alias {} runs version {}, so role {} writes its logs ({})",
            alias.name,
            alias.version(),
            writer.arn,
            if writer.service_linked {
                format!("a Lex service-linked role: inline policy {inline_name}")
            } else {
                "a customer role: our managed policies attached".to_string()
            }
        ));
        changes.extend(super::alias_apply_changes(
            spec,
            obs,
            alias,
            text_dest.as_ref(),
            audio_dest.as_ref(),
            &ours,
            AliasVersion::Keep,
            log_group_addr.iter().chain(ready.iter()),
        )?);
    }
    notes.push("in place: the bot keeps its role and every permission on it; nothing about the bot is updated".into());
    notes.extend(super::destination_notes(obs));
    notes.extend(super::run_tag_note(&changes));

    let mut target = target(obs);
    target.writers = writer_arns;
    Ok(Plan {
        command: Kind::Apply,
        targets: vec![target],
        changes,
        notes,
    })
}

/// The bot's tag that records the principals granted PassRole, as the spec wants it.
fn grant_record_change(spec: &Spec, obs: &Observed) -> Result<Option<Change>> {
    let key = tags::PASS_ROLE_PRINCIPALS.to_string();
    let wanted: Option<String> = (!spec.pass_role.is_empty()).then(|| {
        spec.pass_role
            .iter()
            .map(Principal::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    });
    if let Some(value) = wanted.as_ref().filter(|v| v.len() > tags::VALUE_MAX) {
        return Err(Error::invalid(
            format!(
                "the --grant-pass-role principals take {} characters to record; a tag holds {}",
                value.len(),
                tags::VALUE_MAX
            ),
            "grant fewer principals (a group can stand for many users)",
        ));
    }
    let current = obs.bot_tags.get(&key).cloned();
    if current == wanted {
        return Ok(None);
    }
    Ok(Some(record_on_bot(obs, wanted, current)))
}

/// Sets (or, with `None`, removes) the bot's grant record.
fn record_on_bot(obs: &Observed, wanted: Option<String>, current: Option<String>) -> Change {
    let key = tags::PASS_ROLE_PRINCIPALS.to_string();
    let as_tags =
        |v: &Option<String>| -> tags::Tags { v.iter().map(|v| (key.clone(), v.clone())).collect() };
    Change::new(
        format!("bot_record[{}]", obs.bot.name),
        match (&current, &wanted) {
            (None, _) => Action::Create,
            (_, None) => Action::Delete,
            _ => Action::Update,
        },
        current
            .as_ref()
            .map(|v| json!({ &key: v }))
            .unwrap_or(Value::Null),
        wanted
            .as_ref()
            .map(|v| json!({ &key: v }))
            .unwrap_or(Value::Null),
        Step::Record(RecordStep::Set {
            arn: obs.scope.bot(&obs.bot.id),
            what: format!("bot {}", obs.bot.name),
            keys: vec![key.clone()],
            values: as_tags(&wanted),
            previous: as_tags(&current),
        }),
    )
}

/// Destroy in place: the named aliases stop logging to our destinations; our grants leave the
/// roles that no remaining alias logging to us runs on; our policies and PassRole grants go when
/// nothing needs them. Log groups and buckets are kept.
pub fn plan_destroy(spec: &Spec, obs: &Observed) -> Result<Plan> {
    // A bot that runs on our own role was set up in the dedicated-role mode.
    if obs.bot_on_our_role() && obs.role.as_ref().is_some_and(|r| tags::is_ours(&r.tags)) {
        return super::plan_destroy_dedicated(spec, obs);
    }
    let setup = obs.role_name.as_str();
    let mut changes: Vec<Change> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let ours = ours_in_place(obs, setup, spec);

    let mut alias_addrs = Vec::new();
    for alias in &obs.aliases {
        changes.extend(super::alias_destroy_changes(
            obs,
            alias,
            &ours,
            AliasVersion::Keep,
        ));
        alias_addrs.push(alias.address(&obs.bot));
    }

    // Aliases not named that still log to our destinations keep what they need.
    let needing: Vec<&Alias> = obs
        .bystanders
        .iter()
        .filter(|a| logs_to_ours(a, &ours))
        .collect();
    let kept: BTreeSet<&str> = needing
        .iter()
        .filter_map(|a| a.runs_on.as_deref())
        .collect();
    for alias in &needing {
        notes.push(format!(
            "alias {} still logs to a destination of ours: what it needs is kept (role {})",
            alias.name,
            alias.runs_on.as_deref().unwrap_or("none")
        ));
    }

    let inline_name = documents::service_linked_policy_name(setup);
    let policy_arns: Vec<(Concern, String)> = LOG_CONCERNS
        .iter()
        .map(|c| (*c, obs.scope.policy(&c.policy_name(setup))))
        .collect();
    let mut detached: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for writer in obs.writers.values() {
        let Some(state) = &writer.state else { continue };
        if kept.contains(writer.arn.as_str()) {
            continue;
        }
        if let Some(document) = state.inline.get(&inline_name) {
            let owner = role_owner(writer);
            changes.push(
                Change::new(
                    inline_policy::address(&owner, &inline_name),
                    Action::Delete,
                    json!({"document": document}),
                    Value::Null,
                    Step::InlinePolicy(InlinePolicyStep::Delete {
                        owner,
                        name: inline_name.clone(),
                        previous: document.clone(),
                    }),
                )
                .after(alias_addrs.iter().cloned()),
            );
        }
        for (_, arn) in &policy_arns {
            if !state.attached.contains(arn) {
                continue;
            }
            let change = super::detach_change(&writer.name, arn).after(alias_addrs.iter().cloned());
            detached
                .entry(arn.clone())
                .or_default()
                .push(change.address.clone());
            changes.push(change);
        }
    }

    if needing.is_empty() {
        for (concern, arn) in &policy_arns {
            let Some(found) = obs.policies.get(concern).cloned().flatten() else {
                continue;
            };
            // Attached to a role no named alias runs on any more (its alias moved to another
            // version): detached there too, or the delete would fail.
            let done: Vec<String> = obs
                .writers
                .values()
                .filter(|w| {
                    detached
                        .get(arn)
                        .is_some_and(|d| d.contains(&attachment_address(&w.name, arn)))
                })
                .map(|w| w.name.clone())
                .collect();
            if tags::is_ours(&found.tags) {
                for role in found.attached_roles.iter().filter(|r| !done.contains(r)) {
                    let change = super::detach_change(role, arn).after(alias_addrs.iter().cloned());
                    detached
                        .entry(arn.clone())
                        .or_default()
                        .push(change.address.clone());
                    changes.push(change);
                }
            }
            if !tags::is_ours(&found.tags) {
                notes.push(format!(
                    "policy {} was not created by lex-logs-setup: it is left alone",
                    found.name
                ));
                continue;
            }
            changes.push(
                Change::new(
                    super::policy_address(&found.name),
                    Action::Delete,
                    policy_json(&found.name, arn, &found.document),
                    Value::Null,
                    Step::Policy(PolicyStep::Delete {
                        name: found.name.clone(),
                        arn: arn.clone(),
                        document: found.document.clone(),
                        tags: found.tags.clone(),
                    }),
                )
                .after(detached.get(arn).cloned().unwrap_or_default()),
            );
        }
        let grant_name = documents::pass_role_policy_name(setup);
        if let Some(current) = obs.bot_tags.get(tags::PASS_ROLE_PRINCIPALS) {
            changes.push(record_on_bot(obs, None, Some(current.clone())));
        }
        for (principal, current) in &obs.grants {
            let Some(found) = current else { continue };
            changes.push(super::delete_inline_change(principal, &grant_name, found));
        }
    } else {
        notes.push(
            "our managed policies and PassRole grants are kept while an alias still logs through them"
                .into(),
        );
    }
    if let Some((name, _)) = &obs.log_group {
        notes.push(format!("log group {name} is kept, with the logs in it"));
    }
    if let Some(bucket) = &obs.bucket {
        notes.push(format!(
            "bucket {} is kept, with the audio in it",
            bucket.name
        ));
    }
    let mut target = target(obs);
    target.writers = obs.writers.keys().cloned().collect();
    Ok(Plan {
        command: Kind::Destroy,
        targets: vec![target],
        changes,
        notes,
    })
}

#[cfg(test)]
mod tests_support {
    pub(super) use super::tests::{find, spec, world};
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arn::Scope;
    use crate::observe::Writer;
    use crate::resources::bot::Bot;
    use crate::resources::role::RoleState;
    use crate::spec::{AudioSpec, TextSpec};
    use aws_sdk_lexmodelsv2::operation::describe_bot::DescribeBotOutput;
    use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;
    use aws_sdk_lexmodelsv2::types::ConversationLogSettings;

    const ACCOUNT: &str = "444455556666";

    fn slr(suffix: &str) -> String {
        format!("arn:aws:iam::{ACCOUNT}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_{suffix}")
    }

    fn customer(name: &str) -> String {
        format!("arn:aws:iam::{ACCOUNT}:role/team/{name}")
    }

    pub(super) fn spec(text: bool, audio: bool) -> Spec {
        Spec {
            bot: "PizzaBot".into(),
            aliases: vec!["prod".into(), "beta".into()],
            text: text.then(|| TextSpec {
                log_group: None,
                retention_days: Some(7),
                log_prefix: "lex/".into(),
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

    fn writer(arn: &str, attached: usize, inline: &[(&str, Value)]) -> Writer {
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
            bucket: None,
            kms_key: None,
            grants: BTreeMap::new(),
            writers: writers.into_iter().map(|w| (w.arn.clone(), w)).collect(),
            bystanders: vec![],
            version_roles: vec![],
            earlier_role: None,
            bot_tags: Default::default(),
        }
    }

    pub(super) fn find<'a>(plan: &'a Plan, address: &str) -> &'a Change {
        plan.changes
            .iter()
            .find(|c| c.address == address)
            .unwrap_or_else(|| {
                let all: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
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
            plan.changes.iter().all(|c| !c.address.starts_with("bot[")
                && !c.address.starts_with("role[")
                && !matches!(c.step, Some(Step::Bot(BotStep::SetRole { .. })))),
            "in place, neither the bot nor a role of ours changes"
        );
        for name in ["prod", "beta"] {
            let change = find(&plan, &format!("alias[PizzaBot/{name}]"));
            assert!(change.depends_on.contains(&inline.address));
            assert!(change.depends_on.contains(&attach.address));
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
        });
        obs.log_group = None;
        let plan = plan_apply(&spec(false, true), &obs).unwrap();
        let inline = find(
            &plan,
            "inline_policy[role/AWSServiceRoleForLexV2Bots_Pizza/LexLogs-PizzaBot-ConversationLogs]",
        );
        let actions: Vec<String> = inline.after["document"]["Statement"]
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
                })) => {
                    obs.log_group = Some((
                        name.clone(),
                        Some(crate::resources::log_group::LogGroupState {
                            name: name.clone(),
                            retention_days: *retention_days,
                            tags: Default::default(),
                        }),
                    ))
                }
                Some(Step::Attachment(AttachmentStep::Attach { role, policy_arn })) => {
                    let w = obs.writers.values_mut().find(|w| w.name == *role).unwrap();
                    w.state.as_mut().unwrap().attached.push(policy_arn.clone());
                }
                Some(Step::Alias(AliasStep::UpdateLogs {
                    settings,
                    described,
                    ..
                })) => {
                    let a = obs
                        .aliases
                        .iter_mut()
                        .find(|a| Some(a.id.as_str()) == described.bot_alias_id())
                        .unwrap();
                    a.described = DescribeBotAliasOutput::builder()
                        .bot_alias_id(a.id.clone())
                        .bot_alias_name(a.name.clone())
                        .bot_version(a.version().to_string())
                        .set_conversation_log_settings(settings.clone())
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
                .all(|c| c.action != Action::Delete || !c.address.contains("pizza-runtime")),
            "prod still logs through pizza-runtime: {:?}",
            plan.changes.iter().map(|c| &c.address).collect::<Vec<_>>()
        );
        assert!(plan
            .changes
            .iter()
            .all(|c| !c.address.starts_with("policy[")));
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
            .find(|c| c.address.starts_with("attachment[pizza-runtime"))
            .unwrap();
        assert!(policy.depends_on.contains(&detach.address));
        assert!(detach
            .depends_on
            .contains(&"alias[PizzaBot/prod]".to_string()));
        for change in &plan.changes {
            if let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &change.step {
                assert!(
                    settings.is_none(),
                    "nothing else was logged: no settings left"
                );
            }
        }
    }
}

#[cfg(test)]
mod take_over_tests {
    use super::tests_support::*;
    use super::*;
    use aws_sdk_lexmodelsv2::types::{
        AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
        ConversationLogSettings, S3BucketLogDestination, TextLogDestination, TextLogSetting,
    };

    fn foreign_text(group: &str) -> TextLogSetting {
        TextLogSetting::builder()
            .enabled(true)
            .selective_logging_enabled(true)
            .destination(
                TextLogDestination::builder()
                    .cloud_watch(
                        CloudWatchLogGroupLogDestination::builder()
                            .cloud_watch_log_group_arn(format!(
                                "arn:aws:logs:us-west-2:444455556666:log-group:{group}"
                            ))
                            .log_prefix("team-x/")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .build()
    }

    fn foreign_audio() -> AudioLogSetting {
        AudioLogSetting::builder()
            .enabled(false)
            .destination(
                AudioLogDestination::builder()
                    .s3_bucket(
                        S3BucketLogDestination::builder()
                            .s3_bucket_arn("arn:aws:s3:::team-x-audio")
                            .log_prefix("rec/")
                            .kms_key_arn("arn:aws:kms:us-west-2:444455556666:key/team-x")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .build()
    }

    #[test]
    fn another_teams_destination_is_refused_or_recorded_and_put_back_exactly() {
        let mut obs = world();
        let theirs = ConversationLogSettings::builder()
            .text_log_settings(foreign_text("/team-x/lex"))
            .audio_log_settings(foreign_audio())
            .build();
        obs.aliases[1].described = obs.aliases[1]
            .described
            .clone()
            .to_builder_with(Some(theirs.clone()));
        let err = plan_apply(&spec(true, false), &obs)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("beta")
                && err.contains("/team-x/lex")
                && err.contains("--take-over-destinations"),
            "{err}"
        );
        // Audio only asked for: the text half is theirs and stays; the audio half conflicts.
        let err = plan_apply(&spec(false, true), &obs)
            .unwrap_err()
            .to_string();
        assert!(err.contains("audio to arn:aws:s3:::team-x-audio"), "{err}");

        let taking = Spec {
            take_over_destinations: true,
            ..spec(true, false)
        };
        let plan = plan_apply(&taking, &obs).unwrap();
        let record = find(&plan, "alias_record[PizzaBot/beta]");
        let Some(Step::Record(RecordStep::Set { values, .. })) = &record.step else {
            panic!("{:?}", record.step)
        };
        assert_eq!(
            values[crate::resources::alias::PREVIOUS_TEXT_ARN],
            "arn:aws:logs:us-west-2:444455556666:log-group:/team-x/lex"
        );
        assert!(
            !values.contains_key(crate::resources::alias::PREVIOUS_AUDIO_ARN),
            "only the half replaced is recorded"
        );
        let alias = find(&plan, "alias[PizzaBot/beta]");
        assert!(alias.depends_on.contains(&record.address));
        let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &alias.step else {
            panic!()
        };
        let settings = settings.clone().unwrap();
        assert_eq!(
            settings.audio_log_settings().to_vec(),
            vec![foreign_audio()],
            "their audio half is kept as it was"
        );

        // After the take-over: the alias logs to ours, and carries the record.
        obs.aliases[1].described = obs.aliases[1]
            .described
            .clone()
            .to_builder_with(Some(settings));
        obs.aliases[1].tags = values.clone();

        // Audio only from now on: the text half goes back to team X, and its record goes.
        let audio_only = Spec {
            take_over_destinations: true,
            ..spec(false, true)
        };
        let mut audio_obs = obs.clone();
        audio_obs.log_group = None;
        // What the take-over's apply put on the bot's role: our grant for /aws/lex/PizzaBot.
        let grant = documents::combined(&[&documents::cloudwatch(
            &audio_obs.scope,
            "/aws/lex/PizzaBot",
        )]);
        for writer in audio_obs.writers.values_mut().filter(|w| w.service_linked) {
            writer
                .state
                .as_mut()
                .unwrap()
                .inline
                .insert("LexLogs-PizzaBot-ConversationLogs".into(), grant.clone());
        }
        let audio_obs = audio_obs;
        let plan = plan_apply(&audio_only, &audio_obs).unwrap();
        let alias = find(&plan, "alias[PizzaBot/beta]");
        let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &alias.step else {
            panic!()
        };
        assert_eq!(
            settings.as_ref().unwrap().text_log_settings().to_vec(),
            theirs.text_log_settings().to_vec(),
            "their text half is back"
        );
        let released = find(&plan, "alias_record[PizzaBot/beta/released]");
        assert!(released.depends_on.contains(&alias.address));
        let plan = plan_destroy(&taking, &obs).unwrap();
        let alias = find(&plan, "alias[PizzaBot/beta]");
        let Some(Step::Alias(AliasStep::UpdateLogs { settings, .. })) = &alias.step else {
            panic!()
        };
        assert_eq!(
            settings.as_ref().unwrap(),
            &theirs,
            "destroy puts their setting back exactly"
        );
        let unrecord = find(&plan, "alias_record[PizzaBot/beta]");
        assert_eq!(unrecord.action, Action::Delete);
        assert!(unrecord.depends_on.contains(&alias.address));
    }
}

/// Test helper: an alias description with other conversation log settings.
#[cfg(test)]
trait WithSettings {
    fn to_builder_with(
        self,
        settings: Option<aws_sdk_lexmodelsv2::types::ConversationLogSettings>,
    ) -> aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;
}

#[cfg(test)]
impl WithSettings for aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput {
    fn to_builder_with(
        self,
        settings: Option<aws_sdk_lexmodelsv2::types::ConversationLogSettings>,
    ) -> Self {
        Self::builder()
            .set_bot_alias_id(self.bot_alias_id().map(str::to_string))
            .set_bot_alias_name(self.bot_alias_name().map(str::to_string))
            .set_bot_version(self.bot_version().map(str::to_string))
            .set_conversation_log_settings(settings)
            .build()
    }
}

#[cfg(test)]
mod moved_alias_tests {
    use super::tests_support::*;
    use super::*;

    #[test]
    fn destroy_detaches_our_policy_from_a_role_no_alias_runs_on_any_more() {
        let mut obs = world();
        let arn = obs
            .scope
            .policy(&Concern::CloudWatch.policy_name("LexLogs-PizzaBot"));
        obs.policies.insert(
            Concern::CloudWatch,
            Some(crate::resources::managed_policy::PolicyState {
                name: Concern::CloudWatch.policy_name("LexLogs-PizzaBot"),
                arn: arn.clone(),
                document: documents::cloudwatch(&obs.scope, "/aws/lex/PizzaBot"),
                default_version: "v1".into(),
                tags: [(
                    tags::MANAGED_BY.to_string(),
                    tags::MANAGED_BY_VALUE.to_string(),
                )]
                .into(),
                // `prod` ran on version 1 (role old-runtime) at apply time; it runs version 2 now.
                attached_roles: vec!["pizza-runtime".into(), "old-runtime".into()],
            }),
        );
        let runtime = obs
            .writers
            .values_mut()
            .find(|w| w.name == "pizza-runtime")
            .unwrap();
        runtime.state.as_mut().unwrap().attached.push(arn.clone());
        let plan = plan_destroy(&spec(true, false), &obs).unwrap();
        let old = find(&plan, &format!("attachment[old-runtime -> {arn}]"));
        assert_eq!(old.action, Action::Delete);
        let delete = find(&plan, "policy[LexLogs-PizzaBot-CloudWatchLogs]");
        assert!(delete.depends_on.contains(&old.address));
        assert!(delete
            .depends_on
            .contains(&format!("attachment[pizza-runtime -> {arn}]")));
    }
}
