//! One statement against one request: its Action/NotAction, Resource/NotResource,
//! Principal/NotPrincipal and Condition elements; and how a statement is named in explanations.

use serde_json::Value;

use super::conditions::conditions_hold;
use super::model::{Principal, Request};
use super::pattern::{as_strings, wildcard_match};

/// The statements of a document (one object or a list).
pub(super) fn statements(document: &Value) -> Vec<&Value> {
    match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => vec![],
    }
}

/// Does a Principal element name this principal?
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

/// Does the statement apply to the request, whatever its effect? With a principal, the statement
/// is read as part of a resource policy (it must name the principal; Resource may be absent).
pub(super) fn statement_applies(
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

/// "statement \"Sid\" of policy P", or "statement #N of policy P" when it has no Sid.
pub(super) fn describe_statement(statement: &Value, index: usize, policy: &str) -> String {
    match statement.get("Sid").and_then(Value::as_str) {
        Some(sid) if !sid.is_empty() => format!("statement {sid:?} of policy {policy}"),
        _ => format!("statement #{} of policy {policy}", index + 1),
    }
}
