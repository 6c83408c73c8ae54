//! Our CloudWatch alarm on an alias's text logs (`--alarm`): observing it by its deterministic
//! name (DescribeAlarms) with its tags (ListTagsForResource, what proves it ours), creating and
//! updating it (PutMetricAlarm, tagged when it creates), and deleting it (DeleteAlarms).
//!
//! PutMetricAlarm creates or replaces whatever alarm holds the name, so every write reads the
//! alarm again first: a create refuses an alarm that appeared since the plan, an update or a
//! delete refuses one that is not ours or moved since it was read.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat, Tag,
};

use crate::error::{Context, Error, Result};
use crate::resources::alarm_value::{AlarmQuery, AlarmValue, MetricStatValue};
use crate::resources::alias_write::Guard;
use crate::resources::operation::{self, Operation};
use crate::resources::tags::{self, Tags};

/// The start of every alarm name of ours (the operator policy scopes the alarm actions to it).
pub const NAME_PREFIX: &str = "lex-logs-setup-";

/// What the tool does to its alarms, as IAM actions: PutMetricAlarm creates and updates, tagging
/// on create needs TagResource, destroy deletes. IAM scopes each to the alarm's ARN (Service
/// Authorization Reference, Amazon CloudWatch: resource type `alarm`).
pub const IAM_ACTIONS: &[&str] = &[
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:TagResource",
    "cloudwatch:DeleteAlarms",
];

/// Our alarm's name for an alias: deterministic, from the bot's and the alias's ids (names may
/// change), under the prefix the generic operator policy scopes the alarm actions to.
pub(crate) fn name(bot_id: &str, alias_id: &str) -> String {
    format!("{NAME_PREFIX}{bot_id}-{alias_id}-text-logs-stopped")
}

/// An alarm as read: its settings (with our tags, if any), ARN and state.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmState {
    pub arn: String,
    pub value: AlarmValue,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state: String,
    /// Every tag on the alarm.
    pub tags: Tags,
}

impl AlarmState {
    pub(crate) fn is_ours(&self) -> bool {
        tags::is_ours(&self.tags)
    }
}

fn address(name: &str) -> String {
    format!("alarm {name}")
}

/// Reads the alarms of these names that exist, with their tags, by name (DescribeAlarms takes
/// up to 100 names a call).
pub(crate) async fn observe(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    names: &[String],
) -> Result<BTreeMap<String, AlarmState>> {
    let mut found = Vec::new();
    for chunk in names.chunks(100) {
        let page = cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .send()
            .await
            .context("cloudwatch:DescribeAlarms", address(&chunk.join(", ")))?;
        found.extend(page.metric_alarms().iter().cloned());
    }
    tagged(cloudwatch, &found).await
}

/// The alarms as found (by name or by a listing), each with its tags (ListTagsForResource: what
/// proves it ours), by name.
pub(crate) async fn tagged(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    found: &[MetricAlarm],
) -> Result<BTreeMap<String, AlarmState>> {
    let read = found.iter().map(|alarm| async move {
        let arn = alarm.alarm_arn().unwrap_or_default().to_string();
        let name = alarm.alarm_name().unwrap_or_default().to_string();
        let listed = cloudwatch
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .context("cloudwatch:ListTagsForResource", address(&name))?;
        let all: Tags = listed
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().into(),
                    t.value().unwrap_or_default().into(),
                )
            })
            .collect();
        Ok::<_, Error>((name, state_of(alarm, arn, all)))
    });
    Ok(futures::future::try_join_all(read)
        .await?
        .into_iter()
        .collect())
}

/// Reads one alarm (before a write).
async fn read_one(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    name: &str,
) -> Result<Option<AlarmState>> {
    Ok(observe(cloudwatch, &[name.to_string()]).await?.remove(name))
}

fn state_of(alarm: &MetricAlarm, arn: String, all: Tags) -> AlarmState {
    let ours: Tags = all
        .iter()
        .filter(|(k, _)| k.as_str() != tags::RUN)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let value = AlarmValue {
        alarm_name: alarm.alarm_name().unwrap_or_default().into(),
        alarm_description: alarm.alarm_description().unwrap_or_default().into(),
        metrics: alarm.metrics().iter().map(query_of).collect(),
        evaluation_periods: alarm.evaluation_periods().unwrap_or_default(),
        datapoints_to_alarm: alarm.datapoints_to_alarm().unwrap_or_default(),
        threshold: alarm.threshold().unwrap_or_default(),
        comparison_operator: alarm
            .comparison_operator()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        treat_missing_data: alarm.treat_missing_data().unwrap_or_default().into(),
        alarm_actions: alarm.alarm_actions().to_vec(),
        tags: ours,
    };
    AlarmState {
        arn,
        value,
        state: alarm
            .state_value()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        tags: all,
    }
}

fn query_of(query: &MetricDataQuery) -> AlarmQuery {
    let metric_stat = query.metric_stat().map(|stat| {
        let metric = stat.metric();
        MetricStatValue {
            namespace: metric
                .and_then(Metric::namespace)
                .unwrap_or_default()
                .into(),
            metric_name: metric
                .and_then(Metric::metric_name)
                .unwrap_or_default()
                .into(),
            dimensions: metric
                .map(Metric::dimensions)
                .unwrap_or_default()
                .iter()
                .map(|d| {
                    let name = d.name().unwrap_or_default().to_string();
                    (name, d.value().unwrap_or_default().to_string())
                })
                .collect(),
            period: stat.period().unwrap_or_default(),
            stat: stat.stat().unwrap_or_default().into(),
        }
    });
    AlarmQuery {
        id: query.id().unwrap_or_default().into(),
        expression: query.expression().map(str::to_string),
        metric_stat,
        return_data: query.return_data().unwrap_or(true),
    }
}

fn sdk_query(query: &AlarmQuery) -> MetricDataQuery {
    let stat = query.metric_stat.as_ref().map(|s| {
        let dimensions = s
            .dimensions
            .iter()
            .map(|(name, value)| Dimension::builder().name(name).value(value).build());
        let metric = Metric::builder()
            .namespace(&s.namespace)
            .metric_name(&s.metric_name)
            .set_dimensions(Some(dimensions.collect()))
            .build();
        MetricStat::builder()
            .metric(metric)
            .period(s.period)
            .stat(&s.stat)
            .build()
    });
    MetricDataQuery::builder()
        .id(&query.id)
        .set_expression(query.expression.clone())
        .set_metric_stat(stat)
        .return_data(query.return_data)
        .build()
}

fn sdk_tags(all: &Tags) -> Vec<Tag> {
    all.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// PutMetricAlarm with every field of `value`, and our tags and the run's (AWS applies them when
/// the call creates the alarm and ignores them on an update, where ours are already on it: an
/// update is made only to an alarm whose tags prove it ours).
async fn put(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    value: &AlarmValue,
    run_id: &str,
) -> Result<()> {
    let name = &value.alarm_name;
    let all = tags::with_run(&value.tags, run_id);
    cloudwatch
        .put_metric_alarm()
        .alarm_name(name)
        .alarm_description(&value.alarm_description)
        .set_metrics(Some(value.metrics.iter().map(sdk_query).collect()))
        .evaluation_periods(value.evaluation_periods)
        .datapoints_to_alarm(value.datapoints_to_alarm)
        .threshold(value.threshold)
        .comparison_operator(ComparisonOperator::from(value.comparison_operator.as_str()))
        .treat_missing_data(&value.treat_missing_data)
        .set_alarm_actions(Some(value.alarm_actions.clone()))
        .actions_enabled(true)
        .set_tags(Some(sdk_tags(&all)))
        .send()
        .await
        .context("cloudwatch:PutMetricAlarm", address(name))?;
    Ok(())
}

async fn delete(cloudwatch: &aws_sdk_cloudwatch::Client, name: &str) -> Result<()> {
    cloudwatch
        .delete_alarms()
        .alarm_names(name)
        .send()
        .await
        .context("cloudwatch:DeleteAlarms", address(name))?;
    Ok(())
}

/// PutMetricAlarm's input for `value`, as the AWS CLI's `--cli-input-json` takes it.
fn cli_input(value: &AlarmValue) -> serde_json::Value {
    let metrics: Vec<serde_json::Value> = value
        .metrics
        .iter()
        .map(|q| {
            let mut m = serde_json::json!({"Id": q.id, "ReturnData": q.return_data});
            if let Some(e) = &q.expression {
                m["Expression"] = e.clone().into();
            }
            if let Some(s) = &q.metric_stat {
                let dimensions: Vec<_> = s
                    .dimensions
                    .iter()
                    .map(|(k, v)| serde_json::json!({"Name": k, "Value": v}))
                    .collect();
                m["MetricStat"] = serde_json::json!({
                    "Metric": {"Namespace": s.namespace, "MetricName": s.metric_name, "Dimensions": dimensions},
                    "Period": s.period,
                    "Stat": s.stat,
                });
            }
            m
        })
        .collect();
    let tags: Vec<_> = value
        .tags
        .iter()
        .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
        .collect();
    serde_json::json!({
        "AlarmName": value.alarm_name,
        "AlarmDescription": value.alarm_description,
        "Metrics": metrics,
        "EvaluationPeriods": value.evaluation_periods,
        "DatapointsToAlarm": value.datapoints_to_alarm,
        "Threshold": value.threshold,
        "ComparisonOperator": value.comparison_operator,
        "TreatMissingData": value.treat_missing_data,
        "AlarmActions": value.alarm_actions,
        "Tags": tags,
    })
}

/// The changes the engine makes to our alarm.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum AlarmStep {
    /// Creates the alarm; refused when an alarm of that name exists that this run did not make.
    Create { value: AlarmValue },
    /// Replaces our alarm's settings; `previous` is what it held (the plan read it; an undo: what
    /// this run wrote), which it must still hold.
    Update {
        value: AlarmValue,
        previous: AlarmValue,
        guard: Guard,
    },
    /// Deletes our alarm (destroy, or the undo of a create); gone already is done.
    Delete { value: AlarmValue },
}

/// Why a write to an alarm that moved is refused: stale for a planned change, left as it is for
/// an undo.
fn moved(name: &str, guard: Guard, what: &str) -> Error {
    match guard {
        Guard::Plan => Error::stale(
            format!("alarm {name} {what} since the plan read it"),
            "run plan again and review the alarm",
        ),
        Guard::Undo => Error::ChangedElsewhere(format!(
            "alarm {name} {what} since this run wrote it: left as it is"
        )),
    }
}

impl Operation for AlarmStep {
    fn describe(&self) -> String {
        match self {
            AlarmStep::Create { value } => format!("create alarm {}", value.alarm_name),
            AlarmStep::Update { value, .. } => format!("update alarm {}", value.alarm_name),
            AlarmStep::Delete { value } => format!("delete alarm {}", value.alarm_name),
        }
    }

    fn how_by_hand(&self) -> Option<String> {
        Some(match self {
            AlarmStep::Delete { value } => format!(
                "aws cloudwatch delete-alarms --alarm-names {}",
                value.alarm_name
            ),
            AlarmStep::Create { value } | AlarmStep::Update { value, .. } => format!(
                "aws cloudwatch put-metric-alarm --cli-input-json '{}'",
                cli_input(value).to_string().replace('\'', r"'\''")
            ),
        })
    }

    fn inverse(&self) -> Option<Self> {
        Some(match self.clone() {
            AlarmStep::Create { value } => AlarmStep::Delete { value },
            AlarmStep::Update {
                value, previous, ..
            } => AlarmStep::Update {
                value: previous,
                previous: value,
                guard: Guard::Undo,
            },
            AlarmStep::Delete { value } => AlarmStep::Create { value },
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let cloudwatch = &ctx.clients.cloudwatch;
        match self {
            AlarmStep::Create { value } => {
                let name = &value.alarm_name;
                match read_one(cloudwatch, name).await? {
                    // A retry of this run's own create: write it again.
                    Some(found) if found.tags.get(tags::RUN) == Some(&ctx.run_id) => {}
                    // Another run made the same alarm at the same time: use it, undo nothing.
                    Some(found) if found.is_ours() && found.value == *value => return Ok(None),
                    Some(found) => {
                        let whose = match found.is_ours() {
                            true => "made by another lex-logs-setup run, with other settings",
                            false => "not ours",
                        };
                        return Err(Error::stale(
                            format!("alarm {name} appeared since the plan read the account ({whose})"),
                            "run plan again: an alarm of that name that is not ours is never overwritten",
                        ));
                    }
                    None => {}
                }
                put(cloudwatch, value, &ctx.run_id).await?;
            }
            AlarmStep::Update {
                value,
                previous,
                guard,
            } => {
                let name = &value.alarm_name;
                match read_one(cloudwatch, name).await? {
                    None => return Err(moved(name, *guard, "was deleted")),
                    Some(found) if !found.is_ours() => {
                        return Err(moved(name, *guard, "lost our tag"))
                    }
                    Some(found) if found.value == *value => return Ok(None),
                    Some(found) if found.value != *previous => {
                        return Err(moved(name, *guard, "was changed"))
                    }
                    Some(_) => put(cloudwatch, value, &ctx.run_id).await?,
                }
            }
            AlarmStep::Delete { value } => {
                let name = &value.alarm_name;
                match read_one(cloudwatch, name).await? {
                    None => return Ok(None),
                    Some(found) if !found.is_ours() => {
                        return Err(Error::ChangedElsewhere(format!(
                            "alarm {name} is not ours (no {} tag): left as it is",
                            tags::MANAGED_BY
                        )))
                    }
                    Some(_) => delete(cloudwatch, name).await?,
                }
            }
        }
        Ok(self.inverse())
    }
}
