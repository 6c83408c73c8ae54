//! Every mutating call of a fresh apply and of a destroy rejected, or its response lost (in
//! place and dedicated, with and without SDK retries): apply is all or nothing, and a second
//! destroy completes a broken one.

use crate::proxy::{Fault, FaultProxy};
use crate::support::{endpoint, expect_exit, stderr, stdout, World};

use super::{all_or_nothing, check_destroyed, full_args, run, Mode};

/// The number of mutating calls a clean run of `command` makes on a fresh world.
async fn mutating_calls(command: &str, mode: Mode) -> usize {
    let world = World::new().await;
    if command == "destroy" {
        expect_exit(
            &run(&endpoint(), &full_args(&world, "apply", mode), "2").await,
            0,
        );
    }
    let proxy = FaultProxy::start(Fault::None).await;
    expect_exit(
        &run(&proxy.endpoint, &full_args(&world, command, mode), "2").await,
        0,
    );
    proxy.mutating().len()
}

/// The mutating calls of a clean full run, counted through the proxy.
///
/// In place: apply makes 6 (PutRolePolicy on the service-linked role, PutUserPolicy, TagResource
/// on the bot recording who was granted, CreateLogGroup, PutRetentionPolicy, UpdateBotAlias; the
/// text, S3 and KMS grants are one inline policy), destroy 4 (UpdateBotAlias, DeleteUserPolicy,
/// UntagResource, DeleteRolePolicy; the log group stays).
///
/// Dedicated: apply was 14 before the realistic world (CreateLogGroup, PutRetentionPolicy,
/// CreateRole, 4 CreatePolicy, 4 AttachRolePolicy, PutUserPolicy, UpdateBot, UpdateBotAlias) and
/// is 16 now: the alias runs version 1 on the service-linked role, so --publish-version adds
/// CreateBotVersion, and the role's inline sentiment policy is copied to ours (PutRolePolicy).
/// Destroy was 12 and is 14: DeleteBotVersion of the version apply published, and
/// DeleteRolePolicy of the copy.
fn expected_calls(command: &str, mode: Mode) -> usize {
    match (command, mode) {
        ("apply", Mode::InPlace) => 6,
        ("destroy", Mode::InPlace) => 4,
        ("apply", Mode::Dedicated) => 16,
        ("destroy", Mode::Dedicated) => 14,
        _ => unreachable!(),
    }
}

/// Apply with the k-th mutating call broken: it fails and the account is exactly as before, or it
/// succeeds with everything in place.
async fn apply_under(fault: fn(usize) -> Fault, max_attempts: &str, mode: Mode) {
    let calls = mutating_calls("apply", mode).await;
    assert_eq!(
        calls,
        expected_calls("apply", mode),
        "the mutating calls of a full fresh apply ({mode:?})"
    );
    let mut failures = Vec::new();
    for k in 1..=calls {
        let world = World::new().await;
        let before = world.snapshot().await;
        let proxy = FaultProxy::start(fault(k)).await;
        let out = run(
            &proxy.endpoint,
            &full_args(&world, "apply", mode),
            max_attempts,
        )
        .await;
        let after = world.snapshot().await;
        let broken = proxy
            .calls()
            .into_iter()
            .find(|c| !c.injected.is_empty())
            .map(|c| format!("{}:{}", c.service, c.operation));
        let verdict = all_or_nothing(&world, &out, &before, &after, mode);
        if let Err(why) = verdict {
            failures.push(format!(
                "k={k} ({broken:?}): {why}\n{}\n{}",
                stdout(&out),
                stderr(&out)
            ));
        }
        if matches!(fault(k), Fault::Reject(_)) && out.status.code() == Some(1) {
            let text = stdout(&out);
            if !(text.contains("request id injected-0000-1111") && text.contains("next:")) {
                failures.push(format!(
                    "k={k}: the error does not name the request id and a next step:\n{text}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn in_place_apply_with_any_mutating_call_rejected_leaves_nothing_half_done() {
    apply_under(Fault::Reject, "2", Mode::InPlace).await;
}

#[tokio::test]
async fn in_place_apply_with_any_response_lost_and_no_retries_leaves_nothing_half_done() {
    apply_under(Fault::Lose, "1", Mode::InPlace).await;
}

#[tokio::test]
async fn in_place_apply_with_any_response_lost_and_sdk_retries_leaves_nothing_half_done() {
    apply_under(Fault::Lose, "2", Mode::InPlace).await;
}

#[tokio::test]
async fn dedicated_apply_with_any_mutating_call_rejected_leaves_nothing_half_done() {
    apply_under(Fault::Reject, "2", Mode::Dedicated).await;
}

#[tokio::test]
async fn dedicated_apply_with_any_response_lost_and_no_retries_leaves_nothing_half_done() {
    apply_under(Fault::Lose, "1", Mode::Dedicated).await;
}

#[tokio::test]
async fn dedicated_apply_with_any_response_lost_and_sdk_retries_leaves_nothing_half_done() {
    apply_under(Fault::Lose, "2", Mode::Dedicated).await;
}

/// Destroy with the k-th mutating call broken: it completes, or a second destroy completes it.
async fn destroy_under(fault: fn(usize) -> Fault, max_attempts: &str, mode: Mode) {
    let calls = mutating_calls("destroy", mode).await;
    assert_eq!(
        calls,
        expected_calls("destroy", mode),
        "the mutating calls of a full destroy ({mode:?})"
    );
    let mut failures = Vec::new();
    for k in 1..=calls {
        let world = World::new().await;
        let before_apply = world.snapshot().await;
        expect_exit(
            &run(&endpoint(), &full_args(&world, "apply", mode), "2").await,
            0,
        );
        let proxy = FaultProxy::start(fault(k)).await;
        let out = run(
            &proxy.endpoint,
            &full_args(&world, "destroy", mode),
            max_attempts,
        )
        .await;
        if out.status.code() != Some(0) {
            let again = run(&endpoint(), &full_args(&world, "destroy", mode), "2").await;
            if again.status.code() != Some(0) {
                failures.push(format!(
                    "k={k}: the second destroy failed too:\n{}\n{}",
                    stdout(&again),
                    stderr(&again)
                ));
                continue;
            }
        }
        if let Err(why) = check_destroyed(&before_apply, &world.snapshot().await) {
            failures.push(format!("k={k}: {why}\n{}\n{}", stdout(&out), stderr(&out)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[tokio::test]
async fn in_place_destroy_with_any_mutating_call_rejected_is_completed_by_a_second_destroy() {
    destroy_under(Fault::Reject, "2", Mode::InPlace).await;
}

#[tokio::test]
async fn in_place_destroy_with_any_response_lost_is_completed_by_a_second_destroy() {
    destroy_under(Fault::Lose, "1", Mode::InPlace).await;
}

#[tokio::test]
async fn dedicated_destroy_with_any_mutating_call_rejected_is_completed_by_a_second_destroy() {
    destroy_under(Fault::Reject, "2", Mode::Dedicated).await;
}

#[tokio::test]
async fn dedicated_destroy_with_any_response_lost_is_completed_by_a_second_destroy() {
    destroy_under(Fault::Lose, "1", Mode::Dedicated).await;
}
