//! The policy command prints what apply creates, and changes nothing.

use lex_logs_setup::policy::equivalent;
use serde_json::Value;

use crate::support::{expect_exit, run_tool, run_tool_at, stdout, World, ACCOUNT};

#[tokio::test]
async fn the_policy_command_prints_what_apply_creates_and_changes_nothing() {
    let world = World::new().await;
    let grant = format!("user/{}", world.user);
    let flags = [
        "--audio-bucket",
        world.bucket.as_str(),
        "--kms-key",
        &world.key_arn,
        "--grant-pass-role",
        &grant,
    ];
    // In place (the default), then with a dedicated role.
    let in_place: Vec<String> = world.target_args();
    let dedicated: Vec<String> = world.dedicated_args();
    for (mode, target) in [("in place", in_place), ("dedicated", dedicated)] {
        let mut target_flags: Vec<&str> = target.iter().map(String::as_str).collect();
        target_flags.extend(flags);
        let before = world.snapshot().await;
        let mut args = vec!["policy", "--output", "json"];
        args.extend(&target_flags);
        let out = run_tool(&args).await;
        expect_exit(&out, 0);
        assert_eq!(
            world.snapshot().await,
            before,
            "{mode}: policy changes nothing"
        );
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        let documents = printed["documents"].as_array().unwrap();
        let kinds: Vec<&str> = documents
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        if mode == "in place" {
            assert_eq!(
                kinds,
                ["service-linked-inline", "inline-policy", "operator"],
                "{mode}"
            );
        } else {
            assert_eq!(
                kinds.iter().filter(|k| **k == "managed-policy").count(),
                4,
                "{mode}: {kinds:?}"
            );
            assert!(
                kinds.contains(&"trust")
                    && kinds.contains(&"inline-policy")
                    && kinds.last() == Some(&"operator"),
                "{mode}: {kinds:?}"
            );
        }

        let mut args = vec!["apply", "--yes"];
        args.extend(&target_flags);
        expect_exit(&run_tool(&args).await, 0);
        let applied = world.snapshot().await;
        let role = world.role_name();
        for d in documents {
            let address = d["address"].as_str().unwrap();
            let actual = match d["kind"].as_str().unwrap() {
                "trust" => applied["role"]["trust"].clone(),
                "managed-policy" => {
                    let name = address.trim_start_matches("policy[").trim_end_matches(']');
                    applied["policies"][name]["document"].clone()
                }
                "service-linked-inline" => {
                    applied["botRole"]["inline"][format!("{role}-ConversationLogs")].clone()
                }
                "inline-policy" => applied["grant"].clone(),
                _ => continue,
            };
            assert!(
                equivalent(&actual, &d["document"]),
                "{mode}: {address}: printed {} but apply made {actual}",
                d["document"]
            );
        }
        let operator = documents.last().unwrap()["document"].to_string();
        let writer = if mode == "in place" {
            world.bot_role_arn.clone()
        } else {
            format!("arn:aws:iam::{ACCOUNT}:role/{role}")
        };
        assert!(
            operator.contains(&writer),
            "{mode}: scoped to the role that writes the logs: {operator}"
        );
        let mut args = vec!["destroy", "--yes"];
        args.extend(&target_flags);
        expect_exit(&run_tool(&args).await, 0);
    }

    // Without a target it needs no AWS at all.
    let out = run_tool_at("http://127.0.0.1:9", &["policy", "--operator-only"]).await;
    expect_exit(&out, 0);
    assert!(stdout(&out).contains("Operator policy"));
}
