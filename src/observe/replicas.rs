//! The regions a bot is replicated to (Lex V2 Global Resiliency: `ListBotReplicas`, one call in
//! the bot's region), and in each the log group of the text logs' name. A replica runs the bot's
//! aliases with the same ids and settings, so its text logs go to the group of that name in the
//! replica region (https://docs.aws.amazon.com/lexv2/latest/dg/global-resiliency.html); each
//! region is read with the same credentials as the bot's (`Clients::in_region`).

use crate::arn::Scope;
use crate::aws::Clients;
use crate::error::{Context, Result};
use crate::provider::Provider;
use crate::resources::log_group::LogGroupState;

use super::reads::read_log_group;

/// One region a bot is replicated to, and what this setup needs there.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaRegion {
    pub region: String,
    /// `botReplicaStatus` as ListBotReplicas gives it (Enabling, Enabled, Deleting, Failed).
    pub status: String,
    /// Who applies the changes in that region: the bot's provider, in that region.
    pub provider: Provider,
    pub scope: Scope,
    /// The text logs' group of the same name in that region (`None` inside: it does not exist);
    /// `None` without text logs.
    pub log_group: Option<(String, Option<LogGroupState>)>,
}

/// The bot's replica regions (none for a bot that is not replicated), each with the log group
/// `log_group` names read there.
pub(crate) async fn read(
    clients: &Clients,
    bot_id: &str,
    provider: &Provider,
    scope: &Scope,
    log_group: Option<&str>,
) -> Result<Vec<ReplicaRegion>> {
    let regions = replica_regions(clients, bot_id).await?;
    futures::future::try_join_all(regions.into_iter().map(|(region, status)| async move {
        let scope = scope.in_region(&region);
        let group = match log_group {
            Some(name) => {
                let there = clients.in_region(&region)?;
                let state = read_log_group(&there, &scope, name)
                    .await
                    .map_err(|e| e.placed(&in_region(provider, &region)))?;
                Some((name.to_string(), state))
            }
            None => None,
        };
        Ok(ReplicaRegion {
            provider: in_region(provider, &region),
            scope,
            region,
            status,
            log_group: group,
        })
    }))
    .await
}

/// The regions ListBotReplicas names for the bot (in its region), with their status; a replica
/// being deleted is no longer one to set up.
pub(crate) async fn replica_regions(
    clients: &Clients,
    bot_id: &str,
) -> Result<Vec<(String, String)>> {
    let out = clients
        .lex
        .list_bot_replicas()
        .bot_id(bot_id)
        .send()
        .await
        .context("lex:ListBotReplicas", format!("bot[{bot_id}]"))?;
    let mut regions: Vec<(String, String)> = out
        .bot_replica_summaries()
        .iter()
        .filter_map(|s| {
            let status = s.bot_replica_status().map(|s| s.as_str().to_string());
            let region = s.replica_region()?.to_string();
            (status.as_deref() != Some("Deleting")).then(|| (region, status.unwrap_or_default()))
        })
        .collect();
    regions.sort();
    regions.dedup();
    Ok(regions)
}

/// `provider` in `region`: the same account and role.
pub(crate) fn in_region(provider: &Provider, region: &str) -> Provider {
    Provider {
        region: region.to_string(),
        ..provider.clone()
    }
}
