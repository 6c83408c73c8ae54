//! Finds what `verify` checks: the bot (by name or id) and its aliases, each with the role its
//! version runs on.

use crate::aws::Clients;
use crate::error::Result;
use crate::resources::alias::{self, Alias};
use crate::resources::bot::{self, Bot};
use crate::resources::version;

use super::args::Target;

/// Finds the bot by name or id.
async fn find_bot(clients: &Clients, name_or_id: &str) -> Result<Bot> {
    let (by_name, by_id) = tokio::join!(
        bot::find_id_by_name(&clients.lex, name_or_id),
        bot::describe(&clients.lex, name_or_id)
    );
    match (by_name?, by_id) {
        (Some(id), Ok(found)) if found.id != id => Err(bot::ambiguous(name_or_id, &found, &id)),
        (_, Ok(found)) => Ok(found),
        (Some(id), Err(_)) => bot::describe(&clients.lex, &id).await,
        (None, Err(e)) if bot::is_no_such_bot(&e) => {
            Err(bot::not_found(name_or_id, &clients.region))
        }
        (None, Err(e)) => Err(e),
    }
}

/// The bot and its aliases, each with the role its version runs on.
pub async fn observe_target(clients: &Clients, target: &Target) -> Result<(Bot, Vec<Alias>)> {
    let bot = find_bot(clients, &target.bot).await?;
    let ((ids, _), caller) = tokio::try_join!(
        alias::find_ids(&clients.lex, &bot.id, &bot.name, &target.aliases),
        clients.caller()
    )?;
    let mut aliases = alias::describe_all(&clients.lex, &caller.scope, &bot, &ids).await?;
    let roles = futures::future::try_join_all(aliases.iter().map(|a| {
        let (lex, bot) = (&clients.lex, &bot);
        async move {
            if a.on_draft() {
                Ok(bot.role_arn().map(str::to_string))
            } else {
                version::role_of(lex, &bot.id, &bot.name, a.version()).await
            }
        }
    }))
    .await?;
    for (a, role) in aliases.iter_mut().zip(roles) {
        a.runs_on = role;
    }
    Ok((bot, aliases))
}
