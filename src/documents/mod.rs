//! The policy documents apply creates, least privilege: the role's trust policy, one policy per
//! concern (CloudWatch Logs, S3, KMS, the bot runtime actions of a service-linked role), and the
//! `iam:PassRole` grant for principals (`logging`); and the policy the operator needs
//! (`operator`).

pub mod escalation;
mod logging;
mod operator;
mod operator_generic;
mod operator_reads;
mod operator_risks;
mod operator_scope;
mod ours;

#[cfg(test)]
pub(crate) use logging::cloudwatch;
pub use logging::Concern;
pub(crate) use logging::{
    bot_runtime, cloudwatch_in, combined, granted_resources, kms, pass_role, pass_role_policy_name,
    s3, service_linked_policy_name, trust, BOT_RUNTIME_ACTIONS, LEX_SERVICE, PASS_ROLE_PREFIX,
};
pub(crate) use operator::{operator, OperatorScope};
pub(crate) use operator_generic::assume_roles;
pub(crate) use operator_generic::GENERIC_LETS_ITS_HOLDER;
pub(crate) use operator_risks::risks;
pub(crate) use ours::{not_ours, regions_named};

#[cfg(test)]
mod operator_tests;
#[cfg(test)]
mod tests;
