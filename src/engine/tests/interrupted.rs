//! Interrupts with the fake executor: the first cancels running changes (dropped mid-wait) and
//! rolls back, undoing them too; the second stops the rollback, listing what is or may be left.

use super::*;

fn states(outcome: &Outcome) -> Vec<(String, Certainty)> {
    outcome
        .left
        .iter()
        .map(|l| (name(&l.address), l.state))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_first_interrupt_cancels_the_running_change_and_undoes_it_too() {
    let plan = plan(vec![
        change("a", &[]),
        change("b", &["a"]),
        change("c", &["b"]),
    ]);
    // b is in a long wait (a retry loop) when the interrupt comes.
    let interrupts = Script {
        millis: 60_000,
        interrupts: 1,
        ..Script::default()
    };
    let (outcome, fake) = run_fake(&plan, &[("a", takes(5)), ("b", interrupts)]).await;
    assert!(outcome.interrupted && !outcome.aborted && outcome.failure.is_none());
    assert!(
        !fake.log().contains(&"end b".to_string()),
        "b was dropped, not waited for: {:?}",
        fake.log()
    );
    assert!(!fake.log().contains(&"start c".to_string()));
    assert_eq!(
        names(&outcome.undone),
        ["b", "a"],
        "b may have happened: its undo runs first"
    );
    assert!(outcome.done.is_empty() && outcome.rollback_complete());
}

#[tokio::test(start_paused = true)]
async fn the_rollback_starts_without_waiting_for_the_cancelled_change() {
    let plan = plan(vec![change("a", &[]), change("slow", &["a"])]);
    let slow = Script {
        millis: 60_000,
        interrupts: 1,
        ..Script::default()
    };
    let started = tokio::time::Instant::now();
    let (outcome, fake) = run_fake(&plan, &[("a", takes(5)), ("slow", slow)]).await;
    assert_eq!(names(&outcome.undone), ["slow", "a"]);
    assert!(fake.position("undo slow") > fake.position("start slow"));
    // On paused time, the clock only moves to the next timer: a's 5 ms, never slow's minute.
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_second_interrupt_during_an_undo_lists_it_as_maybe_in_place_and_the_rest_as_in_place() {
    let plan = plan(vec![
        change("a", &[]),
        change("b", &["a"]),
        change("c", &["b"]),
        change("d", &["c"]),
    ]);
    let interrupts = Script {
        millis: 10,
        interrupts: 1,
        ..Script::default()
    };
    let undo_interrupts = Script {
        millis: 5,
        interrupt_on_undo: true,
        ..Script::default()
    };
    let (outcome, fake) = run_fake(
        &plan,
        &[("a", takes(5)), ("b", undo_interrupts), ("c", interrupts)],
    )
    .await;
    assert!(outcome.interrupted && outcome.aborted);
    assert_eq!(names(&outcome.undone), ["c"]);
    assert_eq!(
        states(&outcome),
        [
            ("b".to_string(), Certainty::MayBeInPlace),
            ("a".to_string(), Certainty::InPlace)
        ]
    );
    assert!(outcome.left[0]
        .error
        .as_deref()
        .is_some_and(|e| e.contains("interrupted")));
    assert_eq!(outcome.left[1].error, None);
    assert!(outcome.left.iter().all(|l| l.command.is_some()));
    assert!(!fake.log().contains(&"undone b".to_string()));
    assert!(!fake.log().contains(&"undo a".to_string()));
    assert!(!outcome.rollback_complete());
}

#[tokio::test(start_paused = true)]
async fn a_second_interrupt_while_the_cancelled_change_is_undone_leaves_it_maybe_in_place() {
    let plan = plan(vec![change("x", &[]), change("slow", &["x"])]);
    // slow is cancelled by the first interrupt; its undo (a minute long) by the second.
    let slow = Script {
        millis: 60_000,
        interrupts: 1,
        undo_millis: 60_000,
        interrupt_on_undo: true,
        ..Script::default()
    };
    let (outcome, fake) = run_fake(&plan, &[("x", takes(1)), ("slow", slow)]).await;
    assert!(outcome.aborted);
    assert_eq!(
        states(&outcome),
        [
            ("slow".to_string(), Certainty::MayBeInPlace),
            ("x".to_string(), Certainty::InPlace)
        ]
    );
    assert!(!fake.log().contains(&"undone slow".to_string()));
    assert!(outcome.undone.is_empty());
}

#[tokio::test(start_paused = true)]
async fn two_interrupts_at_once_cancel_the_running_change_and_list_it_with_what_is_made() {
    let plan = plan(vec![
        change("x", &[]),
        change("y", &[]),
        change("a", &["x", "y"]),
    ]);
    let two = Script {
        millis: 10,
        interrupts: 2,
        ..Script::default()
    };
    let (outcome, fake) = run_fake(&plan, &[("x", takes(1)), ("y", takes(2)), ("a", two)]).await;
    assert!(outcome.interrupted && outcome.aborted);
    assert_eq!(
        states(&outcome),
        [
            ("a".to_string(), Certainty::MayBeInPlace),
            ("y".to_string(), Certainty::InPlace),
            ("x".to_string(), Certainty::InPlace)
        ],
        "a may have happened; its undo never started"
    );
    assert_eq!(outcome.left[0].error, None);
    assert!(outcome.undone.is_empty());
    assert!(!fake.log().iter().any(|e| e.starts_with("undo")));
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_change_with_no_undo_is_listed_as_maybe_in_place() {
    // A log group deletion has no undo (its logs are gone): cancelled while it runs, it is listed.
    let delete = Change::new(
        &crate::plan::Provider::default(),
        Address::LogGroup("old".into()),
        Action::Delete,
        Some(crate::plan::Resource::log_group("old", None)),
        None,
        Step::LogGroup(LogGroupStep::Delete { name: "old".into() }),
    );
    let plan = plan(vec![change("slow", &[]), delete, change("x", &[])]);
    let deleting = Script {
        undo_millis: 60_000,
        ..Script::default()
    };
    let interrupts = Script {
        millis: 60_000,
        interrupts: 1,
        ..Script::default()
    };
    let (outcome, _) = run_fake(
        &plan,
        &[
            ("slow", takes(60_000)),
            ("old", deleting),
            ("x", interrupts),
        ],
    )
    .await;
    assert!(outcome.interrupted && !outcome.aborted);
    let mut undone = names(&outcome.undone);
    undone.sort();
    assert_eq!(undone, ["slow", "x"]);
    assert_eq!(states(&outcome), [("old".into(), Certainty::MayBeInPlace)]);
    assert!(outcome.left[0].todo.contains("delete log group old"));
    assert!(outcome.left[0]
        .error
        .as_ref()
        .unwrap()
        .contains("cancelled"));
    assert!(!outcome.rollback_complete());
}
