//! A small, pure IAM policy evaluator: may this principal do this action on this resource, given
//! these policy documents? `verify` uses it to explain why Lex cannot deliver a conversation log
//! (trust policy, identity policies and permissions boundary, key policy) without traffic and
//! without `iam:SimulatePrincipalPolicy` (which callers may lack, and emulators may not serve).
//!
//! It follows AWS's evaluation logic for one account
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//! an explicit Deny in any applicable policy wins; identity policies (managed and inline) must
//! Allow, and so must the permissions boundary when there is one; a resource policy (trust, key
//! policy) must also name the principal.
//!
//! Covered: Action/NotAction, Resource/NotResource with `*` and `?` (actions case-insensitive,
//! resources case-sensitive); Principal/NotPrincipal (`*`, AWS ARNs and account ids, Service);
//! Condition operators String*, Arn*, Bool, Numeric*, Date* (ISO 8601 or epoch seconds), Null,
//! the `IfExists` suffix and the `ForAnyValue:`/`ForAllValues:` qualifiers; condition keys are
//! case-insensitive. An unknown operator makes its statement not apply (IAM refuses such policies
//! when they are written). Not covered: policy variables (compared literally), IpAddress (Lex's
//! requests carry no source IP), SCPs, RCPs and session policies. It mirrors the twin's
//! `localstack/lexv2_plugin/lexlogs_lexv2/iam_eval.py`, so the tool and the twin agree.

use std::collections::BTreeMap;

use serde_json::Value;

/// The outcome of evaluating a set of policies for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A statement allows it (and none denies it).
    Allow,
    /// A statement denies it; `by` names the statement and its policy.
    ExplicitDeny { by: String },
    /// Nothing allows it.
    ImplicitDeny,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        *self == Decision::Allow
    }
}

/// A principal as a resource policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An AWS service, e.g. `lexv2.amazonaws.com`.
    Service(String),
    /// IAM identities by ARN (a role ARN, `arn:aws:iam::ACCOUNT:root`).
    Aws(Vec<String>),
}

/// The request context: condition keys (case-insensitive) and their values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    keys: BTreeMap<String, Vec<String>>,
}

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a single-valued key.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.keys
            .entry(key.to_ascii_lowercase())
            .or_default()
            .push(value.into());
        self
    }

    fn get(&self, key: &str) -> &[String] {
        self.keys
            .get(&key.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// A named policy document (the name appears in explanations).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPolicy {
    pub name: String,
    pub document: Value,
}

impl NamedPolicy {
    pub fn new(name: impl Into<String>, document: Value) -> Self {
        NamedPolicy {
            name: name.into(),
            document,
        }
    }
}

/// One request to evaluate.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}

/// `*` matches any run of characters, `?` exactly one.
pub fn wildcard_match(pattern: &str, value: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, v) = (fold(pattern), fold(value));
    // Iterative glob matching with backtracking to the last `*`.
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, vi));
            pi += 1;
        } else if let Some((sp, sv)) = star {
            pi = sp + 1;
            vi = sv + 1;
            star = Some((sp, sv + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

fn as_strings(value: &Value) -> Vec<String> {
    match value {
        Value::Null => vec![],
        Value::Array(items) => items.iter().flat_map(as_strings).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

fn statements(document: &Value) -> Vec<&Value> {
    match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => vec![],
    }
}

fn principal_matches(element: &Value, principal: &Principal) -> bool {
    if element.as_str() == Some("*") {
        return true;
    }
    let Some(map) = element.as_object() else {
        return false;
    };
    map.iter().any(|(kind, values)| {
        as_strings(values).iter().any(|value| match principal {
            _ if kind == "AWS" && value == "*" => true,
            Principal::Service(service) => kind == "Service" && value == service,
            Principal::Aws(arns) => {
                kind == "AWS"
                    && arns.iter().any(|arn| {
                        arn == value
                            || (value.len() == 12
                                && value.bytes().all(|b| b.is_ascii_digit())
                                && arn.starts_with("arn:")
                                && arn.ends_with(&format!(":iam::{value}:root")))
                    })
            }
        })
    })
}

/// The positive form of an operator on one context value and one condition value; `None` for an
/// operator this evaluator does not know.
fn compare(base: &str, ctx: &str, cond: &str) -> Option<bool> {
    Some(match base {
        "StringEquals" | "BinaryEquals" => ctx == cond,
        "StringEqualsIgnoreCase" => ctx.to_lowercase() == cond.to_lowercase(),
        "StringLike" => wildcard_match(cond, ctx, false),
        "ArnEquals" | "ArnLike" => {
            // Matched per ARN component; the last component (the resource) may hold colons.
            let c: Vec<&str> = cond.splitn(6, ':').collect();
            let v: Vec<&str> = ctx.splitn(6, ':').collect();
            if c.len() != 6 {
                wildcard_match(cond, ctx, false)
            } else if v.len() != 6 {
                false
            } else {
                c.iter().zip(&v).all(|(c, v)| wildcard_match(c, v, false))
            }
        }
        "Bool" => ctx.eq_ignore_ascii_case(cond),
        b if b.starts_with("Numeric") => {
            let (Ok(a), Ok(c)) = (ctx.parse::<f64>(), cond.parse::<f64>()) else {
                return Some(false);
            };
            match b {
                "NumericEquals" => a == c,
                "NumericLessThan" => a < c,
                "NumericLessThanEquals" => a <= c,
                "NumericGreaterThan" => a > c,
                "NumericGreaterThanEquals" => a >= c,
                _ => return None,
            }
        }
        b if b.starts_with("Date") => {
            let (Some(a), Some(c)) = (date_key(ctx), date_key(cond)) else {
                return Some(false);
            };
            match b {
                "DateEquals" => a == c,
                "DateLessThan" => a < c,
                "DateLessThanEquals" => a <= c,
                "DateGreaterThan" => a > c,
                "DateGreaterThanEquals" => a >= c,
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// A comparable form of a date: epoch seconds as given, or an ISO 8601 UTC date-time turned into
/// epoch seconds (`YYYY-MM-DDThh:mm:ss[.fff]Z`, or a bare date).
fn date_key(text: &str) -> Option<f64> {
    if let Ok(seconds) = text.parse::<f64>() {
        return Some(seconds);
    }
    let text = text.trim_end_matches('Z');
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00:00"));
    let d: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<f64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    if d.len() != 3 || t.len() != 3 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m, day) = (if d[1] <= 2 { d[0] - 1 } else { d[0] }, d[1], d[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as f64 * 86_400.0 + t[0] * 3600.0 + t[1] * 60.0 + t[2])
}

fn negated(operator: &str) -> Option<&'static str> {
    Some(match operator {
        "StringNotEquals" => "StringEquals",
        "StringNotEqualsIgnoreCase" => "StringEqualsIgnoreCase",
        "StringNotLike" => "StringLike",
        "NumericNotEquals" => "NumericEquals",
        "DateNotEquals" => "DateEquals",
        "ArnNotEquals" => "ArnEquals",
        "ArnNotLike" => "ArnLike",
        _ => return None,
    })
}

/// Does one operator block (`{"StringEquals": {key: values, ...}}`) hold? `None`: unknown operator.
fn block_holds(operator: &str, block: &Value, context: &Context) -> Option<bool> {
    let (qualifier, operator) = match operator.split_once(':') {
        Some((q @ ("ForAnyValue" | "ForAllValues"), op)) => (Some(q), op),
        Some(_) => return None,
        None => (None, operator),
    };
    let (operator, if_exists) = match operator.strip_suffix("IfExists") {
        Some(op) => (op, true),
        None => (operator, false),
    };
    let Some(block) = block.as_object() else {
        return Some(false);
    };
    for (key, wanted) in block {
        let wanted = as_strings(wanted);
        let present = context.get(key);
        if operator == "Null" {
            let want_absent = wanted.iter().any(|w| w.eq_ignore_ascii_case("true"));
            if want_absent != present.is_empty() {
                return Some(false);
            }
            continue;
        }
        let negation = negated(operator);
        let base = negation.unwrap_or(operator);
        // Unknown operators are unknown whether or not the key is present.
        compare(base, "", "")?;
        let single = |value: &str| -> bool {
            let hit = wanted
                .iter()
                .any(|w| compare(base, value, w).unwrap_or(false));
            hit != negation.is_some()
        };
        if present.is_empty() {
            if qualifier == Some("ForAllValues")
                || if_exists
                || (negation.is_some() && qualifier.is_none())
            {
                continue;
            }
            return Some(false);
        }
        let holds = match qualifier {
            Some("ForAllValues") => present.iter().all(|v| single(v)),
            Some(_) => present.iter().any(|v| single(v)),
            None if negation.is_some() => present.iter().all(|v| single(v)),
            None => present.iter().any(|v| single(v)),
        };
        if !holds {
            return Some(false);
        }
    }
    Some(true)
}

/// Do all of a statement's conditions hold? An unknown operator: the statement does not apply.
pub fn conditions_hold(condition: Option<&Value>, context: &Context) -> bool {
    let Some(map) = condition.and_then(Value::as_object) else {
        return true;
    };
    map.iter()
        .all(|(operator, block)| block_holds(operator, block, context) == Some(true))
}

/// Does the statement apply to the request, whatever its effect? With a principal, the statement
/// is read as part of a resource policy (it must name the principal; Resource may be absent).
pub fn statement_applies(
    statement: &Value,
    request: &Request,
    principal: Option<&Principal>,
) -> bool {
    let any_action = |v: &Value| {
        as_strings(v)
            .iter()
            .any(|p| wildcard_match(p, request.action, true))
    };
    let any_resource = |v: &Value| {
        as_strings(v)
            .iter()
            .any(|p| wildcard_match(p, request.resource, false))
    };
    let action_ok = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(a), _) => any_action(a),
        (None, Some(n)) => !any_action(n),
        (None, None) => false,
    };
    if !action_ok {
        return false;
    }
    let resource_ok = match (statement.get("Resource"), statement.get("NotResource")) {
        (Some(r), _) => any_resource(r),
        (None, Some(n)) => !any_resource(n),
        // In a resource policy, no Resource means the resource the policy is on.
        (None, None) => principal.is_some(),
    };
    if !resource_ok {
        return false;
    }
    if let Some(principal) = principal {
        let principal_ok = match (statement.get("Principal"), statement.get("NotPrincipal")) {
            (Some(p), _) => principal_matches(p, principal),
            (None, Some(n)) => !principal_matches(n, principal),
            (None, None) => false,
        };
        if !principal_ok {
            return false;
        }
    }
    conditions_hold(statement.get("Condition"), request.context)
}

fn describe_statement(statement: &Value, index: usize, policy: &str) -> String {
    match statement.get("Sid").and_then(Value::as_str) {
        Some(sid) if !sid.is_empty() => format!("statement {sid:?} of policy {policy}"),
        _ => format!("statement #{} of policy {policy}", index + 1),
    }
}

/// Evaluates policies of one kind together: a Deny anywhere wins, else an Allow anywhere allows.
pub fn evaluate(
    policies: &[NamedPolicy],
    request: &Request,
    principal: Option<&Principal>,
) -> Decision {
    let mut allowed = false;
    for policy in policies {
        for (i, statement) in statements(&policy.document).into_iter().enumerate() {
            if !statement_applies(statement, request, principal) {
                continue;
            }
            match statement.get("Effect").and_then(Value::as_str) {
                Some("Deny") => {
                    return Decision::ExplicitDeny {
                        by: describe_statement(statement, i, &policy.name),
                    }
                }
                Some("Allow") => allowed = true,
                _ => {}
            }
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

/// Why a request is not allowed, in words; `None` when it is allowed.
pub type Refusal = Option<String>;

/// Identity-based evaluation: the identity policies must allow and, when there is a permissions
/// boundary, so must the boundary; an explicit Deny in either wins.
pub fn identity_allows(
    identity: &[NamedPolicy],
    boundary: Option<&NamedPolicy>,
    request: &Request,
) -> Refusal {
    let own = evaluate(identity, request, None);
    if let Decision::ExplicitDeny { by } = &own {
        return Some(format!("explicitly denied by {by}"));
    }
    if let Some(boundary) = boundary {
        match evaluate(std::slice::from_ref(boundary), request, None) {
            Decision::ExplicitDeny { by } => {
                return Some(format!(
                    "explicitly denied by the permissions boundary ({by})"
                ))
            }
            Decision::ImplicitDeny if own.allowed() => {
                return Some(format!(
                    "allowed by its policies but not by its permissions boundary {}",
                    boundary.name
                ))
            }
            _ => {}
        }
    }
    (!own.allowed()).then(|| "no policy of the role allows it".to_string())
}

/// Resource-policy evaluation (a trust policy, a key policy) for one principal.
pub fn resource_policy_allows(
    policy: &NamedPolicy,
    principal: &Principal,
    request: &Request,
) -> Refusal {
    match evaluate(std::slice::from_ref(policy), request, Some(principal)) {
        Decision::Allow => None,
        Decision::ExplicitDeny { by } => Some(format!("explicitly denied by {by}")),
        Decision::ImplicitDeny => Some(format!("no statement of {} allows it", policy.name)),
    }
}

#[cfg(test)]
mod tests {
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
        assert!(
            identity_allows(&with(json!({"Null": {"s3:x-amz-acl": "true"}})), None, &r).is_none()
        );
        assert!(
            identity_allows(&with(json!({"Null": {"s3:x-amz-acl": "false"}})), None, &r).is_some()
        );
        // With the key present, IfExists compares.
        let ctx = Context::new().with("aws:SourceArn", ALIAS);
        let r = req("s3:PutObject", "arn:aws:s3:::b/k", &ctx);
        assert!(identity_allows(
            &with(
                json!({"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:lex:*:*:bot-alias/OTHER/*"}})
            ),
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
        assert!(
            resource_policy_allows(&by_account, &Principal::Aws(vec![role.into()]), &r).is_some()
        );
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
}
