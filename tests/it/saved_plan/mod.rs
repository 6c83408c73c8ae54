//! Saved plans, as a pipeline uses them: `plan --out FILE` on a pull request, `show FILE` for the
//! reviewer, `apply FILE` on merge. A saved plan applied on an unchanged world makes exactly the
//! changes a plain apply makes and nothing else, asks nothing, and works once; a world that moved
//! after the plan (a deployment, another actor) is refused as stale with nothing changed; a plan
//! of another account, another format or no plan at all is refused.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{expect_exit, run_tool_at, stdout, unique, World};

mod applies;
mod refused;

/// A fresh path for a plan file.
fn plan_path() -> PathBuf {
    std::env::temp_dir().join(format!("{}.json", unique("saved-plan-")))
}

/// The tool's arguments: `command`, then the world's target (dedicated or in place), then `extra`.
fn target(world: &World, dedicated: bool, command: &str, extra: &[&str]) -> Vec<String> {
    let mut all = vec![command.to_string()];
    all.extend(match dedicated {
        true => world.dedicated_args(),
        false => world.target_args(),
    });
    all.extend(extra.iter().map(|s| s.to_string()));
    all
}

/// Runs the tool at `endpoint` with owned arguments.
async fn run(endpoint: &str, args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool_at(endpoint, &args).await
}

/// `plan --out FILE` (with `extra`, e.g. `--destroy`) for the world: the plan's text and the file.
async fn save_plan(world: &World, dedicated: bool, extra: &[&str]) -> (String, PathBuf) {
    let path = plan_path();
    let mut with_out = vec!["--out", path.to_str().unwrap()];
    with_out.extend_from_slice(extra);
    let out = run(
        &crate::support::endpoint(),
        &target(world, dedicated, "plan", &with_out),
    )
    .await;
    expect_exit(&out, 0);
    assert!(path.exists(), "plan --out wrote no file");
    (stdout(&out), path)
}

/// The JSON error an `--output json` run printed.
fn error_of(out: &std::process::Output) -> Value {
    let printed: Value = serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("no JSON on stdout ({e}): {}", stdout(out)));
    printed["error"].clone()
}
