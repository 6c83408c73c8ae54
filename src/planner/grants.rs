//! iam:PassRole grants for the principals that manage the bot, and the bot's record of them.

use super::changes::{delete_inline_change, put_inline_change};

use crate::documents::{self};
use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::{Action, Address, Change, Purpose, Resource};
use crate::resources::alias::Guard;
use crate::resources::record::RecordStep;
use crate::resources::tags::{self};
use crate::spec::{Principal, Spec};
use crate::step::Step;

/// iam:PassRole on `role_arns` for the principals asked for; grants recorded earlier but no
/// longer asked for are revoked.
pub(super) fn grant_changes(
    spec: &Spec,
    obs: &Observed,
    grant_name: &str,
    role_arns: &[String],
) -> Vec<Change> {
    let grant = documents::pass_role(role_arns);
    let mut changes = Vec::new();
    for (principal, current) in &obs.grants {
        let asked = spec.pass_role.contains(principal);
        changes.push(match (asked, current) {
            (true, _) => put_inline_change(
                &obs.provider,
                Purpose::PassRoleGrant,
                principal,
                grant_name,
                current.as_ref(),
                &grant,
            ),
            (false, Some(found)) => {
                delete_inline_change(&obs.provider, principal, grant_name, found)
            }
            (false, None) => continue,
        });
    }
    changes
}

/// The bot's tag that records the principals granted PassRole, as the spec wants it.
pub(super) fn grant_record_change(spec: &Spec, obs: &Observed) -> Result<Option<Change>> {
    let key = tags::PASS_ROLE_PRINCIPALS.to_string();
    let wanted: Option<String> = (!spec.pass_role.is_empty()).then(|| {
        spec.pass_role
            .iter()
            .map(Principal::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    });
    if let Some(value) = wanted.as_ref().filter(|v| v.len() > tags::VALUE_MAX) {
        return Err(Error::invalid(
            format!(
                "the --grant-pass-role principals take {} characters to record; a tag holds {}",
                value.len(),
                tags::VALUE_MAX
            ),
            "grant fewer principals (a group can stand for many users)",
        ));
    }
    let current = obs.bot_tags.get(&key).cloned();
    if current == wanted {
        return Ok(None);
    }
    Ok(Some(record_on_bot(obs, wanted, current)))
}

/// Sets (or, with `None`, removes) the bot's grant record.
pub(super) fn record_on_bot(
    obs: &Observed,
    wanted: Option<String>,
    current: Option<String>,
) -> Change {
    let key = tags::PASS_ROLE_PRINCIPALS.to_string();
    let as_tags =
        |v: &Option<String>| -> tags::Tags { v.iter().map(|v| (key.clone(), v.clone())).collect() };
    Change::new(
        &obs.provider,
        Address::BotRecord(obs.bot.name.clone()),
        match (&current, &wanted) {
            (None, _) => Action::Create,
            (_, None) => Action::Delete,
            _ => Action::Update,
        },
        current.as_ref().map(|_| Resource::Tags(as_tags(&current))),
        wanted.as_ref().map(|_| Resource::Tags(as_tags(&wanted))),
        Step::Record(RecordStep::Set {
            arn: obs.scope.bot(&obs.bot.id),
            what: format!("bot {}", obs.bot.name),
            keys: vec![key.clone()],
            values: as_tags(&wanted),
            previous: as_tags(&current),
            guard: Guard::Plan,
        }),
    )
}

/// Dedicated destroy: the PassRole grants named `grant_name` that grant `role_arn`, deleted; one
/// that does not grant it is left alone, with a note.
pub(super) fn grant_revocations(
    obs: &Observed,
    grant_name: &str,
    role_arn: &str,
    notes: &mut Vec<String>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (principal, current) in &obs.grants {
        let Some(found) = current else { continue };
        if !found.to_string().contains(role_arn) {
            let addr = Address::inline_policy(principal, grant_name);
            notes.push(format!(
                "{addr} does not grant {role_arn}: it is left alone"
            ));
            continue;
        }
        changes.push(delete_inline_change(
            &obs.provider,
            principal,
            grant_name,
            found,
        ));
    }
    changes
}
