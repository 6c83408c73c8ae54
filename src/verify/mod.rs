//! `verify`: proves that conversation logs arrive, and says why when they do not.
//!
//! For each alias: a static check (`check`: the role its version runs on, whether Lex may
//! assume it, whether its policies allow the writes on the exact destinations, whether the
//! destinations exist), then, unless `--static-only`, a live check (`live`: RecognizeText
//! and/or RecognizeUtterance probe turns, a new session every few seconds until the log line or
//! audio object is read back or `--timeout` runs out, with the delivery-failure metric when it
//! does not arrive; `probe` says what a probe carries and does). `report` renders the outcome.
//!
//! What is checked is read through `crate::observe`, as plan reads it: the bot and its aliases
//! with the role each runs on (`observe::bot_and_aliases`), those roles with their policies
//! (`observe::writer_policies`), and the log groups, buckets and keys the aliases name
//! (`observe::Reads`). `status` hands its own observation of a bot to
//! [`static_check_observed`], so nothing it read is read again.
//!
//! The parts: `args` (what to verify), `per_alias` (one alias, both checks), `delivery` (the
//! wait for one channel's log, attempt after attempt), `probe` (the probe turn: selective-logging
//! session attributes, how often it is sent again, what it does to the bot).

mod args;
mod check;
mod delivery;
mod live;
mod locales;
mod per_alias;
mod probe;
mod replicas;
pub(crate) mod report;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::arn::Scope;
use crate::aws::{Clients, Places};
use crate::cli::VerifyOptions;
use crate::error::{Error, Result};
use crate::observe::{self, Observed, Reads, WriterPolicies};
use crate::progress::Progress;
use crate::resources::alias::Alias;
use crate::resources::bot::Bot;
use crate::session::Session;
use crate::spec::Location;

pub(crate) use args::{targets, Target};
pub(crate) use check::destinations;
use per_alias::Shared;
use report::Report;

/// Verifies `targets` (see [`targets`]) with the session's places and progress: the report,
/// which says the exit code.
pub(crate) async fn command(
    session: &Session,
    targets: &[Target],
    options: &VerifyOptions,
) -> Result<Report> {
    let options = VerifyOptions {
        started: Some(Instant::now()),
        ..options.clone()
    };
    run(&session.places, &session.progress, targets, &options).await
}

/// `apply --verify`: the targets of the apply, verified with the default options but for its
/// `--timeout`, which counts from here.
pub(crate) async fn after_apply(
    places: &Places,
    progress: &Progress,
    targets: &[crate::spec::TargetSpec],
    timeout: Option<u64>,
) -> Result<Report> {
    let options = VerifyOptions {
        timeout: timeout.unwrap_or(crate::cli::DEFAULT_TIMEOUT),
        started: Some(Instant::now()),
        ..VerifyOptions::default()
    };
    let targets: Vec<Target> = targets
        .iter()
        .map(|t| Target {
            bot: t.spec.bot.clone(),
            aliases: t.spec.aliases.clone(),
            location: t.location.clone(),
            names: t.names.clone(),
        })
        .collect();
    run(places, progress, &targets, &options).await
}

/// Verifies every alias of every target, each with the clients of its location; the aliases are
/// checked at once.
pub(crate) async fn run(
    places: &Places,
    progress: &Progress,
    targets: &[Target],
    options: &VerifyOptions,
) -> Result<Report> {
    let mut groups: Vec<(&Location, Vec<Target>)> = Vec::new();
    for target in targets {
        match groups.iter_mut().find(|(l, _)| **l == target.location) {
            Some((_, group)) => group.push(target.clone()),
            None => groups.push((&target.location, vec![target.clone()])),
        }
    }
    let mut first_index = 0;
    let mut runs = Vec::new();
    for (location, group) in &groups {
        let clients = places.clients(location);
        runs.push(run_in(clients, progress, group, options, first_index));
        first_index += group.iter().map(|t| t.aliases.len()).sum::<usize>();
    }
    // The waits end at the deadline themselves; this bounds what does not wait (reads of the
    // account on a slow endpoint), with a little time left for the failure metrics read last.
    let deadline = deadline_of(options) + METRICS_GRACE;
    let aliases = tokio::time::timeout_at(deadline.into(), futures::future::try_join_all(runs))
        .await
        .map_err(|_| {
            Error::Timeout(format!(
                "verify did not finish within --timeout {} s (reading the account, or sending a turn, took that long)\n  next: check the endpoint and the network, or give a longer --timeout",
                options.timeout
            ))
        })??;
    Ok(Report::new(
        options.static_only,
        options.timeout,
        aliases.into_iter().flatten().collect(),
    ))
}

/// What the run may take beyond `--timeout` to read the delivery-failure metrics it reports.
const METRICS_GRACE: Duration = Duration::from_secs(5);

/// When `--timeout` runs out: that long after the run began (or after now).
fn deadline_of(options: &VerifyOptions) -> Instant {
    options.started.unwrap_or_else(Instant::now) + Duration::from_secs(options.timeout)
}

/// Verifies the targets of one location; session ids are numbered from `first_index`. Each bot
/// and its aliases are observed through `observe` (the same rule for the role that writes an
/// alias's logs as plan's), then judged.
pub(crate) async fn run_in(
    clients: &Clients,
    progress: &Progress,
    targets: &[Target],
    options: &VerifyOptions,
    first_index: usize,
) -> Result<Vec<report::AliasReport>> {
    let scope = clients.caller().await?.scope;
    let bots = futures::future::try_join_all(targets.iter().map(|t| async move {
        observe::bot_and_aliases(clients, &t.bot, &t.aliases)
            .await
            .map_err(|e| t.names.place(&t.bot, None, e))
    }))
    .await?;
    let role_arns = bots
        .iter()
        .flat_map(|(_, aliases)| aliases.iter().filter_map(|a| a.runs_on.clone()));
    let roles = observe::writer_policies(&clients.iam, role_arns, None).await?;
    let observation = Observation {
        scope: &scope,
        bots: &bots,
        roles,
    };
    let mut reads = Reads::default();
    // The replicas' aliases are numbered after this place's (their session ids stay unique).
    let replica_index = first_index + bots.iter().map(|(_, a)| a.len()).sum::<usize>();
    let (mut reports, replicas) = tokio::try_join!(
        judge(
            clients,
            progress,
            observation,
            &mut reads,
            options,
            first_index,
        ),
        replicas::verify_replicas(clients, progress, &bots, options, replica_index)
    )?;
    reports.extend(replicas);
    Ok(reports)
}

/// Verify's static check of a bot that `status` observed as plan does: judged from that
/// observation and what it read of the destinations; only what they lack is read (the roles'
/// other policies, a destination the spec did not name), and added to `reads`, which then holds
/// every destination the aliases name.
pub(crate) async fn static_check_observed(
    clients: &Clients,
    progress: &Progress,
    observed: &Observed,
    reads: &mut Reads,
) -> Result<Vec<report::AliasReport>> {
    let options = VerifyOptions {
        static_only: true,
        ..VerifyOptions::default()
    };
    let role_arns = observed.aliases.iter().filter_map(|a| a.runs_on.clone());
    let roles = observe::writer_policies(&clients.iam, role_arns, Some(observed)).await?;
    let bots = [(observed.bot.clone(), observed.aliases.clone())];
    let observation = Observation {
        scope: &observed.scope,
        bots: &bots,
        roles,
    };
    judge(clients, progress, observation, reads, &options, 0).await
}

/// What verify judges for the aliases of one place: the bots with their aliases (each with the
/// role it runs on) and those roles with their policies.
struct Observation<'a> {
    scope: &'a Scope,
    bots: &'a [(Bot, Vec<Alias>)],
    roles: BTreeMap<String, Option<WriterPolicies>>,
}

/// Reads the destinations the aliases name that `reads` lacks, then checks every alias.
async fn judge(
    clients: &Clients,
    progress: &Progress,
    observation: Observation<'_>,
    reads: &mut Reads,
    options: &VerifyOptions,
    first_index: usize,
) -> Result<Vec<report::AliasReport>> {
    let aliases = observation.bots.iter().flat_map(|(_, aliases)| aliases);
    let wanted = check::wanted(aliases);
    reads.complete(clients, observation.scope, &wanted).await?;
    let roles = observation
        .roles
        .iter()
        .map(|(arn, found)| (arn.clone(), found.as_ref().map(check::role_facts)))
        .collect();
    let shared = Shared {
        clients,
        progress,
        scope: observation.scope,
        roles: &roles,
        reads,
        options,
        deadline: deadline_of(options),
    };
    let mut jobs = Vec::new();
    let mut index = first_index;
    for (bot, aliases) in observation.bots {
        for a in aliases {
            jobs.push(per_alias::verify_alias(&shared, bot, a, index));
            index += 1;
        }
    }
    futures::future::try_join_all(jobs).await
}

#[cfg(test)]
mod tests;
