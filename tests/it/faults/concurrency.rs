//! Two applies at once end consistent, and a third finds nothing to do.

use crate::proxy::{Fault, FaultProxy};
use crate::support::{endpoint, expect_exit, stderr, stdout, World};

use super::{check_applied, full_args, run, Mode};

#[tokio::test]
async fn two_applies_at_once_end_consistent() {
    two_applies_at_once(Mode::InPlace).await;
    two_applies_at_once(Mode::Dedicated).await;
}

async fn two_applies_at_once(mode: Mode) {
    let world = World::new().await;
    let args = full_args(&world, "apply", mode);
    let emulator = endpoint();
    let (a, b) = tokio::join!(run(&emulator, &args, "2"), run(&emulator, &args, "2"));
    let after = world.snapshot().await;
    for out in [&a, &b] {
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{}\n{}",
            stdout(out),
            stderr(out)
        );
    }
    // At least one succeeded, and a failed one undid none of the other's work.
    assert!(
        a.status.success() || b.status.success(),
        "{}\n{}",
        stdout(&a),
        stdout(&b)
    );
    check_applied(&world, &after, mode)
        .unwrap_or_else(|why| panic!("{mode:?}: {why}\n{}\n{}", stdout(&a), stdout(&b)));
    // And a third apply finds nothing to do.
    let proxy = FaultProxy::start(Fault::None).await;
    expect_exit(&run(&proxy.endpoint, &args, "2").await, 0);
    assert_eq!(proxy.mutating(), Vec::<String>::new());
}
