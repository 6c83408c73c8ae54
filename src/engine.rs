//! The engine: runs a plan's changes in dependency order, independent ones concurrently; journals
//! the undo of each completed change; on a failure or Ctrl-C stops starting new changes, lets
//! running ones finish, and undoes the journal in reverse. A second Ctrl-C aborts at once and
//! reports what is left. Generic over how a step is executed ([`Executor`]) and where interrupts
//! come from ([`InterruptSource`]), so it is tested without AWS.

use std::collections::{HashMap, HashSet};

use futures::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;

use crate::aws::Places;
use crate::error::{Error, Result};
use crate::plan::{Address, Change, Place, Plan};
use crate::progress::Progress;
use crate::resources::operation::Context;
use crate::step::Step;

mod interrupts;
#[cfg(test)]
mod tests;

pub(crate) use interrupts::InterruptSource;
pub(crate) use interrupts::Interrupts;

/// How many changes run at once at most (a plan for many bots has hundreds); beyond this they
/// queue, and the SDK's retries absorb any throttling.
pub(crate) const CHANGES_AT_ONCE: usize = 32;

/// How the engine makes a change: the real one runs the step against AWS ([`Context`]); tests
/// use a fake.
pub(crate) trait Executor {
    /// Waits until a step of this kind may start in `place` (a bound per account and service);
    /// the step runs while the returned permit is held. The engine waits for this before it
    /// takes one of its own slots, so one account's queue never holds back another's.
    async fn admit(
        &self,
        _place: &Place,
        _step: &Step,
    ) -> Option<tokio::sync::OwnedSemaphorePermit> {
        None
    }
    /// Runs the step in `place`; returns the step that undoes it, if there is anything to undo.
    async fn run(&self, place: &Place, step: &Step) -> Result<Option<Step>>;
    /// Where progress lines go.
    fn progress(&self) -> &Progress;
}

/// The real executor: each step runs with the context of its place (one, for a plan in one
/// place).
pub(crate) struct Contexts {
    by_place: Vec<(Place, Context)>,
    progress: Progress,
    /// A semaphore per (account, region or "" for IAM, service).
    limits: std::sync::Mutex<HashMap<ServiceKey, std::sync::Arc<tokio::sync::Semaphore>>>,
}

/// (account, region or "" for IAM, service).
type ServiceKey = (String, String, &'static str);

/// How many steps of one service run at once in one account (IAM) or account and region: below
/// the rate at which IAM and Lex start to throttle, which the SDK's retries then absorb.
pub(crate) const CALLS_PER_SERVICE: usize = 8;

impl Contexts {
    /// One context per place the run touches (its account from the clients' caller), sharing the
    /// progress lines and one run id.
    pub(crate) async fn new(places: &Places, progress: Progress) -> Result<Contexts> {
        let run_id = crate::resources::tags::new_run_id();
        let mut by_place = Vec::new();
        for (location, clients) in places.all() {
            let caller = clients.caller().await?;
            let place = Place {
                account: caller.scope.account,
                region: clients.region.clone(),
                via: location.assume_role.as_ref().map(|r| r.role_arn.clone()),
            };
            let context = Context {
                clients: clients.clone(),
                progress: progress.clone(),
                run_id: run_id.clone(),
            };
            by_place.push((place, context));
        }
        Ok(Contexts {
            by_place,
            progress,
            limits: Default::default(),
        })
    }

    /// The slot a step waits for: at most CALLS_PER_SERVICE steps of one service run at once in
    /// one account (IAM) or place (the regional services).
    async fn slot(&self, place: &Place, step: &Step) -> tokio::sync::OwnedSemaphorePermit {
        let service = step.service();
        let region = if service == "iam" {
            ""
        } else {
            place.region.as_str()
        };
        let key = (place.account.clone(), region.to_string(), service);
        let semaphore = {
            let mut limits = self.limits.lock().expect("the lock is never poisoned");
            limits
                .entry(key)
                .or_insert_with(|| {
                    std::sync::Arc::new(tokio::sync::Semaphore::new(CALLS_PER_SERVICE))
                })
                .clone()
        };
        semaphore
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// The context of `place`; a plan in one place may carry no place (unit tests). A change
    /// in a place the run has no clients for is an internal error, never another place's clients.
    fn at(&self, place: &Place) -> Result<&Context> {
        if let Some((_, ctx)) = self.by_place.iter().find(|(p, _)| p == place) {
            return Ok(ctx);
        }
        match self.by_place.as_slice() {
            [(_, only)] if place == &Place::default() => Ok(only),
            _ => Err(Error::Config(format!(
                "internal error: no AWS clients for account {} in {}",
                place.account, place.region
            ))),
        }
    }
}

impl Executor for Contexts {
    async fn admit(&self, place: &Place, step: &Step) -> Option<tokio::sync::OwnedSemaphorePermit> {
        Some(self.slot(place, step).await)
    }

    async fn run(&self, place: &Place, step: &Step) -> Result<Option<Step>> {
        step.run(self.at(place)?).await
    }

    fn progress(&self) -> &Progress {
        &self.progress
    }
}

impl Executor for Context {
    async fn run(&self, _place: &Place, step: &Step) -> Result<Option<Step>> {
        step.run(self).await
    }

    fn progress(&self) -> &Progress {
        &self.progress
    }
}

/// A completed change and the step that undoes it.
#[derive(Debug, Clone)]
pub(crate) struct JournalEntry {
    pub address: Address,
    /// Where the change was made (where its undo runs).
    pub place: Place,
    pub undo: Step,
}

/// Something that is still changed after a failed rollback, and how to remove it by hand.
#[derive(Debug, Clone, Serialize)]
pub struct Leftover {
    pub address: Address,
    /// Where it is (account and region).
    #[serde(flatten)]
    pub place: Place,
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
            place: entry.place.clone(),
            todo: entry.undo.describe(),
            command: entry
                .undo
                .how_by_hand()
                .map(|c| by_hand_at(c, &entry.place)),
            error,
        }
    }
}

/// A by-hand AWS CLI command for where the change was made: its region (IAM has none), and the
/// role to run it as (a shell comment) when the run assumed one.
fn by_hand_at(command: String, place: &Place) -> String {
    let mut command = command;
    let regional = command.starts_with("aws ") && !command.starts_with("aws iam ");
    if regional && !place.region.is_empty() && !command.contains("--region") {
        command.push_str(&format!(" --region {}", place.region));
    }
    if let Some(role) = &place.via {
        command.push_str(&format!("  # with the credentials of {role}"));
    }
    command
}

/// How a run ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Indexes (into the plan) of the changes that were made and are still in place.
    pub done: Vec<usize>,
    /// The change that failed, and why.
    pub failure: Option<(Place, Address, Error)>,
    pub interrupted: bool,
    /// Changes that were made and then undone: where, and which.
    pub undone: Vec<(Place, Address)>,
    /// Changes that could not be undone.
    pub left: Vec<Leftover>,
    /// Changes whose undo found that someone else changed the resource after this run wrote it,
    /// and so left it as they set it: where, which, and what was left.
    pub changed_elsewhere: Vec<(Place, Address, String)>,
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

/// Which changes may start: those with a step, once the changes with a step they depend on have
/// finished.
struct Schedule<'p> {
    plan: &'p Plan,
    /// For each change to run, the changes to run that must finish first.
    deps: HashMap<usize, Vec<usize>>,
    pending: Vec<usize>,
    finished: HashSet<usize>,
}

impl<'p> Schedule<'p> {
    fn new(plan: &'p Plan) -> Self {
        let index: HashMap<crate::plan::ResourceKey, usize> = plan
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.resource_key(), i))
            .collect();
        let runs = |i: usize| plan.changes[i].step.is_some();
        let pending: Vec<usize> = (0..plan.changes.len()).filter(|i| runs(*i)).collect();
        let deps = pending
            .iter()
            .map(|&i| {
                let change = &plan.changes[i];
                let wanted = change
                    .depends_on
                    .iter()
                    .map(|a| change.key_of(a))
                    .chain(change.depends_elsewhere.iter().cloned())
                    .filter_map(|key| index.get(&key).copied())
                    .filter(|d| runs(*d) && *d != i)
                    .collect();
                (i, wanted)
            })
            .collect();
        Schedule {
            plan,
            deps,
            pending,
            finished: HashSet::new(),
        }
    }

    /// Takes the pending changes whose dependencies have all finished, with their steps.
    fn take_ready(&mut self) -> Vec<(usize, &'p Change, &'p Step)> {
        let (ready, waiting): (Vec<usize>, Vec<usize>) = self
            .pending
            .iter()
            .partition(|i| self.deps[i].iter().all(|d| self.finished.contains(d)));
        self.pending = waiting;
        let plan = self.plan;
        ready
            .into_iter()
            .filter_map(|i| {
                let change = &plan.changes[i];
                change.step.as_ref().map(|step| (i, change, step))
            })
            .collect()
    }
}

/// What the run has done so far, and whether it is stopping.
#[derive(Default)]
struct Progression {
    outcome: Outcome,
    /// Indexes of the changes made (and of failed ones that may have happened), in order.
    made: Vec<usize>,
    /// The undo of each of those that has one, in the order they completed.
    journal: Vec<JournalEntry>,
    stopping: bool,
}

impl Progression {
    /// Records how change `i` ended.
    fn record(&mut self, plan: &Plan, i: usize, result: Result<Option<Step>>, progress: &Progress) {
        let address = &plan.changes[i].address;
        let undo = match result {
            Ok(undo) => {
                tracing::info!(address = %address, "change made");
                undo
            }
            Err(err) => {
                tracing::warn!(address = %address, error = %err, "change failed");
                if !self.stopping {
                    progress.line(format!(
                        "failed: {address}; letting running changes finish, then rolling back"
                    ));
                }
                // The change may have happened although the call failed: undo it to be sure.
                let ambiguous = err.aws().is_some_and(|e| e.is_ambiguous());
                if self.outcome.failure.is_none() {
                    let place = plan.changes[i].place.clone();
                    self.outcome.failure = Some((place, address.clone(), err));
                }
                self.stopping = true;
                match plan.changes[i].step.as_ref().and_then(Step::inverse) {
                    Some(undo) if ambiguous => Some(undo),
                    _ => return,
                }
            }
        };
        self.made.push(i);
        if let Some(undo) = undo {
            self.journal.push(JournalEntry {
                address: address.clone(),
                place: plan.changes[i].place.clone(),
                undo,
            });
        }
    }

    /// A first interrupt: stop starting changes, then roll back.
    fn interrupt(&mut self, progress: &Progress) {
        progress.line("interrupted: letting running changes finish, then rolling back (press Ctrl-C again to stop at once)");
        self.outcome.interrupted = true;
        self.stopping = true;
    }

    /// A second interrupt while changes run: stop now, list what is made, undo nothing.
    fn abort(mut self, progress: &Progress) -> Outcome {
        progress.line("second interrupt: stopping now, without undoing");
        self.outcome.aborted = true;
        self.outcome.interrupted = true;
        self.outcome.left = self
            .journal
            .iter()
            .rev()
            .map(|e| Leftover::of(e, None))
            .collect();
        self.outcome.done = self.made;
        self.outcome
    }

    /// Changes that can never start (a dependency cycle; unreachable with plans from the planner).
    fn refuse_stuck(&mut self, plan: &Plan, pending: &[usize]) {
        if self.stopping || pending.is_empty() {
            return;
        }
        let address = plan.changes[pending[0]].address.clone();
        self.outcome.failure = Some((
            plan.changes[pending[0]].place.clone(),
            address.clone(),
            Error::Config(format!(
                "internal error: {address} waits on a change that never runs"
            )),
        ));
        self.stopping = true;
    }
}

/// Runs one change once a slot is free, with its progress line.
async fn run_change<E: Executor>(
    executor: &E,
    slots: &tokio::sync::Semaphore,
    i: usize,
    change: &Change,
    step: &Step,
) -> (usize, Result<Option<Step>>) {
    let _admitted = executor.admit(&change.place, step).await;
    let _slot = slots
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let line = executor.progress().start(
        change.action.glyph(),
        &change.address.to_string(),
        &step.describe(),
    );
    let result = executor.run(&change.place, step).await;
    line.finish(result.is_ok());
    (i, result)
}

/// Runs every change of the plan that has a step (every one that is not a no-op).
pub(crate) async fn run<E: Executor, I: InterruptSource>(
    plan: &Plan,
    executor: &E,
    interrupts: &mut I,
) -> Outcome {
    let slots = tokio::sync::Semaphore::new(CHANGES_AT_ONCE);
    let mut schedule = Schedule::new(plan);
    let mut state = Progression::default();
    let mut running = FuturesUnordered::new();
    let progress = executor.progress();
    loop {
        if !state.stopping {
            for (i, change, step) in schedule.take_ready() {
                running.push(run_change(executor, &slots, i, change, step));
            }
        }
        if running.is_empty() {
            state.refuse_stuck(plan, &schedule.pending);
            break;
        }
        tokio::select! {
            Some((i, result)) = running.next() => {
                if result.is_ok() {
                    schedule.finished.insert(i);
                }
                state.record(plan, i, result, progress);
            }
            _ = interrupts.next() => {
                if state.stopping {
                    return state.abort(progress);
                }
                state.interrupt(progress);
            }
        }
    }
    let mut outcome = state.outcome;
    if !state.stopping {
        outcome.done = state.made;
        return outcome;
    }
    rollback(&mut outcome, state.journal, executor, interrupts).await;
    outcome
}

/// Undoes the journal in reverse order. Keeps going past a failed undo (so as much as possible
/// is restored) and records what is left.
async fn rollback<E: Executor, I: InterruptSource>(
    outcome: &mut Outcome,
    journal: Vec<JournalEntry>,
    executor: &E,
    interrupts: &mut I,
) {
    if journal.is_empty() {
        return;
    }
    let progress = executor.progress();
    progress.line(format!("rolling back {} change(s)", journal.len()));
    let mut remaining = journal.into_iter().rev();
    while let Some(entry) = remaining.next() {
        progress.line(format!("undo {}: {}", entry.address, entry.undo.describe()));
        let result = tokio::select! {
            r = async {
                let _admitted = executor.admit(&entry.place, &entry.undo).await;
                executor.run(&entry.place, &entry.undo).await
            } => r,
            _ = interrupts.next() => {
                progress.line("second interrupt: stopping the rollback now");
                outcome.aborted = true;
                outcome.left.push(Leftover::of(&entry, Some("interrupted".into())));
                outcome.left.extend(remaining.by_ref().map(|e| Leftover::of(&e, None)));
                return;
            }
        };
        match result {
            Ok(_) => outcome.undone.push((entry.place, entry.address)),
            Err(Error::ChangedElsewhere(what)) => {
                progress.line(format!("left as someone else set it: {what}"));
                outcome
                    .changed_elsewhere
                    .push((entry.place, entry.address, what))
            }
            Err(err) => outcome
                .left
                .push(Leftover::of(&entry, Some(err.to_string()))),
        }
    }
}
