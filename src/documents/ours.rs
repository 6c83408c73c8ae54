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
        if let Some(why) = resources_not_ours(sid, statement) {
            return Some(format!("its statement {sid} {why}"));
        }
    }
    None
}

/// The resources and condition each of our statements has: the exact kind of ARN (never `*`,
/// but for the bot runtime actions, as AWS's own service-linked policy grants them), and for
/// PassRole exactly the condition that passes to Lex only.
fn resources_not_ours(sid: &str, statement: &Value) -> Option<String> {
    let resources: Vec<&str> = match &statement["Resource"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let shape = |r: &str| match sid {
        "WriteConversationLogs" => r.contains(":logs:") && r.contains(":log-group:"),
        "WriteAudioLogs" => r.contains(":s3:::") && r.len() > "arn:aws:s3:::".len(),
        "EncryptAudioLogs" => r.contains(":kms:") && (r.contains(":key/") || r.contains(":alias/")),
        "PassLexLogsRole" => r.contains(":iam::") && r.contains(":role/"),
        _ => true,
    };
    let arns_ours =
        !resources.is_empty() && resources.iter().all(|r| r.starts_with("arn:") && shape(r));
    if !arns_ours && sid != "LexBotRuntime" {
        return Some("names other resources than lex-logs-setup's".into());
    }
    let wanted = if sid == "PassLexLogsRole" {
        serde_json::json!({"StringEquals": {"iam:PassedToService": super::logging::LEX_SERVICE}})
    } else {
        Value::Null
    };
    (statement.get("Condition").cloned().unwrap_or(Value::Null) != wanted)
        .then(|| "has another condition than lex-logs-setup's".into())
}

/// The regions the resources of a document are in (`arn:partition:service:REGION:...`): where the
/// bot it was written for logs.
pub(crate) fn regions_named(document: &Value) -> std::collections::BTreeSet<String> {
    super::granted_resources(document)
        .iter()
        .filter_map(|arn| {
            arn.split(':')
                .nth(3)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_regions_of_a_document_are_those_of_its_arns() {
        let doc = json!({"Statement": [
            {"Resource": ["arn:aws:logs:eu-west-1:1:log-group:/g:*", "arn:aws:s3:::b/p*"]},
            {"Resource": "arn:aws:kms:us-east-1:1:key/k"},
        ]});
        let found: Vec<String> = regions_named(&doc).into_iter().collect();
        assert_eq!(found, ["eu-west-1", "us-east-1"]);
    }

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
                &super::super::kms("arn:aws:kms:us-east-1:1:key/k"),
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
            (
                other(
                    json!({"Sid": "WriteConversationLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}),
                ),
                "other resources",
            ),
            (
                other(
                    json!({"Sid": "PassLexLogsRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/R"}),
                ),
                "another condition",
            ),
            (
                other(
                    json!({"Sid": "WriteAudioLogs", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                ),
                "another condition",
            ),
        ] {
            let found = not_ours(&theirs).unwrap_or_default();
            assert!(found.contains(why), "{theirs}: {found}");
        }
    }
}
