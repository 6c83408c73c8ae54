//! Observation of the log destinations: the audio bucket (and that it is in the bot's region),
//! the KMS key given or the bucket's default one, and the log group for text logs.

use super::keys::{read_key, ObservedKey};
use super::reads::{read_bucket, read_log_group, Reads};
use crate::arn::Scope;
use crate::aws::Clients;
use crate::error::{Error, Result};
use crate::plan::Mode;
use crate::resources::destination::BucketState;
use crate::resources::destination::KeyInfo;
use crate::resources::log_group::{self, LogGroupState};
use crate::spec::Spec;

/// The audio bucket, when audio logs are asked for; a missing bucket is an error (we never
/// create buckets).
pub(super) async fn bucket(clients: &Clients, spec: &Spec) -> Result<Option<BucketState>> {
    let Some(audio) = &spec.audio else {
        return Ok(None);
    };
    // The caller is asked once for the whole observation (the first wave asks it too).
    let account = clients.caller().await?.scope.account;
    match read_bucket(&clients.s3, &audio.bucket, &account).await? {
        Some(found) => Ok(Some(found)),
        None => Err(Error::invalid(
            format!(
                "--audio-bucket {:?} does not exist in account {account}",
                audio.bucket
            ),
            "create the bucket first, or pass an existing one: lex-logs-setup never creates buckets",
        )),
    }
}

/// The KMS key given with `--kms-key`, if any, as read (the plan checks it with
/// [`ObservedKey::for_audio`]).
pub(super) async fn given_key(clients: &Clients, spec: &Spec) -> Result<Option<ObservedKey>> {
    match spec.audio.as_ref().and_then(|a| a.kms_key.as_ref()) {
        Some(key) => read_key(&clients.kms, key).await.map(Some),
        None => Ok(None),
    }
}

/// Apply with `--log-group-kms-key`: the key as read (the planner checks it for the group). Not
/// read for destroy, which never changes a group's encryption.
pub(super) async fn log_group_key(
    clients: &Clients,
    spec: &Spec,
    mode: Mode,
) -> Result<Option<ObservedKey>> {
    match spec.text.as_ref().and_then(|t| t.kms_key.as_ref()) {
        Some(key) if mode == Mode::Apply => read_key(&clients.kms, key).await.map(Some),
        _ => Ok(None),
    }
}

/// Lex writes audio logs only to a bucket in the bot's region.
pub(super) fn require_bucket_in_region(bucket: Option<&BucketState>, region: &str) -> Result<()> {
    let Some(bucket_region) = bucket.and_then(|b| b.region.as_deref()) else {
        return Ok(());
    };
    if bucket_region == region {
        return Ok(());
    }
    Err(Error::invalid(
        format!(
            "--audio-bucket {} is in {bucket_region}, the bot in {region}: Lex writes audio logs only to a bucket in the bot's region",
            bucket.map(|b| b.name.as_str()).unwrap_or_default(),
        ),
        "pass a bucket in the bot's region",
    ))
}

/// The log group for text logs (`/aws/lex/<bot name>` unless given), checked; `None` without
/// text logs.
pub(super) fn log_group_name(spec: &Spec, bot_name: &str) -> Result<Option<String>> {
    let name = spec.text.as_ref().map(|t| {
        t.log_group
            .clone()
            .unwrap_or_else(|| format!("/aws/lex/{bot_name}"))
    });
    if let Some(name) = &name {
        log_group::require_valid(name)?;
    }
    Ok(name)
}

/// The log group of `name` (and the group, if it exists).
pub(super) async fn log_group(
    clients: &Clients,
    scope: &Scope,
    name: Option<&String>,
) -> Result<Option<(String, Option<LogGroupState>)>> {
    match name {
        Some(name) => read_log_group(clients, scope, name)
            .await
            .map(|g| Some((name.clone(), g))),
        None => Ok(None),
    }
}

/// Apply without `--kms-key` (`key_given` false): the bucket's default SSE-KMS key, if it has
/// one, as read.
pub(super) async fn bucket_default_key(
    clients: &Clients,
    key_given: bool,
    bucket: Option<&BucketState>,
    mode: Mode,
) -> Result<Option<ObservedKey>> {
    match (key_given, bucket.and_then(|b| b.default_kms_key.as_ref())) {
        (false, Some(key)) if mode == Mode::Apply => read_key(&clients.kms, key).await.map(Some),
        _ => Ok(None),
    }
}

/// Destroy: the log groups our grants name (our CloudWatch policy, our inline policy on the
/// writers) other than the one already read, so that destroy finds a group apply took over
/// even without the `--log-group` apply was given.
pub(super) async fn granted_log_groups(
    clients: &Clients,
    observed: &super::Observed,
) -> Result<Vec<LogGroupState>> {
    use crate::documents::{granted_resources, service_linked_policy_name, Concern};
    let inline_name = service_linked_policy_name(&observed.role_name);
    let mut documents: Vec<&serde_json::Value> = observed
        .writers
        .values()
        .filter_map(|w| w.state.as_ref()?.inline.get(&inline_name))
        .collect();
    documents.extend(
        observed
            .policies
            .get(&Concern::CloudWatch)
            .and_then(|p| p.as_ref())
            .map(|p| &p.document),
    );
    let prefix = observed.scope.log_group("");
    let read = observed.log_group.as_ref().map(|(name, _)| name.as_str());
    let mut names: Vec<String> = documents
        .into_iter()
        .flat_map(granted_resources)
        .filter_map(|r| Some(r.strip_prefix(&prefix)?.trim_end_matches(":*").to_string()))
        .filter(|name| Some(name.as_str()) != read && !name.is_empty())
        .collect();
    names.sort();
    names.dedup();
    let found = futures::future::try_join_all(
        names
            .iter()
            .map(|name| read_log_group(clients, &observed.scope, name)),
    )
    .await?;
    Ok(found.into_iter().flatten().collect())
}

/// The keys and bucket as read: the bucket, the key audio is encrypted with (given, or the
/// bucket's default one), `--log-group-kms-key`, and the reads kept for a second judge.
pub(super) struct AudioReads {
    pub(super) bucket: Option<BucketState>,
    pub(super) key: Option<KeyInfo>,
    pub(super) log_group_key: Option<ObservedKey>,
    pub(super) reads: Reads,
}

impl AudioReads {
    /// The bucket and the given keys at once (they need only the account), then, on an apply
    /// without `--kms-key`, the bucket's default key.
    pub(super) async fn read(clients: &Clients, spec: &Spec, mode: Mode) -> Result<AudioReads> {
        let (bucket, given_key, log_group_key) = tokio::join!(
            bucket(clients, spec),
            given_key(clients, spec),
            log_group_key(clients, spec, mode),
        );
        let (bucket, given_key, log_group_key) = (bucket?, given_key?, log_group_key?);
        require_bucket_in_region(bucket.as_ref(), &clients.region)?;
        let mut reads = Reads::default();
        if let Some(b) = &bucket {
            reads.buckets.insert(b.name.clone(), true);
            reads
                .bucket_policies
                .insert(b.name.clone(), b.policy.clone());
        }
        let key = match keep_key(spec, &mut reads, given_key)? {
            Some(key) => Some(key),
            None => {
                let default_key = bucket_default_key(clients, false, bucket.as_ref(), mode).await?;
                keep_key(spec, &mut reads, default_key)?
            }
        };
        if let Some(key) = &log_group_key {
            reads.add_key(key.clone());
        }
        Ok(AudioReads {
            bucket,
            key,
            log_group_key,
            reads,
        })
    }
}

/// The key as the plan needs it for audio to `spec`'s bucket (an error when it cannot serve),
/// kept as read.
fn keep_key(spec: &Spec, reads: &mut Reads, key: Option<ObservedKey>) -> Result<Option<KeyInfo>> {
    let (Some(key), Some(audio)) = (key, spec.audio.as_ref()) else {
        return Ok(None);
    };
    let info = key.for_audio_to(&audio.bucket, &audio.prefix)?;
    reads.add_key(key);
    Ok(Some(info))
}
