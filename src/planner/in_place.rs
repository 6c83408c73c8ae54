//! The in-place mode (the default): the logging permissions go to the role each alias's version
//! already runs on, because that role is the one Lex writes the alias's logs with. A Lex
//! service-linked role gets one inline policy (what the console does); a customer role gets our
//! managed policies attached. The bot is not updated, so no version goes stale, no feature
//! permission is lost, and no PassRole change is needed.

use super::alias::{alias_apply_changes, alias_destroy_changes};
use super::changes::{
    attachment_address, delete_inline_change, delete_policy_change, detach_change,
    put_inline_change,
};
use super::dedicated::plan_destroy_dedicated;
use super::destinations::{
    destination_notes, kept_destination_notes, key_note, logs_to_ours, ours_in_place,
    wanted_destinations, OurDestinations,
};
use super::grants::{grant_changes, grant_record_change, record_on_bot};
use super::log_group::{log_group_change, log_group_restores};
use super::policies::{managed_policy_changes, wanted_documents, AttachTarget};
use super::{boundary, replicas, run_tag_note, set_up_dedicated, target};
use crate::resources::alias::AliasVersion;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::documents::{self, Concern};
use crate::error::{Error, Result};
use crate::observe::{Observed, Writer};
use crate::plan::{Address, Change, Mode, Plan, Purpose};
use crate::resources::alias::Alias;
use crate::resources::tags::{self};
use crate::spec::{Principal, PrincipalKind, Spec};

/// The concerns our managed policies cover in place (a bot keeps its own role, so it needs no
/// copy of the service-linked role's runtime actions).
pub(super) const LOG_CONCERNS: [Concern; 3] = [Concern::CloudWatch, Concern::S3, Concern::Kms];

/// The role an alias's logs are written by, or why there is none.
pub(super) fn writer_of<'a>(obs: &'a Observed, alias: &Alias) -> Result<&'a Writer> {
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

pub(super) fn role_owner(writer: &Writer) -> Principal {
    Principal {
        kind: PrincipalKind::Role,
        name: writer.name.clone(),
    }
}

/// The distinct writers of `aliases`, in ARN order: the role each alias's version runs on, and,
/// where a published version's role is not the bot's current one, the bot's role too ([`hedged`]).
pub(super) fn writers_of<'a>(obs: &'a Observed, aliases: &[Alias]) -> Result<Vec<&'a Writer>> {
    let mut seen = BTreeMap::new();
    for alias in aliases {
        let writer = writer_of(obs, alias)?;
        seen.insert(writer.arn.clone(), writer);
        if let Some(bot_role) = hedged(obs, alias, writer) {
            seen.insert(bot_role.arn.clone(), bot_role);
        }
    }
    Ok(seen.into_values().collect())
}

/// The bot's current role, when alias `alias` runs a published version built with another role
/// (`writer`) and the bot's role exists. Lex V2 does not document which of the two writes a
/// published version's logs (the twin, and the acceptance suite's question 2 on it, say the
/// version's own), so both get the grant until `scripts/acceptance` settles it on a real account.
fn hedged<'a>(obs: &'a Observed, alias: &Alias, writer: &Writer) -> Option<&'a Writer> {
    if alias.on_draft() {
        return None;
    }
    let bot_role = obs.bot.role_arn()?;
    if bot_role == writer.arn {
        return None;
    }
    obs.writers.get(bot_role).filter(|w| w.state.is_some())
}

/// Apply in place: the log group, our grant on each writer role, PassRole on them if asked,
/// then the aliases.
pub(super) fn plan_apply(spec: &Spec, obs: &Observed) -> Result<Plan> {
    let setup = obs.role_name.as_str();
    let mut changes: Vec<Change> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let writers = writers_of(obs, &obs.aliases)?;
    notes.extend(boundary::check(spec, obs, None)?);
    let wanted = wanted_documents(spec, obs);

    changes.extend(service_linked_grants(obs, &writers, &wanted)?);
    // IAM may refuse changes to a service-linked role (UnmodifiableEntity): the error then says
    // so, and what ran beside it (the log group, grants) is rolled back. The puts run beside the
    // rest rather than first, which keeps a fresh apply at two rounds of changes.
    let mut ready: Vec<Address> = changes.iter().map(|c| c.address.clone()).collect();
    let (log_group, group_notes) = log_group_change(spec, obs)?;
    let log_group_addr = log_group.as_ref().map(|c| c.address.clone());
    changes.extend(log_group);
    notes.extend(group_notes);
    replicas::add_replica_changes(spec, obs, &mut changes, &mut notes)?;
    let (policy_changes, attached) = customer_grants(obs, &writers, &wanted)?;
    changes.extend(policy_changes);
    ready.extend(attached);

    // PassRole on the roles that write the logs; who got it is recorded on the bot's tags, so
    // that a later apply revokes a grant no longer asked for and destroy finds every grant.
    let writer_arns: Vec<String> = writers.iter().map(|w| w.arn.clone()).collect();
    let grant_name = documents::pass_role_policy_name(setup);
    changes.extend(grant_changes(spec, obs, &grant_name, &writer_arns));
    changes.extend(grant_record_change(spec, obs)?);

    // The aliases, once their writers may write.
    let (text_dest, audio_dest) = wanted_destinations(spec, obs);
    let ours = ours_in_place(obs, setup, spec);
    for alias in &obs.aliases {
        notes.push(writer_note(obs, alias)?);
        let needs = log_group_addr.iter().chain(ready.iter());
        let (text, audio) = (text_dest.as_ref(), audio_dest.as_ref());
        let keep = AliasVersion::Keep;
        changes.extend(alias_apply_changes(
            spec, obs, alias, text, audio, &ours, keep, needs,
        )?);
    }
    notes.push("in place: the bot keeps its role and every permission on it; nothing about the bot is updated".into());
    notes.extend(destination_notes(obs));
    notes.extend(key_note(spec, obs));
    notes.extend(run_tag_note(&changes));

    let mut target = target(obs);
    target.writers = writer_arns;
    Ok(Plan {
        command: Mode::Apply,
        targets: vec![target],
        changes,
        notes,
    })
}

/// Which role writes the alias's logs, and how it gets our grant.
fn writer_note(obs: &Observed, alias: &Alias) -> Result<String> {
    let writer = writer_of(obs, alias)?;
    let how = if writer.service_linked {
        let inline_name = documents::service_linked_policy_name(&obs.role_name);
        format!("a Lex service-linked role: inline policy {inline_name}")
    } else {
        "a customer role: our managed policies attached".to_string()
    };
    let mut note = format!(
        "alias {} runs version {}, so role {} writes its logs ({how})",
        alias.name,
        alias.version(),
        writer.arn,
    );
    if let Some(bot_role) = hedged(obs, alias, writer) {
        note.push_str(&format!(
            "; the bot runs on role {} now, and Lex V2 does not document which of the two writes a published version's logs, so both get the grant (until scripts/acceptance settles it on a real account)",
            bot_role.arn
        ));
    }
    Ok(note)
}

/// Service-linked roles take one inline policy with every statement `wanted`, within IAM's size
/// limit of a role's inline policies (Lex's own included).
fn service_linked_grants(
    obs: &Observed,
    writers: &[&Writer],
    wanted: &BTreeMap<Concern, Value>,
) -> Result<Vec<Change>> {
    let inline_name = documents::service_linked_policy_name(&obs.role_name);
    let combined = documents::combined(&wanted.values().collect::<Vec<_>>());
    writers
        .iter()
        .filter(|w| w.service_linked)
        .map(|writer| {
            let state = writer.state.as_ref().expect("writers exist");
            let current = state.inline.get(&inline_name);
            if changes_grant(current, &combined) {
                super::inline_size::check(writer, &inline_name, &combined)?;
            }
            Ok(put_inline_change(
                &obs.provider,
                Purpose::ServiceLinkedInline,
                &role_owner(writer),
                &inline_name,
                current,
                &combined,
            ))
        })
        .collect()
}

/// True when putting `wanted` changes the grant found (`None`: there is none).
fn changes_grant(current: Option<&Value>, wanted: &Value) -> bool {
    !current.is_some_and(|found| crate::policy::equivalent(found, wanted))
}

/// Apply in place: the service-linked writers on which the plan puts a changed grant while
/// their other inline policies are unread; the plan needs their documents for IAM's size limit
/// (a no-op or a destroy does not: the total does not grow).
pub(crate) fn unsized_grant_writers(spec: &Spec, obs: &Observed) -> Vec<String> {
    if spec.dedicated() {
        return Vec::new();
    }
    let Ok(writers) = writers_of(obs, &obs.aliases) else {
        return Vec::new();
    };
    let inline_name = documents::service_linked_policy_name(&obs.role_name);
    let wanted = wanted_documents(spec, obs);
    let combined = documents::combined(&wanted.values().collect::<Vec<_>>());
    writers
        .iter()
        .filter(|w| w.service_linked && !w.unread_inline.is_empty())
        .filter(|w| {
            let current = w.state.as_ref().and_then(|s| s.inline.get(&inline_name));
            w.state.is_some() && changes_grant(current, &combined)
        })
        .map(|w| w.arn.clone())
        .collect()
}

/// Customer roles get our managed policies attached, within IAM's quota; also the addresses the
/// aliases wait for.
fn customer_grants(
    obs: &Observed,
    writers: &[&Writer],
    wanted: &BTreeMap<Concern, Value>,
) -> Result<(Vec<Change>, Vec<Address>)> {
    let setup = obs.role_name.as_str();
    let customers: Vec<&Writer> = writers
        .iter()
        .copied()
        .filter(|w| !w.service_linked)
        .collect();
    if customers.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    for writer in &customers {
        let attached = &writer.state.as_ref().expect("writers exist").attached;
        let adding = wanted
            .keys()
            .filter(|c| !attached.contains(&obs.scope.policy(&c.policy_name(setup))))
            .count();
        let quota = obs
            .attached_policies_quota
            .unwrap_or(crate::observe::DEFAULT_ATTACHED_POLICIES_PER_ROLE);
        if attached.len() + adding > quota {
            let whose = match obs.attached_policies_quota {
                Some(_) => "this account's AttachedPoliciesPerRoleQuota (iam:GetAccountSummary)",
                None => "IAM's default quota",
            };
            return Err(Error::invalid(
                format!(
                    "role {} has {} managed policies attached and needs {adding} more; {whose} allows {quota} per role",
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
    Ok(managed_policy_changes(
        obs,
        setup,
        &LOG_CONCERNS,
        wanted,
        &targets,
    ))
}

/// Destroy in place: the named aliases stop logging to our destinations; our grants leave the
/// roles that no remaining alias logging to us runs on; our policies and PassRole grants go when
/// nothing needs them. Log groups and buckets are kept.
pub(super) fn plan_destroy(spec: &Spec, obs: &Observed) -> Result<Plan> {
    if set_up_dedicated(obs) {
        return plan_destroy_dedicated(spec, obs);
    }
    let mut changes: Vec<Change> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let ours = ours_in_place(obs, &obs.role_name, spec);
    let mut alias_addrs = Vec::new();
    for alias in &obs.aliases {
        changes.extend(alias_destroy_changes(obs, alias, &ours, AliasVersion::Keep));
        alias_addrs.push(Address::alias(&obs.bot.name, &alias.name));
    }
    let kept = roles_still_needed(obs, &ours, &mut notes);
    let (revoked, mut detached) = writer_revocations(obs, &kept, &alias_addrs);
    changes.extend(revoked);
    if kept.is_empty() {
        changes.extend(policy_deletes(obs, &mut detached, &alias_addrs, &mut notes));
        let grant_name = documents::pass_role_policy_name(&obs.role_name);
        if let Some(current) = obs.bot_tags.get(tags::PASS_ROLE_PRINCIPALS) {
            changes.push(record_on_bot(obs, None, Some(current.clone())));
        }
        for (principal, current) in &obs.grants {
            let Some(found) = current else { continue };
            changes.push(delete_inline_change(
                &obs.provider,
                principal,
                &grant_name,
                found,
            ));
        }
        let (restores, restore_notes) = log_group_restores(obs, obs.log_groups_read());
        changes.extend(restores.into_iter().map(|c| c.needs(alias_addrs.clone())));
        notes.extend(restore_notes);
        let (restores, restore_notes) = replicas::replica_restores(obs);
        changes.extend(restores);
        notes.extend(restore_notes);
    } else {
        notes.push(
            "our managed policies and PassRole grants are kept while an alias still logs through them"
                .into(),
        );
    }
    notes.extend(kept_destination_notes(obs, &ours));
    let mut target = target(obs);
    target.writers = obs.writers.keys().cloned().collect();
    Ok(Plan {
        command: Mode::Destroy,
        targets: vec![target],
        changes,
        notes,
    })
}

/// Aliases not named that still log to our destinations keep what they need: the roles they
/// run on (ARNs), each with a note. Empty when no such alias remains.
fn roles_still_needed<'a>(
    obs: &'a Observed,
    ours: &OurDestinations,
    notes: &mut Vec<String>,
) -> BTreeSet<&'a str> {
    let needing: Vec<&Alias> = obs
        .bystanders
        .iter()
        .filter(|a| logs_to_ours(a, ours))
        .collect();
    for alias in &needing {
        notes.push(format!(
            "alias {} still logs to a destination of ours: what it needs is kept (role {})",
            alias.name,
            alias.runs_on.as_deref().unwrap_or("none")
        ));
    }
    // A needing alias without a role keeps everything too: the set is then not empty.
    needing
        .iter()
        .map(|a| a.runs_on.as_deref().unwrap_or(""))
        .collect()
}

/// The ARNs of our managed policies, by concern.
fn our_policy_arns(obs: &Observed) -> Vec<(Concern, String)> {
    LOG_CONCERNS
        .iter()
        .map(|c| (*c, obs.scope.policy(&c.policy_name(&obs.role_name))))
        .collect()
}

/// Our grant leaves every writer role not `kept`: the inline policy deleted (service-linked),
/// our policies detached (customer), after the aliases. Also the detaches by policy ARN.
fn writer_revocations(
    obs: &Observed,
    kept: &BTreeSet<&str>,
    alias_addrs: &[Address],
) -> (Vec<Change>, BTreeMap<String, Vec<Address>>) {
    let inline_name = documents::service_linked_policy_name(&obs.role_name);
    let mut changes = Vec::new();
    let mut detached: BTreeMap<String, Vec<Address>> = BTreeMap::new();
    for writer in obs.writers.values() {
        let Some(state) = &writer.state else { continue };
        if kept.contains(writer.arn.as_str()) {
            continue;
        }
        if let Some(document) = state.inline.get(&inline_name) {
            let owner = role_owner(writer);
            let delete = delete_inline_change(&obs.provider, &owner, &inline_name, document);
            changes.push(delete.needs(alias_addrs.iter().cloned()));
        }
        for (_, arn) in our_policy_arns(obs) {
            if !state.attached.contains(&arn) {
                continue;
            }
            let change =
                detach_change(&obs.provider, &writer.name, &arn).needs(alias_addrs.iter().cloned());
            detached
                .entry(arn.clone())
                .or_default()
                .push(change.address.clone());
            changes.push(change);
        }
    }
    (changes, detached)
}

/// Our managed policies deleted, each after it is detached from every role (also from a role no
/// named alias runs on any more, whose alias moved to another version); a policy not ours is
/// left alone, with a note.
fn policy_deletes(
    obs: &Observed,
    detached: &mut BTreeMap<String, Vec<Address>>,
    alias_addrs: &[Address],
    notes: &mut Vec<String>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (concern, arn) in our_policy_arns(obs) {
        let Some(found) = obs.policies.get(&concern).cloned().flatten() else {
            continue;
        };
        if !tags::is_ours(&found.tags) {
            notes.push(format!(
                "policy {} was not created by lex-logs-setup: it is left alone",
                found.name
            ));
            continue;
        }
        let done = detached.entry(arn.clone()).or_default();
        for role in &found.attached_roles {
            let address = attachment_address(role, &arn);
            if done.contains(&address) {
                continue;
            }
            let change =
                detach_change(&obs.provider, role, &arn).needs(alias_addrs.iter().cloned());
            done.push(address);
            changes.push(change);
        }
        let delete = delete_policy_change(&obs.provider, &found.name, &arn, &found);
        changes.push(delete.needs(done.iter().cloned()));
    }
    changes
}
