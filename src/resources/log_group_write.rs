//! The retention writes of a log group, safe in a living account: every write re-reads the group
//! (DescribeLogGroups, and its tags when our take-over record changes too) right before it. A
//! change refuses as stale when the retention, or our record on the group's tags, moved since the
//! plan read it; an undo restores each only while it still holds what this run wrote, and leaves
//! what someone else set since (and says so, as [`Error::ChangedElsewhere`]).

use crate::error::{Error, Result};
use crate::resources::alias_write::{Guard, Written};
use crate::resources::log_group::{self, TagChange};
use crate::resources::tags::{self, Tags};

/// A retention in words: "30 days", "never expire".
pub(crate) fn words(days: Option<i32>) -> String {
    days.map_or_else(|| "never expire".to_string(), |d| format!("{d} days"))
}

/// Tags in words: `k=v, ...`, or "none".
fn tag_words(tags: &Tags) -> String {
    if tags.is_empty() {
        return "none".into();
    }
    let pairs: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join(", ")
}

/// One guarded write of a group's retention (and of our record on its tags).
pub(crate) struct RetentionWrite<'a> {
    pub logs: &'a aws_sdk_cloudwatchlogs::Client,
    pub name: &'a str,
    /// The retention to set (`None`: never expire).
    pub days: Option<i32>,
    /// The retention the group must hold for the write to go ahead (as the plan read it; an undo:
    /// as this run set it). Not checked when it is `days` (the retention is then left alone).
    pub previous: Option<i32>,
    /// Another team's group: its ARN (without `:*`) and our record changed on its tags.
    pub record: Option<(&'a str, &'a TagChange)>,
    pub guard: Guard,
}

/// The group as the write found it.
struct Now {
    retention: Option<i32>,
    /// The tags the record changes (its keys only), as they are now.
    record: Tags,
}

impl RetentionWrite<'_> {
    /// Re-reads the group, checks the retention and the record by the guard, and writes.
    pub(crate) async fn run(&self) -> Result<Written> {
        let arn = self.record.map(|(arn, _)| arn);
        let Some(group) = log_group::observe(self.logs, self.name, arn).await? else {
            return Err(self.gone());
        };
        let keys = self.record.map_or(&[][..], |(_, r)| &r.keys[..]);
        let now = Now {
            retention: group.retention_days,
            record: keys
                .iter()
                .filter_map(|k| group.tags.get(k).map(|v| (k.clone(), v.clone())))
                .collect(),
        };
        let record_done = self.record.is_none_or(|(_, r)| now.record == r.values);
        if now.retention == self.days && record_done {
            return Ok(Written::AlreadySo);
        }
        match self.guard {
            Guard::Plan => self.write_planned(&now).await,
            Guard::Undo => self.restore(&now).await,
        }
    }

    fn writes_retention(&self) -> bool {
        self.days != self.previous
    }

    /// Apply or destroy: refuse when the retention or the record moved since the plan.
    async fn write_planned(&self, now: &Now) -> Result<Written> {
        let mut moved = Vec::new();
        if self.writes_retention() && now.retention != self.previous {
            moved.push(format!(
                "its retention is now {} (the plan read {})",
                words(now.retention),
                words(self.previous)
            ));
        }
        if let Some((_, record)) = self.record {
            if now.record != record.previous {
                moved.push(format!(
                    "our record on its tags is now {} (the plan read {})",
                    tag_words(&now.record),
                    tag_words(&record.previous)
                ));
            }
        }
        if !moved.is_empty() {
            return Err(Error::stale(
                format!(
                    "{} changed since the plan read it: {}; it was not written",
                    log_group::address(self.name),
                    moved.join("; ")
                ),
                "someone else (another team, another run) changed the log group while this run worked; run plan again and review the new plan",
            ));
        }
        self.send(self.writes_retention(), self.record.is_some())
            .await?;
        Ok(Written::Done)
    }

    /// An undo: put back the retention while it holds what this run set, and the record while it
    /// holds what this run recorded; leave what someone else changed since, and say so.
    async fn restore(&self, now: &Now) -> Result<Written> {
        let retention_ours = now.retention == self.previous;
        let retention_left = now.retention != self.days && !retention_ours;
        let (record_ours, record_left) = match self.record {
            Some((_, record)) => (
                now.record == record.previous && now.record != record.values,
                now.record != record.previous && now.record != record.values,
            ),
            None => (false, false),
        };
        let retention = retention_ours && now.retention != self.days;
        if retention || record_ours {
            self.send(retention, record_ours).await?;
        }
        let mut left = Vec::new();
        if retention_left {
            left.push(format!(
                "its retention (now {}; this run set {}, it was {})",
                words(now.retention),
                words(self.previous),
                words(self.days)
            ));
        }
        if record_left {
            left.push(format!(
                "our record on its tags (now {})",
                tag_words(&now.record)
            ));
        }
        if left.is_empty() {
            return Ok(Written::Done);
        }
        let restored = match (retention, record_ours) {
            (true, _) => "; the retention put back",
            (false, true) => "; our record on its tags put back",
            (false, false) => "",
        };
        Err(Error::ChangedElsewhere(format!(
            "{} was changed by someone else after this run wrote it: {} left as it is{restored}",
            log_group::address(self.name),
            left.join(" and "),
        )))
    }

    /// Writes the retention and the record (those asked): a record that gains values first, then
    /// the retention (a take-over); otherwise the retention first, then the record (destroy).
    /// Half done is undone.
    async fn send(&self, retention: bool, record: bool) -> Result<()> {
        let (logs, name) = (self.logs, self.name);
        let set = || async {
            match retention {
                true => log_group::set_retention(logs, name, self.days).await,
                false => Ok(()),
            }
        };
        let Some((arn, change)) = self.record.filter(|_| record) else {
            return set().await;
        };
        if !change.values.is_empty() {
            log_group::set_tags(logs, name, arn, change).await?;
            if let Err(e) = set().await {
                let _ = log_group::set_tags(logs, name, arn, &change.inverse()).await;
                return Err(e);
            }
        } else {
            set().await?;
            if let Err(e) = log_group::set_tags(logs, name, arn, change).await {
                if retention {
                    let _ = log_group::set_retention(logs, name, self.previous).await;
                }
                return Err(e);
            }
        }
        Ok(())
    }

    fn gone(&self) -> Error {
        let address = log_group::address(self.name);
        match self.guard {
            Guard::Plan => Error::stale(
                format!("{address} changed since the plan read it: it no longer exists; it was not written"),
                "someone else deleted the log group while this run worked; run plan again and review the new plan",
            ),
            Guard::Undo => Error::ChangedElsewhere(format!(
                "{address} was deleted by someone else after this run wrote it: nothing to put back"
            )),
        }
    }
}

/// What a change of another team's retention does, in words: a take-over that records the
/// retention it replaces, a later change that keeps the first record, or destroy's put-back.
pub(crate) fn describe_with_record(
    name: &str,
    days: Option<i32>,
    previous: Option<i32>,
    record: &TagChange,
) -> String {
    let recorded = record
        .values
        .get(tags::PREVIOUS_RETENTION)
        .and_then(|v| tags::parse_retention(v));
    match (recorded, days == previous) {
        (Some(recorded), _) if recorded == previous => format!(
            "record on log group {name} (its tags) its retention ({}), then set it to {}",
            words(previous),
            words(days)
        ),
        (Some(recorded), _) => format!(
            "set the retention of log group {name} from {} to {} (taken over earlier: our record on its tags keeps {}, which destroy puts back)",
            words(previous),
            words(days),
            words(recorded)
        ),
        (None, false) => format!(
            "put the retention of log group {name} back to {}, and remove our record from its tags",
            words(days)
        ),
        (None, true) => format!("remove our record from the tags of log group {name}"),
    }
}
