//! The audio destination, never changed: what the plan knows of the S3 bucket (its default
//! encryption may name a KMS key) and of the KMS key, and whether a key policy lets IAM policies
//! grant the key's use. Both are read in `crate::observe` (`reads` and `keys`).

#[derive(Debug, Clone, PartialEq)]
pub struct BucketState {
    pub name: String,
    /// The bucket's region (GetBucketLocation; an empty constraint is us-east-1).
    pub region: Option<String>,
    /// The key of the bucket's default SSE-KMS encryption, if it has one.
    pub default_kms_key: Option<String>,
    /// The bucket policy (`None`: it has none, or it cannot be read).
    pub policy: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyInfo {
    pub arn: String,
    /// Whether the key policy lets IAM policies of the account grant use of the key (the
    /// default key policy's `arn:aws:iam::ACCOUNT:root` statement); `None`: not readable.
    pub iam_policies_enabled: Option<bool>,
    /// Whether the key policy itself lets any role of the account use the key through S3 in
    /// the key's region (as the AWS-managed `aws/s3` key does), so that no IAM grant is needed.
    pub allows_account_via_s3: bool,
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
