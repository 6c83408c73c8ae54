//! What `verify` observes of a bot when there is no plan to make: the bot (by name or id, found
//! as plan finds it) and the aliases named, each with the role that writes its logs (the one
//! rule, [`super::writers::writer_role`]).

use std::collections::BTreeSet;

use super::lex;
use super::writers::set_runs_on;
use crate::aws::Clients;
use crate::error::Result;
use crate::resources::alias::{self, Alias};
use crate::resources::bot::{self, Bot};
use crate::resources::version::DRAFT;

/// The bot `name_or_id` names and its aliases `aliases` (names or ids), each with the role it
/// runs on.
pub(crate) async fn bot_and_aliases(
    clients: &Clients,
    name_or_id: &str,
    aliases: &[String],
) -> Result<(Bot, Vec<Alias>)> {
    let lex_client = &clients.lex;
    let (by_name, by_id) = tokio::join!(
        bot::find_id_by_name(lex_client, name_or_id),
        bot::describe(lex_client, name_or_id)
    );
    let by_id = lex::found_by_id(by_id)?;
    let (known, bot_id, _) = lex::resolve_bot(name_or_id, &clients.region, by_id, by_name?)?;
    let bot = lex::bot(lex_client, known.as_ref(), &bot_id).await?;
    let ((ids, _), caller) = tokio::try_join!(
        alias::find_ids(lex_client, &bot.id, &bot.name, aliases),
        clients.caller()
    )?;
    let mut found = alias::describe_all(lex_client, &caller.scope, &bot, &ids).await?;
    let versions: BTreeSet<String> = found
        .iter()
        .map(|a| a.version().to_string())
        .filter(|v| v != DRAFT)
        .collect();
    let described = lex::versions_described(lex_client, &bot, &versions).await?;
    set_runs_on(found.iter_mut(), &bot, &described);
    Ok((bot, found))
}
