//! The logging role: observing it (trust policy, tags, attached and inline policies), creating,
//! updating and deleting it, attaching and detaching managed policies; and reading the bot's
//! previous role, whose permissions the new role carries.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{Context, Optional, Result};
use crate::policy;
use crate::resources::by_hand;
use crate::resources::operation::{self, create_once, Operation};
use crate::resources::tags::{self, Tags};

/// The role as IAM has it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleState {
    pub name: String,
    pub arn: String,
    pub trust: Value,
    pub tags: Tags,
    /// ARNs of the attached managed policies.
    pub attached: Vec<String>,
    /// Inline policies by name.
    pub inline: BTreeMap<String, Value>,
    /// The permissions boundary's ARN, if the role has one.
    pub boundary: Option<String>,
}

/// The role the bot ran with before ours, whose permissions ours must carry.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviousRole {
    /// A Lex V2 service-linked role: its permissions are AWS's, so ours gets the same actions.
    ServiceLinked {
        arn: String,
        /// The inline policies Lex (or the console) added to it for features: copied to ours.
        inline: BTreeMap<String, Value>,
    },
    /// A customer role: ours gets its managed policies attached and its inline policies copied.
    Customer {
        arn: String,
        attached: Vec<String>,
        inline: BTreeMap<String, Value>,
        /// Its permissions boundary: the role that replaces it keeps the same ceiling.
        boundary: Option<String>,
    },
    /// The role no longer exists; there is nothing to carry.
    Gone { arn: String },
}

impl PreviousRole {
    pub(crate) fn arn(&self) -> &str {
        match self {
            PreviousRole::ServiceLinked { arn, .. }
            | PreviousRole::Customer { arn, .. }
            | PreviousRole::Gone { arn } => arn,
        }
    }
}

/// Lex V2 service-linked roles live under this path and are named `AWSServiceRoleForLexV2Bots*`.
pub(crate) fn is_service_linked(arn: &str) -> bool {
    arn.contains(":role/aws-service-role/")
        || crate::arn::iam_name(arn).is_some_and(|n| n.starts_with("AWSServiceRoleForLexV2Bots"))
}

/// Reads the role, or `None` when there is no role of that name: GetRole and the two policy
/// listings at once, then the inline documents.
pub(crate) async fn observe(iam: &aws_sdk_iam::Client, name: &str) -> Result<Option<RoleState>> {
    match observe_listing(iam, name).await? {
        None => Ok(None),
        Some(listed) => complete(iam, listed).await.map(Some),
    }
}

/// A role as GetRole, ListAttachedRolePolicies and ListRolePolicies give it (made at once), before
/// its inline documents are read.
#[derive(Debug, Clone)]
pub struct RoleListing {
    pub state: RoleState,
    pub inline_names: Vec<String>,
}

/// The first wave of reading a role; `None` when there is no role of that name.
pub(crate) async fn observe_listing(
    iam: &aws_sdk_iam::Client,
    name: &str,
) -> Result<Option<RoleListing>> {
    let address = format!("role[{name}]");
    let get = async {
        iam.get_role()
            .role_name(name)
            .send()
            .await
            .context("iam:GetRole", &address)
    };
    let (role, attached, inline_names) = match tokio::join!(
        get,
        attached_policies(iam, name),
        inline_policy_names(iam, name)
    ) {
        (Err(e), _, _) if e.is_not_found() => return Ok(None),
        (Ok(_), Err(e), _) | (Ok(_), _, Err(e)) if e.is_not_found() => return Ok(None),
        (role, attached, inline) => (
            role?.role.expect("GetRole returns the role"),
            attached?,
            inline?,
        ),
    };
    let trust = policy::parse_returned(role.assume_role_policy_document().unwrap_or("{}"))
        .unwrap_or(Value::Null);
    Ok(Some(RoleListing {
        state: RoleState {
            name: name.to_string(),
            arn: role.arn().to_string(),
            trust,
            tags: tags::from_iam(role.tags()),
            attached,
            inline: BTreeMap::new(),
            boundary: role
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_string),
        },
        inline_names,
    }))
}

/// The second wave: the inline documents of a listed role.
pub(crate) async fn complete(iam: &aws_sdk_iam::Client, listed: RoleListing) -> Result<RoleState> {
    let mut state = listed.state;
    state.inline = inline_documents(iam, &state.name, &listed.inline_names).await?;
    Ok(state)
}

/// Reads the bot's previous role: what it is and, for a customer role, what it grants.
pub(crate) async fn observe_previous(iam: &aws_sdk_iam::Client, arn: &str) -> Result<PreviousRole> {
    if is_service_linked(arn) {
        let name = crate::arn::iam_name(arn).unwrap_or(arn);
        let inline = match observe(iam, name).await? {
            Some(state) => state.inline,
            None => return Ok(PreviousRole::Gone { arn: arn.into() }),
        };
        return Ok(PreviousRole::ServiceLinked {
            arn: arn.into(),
            inline,
        });
    }
    let name = crate::arn::iam_name(arn).unwrap_or(arn);
    match observe(iam, name).await? {
        Some(state) => Ok(PreviousRole::Customer {
            arn: arn.into(),
            attached: state.attached,
            inline: state.inline,
            boundary: state.boundary,
        }),
        None => Ok(PreviousRole::Gone { arn: arn.into() }),
    }
}

/// Reads a role that writes an alias's logs, in one round trip: GetRole, its attached policies,
/// and our one inline policy `inline_name` (the only inline document the plan needs), at once.
/// `None` when there is no role of that name.
pub(crate) async fn observe_writer(
    iam: &aws_sdk_iam::Client,
    name: &str,
    inline_name: &str,
) -> Result<Option<RoleState>> {
    let address = format!("role[{name}]");
    let (role, attached, ours) = tokio::join!(
        async {
            iam.get_role()
                .role_name(name)
                .send()
                .await
                .context("iam:GetRole", &address)
        },
        attached_policies(iam, name),
        async {
            iam.get_role_policy()
                .role_name(name)
                .policy_name(inline_name)
                .send()
                .await
                .context(
                    "iam:GetRolePolicy",
                    format!("inline_policy[role/{name}/{inline_name}]"),
                )
        }
    );
    let role = match role {
        Err(e) if e.is_not_found() => return Ok(None),
        other => other?.role.expect("GetRole returns the role"),
    };
    let attached = match attached {
        Err(e) if e.is_not_found() => return Ok(None),
        other => other?,
    };
    let mut inline = BTreeMap::new();
    match ours {
        Ok(out) => {
            inline.insert(
                inline_name.to_string(),
                policy::parse_returned(out.policy_document()).unwrap_or(Value::Null),
            );
        }
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e),
    }
    Ok(Some(RoleState {
        name: name.to_string(),
        arn: role.arn().to_string(),
        trust: policy::parse_returned(role.assume_role_policy_document().unwrap_or("{}"))
            .unwrap_or(Value::Null),
        tags: tags::from_iam(role.tags()),
        attached,
        inline,
        boundary: role
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string),
    }))
}

async fn attached_policies(iam: &aws_sdk_iam::Client, role: &str) -> Result<Vec<String>> {
    let mut pages = iam
        .list_attached_role_policies()
        .role_name(role)
        .into_paginator()
        .send();
    let mut arns = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.context("iam:ListAttachedRolePolicies", format!("role[{role}]"))?;
        arns.extend(
            page.attached_policies()
                .iter()
                .filter_map(|p| p.policy_arn().map(str::to_string)),
        );
    }
    Ok(arns)
}

pub(crate) async fn inline_policy_names(
    iam: &aws_sdk_iam::Client,
    role: &str,
) -> Result<Vec<String>> {
    let mut pages = iam
        .list_role_policies()
        .role_name(role)
        .into_paginator()
        .send();
    let mut names = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.context("iam:ListRolePolicies", format!("role[{role}]"))?;
        names.extend(page.policy_names().iter().cloned());
    }
    Ok(names)
}

pub(crate) async fn inline_documents(
    iam: &aws_sdk_iam::Client,
    role: &str,
    names: &[String],
) -> Result<BTreeMap<String, Value>> {
    let documents = futures::future::try_join_all(names.iter().map(|policy_name| async move {
        let out = iam
            .get_role_policy()
            .role_name(role)
            .policy_name(policy_name)
            .send()
            .await
            .context(
                "iam:GetRolePolicy",
                format!("inline_policy[role/{role}/{policy_name}]"),
            )?;
        Ok::<_, crate::error::Error>(
            policy::parse_returned(out.policy_document()).unwrap_or(Value::Null),
        )
    }))
    .await?;
    Ok(names.iter().cloned().zip(documents).collect())
}

async fn create(
    iam: &aws_sdk_iam::Client,
    name: &str,
    trust: &Value,
    tags: &Tags,
    boundary: Option<&str>,
) -> Result<()> {
    iam.create_role()
        .role_name(name)
        .assume_role_policy_document(trust.to_string())
        .set_permissions_boundary(boundary.map(str::to_string))
        .description("Lets Amazon Lex V2 write conversation logs; managed by lex-logs-setup")
        .set_tags(Some(tags::iam_tags(tags)))
        .send()
        .await
        .context("iam:CreateRole", format!("role[{name}]"))?;
    Ok(())
}

async fn update_trust(iam: &aws_sdk_iam::Client, name: &str, trust: &Value) -> Result<()> {
    iam.update_assume_role_policy()
        .role_name(name)
        .policy_document(trust.to_string())
        .send()
        .await
        .context("iam:UpdateAssumeRolePolicy", format!("role[{name}]"))?;
    Ok(())
}

/// Makes the role's tags equal `tags` for every key in `tags` or `remove`.
async fn set_tags(
    iam: &aws_sdk_iam::Client,
    name: &str,
    tags: &Tags,
    remove: &[String],
) -> Result<()> {
    if !tags.is_empty() {
        iam.tag_role()
            .role_name(name)
            .set_tags(Some(tags::iam_tags(tags)))
            .send()
            .await
            .context("iam:TagRole", format!("role[{name}]"))?;
    }
    if !remove.is_empty() {
        iam.untag_role()
            .role_name(name)
            .set_tag_keys(Some(remove.to_vec()))
            .send()
            .await
            .context("iam:UntagRole", format!("role[{name}]"))?;
    }
    Ok(())
}

async fn delete(iam: &aws_sdk_iam::Client, name: &str) -> Result<()> {
    iam.delete_role()
        .role_name(name)
        .send()
        .await
        .context("iam:DeleteRole", format!("role[{name}]"))
        .optional()
        .map(|_| ())
}

/// The changes the engine makes to a role.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RoleStep {
    Create {
        name: String,
        trust: Value,
        tags: Tags,
        /// The permissions boundary (carried from the bot's previous role).
        boundary: Option<String>,
    },
    /// Sets the trust policy and the tags: each `(new, old)`, `None` to leave it.
    Update {
        name: String,
        trust: Option<(Value, Value)>,
        tags: Option<(Tags, Tags)>,
    },
    /// Deletes the role; the rest is what recreating it takes.
    Delete {
        name: String,
        trust: Value,
        tags: Tags,
        boundary: Option<String>,
    },
}

impl Operation for RoleStep {
    fn describe(&self) -> String {
        match self {
            RoleStep::Create { name, .. } => format!("create role {name}"),
            RoleStep::Update { name, .. } => format!("update trust policy or tags of role {name}"),
            RoleStep::Delete { name, .. } => format!("delete role {name}"),
        }
    }

    fn how_by_hand(&self) -> Option<String> {
        match self {
            RoleStep::Delete { name, .. } => {
                Some(format!("aws iam delete-role --role-name {name}"))
            }
            RoleStep::Create {
                name, trust, tags, ..
            } => Some(by_hand::create_role(name, trust, tags)),
            RoleStep::Update { name, trust, tags } => {
                by_hand::update_role(name, trust.as_ref(), tags.as_ref())
            }
        }
    }

    fn inverse(&self) -> Option<Self> {
        Some(match self.clone() {
            RoleStep::Create {
                name,
                trust,
                tags,
                boundary,
            } => RoleStep::Delete {
                name,
                trust,
                tags,
                boundary,
            },
            RoleStep::Update { name, trust, tags } => RoleStep::Update {
                name,
                trust: trust.map(|(new, old)| (old, new)),
                tags: tags.map(|(new, old)| (old, new)),
            },
            RoleStep::Delete {
                name,
                trust,
                tags,
                boundary,
            } => RoleStep::Create {
                name,
                trust,
                tags,
                boundary,
            },
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let iam = &ctx.clients.iam;
        match self {
            RoleStep::Create {
                name,
                trust,
                tags: wanted,
                boundary,
            } => {
                let made = create_once(
                    ctx,
                    create(
                        iam,
                        name,
                        trust,
                        &tags::with_run(wanted, &ctx.run_id),
                        boundary.as_deref(),
                    ),
                    async { Ok(observe(iam, name).await?.map(|r| r.tags)) },
                    |found| found.get(tags::BOT_ID) == wanted.get(tags::BOT_ID),
                )
                .await?;
                return Ok(made.undo(|| self.inverse()));
            }
            RoleStep::Update { name, trust, tags } => {
                update(iam, name, trust.as_ref(), tags.as_ref()).await?
            }
            RoleStep::Delete { name, .. } => delete(iam, name).await?,
        }
        Ok(self.inverse())
    }
}

/// Sets the trust policy, then the tags (each `(new, old)`); puts the old trust policy back when
/// the tags fail, so the step is all or nothing.
async fn update(
    iam: &aws_sdk_iam::Client,
    name: &str,
    trust: Option<&(Value, Value)>,
    tags: Option<&(Tags, Tags)>,
) -> Result<()> {
    if let Some((new, _)) = trust {
        update_trust(iam, name, new).await?;
    }
    if let Some((new, old)) = tags {
        let remove: Vec<String> = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .cloned()
            .collect();
        if let Err(e) = set_tags(iam, name, new, &remove).await {
            if let Some((_, old_trust)) = trust {
                let _ = update_trust(iam, name, old_trust).await;
            }
            return Err(e);
        }
    }
    Ok(())
}
