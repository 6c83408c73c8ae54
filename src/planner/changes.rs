//! Change constructors shared by every kind: the addresses of IAM resources, their JSON as
//! plans show it, and the changes several planners make alike (detach, put or delete an inline
//! policy).

use serde_json::Value;

use crate::plan::{Action, Address, Change, Provider, Purpose, Resource};
use crate::policy;
use crate::resources::alias_write::Guard;
use crate::resources::attachment::AttachmentStep;
use crate::resources::inline_policy::InlinePolicyStep;
use crate::resources::managed_policy::PolicyState;
use crate::resources::managed_policy::PolicyStep;
use crate::resources::tags::Tags;
use crate::spec::Principal;
use crate::step::Step;

pub(super) fn role_address(name: &str) -> Address {
    Address::Role(name.into())
}

pub(super) fn policy_address(name: &str) -> Address {
    Address::Policy(name.into())
}

pub(super) fn attachment_address(role: &str, policy_arn: &str) -> Address {
    Address::attachment(role, policy_arn)
}

pub(super) fn role_json(name: &str, arn: &str, trust: &Value, tags: &Tags) -> Resource {
    Resource::role(name, arn, trust, tags)
}

pub(super) fn policy_json(name: &str, arn: &str, document: &Value) -> Resource {
    Resource::policy(name, arn, document)
}

/// Detaches `policy_arn` from `role`.
pub(super) fn detach_change(at: &Provider, role: &str, policy_arn: &str) -> Change {
    Change::new(
        at,
        attachment_address(role, policy_arn),
        Action::Delete,
        Some(Resource::attachment(role, policy_arn)),
        None,
        Step::Attachment(AttachmentStep::Detach {
            role: role.to_string(),
            policy_arn: policy_arn.to_string(),
        }),
    )
}

/// Deletes the inline policy `name` of `owner`, whose document is `found` (kept for the undo).
pub(super) fn delete_inline_change(
    at: &Provider,
    owner: &Principal,
    name: &str,
    found: &Value,
) -> Change {
    Change::new(
        at,
        Address::inline_policy(owner, name),
        Action::Delete,
        Some(Resource::inline_policy(found)),
        None,
        Step::InlinePolicy(InlinePolicyStep::Delete {
            owner: owner.clone(),
            name: name.to_string(),
            previous: found.clone(),
            guard: Guard::Plan,
        }),
    )
}

/// The inline policy `name` of `owner` as `wanted`: a no-op, a create, or an update.
pub(super) fn put_inline_change(
    at: &Provider,
    purpose: Purpose,
    owner: &Principal,
    name: &str,
    current: Option<&Value>,
    wanted: &Value,
) -> Change {
    let addr = Address::inline_policy(owner, name);
    match current {
        Some(found) if policy::equivalent(found, wanted) => {
            Change::no_op(at, addr.clone(), Resource::inline_policy(found))
                .with_document(purpose, found)
        }
        _ => Change::new(
            at,
            addr.clone(),
            if current.is_some() {
                Action::Update
            } else {
                Action::Create
            },
            current.map(Resource::inline_policy),
            Some(Resource::inline_policy(wanted)),
            Step::InlinePolicy(InlinePolicyStep::Put {
                owner: owner.clone(),
                name: name.to_string(),
                document: wanted.clone(),
                previous: current.cloned(),
                guard: Guard::Plan,
            }),
        )
        .with_document(purpose, wanted),
    }
}

/// Deletes our managed policy `name` (`arn`), as `found` (kept for the undo).
pub(super) fn delete_policy_change(
    at: &Provider,
    name: &str,
    arn: &str,
    found: &PolicyState,
) -> Change {
    Change::new(
        at,
        policy_address(name),
        Action::Delete,
        Some(policy_json(name, arn, &found.document)),
        None,
        Step::Policy(PolicyStep::Delete {
            name: name.to_string(),
            arn: arn.to_string(),
            document: found.document.clone(),
            tags: found.tags.clone(),
        }),
    )
}

/// `policy_arn` attached to `role` (after the changes at `needs`), or a no-op when it is.
pub(super) fn attach_change(
    at: &Provider,
    role: &str,
    policy_arn: &str,
    attached: bool,
    needs: impl IntoIterator<Item = Address>,
) -> Change {
    let addr = attachment_address(role, policy_arn);
    let value = Resource::attachment(role, policy_arn);
    if attached {
        return Change::no_op(at, addr, value);
    }
    let attach = Step::Attachment(AttachmentStep::Attach {
        role: role.to_string(),
        policy_arn: policy_arn.to_string(),
    });
    Change::new(at, addr, Action::Create, None, Some(value), attach).needs(needs)
}
