//! What a no-op apply reports (what it left unchanged), and plan's `--detailed-exitcode` as its
//! help describes it.

use crate::support::{expect_exit, run_tool, stdout, World};

use super::web_server;

#[tokio::test]
async fn a_no_op_apply_counts_what_it_left_unchanged() {
    let world = World::new().await;
    let target = world.target_args();
    let user = format!("user/{}", world.user);
    let run = |command: &'static str| {
        let (target, user) = (target.clone(), user.clone());
        async move {
            let mut args = vec![command, "--output", "json", "--grant-pass-role"];
            args.push(&user);
            if command == "apply" {
                args.push("--yes");
            }
            args.extend(target.iter().map(String::as_str));
            let out = run_tool(&args).await;
            expect_exit(&out, 0);
            serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON on stdout")
        }
    };
    let planned = run("plan").await["summary"].clone();
    let applied = run("apply").await;
    assert_eq!(applied["status"], "succeeded");
    assert_eq!(
        applied["summary"], planned,
        "a first apply does what was planned"
    );

    let planned = run("plan").await["summary"].clone();
    let unchanged = planned["no-op"].as_u64().unwrap();
    // In place: the log group, our inline policy on the bot's role, the grant and the alias.
    assert!(unchanged >= 4, "{planned}");
    let again = run("apply").await;
    assert_eq!(
        again["summary"],
        serde_json::json!({"create": 0, "update": 0, "delete": 0, "no-op": unchanged}),
        "{again}"
    );
    assert_eq!(again["changes"], serde_json::json!([]));
}

#[tokio::test]
async fn detailed_exitcode_help_and_behaviour_agree() {
    let help = crate::support::run_tool_at("http://127.0.0.1:9", &["plan", "--help"]).await;
    expect_exit(&help, 0);
    let text = stdout(&help);
    // The flag's help: on its line, or (clap's long help) on the lines after it, up to a blank.
    let line: String = text
        .lines()
        .skip_while(|l| !l.contains("--detailed-exitcode"))
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(line.contains("0 when") && line.contains("2 when"), "{line}");
    assert!(line.contains("(1, or 64 for bad input)"), "{line}");

    let detailed = |args: Vec<String>| async move {
        let mut all = vec!["plan".to_string(), "--detailed-exitcode".into()];
        all.extend(args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        run_tool(&all).await
    };
    let world = World::new().await;
    expect_exit(&detailed(world.target_args()).await, 2);
    let bad = vec![
        "--bot".to_string(),
        "NoSuchBotAtAll".into(),
        "--alias".into(),
        "a".into(),
    ];
    expect_exit(&detailed(bad).await, 64);
    let mut with_bad_value = world.target_args();
    with_bad_value.extend(["--log-group".to_string(), "bad group".into()]);
    expect_exit(&detailed(with_bad_value).await, 64);
    // An AWS failure: 1.
    let url = web_server("404 Not Found", "").await;
    let out = crate::support::run_tool_at(
        &url,
        &["plan", "--detailed-exitcode", "--bot", "B", "--alias", "a"],
    )
    .await;
    expect_exit(&out, 1);
    let mut args = vec!["apply", "--yes"];
    let target = world.target_args();
    args.extend(target.iter().map(String::as_str));
    expect_exit(&run_tool(&args).await, 0);
    expect_exit(&detailed(world.target_args()).await, 0);
}
