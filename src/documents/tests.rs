//! Unit tests of the documents: trust, least-privilege role policies, names, and the operator
//! policy (scoped, and nothing to escalate with).

use serde_json::json;

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
fn trust_is_aws_own_form_and_pins_the_source_only_when_asked() {
    // AWS's example: Lex V2 as the service, no condition (no source key is documented for Lex).
    let unpinned = trust(&scope(), "BOTID12345", false, false);
    let s = &unpinned["Statement"][0];
    assert_eq!(s["Principal"]["Service"], LEX_SERVICE);
    assert_eq!(s["Action"], json!(["sts:AssumeRole"]));
    assert!(
        s.get("Condition").is_none(),
        "no condition unless asked: a key Lex may not present would deny"
    );
    let account = trust(&scope(), "BOTID12345", true, false);
    assert_eq!(
        account["Statement"][0]["Condition"],
        json!({"StringEquals": {"aws:SourceAccount": "123456789012"}})
    );
    let doc = trust(&scope(), "BOTID12345", true, true);
    let s = &doc["Statement"][0];
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
    assert!(
        trust(&scope(), "BOTID12345", false, true)["Statement"][0]["Condition"]
            .get("StringEquals")
            .is_none()
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
fn policy_names_are_per_role_and_concern() {
    assert_eq!(Concern::CloudWatch.policy_name("R"), "R-CloudWatchLogs");
    assert_eq!(Concern::BotRuntime.policy_name("R"), "R-LexBotRuntime");
    assert_eq!(pass_role_policy_name("R"), "LexLogsPassRole-R");
    let longest = "x".repeat(64);
    assert!(Concern::ALL
        .iter()
        .all(|c| c.policy_name(&longest).len() <= 128));
}
