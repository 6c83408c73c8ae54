//! What every resource kind's steps share: the [`Operation`] trait (describe, undo, run), the
//! [`Context`] a step runs in, and [`create_once`], the create that tells a lost answer from a
//! concurrent run.

use crate::aws::Clients;
use crate::error::Result;
use crate::progress::Progress;
use crate::resources::tags::{self, Tags};

/// What a step needs to run.
pub(crate) struct Context {
    pub clients: Clients,
    pub progress: Progress,
    /// Tags what this run creates (see [`tags::RUN`]).
    pub run_id: String,
}

/// The operations of one resource kind (create, update, delete, restore, ...): each kind's steps
/// implement this, and [`crate::step::Step`] dispatches to them.
pub(crate) trait Operation: Sized {
    /// A sentence saying what the step does, for progress lines and for what is left after a
    /// failed rollback.
    fn describe(&self) -> String;

    /// The AWS CLI command that does this step by hand, where one command does it; used to tell
    /// a person how to remove what a failed rollback left behind.
    fn how_by_hand(&self) -> Option<String> {
        None
    }

    /// How to undo this step by hand when whether it happened is unknown (an interrupt cancelled
    /// it while it ran): the by-hand command of its [`Operation::inverse`], or, for a step whose
    /// undo needs its answer, how to find and undo what it did.
    fn how_to_undo_by_hand(&self) -> Option<String> {
        self.inverse().and_then(|undo| undo.how_by_hand())
    }

    /// The step that undoes this one, known without its answer: what `run` returns, and what the
    /// engine journals when a step fails in a way that may hide a change that happened (every
    /// undo tolerates "already undone"). `None` where there is nothing to undo, or where the undo
    /// needs the answer (a new policy version's id).
    fn inverse(&self) -> Option<Self>;

    /// Runs the step and returns the step that undoes it, if any: [`Operation::inverse`], unless
    /// another run made the resource (then nothing is ours to undo) or the undo needs the answer.
    async fn run(&self, ctx: &Context) -> Result<Option<Self>>;
}

/// Who made a resource that a create step finds in place.
pub(crate) enum Made {
    /// This run (the create landed, its response did not): ours to undo.
    ByThisRun,
    /// Another lex-logs-setup run, for the same target, at the same time: keep, never undo.
    ByAnotherRun,
}

impl Made {
    /// The undo to journal for a step that made (or found) its resource: `inverse` when this run
    /// made it, nothing when another run did.
    pub(crate) fn undo<S>(self, inverse: impl FnOnce() -> Option<S>) -> Option<S> {
        match self {
            Made::ByThisRun => inverse(),
            Made::ByAnotherRun => None,
        }
    }
}

/// Runs a create; when it fails (already exists, or an answer that may hide a change that
/// happened), reads the resource back and decides by its tags who made it. `matches` says whether
/// a resource made by another run is the one this run wanted.
pub(crate) async fn create_once<C, P>(
    ctx: &Context,
    create: C,
    probe: P,
    matches: impl Fn(&Tags) -> bool,
) -> Result<Made>
where
    C: std::future::Future<Output = Result<()>>,
    P: std::future::Future<Output = Result<Option<Tags>>>,
{
    let err = match create.await {
        Ok(()) => return Ok(Made::ByThisRun),
        Err(err) => err,
    };
    let already_exists = err.has_code(&[
        "EntityAlreadyExists",
        "EntityAlreadyExistsException",
        "ResourceAlreadyExistsException",
    ]);
    let found = match probe.await {
        Ok(found) => found,
        Err(_) => return Err(err),
    };
    match found {
        Some(found) if found.get(tags::RUN) == Some(&ctx.run_id) => {
            ctx.progress
                .line("the create went through although its answer was lost; carrying on");
            Ok(Made::ByThisRun)
        }
        Some(found) if already_exists && tags::is_ours(&found) && matches(&found) => {
            ctx.progress
                .line("another lex-logs-setup run created it at the same time; using it");
            Ok(Made::ByAnotherRun)
        }
        _ => Err(err),
    }
}
