//! Verifies one alias: the static check of its destinations, then (unless `--static-only`) the
//! live check of each configured channel (probe turns until the log arrives or the deadline
//! passes, with the session attributes selective logging needs: `probe`), into an
//! [`AliasReport`].

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use crate::arn::Scope;
use crate::aws::Clients;
use crate::error::Result;
use crate::observe::Reads;
use crate::progress::Progress;
use crate::resources::alias::Alias;
use crate::resources::bot::Bot;

use super::check::{self, AliasFacts, Destinations, Diagnosis, KeyFacts, RoleFacts};
use super::delivery::{self, Watch};
use super::live;
use super::locales;
use super::probe::Probe;
use super::report::{AliasReport, ChannelReport, Status};
use crate::cli::VerifyOptions;

/// What the checks of every alias share: the clients, the progress lines, the caller's scope,
/// every role and destination read once, the options, and when `--timeout` runs out for the
/// whole run.
pub struct Shared<'a> {
    pub clients: &'a Clients,
    pub progress: &'a Progress,
    pub scope: &'a Scope,
    pub roles: &'a BTreeMap<String, Option<RoleFacts>>,
    /// The log groups, buckets and keys the aliases name, every one read already.
    pub reads: &'a Reads,
    pub options: &'a VerifyOptions,
    pub deadline: Instant,
}

/// Verifies one alias; `index` makes its session id unique among the aliases of this run.
pub async fn verify_alias(
    shared: &Shared<'_>,
    bot: &Bot,
    a: &Alias,
    index: usize,
) -> Result<AliasReport> {
    let destinations = check::destinations(a.described.conversation_log_settings());
    let wanted = shared.options.locale.as_deref();
    if !destinations.configured() {
        let (locale, _) = locales::choose(a, wanted, None);
        return Ok(unchecked_report(bot, a, &locale));
    }
    let version_locales = locales::of_version(shared.clients, &bot.id, a.version()).await;
    let (locale, locale_problem) = locales::choose(a, wanted, version_locales.as_deref());
    let session = live::session_id(index);
    let mut report = unchecked_report(bot, a, &locale);
    let diagnosis = static_check(shared, bot, a, &destinations, &locale, &session);
    record_static(&mut report, &destinations, &diagnosis);
    let not_sent = match (&locale_problem, Instant::now() >= shared.deadline) {
        (Some(problem), _) => Some(format!("not sent: {problem}")),
        (None, true) => Some(format!(
            "not sent: --timeout {} s ran out before the turn (reading the account took that long)",
            shared.options.timeout
        )),
        (None, false) => None,
    };
    if let Some(problem) = &locale_problem {
        report.warnings.push(problem.clone());
    }
    if let (false, Some(why)) = (shared.options.static_only, not_sent) {
        for channel in [&mut report.text, &mut report.audio] {
            if channel.status != Status::NotConfigured {
                channel.status = Status::NotDelivered;
                channel.detail = Some(why.clone());
            }
        }
    } else if !shared.options.static_only {
        report.session_id = Some(session.clone());
        let probe = Probe::of(a);
        let turn = live::Turn {
            bot_id: &bot.id,
            alias_id: &a.id,
            locale: &locale,
            session: &session,
            attributes: &probe.session_attributes,
        };
        let address = format!("alias[{}/{}]", bot.name, a.name);
        live_check(
            shared,
            &turn,
            &address,
            &destinations,
            &diagnosis,
            &mut report,
        )
        .await;
        report.probe = Some(probe);
    }
    report.status = AliasReport::overall(&report.text, &report.audio);
    Ok(report)
}

/// The report of an alias before any check: both channels not configured.
fn unchecked_report(bot: &Bot, a: &Alias, locale: &str) -> AliasReport {
    AliasReport {
        bot: bot.name.clone(),
        bot_id: bot.id.clone(),
        alias: a.name.clone(),
        alias_id: a.id.clone(),
        version: a.version().to_string(),
        role: a.runs_on.clone(),
        locale: locale.to_string(),
        session_id: None,
        probe: None,
        status: Status::NotConfigured,
        text: ChannelReport::not_configured(),
        audio: ChannelReport::not_configured(),
        warnings: vec![],
        replica_region: None,
    }
}

/// Judges the alias from what was read for all aliases (its role, log group, bucket and key).
fn static_check(
    shared: &Shared<'_>,
    bot: &Bot,
    a: &Alias,
    destinations: &Destinations,
    locale: &str,
    session: &str,
) -> Diagnosis {
    let reads = shared.reads;
    let log_group_exists = destinations
        .text
        .as_ref()
        .is_none_or(|t| matches!(reads.log_groups.get(&t.group), Some(Some(_))));
    let bucket_exists = destinations
        .audio
        .as_ref()
        .is_none_or(|d| reads.buckets.get(&d.bucket) == Some(&true));
    let key: Option<KeyFacts> = destinations
        .audio
        .as_ref()
        .and_then(|d| d.kms_key.as_ref())
        .and_then(|k| reads.keys.get(k))
        .map(check::key_facts);
    let today = check::utc_date(SystemTime::now());
    let facts = AliasFacts {
        scope: shared.scope,
        bot_id: &bot.id,
        alias_id: &a.id,
        version: a.version(),
        locale,
        session,
        today: &today,
        runs_on: a.runs_on.as_deref(),
        role: a
            .runs_on
            .as_ref()
            .and_then(|arn| shared.roles.get(arn))
            .and_then(Option::as_ref),
        destinations,
        log_group_exists,
        bucket_exists,
        bucket_policy: destinations
            .audio
            .as_ref()
            .and_then(|d| reads.bucket_policies.get(&d.bucket)?.as_ref()),
        key: key.as_ref(),
    };
    check::diagnose(&facts)
}

/// Puts the static verdict in the report: the warnings, and each configured channel with its
/// destination and problems.
fn record_static(report: &mut AliasReport, destinations: &Destinations, diagnosis: &Diagnosis) {
    report.warnings = diagnosis.warnings.clone();
    if let Some(d) = &destinations.text {
        report.text = statically(&diagnosis.text, d.group.clone());
    }
    if let Some(d) = &destinations.audio {
        report.audio = statically(&diagnosis.audio, format!("s3://{}/{}", d.bucket, d.prefix));
    }
}

/// A channel as the static check sees it: OK without problems, else not delivered.
fn statically(problems: &[String], destination: String) -> ChannelReport {
    ChannelReport {
        status: if problems.is_empty() {
            Status::StaticOk
        } else {
            Status::NotDelivered
        },
        destination: Some(destination),
        problems: problems.to_vec(),
        ..ChannelReport::not_configured()
    }
}

/// Sends the turns of the configured channels and waits for their logs, both at once; puts what
/// each saw in the report.
async fn live_check(
    shared: &Shared<'_>,
    turn: &live::Turn<'_>,
    address: &str,
    destinations: &Destinations,
    diagnosis: &Diagnosis,
    report: &mut AliasReport,
) {
    let watch = |expect_failure: bool| Watch {
        clients: shared.clients,
        progress: shared.progress,
        address,
        turn,
        expect_failure,
        deadline: shared.deadline,
        timeout_seconds: shared.options.timeout,
    };
    let text = async {
        match &destinations.text {
            Some(d) => Some(delivery::text(&watch(!diagnosis.text.is_empty()), d).await),
            None => None,
        }
    };
    let audio = async {
        match &destinations.audio {
            Some(d) => Some(delivery::audio(&watch(!diagnosis.audio.is_empty()), d).await),
            None => None,
        }
    };
    let (text, audio) = tokio::join!(text, audio);
    if let Some(live) = text {
        live.apply(&mut report.text);
    }
    if let Some(live) = audio {
        live.apply(&mut report.audio);
    }
}
