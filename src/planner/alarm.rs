//! Our alarm when an alias's text logs stop arriving (`--alarm`): one CloudWatch metric alarm
//! per alias, on metric math over metrics AWS documents:
//!
//! - `AWS/Lex` `RuntimeRequestCount` (Sum), dimensions `BotId, BotAliasId, LocaleId, Operation`,
//!   for `RecognizeText` and `RecognizeUtterance` in each locale of the alias's version: the
//!   alias's traffic (Lex V2 guide, "Monitoring Amazon Lex V2 with Amazon CloudWatch",
//!   https://docs.aws.amazon.com/lexv2/latest/dg/monitoring-cloudwatch.html; that guide adds
//!   `InputMode` to RecognizeUtterance's dimension sets, so the alarm's RecognizeUtterance metric
//!   without it is assumed to be published, as the twin does);
//! - `AWS/Logs` `IncomingLogEvents` (Sum), dimension `LogGroupName`: the events the alias's log
//!   group received (CloudWatch Logs User Guide, "Monitoring with CloudWatch metrics",
//!   https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html).
//!
//! The expression `IF(traffic > 0 AND FILL(incoming, 0) == 0, 1, 0)` (metric math `IF`, `FILL`,
//! comparison and logical operators: CloudWatch User Guide, "Using metric math",
//! https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html) is 1 in
//! a period where the alias answered requests and the group received nothing.
//!
//! A group several aliases share receives the others' lines too: the alarm then fires only when
//! the whole group goes quiet while this alias has traffic. Lex's per-alias
//! `ConversationLogsTextDeliveryFailure` would tell one alias's loss apart, but its dimensions
//! are not documented (`verify` reads it); an alarm on guessed dimensions could never fire, so
//! the alarm is built on the documented metrics only.

use crate::error::{Error, Result};
use crate::observe::{alarm_name, Observed};
use crate::plan::values::{AlarmQuery, AlarmValue, MetricStatValue, Resource};
use crate::plan::{Action, Address, Change};
use crate::resources::alarm::AlarmStep;
use crate::resources::alias::Alias;
use crate::resources::alias_write::Guard;
use crate::resources::tags::{self, Tags};
use crate::spec::Spec;
use crate::step::Step;

/// Seconds of each period the alarm evaluates.
pub(crate) const PERIOD: i32 = 600;
/// The alarm fires when 2 of the last 3 periods had traffic and no incoming event: Lex delivers
/// logs within minutes, so one quiet period alone may be a late delivery.
const EVALUATION_PERIODS: i32 = 3;
const DATAPOINTS_TO_ALARM: i32 = 2;
/// The runtime operations whose turns Lex writes text logs for, and their ids' suffixes.
/// (StartConversation, the streaming API, is not watched.)
pub(crate) const OPERATIONS: [(&str, &str); 2] = [
    ("RecognizeText", "text"),
    ("RecognizeUtterance", "utterance"),
];
/// The locales one alarm watches: with two operations each, the incoming events and two
/// expressions, a fourth locale would pass the 10 metrics an alarm may have.
const MAX_LOCALES: usize = 3;
/// The id of the expression the alarm compares with its threshold.
pub(crate) const ALARM_EXPRESSION_ID: &str = "logs_stopped";

fn stat(namespace: &str, metric: &str, dimensions: &[(&str, &str)]) -> MetricStatValue {
    MetricStatValue {
        namespace: namespace.into(),
        metric_name: metric.into(),
        dimensions: dimensions
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        period: PERIOD,
        stat: "Sum".into(),
    }
}

fn read(id: String, stat: MetricStatValue) -> AlarmQuery {
    AlarmQuery {
        id,
        expression: None,
        metric_stat: Some(stat),
        return_data: false,
    }
}

fn expression(id: &str, expression: String, return_data: bool) -> AlarmQuery {
    AlarmQuery {
        id: id.into(),
        expression: Some(expression),
        metric_stat: None,
        return_data,
    }
}

/// The alarm of `alias` (of bot `bot_id`, named `bot`) on its `locales` and its log `group`.
pub(crate) fn alarm_value(
    bot: &str,
    bot_id: &str,
    alias: &Alias,
    locales: &[String],
    group: &str,
    topic: Option<&str>,
) -> AlarmValue {
    let mut metrics = Vec::new();
    for locale in locales.iter().take(MAX_LOCALES) {
        for (operation, suffix) in OPERATIONS {
            let dimensions = [
                ("BotId", bot_id),
                ("BotAliasId", alias.id.as_str()),
                ("LocaleId", locale.as_str()),
                ("Operation", operation),
            ];
            let id = format!("requests_{locale}_{suffix}");
            metrics.push(read(
                id,
                stat("AWS/Lex", "RuntimeRequestCount", &dimensions),
            ));
        }
    }
    let traffic = metrics
        .iter()
        .map(|m| format!("FILL({}, 0)", m.id))
        .collect::<Vec<_>>()
        .join(" + ");
    let incoming = stat("AWS/Logs", "IncomingLogEvents", &[("LogGroupName", group)]);
    metrics.push(read("incoming".into(), incoming));
    metrics.push(expression("traffic", traffic, false));
    metrics.push(expression(
        ALARM_EXPRESSION_ID,
        "IF(traffic > 0 AND FILL(incoming, 0) == 0, 1, 0)".into(),
        true,
    ));
    AlarmValue {
        alarm_name: alarm_name(bot_id, &alias.id),
        alarm_description: format!(
            "lex-logs-setup: alias {} ({}) of bot {bot} ({bot_id}) answered requests but its log group {group} received no log event",
            alias.name, alias.id
        ),
        metrics,
        evaluation_periods: EVALUATION_PERIODS,
        datapoints_to_alarm: DATAPOINTS_TO_ALARM,
        threshold: 1.0,
        comparison_operator: "GreaterThanOrEqualToThreshold".into(),
        treat_missing_data: "notBreaching".into(),
        alarm_actions: topic.into_iter().map(str::to_string).collect(),
        tags: Tags::from([(tags::MANAGED_BY.into(), tags::MANAGED_BY_VALUE.into())]),
    }
}

/// Apply with `--alarm`: each alias's alarm created, updated or as it is; refused when an alarm
/// of our name exists that is not ours (it is never overwritten).
pub(super) fn alarm_apply_changes(
    spec: &Spec,
    obs: &Observed,
) -> Result<(Vec<Change>, Vec<String>)> {
    let (Some(asked), Some((group, _))) = (&spec.alarm, &obs.log_group) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let found = obs.alarms.clone().unwrap_or_default();
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    for alias in &obs.aliases {
        let locales = obs
            .version_locales
            .get(alias.version())
            .cloned()
            .unwrap_or_default();
        if locales.is_empty() {
            notes.push(format!(
                "no alarm for alias {}: its version {} has no locale, so it has no traffic to watch",
                alias.name,
                alias.version()
            ));
            continue;
        }
        if locales.len() > MAX_LOCALES {
            notes.push(format!(
                "the alarm of alias {} watches the traffic of locales {} only (an alarm reads at most 10 metrics)",
                alias.name,
                locales[..MAX_LOCALES].join(", ")
            ));
        }
        let want = alarm_value(
            &obs.bot.name,
            &obs.bot.id,
            alias,
            &locales,
            group,
            asked.topic.as_deref(),
        );
        let address = Address::alarm(&obs.bot.name, &alias.name);
        let change = match found.get(&want.alarm_name) {
            None => Change::new(
                &obs.provider,
                address,
                Action::Create,
                None,
                Some(Resource::Alarm(want.clone())),
                Step::Alarm(AlarmStep::Create { value: want }),
            ),
            Some(existing) if !existing.is_ours() => {
                return Err(not_ours(&want.alarm_name, &alias.name))
            }
            Some(existing) if existing.value == want => {
                Change::no_op(&obs.provider, address, Resource::Alarm(want))
            }
            Some(existing) => Change::new(
                &obs.provider,
                address,
                Action::Update,
                Some(Resource::Alarm(existing.value.clone())),
                Some(Resource::Alarm(want.clone())),
                Step::Alarm(AlarmStep::Update {
                    value: want,
                    previous: existing.value.clone(),
                    guard: Guard::Plan,
                }),
            ),
        };
        // After the alias's own change: the alarm watches logs the alias writes once it is set up
        // (and a failure of the alarm undoes the alias with the rest).
        changes.push(change.needs([Address::alias(&obs.bot.name, &alias.name)]));
    }
    Ok((changes, notes))
}

fn not_ours(name: &str, alias: &str) -> Error {
    Error::invalid(
        format!(
            "alarm {name} (the name of our alarm for alias {alias}) exists and is not ours: it has no {}={} tag, and lex-logs-setup never overwrites it",
            tags::MANAGED_BY,
            tags::MANAGED_BY_VALUE
        ),
        "delete or rename that alarm if nobody needs it, or leave --alarm out",
    )
}

/// Destroy: each alias's alarm of ours deleted; another's of the same name left alone.
pub(super) fn alarm_destroy_changes(obs: &Observed) -> (Vec<Change>, Vec<String>) {
    let Some(found) = &obs.alarms else {
        return (Vec::new(), Vec::new());
    };
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    for alias in &obs.aliases {
        let name = alarm_name(&obs.bot.id, &alias.id);
        match found.get(&name) {
            None => {}
            Some(existing) if !existing.is_ours() => notes.push(format!(
                "alarm {name} is not ours (no {} tag): left alone",
                tags::MANAGED_BY
            )),
            Some(existing) => changes.push(Change::new(
                &obs.provider,
                Address::alarm(&obs.bot.name, &alias.name),
                Action::Delete,
                Some(Resource::Alarm(existing.value.clone())),
                None,
                Step::Alarm(AlarmStep::Delete {
                    value: existing.value.clone(),
                }),
            )),
        }
    }
    (changes, notes)
}
