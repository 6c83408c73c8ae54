//! The CloudWatch Logs group that text logs go to.

use serde_json::{json, Value};

use crate::observe::Observed;
use crate::plan::{Action, Address, Change};
use crate::resources::log_group::LogGroupStep;
use crate::spec::Spec;
use crate::step::Step;

/// The log group for text logs: created, its retention set, or as it is.
pub(super) fn log_group_change(spec: &Spec, obs: &Observed) -> Option<Change> {
    if let (Some(text), Some((name, state))) = (&spec.text, &obs.log_group) {
        let addr = Address::LogGroup(name.clone());
        let want = text.retention_days;
        return Some(match state {
            None => Change::new(
                addr.clone(),
                Action::Create,
                Value::Null,
                json!({"name": name, "retentionInDays": want}),
                Step::LogGroup(LogGroupStep::Create {
                    name: name.clone(),
                    retention_days: want,
                }),
            ),
            Some(group) if want.is_some() && want != group.retention_days => Change::new(
                addr.clone(),
                Action::Update,
                json!({"name": name, "retentionInDays": group.retention_days}),
                json!({"name": name, "retentionInDays": want}),
                Step::LogGroup(LogGroupStep::SetRetention {
                    name: name.clone(),
                    days: want,
                    previous: group.retention_days,
                }),
            ),
            Some(group) => Change::no_op(
                addr.clone(),
                json!({"name": name, "retentionInDays": group.retention_days}),
            ),
        });
    }
    None
}
