//! Bot versions: the ones we published that nothing runs any more, and which still run on a role.

use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::values::{Resource, VersionValue};
use crate::plan::{Action, Address, Change};
use crate::resources::alias::Alias;
use crate::resources::version::VersionStep;
use crate::spec::Spec;
use crate::step::Step;

/// Deletes of the versions we published (on `role`, if given) that no alias runs once the plan is
/// done, after `after`.
pub(super) fn delete_unused_versions(
    obs: &Observed,
    role: Option<&str>,
    runs_after: &std::collections::BTreeSet<String>,
    after: &[Address],
) -> Vec<Change> {
    obs.version_roles
        .iter()
        .filter(|v| v.ours && !runs_after.contains(&v.number))
        .filter(|v| role.is_none() || v.role.as_deref() == role)
        .map(|version| {
            Change::new(
                &obs.provider,
                Address::version(&obs.bot.name, &version.number),
                Action::Delete,
                Some(Resource::Version(VersionValue {
                    bot_version: Some(version.number.clone()),
                    source_bot_version: None,
                    role_arn: version.role.clone(),
                })),
                None,
                Step::Version(VersionStep::Delete {
                    bot_id: obs.bot.id.clone(),
                    bot_name: obs.bot.name.clone(),
                    version: version.number.clone(),
                }),
            )
            .needs(after.iter().cloned())
        })
        .collect()
}

/// The versions that still run on `role` once the plan is done (ours that nothing runs are
/// deleted by it).
pub(super) fn versions_still_on<'a>(
    obs: &'a Observed,
    role: &str,
    runs_after: &std::collections::BTreeSet<String>,
) -> Vec<&'a str> {
    obs.version_roles
        .iter()
        .filter(|v| v.role.as_deref() == Some(role))
        .filter(|v| !v.ours || runs_after.contains(&v.number))
        .map(|v| v.number.as_str())
        .collect()
}

/// The one version the aliases to repoint run: a version is published from its locales, so that
/// nothing but the role changes for them. Aliases on different versions cannot all keep theirs
/// with one new version: refused, with the way through.
fn one_source<'a>(stale: &[&'a Alias], listed: &[String]) -> Result<&'a str> {
    let mut versions: Vec<&str> = stale.iter().map(|a| a.version()).collect();
    versions.sort();
    versions.dedup();
    match versions.as_slice() {
        [one] => Ok(one),
        many => Err(Error::invalid(
            format!(
                "--publish-version publishes one version from the locales of the version the aliases run, so that only the role changes, but they run {}: {}",
                many.join(" and "),
                listed.join(", ")
            ),
            "apply once per group of aliases on the same version (--alias NAME ...), or point them at one version first",
        )),
    }
}

/// Dedicated apply: aliases on a published version whose role is not ours log through our role
/// only once they run a version published after the switch (UpdateBot changes only DRAFT). With
/// `--publish-version` a new version is published after the bot's update; without, they are
/// refused.
pub(super) fn publish_change(
    spec: &Spec,
    obs: &Observed,
    stale: &[&Alias],
    notes: &mut Vec<String>,
) -> Result<Option<Change>> {
    if stale.is_empty() {
        return Ok(None);
    }
    let role_name = obs.role_name.as_str();
    let listed: Vec<String> = stale
        .iter()
        .map(|a| {
            let role = a.runs_on.as_deref().unwrap_or("none");
            format!("{} (version {}, role {role})", a.name, a.version())
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
    let source = one_source(stale, &listed)?;
    notes.push(format!(
        "--publish-version publishes a new version of bot {} from the locales of version {source} (what {} run{} now), on role {role_name}, and points {} at it: only the role changes, but for what is said below",
        obs.bot.name,
        listed.join(", "),
        if stale.len() == 1 { "s" } else { "" },
        if stale.len() == 1 { "it" } else { "them" },
    ));
    notes.extend(super::draft_diff::publish_difference_notes(obs, stale));
    let publish = Step::Version(VersionStep::Publish {
        bot_id: obs.bot.id.clone(),
        bot_name: obs.bot.name.clone(),
        source: source.to_string(),
    });
    let after = Resource::Version(VersionValue {
        bot_version: None,
        source_bot_version: Some(source.to_string()),
        role_arn: Some(obs.role_arn()),
    });
    let change = Change::new(
        &obs.provider,
        Address::version(&obs.bot.name, "new"),
        Action::Create,
        None,
        Some(after),
        publish,
    );
    Ok(Some(change.needs([Address::Bot(obs.bot.name.clone())])))
}
