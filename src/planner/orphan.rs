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
    let mut changes = Vec::new();
    let mut notes = vec![format!(
        "bot {} does not exist in {}: destroy removes what lex-logs-setup made for it, found by the names of setup {} and each proven ours; log groups and buckets are kept",
        orphan.bot_name, orphan.scope.region, orphan.setup
    )];
    for (principal, name, document) in &orphan.inline {
        if let Some(why) = not_ours(document) {
            return Err(Error::invalid(
                format!("inline policy {name} on {principal} has lex-logs-setup's name but was not written by it ({why}); it is never rewritten or deleted"),
                "remove that policy yourself if it is stale",
            ));
        }
        changes.push(delete_inline_change(principal, name, document));
    }
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
            .map(|role| detach_change(role, &found.arn))
            .collect();
        let after: Vec<_> = detaches.iter().map(|c| c.address.clone()).collect();
        if found.attached_roles.contains(&orphan.setup) {
            ours_detached_from_role.push(attachment_address(&orphan.setup, &found.arn));
        }
        changes.extend(detaches);
        changes.push(delete_policy_change(&found.name, &found.arn, found).needs(after));
    }
    // The dedicated mode's role, when it is ours: what else is attached to it and its inline
    // policies (copies it carried) go, then the role.
    match &orphan.role {
        Some(role) if tags::is_ours(&role.tags) => {
            let mut rest = role.clone();
            rest.attached.retain(|arn| !our_arns.contains(arn));
            changes.extend(role_removal(&rest, &[], &[], ours_detached_from_role));
        }
        Some(role) => notes.push(format!(
            "role {} was not created by lex-logs-setup: it is left alone",
            role.name
        )),
        None => {}
    }
    if changes.is_empty() {
        notes.push("nothing lex-logs-setup made for it is left".into());
    }
    Ok(Plan {
        command: Mode::Destroy,
        targets: vec![Target {
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
            assume_role: None,
        }],
        changes,
        notes,
    })
}
