//! Where the aliases' logs go: the destinations a run wants, the ones that are ours (so later
//! runs may replace or remove them), and what a reviewer should know about them.

use crate::documents::{self, Concern};
use crate::observe::Observed;
use crate::resources::alias::Alias;
use crate::spec::Spec;

/// Where an alias's text logs go.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TextDestination {
    pub log_group_arn: String,
    pub prefix: String,
    /// `selectiveLoggingEnabled` as asked; `None`: as the alias has it.
    pub selective: Option<bool>,
}

/// Where an alias's audio logs go.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct AudioDestination {
    pub bucket_arn: String,
    pub prefix: String,
    pub kms_key_arn: Option<String>,
    /// `selectiveLoggingEnabled` as asked; `None`: as the alias has it.
    pub selective: Option<bool>,
}

/// Destinations that belong to this setup (so later runs may replace or remove them).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct OurDestinations {
    pub log_group_arns: Vec<String>,
    pub bucket_arns: Vec<String>,
}

/// The log groups and buckets our existing policies grant, plus the ones this run wants.
pub(super) fn our_destinations(
    obs: &Observed,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
) -> OurDestinations {
    let mut ours = OurDestinations::default();
    ours.log_group_arns
        .extend(text.map(|t| t.log_group_arn.clone()));
    ours.bucket_arns.extend(audio.map(|a| a.bucket_arn.clone()));
    if let Some(Some(p)) = obs.policies.get(&Concern::CloudWatch) {
        for resource in documents::granted_resources(&p.document) {
            ours.log_group_arns
                .push(resource.trim_end_matches(":*").to_string());
        }
    }
    if let Some(Some(p)) = obs.policies.get(&Concern::S3) {
        for resource in documents::granted_resources(&p.document) {
            let bucket = resource.split('/').next().unwrap_or_default().to_string();
            ours.bucket_arns.push(bucket);
        }
    }
    ours.log_group_arns.sort();
    ours.log_group_arns.dedup();
    ours.bucket_arns.sort();
    ours.bucket_arns.dedup();
    ours
}

pub(super) fn wanted_destinations(
    spec: &Spec,
    obs: &Observed,
) -> (Option<TextDestination>, Option<AudioDestination>) {
    let text = match (&spec.text, &obs.log_group) {
        (Some(t), Some((name, _))) => Some(TextDestination {
            log_group_arn: obs.scope.log_group(name),
            prefix: t.log_prefix.clone(),
            selective: spec.selective.map(|s| s.text),
        }),
        _ => None,
    };
    let audio = spec.audio.as_ref().map(|a| AudioDestination {
        bucket_arn: obs.scope.bucket(&a.bucket),
        prefix: a.prefix.clone(),
        kms_key_arn: obs.kms_key.as_ref().map(|k| k.arn.clone()),
        selective: spec.selective.map(|s| s.audio),
    });
    (text, audio)
}

/// The destinations of ours: what our managed policies and our inline policies on the writers
/// grant, and what this run wants.
pub(super) fn ours_in_place(obs: &Observed, setup: &str, spec: &Spec) -> OurDestinations {
    let (text, audio) = wanted_destinations(spec, obs);
    let mut ours = our_destinations(obs, text.as_ref(), audio.as_ref());
    let recorded = recorded_destinations(obs, setup);
    ours.log_group_arns.extend(recorded.log_group_arns);
    ours.bucket_arns.extend(recorded.bucket_arns);
    ours.log_group_arns.sort();
    ours.log_group_arns.dedup();
    ours.bucket_arns.sort();
    ours.bucket_arns.dedup();
    ours
}

/// The destinations our grants name (recorded by an earlier apply): what our managed policies
/// and our inline policies on the writers grant, whatever this run asks for.
pub(super) fn recorded_destinations(obs: &Observed, setup: &str) -> OurDestinations {
    let mut ours = our_destinations(obs, None, None);
    let inline_name = documents::service_linked_policy_name(setup);
    for writer in obs.writers.values() {
        let Some(document) = writer
            .state
            .as_ref()
            .and_then(|s| s.inline.get(&inline_name))
        else {
            continue;
        };
        for resource in documents::granted_resources(document) {
            if resource.contains(":logs:") {
                ours.log_group_arns
                    .push(resource.trim_end_matches(":*").to_string());
            } else if resource.starts_with("arn:") && resource.contains(":s3:::") {
                let bucket = resource.split('/').next().unwrap_or_default().to_string();
                ours.bucket_arns.push(bucket);
            }
        }
    }
    ours.log_group_arns.sort();
    ours.log_group_arns.dedup();
    ours.bucket_arns.sort();
    ours.bucket_arns.dedup();
    ours
}

/// True when the alias logs to a destination of ours.
pub(super) fn logs_to_ours(alias: &Alias, ours: &OurDestinations) -> bool {
    let (text, audio) = channels_to_ours(alias, ours);
    text || audio
}

/// Whether the alias's text and its audio go to a destination of ours.
pub(crate) fn channels_to_ours(alias: &Alias, ours: &OurDestinations) -> (bool, bool) {
    let Some(settings) = alias.log_settings() else {
        return (false, false);
    };
    let text = settings.text().iter().any(|t| {
        ours.log_group_arns
            .iter()
            .any(|o| same_log_group(o, t.log_group_arn()))
    });
    let audio = settings
        .audio()
        .iter()
        .any(|a| ours.bucket_arns.iter().any(|o| o == a.bucket_arn()));
    (text, audio)
}

/// Log group ARNs compared with and without the trailing `:*`.
pub(super) fn same_log_group(a: &str, b: &str) -> bool {
    a.trim_end_matches(":*") == b.trim_end_matches(":*")
}

/// The audio key as given (an alias, an alias ARN or a key id) and the key it is now: the alias's
/// audio setting names the key's ARN, which is what Lex keeps, so a later change of the alias
/// does not move the audio logs to another key. `None` when given as the key's ARN, or not given.
pub(super) fn key_note(spec: &Spec, obs: &Observed) -> Option<String> {
    let given = spec.audio.as_ref()?.kms_key.as_ref()?;
    let key = obs.kms_key.as_ref()?;
    (given != &key.arn).then(|| {
        format!(
            "KMS key {given} is key {} now: the audio setting names the key's ARN (what Lex keeps), so pointing {given} at another key later does not change the key the audio logs use; run apply again then",
            key.arn
        )
    })
}

/// What a reviewer should know about the destinations before apply: a KMS key whose policy does
/// not let IAM policies grant its use (our grant would then do nothing); a log group of an
/// earlier setup that this one no longer uses (kept, with its logs); the run tag.
pub(super) fn destination_notes(obs: &Observed) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(Some(policy)) = obs.policies.get(&Concern::CloudWatch) {
        let wanted = obs
            .log_group
            .as_ref()
            .map(|(name, _)| obs.scope.log_group(name));
        for granted in documents::granted_resources(&policy.document) {
            let group = granted.trim_end_matches(":*");
            if wanted.as_deref() != Some(group) {
                notes.push(format!(
                    "log group {} (set up by an earlier apply) is no longer used by this setup: it is left as it is, with its logs",
                    group.rsplit("log-group:").next().unwrap_or(group)
                ));
            }
        }
    }

    if let Some(key) = obs
        .kms_key
        .as_ref()
        .filter(|k| k.iam_policies_enabled == Some(false) && !k.allows_account_via_s3)
    {
        notes.push(format!(
            "warning: the key policy of {} does not let IAM policies of account {} grant its use, so the kms:GenerateDataKey grant does nothing; add the role that writes the logs to the key policy, or enable IAM policies there",
            key.arn, obs.scope.account
        ));
    }
    notes.extend(bucket_policy_notes(obs));
    notes
}

/// A warning for each role that would write the audio logs whose `s3:PutObject` (as Lex's
/// delivery sends it) a Deny statement of the bucket policy refuses, naming the statement. A
/// warning, not a refusal: the request's context is partly assumed (Lex's delivery is not
/// documented to that level), so verify, which proves delivery, has the last word.
fn bucket_policy_notes(obs: &Observed) -> Vec<String> {
    use crate::iam_eval::lex_requests::{bucket_policy_denies, AudioWrite};
    let Some(bucket) = obs.bucket.as_ref() else {
        return vec![];
    };
    let Some(policy) = bucket.policy.as_ref() else {
        return vec![];
    };
    let mut roles: Vec<String> = if obs.writers.is_empty() {
        vec![obs.role_arn()]
    } else {
        obs.writers.keys().cloned().collect()
    };
    roles.sort();
    roles.dedup();
    let object_arn = format!("arn:aws:s3:::{}/*", bucket.name);
    let kms_key = obs.kms_key.as_ref().map(|k| k.arn.as_str());
    roles
        .iter()
        .filter_map(|role| {
            let write = AudioWrite {
                bucket: &bucket.name,
                object_arn: &object_arn,
                role_arn: role,
                account: &obs.scope.account,
                kms_key,
            };
            let by = bucket_policy_denies(policy, &write)?;
            Some(format!(
                "warning: bucket {} refuses Lex's audio write by role {role}: s3:PutObject is denied by {by} (evaluated as Lex's delivery is assumed to send it: over TLS, not through a VPC endpoint, {}); change the bucket policy, or audio logs will not arrive",
                bucket.name,
                match kms_key {
                    Some(_) => "with the SSE-KMS headers of the key",
                    None => "without SSE headers",
                }
            ))
        })
        .collect()
}

/// Destroy keeps log groups and buckets, with the logs in them: the notes that say so, for each
/// destination of ours (`ours`) that was in use: one an alias of the bot logs to, or one our
/// grants name. A destination this run would want but that nothing used is not named, nor is a
/// log group that does not exist.
pub(super) fn kept_destination_notes(obs: &Observed, ours: &OurDestinations) -> Vec<String> {
    let recorded = recorded_destinations(obs, &obs.role_name);
    let aliases: Vec<&Alias> = obs.aliases.iter().chain(obs.bystanders.iter()).collect();
    let mut notes = Vec::new();
    for arn in &ours.log_group_arns {
        let exists = obs
            .log_groups_read()
            .find(|g| same_log_group(&obs.scope.log_group(&g.name), arn));
        let Some(group) = exists else { continue };
        let users: Vec<&str> = aliases
            .iter()
            .filter(|a| text_log_group(a).is_some_and(|g| same_log_group(&g, arn)))
            .map(|a| a.name.as_str())
            .collect();
        let named = recorded
            .log_group_arns
            .iter()
            .any(|r| same_log_group(r, arn));
        if let Some(why) = in_use_by(&users, named) {
            notes.push(format!(
                "log group {} is kept, with the logs in it ({why})",
                group.name
            ));
        }
    }
    for arn in &ours.bucket_arns {
        let users: Vec<&str> = aliases
            .iter()
            .filter(|a| audio_bucket(a).as_ref() == Some(arn))
            .map(|a| a.name.as_str())
            .collect();
        let named = recorded.bucket_arns.contains(arn);
        if let Some(why) = in_use_by(&users, named) {
            let bucket = arn.rsplit(":::").next().unwrap_or(arn);
            notes.push(format!(
                "bucket {bucket} is kept, with the audio in it ({why})"
            ));
        }
    }
    notes
}

/// Why a destination counts as in use: the aliases that log to it, or our grants naming it;
/// `None` when neither.
fn in_use_by(aliases: &[&str], named_by_our_grants: bool) -> Option<String> {
    match (aliases, named_by_our_grants) {
        ([], false) => None,
        ([], true) => Some("our grants named it".into()),
        ([one], _) => Some(format!("used by alias {one}")),
        (many, _) => Some(format!("used by aliases {}", many.join(", "))),
    }
}

/// The log group the alias sends its text logs to, if any (a disabled setting sends none).
fn text_log_group(alias: &Alias) -> Option<String> {
    let settings = alias.log_settings()?;
    settings
        .text()
        .first()
        .filter(|t| t.enabled)
        .map(|t| t.log_group_arn().to_string())
}

/// The bucket (ARN) the alias sends its audio logs to, if any (a disabled setting sends none).
fn audio_bucket(alias: &Alias) -> Option<String> {
    let settings = alias.log_settings()?;
    settings
        .audio()
        .first()
        .filter(|a| a.enabled)
        .map(|a| a.bucket_arn().to_string())
}
