//! Unit tests of the documents: trust, least-privilege role policies, names, and the operator
//! policy (scoped, and nothing to escalate with).

use serde_json::{json, Value};

use super::*;
use crate::arn::Scope;

fn scope() -> Scope {
    Scope {
        partition: "aws".into(),
        account: "123456789012".into(),
        region: "eu-west-1".into(),
    }
}

#[test]
fn trust_is_scoped_to_lex_this_account_and_this_bot() {
    let unpinned = trust(&scope(), "BOTID12345", false);
    assert!(
        unpinned["Statement"][0]["Condition"]
            .get("ArnLike")
            .is_none(),
        "no SourceArn condition unless asked: a key Lex may not present would deny"
    );
    let doc = trust(&scope(), "BOTID12345", true);
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
    let pass = pass_role(&["arn:aws:iam::123456789012:role/R".to_string()]);
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
fn the_operator_policy_is_scoped_when_targets_are_known() {
    let generic = operator(&OperatorScope::default());
    let text = generic.to_string();
    assert!(
        text.contains("arn:*:iam::*:role/LexLogs-*") && text.contains("log-group:/aws/lex/*"),
        "{text}"
    );
    let scoped = operator(&OperatorScope {
        scope: Some(scope()),
        role_names: vec!["R".into()],
        bot_ids: vec!["BOTID".into()],
        log_groups: vec!["/aws/lex/B".into()],
        principals: vec!["user/dev".parse().unwrap()],
        previous_roles: vec!["arn:aws:iam::123456789012:role/old".into()],
        writer_roles: vec![],
    });
    let text = scoped.to_string();
    assert!(
        !text.contains("LexLogs-*") && !text.contains("iam::*"),
        "{text}"
    );
    assert!(
        text.contains("arn:aws:iam::123456789012:role/R")
            && text.contains("arn:aws:iam::123456789012:user/dev")
    );
    assert!(text.contains("arn:aws:lex:eu-west-1:123456789012:bot-alias/BOTID/*"));
    assert!(
        text.contains("arn:aws:iam::123456789012:role/old"),
        "the previous role is passed back on destroy"
    );
    let actions = operator_actions(&scoped);
    for needed in [
        "iam:CreateRole",
        "iam:PassRole",
        "lex:UpdateBotAlias",
        "logs:CreateLogGroup",
        "s3:ListBucket",
        "kms:DescribeKey",
    ] {
        assert!(actions.iter().any(|a| a == needed), "{needed}");
    }
}

#[test]
fn the_operator_policy_grants_nothing_to_escalate_with() {
    let statements = |doc: &Value| doc["Statement"].as_array().unwrap().clone();
    let generic = operator(&OperatorScope::default());
    for s in statements(&generic) {
        let actions: Vec<&str> = s["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let resources: Vec<&str> = s["Resource"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        if actions.contains(&"iam:PassRole") {
            assert!(
                !resources.iter().any(|r| r.ends_with(":role/*")),
                "no wildcard PassRole: {resources:?}"
            );
        }
        for write in ["iam:PutUserPolicy", "iam:PutGroupPolicy"] {
            assert!(
                !actions.contains(&write),
                "no inline policy writes on arbitrary principals: {s}"
            );
        }
        for delete in [
            "iam:DeleteRole",
            "iam:DeletePolicy",
            "logs:DeleteLogGroup",
            "iam:CreatePolicyVersion",
            "iam:UpdateAssumeRolePolicy",
        ] {
            if actions.contains(&delete) {
                assert!(
                    s["Condition"]
                        .to_string()
                        .contains("lex-logs-setup:managed-by"),
                    "{delete} only on what carries our tag: {s}"
                );
            }
        }
        if actions.contains(&"iam:AttachRolePolicy")
            && resources.iter().any(|r| r.ends_with(":role/*"))
        {
            assert!(s["Condition"]["ArnLike"]["iam:PolicyARN"].is_array(), "{s}");
        }
    }
    let granting = operator(&OperatorScope {
        scope: Some(scope()),
        principals: vec!["user/dev".parse().unwrap()],
        ..OperatorScope::default()
    });
    let text = granting.to_string();
    assert!(
        text.contains("arn:aws:iam::123456789012:user/dev")
            && text.contains("arn:aws:iam::123456789012:user/*/dev")
    );
    assert!(
        !text.contains(":user/*\""),
        "only the principals named: {text}"
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

/// Every action the operator policy allows.
fn operator_actions(document: &Value) -> Vec<String> {
    document["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["Action"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}
