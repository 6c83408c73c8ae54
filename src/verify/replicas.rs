//! Verify in the regions a bot is replicated to (Lex V2 Global Resiliency): the replica runs the
//! bot's aliases with the same ids and settings, and logs to the group of the same name in its
//! region, so each alias is checked there too (statically, and with a probe turn whose log line
//! is read back in that region), with the same credentials in that region. TestBotAlias is not
//! replicated (the replica has the published versions and their aliases).

use crate::aws::Clients;
use crate::cli::VerifyOptions;
use crate::error::Result;
use crate::observe::{self, Reads};
use crate::progress::Progress;
use crate::resources::alias::{Alias, TEST_ALIAS_ID};
use crate::resources::bot::Bot;

use super::report::AliasReport;
use super::{judge, Observation};

/// The reports of every alias of `bots` in each region its bot is replicated to, each saying
/// the region; none for a bot that is not replicated.
pub(super) async fn verify_replicas(
    clients: &Clients,
    progress: &Progress,
    bots: &[(Bot, Vec<Alias>)],
    options: &VerifyOptions,
    first_index: usize,
) -> Result<Vec<AliasReport>> {
    let mut runs = Vec::new();
    let mut index = first_index;
    for (bot, aliases) in bots {
        let ids: Vec<String> = aliases
            .iter()
            .map(|a| a.id.clone())
            .filter(|id| id != TEST_ALIAS_ID)
            .collect();
        if ids.is_empty() {
            continue;
        }
        for (region, _) in observe::replica_regions(clients, &bot.id).await? {
            runs.push(in_replica(
                clients,
                progress,
                bot,
                ids.clone(),
                region,
                options,
                index,
            ));
            index += ids.len();
        }
    }
    let reports = futures::future::try_join_all(runs).await?;
    Ok(reports.into_iter().flatten().collect())
}

/// The aliases `ids` of `bot` as its replica in `region` runs them, verified there.
async fn in_replica(
    clients: &Clients,
    progress: &Progress,
    bot: &Bot,
    ids: Vec<String>,
    region: String,
    options: &VerifyOptions,
    first_index: usize,
) -> Result<Vec<AliasReport>> {
    let there = clients.in_region(&region)?;
    let replica = observe::bot_and_aliases(&there, &bot.id, &ids).await?;
    let role_arns = replica.1.iter().filter_map(|a| a.runs_on.clone());
    let roles = observe::writer_policies(&there.iam, role_arns, None).await?;
    let scope = there.caller().await?.scope;
    let bots = [replica];
    let observation = Observation {
        scope: &scope,
        bots: &bots,
        roles,
    };
    let mut reads = Reads::default();
    let mut reports = judge(
        &there,
        progress,
        observation,
        &mut reads,
        options,
        first_index,
    )
    .await?;
    for report in &mut reports {
        report.replica_region = Some(region.clone());
    }
    Ok(reports)
}
