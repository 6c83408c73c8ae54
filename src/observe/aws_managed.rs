//! The documents of AWS managed policies (`arn:aws:iam::aws:policy/...`), read once per run:
//! they are the same in every account of a partition, and a fleet's writers usually carry the
//! same one (AmazonLexV2BotPolicy on every Lex service-linked role), so `status` over a hundred
//! bots reads it once instead of a hundred times. Only the document is read (GetPolicy for its
//! default version, and that version), never who it is attached to.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use tokio::sync::OnceCell;

use crate::error::{Context, Result};

type Cached = Arc<OnceCell<Option<Value>>>;

fn cache() -> &'static Mutex<HashMap<String, Cached>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Cached>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Whether `arn` is an AWS managed policy (account `aws`).
pub(crate) fn is_aws_managed(arn: &str) -> bool {
    arn.split(':').nth(4) == Some("aws") && arn.contains(":policy/")
}

/// The default version's document of the AWS managed policy `arn` (`None`: no such policy),
/// read at most once per run and partition.
pub(crate) async fn document(iam: &aws_sdk_iam::Client, arn: &str) -> Result<Option<Value>> {
    let cell = cache()
        .lock()
        .expect("never poisoned")
        .entry(arn.to_string())
        .or_default()
        .clone();
    cell.get_or_try_init(|| read(iam, arn)).await.cloned()
}

async fn read(iam: &aws_sdk_iam::Client, arn: &str) -> Result<Option<Value>> {
    let address = format!("policy[{arn}]");
    let found = match iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .context("iam:GetPolicy", &address)
    {
        Ok(out) => out.policy.expect("GetPolicy returns the policy"),
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let version = found.default_version_id().unwrap_or("v1");
    crate::resources::managed_policy::version_document(iam, arn, version, &address)
        .await
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::is_aws_managed;

    #[test]
    fn only_the_aws_account_s_policies_are_aws_managed() {
        assert!(is_aws_managed(
            "arn:aws:iam::aws:policy/aws-service-role/AmazonLexV2BotPolicy"
        ));
        assert!(is_aws_managed("arn:aws-cn:iam::aws:policy/ReadOnlyAccess"));
        assert!(!is_aws_managed("arn:aws:iam::123456789012:policy/aws"));
        assert!(!is_aws_managed(
            "arn:aws:iam::123456789012:policy/x/aws:policy/y"
        ));
    }
}
