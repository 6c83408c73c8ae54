//! The early reads: a change's read is started once every change it depends on has been started
//! (taken off the queue; never before), once, and never for a change the run will not reach.

use super::*;

fn events(fake: &Fake, prefix: &str) -> Vec<String> {
    fake.log()
        .into_iter()
        .filter(|e| e.starts_with(prefix))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_change_is_prefetched_while_its_dependencies_run_and_not_before() {
    // a -> b -> c, and d on nothing.
    let plan = plan(vec![
        change("a", &[]),
        change("b", &["a"]),
        change("c", &["b"]),
        change("d", &[]),
    ]);
    let (outcome, fake) = run_fake(&plan, &[("a", takes(10)), ("b", takes(10))]).await;
    assert!(outcome.succeeded());
    // b's dependency started at once: b is prefetched while a runs.
    assert!(fake.position("prefetch b") < fake.position("end a"));
    // c waits on b, which waits on a: c is prefetched only once b is started, after a ended.
    assert!(fake.position("prefetch c") > fake.position("end a"));
    assert!(fake.position("prefetch c") < fake.position("end b"));
    // Each once; changes that are ready at once are simply run.
    assert_eq!(events(&fake, "prefetch"), ["prefetch b", "prefetch c"]);
}

#[tokio::test(start_paused = true)]
async fn a_failure_stops_the_early_reads_of_what_will_not_run() {
    let plan = plan(vec![
        change("a", &[]),
        change("b", &["a"]),
        change("c", &["b"]),
    ]);
    let failing = Script {
        millis: 10,
        fails: Some(403),
        ..Script::default()
    };
    let (outcome, fake) = run_fake(&plan, &[("a", failing)]).await;
    assert!(!outcome.succeeded());
    assert_eq!(events(&fake, "prefetch"), ["prefetch b"]);
    assert!(!fake.log().contains(&"start b".to_string()));
}
