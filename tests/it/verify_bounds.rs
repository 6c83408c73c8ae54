//! `verify`'s limits, on the twin: a locale the alias's version lacks, or has not built, is said
//! (and no turn is sent in it); the default locale is one the version has; `--timeout` bounds
//! the whole run (no turn is sent once it ran out), and `apply --verify` takes it too.

use std::time::Duration;

use serde_json::Value;

use crate::proxy::{Fault, FaultProxy};
use crate::support::{alias_row, expect_exit, run_tool, run_tool_at, stderr, stdout, World};

const NOT_DELIVERED: i32 = 4;

fn args(world: &World, extra: &[&str]) -> Vec<String> {
    let mut all = world.target_args();
    all.extend(extra.iter().map(|s| s.to_string()));
    all
}

fn refs(all: &[String]) -> Vec<&str> {
    all.iter().map(String::as_str).collect()
}

/// The turns (RecognizeText / RecognizeUtterance) that went through the proxy.
fn turns(proxy: &FaultProxy) -> usize {
    proxy
        .calls()
        .iter()
        .filter(|c| c.path.contains("/sessions/"))
        .count()
}

#[tokio::test]
async fn a_locale_the_version_lacks_or_has_not_built_is_said_and_no_turn_is_sent() {
    // Version 1 (live) has en_US only; DRAFT (TestBotAlias) has en_US built and en_GB not built.
    let world = World::new().await;
    let beta = "beta";
    world.add_alias(beta).await; // on version 1, with en_GB (which version 1 lacks) enabled
    let mut apply = vec!["apply".to_string(), "--yes".into()];
    apply.extend(args(&world, &["--alias", "TestBotAlias", "--alias", beta]));
    expect_exit(&run_tool(&refs(&apply)).await, 0);

    let proxy = FaultProxy::start(Fault::None).await;
    let mut verify = vec!["verify".to_string()];
    verify.extend(args(
        &world,
        &[
            "--alias",
            "TestBotAlias",
            "--locale",
            "en_GB",
            "--output",
            "json",
        ],
    ));
    let out = run_tool_at(&proxy.endpoint, &refs(&verify)).await;
    expect_exit(&out, NOT_DELIVERED);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let live = &alias_row(&report, &world.alias_name)["text"]["detail"];
    assert!(
        live.as_str()
            .unwrap()
            .starts_with("not sent: version 1 has no locale en_GB (it has en_US)"),
        "{report:#}"
    );
    let draft = &alias_row(&report, "TestBotAlias")["text"]["detail"];
    assert!(
        draft.as_str().unwrap().starts_with(
            "not sent: --locale en_GB of version DRAFT is not built (status NotBuilt)"
        ),
        "{report:#}"
    );
    assert_eq!(turns(&proxy), 0, "no turn in a locale Lex would refuse");

    // With --static-only it is a warning; the static verdict stands.
    let mut fixed = vec!["verify".to_string()];
    fixed.extend(args(&world, &["--locale", "fr_FR", "--static-only"]));
    let out = run_tool(&refs(&fixed)).await;
    expect_exit(&out, 0);
    assert!(
        stdout(&out).contains("version 1 has no locale fr_FR (it has en_US)"),
        "{}",
        stdout(&out)
    );

    // Without --locale, beta (en_GB enabled, version 1 lacks it) is tried in a locale version 1
    // has, and delivers.
    let out = run_tool(&[
        "verify",
        "--bot",
        &world.bot_name,
        "--alias",
        beta,
        "--output",
        "json",
    ])
    .await;
    expect_exit(&out, 0);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(alias_row(&report, beta)["locale"], "en_US", "{report:#}");
}

#[tokio::test]
async fn the_timeout_bounds_the_whole_run_and_apply_verify_takes_it() {
    let world = World::new().await;
    let mut apply = vec!["apply".to_string(), "--yes".into()];
    apply.extend(world.target_args());
    expect_exit(&run_tool(&refs(&apply)).await, 0);

    // Every call takes 0.4 s: reading the account (several waves) outlasts a 1 s --timeout, so
    // no turn may be sent; before, the timeout counted only the wait for the log.
    let slow = FaultProxy::start_with_delay(Fault::None, Duration::from_millis(400)).await;
    let mut verify = vec!["verify".to_string()];
    verify.extend(args(&world, &["--timeout", "1"]));
    let out = run_tool_at(&slow.endpoint, &refs(&verify)).await;
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("--timeout 1 s"), "{said}");
    assert_ne!(out.status.code(), Some(0), "{said}");
    assert_eq!(turns(&slow), 0, "no turn after the timeout ran out: {said}");
    // The same endpoint with time enough delivers: the bound, not the endpoint, stopped it.
    let mut patient = vec!["verify".to_string()];
    patient.extend(args(&world, &["--timeout", "120"]));
    let out = run_tool_at(&slow.endpoint, &refs(&patient)).await;
    expect_exit(&out, 0);
    assert!(turns(&slow) >= 1);

    // apply --verify takes --timeout (and only with --verify).
    let slow = FaultProxy::start_with_delay(Fault::None, Duration::from_millis(400)).await;
    let mut apply_verify = vec!["apply".to_string(), "--yes".into(), "--verify".into()];
    apply_verify.extend(args(&world, &["--timeout", "1"]));
    let out = run_tool_at(&slow.endpoint, &refs(&apply_verify)).await;
    expect_exit(&out, NOT_DELIVERED);
    assert!(
        stdout(&out).contains("--timeout 1 s ran out before the turn"),
        "{}",
        stdout(&out)
    );
    assert_eq!(turns(&slow), 0);
    let mut destroy = vec!["destroy".to_string(), "--yes".into()];
    destroy.extend(args(&world, &["--timeout", "5"]));
    let out = run_tool(&refs(&destroy)).await;
    expect_exit(&out, 64);
    assert!(stderr(&out).contains("--verify"), "{}", stderr(&out));
}
