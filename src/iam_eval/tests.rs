//! Unit tests of the IAM evaluator: the cases it shares with the twin's evaluator
//! (tests/data/iam_eval_cases.json), and what only this one has: how it explains a refusal,
//! wildcard and date parsing.

use super::conditions::date_key;
use super::pattern::{as_strings, wildcard_match};
use super::*;
use serde_json::json;

const STREAM: &str = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lex/Bot:log-stream:lex/B/A/en_US/2026/01/02";

/// The decisions both evaluators must reach; the twin's pytest (localstack/tests/test_iam_eval.py)
/// reads the same file, so a disagreement fails one of the two suites.
const SHARED_CASES: &str = include_str!("../../tests/data/iam_eval_cases.json");

fn req<'a>(action: &'a str, resource: &'a str, context: &'a Context) -> Request<'a> {
    Request {
        action,
        resource,
        context,
    }
}

fn policy(statements: Value) -> NamedPolicy {
    NamedPolicy::new(
        "P",
        json!({"Version": "2012-10-17", "Statement": statements}),
    )
}

/// A shared case's request context: each key with its value, or each of its values.
fn case_context(request: &Value) -> Context {
    let mut context = Context::new();
    for (key, values) in request["context"].as_object().into_iter().flatten() {
        for value in as_strings(values) {
            context = context.with(key, value);
        }
    }
    context
}

/// A shared case's principal: `{"Service": name}` or `{"AWS": [ARN, ...]}`.
fn case_principal(principal: &Value) -> Principal {
    match principal.get("Service").and_then(Value::as_str) {
        Some(service) => Principal::Service(service.to_string()),
        None => Principal::Aws(as_strings(&principal["AWS"])),
    }
}

fn decision_name(decision: &Decision) -> &'static str {
    match decision {
        Decision::Allow => "allow",
        Decision::ExplicitDeny { .. } => "explicit_deny",
        Decision::ImplicitDeny => "implicit_deny",
    }
}

/// The decision of one shared case, checked against the refusal the callers see.
fn shared_case_decision(case: &Value) -> Decision {
    let request = &case["request"];
    let context = case_context(request);
    let r = req(
        request["action"].as_str().expect("request.action"),
        request["resource"].as_str().expect("request.resource"),
        &context,
    );
    let (decision, refusal) = match case.get("resource_policy") {
        Some(document) => {
            let policy = NamedPolicy::new("the resource policy", document.clone());
            let principal = case_principal(&request["principal"]);
            let decision = evaluate(std::slice::from_ref(&policy), &r, Some(&principal));
            (decision, resource_policy_allows(&policy, &principal, &r))
        }
        None => {
            let identity: Vec<NamedPolicy> = case["identity"]
                .as_array()
                .expect("identity: a list of policies")
                .iter()
                .enumerate()
                .map(|(i, d)| NamedPolicy::new(format!("identity policy {}", i + 1), d.clone()))
                .collect();
            let boundary = case
                .get("boundary")
                .map(|d| NamedPolicy::new("the boundary", d.clone()));
            let decision = identity_decision(&identity, boundary.as_ref(), &r);
            (decision, identity_allows(&identity, boundary.as_ref(), &r))
        }
    };
    assert_eq!(
        refusal.is_none(),
        decision.allowed(),
        "{}: the refusal {refusal:?} does not fit the decision {decision:?}",
        case["name"]
    );
    decision
}

#[test]
fn the_cases_shared_with_the_twin_decide_as_expected() {
    let file: Value =
        serde_json::from_str(SHARED_CASES).expect("tests/data/iam_eval_cases.json is JSON");
    let cases = file["cases"].as_array().expect("cases: a list");
    assert!(cases.len() > 100, "the shared cases were lost");
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let got = decision_name(&shared_case_decision(case));
            (case["expected"] != got)
                .then(|| format!("{}: expected {}, got {got}", case["name"], case["expected"]))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} shared cases disagree:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

#[test]
fn wildcards_match_runs_and_single_characters() {
    assert!(wildcard_match("a*c", "abbbc", false));
    assert!(wildcard_match("a*c", "ac", false));
    assert!(wildcard_match("a?c", "abc", false));
    assert!(!wildcard_match("a?c", "ac", false));
    assert!(wildcard_match("*", "", false));
    assert!(wildcard_match("*x*y", "axbxcy", false));
    assert!(!wildcard_match("*x*y", "axbxc", false));
    assert!(!wildcard_match("Logs:*", "logs:PutLogEvents", false));
    assert!(wildcard_match("Logs:*", "logs:PutLogEvents", true));
}

#[test]
fn a_refusal_says_no_policy_allows_it() {
    assert_eq!(
        identity_allows(&[], None, &req("s3:PutObject", "*", &Context::new())).as_deref(),
        Some("no policy of the role allows it")
    );
}

#[test]
fn an_explicit_deny_is_named_by_its_sid_or_its_place() {
    let p = [
        policy(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
        NamedPolicy::new(
            "Guard",
            json!({"Statement": {"Sid": "NoLogs", "Effect": "Deny", "Action": "logs:Put*", "Resource": "*"}}),
        ),
    ];
    let why = identity_allows(&p, None, &req("logs:PutLogEvents", STREAM, &Context::new()));
    assert_eq!(
        why.as_deref(),
        Some("explicitly denied by statement \"NoLogs\" of policy Guard")
    );
    let p = [policy(
        json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]),
    )];
    let why = identity_allows(&p, None, &req("s3:PutObject", "*", &Context::new()));
    assert_eq!(
        why.as_deref(),
        Some("explicitly denied by statement #2 of policy P")
    );
}

#[test]
fn a_boundary_refusal_names_the_boundary() {
    let identity = [policy(
        json!([{"Effect": "Allow", "Action": ["logs:*", "s3:PutObject"], "Resource": "*"}]),
    )];
    let boundary = NamedPolicy::new(
        "Boundary",
        json!({"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"},
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "logs:Delete*", "Resource": "*"}]}),
    );
    let ctx = Context::new();
    let why = identity_allows(
        &identity,
        Some(&boundary),
        &req("s3:PutObject", "arn:aws:s3:::b/k", &ctx),
    );
    assert_eq!(
        why.as_deref(),
        Some("allowed by its policies but not by its permissions boundary Boundary")
    );
    let why = identity_allows(&[], Some(&boundary), &req("s3:PutObject", "*", &ctx));
    assert_eq!(why.as_deref(), Some("no policy of the role allows it"));
    let why = identity_allows(
        &identity,
        Some(&boundary),
        &req("logs:DeleteLogGroup", STREAM, &ctx),
    );
    assert_eq!(
        why.as_deref(),
        Some("explicitly denied by the permissions boundary (statement \"NoDelete\" of policy Boundary)")
    );
}

#[test]
fn a_resource_policy_refusal_names_the_policy_or_the_deny() {
    let ctx = Context::new();
    let r = req("sts:AssumeRole", "arn:aws:iam::123456789012:role/R", &ctx);
    let lex = Principal::Service("lexv2.amazonaws.com".into());
    let other = NamedPolicy::new(
        "T",
        json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}),
    );
    assert_eq!(
        resource_policy_allows(&other, &lex, &r).as_deref(),
        Some("no statement of T allows it")
    );
    let denied = NamedPolicy::new(
        "T",
        json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Sid": "NoLex", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}]}),
    );
    assert_eq!(
        resource_policy_allows(&denied, &lex, &r).as_deref(),
        Some("explicitly denied by statement \"NoLex\" of policy T")
    );
}

#[test]
fn dates_parse_to_epoch_seconds() {
    assert_eq!(date_key("1970-01-01T00:00:00Z"), Some(0.0));
    assert_eq!(date_key("1970-01-02"), Some(86_400.0));
    assert_eq!(date_key("2000-03-01T00:00:00Z"), Some(951_868_800.0));
    assert_eq!(date_key("12.5"), Some(12.5));
    assert_eq!(date_key("1970-01-01T01:00:00+01:00"), Some(0.0));
    assert_eq!(date_key("1970-01-01T00:00:00-00:30"), Some(1_800.0));
    assert_eq!(date_key("1970-01-01T00:01Z"), Some(60.0));
    assert_eq!(date_key("1970-01-01T00:00:00.250Z"), Some(0.25));
    assert_eq!(date_key("not a date"), None);
}
