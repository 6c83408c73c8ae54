//! The `policy` command: the documents apply would create for the targets, per account, with the
//! operator policy of each account and what the pipeline's own identity needs to reach them.

use super::{prepare, show};
use crate::cli::{Cli, PolicyArgs};
use crate::documents::OperatorScope;
use crate::error::{exit_code, Result};
use crate::plan::{Action, Address, Mode, Plan};
use crate::render;

/// Prints the documents apply would create for the targets (read-only), and the operator policy.
pub(super) async fn policy(cli: &Cli, args: &PolicyArgs) -> Result<i32> {
    let has_target = args.setup.config.is_some() || args.setup.target.bot.is_some();
    let plan = match has_target {
        true => Some(prepare(cli, &args.setup, Mode::Apply).await?.1),
        false => None,
    };
    let accounts: Vec<String> = plan.as_ref().map(accounts_of).unwrap_or_default();
    let mut documents = Vec::new();
    for account in accounts
        .iter()
        .map(Some)
        .chain(accounts.is_empty().then_some(None))
    {
        let mut scope = OperatorScope::default();
        if let (Some(plan), Some(account)) = (&plan, account) {
            let mine = plan_in_account(plan, account);
            let found = plan_documents(&mine, &mut scope);
            documents.extend(found.into_iter().filter(|_| !args.operator_only));
        }
        documents.push(render::NamedDocument {
            kind: "operator",
            address: "operator".into(),
            document: crate::documents::operator(&scope),
            account: account.filter(|_| accounts.len() > 1).cloned(),
        });
    }
    let assumed: Vec<String> = plan
        .iter()
        .flat_map(|p| p.targets.iter().filter_map(|t| t.assume_role.clone()))
        .collect();
    if !assumed.is_empty() {
        documents.push(render::NamedDocument {
            kind: "pipeline",
            address: "pipeline".into(),
            document: crate::documents::assume_roles(&assumed),
            account: None,
        });
    }
    show(cli, &render::Documents { documents });
    Ok(exit_code::SUCCESS)
}

/// The accounts a plan's targets are in, in order.
fn accounts_of(plan: &Plan) -> Vec<String> {
    let mut accounts: Vec<String> = Vec::new();
    for t in &plan.targets {
        if !accounts.contains(&t.account) {
            accounts.push(t.account.clone());
        }
    }
    accounts
}

/// The part of a plan made in one account: its targets and changes.
fn plan_in_account(plan: &Plan, account: &str) -> Plan {
    Plan {
        command: plan.command,
        targets: plan
            .targets
            .iter()
            .filter(|t| t.account == account)
            .cloned()
            .collect(),
        changes: plan
            .changes
            .iter()
            .filter(|c| c.place.account == account || c.place.account.is_empty())
            .cloned()
            .collect(),
        notes: Vec::new(),
    }
}

/// The policy documents a plan leaves in place, each with where it goes, from the changes' typed
/// addresses and documents; and what the operator policy must cover for this plan.
fn plan_documents(plan: &Plan, scope: &mut OperatorScope) -> Vec<render::NamedDocument> {
    let mut documents = Vec::new();
    for change in &plan.changes {
        let deleted = change.action == Action::Delete;
        let kind = match &change.address {
            // An earlier role of ours that apply removes: the operator deletes it.
            Address::Role(name) if deleted => {
                scope.role_names.push(name.clone());
                continue;
            }
            Address::Role(_) => "trust",
            Address::Policy(_) if deleted => continue,
            Address::Policy(_) => "managed-policy",
            Address::InlinePolicy { name, .. }
                if name.ends_with(crate::documents::SERVICE_LINKED_POLICY_SUFFIX) =>
            {
                "service-linked-inline"
            }
            Address::InlinePolicy { owner, name }
                if name.starts_with(crate::documents::PASS_ROLE_PREFIX) =>
            {
                scope.principals.push(owner.clone());
                "inline-policy"
            }
            Address::InlinePolicy { .. } => "copied-inline",
            Address::LogGroup(name) => {
                scope.log_groups.push(name.clone());
                continue;
            }
            _ => continue,
        };
        if let Some(document) = &change.document {
            documents.push(render::NamedDocument {
                kind,
                address: change.address.to_string(),
                document: document.clone(),
                account: None,
            });
        }
    }
    for target in &plan.targets {
        scope.role_names.push(target.role.clone());
        scope.bot_ids.push(target.bot_id.clone());
        scope.writer_roles.extend(target.writers.iter().cloned());
        scope
            .previous_roles
            .extend(target.previous_role.iter().cloned());
        scope.scope.get_or_insert(crate::arn::Scope {
            partition: target.partition.clone(),
            account: target.account.clone(),
            region: target.region.clone(),
        });
    }
    documents
}
