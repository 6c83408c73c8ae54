//! The KMS key of a log group (`--log-group-kms-key`): AssociateKmsKey, and DisassociateKmsKey
//! (only to undo an association of this run), each guarded like the retention writes: the write
//! re-reads the group (DescribeLogGroups) right before it. A change refuses as stale when the
//! group's key moved since the plan read it; an undo puts the previous key back only while the
//! group still holds the key this run set, and leaves what someone else set since (and says so,
//! as [`Error::ChangedElsewhere`]). Destroy never changes a group's key.

use crate::error::{Context, Error, Result};
use crate::resources::alias_write::{Guard, Written};
use crate::resources::log_group;

/// A group's encryption in words: "KMS key ARN", or "no KMS key (CloudWatch Logs' own
/// encryption)".
pub(crate) fn key_words(key: Option<&str>) -> String {
    key.map_or_else(
        || "no KMS key (CloudWatch Logs' own encryption)".to_string(),
        |k| format!("KMS key {k}"),
    )
}

/// Encrypts the group's new log data with `key` (a key ARN).
async fn associate(logs: &aws_sdk_cloudwatchlogs::Client, name: &str, key: &str) -> Result<()> {
    logs.associate_kms_key()
        .log_group_name(name)
        .kms_key_id(key)
        .send()
        .await
        .context("logs:AssociateKmsKey", log_group::address(name))?;
    Ok(())
}

/// Stops encrypting the group's new log data with its KMS key.
async fn disassociate(logs: &aws_sdk_cloudwatchlogs::Client, name: &str) -> Result<()> {
    logs.disassociate_kms_key()
        .log_group_name(name)
        .send()
        .await
        .context("logs:DisassociateKmsKey", log_group::address(name))?;
    Ok(())
}

/// One guarded write of a group's key.
pub(crate) struct KeyWrite<'a> {
    pub logs: &'a aws_sdk_cloudwatchlogs::Client,
    pub name: &'a str,
    /// The key to set (`None`: no key; only an undo asks that).
    pub key: Option<&'a str>,
    /// The key the group must hold for the write to go ahead (as the plan read it; an undo: as
    /// this run set it).
    pub previous: Option<&'a str>,
    pub guard: Guard,
}

impl KeyWrite<'_> {
    /// Re-reads the group, checks its key by the guard, and writes.
    pub(crate) async fn run(&self) -> Result<Written> {
        let address = log_group::address(self.name);
        let Some(group) = log_group::observe(self.logs, self.name, None).await? else {
            return Err(match self.guard {
                Guard::Plan => Error::stale(
                    format!("{address} changed since the plan read it: it no longer exists; it was not written"),
                    "someone else deleted the log group while this run worked; run plan again and review the new plan",
                ),
                Guard::Undo => Error::ChangedElsewhere(format!(
                    "{address} was deleted by someone else after this run wrote it: nothing to put back"
                )),
            });
        };
        let now = group.kms_key_id.as_deref();
        if now == self.key {
            return Ok(Written::AlreadySo);
        }
        if now != self.previous {
            return Err(match self.guard {
                Guard::Plan => Error::stale(
                    format!(
                        "{address} changed since the plan read it: it is encrypted with {} now (the plan read {}); it was not written",
                        key_words(now),
                        key_words(self.previous)
                    ),
                    "someone else changed the log group's key while this run worked; run plan again and review the new plan",
                ),
                Guard::Undo => Error::ChangedElsewhere(format!(
                    "{address} was changed by someone else after this run wrote it: its key (now {}; this run set {}, it was {}) left as it is",
                    key_words(now),
                    key_words(self.previous),
                    key_words(self.key)
                )),
            });
        }
        match self.key {
            Some(key) => associate(self.logs, self.name, key).await?,
            None => disassociate(self.logs, self.name).await?,
        }
        Ok(Written::Done)
    }
}
