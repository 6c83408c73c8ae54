//! What a change shows of a resource before and after it: one typed value per kind, in the API's
//! field names. Plan equality (two targets wanting the same thing of a resource), the text diff
//! and the JSON a reviewer reads all derive from these, and they round-trip through serde, so a
//! saved plan holds exactly what was reviewed.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub use crate::resources::alarm_value::{AlarmQuery, AlarmValue, MetricStatValue};
use crate::resources::log_settings::LogSettings;
pub use crate::resources::query::QueryValue;
use crate::resources::tags::Tags;

/// A resource as a change sees it. Serialised with its kind (`{"role": {...}}`), which is what
/// makes it lossless; [`Resource::fields`] is the JSON a plan shows (the kind is the address's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    LogGroup(LogGroupValue),
    Role(RoleValue),
    Policy(PolicyValue),
    Attachment(AttachmentValue),
    InlinePolicy(InlinePolicyValue),
    /// Tags that record something on a resource (the bot's grant record: the tag itself).
    Tags(Tags),
    /// An alias's take-over record.
    Record(RecordValue),
    Bot(BotValue),
    Version(VersionValue),
    Alias(AliasValue),
    Alarm(AlarmValue),
    Query(QueryValue),
}

impl Resource {
    /// The value as plans show it: its fields, in the API's names.
    pub fn fields(&self) -> Json {
        let fields = match self {
            Resource::LogGroup(v) => serde_json::to_value(v),
            Resource::Role(v) => serde_json::to_value(v),
            Resource::Policy(v) => serde_json::to_value(v),
            Resource::Attachment(v) => serde_json::to_value(v),
            Resource::InlinePolicy(v) => serde_json::to_value(v),
            Resource::Tags(v) => serde_json::to_value(v),
            Resource::Record(v) => serde_json::to_value(v),
            Resource::Bot(v) => serde_json::to_value(v),
            Resource::Version(v) => serde_json::to_value(v),
            Resource::Alias(v) => serde_json::to_value(v),
            Resource::Alarm(v) => serde_json::to_value(v),
            Resource::Query(v) => serde_json::to_value(v),
        };
        fields.expect("plan values serialise to JSON")
    }
}

impl Resource {
    pub fn log_group(name: &str, retention_in_days: Option<i32>) -> Resource {
        Resource::LogGroup(LogGroupValue::named(name, retention_in_days))
    }

    pub fn role(name: &str, arn: &str, trust_policy: &Json, tags: &Tags) -> Resource {
        Resource::Role(RoleValue {
            name: name.to_string(),
            arn: arn.to_string(),
            trust_policy: trust_policy.clone(),
            tags: tags.clone(),
        })
    }

    pub fn policy(name: &str, arn: &str, document: &Json) -> Resource {
        Resource::Policy(PolicyValue {
            name: name.to_string(),
            arn: arn.to_string(),
            document: document.clone(),
        })
    }

    pub fn attachment(role: &str, policy_arn: &str) -> Resource {
        Resource::Attachment(AttachmentValue {
            role: role.to_string(),
            policy_arn: policy_arn.to_string(),
        })
    }

    pub fn inline_policy(document: &Json) -> Resource {
        Resource::InlinePolicy(InlinePolicyValue {
            document: document.clone(),
        })
    }

    pub fn record(tags: &Tags) -> Resource {
        Resource::Record(RecordValue { tags: tags.clone() })
    }

    pub fn bot(role_arn: &str) -> Resource {
        Resource::Bot(BotValue {
            role_arn: Some(role_arn.to_string()),
        })
    }
}

/// What a policy document a change leaves in place is for: the `policy` command prints each
/// under its purpose, which the planner knows when it makes the change (never guessed from a
/// name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// A role's trust policy.
    Trust,
    /// One of our customer-managed policies.
    ManagedPolicy,
    /// Our grant on the role an alias's version runs on (in place).
    ServiceLinkedInline,
    /// An inline policy copied from the bot's previous role to ours (dedicated).
    CopiedInline,
    /// A principal's permission to pass our role (`--grant-pass-role`).
    PassRoleGrant,
}

impl Purpose {
    /// The name the policy command gives documents of this purpose.
    pub fn kind(self) -> &'static str {
        match self {
            Purpose::Trust => "trust",
            Purpose::ManagedPolicy => "managed-policy",
            Purpose::ServiceLinkedInline => "service-linked-inline",
            Purpose::CopiedInline => "copied-inline",
            Purpose::PassRoleGrant => "inline-policy",
        }
    }
}

/// A policy document a change leaves in place, with what it is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub purpose: Purpose,
    pub body: Json,
}

/// A CloudWatch Logs group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroupValue {
    pub name: String,
    /// `None`: never expire.
    pub retention_in_days: Option<i32>,
    /// The retention a take-over recorded on the group (destroy puts it back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_retention: Option<String>,
    /// Our record tags on the group (a take-over's), when a change sets or removes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// The ARN of the KMS key that encrypts the group's log data; absent: CloudWatch Logs' own
    /// encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

impl LogGroupValue {
    /// The group `name` with that retention, and nothing recorded.
    pub fn named(name: &str, retention_in_days: Option<i32>) -> LogGroupValue {
        LogGroupValue {
            name: name.to_string(),
            retention_in_days,
            recorded_retention: None,
            tags: None,
            kms_key_id: None,
        }
    }
}

/// An IAM role: its trust policy and our tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleValue {
    pub name: String,
    pub arn: String,
    pub trust_policy: Json,
    pub tags: Tags,
}

/// A customer-managed policy and its document (the default version's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyValue {
    pub name: String,
    pub arn: String,
    pub document: Json,
}

/// A managed policy attached to a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentValue {
    pub role: String,
    pub policy_arn: String,
}

/// An inline policy's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InlinePolicyValue {
    pub document: Json,
}

/// Tags that record what a take-over replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordValue {
    pub tags: Tags,
}

/// The bot, as far as conversation logs go: the role it runs on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotValue {
    pub role_arn: Option<String>,
}

/// A bot version: the one deleted (its number and role), or the one a run publishes (from DRAFT,
/// on the bot's role).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_bot_version: Option<String>,
    pub role_arn: Option<String>,
}

/// An alias, as far as conversation logs go: its log settings, and its version when a change
/// moves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AliasValue {
    pub conversation_log_settings: Option<LogSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_version: Option<String>,
}
