//! The engine with a fake executor (no AWS) on paused time: ordering, the concurrency cap,
//! rollback, interrupts; and that every real step's inverse's inverse is the step.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;

use super::*;
use crate::error::AwsError;
use crate::plan::{Action, Address, Mode, Provider};
use crate::resources::log_group::LogGroupStep;

mod interrupted;

/// How the fake makes one change (a log group named as the change).
#[derive(Clone, Default)]
struct Script {
    /// How long the change takes.
    millis: u64,
    /// Fails with this HTTP status (500: ambiguous).
    fails: Option<u16>,
    /// Another run made the resource: nothing to undo.
    adopted: bool,
    /// Interrupts sent when the change starts.
    interrupts: usize,
    /// Its undo fails.
    undo_fails: bool,
    /// An interrupt is sent when its undo starts (the undo takes 10 ms).
    interrupt_on_undo: bool,
    /// How long its undo takes (or, for a step that deletes, the step).
    undo_millis: u64,
}

/// A fake executor: runs `LogGroupStep::Create { name }` as scripted, and its undo
/// (`Delete { name }`); logs what happened.
struct Fake {
    progress: Progress,
    scripts: HashMap<String, Script>,
    interrupt: mpsc::UnboundedSender<Signal>,
    log: RefCell<Vec<String>>,
    in_flight: Cell<usize>,
    max_in_flight: Cell<usize>,
}

fn failure(name: &str, status: u16) -> Error {
    AwsError {
        place: None,
        operation: "logs:CreateLogGroup",
        resource: name.into(),
        code: if status >= 500 {
            "InternalFailure"
        } else {
            "AccessDenied"
        }
        .into(),
        message: "scripted".into(),
        request_id: None,
        status: Some(status),
        hint: String::new(),
    }
    .into()
}

impl Fake {
    fn event(&self, event: String) {
        self.log.borrow_mut().push(event);
    }

    fn log(&self) -> Vec<String> {
        self.log.borrow().clone()
    }

    fn position(&self, event: &str) -> usize {
        self.log()
            .iter()
            .position(|e| e == event)
            .unwrap_or_else(|| panic!("{event} not in {:?}", self.log()))
    }

    async fn make(&self, step: &Step, name: &str) -> Result<Option<Step>> {
        let script = self.scripts.get(name).cloned().unwrap_or_default();
        self.event(format!("start {name}"));
        for _ in 0..script.interrupts {
            self.interrupt.send(Signal::Term).unwrap();
        }
        self.in_flight.set(self.in_flight.get() + 1);
        self.max_in_flight
            .set(self.max_in_flight.get().max(self.in_flight.get()));
        tokio::time::sleep(Duration::from_millis(script.millis)).await;
        self.in_flight.set(self.in_flight.get() - 1);
        self.event(format!("end {name}"));
        match (script.fails, script.adopted) {
            (Some(status), _) => Err(failure(name, status)),
            (None, true) => Ok(None),
            (None, false) => Ok(step.inverse()),
        }
    }

    async fn undo(&self, name: &str) -> Result<Option<Step>> {
        let script = self.scripts.get(name).cloned().unwrap_or_default();
        self.event(format!("undo {name}"));
        if script.interrupt_on_undo {
            self.interrupt.send(Signal::Int).unwrap();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(script.undo_millis)).await;
        self.event(format!("undone {name}"));
        if script.undo_fails {
            return Err(failure(name, 403));
        }
        Ok(None)
    }
}

impl Executor for Fake {
    async fn run(&self, _place: &Provider, step: &Step) -> Result<Option<Step>> {
        match step {
            Step::LogGroup(LogGroupStep::Create { name, .. }) => self.make(step, name).await,
            Step::LogGroup(LogGroupStep::Delete { name }) => self.undo(name).await,
            other => panic!("the fake runs log groups only: {other:?}"),
        }
    }

    fn progress(&self) -> &Progress {
        &self.progress
    }
}

/// Interrupts from a channel.
struct Channel(mpsc::UnboundedReceiver<Signal>);

impl InterruptSource for Channel {
    async fn next(&mut self) -> Signal {
        match self.0.recv().await {
            Some(signal) => signal,
            None => std::future::pending().await,
        }
    }
}

/// A change `name` depending on `deps`.
fn change(name: &str, deps: &[&str]) -> Change {
    Change::new(
        &crate::plan::Provider::default(),
        Address::LogGroup(name.into()),
        Action::Create,
        None,
        Some(crate::plan::Resource::log_group(name, None)),
        Step::LogGroup(LogGroupStep::Create {
            name: name.into(),
            retention_days: None,
            kms_key_id: None,
        }),
    )
    .needs(deps.iter().map(|d| Address::LogGroup(d.to_string())))
}

fn plan(changes: Vec<Change>) -> Plan {
    Plan {
        command: Mode::Apply,
        targets: vec![],
        changes,
        notes: vec![],
    }
}

/// Runs `plan` with the fake on `scripts`; the outcome and the fake.
async fn run_fake(plan: &Plan, scripts: &[(&str, Script)]) -> (Outcome, Fake) {
    let (tx, rx) = mpsc::unbounded_channel();
    let fake = Fake {
        progress: Progress::new(true),
        scripts: scripts
            .iter()
            .map(|(n, s)| (n.to_string(), s.clone()))
            .collect(),
        interrupt: tx,
        log: RefCell::new(vec![]),
        in_flight: Cell::new(0),
        max_in_flight: Cell::new(0),
    };
    let outcome = run(plan, &fake, &mut Channel(rx)).await;
    (outcome, fake)
}

fn takes(millis: u64) -> Script {
    Script {
        millis,
        ..Script::default()
    }
}

/// The name in a test change's address (every test change is a log group).
fn name(address: &Address) -> String {
    match address {
        Address::LogGroup(name) => name.clone(),
        other => other.to_string(),
    }
}

fn names(undone: &[(Provider, Address)]) -> Vec<String> {
    undone.iter().map(|(_, address)| name(address)).collect()
}

fn addresses(plan: &Plan, indexes: &[usize]) -> Vec<String> {
    indexes
        .iter()
        .map(|i| name(&plan.changes[*i].address))
        .collect()
}

fn left(outcome: &Outcome) -> Vec<String> {
    outcome.left.iter().map(|l| name(&l.address)).collect()
}

#[tokio::test(start_paused = true)]
async fn dependencies_finish_first_and_independent_changes_overlap() {
    let plan = plan(vec![
        change("c", &["a", "b"]),
        change("a", &[]),
        change("b", &[]),
        Change::no_op(
            &crate::plan::Provider::default(),
            Address::LogGroup("n".into()),
            crate::plan::Resource::bot(""),
        ),
        change("d", &["n", "c"]),
    ]);
    let (outcome, fake) = run_fake(&plan, &[("a", takes(10)), ("b", takes(20))]).await;
    assert!(outcome.succeeded() && outcome.rollback_complete());
    assert!(fake.position("start c") > fake.position("end a"));
    assert!(fake.position("start c") > fake.position("end b"));
    assert!(fake.position("start d") > fake.position("end c"));
    assert!(
        fake.position("start b") < fake.position("end a"),
        "a and b overlap: {:?}",
        fake.log()
    );
    assert_eq!(fake.max_in_flight.get(), 2);
    assert_eq!(addresses(&plan, &outcome.done), ["a", "b", "c", "d"]);
    assert!(
        !fake.log().iter().any(|e| e.ends_with(" n")),
        "a no-op never runs"
    );
}

#[tokio::test(start_paused = true)]
async fn no_more_than_the_cap_run_at_once() {
    let names: Vec<String> = (0..CHANGES_AT_ONCE * 3 + 5)
        .map(|i| format!("g{i}"))
        .collect();
    let plan = plan(names.iter().map(|n| change(n, &[])).collect());
    let scripts: Vec<(&str, Script)> = names.iter().map(|n| (n.as_str(), takes(5))).collect();
    let (outcome, fake) = run_fake(&plan, &scripts).await;
    assert!(outcome.succeeded());
    assert_eq!(outcome.done.len(), names.len());
    assert_eq!(fake.max_in_flight.get(), CHANGES_AT_ONCE);
}

#[tokio::test(start_paused = true)]
async fn a_failure_lets_running_changes_finish_starts_nothing_and_undoes_in_reverse() {
    let plan = plan(vec![
        change("x", &[]),
        change("y", &[]),
        change("slow", &[]),
        change("f", &[]),
        change("after_slow", &["slow"]),
        change("after_f", &["f"]),
    ]);
    let fails = Script {
        millis: 10,
        fails: Some(403),
        ..Script::default()
    };
    let (outcome, fake) = run_fake(
        &plan,
        &[
            ("x", takes(5)),
            ("y", takes(8)),
            ("slow", takes(30)),
            ("f", fails),
        ],
    )
    .await;
    assert!(!outcome.succeeded());
    assert_eq!(name(&outcome.failure.as_ref().unwrap().1), "f");
    assert!(fake.log().contains(&"end slow".to_string()));
    assert!(!fake.log().iter().any(|e| e.starts_with("start after")));
    assert_eq!(names(&outcome.undone), ["slow", "y", "x"]);
    assert!(outcome.done.is_empty() && outcome.rollback_complete());
    assert!(
        !fake.log().contains(&"undo f".to_string()),
        "a plain failure made nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn an_ambiguous_failure_journals_its_own_inverse() {
    let plan = plan(vec![
        change("x", &[]),
        change("f", &[]),
        change("slow", &[]),
    ]);
    let ambiguous = Script {
        millis: 10,
        fails: Some(500),
        ..Script::default()
    };
    let (outcome, _) = run_fake(
        &plan,
        &[("x", takes(5)), ("f", ambiguous), ("slow", takes(30))],
    )
    .await;
    assert_eq!(name(&outcome.failure.as_ref().unwrap().1), "f");
    assert_eq!(names(&outcome.undone), ["slow", "f", "x"]);
}

#[tokio::test(start_paused = true)]
async fn a_resource_another_run_made_is_done_but_never_journalled_or_undone() {
    let adopted = Script {
        millis: 1,
        adopted: true,
        ..Script::default()
    };
    let ok = plan(vec![change("adopted", &[]), change("b", &[])]);
    let (outcome, _) = run_fake(&ok, &[("adopted", adopted.clone()), ("b", takes(5))]).await;
    assert_eq!(addresses(&ok, &outcome.done), ["adopted", "b"]);

    let failing = plan(vec![
        change("adopted", &[]),
        change("b", &[]),
        change("f", &["adopted", "b"]),
    ]);
    let fails = Script {
        fails: Some(403),
        ..Script::default()
    };
    let (outcome, fake) = run_fake(&failing, &[("adopted", adopted), ("f", fails)]).await;
    assert_eq!(names(&outcome.undone), ["b"]);
    assert!(!fake.log().contains(&"undo adopted".to_string()));
    assert!(outcome.rollback_complete());
}

#[tokio::test(start_paused = true)]
async fn a_failed_undo_is_left_and_the_rollback_goes_on() {
    let plan = plan(vec![
        change("x", &[]),
        change("y", &["x"]),
        change("z", &["y"]),
        change("f", &["z"]),
    ]);
    let undo_fails = Script {
        millis: 1,
        undo_fails: true,
        ..Script::default()
    };
    let fails = Script {
        fails: Some(403),
        ..Script::default()
    };
    let (outcome, _) = run_fake(&plan, &[("y", undo_fails), ("f", fails)]).await;
    assert_eq!(names(&outcome.undone), ["z", "x"]);
    assert_eq!(left(&outcome), ["y"]);
    assert!(outcome.left[0]
        .error
        .as_ref()
        .unwrap()
        .contains("AccessDenied"));
    assert_eq!(outcome.left[0].todo, "delete log group y");
    assert_eq!(
        outcome.left[0].command.as_deref(),
        Some("aws logs delete-log-group --log-group-name y")
    );
    assert!(!outcome.aborted && !outcome.rollback_complete());
}

#[test]
fn by_hand_commands_name_the_region_and_the_role_to_use() {
    let place = Provider {
        account: "444455556666".into(),
        region: "eu-west-1".into(),
        via: Some("arn:aws:iam::444455556666:role/Deployer".into()),
    };
    assert_eq!(
        super::journal::by_hand_at("aws logs delete-log-group --log-group-name /g".into(), &place),
        "aws logs delete-log-group --log-group-name /g --region eu-west-1  # with the credentials of arn:aws:iam::444455556666:role/Deployer"
    );
    let here = Provider { via: None, ..place };
    assert_eq!(
        super::journal::by_hand_at("aws iam delete-role --role-name R".into(), &here),
        "aws iam delete-role --role-name R",
        "IAM has no region"
    );
    assert_eq!(
        super::journal::by_hand_at("aws lexv2-models tag-resource --tags '{}' && aws lexv2-models untag-resource --tag-keys k".into(), &here),
        "aws lexv2-models tag-resource --tags '{}' --region eu-west-1 && aws lexv2-models untag-resource --tag-keys k --region eu-west-1",
        "each part of a compound command names the region"
    );
}
