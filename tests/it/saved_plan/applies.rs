//! A saved plan on an unchanged world: shown as planned, applied without a question, exactly as
//! a plain apply would (the same mutating calls), once; a plan with nothing to change is a no-op,
//! and a saved destroy plan destroys.

use super::{run, save_plan, target};
use crate::proxy::{Fault, FaultProxy};
use crate::support::{endpoint, expect_exit, stderr, stdout, World};

/// The mutating calls a run made, sorted (`service:Operation`).
fn sorted(mut calls: Vec<String>) -> Vec<String> {
    calls.sort();
    calls
}

#[tokio::test]
async fn a_saved_plan_is_shown_as_planned_and_applied_exactly_once() {
    for dedicated in [false, true] {
        let (world, control) = (World::new().await, World::new().await);
        let (planned, path) = save_plan(&world, dedicated, &[]).await;
        let file = path.to_str().unwrap();
        // The reviewer sees what plan printed.
        let shown = run(&endpoint(), &["show".into(), file.into()]).await;
        expect_exit(&shown, 0);
        assert_eq!(stdout(&shown), planned);
        // Planning again on the unchanged world writes the same plan (a plan is deterministic).
        let (_, again) = save_plan(&world, dedicated, &[]).await;
        assert_eq!(
            std::fs::read_to_string(&again).unwrap(),
            std::fs::read_to_string(&path).unwrap()
        );
        // apply FILE: no --yes, no terminal, and no question: the review was of the plan.
        let proxy = FaultProxy::start(Fault::None).await;
        let out = run(&proxy.endpoint, &["apply".into(), file.into()]).await;
        expect_exit(&out, 0);
        assert!(stdout(&out).contains("Apply complete"), "{}", stdout(&out));
        // Exactly what a plain apply makes of an identical world.
        let plain = FaultProxy::start(Fault::None).await;
        let out = run(
            &plain.endpoint,
            &target(&control, dedicated, "apply", &["--yes"]),
        )
        .await;
        expect_exit(&out, 0);
        assert_eq!(sorted(proxy.mutating()), sorted(plain.mutating()));
        assert!(!proxy.mutating().is_empty());
        // Nothing is left to do, and the same file again is stale: what it changed is done.
        let after = run(&endpoint(), &target(&world, dedicated, "plan", &[])).await;
        assert!(stdout(&after).contains("No changes"), "{}", stdout(&after));
        let before_second = world.snapshot().await;
        let twice = run(&endpoint(), &["apply".into(), file.into()]).await;
        expect_exit(&twice, 1);
        assert!(
            stderr(&twice).contains("planned to create, now needs to change nothing"),
            "{}",
            stderr(&twice)
        );
        assert_eq!(
            world.snapshot().await,
            before_second,
            "a stale plan changes nothing"
        );
    }
}

#[tokio::test]
async fn a_plan_with_nothing_to_do_applies_as_a_no_op_and_a_saved_destroy_destroys() {
    let world = World::new().await;
    let out = run(&endpoint(), &target(&world, false, "apply", &["--yes"])).await;
    expect_exit(&out, 0);
    let (planned, path) = save_plan(&world, false, &[]).await;
    assert!(planned.contains("No changes"), "{planned}");
    let proxy = FaultProxy::start(Fault::None).await;
    let out = run(
        &proxy.endpoint,
        &["apply".into(), path.to_str().unwrap().into()],
    )
    .await;
    expect_exit(&out, 0);
    assert_eq!(
        proxy.mutating(),
        Vec::<String>::new(),
        "a no-op plan changes nothing"
    );
    // plan --destroy --out, then apply FILE: destroyed.
    let (planned, destroy) = save_plan(&world, false, &["--destroy"]).await;
    assert!(
        planned.contains("to delete") || planned.contains("to update"),
        "{planned}"
    );
    let out = run(
        &endpoint(),
        &["apply".into(), destroy.to_str().unwrap().into()],
    )
    .await;
    expect_exit(&out, 0);
    assert!(
        stdout(&out).contains("Destroy complete"),
        "{}",
        stdout(&out)
    );
    let after = run(&endpoint(), &target(&world, false, "plan", &["--destroy"])).await;
    assert!(stdout(&after).contains("No changes"), "{}", stdout(&after));
    let again = run(&endpoint(), &target(&world, false, "plan", &[])).await;
    assert!(
        !stdout(&again).contains("No changes"),
        "apply has work to do again"
    );
}
