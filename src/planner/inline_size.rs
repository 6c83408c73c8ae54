//! IAM's limit on the inline policies of one role, checked before our `PutRolePolicy` on a Lex
//! service-linked role that already carries Lex's own inline policies: "Role policy size cannot
//! exceed 10,240 characters" for all inline policies of a role together, whitespace not counted
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::observe::Writer;

/// IAM's aggregate size limit of a role's inline policies, in characters without whitespace.
pub(super) const ROLE_INLINE_POLICIES_MAX_CHARS: usize = 10_240;

/// The size IAM counts for a policy document: its characters, whitespace not counted.
pub(super) fn policy_chars(document: &Value) -> usize {
    serde_json::to_string(document)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// Refuses when putting `ours` as inline policy `name` on the service-linked `writer` (whose
/// inline policies are all read, ours included if it is there already) would pass IAM's limit,
/// with the sizes named.
pub(super) fn check(writer: &Writer, name: &str, ours: &Value) -> Result<()> {
    let role = writer.name.as_str();
    if !writer.unread_inline.is_empty() {
        // Observation reads them whenever a plan puts a changed grant (unsized_grant_writers).
        return Err(Error::Config(format!(
            "internal: the inline policies {:?} of role {role} were not read before the plan put {name} there",
            writer.unread_inline
        )));
    }
    let empty = BTreeMap::new();
    let inline = writer.state.as_ref().map_or(&empty, |s| &s.inline);
    let others: Vec<(&String, usize)> = inline
        .iter()
        .filter(|(n, _)| n.as_str() != name)
        .map(|(n, d)| (n, policy_chars(d)))
        .collect();
    let others_total: usize = others.iter().map(|(_, size)| size).sum();
    let ours_size = policy_chars(ours);
    if others_total + ours_size <= ROLE_INLINE_POLICIES_MAX_CHARS {
        return Ok(());
    }
    let listed: Vec<String> = others
        .iter()
        .map(|(n, size)| format!("{n} {size}"))
        .collect();
    Err(Error::invalid(
        format!(
            "role {role} cannot take inline policy {name} ({ours_size} characters): its other inline policies already hold {others_total} ({}), and IAM allows {ROLE_INLINE_POLICIES_MAX_CHARS} characters (whitespace not counted) for all inline policies of a role together",
            listed.join(", ")
        ),
        "log fewer destinations through this role, remove an inline policy it no longer needs, or use --role-name (the dedicated-role mode, with managed policies)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn writer(inline: &BTreeMap<String, Value>, unread: &[&str]) -> Writer {
        let arn = "arn:aws:iam::1:role/aws-service-role/lexv2.amazonaws.com/R";
        Writer {
            arn: arn.into(),
            name: "R".into(),
            service_linked: true,
            state: Some(crate::resources::role::RoleState {
                name: "R".into(),
                arn: arn.into(),
                trust: json!({}),
                tags: Default::default(),
                attached: Vec::new(),
                inline: inline.clone(),
                boundary: None,
            }),
            unread_inline: unread.iter().map(|n| n.to_string()).collect(),
        }
    }

    fn check(
        _role: &str,
        inline: &BTreeMap<String, Value>,
        name: &str,
        ours: &Value,
    ) -> Result<()> {
        super::check(&writer(inline, &[]), name, ours)
    }

    #[test]
    fn refuses_to_judge_with_documents_unread() {
        let err = super::check(
            &writer(&BTreeMap::new(), &["LexSentiment"]),
            "ours",
            &statement_of(1),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("LexSentiment") && err.contains("not read"),
            "{err}"
        );
    }

    fn statement_of(chars: usize) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Sid": "x".repeat(chars), "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]})
    }

    #[test]
    fn whitespace_is_not_counted() {
        let compact: Value = serde_json::from_str(r#"{"a":"b c"}"#).unwrap();
        assert_eq!(policy_chars(&compact), r#"{"a":"bc"}"#.len());
    }

    #[test]
    fn fits_up_to_the_limit_and_refuses_past_it_with_the_sizes() {
        let ours = statement_of(10);
        let base = policy_chars(&statement_of(0));
        let room = ROLE_INLINE_POLICIES_MAX_CHARS - policy_chars(&ours);
        let mut inline = BTreeMap::new();
        inline.insert("LexSentiment".to_string(), statement_of(room - base));
        assert!(check("R", &inline, "ours", &ours).is_ok());
        inline.insert("LexSentiment".to_string(), statement_of(room - base + 1));
        let err = check("R", &inline, "ours", &ours).unwrap_err().to_string();
        assert!(err.contains("LexSentiment"), "{err}");
        assert!(
            err.contains(&format!("({} characters)", policy_chars(&ours))),
            "{err}"
        );
        assert!(
            err.contains(&(room + 1).to_string()) && err.contains("10240"),
            "{err}"
        );
    }

    #[test]
    fn our_own_earlier_version_is_replaced_not_added() {
        let ours = statement_of(6000);
        let mut inline = BTreeMap::new();
        inline.insert("ours".to_string(), statement_of(6000));
        assert!(check("R", &inline, "ours", &ours).is_ok());
    }
}
