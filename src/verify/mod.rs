//! `verify`: proves that conversation logs arrive, and says why when they do not.
//!
//! For each alias: a static check ([`check`]: the role its version runs on, whether Lex may
//! assume it, whether its policies allow the writes on the exact destinations, whether the
//! destinations exist), then, unless `--static-only`, a live check ([`live`]: one RecognizeText
//! and/or one RecognizeUtterance turn, and the log line or audio object read back, with the
//! delivery-failure metric when it does not arrive). [`report`] renders the outcome.

pub mod check;
pub mod live;
pub mod report;

use std::time::{Duration, Instant, SystemTime};

use serde_json::json;

use crate::aws::Clients;
use crate::cli::{Cli, OutputFormat, TargetArgs};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::resources::alias::{self, Alias};
use crate::resources::bot::{self, Bot};
use crate::resources::version;

use check::{AliasFacts, Destinations, KeyFacts};
use report::{AliasReport, ChannelReport, Report, Status};

/// The locale of the turn when the alias names none.
pub const DEFAULT_LOCALE: &str = "en_US";
/// How long to wait for a log by default, in seconds.
pub const DEFAULT_TIMEOUT: u64 = 120;

/// `lex-logs-setup verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// Verify every [[target]] of this TOML file (its bots and aliases; other keys are ignored)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["bot", "aliases"])]
    pub config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub options: VerifyOptions,
}

/// How to verify.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyOptions {
    /// Locale of the test turn [default: the alias's first enabled locale, else en_US]
    #[arg(long, value_name = "LOCALE")]
    pub locale: Option<String>,
    /// Seconds to wait for each log to arrive
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT)]
    pub timeout: u64,
    /// Only the static check: send no conversation turn
    #[arg(long)]
    pub static_only: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            locale: None,
            timeout: DEFAULT_TIMEOUT,
            static_only: false,
        }
    }
}

/// A bot and the aliases to verify (names or ids).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub bot: String,
    pub aliases: Vec<String>,
}

fn targets(args: &VerifyArgs) -> Result<Vec<Target>> {
    let targets: Vec<Target> = match &args.config {
        Some(path) => crate::config::load_config(path)?
            .into_iter()
            .map(|t| Target {
                bot: t.bot,
                aliases: t.aliases,
            })
            .collect(),
        None => vec![Target {
            bot: args.target.bot.clone().ok_or_else(|| {
                Error::invalid(
                    "no target: give --bot and --alias, or --config FILE",
                    "see lex-logs-setup verify --help",
                )
            })?,
            aliases: args.target.aliases.clone(),
        }],
    };
    if let Some(t) = targets.iter().find(|t| t.aliases.is_empty()) {
        return Err(Error::invalid(
            format!("no alias to verify for bot {}", t.bot),
            "give --alias NAME_OR_ID (aliases = [\"...\"] in a config file)",
        ));
    }
    Ok(targets)
}

/// Runs `verify` and prints the report; returns the exit code.
pub async fn command(cli: &Cli, args: &VerifyArgs) -> Result<i32> {
    let targets = targets(args)?;
    let clients = Clients::load(&cli.aws).await?;
    let progress = Progress::new(cli.quiet);
    let report = run(&clients, &progress, &targets, &args.options).await?;
    print(cli, &report);
    Ok(report.exit_code())
}

/// Prints the report: JSON alone on stdout, or text.
pub fn print(cli: &Cli, report: &Report) {
    let text = match cli.output {
        OutputFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&report.json()).expect("JSON prints")
        ),
        OutputFormat::Text => report.text(),
    };
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}

/// `apply --verify`: the targets of the apply, verified with the default options.
pub async fn after_apply(
    clients: &Clients,
    progress: &Progress,
    setup: &crate::cli::SetupArgs,
) -> Result<Report> {
    let targets: Vec<Target> = setup
        .specs()?
        .into_iter()
        .map(|s| Target {
            bot: s.bot,
            aliases: s.aliases,
        })
        .collect();
    run(clients, progress, &targets, &VerifyOptions::default()).await
}

/// Adds the verify report to apply's JSON outcome (under `verify`).
pub fn with_report(mut outcome: serde_json::Value, report: Option<&Report>) -> serde_json::Value {
    if let (Some(report), Some(object)) = (report, outcome.as_object_mut()) {
        object.insert("verify".into(), report.json());
    }
    outcome
}

/// Finds the bot by name or id.
async fn find_bot(clients: &Clients, name_or_id: &str) -> Result<Bot> {
    let (by_name, by_id) = tokio::join!(
        bot::find_id_by_name(&clients.lex, name_or_id),
        bot::describe(&clients.lex, name_or_id)
    );
    match (by_name?, by_id) {
        (Some(id), Ok(found)) if found.id != id => bot::describe(&clients.lex, &id).await,
        (_, Ok(found)) => Ok(found),
        (Some(id), Err(_)) => bot::describe(&clients.lex, &id).await,
        (None, Err(e)) if bot::is_no_such_bot(&e) => {
            Err(bot::not_found(name_or_id, &clients.region))
        }
        (None, Err(e)) => Err(e),
    }
}

/// The bot and its aliases, each with the role its version runs on.
async fn observe_target(clients: &Clients, target: &Target) -> Result<(Bot, Vec<Alias>)> {
    let bot = find_bot(clients, &target.bot).await?;
    let ((ids, _), caller) = tokio::try_join!(
        alias::find_ids(&clients.lex, &bot.id, &bot.name, &target.aliases),
        clients.caller()
    )?;
    let mut aliases = alias::describe_all(&clients.lex, &caller.scope, &bot, &ids).await?;
    let roles = futures::future::try_join_all(aliases.iter().map(|a| {
        let (lex, bot) = (&clients.lex, &bot);
        async move {
            if a.on_draft() {
                Ok(bot.role_arn().map(str::to_string))
            } else {
                version::role_of(lex, &bot.id, &bot.name, a.version()).await
            }
        }
    }))
    .await?;
    for (a, role) in aliases.iter_mut().zip(roles) {
        a.runs_on = role;
    }
    Ok((bot, aliases))
}

/// The locale of the turn: `--locale`, else the alias's first enabled locale (by name), else
/// en_US.
pub fn choose_locale(alias: &Alias, wanted: Option<&str>) -> String {
    if let Some(locale) = wanted {
        return locale.to_string();
    }
    let mut enabled: Vec<&String> = alias
        .described
        .bot_alias_locale_settings()
        .map(|m| {
            m.iter()
                .filter(|(_, s)| s.enabled())
                .map(|(k, _)| k)
                .collect()
        })
        .unwrap_or_default();
    enabled.sort();
    enabled
        .first()
        .map(|s| s.to_string())
        .unwrap_or_else(|| DEFAULT_LOCALE.to_string())
}

/// Verifies every alias of every target; the aliases are checked at once.
pub async fn run(
    clients: &Clients,
    progress: &Progress,
    targets: &[Target],
    options: &VerifyOptions,
) -> Result<Report> {
    let scope = clients.caller().await?.scope;
    let observed =
        futures::future::try_join_all(targets.iter().map(|t| observe_target(clients, t))).await?;
    let role_arns = observed
        .iter()
        .flat_map(|(_, aliases)| aliases.iter().filter_map(|a| a.runs_on.clone()));
    let roles = check::read_roles(clients, role_arns).await?;
    let mut jobs = Vec::new();
    let mut index = 0usize;
    for (bot, aliases) in &observed {
        for a in aliases {
            jobs.push(verify_alias(
                clients, progress, &scope, &roles, bot, a, options, index,
            ));
            index += 1;
        }
    }
    let aliases = futures::future::try_join_all(jobs).await?;
    Ok(Report::new(options.static_only, options.timeout, aliases))
}

#[allow(clippy::too_many_arguments)]
async fn verify_alias(
    clients: &Clients,
    progress: &Progress,
    scope: &crate::arn::Scope,
    roles: &std::collections::BTreeMap<String, Option<check::RoleFacts>>,
    bot: &Bot,
    a: &Alias,
    options: &VerifyOptions,
    index: usize,
) -> Result<AliasReport> {
    let destinations = check::destinations(a.described.conversation_log_settings());
    let locale = choose_locale(a, options.locale.as_deref());
    let session = live::session_id(index);
    let mut report = AliasReport {
        bot: bot.name.clone(),
        bot_id: bot.id.clone(),
        alias: a.name.clone(),
        alias_id: a.id.clone(),
        version: a.version().to_string(),
        role: a.runs_on.clone(),
        locale: locale.clone(),
        session_id: None,
        status: Status::NotConfigured,
        text: ChannelReport::not_configured(),
        audio: ChannelReport::not_configured(),
        warnings: vec![],
    };
    if !destinations.configured() {
        return Ok(report);
    }
    let diagnosis = diagnose(
        clients,
        scope,
        bot,
        a,
        &destinations,
        &locale,
        &session,
        roles,
    )
    .await?;
    report.warnings = diagnosis.warnings.clone();
    let text_dest = destinations.text.as_ref();
    let audio_dest = destinations.audio.as_ref();
    let describe_text = |d: &check::TextDest| d.group.clone();
    let describe_audio = |d: &check::AudioDest| format!("s3://{}/{}", d.bucket, d.prefix);
    let statically = |problems: &Vec<String>, destination: String| ChannelReport {
        status: if problems.is_empty() {
            Status::StaticOk
        } else {
            Status::NotDelivered
        },
        destination: Some(destination),
        problems: problems.clone(),
        ..ChannelReport::not_configured()
    };
    if let Some(d) = text_dest {
        report.text = statically(&diagnosis.text, describe_text(d));
    }
    if let Some(d) = audio_dest {
        report.audio = statically(&diagnosis.audio, describe_audio(d));
    }
    if !options.static_only {
        report.session_id = Some(session.clone());
        let turn = live::Turn {
            bot_id: &bot.id,
            alias_id: &a.id,
            locale: &locale,
            session: &session,
        };
        let address = format!("alias[{}/{}]", bot.name, a.name);
        let timeout = Duration::from_secs(options.timeout);
        let text = async {
            match text_dest {
                Some(d) => Some(
                    live_text(
                        clients,
                        progress,
                        &address,
                        &turn,
                        d,
                        !diagnosis.text.is_empty(),
                        timeout,
                    )
                    .await,
                ),
                None => None,
            }
        };
        let audio = async {
            match audio_dest {
                Some(d) => Some(
                    live_audio(
                        clients,
                        progress,
                        &address,
                        &turn,
                        d,
                        !diagnosis.audio.is_empty(),
                        timeout,
                    )
                    .await,
                ),
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
    report.status = AliasReport::overall(&report.text, &report.audio);
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
async fn diagnose(
    clients: &Clients,
    scope: &crate::arn::Scope,
    bot: &Bot,
    a: &Alias,
    destinations: &Destinations,
    locale: &str,
    session: &str,
    roles: &std::collections::BTreeMap<String, Option<check::RoleFacts>>,
) -> Result<check::Diagnosis> {
    let group = async {
        match &destinations.text {
            Some(t) => check::log_group_exists(clients, &t.group).await,
            None => Ok(true),
        }
    };
    let bucket = async {
        match &destinations.audio {
            Some(d) => check::bucket_exists(clients, &d.bucket).await,
            None => Ok(true),
        }
    };
    let key = async {
        match destinations.audio.as_ref().and_then(|d| d.kms_key.as_ref()) {
            Some(k) => check::read_key(clients, k).await.map(Some),
            None => Ok(None),
        }
    };
    let (log_group_exists, bucket_exists, key): (bool, bool, Option<KeyFacts>) =
        tokio::try_join!(group, bucket, key)?;
    let today = check::utc_date(SystemTime::now());
    let facts = AliasFacts {
        scope,
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
            .and_then(|arn| roles.get(arn))
            .and_then(Option::as_ref),
        destinations,
        log_group_exists,
        bucket_exists,
        key: key.as_ref(),
    };
    Ok(check::diagnose(&facts))
}

/// What the live check of one channel saw.
struct Live {
    delivered: Option<(f64, serde_json::Value)>,
    detail: Option<String>,
    failure_metric: Option<f64>,
}

impl Live {
    fn apply(self, channel: &mut ChannelReport) {
        match self.delivered {
            Some((seconds, found)) => {
                channel.status = Status::Delivered;
                channel.seconds = Some((seconds * 10.0).round() / 10.0);
                channel.found = Some(found);
            }
            None => channel.status = Status::NotDelivered,
        }
        channel.detail = self.detail;
        channel.failure_metric = self.failure_metric;
    }
}

/// Sends the turn, then looks for the log until it arrives, or the timeout, or (when the static
/// check already failed) the failure metric shows the delivery failed.
#[allow(clippy::too_many_arguments)]
async fn poll<F, Fut>(
    clients: &Clients,
    progress: &Progress,
    address: &str,
    what: &str,
    send: impl std::future::Future<Output = Result<()>>,
    mut look: F,
    metric: live::MetricQuery<'_>,
    expect_failure: bool,
    timeout: Duration,
) -> Live
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<serde_json::Value>>>,
{
    let line = progress.start('?', address, &format!("waiting for the {what}"));
    let started = Instant::now();
    if let Err(e) = send.await {
        line.finish(false);
        return Live {
            delivered: None,
            detail: Some(format!("the request failed: {e}")),
            failure_metric: None,
        };
    }
    let mut reported = Instant::now();
    loop {
        match look().await {
            Ok(Some(found)) => {
                line.finish(true);
                return Live {
                    delivered: Some((started.elapsed().as_secs_f64(), found)),
                    detail: None,
                    failure_metric: None,
                };
            }
            Ok(None) => {}
            Err(e) => {
                line.finish(false);
                return Live {
                    delivered: None,
                    detail: Some(format!("could not read the {what} back: {e}")),
                    failure_metric: live::failures(clients, &metric).await,
                };
            }
        }
        let elapsed = started.elapsed();
        if expect_failure {
            if let Some(n) = live::failures(clients, &metric).await {
                line.finish(false);
                return Live {
                    delivered: None,
                    detail: Some(format!(
                        "Lex counted a delivery failure after {:.1} s",
                        elapsed.as_secs_f64()
                    )),
                    failure_metric: Some(n),
                };
            }
        }
        if elapsed >= timeout {
            line.finish(false);
            return Live {
                delivered: None,
                detail: Some(format!(
                    "timed out: no {what} after {} s",
                    timeout.as_secs()
                )),
                failure_metric: live::failures(clients, &metric).await,
            };
        }
        if reported.elapsed() >= Duration::from_secs(15) {
            progress.line(format!(
                "{address}: still waiting for the {what} ({:.0} s of {} s)",
                elapsed.as_secs_f64(),
                timeout.as_secs()
            ));
            reported = Instant::now();
        }
        let remaining = timeout.saturating_sub(elapsed);
        tokio::time::sleep(
            live::poll_interval(elapsed).min(remaining.max(Duration::from_millis(50))),
        )
        .await;
    }
}

async fn live_text(
    clients: &Clients,
    progress: &Progress,
    address: &str,
    turn: &live::Turn<'_>,
    dest: &check::TextDest,
    expect_failure: bool,
    timeout: Duration,
) -> Live {
    let since_ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64 - 60_000)
        .unwrap_or(0);
    let metric = live::MetricQuery {
        metric: "ConversationLogsTextDeliveryFailure",
        bot_id: turn.bot_id,
        alias_id: turn.alias_id,
        locale: turn.locale,
        operation: "RecognizeText",
        since: SystemTime::now(),
    };
    poll(
        clients,
        progress,
        address,
        "text log line",
        live::say(clients, turn),
        || live::find_log_line(clients, &dest.group, &dest.prefix, turn.session, since_ms),
        metric,
        expect_failure,
        timeout,
    )
    .await
}

async fn live_audio(
    clients: &Clients,
    progress: &Progress,
    address: &str,
    turn: &live::Turn<'_>,
    dest: &check::AudioDest,
    expect_failure: bool,
    timeout: Duration,
) -> Live {
    let metric = live::MetricQuery {
        metric: "ConversationLogsAudioDeliveryFailure",
        bot_id: turn.bot_id,
        alias_id: turn.alias_id,
        locale: turn.locale,
        operation: "RecognizeUtterance",
        since: SystemTime::now(),
    };
    poll(
        clients,
        progress,
        address,
        "audio object",
        live::speak(clients, turn),
        || async {
            Ok(
                live::find_audio(clients, &dest.bucket, &dest.prefix, turn.session)
                    .await?
                    .map(|key| json!({"key": key})),
            )
        },
        metric,
        expect_failure,
        timeout,
    )
    .await
}

#[cfg(test)]
mod tests {
    use crate::iam_eval::{identity_allows, Context, NamedPolicy, Request};

    /// Every call verify makes, on the resource it makes it on.
    const CALLS: &[(&str, &str)] = &[
        ("sts:GetCallerIdentity", "*"),
        ("lex:ListBots", "*"),
        (
            "lex:DescribeBot",
            "arn:aws:lex:us-east-1:123456789012:bot/BOTID",
        ),
        (
            "lex:ListBotAliases",
            "arn:aws:lex:us-east-1:123456789012:bot/BOTID",
        ),
        (
            "lex:DescribeBotAlias",
            "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID/ALIAS",
        ),
        (
            "lex:DescribeBotVersion",
            "arn:aws:lex:us-east-1:123456789012:bot/BOTID",
        ),
        (
            "lex:RecognizeText",
            "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID/ALIAS",
        ),
        (
            "lex:RecognizeUtterance",
            "arn:aws:lex:us-east-1:123456789012:bot-alias/BOTID/ALIAS",
        ),
        ("iam:GetRole", "arn:aws:iam::123456789012:role/R"),
        (
            "iam:ListAttachedRolePolicies",
            "arn:aws:iam::123456789012:role/R",
        ),
        ("iam:ListRolePolicies", "arn:aws:iam::123456789012:role/R"),
        ("iam:GetRolePolicy", "arn:aws:iam::123456789012:role/R"),
        (
            "iam:GetPolicy",
            "arn:aws:iam::aws:policy/AmazonLexV2BotPolicy",
        ),
        (
            "iam:GetPolicyVersion",
            "arn:aws:iam::aws:policy/AmazonLexV2BotPolicy",
        ),
        ("logs:DescribeLogGroups", "*"),
        (
            "logs:ListTagsForResource",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lex/B",
        ),
        (
            "logs:FilterLogEvents",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lex/B",
        ),
        ("s3:ListBucket", "arn:aws:s3:::calls"),
        (
            "kms:DescribeKey",
            "arn:aws:kms:us-east-1:123456789012:key/k",
        ),
        (
            "kms:GetKeyPolicy",
            "arn:aws:kms:us-east-1:123456789012:key/k",
        ),
        ("cloudwatch:GetMetricStatistics", "*"),
    ];

    #[test]
    fn the_operator_policy_allows_every_call_verify_makes() {
        let scoped = crate::documents::OperatorScope {
            scope: Some(crate::arn::Scope {
                partition: "aws".into(),
                account: "123456789012".into(),
                region: "us-east-1".into(),
            }),
            bot_ids: vec!["BOTID".into()],
            ..Default::default()
        };
        for scope in [scoped, Default::default()] {
            let operator = [NamedPolicy::new(
                "operator",
                crate::documents::operator(&scope),
            )];
            let context = Context::new();
            for (action, resource) in CALLS {
                let refused = identity_allows(
                    &operator,
                    None,
                    &Request {
                        action,
                        resource,
                        context: &context,
                    },
                );
                assert_eq!(refused, None, "{action} on {resource}");
            }
        }
        // And it is scoped: another bot's alias may not be talked to.
        let operator = crate::documents::operator(&crate::documents::OperatorScope {
            scope: None,
            bot_ids: vec!["BOTID".into()],
            ..Default::default()
        });
        let context = Context::new();
        assert!(identity_allows(
            &[NamedPolicy::new("operator", operator)],
            None,
            &Request {
                action: "lex:RecognizeText",
                resource: "arn:aws:lex:us-east-1:123456789012:bot-alias/OTHER/ALIAS",
                context: &context,
            },
        )
        .is_some());
    }
}
