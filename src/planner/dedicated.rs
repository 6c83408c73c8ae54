//! The dedicated-role mode (`--role-name`): our own role, the bot switched to it, aliases on
//! older versions moved to a version published on it (only with `--publish-version`).

#![allow(unused_imports)]
use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, S3BucketLogDestination, TextLogDestination, TextLogSetting,
};
use serde_json::{json, Value};

use super::*;
use crate::documents::{self, Concern};
use crate::error::{Error, Result};
use crate::observe::{Observed, Writer};
use crate::plan::{Action, Address, Change, Mode, Plan, Target};
use crate::policy;
use crate::resources::alias::{settings_json, Alias};
use crate::resources::role::{PreviousRole, RoleState};
use crate::resources::tags::{self, Tags};
use crate::spec::{Principal, PrincipalKind, Spec};
use crate::step::{AliasVersion, Step};

/// The plan that makes the setup true.
pub(super) fn plan_apply(spec: &Spec, obs: &Observed) -> Result<Plan> {
    let scope = &obs.scope;
    let role_name = obs.role_name.as_str();
    let role_arn = obs.role_arn();
    let role_addr = role_address(role_name);
    let mut changes: Vec<Change> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut role_ready: Vec<Address> = vec![role_addr.clone()];

    if !spec.dedicated() {
        return in_place::plan_apply(spec, obs);
    }
    let log_group = log_group_change(spec, obs);
    let log_group_addr = log_group.as_ref().map(|c| c.address.clone());
    changes.extend(log_group);

    // The role.
    let trust = documents::trust(scope, &obs.bot.id, spec.pin_source_arn);
    changes.push(role_change(spec, obs, &trust)?);

    // Our managed policies, one per concern, and their attachments.
    let (text_dest, audio_dest) = wanted_destinations(spec, obs);
    let mut wanted = wanted_documents(spec, obs);
    if let Some(PreviousRole::ServiceLinked { .. }) = &obs.previous {
        wanted.insert(Concern::BotRuntime, documents::bot_runtime());
    }
    let attached_now: Vec<String> = obs
        .role
        .as_ref()
        .map(|r| r.attached.clone())
        .unwrap_or_default();
    let (policy_changes, ready) = managed_policy_changes(
        obs,
        role_name,
        &Concern::ALL,
        &wanted,
        &[AttachTarget {
            role: role_name,
            attached: &attached_now,
            after: vec![role_addr.clone()],
        }],
    );
    changes.extend(policy_changes);
    role_ready.extend(ready);
    let attached = |arn: &str| attached_now.iter().any(|a| a == arn);

    // The permissions of the bot's previous role, carried over.
    let (carried, inline): (&[String], Option<&BTreeMap<String, Value>>) = match &obs.previous {
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
        _ => (&[], None),
    };
    // What an in-place setup of ours put on the previous role is ours, not the bot's: not carried.
    let in_place_setup = crate::spec::default_role_name(&obs.bot.name);
    let our_policy_prefix = obs.scope.policy(&format!("{in_place_setup}-"));
    let our_inline = documents::service_linked_policy_name(&in_place_setup);
    for policy_arn in carried
        .iter()
        .filter(|a| !a.starts_with(&our_policy_prefix))
    {
        let addr = attachment_address(role_name, policy_arn);
        changes.push(if attached(policy_arn) {
            Change::no_op(
                addr.clone(),
                json!({"role": role_name, "policyArn": policy_arn}),
            )
        } else {
            Change::new(
                addr.clone(),
                Action::Create,
                Value::Null,
                json!({"role": role_name, "policyArn": policy_arn}),
                Step::Attach {
                    role: role_name.into(),
                    policy_arn: policy_arn.clone(),
                },
            )
            .needs([role_addr.clone()])
        });
        role_ready.push(addr);
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
        let change = put_inline_change(&owner, name, current, document).needs([role_addr.clone()]);
        role_ready.push(change.address.clone());
        changes.push(change);
    }
    if let Some(PreviousRole::Gone { arn }) = &obs.previous {
        notes.push(format!("the bot's previous role {arn} no longer exists: there are no permissions to carry over"));
    }

    // iam:PassRole on our role for the principals asked for.
    let grant_name = documents::pass_role_policy_name(role_name);
    changes.extend(grant_changes(
        spec,
        obs,
        &grant_name,
        std::slice::from_ref(&role_arn),
    ));

    // The bot runs with the role, once the role has every permission.
    let bot_addr = Address::Bot(obs.bot.name.clone());
    let current_role = obs.bot.role_arn().unwrap_or_default();
    if obs.bot_on_our_role() {
        changes.push(Change::no_op(
            bot_addr.clone(),
            json!({"roleArn": current_role}),
        ));
    } else {
        changes.push(
            Change::new(
                bot_addr.clone(),
                Action::Update,
                json!({"roleArn": current_role}),
                json!({"roleArn": role_arn}),
                Step::UpdateBot {
                    described: Box::new(obs.bot.described.clone()),
                    role_arn: role_arn.clone(),
                },
            )
            .needs(role_ready.iter().cloned()),
        );
    }

    // An alias on a published version runs on that version's role (UpdateBot changes only
    // DRAFT): it logs through our role only once it runs a version published after the switch.
    let stale = stale_aliases(obs);
    let publish_addr = Address::version(&obs.bot.name, "new");
    if !stale.is_empty() {
        let listed: Vec<String> = stale
            .iter()
            .map(|a| {
                format!(
                    "{} (version {}, role {})",
                    a.name,
                    a.version(),
                    a.runs_on.as_deref().unwrap_or("none")
                )
            })
            .collect();
        if !spec.publish_version {
            return Err(Error::invalid(
                format!(
                    "in the dedicated-role mode, aliases that run a published version keep that version's role, so they would not log through {role_name}: {}",
                    listed.join(", ")
                ),
                "pass --publish-version to publish DRAFT (on the new role) and point them at it, or drop --role-name to grant the role each version runs on (the default, in-place mode)",
            ));
        }
        changes.push(
            Change::new(
                publish_addr.clone(),
                Action::Create,
                Value::Null,
                json!({"sourceBotVersion": "DRAFT", "roleArn": role_arn}),
                Step::PublishVersion {
                    bot_id: obs.bot.id.clone(),
                    bot_name: obs.bot.name.clone(),
                },
            )
            .needs([bot_addr.clone()]),
        );
        notes.push(format!(
            "--publish-version publishes the DRAFT of bot {} as it is now, and points {} at it: whatever DRAFT holds that the old versions did not goes live with it",
            obs.bot.name,
            listed.join(", ")
        ));
    }

    // Each alias logs to our destinations.
    let ours = our_destinations(obs, text_dest.as_ref(), audio_dest.as_ref());
    for alias in &obs.aliases {
        let repoint = stale.iter().any(|s| s.id == alias.id);
        let version = if repoint {
            AliasVersion::PublishedByRun
        } else {
            AliasVersion::Keep
        };
        changes.extend(alias_apply_changes(
            spec,
            obs,
            alias,
            text_dest.as_ref(),
            audio_dest.as_ref(),
            &ours,
            version,
            std::iter::once(&bot_addr)
                .chain(log_group_addr.iter())
                .chain(role_ready.iter())
                .chain(repoint.then_some(&publish_addr)),
        )?);
    }

    changes.extend(earlier_role_removal(
        obs,
        &mut notes,
        std::iter::once(bot_addr.clone())
            .chain(
                obs.aliases
                    .iter()
                    .map(|a| Address::alias(&obs.bot.name, &a.name)),
            )
            .collect(),
    ));
    notes.extend(destination_notes(obs));
    notes.extend(run_tag_note(&changes));
    let mut target = target(obs);
    target.previous_role = obs.previous.as_ref().map(|p| p.arn().to_string());
    Ok(Plan {
        command: Mode::Apply,
        targets: vec![target],
        changes,
        notes,
    })
}

/// Destroy of the dedicated-role setup: the bot back on its previous role, our role and its
/// policies deleted unless a published version still runs on it.
pub(super) fn plan_destroy_dedicated(spec: &Spec, obs: &Observed) -> Result<Plan> {
    let role_name = obs.role_name.as_str();
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let plan = |changes, notes| Plan {
        command: Mode::Destroy,
        targets: vec![target(obs)],
        changes,
        notes,
    };
    let role: Option<&RoleState> = match &obs.role {
        Some(role) if !tags::is_ours(&role.tags) => {
            notes.push(format!("role {role_name} was not created by lex-logs-setup: it is left alone, and so is everything else"));
            return Ok(plan(changes, notes));
        }
        Some(role)
            if role
                .tags
                .get(tags::BOT_ID)
                .is_some_and(|id| *id != obs.bot.id) =>
        {
            return Err(Error::invalid(
                format!(
                    "role {role_name} is the logging role of another bot ({})",
                    role.tags[tags::BOT_ID]
                ),
                "pass the --role-name this bot's logging role has",
            ));
        }
        other => other.as_ref(),
    };

    // Aliases: remove the settings that point at our destinations.
    let (text_dest, audio_dest) = wanted_destinations(spec, obs);
    let ours = our_destinations(obs, text_dest.as_ref(), audio_dest.as_ref());
    let bot_addr = Address::Bot(obs.bot.name.clone());
    let mut alias_addrs = Vec::new();
    // An alias that --publish-version moved to a version of ours goes back to the one it ran.
    let recorded = role
        .map(|r| tags::alias_versions(&r.tags))
        .unwrap_or_default();
    let our_versions: Vec<&str> = obs
        .version_roles
        .iter()
        .filter(|v| v.ours)
        .map(|v| v.number.as_str())
        .collect();
    let mut runs_after: std::collections::BTreeSet<String> = obs
        .bystanders
        .iter()
        .map(|a| a.version().to_string())
        .collect();
    for alias in &obs.aliases {
        let addr = Address::alias(&obs.bot.name, &alias.name);
        let back = recorded
            .get(&alias.id)
            .filter(|_| our_versions.contains(&alias.version()))
            .filter(|v| obs.version_roles.iter().any(|i| i.number == **v));
        runs_after.insert(back.cloned().unwrap_or_else(|| alias.version().to_string()));
        let alias_changes = alias_destroy_changes(
            obs,
            alias,
            &ours,
            back.map(|v| AliasVersion::Number(v.clone()))
                .unwrap_or(AliasVersion::Keep),
        );
        // On destroy, aliases go first.
        alias_addrs.push(addr);
        changes.extend(alias_changes);
    }

    // The bot goes back to its previous role.
    let current_role = obs.bot.role_arn().unwrap_or_default();
    if obs.bot_on_our_role() {
        let previous = role.and_then(|r| r.tags.get(tags::PREVIOUS_ROLE)).ok_or_else(|| {
            Error::invalid(
                format!("bot {} runs with role {role_name}, which has no record of the bot's previous role", obs.bot.name),
                "set the bot's role by hand (Lex console or aws lexv2-models update-bot), then run destroy again",
            )
        })?;
        changes.push(
            Change::new(
                bot_addr.clone(),
                Action::Update,
                json!({"roleArn": current_role}),
                json!({"roleArn": previous}),
                Step::UpdateBot {
                    described: Box::new(obs.bot.described.clone()),
                    role_arn: previous.clone(),
                },
            )
            .needs(alias_addrs.clone()),
        );
    } else {
        changes.push(Change::no_op(
            bot_addr.clone(),
            json!({"roleArn": current_role}),
        ));
    }

    // PassRole grants that name our role.
    let grant_name = documents::pass_role_policy_name(role_name);
    let role_arn = obs.role_arn();
    let mut before_role_delete = vec![bot_addr.clone()];
    for (principal, current) in &obs.grants {
        let Some(found) = current else { continue };
        let addr = Address::inline_policy(principal, &grant_name);
        if !found.to_string().contains(&role_arn) {
            notes.push(format!(
                "{addr} does not grant {role_arn}: it is left alone"
            ));
            continue;
        }
        changes.push(delete_inline_change(principal, &grant_name, found));
        before_role_delete.push(addr);
    }

    let Some(role) = role else {
        notes.push(format!(
            "there is no role {role_name}: nothing of ours is left in IAM"
        ));
        return Ok(plan(changes, notes));
    };

    // Versions we published that no alias runs any more go; then a version made while the bot
    // ran on our role that is left still runs on it, and keeps it.
    // Deleting a version cannot be undone, so it comes last: after the role is gone (nothing
    // runs the version any more), so that a failure before it rolls back completely.
    let version_deletes = delete_unused_versions(obs, None, &runs_after, &alias_addrs);
    let in_use = versions_still_on(obs, &role.arn, &runs_after);
    if !in_use.is_empty() {
        changes.extend(version_deletes);
        notes.push(format!(
            "role {role_name} is kept, with its policies: version{} {} of bot {} run{} on it, and would break without it; once no alias needs {}, delete {} and run destroy again",
            if in_use.len() == 1 { "" } else { "s" },
            in_use.join(", "),
            obs.bot.name,
            if in_use.len() == 1 { "s" } else { "" },
            if in_use.len() == 1 { "it" } else { "them" },
            if in_use.len() == 1 { "it" } else { "them" },
        ));
        return Ok(plan(changes, notes));
    }

    // Detach everything from our role, delete its inline policies, our policies, then the role.
    let mut ours = Vec::new();
    for found in obs.policies.values().flatten() {
        if tags::is_ours(&found.tags) {
            ours.push(found);
        } else {
            notes.push(format!(
                "policy {} was not created by lex-logs-setup: it is left alone",
                found.name
            ));
        }
    }
    changes.extend(role_removal(
        role,
        &ours,
        std::slice::from_ref(&bot_addr),
        before_role_delete,
    ));
    let role_addr = role_address(role_name);
    changes.extend(
        version_deletes
            .into_iter()
            .map(|c| c.needs([role_addr.clone()])),
    );
    if let Some((name, _)) = &obs.log_group {
        notes.push(format!("log group {name} is kept, with the logs in it"));
    }
    if let Some(bucket) = &obs.bucket {
        notes.push(format!(
            "bucket {} is kept, with the audio in it",
            bucket.name
        ));
    }
    Ok(plan(changes, notes))
}
