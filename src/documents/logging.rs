//! The documents of the logging role: its trust policy, one policy per concern (CloudWatch Logs,
//! S3, KMS, the bot runtime actions of a service-linked role), the `iam:PassRole` grant for
//! principals, and the names apply gives them.

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

/// The inline PassRole policy on each granted principal is named this, then the role name.
pub const PASS_ROLE_PREFIX: &str = "LexLogsPassRole-";

/// The name of the inline PassRole policy put on each granted principal.
pub fn pass_role_policy_name(role: &str) -> String {
    format!("{PASS_ROLE_PREFIX}{role}")
}

/// Lex V2 may assume the role: the form of AWS's own example in the Lex V2 guide ("IAM Policies
/// for Conversation Logs", no condition). Lex V2 documents neither `aws:SourceAccount` nor
/// `aws:SourceArn` for the requests it makes with the bot's role, and a condition on a key that
/// is absent denies, so each is an opt-in until the acceptance suite (`scripts/acceptance`)
/// settles it on a real account: `pin_source_account`, only on behalf of this account (blocks the
/// cross-account confused deputy); `pin_source_arn`, only for this bot's ARNs.
pub fn trust(scope: &Scope, bot_id: &str, pin_source_account: bool, pin_source_arn: bool) -> Value {
    let mut condition = json!({});
    if pin_source_account {
        condition["StringEquals"] = json!({"aws:SourceAccount": scope.account});
    }
    if pin_source_arn {
        condition["ArnLike"] =
            json!({"aws:SourceArn": [scope.bot(bot_id), scope.bot_alias(bot_id, "*")]});
    }
    let condition = (pin_source_account || pin_source_arn).then_some(condition);
    let statement = Statement {
        sid: Some("LexV2AssumeRole".into()),
        effect: "Allow",
        principal: Some(json!({"Service": LEX_SERVICE})),
        actions: vec!["sts:AssumeRole".into()],
        resources: vec![],
        condition,
    };
    Document::new(vec![statement]).to_value()
}

/// The name of the inline policy apply puts on a Lex service-linked role (in-place mode):
/// the setup's name (`LexLogs-<bot>`), then `-ConversationLogs`.
pub fn service_linked_policy_name(setup: &str) -> String {
    format!("{setup}{SERVICE_LINKED_POLICY_SUFFIX}")
}

/// How the name of the inline policy on a Lex service-linked role ends.
pub const SERVICE_LINKED_POLICY_SUFFIX: &str = "-ConversationLogs";

/// One document with every statement of `documents` (the in-place grant on a service-linked
/// role, which takes inline policies, not ours managed ones).
pub fn combined(documents: &[&Value]) -> Value {
    let statements: Vec<Value> = documents.iter().flat_map(|d| statements_of(d)).collect();
    json!({"Version": crate::policy::VERSION, "Statement": statements})
}

/// Create streams and put events in one log group (of the bot's region only).
#[cfg(test)]
pub fn cloudwatch(scope: &Scope, log_group: &str) -> Value {
    cloudwatch_in(scope, log_group, &[])
}

/// Create streams and put events in one log group: the bot's, and the group of the same name in
/// each region the bot is replicated to (a replica's aliases log there with the same role; Lex V2
/// Global Resiliency, https://docs.aws.amazon.com/lexv2/latest/dg/global-resiliency.html).
pub fn cloudwatch_in(scope: &Scope, log_group: &str, replica_regions: &[String]) -> Value {
    let mut resources = vec![scope.log_group_streams(log_group)];
    resources.extend(
        replica_regions
            .iter()
            .map(|region| scope.in_region(region).log_group_streams(log_group)),
    );
    Document::new(vec![Statement::allow(
        "WriteConversationLogs",
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        resources,
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

/// Pass these roles (the ones that write the logs), and only to Lex V2.
pub fn pass_role(role_arns: &[String]) -> Value {
    Document::new(vec![Statement::allow(
        "PassLexLogsRole",
        &["iam:PassRole"],
        role_arns.to_vec(),
    )
    .with_condition(
        json!({"StringEquals": {"iam:PassedToService": LEX_SERVICE}}),
    )])
    .to_value()
}

/// The log group ARNs and bucket ARNs a CloudWatch or S3 policy of ours grants, so destroy and
/// later applies can tell which alias destinations are ours.
pub fn granted_resources(document: &Value) -> Vec<String> {
    statements_of(document)
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

/// A document's statements: its `Statement` list, or its one statement.
fn statements_of(document: &Value) -> Vec<Value> {
    match &document["Statement"] {
        Value::Array(items) => items.clone(),
        Value::Null => vec![],
        other => vec![other.clone()],
    }
}
