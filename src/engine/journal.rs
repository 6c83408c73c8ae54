//! The journal of undos and the rollback that plays it back: what a run changed (or may have
//! changed), undoing it in reverse, and what is left when an undo fails or an interrupt stops the
//! rollback, each with a by-hand command and whether it is certainly or only possibly in place.

use serde::Serialize;

use super::{Executor, InterruptSource, Outcome, Signal};
use crate::error::Error;
use crate::plan::{Address, Provider};
use crate::step::Step;

/// A change made (or one that may have been made) and the step that undoes it.
#[derive(Debug, Clone)]
pub(crate) struct JournalEntry {
    pub address: Address,
    /// Where the change was made (where its undo runs).
    pub provider: Provider,
    pub undo: Step,
    /// Whether the change is known to have happened: false when its call failed in a way that
    /// may hide a change, or when an interrupt cancelled it while it ran.
    pub certain: bool,
}

/// Whether something left is known to be in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Certainty {
    /// It was made and not undone.
    InPlace,
    /// It may be: the change was cancelled or failed while it ran, or its undo was interrupted.
    MayBeInPlace,
}

/// Something that is, or may be, still changed after a failed or stopped rollback, and how to
/// remove it by hand.
#[derive(Debug, Clone, Serialize)]
pub struct Leftover {
    pub address: Address,
    /// Where it is (account and region).
    #[serde(flatten)]
    pub provider: Provider,
    /// Whether it is certainly in place.
    pub state: Certainty,
    /// What would undo it.
    pub todo: String,
    /// How to do that by hand.
    pub command: Option<String>,
    /// Why the engine did not.
    pub error: Option<String>,
}

impl Leftover {
    /// What `entry` leaves when its undo did not run (`error` None) or failed; uncertain when the
    /// change was, or when its undo was in flight (`undo_in_flight`).
    pub(crate) fn of(entry: &JournalEntry, error: Option<String>, undo_in_flight: bool) -> Self {
        let state = match entry.certain && !undo_in_flight {
            true => Certainty::InPlace,
            false => Certainty::MayBeInPlace,
        };
        Leftover {
            address: entry.address.clone(),
            provider: entry.provider.clone(),
            state,
            todo: entry.undo.describe(),
            command: entry
                .undo
                .how_by_hand()
                .map(|c| by_hand_at(c, &entry.provider)),
            error,
        }
    }

    /// A change cancelled while it ran whose undo needs its answer: the engine cannot undo it,
    /// and whether it happened is unknown.
    pub(crate) fn cancelled_without_undo(
        address: &Address,
        provider: &Provider,
        step: &Step,
    ) -> Self {
        Leftover {
            address: address.clone(),
            provider: provider.clone(),
            state: Certainty::MayBeInPlace,
            todo: format!(
                "check whether this happened, and undo it: {}",
                step.describe()
            ),
            command: step.how_to_undo_by_hand().map(|c| by_hand_at(c, provider)),
            error: Some(
                "cancelled by the interrupt while it ran; its undo needs its answer".into(),
            ),
        }
    }
}

/// A by-hand AWS CLI command for where the change was made: its region (IAM has none), and the
/// role to run it as (a shell comment) when the run assumed one. A command of several parts
/// (joined by `&&`) gets the region on each.
pub(crate) fn by_hand_at(command: String, provider: &Provider) -> String {
    let mut command = command
        .split(" && ")
        .map(|part| {
            let regional = part.starts_with("aws ") && !part.starts_with("aws iam ");
            match regional && !provider.region.is_empty() && !part.contains("--region") {
                true => format!("{part} --region {}", provider.region),
                false => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" && ");
    if let Some(role) = &provider.via {
        command.push_str(&format!("  # with the credentials of {role}"));
    }
    command
}

/// Undoes the journal in reverse order. Keeps going past a failed undo (so as much as possible
/// is restored) and records what is left. An interrupt stops it at once, even in the middle of an
/// undo (a wait or a retry is dropped): that undo's change may be in place, the rest are.
/// `signal` is the interrupt that started the rollback, if one did (for its wording).
pub(crate) async fn rollback<E: Executor, I: InterruptSource>(
    outcome: &mut Outcome,
    journal: Vec<JournalEntry>,
    executor: &E,
    interrupts: &mut I,
    signal: Option<Signal>,
) {
    if journal.is_empty() {
        return;
    }
    let progress = executor.progress();
    let how = signal.map_or("interrupt (Ctrl-C or SIGTERM)", Signal::again);
    progress.line(format!(
        "rolling back {} change(s) ({how} to stop the rollback)",
        journal.len()
    ));
    let mut remaining = journal.into_iter().rev();
    while let Some(entry) = remaining.next() {
        progress.line(format!("undo {}: {}", entry.address, entry.undo.describe()));
        let in_flight = std::cell::Cell::new(false);
        let result = tokio::select! {
            // An interrupt that has already arrived wins over starting the next undo.
            biased;
            now = interrupts.next() => {
                let which = match signal {
                    Some(_) => "second interrupt",
                    None => "interrupted",
                };
                progress.line(format!(
                    "{which} ({}): stopping the rollback now; what may still be in place is listed",
                    now.name()
                ));
                outcome.aborted = true;
                let error = in_flight
                    .get()
                    .then(|| "its undo was interrupted while it ran; it may or may not be undone".to_string());
                outcome.left.push(Leftover::of(&entry, error, in_flight.get()));
                outcome
                    .left
                    .extend(remaining.by_ref().map(|e| Leftover::of(&e, None, false)));
                return;
            }
            r = async {
                let _admitted = executor.admit(&entry.provider, &entry.undo).await;
                in_flight.set(true);
                executor.run(&entry.provider, &entry.undo).await
            } => r,
        };
        match result {
            Ok(_) => outcome.undone.push((entry.provider, entry.address)),
            Err(Error::ChangedElsewhere(what)) => {
                progress.line(format!("left as someone else set it: {what}"));
                outcome
                    .changed_elsewhere
                    .push((entry.provider, entry.address, what))
            }
            Err(err) => outcome
                .left
                .push(Leftover::of(&entry, Some(err.to_string()), false)),
        }
    }
}
