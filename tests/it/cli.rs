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

#[tokio::test]
async fn the_manual_page_is_one_self_contained_page() {
    let out = run_tool(&["manual"]).await;
    expect_exit(&out, 0);
    let page = stdout(&out);
    // No "see lex-logs-setup-plan(1)": nothing generates such pages.
    assert!(!page.contains("(1)"), "{page}");
    // Every subcommand's own options are in it, and the global ones once.
    for option in [
        "\\-\\-detailed\\-exitcode",
        "\\-\\-operator\\-only",
        "\\-\\-yes",
        "\\-\\-grant\\-pass\\-role",
        "\\-\\-call\\-timeout",
    ] {
        assert!(page.contains(option), "{option} in the page");
    }
    assert_eq!(
        page.matches("\\fB\\-\\-region\\fR \\fI").count(),
        1,
        "{page}"
    );
    for section in [
        ".SS \"plan\"",
        ".SS \"policy\"",
        ".SS \"completions\"",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "{section} in the page");
    }
}

#[tokio::test]
async fn bad_numbers_get_the_tools_own_validation_message() {
    for (value, said) in [
        (
            "-1",
            "--retention-days -1 is not a retention CloudWatch Logs accepts",
        ),
        (
            "0",
            "--retention-days 0 is not a retention CloudWatch Logs accepts",
        ),
        (
            "a week",
            "--retention-days \"a week\" is not a number of days",
        ),
    ] {
        let out = crate::support::run_tool_at(
            "http://127.0.0.1:9",
            &[
                "plan",
                "--bot",
                "B",
                "--alias",
                "a",
                "--retention-days",
                value,
            ],
        )
        .await;
        expect_exit(&out, 64);
        let err = stderr(&out);
        assert!(
            err.contains(said) && err.contains("next: use one of [1, 3, 5"),
            "{err}"
        );
        assert!(!err.contains("unexpected argument"), "{err}");
    }
}

#[tokio::test]
async fn a_bad_value_in_a_config_file_is_named_by_file_line_and_key() {
    let dir = std::env::temp_dir().join(crate::support::unique("config-"));
    std::fs::create_dir_all(&dir).unwrap();
    for (body, said) in [
        (
            "[[target]]\nbot = \"A\"\naliases = [\"live\"]\nretention_days = -1\n",
            "line 4: retention_days = -1 is not a retention CloudWatch Logs accepts",
        ),
        (
            "[[target]]\nbot = \"A\"\naliases = [\"live\"]\n\n[[target]]\nbot = \"B\"\naliases = [\"live\"]\nlog_group = \"no spaces allowed\"\n",
            "line 8: log_group = \"no spaces allowed\" is not a valid log group name",
        ),
        (
            "[[target]]\nbot = \"A\"\naliases = [\"live\"]\ngrant_pass_role = [\n  \"user/ok\",\n  \"bucket/x\",\n]\n",
            "line 4: grant_pass_role = \"bucket/x\": the kind must be user, role or group",
        ),
        (
            "[[target]]\nbot = \"A\"\naliases = [\"live\"]\nkms_key = \"alias/k\"\n",
            "line 4: kms_key needs audio_bucket",
        ),
    ] {
        let path = dir.join("targets.toml");
        std::fs::write(&path, body).unwrap();
        let file = path.display().to_string();
        let out =
            crate::support::run_tool_at("http://127.0.0.1:9", &["plan", "--config", &file]).await;
        expect_exit(&out, 64);
        let err = stderr(&out);
        assert!(err.contains(&format!("{file} {said}")), "{said:?} in: {err}");
        assert!(!err.contains("--retention-days") && !err.contains("--log-group"), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn version_names_the_package_version_and_the_commit() {
    let out = crate::support::run_tool_at("http://127.0.0.1:9", &["--version"]).await;
    expect_exit(&out, 0);
    let text = stdout(&out);
    let prefix = format!("lex-logs-setup {} (commit ", env!("CARGO_PKG_VERSION"));
    let commit = text
        .trim_end()
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{prefix}COMMIT) in: {text}"));
    // The build script's value: 12 hex digits from git, or "unknown" outside a checkout.
    assert_eq!(commit, env!("LEX_LOGS_SETUP_COMMIT"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
    // Built in a git checkout, it is the commit checked out.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match head {
        Ok(head) if head.status.success() => {
            assert_eq!(commit, String::from_utf8_lossy(&head.stdout).trim());
        }
        _ => {}
    }
}
