//! Observation: every read-only AWS call a plan needs, made concurrently in as few waves as the
//! dependencies allow (see `waves`), into `Observed`: what exists now, and what of it is ours.
//! The checks that need a read fail here, before any change (a missing bot, alias, bucket, key or
//! principal); the ownership refusals are in `crate::ownership`, run on what this returns.
//!
//! Each fact has one read path here, which plan, verify and status share: the role that writes
//! an alias's logs (`writers::writer_role`, and `writers::writer_policies` for its documents), a
//! KMS key and its policy (`keys::read_key`), a log group (`reads::read_log_group`), a bucket
//! (`reads::bucket_exists`, `reads::read_bucket`). `observe_with_reads` also returns [`Reads`]:
//! what was read of the destinations, so that verify's static check in `status` reads none of
//! them again; verify alone observes through `aliases::bot_and_aliases`.

mod alarms;
mod aliases;
mod aws_managed;
mod boundaries;
mod destinations;
mod keys;
mod last_waves;
mod lex;
mod orphan;
mod quotas;
mod reads;
mod replicas;
mod roles;
mod slots;
mod waves;
mod writers;

pub(crate) use crate::resources::alarm::name as alarm_name;
pub(crate) use alarms::read_alarms;
pub(crate) use aliases::bot_and_aliases;
#[cfg(test)]
pub(crate) use keys::FoundKey;
pub(crate) use keys::ObservedKey;
pub(crate) use orphan::{observe as observe_orphan, Orphan};
pub(crate) use quotas::DEFAULT_ATTACHED_POLICIES_PER_ROLE;
pub(crate) use reads::{Reads, Wanted};
pub(crate) use replicas::{replica_regions, ReplicaRegion};
pub(crate) use slots::unmasked_slots;
pub(crate) use writers::{writer_policies, WriterPolicies};

use std::collections::BTreeMap;

use serde_json::Value;

use crate::arn::Scope;
use crate::aws::Clients;
use crate::documents::Concern;
use crate::error::Result;
use crate::plan::Mode;
use crate::resources::alias::Alias;
use crate::resources::bot::Bot;
use crate::resources::destination::KeyInfo;
use crate::resources::log_group::LogGroupState;
use crate::resources::managed_policy::PolicyState;
use crate::resources::role::{self, PreviousRole, RoleState};
use crate::resources::version_contents::VersionContents;
use crate::resources::{tags, version};
use crate::spec::{Principal, Spec};

/// What exists now, as far as the plan for one bot is concerned.
#[derive(Debug, Clone)]
pub struct Observed {
    pub scope: Scope,
    /// Who applies the changes planned on this observation (its account and region, and the
    /// role assumed there): every change is born with it.
    pub provider: crate::provider::Provider,
    pub bot: Bot,
    pub aliases: Vec<Alias>,
    pub role_name: String,
    pub role: Option<RoleState>,
    /// Our managed policy of each concern, if it exists.
    pub policies: BTreeMap<Concern, Option<PolicyState>>,
    /// The role the bot ran with before ours (from the bot, or from our role's tag).
    pub previous: Option<PreviousRole>,
    /// The log group for text logs (name, and the group if it exists).
    pub log_group: Option<(String, Option<LogGroupState>)>,
    /// The key for audio: the one given, or the bucket's default SSE-KMS key.
    pub kms_key: Option<KeyInfo>,
    /// Apply with `--log-group-kms-key`: the key as read (the planner checks it for the log
    /// group with [`ObservedKey::for_log_group`]).
    pub log_group_key: Option<ObservedKey>,
    /// The PassRole grant on each principal asked for or recorded on our role (None: no grant).
    pub grants: BTreeMap<Principal, Option<Value>>,
    /// In-place mode: the roles that write the aliases' logs (the roles of the versions they
    /// run), by ARN.
    pub writers: BTreeMap<String, Writer>,
    /// Destroy: the bot's other aliases (not named), whose logs may still need what we made.
    pub bystanders: Vec<Alias>,
    /// Dedicated-role destroy: every published version and the role it runs on.
    pub version_roles: Vec<version::VersionInfo>,
    /// Dedicated-role apply: an earlier role of ours for this bot (another `--role-name`) that
    /// the bot runs on now, with our policies of it; apply migrates from it and removes it.
    pub earlier_role: Option<EarlierRole>,
    /// The bot's tags (in place: the principals granted PassRole are recorded there).
    pub bot_tags: tags::Tags,
    /// Destroy: the log groups our grants name, other than `log_group` (a take-over recorded on
    /// one of them is undone).
    pub granted_log_groups: Vec<LogGroupState>,
    /// The documents of the permissions boundaries of the roles that would write the logs, by
    /// policy ARN (`None`: it cannot be read), for the plan's boundary check (apply).
    pub boundaries: BTreeMap<String, Option<Value>>,
    /// Dedicated apply with `--publish-version`: what DRAFT and each version the aliases run
    /// hold (role, settings, locales), by version, so that the plan says what goes live.
    pub version_contents: BTreeMap<String, VersionContents>,
    /// The audio bucket as read (its policy included), when audio logs are asked for.
    pub bucket: Option<crate::resources::destination::BucketState>,
    /// In-place apply: the account's quota of managed policies per role
    /// (`iam:GetAccountSummary`), read only when a writer is near IAM's default; `None`: not read
    /// (the default, 10, applies).
    pub attached_policies_quota: Option<usize>,
    /// The regions the bot is replicated to (Global Resiliency), each with the text logs' group
    /// of the same name there; empty for a bot that is not replicated.
    pub replicas: Vec<ReplicaRegion>,
    /// Our alarms' names of the aliases that have an alarm of that name (ours or not), read with
    /// `--alarm` and by destroy; `None`: not read.
    pub alarms: Option<BTreeMap<String, crate::resources::alarm::AlarmState>>,
    /// With `--alarm`: the locale ids of each version the aliases run.
    pub version_locales: BTreeMap<String, Vec<String>>,
    /// The saved queries named with our prefix for the text log group, read with
    /// `--insights-queries` and by destroy; `None`: not read.
    pub queries: Option<Vec<crate::resources::query::QueryState>>,
}

/// A logging role of ours under an earlier name, and its managed policies of ours.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierRole {
    pub state: RoleState,
    pub policies: Vec<crate::resources::managed_policy::PolicyState>,
    /// The PassRole grants it recorded (on the principals named in its tag).
    pub grants: BTreeMap<Principal, Option<Value>>,
}

/// A role that writes an alias's logs because the alias's version runs on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Writer {
    pub arn: String,
    pub name: String,
    pub service_linked: bool,
    /// `None`: the role does not exist (the version cannot run, nor log). On a customer role,
    /// `state.inline` holds only ours; on a service-linked role, ours and the documents of
    /// Lex's own inline policies once read (their total size is what IAM limits).
    pub state: Option<RoleState>,
    /// A service-linked role's other inline policies that were listed but not read yet: read
    /// only when a plan puts a changed grant there (IAM's size limit) or a judge needs them.
    pub unread_inline: Vec<String>,
}

impl Writer {
    /// Reads the role an alias's version runs on, with our inline policy `inline_name` (if any)
    /// and, on a service-linked role, the names of its other inline policies: one round trip.
    /// Their documents are read by [`Writer::read_unread_inline`] when needed.
    pub(crate) async fn observe(
        iam: &aws_sdk_iam::Client,
        arn: &str,
        inline_name: &str,
    ) -> Result<Writer> {
        let name = crate::arn::iam_name(arn).unwrap_or(arn).to_string();
        let service_linked = role::is_service_linked(arn);
        let names = async {
            match service_linked {
                true => role::inline_policy_names(iam, &name).await.map(Some),
                false => Ok(None),
            }
        };
        let (state, names) = tokio::join!(role::observe_writer(iam, &name, inline_name), names);
        let state = state?;
        // A role that is gone has no policies to list: its listing's error is not looked at.
        let unread_inline = match (service_linked, state.as_ref()) {
            (true, Some(state)) => names?
                .unwrap_or_default()
                .into_iter()
                .filter(|n| !state.inline.contains_key(n))
                .collect(),
            _ => Vec::new(),
        };
        Ok(Writer {
            arn: arn.to_string(),
            service_linked,
            name,
            state,
            unread_inline,
        })
    }

    /// Reads the documents of the inline policies listed but not read yet (one round trip).
    pub(crate) async fn read_unread_inline(&mut self, iam: &aws_sdk_iam::Client) -> Result<()> {
        let Some(state) = self.state.as_mut() else {
            return Ok(());
        };
        if self.unread_inline.is_empty() {
            return Ok(());
        }
        let read = role::inline_documents(iam, &self.name, &self.unread_inline).await?;
        state.inline.extend(read);
        self.unread_inline.clear();
        Ok(())
    }
}

/// Apply: reads the other inline policies of the service-linked writers `arns` names (those on
/// which the plan puts a changed grant: IAM limits their size together), at once.
pub(crate) async fn read_writers_inline(
    iam: &aws_sdk_iam::Client,
    observed: &mut Observed,
    arns: &[String],
) -> Result<()> {
    let writers = observed.writers.values_mut();
    let wanted = writers.filter(|w| arns.contains(&w.arn));
    futures::future::try_join_all(wanted.map(|w| w.read_unread_inline(iam)))
        .await
        .map(|_| ())
}

impl Observed {
    /// The log groups that were read: the one for text logs, and the ones our grants name.
    pub(crate) fn log_groups_read(&self) -> impl Iterator<Item = &LogGroupState> {
        let named = self.log_group.as_ref().and_then(|(_, g)| g.as_ref());
        named.into_iter().chain(self.granted_log_groups.iter())
    }

    pub(crate) fn role_arn(&self) -> String {
        self.scope.role(&self.role_name)
    }

    /// True when the bot already runs with our role.
    pub(crate) fn bot_on_our_role(&self) -> bool {
        self.bot.runs_on(&self.role_name)
    }
}

/// Reads everything the plan for `spec` needs (see `waves` for what is read when).
///
/// Destroy in place finds a dedicated setup from the bot itself: a bot that runs on a role of
/// ours for this bot was set up with `--role-name`, whatever flags destroy was given; that setup
/// is read again under its role's name.
pub(crate) async fn observe(clients: &Clients, spec: &Spec, mode: Mode) -> Result<Observed> {
    observe_with_reads(clients, spec, mode)
        .await
        .map(|(observed, _)| observed)
}

/// As [`observe`], with what was read of the destinations (`status` hands both to verify's
/// static check).
pub(crate) async fn observe_with_reads(
    clients: &Clients,
    spec: &Spec,
    mode: Mode,
) -> Result<(Observed, Reads)> {
    let (observed, reads) = waves::read(clients, spec, mode).await?;
    if mode == Mode::Destroy && !spec.dedicated() {
        if let Some(name) = own_role_of_bot(&observed) {
            tracing::debug!(role = %name, "the bot runs on a role of ours: destroying that setup");
            let found = Spec {
                role_name: Some(name),
                ..spec.clone()
            };
            return Box::pin(observe_with_reads(clients, &found, mode)).await;
        }
    }
    Ok((observed, reads))
}

/// The name of the role the bot runs on when it is ours, for this bot, and not the setup's
/// default name (that one is already observed).
fn own_role_of_bot(observed: &Observed) -> Option<String> {
    let arn = observed.bot.role_arn()?;
    let writer = observed.writers.get(arn)?;
    let state = writer.state.as_ref()?;
    (tags::is_ours(&state.tags)
        && state.tags.get(tags::BOT_ID) == Some(&observed.bot.id)
        && writer.name != observed.role_name)
        .then(|| writer.name.clone())
}

#[cfg(test)]
mod tests;
