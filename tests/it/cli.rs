//! The binary's command line: resolving bots and aliases, and the errors a person sees.

use crate::support::{expect_exit, run_tool, stderr, stdout, World};

#[tokio::test]
async fn plan_resolves_bot_and_alias_by_name_and_by_id() {
    let world = World::new().await;
    let out = run_tool(&[
        "plan",
        "--bot",
        &world.bot_name,
        "--alias",
        &world.alias_name,
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&world.bot_id) && text.contains(&format!("alias[{}/live]", world.bot_name)),
        "{text}"
    );

    let out = run_tool(&[
        "plan",
        "--bot",
        &world.bot_id,
        "--alias",
        &world.alias_id,
        "--alias",
        "TestBotAlias",
        "--output",
        "json",
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["targets"][0]["bot"], world.bot_name.as_str());
    assert_eq!(doc["targets"][0]["botId"], world.bot_id.as_str());
    assert_eq!(
        doc["targets"][0]["aliases"],
        serde_json::json!(["live", "TestBotAlias"])
    );
}

#[tokio::test]
async fn plan_names_a_missing_bot_and_exits_with_the_usage_code() {
    let out = run_tool(&["plan", "--bot", "NoSuchBotAnywhere", "--alias", "live"]).await;
    assert_eq!(out.status.code(), Some(64));
    let err = stderr(&out);
    assert!(err.contains("bot \"NoSuchBotAnywhere\" not found"), "{err}");
    assert!(err.contains("next:"), "{err}");
}

#[tokio::test]
async fn plan_names_a_missing_alias_and_lists_the_real_ones() {
    let world = World::new().await;
    let out = run_tool(&["plan", "--bot", &world.bot_name, "--alias", "nosuch"]).await;
    assert_eq!(out.status.code(), Some(64));
    let err = stderr(&out);
    assert!(err.contains("alias \"nosuch\" not found"), "{err}");
    assert!(err.contains("TestBotAlias, live"), "{err}");
}

#[tokio::test]
async fn unreachable_endpoint_is_reported_with_operation_and_next_step() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_lex-logs-setup"))
        .args([
            "plan",
            "--bot",
            "B",
            "--alias",
            "a",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("DispatchFailure")
            && err.contains("Connection refused")
            && err.contains("next:"),
        "{err}"
    );
    assert!(!err.contains("ConnectorError {"), "no Debug dumps: {err}");
}

#[tokio::test]
async fn apply_and_destroy_refuse_without_a_terminal_or_yes() {
    let world = World::new().await;
    let before = world.snapshot().await;
    for command in ["apply", "destroy"] {
        let out = run_tool(&[command, "--bot", &world.bot_name, "--alias", "live"]).await;
        if command == "destroy" {
            // Nothing to destroy yet: nothing to ask.
            expect_exit(&out, 0);
            continue;
        }
        expect_exit(&out, 1);
        let err = stderr(&out);
        assert!(
            err.contains("no terminal")
                && err.contains("--yes")
                && err.contains("nothing was changed"),
            "{err}"
        );
    }
    assert_eq!(world.snapshot().await, before);
    let out = run_tool(&[
        "apply",
        "--bot",
        &world.bot_name,
        "--alias",
        "live",
        "--yes",
    ])
    .await;
    expect_exit(&out, 0);
    let applied = world.snapshot().await;
    let out = run_tool(&["destroy", "--bot", &world.bot_name, "--alias", "live"]).await;
    expect_exit(&out, 1);
    assert!(
        stderr(&out).contains("refusing to destroy"),
        "{}",
        stderr(&out)
    );
    assert_eq!(world.snapshot().await, applied);
}

#[tokio::test]
async fn usage_errors_exit_64_before_any_aws_call() {
    for args in [
        vec!["apply", "--bot", "B", "--alias", "a", "--no-text-logs"],
        vec![
            "apply",
            "--bot",
            "B",
            "--alias",
            "a",
            "--kms-key",
            "alias/x",
        ],
        vec![
            "apply",
            "--bot",
            "B",
            "--alias",
            "a",
            "--no-text-logs",
            "--audio-bucket",
            "b-b-b",
            "--log-group",
            "g",
        ],
        vec!["plan", "--bot", "B"],
        vec!["plan", "--bot", "B", "--alias", "a", "--call-timeout", "0"],
        vec![
            "plan",
            "--bot",
            "B",
            "--alias",
            "a",
            "--connect-timeout",
            "99999",
        ],
        vec![
            "plan",
            "--bot",
            "B",
            "--alias",
            "a",
            "--endpoint-url",
            "not a url",
        ],
    ] {
        // An endpoint where nothing listens: any AWS call would fail with exit 1, not 64.
        let out = crate::support::run_tool_at("http://127.0.0.1:9", &args).await;
        expect_exit(&out, 64);
    }
}
