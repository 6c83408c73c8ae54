//! Operator experience: help, completions, JSON shapes, progress, config files with several
//! targets, and the policy command (kept in sync with the calls the tool makes).

use lex_logs_setup::policy::equivalent;
use serde_json::{json, Value};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{
    endpoint, expect_exit, run_tool, run_tool_at, stderr, stdout, World, ACCOUNT,
};

#[tokio::test]
async fn help_documents_every_command_and_the_exit_codes() {
    let out = run_tool(&["--help"]).await;
    expect_exit(&out, 0);
    let help = stdout(&out);
    for word in [
        "plan",
        "apply",
        "destroy",
        "policy",
        "completions",
        "Exit codes:",
        "64",
        "rollback failed too",
    ] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    let out = run_tool(&["apply", "--help"]).await;
    for flag in [
        "--config",
        "--log-group",
        "--retention-days",
        "--audio-bucket",
        "--kms-key",
        "--grant-pass-role",
        "--yes",
        "--role-name",
    ] {
        assert!(
            stdout(&out).contains(flag),
            "{flag} missing from apply --help"
        );
    }
    expect_exit(&run_tool(&["frobnicate"]).await, 64);
}

#[tokio::test]
async fn the_manual_page_is_roff_with_every_command() {
    let out = run_tool(&["manual"]).await;
    expect_exit(&out, 0);
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH lex-logs-setup"),
        "{page}"
    );
    for word in ["apply", "destroy", "policy", "Exit codes"] {
        assert!(page.contains(word), "{word} missing from the manual");
    }
}

#[tokio::test]
async fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef lex-logs-setup"),
        ("fish", "complete -c lex-logs-setup"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run_tool(&["completions", shell]).await;
        expect_exit(&out, 0);
        let script = stdout(&out);
        assert!(
            script.contains(marker)
                && script.contains("destroy")
                && script.contains("grant-pass-role"),
            "{shell}:\n{script}"
        );
    }
}

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

#[tokio::test]
async fn a_config_file_sets_up_several_bots_in_one_run() {
    let (a, b) = (World::new().await, World::new().await);
    let beta = a.add_alias("beta").await;
    let dir = std::env::temp_dir().join(crate::support::unique("cfg"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lex-logs.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[[target]]
bot = "{}"
aliases = ["live", "beta"]
retention_days = 14
grant_pass_role = ["user/{}"]

[[target]]
bot = "{}"
aliases = ["live"]
audio_bucket = "{}"
kms_key = "{}"
role_name = "{}"
publish_version = true
"#,
            a.bot_name,
            a.user,
            b.bot_name,
            b.bucket,
            b.key_arn,
            b.role_name()
        ),
    )
    .unwrap();
    let config = path.to_str().unwrap();
    let out = run_tool(&["plan", "--config", config, "--output", "json"]).await;
    expect_exit(&out, 0);
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["targets"].as_array().unwrap().len(), 2);

    let proxy = FaultProxy::start(Fault::None).await;
    let out = run_tool_at(&proxy.endpoint, &["apply", "--config", config, "--yes"]).await;
    expect_exit(&out, 0);
    assert_eq!(
        stdout(&out).matches("Plan for bot").count(),
        2,
        "one plan for both targets"
    );
    let (sa, sb) = (a.snapshot().await, b.snapshot().await);
    // A in place (the default): the grant on its service-linked role; B with a dedicated role
    // and the version it published for its alias.
    assert!(
        sa["botRole"]["inline"]
            .get(format!("{}-ConversationLogs", a.role_name()))
            .is_some()
            && sa["role"].is_null(),
        "{sa}"
    );
    assert!(!sb["role"].is_null());
    assert_eq!(sb["aliases"]["live"]["botVersion"], "2");
    assert!(!sa["grant"].is_null());
    assert_eq!(sa["logGroups"][0]["retention"], 14);
    assert_eq!(
        sa["aliases"]["beta"]["logs"]["textLogSettings"][0]["enabled"], true,
        "beta ({beta}) too"
    );
    assert_eq!(
        sb["aliases"]["live"]["logs"]["audioLogSettings"][0]["kmsKeyArn"],
        json!(b.key_arn)
    );

    // One rollback for all targets: a failure in one undoes both.
    let out = run_tool(&["destroy", "--config", config, "--yes"]).await;
    expect_exit(&out, 0);
    let (before_a, before_b) = (a.snapshot().await, b.snapshot().await);
    let proxy = FaultProxy::start(Fault::RejectOperation("lex:UpdateBotAlias")).await;
    let out = run_tool_at(&proxy.endpoint, &["apply", "--config", config, "--yes"]).await;
    expect_exit(&out, 1);
    assert!(
        stdout(&out).contains("The account is as it was"),
        "{}",
        stdout(&out)
    );
    assert_eq!(a.snapshot().await, before_a);
    assert_eq!(b.snapshot().await, before_b);

    // Unknown keys name the key and the line.
    std::fs::write(
        &path,
        "[[target]]\nbot = \"x\"\naliases = [\"live\"]\nlog_groups = \"/g\"\n",
    )
    .unwrap();
    let out = run_tool(&["plan", "--config", config]).await;
    expect_exit(&out, 64);
    let err = stderr(&out);
    assert!(
        err.contains("log_groups") && err.contains("line 4"),
        "{err}"
    );
    // A config file and target flags together are a usage error.
    expect_exit(
        &run_tool(&["plan", "--config", config, "--bot", "x"]).await,
        64,
    );
}

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

/// The IAM action each recorded call needs (and the actions implied by tagging on create).
fn actions_for(call: &str) -> Vec<String> {
    let (service, operation) = call.split_once(':').unwrap();
    let mut actions = vec![match (service, operation) {
        ("s3", "HeadBucket") => "s3:ListBucket".to_string(),
        ("s3", "GetBucketEncryption") => "s3:GetEncryptionConfiguration".to_string(),
        ("s3", other) => format!("s3:{other}"),
        (service, operation) => format!("{service}:{operation}"),
    }];
    match call {
        "iam:CreateRole" => actions.push("iam:TagRole".into()),
        "iam:CreatePolicy" => actions.push("iam:TagPolicy".into()),
        "logs:CreateLogGroup" => actions.push("logs:TagResource".into()),
        "lex:UpdateBot" => actions.push("iam:PassRole".into()),
        _ => {}
    }
    actions
}

#[tokio::test]
async fn the_operator_policy_allows_every_call_the_tool_makes() {
    let world = World::new().await;
    let proxy = FaultProxy::start(Fault::None).await;
    let grant = format!("user/{}", world.user);
    let base = ["--bot", world.bot_name.as_str(), "--alias", "live", "--yes"];
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "apply",
            "--retention-days",
            "7",
            "--grant-pass-role",
            &grant,
        ],
        vec![
            "apply",
            "--retention-days",
            "14",
            "--audio-bucket",
            &world.bucket,
            "--kms-key",
            &world.key_arn,
        ],
        vec![
            "apply",
            "--audio-bucket",
            &world.bucket,
            "--audio-prefix",
            "other/",
        ],
        vec!["plan"],
        vec!["destroy"],
    ];
    for extra in runs {
        let mut args = vec![extra[0]];
        args.extend(base);
        args.extend(&extra[1..]);
        if extra[0] == "plan" {
            args.retain(|a| *a != "--yes");
        }
        expect_exit(&run_tool_at(&proxy.endpoint, &args).await, 0);
    }
    // A rolled-back apply on a fresh world adds the undo calls (DeleteLogGroup, DeleteRole, ...).
    let fresh = World::new().await;
    let failing = FaultProxy::start(Fault::RejectOperation("lex:UpdateBotAlias")).await;
    let fresh_grant = format!("user/{}", fresh.user);
    let args = vec![
        "apply",
        "--bot",
        &fresh.bot_name,
        "--alias",
        "live",
        "--yes",
        "--retention-days",
        "7",
        "--audio-bucket",
        &fresh.bucket,
        "--kms-key",
        &fresh.key_arn,
        "--grant-pass-role",
        &fresh_grant,
    ];
    expect_exit(&run_tool_at(&failing.endpoint, &args).await, 1);

    let out = run_tool_at(
        &endpoint(),
        &["policy", "--operator-only", "--output", "json"],
    )
    .await;
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let allowed = lex_logs_setup::documents::operator_actions(&printed["documents"][0]["document"]);
    let mut calls: Vec<String> = proxy
        .calls()
        .into_iter()
        .chain(failing.calls())
        .filter(|c| c.injected.is_empty())
        .map(|c| format!("{}:{}", c.service, c.operation))
        .collect();
    calls.sort();
    calls.dedup();
    let missing: Vec<String> = calls
        .iter()
        .flat_map(|c| actions_for(c))
        .filter(|a| !allowed.contains(a))
        .collect();
    assert!(
        missing.is_empty(),
        "the operator policy lacks {missing:?}; calls seen: {calls:?}"
    );
    for expected in [
        "iam:UpdateAssumeRolePolicy",
        "iam:CreatePolicyVersion",
        "logs:DeleteLogGroup",
        "iam:DeleteRole",
        "lex:UpdateBotAlias",
    ] {
        let call = expected.to_string();
        assert!(
            calls.contains(&call) || expected == "iam:UpdateAssumeRolePolicy",
            "the scenario should exercise {expected}: {calls:?}"
        );
    }
}
