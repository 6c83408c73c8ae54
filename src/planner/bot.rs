//! The bot: switched to our role once the role has every permission (dedicated apply), and back
//! to the role it ran on before (dedicated destroy).

use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::{Action, Address, Change, Resource};
use crate::resources::bot::{BotStep, Guard};
use crate::resources::role::RoleState;
use crate::resources::tags;
use crate::step::Step;

/// The bot on `role_arn`, after the changes at `after`; a no-op when it runs on our role.
pub(super) fn bot_role_change(obs: &Observed, role_arn: &str, after: &[Address]) -> Change {
    let bot_addr = Address::Bot(obs.bot.name.clone());
    let current_role = obs.bot.role_arn().unwrap_or_default();
    if obs.bot_on_our_role() {
        return Change::no_op(&obs.provider, bot_addr, Resource::bot(current_role));
    }
    let update = Step::Bot(BotStep::SetRole {
        bot_id: obs.bot.id.clone(),
        bot_name: obs.bot.name.clone(),
        expected: obs.bot.role_arn().map(str::to_string),
        role_arn: role_arn.to_string(),
        guard: Guard::Plan,
    });
    let (before, after_value) = (Resource::bot(current_role), Resource::bot(role_arn));
    Change::new(
        &obs.provider,
        bot_addr,
        Action::Update,
        Some(before),
        Some(after_value),
        update,
    )
    .needs(after.iter().cloned())
}

/// Destroy: the bot back on the role our role recorded as its previous one, after the aliases;
/// a no-op when the bot does not run on our role.
pub(super) fn bot_back_change(
    obs: &Observed,
    role: Option<&RoleState>,
    aliases: &[Address],
) -> Result<Change> {
    let bot_addr = Address::Bot(obs.bot.name.clone());
    let current_role = obs.bot.role_arn().unwrap_or_default();
    if !obs.bot_on_our_role() {
        return Ok(Change::no_op(
            &obs.provider,
            bot_addr,
            Resource::bot(current_role),
        ));
    }
    let role_name = obs.role_name.as_str();
    let previous = role.and_then(|r| r.tags.get(tags::PREVIOUS_ROLE)).ok_or_else(|| {
        Error::invalid(
            format!("bot {} runs with role {role_name}, which has no record of the bot's previous role", obs.bot.name),
            "set the bot's role by hand (Lex console or aws lexv2-models update-bot), then run destroy again",
        )
    })?;
    let update = Step::Bot(BotStep::SetRole {
        bot_id: obs.bot.id.clone(),
        bot_name: obs.bot.name.clone(),
        expected: obs.bot.role_arn().map(str::to_string),
        role_arn: previous.clone(),
        guard: Guard::Plan,
    });
    let (before, after) = (Resource::bot(current_role), Resource::bot(previous));
    Ok(Change::new(
        &obs.provider,
        bot_addr,
        Action::Update,
        Some(before),
        Some(after),
        update,
    )
    .needs(aliases.iter().cloned()))
}
