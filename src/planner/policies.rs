//! Our managed policies (one per concern) and their attachments to the roles that write logs.

use super::changes::{
    attach_change, delete_policy_change, detach_change, policy_address, policy_json,
};
use std::collections::BTreeMap;

use serde_json::Value;

use crate::documents::{self, Concern};
use crate::observe::Observed;
use crate::plan::{Action, Address, Change, Provider, Purpose};
use crate::policy;
use crate::resources::managed_policy::PolicyState;
use crate::resources::managed_policy::PolicyStep;
use crate::resources::tags::{self, Tags};
use crate::spec::Spec;
use crate::step::Step;

/// The documents of our managed policies that the spec wants, by concern (not the bot runtime
/// one, which only the dedicated role carries).
pub(super) fn wanted_documents(spec: &Spec, obs: &Observed) -> BTreeMap<Concern, Value> {
    let scope = &obs.scope;
    let mut wanted: BTreeMap<Concern, Value> = BTreeMap::new();
    if let Some((name, _)) = obs.log_group.as_ref().filter(|_| spec.text.is_some()) {
        let replicas: Vec<String> = obs.replicas.iter().map(|r| r.region.clone()).collect();
        wanted.insert(
            Concern::CloudWatch,
            documents::cloudwatch_in(scope, name, &replicas),
        );
    }
    if let Some(audio) = &spec.audio {
        wanted.insert(
            Concern::S3,
            documents::s3(scope, &audio.bucket, &audio.prefix),
        );
    }
    if let Some(key) = &obs.kms_key {
        wanted.insert(Concern::Kms, documents::kms(&key.arn));
    }
    wanted
}

/// A role our managed policies are attached to: its name, what is attached now, and what must
/// exist before an attachment.
pub(super) struct AttachTarget<'a> {
    pub role: &'a str,
    pub attached: &'a [String],
    pub after: Vec<Address>,
}

/// Our managed policies (named from `setup`, one per concern) created, updated or deleted as
/// `wanted` says, and attached to every target; returns the changes and the addresses of the
/// attachments (what the aliases wait for).
pub(super) fn managed_policy_changes(
    obs: &Observed,
    setup: &str,
    concerns: &[Concern],
    wanted: &BTreeMap<Concern, Value>,
    targets: &[AttachTarget],
) -> (Vec<Change>, Vec<Address>) {
    let mut changes = Vec::new();
    let mut ready = Vec::new();
    for &concern in concerns {
        let name = concern.policy_name(setup);
        let arn = obs.scope.policy(&name);
        let existing = obs.policies.get(&concern).cloned().flatten();
        let Some(document) = wanted.get(&concern) else {
            // No longer wanted (e.g. audio turned off): ours is detached, then deleted.
            if let Some(found) = existing.filter(|f| tags::is_ours(&f.tags)) {
                changes.extend(policy_removal(&obs.provider, &name, &arn, &found, targets));
            }
            continue;
        };
        changes.push(policy_change(
            &obs.provider,
            &name,
            &arn,
            document,
            existing.as_ref(),
        ));
        // What writes the logs must be in place before an alias points at it: a new or changed
        // document too, not only its attachment.
        let addr = policy_address(&name);
        ready.push(addr.clone());
        for target in targets {
            let attached = target.attached.contains(&arn);
            let needs = target.after.iter().cloned().chain([addr.clone()]);
            let change = attach_change(&obs.provider, target.role, &arn, attached, needs);
            ready.push(change.address.clone());
            changes.push(change);
        }
    }
    (changes, ready)
}

/// Our managed policy `name` with `document`: created, updated, or as it is.
fn policy_change(
    at: &Provider,
    name: &str,
    arn: &str,
    document: &Value,
    existing: Option<&PolicyState>,
) -> Change {
    let addr = policy_address(name);
    let after = policy_json(name, arn, document);
    match existing {
        None => {
            let tags: Tags = [(
                tags::MANAGED_BY.to_string(),
                tags::MANAGED_BY_VALUE.to_string(),
            )]
            .into();
            let create = Step::Policy(PolicyStep::Create {
                name: name.to_string(),
                arn: arn.to_string(),
                document: document.clone(),
                tags,
            });
            Change::new(at, addr, Action::Create, None, Some(after), create)
                .with_document(Purpose::ManagedPolicy, document)
        }
        Some(found) if !policy::equivalent(&found.document, document) => {
            let update = Step::Policy(PolicyStep::Update {
                name: name.to_string(),
                arn: arn.to_string(),
                document: document.clone(),
                previous_version: found.default_version.clone(),
            });
            let before = policy_json(name, arn, &found.document);
            Change::new(at, addr, Action::Update, Some(before), Some(after), update)
                .with_document(Purpose::ManagedPolicy, document)
        }
        Some(found) => Change::no_op(at, addr, policy_json(name, arn, &found.document))
            .with_document(Purpose::ManagedPolicy, &found.document),
    }
}

/// Our policy `found` detached from the targets it is attached to, then deleted.
fn policy_removal(
    at: &Provider,
    name: &str,
    arn: &str,
    found: &PolicyState,
    targets: &[AttachTarget],
) -> Vec<Change> {
    let mut changes: Vec<Change> = targets
        .iter()
        .filter(|t| t.attached.contains(&arn.to_string()))
        .map(|t| detach_change(at, t.role, arn))
        .collect();
    let detached: Vec<Address> = changes.iter().map(|c| c.address.clone()).collect();
    changes.push(delete_policy_change(at, name, arn, found).needs(detached));
    changes
}
