//! The findings as a SARIF 2.1.0 log (`status --output sarif`), for code scanning: one run of
//! this tool, every kind of finding as a rule (help text, default level, GitHub's
//! `security-severity`), and each finding as a result located at its alias.
//!
//! Where a result is: code scanning wants a `physicalLocation` with a relative `uri` (an ARN,
//! `arn:...`, reads as a URI of an unknown scheme and is refused), so the alias's ARN is given
//! twice: as a logical location (`fullyQualifiedName`, kind `resource`, with the resource to
//! change when it is another one, e.g. the log group), and as a relative path, the ARN with its
//! `:` made `/` (`arn/aws/lex/REGION/ACCOUNT/bot-alias/BOT_ID/ALIAS_ID`). `partialFingerprints`
//! (rule and resource) keep an alert the same alert from one run to the next.

use serde_json::{json, Value};

use super::catalog::{Rule, Severity, RULES};
use super::findings::Finding;

/// The schema a SARIF 2.1.0 log names.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0.0 to 10.0: high from 7.0, medium from 4.0, low above 0).
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.0"),
        Severity::Low => Some("2.0"),
        Severity::Info => None,
    }
}

fn rule(rule: &Rule) -> Value {
    let mut properties = json!({ "tags": ["security", "logging"], "severity": rule.severity });
    if let Some(score) = security_severity(rule.severity) {
        properties["security-severity"] = json!(score);
    }
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": rule.checks },
        "fullDescription": { "text": rule.checks },
        "help": {
            "text": format!("{}\n\nWhat to do: {}", rule.checks, rule.remedy),
            "markdown": format!("{}\n\n**What to do:** {}", rule.checks, rule.remedy),
        },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": properties,
    })
}

/// The relative path code scanning shows for an ARN: its `:` made `/`.
pub fn arn_path(arn: &str) -> String {
    arn.replace(':', "/")
}

fn result(finding: &Finding) -> Value {
    let index = RULES
        .iter()
        .position(|r| r.id == finding.id)
        .expect("findings carry a known id");
    let mut logical = vec![json!({
        "name": format!("{}/{}", finding.bot, finding.alias),
        "fullyQualifiedName": finding.alias_arn,
        "kind": "resource",
    })];
    if finding.resource != finding.alias_arn {
        logical.push(json!({ "fullyQualifiedName": finding.resource, "kind": "resource" }));
    }
    json!({
        "ruleId": finding.id,
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": {
            "text": format!(
                "{}/{} ({}): {}. What to do: {}",
                finding.bot, finding.alias, finding.alias_arn, finding.message, finding.remedy
            ),
        },
        "locations": [{
            "physicalLocation": { "artifactLocation": { "uri": arn_path(&finding.alias_arn) } },
            "logicalLocations": logical,
        }],
        "partialFingerprints": {
            "lexLogsSetupFinding/v1": format!("{}|{}|{}", finding.id, finding.alias_arn, finding.resource),
        },
        "properties": {
            "severity": finding.severity,
            "resource": finding.resource,
            "account": finding.account,
            "region": finding.region,
        },
    })
}

/// The SARIF log of `findings`, by the tool of version `version`; `unreadable` says which bots
/// could not be read (the run's invocation is then unsuccessful, each an error notification, so
/// that a missing alert is not taken for a fixed one).
pub fn log(findings: &[Finding], version: &str, unreadable: &[String]) -> Value {
    let notifications: Vec<Value> = unreadable
        .iter()
        .map(|why| json!({ "level": "error", "message": { "text": format!("could not read {why}") } }))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "lex-logs-setup",
                    "version": version,
                    "rules": RULES.iter().map(rule).collect::<Vec<_>>(),
                }
            },
            "invocations": [{
                "executionSuccessful": unreadable.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": findings.iter().map(result).collect::<Vec<_>>(),
        }]
    })
}
