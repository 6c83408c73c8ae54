//! Inline policies on IAM users, roles and groups: the `iam:PassRole` grants on principals, and
//! the copies of a previous role's inline policies on the logging role. Also checks that a
//! principal exists.

use serde_json::Value;

use crate::error::{Context, Optional, Result};
use crate::policy;
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

/// The changes the engine makes to an inline policy.
#[derive(Debug, Clone, PartialEq)]
pub enum InlinePolicyStep {
    /// Puts `document`; `previous` is the document it replaces (`None`: it creates the policy).
    Put {
        owner: Principal,
        name: String,
        document: Value,
        previous: Option<Value>,
    },
    /// Deletes the policy, whose document was `previous`.
    Delete {
        owner: Principal,
        name: String,
        previous: Value,
    },
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

    fn inverse(&self) -> Option<Self> {
        Some(match self.clone() {
            InlinePolicyStep::Put {
                owner,
                name,
                document,
                previous: Some(previous),
            } => InlinePolicyStep::Put {
                owner,
                name,
                document: previous,
                previous: Some(document),
            },
            InlinePolicyStep::Put {
                owner,
                name,
                document,
                previous: None,
            } => InlinePolicyStep::Delete {
                owner,
                name,
                previous: document,
            },
            InlinePolicyStep::Delete {
                owner,
                name,
                previous,
            } => InlinePolicyStep::Put {
                owner,
                name,
                document: previous,
                previous: None,
            },
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let iam = &ctx.clients.iam;
        match self {
            InlinePolicyStep::Put {
                owner,
                name,
                document,
                ..
            } => put(iam, owner, name, document).await?,
            InlinePolicyStep::Delete { owner, name, .. } => delete(iam, owner, name).await?,
        }
        Ok(self.inverse())
    }
}
