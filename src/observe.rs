//! Observation: every read-only AWS call a plan needs, made concurrently in as few waves as the
//! dependencies allow, into `Observed`; and the checks that make bad input fail before any change
//! (child-directed bots, missing principals, roles and policies that are not ours).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::arn::Scope;
use crate::aws::Clients;
use crate::documents::{pass_role_policy_name, Concern};
use crate::error::{Context, Error, Result};
use crate::plan::Mode;
use crate::resources::alias::{self, Alias};
use crate::resources::bot::{self, Bot};
use crate::resources::destination::{self, BucketState, KeyInfo};
use crate::resources::log_group::{self, LogGroupState};
use crate::resources::managed_policy::{self, PolicyState};
use crate::resources::role::{self, PreviousRole, RoleListing, RoleState};
use crate::resources::{inline_policy, tags, version};
use crate::spec::{default_role_name, Principal, Spec};

/// What exists now, as far as the plan for one bot is concerned.
#[derive(Debug, Clone)]
pub struct Observed {
    pub scope: Scope,
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
    pub bucket: Option<BucketState>,
    /// The key for audio: the one given, or the bucket's default SSE-KMS key.
    pub kms_key: Option<KeyInfo>,
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
    /// `None`: the role does not exist (the version cannot run, nor log).
    pub state: Option<RoleState>,
}

impl Writer {
    /// Reads the role an alias's version runs on (with our inline policy `inline_name`, if any),
    /// in one round trip.
    pub async fn observe(
        iam: &aws_sdk_iam::Client,
        arn: &str,
        inline_name: &str,
    ) -> Result<Writer> {
        let name = crate::arn::iam_name(arn).unwrap_or(arn).to_string();
        let state = role::observe_writer(iam, &name, inline_name).await?;
        Ok(Writer {
            arn: arn.to_string(),
            service_linked: role::is_service_linked(arn),
            name,
            state,
        })
    }
}

impl Observed {
    pub fn role_arn(&self) -> String {
        self.scope.role(&self.role_name)
    }

    /// True when the bot already runs with our role.
    pub fn bot_on_our_role(&self) -> bool {
        self.bot.runs_on(&self.role_name)
    }
}

fn recorded_principals(role: Option<&RoleState>) -> Vec<Principal> {
    role.and_then(|r| r.tags.get(tags::PASS_ROLE_PRINCIPALS))
        .map(|v| {
            v.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// What depends only on the role name: the role as listed, and the grants of the principals
/// asked for.
struct Named {
    role_name: String,
    role: Option<RoleListing>,
    grants: BTreeMap<Principal, Option<Value>>,
}

async fn observe_named(
    iam: &aws_sdk_iam::Client,
    spec: &Spec,
    role_name: &str,
    kind: Mode,
) -> Result<Named> {
    let grant_name = pass_role_policy_name(role_name);
    let (role, grants) = tokio::try_join!(
        role::observe_listing(iam, role_name),
        observe_grants(iam, &spec.pass_role, &grant_name, kind == Mode::Apply)
    )?;
    Ok(Named {
        role_name: role_name.into(),
        role,
        grants,
    })
}

/// The role's inline documents and the grants of principals recorded on it but not asked for.
async fn finish_named(
    iam: &aws_sdk_iam::Client,
    named: Named,
) -> Result<(Option<RoleState>, BTreeMap<Principal, Option<Value>>)> {
    let recorded: Vec<Principal> = named
        .role
        .as_ref()
        .map(|r| recorded_principals(Some(&r.state)))
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !named.grants.contains_key(p))
        .collect();
    let grant_name = pass_role_policy_name(&named.role_name);
    let role = async {
        match named.role {
            Some(listed) => role::complete(iam, listed).await.map(Some),
            None => Ok(None),
        }
    };
    let (role, recorded) =
        tokio::try_join!(role, observe_grants(iam, &recorded, &grant_name, false))?;
    let mut grants = named.grants;
    grants.extend(recorded);
    Ok((role, grants))
}

/// Reads everything the plan for `spec` needs, in three waves of concurrent calls:
/// 1. what needs nothing: who we are, the bot by name and as an id, and everything derived from
///    the bot name as typed (most people type the name) or from the flags: role, grants, bucket,
///    key;
/// 2. what needs the account or the bot id: the bot (if found by name), its alias list, our
///    policies, the log group, inline documents, the previous role recorded on our role;
/// 3. the aliases, and the bot's current role when it is not ours.
///
/// When the bot was given by id, the name-derived reads are redone with its real name (one more
/// wave).
pub async fn observe(clients: &Clients, spec: &Spec, kind: Mode) -> Result<Observed> {
    let iam = &clients.iam;
    let lex = &clients.lex;
    let guessed_role = spec
        .role_name
        .clone()
        .unwrap_or_else(|| default_role_name(&spec.bot));

    // Wave 1.
    let bucket = async {
        match &spec.audio {
            Some(audio) => destination::observe_bucket(&clients.s3, &audio.bucket)
                .await
                .map(Some),
            None => Ok(None),
        }
    };
    let given_key = async {
        match spec.audio.as_ref().and_then(|a| a.kms_key.as_ref()) {
            Some(key) => destination::observe_key(&clients.kms, key).await.map(Some),
            None => Ok(None),
        }
    };
    let (caller, by_name, by_id, named, bucket, given_key) = tokio::join!(
        clients.caller(),
        bot::find_id_by_name(lex, &spec.bot),
        bot::describe(lex, &spec.bot),
        observe_named(iam, spec, &guessed_role, kind),
        bucket,
        given_key,
    );
    let scope = caller?.scope;
    let by_name = by_name?;
    let by_id = match by_id {
        Ok(found) => Some(found),
        Err(e) if bot::is_no_such_bot(&e) => None,
        Err(e) => return Err(e),
    };
    let (bucket, given_key) = (bucket?, given_key?);
    if let Some(region) = bucket.as_ref().and_then(|b| b.region.as_deref()) {
        if region != clients.region {
            return Err(Error::invalid(
                format!(
                    "--audio-bucket {} is in {region}, the bot in {}: Lex writes audio logs only to a bucket in the bot's region",
                    bucket.as_ref().map(|b| b.name.as_str()).unwrap_or_default(),
                    clients.region
                ),
                "pass a bucket in the bot's region",
            ));
        }
    }
    let (known_bot, bot_id, bot_name) = match (by_id, by_name) {
        (Some(found), None) => (Some(found.clone()), found.id, found.name),
        (Some(found), Some(id)) if found.id == id => (Some(found.clone()), found.id, found.name),
        (_, Some(id)) => (None, id, spec.bot.clone()),
        (None, None) => return Err(bot::not_found(&spec.bot, &clients.region)),
    };
    let role_name = spec
        .role_name
        .clone()
        .unwrap_or_else(|| default_role_name(&bot_name));
    let log_group_name = spec.text.as_ref().map(|t| {
        t.log_group
            .clone()
            .unwrap_or_else(|| format!("/aws/lex/{bot_name}"))
    });
    if let Some(name) = &log_group_name {
        log_group::require_valid(name)?;
    }
    // The guess was wrong only when the bot was given by id (and no --role-name).
    let named = if role_name == guessed_role {
        Some(named?)
    } else {
        None
    };
    let previous_on_tag = named
        .as_ref()
        .and_then(|n| n.role.as_ref())
        .and_then(|r| r.state.tags.get(tags::PREVIOUS_ROLE))
        .cloned();

    tracing::debug!(bot = %bot_id, name = %bot_name, role = %role_name, guessed = role_name == guessed_role, "wave 1 read");
    // Wave 2.
    let bot = async {
        match &known_bot {
            Some(found) => Ok(found.clone()),
            None => bot::describe(lex, &bot_id).await,
        }
    };
    let named_state = async {
        let named = match named {
            Some(named) => named,
            None => observe_named(iam, spec, &role_name, kind).await?,
        };
        finish_named(iam, named).await
    };
    let policies = async {
        let found = futures::future::try_join_all(Concern::ALL.iter().map(|concern| {
            let name = concern.policy_name(&role_name);
            let arn = scope.policy(&name);
            async move { managed_policy::observe(iam, &name, &arn).await }
        }))
        .await?;
        Ok::<_, Error>(
            Concern::ALL
                .into_iter()
                .zip(found)
                .collect::<BTreeMap<_, _>>(),
        )
    };
    let log_group_state = async {
        match &log_group_name {
            Some(name) => log_group::observe(&clients.logs, name, Some(&scope.log_group(name)))
                .await
                .map(|g| Some((name.clone(), g))),
            None => Ok(None),
        }
    };
    let bucket_key = async {
        match (
            &given_key,
            bucket.as_ref().and_then(|b| b.default_kms_key.as_ref()),
        ) {
            (None, Some(key)) if kind == Mode::Apply => {
                destination::observe_key(&clients.kms, key).await.map(Some)
            }
            _ => Ok(None),
        }
    };
    // Read now, used if the bot turns out to run on our role (a re-apply or a destroy).
    let previous_from_tag = async {
        match &previous_on_tag {
            Some(arn) => role::observe_previous(iam, arn).await.map(Some),
            None => Ok(None),
        }
    };
    // In place, the principals granted PassRole are recorded on the bot's tags.
    let bot_tags = async {
        match lex
            .list_tags_for_resource()
            .resource_arn(scope.bot(&bot_id))
            .send()
            .await
            .context("lex:ListTagsForResource", format!("bot[{bot_name}]"))
        {
            Ok(out) => Ok(out
                .tags()
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()),
            Err(e) if e.has_code(&["AccessDeniedException"]) => Ok(tags::Tags::new()),
            Err(e) => Err(e),
        }
    };
    let (
        bot,
        (alias_ids, listed),
        (our_role, mut grants),
        policies,
        log_group,
        bucket_key,
        previous_from_tag,
        bot_tags,
    ) = tokio::try_join!(
        bot,
        alias::find_ids(lex, &bot_id, &bot_name, &spec.aliases),
        named_state,
        policies,
        log_group_state,
        bucket_key,
        previous_from_tag,
        bot_tags,
    )?;
    if kind == Mode::Apply && bot.child_directed() {
        return Err(Error::invalid(
            format!(
                "bot {} ({}) is marked child-directed (COPPA) in its data privacy settings; Lex does not allow conversation logs for it",
                bot.name, bot.id
            ),
            "conversation logs cannot be turned on for this bot",
        ));
    }

    tracing::debug!(
        aliases = alias_ids.len(),
        role_exists = our_role.is_some(),
        "wave 2 read"
    );
    // Wave 3.
    let current_role = bot.role_arn().map(str::to_string);
    let bot_on_our_role = bot.runs_on(&role_name);
    let dedicated = spec.dedicated();
    let inline_name = crate::documents::service_linked_policy_name(&role_name);
    let earlier: std::sync::Mutex<Option<EarlierRole>> = std::sync::Mutex::new(None);
    let previous = async {
        if !dedicated {
            // In place, the bot keeps its role: there is no previous role to carry.
            return Ok(None);
        }
        match (&current_role, bot_on_our_role) {
            (Some(arn), false) if !role::is_service_linked(arn) => {
                // A role of ours under another name (an earlier --role-name) is not a foreign
                // previous role: what it replaced is.
                let name = crate::arn::iam_name(arn).unwrap_or(arn);
                match role::observe(iam, name).await? {
                    Some(state)
                        if tags::is_ours(&state.tags)
                            && state.tags.get(tags::BOT_ID) == Some(&bot_id) =>
                    {
                        let original = match state.tags.get(tags::PREVIOUS_ROLE) {
                            Some(arn) => Some(role::observe_previous(iam, arn).await?),
                            None => None,
                        };
                        let policies =
                            futures::future::try_join_all(Concern::ALL.iter().map(|c| {
                                let policy = c.policy_name(&state.name);
                                let arn = scope.policy(&policy);
                                async move { managed_policy::observe(iam, &policy, &arn).await }
                            }))
                            .await?
                            .into_iter()
                            .flatten()
                            .filter(|p| tags::is_ours(&p.tags))
                            .collect();
                        let granted = recorded_principals(Some(&state));
                        let grants = observe_grants(
                            iam,
                            &granted,
                            &pass_role_policy_name(&state.name),
                            false,
                        )
                        .await?;
                        *earlier.lock().expect("not poisoned") = Some(EarlierRole {
                            state,
                            policies,
                            grants,
                        });
                        Ok(original)
                    }
                    Some(state) => Ok(Some(PreviousRole::Customer {
                        arn: arn.clone(),
                        attached: state.attached,
                        inline: state.inline,
                        boundary: state.boundary,
                    })),
                    None => Ok(Some(PreviousRole::Gone { arn: arn.clone() })),
                }
            }
            (Some(arn), false) => role::observe_previous(iam, arn).await.map(Some),
            (_, true) => match (
                previous_from_tag,
                our_role
                    .as_ref()
                    .and_then(|r| r.tags.get(tags::PREVIOUS_ROLE)),
            ) {
                (Some(found), _) => Ok(Some(found)),
                (None, Some(arn)) => role::observe_previous(iam, arn).await.map(Some),
                (None, None) => Ok(None),
            },
            (None, false) => Ok(None),
        }
    };
    // In-place mode: the role most versions run on is the bot's own; read it now, beside the
    // aliases, rather than in a wave of its own.
    let likely_writer = async {
        match (&current_role, dedicated) {
            (Some(arn), false) => Writer::observe(iam, arn, &inline_name).await.map(Some),
            _ => Ok(None),
        }
    };
    // Destroy and the dedicated mode look at the aliases not named too.
    let bystander_ids: Vec<String> = if kind == Mode::Destroy || dedicated {
        listed
            .iter()
            .map(|(id, _, _)| id.clone())
            .filter(|id| !alias_ids.contains(id))
            .collect()
    } else {
        Vec::new()
    };
    // ListBotAliases already says which version each alias runs: their roles are read now,
    // beside the aliases themselves.
    let versions: std::collections::BTreeSet<String> = listed
        .iter()
        .filter(|(id, _, _)| alias_ids.contains(id) || bystander_ids.contains(id))
        .map(|(_, _, v)| v.clone())
        .filter(|v| v != version::DRAFT)
        .collect();
    let version_role_map = async {
        let bot = &bot;
        let found = futures::future::try_join_all(versions.iter().map(|v| async move {
            let role = version::role_of(lex, &bot.id, &bot.name, v).await?;
            Ok::<_, Error>((v.clone(), role))
        }))
        .await?;
        Ok::<_, Error>(found.into_iter().collect::<BTreeMap<_, _>>())
    };
    let version_roles = async {
        // Destroy in place may find a dedicated setup (the bot on our role): read them always;
        // a dedicated apply needs them to know whether an earlier role of ours is still used.
        if kind == Mode::Destroy || dedicated {
            version::roles_of_all(lex, &bot.id, &bot.name).await
        } else {
            Ok(Vec::new())
        }
    };
    let recorded_on_bot: Vec<Principal> = bot_tags
        .get(tags::PASS_ROLE_PRINCIPALS)
        .map(|v| {
            v.split_whitespace()
                .filter_map(|p| p.parse::<Principal>().ok())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !grants.contains_key(p))
        .collect();
    let grant_name = pass_role_policy_name(&role_name);
    let (
        mut aliases,
        mut bystanders,
        previous,
        likely_writer,
        version_role_map,
        version_roles,
        recorded_grants,
    ) = tokio::try_join!(
        alias::describe_all(lex, &scope, &bot, &alias_ids),
        alias::describe_all(lex, &scope, &bot, &bystander_ids),
        previous,
        likely_writer,
        version_role_map,
        version_roles,
        observe_grants(iam, &recorded_on_bot, &grant_name, false),
    )?;
    grants.extend(recorded_grants);
    for alias in aliases.iter_mut().chain(bystanders.iter_mut()) {
        alias.runs_on = if alias.on_draft() {
            bot.role_arn().map(str::to_string)
        } else {
            version_role_map.get(alias.version()).cloned().flatten()
        };
    }

    // Wave 4, only when a version runs on another role than the bot's: that role.
    let mut writers: BTreeMap<String, Writer> = likely_writer
        .into_iter()
        .map(|w| (w.arn.clone(), w))
        .collect();
    if !dedicated {
        let missing: Vec<String> = aliases
            .iter()
            .chain(bystanders.iter())
            .filter_map(|a| a.runs_on.clone())
            .filter(|arn| !writers.contains_key(arn))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for writer in futures::future::try_join_all(
            missing
                .iter()
                .map(|arn| Writer::observe(iam, arn, &inline_name)),
        )
        .await?
        {
            writers.insert(writer.arn.clone(), writer);
        }
        // Only the roles the aliases run on are writers.
        let used: std::collections::BTreeSet<&String> = aliases
            .iter()
            .chain(bystanders.iter())
            .filter_map(|a| a.runs_on.as_ref())
            .collect();
        writers.retain(|arn, _| used.contains(arn));
    }

    let observed = Observed {
        scope,
        bot,
        aliases,
        role_name,
        role: our_role,
        policies,
        previous,
        log_group,
        bucket,
        kms_key: given_key.or(bucket_key),
        grants,
        writers,
        bystanders,
        version_roles,
        earlier_role: earlier.into_inner().expect("not poisoned"),
        bot_tags,
    };
    tracing::debug!(bot_on_our_role, previous = ?observed.previous.as_ref().map(|p| p.arn().to_string()), "wave 3 read");
    if kind == Mode::Apply {
        check_ownership(&observed, dedicated)?;
    }
    // Destroy finds a dedicated setup from the bot itself: a bot that runs on a role of ours
    // for this bot was set up with `--role-name`, whatever flags destroy was given.
    if kind == Mode::Destroy && !dedicated {
        if let Some(name) = own_role_of_bot(&observed) {
            tracing::debug!(role = %name, "the bot runs on a role of ours: destroying that setup");
            let found = Spec {
                role_name: Some(name),
                ..spec.clone()
            };
            return Box::pin(observe(clients, &found, kind)).await;
        }
    }
    Ok(observed)
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

/// The grant on each principal; with `require`, a missing principal is an error.
async fn observe_grants(
    iam: &aws_sdk_iam::Client,
    principals: &[Principal],
    policy_name: &str,
    require: bool,
) -> Result<BTreeMap<Principal, Option<Value>>> {
    let found = futures::future::try_join_all(principals.iter().map(|p| async move {
        let (exists, grant) = tokio::try_join!(inline_policy::principal_exists(iam, p), async {
            match inline_policy::observe(iam, p, policy_name).await {
                Err(e) if e.is_not_found() => Ok(None),
                other => other,
            }
        })?;
        if !exists && require {
            return Err(Error::invalid(
                format!(
                    "--grant-pass-role {p}: there is no IAM {} named {:?} in this account",
                    p.kind.as_str(),
                    p.name
                ),
                "check the name, or create the principal first",
            ));
        }
        Ok(exists.then(|| (p.clone(), grant)))
    }))
    .await?;
    Ok(found.into_iter().flatten().collect())
}

/// A role or policy of our name that we did not make is never taken over.
fn check_ownership(observed: &Observed, dedicated: bool) -> Result<()> {
    if let Some(role) = observed.role.as_ref().filter(|_| dedicated) {
        if !tags::is_ours(&role.tags) {
            return Err(Error::invalid(
                format!("role {} already exists and was not created by lex-logs-setup; it will not be taken over", role.name),
                "pass --role-name with another name for the logging role",
            ));
        }
        if let Some(other) = role
            .tags
            .get(tags::BOT_ID)
            .filter(|id| **id != observed.bot.id)
        {
            return Err(Error::invalid(
                format!(
                    "role {} is the logging role of another bot ({other})",
                    role.name
                ),
                "pass --role-name with another name for this bot's logging role",
            ));
        }
    }
    for policy in observed.policies.values().flatten() {
        if !tags::is_ours(&policy.tags) {
            return Err(Error::invalid(
                format!("policy {} already exists and was not created by lex-logs-setup; it will not be taken over", policy.name),
                "pass --role-name with another name (policy names derive from it)",
            ));
        }
    }
    Ok(())
}
