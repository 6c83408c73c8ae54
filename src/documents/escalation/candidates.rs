//! The resources the escalation check asks about: every ARN a document names (in Resource or in
//! a condition), its wildcards made concrete, and `*` read as one resource of each kind.

use serde_json::Value;

/// A concrete resource to ask about, and whether it stands for a wildcard (many resources).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Candidate {
    pub arn: String,
    pub wildcard: bool,
    /// The pattern it came from.
    pub pattern: String,
}

/// What `*` stands for: one resource of each kind the rules ask about.
const ANY: &[&str] = &[
    "arn:aws:iam::111111111111:role/any-role",
    "arn:aws:iam::111111111111:user/any-user",
    "arn:aws:iam::111111111111:group/any-group",
    "arn:aws:iam::111111111111:policy/any-policy",
    "arn:aws:logs:any-region:111111111111:log-group:any-group",
    "arn:aws:lex:any-region:111111111111:bot/ANYBOT",
    "arn:aws:lex:any-region:111111111111:bot-alias/ANYBOT/ANYALIAS",
];

/// AWS's administrator policy: attaching it is attaching everything.
pub(super) const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// The candidates of the statements, without repeats.
pub(super) fn of(statements: &[Value]) -> Vec<Candidate> {
    let mut patterns = Vec::new();
    for statement in statements {
        for key in ["Resource", "NotResource"] {
            match statement.get(key) {
                // NotResource stands for (nearly) everything.
                Some(_) if key == "NotResource" => patterns.push("*".to_string()),
                Some(v) => patterns.extend(strings(v)),
                None => {}
            }
        }
        collect_arns(statement.get("Condition"), &mut patterns);
    }
    let mut out: Vec<Candidate> = Vec::new();
    for pattern in patterns {
        for candidate in concrete(&pattern) {
            if !out.iter().any(|c| c.arn == candidate.arn) {
                out.push(candidate);
            }
        }
    }
    out
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        _ => vec![],
    }
}

/// ARNs named as condition values (e.g. `iam:PolicyARN`).
fn collect_arns(v: Option<&Value>, out: &mut Vec<String>) {
    match v {
        Some(Value::String(s)) if s.starts_with("arn:") => out.push(s.clone()),
        Some(Value::Array(items)) => items.iter().for_each(|i| collect_arns(Some(i), out)),
        Some(Value::Object(map)) => map.values().for_each(|i| collect_arns(Some(i), out)),
        _ => {}
    }
}

/// The pattern as concrete resources: `*` as one of each kind; otherwise each wildcard replaced.
/// A log group's trailing `:*` (its streams) is the group itself.
fn concrete(pattern: &str) -> Vec<Candidate> {
    if pattern == "*" {
        return ANY
            .iter()
            .map(|arn| Candidate {
                arn: arn.to_string(),
                wildcard: true,
                pattern: "*".into(),
            })
            .collect();
    }
    let base = match pattern.strip_suffix(":*") {
        Some(group) if pattern.contains(":log-group:") && !group.ends_with(":log-group") => group,
        _ => pattern,
    };
    let resource_part = base.splitn(6, ':').nth(5).unwrap_or(base);
    let wildcard = resource_part.contains(['*', '?']);
    vec![Candidate {
        arn: base.replace(['*', '?'], "x"),
        wildcard,
        pattern: pattern.to_string(),
    }]
}

/// True for a role under the path IAM reserves for Lex V2's service-linked roles: only Lex may
/// assume them, and nobody may change their trust.
pub(super) fn lex_only_role(pattern: &str) -> bool {
    pattern
        .splitn(6, ':')
        .nth(5)
        .is_some_and(|r| r.starts_with("role/aws-service-role/lexv2.amazonaws.com/"))
}
