//! The one read of a KMS key (DescribeKey, then its default key policy when the key is enabled),
//! into [`ObservedKey`]: the planner checks it for audio logs (`for_audio`) and for an encrypted
//! log group (`for_log_group`), verify judges whether the writer role may use it, from the same
//! data.

use aws_sdk_kms::types::{KeyManagerType, KeySpec, KeyState, KeyUsageType};
use serde_json::Value;

use crate::error::{Context, Error, Result};
use crate::iam_eval::lex_requests::key_policy_allows_account_via_s3;
use crate::iam_eval::logs_key::{key_policy_refuses_logs, logs_key_statement};
use crate::resources::destination::{key_policy_enables_iam, KeyInfo};

/// A KMS key as KMS describes it, with its key policy.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedKey {
    /// The key as it was named (id, ARN, alias name or alias ARN).
    pub given: String,
    /// `None`: there is no such key in this account and region.
    pub found: Option<FoundKey>,
}

/// A key that exists.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundKey {
    pub arn: String,
    /// The account the key belongs to.
    pub account: String,
    /// True for a symmetric encryption key (`SYMMETRIC_DEFAULT`, `ENCRYPT_DECRYPT`), the only kind
    /// audio logs can use; `kind` says what it is otherwise.
    pub symmetric_encryption: bool,
    pub kind: String,
    /// Enabled, and in the `Enabled` state (`state` says which otherwise).
    pub enabled: bool,
    /// True for a customer managed key (`KeyManager` `CUSTOMER`); false for an AWS managed key
    /// (`aws/s3` and the like), whose policy no one can change.
    pub customer_managed: bool,
    pub state: String,
    /// The default key policy; `None` when it cannot be read (or the key is not enabled: it is
    /// not read then).
    pub policy: Option<Value>,
}

/// Reads the key `key`: DescribeKey, and GetKeyPolicy when the key is enabled. A missing key is
/// `found: None`; other failures are errors. A key given by id or ARN (not by alias, which
/// GetKeyPolicy does not take) has its policy read at the same time as it is described.
pub(crate) async fn read_key(kms: &aws_sdk_kms::Client, key: &str) -> Result<ObservedKey> {
    let by_alias = key.starts_with("alias/") || key.contains(":alias/");
    let describe = kms.describe_key().key_id(key).send();
    let early_policy = async {
        if by_alias {
            None
        } else {
            Some(key_policy(kms, key).await)
        }
    };
    let (described, early_policy) = tokio::join!(describe, early_policy);
    let out = match described.context("kms:DescribeKey", format!("kms_key[{key}]")) {
        Ok(out) => out,
        Err(e) if e.is_not_found() => {
            return Ok(ObservedKey {
                given: key.into(),
                found: None,
            })
        }
        Err(e) => return Err(e),
    };
    let metadata = out.key_metadata().expect("DescribeKey returns metadata");
    let spec = metadata
        .key_spec()
        .cloned()
        .unwrap_or(KeySpec::SymmetricDefault);
    let usage = metadata.key_usage().map(|u| u.as_str()).unwrap_or("?");
    let symmetric_encryption = spec == KeySpec::SymmetricDefault
        && metadata.key_usage() == Some(&KeyUsageType::EncryptDecrypt);
    let enabled =
        metadata.enabled() && metadata.key_state().is_none_or(|s| *s == KeyState::Enabled);
    let arn = metadata.arn().unwrap_or(key).to_string();
    let policy = match (enabled, early_policy) {
        (false, _) => None,
        (true, Some(policy)) => policy,
        (true, None) => key_policy(kms, &arn).await,
    };
    Ok(ObservedKey {
        given: key.into(),
        found: Some(FoundKey {
            kind: format!("{} for {usage}", spec.as_str()),
            account: metadata.aws_account_id().unwrap_or_default().to_string(),
            state: metadata
                .key_state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            arn,
            symmetric_encryption,
            enabled,
            // A key whose manager is not said is taken as the customer's (the default of
            // CreateKey); only AWS's own keys say `AWS`.
            customer_managed: metadata.key_manager() != Some(&KeyManagerType::Aws),
            policy,
        }),
    })
}

/// The key's default policy; `None` (with a debug line) when it cannot be read.
async fn key_policy(kms: &aws_sdk_kms::Client, arn: &str) -> Option<Value> {
    match kms
        .get_key_policy()
        .key_id(arn)
        .policy_name("default")
        .send()
        .await
    {
        Ok(out) => out
            .policy()
            .and_then(|p| serde_json::from_str::<Value>(p).ok()),
        Err(e) => {
            tracing::debug!(error = ?e, "GetKeyPolicy failed; the key policy is not checked");
            None
        }
    }
}

impl ObservedKey {
    /// The key as audio logs need it (the plan's check): missing, asymmetric or disabled keys
    /// are errors that name the key.
    #[cfg(test)]
    pub(crate) fn for_audio(&self) -> Result<KeyInfo> {
        self.for_audio_to("any-bucket", "")
    }

    /// As `for_audio`, for audio objects under `prefix` of `bucket` (the encryption context a key
    /// policy may condition its use through S3 on).
    pub(crate) fn for_audio_to(&self, bucket: &str, prefix: &str) -> Result<KeyInfo> {
        let key = &self.given;
        let Some(found) = &self.found else {
            return Err(Error::invalid(
                format!("KMS key {key:?} does not exist in this account and region"),
                "check --kms-key (a key id, key ARN, alias/NAME or alias ARN) and --region",
            ));
        };
        if !found.symmetric_encryption {
            return Err(Error::invalid(
                format!(
                    "KMS key {key:?} is {}; audio logs need a symmetric encryption key",
                    found.kind
                ),
                "pass a SYMMETRIC_DEFAULT key with key usage ENCRYPT_DECRYPT",
            ));
        }
        if !found.enabled {
            return Err(Error::invalid(
                format!("KMS key {key:?} is not enabled"),
                "enable the key, or pass another one with --kms-key",
            ));
        }
        let region = found.arn.split(':').nth(3).unwrap_or_default();
        let partition = found.arn.split(':').nth(1).unwrap_or("aws");
        let object = format!("arn:{partition}:s3:::{bucket}/{prefix}audio.wav");
        Ok(KeyInfo {
            arn: found.arn.clone(),
            iam_policies_enabled: found
                .policy
                .as_ref()
                .map(|p| key_policy_enables_iam(p, &found.account)),
            allows_account_via_s3: found.policy.as_ref().is_some_and(|p| {
                key_policy_allows_account_via_s3(p, &found.arn, region, &found.account, &object)
            }),
        })
    }

    /// The key as a text log group needs it (`--log-group-kms-key`): the key's ARN, or an error
    /// when the key is missing, not a symmetric encryption key, disabled, or its policy does not
    /// let CloudWatch Logs use it for `log_group_arn` (the error prints the statement to add).
    /// A policy that could not be read is not judged.
    pub(crate) fn for_log_group(&self, log_group_arn: &str) -> Result<String> {
        let key = &self.given;
        let Some(found) = &self.found else {
            return Err(Error::invalid(
                format!("KMS key {key:?} does not exist in this account and region"),
                "check --log-group-kms-key (a key id, key ARN, alias/NAME or alias ARN) and \
                 --region",
            ));
        };
        if !found.symmetric_encryption {
            return Err(Error::invalid(
                format!(
                    "KMS key {key:?} is {}; CloudWatch Logs supports only symmetric encryption keys",
                    found.kind
                ),
                "pass a SYMMETRIC_DEFAULT key with key usage ENCRYPT_DECRYPT",
            ));
        }
        if !found.enabled {
            return Err(Error::invalid(
                format!("KMS key {key:?} is not enabled"),
                "enable the key, or pass another one with --log-group-kms-key",
            ));
        }
        if let Some(why) = found
            .policy
            .as_ref()
            .and_then(|p| key_policy_refuses_logs(p, &found.arn, log_group_arn))
        {
            let statement = serde_json::to_string_pretty(&logs_key_statement(log_group_arn))
                .expect("a JSON value serializes");
            return Err(Error::invalid(
                format!("KMS key {key:?} cannot encrypt log group {log_group_arn}: {why}"),
                format!(
                    "add this statement to the key policy of {} (the tool never edits a key \
                     policy), then run again:\n{statement}",
                    found.arn
                ),
            ));
        }
        Ok(found.arn.clone())
    }
}
