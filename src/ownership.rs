//! Ownership refusals, in one pure place: what lex-logs-setup will not touch because it is not
//! its own (a role or policy of our name that we did not make, the logging role of another bot)
//! or because Lex forbids logs for it (a child-directed bot). Functions over `Spec` and
//! `Observed`; no I/O. Run once, right after observation and before anything is planned, so a
//! refusal comes before any change.

use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::Mode;
use crate::resources::bot::Bot;
use crate::resources::role::RoleState;
use crate::resources::tags;
use crate::spec::Spec;

/// Refuses what `kind` must not do to what was observed for `spec`.
pub(crate) fn refuse(spec: &Spec, observed: &Observed, kind: Mode) -> Result<()> {
    match kind {
        Mode::Apply => refuse_apply(spec, observed),
        Mode::Destroy => refuse_destroy(spec, observed),
    }
}

/// Apply: a child-directed bot; in the dedicated-role mode, a role of our name that is not ours
/// or is another bot's; in either mode, a managed policy of our name that is not ours.
fn refuse_apply(spec: &Spec, observed: &Observed) -> Result<()> {
    refuse_child_directed(&observed.bot)?;
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
    refuse_foreign_policies(observed)
}

/// Destroy of a dedicated-role setup (asked for with `--role-name`, or found: the bot runs on
/// our role): the role must not be another bot's. A role that is not ours is not refused: destroy
/// leaves it alone, and says so.
fn refuse_destroy(spec: &Spec, observed: &Observed) -> Result<()> {
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

/// The id of the other bot a role of ours was made for, when it is not `bot`.
fn other_bot<'a>(role: &'a RoleState, bot: &Bot) -> Option<&'a String> {
    role.tags.get(tags::BOT_ID).filter(|id| **id != bot.id)
}

#[cfg(test)]
mod tests;
