//! The waves of concurrent reads, each started once what it needs is known:
//! 1. what needs nothing: who we are, the bot by name and as an id, and everything derived from
//!    the bot name as typed (most people type the name) or from the flags: role, grants, bucket,
//!    the audio key and the log group's key (`--log-group-kms-key`);
//! 2. what needs the account or the bot id: the bot (if found by name), its alias list, our
//!    policies, the log group, inline documents, the previous role recorded on our role, the
//!    bot's tags; beside it, the bot's replicas and (destroy, the dedicated mode) every version
//!    listed then described, and (destroy in place) the account's service-linked roles that
//!    hold our grant;
//! 3. the aliases and the roles of the versions they run, the bot's current role when it is not
//!    ours, the grants recorded on the bot, and our alarms of the aliases (by their ids); our
//!    saved queries (by the log group's name) are read beside waves 2 and 3;
//! 4. in place, only when a version runs on another role than the bot's (or, in destroy, a
//!    version or a service-linked role holds our grant): that role, beside the locales an alarm
//!    watches (`--alarm`); then, for an apply in place whose customer writer is near IAM's
//!    default quota of attached policies, the account's quota (`iam:GetAccountSummary`);
//! 5. what needs the writers: their boundaries (apply) or the log groups our grants name
//!    (destroy). Only when the plan puts a changed grant on a service-linked role are that
//!    role's other inline policies read (`app::prepare`: IAM limits their size together).

use std::collections::BTreeMap;

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

/// What is read beside waves 2 and 3 (each needs only what the first wave found).
struct Beside {
    replicas: Vec<super::ReplicaRegion>,
    version_roles: Vec<crate::resources::version::VersionInfo>,
    holders: Option<roles::GrantHolders>,
    queries: Option<Vec<crate::resources::query::QueryState>>,
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
        let bot_name = first.base.bot_name.clone();
        let inline_name = service_linked_policy_name(&first.base.role_name);
        let waves = async {
            let second = second_wave(clients, spec, mode, first).await?;
            let third = third_wave(clients, spec, mode, &second).await?;
            Ok::<_, crate::error::Error>((second, third))
        };
        let replicas = super::replicas::read(clients, &bot_id, &provider, &scope, group.as_deref());
        // Destroy (and the dedicated mode) reads every version's role: listed and described
        // beside waves 2 and 3 (they need only the bot's id).
        let every_version = mode == Mode::Destroy || spec.dedicated();
        let version_roles = lex::all_version_roles(&clients.lex, &bot_id, &bot_name, every_version);
        // Destroy in place looks for our grant on every Lex service-linked role of the account
        // (one listing that needs only the grant's name), beside the waves too.
        let holders = async {
            match mode == Mode::Destroy && !spec.dedicated() {
                true => {
                    roles::service_linked_grant_holders(&clients.iam, &inline_name, &scope.region)
                        .await
                        .map(Some)
                }
                false => Ok(None),
            }
        };
        // Our saved queries need only the log group's name.
        let queries = super::alarms::read_queries(clients, spec, mode, group.as_deref());
        let (waves, replicas, version_roles, holders, queries) =
            tokio::join!(waves, replicas, version_roles, holders, queries);
        let (second, third) = waves?;
        let beside = Beside {
            replicas: replicas?,
            version_roles: version_roles?,
            holders: holders?,
            queries: queries?,
        };
        Ok::<_, crate::error::Error>((second, third, beside))
    };
    let (waves, audio) = tokio::join!(
        lex_and_iam,
        destinations::AudioReads::read(clients, spec, mode)
    );
    // A wrong audio destination is said before a bot that is not found (it is the user's input).
    let audio = audio?;
    let (second, third, beside) = waves?;
    let (mut observed, mut reads) =
        observed(second, third, audio.bucket, audio.key, audio.log_group_key);
    reads.absorb(audio.reads);
    observed.replicas = beside.replicas;
    observed.version_roles = beside.version_roles;
    observed.queries = beside.queries;
    super::last_waves::read(clients, spec, mode, &mut observed, beside.holders).await?;
    tracing::debug!(bot_on_our_role = observed.bot_on_our_role(), previous = ?observed.previous.as_ref().map(|p| p.arn().to_string()), "observed");
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
    /// The grants of the principals recorded on the bot but not asked for.
    recorded_grants: Grants,
    /// `--publish-version`: what DRAFT and the versions hold, locales included.
    version_contents: BTreeMap<String, VersionContents>,
    /// Our alarms of the named aliases, when apply asks for them or destroy may remove them.
    alarms: Option<BTreeMap<String, crate::resources::alarm::AlarmState>>,
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
        recorded_grants,
        locales,
        alarms,
    ) = tokio::try_join!(
        alias::describe_all(lex, &base.scope, bot, alias_ids),
        alias::describe_all(lex, &base.scope, bot, &bystander_ids),
        previous,
        likely_writer(iam, bot, &base.role_name, dedicated),
        lex::versions_described(lex, bot, &versions),
        roles::observe_grants(iam, &recorded_on_bot, &grant_name, false),
        lex::locales_to_compare(lex, bot, to_compare),
        super::alarms::read_by_ids(clients, spec, mode, &base.bot_id, alias_ids),
    )?;
    let runners = aliases.iter_mut().chain(bystanders.iter_mut());
    super::writers::set_runs_on(runners, bot, &versions_described);
    Ok(ThirdWave {
        aliases,
        bystanders,
        previous,
        earlier_role,
        likely_writer,
        recorded_grants,
        version_contents: lex::contents_to_compare(bot, &versions_described, locales),
        alarms,
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
        version_roles: Vec::new(),
        earlier_role: third.earlier_role,
        bot_tags: second.bot_tags,
        granted_log_groups: Vec::new(),
        boundaries: BTreeMap::new(),
        version_contents: third.version_contents,
        bucket,
        attached_policies_quota: None,
        replicas: Vec::new(),
        alarms: third.alarms,
        version_locales: BTreeMap::new(),
        queries: None,
    };
    (observed, second.base.reads)
}
