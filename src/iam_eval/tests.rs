//! Unit tests of the IAM evaluator: wildcards, identity and resource policies, boundaries,
//! condition operators and dates.

use super::conditions::date_key;
use super::pattern::wildcard_match;
use super::*;
use serde_json::json;

const STREAM: &str = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lex/Bot:log-stream:lex/B/A/en_US/2026/01/02";

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

fn allows(p: &[NamedPolicy], action: &str, resource: &str) -> bool {
    identity_allows(p, None, &req(action, resource, &Context::new())).is_none()
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
fn an_allow_allows_and_nothing_is_an_implicit_deny() {
    let p = [policy(
        json!([{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lex/Bot:*"}]),
    )];
    assert!(allows(&p, "logs:PutLogEvents", STREAM));
    assert!(
        allows(&p, "LOGS:putlogevents", STREAM),
        "actions ignore case"
    );
    assert!(!allows(&p, "logs:DeleteLogGroup", STREAM));
    assert!(
        !allows(
            &p,
            "logs:PutLogEvents",
            &STREAM.replace("/aws/lex/Bot", "/aws/lex/Other")
        ),
        "another group"
    );
    // The group ARN alone does not cover the streams.
    let group_only = [policy(json!([{"Effect": "Allow", "Action": "logs:*",
            "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lex/Bot"}]))];
    assert!(!allows(&group_only, "logs:PutLogEvents", STREAM));
    assert_eq!(
        identity_allows(&[], None, &req("s3:PutObject", "*", &Context::new())).as_deref(),
        Some("no policy of the role allows it")
    );
}

#[test]
fn an_explicit_deny_wins_and_is_named() {
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
    assert!(allows(&p, "logs:CreateLogStream", STREAM));
}

#[test]
fn not_action_and_not_resource_invert_the_match() {
    let p = [policy(
        json!([{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}]),
    )];
    assert!(allows(
        &p,
        "s3:PutObject",
        "arn:aws:s3:::logs/lex-audio/x.wav"
    ));
    assert!(!allows(&p, "s3:PutObject", "arn:aws:s3:::secret/x.wav"));
    assert!(!allows(&p, "iam:PassRole", "arn:aws:s3:::logs/x"));
    // A Deny with NotAction denies everything else.
    let p = [
        policy(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
        policy(json!([{"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}])),
    ];
    assert!(allows(&p, "s3:PutObject", "arn:aws:s3:::b/k"));
    assert!(!allows(&p, "logs:PutLogEvents", STREAM));
}

#[test]
fn a_statement_without_action_or_resource_never_applies_to_identity() {
    let p = [policy(json!([{"Effect": "Allow", "Action": "*"}]))];
    assert!(!allows(&p, "s3:PutObject", "arn:aws:s3:::b/k"));
    let p = [policy(json!([{"Effect": "Allow", "Resource": "*"}]))];
    assert!(!allows(&p, "s3:PutObject", "arn:aws:s3:::b/k"));
}

#[test]
fn the_permissions_boundary_intersects() {
    let identity = [policy(
        json!([{"Effect": "Allow", "Action": ["logs:*", "s3:PutObject"], "Resource": "*"}]),
    )];
    let boundary = NamedPolicy::new(
        "Boundary",
        json!({"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}),
    );
    let ctx = Context::new();
    assert_eq!(
        identity_allows(
            &identity,
            Some(&boundary),
            &req("logs:PutLogEvents", STREAM, &ctx)
        ),
        None
    );
    let why = identity_allows(
        &identity,
        Some(&boundary),
        &req("s3:PutObject", "arn:aws:s3:::b/k", &ctx),
    )
    .unwrap();
    assert!(
        why.contains("not by its permissions boundary Boundary"),
        "{why}"
    );
    // A boundary alone grants nothing.
    let why = identity_allows(
        &[],
        Some(&boundary),
        &req("logs:PutLogEvents", STREAM, &ctx),
    );
    assert_eq!(why.as_deref(), Some("no policy of the role allows it"));
    // A Deny in the boundary wins.
    let denying = NamedPolicy::new(
        "Boundary",
        json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": "*"}]}),
    );
    let why = identity_allows(
        &identity,
        Some(&denying),
        &req("logs:PutLogEvents", STREAM, &ctx),
    )
    .unwrap();
    assert!(why.contains("permissions boundary"), "{why}");
}

fn lex_trust(condition: Value) -> NamedPolicy {
    NamedPolicy::new(
        "the trust policy of role R",
        json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"},
            "Action": "sts:AssumeRole", "Condition": condition}]}),
    )
}

const ALIAS: &str = "arn:aws:lex:us-east-1:123456789012:bot-alias/BOT/ALIAS";

fn lex_may_assume(trust: &NamedPolicy) -> Refusal {
    let ctx = Context::new()
        .with("aws:SourceAccount", "123456789012")
        .with("aws:SourceArn", ALIAS);
    resource_policy_allows(
        trust,
        &Principal::Service("lexv2.amazonaws.com".into()),
        &req("sts:AssumeRole", "arn:aws:iam::123456789012:role/R", &ctx),
    )
}

#[test]
fn trust_needs_the_service_principal() {
    assert_eq!(lex_may_assume(&lex_trust(json!({}))), None);
    let other = NamedPolicy::new(
        "T",
        json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}),
    );
    assert_eq!(
        lex_may_assume(&other).as_deref(),
        Some("no statement of T allows it")
    );
    let everyone = NamedPolicy::new(
        "T",
        json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:*"}]}),
    );
    assert_eq!(lex_may_assume(&everyone), None);
    let not_lex = NamedPolicy::new(
        "T",
        json!({"Statement": [{"Effect": "Allow", "NotPrincipal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    );
    assert!(lex_may_assume(&not_lex).is_some());
    // A trust Deny wins over its Allow.
    let denied = NamedPolicy::new(
        "T",
        json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Sid": "NoLex", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}]}),
    );
    assert!(lex_may_assume(&denied).unwrap().contains("\"NoLex\""));
}

#[test]
fn string_equals_and_string_like_on_the_source() {
    assert_eq!(
        lex_may_assume(&lex_trust(
            json!({"StringEquals": {"aws:SourceAccount": "123456789012"}})
        )),
        None
    );
    assert!(lex_may_assume(&lex_trust(
        json!({"StringEquals": {"aws:SourceAccount": "999999999999"}})
    ))
    .is_some());
    assert_eq!(
        lex_may_assume(&lex_trust(
            json!({"StringEquals": {"AWS:SOURCEACCOUNT": ["1", "123456789012"]}})
        )),
        None,
        "keys ignore case; any listed value"
    );
    assert_eq!(
        lex_may_assume(&lex_trust(
            json!({"StringLike": {"aws:SourceArn": "arn:aws:lex:*:123456789012:bot-alias/BOT/*"}})
        )),
        None
    );
    assert!(lex_may_assume(&lex_trust(
        json!({"StringNotEquals": {"aws:SourceAccount": "123456789012"}})
    ))
    .is_some());
    assert_eq!(
        lex_may_assume(&lex_trust(
            json!({"StringEqualsIgnoreCase": {"aws:SourceArn": ALIAS.to_lowercase()}})
        )),
        None
    );
}

#[test]
fn arn_like_and_arn_equals_match_per_component() {
    assert_eq!(
        lex_may_assume(&lex_trust(
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:lex:us-east-1:123456789012:bot-alias/BOT/*"}})
        )),
        None
    );
    assert_eq!(
        lex_may_assume(&lex_trust(json!({"ArnEquals": {"aws:SourceArn": ALIAS}}))),
        None
    );
    assert!(
        lex_may_assume(&lex_trust(
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:lex:us-east-1:123456789012:bot/BOT"}})
        ))
        .is_some(),
        "the bot ARN is not the alias ARN"
    );
    assert!(lex_may_assume(&lex_trust(
        json!({"ArnLike": {"aws:SourceArn": "arn:aws:lex:*:111111111111:*"}})
    ))
    .is_some());
    assert!(lex_may_assume(&lex_trust(
        json!({"ArnNotLike": {"aws:SourceArn": "arn:aws:lex:*:*:bot-alias/BOT/*"}})
    ))
    .is_some());
}

#[test]
fn if_exists_and_missing_keys() {
    let ctx = Context::new();
    let r = req("s3:PutObject", "arn:aws:s3:::b/k", &ctx);
    let with = |condition: Value| {
        [policy(
            json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": condition}]),
        )]
    };
    assert!(identity_allows(
        &with(json!({"StringEquals": {"s3:x-amz-acl": "private"}})),
        None,
        &r
    )
    .is_some());
    assert!(identity_allows(
        &with(json!({"StringEqualsIfExists": {"s3:x-amz-acl": "private"}})),
        None,
        &r
    )
    .is_none());
    assert!(identity_allows(
        &with(json!({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:lex:*"}})),
        None,
        &r
    )
    .is_none());
    assert!(
        identity_allows(
            &with(json!({"StringNotEquals": {"s3:x-amz-acl": "public"}})),
            None,
            &r
        )
        .is_none(),
        "a negated operator holds for a missing key"
    );
    assert!(identity_allows(&with(json!({"Null": {"s3:x-amz-acl": "true"}})), None, &r).is_none());
    assert!(identity_allows(&with(json!({"Null": {"s3:x-amz-acl": "false"}})), None, &r).is_some());
    // With the key present, IfExists compares.
    let ctx = Context::new().with("aws:SourceArn", ALIAS);
    let r = req("s3:PutObject", "arn:aws:s3:::b/k", &ctx);
    assert!(identity_allows(
        &with(json!({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:lex:*:*:bot-alias/OTHER/*"}})),
        None,
        &r
    )
    .is_some());
    assert!(identity_allows(
        &with(json!({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:lex:*:*:bot-alias/BOT/*"}})),
        None,
        &r
    )
    .is_none());
}

#[test]
fn bool_numeric_date_and_set_operators() {
    let ctx = Context::new()
        .with("aws:SecureTransport", "true")
        .with("s3:max-keys", "10")
        .with("aws:CurrentTime", "2026-03-01T12:00:00Z")
        .with("aws:TagKeys", "a")
        .with("aws:TagKeys", "b");
    let r = req("s3:PutObject", "arn:aws:s3:::b/k", &ctx);
    let ok = |condition: Value| {
        identity_allows(
            &[policy(json!([{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}]))],
            None,
            &r,
        )
        .is_none()
    };
    assert!(ok(json!({"Bool": {"aws:SecureTransport": "true"}})));
    assert!(!ok(json!({"Bool": {"aws:SecureTransport": false}})));
    assert!(ok(json!({"NumericLessThanEquals": {"s3:max-keys": "10"}})));
    assert!(!ok(json!({"NumericGreaterThan": {"s3:max-keys": 10}})));
    assert!(ok(
        json!({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})
    ));
    assert!(!ok(
        json!({"DateLessThan": {"aws:CurrentTime": "2026-01-01"}})
    ));
    assert!(ok(
        json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b", "c"]}})
    ));
    assert!(!ok(
        json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})
    ));
    assert!(ok(
        json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["b"]}})
    ));
    assert!(!ok(
        json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["z"]}})
    ));
    assert!(
        ok(json!({"ForAllValues:StringEquals": {"aws:Missing": ["z"]}})),
        "vacuously true"
    );
    assert!(
        !ok(
            json!({"StringEquals": {"aws:SecureTransport": "true"}, "Bool": {"aws:SecureTransport": "false"}})
        ),
        "every block must hold"
    );
    assert!(
        !ok(json!({"MadeUpOperator": {"aws:SecureTransport": "true"}})),
        "unknown operators never hold"
    );
}

#[test]
fn key_policies_name_roles_or_delegate_to_the_account() {
    let key = "arn:aws:kms:us-east-1:123456789012:key/k";
    let role = "arn:aws:iam::123456789012:role/R";
    let root = "arn:aws:iam::123456789012:root";
    let ctx = Context::new();
    let r = req("kms:GenerateDataKey", key, &ctx);
    let by_account = NamedPolicy::new(
        "key policy",
        json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "kms:*", "Resource": "*"}]}),
    );
    assert_eq!(
        resource_policy_allows(&by_account, &Principal::Aws(vec![root.into()]), &r),
        None
    );
    assert!(resource_policy_allows(&by_account, &Principal::Aws(vec![role.into()]), &r).is_some());
    let by_role = NamedPolicy::new(
        "key policy",
        json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": [role]}, "Action": "kms:GenerateDataKey*", "Resource": "*"}]}),
    );
    assert_eq!(
        resource_policy_allows(&by_role, &Principal::Aws(vec![role.into()]), &r),
        None
    );
    assert!(resource_policy_allows(
        &by_role,
        &Principal::Service("lexv2.amazonaws.com".into()),
        &r
    )
    .is_some());
}

#[test]
fn dates_parse_to_epoch_seconds() {
    assert_eq!(date_key("1970-01-01T00:00:00Z"), Some(0.0));
    assert_eq!(date_key("1970-01-02"), Some(86_400.0));
    assert_eq!(date_key("2000-03-01T00:00:00Z"), Some(951_868_800.0));
    assert_eq!(date_key("12.5"), Some(12.5));
    assert_eq!(date_key("not a date"), None);
}
