//! The engine: runs a plan's changes in dependency order, independent ones concurrently; journals
//! the inverse of each completed change; on a failure or Ctrl-C stops starting new changes, lets
//! running ones finish, and undoes the journal in reverse. A second Ctrl-C aborts at once and
//! reports what is left.

use std::collections::{HashMap, HashSet};

use futures::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;

use crate::error::Error;
use crate::plan::{Action, Change, Plan};
use crate::step::{Context, Step};

/// A completed change and the step that undoes it.
#[derive(Debug, Clone)]
pub struct JournalEntry {
    pub address: String,
    pub undo: Step,
}

/// Something that is still changed after a failed rollback, and how to remove it by hand.
#[derive(Debug, Clone, Serialize)]
pub struct Leftover {
    pub address: String,
    /// What would undo it.
    pub todo: String,
    /// How to do that by hand.
    pub command: Option<String>,
    /// Why the engine could not.
    pub error: Option<String>,
}

impl Leftover {
    fn of(entry: &JournalEntry, error: Option<String>) -> Self {
        Leftover {
            address: entry.address.clone(),
            todo: entry.undo.describe(),
            command: entry.undo.how_by_hand(),
            error,
        }
    }
}

/// How a run ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Indexes (into the plan) of the changes that were made and are still in place.
    pub done: Vec<usize>,
    /// The change that failed, and why.
    pub failure: Option<(String, Error)>,
    pub interrupted: bool,
    /// Addresses of changes that were made and then undone.
    pub undone: Vec<String>,
    /// Changes that could not be undone.
    pub left: Vec<Leftover>,
    /// A second Ctrl-C stopped the run without undoing.
    pub aborted: bool,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.failure.is_none() && !self.interrupted
    }

    pub fn rollback_complete(&self) -> bool {
        self.left.is_empty() && !self.aborted
    }
}

/// Interrupt requests: Ctrl-C (SIGINT) or SIGTERM. Installed once, before the first AWS call, so an
/// interrupt at any point is handled, never a kill.
pub struct Interrupts {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Interrupts {
    pub fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Interrupts {
                int: signal(SignalKind::interrupt()).expect("SIGINT handler installs"),
                term: signal(SignalKind::terminate()).expect("SIGTERM handler installs"),
            }
        }
        #[cfg(not(unix))]
        Interrupts {}
    }

    /// Waits for the next interrupt.
    pub async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// How many changes run at once at most (a plan for many bots has hundreds); beyond this they
/// queue, and the SDK's retries absorb any throttling.
pub const CHANGES_AT_ONCE: usize = 32;

/// Runs every change of the plan that is not a no-op.
pub async fn run(plan: &Plan, ctx: &Context, interrupts: &mut Interrupts) -> Outcome {
    let index: HashMap<&crate::plan::Address, usize> = plan
        .changes
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.address, i))
        .collect();
    let to_run: Vec<usize> = (0..plan.changes.len())
        .filter(|i| plan.changes[*i].action != Action::NoOp)
        .collect();
    let deps: HashMap<usize, Vec<usize>> = to_run
        .iter()
        .map(|&i| {
            let wanted = plan.changes[i]
                .depends_on
                .iter()
                .filter_map(|a| index.get(a).copied())
                .filter(|d| plan.changes[*d].action != Action::NoOp && *d != i)
                .collect();
            (i, wanted)
        })
        .collect();

    let slots = tokio::sync::Semaphore::new(CHANGES_AT_ONCE);
    let mut outcome = Outcome::default();
    let mut journal: Vec<(usize, JournalEntry)> = Vec::new();
    let mut finished: HashSet<usize> = HashSet::new();
    let mut pending: Vec<usize> = to_run.clone();
    let mut running = FuturesUnordered::new();
    let mut stopping = false;

    loop {
        if !stopping {
            let (ready, waiting): (Vec<usize>, Vec<usize>) = pending
                .iter()
                .partition(|i| deps[i].iter().all(|d| finished.contains(d)));
            pending = waiting;
            for i in ready {
                let change: &Change = &plan.changes[i];
                let slots = &slots;
                running.push(async move {
                    let _slot = slots
                        .acquire()
                        .await
                        .expect("the semaphore is never closed");
                    let line = ctx.progress.start(
                        change.action.glyph(),
                        &change.address.to_string(),
                        &change.step.describe(),
                    );
                    let result = change.step.run(ctx).await;
                    line.finish(result.is_ok());
                    (i, result)
                });
            }
        }
        if running.is_empty() {
            if !stopping && !pending.is_empty() {
                // Unreachable with plans from the planner: a dependency cycle.
                let address = plan.changes[pending[0]].address.to_string();
                outcome.failure = Some((
                    address.clone(),
                    Error::Config(format!(
                        "internal error: {address} waits on a change that never runs"
                    )),
                ));
                stopping = true;
            }
            break;
        }
        tokio::select! {
            Some((i, result)) = running.next() => match result {
                Ok(undo) => {
                    tracing::info!(address = %plan.changes[i].address, "change made");
                    finished.insert(i);
                    journal.push((i, JournalEntry { address: plan.changes[i].address.to_string(), undo }));
                }
                Err(err) => {
                    tracing::warn!(address = %plan.changes[i].address, error = %err, "change failed");
                    // The change may have happened although the call failed: undo it to be sure.
                    if err.aws().is_some_and(|e| e.is_ambiguous()) {
                        if let Some(undo) = plan.changes[i].step.inverse() {
                            journal.push((i, JournalEntry { address: plan.changes[i].address.to_string(), undo }));
                        }
                    }
                    if !stopping {
                        ctx.progress.line(format!("failed: {}; letting running changes finish, then rolling back", plan.changes[i].address));
                    }
                    if outcome.failure.is_none() {
                        outcome.failure = Some((plan.changes[i].address.to_string(), err));
                    }
                    stopping = true;
                }
            },
            _ = interrupts.next() => {
                if stopping {
                    ctx.progress.line("second interrupt: stopping now, without undoing");
                    outcome.aborted = true;
                    outcome.interrupted = true;
                    outcome.left = journal.iter().rev().map(|(_, e)| Leftover::of(e, None)).collect();
                    outcome.done = journal.iter().map(|(i, _)| *i).collect();
                    return outcome;
                }
                ctx.progress.line("interrupted: letting running changes finish, then rolling back (press Ctrl-C again to stop at once)");
                outcome.interrupted = true;
                stopping = true;
            }
        }
    }

    if !stopping {
        outcome.done = journal.iter().map(|(i, _)| *i).collect();
        return outcome;
    }
    rollback(&mut outcome, journal, ctx, interrupts).await;
    outcome
}

/// Undoes the journal in reverse order. Keeps going past a failed undo (so as much as possible
/// is restored) and records what is left.
async fn rollback(
    outcome: &mut Outcome,
    journal: Vec<(usize, JournalEntry)>,
    ctx: &Context,
    interrupts: &mut Interrupts,
) {
    if journal.is_empty() {
        return;
    }
    ctx.progress
        .line(format!("rolling back {} change(s)", journal.len()));
    let mut remaining = journal.into_iter().rev().peekable();
    while let Some((_, entry)) = remaining.next() {
        ctx.progress
            .line(format!("undo {}: {}", entry.address, entry.undo.describe()));
        let result = tokio::select! {
            r = entry.undo.run(ctx) => r,
            _ = interrupts.next() => {
                ctx.progress.line("second interrupt: stopping the rollback now");
                outcome.aborted = true;
                outcome.left.push(Leftover::of(&entry, Some("interrupted".into())));
                outcome.left.extend(remaining.by_ref().map(|(_, e)| Leftover::of(&e, None)));
                return;
            }
        };
        match result {
            Ok(_) => outcome.undone.push(entry.address),
            Err(err) => outcome
                .left
                .push(Leftover::of(&entry, Some(err.to_string()))),
        }
    }
}
