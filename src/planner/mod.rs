//! Planning: pure functions from what was asked (`Spec`) and what exists (`Observed`) to a `Plan`.
//! No I/O here, so every decision is unit-tested. One file per concern; `dedicated` and
//! `in_place` are the two modes' orchestrators.

use crate::error::Result;
use crate::observe::Observed;
use destinations::{our_destinations, ours_in_place, wanted_destinations};
use std::collections::BTreeMap;

use crate::plan::{Action, Address, Change, Plan, Target};
use crate::resources::tags::{self};
use crate::spec::Spec;

pub(crate) fn target(obs: &Observed) -> Target {
    Target {
        bot: obs.bot.name.clone(),
        bot_id: obs.bot.id.clone(),
        aliases: obs.aliases.iter().map(|a| a.name.clone()).collect(),
        alias_ids: obs.aliases.iter().map(|a| a.id.clone()).collect(),
        role: obs.role_name.clone(),
        region: obs.scope.region.clone(),
        account: obs.scope.account.clone(),
        partition: obs.scope.partition.clone(),
        writers: Vec::new(),
        previous_role: None,
        assume_role: obs.provider.via.clone(),
    }
}

/// The note that what a plan creates also carries the run's tag (the plan shows only our other
/// tags; the run id is made when apply starts).
pub(crate) fn run_tag_note(changes: &[Change]) -> Option<String> {
    changes.iter().any(|c| c.action == Action::Create).then(|| {
        format!(
            "what apply creates is also tagged {}=<the run's id>, so that a create whose answer was lost can be told from another run's work",
            tags::RUN
        )
    })
}

/// The plan that undoes apply: logs off on the aliases, the bot back on its previous role,
/// grants revoked, our policies detached and deleted, our role deleted. Log groups and buckets
/// are kept.
pub fn plan_destroy(spec: &Spec, obs: &Observed) -> Result<Plan> {
    let mut plan = if spec.dedicated() {
        plan_destroy_dedicated(spec, obs)?
    } else {
        in_place::plan_destroy(spec, obs)?
    };
    for (changes, notes) in [
        alarm::alarm_destroy_changes(obs),
        queries::query_destroy_changes(obs),
    ] {
        plan.changes.extend(changes);
        plan.notes.extend(notes);
    }
    Ok(plan)
}

mod alarm;
mod alias;
mod alias_settings;
mod bot;
mod boundary;
mod carried;
mod changes;
mod dedicated;
mod destinations;
mod draft_diff;
mod grants;
mod in_place;
mod inline_size;
mod log_group;
mod log_group_key;
mod orphan;
mod policies;
mod queries;
mod replicas;
mod role;
mod versions;

use dedicated::plan_destroy_dedicated;
pub(crate) use destinations::{channels_to_ours, OurDestinations};
pub(crate) use in_place::unsized_grant_writers;
pub use orphan::plan_destroy_orphan;

/// The plan that makes the setup true.
pub fn plan_apply(spec: &Spec, obs: &Observed) -> Result<Plan> {
    replicas::refuse_audio(spec, obs)?;
    replicas::refuse_group_key(spec, obs)?;
    let mut plan = if spec.dedicated() {
        dedicated::plan_apply(spec, obs)?
    } else {
        in_place::plan_apply(spec, obs)?
    };
    let (changes, notes) = alarm::alarm_apply_changes(spec, obs)?;
    let had_run_note = run_tag_note(&plan.changes).is_some();
    plan.changes.extend(changes);
    plan.notes.extend(notes);
    if !had_run_note {
        plan.notes.extend(run_tag_note(&plan.changes));
    }
    // Saved queries have no tags (the run's tag note is not about them).
    plan.changes
        .extend(queries::query_apply_changes(spec, obs)?);
    Ok(plan)
}

/// True when the bot runs on our own role: it was set up in the dedicated-role mode (destroy then
/// undoes that mode whatever the flags say).
pub(super) fn set_up_dedicated(obs: &Observed) -> bool {
    obs.bot_on_our_role() && obs.role.as_ref().is_some_and(|r| tags::is_ours(&r.tags))
}

/// The destinations of this setup (what our grants cover), as the mode `plan_destroy` would
/// choose for this bot sees them: for `status`, which says whose each alias's destinations are.
pub(crate) fn destinations_of_ours(spec: &Spec, obs: &Observed) -> OurDestinations {
    if spec.dedicated() || set_up_dedicated(obs) {
        let (text, audio) = wanted_destinations(spec, obs);
        our_destinations(obs, text.as_ref(), audio.as_ref())
    } else {
        ours_in_place(obs, &obs.role_name, spec)
    }
}

/// What apply would change for each alias (`alias[BOT/ALIAS]`, by alias name): the changes to
/// the alias itself, and every change not tied to one alias (the log group, the grants, the
/// bot). A refusal is what apply would say.
pub(crate) fn drift(spec: &Spec, obs: &Observed) -> BTreeMap<String, Vec<String>> {
    let mut by_alias: BTreeMap<String, Vec<String>> = obs
        .aliases
        .iter()
        .map(|a| (a.name.clone(), Vec::new()))
        .collect();
    let changes = match plan_apply(spec, obs) {
        Ok(plan) => plan.changes,
        Err(e) => {
            let refusal = format!("apply would refuse: {}", e.to_string().replace('\n', " "));
            by_alias.values_mut().for_each(|d| d.push(refusal.clone()));
            return by_alias;
        }
    };
    for change in changes.iter().filter(|c| c.action != Action::NoOp) {
        let line = format!("{} {}", change.action.glyph(), change.address);
        match &change.address {
            Address::Alias { alias, .. }
            | Address::AliasRecord { alias, .. }
            | Address::Alarm { alias, .. } => {
                if let Some(d) = by_alias.get_mut(alias) {
                    d.push(line);
                }
            }
            _ => by_alias.values_mut().for_each(|d| d.push(line.clone())),
        }
    }
    by_alias
}

#[cfg(test)]
mod tests;
