//! The account's IAM quotas the plan checks before it changes anything: how many managed
//! policies one role may have attached (`AttachedPoliciesPerRoleQuota`, 10 unless the account
//! had it raised; <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>),
//! read with `iam:GetAccountSummary` once, and only when a plan could reach the default.

use crate::error::{Context, Result};

/// IAM's default quota of managed policies attached to one role; an account may raise it.
pub(crate) const DEFAULT_ATTACHED_POLICIES_PER_ROLE: usize = 10;

/// The account's `AttachedPoliciesPerRoleQuota`; `None` when GetAccountSummary is refused (the
/// plan then assumes the default, and says so in a debug line).
pub(crate) async fn attached_policies_per_role(iam: &aws_sdk_iam::Client) -> Result<Option<usize>> {
    match iam
        .get_account_summary()
        .send()
        .await
        .context("iam:GetAccountSummary", "account")
    {
        Ok(out) => Ok(out
            .summary_map()
            .and_then(|m| m.get(&aws_sdk_iam::types::SummaryKeyType::AttachedPoliciesPerRoleQuota))
            .and_then(|v| usize::try_from(*v).ok())),
        Err(e) if e.has_code(&["AccessDenied", "AccessDeniedException"]) => {
            tracing::debug!(error = %e, "GetAccountSummary refused; assuming IAM's default quota of attached policies per role");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// True when attaching `adding` more policies to some role among `attached_counts` could pass
/// IAM's default quota: only then is the account's quota worth a read.
pub(crate) fn quota_matters(
    attached_counts: impl IntoIterator<Item = usize>,
    adding: usize,
) -> bool {
    attached_counts
        .into_iter()
        .any(|n| n + adding > DEFAULT_ATTACHED_POLICIES_PER_ROLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_is_read_only_when_the_default_could_be_passed() {
        assert!(!quota_matters([0, 7], 3));
        assert!(quota_matters([0, 8], 3));
        assert!(!quota_matters(Vec::<usize>::new(), 3));
    }
}
