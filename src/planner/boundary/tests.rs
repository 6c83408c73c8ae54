//! Unit tests of the boundary check: which requests Lex makes, and which a boundary refuses (with
//! the evaluator `verify` uses). The plans that refuse are in `planner::tests::boundary`.

use serde_json::{json, Value};

use super::*;
use crate::planner::destinations::{AudioDestination, TextDestination};

const ROLE: &str = "arn:aws:iam::444455556666:role/team/pizza-runtime";
const BOUNDARY: &str = "arn:aws:iam::444455556666:policy/TeamBoundary";
const GROUP: &str = "arn:aws:logs:us-west-2:444455556666:log-group:/aws/lex/PizzaBot";

fn text() -> TextDestination {
    TextDestination {
        log_group_arn: GROUP.into(),
        prefix: "lex/".into(),
        selective: None,
    }
}

fn audio() -> AudioDestination {
    AudioDestination {
        bucket_arn: "arn:aws:s3:::audio-bucket".into(),
        prefix: "calls/".into(),
        kms_key_arn: Some("arn:aws:kms:us-west-2:444455556666:key/k1".into()),
        selective: None,
    }
}

fn requests() -> Vec<LogRequest> {
    let of = AliasOf {
        bot_id: "PIZZA00001",
        alias_id: "PRODALIAS1",
        locale: "en_US",
    };
    log_requests(&of, Some(&text()), Some(&audio()))
}

/// Our grants, as apply would attach them.
fn grants() -> Vec<NamedPolicy> {
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": format!("{GROUP}:*")},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::audio-bucket/calls/*"},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "arn:aws:kms:us-west-2:444455556666:key/k1"}]});
    vec![NamedPolicy::new("ours", doc)]
}

fn refused_by(boundary: Option<&Value>) -> Vec<String> {
    let role = BoundedRole {
        role_arn: ROLE,
        boundary_arn: BOUNDARY,
        boundary,
    };
    refused(&role, &grants(), &requests())
}

#[test]
fn lex_writes_to_the_stream_the_object_and_with_the_key() {
    let requests = requests();
    let named: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.action, r.resource.as_str()))
        .collect();
    let stream = format!("{GROUP}:log-stream:lex/PIZZA00001/PRODALIAS1/en_US/YYYY/MM/DD");
    assert_eq!(named[0], ("logs:CreateLogStream", stream.as_str()));
    assert_eq!(named[1], ("logs:PutLogEvents", stream.as_str()));
    assert_eq!(named[2].0, "s3:PutObject");
    assert!(named[2]
        .1
        .starts_with("arn:aws:s3:::audio-bucket/calls/PIZZA00001/PRODALIAS1/"));
    assert_eq!(
        named[3],
        (
            "kms:GenerateDataKey",
            "arn:aws:kms:us-west-2:444455556666:key/k1"
        )
    );
}

#[test]
fn a_boundary_that_allows_the_log_actions_refuses_nothing() {
    let everything = json!({"Statement": [{"Effect": "Allow", "Action": ["logs:*", "s3:PutObject", "kms:GenerateDataKey"], "Resource": "*"}]});
    assert!(refused_by(Some(&everything)).is_empty());
    let scoped = json!({"Statement": [
        {"Effect": "Allow", "Action": "logs:*", "Resource": format!("{GROUP}:*")},
        {"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}]});
    assert!(refused_by(Some(&scoped)).is_empty());
}

#[test]
fn a_boundary_without_the_log_actions_refuses_each_naming_action_resource_and_boundary() {
    let no_logs = json!({"Statement": [{"Effect": "Allow", "Action": ["s3:*", "kms:*", "polly:*"], "Resource": "*"}]});
    let refused = refused_by(Some(&no_logs));
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].starts_with("logs:CreateLogStream on arn:aws:logs:"));
    assert!(refused[1].starts_with("logs:PutLogEvents on arn:aws:logs:"));
    assert!(refused[0].contains(BOUNDARY), "{}", refused[0]);
    let other_group = json!({"Statement": [
        {"Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:*:*:log-group:/team/*"},
        {"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}]});
    assert_eq!(refused_by(Some(&other_group)).len(), 2);
    let denied = json!({"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NoKms", "Effect": "Deny", "Action": "kms:GenerateDataKey", "Resource": "*"}]});
    let refused = refused_by(Some(&denied));
    assert_eq!(refused.len(), 1);
    assert!(refused[0].contains("explicitly denied") && refused[0].contains("NoKms"));
}

#[test]
fn an_unreadable_boundary_is_a_warning_not_a_refusal() {
    assert!(refused_by(None).is_empty());
    let role = BoundedRole {
        role_arn: ROLE,
        boundary_arn: BOUNDARY,
        boundary: None,
    };
    assert!(unreadable_note(&role).unwrap().contains(BOUNDARY));
}
