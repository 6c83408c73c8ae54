//! Observation of the permissions boundaries of the roles that would write the logs (in place: the
//! customer roles the aliases' versions run on; dedicated: our role, or the boundary it would carry
//! from the bot's previous role), for the plan's boundary check (`crate::planner`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Observed;
use crate::error::Result;
use crate::resources::managed_policy;
use crate::resources::role::PreviousRole;

/// The boundary ARNs whose documents the plan needs.
pub(crate) fn boundary_arns(observed: &Observed) -> BTreeSet<String> {
    let mut arns: BTreeSet<String> = observed
        .writers
        .values()
        .filter_map(|w| w.state.as_ref()?.boundary.clone())
        .collect();
    arns.extend(observed.role.as_ref().and_then(|r| r.boundary.clone()));
    if let Some(PreviousRole::Customer {
        boundary: Some(b), ..
    }) = &observed.previous
    {
        arns.insert(b.clone());
    }
    arns
}

/// Each boundary's document (the default version); `None` when it cannot be read (the plan then
/// says it could not check it). No call at all when no role has a boundary.
pub(super) async fn read(
    iam: &aws_sdk_iam::Client,
    observed: &Observed,
) -> Result<BTreeMap<String, Option<Value>>> {
    let arns = boundary_arns(observed);
    let found = futures::future::join_all(arns.iter().map(|arn| async move {
        let name = crate::arn::iam_name(arn).unwrap_or(arn);
        match managed_policy::observe(iam, name, arn).await {
            Ok(found) => found.map(|p| p.document),
            Err(e) => {
                tracing::debug!(error = %e, boundary = %arn, "the boundary cannot be read");
                None
            }
        }
    }))
    .await;
    Ok(arns.into_iter().zip(found).collect())
}
