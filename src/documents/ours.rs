//! How an inline policy proves it is ours. IAM cannot tag inline policies, so a name alone proves
//! nothing (anyone may put a policy of that name). Ours is a document every statement of which is
//! one lex-logs-setup writes: an `Allow` with one of our statement ids (`Sid`) and exactly that
//! statement's actions. A policy of our name that is anything else was written by someone else
//! and is never rewritten or deleted.

use std::collections::BTreeSet;

use serde_json::Value;

use super::logging::BOT_RUNTIME_ACTIONS;

/// Our statement ids and the actions each grants.
fn our_statements() -> [(&'static str, Vec<&'static str>); 5] {
    [
        (
            "WriteConversationLogs",
            vec!["logs:CreateLogStream", "logs:PutLogEvents"],
        ),
        ("WriteAudioLogs", vec!["s3:PutObject"]),
        (
            "EncryptAudioLogs",
            vec!["kms:GenerateDataKey", "kms:Decrypt"],
        ),
        ("LexBotRuntime", BOT_RUNTIME_ACTIONS.to_vec()),
        ("PassLexLogsRole", vec!["iam:PassRole"]),
    ]
}

/// The actions of a statement, a lone string or a list.
fn actions(statement: &Value) -> Option<BTreeSet<String>> {
    match &statement["Action"] {
        Value::String(one) => Some(BTreeSet::from([one.clone()])),
        Value::Array(many) => many
            .iter()
            .map(|a| a.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// Why `document` is not one lex-logs-setup wrote, or `None` when it is.
pub(crate) fn not_ours(document: &Value) -> Option<String> {
    let statements = match &document["Statement"] {
        Value::Array(items) if !items.is_empty() => items.clone(),
        Value::Object(_) => vec![document["Statement"].clone()],
        _ => return Some("it has no statement".into()),
    };
    let ours = our_statements();
    for statement in &statements {
        let sid = statement["Sid"].as_str().unwrap_or_default();
        let Some((_, wanted)) = ours.iter().find(|(id, _)| *id == sid) else {
            return Some(format!(
                "its statement {} is not one lex-logs-setup writes",
                if sid.is_empty() {
                    "(without a Sid)"
                } else {
                    sid
                }
            ));
        };
        let wanted: BTreeSet<String> = wanted.iter().map(|a| a.to_string()).collect();
        if statement["Effect"] != "Allow" || actions(statement) != Some(wanted) {
            return Some(format!(
                "its statement {sid} grants other actions than lex-logs-setup's"
            ));
        }
        if statement.get("NotAction").is_some() || statement.get("NotResource").is_some() {
            return Some(format!("its statement {sid} uses NotAction or NotResource"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn our_documents_are_ours_and_others_are_not() {
        let scope = crate::arn::Scope {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
        };
        for ours in [
            super::super::cloudwatch(&scope, "/aws/lex/Bot"),
            super::super::s3(&scope, "b", "p/"),
            super::super::kms("arn:aws:kms:us-east-1:123456789012:key/k"),
            super::super::pass_role(&["arn:aws:iam::123456789012:role/R".into()]),
            super::super::combined(&[
                &super::super::cloudwatch(&scope, "/g"),
                &super::super::kms("arn:k"),
            ]),
        ] {
            assert_eq!(not_ours(&ours), None, "{ours}");
        }
        let other = |statement: Value| json!({"Version": "2012-10-17", "Statement": [statement]});
        for (theirs, why) in [
            (
                other(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
                "(without a Sid)",
            ),
            (
                other(json!({"Sid": "Mine", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})),
                "Mine",
            ),
            (
                other(
                    json!({"Sid": "WriteAudioLogs", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "*"}),
                ),
                "other actions",
            ),
            (
                other(
                    json!({"Sid": "WriteAudioLogs", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}),
                ),
                "other actions",
            ),
            (
                other(
                    json!({"Sid": "PassLexLogsRole", "Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:x"}),
                ),
                "NotResource",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": []}),
                "no statement",
            ),
        ] {
            let found = not_ours(&theirs).unwrap_or_default();
            assert!(found.contains(why), "{theirs}: {found}");
        }
    }
}
