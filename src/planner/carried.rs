//! Dedicated mode: the permissions of the bot's previous role carried over to ours (its managed
//! policies attached, its inline policies copied; from a service-linked role, its runtime actions
//! through our policy), without what an in-place setup of ours had put there.

use super::changes::{attach_change, put_inline_change, role_address};
use std::collections::BTreeMap;

use serde_json::Value;

use crate::documents::{self, Concern};
use crate::observe::Observed;
use crate::plan::{Address, Change, Purpose};
use crate::resources::role::PreviousRole;
use crate::spec::{Principal, PrincipalKind};

/// The managed policies (ARNs) and inline policies of the bot's previous role, with the notes
/// that tell the reviewer what is carried.
fn carried_sources<'a>(
    obs: &'a Observed,
    notes: &mut Vec<String>,
) -> (&'a [String], Option<&'a BTreeMap<String, Value>>) {
    let role_name = obs.role_name.as_str();
    match &obs.previous {
        Some(PreviousRole::ServiceLinked { arn, inline }) => {
            notes.push(format!(
                "the bot's previous role is the service-linked role {arn}; role {role_name} gets the Lex bot runtime actions it granted ({}) through policy {}, and a copy of its {} inline policies",
                documents::BOT_RUNTIME_ACTIONS.join(", "),
                Concern::BotRuntime.policy_name(role_name),
                inline.len()
            ));
            (&[], Some(inline))
        }
        Some(PreviousRole::Customer {
            arn,
            attached: carried,
            inline,
            boundary,
        }) => {
            if let Some(boundary) = boundary {
                notes.push(format!("role {role_name} gets the permissions boundary of the bot's previous role: {boundary}"));
            }
            notes.push(format!(
                "role {role_name} carries the permissions of the bot's previous role {arn}: {} managed and {} inline policies",
                carried.len(),
                inline.len()
            ));
            (carried.as_slice(), Some(inline))
        }
        Some(PreviousRole::Gone { .. }) | None => (&[], None),
    }
}

/// The changes that carry the previous role's permissions to ours, and their addresses (the bot
/// waits for them).
pub(super) fn carried_permissions(
    obs: &Observed,
    notes: &mut Vec<String>,
) -> (Vec<Change>, Vec<Address>) {
    let role_name = obs.role_name.as_str();
    let role_addr = role_address(role_name);
    let (carried, inline) = carried_sources(obs, notes);
    let attached_now: &[String] = obs.role.as_ref().map_or(&[], |r| r.attached.as_slice());
    // What an in-place setup of ours put on the previous role is ours, not the bot's: not carried.
    let in_place_setup = crate::spec::default_role_name(&obs.bot.name);
    let our_policy_prefix = obs.scope.policy(&format!("{in_place_setup}-"));
    let our_inline = documents::service_linked_policy_name(&in_place_setup);
    let mut changes = Vec::new();
    for policy_arn in carried
        .iter()
        .filter(|a| !a.starts_with(&our_policy_prefix))
    {
        let attached = attached_now.contains(policy_arn);
        changes.push(attach_change(
            &obs.provider,
            role_name,
            policy_arn,
            attached,
            [role_addr.clone()],
        ));
    }
    let owner = Principal {
        kind: PrincipalKind::Role,
        name: role_name.into(),
    };
    for (name, document) in inline
        .into_iter()
        .flatten()
        .filter(|(name, _)| **name != our_inline)
    {
        let current = obs.role.as_ref().and_then(|r| r.inline.get(name));
        changes.push(
            put_inline_change(
                &obs.provider,
                Purpose::CopiedInline,
                &owner,
                name,
                current,
                document,
            )
            .needs([role_addr.clone()]),
        );
    }
    if let Some(PreviousRole::Gone { arn }) = &obs.previous {
        notes.push(format!("the bot's previous role {arn} no longer exists: there are no permissions to carry over"));
    }
    let ready = changes.iter().map(|c| c.address.clone()).collect();
    (changes, ready)
}
