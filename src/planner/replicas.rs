//! A replicated bot (Lex V2 Global Resiliency) in the plan. The replica runs the bot's aliases
//! with the same ids and settings in its region (the alias settings are written only in the
//! bot's region: replication carries them), so each replica region needs the text logs' group of
//! the same name, created and kept like the bot's own (another team's group there is refused as
//! it is in the bot's region), and the writer's grant names each region's group (`policies.rs`).
//! Audio is refused: the replicated settings keep the bucket ARN, an S3 bucket is in one region,
//! and Lex writes audio only to a bucket in the bot's region.
//! Source: https://docs.aws.amazon.com/lexv2/latest/dg/global-resiliency.html.

use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::Change;
use crate::spec::Spec;

use super::log_group::{group_change, group_restores};

/// Adds to a plan being made what the bot's replica regions need, and the notes about them.
pub(super) fn add_replica_changes(
    spec: &Spec,
    obs: &Observed,
    changes: &mut Vec<Change>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let (in_replicas, replica_notes) = replica_changes(spec, obs)?;
    changes.extend(in_replicas);
    notes.extend(replica_notes);
    Ok(())
}

/// What the bot's replica regions need: their changes, and the notes about them.
pub(super) fn replica_changes(spec: &Spec, obs: &Observed) -> Result<(Vec<Change>, Vec<String>)> {
    let (changes, mut notes) = replica_log_group_changes(spec, obs)?;
    notes.extend(replica_note(spec, obs));
    Ok((changes, notes))
}

/// The text logs' group in each replica region: created, its retention set, or as it is (each
/// change is that region's); the notes, each naming its region.
fn replica_log_group_changes(spec: &Spec, obs: &Observed) -> Result<(Vec<Change>, Vec<String>)> {
    let (mut changes, mut notes) = (Vec::new(), Vec::new());
    for replica in &obs.replicas {
        let (change, group_notes) = group_change(
            spec,
            &replica.provider,
            &replica.scope,
            &replica.log_group,
            None,
        )
        .map_err(|e| in_replica(e, &obs.bot.name, &replica.region))?;
        changes.extend(change);
        notes.extend(
            group_notes
                .into_iter()
                .map(|n| format!("replica region {}: {n}", replica.region)),
        );
    }
    Ok((changes, notes))
}

/// A refusal about a replica region says which.
fn in_replica(err: Error, bot: &str, region: &str) -> Error {
    match err {
        Error::Invalid { message, hint } => Error::Invalid {
            message: format!(
                "bot {bot} is replicated to {region} (Global Resiliency), and there: {message}"
            ),
            hint,
        },
        other => other,
    }
}

/// Apply with audio logs on a replicated bot is refused before anything is planned.
pub(super) fn refuse_audio(spec: &Spec, obs: &Observed) -> Result<()> {
    let (Some(audio), false) = (&spec.audio, obs.replicas.is_empty()) else {
        return Ok(());
    };
    let regions: Vec<&str> = obs.replicas.iter().map(|r| r.region.as_str()).collect();
    Err(Error::invalid(
        format!(
            "bot {} is replicated to {} (Global Resiliency): its aliases' log settings are replicated as they are, with the same bucket ARN, but bucket {} is in one region and Lex writes audio logs only to a bucket in the bot's own region, so the replica could not deliver them; nothing was changed",
            obs.bot.name,
            regions.join(", "),
            audio.bucket
        ),
        "leave out the audio options for a replicated bot (text logs work in every region: the log group of the same name is set up in each), or delete the replica (DeleteBotReplica) first",
    ))
}

/// Apply with `--log-group-kms-key` on a replicated bot is refused before anything is planned:
/// a KMS key is in one region, and the replica region's group (of the same name) could not use
/// it.
pub(super) fn refuse_group_key(spec: &Spec, obs: &Observed) -> Result<()> {
    let key = spec.text.as_ref().and_then(|t| t.kms_key.as_ref());
    let (Some(key), false) = (key, obs.replicas.is_empty()) else {
        return Ok(());
    };
    let regions: Vec<&str> = obs.replicas.iter().map(|r| r.region.as_str()).collect();
    Err(Error::invalid(
        format!(
            "bot {} is replicated to {} (Global Resiliency): its text logs go to the log group of the same name in each region, but KMS key {key} is in one region and CloudWatch Logs encrypts a group only with a key of the group's region; nothing was changed",
            obs.bot.name,
            regions.join(", "),
        ),
        "leave out --log-group-kms-key for a replicated bot, or delete the replica (DeleteBotReplica) first",
    ))
}

/// What a reviewer should know about the replicas: where the alias settings are written, and
/// which regions get a log group and the grant.
fn replica_note(spec: &Spec, obs: &Observed) -> Option<String> {
    if obs.replicas.is_empty() {
        return None;
    }
    let regions: Vec<String> = obs
        .replicas
        .iter()
        .map(|r| match r.status.as_str() {
            "Enabled" | "" => r.region.clone(),
            status => format!("{} ({status})", r.region),
        })
        .collect();
    let text = match &spec.text {
        Some(_) => "the log group of the same name is set up in each, and the grant names each region's group",
        None => "no text logs are asked for, so nothing is set up there",
    };
    Some(format!(
        "bot {} is replicated to {} (Global Resiliency): the alias settings are written only in {}, and replication carries them; {text}",
        obs.bot.name,
        regions.join(", "),
        obs.scope.region
    ))
}

/// Destroy: a group of another team in a replica region that an apply took over gets its
/// recorded retention back there, as in the bot's region (`log_group_restores`); the groups are
/// kept. The notes name the region.
pub(super) fn replica_restores(obs: &Observed) -> (Vec<Change>, Vec<String>) {
    let (mut changes, mut notes) = (Vec::new(), Vec::new());
    for replica in &obs.replicas {
        let group = replica.log_group.as_ref().and_then(|(_, g)| g.as_ref());
        let (restores, restore_notes) =
            group_restores(&replica.provider, &replica.scope, group.into_iter());
        changes.extend(restores);
        notes.extend(
            restore_notes
                .into_iter()
                .map(|n| format!("replica region {}: {n}", replica.region)),
        );
    }
    (changes, notes)
}
