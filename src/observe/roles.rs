//! Observation of the IAM side: our role and its grants (the PassRole inline policies on the
//! principals), our managed policies, the role the bot ran with before ours, and an earlier role
//! of ours under another name.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::EarlierRole;
use crate::arn::Scope;
use crate::documents::{pass_role_policy_name, Concern};
use crate::error::{Error, Result};
use crate::plan::Mode;
use crate::resources::managed_policy::{self, PolicyState};
use crate::resources::role::{self, PreviousRole, RoleListing, RoleState};
use crate::resources::{inline_policy, tags};
use crate::spec::{Principal, Spec};

/// The PassRole grant on each principal (`None`: the principal has no grant).
pub(super) type Grants = BTreeMap<Principal, Option<Value>>;

/// The principals granted PassRole as recorded in `tags` (of our role, or of the bot).
pub(super) fn recorded_principals(tags: Option<&tags::Tags>) -> Vec<Principal> {
    tags.and_then(|t| t.get(tags::PASS_ROLE_PRINCIPALS))
        .map(|v| {
            v.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// What depends only on the role name: the role as listed, and the grants of the principals
/// asked for.
pub(super) struct Named {
    role_name: String,
    pub(super) role: Option<RoleListing>,
    grants: Grants,
}

pub(super) async fn observe_named(
    iam: &aws_sdk_iam::Client,
    spec: &Spec,
    role_name: &str,
    mode: Mode,
) -> Result<Named> {
    let grant_name = pass_role_policy_name(role_name);
    let (role, grants) = tokio::try_join!(
        role::observe_listing(iam, role_name),
        observe_grants(iam, &spec.pass_role, &grant_name, mode == Mode::Apply)
    )?;
    Ok(Named {
        role_name: role_name.into(),
        role,
        grants,
    })
}

/// As [`observe_named`]; when the account's roles were listed (`status` over a fleet) and the
/// role is not among them, it is not probed.
pub(super) async fn observe_named_listed(
    clients: &crate::aws::Clients,
    spec: &Spec,
    role_name: &str,
    mode: Mode,
) -> Result<Named> {
    let iam = &clients.iam;
    match clients.listings.roles(iam).await? {
        Some(names) if !names.contains(role_name) => {
            let grant_name = pass_role_policy_name(role_name);
            let grants =
                observe_grants(iam, &spec.pass_role, &grant_name, mode == Mode::Apply).await?;
            Ok(Named {
                role_name: role_name.into(),
                role: None,
                grants,
            })
        }
        _ => observe_named(iam, spec, role_name, mode).await,
    }
}

/// The role's inline documents and the grants of principals recorded on it but not asked for.
pub(super) async fn finish_named(
    iam: &aws_sdk_iam::Client,
    named: Named,
) -> Result<(Option<RoleState>, Grants)> {
    let recorded: Vec<Principal> = recorded_principals(named.role.as_ref().map(|r| &r.state.tags))
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

/// The grant on each principal; with `require`, a missing principal is an error.
pub(super) async fn observe_grants(
    iam: &aws_sdk_iam::Client,
    principals: &[Principal],
    policy_name: &str,
    require: bool,
) -> Result<Grants> {
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

/// Our managed policy of each concern for the setup `role_name`, if it exists, in
/// `Concern::ALL` order.
pub(super) async fn policies_of(
    iam: &aws_sdk_iam::Client,
    scope: &Scope,
    role_name: &str,
) -> Result<Vec<Option<PolicyState>>> {
    futures::future::try_join_all(Concern::ALL.iter().map(|concern| {
        let name = concern.policy_name(role_name);
        let arn = scope.policy(&name);
        async move { managed_policy::observe(iam, &name, &arn).await }
    }))
    .await
}

/// As [`policies_of`]; when the account's own policies were listed (`status` over a fleet), only
/// those that exist are read.
pub(super) async fn policies_listed(
    clients: &crate::aws::Clients,
    scope: &Scope,
    role_name: &str,
) -> Result<Vec<Option<PolicyState>>> {
    let iam = &clients.iam;
    let Some(existing) = clients.listings.local_policies(iam).await? else {
        return policies_of(iam, scope, role_name).await;
    };
    futures::future::try_join_all(Concern::ALL.iter().map(|concern| {
        let name = concern.policy_name(role_name);
        let arn = scope.policy(&name);
        async move {
            match existing.contains(&arn) {
                true => managed_policy::observe(iam, &name, &arn).await,
                false => Ok(None),
            }
        }
    }))
    .await
}

/// The role the bot runs with now, as the dedicated-role mode sees it.
pub(super) struct BotRole<'a> {
    pub(super) bot_id: &'a str,
    /// The bot's role ARN.
    pub(super) current: Option<&'a str>,
    /// True when it is the setup's role.
    pub(super) ours: bool,
}

/// Dedicated-role mode: the role the bot ran with before ours (from the bot, or from our role's
/// tag), and an earlier role of ours for this bot that the bot runs on now.
pub(super) async fn previous_role(
    iam: &aws_sdk_iam::Client,
    scope: &Scope,
    bot_role: BotRole<'_>,
    from_tag: Option<PreviousRole>,
    our_role: Option<&RoleState>,
) -> Result<(Option<PreviousRole>, Option<EarlierRole>)> {
    match (bot_role.current, bot_role.ours) {
        (Some(arn), false) if !role::is_service_linked(arn) => {
            customer_or_earlier(iam, scope, bot_role.bot_id, arn).await
        }
        (Some(arn), false) => Ok((Some(role::observe_previous(iam, arn).await?), None)),
        (_, true) => {
            let previous = match (
                from_tag,
                our_role.and_then(|r| r.tags.get(tags::PREVIOUS_ROLE)),
            ) {
                (Some(found), _) => Some(found),
                (None, Some(arn)) => Some(role::observe_previous(iam, arn).await?),
                (None, None) => None,
            };
            Ok((previous, None))
        }
        (None, false) => Ok((None, None)),
    }
}

/// The bot's customer role `arn`: a role of ours under another name (an earlier --role-name) is
/// not a foreign previous role: what it replaced is.
async fn customer_or_earlier(
    iam: &aws_sdk_iam::Client,
    scope: &Scope,
    bot_id: &str,
    arn: &str,
) -> Result<(Option<PreviousRole>, Option<EarlierRole>)> {
    let name = crate::arn::iam_name(arn).unwrap_or(arn);
    match role::observe(iam, name).await? {
        Some(state)
            if tags::is_ours(&state.tags)
                && state.tags.get(tags::BOT_ID).map(String::as_str) == Some(bot_id) =>
        {
            let (original, earlier) = earlier_role(iam, scope, state).await?;
            Ok((original, Some(earlier)))
        }
        Some(state) => Ok((
            Some(PreviousRole::Customer {
                arn: arn.to_string(),
                attached: state.attached,
                inline: state.inline,
                boundary: state.boundary,
            }),
            None,
        )),
        None => Ok((
            Some(PreviousRole::Gone {
                arn: arn.to_string(),
            }),
            None,
        )),
    }
}

/// An earlier role of ours: the role it replaced (from its tag), its policies of ours and the
/// grants it recorded; read one after the other.
async fn earlier_role(
    iam: &aws_sdk_iam::Client,
    scope: &Scope,
    state: RoleState,
) -> Result<(Option<PreviousRole>, EarlierRole)> {
    let original = match state.tags.get(tags::PREVIOUS_ROLE) {
        Some(arn) => Some(role::observe_previous(iam, arn).await?),
        None => None,
    };
    let policies = policies_of(iam, scope, &state.name)
        .await?
        .into_iter()
        .flatten()
        .filter(|p| tags::is_ours(&p.tags))
        .collect();
    let granted = recorded_principals(Some(&state.tags));
    let grants = observe_grants(iam, &granted, &pass_role_policy_name(&state.name), false).await?;
    Ok((
        original,
        EarlierRole {
            state,
            policies,
            grants,
        },
    ))
}

/// The Lex service-linked roles of the account that carry an inline policy of our grant's name.
#[derive(Debug, Default)]
pub(super) struct GrantHolders {
    /// Those whose grant is for resources of this region only: destroy removes it even where no
    /// version runs on the role any more (a version deleted since apply leaves our grant there;
    /// a same-named bot of another region has its own, which stays).
    pub here: Vec<String>,
    /// All of them, whatever regions their grant names.
    pub named: BTreeSet<String>,
}

/// Destroy in place: which Lex service-linked roles of the account carry our inline grant
/// `inline_name` ([`GrantHolders`]). One listing of the account's roles with their inline
/// policies (`iam:GetAccountAuthorizationDetails`), not a read per role; it needs only the
/// grant's name, so it runs beside the other reads.
pub(super) async fn service_linked_grant_holders(
    iam: &aws_sdk_iam::Client,
    inline_name: &str,
    region: &str,
) -> Result<GrantHolders> {
    let mut pages = iam
        .get_account_authorization_details()
        .filter(aws_sdk_iam::types::EntityType::Role)
        .into_paginator()
        .send();
    let mut holders = GrantHolders::default();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            crate::error::Error::from(crate::error::AwsError::from_sdk(
                "iam:GetAccountAuthorizationDetails",
                "account",
                &e,
            ))
        })?;
        for role in page.role_detail_list() {
            let (Some(arn), Some(path)) = (role.arn(), role.path()) else {
                continue;
            };
            if path != LEX_SERVICE_LINKED_PATH {
                continue;
            }
            let Some(named) = role
                .role_policy_list()
                .iter()
                .find(|p| p.policy_name() == Some(inline_name))
            else {
                continue;
            };
            holders.named.insert(arn.to_string());
            let grant = named
                .policy_document()
                .and_then(|d| crate::policy::parse_returned(d).ok());
            let here = grant.is_some_and(|doc| {
                let regions = crate::documents::regions_named(&doc);
                !regions.is_empty() && regions.iter().all(|r| r == region)
            });
            if here {
                holders.here.push(arn.to_string());
            }
        }
    }
    Ok(holders)
}

/// Where IAM keeps the Lex V2 service-linked roles.
const LEX_SERVICE_LINKED_PATH: &str = "/aws-service-role/lexv2.amazonaws.com/";
