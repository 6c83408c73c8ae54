//! apply and destroy with `--output json`: outcomes in the plan's shape on stdout, progress only
//! on stderr.

use serde_json::{json, Value};

use crate::support::{expect_exit, run_tool, stderr, stdout, World};

#[tokio::test]
async fn apply_and_destroy_print_json_outcomes_in_the_plans_shape_and_progress_only_on_stderr() {
    let world = World::new().await;
    let out = run_tool(&[
        "apply",
        "--bot",
        &world.bot_name,
        "--alias",
        "live",
        "--yes",
        "--output",
        "json",
    ])
    .await;
    expect_exit(&out, 0);
    let outcome: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(outcome["command"], "apply");
    assert_eq!(outcome["status"], "succeeded");
    let changes = outcome["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for change in changes {
        assert!(
            change["address"].is_string()
                && change["action"].is_string()
                && change.get("before").is_some()
                && change.get("after").is_some()
        );
    }
    assert_eq!(
        outcome["summary"]["create"].as_u64().unwrap()
            + outcome["summary"]["update"].as_u64().unwrap(),
        changes.len() as u64
    );
    assert_eq!(outcome["undone"], json!([]));
    assert_eq!(outcome["left"], json!([]));
    let err = stderr(&out);
    assert!(
        err.contains("+ log_group[") && err.contains("Plan:"),
        "the plan and progress go to stderr:\n{err}"
    );
    assert!(
        !stdout(&out).contains('\x1b') && !err.contains('\x1b'),
        "no colour when piped"
    );

    let out = run_tool(&[
        "destroy",
        "--bot",
        &world.bot_name,
        "--alias",
        "live",
        "--yes",
        "--output",
        "json",
        "-q",
    ])
    .await;
    expect_exit(&out, 0);
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["command"], "destroy");
    assert!(outcome["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["action"] == "delete"));
    assert!(
        !stderr(&out).contains("- role["),
        "quiet: no progress lines:\n{}",
        stderr(&out)
    );
}
