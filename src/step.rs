//! The mutations the engine can run: one variant per resource kind, each delegating to that kind's
//! step type (in `resources/<kind>.rs`) through [`Operation`]. Running a step returns the step that
//! undoes it, if any; the engine's journal is the list of those.

use crate::error::Result;
use crate::resources::alarm::AlarmStep;
use crate::resources::alias::AliasStep;
use crate::resources::attachment::AttachmentStep;
use crate::resources::bot::BotStep;
use crate::resources::inline_policy::InlinePolicyStep;
use crate::resources::log_group::LogGroupStep;
use crate::resources::managed_policy::PolicyStep;
use crate::resources::operation::{Context, Operation};
use crate::resources::query::QueryStep;
use crate::resources::record::RecordStep;
use crate::resources::role::RoleStep;
use crate::resources::version::VersionStep;

impl Step {
    /// The AWS service the step calls (the engine bounds how many run at once per service).
    pub fn service(&self) -> &'static str {
        match self {
            Step::LogGroup(_) | Step::Query(_) => "logs",
            Step::Role(_) | Step::Policy(_) | Step::Attachment(_) | Step::InlinePolicy(_) => "iam",
            Step::Bot(_) | Step::Alias(_) | Step::Record(_) | Step::Version(_) => "lex",
            Step::Alarm(_) => "cloudwatch",
        }
    }
}

/// One change to one resource, as the engine runs it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Step {
    LogGroup(LogGroupStep),
    Role(RoleStep),
    Policy(PolicyStep),
    Attachment(AttachmentStep),
    InlinePolicy(InlinePolicyStep),
    Bot(BotStep),
    Alias(AliasStep),
    Record(RecordStep),
    Version(VersionStep),
    Alarm(AlarmStep),
    Query(QueryStep),
}

/// Evaluates `$call` with `$inner` bound to the kind's step inside `$step`; with `wrap`, `$call`
/// gives an `Option` of the same kind's step, which comes back wrapped in the same variant.
macro_rules! each_kind {
    ($step:expr, $inner:ident => $call:expr) => {
        match $step {
            Step::LogGroup($inner) => $call,
            Step::Role($inner) => $call,
            Step::Policy($inner) => $call,
            Step::Attachment($inner) => $call,
            Step::InlinePolicy($inner) => $call,
            Step::Bot($inner) => $call,
            Step::Alias($inner) => $call,
            Step::Record($inner) => $call,
            Step::Version($inner) => $call,
            Step::Alarm($inner) => $call,
            Step::Query($inner) => $call,
        }
    };
    (wrap $step:expr, $inner:ident => $call:expr) => {
        match $step {
            Step::LogGroup($inner) => $call.map(Step::LogGroup),
            Step::Role($inner) => $call.map(Step::Role),
            Step::Policy($inner) => $call.map(Step::Policy),
            Step::Attachment($inner) => $call.map(Step::Attachment),
            Step::InlinePolicy($inner) => $call.map(Step::InlinePolicy),
            Step::Bot($inner) => $call.map(Step::Bot),
            Step::Alias($inner) => $call.map(Step::Alias),
            Step::Record($inner) => $call.map(Step::Record),
            Step::Version($inner) => $call.map(Step::Version),
            Step::Alarm($inner) => $call.map(Step::Alarm),
            Step::Query($inner) => $call.map(Step::Query),
        }
    };
}

impl Step {
    /// A sentence saying what the step does (see [`Operation::describe`]).
    pub(crate) fn describe(&self) -> String {
        each_kind!(self, step => step.describe())
    }

    /// The AWS CLI command that does this step by hand (see [`Operation::how_by_hand`]).
    pub(crate) fn how_by_hand(&self) -> Option<String> {
        each_kind!(self, step => step.how_by_hand())
    }

    /// How to undo this step by hand when whether it happened is unknown (see
    /// [`Operation::how_to_undo_by_hand`]).
    pub(crate) fn how_to_undo_by_hand(&self) -> Option<String> {
        each_kind!(self, step => step.how_to_undo_by_hand())
    }

    /// The step that undoes this one, known without its answer (see [`Operation::inverse`]).
    pub(crate) fn inverse(&self) -> Option<Step> {
        each_kind!(wrap self, step => step.inverse())
    }

    /// Runs the step; returns the step that undoes it, if any (see [`Operation::run`]).
    pub(crate) async fn run(&self, ctx: &Context) -> Result<Option<Step>> {
        Ok(each_kind!(wrap self, step => step.run(ctx).await?))
    }
}

#[cfg(test)]
mod tests;
