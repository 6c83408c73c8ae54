//! Account-wide listings that tell, for many bots at once, which of the resources of
//! deterministic names exist: the account's own managed policies (ListPolicies, scope Local) and
//! its roles (ListRoles). `status` over a fleet turns them on: one listing per account instead
//! of probing each bot's four policy names and its dedicated role name (three calls each, nearly
//! always answering "no such entity"). `plan`, `apply` and `destroy` leave them off: for one bot
//! the probes are cheaper, and a write's decisions rest on reads of their own.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::OnceCell;

use crate::error::{Context, Result};

/// The listings of one connection (one account's credentials), made at most once each; a
/// listing that fails turns them off.
#[derive(Debug, Default)]
pub(crate) struct Listings {
    enabled: AtomicBool,
    local_policies: OnceCell<BTreeSet<String>>,
    roles: OnceCell<BTreeSet<String>>,
}

impl Listings {
    pub(crate) fn enable(&self) {
        self.enabled.store(true, Ordering::Relaxed);
    }

    /// The ARNs of the account's own managed policies, when listings are on.
    pub(crate) async fn local_policies(
        &self,
        iam: &aws_sdk_iam::Client,
    ) -> Result<Option<&BTreeSet<String>>> {
        if !self.enabled.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let listed = self.local_policies.get_or_try_init(|| async {
            let mut pages = iam
                .list_policies()
                .scope(aws_sdk_iam::types::PolicyScopeType::Local)
                .max_items(1000)
                .into_paginator()
                .send();
            let mut arns = BTreeSet::new();
            while let Some(page) = pages.next().await {
                let page = page.context("iam:ListPolicies", "policies[Local]")?;
                arns.extend(
                    page.policies()
                        .iter()
                        .filter_map(|p| p.arn().map(str::to_string)),
                );
            }
            Ok::<_, crate::error::Error>(arns)
        });
        self.or_probe(listed.await)
    }

    /// The names of the account's roles, when listings are on.
    pub(crate) async fn roles(
        &self,
        iam: &aws_sdk_iam::Client,
    ) -> Result<Option<&BTreeSet<String>>> {
        if !self.enabled.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let listed = self.roles.get_or_try_init(|| async {
            let mut pages = iam.list_roles().max_items(1000).into_paginator().send();
            let mut names = BTreeSet::new();
            while let Some(page) = pages.next().await {
                let page = page.context("iam:ListRoles", "roles[*]")?;
                names.extend(page.roles().iter().map(|r| r.role_name().to_string()));
            }
            Ok::<_, crate::error::Error>(names)
        });
        self.or_probe(listed.await)
    }

    /// A listing that failed (e.g. not allowed to these credentials) turns listings off: the
    /// names are probed one by one, as without them.
    fn or_probe<'a>(
        &self,
        listed: Result<&'a BTreeSet<String>>,
    ) -> Result<Option<&'a BTreeSet<String>>> {
        match listed {
            Ok(found) => Ok(Some(found)),
            Err(e) => {
                tracing::debug!(error = %e, "an account listing failed; probing each name");
                self.enabled.store(false, Ordering::Relaxed);
                Ok(None)
            }
        }
    }
}
