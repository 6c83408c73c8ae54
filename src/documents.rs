//! The policy documents apply creates, least privilege: the role's trust policy, one policy per
//! concern (CloudWatch Logs, S3, KMS, the bot runtime actions of a service-linked role), and the
//! `iam:PassRole` grant for principals.

use serde_json::{json, Value};

use crate::arn::Scope;
use crate::policy::{Document, Statement};

pub const LEX_SERVICE: &str = "lexv2.amazonaws.com";

/// The actions AWS's Lex V2 service-linked role policy grants a bot at run time (speech and
/// sentiment); a bot moved off that role needs them on ours.
pub const BOT_RUNTIME_ACTIONS: &[&str] = &["polly:SynthesizeSpeech", "comprehend:DetectSentiment"];

/// The policies apply may create on the role, one per concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Concern {
    CloudWatch,
    S3,
    Kms,
    BotRuntime,
}

impl Concern {
    pub const ALL: [Concern; 4] = [
        Concern::CloudWatch,
        Concern::S3,
        Concern::Kms,
        Concern::BotRuntime,
    ];

    /// The policy name for this concern on `role`: `<role>-<suffix>`.
    pub fn policy_name(self, role: &str) -> String {
        let suffix = match self {
            Concern::CloudWatch => "CloudWatchLogs",
            Concern::S3 => "S3AudioLogs",
            Concern::Kms => "KmsAudioLogs",
            Concern::BotRuntime => "LexBotRuntime",
        };
        format!("{role}-{suffix}")
    }
}

/// The name of the inline PassRole policy put on each granted principal.
pub fn pass_role_policy_name(role: &str) -> String {
    format!("LexLogsPassRole-{role}")
}

/// Lex V2 may assume the role, only for this account's bot (bot and bot-alias ARNs).
pub fn trust(scope: &Scope, bot_id: &str) -> Value {
    let statement = Statement {
        sid: Some("LexV2AssumeRole".into()),
        effect: "Allow",
        principal: Some(json!({"Service": LEX_SERVICE})),
        actions: vec!["sts:AssumeRole".into()],
        resources: vec![],
        condition: Some(json!({
            "StringEquals": {"aws:SourceAccount": scope.account},
            "ArnLike": {"aws:SourceArn": [scope.bot(bot_id), scope.bot_alias(bot_id, "*")]},
        })),
    };
    Document::new(vec![statement]).to_value()
}

/// Create streams and put events in one log group.
pub fn cloudwatch(scope: &Scope, log_group: &str) -> Value {
    Document::new(vec![Statement::allow(
        "WriteConversationLogs",
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        vec![scope.log_group_streams(log_group)],
    )])
    .to_value()
}

/// Put audio objects under one prefix of one bucket.
pub fn s3(scope: &Scope, bucket: &str, prefix: &str) -> Value {
    Document::new(vec![Statement::allow(
        "WriteAudioLogs",
        &["s3:PutObject"],
        vec![format!("{}/{prefix}*", scope.bucket(bucket))],
    )])
    .to_value()
}

/// Encrypt audio with one key.
pub fn kms(key_arn: &str) -> Value {
    Document::new(vec![Statement::allow(
        "EncryptAudioLogs",
        &["kms:GenerateDataKey", "kms:Decrypt"],
        vec![key_arn.to_string()],
    )])
    .to_value()
}

/// What a bot on the Lex V2 service-linked role could do at run time.
pub fn bot_runtime() -> Value {
    Document::new(vec![Statement::allow(
        "LexBotRuntime",
        BOT_RUNTIME_ACTIONS,
        vec!["*".into()],
    )])
    .to_value()
}

/// Pass this one role, and only to Lex V2.
pub fn pass_role(role_arn: &str) -> Value {
    Document::new(vec![Statement::allow(
        "PassLexLogsRole",
        &["iam:PassRole"],
        vec![role_arn.to_string()],
    )
    .with_condition(
        json!({"StringEquals": {"iam:PassedToService": LEX_SERVICE}}),
    )])
    .to_value()
}

/// The log group ARNs and bucket ARNs a CloudWatch or S3 policy of ours grants, so destroy and
/// later applies can tell which alias destinations are ours.
pub fn granted_resources(document: &Value) -> Vec<String> {
    let statements = match &document["Statement"] {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    statements
        .iter()
        .flat_map(|s| match &s["Resource"] {
            Value::Array(items) => items
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
            Value::String(r) => vec![r.clone()],
            _ => vec![],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        Scope {
            partition: "aws".into(),
            account: "123456789012".into(),
            region: "eu-west-1".into(),
        }
    }

    #[test]
    fn trust_is_scoped_to_lex_this_account_and_this_bot() {
        let doc = trust(&scope(), "BOTID12345");
        let s = &doc["Statement"][0];
        assert_eq!(s["Principal"]["Service"], LEX_SERVICE);
        assert_eq!(s["Action"], json!(["sts:AssumeRole"]));
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:SourceAccount"],
            "123456789012"
        );
        assert_eq!(
            s["Condition"]["ArnLike"]["aws:SourceArn"],
            json!([
                "arn:aws:lex:eu-west-1:123456789012:bot/BOTID12345",
                "arn:aws:lex:eu-west-1:123456789012:bot-alias/BOTID12345/*"
            ])
        );
        assert!(s.get("Resource").is_none());
    }

    #[test]
    fn policies_are_least_privilege() {
        let cw = cloudwatch(&scope(), "/aws/lex/OrderBot");
        assert_eq!(
            cw["Statement"][0]["Resource"],
            json!(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lex/OrderBot:*"])
        );
        assert_eq!(
            cw["Statement"][0]["Action"],
            json!(["logs:CreateLogStream", "logs:PutLogEvents"])
        );
        let s3doc = s3(&scope(), "audio", "lex-audio/");
        assert_eq!(
            s3doc["Statement"][0]["Resource"],
            json!(["arn:aws:s3:::audio/lex-audio/*"])
        );
        assert_eq!(s3doc["Statement"][0]["Action"], json!(["s3:PutObject"]));
        let key = "arn:aws:kms:eu-west-1:123456789012:key/k";
        assert_eq!(kms(key)["Statement"][0]["Resource"], json!([key]));
        let pass = pass_role("arn:aws:iam::123456789012:role/R");
        assert_eq!(
            pass["Statement"][0]["Resource"],
            json!(["arn:aws:iam::123456789012:role/R"])
        );
        assert_eq!(
            pass["Statement"][0]["Condition"]["StringEquals"]["iam:PassedToService"],
            LEX_SERVICE
        );
        assert_eq!(
            granted_resources(&s3doc),
            vec!["arn:aws:s3:::audio/lex-audio/*".to_string()]
        );
    }

    #[test]
    fn policy_names_are_per_role_and_concern() {
        assert_eq!(Concern::CloudWatch.policy_name("R"), "R-CloudWatchLogs");
        assert_eq!(Concern::BotRuntime.policy_name("R"), "R-LexBotRuntime");
        assert_eq!(pass_role_policy_name("R"), "LexLogsPassRole-R");
        let longest = "x".repeat(64);
        assert!(Concern::ALL
            .iter()
            .all(|c| c.policy_name(&longest).len() <= 128));
    }
}
