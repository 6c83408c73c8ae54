//! The one read of each destination fact: whether a bucket exists in the bot's account
//! (`bucket_exists`), what it is (`read_bucket`: its default encryption key, region and policy),
//! and a log group with its settings (`read_log_group`). Every S3 call names the bot's account as
//! `ExpectedBucketOwner`: Lex writes audio only to a bucket of the bot's account, and S3 then
//! answers 403 for a bucket of another account. [`Reads`] keeps what one observation read of them (and of the KMS keys,
//! see `keys`), by name, so that a second judge of the same bot (verify's static check, after
//! status observed it as plan does) reads none of them again.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_s3::types::ServerSideEncryption;
use serde_json::Value;

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
    /// Each bucket read: whether it exists in the bot's account (and is reachable with these
    /// credentials).
    pub buckets: BTreeMap<String, bool>,
    /// The policy of each bucket read that exists (`None`: it has none, or it is not readable).
    pub bucket_policies: BTreeMap<String, Option<Value>>,
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
    /// Adds what `other` read (reads of the same name agree: each fact is read once).
    pub(crate) fn absorb(&mut self, other: Reads) {
        self.log_groups.extend(other.log_groups);
        self.buckets.extend(other.buckets);
        self.bucket_policies.extend(other.bucket_policies);
        self.keys.extend(other.keys);
    }

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
                let owner = &scope.account;
                let exists = bucket_exists(&clients.s3, name, owner).await? == BucketFound::Owned;
                let policy = match exists {
                    true => bucket_policy(&clients.s3, name, owner).await?,
                    false => None,
                };
                Ok::<_, Error>((name.clone(), exists, policy))
            })),
            futures::future::try_join_all(keys.map(|key| read_key(&clients.kms, key))),
        )?;
        self.log_groups.extend(groups);
        for (name, exists, policy) in buckets {
            self.buckets.insert(name.clone(), exists);
            self.bucket_policies.insert(name, policy);
        }
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

/// What HeadBucket says of a bucket, asked with the bot's account as the expected owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BucketFound {
    /// It exists, in the bot's account, and these credentials reach it.
    Owned,
    /// There is no such bucket.
    Missing,
    /// 403: it belongs to another account, or these credentials may not read it (S3 does not
    /// say which).
    ElsewhereOrDenied,
}

/// Whether the bucket exists in account `owner` (HeadBucket with `ExpectedBucketOwner`).
pub(crate) async fn bucket_exists(
    s3: &aws_sdk_s3::Client,
    name: &str,
    owner: &str,
) -> Result<BucketFound> {
    match s3
        .head_bucket()
        .bucket(name)
        .expected_bucket_owner(owner)
        .send()
        .await
    {
        Ok(_) => Ok(BucketFound::Owned),
        Err(e)
            if e.as_service_error().is_some_and(|s| s.is_not_found())
                || e.raw_response().is_some_and(|r| r.status().as_u16() == 404) =>
        {
            Ok(BucketFound::Missing)
        }
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 403) => {
            Ok(BucketFound::ElsewhereOrDenied)
        }
        Err(e) => Err(AwsError::from_sdk("s3:HeadBucket", format!("bucket[{name}]"), &e).into()),
    }
}

/// The bucket's policy (GetBucketPolicy, once per bucket); `None` when it has none, or when it
/// cannot be read (then the bucket policy is not checked, with a debug line).
pub(crate) async fn bucket_policy(
    s3: &aws_sdk_s3::Client,
    name: &str,
    owner: &str,
) -> Result<Option<Value>> {
    match s3
        .get_bucket_policy()
        .bucket(name)
        .expected_bucket_owner(owner)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .policy()
            .and_then(|p| crate::policy::parse_returned(p).ok())),
        Err(e) => {
            let err: Error =
                AwsError::from_sdk("s3:GetBucketPolicy", format!("bucket[{name}]"), &e).into();
            if !err.has_code(&["NoSuchBucketPolicy"]) {
                tracing::debug!(error = %err, "GetBucketPolicy failed; the bucket policy is not checked");
            }
            Ok(None)
        }
    }
}

/// The bucket in account `owner`: its default SSE-KMS key, its region and its policy; `None`
/// when it does not exist. A bucket of another account (or one these credentials may not read)
/// is refused: Lex writes audio logs only to a bucket of the bot's account. HeadBucket and the
/// three reads go at once (one round trip); what the reads said is used only when HeadBucket
/// found the bucket in `owner`'s account.
pub(crate) async fn read_bucket(
    s3: &aws_sdk_s3::Client,
    name: &str,
    owner: &str,
) -> Result<Option<BucketState>> {
    let address = format!("bucket[{name}]");
    let (exists, encryption, location, policy) = tokio::join!(
        bucket_exists(s3, name, owner),
        s3.get_bucket_encryption()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        s3.get_bucket_location()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        bucket_policy(s3, name, owner),
    );
    match exists? {
        BucketFound::Owned => {}
        BucketFound::Missing => return Ok(None),
        BucketFound::ElsewhereOrDenied => return Err(not_in_account(name, owner)),
    }
    let default_kms_key = match encryption {
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
    let region = match location {
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
        policy: policy?,
    }))
}

/// The refusal of a bucket S3 answers 403 for when asked with the bot's account as its owner.
fn not_in_account(name: &str, account: &str) -> Error {
    Error::invalid(
        format!(
            "--audio-bucket {name:?} does not belong to account {account} (the bot's), or these credentials may not read it (S3 answered 403 to HeadBucket with ExpectedBucketOwner={account}); Lex writes audio logs only to an S3 bucket of the bot's account"
        ),
        "pass a bucket of the bot's account (or, if it is one, grant s3:ListBucket on it to the caller)",
    )
}
