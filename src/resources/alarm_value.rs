//! Our alarm as a value, in PutMetricAlarm's field names: what a plan shows before and after an
//! alarm change (`plan::Resource::Alarm`), what the alarm's steps write, and what observation
//! reads back to compare.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::resources::tags::Tags;

/// Our CloudWatch alarm on an alias's text logs, in PutMetricAlarm's field names: metric math
/// over the alias's traffic and its log group's incoming events (see `planner/alarm.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmValue {
    pub alarm_name: String,
    pub alarm_description: String,
    pub metrics: Vec<AlarmQuery>,
    /// The alarm fires when `datapoints_to_alarm` of the last `evaluation_periods` periods breach.
    pub evaluation_periods: i32,
    pub datapoints_to_alarm: i32,
    pub threshold: f64,
    pub comparison_operator: String,
    pub treat_missing_data: String,
    /// The SNS topic notified when the alarm fires (`--alarm-topic`).
    pub alarm_actions: Vec<String>,
    /// Our tags on the alarm (what proves it ours), besides the run's.
    pub tags: Tags,
}

/// One entry of an alarm's `Metrics`: a metric read (`metricStat`) or an expression over others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmQuery {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<MetricStatValue>,
    pub return_data: bool,
}

/// A metric, its statistic and period, as an alarm reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricStatValue {
    pub namespace: String,
    pub metric_name: String,
    /// Dimension name to value (an alarm's metric names every dimension exactly).
    pub dimensions: BTreeMap<String, String>,
    pub period: i32,
    pub stat: String,
}
