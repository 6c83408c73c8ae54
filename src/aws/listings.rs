//! Account-wide listings that tell, for many bots at once, which of the resources of
//! deterministic names exist: the account's own managed policies (ListPolicies, scope Local), its
//! roles (ListRoles), and the alarms of ours (DescribeAlarms by our name prefix, in the clients'
//! region). `status` turns them on: one listing per account (alarms: per account and region)
//! instead of probing each bot's four policy names and its dedicated role name (three calls
//! each, nearly always answering "no such entity") and each bot's alarm names. `plan`, `apply`
//! and `destroy` leave them off: for one bot the probes are cheaper, and a write's decisions rest
//! on reads of their own.
//!
//! `status --all-bots` also keeps what it listed to find its bots: the region's bots
//! (ListBots) and each bot's aliases (ListBotAliases), so that observing a bot finds it, and its
//! aliases, without asking again.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use aws_sdk_cloudwatch::types::MetricAlarm;
use tokio::sync::OnceCell;

use crate::error::{Context, Result};

/// The listings of one connection (one account's credentials in one region), made at most once
/// each.
#[derive(Debug, Default)]
pub(crate) struct Listings {
    enabled: AtomicBool,
    local_policies: Listing<BTreeSet<String>>,
    roles: Listing<BTreeSet<String>>,
    alarms: Listing<BTreeMap<String, MetricAlarm>>,
    /// The region's bots as (id, name), once `status --all-bots` listed them.
    bots: Listing<Vec<(String, String)>>,
    /// Each listed bot's aliases as (id, name, version), by bot id, until its observation takes
    /// them.
    aliases: Mutex<BTreeMap<String, Vec<ListedAlias>>>,
}

/// An alias as ListBotAliases gives it: id, name, and the version it runs.
type ListedAlias = (String, String, String);

/// One listing: `None` inside once it failed (e.g. not allowed to these credentials); the names
/// it would have answered for are then probed one by one, as without it.
#[derive(Debug)]
struct Listing<T>(OnceCell<Option<T>>);

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Listing(OnceCell::new())
    }
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
        Ok(self
            .listed(&self.local_policies, || async {
                let mut pages = iam
                    .list_policies()
                    .scope(aws_sdk_iam::types::PolicyScopeType::Local)
                    .max_items(1000)
                    .into_paginator()
                    .send();
                let mut arns = BTreeSet::new();
                while let Some(page) = pages.next().await {
                    let page = page.context("iam:ListPolicies", "policies[Local]")?;
                    let listed = page.policies().iter();
                    arns.extend(listed.filter_map(|p| p.arn().map(str::to_string)));
                }
                Ok(arns)
            })
            .await)
    }

    /// The names of the account's roles, when listings are on.
    pub(crate) async fn roles(
        &self,
        iam: &aws_sdk_iam::Client,
    ) -> Result<Option<&BTreeSet<String>>> {
        Ok(self
            .listed(&self.roles, || async {
                let mut pages = iam.list_roles().max_items(1000).into_paginator().send();
                let mut names = BTreeSet::new();
                while let Some(page) = pages.next().await {
                    let page = page.context("iam:ListRoles", "roles[*]")?;
                    names.extend(page.roles().iter().map(|r| r.role_name().to_string()));
                }
                Ok(names)
            })
            .await)
    }

    /// The metric alarms of the clients' region whose names start with `prefix` (our alarms'
    /// prefix: every caller gives the same), by name, when listings are on.
    pub(crate) async fn alarms(
        &self,
        cloudwatch: &aws_sdk_cloudwatch::Client,
        prefix: &str,
    ) -> Result<Option<&BTreeMap<String, MetricAlarm>>> {
        Ok(self
            .listed(&self.alarms, || async {
                let mut pages = cloudwatch
                    .describe_alarms()
                    .alarm_name_prefix(prefix)
                    .max_records(100)
                    .into_paginator()
                    .send();
                let mut alarms = BTreeMap::new();
                while let Some(page) = pages.next().await {
                    let page =
                        page.context("cloudwatch:DescribeAlarms", format!("alarms[{prefix}*]"))?;
                    alarms.extend(page.metric_alarms().iter().filter_map(|a| {
                        let name = a.alarm_name()?;
                        Some((name.to_string(), a.clone()))
                    }));
                }
                Ok(alarms)
            })
            .await)
    }

    /// The region's bots as (id, name), listed now unless already, when listings are on.
    pub(crate) async fn bots(
        &self,
        lex: &aws_sdk_lexmodelsv2::Client,
    ) -> Option<&Vec<(String, String)>> {
        self.listed(&self.bots, || async {
            let mut pages = lex.list_bots().into_paginator().send();
            let mut bots = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.context("lex:ListBots", "bots")?;
                bots.extend(
                    page.bot_summaries()
                        .iter()
                        .filter_map(|b| Some((b.bot_id()?.to_string(), b.bot_name()?.to_string()))),
                );
            }
            Ok(bots)
        })
        .await
    }

    /// The region's bots, if they were listed already (no call).
    pub(crate) fn bots_listed(&self) -> Option<&Vec<(String, String)>> {
        let listed = self.bots.0.get()?.as_ref();
        listed.filter(|_| self.enabled.load(Ordering::Relaxed))
    }

    /// Keeps a bot's aliases as listed, for its observation.
    pub(crate) fn keep_aliases(&self, bot_id: &str, listed: Vec<ListedAlias>) {
        if self.enabled.load(Ordering::Relaxed) {
            let mut kept = self.aliases.lock().unwrap_or_else(|e| e.into_inner());
            kept.insert(bot_id.to_string(), listed);
        }
    }

    /// A bot's aliases as listed, if they were kept (once: whoever takes them reads them).
    pub(crate) fn take_aliases(&self, bot_id: &str) -> Option<Vec<ListedAlias>> {
        let mut kept = self.aliases.lock().unwrap_or_else(|e| e.into_inner());
        kept.remove(bot_id)
    }

    /// What `listing` holds, listed now by `list` unless it was already (once however many ask
    /// at once); `None` when listings are off or this listing failed (then its names are
    /// probed one by one: a failure is no error).
    async fn listed<'a, T, F, Fut>(&self, listing: &'a Listing<T>, list: F) -> Option<&'a T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        if !self.enabled.load(Ordering::Relaxed) {
            return None;
        }
        let made = listing.0.get_or_init(|| async {
            match list().await {
                Ok(found) => Some(found),
                Err(e) => {
                    tracing::debug!(error = %e, "an account listing failed; probing each name");
                    None
                }
            }
        });
        made.await.as_ref()
    }
}
