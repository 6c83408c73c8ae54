//! `status`: a read-only inventory of conversation logs, one row per alias: the version it runs,
//! the role that writes its logs, where text and audio go (and the KMS key that encrypts the log
//! group, if any), whether those destinations are ours,
//! whether the role can write there (the static check of `verify`), and what apply would change.
//!
//! Each bot is observed once, as `plan` observes it, and judged from that one observation by the
//! planner's own rules (which destinations are ours; what apply would change), so status and
//! plan never disagree, and by verify's static check (`verify::static_check_observed`), which
//! reads only what the observation lacks. Drift is
//! reported for the targets a config file or the flags ask for, not for `--all-bots`.
//!
//! The posture findings of each alias (`crate::posture`) are judged from that same observation
//! and what verify's check read; only `--check-slots` (or `check_slots` in the rules) reads more:
//! the slots of each version the logging aliases run, once per version.

mod facts;
pub(crate) mod report;

use std::collections::{BTreeMap, BTreeSet};

use futures::{StreamExt, TryStreamExt};

use crate::aws::Clients;
use crate::cli::StatusArgs;
use crate::error::Result;
use crate::observe::{alarm_name, observe_with_reads, read_alarms, Observed, Reads};
use crate::plan::Mode;
use crate::planner;
use crate::posture::{Finding, Rules};
use crate::progress::Progress;
use crate::resources::{alias, bot};
use crate::session::Session;
use crate::spec::{Location, Names, Spec, TargetConfig, TargetSpec};
use crate::verify::report::{AliasReport, ChannelReport, Status};

use report::{AlarmStatus, AliasStatus, Channel, ReplicaStatus, StatusReport};

/// How many bots are looked at at once.
const BOTS_AT_ONCE: usize = 8;

/// One bot to report on: its spec (what is asked, or the defaults for `--all-bots`), where it
/// lives, and whether drift is reported for it.
struct Subject {
    spec: Spec,
    location: Location,
    asked: bool,
}

/// The places `status` reads, known before any read: those of a config file's targets, else
/// the one of the flags (`--region`, or the profile's).
pub(crate) fn locations(args: &StatusArgs) -> Result<Vec<Location>> {
    match (args.all_bots, &args.setup.config) {
        (false, Some(_)) => Ok(args
            .setup
            .targets()?
            .into_iter()
            .map(|t| t.location)
            .collect()),
        _ => Ok(vec![Location::default()]),
    }
}

/// The posture rules of `--rules` (the defaults without it), read before anything else.
pub(crate) fn rules(args: &StatusArgs) -> Result<Rules> {
    match &args.rules {
        Some(path) => Rules::load(path),
        None => Ok(Rules::default()),
    }
}

/// Runs `status` with the session (its places: [`locations`]) under the posture `rules`: the
/// report (its `drifted()` gives `--detailed-exitcode`, its findings `--fail-on`).
pub(crate) async fn command(
    session: &Session,
    args: &StatusArgs,
    rules: &Rules,
) -> Result<StatusReport> {
    // Over a fleet, one listing per account says which policies and roles of our names exist,
    // and one per account and region which alarms of ours; they are made while the bots are
    // listed.
    for (_, clients) in session.places.all() {
        clients.listings.enable();
    }
    let listings = futures::future::join_all(session.places.all().map(|(_, clients)| async {
        let listings = &clients.listings;
        let (policies, roles, alarms) = tokio::join!(
            listings.local_policies(&clients.iam),
            listings.roles(&clients.iam),
            listings.alarms(&clients.cloudwatch, crate::resources::alarm::NAME_PREFIX),
        );
        // A listing that failed is probed name by name instead; it is no error here.
        let _ = (policies, roles, alarms);
    }));
    let (subjects, _) = tokio::join!(subjects(&session.base, args), listings);
    let subjects = subjects?;
    let judge = Judge {
        rules,
        check_slots: args.check_slots || rules.check_slots,
    };
    let rows: Vec<(Vec<AliasStatus>, Vec<Finding>)> = futures::stream::iter(subjects.iter())
        .map(|s| async {
            let clients = session.places.clients(&s.location);
            match bot_rows(clients, &session.progress, s, &judge).await {
                Ok(rows) => rows,
                // One bot that cannot be read (gone, refused, broken) is a row, not the end.
                Err(e) => (vec![unreadable(clients, s, &e).await], Vec::new()),
            }
        })
        .buffered(BOTS_AT_ONCE)
        .collect()
        .await;
    let (aliases, findings): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
    Ok(StatusReport::new(
        aliases.into_iter().flatten().collect(),
        findings.into_iter().flatten().collect(),
    ))
}

/// How the findings are judged: the rules, and whether slots are read.
struct Judge<'a> {
    rules: &'a Rules,
    check_slots: bool,
}

/// The row of a bot that could not be read: where, which, and why.
async fn unreadable(
    clients: &Clients,
    subject: &Subject,
    err: &crate::error::Error,
) -> AliasStatus {
    let account = match clients.caller().await {
        Ok(caller) => caller.scope.account,
        Err(_) => String::new(),
    };
    AliasStatus {
        account,
        region: clients.region.clone(),
        bot: subject.spec.bot.clone(),
        bot_id: String::new(),
        alias: "*".into(),
        alias_id: String::new(),
        version: "-".into(),
        role: None,
        text: Channel::default(),
        audio: Channel::default(),
        drift: None,
        error: Some(err.to_string()),
        replicas: Vec::new(),
        alarm: None,
    }
}

/// The bots to report on: every bot of the region (`--all-bots`), or the targets asked for (a
/// bot given without `--alias`: all its aliases).
async fn subjects(base: &Clients, args: &StatusArgs) -> Result<Vec<Subject>> {
    if !args.all_bots {
        let mut setup = args.setup.clone();
        if let (None, Some(bot), true) = (
            &setup.config,
            &setup.target.bot,
            setup.target.aliases.is_empty(),
        ) {
            setup.target.aliases = every_alias(base, bot).await?;
        }
        return Ok(setup
            .targets()?
            .into_iter()
            .map(|t: TargetSpec| Subject {
                spec: t.spec,
                location: t.location,
                asked: true,
            })
            .collect());
    }
    // Listed once: each bot's observation finds the bot and its aliases in these listings.
    let bots = match base.listings.bots(&base.lex).await {
        Some(bots) => bots.clone(),
        None => bot::list_all(&base.lex).await?,
    };
    // As many at once as bots are observed at once: a fleet's listing must not burst past the
    // account's rate limit (300 bots at once were throttled beyond the retries).
    let listed: Vec<(String, Vec<_>)> = futures::stream::iter(bots.iter())
        .map(|(id, name)| async move {
            let aliases = alias::list(&base.lex, id, name).await?;
            base.listings.keep_aliases(id, aliases.clone());
            Ok::<_, crate::error::Error>((name.clone(), aliases))
        })
        .buffered(BOTS_AT_ONCE)
        .try_collect()
        .await?;
    listed
        .into_iter()
        .map(|(name, aliases)| {
            let names = alias_names(aliases);
            let config = TargetConfig {
                bot: name,
                aliases: names,
                ..TargetConfig::default()
            };
            let target = TargetSpec::from_named_target(&config, &Names::default())?;
            Ok(Subject {
                spec: target.spec,
                location: Location::default(),
                asked: false,
            })
        })
        .collect()
}

/// The names of a bot's aliases as listed, with TestBotAlias, which every bot has.
fn alias_names(listed: Vec<(String, String, String)>) -> Vec<String> {
    let mut names: Vec<String> = listed.into_iter().map(|(_, n, _)| n).collect();
    names.push(alias::TEST_ALIAS_NAME.to_string());
    names.sort();
    names.dedup();
    names
}

/// Every alias of the bot named `bot` (by name or id).
async fn every_alias(base: &Clients, bot: &str) -> Result<Vec<String>> {
    let (by_name, by_id) = tokio::join!(
        bot::find_id_by_name(&base.lex, bot),
        bot::describe(&base.lex, bot)
    );
    let id = match (by_name?, by_id) {
        (Some(id), Ok(found)) if found.id != id => return Err(bot::ambiguous(bot, &found, &id)),
        (Some(id), _) => id,
        (None, by_id) => by_id?.id,
    };
    let listed = alias::list(&base.lex, &id, bot).await?;
    base.listings.keep_aliases(&id, listed.clone());
    Ok(alias_names(listed))
}

/// One bot's rows: observed once as plan observes it, judged by the planner's rules (which
/// destinations are ours, what apply would change) and by verify's static check, from the same
/// observation (verify reads only what it lacks).
async fn bot_rows(
    clients: &Clients,
    progress: &Progress,
    subject: &Subject,
    judge: &Judge<'_>,
) -> Result<(Vec<AliasStatus>, Vec<Finding>)> {
    let (mut obs, mut reads) = observe_with_reads(clients, &subject.spec, Mode::Apply).await?;
    if subject.asked {
        // Drift is what apply would plan, IAM's size check of a changed grant included.
        let to_size = planner::unsized_grant_writers(&subject.spec, &obs);
        crate::observe::read_writers_inline(&clients.iam, &mut obs, &to_size).await?;
    }
    let ours = planner::destinations_of_ours(&subject.spec, &obs);
    let drift = subject.asked.then(|| planner::drift(&subject.spec, &obs));
    // Afterwards `reads` holds every log group, bucket and key the aliases name.
    let checked = crate::verify::static_check_observed(clients, progress, &obs, &mut reads).await?;
    let slots = match judge.check_slots {
        true => Some(unmasked_slots(clients, &obs).await?),
        false => None,
    };
    // Each alias's text logs in the bot's replica regions: its row's, and LEXLOG010's.
    let replicas: BTreeMap<String, Vec<ReplicaStatus>> = obs
        .aliases
        .iter()
        .map(|a| (a.id.clone(), replica_rows(&obs, a, &ours)))
        .collect();
    let findings = findings(
        &obs,
        &ours,
        &reads,
        &replicas,
        &checked,
        slots.as_ref(),
        judge.rules,
    );
    let alarms = match &obs.alarms {
        Some(read) => read.clone(),
        None => read_alarms(clients, &obs).await?,
    };
    let mut rows = rows(&obs, &ours, drift.as_ref(), checked, &reads, replicas);
    for row in &mut rows {
        row.alarm = alarms
            .get(&alarm_name(&row.bot_id, &row.alias_id))
            .map(|a| AlarmStatus {
                name: a.value.alarm_name.clone(),
                state: a.state.clone(),
                ours: a.is_ours(),
            });
    }
    Ok((rows, findings))
}

/// The unmasked slots of each version an alias with text logs runs (each version read once).
async fn unmasked_slots(
    clients: &Clients,
    obs: &Observed,
) -> Result<BTreeMap<String, Vec<String>>> {
    let versions: BTreeSet<String> = obs
        .aliases
        .iter()
        .filter(|a| {
            crate::verify::destinations(a.described.conversation_log_settings())
                .text
                .is_some()
        })
        .map(|a| a.version().to_string())
        .collect();
    crate::observe::unmasked_slots(&clients.lex, &obs.bot.id, &versions).await
}

/// The posture findings of the bot's aliases, from the observation, what verify's check read and
/// said, each alias's replica rows (by alias id), and the slots when they were read.
fn findings(
    obs: &Observed,
    ours: &planner::OurDestinations,
    reads: &Reads,
    replicas: &BTreeMap<String, Vec<ReplicaStatus>>,
    checked: &[AliasReport],
    slots: Option<&BTreeMap<String, Vec<String>>>,
    rules: &Rules,
) -> Vec<Finding> {
    let mut found = Vec::new();
    for alias in &obs.aliases {
        let cannot_write = checked
            .iter()
            .filter(|r| r.alias_id == alias.id)
            .flat_map(|r| [("text", &r.text), ("audio", &r.audio)])
            .filter(|(_, c)| c.status != Status::NotConfigured && !c.status.ok())
            .flat_map(|(name, c)| match c.problems.is_empty() {
                true => vec![format!("{name} logs: the role cannot write there")],
                false => c
                    .problems
                    .iter()
                    .map(|p| format!("{name} logs: {p}"))
                    .collect(),
            })
            .collect();
        let unmasked = slots.map(|s| s.get(alias.version()).cloned().unwrap_or_default());
        let mut facts =
            facts::alias_facts(&obs.scope, &obs.bot, alias, reads, cannot_write, unmasked);
        let rows = replicas
            .get(&alias.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        facts.replicas_uncovered = uncovered_replicas(obs, rows, ours);
        found.extend(crate::posture::judge(&facts, rules));
    }
    found
}

/// The rows of one observed bot from verify's reports, with ownership, drift and each alias's
/// replica rows (by alias id).
fn rows(
    obs: &Observed,
    ours: &planner::OurDestinations,
    drift: Option<&BTreeMap<String, Vec<String>>>,
    checked: Vec<AliasReport>,
    reads: &Reads,
    mut replicas: BTreeMap<String, Vec<ReplicaStatus>>,
) -> Vec<AliasStatus> {
    checked
        .into_iter()
        .map(|r| {
            let observed = obs.aliases.iter().find(|a| a.id == r.alias_id);
            let (text_ours, audio_ours) = observed
                .map(|a| planner::channels_to_ours(a, ours))
                .unwrap_or_default();
            let settings = observed.and_then(|a| a.log_settings()).unwrap_or_default();
            let (text_selective, audio_selective) = settings.selective();
            AliasStatus {
                account: obs.scope.account.clone(),
                region: obs.scope.region.clone(),
                drift: drift.map(|d| d.get(&r.alias).cloned().unwrap_or_default()),
                replicas: replicas.remove(&r.alias_id).unwrap_or_default(),
                text: Channel {
                    kms_key_id: group_key(reads, r.text.destination.as_deref()),
                    ..channel(&r.text, text_ours, text_selective)
                },
                audio: channel(&r.audio, audio_ours, audio_selective),
                error: None,
                alarm: None,
                bot: r.bot,
                bot_id: r.bot_id,
                alias: r.alias,
                alias_id: r.alias_id,
                version: r.version,
                role: r.role,
            }
        })
        .collect()
}

/// The KMS key of the log group `group`, as read (`None`: no key, or not read).
fn group_key(reads: &Reads, group: Option<&str>) -> Option<String> {
    reads.log_groups.get(group?)?.as_ref()?.kms_key_id.clone()
}

/// The replica regions where `alias`'s text logs would be lost (LEXLOG010), each with why: no
/// group of its name there, or, on logs of ours (our grant names the group in the bot's region),
/// no grant of ours naming that region's group. A group the run did not read is not judged.
fn uncovered_replicas(
    obs: &Observed,
    rows: &[ReplicaStatus],
    ours: &planner::OurDestinations,
) -> Vec<String> {
    let our_logs = |group: &str| ours.log_group_arns.contains(&obs.scope.log_group(group));
    rows.iter()
        .filter_map(|r| {
            let group = r.log_group.as_deref()?;
            match r.group_exists? {
                false => Some(format!("{} (no log group {group} there)", r.region)),
                true if !r.granted && our_logs(group) => Some(format!(
                    "{} (no grant of ours names its group {group})",
                    r.region
                )),
                true => None,
            }
        })
        .collect()
}

/// The alias's text logs in each region its bot is replicated to: the group of the same name
/// (read there when it is the run's), and whether a grant of ours names it.
fn replica_rows(
    obs: &Observed,
    alias: &crate::resources::alias::Alias,
    ours: &planner::OurDestinations,
) -> Vec<ReplicaStatus> {
    let settings = alias.log_settings();
    let text = settings.as_ref().and_then(|s| s.text().first().cloned());
    let name = text.map(|t| {
        let arn = t.log_group_arn();
        arn.rsplit("log-group:").next().unwrap_or(arn).to_string()
    });
    obs.replicas
        .iter()
        .map(|replica| {
            let read = replica
                .log_group
                .as_ref()
                .filter(|(n, _)| Some(n) == name.as_ref());
            let granted = name.as_ref().is_some_and(|n| {
                let arn = replica.scope.log_group(n);
                ours.log_group_arns.contains(&arn)
            });
            ReplicaStatus {
                region: replica.region.clone(),
                group_exists: read.map(|(_, g)| g.is_some()),
                log_group: name.clone(),
                granted,
            }
        })
        .collect()
}

/// A channel of verify's static report as a status cell.
fn channel(report: &ChannelReport, ours: bool, selective: bool) -> Channel {
    if report.status == Status::NotConfigured {
        return Channel::default();
    }
    Channel {
        destination: report.destination.clone(),
        ours,
        can_write: Some(report.status.ok()),
        problems: report.problems.clone(),
        selective,
        kms_key_id: None,
    }
}
