//! The audio destination, read and checked but never changed: the S3 bucket (it must exist; its
//! default encryption may name a KMS key) and the KMS key (it must exist, be enabled, and be a
//! symmetric encryption key).

use aws_sdk_kms::types::{KeySpec, KeyState, KeyUsageType};
use aws_sdk_s3::types::ServerSideEncryption;

use crate::error::{Context, Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub struct BucketState {
    pub name: String,
    /// The bucket's region (GetBucketLocation; an empty constraint is us-east-1).
    pub region: Option<String>,
    /// The key of the bucket's default SSE-KMS encryption, if it has one.
    pub default_kms_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyInfo {
    pub arn: String,
    /// Whether the key policy lets IAM policies of the account grant use of the key (the
    /// default key policy's `arn:aws:iam::ACCOUNT:root` statement); `None`: not readable.
    pub iam_policies_enabled: Option<bool>,
}

/// Reads the bucket; a missing bucket is an error (we never create buckets).
pub(crate) async fn observe_bucket(s3: &aws_sdk_s3::Client, name: &str) -> Result<BucketState> {
    let address = format!("bucket[{name}]");
    if let Err(e) = s3.head_bucket().bucket(name).send().await {
        if e.as_service_error().is_some_and(|s| s.is_not_found())
            || e.raw_response().is_some_and(|r| r.status().as_u16() == 404)
        {
            return Err(Error::invalid(
                format!("--audio-bucket {name:?} does not exist (or is in another account)"),
                "create the bucket first, or pass an existing one: lex-logs-setup never creates buckets",
            ));
        }
        return Err(crate::error::AwsError::from_sdk("s3:HeadBucket", address, &e).into());
    }
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
            let err: Error =
                crate::error::AwsError::from_sdk("s3:GetBucketEncryption", address, &e).into();
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
    Ok(BucketState {
        name: name.into(),
        region,
        default_kms_key,
    })
}

/// Reads the key; missing, disabled or asymmetric keys are errors that name the key.
pub(crate) async fn observe_key(kms: &aws_sdk_kms::Client, key: &str) -> Result<KeyInfo> {
    let address = format!("kms_key[{key}]");
    let out = match kms
        .describe_key()
        .key_id(key)
        .send()
        .await
        .context("kms:DescribeKey", &address)
    {
        Ok(out) => out,
        Err(e) if e.is_not_found() => {
            return Err(Error::invalid(
                format!("KMS key {key:?} does not exist in this account and region"),
                "check --kms-key (a key id, key ARN, alias/NAME or alias ARN) and --region",
            ))
        }
        Err(e) => return Err(e),
    };
    let metadata = out.key_metadata().expect("DescribeKey returns metadata");
    let spec = metadata
        .key_spec()
        .cloned()
        .unwrap_or(KeySpec::SymmetricDefault);
    if spec != KeySpec::SymmetricDefault
        || metadata.key_usage() != Some(&KeyUsageType::EncryptDecrypt)
    {
        return Err(Error::invalid(
            format!(
                "KMS key {key:?} is {} for {}; audio logs need a symmetric encryption key",
                spec.as_str(),
                metadata.key_usage().map(|u| u.as_str()).unwrap_or("?")
            ),
            "pass a SYMMETRIC_DEFAULT key with key usage ENCRYPT_DECRYPT",
        ));
    }
    if !metadata.enabled()
        || metadata
            .key_state()
            .is_some_and(|s| *s != KeyState::Enabled)
    {
        return Err(Error::invalid(
            format!("KMS key {key:?} is not enabled"),
            "enable the key, or pass another one with --kms-key",
        ));
    }
    let arn = metadata.arn().unwrap_or_default().to_string();
    let account = metadata.aws_account_id().unwrap_or_default().to_string();
    let iam_policies_enabled = match kms
        .get_key_policy()
        .key_id(&arn)
        .policy_name("default")
        .send()
        .await
    {
        Ok(out) => out
            .policy()
            .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
            .map(|p| key_policy_enables_iam(&p, &account)),
        Err(e) => {
            tracing::debug!(error = ?e, "GetKeyPolicy failed; the key policy is not checked");
            None
        }
    };
    Ok(KeyInfo {
        arn,
        iam_policies_enabled,
    })
}

/// True when the key policy allows the account root the key's use (what makes IAM policies
/// effective for the key): Allow, principal `arn:*:iam::ACCOUNT:root` or `ACCOUNT`, an action
/// covering `kms:GenerateDataKey`, and no condition.
pub(crate) fn key_policy_enables_iam(policy: &serde_json::Value, account: &str) -> bool {
    use serde_json::Value;
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        }
    };
    let statements = match &policy["Statement"] {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    statements.iter().any(|s| {
        let root = list(&s["Principal"]["AWS"]).iter().any(|p| {
            p == account || (p.ends_with(&format!(":iam::{account}:root")) && p.starts_with("arn:"))
        });
        let actions = list(&s["Action"]);
        let covers = actions.iter().any(|a| {
            a == "kms:*"
                || a == "*"
                || a.eq_ignore_ascii_case("kms:GenerateDataKey*")
                || a.eq_ignore_ascii_case("kms:GenerateDataKey")
        });
        s["Effect"] == "Allow" && root && covers && s.get("Condition").is_none()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_default_key_policy_enables_iam_and_a_narrowed_one_does_not() {
        let default = json!({"Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]});
        assert!(key_policy_enables_iam(&default, "123456789012"));
        assert!(!key_policy_enables_iam(&default, "999999999999"));
        let narrowed = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:role/KeyAdmin"}, "Action": "kms:*", "Resource": "*"}]});
        assert!(!key_policy_enables_iam(&narrowed, "123456789012"));
        let conditioned = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"AWS": ["123456789012"]}, "Action": ["kms:GenerateDataKey*"], "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]});
        assert!(!key_policy_enables_iam(&conditioned, "123456789012"));
    }
}
