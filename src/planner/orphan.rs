//! Destroy of a bot that no longer exists: every inline policy of our names that proves it is
//! ours is deleted (one that does not is refused, never touched), our tagged managed policies are
//! detached from every role and deleted, and the dedicated mode's role of ours is removed. Log
//! groups and buckets are kept, as always.

use crate::documents::not_ours;
use crate::error::{Error, Result};
use crate::observe::Orphan;
use crate::plan::{Mode, Plan, Target};
use crate::resources::tags;

use super::changes::{
    attachment_address, delete_inline_change, delete_policy_change, detach_change,
};
use super::role::role_removal;

/// The plan that removes what lex-logs-setup made for a bot that is gone.
pub fn plan_destroy_orphan(orphan: &Orphan) -> Result<Plan> {
    prove_the_bot_was_here(orphan)?;
    let mut changes = Vec::new();
    let mut notes = vec![format!(
        "bot {} does not exist in {}: destroy removes what lex-logs-setup made for it, found by the names of setup {} and each proven ours; log groups and buckets are kept",
        orphan.bot_name, orphan.scope.region, orphan.setup
    )];
    changes.extend(inline_deletes(orphan)?);
    // Our policies: detached from every role (our dedicated role too), then deleted.
    let mut ours_detached_from_role = Vec::new();
    let mut our_arns = Vec::new();
    for found in orphan.policies.values().flatten() {
        if !tags::is_ours(&found.tags) {
            notes.push(format!(
                "policy {} was not created by lex-logs-setup: it is left alone",
                found.name
            ));
            continue;
        }
        our_arns.push(found.arn.clone());
        let detaches: Vec<_> = found
            .attached_roles
            .iter()
            .map(|role| detach_change(&orphan.provider, role, &found.arn))
            .collect();
        let after: Vec<_> = detaches.iter().map(|c| c.address.clone()).collect();
        if found.attached_roles.contains(&orphan.setup) {
            ours_detached_from_role.push(attachment_address(&orphan.setup, &found.arn));
        }
        changes.extend(detaches);
        changes.push(
            delete_policy_change(&orphan.provider, &found.name, &found.arn, found).needs(after),
        );
    }
    // The dedicated mode's role, when it is ours: what else is attached to it and its inline
    // policies (copies it carried) go, then the role.
    match &orphan.role {
        Some(role) if tags::is_ours(&role.tags) => {
            let mut rest = role.clone();
            rest.attached.retain(|arn| !our_arns.contains(arn));
            changes.extend(role_removal(
                &orphan.provider,
                &rest,
                &[],
                &[],
                ours_detached_from_role,
            ));
        }
        Some(role) => notes.push(format!(
            "role {} was not created by lex-logs-setup: it is left alone",
            role.name
        )),
        None => {}
    }
    if changes.is_empty() {
        if looks_like_a_bot_id(&orphan.bot_name) {
            return Err(Error::invalid(
                format!("no bot {:?} in {} and nothing of setup {} is left; if {:?} was the id of a deleted bot, our names derive from its name, not its id", orphan.bot_name, orphan.scope.region, orphan.setup, orphan.bot_name),
                "run destroy with the deleted bot's name (--bot NAME), or with --role-name of its setup",
            ));
        }
        notes.push("nothing lex-logs-setup made for it is left".into());
    }
    Ok(Plan {
        command: Mode::Destroy,
        targets: vec![target_of(orphan)],
        changes,
        notes,
    })
}

/// The deleted bot as the plan's target: by name, in the place it was proven to have lived.
fn target_of(orphan: &Orphan) -> Target {
    Target {
        bot: orphan.bot_name.clone(),
        bot_id: String::new(),
        aliases: Vec::new(),
        alias_ids: Vec::new(),
        role: orphan.setup.clone(),
        region: orphan.scope.region.clone(),
        account: orphan.scope.account.clone(),
        partition: orphan.scope.partition.clone(),
        writers: Vec::new(),
        previous_role: None,
        assume_role: orphan.provider.via.clone(),
    }
}

/// Names are global in IAM, bots are regional: what our names find may be a same-named bot's in
/// another region, or a renamed bot's here. Destroy goes on only when our documents name
/// resources of this region and no other, and the role's bot-id tag names no bot that exists.
fn prove_the_bot_was_here(orphan: &Orphan) -> Result<()> {
    let grant_name = crate::documents::service_linked_policy_name(&orphan.setup);
    let inline = orphan
        .inline
        .iter()
        .filter(|(_, name, _)| *name == grant_name)
        .map(|(_, _, document)| document);
    let managed = orphan
        .policies
        .values()
        .flatten()
        .filter(|p| tags::is_ours(&p.tags))
        .map(|p| &p.document);
    let regions: std::collections::BTreeSet<String> = inline
        .chain(managed)
        .flat_map(crate::documents::regions_named)
        .collect();
    let here = &orphan.scope.region;
    if let Some((id, name)) = &orphan.role_bot {
        return Err(Error::invalid(
            format!(
                "role {} of setup {} belongs to bot {id}, which exists in {here} as {name}",
                orphan.setup, orphan.setup
            ),
            format!("run destroy with --bot {name}"),
        ));
    }
    let elsewhere: Vec<&String> = regions.iter().filter(|r| *r != here).collect();
    if !elsewhere.is_empty() {
        let list: Vec<&str> = elsewhere.iter().map(|r| r.as_str()).collect();
        return Err(Error::invalid(
            format!("bot {} is not in {here}, but what setup {} grants is in {}: the bot may still live there, and IAM names are shared by same-named bots of every region", orphan.bot_name, orphan.setup, list.join(", ")),
            format!("run destroy with --region {}", list[0]),
        ));
    }
    let anything = !orphan.inline.is_empty()
        || orphan.policies.values().flatten().next().is_some()
        || orphan.role.is_some();
    if anything && regions.is_empty() {
        return Err(Error::invalid(
            format!("bot {} is not in {here}, and nothing of setup {} says which region it logged in (no log group or key in its grants)", orphan.bot_name, orphan.setup),
            "remove its grants by hand: `plan --destroy` of the bot while it exists shows them",
        ));
    }
    Ok(())
}

/// Lex bot ids are 10 upper-case letters and digits.
fn looks_like_a_bot_id(text: &str) -> bool {
    text.len() == 10
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Every inline policy of our names, deleted; one that does not prove it is ours is refused.
fn inline_deletes(orphan: &Orphan) -> Result<Vec<crate::plan::Change>> {
    let mut changes = Vec::new();
    for (principal, name, document) in &orphan.inline {
        if let Some(why) = not_ours(document) {
            return Err(Error::invalid(
                format!("inline policy {name} on {principal} has lex-logs-setup's name but was not written by it ({why}); it is never rewritten or deleted"),
                "remove that policy yourself if it is stale",
            ));
        }
        changes.push(delete_inline_change(
            &orphan.provider,
            principal,
            name,
            document,
        ));
    }
    Ok(changes)
}
