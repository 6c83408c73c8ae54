//! Ctrl-C during apply at several points rolls back or completes; a second Ctrl-C stops at once
//! and lists what is left.

use std::time::Duration;

use crate::proxy::{Fault, FaultProxy};
use crate::support::{endpoint, expect_exit, stderr, stdout, tool_command, World};

use super::{all_or_nothing, check_destroyed, full_args, run, Mode};

fn interrupt(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Interrupts a full apply in `mode` after each of `points` (ms): it rolls back or completes.
async fn ctrl_c_at(mode: Mode, points: &[u64]) {
    let mut failures = Vec::new();
    for &after_ms in points {
        let world = World::new().await;
        let before = world.snapshot().await;
        let proxy = FaultProxy::start_with_delay(Fault::None, Duration::from_millis(120)).await;
        let args = full_args(&world, "apply", mode);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let child = tool_command(&proxy.endpoint, &args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(after_ms)).await;
        // The tool takes its signals once it runs; on a busy machine it may not have started
        // after 50 ms, and the signal's default action would end it. Its first call says it has.
        for _ in 0..200 {
            if !proxy.calls().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        interrupt(child.id().unwrap());
        let out = child.wait_with_output().await.unwrap();
        let after = world.snapshot().await;
        let verdict = all_or_nothing(&world, &out, &before, &after, mode);
        if let Err(why) = verdict {
            failures.push(format!(
                "{mode:?}, Ctrl-C after {after_ms} ms: {why}\n{}\n{}",
                stdout(&out),
                stderr(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn ctrl_c_at_any_point_rolls_back_or_completes() {
    // Every call takes 120 ms. In place, the reads end and the 5 changes start about 1.0 s in
    // and the apply ends about 1.5 s in; with a dedicated role the 15 changes run from about
    // 0.9 s to 2.0 s. Interrupt before, during and around the end of the changes.
    ctrl_c_at(Mode::InPlace, &[50, 700, 1050, 1200, 1350, 1500]).await;
    ctrl_c_at(Mode::Dedicated, &[50, 950, 1250, 1500, 1750, 1950]).await;
}

#[tokio::test]
async fn a_second_ctrl_c_stops_at_once_and_lists_what_is_left() {
    let world = World::new().await;
    let before = world.snapshot().await;
    let proxy = FaultProxy::start_with_delay(Fault::None, Duration::from_millis(250)).await;
    let args = full_args(&world, "apply", Mode::InPlace);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let child = tool_command(&proxy.endpoint, &args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    // Wait until changes have started (observation is over once the first mutating call is seen).
    for _ in 0..200 {
        if proxy.mutating().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    interrupt(pid);
    tokio::time::sleep(Duration::from_millis(50)).await;
    interrupt(pid);
    let out = child.wait_with_output().await.unwrap();
    expect_exit(&out, 3);
    let text = stdout(&out);
    assert!(text.contains("These changes are still in place"), "{text}");
    assert!(
        stderr(&out).contains("second interrupt"),
        "{}",
        stderr(&out)
    );
    // What is left is ours: destroy removes it.
    let out = run(
        &endpoint(),
        &full_args(&world, "destroy", Mode::InPlace),
        "2",
    )
    .await;
    expect_exit(&out, 0);
    let after = world.snapshot().await;
    check_destroyed(&before, &after).unwrap_or_else(|why| panic!("{why}"));
}
