//! Ownership refusals, in one pure place: what lex-logs-setup will not touch because it is not
//! its own (a role or policy of our name that we did not make, the logging role of another bot)
//! or because Lex forbids logs for it (a child-directed bot). Functions over `Spec` and
//! `Observed`; no I/O. Run once, right after observation and before anything is planned, so a
//! refusal comes before any change.

use crate::documents;
use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::Mode;
use crate::resources::bot::Bot;
use crate::resources::role::RoleState;
use crate::resources::tags;
use crate::spec::Spec;

/// Refuses what `mode` must not do to what was observed for `spec`.
pub(crate) fn refuse(spec: &Spec, observed: &Observed, mode: Mode) -> Result<()> {
    match mode {
        Mode::Apply => refuse_apply(spec, observed),
        Mode::Destroy => refuse_destroy(spec, observed),
    }
}

/// A log group given by an ARN of another account or region than the bot's: Lex writes
/// conversation logs only to a group in the bot's own account and region.
fn refuse_group_elsewhere(spec: &Spec, observed: &Observed) -> Result<()> {
    let Some((region, account)) = spec.text.as_ref().and_then(|t| t.log_group_place.as_ref())
    else {
        return Ok(());
    };
    let scope = &observed.scope;
    if (region, account) == (&scope.region, &scope.account) {
        return Ok(());
    }
    Err(Error::invalid(
        format!(
            "--log-group names a group of account {account} in {region}, but bot {} is in account {} in {}: Lex writes conversation logs only to a group in the bot's own account and region; nothing was changed",
            observed.bot.name, scope.account, scope.region
        ),
        "give a group of the bot's account and region (its name is enough)",
    ))
}

/// Apply: a child-directed bot; in the dedicated-role mode, a role of our name that is not ours
/// or is another bot's; in either mode, a managed policy of our name that is not ours.
fn refuse_apply(spec: &Spec, observed: &Observed) -> Result<()> {
    refuse_child_directed(&observed.bot)?;
    refuse_group_elsewhere(spec, observed)?;
    if spec.dedicated() {
        if let Some(role) = &observed.role {
            refuse_foreign_role(role)?;
            if let Some(other) = other_bot(role, &observed.bot) {
                return Err(Error::invalid(
                    format!(
                        "role {} is the logging role of another bot ({other})",
                        role.name
                    ),
                    "pass --role-name with another name for this bot's logging role",
                ));
            }
        }
    }
    refuse_foreign_policies(observed)?;
    refuse_foreign_inline(observed)
}

/// Destroy of a dedicated-role setup (asked for with `--role-name`, or found: the bot runs on
/// our role): the role must not be another bot's. A role that is not ours is not refused: destroy
/// leaves it alone, and says so.
fn refuse_destroy(spec: &Spec, observed: &Observed) -> Result<()> {
    refuse_foreign_inline(observed)?;
    let Some(role) = observed.role.as_ref().filter(|r| tags::is_ours(&r.tags)) else {
        return Ok(());
    };
    if !(spec.dedicated() || observed.bot_on_our_role()) {
        return Ok(());
    }
    match other_bot(role, &observed.bot) {
        Some(other) => Err(Error::invalid(
            format!(
                "role {} is the logging role of another bot ({other})",
                observed.role_name
            ),
            "pass the --role-name this bot's logging role has",
        )),
        None => Ok(()),
    }
}

/// Lex does not allow conversation logs for a bot marked child-directed (COPPA).
fn refuse_child_directed(bot: &Bot) -> Result<()> {
    if !bot.child_directed() {
        return Ok(());
    }
    Err(Error::invalid(
        format!(
            "bot {} ({}) is marked child-directed (COPPA) in its data privacy settings; Lex does not allow conversation logs for it",
            bot.name, bot.id
        ),
        "conversation logs cannot be turned on for this bot",
    ))
}

/// A role of our name that we did not make is never taken over.
fn refuse_foreign_role(role: &RoleState) -> Result<()> {
    if tags::is_ours(&role.tags) {
        return Ok(());
    }
    Err(Error::invalid(
        format!("role {} already exists and was not created by lex-logs-setup; it will not be taken over", role.name),
        "pass --role-name with another name for the logging role",
    ))
}

/// A managed policy of our name that we did not make is never taken over.
fn refuse_foreign_policies(observed: &Observed) -> Result<()> {
    match observed
        .policies
        .values()
        .flatten()
        .find(|p| !tags::is_ours(&p.tags))
    {
        Some(policy) => Err(Error::invalid(
            format!("policy {} already exists and was not created by lex-logs-setup; it will not be taken over", policy.name),
            "pass --role-name with another name (policy names derive from it)",
        )),
        None => Ok(()),
    }
}

/// An inline policy of our name (the grant on a service-linked role, a PassRole grant) that
/// lex-logs-setup did not write is never rewritten or deleted (see `documents::not_ours`).
fn refuse_foreign_inline(observed: &Observed) -> Result<()> {
    let inline_name = documents::service_linked_policy_name(&observed.role_name);
    let grant_name = documents::pass_role_policy_name(&observed.role_name);
    let on_writers = observed.writers.values().filter_map(|w| {
        let document = w.state.as_ref()?.inline.get(&inline_name)?;
        Some((format!("role {}", w.name), inline_name.as_str(), document))
    });
    let earlier = observed.earlier_role.iter().flat_map(|e| e.grants.iter());
    let on_principals =
        observed
            .grants
            .iter()
            .chain(earlier)
            .filter_map(|(principal, document)| {
                Some((
                    principal.to_string(),
                    grant_name.as_str(),
                    document.as_ref()?,
                ))
            });
    for (owner, name, document) in on_writers.chain(on_principals) {
        if let Some(why) = documents::not_ours(document) {
            return Err(Error::invalid(
                format!("inline policy {name} on {owner} has lex-logs-setup's name but was not written by it ({why}); it is never rewritten or deleted"),
                "rename or remove that policy yourself if it is stale, or pass --role-name with another name (our policy names derive from it)",
            ));
        }
    }
    Ok(())
}

/// The id of the other bot a role of ours was made for, when it is not `bot`.
fn other_bot<'a>(role: &'a RoleState, bot: &Bot) -> Option<&'a String> {
    role.tags.get(tags::BOT_ID).filter(|id| **id != bot.id)
}

#[cfg(test)]
mod tests;
