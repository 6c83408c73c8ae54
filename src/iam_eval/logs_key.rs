//! Whether a KMS key's policy lets CloudWatch Logs use the key for one log group, and the
//! statement to add when it does not. The plan refuses `--log-group-kms-key` with a key whose
//! policy would make `CreateLogGroup`/`AssociateKmsKey` fail (the tool never edits a key policy).
//!
//! Source: CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS Key
//! Management Service", step 2 "Set permissions on the KMS key"
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html>): the
//! key policy must allow the service principal `logs.REGION.amazonaws.com` the actions
//! `kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and `kms:Describe*`,
//! conditioned (`ArnEquals` or `ArnLike`) on `kms:EncryptionContext:aws:logs:arn`, the log
//! group's ARN, which CloudWatch Logs sends as the encryption context of its cryptographic calls.
//! The check asks for the cryptographic operations with that context (`Describe*` calls carry no
//! encryption context, so a policy written as the guide says would never be judged to allow
//! them here; the guide's statement is what the tool prints).

use serde_json::{json, Value};

use super::{evaluate, Context, Decision, NamedPolicy, Principal, Request};

/// The cryptographic operations CloudWatch Logs makes with a log group's key.
const LOGS_KEY_ACTIONS: [&str; 5] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
];

/// The region of an ARN (its fourth field).
fn arn_region(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or_default()
}

/// The log group's ARN without the `:*` suffix DescribeLogGroups adds: the form CloudWatch Logs
/// puts in the encryption context.
fn bare_log_group_arn(log_group_arn: &str) -> &str {
    log_group_arn.strip_suffix(":*").unwrap_or(log_group_arn)
}

/// The service principal of CloudWatch Logs in the log group's region.
pub(crate) fn logs_service_principal(log_group_arn: &str) -> String {
    format!("logs.{}.amazonaws.com", arn_region(log_group_arn))
}

/// Why the key policy does not let CloudWatch Logs use the key `key_arn` for `log_group_arn`;
/// `None` when it does. A missing policy (it could not be read) is not judged: `None`.
pub(crate) fn key_policy_refuses_logs(
    policy: &Value,
    key_arn: &str,
    log_group_arn: &str,
) -> Option<String> {
    let group = bare_log_group_arn(log_group_arn);
    let context = Context::new()
        .with("kms:EncryptionContext:aws:logs:arn", group)
        .with("kms:EncryptionContextKeys", "aws:logs:arn");
    let principal = Principal::Service(logs_service_principal(group));
    let policies = [NamedPolicy::new(
        format!("the key policy of {key_arn}"),
        policy.clone(),
    )];
    for action in LOGS_KEY_ACTIONS {
        let request = Request {
            action,
            resource: key_arn,
            context: &context,
        };
        match evaluate(&policies, &request, Some(&principal)) {
            Decision::Allow => {}
            Decision::ExplicitDeny { by } => {
                return Some(format!(
                    "{by} denies {action} to {} for log group {group}",
                    logs_service_principal(group)
                ))
            }
            Decision::ImplicitDeny => {
                return Some(format!(
                    "no statement of the key policy of {key_arn} allows {action} to {} for log \
                     group {group}",
                    logs_service_principal(group)
                ))
            }
        }
    }
    None
}

/// The key policy statement that lets CloudWatch Logs use a key for `log_group_arn`, as the
/// CloudWatch Logs guide gives it.
pub(crate) fn logs_key_statement(log_group_arn: &str) -> Value {
    let group = bare_log_group_arn(log_group_arn);
    json!({
        "Sid": "AllowCloudWatchLogsForLexConversationLogs",
        "Effect": "Allow",
        "Principal": {"Service": logs_service_principal(group)},
        "Action": [
            "kms:Encrypt*",
            "kms:Decrypt*",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:Describe*"
        ],
        "Resource": "*",
        "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": group}}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/k";
    const GROUP: &str = "arn:aws:logs:us-east-1:123456789012:log-group:/lex/calls";

    fn policy(statements: Vec<Value>) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    fn account_root() -> Value {
        json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
               "Action": "kms:*", "Resource": "*"})
    }

    #[test]
    fn the_guides_statement_admits_cloudwatch_logs_for_its_group_only() {
        let good = policy(vec![account_root(), logs_key_statement(GROUP)]);
        assert_eq!(key_policy_refuses_logs(&good, KEY, GROUP), None);
        // DescribeLogGroups' form of the ARN is the same group.
        assert_eq!(
            key_policy_refuses_logs(&good, KEY, &format!("{GROUP}:*")),
            None
        );
        let other = "arn:aws:logs:us-east-1:123456789012:log-group:/lex/other";
        let why = key_policy_refuses_logs(&good, KEY, other).unwrap();
        assert!(
            why.contains("kms:Encrypt") && why.contains("/lex/other"),
            "{why}"
        );
    }

    #[test]
    fn the_default_key_policy_does_not_admit_cloudwatch_logs() {
        let why = key_policy_refuses_logs(&policy(vec![account_root()]), KEY, GROUP).unwrap();
        assert!(
            why.contains("no statement") && why.contains("logs.us-east-1.amazonaws.com"),
            "{why}"
        );
    }

    #[test]
    fn a_statement_for_another_region_or_without_decrypt_is_not_enough() {
        let mut elsewhere = logs_key_statement(GROUP);
        elsewhere["Principal"]["Service"] = json!("logs.eu-west-1.amazonaws.com");
        assert!(key_policy_refuses_logs(&policy(vec![elsewhere]), KEY, GROUP).is_some());
        let mut no_decrypt = logs_key_statement(GROUP);
        no_decrypt["Action"] = json!(["kms:Encrypt*", "kms:GenerateDataKey*"]);
        let why = key_policy_refuses_logs(&policy(vec![no_decrypt]), KEY, GROUP).unwrap();
        assert!(why.contains("kms:Decrypt"), "{why}");
    }

    #[test]
    fn an_arn_like_pattern_over_the_account_s_groups_admits_it() {
        let mut like = logs_key_statement(GROUP);
        like["Condition"] = json!({"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
            "arn:aws:logs:us-east-1:123456789012:log-group:/lex/*"}});
        assert_eq!(
            key_policy_refuses_logs(&policy(vec![like]), KEY, GROUP),
            None
        );
    }

    #[test]
    fn an_explicit_deny_is_named() {
        let deny = json!({"Sid": "NoLogs", "Effect": "Deny",
            "Principal": {"Service": "logs.us-east-1.amazonaws.com"}, "Action": "kms:*", "Resource": "*"});
        let why =
            key_policy_refuses_logs(&policy(vec![logs_key_statement(GROUP), deny]), KEY, GROUP)
                .unwrap();
        assert!(why.contains("NoLogs") && why.contains("denies"), "{why}");
    }
}
