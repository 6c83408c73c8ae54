//! Which role writes an alias's logs, and that role with every policy it has.
//!
//! The rule lives here once ([`writer_role`]): an alias on DRAFT runs on the bot's role, one on a
//! published version on the role that version was built with. Plan (through `waves`), verify
//! (through `aliases`) and status (through plan's observation) all set `Alias::runs_on` with it.
//! [`writer_policies`] reads the documents verify's static check judges, taking what an
//! observation already read (the writers, our role, our policies, the boundaries) instead of
//! reading it again.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Observed;
use crate::error::Result;
use crate::resources::alias::Alias;
use crate::resources::bot::Bot;
use crate::resources::managed_policy;
use crate::resources::role::{self, RoleState};
use crate::resources::version_contents::VersionContents;

/// The role that writes `alias`'s logs: the bot's for DRAFT, else the role of the version it
/// runs (`versions`: what each published version holds, as DescribeBotVersion gives it).
pub(crate) fn writer_role(
    alias: &Alias,
    bot: &Bot,
    versions: &BTreeMap<String, VersionContents>,
) -> Option<String> {
    if alias.on_draft() {
        bot.role_arn().map(str::to_string)
    } else {
        versions.get(alias.version()).and_then(|v| v.role.clone())
    }
}

/// Sets the role each alias runs on ([`writer_role`]).
pub(crate) fn set_runs_on<'a>(
    aliases: impl Iterator<Item = &'a mut Alias>,
    bot: &Bot,
    versions: &BTreeMap<String, VersionContents>,
) {
    for alias in aliases {
        alias.runs_on = writer_role(alias, bot, versions);
    }
}

/// A role that writes logs, with the documents of every policy it has.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterPolicies {
    /// The role, with every inline policy's document.
    pub state: RoleState,
    /// Each attached managed policy's ARN and document (`None`: it does not exist).
    pub managed: Vec<(String, Option<Value>)>,
    /// The permissions boundary's ARN and document (`None`: it cannot be read).
    pub boundary: Option<(String, Option<Value>)>,
}

/// Each role of `arns` with its policies (`None`: the role does not exist), reading only what
/// `known` (an observation of the bot, when there is one) has not read already.
pub(crate) async fn writer_policies(
    iam: &aws_sdk_iam::Client,
    arns: impl IntoIterator<Item = String>,
    known: Option<&Observed>,
) -> Result<BTreeMap<String, Option<WriterPolicies>>> {
    let arns: std::collections::BTreeSet<String> = arns.into_iter().collect();
    let found =
        futures::future::try_join_all(arns.iter().map(|arn| writer_with_policies(iam, arn, known)))
            .await?;
    Ok(arns.into_iter().zip(found).collect())
}

async fn writer_with_policies(
    iam: &aws_sdk_iam::Client,
    arn: &str,
    known: Option<&Observed>,
) -> Result<Option<WriterPolicies>> {
    let Some(state) = role_of(iam, arn, known).await? else {
        return Ok(None);
    };
    let managed = futures::future::try_join_all(state.attached.iter().map(|policy| async move {
        let found = document(iam, policy, known).await?;
        Ok::<_, crate::error::Error>((policy.clone(), found))
    }));
    let boundary = async {
        match &state.boundary {
            Some(b) => Ok(Some((b.clone(), boundary_document(iam, b, known).await?))),
            None => Ok::<_, crate::error::Error>(None),
        }
    };
    let (managed, boundary): (Vec<(String, Option<Value>)>, _) =
        tokio::try_join!(managed, boundary)?;
    Ok(Some(WriterPolicies {
        state,
        managed,
        boundary,
    }))
}

/// The role at `arn` with every inline document: our role as observed (complete), a writer as
/// observed (its other inline policies read now: listed beside it when service-linked), or
/// read whole.
async fn role_of(
    iam: &aws_sdk_iam::Client,
    arn: &str,
    known: Option<&Observed>,
) -> Result<Option<RoleState>> {
    let name = crate::arn::iam_name(arn).unwrap_or(arn);
    let Some(known) = known else {
        return role::observe(iam, name).await;
    };
    if let Some(ours) = known.role.as_ref().filter(|r| r.arn == arn) {
        return Ok(Some(ours.clone()));
    }
    if let Some(earlier) = known.earlier_role.as_ref().filter(|e| e.state.arn == arn) {
        return Ok(Some(earlier.state.clone()));
    }
    match known.writers.get(arn) {
        Some(writer) => match &writer.state {
            // A service-linked writer's inline policies were all listed beside it: the
            // documents not read yet are read now.
            Some(_) if writer.service_linked => {
                let mut writer = writer.clone();
                writer.read_unread_inline(iam).await?;
                Ok(writer.state)
            }
            Some(state) => with_every_inline(iam, state.clone()).await,
            None => Ok(None),
        },
        None => role::observe(iam, name).await,
    }
}

/// A managed policy's document: ours as observed, else read.
async fn document(
    iam: &aws_sdk_iam::Client,
    arn: &str,
    known: Option<&Observed>,
) -> Result<Option<Value>> {
    let observed = known.into_iter().flat_map(|k| {
        let ours = k.policies.values().flatten();
        ours.chain(k.earlier_role.iter().flat_map(|e| e.policies.iter()))
    });
    if let Some(found) = observed.into_iter().find(|p| p.arn == arn) {
        return Ok(Some(found.document.clone()));
    }
    if super::aws_managed::is_aws_managed(arn) {
        return super::aws_managed::document(iam, arn).await;
    }
    let name = crate::arn::iam_name(arn).unwrap_or(arn);
    Ok(managed_policy::observe(iam, name, arn)
        .await?
        .map(|p| p.document))
}

/// A boundary's document: as observed for the plan's boundary check, else read; `None` when it
/// does not exist (or, as observed, could not be read).
async fn boundary_document(
    iam: &aws_sdk_iam::Client,
    arn: &str,
    known: Option<&Observed>,
) -> Result<Option<Value>> {
    if let Some(found) = known.and_then(|k| k.boundaries.get(arn)) {
        return Ok(found.clone());
    }
    document(iam, arn, known).await
}

/// A writer as observed (only our inline policy was read), completed: its inline policies
/// listed, and the documents not read yet read. `None` when the role is gone.
async fn with_every_inline(
    iam: &aws_sdk_iam::Client,
    mut state: RoleState,
) -> Result<Option<RoleState>> {
    let names = match role::inline_policy_names(iam, &state.name).await {
        Err(e) if e.is_not_found() => return Ok(None),
        other => other?,
    };
    let missing: Vec<String> = names
        .iter()
        .filter(|n| !state.inline.contains_key(*n))
        .cloned()
        .collect();
    let read = role::inline_documents(iam, &state.name, &missing).await?;
    state.inline.retain(|n, _| names.contains(n));
    state.inline.extend(read);
    Ok(Some(state))
}
