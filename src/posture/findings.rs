//! The judgement, pure: what was observed of one alias ([`AliasFacts`]) and the rules in, the
//! findings out. Nothing here reads AWS.

use serde::Serialize;

use super::catalog::{Check, Severity};
use super::rules::Rules;

/// What status observed of one alias, as the findings need it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AliasFacts {
    pub account: String,
    pub region: String,
    pub bot: String,
    pub alias: String,
    /// The alias's ARN: where every finding of it is located.
    pub alias_arn: String,
    /// TestBotAlias (which logs only when the rules say it must).
    pub test_alias: bool,
    /// The bot's `dataPrivacy.childDirected`.
    pub child_directed: bool,
    /// Text logs, when on.
    pub text: Option<TextFacts>,
    /// Audio logs, when on.
    pub audio: Option<AudioFacts>,
    /// Why the role cannot write a configured destination (verify's static check), per channel.
    pub cannot_write: Vec<String>,
    /// The slots of the alias's version whose values are logged unmasked (`intent/slot` in
    /// locale `locale`); `None`: slots were not read.
    pub unmasked_slots: Option<Vec<String>>,
    /// The replica regions where the alias's text logs would be lost, each with why.
    pub replicas_uncovered: Vec<String>,
}

/// An alias's text logs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextFacts {
    pub group_arn: String,
    /// The group as read; `None` when it does not exist (then the static check says so).
    pub group: Option<GroupFacts>,
    pub selective: bool,
}

/// A log group as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupFacts {
    pub retention_days: Option<i32>,
    /// The group's `kmsKeyId`: CloudWatch Logs takes only customer managed keys.
    pub kms_key_id: Option<String>,
}

/// An alias's audio logs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AudioFacts {
    /// The alias's `kmsKeyArn`, if any.
    pub kms_key: Option<String>,
    /// Whether that key is customer managed (`None`: not found or not read).
    pub customer_managed: Option<bool>,
    pub selective: bool,
}

/// One finding about one alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The stable id (`LEXLOG001`...), see the README's findings table.
    pub id: String,
    pub name: String,
    pub severity: Severity,
    pub account: String,
    pub region: String,
    pub bot: String,
    pub alias: String,
    /// The ARN of the resource to change: the log group for its encryption and retention, the
    /// alias otherwise.
    pub resource: String,
    /// The alias's ARN (the finding's location in SARIF).
    pub alias_arn: String,
    /// What was found, on this alias.
    pub message: String,
    /// What to do.
    pub remedy: String,
}

/// The findings of one alias under `rules`, in id order, without the ignored ones.
pub fn judge(facts: &AliasFacts, rules: &Rules) -> Vec<Finding> {
    let mut found: Vec<(Check, Option<String>, String)> = Vec::new();
    let logging = facts.text.is_some() || facts.audio.is_some();
    if facts.child_directed && logging {
        found.push((
            Check::ChildDirectedLogs,
            None,
            "the bot is child-directed and this alias logs conversations".into(),
        ));
    }
    if facts.text.is_none()
        && !facts.child_directed
        && (!facts.test_alias || rules.test_alias_must_log)
    {
        found.push((Check::TextLogsOff, None, "text logs are off".into()));
    }
    if let Some(text) = &facts.text {
        found.extend(text_findings(text, rules));
        if let Some(slots) = facts.unmasked_slots.as_ref().filter(|s| !s.is_empty()) {
            found.push((
                Check::SlotsUnmasked,
                None,
                format!("slot values logged unmasked: {}", slots.join(", ")),
            ));
        }
    }
    if let Some(audio) = &facts.audio {
        found.extend(audio_finding(audio, rules));
    }
    if !facts.replicas_uncovered.is_empty() {
        found.push((
            Check::ReplicaNotCovered,
            None,
            format!(
                "the bot is replicated and text logs would be lost in: {}",
                facts.replicas_uncovered.join("; ")
            ),
        ));
    }
    if !facts.cannot_write.is_empty() {
        found.push((
            Check::RoleCannotWrite,
            None,
            format!("the role cannot write: {}", facts.cannot_write.join("; ")),
        ));
    }
    let text_selective = facts.text.as_ref().is_some_and(|t| t.selective);
    let audio_selective = facts.audio.as_ref().is_some_and(|a| a.selective);
    if text_selective || audio_selective {
        let channels = match (text_selective, audio_selective) {
            (true, true) => "text and audio",
            (true, false) => "text",
            _ => "audio",
        };
        found.push((
            Check::SelectiveCapture,
            None,
            format!("selective capture is on for {channels} logs"),
        ));
    }
    found.sort_by_key(|(check, _, _)| *check);
    found
        .into_iter()
        .filter(|(check, _, _)| !rules.ignores(check.rule(), &facts.bot, &facts.alias))
        .map(|(check, resource, message)| finding(facts, check, resource, message))
        .collect()
}

/// The findings of the text log group: its key and its retention.
fn text_findings(text: &TextFacts, rules: &Rules) -> Vec<(Check, Option<String>, String)> {
    let Some(group) = &text.group else {
        return Vec::new();
    };
    let at = Some(text.group_arn.clone());
    let mut found = Vec::new();
    if rules.required_cmk_text && group.kms_key_id.is_none() {
        found.push((
            Check::LogGroupKeyNotCustomerManaged,
            at.clone(),
            "the text log group is not encrypted with a customer managed KMS key".into(),
        ));
    }
    match group.retention_days {
        None => found.push((
            Check::RetentionUnset,
            at,
            "the text log group keeps its events for ever".into(),
        )),
        Some(days) if rules.retention_out_of_bounds(days) => found.push((
            Check::RetentionOutOfBounds,
            at,
            format!(
                "the text log group keeps its events {days} days, outside {}",
                bounds(rules)
            ),
        )),
        Some(_) => {}
    }
    found
}

/// The bounds of retention as a phrase (`30..=400 days`).
fn bounds(rules: &Rules) -> String {
    match (rules.min_retention_days, rules.max_retention_days) {
        (Some(min), Some(max)) => format!("{min}..={max} days"),
        (Some(min), None) => format!("at least {min} days"),
        (None, Some(max)) => format!("at most {max} days"),
        (None, None) => "no bounds".into(),
    }
}

/// The finding of the audio key, if any.
fn audio_finding(audio: &AudioFacts, rules: &Rules) -> Option<(Check, Option<String>, String)> {
    if !rules.required_cmk_audio {
        return None;
    }
    let message = match (&audio.kms_key, audio.customer_managed) {
        (None, _) => "audio logs name no KMS key (the bucket's default encryption applies)".into(),
        (Some(key), Some(false)) => format!("audio logs are encrypted with AWS managed key {key}"),
        // A customer managed key, or one that could not be read (the static check says why).
        (Some(_), _) => return None,
    };
    Some((Check::AudioKeyNotCustomerManaged, None, message))
}

fn finding(facts: &AliasFacts, check: Check, resource: Option<String>, message: String) -> Finding {
    let rule = check.rule();
    Finding {
        id: rule.id.into(),
        name: rule.name.into(),
        severity: rule.severity,
        account: facts.account.clone(),
        region: facts.region.clone(),
        bot: facts.bot.clone(),
        alias: facts.alias.clone(),
        resource: resource.unwrap_or_else(|| facts.alias_arn.clone()),
        alias_arn: facts.alias_arn.clone(),
        message,
        remedy: rule.remedy.into(),
    }
}
