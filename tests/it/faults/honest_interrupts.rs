//! Interrupts are honest and fast. SIGTERM while apply waits for IAM to propagate a new role
//! rolls back at once (proved by the calls the proxy saw: the waiting call is never retried
//! after the signal, and the rollback's calls follow). A second interrupt stops the rollback, and
//! the list of what is still in place names exactly what the account (read through the SDK)
//! still shows, each with a by-hand command.

use std::collections::BTreeMap;
use std::process::Output;
use std::time::Duration;

use serde_json::{json, Value};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{expect_exit, stderr, stdout, tool_command, World, ACCOUNT, REGION};

use super::{full_args, Mode};

fn send(signal: &str, pid: u32) {
    let status = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} {pid}");
}

/// The tags of the bot and of its alias (where the records of a take-over live).
async fn record_tags(world: &World) -> Value {
    let mut out = serde_json::Map::new();
    for (what, arn) in [
        (
            "bot",
            format!("arn:aws:lex:{REGION}:{ACCOUNT}:bot/{}", world.bot_id),
        ),
        (
            "alias",
            format!(
                "arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/{}/{}",
                world.bot_id, world.alias_id
            ),
        ),
    ] {
        let listed = world
            .clients
            .lex
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap();
        let tags: BTreeMap<String, String> = listed
            .tags()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        out.insert(what.into(), json!(tags));
    }
    Value::Object(out)
}

/// Everything apply may touch: the snapshot and the record tags.
async fn state(world: &World) -> Value {
    let mut s = world.snapshot().await;
    s["tags"] = record_tags(world).await;
    s
}

/// Whether the change at `address` is still in effect: the part of the account it changes differs
/// from before the apply.
fn in_effect(world: &World, address: &str, before: &Value, after: &Value) -> bool {
    let (kind, inner) = address.trim_end_matches(']').split_once('[').unwrap();
    let differs = |pointer: &str| before.pointer(pointer) != after.pointer(pointer);
    match kind {
        "log_group" => differs("/logGroups"),
        "role" => differs("/role/trust") || differs("/role/tags"),
        "policy" => differs(&format!("/policies/{inner}")),
        "attachment" => {
            let arn = inner.split(" -> ").nth(1).unwrap();
            let attached = |s: &Value| {
                s["role"]["attached"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|p| p == arn))
            };
            attached(before) != attached(after)
        }
        "inline_policy" => {
            let (owner, name) = inner.rsplit_once('/').unwrap();
            if owner.starts_with("user/") {
                differs("/grant")
            } else if owner == format!("role/{}", world.role_name()) {
                differs(&format!("/role/inline/{name}"))
            } else {
                differs(&format!("/botRole/inline/{name}"))
            }
        }
        "bot" => differs("/bot"),
        "version" => differs("/versions"),
        "alias" => differs(&format!("/aliases/{}", world.alias_name)),
        "alias_record" => differs("/tags/alias"),
        "bot_record" => differs("/tags/bot"),
        other => panic!("no check for {other} ({address})"),
    }
}

/// One entry of the printed list: its address, whether it is marked "may be in place", and its
/// by-hand command.
#[derive(Debug)]
struct Listed {
    address: String,
    maybe: bool,
    command: String,
}

/// The list under "These changes are still in place" in the text outcome.
fn listed(text: &str) -> Vec<Listed> {
    let Some((_, list)) = text.split_once("These changes are still in place") else {
        return vec![];
    };
    let mut entries: Vec<Listed> = Vec::new();
    for line in list.lines().skip(1) {
        if let Some(command) = line.strip_prefix("    by hand: ") {
            entries.last_mut().unwrap().command = command.to_string();
        } else if !line.starts_with("    ") && line.starts_with("  ") {
            let end = [line.find("] [may be"), line.find("]: ")]
                .into_iter()
                .flatten()
                .min()
                .unwrap();
            entries.push(Listed {
                address: line[2..=end].to_string(),
                maybe: line[end..].starts_with("] [may be in place]"),
                command: String::new(),
            });
        }
    }
    entries
}

/// The addresses a plan would change, from `plan --output json`.
async fn planned(world: &World, endpoint: &str, mode: Mode) -> Vec<String> {
    let mut args = full_args(world, "plan", mode);
    args.retain(|a| a != "--yes");
    args.extend(["--output".to_string(), "json".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = tool_command(endpoint, &args).output().await.unwrap();
    let plan: Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "no-op")
        .map(|c| c["address"].as_str().unwrap().to_string())
        .collect()
}

/// Waits until `proxy` has seen `calls` mutating calls, or the child has ended.
async fn until_mutating(proxy: &FaultProxy, calls: usize) {
    for _ in 0..1500 {
        if proxy.mutating().len() >= calls {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never saw {calls} mutating calls: {:?}", proxy.mutating());
}

#[tokio::test]
async fn sigterm_during_an_iam_wait_rolls_back_at_once() {
    let world = World::new().await;
    let before = state(&world).await;
    let proxy = FaultProxy::start(Fault::NewRoleNeverUsable).await;
    let args = full_args(&world, "apply", Mode::Dedicated);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let child = tool_command(&proxy.endpoint, &args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The third refusal is followed by a 4 s backoff: the signal lands inside it.
    let refusals = || {
        proxy
            .calls()
            .iter()
            .filter(|c| c.injected == "not-yet")
            .count()
    };
    for _ in 0..3000 {
        if refusals() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(refusals(), 3, "apply waits on IAM: {:?}", proxy.mutating());
    let calls_at_signal = proxy.calls().len();
    send("TERM", child.id().unwrap());
    let out = child.wait_with_output().await.unwrap();
    expect_exit(&out, 1);

    let after_signal = &proxy.calls()[calls_at_signal..];
    assert_eq!(
        refusals(),
        3,
        "the waiting UpdateBot was never retried after SIGTERM: {after_signal:?}"
    );
    let undo_calls: Vec<String> = after_signal
        .iter()
        .filter(|c| c.mutating)
        .map(|c| c.operation.clone())
        .collect();
    // The cancelled UpdateBot never took effect: its compare-and-restore undo reads the bot,
    // finds it on its old role, and writes nothing.
    assert!(
        !undo_calls.iter().any(|c| c == "UpdateBot"),
        "nothing to restore on the bot: {undo_calls:?}"
    );
    for undo in ["DeleteRole", "DeleteLogGroup", "DeleteUserPolicy"] {
        assert!(
            undo_calls.iter().any(|c| c == undo),
            "the rollback calls {undo} after the signal: {undo_calls:?}"
        );
    }
    assert_eq!(
        state(&world).await,
        before,
        "the account is as before\n{}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("interrupted (SIGTERM)"), "{err}");
    assert!(
        err.contains("interrupt again to stop the rollback"),
        "{err}"
    );
    assert!(!err.contains("Ctrl-C again"), "{err}");
    assert!(err.contains("cancelled: bot["), "{err}");
    assert!(stdout(&out).contains("The account is as it was before this run."));
}

/// Interrupts a slowed apply in `mode` with `first` after `made` mutating calls, then with
/// `second` after the rollback's `undone`-th mutating call; the printed list must name every
/// change the account still shows, each with a command, and as certainly in place nothing that
/// is not.
async fn double_interrupt(
    mode: Mode,
    (first, second): (&str, &str),
    made: usize,
    undone: usize,
) -> Result<Vec<(bool, bool)>, String> {
    let world = World::new().await;
    let before = state(&world).await;
    let addresses = planned(&world, &crate::support::endpoint(), mode).await;
    let proxy = FaultProxy::start_with_delay(Fault::None, Duration::from_millis(150)).await;
    let args = full_args(&world, "apply", mode);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = tool_command(&proxy.endpoint, &args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    until_mutating(&proxy, made).await;
    let at_first = proxy.mutating().len();
    send(first, pid);
    // An undo that finds nothing to undo (a cancelled step that never took effect) sends nothing:
    // the rollback may end before its `undone`-th mutating call.
    for _ in 0..1500 {
        if proxy.mutating().len() >= at_first + undone || child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    if child.try_wait().unwrap().is_some() {
        return Err(format!(
            "{mode:?} {first}+{second} after {made}, {undone}: the rollback ended before the second interrupt; mutating calls: {:?}",
            proxy.mutating()
        ));
    }
    send(second, pid);
    let out: Output = child.wait_with_output().await.unwrap();
    let after = state(&world).await;
    let text = stdout(&out);
    let context = format!(
        "{mode:?} {first}+{second} after {made}, {undone}:\n{text}\n{}",
        stderr(&out)
    );
    if out.status.code() != Some(3) {
        return Err(format!("exit {:?}\n{context}", out.status.code()));
    }
    let again = match first {
        "TERM" => "interrupt again to stop the rollback",
        _ => "press Ctrl-C again to stop the rollback",
    };
    if !stderr(&out).contains(again) {
        return Err(format!("no {again:?}\n{context}"));
    }
    let list = listed(&text);
    let mut wrong = Vec::new();
    for address in &addresses {
        let entry = list.iter().find(|l| &l.address == address);
        match (in_effect(&world, address, &before, &after), entry) {
            (true, None) => wrong.push(format!("{address} is in place but not listed")),
            (false, Some(l)) if !l.maybe => {
                wrong.push(format!("{address} is listed as in place but is not"))
            }
            (_, Some(l)) if !l.command.starts_with("aws ") => {
                wrong.push(format!("{address} has no by-hand command: {:?}", l.command))
            }
            _ => {}
        }
    }
    for l in &list {
        if !addresses.contains(&l.address) {
            wrong.push(format!("{} is listed but was not planned", l.address));
        }
    }
    match wrong.is_empty() {
        true => Ok(list
            .iter()
            .map(|l| (in_effect(&world, &l.address, &before, &after), l.maybe))
            .collect()),
        false => Err(format!("{}\n{context}", wrong.join("\n"))),
    }
}

#[tokio::test]
async fn a_double_interrupt_lists_everything_still_in_place_and_nothing_else() {
    let mut failures = Vec::new();
    let cases: &[(Mode, (&str, &str), usize, usize)] = &[
        (Mode::InPlace, ("TERM", "TERM"), 4, 0),
        (Mode::InPlace, ("TERM", "TERM"), 3, 1),
        (Mode::InPlace, ("INT", "INT"), 5, 1),
        (Mode::InPlace, ("INT", "TERM"), 4, 1),
        (Mode::Dedicated, ("TERM", "TERM"), 8, 2),
        (Mode::Dedicated, ("TERM", "INT"), 12, 5),
        (Mode::Dedicated, ("INT", "INT"), 6, 1),
    ];
    // (in effect, listed as "may be") for every listed change of every case.
    let mut seen = Vec::new();
    for &(mode, signals, made, undone) in cases {
        match double_interrupt(mode, signals, made, undone).await {
            Ok(listed) => seen.extend(listed),
            Err(why) => failures.push(why),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The cases cover changes certainly in place, and ones that may be (in flight when cancelled,
    // or whose undo was): some of those happened, some did not.
    for kind in [(true, false), (true, true), (false, true)] {
        assert!(seen.contains(&kind), "no listed change {kind:?}: {seen:?}");
    }
}
