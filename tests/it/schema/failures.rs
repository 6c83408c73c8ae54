//! The JSON of what goes wrong, checked against its schema: an apply that fails half way and is
//! rolled back, one whose rollback fails too (what is left, exit 3), both through the test proxy;
//! and the error documents of a usage error, an invalid input, a refusal without --yes and an
//! AWS error.

use serde_json::Value;

use super::assert_matches;
use crate::proxy::{Fault, FaultProxy};
use crate::support::{expect_exit, run_tool, run_tool_at, World};

fn with_json(command: &str, args: &[String], more: &[&str]) -> Vec<String> {
    let mut all = vec![command.to_string()];
    all.extend(args.iter().cloned());
    all.extend(more.iter().map(|s| s.to_string()));
    all.extend(["--output".to_string(), "json".to_string()]);
    all
}

async fn run_at(endpoint: &str, args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool_at(endpoint, &args).await
}

#[tokio::test]
async fn a_failed_apply_rolled_back_and_one_whose_rollback_failed_print_their_schema() {
    let world = World::new().await;
    let grant = format!("user/{}", world.user);
    let args = with_json(
        "apply",
        &world.dedicated_args(),
        &["--yes", "--grant-pass-role", &grant],
    );

    // The third mutating call fails; what ran before it is undone.
    let proxy = FaultProxy::start(Fault::Reject(3)).await;
    let out = run_at(&proxy.endpoint, &args).await;
    expect_exit(&out, 1);
    let outcome = assert_matches("outcome", &out);
    assert_eq!(outcome["status"], "rolled-back", "{outcome:#}");
    assert!(outcome["error"]["code"].is_string(), "{outcome:#}");
    assert!(
        !outcome["undone"].as_array().unwrap().is_empty(),
        "{outcome:#}"
    );
    assert_eq!(outcome["left"], Value::Array(vec![]), "{outcome:#}");

    // From the third mutating call on every one fails, the undos too: what is left is listed.
    let proxy = FaultProxy::start(Fault::RejectFrom(3)).await;
    let out = run_at(&proxy.endpoint, &args).await;
    expect_exit(&out, 3);
    let outcome = assert_matches("outcome", &out);
    assert_eq!(outcome["status"], "rollback-incomplete", "{outcome:#}");
    let left = outcome["left"].as_array().unwrap();
    assert!(!left.is_empty(), "{outcome:#}");
    assert!(left.iter().all(|l| l["state"] == "in-place"), "{outcome:#}");

    // Clean up what the failed rollback left, through the twin itself.
    let out = run_tool(
        &["destroy", "--yes"]
            .iter()
            .copied()
            .chain(world.dedicated_args().iter().map(String::as_str))
            .collect::<Vec<_>>(),
    )
    .await;
    expect_exit(&out, 0);
}

#[tokio::test]
async fn usage_invalid_input_and_aws_errors_print_the_error_schema() {
    let out = run_tool(&["plan", "--no-such-flag", "--output", "json"]).await;
    expect_exit(&out, 64);
    let usage = assert_matches("error", &out);
    assert_eq!(usage["error"]["kind"], "usage", "{usage:#}");

    let world = World::new().await;
    let args = with_json("plan", &world.target_args(), &["--retention-days", "8"]);
    let out = run_at(&crate::support::endpoint(), &args).await;
    expect_exit(&out, 64);
    let invalid = assert_matches("error", &out);
    assert_eq!(invalid["error"]["kind"], "invalid-input", "{invalid:#}");

    // No terminal to ask and no --yes: refused, nothing changed.
    let out = run_at(
        &crate::support::endpoint(),
        &with_json("apply", &world.target_args(), &[]),
    )
    .await;
    expect_exit(&out, 1);
    let refused = assert_matches("error", &out);
    assert_eq!(refused["error"]["kind"], "not-confirmed", "{refused:#}");

    let url = crate::trust::web_server_with(
        "403 Forbidden",
        "x-amzn-requestid: req-schema\r\n",
        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not for you</Message></Error><RequestId>req-schema</RequestId></ErrorResponse>",
    )
    .await;
    let out = run_at(&url, &with_json("plan", &world.target_args(), &[])).await;
    expect_exit(&out, 1);
    let aws = assert_matches("error", &out);
    assert_eq!(aws["error"]["kind"], "aws", "{aws:#}");
    assert_eq!(aws["error"]["httpStatus"], 403, "{aws:#}");
    assert!(aws["error"]["operation"].is_string(), "{aws:#}");
}
