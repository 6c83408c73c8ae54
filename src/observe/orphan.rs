//! Destroy of a bot that no longer exists: what lex-logs-setup made for it, found without the bot.
//! The bot's records (its tags) are gone with it, so our resources are found by the names the
//! setup's name gives them: our managed policies (with the roles they are attached to), and our
//! inline policies on any role, user or group, found in one listing of the account's principals
//! (`iam:GetAccountAuthorizationDetails`), and the dedicated mode's role of the setup's name. The
//! planner proves each is ours before touching it.

use std::collections::BTreeMap;

use aws_sdk_iam::types::EntityType;
use serde_json::Value;

use crate::arn::Scope;
use crate::aws::Clients;
use crate::documents::{pass_role_policy_name, service_linked_policy_name, Concern};
use crate::error::{AwsError, Error, Result};
use crate::policy::parse_returned;
use crate::resources::managed_policy::PolicyState;
use crate::resources::role::RoleState;
use crate::spec::{default_role_name, Principal, PrincipalKind, Spec};

/// What lex-logs-setup may have left for a bot that no longer exists.
#[derive(Debug, Clone)]
pub struct Orphan {
    pub scope: Scope,
    /// Who applies the changes planned on this observation.
    pub provider: crate::provider::Provider,
    /// The bot's name as given.
    pub bot_name: String,
    /// The setup's name (our policy names derive from it).
    pub setup: String,
    /// Inline policies of our names: who holds it, its name, its document.
    pub inline: Vec<(Principal, String, Value)>,
    /// Our managed policy of each concern, if one exists.
    pub policies: BTreeMap<Concern, Option<PolicyState>>,
    /// The role of the setup's name (the dedicated mode's), if one exists.
    pub role: Option<RoleState>,
    /// The bot (id, its name now) the role's bot-id tag names, when that bot exists in this
    /// region: then the role is not a deleted bot's.
    pub role_bot: Option<(String, String)>,
}

/// Reads what is left for the bot `spec` names, which no longer exists.
pub(crate) async fn observe(clients: &Clients, spec: &Spec) -> Result<Orphan> {
    let setup = spec
        .role_name
        .clone()
        .unwrap_or_else(|| default_role_name(&spec.bot));
    let scope = clients.caller().await?.scope;
    let names = [
        service_linked_policy_name(&setup),
        pass_role_policy_name(&setup),
    ];
    let (inline, policies, role) = tokio::try_join!(
        inline_of_our_names(&clients.iam, &names),
        super::roles::policies_of(&clients.iam, &scope, &setup),
        crate::resources::role::observe(&clients.iam, &setup),
    )?;
    let role_bot = match role
        .as_ref()
        .and_then(|r| r.tags.get(crate::resources::tags::BOT_ID))
    {
        Some(id) => match crate::resources::bot::describe(&clients.lex, id).await {
            Ok(bot) => Some((bot.id, bot.name)),
            Err(e) if crate::resources::bot::is_no_such_bot(&e) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    Ok(Orphan {
        scope,
        provider: clients.provider().await?,
        bot_name: spec.bot.clone(),
        setup,
        inline,
        policies: Concern::ALL.into_iter().zip(policies).collect(),
        role,
        role_bot,
    })
}

/// Every inline policy named one of `names` on any role, user or group of the account.
async fn inline_of_our_names(
    iam: &aws_sdk_iam::Client,
    names: &[String],
) -> Result<Vec<(Principal, String, Value)>> {
    let mut pages = iam
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .into_paginator()
        .send();
    let mut found = Vec::new();
    let mut keep = |kind: PrincipalKind, owner: &str, name: Option<&str>, doc: Option<&str>| {
        let (Some(name), Some(doc)) = (name, doc) else {
            return Ok(());
        };
        if !names.iter().any(|n| n == name) {
            return Ok(());
        }
        let document = parse_returned(doc).map_err(|e| {
            Error::invalid(
                format!("inline policy {name} of {owner}: unreadable document: {e}"),
                "read it with the AWS CLI and remove it by hand if it is ours",
            )
        })?;
        let principal = Principal {
            kind,
            name: owner.to_string(),
        };
        found.push((principal, name.to_string(), document));
        Ok::<_, Error>(())
    };
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            Error::from(AwsError::from_sdk(
                "iam:GetAccountAuthorizationDetails",
                "account",
                &e,
            ))
        })?;
        for role in page.role_detail_list() {
            for p in role.role_policy_list() {
                let owner = role.role_name().unwrap_or_default();
                keep(
                    PrincipalKind::Role,
                    owner,
                    p.policy_name(),
                    p.policy_document(),
                )?;
            }
        }
        for user in page.user_detail_list() {
            for p in user.user_policy_list() {
                let owner = user.user_name().unwrap_or_default();
                keep(
                    PrincipalKind::User,
                    owner,
                    p.policy_name(),
                    p.policy_document(),
                )?;
            }
        }
        for group in page.group_detail_list() {
            for p in group.group_policy_list() {
                let owner = group.group_name().unwrap_or_default();
                keep(
                    PrincipalKind::Group,
                    owner,
                    p.policy_name(),
                    p.policy_document(),
                )?;
            }
        }
    }
    Ok(found)
}
