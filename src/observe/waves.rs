//! The waves of concurrent reads, each started once what it needs is known:
//! 1. what needs nothing: who we are, the bot by name and as an id, and everything derived from
//!    the bot name as typed (most people type the name) or from the flags: role, grants, bucket,
//!    the audio key and the log group's key (`--log-group-kms-key`);
//! 2. what needs the account or the bot id: the bot (if found by name), its alias list, our
//!    policies, the log group, inline documents, the previous role recorded on our role, the
//!    bot's tags;
//! 3. the aliases and the roles of the versions they run, the bot's current role when it is not
//!    ours, and the grants recorded on the bot;
//! 4. in place, only when a version runs on another role than the bot's: that role; then, for an
//!    apply in place whose customer writer is near IAM's default quota of attached policies, the
//!    account's quota (`iam:GetAccountSummary`).

use std::collections::{BTreeMap, BTreeSet};

use super::destinations;
use super::keys::ObservedKey;
use super::lex::{self, Listed};
use super::reads::Reads;
use super::roles::{self, BotRole, Grants, Named};
use super::{EarlierRole, Observed, Writer};
use crate::arn::Scope;
use crate::aws::Clients;
use crate::documents::{pass_role_policy_name, service_linked_policy_name, Concern};
use crate::error::Result;
use crate::plan::Mode;
use crate::resources::alias::{self, Alias};
use crate::resources::bot::Bot;
use crate::resources::destination::{BucketState, KeyInfo};
use crate::resources::log_group::LogGroupState;
use crate::resources::managed_policy::PolicyState;
use crate::resources::role::{self as role_reads, PreviousRole, RoleState};
use crate::resources::tags;
use crate::resources::version::VersionInfo;
use crate::resources::version_contents::VersionContents;
use crate::spec::{default_role_name, Spec};

/// What the later waves need from the first: who we are, the bot, the setup's role name and the
/// audio destination.
struct Base {
    scope: Scope,
    /// Who applies what is planned on this observation.
    provider: crate::provider::Provider,
    bot_id: String,
    bot_name: String,
    role_name: String,
    /// The destinations as read, for a second judge (verify's static check in `status`).
    reads: Reads,
}

struct FirstWave {
    base: Base,
    /// The bot, when it was given by id (then it is described already).
    known_bot: Option<Bot>,
    log_group_name: Option<String>,
    /// What was read for the role name guessed from the bot name as typed, if the guess was right.
    named: Option<Named>,
}

struct SecondWave {
    base: Base,
    bot: Bot,
    alias_ids: Vec<String>,
    listed: Vec<Listed>,
    our_role: Option<RoleState>,
    grants: Grants,
    policies: BTreeMap<Concern, Option<PolicyState>>,
    log_group: Option<(String, Option<LogGroupState>)>,
    previous_from_tag: Option<PreviousRole>,
    bot_tags: tags::Tags,
}

/// Reads everything the plan for `spec` needs, and keeps what was read of the destinations.
/// When the bot was given by id, the name-derived reads are redone with its real name in the
/// second wave. The audio destination (bucket, key) needs only the account, so its reads run
/// beside the waves instead of holding the second wave back.
pub(super) async fn read(clients: &Clients, spec: &Spec, mode: Mode) -> Result<(Observed, Reads)> {
    let lex_and_iam = async {
        let first = first_wave(clients, spec, mode).await?;
        // The bot's replicas need only its id and the group's name: read beside waves 2 and 3.
        let (bot_id, group) = (first.base.bot_id.clone(), first.log_group_name.clone());
        let (provider, scope) = (first.base.provider.clone(), first.base.scope.clone());
        let waves = async {
            let second = second_wave(clients, spec, mode, first).await?;
            let third = third_wave(clients, spec, mode, &second).await?;
            Ok::<_, crate::error::Error>((second, third))
        };
        let replicas = super::replicas::read(clients, &bot_id, &provider, &scope, group.as_deref());
        let (waves, replicas) = tokio::join!(waves, replicas);
        let (second, third) = waves?;
        Ok::<_, crate::error::Error>((second, third, replicas?))
    };
    let (waves, audio) = tokio::join!(
        lex_and_iam,
        destinations::AudioReads::read(clients, spec, mode)
    );
    // A wrong audio destination is said before a bot that is not found (it is the user's input).
    let audio = audio?;
    let (second, third, replicas) = waves?;
    let (mut observed, mut reads) =
        observed(second, third, audio.bucket, audio.key, audio.log_group_key);
    reads.absorb(audio.reads);
    if !spec.dedicated() {
        fourth_wave(&clients.iam, &mut observed, mode).await?;
        if mode == Mode::Apply && customer_writer_near_quota(&observed) {
            observed.attached_policies_quota =
                super::quotas::attached_policies_per_role(&clients.iam).await?;
        }
    }
    observed.replicas = replicas;
    // The last reads need only what is read by now, and not each other: at once.
    let by_mode = async {
        match mode {
            Mode::Destroy => destinations::granted_log_groups(clients, &observed)
                .await
                .map(|g| (g, BTreeMap::new())),
            _ => super::boundaries::read(&clients.iam, &observed)
                .await
                .map(|b| (Vec::new(), b)),
        }
    };
    let (by_mode, alarms, queries) = tokio::join!(
        by_mode,
        super::alarms::read(clients, spec, mode, &observed),
        super::alarms::read_queries(clients, spec, mode, &observed),
    );
    let ((granted, boundaries), alarms, queries) = (by_mode?, alarms?, queries?);
    match mode {
        Mode::Destroy => observed.granted_log_groups = granted,
        _ => observed.boundaries = boundaries,
    }
    if let Some((alarms, locales)) = alarms {
        observed.alarms = Some(alarms);
        observed.version_locales = locales;
    }
    observed.queries = queries;
    tracing::debug!(bot_on_our_role = observed.bot_on_our_role(), previous = ?observed.previous.as_ref().map(|p| p.arn().to_string()), "wave 3 read");
    Ok((observed, reads))
}

async fn first_wave(clients: &Clients, spec: &Spec, mode: Mode) -> Result<FirstWave> {
    let guessed_role = spec
        .role_name
        .clone()
        .unwrap_or_else(|| default_role_name(&spec.bot));
    let (caller, (by_name, by_id), named) = tokio::join!(
        clients.caller(),
        lex::lookup(clients, &spec.bot),
        roles::observe_named_listed(clients, spec, &guessed_role, mode),
    );
    let scope = caller?.scope;
    let by_name = by_name?;
    let by_id = by_id?;
    let (known_bot, bot_id, bot_name) =
        lex::resolve_bot(&spec.bot, &clients.region, by_id, by_name)?;
    let role_name = spec
        .role_name
        .clone()
        .unwrap_or_else(|| default_role_name(&bot_name));
    let log_group_name = destinations::log_group_name(spec, &bot_name)?;
    // The guess was wrong only when the bot was given by id (and no --role-name).
    let named = if role_name == guessed_role {
        Some(named?)
    } else {
        None
    };
    tracing::debug!(bot = %bot_id, name = %bot_name, role = %role_name, guessed = role_name == guessed_role, "wave 1 read");
    let provider = clients.provider().await?;
    Ok(FirstWave {
        base: Base {
            scope,
            provider,
            bot_id,
            bot_name,
            role_name,
            reads: Reads::default(),
        },
        known_bot,
        log_group_name,
        named,
    })
}

async fn second_wave(
    clients: &Clients,
    spec: &Spec,
    mode: Mode,
    first: FirstWave,
) -> Result<SecondWave> {
    let (iam, lex) = (&clients.iam, &clients.lex);
    let FirstWave {
        mut base,
        known_bot,
        log_group_name,
        named,
    } = first;
    let previous_on_tag = named
        .as_ref()
        .and_then(|n| n.role.as_ref())
        .and_then(|r| r.state.tags.get(tags::PREVIOUS_ROLE))
        .cloned();
    let named_state = async {
        let named = match named {
            Some(named) => named,
            None => roles::observe_named_listed(clients, spec, &base.role_name, mode).await?,
        };
        roles::finish_named(iam, named).await
    };
    // Read now, used if the bot turns out to run on our role (a re-apply or a destroy).
    let previous_from_tag = async {
        match &previous_on_tag {
            Some(arn) => role_reads::observe_previous(iam, arn).await.map(Some),
            None => Ok(None),
        }
    };
    let (
        bot,
        (alias_ids, listed),
        (our_role, grants),
        policies,
        log_group,
        previous_from_tag,
        bot_tags,
    ) = tokio::try_join!(
        lex::bot(lex, known_bot.as_ref(), &base.bot_id),
        lex::alias_ids(clients, &base.bot_id, &base.bot_name, &spec.aliases),
        named_state,
        roles::policies_listed(clients, &base.scope, &base.role_name),
        destinations::log_group(clients, &base.scope, log_group_name.as_ref()),
        previous_from_tag,
        lex::bot_tags(lex, &base.scope, &base.bot_id, &base.bot_name),
    )?;
    tracing::debug!(
        aliases = alias_ids.len(),
        role_exists = our_role.is_some(),
        "wave 2 read"
    );
    if let Some((name, group)) = &log_group {
        base.reads.log_groups.insert(name.clone(), group.clone());
    }
    Ok(SecondWave {
        base,
        bot,
        alias_ids,
        listed,
        our_role,
        grants,
        policies: Concern::ALL.into_iter().zip(policies).collect(),
        log_group,
        previous_from_tag,
        bot_tags,
    })
}

struct ThirdWave {
    aliases: Vec<Alias>,
    bystanders: Vec<Alias>,
    previous: Option<PreviousRole>,
    earlier_role: Option<EarlierRole>,
    /// In place: the bot's own role, which most versions run on.
    likely_writer: Option<Writer>,
    version_roles: Vec<VersionInfo>,
    /// The grants of the principals recorded on the bot but not asked for.
    recorded_grants: Grants,
    /// `--publish-version`: what DRAFT and the versions hold, locales included.
    version_contents: BTreeMap<String, VersionContents>,
}

async fn third_wave(
    clients: &Clients,
    spec: &Spec,
    mode: Mode,
    second: &SecondWave,
) -> Result<ThirdWave> {
    let (iam, lex) = (&clients.iam, &clients.lex);
    let SecondWave {
        base,
        bot,
        alias_ids,
        listed,
        ..
    } = second;
    let dedicated = spec.dedicated();
    let previous = async {
        if !dedicated {
            // In place, the bot keeps its role: there is no previous role to carry.
            return Ok((None, None));
        }
        let bot_role = BotRole {
            bot_id: &base.bot_id,
            current: bot.role_arn(),
            ours: bot.runs_on(&base.role_name),
        };
        let from_tag = second.previous_from_tag.clone();
        roles::previous_role(
            iam,
            &base.scope,
            bot_role,
            from_tag,
            second.our_role.as_ref(),
        )
        .await
    };
    let all_aliases = mode == Mode::Destroy || dedicated;
    let bystander_ids = lex::bystander_ids(listed, alias_ids, all_aliases);
    let versions = lex::versions_run(listed, &[alias_ids, &bystander_ids]);
    let to_compare = lex::versions_to_compare(spec, mode, listed, alias_ids);
    let recorded_on_bot: Vec<_> = roles::recorded_principals(Some(&second.bot_tags))
        .into_iter()
        .filter(|p| !second.grants.contains_key(p))
        .collect();
    let grant_name = pass_role_policy_name(&base.role_name);
    let (
        mut aliases,
        mut bystanders,
        (previous, earlier_role),
        likely_writer,
        versions_described,
        version_roles,
        recorded_grants,
        locales,
    ) = tokio::try_join!(
        alias::describe_all(lex, &base.scope, bot, alias_ids),
        alias::describe_all(lex, &base.scope, bot, &bystander_ids),
        previous,
        likely_writer(iam, bot, &base.role_name, dedicated),
        lex::versions_described(lex, bot, &versions),
        lex::all_version_roles(lex, bot, all_aliases),
        roles::observe_grants(iam, &recorded_on_bot, &grant_name, false),
        lex::locales_to_compare(lex, bot, to_compare),
    )?;
    let runners = aliases.iter_mut().chain(bystanders.iter_mut());
    super::writers::set_runs_on(runners, bot, &versions_described);
    Ok(ThirdWave {
        aliases,
        bystanders,
        previous,
        earlier_role,
        likely_writer,
        version_roles,
        recorded_grants,
        version_contents: lex::contents_to_compare(bot, &versions_described, locales),
    })
}

/// In place, the role most versions run on is the bot's own: read in the third wave, beside the
/// aliases, rather than in a wave of its own.
async fn likely_writer(
    iam: &aws_sdk_iam::Client,
    bot: &Bot,
    role_name: &str,
    dedicated: bool,
) -> Result<Option<Writer>> {
    match (bot.role_arn(), dedicated) {
        (Some(arn), false) => {
            let inline_name = service_linked_policy_name(role_name);
            Writer::observe(iam, arn, &inline_name).await.map(Some)
        }
        _ => Ok(None),
    }
}

/// Everything read in the first three waves, as `Observed` (the writers: the bot's role only),
/// and what was read of the destinations.
fn observed(
    second: SecondWave,
    third: ThirdWave,
    bucket: Option<BucketState>,
    kms_key: Option<KeyInfo>,
    log_group_key: Option<ObservedKey>,
) -> (Observed, Reads) {
    let mut grants = second.grants;
    grants.extend(third.recorded_grants);
    let observed = Observed {
        scope: second.base.scope,
        provider: second.base.provider,
        bot: second.bot,
        aliases: third.aliases,
        role_name: second.base.role_name,
        role: second.our_role,
        policies: second.policies,
        previous: third.previous,
        log_group: second.log_group,
        kms_key,
        log_group_key,
        grants,
        writers: third
            .likely_writer
            .into_iter()
            .map(|w| (w.arn.clone(), w))
            .collect(),
        bystanders: third.bystanders,
        version_roles: third.version_roles,
        earlier_role: third.earlier_role,
        bot_tags: second.bot_tags,
        granted_log_groups: Vec::new(),
        boundaries: BTreeMap::new(),
        version_contents: third.version_contents,
        bucket,
        attached_policies_quota: None,
        replicas: Vec::new(),
        alarms: None,
        version_locales: BTreeMap::new(),
        queries: None,
    };
    (observed, second.base.reads)
}

/// In place, the roles the aliases run on that the third wave did not read (a version on another
/// role than the bot's); then only the roles the aliases run on, and the bot's own, are writers. Destroy also reads
/// every role a version of the bot runs on and the bot's own: an alias moved to another version
/// since apply leaves our grant on the role it ran on, and destroy must find it there.
async fn fourth_wave(iam: &aws_sdk_iam::Client, observed: &mut Observed, mode: Mode) -> Result<()> {
    let inline_name = service_linked_policy_name(&observed.role_name);
    let mut used: BTreeSet<String> = observed
        .aliases
        .iter()
        .chain(observed.bystanders.iter())
        .filter_map(|a| a.runs_on.clone())
        .collect();
    if mode == Mode::Destroy {
        let versions = observed.version_roles.iter().filter_map(|v| v.role.clone());
        used.extend(versions.chain(observed.bot.role_arn().map(str::to_string)));
    }
    // In place, the bot's own role (read in the third wave) stays a writer: when an alias runs
    // a version built with another role, the plan grants both (Lex V2 does not document which
    // writes a published version's logs; planner::in_place::hedged).
    if let Some(bot_role) = observed.bot.role_arn() {
        if observed.writers.contains_key(bot_role) {
            used.insert(bot_role.to_string());
        }
    }
    let missing: Vec<&String> = used
        .iter()
        .filter(|arn| !observed.writers.contains_key(*arn))
        .collect();
    let strays = async {
        if mode != Mode::Destroy {
            return Ok(Vec::new());
        }
        let region = &observed.scope.region;
        roles::stray_service_linked_grants(iam, &inline_name, &used, region).await
    };
    let (found, strays) = tokio::try_join!(
        futures::future::try_join_all(missing.iter().map(|arn| Writer::observe(
            iam,
            arn,
            &inline_name
        )),),
        strays
    )?;
    for writer in found.into_iter().chain(strays) {
        used.insert(writer.arn.clone());
        observed.writers.insert(writer.arn.clone(), writer);
    }
    observed.writers.retain(|arn, _| used.contains(arn));
    Ok(())
}

/// In-place apply attaches up to one managed policy per log concern to each customer role that
/// writes logs: true when that could pass IAM's default quota on one of them.
fn customer_writer_near_quota(observed: &Observed) -> bool {
    let counts = observed
        .writers
        .values()
        .filter(|w| !w.service_linked)
        .filter_map(|w| w.state.as_ref())
        .map(|s| s.attached.len());
    // CloudWatch Logs, S3 and KMS: one policy each (planner::in_place::LOG_CONCERNS).
    super::quotas::quota_matters(counts, 3)
}
