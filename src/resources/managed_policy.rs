//! Customer-managed policies the tool owns (one per concern): observing their default document
//! and tags, creating them, updating them with a new default version (pruning the oldest when IAM's
//! limit of 5 versions is reached), restoring a version, and deleting them with all versions.

use serde_json::Value;

use crate::error::{Context, Optional, Result};
use crate::policy;
use crate::resources::operation::{self, create_once, Operation};
use crate::resources::tags::{self, Tags};

/// IAM keeps at most this many versions of a managed policy.
pub(crate) const MAX_VERSIONS: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyState {
    pub name: String,
    pub arn: String,
    pub document: Value,
    pub default_version: String,
    pub tags: Tags,
    /// The roles it is attached to (ListEntitiesForPolicy): destroy detaches it from each.
    pub attached_roles: Vec<String>,
}

/// Reads the policy at `arn`, or `None` when there is none. Reads version `v1` at the same time
/// as the policy (ours stay at v1 unless their document changes), so this usually costs one round
/// trip; a later default version costs a second.
pub(crate) async fn observe(
    iam: &aws_sdk_iam::Client,
    name: &str,
    arn: &str,
) -> Result<Option<PolicyState>> {
    let address = format!("policy[{name}]");
    let get = async {
        iam.get_policy()
            .policy_arn(arn)
            .send()
            .await
            .context("iam:GetPolicy", &address)
    };
    let entities = async {
        iam.list_entities_for_policy()
            .policy_arn(arn)
            .entity_filter(aws_sdk_iam::types::EntityType::Role)
            .send()
            .await
            .context("iam:ListEntitiesForPolicy", &address)
    };
    let (found, first, entities) =
        tokio::join!(get, version_document(iam, arn, "v1", &address), entities);
    let found = match found {
        Ok(out) => out.policy.expect("GetPolicy returns the policy"),
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let default_version = found.default_version_id().unwrap_or("v1").to_string();
    let document = match (default_version.as_str(), first) {
        ("v1", Ok(document)) => document,
        _ => version_document(iam, arn, &default_version, &address).await?,
    };
    let attached_roles = entities?
        .policy_roles()
        .iter()
        .filter_map(|r| r.role_name().map(str::to_string))
        .collect();
    Ok(Some(PolicyState {
        name: name.into(),
        arn: arn.into(),
        document,
        default_version,
        tags: tags::from_iam(found.tags()),
        attached_roles,
    }))
}

/// The document of version `version` of the policy `arn` (`Null` when IAM returns none).
pub(crate) async fn version_document(
    iam: &aws_sdk_iam::Client,
    arn: &str,
    version: &str,
    address: &str,
) -> Result<Value> {
    let out = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .context("iam:GetPolicyVersion", address)?;
    Ok(out
        .policy_version()
        .and_then(|v| v.document())
        .map(|d| policy::parse_returned(d).unwrap_or(Value::Null))
        .unwrap_or(Value::Null))
}

async fn create(
    iam: &aws_sdk_iam::Client,
    name: &str,
    document: &Value,
    tags: &Tags,
) -> Result<String> {
    let out = iam
        .create_policy()
        .policy_name(name)
        .policy_document(document.to_string())
        .description("Conversation logs for Amazon Lex V2; managed by lex-logs-setup")
        .set_tags(Some(tags::iam_tags(tags)))
        .send()
        .await
        .context("iam:CreatePolicy", format!("policy[{name}]"))?;
    Ok(out
        .policy()
        .and_then(|p| p.arn())
        .unwrap_or_default()
        .to_string())
}

/// Makes `document` the default version; prunes the oldest non-default version first when the
/// policy already has the most IAM allows. Returns the new version id and, when one was pruned,
/// the pruned document.
async fn update(
    iam: &aws_sdk_iam::Client,
    name: &str,
    arn: &str,
    document: &Value,
) -> Result<(String, Option<Value>)> {
    let address = format!("policy[{name}]");
    let versions = iam
        .list_policy_versions()
        .policy_arn(arn)
        .send()
        .await
        .context("iam:ListPolicyVersions", &address)?;
    let mut pruned = None;
    if versions.versions().len() >= MAX_VERSIONS {
        let oldest = versions
            .versions()
            .iter()
            .filter(|v| !v.is_default_version())
            .min_by_key(|v| v.create_date().map(|d| (d.secs(), d.subsec_nanos())))
            .and_then(|v| v.version_id())
            .map(str::to_string);
        if let Some(oldest) = oldest {
            let old = iam
                .get_policy_version()
                .policy_arn(arn)
                .version_id(&oldest)
                .send()
                .await
                .context("iam:GetPolicyVersion", &address)?;
            pruned = old
                .policy_version()
                .and_then(|v| v.document())
                .and_then(|d| policy::parse_returned(d).ok());
            iam.delete_policy_version()
                .policy_arn(arn)
                .version_id(&oldest)
                .send()
                .await
                .context("iam:DeletePolicyVersion", &address)?;
        }
    }
    let created = iam
        .create_policy_version()
        .policy_arn(arn)
        .policy_document(document.to_string())
        .set_as_default(true)
        .send()
        .await
        .context("iam:CreatePolicyVersion", &address)?;
    let version = created
        .policy_version()
        .and_then(|v| v.version_id())
        .unwrap_or_default()
        .to_string();
    Ok((version, pruned))
}

/// Makes `version` the default again and deletes `remove` (the version an update added); puts back
/// a pruned document as a non-default version.
/// The policy's default version now.
async fn default_version(iam: &aws_sdk_iam::Client, name: &str, arn: &str) -> Result<String> {
    let out = iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .context("iam:GetPolicy", format!("policy[{name}]"))?;
    Ok(out
        .policy()
        .and_then(|p| p.default_version_id())
        .unwrap_or("v1")
        .to_string())
}

async fn restore(
    iam: &aws_sdk_iam::Client,
    name: &str,
    arn: &str,
    version: &str,
    remove: &str,
    pruned: Option<&Value>,
) -> Result<()> {
    let address = format!("policy[{name}]");
    iam.set_default_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .context("iam:SetDefaultPolicyVersion", &address)?;
    iam.delete_policy_version()
        .policy_arn(arn)
        .version_id(remove)
        .send()
        .await
        .context("iam:DeletePolicyVersion", &address)?;
    if let Some(document) = pruned {
        iam.create_policy_version()
            .policy_arn(arn)
            .policy_document(document.to_string())
            .set_as_default(false)
            .send()
            .await
            .context("iam:CreatePolicyVersion", &address)?;
    }
    Ok(())
}

/// Deletes the policy and all its versions; a policy already gone is fine. DeletePolicy is tried
/// first: a policy that only ever had its default version (the usual case) goes in one call; IAM
/// refuses one with other versions (`DeleteConflict`), whose versions are then deleted first.
async fn delete(iam: &aws_sdk_iam::Client, name: &str, arn: &str) -> Result<()> {
    let address = format!("policy[{name}]");
    let delete_policy = || async {
        iam.delete_policy()
            .policy_arn(arn)
            .send()
            .await
            .context("iam:DeletePolicy", &address)
            .optional()
            .map(|_| ())
    };
    match delete_policy().await {
        Err(e) if e.has_code(&["DeleteConflict"]) => {}
        done => return done,
    }
    let versions = match iam
        .list_policy_versions()
        .policy_arn(arn)
        .send()
        .await
        .context("iam:ListPolicyVersions", &address)
    {
        Ok(v) => v,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e),
    };
    for version in versions
        .versions()
        .iter()
        .filter(|v| !v.is_default_version())
    {
        iam.delete_policy_version()
            .policy_arn(arn)
            .version_id(version.version_id().unwrap_or_default())
            .send()
            .await
            .context("iam:DeletePolicyVersion", &address)?;
    }
    delete_policy().await
}

/// The changes the engine makes to a managed policy of ours.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PolicyStep {
    Create {
        name: String,
        arn: String,
        document: Value,
        tags: Tags,
    },
    /// Makes `document` the new default version; its undo needs the new version's id.
    Update {
        name: String,
        arn: String,
        document: Value,
        previous_version: String,
    },
    /// Undoes an update: `version` the default again, `remove` deleted, `pruned` put back.
    Restore {
        name: String,
        arn: String,
        version: String,
        remove: String,
        pruned: Option<Value>,
    },
    /// Deletes the policy with its versions; the rest is what recreating it takes.
    Delete {
        name: String,
        arn: String,
        document: Value,
        tags: Tags,
    },
}

impl Operation for PolicyStep {
    fn describe(&self) -> String {
        match self {
            PolicyStep::Create { name, .. } => format!("create policy {name}"),
            PolicyStep::Update { name, .. } => {
                format!("make a new default version of policy {name}")
            }
            PolicyStep::Restore { name, version, .. } => {
                format!("make version {version} the default of policy {name} again")
            }
            PolicyStep::Delete { name, .. } => format!("delete policy {name}"),
        }
    }

    fn how_by_hand(&self) -> Option<String> {
        match self {
            PolicyStep::Restore { arn, version, .. } => Some(format!(
                "aws iam set-default-policy-version --policy-arn {arn} --version-id {version}"
            )),
            PolicyStep::Delete { arn, .. } => Some(format!(
                "aws iam delete-policy --policy-arn {arn}  (delete its non-default versions first)"
            )),
            PolicyStep::Create { name, document, .. } => Some(format!(
                "aws iam create-policy --policy-name {name} --policy-document {}",
                crate::resources::by_hand::json_arg(document)
            )),
            PolicyStep::Update { .. } => None,
        }
    }

    /// An update's undo needs the version it added: by hand, the previous default comes back
    /// (the version it added, if any, is then a non-default one to delete).
    fn how_to_undo_by_hand(&self) -> Option<String> {
        match self {
            PolicyStep::Update {
                arn,
                previous_version,
                ..
            } => Some(format!(
                "aws iam set-default-policy-version --policy-arn {arn} --version-id {previous_version}  (then delete the newer version with aws iam delete-policy-version)"
            )),
            other => other.inverse().and_then(|undo| undo.how_by_hand()),
        }
    }

    fn inverse(&self) -> Option<Self> {
        Some(match self.clone() {
            PolicyStep::Create {
                name,
                arn,
                document,
                tags,
            } => PolicyStep::Delete {
                name,
                arn,
                document,
                tags,
            },
            PolicyStep::Delete {
                name,
                arn,
                document,
                tags,
            } => PolicyStep::Create {
                name,
                arn,
                document,
                tags,
            },
            PolicyStep::Update { .. } | PolicyStep::Restore { .. } => return None,
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let iam = &ctx.clients.iam;
        match self {
            PolicyStep::Create {
                name,
                arn,
                document,
                tags,
            } => {
                let made = create_once(
                    ctx,
                    async {
                        let tags = tags::with_run(tags, &ctx.run_id);
                        create(iam, name, document, &tags).await.map(|_| ())
                    },
                    async { Ok(observe(iam, name, arn).await?.map(|p| p.tags)) },
                    |_| true,
                )
                .await?;
                return Ok(made.undo(|| self.inverse()));
            }
            PolicyStep::Update {
                name,
                arn,
                document,
                previous_version,
            } => {
                // Read right before the write: a policy someone edited since the plan is stale.
                let now = default_version(iam, name, arn).await?;
                if now != *previous_version {
                    return Err(crate::error::Error::stale(
                        format!("policy[{name}] changed since the plan read it: its default version is now {now} (the plan read {previous_version}); it was not written"),
                        "someone else edited the policy while this run worked; run plan again and review the new plan",
                    ));
                }
                let (new_version, pruned) = update(iam, name, arn, document).await?;
                return Ok(Some(PolicyStep::Restore {
                    name: name.clone(),
                    arn: arn.clone(),
                    version: previous_version.clone(),
                    remove: new_version,
                    pruned,
                }));
            }
            PolicyStep::Restore {
                name,
                arn,
                version,
                remove,
                pruned,
            } => {
                // Compare-and-restore: only while our version is still the default.
                let now = default_version(iam, name, arn).await?;
                if now != *remove {
                    return Err(crate::error::Error::ChangedElsewhere(format!(
                        "policy[{name}] was changed by someone else after this run wrote it: its default version ({now}) left as it is"
                    )));
                }
                restore(iam, name, arn, version, remove, pruned.as_ref()).await?
            }
            PolicyStep::Delete { name, arn, .. } => delete(iam, name, arn).await?,
        }
        Ok(self.inverse())
    }
}
