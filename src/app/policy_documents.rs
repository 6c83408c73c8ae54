//! The `policy` command: the documents apply would create for the targets, per account, with the
//! operator policy of each account and what the pipeline's own identity needs to reach them.

use super::{prepare, show};
use crate::cli::{Cli, PolicyArgs};
use crate::documents::OperatorScope;
use crate::error::{exit_code, Result};
use crate::plan::{Action, Mode, Plan, Provider};
use crate::render;

/// Prints the documents apply would create for the targets (read-only), and the operator policy:
/// one per account and region the targets are in (each said where it is for when there are
/// several, or when a role is assumed there), and what the pipeline's own identity needs.
pub(super) async fn policy(cli: &Cli, args: &PolicyArgs) -> Result<i32> {
    let has_target = args.setup.config.is_some() || args.setup.target.bot.is_some();
    let plan = match has_target {
        true => Some(prepare(cli, &args.setup, Mode::Apply).await?.plan),
        false => None,
    };
    let places: Vec<Provider> = plan.as_ref().map(places_of).unwrap_or_default();
    let labelled = places.len() > 1 || places.iter().any(|p| p.via.is_some());
    let mut documents = Vec::new();
    let everywhere = places.is_empty().then_some(None);
    for place in places.iter().map(Some).chain(everywhere) {
        let mut scope = OperatorScope::default();
        let mut found = Vec::new();
        if let (Some(plan), Some(provider)) = (&plan, place) {
            found = plan_documents(&plan_in_place(plan, provider), &mut scope);
        }
        if args.operator_only {
            found.clear();
        }
        let document = crate::documents::operator(&scope);
        found.push(render::NamedDocument {
            kind: "operator",
            address: "operator".into(),
            risks: crate::documents::risks(&document, &scope),
            document,
            provider: None,
        });
        if let (true, Some(provider)) = (labelled, place) {
            for d in &mut found {
                d.provider = Some(provider.clone());
            }
        }
        documents.extend(found);
    }
    let assumed: Vec<String> = places.iter().filter_map(|p| p.via.clone()).collect();
    if !assumed.is_empty() {
        documents.push(render::NamedDocument {
            kind: "pipeline",
            address: "pipeline".into(),
            document: crate::documents::assume_roles(&assumed),
            provider: None,
            risks: Vec::new(),
        });
    }
    show(cli, &render::Documents { documents });
    Ok(exit_code::SUCCESS)
}

/// The connections of the plan's targets (account, region, role assumed there), in order.
fn places_of(plan: &Plan) -> Vec<Provider> {
    let mut places = Vec::new();
    for t in &plan.targets {
        let place = Provider {
            account: t.account.clone(),
            region: t.region.clone(),
            via: t.assume_role.clone(),
        };
        if !places.contains(&place) {
            places.push(place);
        }
    }
    places
}

/// The part of a plan one connection makes: its targets, and the changes it applies (its
/// regional changes and its account's IAM changes).
fn plan_in_place(plan: &Plan, provider: &Provider) -> Plan {
    let here =
        |account: &str, region: &str| account == provider.account && region == provider.region;
    Plan {
        command: plan.command,
        targets: plan
            .targets
            .iter()
            .filter(|t| here(&t.account, &t.region))
            .cloned()
            .collect(),
        changes: plan
            .changes
            .iter()
            .filter(|c| {
                here(&c.provider.account, &c.provider.region)
                    || (c.provider.account == provider.account && !c.address.is_regional())
            })
            .cloned()
            .collect(),
        notes: Vec::new(),
    }
}

/// The policy documents a plan leaves in place, each under the purpose the planner gave it; and
/// what the operator policy must cover for this plan.
fn plan_documents(plan: &Plan, scope: &mut OperatorScope) -> Vec<render::NamedDocument> {
    scope.cover(plan);
    plan.changes
        .iter()
        .filter(|change| change.action != Action::Delete)
        .filter_map(|change| {
            let document = change.document.as_ref()?;
            Some(render::NamedDocument {
                kind: document.purpose.kind(),
                address: change.address.to_string(),
                document: document.body.clone(),
                provider: None,
                risks: Vec::new(),
            })
        })
        .collect()
}
