//! Our dedicated role: its tags (what it records), which aliases it cannot serve, and removing it
//! (or an earlier role of ours) with everything attached to it.

use super::changes::{
    delete_inline_change, delete_policy_change, detach_change, role_address, role_json,
};
use super::versions::{delete_unused_versions, versions_still_on};
use std::collections::BTreeMap;

use serde_json::Value;

use crate::documents::{self};
use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::{Action, Address, Change, Provider, Purpose};
use crate::policy;
use crate::resources::alias::Alias;
use crate::resources::role::RoleStep;
use crate::resources::role::{PreviousRole, RoleState};
use crate::resources::tags::{self, Tags};
use crate::spec::{Principal, PrincipalKind, Spec};
use crate::step::Step;

/// Dedicated mode: the aliases on a published version whose role is not ours (they log through
/// our role only once they run a version published after the switch).
pub(super) fn stale_aliases(obs: &Observed) -> Vec<&Alias> {
    let role_arn = obs.role_arn();
    obs.aliases
        .iter()
        .filter(|a| !a.on_draft() && a.runs_on.as_deref() != Some(role_arn.as_str()))
        .collect()
}

/// The role's tags as apply wants them (only our keys).
pub(super) fn desired_role_tags(spec: &Spec, obs: &Observed) -> Result<Tags> {
    let mut wanted = Tags::new();
    wanted.insert(tags::MANAGED_BY.into(), tags::MANAGED_BY_VALUE.into());
    wanted.insert(tags::BOT_ID.into(), obs.bot.id.clone());
    if let Some(previous) = &obs.previous {
        wanted.insert(tags::PREVIOUS_ROLE.into(), previous.arn().to_string());
    }
    if !spec.pass_role.is_empty() {
        let value = spec
            .pass_role
            .iter()
            .map(Principal::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        if value.len() > tags::VALUE_MAX {
            return Err(Error::invalid(
                format!("the --grant-pass-role principals take {} characters to record; a role tag holds {}", value.len(), tags::VALUE_MAX),
                "grant fewer principals (a group can stand for many users)",
            ));
        }
        wanted.insert(tags::PASS_ROLE_PRINCIPALS.into(), value);
    }
    // The version each repointed alias ran first (an earlier record is kept).
    let mut versions = obs
        .role
        .as_ref()
        .map(|r| tags::alias_versions(&r.tags))
        .unwrap_or_default();
    // An earlier role of ours recorded what the aliases ran before any of our versions.
    if let Some(earlier) = &obs.earlier_role {
        for (alias, version) in tags::alias_versions(&earlier.state.tags) {
            versions.entry(alias).or_insert(version);
        }
    }
    if spec.publish_version {
        for alias in stale_aliases(obs) {
            versions
                .entry(alias.id.clone())
                .or_insert_with(|| alias.version().to_string());
        }
    }
    if !versions.is_empty() {
        let value = versions
            .iter()
            .map(|(a, v)| format!("{a}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        if value.len() > tags::VALUE_MAX {
            return Err(Error::invalid(
                format!("the versions of {} repointed aliases take {} characters to record; a role tag holds {}", versions.len(), value.len(), tags::VALUE_MAX),
                "set up fewer aliases per run in the dedicated-role mode",
            ));
        }
        wanted.insert(tags::ALIAS_VERSIONS.into(), value);
    }
    Ok(wanted)
}

pub(super) fn our_tag_keys() -> [&'static str; 5] {
    [
        tags::MANAGED_BY,
        tags::BOT_ID,
        tags::PREVIOUS_ROLE,
        tags::PASS_ROLE_PRINCIPALS,
        tags::ALIAS_VERSIONS,
    ]
}

pub(super) fn only_our_tags(all: &Tags) -> Tags {
    all.iter()
        .filter(|(k, _)| our_tag_keys().contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Removes a role of ours: its attachments and inline policies, our `policies` of it, then the
/// role itself; everything after `after`, the role also after `before_delete`.
pub(super) fn role_removal(
    at: &Provider,
    role: &RoleState,
    policies: &[&crate::resources::managed_policy::PolicyState],
    after: &[Address],
    mut before_delete: Vec<Address>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut detached: BTreeMap<String, Address> = BTreeMap::new();
    for policy_arn in &role.attached {
        let change = detach_change(at, &role.name, policy_arn).needs(after.iter().cloned());
        detached.insert(policy_arn.clone(), change.address.clone());
        before_delete.push(change.address.clone());
        changes.push(change);
    }
    let owner = Principal {
        kind: PrincipalKind::Role,
        name: role.name.clone(),
    };
    for (name, document) in &role.inline {
        let change = delete_inline_change(at, &owner, name, document).needs(after.iter().cloned());
        before_delete.push(change.address.clone());
        changes.push(change);
    }
    for policy in policies {
        let detach = detached.get(&policy.arn).cloned();
        let delete = delete_policy_change(at, &policy.name, &policy.arn, policy);
        changes.push(delete.needs(detach.into_iter().chain(after.iter().cloned())));
    }
    let before = role_json(
        &role.name,
        &role.arn,
        &role.trust,
        &only_our_tags(&role.tags),
    );
    let delete = Step::Role(RoleStep::Delete {
        name: role.name.clone(),
        trust: role.trust.clone(),
        tags: role.tags.clone(),
        boundary: role.boundary.clone(),
    });
    let role_delete = Change::new(
        at,
        role_address(&role.name),
        Action::Delete,
        Some(before),
        None,
        delete,
    );
    changes.push(role_delete.needs(before_delete.into_iter().chain(after.iter().cloned())));
    changes
}

/// Dedicated apply under a new `--role-name`: the earlier role of ours the bot ran on is removed
/// once the bot and aliases have moved (its attachments, inline policies, our policies of it,
/// then the role), unless a published version still runs on it.
pub(super) fn earlier_role_removal(
    obs: &Observed,
    notes: &mut Vec<String>,
    after: Vec<Address>,
) -> Vec<Change> {
    let Some(earlier) = &obs.earlier_role else {
        return Vec::new();
    };
    let role = &earlier.state;
    // What the aliases run once this apply is done: the repointed ones a new version.
    let stale: Vec<&str> = stale_aliases(obs).iter().map(|a| a.id.as_str()).collect();
    let runs_after: std::collections::BTreeSet<String> = obs
        .aliases
        .iter()
        .filter(|a| !stale.contains(&a.id.as_str()))
        .chain(obs.bystanders.iter())
        .map(|a| a.version().to_string())
        .collect();
    // Versions we published on the earlier role that nothing runs any more go last (a deleted
    // version cannot be restored by a rollback), after the role.
    let version_deletes = delete_unused_versions(obs, Some(&role.arn), &runs_after, &after);
    let in_use = versions_still_on(obs, &role.arn, &runs_after);
    if !in_use.is_empty() {
        notes.push(format!(
            "role {} (an earlier logging role of ours) is kept: version(s) {} of bot {} run on it",
            role.name,
            in_use.join(", "),
            obs.bot.name
        ));
        return Vec::new();
    }
    notes.push(format!(
        "role {} is an earlier logging role of ours for this bot: the bot moves to {}, and {} is removed with its policies",
        role.name, obs.role_name, role.name
    ));
    let policies: Vec<&crate::resources::managed_policy::PolicyState> =
        earlier.policies.iter().collect();
    // Its PassRole grants name it: they go with it.
    let grant_name = documents::pass_role_policy_name(&role.name);
    let mut changes: Vec<Change> = earlier
        .grants
        .iter()
        .filter_map(|(principal, found)| {
            let found = found.as_ref()?;
            Some(
                delete_inline_change(&obs.provider, principal, &grant_name, found)
                    .needs(after.iter().cloned()),
            )
        })
        .collect();
    let grants: Vec<Address> = changes.iter().map(|c| c.address.clone()).collect();
    changes.extend(role_removal(&obs.provider, role, &policies, &after, grants));
    let role_addr = role_address(&role.name);
    changes.extend(
        version_deletes
            .into_iter()
            .map(|c| c.needs([role_addr.clone()])),
    );
    changes
}

/// Our dedicated role with the trust policy `trust` and the tags apply wants: created, updated
/// (trust, tags) or as it is.
pub(super) fn role_change(spec: &Spec, obs: &Observed, trust: &Value) -> Result<Change> {
    let role_name = obs.role_name.as_str();
    let role_addr = role_address(role_name);
    let wanted_tags = desired_role_tags(spec, obs)?;
    let Some(role) = &obs.role else {
        let create = Step::Role(RoleStep::Create {
            name: role_name.into(),
            trust: trust.clone(),
            tags: wanted_tags.clone(),
            boundary: match &obs.previous {
                Some(PreviousRole::Customer { boundary, .. }) => boundary.clone(),
                _ => None,
            },
        });
        let after = role_json(role_name, &obs.role_arn(), trust, &wanted_tags);
        return Ok(Change::new(
            &obs.provider,
            role_addr,
            Action::Create,
            None,
            Some(after),
            create,
        )
        .with_document(Purpose::Trust, trust));
    };
    let current_tags = only_our_tags(&role.tags);
    let trust_change =
        (!policy::equivalent(&role.trust, trust)).then(|| (trust.clone(), role.trust.clone()));
    let tag_change =
        (current_tags != wanted_tags).then(|| (wanted_tags.clone(), current_tags.clone()));
    let before = role_json(role_name, &role.arn, &role.trust, &current_tags);
    if trust_change.is_none() && tag_change.is_none() {
        return Ok(Change::no_op(&obs.provider, role_addr, before)
            .with_document(Purpose::Trust, &role.trust));
    }
    let update = Step::Role(RoleStep::Update {
        name: role_name.into(),
        trust: trust_change,
        tags: tag_change,
    });
    let after = role_json(role_name, &role.arn, trust, &wanted_tags);
    Ok(Change::new(
        &obs.provider,
        role_addr,
        Action::Update,
        Some(before),
        Some(after),
        update,
    )
    .with_document(Purpose::Trust, trust))
}
