//! The static check of `verify`: what an alias's conversation log settings need (the role its
//! version runs on, Lex's right to assume it, the role's permissions on the exact destinations,
//! the destinations themselves), read from AWS once and judged by a pure function with
//! [`crate::iam_eval`]. No conversation is needed, and no `iam:SimulatePrincipalPolicy`.
//!
//! This module reads from AWS; `destinations` parses the alias's settings, `facts` holds what
//! was read, and `diagnosis` judges it.

mod destinations;
mod diagnosis;
mod facts;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::aws::Clients;
use crate::error::{Context as _, Error, Result};
use crate::iam_eval::NamedPolicy;
use crate::resources::{log_group, managed_policy, role};

pub use destinations::{destinations, AudioDest, Destinations, TextDest};
pub use diagnosis::{diagnose, Diagnosis};
pub use facts::{utc_date, AliasFacts, KeyFacts, RoleFacts};

/// Reads a role with the documents of its policies; `None` when it does not exist.
pub async fn read_role(clients: &Clients, arn: &str) -> Result<Option<RoleFacts>> {
    let iam = &clients.iam;
    let name = crate::arn::iam_name(arn).unwrap_or(arn);
    let Some(state) = role::observe(iam, name).await? else {
        return Ok(None);
    };
    let managed = |policy_arn: String| async move {
        let policy_name = crate::arn::iam_name(&policy_arn)
            .unwrap_or(&policy_arn)
            .to_string();
        let found = managed_policy::observe(iam, &policy_name, &policy_arn).await?;
        Ok::<_, Error>(
            found.map(|p| NamedPolicy::new(format!("{policy_name} (managed)"), p.document)),
        )
    };
    let (attached, boundary) = tokio::try_join!(
        futures::future::try_join_all(state.attached.iter().cloned().map(managed)),
        async {
            match &state.boundary {
                Some(b) => managed(b.clone()).await,
                None => Ok(None),
            }
        }
    )?;
    let mut identity: Vec<NamedPolicy> = attached.into_iter().flatten().collect();
    identity.extend(
        state
            .inline
            .iter()
            .map(|(n, d)| NamedPolicy::new(format!("{n} (inline)"), d.clone())),
    );
    Ok(Some(RoleFacts {
        arn: state.arn.clone(),
        trust: NamedPolicy::new(format!("the trust policy of {}", state.name), state.trust),
        identity,
        // A boundary that cannot be read allows nothing.
        boundary: match (&state.boundary, boundary) {
            (_, Some(found)) => Some(found),
            (Some(arn), None) => Some(NamedPolicy::new(arn.clone(), Value::Null)),
            (None, None) => None,
        },
    }))
}

pub async fn read_key(clients: &Clients, key: &str) -> Result<KeyFacts> {
    let out = match clients
        .kms
        .describe_key()
        .key_id(key)
        .send()
        .await
        .context("kms:DescribeKey", format!("kms_key[{key}]"))
    {
        Ok(out) => out,
        Err(e) if e.is_not_found() => return Ok(KeyFacts::Missing { key: key.into() }),
        Err(e) => return Err(e),
    };
    let metadata = out.key_metadata().expect("DescribeKey returns metadata");
    let arn = metadata.arn().unwrap_or(key).to_string();
    let state = metadata
        .key_state()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    if !metadata.enabled() || (!state.is_empty() && state != "Enabled") {
        return Ok(KeyFacts::NotEnabled { arn, state });
    }
    let policy = match clients
        .kms
        .get_key_policy()
        .key_id(&arn)
        .policy_name("default")
        .send()
        .await
    {
        Ok(out) => out
            .policy()
            .and_then(|p| serde_json::from_str::<Value>(p).ok()),
        Err(e) => {
            tracing::debug!(error = ?e, "GetKeyPolicy failed; the key policy is not checked");
            None
        }
    };
    Ok(KeyFacts::Usable { arn, policy })
}

/// True when the log group exists.
pub async fn log_group_exists(clients: &Clients, name: &str) -> Result<bool> {
    Ok(log_group::observe(&clients.logs, name, None)
        .await?
        .is_some())
}

/// True when the bucket exists (and is reachable with these credentials).
pub async fn bucket_exists(clients: &Clients, bucket: &str) -> Result<bool> {
    match clients.s3.head_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error().is_some_and(|s| s.is_not_found())
                || e.raw_response().is_some_and(|r| r.status().as_u16() == 404) =>
        {
            Ok(false)
        }
        Err(e) => {
            Err(
                crate::error::AwsError::from_sdk("s3:HeadBucket", format!("bucket[{bucket}]"), &e)
                    .into(),
            )
        }
    }
}

/// Reads what the static check of several aliases needs, each role and key once.
pub async fn read_roles(
    clients: &Clients,
    arns: impl IntoIterator<Item = String>,
) -> Result<BTreeMap<String, Option<RoleFacts>>> {
    let arns: std::collections::BTreeSet<String> = arns.into_iter().collect();
    let found =
        futures::future::try_join_all(arns.iter().map(|arn| read_role(clients, arn))).await?;
    Ok(arns.into_iter().zip(found).collect())
}
#[cfg(test)]
mod tests;
