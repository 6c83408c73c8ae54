//! The engine: runs a plan's changes in dependency order, independent ones concurrently; journals
//! the undo of each completed change; on a failure stops starting new changes, lets running ones
//! finish, and undoes the journal in reverse. An interrupt (Ctrl-C or SIGTERM) cancels the running
//! changes at once and rolls back, undoing the cancelled ones too; a second interrupt stops the
//! rollback and reports what is, or may be, left. Generic over how a step is executed ([`Executor`]) and where interrupts
//! come from ([`InterruptSource`]), so it is tested without AWS.

use std::collections::{HashMap, HashSet};

use crate::aws::Places;
use crate::error::{Error, Result};
use crate::plan::{AbsAddress, Address, Change, Plan, Provider};
use crate::progress::Progress;
use crate::resources::operation::Context;
use crate::step::Step;
use futures::stream::{FuturesUnordered, StreamExt};

mod interrupts;
mod journal;
#[cfg(test)]
mod tests;

pub(crate) use interrupts::{InterruptSource, Interrupts, Signal};
use journal::{rollback, JournalEntry};
pub use journal::{Certainty, Leftover};

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
        _place: &Provider,
        _step: &Step,
    ) -> Option<tokio::sync::OwnedSemaphorePermit> {
        None
    }
    /// Runs the step in `place`; returns the step that undoes it, if there is anything to undo.
    async fn run(&self, provider: &Provider, step: &Step) -> Result<Option<Step>>;
    /// Where progress lines go.
    fn progress(&self) -> &Progress;
}

/// The real executor: each step runs with the context of its place (one, for a plan in one
/// place).
pub(crate) struct Contexts {
    by_provider: Vec<(Provider, Context)>,
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
    /// One context per connection the run has (its provider: the caller's account, the region,
    /// the role assumed), sharing the progress lines and one run id.
    pub(crate) async fn new(places: &Places, progress: Progress) -> Result<Contexts> {
        let run_id = crate::resources::tags::new_run_id();
        let mut by_provider = Vec::new();
        for (_, clients) in places.all() {
            let context = Context {
                clients: clients.clone(),
                progress: progress.clone(),
                run_id: run_id.clone(),
            };
            by_provider.push((clients.provider().await?, context));
        }
        Ok(Contexts {
            by_provider,
            progress,
            limits: Default::default(),
        })
    }

    /// Adds the connections `providers` need that the places lack: a region a bot is replicated
    /// to (Global Resiliency) is reached with the clients of the same account and role, in that
    /// region (`Clients::in_region`: the same credentials).
    pub(crate) fn reach<'a>(
        mut self,
        providers: impl IntoIterator<Item = &'a Provider>,
    ) -> Result<Contexts> {
        for provider in providers {
            if self.by_provider.iter().any(|(p, _)| p == provider) {
                continue;
            }
            let same_connection = self
                .by_provider
                .iter()
                .find(|(p, _)| p.account == provider.account && p.via == provider.via)
                .map(|(_, context)| context);
            let Some(context) = same_connection else {
                continue;
            };
            let context = Context {
                clients: context.clients.in_region(&provider.region)?,
                progress: context.progress.clone(),
                run_id: context.run_id.clone(),
            };
            self.by_provider.push((provider.clone(), context));
        }
        Ok(self)
    }

    /// The slot a step waits for: at most CALLS_PER_SERVICE steps of one service run at once in
    /// one account (IAM) or account and region (the regional services).
    async fn slot(&self, provider: &Provider, step: &Step) -> tokio::sync::OwnedSemaphorePermit {
        let service = step.service();
        let region = if service == "iam" {
            ""
        } else {
            provider.region.as_str()
        };
        let key = (provider.account.clone(), region.to_string(), service);
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

    /// The context of the change's provider, which the planner set from the very clients it
    /// observed with: a provider the run has no clients for is an internal error, never another
    /// connection's clients.
    fn at(&self, provider: &Provider) -> Result<&Context> {
        self.by_provider
            .iter()
            .find(|(p, _)| p == provider)
            .map(|(_, context)| context)
            .ok_or_else(|| Error::Internal(format!("no AWS clients for {provider}")))
    }
}

impl Executor for Contexts {
    async fn admit(
        &self,
        provider: &Provider,
        step: &Step,
    ) -> Option<tokio::sync::OwnedSemaphorePermit> {
        Some(self.slot(provider, step).await)
    }

    async fn run(&self, provider: &Provider, step: &Step) -> Result<Option<Step>> {
        step.run(self.at(provider)?)
            .await
            .map_err(|e| e.placed(provider))
    }

    fn progress(&self) -> &Progress {
        &self.progress
    }
}

/// How a run ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Indexes (into the plan) of the changes that were made and are still in place.
    pub done: Vec<usize>,
    /// The change that failed, and why.
    pub failure: Option<(Provider, Address, Error)>,
    pub interrupted: bool,
    /// Changes that were made and then undone: where, and which.
    pub undone: Vec<(Provider, Address)>,
    /// Changes that are, or may be, still in provider: not undone (an undo failed, or an interrupt
    /// stopped the rollback), or cancelled while they ran with no undo known.
    pub left: Vec<Leftover>,
    /// Changes whose undo found that someone else changed the resource after this run wrote it,
    /// and so left it as they set it: where, which, and what was left.
    pub changed_elsewhere: Vec<(Provider, Address, String)>,
    /// An interrupt stopped the rollback before it finished.
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
        let index: HashMap<AbsAddress, usize> = plan
            .changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.abs(), i))
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
                    .filter_map(|dependency| index.get(dependency).copied())
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
    /// The interrupt that stopped the run, if one did.
    signal: Option<Signal>,
    /// Changes cancelled while they ran that have no undo known without their answer.
    unknown: Vec<Leftover>,
}

impl Progression {
    /// Records how change `i` ended.
    fn record(&mut self, plan: &Plan, i: usize, result: Result<Option<Step>>, progress: &Progress) {
        let address = &plan.changes[i].address;
        let (undo, certain) = match result {
            Ok(undo) => {
                tracing::info!(address = %address, "change made");
                (undo, true)
            }
            Err(err) => {
                tracing::warn!(address = %address, error = %err, "change failed");
                if !self.stopping {
                    progress.line(format!(
                        "failed: {address}; letting running changes finish, then rolling back (interrupt to roll back at once)"
                    ));
                }
                // The change may have happened although the call failed: undo it to be sure.
                let ambiguous = err.aws().is_some_and(|e| e.is_ambiguous());
                if self.outcome.failure.is_none() {
                    let place = plan.changes[i].provider.clone();
                    self.outcome.failure = Some((place, address.clone(), err));
                }
                self.stopping = true;
                match plan.changes[i].step.as_ref().and_then(Step::inverse) {
                    Some(undo) if ambiguous => (Some(undo), false),
                    _ => return,
                }
            }
        };
        self.made.push(i);
        if let Some(undo) = undo {
            self.journal.push(JournalEntry {
                address: address.clone(),
                provider: plan.changes[i].provider.clone(),
                undo,
                certain,
            });
        }
    }

    /// An interrupt: stop starting changes, cancel the running ones, then roll back.
    fn interrupt(&mut self, signal: Signal, progress: &Progress) {
        progress.line(format!(
            "interrupted ({}): cancelling the running changes and rolling back ({} to stop the rollback)",
            signal.name(),
            signal.again()
        ));
        self.outcome.interrupted = true;
        self.stopping = true;
        self.signal = Some(signal);
    }

    /// Changes that were running when an interrupt cancelled them (`in_flight`, in the order they
    /// started): each may have happened, so its undo is journalled to be attempted; one whose undo
    /// needs its answer is listed as possibly in place.
    fn cancel(&mut self, plan: &Plan, in_flight: Vec<usize>, progress: &Progress) {
        for i in in_flight {
            let change = &plan.changes[i];
            let Some(step) = change.step.as_ref() else {
                continue;
            };
            progress.line(format!(
                "cancelled: {} (it may have been made; undoing it to be sure)",
                change.address
            ));
            self.made.push(i);
            match step.inverse() {
                Some(undo) => self.journal.push(JournalEntry {
                    address: change.address.clone(),
                    provider: change.provider.clone(),
                    undo,
                    certain: false,
                }),
                None => self.unknown.push(Leftover::cancelled_without_undo(
                    &change.address,
                    &change.provider,
                    step,
                )),
            }
        }
    }

    /// Changes that can never start (a dependency cycle; unreachable with plans from the planner).
    fn refuse_stuck(&mut self, plan: &Plan, pending: &[usize]) {
        if self.stopping || pending.is_empty() {
            return;
        }
        let address = plan.changes[pending[0]].address.clone();
        self.outcome.failure = Some((
            plan.changes[pending[0]].provider.clone(),
            address.clone(),
            Error::Internal(format!("{address} waits on a change that never runs")),
        ));
        self.stopping = true;
    }
}

/// The changes that have called AWS and not finished, in the order they started.
#[derive(Default)]
struct InFlight(std::sync::Mutex<Vec<usize>>);

impl InFlight {
    fn start(&self, i: usize) {
        self.0.lock().expect("never poisoned").push(i);
    }

    fn end(&self, i: usize) {
        self.0.lock().expect("never poisoned").retain(|j| *j != i);
    }

    fn take(&self) -> Vec<usize> {
        std::mem::take(&mut *self.0.lock().expect("never poisoned"))
    }
}

/// Runs one change once a slot is free, with its progress line; it counts as in flight from when
/// it may call AWS.
async fn run_change<E: Executor>(
    executor: &E,
    slots: &tokio::sync::Semaphore,
    in_flight: &InFlight,
    (i, change, step): (usize, &Change, &Step),
) -> (usize, Result<Option<Step>>) {
    let _admitted = executor.admit(&change.provider, step).await;
    let _slot = slots
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let line = executor.progress().start(
        change.action.glyph(),
        &change.address.to_string(),
        &step.describe(),
    );
    in_flight.start(i);
    let result = executor.run(&change.provider, step).await;
    line.finish(result.is_ok());
    (i, result)
}

/// Runs every change of the plan that has a step (every one that is not a no-op). An interrupt
/// cancels the running changes at once (a wait or a retry is dropped where it is) and rolls back,
/// undoing the cancelled ones too; a second interrupt stops the rollback.
pub(crate) async fn run<E: Executor, I: InterruptSource>(
    plan: &Plan,
    executor: &E,
    interrupts: &mut I,
) -> Outcome {
    let slots = tokio::sync::Semaphore::new(CHANGES_AT_ONCE);
    let in_flight = InFlight::default();
    let mut schedule = Schedule::new(plan);
    let mut state = Progression::default();
    let mut running = FuturesUnordered::new();
    let progress = executor.progress();
    loop {
        if !state.stopping {
            for ready in schedule.take_ready() {
                running.push(run_change(executor, &slots, &in_flight, ready));
            }
        }
        if running.is_empty() {
            state.refuse_stuck(plan, &schedule.pending);
            break;
        }
        tokio::select! {
            Some((i, result)) = running.next() => {
                in_flight.end(i);
                if result.is_ok() {
                    schedule.finished.insert(i);
                }
                state.record(plan, i, result, progress);
            }
            signal = interrupts.next() => {
                state.interrupt(signal, progress);
                // Dropping the running changes cancels their calls, retries and waits.
                running.clear();
                state.cancel(plan, in_flight.take(), progress);
            }
        }
    }
    let mut outcome = std::mem::take(&mut state.outcome);
    if !state.stopping {
        outcome.done = state.made;
        return outcome;
    }
    rollback(
        &mut outcome,
        state.journal,
        executor,
        interrupts,
        state.signal,
    )
    .await;
    outcome.left.append(&mut state.unknown);
    outcome
}
