//! The one read of each destination fact: whether a bucket exists (`bucket_exists`) and what it
//! is (`read_bucket`: its default encryption key and region), and a log group with its settings
//! (`read_log_group`). [`Reads`] keeps what one observation read of them (and of the KMS keys,
//! see `keys`), by name, so that a second judge of the same bot (verify's static check, after
//! status observed it as plan does) reads none of them again.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_s3::types::ServerSideEncryption;

use super::keys::{read_key, ObservedKey};
use crate::arn::Scope;
use crate::aws::Clients;
use crate::error::{AwsError, Error, Result};
use crate::resources::destination::BucketState;
use crate::resources::log_group::{self, LogGroupState};

/// What was read of the log destinations, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reads {
    /// Each log group read (`None`: it does not exist).
    pub log_groups: BTreeMap<String, Option<LogGroupState>>,
    /// Each bucket read: whether it exists (and is reachable with these credentials).
    pub buckets: BTreeMap<String, bool>,
    /// Each key read, under the name it was given and under its ARN.
    pub keys: BTreeMap<String, ObservedKey>,
}

/// The destinations a judge needs, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wanted {
    pub log_groups: BTreeSet<String>,
    pub buckets: BTreeSet<String>,
    pub keys: BTreeSet<String>,
}

impl Reads {
    /// Keeps a key read under its given name and its ARN.
    pub(crate) fn add_key(&mut self, key: ObservedKey) {
        if let Some(found) = &key.found {
            self.keys.insert(found.arn.clone(), key.clone());
        }
        self.keys.insert(key.given.clone(), key);
    }

    /// Reads, at once, what `wanted` names that was not read yet.
    pub(crate) async fn complete(
        &mut self,
        clients: &Clients,
        scope: &Scope,
        wanted: &Wanted,
    ) -> Result<()> {
        let groups = wanted
            .log_groups
            .iter()
            .filter(|g| !self.log_groups.contains_key(*g));
        let buckets = wanted
            .buckets
            .iter()
            .filter(|b| !self.buckets.contains_key(*b));
        let keys = wanted.keys.iter().filter(|k| !self.keys.contains_key(*k));
        let (groups, buckets, keys) = tokio::try_join!(
            futures::future::try_join_all(groups.map(|name| async move {
                let group = read_log_group(clients, scope, name).await?;
                Ok::<_, Error>((name.clone(), group))
            })),
            futures::future::try_join_all(buckets.map(|name| async move {
                let exists = bucket_exists(&clients.s3, name).await?;
                Ok::<_, Error>((name.clone(), exists))
            })),
            futures::future::try_join_all(keys.map(|key| read_key(&clients.kms, key))),
        )?;
        self.log_groups.extend(groups);
        self.buckets.extend(buckets);
        for key in keys {
            self.add_key(key);
        }
        Ok(())
    }
}

/// The log group `name` of the account and region of `scope` (its retention and tags), or
/// `None` when there is none.
pub(crate) async fn read_log_group(
    clients: &Clients,
    scope: &Scope,
    name: &str,
) -> Result<Option<LogGroupState>> {
    log_group::observe(&clients.logs, name, Some(&scope.log_group(name))).await
}

/// True when the bucket exists and is reachable with these credentials (HeadBucket).
pub(crate) async fn bucket_exists(s3: &aws_sdk_s3::Client, name: &str) -> Result<bool> {
    match s3.head_bucket().bucket(name).send().await {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error().is_some_and(|s| s.is_not_found())
                || e.raw_response().is_some_and(|r| r.status().as_u16() == 404) =>
        {
            Ok(false)
        }
        Err(e) => Err(AwsError::from_sdk("s3:HeadBucket", format!("bucket[{name}]"), &e).into()),
    }
}

/// The bucket: its default SSE-KMS key and its region; `None` when it does not exist.
pub(crate) async fn read_bucket(
    s3: &aws_sdk_s3::Client,
    name: &str,
) -> Result<Option<BucketState>> {
    if !bucket_exists(s3, name).await? {
        return Ok(None);
    }
    let address = format!("bucket[{name}]");
    let default_kms_key = match s3.get_bucket_encryption().bucket(name).send().await {
        Ok(out) => out
            .server_side_encryption_configuration()
            .and_then(|c| {
                c.rules()
                    .iter()
                    .find_map(|r| r.apply_server_side_encryption_by_default())
            })
            .filter(|d| {
                matches!(
                    d.sse_algorithm(),
                    ServerSideEncryption::AwsKms | ServerSideEncryption::AwsKmsDsse
                )
            })
            .and_then(|d| d.kms_master_key_id().map(str::to_string)),
        Err(e) => {
            let err: Error = AwsError::from_sdk("s3:GetBucketEncryption", address, &e).into();
            if err.has_code(&["ServerSideEncryptionConfigurationNotFoundError"]) {
                None
            } else {
                return Err(err);
            }
        }
    };
    let region = match s3.get_bucket_location().bucket(name).send().await {
        Ok(out) => Some(match out.location_constraint().map(|c| c.as_str()) {
            None | Some("") => "us-east-1".to_string(),
            Some("EU") => "eu-west-1".to_string(),
            Some(other) => other.to_string(),
        }),
        Err(e) => {
            tracing::debug!(error = ?e, "GetBucketLocation failed; the region is not checked");
            None
        }
    };
    Ok(Some(BucketState {
        name: name.into(),
        region,
        default_kms_key,
    }))
}
