//! An interrupt during `apply --verify`'s verify stops it at once: the verify's turns and its
//! reads of the log stop with the signal (proved by the calls the proxy saw after it), the apply's
//! changes stand, and the tool says so and exits 4 (delivery not confirmed). Both after an apply
//! that changed something (SIGTERM) and after one with nothing to change (Ctrl-C).

use std::time::Duration;

use crate::proxy::{Call, Fault, FaultProxy};
use crate::support::{
    expect_exit, fresh_account, stderr, stdout, tool_command_as, twin_settings, World,
};

const NOT_DELIVERED: i32 = 4;

/// A call of the verify's waiting loop: a turn (RecognizeText) or a read of the log group.
fn waits(call: &Call) -> bool {
    call.path.contains("/sessions/") || call.operation == "FilterLogEvents"
}

/// Runs `apply --verify` as `account` through a fresh proxy, sends `signal` once the verify has
/// sent its turn and read the log group at least once, and returns the output with the calls the
/// proxy saw after the signal.
async fn interrupt_verify(
    account: &str,
    world: &World,
    signal: &str,
) -> (std::process::Output, Vec<Call>) {
    let proxy = FaultProxy::start(Fault::None).await;
    let mut args = vec!["apply".to_string(), "--yes".into(), "--verify".into()];
    args.extend(["--timeout".into(), "120".into()]);
    args.extend(world.target_args());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let child = tool_command_as(account, &proxy.endpoint, &args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let waiting = || {
        let calls = proxy.calls();
        let turn = calls.iter().position(|c| c.path.contains("/sessions/"));
        turn.is_some_and(|t| calls[t..].iter().any(|c| c.operation == "FilterLogEvents"))
    };
    for _ in 0..6000 {
        if waiting() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(waiting(), "verify never waited: {:?}", proxy.calls());
    let at_signal = proxy.calls().len();
    let status = std::process::Command::new("kill")
        .args([format!("-{signal}"), child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().await.unwrap();
    (out, proxy.calls()[at_signal..].to_vec())
}

#[tokio::test]
async fn an_interrupt_stops_apply_verify_at_once_and_the_apply_stands() {
    // An account of its own: the twin's IAM propagation setting is per account. Set after the
    // world is made (CreateBot needs a usable role); from then on Lex cannot use the role for log
    // delivery, so a verify waits until its timeout unless it is stopped.
    let account = fresh_account('8');
    let world = World::new_in(&account).await;
    twin_settings(
        &account,
        serde_json::json!({"iam_propagation_seconds": 3600}),
    )
    .await;

    let (out, after) = interrupt_verify(&account, &world, "TERM").await;
    expect_exit(&out, NOT_DELIVERED);
    let err = stderr(&out);
    assert!(
        err.contains("interrupted (SIGTERM) during verify; apply is complete (its changes stand)"),
        "{err}"
    );
    let after_signal: Vec<&Call> = after.iter().filter(|c| waits(c)).collect();
    assert!(after_signal.is_empty(), "{after_signal:?}");
    assert!(
        after.iter().all(|c| !c.mutating),
        "nothing is rolled back: {after:?}"
    );
    // The apply's outcome is printed, and its changes stand.
    let text = stdout(&out);
    assert!(text.contains("Apply complete: "), "{text}");
    assert!(!text.contains("timed out"), "{text}");
    let (_, settings) = world.alias_now(&world.alias_id).await;
    assert!(
        settings.to_string().contains(&world.log_group()),
        "{settings}"
    );

    // Again, with nothing left to change: Ctrl-C stops the verify just as well.
    let (out, after) = interrupt_verify(&account, &world, "INT").await;
    twin_settings(&account, serde_json::json!({"iam_propagation_seconds": 0})).await;
    expect_exit(&out, NOT_DELIVERED);
    let err = stderr(&out);
    assert!(
        err.contains(
            "interrupted (Ctrl-C) during verify; apply is complete (there was nothing to change)"
        ),
        "{err}"
    );
    let after_signal: Vec<&Call> = after.iter().filter(|c| waits(c)).collect();
    assert!(after_signal.is_empty(), "{after_signal:?}");
    assert!(after.iter().all(|c| !c.mutating), "{after:?}");
}
