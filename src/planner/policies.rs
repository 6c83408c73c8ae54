//! Our managed policies (one per concern) and their attachments to the roles that write logs.

#![allow(unused_imports)]
use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_lexmodelsv2::types::{
    AudioLogDestination, AudioLogSetting, CloudWatchLogGroupLogDestination,
    ConversationLogSettings, S3BucketLogDestination, TextLogDestination, TextLogSetting,
};
use serde_json::{json, Value};

use super::*;
use crate::documents::{self, Concern};
use crate::error::{Error, Result};
use crate::observe::{Observed, Writer};
use crate::plan::{Action, Address, Change, Mode, Plan, Target};
use crate::policy;
use crate::resources::alias::{settings_json, Alias};
use crate::resources::role::{PreviousRole, RoleState};
use crate::resources::tags::{self, Tags};
use crate::spec::{Principal, PrincipalKind, Spec};
use crate::step::{AliasVersion, Step};

/// The documents of our managed policies that the spec wants, by concern (not the bot runtime
/// one, which only the dedicated role carries).
pub(super) fn wanted_documents(spec: &Spec, obs: &Observed) -> BTreeMap<Concern, Value> {
    let scope = &obs.scope;
    let mut wanted: BTreeMap<Concern, Value> = BTreeMap::new();
    if let Some((name, _)) = obs.log_group.as_ref().filter(|_| spec.text.is_some()) {
        wanted.insert(Concern::CloudWatch, documents::cloudwatch(scope, name));
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
    let scope = &obs.scope;
    let mut changes = Vec::new();
    let mut ready = Vec::new();
    for &concern in concerns {
        let name = concern.policy_name(setup);
        let arn = scope.policy(&name);
        let addr = policy_address(&name);
        let existing = obs.policies.get(&concern).cloned().flatten();
        let policy_tags: Tags = [(
            tags::MANAGED_BY.to_string(),
            tags::MANAGED_BY_VALUE.to_string(),
        )]
        .into();
        match (wanted.get(&concern), existing) {
            (Some(document), None) => {
                changes.push(
                    Change::new(
                        addr.clone(),
                        Action::Create,
                        Value::Null,
                        policy_json(&name, &arn, document),
                        Step::CreatePolicy {
                            name: name.clone(),
                            arn: arn.clone(),
                            document: document.clone(),
                            tags: policy_tags,
                        },
                    )
                    .with_document(document),
                );
            }
            (Some(document), Some(found)) if !policy::equivalent(&found.document, document) => {
                changes.push(
                    Change::new(
                        addr.clone(),
                        Action::Update,
                        policy_json(&name, &arn, &found.document),
                        policy_json(&name, &arn, document),
                        Step::UpdatePolicy {
                            name: name.clone(),
                            arn: arn.clone(),
                            document: document.clone(),
                            previous_version: found.default_version.clone(),
                        },
                    )
                    .with_document(document),
                );
            }
            (Some(_), Some(found)) => changes.push(
                Change::no_op(addr.clone(), policy_json(&name, &arn, &found.document))
                    .with_document(&found.document),
            ),
            (None, Some(found)) => {
                if !tags::is_ours(&found.tags) {
                    continue;
                }
                // No longer wanted (e.g. audio turned off): detach, then delete.
                let mut detached = Vec::new();
                for target in targets.iter().filter(|t| t.attached.contains(&arn)) {
                    let change = detach_change(target.role, &arn);
                    detached.push(change.address.clone());
                    changes.push(change);
                }
                changes.push(
                    Change::new(
                        addr.clone(),
                        Action::Delete,
                        policy_json(&name, &arn, &found.document),
                        Value::Null,
                        Step::DeletePolicy {
                            name: name.clone(),
                            arn: arn.clone(),
                            document: found.document.clone(),
                            tags: found.tags.clone(),
                        },
                    )
                    .needs(detached),
                );
                continue;
            }
            (None, None) => continue,
        }
        // What writes the logs must be in place before an alias points at it: a new or changed
        // document too, not only its attachment.
        ready.push(addr.clone());
        for target in targets {
            let attach_addr = attachment_address(target.role, &arn);
            changes.push(if target.attached.contains(&arn) {
                Change::no_op(
                    attach_addr.clone(),
                    json!({"role": target.role, "policyArn": arn}),
                )
            } else {
                Change::new(
                    attach_addr.clone(),
                    Action::Create,
                    Value::Null,
                    json!({"role": target.role, "policyArn": arn}),
                    Step::Attach {
                        role: target.role.into(),
                        policy_arn: arn.clone(),
                    },
                )
                .needs(target.after.iter().cloned().chain([addr.clone()]))
            });
            ready.push(attach_addr);
        }
    }
    (changes, ready)
}
