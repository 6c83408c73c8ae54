//! The CloudWatch Logs group for text logs: observing it, creating it (tagged as ours), setting
//! its retention (on another team's group, with our record of what it was on the group's tags),
//! and deleting it (only to undo our own creation; destroy keeps it).

use crate::error::{Context, Error, Optional, Result};
use crate::resources::alias_write::{Guard, Written};
use crate::resources::log_group_key::{key_words, KeyWrite};
use crate::resources::log_group_write::{describe_with_record, RetentionWrite};
use crate::resources::operation::{self, create_once, Made, Operation};
use crate::resources::tags::{self, Tags};

#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupState {
    pub name: String,
    pub retention_days: Option<i32>,
    /// The KMS key the group's log data is encrypted with (`kmsKeyId`), `None` when the group
    /// uses CloudWatch Logs' own encryption.
    pub kms_key_id: Option<String>,
    pub tags: Tags,
}

pub(crate) fn address(name: &str) -> String {
    format!("log_group[{name}]")
}

/// Reads the group, or `None` when there is none. Without `arn`, lists first and then reads the
/// tags; with the group's ARN (built from account and region), does both at once.
pub(crate) async fn observe(
    logs: &aws_sdk_cloudwatchlogs::Client,
    name: &str,
    arn: Option<&str>,
) -> Result<Option<LogGroupState>> {
    let find = async {
        let mut pages = logs
            .describe_log_groups()
            .log_group_name_prefix(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.context("logs:DescribeLogGroups", address(name))?;
            if let Some(group) = page
                .log_groups()
                .iter()
                .find(|g| g.log_group_name() == Some(name))
            {
                return Ok(Some((
                    (
                        group.retention_in_days(),
                        group.kms_key_id().map(str::to_string),
                    ),
                    group
                        .arn()
                        .unwrap_or_default()
                        .trim_end_matches(":*")
                        .to_string(),
                )));
            }
        }
        Ok::<_, Error>(None)
    };
    let tags_of = |arn: String| async move {
        match logs
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .context("logs:ListTagsForResource", address(name))
        {
            Ok(found) => Ok(found
                .tags()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect::<Tags>()),
            Err(e) if e.is_not_found() => Ok(Tags::new()),
            Err(e) => Err(e),
        }
    };
    let (found, tags) = match arn {
        Some(arn) => {
            let (found, tags) = tokio::join!(find, tags_of(arn.to_string()));
            (found?, tags?)
        }
        None => match find.await? {
            Some((retention, arn)) => (Some((retention, arn.clone())), tags_of(arn).await?),
            None => (None, Tags::new()),
        },
    };
    Ok(
        found.map(|((retention_days, kms_key_id), _)| LogGroupState {
            name: name.into(),
            retention_days,
            kms_key_id,
            tags,
        }),
    )
}

async fn create(
    logs: &aws_sdk_cloudwatchlogs::Client,
    name: &str,
    run_id: &str,
    kms_key_id: Option<&str>,
) -> Result<()> {
    logs.create_log_group()
        .log_group_name(name)
        .set_kms_key_id(kms_key_id.map(str::to_string))
        .tags(tags::MANAGED_BY, tags::MANAGED_BY_VALUE)
        .tags(tags::RUN, run_id)
        .send()
        .await
        .context("logs:CreateLogGroup", address(name))?;
    Ok(())
}

pub(crate) async fn set_retention(
    logs: &aws_sdk_cloudwatchlogs::Client,
    name: &str,
    days: Option<i32>,
) -> Result<()> {
    match days {
        Some(days) => logs
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days)
            .send()
            .await
            .context("logs:PutRetentionPolicy", address(name))
            .map(|_| ()),
        None => logs
            .delete_retention_policy()
            .log_group_name(name)
            .send()
            .await
            .context("logs:DeleteRetentionPolicy", address(name))
            .map(|_| ()),
    }
}

/// Sets `values` on the group's tags and removes the other `keys` (TagResource, UntagResource).
pub(crate) async fn set_tags(
    logs: &aws_sdk_cloudwatchlogs::Client,
    name: &str,
    arn: &str,
    change: &TagChange,
) -> Result<()> {
    if !change.values.is_empty() {
        logs.tag_resource()
            .resource_arn(arn)
            .set_tags(Some(change.values.clone().into_iter().collect()))
            .send()
            .await
            .context("logs:TagResource", address(name))?;
    }
    let removed: Vec<String> = change
        .keys
        .iter()
        .filter(|k| !change.values.contains_key(*k))
        .cloned()
        .collect();
    if !removed.is_empty() {
        logs.untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .context("logs:UntagResource", address(name))?;
    }
    Ok(())
}

/// A change to some of a resource's tags: `values` set, the other `keys` removed; `previous` is
/// what those keys held.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TagChange {
    pub keys: Vec<String>,
    pub values: Tags,
    pub previous: Tags,
}

impl TagChange {
    pub(crate) fn inverse(&self) -> Self {
        TagChange {
            keys: self.keys.clone(),
            values: self.previous.clone(),
            previous: self.values.clone(),
        }
    }
}

async fn delete(logs: &aws_sdk_cloudwatchlogs::Client, name: &str) -> Result<()> {
    logs.delete_log_group()
        .log_group_name(name)
        .send()
        .await
        .context("logs:DeleteLogGroup", address(name))
        .optional()
        .map(|_| ())
}

/// Fails with a clear message unless the name is one CloudWatch accepts (checked offline first).
pub(crate) fn require_valid(name: &str) -> Result<()> {
    if crate::spec::valid_log_group_name(name) {
        Ok(())
    } else {
        Err(Error::invalid(
            format!("log group name {name:?} is not valid"),
            "pass --log-group with 1-512 characters of A-Z a-z 0-9 . _ - / #",
        ))
    }
}

/// The changes the engine makes to a log group.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum LogGroupStep {
    /// Creates the group (tagged as ours), with a retention and a KMS key (its ARN) if given.
    Create {
        name: String,
        retention_days: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kms_key_id: Option<String>,
    },
    /// Deletes the group (only to undo our own creation).
    Delete { name: String },
    /// Sets (`Some`) or removes (`None`) the retention; `previous` is what it was (the plan
    /// read it; an undo: this run set it), which it must still be when the step runs (see
    /// [`RetentionWrite`]).
    SetRetention {
        name: String,
        days: Option<i32>,
        previous: Option<i32>,
        guard: Guard,
    },
    /// Another team's group: its retention set to `days` (left alone when it is `previous`) and
    /// our record of what it was changed on its tags (`arn`, without `:*`); both must still be
    /// as `previous` and `record.previous` say when the step runs.
    RetentionWithRecord {
        name: String,
        arn: String,
        days: Option<i32>,
        previous: Option<i32>,
        record: TagChange,
        guard: Guard,
    },
    /// Encrypts the group with `key` (a key ARN: AssociateKmsKey), or removes its key (`None`:
    /// DisassociateKmsKey, only to undo); `previous` is the key it had (the plan read it; an
    /// undo: this run set it), which it must still have when the step runs (see [`KeyWrite`]).
    SetKey {
        name: String,
        key: Option<String>,
        previous: Option<String>,
        guard: Guard,
    },
    /// Several changes of one group, in order (its retention, then its key); undone in reverse.
    Several { steps: Vec<LogGroupStep> },
}

impl LogGroupStep {
    /// The undo of a guarded write: none when the group already held what it asked.
    fn undo_after(&self, written: Written) -> Option<Self> {
        match written {
            Written::Done => self.inverse(),
            Written::AlreadySo => None,
        }
    }
}

impl Operation for LogGroupStep {
    fn describe(&self) -> String {
        match self {
            LogGroupStep::Create {
                name,
                kms_key_id: Some(key),
                ..
            } => format!("create log group {name}, encrypted with KMS key {key}"),
            LogGroupStep::Create { name, .. } => format!("create log group {name}"),
            LogGroupStep::Delete { name } => format!("delete log group {name}"),
            LogGroupStep::SetRetention { name, days, .. } => match days {
                Some(d) => format!("set retention of log group {name} to {d} days"),
                None => format!("remove the retention of log group {name}"),
            },
            LogGroupStep::RetentionWithRecord {
                name,
                days,
                previous,
                record,
                ..
            } => describe_with_record(name, *days, *previous, record),
            LogGroupStep::SetKey {
                name,
                key: Some(key),
                ..
            } => format!("encrypt log group {name} with KMS key {key}"),
            LogGroupStep::SetKey { name, previous, .. } => format!(
                "remove the KMS key of log group {name} ({})",
                key_words(previous.as_deref())
            ),
            LogGroupStep::Several { steps } => {
                let each: Vec<String> = steps.iter().map(Operation::describe).collect();
                each.join("; then ")
            }
        }
    }

    fn how_by_hand(&self) -> Option<String> {
        Some(match self {
            LogGroupStep::Create { .. } => return None,
            LogGroupStep::Delete { name } => {
                format!("aws logs delete-log-group --log-group-name {name}")
            }
            LogGroupStep::SetRetention {
                name, days: None, ..
            } => format!("aws logs delete-retention-policy --log-group-name {name}"),
            LogGroupStep::SetRetention {
                name,
                days: Some(d),
                ..
            } => format!(
                "aws logs put-retention-policy --log-group-name {name} --retention-in-days {d}"
            ),
            LogGroupStep::RetentionWithRecord { .. } => return None,
            LogGroupStep::SetKey {
                name,
                key: Some(key),
                ..
            } => format!("aws logs associate-kms-key --log-group-name {name} --kms-key-id {key}"),
            LogGroupStep::SetKey {
                name, key: None, ..
            } => format!("aws logs disassociate-kms-key --log-group-name {name}"),
            LogGroupStep::Several { steps } => {
                let each: Option<Vec<String>> = steps.iter().map(Operation::how_by_hand).collect();
                each?.join(" && ")
            }
        })
    }

    fn inverse(&self) -> Option<Self> {
        Some(match self.clone() {
            LogGroupStep::Create { name, .. } => LogGroupStep::Delete { name },
            LogGroupStep::Delete { .. } => return None,
            LogGroupStep::SetRetention {
                name,
                days,
                previous,
                ..
            } => LogGroupStep::SetRetention {
                name,
                days: previous,
                previous: days,
                guard: Guard::Undo,
            },
            LogGroupStep::RetentionWithRecord {
                name,
                arn,
                days,
                previous,
                record,
                ..
            } => LogGroupStep::RetentionWithRecord {
                name,
                arn,
                days: previous,
                previous: days,
                record: record.inverse(),
                guard: Guard::Undo,
            },
            LogGroupStep::SetKey {
                name,
                key,
                previous,
                ..
            } => LogGroupStep::SetKey {
                name,
                key: previous,
                previous: key,
                guard: Guard::Undo,
            },
            LogGroupStep::Several { steps } => {
                let undos: Vec<LogGroupStep> =
                    steps.iter().rev().filter_map(Operation::inverse).collect();
                return (!undos.is_empty()).then_some(LogGroupStep::Several { steps: undos });
            }
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let logs = &ctx.clients.logs;
        match self {
            LogGroupStep::Create {
                name,
                retention_days,
                kms_key_id,
            } => {
                let made = create_once(
                    ctx,
                    create(logs, name, &ctx.run_id, kms_key_id.as_deref()),
                    async { Ok(observe(logs, name, None).await?.map(|g| g.tags)) },
                    |_| true,
                )
                .await?;
                if retention_days.is_some() {
                    if let Err(e) = set_retention(logs, name, *retention_days).await {
                        // Leave nothing half-made: undo what this step made.
                        if let Made::ByThisRun = made {
                            let _ = delete(logs, name).await;
                        }
                        return Err(e);
                    }
                }
                return Ok(made.undo(|| self.inverse()));
            }
            LogGroupStep::Delete { name } => delete(logs, name).await?,
            LogGroupStep::SetRetention {
                name,
                days,
                previous,
                guard,
            } => {
                let write = RetentionWrite {
                    logs,
                    name,
                    days: *days,
                    previous: *previous,
                    record: None,
                    guard: *guard,
                };
                return Ok(self.undo_after(write.run().await?));
            }
            LogGroupStep::RetentionWithRecord {
                name,
                arn,
                days,
                previous,
                record,
                guard,
            } => {
                let write = RetentionWrite {
                    logs,
                    name,
                    days: *days,
                    previous: *previous,
                    record: Some((arn, record)),
                    guard: *guard,
                };
                return Ok(self.undo_after(write.run().await?));
            }
            LogGroupStep::SetKey {
                name,
                key,
                previous,
                guard,
            } => {
                let write = KeyWrite {
                    logs,
                    name,
                    key: key.as_deref(),
                    previous: previous.as_deref(),
                    guard: *guard,
                };
                return Ok(self.undo_after(write.run().await?));
            }
            LogGroupStep::Several { steps } => return run_several(steps, ctx).await,
        }
        Ok(self.inverse())
    }
}

/// Runs the steps in order; when one fails, undoes those done (in reverse) and fails. The undo
/// of them all: each one's, in reverse.
async fn run_several(
    steps: &[LogGroupStep],
    ctx: &operation::Context,
) -> Result<Option<LogGroupStep>> {
    let mut undos = Vec::new();
    for step in steps {
        match Box::pin(step.run(ctx)).await {
            Ok(undo) => undos.extend(undo),
            Err(e) => {
                for undo in undos.iter().rev() {
                    let _ = Box::pin(undo.run(ctx)).await;
                }
                return Err(e);
            }
        }
    }
    undos.reverse();
    Ok((!undos.is_empty()).then_some(LogGroupStep::Several { steps: undos }))
}
