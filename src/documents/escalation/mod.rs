//! The escalation check: reads a policy document as an attacker holding it would, and lists the
//! known ways it lets its holder become an administrator or make a resource count as ours (the
//! tag `lex-logs-setup:managed-by`), each with the statement that opens it and why.
//!
//! It asks the tool's own evaluator ([`crate::iam_eval`]) "does this document allow action X on
//! resource Y with these condition keys", for every resource the document names (wildcards made
//! concrete, `*` read as any resource of each kind) and for a few the attacker brings (AWS's
//! `AdministratorAccess`, a role of someone else). So an explicit Deny in the document counts,
//! and so do its conditions (`iam:PolicyARN`, `iam:PassedToService`, tag keys).
//!
//! Paths it knows (see [`Path`]): any permissions written on a role the holder could use (on a
//! wildcard, on a role whose trust the holder writes, on a role the holder could assume, on a
//! role it could pass to a service that runs code); any permissions written on any other role
//! but Lex's service-linked ones (whoever that role trusts gets them); taking a role over by its
//! trust policy; any permissions on users or groups; credentials of users; `iam:PassRole` to a
//! service that runs code or of any role; `sts:AssumeRole` of any role; rewriting any managed
//! policy; and tag writes that mark a resource as ours. A statement whose Sid starts with
//! [`DECLARED_RISK_PREFIX`] says so itself; its findings are `declared`.

mod candidates;
mod rules;

use serde_json::Value;

use crate::iam_eval::{evaluate, Context, Decision, NamedPolicy, Request};

/// A statement whose Sid starts with this declares, in the document, the risk it carries.
pub const DECLARED_RISK_PREFIX: &str = "DeclaredRisk";

/// What the holder may have outside the document.
#[derive(Debug, Clone, Default)]
pub struct Holder {
    /// Roles (ARN patterns) whose trust policies may let the holder in, e.g. `arn:*:iam::*:role/*`
    /// when nothing is known (the safe assumption).
    pub assumable: Vec<String>,
    /// Exact ARNs the same plan creates: tags written on them are written at their creation.
    pub created: Vec<String>,
}

impl Holder {
    /// The safe assumption: the holder may be trusted by any role; the plan creates `created`.
    pub fn anyone(created: Vec<String>) -> Holder {
        Holder {
            assumable: vec!["arn:*:iam::*:role/*".into()],
            created,
        }
    }
}

/// A known way from the document to more than it should give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Path {
    /// Any permissions (an inline policy, or a managed policy whose content the holder writes or
    /// AWS's administrator policy) on a role the holder can use.
    AnyPermissionsOnRole,
    /// Any permissions on a role the holder cannot use itself (the document denies assuming it,
    /// or the holder is not trusted): whoever the role's trust lets in (a shared Lambda role,
    /// another team's pipeline) gets permissions the holder chooses.
    AnyPermissionsOnOthersRole,
    /// `iam:UpdateAssumeRolePolicy`: the holder chooses who assumes the role.
    TakeOverRole,
    /// Any permissions on a user or group (or membership of any group).
    AnyPermissionsOnPrincipal,
    /// Access keys or console passwords of users.
    Credentials,
    /// `iam:PassRole` to a service that runs the holder's code.
    PassRoleToCode,
    /// `iam:PassRole` of any role.
    PassAnyRole,
    /// `sts:AssumeRole` of any role.
    AssumeAnyRole,
    /// A new default version of any managed policy (attached to anyone).
    RewriteAnyPolicy,
    /// A tag write that makes a resource not created by the plan count as ours.
    MarkAsOurs,
}

/// One escalation path found: which, through which statement, on what, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub path: Path,
    /// The statement's Sid, or `#N` (1-based) when it has none.
    pub statement: String,
    pub resource: String,
    pub reason: String,
    /// The statement declares the risk itself (its Sid starts with [`DECLARED_RISK_PREFIX`]).
    pub declared: bool,
}

/// Every escalation path the document opens for its holder, at most one per path, statement
/// and resource, in a stable order.
pub fn escalations(document: &Value, holder: &Holder) -> Vec<Finding> {
    let doc = Doc::new(document);
    let mut found = rules::check(&doc, holder);
    found.sort_by(|a, b| {
        (a.path, &a.statement, &a.resource).cmp(&(b.path, &b.statement, &b.resource))
    });
    found.dedup_by(|a, b| {
        a.path == b.path && a.statement == b.statement && a.resource == b.resource
    });
    found
}

/// The findings that the document does not declare.
pub fn undeclared(findings: &[Finding]) -> Vec<&Finding> {
    findings.iter().filter(|f| !f.declared).collect()
}

/// The document, asked one request at a time.
pub(super) struct Doc {
    whole: Vec<NamedPolicy>,
    /// Each Allow statement alone, with its name and whether it declares its risk.
    allows: Vec<(String, bool, Vec<NamedPolicy>)>,
    /// Every resource the document names, made concrete.
    candidates: Vec<candidates::Candidate>,
}

impl Doc {
    fn new(document: &Value) -> Doc {
        let statements: Vec<Value> = match document.get("Statement") {
            Some(Value::Array(items)) => items.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => vec![],
        };
        let allows = statements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
            .map(|(i, s)| {
                let name = match s.get("Sid").and_then(Value::as_str) {
                    Some(sid) if !sid.is_empty() => sid.to_string(),
                    _ => format!("#{}", i + 1),
                };
                let declared = name.starts_with(DECLARED_RISK_PREFIX);
                let alone = serde_json::json!({"Version": "2012-10-17", "Statement": [s]});
                (name, declared, vec![NamedPolicy::new("statement", alone)])
            })
            .collect();
        Doc {
            whole: vec![NamedPolicy::new("document", document.clone())],
            allows,
            candidates: candidates::of(&statements),
        }
    }

    /// The Allow statement (name, declared) that grants the request, when the document as a
    /// whole allows it (no Deny).
    pub(super) fn granting(
        &self,
        action: &str,
        resource: &str,
        context: &Context,
    ) -> Option<(&str, bool)> {
        let request = Request {
            action,
            resource,
            context,
        };
        if !evaluate(&self.whole, &request, None).allowed() {
            return None;
        }
        self.allows
            .iter()
            .find(|(_, _, alone)| evaluate(alone, &request, None).allowed())
            .map(|(name, declared, _)| (name.as_str(), *declared))
    }

    /// True when the document explicitly denies the request.
    pub(super) fn denies(&self, action: &str, resource: &str) -> bool {
        let context = Context::new();
        let request = Request {
            action,
            resource,
            context: &context,
        };
        matches!(
            evaluate(&self.whole, &request, None),
            Decision::ExplicitDeny { .. }
        )
    }
}

#[cfg(test)]
mod tests;
