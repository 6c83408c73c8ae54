//! Reliability under injected faults: every mutating call of a fresh apply and of a destroy
//! rejected or lost (in place, the default, and with a dedicated role), Ctrl-C at several points,
//! bad input, concurrent applies, and secrets.

use std::process::Output;
use std::time::Duration;

use serde_json::Value;

use crate::proxy::{Fault, FaultProxy};
use crate::support::{endpoint, expect_exit, stderr, stdout, tool_command, World};

/// The two ways to run the tool: in place (the default: our grant on the role the alias's
/// version runs on, here the bot's service-linked role) or with a dedicated role
/// (`--role-name ... --publish-version`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    InPlace,
    Dedicated,
}

/// A fresh apply that touches everything: text with retention, audio with a KMS key, a grant.
fn full_args(world: &World, command: &str, mode: Mode) -> Vec<String> {
    let mut args = vec![command.to_string()];
    args.extend(match mode {
        Mode::InPlace => world.target_args(),
        Mode::Dedicated => world.dedicated_args(),
    });
    for a in [
        "--retention-days",
        "7",
        "--audio-bucket",
        &world.bucket,
        "--kms-key",
        &world.key_arn,
        "--grant-pass-role",
        &format!("user/{}", world.user),
        "--yes",
    ] {
        args.push(a.to_string());
    }
    args
}

async fn run(endpoint: &str, args: &[String], max_attempts: &str) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut command = tool_command(endpoint, &args);
    command.env("AWS_MAX_ATTEMPTS", max_attempts);
    command.output().await.expect("the binary runs")
}

/// Everything a full apply makes true, or what is missing.
fn check_applied(world: &World, s: &Value, mode: Mode) -> Result<(), String> {
    let mut missing = Vec::new();
    match mode {
        Mode::Dedicated => {
            if s["role"].is_null() {
                missing.push("role".to_string());
            }
            for (name, policy) in s["policies"].as_object().unwrap() {
                if policy.is_null() {
                    missing.push(name.clone());
                } else if !s["role"]["attached"].as_array().is_some_and(|a| {
                    a.iter()
                        .any(|p| p.as_str().unwrap().ends_with(name.as_str()))
                }) {
                    missing.push(format!("attachment of {name}"));
                }
            }
            if !s["bot"]["roleArn"]
                .as_str()
                .unwrap_or_default()
                .ends_with(&format!("role/{}", world.role_name()))
            {
                missing.push("bot role".into());
            }
            // The alias left version 1 (on the service-linked role) for the version this run
            // published, which runs on our role.
            let version = s["aliases"]["live"]["botVersion"]
                .as_str()
                .unwrap_or_default();
            if version == "1"
                || !s["versions"][version]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with(&format!("role/{}", world.role_name()))
            {
                missing.push(format!("alias on a version of our role ({version})"));
            }
            // Not checked: that only one version was published. CreateBotVersion has no client
            // token, so when its answer is lost and the SDK retries it, Lex publishes twice; the
            // extra version runs on our role, carries this run's description, and destroy
            // deletes it.
        }
        Mode::InPlace => {
            // No role or managed policy of ours; the grant is an inline policy on the
            // service-linked role version 1 runs on, and nothing about the bot changes.
            if !s["role"].is_null() {
                missing.push("no role of ours".to_string());
            }
            if !s["policies"]
                .as_object()
                .unwrap()
                .values()
                .all(Value::is_null)
            {
                missing.push("no managed policy of ours".to_string());
            }
            let name = format!("{}-ConversationLogs", world.role_name());
            let sids: Vec<&str> = s["botRole"]["inline"][&name]["Statement"]
                .as_array()
                .map(|a| a.iter().filter_map(|st| st["Sid"].as_str()).collect())
                .unwrap_or_default();
            for sid in [
                "WriteConversationLogs",
                "WriteAudioLogs",
                "EncryptAudioLogs",
            ] {
                if !sids.contains(&sid) {
                    missing.push(format!("{sid} in {name}"));
                }
            }
            if s["bot"]["roleArn"] != world.bot_role_arn.as_str() {
                missing.push("bot role unchanged".into());
            }
            if s["aliases"]["live"]["botVersion"] != "1" {
                missing.push("alias version unchanged".into());
            }
        }
    }
    if s["grant"].is_null() {
        missing.push("grant".into());
    }
    let logs = &s["aliases"]["live"]["logs"];
    if logs["textLogSettings"][0]["enabled"] != true
        || logs["audioLogSettings"][0]["kmsKeyArn"] != world.key_arn.as_str()
    {
        missing.push(format!("alias logs {logs}"));
    }
    if s["logGroups"][0]["retention"] != 7 {
        missing.push("log group retention".into());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

/// The rule for a broken apply: it succeeded with everything in place, or it failed (exit 1) and
/// the account is exactly as before.
fn all_or_nothing(
    world: &World,
    out: &Output,
    before: &Value,
    after: &Value,
    mode: Mode,
) -> Result<(), String> {
    match out.status.code() {
        Some(0) => check_applied(world, after, mode),
        Some(1) if after == before => Ok(()),
        Some(1) => Err("failed, but the account is not as before".into()),
        other => Err(format!("exit {other:?}")),
    }
}

/// What destroy must leave: no role, policies or grant; bot, aliases, the bot's own role and its
/// versions as before apply.
fn check_destroyed(before_apply: &Value, s: &Value) -> Result<(), String> {
    let mut wrong = Vec::new();
    for key in ["role", "grant"] {
        if !s[key].is_null() {
            wrong.push(format!("{key} left"));
        }
    }
    if s["policies"] != before_apply["policies"] {
        wrong.push("policies left".into());
    }
    for key in ["bot", "aliases", "botRole", "versions"] {
        if s[key] != before_apply[key] {
            wrong.push(format!("{key} not restored"));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join(", "))
    }
}

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

#[tokio::test]
async fn bad_input_fails_before_any_change_and_names_the_bad_value() {
    let world = World::new().await;
    let c = &world.clients;
    let asymmetric = c
        .kms
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::Rsa2048)
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let child_bot = crate::support::unique("Child");
    c.lex
        .create_bot()
        .bot_name(&child_bot)
        .role_arn(&world.bot_role_arn)
        .data_privacy(
            aws_sdk_lexmodelsv2::types::DataPrivacy::builder()
                .child_directed(true)
                .build(),
        )
        .idle_session_ttl_in_seconds(300)
        .send()
        .await
        .unwrap();
    let long_role = "r".repeat(65);
    let bot = world.bot_name.as_str();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--bot", "NoSuchBot", "--alias", "live"], "NoSuchBot"),
        (vec!["--bot", bot, "--alias", "nosuchalias"], "nosuchalias"),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--grant-pass-role",
                "user/nobody-here",
            ],
            "nobody-here",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--grant-pass-role",
                "bucket/x",
            ],
            "bucket/x",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                &world.bucket,
                "--kms-key",
                "not a key!",
            ],
            "not a key!",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                &world.bucket,
                "--kms-key",
                "alias/no-such-key",
            ],
            "alias/no-such-key",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                &world.bucket,
                "--kms-key",
                &asymmetric,
            ],
            &asymmetric,
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--log-group",
                "bad group name",
            ],
            "bad group name",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                "no-such-bucket-anywhere",
            ],
            "no-such-bucket-anywhere",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                "Bad_Bucket",
            ],
            "Bad_Bucket",
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--role-name", "bad role"],
            "bad role",
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--role-name", &long_role],
            &long_role,
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--retention-days", "8"],
            "8",
        ),
        (
            vec!["--bot", &child_bot, "--alias", "TestBotAlias"],
            "child-directed",
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--no-text-logs"],
            "--audio-bucket",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--no-text-logs",
                "--audio-bucket",
                &world.bucket,
                "--log-group",
                "g",
            ],
            "--log-group",
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--kms-key", "alias/x"],
            "--audio-bucket",
        ),
    ];
    let before = world.snapshot().await;
    let mut failures = Vec::new();
    for (flags, named) in cases {
        let proxy = FaultProxy::start(Fault::None).await;
        let mut args = vec!["apply", "--yes"];
        args.extend(flags.iter().copied());
        let out = tool_command(&proxy.endpoint, &args).output().await.unwrap();
        let err = stderr(&out);
        if out.status.code() != Some(64)
            || !err.contains(named)
            || err.contains("panicked")
            || !proxy.mutating().is_empty()
        {
            failures.push(format!(
                "{flags:?}: exit {:?}, mutating {:?}\n{err}",
                out.status.code(),
                proxy.mutating()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(world.snapshot().await, before);
}

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

#[tokio::test]
async fn no_secret_appears_in_any_output_at_any_verbosity() {
    let world = World::new().await;
    let secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRET";
    let token = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";
    let mut outputs = Vec::new();
    for verbosity in [vec![], vec!["-v"], vec!["-vv"]] {
        for rust_log in [None, Some("trace")] {
            let mut args = full_args(&world, "apply", Mode::InPlace);
            args.extend(verbosity.iter().map(|s| s.to_string()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut command = tool_command(&endpoint(), &args);
            command
                .env("AWS_SECRET_ACCESS_KEY", secret)
                .env("AWS_SESSION_TOKEN", token);
            if let Some(level) = rust_log {
                command.env("RUST_LOG", level);
            }
            outputs.push(command.output().await.unwrap());
        }
    }
    for out in &outputs {
        let all = format!("{}{}", stdout(out), stderr(out));
        assert!(out.status.success(), "{all}");
        assert!(
            !all.contains(secret) && !all.contains(token),
            "a secret leaked:\n{all}"
        );
    }
    assert!(
        outputs.iter().any(|o| stderr(o).lines().count() > 50),
        "trace logging was on"
    );
}

#[tokio::test]
async fn destroy_leaves_a_same_named_policy_without_our_tags_alone() {
    // Our managed policies `<role>-*` belong to the dedicated role.
    let world = World::new().await;
    expect_exit(
        &run(
            &endpoint(),
            &full_args(&world, "apply", Mode::Dedicated),
            "2",
        )
        .await,
        0,
    );
    // Someone puts a policy of their own beside ours, under a name our scheme would use.
    let c = &world.clients;
    let foreign = format!("{}-Foreign", world.role_name());
    c.iam
        .create_policy()
        .policy_name(&foreign)
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let out = run(
        &endpoint(),
        &full_args(&world, "destroy", Mode::Dedicated),
        "2",
    )
    .await;
    expect_exit(&out, 0);
    let arn = format!("arn:aws:iam::{}:policy/{foreign}", crate::support::ACCOUNT);
    c.iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .expect("their policy is still there");
}
