//! The evaluator's vocabulary: the request (action, resource, condition context), the principal
//! a resource policy is asked about, named policy documents, and the decision.

use std::collections::BTreeMap;

use serde_json::Value;

/// The outcome of evaluating a set of policies for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A statement allows it (and none denies it).
    Allow,
    /// A statement denies it; `by` names the statement and its policy.
    ExplicitDeny { by: String },
    /// Nothing allows it.
    ImplicitDeny,
}

impl Decision {
    pub(crate) fn allowed(&self) -> bool {
        *self == Decision::Allow
    }
}

/// A principal as a resource policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// An AWS service, e.g. `lexv2.amazonaws.com`.
    Service(String),
    /// IAM identities by ARN (a role ARN, `arn:aws:iam::ACCOUNT:root`).
    Aws(Vec<String>),
}

/// The request context: condition keys (case-insensitive) and their values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Context {
    keys: BTreeMap<String, Vec<String>>,
}

impl Context {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds a single-valued key.
    pub(crate) fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.keys
            .entry(key.to_ascii_lowercase())
            .or_default()
            .push(value.into());
        self
    }

    /// The values of a key (any case); empty when the request does not carry it.
    pub(super) fn get(&self, key: &str) -> &[String] {
        self.keys
            .get(&key.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// A named policy document (the name appears in explanations).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NamedPolicy {
    pub name: String,
    pub document: Value,
}

impl NamedPolicy {
    pub(crate) fn new(name: impl Into<String>, document: Value) -> Self {
        NamedPolicy {
            name: name.into(),
            document,
        }
    }
}

/// One request to evaluate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}
