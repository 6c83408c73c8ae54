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
//! Condition operators String*, Arn*, Bool, Numeric*, Date* (ISO 8601 or epoch seconds),
//! IpAddress/NotIpAddress, Null, the `IfExists` suffix and the `ForAnyValue:`/`ForAllValues:`
//! qualifiers; condition keys are case-insensitive. An unknown operator makes its statement not
//! apply (IAM refuses such policies when they are written). Not covered: policy variables
//! (compared literally), SCPs, RCPs and session policies. It mirrors the twin's
//! `localstack/lexv2_plugin/lexlogs_lexv2/iam_eval.py`; both run the cases of
//! `tests/data/iam_eval_cases.json`, so the tool and the twin agree.

mod conditions;
pub(crate) mod lex_requests;
pub(crate) mod logs_key;
mod model;
mod pattern;
mod statement;

pub(crate) use model::{Context, Decision, NamedPolicy, Principal, Request};
pub(crate) use pattern::wildcard_match;

use serde_json::Value;

use statement::{describe_statement, statement_applies, statements};

/// Evaluates policies of one kind together: a Deny anywhere wins, else an Allow anywhere allows.
pub(crate) fn evaluate(
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
pub(crate) type Refusal = Option<String>;

/// Identity-based evaluation: the identity policies must allow and, when there is a permissions
/// boundary, so must the boundary; an explicit Deny in either wins (a Deny of the boundary is
/// named "the permissions boundary (statement ...)").
pub(crate) fn identity_decision(
    identity: &[NamedPolicy],
    boundary: Option<&NamedPolicy>,
    request: &Request,
) -> Decision {
    let own = evaluate(identity, request, None);
    let Some(boundary) = boundary else {
        return own;
    };
    if let Decision::ExplicitDeny { .. } = own {
        return own;
    }
    match evaluate(std::slice::from_ref(boundary), request, None) {
        Decision::ExplicitDeny { by } => Decision::ExplicitDeny {
            by: format!("the permissions boundary ({by})"),
        },
        Decision::ImplicitDeny => Decision::ImplicitDeny,
        Decision::Allow => own,
    }
}

/// `identity_decision` in words: why the request is not allowed, `None` when it is.
pub(crate) fn identity_allows(
    identity: &[NamedPolicy],
    boundary: Option<&NamedPolicy>,
    request: &Request,
) -> Refusal {
    match identity_decision(identity, boundary, request) {
        Decision::Allow => None,
        Decision::ExplicitDeny { by } => Some(format!("explicitly denied by {by}")),
        Decision::ImplicitDeny => Some(match boundary {
            Some(boundary) if evaluate(identity, request, None).allowed() => format!(
                "allowed by its policies but not by its permissions boundary {}",
                boundary.name
            ),
            _ => "no policy of the role allows it".to_string(),
        }),
    }
}

/// Resource-policy evaluation (a trust policy, a key policy) for one principal.
pub(crate) fn resource_policy_allows(
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
mod tests;
