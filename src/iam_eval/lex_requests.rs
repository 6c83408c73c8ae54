//! The requests Lex's audio-log delivery makes, with the condition context AWS evaluates them
//! with: S3's `PutObject` of the audio object by the role Lex assumed, and KMS's
//! `GenerateDataKey` that S3 makes on that role's behalf when the object is encrypted with a key.
//! verify's static check and the plan judge key policies and bucket policies with these, so a
//! key restricted to use through S3 (or the AWS-managed `aws/s3` key) is judged as KMS judges it,
//! and a bucket policy that refuses Lex's write is found before apply.
//!
//! Sources: KMS condition keys `kms:ViaService`, `kms:CallerAccount` and
//! `kms:EncryptionContext:` (<https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html>);
//! S3's encryption context `aws:s3:arn` is the object's ARN
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context>);
//! S3 condition keys `s3:x-amz-server-side-encryption`,
//! `s3:x-amz-server-side-encryption-aws-kms-key-id` and the global `aws:SecureTransport`
//! (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html>).
//! Assumed (not documented for Lex): the delivery goes over TLS, not through a VPC endpoint of
//! the account (`aws:SourceVpce` absent), and sends the SSE-KMS headers with the alias's key
//! when it names one (the twin does the same; see localstack/FIDELITY-runtime.md).

use serde_json::Value;

use super::{evaluate, Context, Decision, NamedPolicy, Principal, Request};

/// The context of the `kms:GenerateDataKey` S3 makes for Lex's audio object `object_arn`, in
/// `region`, for a caller of `account`.
pub(crate) fn kms_via_s3(region: &str, account: &str, object_arn: &str) -> Context {
    Context::new()
        .with("kms:ViaService", format!("s3.{region}.amazonaws.com"))
        .with("kms:CallerAccount", account)
        .with("kms:EncryptionContext:aws:s3:arn", object_arn)
        .with("kms:EncryptionContextKeys", "aws:s3:arn")
}

/// The context of Lex's `s3:PutObject` of an audio object by `role_arn` (of `account`),
/// encrypted with `kms_key` when the alias names one.
pub(crate) fn s3_put_by_lex(role_arn: &str, account: &str, kms_key: Option<&str>) -> Context {
    let context = Context::new()
        .with("aws:SecureTransport", "true")
        .with("aws:PrincipalArn", role_arn)
        .with("aws:PrincipalAccount", account);
    match kms_key {
        Some(key) => context
            .with("s3:x-amz-server-side-encryption", "aws:kms")
            .with("s3:x-amz-server-side-encryption-aws-kms-key-id", key),
        None => context,
    }
}

/// What of Lex's audio write a bucket policy is asked about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AudioWrite<'a> {
    pub bucket: &'a str,
    /// The object's ARN (`arn:aws:s3:::BUCKET/KEY`).
    pub object_arn: &'a str,
    /// The role Lex writes with.
    pub role_arn: &'a str,
    /// The bot's account.
    pub account: &'a str,
    pub kms_key: Option<&'a str>,
}

/// The statement of the bucket policy `policy` that denies Lex's write (e.g. `statement
/// "DenyOutsideVpce" of the policy of bucket B`), `None` when none does. Only Deny statements
/// matter: the role's own policies grant the write within the account.
pub(crate) fn bucket_policy_denies(policy: &Value, write: &AudioWrite) -> Option<String> {
    let root = format!(
        "arn:{}:iam::{}:root",
        write.role_arn.split(':').nth(1).unwrap_or("aws"),
        write.account
    );
    let principal = Principal::Aws(vec![write.role_arn.to_string(), root]);
    let context = s3_put_by_lex(write.role_arn, write.account, write.kms_key);
    let policy = NamedPolicy::new(
        format!("the policy of bucket {}", write.bucket),
        policy.clone(),
    );
    let request = Request {
        action: "s3:PutObject",
        resource: write.object_arn,
        context: &context,
    };
    match evaluate(std::slice::from_ref(&policy), &request, Some(&principal)) {
        Decision::ExplicitDeny { by } => Some(by),
        _ => None,
    }
}

/// True when the key policy itself lets any role of `account` use the key for Lex's audio object
/// `object_arn` through S3 in `region` (as the AWS-managed `aws/s3` key's policy does: principal
/// `*` with `kms:CallerAccount` and `kms:ViaService` conditions), whatever the role's IAM
/// policies say.
pub(crate) fn key_policy_allows_account_via_s3(
    policy: &Value,
    key_arn: &str,
    region: &str,
    account: &str,
    object_arn: &str,
) -> bool {
    let partition = key_arn.split(':').nth(1).unwrap_or("aws");
    // A role no statement names: only statements open to the whole account match it.
    let role = format!("arn:{partition}:iam::{account}:role/any-role-of-the-account");
    let context = kms_via_s3(region, account, object_arn);
    let policy = NamedPolicy::new("key policy", policy.clone());
    let request = Request {
        action: "kms:GenerateDataKey",
        resource: key_arn,
        context: &context,
    };
    evaluate(
        std::slice::from_ref(&policy),
        &request,
        Some(&Principal::Aws(vec![role])),
    ) == Decision::Allow
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ACCOUNT: &str = "123456789012";
    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/k";

    #[test]
    fn the_aws_managed_s3_key_is_open_to_the_account_through_s3_only() {
        let aws_s3 = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:GenerateDataKey*"], "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]});
        let allows = |policy: &Value, region: &str, account: &str, object: &str| {
            key_policy_allows_account_via_s3(policy, KEY, region, account, object)
        };
        let object = "arn:aws:s3:::calls/lex/audio.wav";
        assert!(allows(&aws_s3, "us-east-1", ACCOUNT, object));
        assert!(!allows(&aws_s3, "eu-west-1", ACCOUNT, object));
        assert!(!allows(&aws_s3, "us-east-1", "210987654321", object));
        let default = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"}]});
        assert!(!allows(&default, "us-east-1", ACCOUNT, object));
        // A key for one bucket only, through S3: judged for the bucket audio goes to.
        let one_bucket = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:GenerateDataKey", "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}, "StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::calls/*"}}}]});
        assert!(allows(&one_bucket, "us-east-1", ACCOUNT, object));
        let elsewhere = "arn:aws:s3:::other/lex/audio.wav";
        assert!(!allows(&one_bucket, "us-east-1", ACCOUNT, elsewhere));
    }

    #[test]
    fn a_bucket_deny_is_named_and_judged_with_the_sse_headers_sent() {
        let policy = json!({"Statement": [{"Sid": "RequireTheKey", "Effect": "Deny", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY}}}]});
        let write = |kms_key| AudioWrite {
            bucket: "b",
            object_arn: "arn:aws:s3:::b/lex/x.wav",
            role_arn: "arn:aws:iam::123456789012:role/R",
            account: ACCOUNT,
            kms_key,
        };
        assert_eq!(bucket_policy_denies(&policy, &write(Some(KEY))), None);
        let by = bucket_policy_denies(&policy, &write(None)).unwrap();
        assert!(
            by.contains("\"RequireTheKey\"") && by.contains("bucket b"),
            "{by}"
        );
    }
}
