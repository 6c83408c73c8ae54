//! `status`: a read-only inventory of conversation logs, one row per alias: the version it runs,
//! the role that writes its logs, where text and audio go, whether those destinations are ours,
//! whether the role can write there (the static check of `verify`), and what apply would change.
//!
//! Each bot is observed once, as `plan` observes it, and judged from that one observation by the
//! planner's own rules (which destinations are ours; what apply would change), so status and
//! plan never disagree, and by verify's static check (`verify::static_check_observed`), which
//! reads only what the observation lacks. Drift is
//! reported for the targets a config file or the flags ask for, not for `--all-bots`.

pub(crate) mod report;

use std::collections::BTreeMap;

use futures::StreamExt;

use crate::aws::Clients;
use crate::cli::StatusArgs;
use crate::error::Result;
use crate::observe::{alarm_name, observe_with_reads, read_alarms, Observed};
use crate::plan::Mode;
use crate::planner;
use crate::progress::Progress;
use crate::resources::{alias, bot};
use crate::session::Session;
use crate::spec::{Location, Names, Spec, TargetConfig, TargetSpec};
use crate::verify::report::{AliasReport, ChannelReport, Status};

use report::{AlarmStatus, AliasStatus, Channel, StatusReport};

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

/// Runs `status` with the session (its places: [`locations`]): the report (its `drifted()`
/// gives `--detailed-exitcode`).
pub(crate) async fn command(session: &Session, args: &StatusArgs) -> Result<StatusReport> {
    let subjects = subjects(&session.base, args).await?;
    let rows: Vec<Vec<AliasStatus>> = futures::stream::iter(subjects.iter())
        .map(|s| async {
            let clients = session.places.clients(&s.location);
            match bot_rows(clients, &session.progress, s).await {
                Ok(rows) => rows,
                // One bot that cannot be read (gone, refused, broken) is a row, not the end.
                Err(e) => vec![unreadable(clients, s, &e).await],
            }
        })
        .buffered(BOTS_AT_ONCE)
        .collect()
        .await;
    Ok(StatusReport::new(rows.into_iter().flatten().collect()))
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
    let bots = bot::list_all(&base.lex).await?;
    let listed = futures::future::try_join_all(bots.iter().map(|(id, name)| async move {
        let aliases = alias::list(&base.lex, id, name).await?;
        Ok::<_, crate::error::Error>((name.clone(), aliases))
    }))
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
    Ok(alias_names(alias::list(&base.lex, &id, bot).await?))
}

/// One bot's rows: observed once as plan observes it, judged by the planner's rules (which
/// destinations are ours, what apply would change) and by verify's static check, from the same
/// observation (verify reads only what it lacks).
async fn bot_rows(
    clients: &Clients,
    progress: &Progress,
    subject: &Subject,
) -> Result<Vec<AliasStatus>> {
    let (obs, mut reads) = observe_with_reads(clients, &subject.spec, Mode::Apply).await?;
    let ours = planner::destinations_of_ours(&subject.spec, &obs);
    let drift = subject.asked.then(|| planner::drift(&subject.spec, &obs));
    // Afterwards `reads` holds every log group, bucket and key the aliases name.
    let checked = crate::verify::static_check_observed(clients, progress, &obs, &mut reads).await?;
    let alarms = match &obs.alarms {
        Some(read) => read.clone(),
        None => read_alarms(clients, &obs).await?,
    };
    let mut rows = rows(&obs, &ours, drift.as_ref(), checked);
    for row in &mut rows {
        row.alarm = alarms
            .get(&alarm_name(&row.bot_id, &row.alias_id))
            .map(|a| AlarmStatus {
                name: a.value.alarm_name.clone(),
                state: a.state.clone(),
                ours: a.is_ours(),
            });
    }
    Ok(rows)
}

/// The rows of one observed bot from verify's reports, with ownership and drift.
fn rows(
    obs: &Observed,
    ours: &planner::OurDestinations,
    drift: Option<&BTreeMap<String, Vec<String>>>,
    checked: Vec<AliasReport>,
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
                text: channel(&r.text, text_ours, text_selective),
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
    }
}
