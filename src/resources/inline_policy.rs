//! Inline policies on IAM users, roles and groups: the `iam:PassRole` grants on principals, and
//! the copies of a previous role's inline policies on the logging role. Also checks that a
//! principal exists.

use serde_json::Value;

use crate::error::{Context, Error, Optional, Result};
use crate::policy;
use crate::resources::alias_write::Guard;
use crate::resources::operation::{self, Operation};
use crate::spec::{Principal, PrincipalKind};

pub(crate) fn address(owner: &Principal, name: &str) -> String {
    format!("inline_policy[{owner}/{name}]")
}

/// True when the user, role or group exists.
pub(crate) async fn principal_exists(iam: &aws_sdk_iam::Client, who: &Principal) -> Result<bool> {
    principal_path(iam, who).await.map(|path| path.is_some())
}

/// The IAM path of the user, role or group (`/` or `/a/b/`), or `None` when it does not exist.
pub(crate) async fn principal_path(
    iam: &aws_sdk_iam::Client,
    who: &Principal,
) -> Result<Option<String>> {
    let resource = format!("principal[{who}]");
    let result = match who.kind {
        PrincipalKind::User => iam
            .get_user()
            .user_name(&who.name)
            .send()
            .await
            .context("iam:GetUser", resource)
            .map(|o| o.user.map(|u| u.path)),
        PrincipalKind::Role => iam
            .get_role()
            .role_name(&who.name)
            .send()
            .await
            .context("iam:GetRole", resource)
            .map(|o| o.role.map(|r| r.path)),
        PrincipalKind::Group => iam
            .get_group()
            .group_name(&who.name)
            .send()
            .await
            .context("iam:GetGroup", resource)
            .map(|o| o.group.map(|g| g.path)),
    };
    // IAM always returns the entity; an absent one would be a service bug, read as "/".
    Ok(result
        .optional()?
        .map(|path| path.unwrap_or_else(|| "/".into())))
}

/// Reads the inline policy `name` on `owner`, or `None` when there is none.
pub(crate) async fn observe(
    iam: &aws_sdk_iam::Client,
    owner: &Principal,
    name: &str,
) -> Result<Option<Value>> {
    let resource = address(owner, name);
    let document = match owner.kind {
        PrincipalKind::User => iam
            .get_user_policy()
            .user_name(&owner.name)
            .policy_name(name)
            .send()
            .await
            .context("iam:GetUserPolicy", resource)
            .map(|o| o.policy_document),
        PrincipalKind::Role => iam
            .get_role_policy()
            .role_name(&owner.name)
            .policy_name(name)
            .send()
            .await
            .context("iam:GetRolePolicy", resource)
            .map(|o| o.policy_document),
        PrincipalKind::Group => iam
            .get_group_policy()
            .group_name(&owner.name)
            .policy_name(name)
            .send()
            .await
            .context("iam:GetGroupPolicy", resource)
            .map(|o| o.policy_document),
    };
    Ok(document
        .optional()?
        .map(|text| policy::parse_returned(&text).unwrap_or(Value::Null)))
}

async fn put(
    iam: &aws_sdk_iam::Client,
    owner: &Principal,
    name: &str,
    document: &Value,
) -> Result<()> {
    let resource = address(owner, name);
    let text = document.to_string();
    match owner.kind {
        PrincipalKind::User => iam
            .put_user_policy()
            .user_name(&owner.name)
            .policy_name(name)
            .policy_document(text)
            .send()
            .await
            .context("iam:PutUserPolicy", resource)
            .map(|_| ()),
        PrincipalKind::Role => iam
            .put_role_policy()
            .role_name(&owner.name)
            .policy_name(name)
            .policy_document(text)
            .send()
            .await
            .context("iam:PutRolePolicy", resource)
            .map(|_| ()),
        PrincipalKind::Group => iam
            .put_group_policy()
            .group_name(&owner.name)
            .policy_name(name)
            .policy_document(text)
            .send()
            .await
            .context("iam:PutGroupPolicy", resource)
            .map(|_| ()),
    }
}

/// Deletes the inline policy; one already gone is fine.
async fn delete(iam: &aws_sdk_iam::Client, owner: &Principal, name: &str) -> Result<()> {
    let resource = address(owner, name);
    let result = match owner.kind {
        PrincipalKind::User => iam
            .delete_user_policy()
            .user_name(&owner.name)
            .policy_name(name)
            .send()
            .await
            .context("iam:DeleteUserPolicy", resource)
            .map(|_| ()),
        PrincipalKind::Role => iam
            .delete_role_policy()
            .role_name(&owner.name)
            .policy_name(name)
            .send()
            .await
            .context("iam:DeleteRolePolicy", resource)
            .map(|_| ()),
        PrincipalKind::Group => iam
            .delete_group_policy()
            .group_name(&owner.name)
            .policy_name(name)
            .send()
            .await
            .context("iam:DeleteGroupPolicy", resource)
            .map(|_| ()),
    };
    result.optional().map(|_| ())
}

/// The changes the engine makes to an inline policy. Each re-reads the policy right before it
/// writes: a write goes ahead only while the policy holds what was expected (the plan's read; an
/// undo: what this run wrote), so a document someone else put in between is never overwritten or
/// deleted.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum InlinePolicyStep {
    /// Puts `document`; `previous` is the document it replaces (`None`: it creates the policy).
    Put {
        owner: Principal,
        name: String,
        document: Value,
        previous: Option<Value>,
        /// Apply: the policy must hold `previous` (else stale); an undo: restored only while it
        /// holds what this run wrote.
        guard: Guard,
    },
    /// Deletes the policy, whose document was `previous`.
    Delete {
        owner: Principal,
        name: String,
        previous: Value,
        guard: Guard,
    },
}

/// What a write finds when it re-reads the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// The policy already is as the step wants it: nothing to write, nothing to undo.
    AlreadySo,
    /// The policy holds what the step expects: it writes.
    Expected,
    /// Someone else changed it: refused (apply) or left as it is (an undo).
    Moved,
}

/// True when both are absent, or both present and equivalent.
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => policy::equivalent(a, b),
        _ => false,
    }
}

fn shown(document: Option<&Value>) -> String {
    document.map_or_else(|| "(no such policy)".into(), Value::to_string)
}

impl InlinePolicyStep {
    /// The document the policy must hold for the step to write (`None`: it must not exist).
    fn expected(&self) -> Option<&Value> {
        match self {
            InlinePolicyStep::Put { previous, .. } => previous.as_ref(),
            InlinePolicyStep::Delete { previous, .. } => Some(previous),
        }
    }

    /// The document the step leaves (`None`: no policy).
    fn wanted(&self) -> Option<&Value> {
        match self {
            InlinePolicyStep::Put { document, .. } => Some(document),
            InlinePolicyStep::Delete { .. } => None,
        }
    }

    /// Judges the policy as it is `now` (as re-read right before the write).
    pub(crate) fn judge(&self, now: Option<&Value>) -> Found {
        if same(now, self.wanted()) {
            Found::AlreadySo
        } else if same(now, self.expected()) {
            Found::Expected
        } else {
            Found::Moved
        }
    }

    fn guard(&self) -> Guard {
        match self {
            InlinePolicyStep::Put { guard, .. } | InlinePolicyStep::Delete { guard, .. } => *guard,
        }
    }

    /// The refusal (apply) or the report of what was left (an undo), for a policy found `now`.
    pub(crate) fn moved(&self, owner: &Principal, name: &str, now: Option<&Value>) -> Error {
        let address = address(owner, name);
        match self.guard() {
            Guard::Plan => Error::stale(
                format!(
                    "{address} changed since the plan read it: it is now {} (the plan read {}); it was not written",
                    shown(now),
                    shown(self.expected())
                ),
                "someone else changed the policy while this run worked; run plan again and review the new plan",
            ),
            Guard::Undo => Error::ChangedElsewhere(format!(
                "{address} was changed by someone else after this run wrote it: left as it is ({})",
                shown(now)
            )),
        }
    }
}

impl Operation for InlinePolicyStep {
    fn describe(&self) -> String {
        match self {
            InlinePolicyStep::Put { owner, name, .. } => {
                format!("put inline policy {name} on {owner}")
            }
            InlinePolicyStep::Delete { owner, name, .. } => {
                format!("delete inline policy {name} of {owner}")
            }
        }
    }

    fn how_by_hand(&self) -> Option<String> {
        match self {
            InlinePolicyStep::Put {
                owner,
                name,
                document,
                ..
            } => Some(format!(
                "aws iam put-{kind}-policy --{kind}-name {} --policy-name {name} --policy-document {}",
                owner.name,
                crate::resources::by_hand::json_arg(document),
                kind = owner.kind.as_str()
            )),
            InlinePolicyStep::Delete { owner, name, .. } => Some(format!(
                "aws iam delete-{kind}-policy --{kind}-name {} --policy-name {name}",
                owner.name,
                kind = owner.kind.as_str()
            )),
        }
    }

    /// An undo writes back what the step found, and only while the policy holds what the step
    /// wrote (its guard is [`Guard::Undo`]).
    fn inverse(&self) -> Option<Self> {
        Some(match self.clone() {
            InlinePolicyStep::Put {
                owner,
                name,
                document,
                previous: Some(previous),
                ..
            } => InlinePolicyStep::Put {
                owner,
                name,
                document: previous,
                previous: Some(document),
                guard: Guard::Undo,
            },
            InlinePolicyStep::Put {
                owner,
                name,
                document,
                previous: None,
                ..
            } => InlinePolicyStep::Delete {
                owner,
                name,
                previous: document,
                guard: Guard::Undo,
            },
            InlinePolicyStep::Delete {
                owner,
                name,
                previous,
                ..
            } => InlinePolicyStep::Put {
                owner,
                name,
                document: previous,
                previous: None,
                guard: Guard::Undo,
            },
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let iam = &ctx.clients.iam;
        let (InlinePolicyStep::Put { owner, name, .. }
        | InlinePolicyStep::Delete { owner, name, .. }) = self;
        // Read right before the write: only what the plan read (an undo: what this run wrote) is
        // replaced or deleted.
        let now = observe(iam, owner, name).await?;
        match self.judge(now.as_ref()) {
            Found::AlreadySo => return Ok(None),
            Found::Moved => return Err(self.moved(owner, name, now.as_ref())),
            Found::Expected => {}
        }
        match self {
            InlinePolicyStep::Put { document, .. } => put(iam, owner, name, document).await?,
            InlinePolicyStep::Delete { .. } => delete(iam, owner, name).await?,
        }
        Ok(self.inverse())
    }
}
