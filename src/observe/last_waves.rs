//! The reads after the first three waves (`waves`): in place, the roles the aliases run on
//! that wave 3 did not read (destroy: also every version's role and the service-linked roles
//! holding our grant), beside the locales an alarm watches; IAM's quota of attached policies when a customer
//! writer is near it; then what needs the writers: their boundaries (apply) or the log groups
//! our grants name (destroy).

use std::collections::{BTreeMap, BTreeSet};

use super::roles::GrantHolders;
use super::{destinations, Observed, Writer};
use crate::aws::Clients;
use crate::documents::service_linked_policy_name;
use crate::error::Result;
use crate::plan::Mode;
use crate::resources::role as role_reads;
use crate::spec::Spec;

/// Completes `observed` with the reads that need the first three waves.
pub(super) async fn read(
    clients: &Clients,
    spec: &Spec,
    mode: Mode,
    observed: &mut Observed,
    holders: Option<GrantHolders>,
) -> Result<()> {
    // With `--alarm`, the locales of the versions the aliases run: beside the fourth wave.
    let fourth = async {
        match spec.dedicated() {
            true => Ok(None),
            false => fourth_wave(&clients.iam, observed, mode, holders)
                .await
                .map(Some),
        }
    };
    let locales = super::alarms::read_locales(clients, spec, mode, observed);
    let (fourth, locales) = tokio::join!(fourth, locales);
    let (fourth, locales) = (fourth?, locales?);
    if let Some(writers) = fourth {
        observed.writers = writers;
        if mode == Mode::Apply && customer_writer_near_quota(observed) {
            observed.attached_policies_quota =
                super::quotas::attached_policies_per_role(&clients.iam).await?;
        }
    }
    observed.version_locales = locales;
    match mode {
        Mode::Destroy => {
            observed.granted_log_groups =
                destinations::granted_log_groups(clients, observed).await?
        }
        _ => observed.boundaries = super::boundaries::read(&clients.iam, observed).await?,
    }
    Ok(())
}

/// In place, the roles the aliases run on that the third wave did not read (a version on another
/// role than the bot's); then only the roles the aliases run on, and the bot's own, are writers:
/// the writers it returns. Destroy also reads every role a version of the bot runs on and the
/// bot's own (an alias moved to another version since apply leaves our grant on the role it ran
/// on, and destroy must find it there), and the service-linked roles `holders` names (those of
/// the account holding our grant for this region).
async fn fourth_wave(
    iam: &aws_sdk_iam::Client,
    observed: &Observed,
    mode: Mode,
    holders: Option<GrantHolders>,
) -> Result<BTreeMap<String, Writer>> {
    let inline_name = service_linked_policy_name(&observed.role_name);
    let mut used: BTreeSet<String> = observed
        .aliases
        .iter()
        .chain(observed.bystanders.iter())
        .filter_map(|a| a.runs_on.clone())
        .collect();
    if let (Mode::Destroy, Some(holders)) = (mode, holders.as_ref()) {
        // A version's service-linked role that carries no inline policy of our name has nothing
        // of ours to remove (IAM refuses managed policies there): not read.
        let versions = observed.version_roles.iter().filter_map(|v| v.role.clone());
        let versions = versions
            .filter(|arn| !role_reads::is_service_linked(arn) || holders.named.contains(arn));
        used.extend(versions.chain(observed.bot.role_arn().map(str::to_string)));
        used.extend(holders.here.iter().cloned());
    } else if mode == Mode::Destroy {
        let versions = observed.version_roles.iter().filter_map(|v| v.role.clone());
        used.extend(versions.chain(observed.bot.role_arn().map(str::to_string)));
    }
    // In place, the bot's own role (read in the third wave) stays a writer: when an alias runs
    // a version built with another role, the plan grants both (Lex V2 does not document which
    // writes a published version's logs; planner::in_place::hedged).
    if let Some(bot_role) = observed.bot.role_arn() {
        if observed.writers.contains_key(bot_role) {
            used.insert(bot_role.to_string());
        }
    }
    let missing = used
        .iter()
        .filter(|arn| !observed.writers.contains_key(*arn));
    let found =
        futures::future::try_join_all(missing.map(|arn| Writer::observe(iam, arn, &inline_name)))
            .await?;
    let mut writers = observed.writers.clone();
    writers.retain(|arn, _| used.contains(arn));
    writers.extend(found.into_iter().map(|w| (w.arn.clone(), w)));
    Ok(writers)
}

/// In-place apply attaches up to one managed policy per log concern to each customer role that
/// writes logs: true when that could pass IAM's default quota on one of them.
fn customer_writer_near_quota(observed: &Observed) -> bool {
    let counts = observed
        .writers
        .values()
        .filter(|w| !w.service_linked)
        .filter_map(|w| w.state.as_ref())
        .map(|s| s.attached.len());
    // CloudWatch Logs, S3 and KMS: one policy each (planner::in_place::LOG_CONCERNS).
    super::quotas::quota_matters(counts, 3)
}
