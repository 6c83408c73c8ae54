//! The dedicated-role mode (`--role-name`): our own role, the bot switched to it, aliases on
//! older versions moved to a version published on it (only with `--publish-version`).

use super::alias::{alias_apply_changes, alias_destroy_changes};
use super::bot::{bot_back_change, bot_role_change};
use super::carried::carried_permissions;
use super::changes::role_address;
use super::destinations::{
    destination_notes, kept_destination_notes, key_note, our_destinations, wanted_destinations,
};
use super::grants::{grant_changes, grant_revocations};
use super::log_group::{log_group_change, log_group_restores};
use super::policies::{managed_policy_changes, wanted_documents, AttachTarget};
use super::role::{earlier_role_removal, role_change, role_removal, stale_aliases};
use super::versions::{delete_unused_versions, publish_change, versions_still_on};
use super::{boundary, replicas, run_tag_note, target};
use crate::resources::alias::AliasVersion;
use std::collections::BTreeSet;

use crate::documents::{self, Concern};
use crate::error::Result;
use crate::observe::Observed;
use crate::plan::{Address, Change, Mode, Plan};
use crate::resources::role::{PreviousRole, RoleState};
use crate::resources::tags::{self};
use crate::spec::Spec;

/// Apply in the dedicated-role mode: the log group; our role with our policies and what the
/// bot's previous role granted; PassRole on it; the bot switched to it; a version published on
/// it for aliases on older versions (if asked); the aliases; an earlier role of ours removed.
pub(super) fn plan_apply(spec: &Spec, obs: &Observed) -> Result<Plan> {
    let role_name = obs.role_name.as_str();
    let role_arn = obs.role_arn();
    // What the bot's replica regions need (Global Resiliency), first.
    let (mut changes, mut notes) = replicas::replica_changes(spec, obs)?;
    let boundary = match (&obs.role, &obs.previous) {
        (Some(role), _) => role.boundary.as_deref(),
        (None, Some(PreviousRole::Customer { boundary, .. })) => boundary.as_deref(),
        (None, _) => None,
    };
    notes.extend(boundary::check(spec, obs, Some((&role_arn, boundary)))?);
    let (log_group, group_notes) = log_group_change(spec, obs)?;
    let log_group_addr = log_group.as_ref().map(|c| c.address.clone());
    changes.extend(log_group);
    notes.extend(group_notes);

    let trust = documents::trust(
        &obs.scope,
        &obs.bot.id,
        spec.pin_source_account,
        spec.pin_source_arn,
    );
    changes.push(role_change(spec, obs, &trust)?);
    // What the role must have before the bot runs on it.
    let mut role_ready = vec![role_address(role_name)];
    let (policy_changes, ready) = role_policies(spec, obs);
    changes.extend(policy_changes);
    role_ready.extend(ready);
    let (carried, ready) = carried_permissions(obs, &mut notes);
    changes.extend(carried);
    role_ready.extend(ready);

    let grant_name = documents::pass_role_policy_name(role_name);
    let role_arns = std::slice::from_ref(&role_arn);
    changes.extend(grant_changes(spec, obs, &grant_name, role_arns));
    changes.push(bot_role_change(obs, &role_arn, &role_ready));
    let bot_addr = Address::Bot(obs.bot.name.clone());

    let stale = stale_aliases(obs);
    let publish = publish_change(spec, obs, &stale, &mut notes)?;
    let publish_addr = publish.as_ref().map(|c| c.address.clone());
    changes.extend(publish);

    // Each alias logs to our destinations, once the bot, the group and the role are ready.
    let (text_dest, audio_dest) = wanted_destinations(spec, obs);
    let ours = our_destinations(obs, text_dest.as_ref(), audio_dest.as_ref());
    for alias in &obs.aliases {
        let repoint = stale.iter().any(|s| s.id == alias.id);
        let version = match repoint {
            true => AliasVersion::PublishedByRun,
            false => AliasVersion::Keep,
        };
        let needs = std::iter::once(&bot_addr)
            .chain(log_group_addr.iter())
            .chain(role_ready.iter())
            .chain(publish_addr.iter().filter(|_| repoint));
        let (text, audio) = (text_dest.as_ref(), audio_dest.as_ref());
        changes.extend(alias_apply_changes(
            spec, obs, alias, text, audio, &ours, version, needs,
        )?);
    }

    let moved = std::iter::once(bot_addr).chain(
        obs.aliases
            .iter()
            .map(|a| Address::alias(&obs.bot.name, &a.name)),
    );
    changes.extend(earlier_role_removal(obs, &mut notes, moved.collect()));
    notes.extend(destination_notes(obs));
    notes.extend(key_note(spec, obs));
    notes.extend(run_tag_note(&changes));
    let mut target = target(obs);
    target.previous_role = obs.previous.as_ref().map(|p| p.arn().to_string());
    Ok(Plan {
        command: Mode::Apply,
        targets: vec![target],
        changes,
        notes,
    })
}

/// Our managed policies on our role, one per concern (with the Lex runtime actions when the bot
/// leaves a service-linked role), and their attachments; and what the bot must wait for.
fn role_policies(spec: &Spec, obs: &Observed) -> (Vec<Change>, Vec<Address>) {
    let role_name = obs.role_name.as_str();
    let mut wanted = wanted_documents(spec, obs);
    if let Some(PreviousRole::ServiceLinked { .. }) = &obs.previous {
        wanted.insert(Concern::BotRuntime, documents::bot_runtime());
    }
    let attached_now: Vec<String> = obs
        .role
        .as_ref()
        .map(|r| r.attached.clone())
        .unwrap_or_default();
    let target = AttachTarget {
        role: role_name,
        attached: &attached_now,
        after: vec![role_address(role_name)],
    };
    managed_policy_changes(obs, role_name, &Concern::ALL, &wanted, &[target])
}

/// Destroy of the dedicated-role setup: the aliases off our destinations (and back on the
/// versions they ran), the bot back on its previous role, our grants revoked, our role and its
/// policies deleted unless a published version still runs on it.
pub(super) fn plan_destroy_dedicated(spec: &Spec, obs: &Observed) -> Result<Plan> {
    let role_name = obs.role_name.as_str();
    let mut notes = Vec::new();
    let plan = |changes, notes| Plan {
        command: Mode::Destroy,
        targets: vec![target(obs)],
        changes,
        notes,
    };
    let role: Option<&RoleState> = match &obs.role {
        Some(role) if !tags::is_ours(&role.tags) => {
            notes.push(format!("role {role_name} was not created by lex-logs-setup: it is left alone, and so is everything else"));
            return Ok(plan(Vec::new(), notes));
        }
        // The logging role of another bot was refused before planning (`crate::ownership`).
        other => other.as_ref(),
    };
    // On destroy, aliases go first.
    let (mut changes, alias_addrs, runs_after) = aliases_back(spec, obs, role);
    let (restores, restore_notes) = log_group_restores(obs, obs.log_groups_read());
    changes.extend(restores.into_iter().map(|c| c.needs(alias_addrs.clone())));
    notes.extend(restore_notes);
    let (restores, restore_notes) = replicas::replica_restores(obs);
    changes.extend(restores);
    notes.extend(restore_notes);
    changes.push(bot_back_change(obs, role, &alias_addrs)?);
    let mut before_role_delete = vec![Address::Bot(obs.bot.name.clone())];
    let grant_name = documents::pass_role_policy_name(role_name);
    let revoked = grant_revocations(obs, &grant_name, &obs.role_arn(), &mut notes);
    before_role_delete.extend(revoked.iter().map(|c| c.address.clone()));
    changes.extend(revoked);

    let Some(role) = role else {
        notes.push(format!(
            "there is no role {role_name}: nothing of ours is left in IAM"
        ));
        return Ok(plan(changes, notes));
    };
    let (removal, role_goes) = role_teardown(
        obs,
        role,
        &runs_after,
        &alias_addrs,
        before_role_delete,
        &mut notes,
    );
    changes.extend(removal);
    if role_goes {
        let (text, audio) = wanted_destinations(spec, obs);
        let ours = our_destinations(obs, text.as_ref(), audio.as_ref());
        notes.extend(kept_destination_notes(obs, &ours));
    }
    Ok(plan(changes, notes))
}

/// Destroy's changes to the named aliases: our destinations removed, and an alias that
/// --publish-version moved to a version of ours back on the one it ran. Also their addresses and
/// the versions that aliases run once destroy is done.
fn aliases_back(
    spec: &Spec,
    obs: &Observed,
    role: Option<&RoleState>,
) -> (Vec<Change>, Vec<Address>, BTreeSet<String>) {
    let (text_dest, audio_dest) = wanted_destinations(spec, obs);
    let ours = our_destinations(obs, text_dest.as_ref(), audio_dest.as_ref());
    let recorded = role
        .map(|r| tags::alias_versions(&r.tags))
        .unwrap_or_default();
    let our_versions: Vec<&str> = obs
        .version_roles
        .iter()
        .filter(|v| v.ours)
        .map(|v| v.number.as_str())
        .collect();
    let mut runs_after: BTreeSet<String> = obs
        .bystanders
        .iter()
        .map(|a| a.version().to_string())
        .collect();
    let (mut changes, mut alias_addrs) = (Vec::new(), Vec::new());
    for alias in &obs.aliases {
        let back = recorded
            .get(&alias.id)
            .filter(|_| our_versions.contains(&alias.version()))
            .filter(|v| obs.version_roles.iter().any(|i| i.number == **v));
        runs_after.insert(back.cloned().unwrap_or_else(|| alias.version().to_string()));
        let version = back
            .map(|v| AliasVersion::Number(v.clone()))
            .unwrap_or(AliasVersion::Keep);
        changes.extend(alias_destroy_changes(obs, alias, &ours, version));
        alias_addrs.push(Address::alias(&obs.bot.name, &alias.name));
    }
    (changes, alias_addrs, runs_after)
}

/// Our role, its policies and the versions we published that nothing runs removed; and whether
/// the role goes. A version that stays and still runs on the role keeps it (with a note); the
/// versions nothing runs go all the same.
fn role_teardown(
    obs: &Observed,
    role: &RoleState,
    runs_after: &BTreeSet<String>,
    alias_addrs: &[Address],
    before_role_delete: Vec<Address>,
    notes: &mut Vec<String>,
) -> (Vec<Change>, bool) {
    let role_name = obs.role_name.as_str();
    // Versions we published that no alias runs any more go; then a version made while the bot
    // ran on our role that is left still runs on it, and keeps it.
    // Deleting a version cannot be undone, so it comes last: after the role is gone (nothing
    // runs the version any more), so that a failure before it rolls back completely.
    let version_deletes = delete_unused_versions(obs, None, runs_after, alias_addrs);
    let in_use = versions_still_on(obs, &role.arn, runs_after);
    if !in_use.is_empty() {
        let one = in_use.len() == 1;
        notes.push(format!(
            "role {role_name} is kept, with its policies: version{} {} of bot {} run{} on it, and would break without it; once no alias needs {}, delete {} and run destroy again",
            if one { "" } else { "s" },
            in_use.join(", "),
            obs.bot.name,
            if one { "s" } else { "" },
            if one { "it" } else { "them" },
            if one { "it" } else { "them" },
        ));
        return (version_deletes, false);
    }
    // Detach everything from our role, delete its inline policies, our policies, then the role.
    let mut ours = Vec::new();
    for found in obs.policies.values().flatten() {
        if tags::is_ours(&found.tags) {
            ours.push(found);
        } else {
            notes.push(format!(
                "policy {} was not created by lex-logs-setup: it is left alone",
                found.name
            ));
        }
    }
    let bot_addr = Address::Bot(obs.bot.name.clone());
    let mut changes = role_removal(&obs.provider, role, &ours, &[bot_addr], before_role_delete);
    let role_addr = role_address(role_name);
    changes.extend(
        version_deletes
            .into_iter()
            .map(|c| c.needs([role_addr.clone()])),
    );
    (changes, true)
}
