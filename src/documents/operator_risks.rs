//! What an operator policy lets its holder do beyond the tool's calls, in words for the screen
//! and the JSON output: the risks its statements declare, and what a target-free policy covers.

use serde_json::Value;

use super::escalation::DECLARED_RISK_PREFIX;
use super::operator::{OperatorScope, CUSTOMER_ROLE_RISK_SID, DEDICATED_RISK_SID, GRANT_RISK_SID};

/// The words for the risk a statement declares (Sid `DeclaredRisk...`), for the screen.
pub fn declared_risk(sid: &str) -> Option<&'static str> {
    match sid {
        DEDICATED_RISK_SID => Some(
            "dedicated mode: the holder creates the logging role with any trust policy and gives it any permissions (our managed policies' content and the copied inline policies are documents IAM cannot check); the policy denies the holder assuming the role or passing it to anything but Lex, but the trust policy may name any other principal, including one outside the account. Run dedicated mode from an administrator's pipeline, or set a permissions boundary or an SCP that stops it",
        ),
        CUSTOMER_ROLE_RISK_SID => Some(
            "in place on a customer role: the holder creates (or gives a new version to) our LexLogs-* managed policies with any document (IAM cannot check a policy's content) and attaches them to the exact roles the aliases run on; the policy denies the holder assuming those roles or passing them to anything but Lex, but whatever else their trust policies let in (a shared Lambda role, another team's pipeline, another account) gets the permissions the holder chose. Keep those roles assumable by lexv2.amazonaws.com only, cap them with a permissions boundary, or run this apply from an administrator's pipeline; once our policies exist unchanged, the policy printed then creates and rewrites none",
        ),
        GRANT_RISK_SID => Some(
            "--grant-pass-role: the holder may put any inline policy on the principals named; if the holder is one of them (or acts as one), that is administrator-equivalent. Grant from an administrator's pipeline, or grant iam:PassRole by hand",
        ),
        other if other.starts_with(DECLARED_RISK_PREFIX) => {
            super::operator_generic::declared_risk(other)
        }
        _ => None,
    }
}

/// What the operator policy lets its holder do beyond the tool's calls, in words, for the screen:
/// for the target-free policy, what it covers; then each risk the escalation check finds (a
/// finding no statement declares would be a bug, and says so).
pub fn risks(document: &Value, o: &OperatorScope) -> Vec<String> {
    let mut out: Vec<String> = match o.bot_ids.is_empty() {
        true => super::GENERIC_LETS_ITS_HOLDER
            .iter()
            .map(|s| s.to_string())
            .collect(),
        false => vec![],
    };
    let holder = super::escalation::Holder::anyone(o.created_arns());
    for finding in super::escalation::escalations(document, &holder) {
        let said = match declared_risk(&finding.statement) {
            Some(words) if finding.declared => words.to_string(),
            _ => format!(
                "UNDECLARED escalation path (a bug in lex-logs-setup, please report it): statement {}: {}",
                finding.statement, finding.reason
            ),
        };
        if !out.contains(&said) {
            out.push(said);
        }
    }
    out
}
