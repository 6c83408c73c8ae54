//! Observation: every read-only AWS call a plan needs, made concurrently in as few waves as the
//! dependencies allow, into `Observed`; and the checks that make bad input fail before any change
//! (child-directed bots, missing principals, roles and policies that are not ours).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::arn::Scope;
use crate::aws::Clients;
use crate::documents::{pass_role_policy_name, Concern};
use crate::error::{Error, Result};
use crate::plan::Kind;
use crate::resources::alias::{self, Alias};
use crate::resources::bot::{self, Bot};
use crate::resources::destination::{self, BucketState, KeyInfo};
use crate::resources::log_group::{self, LogGroupState};
use crate::resources::managed_policy::{self, PolicyState};
use crate::resources::role::{self, PreviousRole, RoleState};
use crate::resources::{inline_policy, tags};
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
}

impl Observed {
    pub fn role_arn(&self) -> String {
        self.scope.role(&self.role_name)
    }

    /// True when the bot already runs with our role.
    pub fn bot_on_our_role(&self) -> bool {
        self.bot.role_arn().and_then(crate::arn::iam_name) == Some(self.role_name.as_str())
    }

    /// The principals recorded on our role as holding a PassRole grant.
    pub fn recorded_principals(&self) -> Vec<Principal> {
        recorded_principals(self.role.as_ref())
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

/// Reads everything the plan for `spec` needs.
pub async fn observe(clients: &Clients, spec: &Spec, kind: Kind) -> Result<Observed> {
    let iam = &clients.iam;
    // Wave 1: who we are, and which bot.
    let (caller, bot) = tokio::try_join!(
        clients.caller(),
        bot::resolve(&clients.lex, &spec.bot, &clients.region)
    )?;
    let scope = caller.scope;
    if kind == Kind::Apply && bot.child_directed() {
        return Err(Error::invalid(
            format!(
                "bot {} ({}) is marked child-directed (COPPA) in its data privacy settings; Lex does not allow conversation logs for it",
                bot.name, bot.id
            ),
            "conversation logs cannot be turned on for this bot",
        ));
    }
    let role_name = spec
        .role_name
        .clone()
        .unwrap_or_else(|| default_role_name(&bot.name));
    let log_group_name = spec.text.as_ref().map(|t| {
        t.log_group
            .clone()
            .unwrap_or_else(|| format!("/aws/lex/{}", bot.name))
    });
    if let Some(name) = &log_group_name {
        log_group::require_valid(name)?;
    }
    let current_role = bot.role_arn().map(str::to_string);
    let bot_on_our_role =
        current_role.as_deref().and_then(crate::arn::iam_name) == Some(role_name.as_str());

    // Wave 2: everything that only needs the bot and the names.
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
            Some(name) => log_group::observe(&clients.logs, name)
                .await
                .map(|g| Some((name.clone(), g))),
            None => Ok(None),
        }
    };
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
    let previous_from_bot = async {
        match &current_role {
            Some(arn) if !bot_on_our_role => role::observe_previous(iam, arn).await.map(Some),
            _ => Ok(None),
        }
    };
    let pass_role_name = pass_role_policy_name(&role_name);
    let asked_grants = observe_grants(iam, &spec.pass_role, &pass_role_name, kind == Kind::Apply);
    let (aliases, our_role, policies, log_group, bucket, given_key, previous_from_bot, mut grants) =
        tokio::try_join!(
            alias::resolve_all(&clients.lex, &bot, &spec.aliases),
            role::observe(iam, &role_name),
            policies,
            log_group_state,
            bucket,
            given_key,
            previous_from_bot,
            asked_grants,
        )?;

    // Wave 3 (only when needed): what our role's tags point at, and the bucket's default key.
    let previous_arn = our_role
        .as_ref()
        .and_then(|r| r.tags.get(tags::PREVIOUS_ROLE))
        .cloned();
    let previous_from_tag = async {
        match (&previous_from_bot, &previous_arn) {
            (None, Some(arn)) if bot_on_our_role => {
                role::observe_previous(iam, arn).await.map(Some)
            }
            _ => Ok(None),
        }
    };
    let bucket_key = async {
        match (
            &given_key,
            bucket.as_ref().and_then(|b| b.default_kms_key.as_ref()),
        ) {
            (None, Some(key)) if kind == Kind::Apply => {
                destination::observe_key(&clients.kms, key).await.map(Some)
            }
            _ => Ok(None),
        }
    };
    let recorded: Vec<Principal> = recorded_principals(our_role.as_ref())
        .into_iter()
        .filter(|p| !grants.contains_key(p))
        .collect();
    let recorded_grants = observe_grants(iam, &recorded, &pass_role_name, false);
    let (previous_from_tag, bucket_key, recorded_grants) =
        tokio::try_join!(previous_from_tag, bucket_key, recorded_grants)?;
    grants.extend(recorded_grants);

    let observed = Observed {
        scope,
        bot,
        aliases,
        role_name,
        role: our_role,
        policies,
        previous: previous_from_bot.or(previous_from_tag),
        log_group,
        bucket,
        kms_key: given_key.or(bucket_key),
        grants,
    };
    if kind == Kind::Apply {
        check_ownership(&observed)?;
    }
    Ok(observed)
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
                Err(e) if e.has_code(crate::error::NO_SUCH_ENTITY) => Ok(None),
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
fn check_ownership(observed: &Observed) -> Result<()> {
    if let Some(role) = &observed.role {
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
