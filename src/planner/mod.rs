//! Planning: pure functions from what was asked (`Spec`) and what exists (`Observed`) to a `Plan`.
//! No I/O here, so every decision is unit-tested. One file per concern; `dedicated` and
//! `in_place` are the two modes' orchestrators.

use crate::error::Result;
use crate::observe::Observed;
use crate::plan::{Action, Change, Plan, Target};
use crate::resources::tags::{self};
use crate::spec::Spec;

pub(crate) fn target(obs: &Observed) -> Target {
    Target {
        bot: obs.bot.name.clone(),
        bot_id: obs.bot.id.clone(),
        aliases: obs.aliases.iter().map(|a| a.name.clone()).collect(),
        role: obs.role_name.clone(),
        region: obs.scope.region.clone(),
        account: obs.scope.account.clone(),
        partition: obs.scope.partition.clone(),
        writers: Vec::new(),
        previous_role: None,
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
    if spec.dedicated() {
        plan_destroy_dedicated(spec, obs)
    } else {
        in_place::plan_destroy(spec, obs)
    }
}

mod alias;
mod alias_settings;
mod bot;
mod carried;
mod changes;
mod dedicated;
mod destinations;
mod grants;
mod in_place;
mod log_group;
mod policies;
mod role;
mod versions;

use alias::*;
use alias_settings::*;
use bot::*;
use carried::*;
use changes::*;
use dedicated::plan_destroy_dedicated;
use destinations::*;
use grants::*;
use log_group::*;
use policies::*;
use role::*;
use versions::*;

/// The plan that makes the setup true.
pub fn plan_apply(spec: &Spec, obs: &Observed) -> Result<Plan> {
    if spec.dedicated() {
        dedicated::plan_apply(spec, obs)
    } else {
        in_place::plan_apply(spec, obs)
    }
}

#[cfg(test)]
mod tests;
