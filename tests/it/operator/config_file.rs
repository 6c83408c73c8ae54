//! A config file with several targets sets up several bots in one run.

use serde_json::{json, Value};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{expect_exit, run_tool, run_tool_at, stderr, stdout, World};

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

/// The line (from 1) of `text` that starts with `start`, after the `after`th `[[target]]`.
fn line_of(text: &str, after: usize, start: &str) -> usize {
    let mut tables = 0;
    for (i, line) in text.lines().enumerate() {
        tables += usize::from(line.starts_with("[[target]]"));
        if tables == after && line.starts_with(start) {
            return i + 1;
        }
    }
    panic!("no {start} in target {after} of {text}")
}

#[tokio::test]
async fn an_error_only_aws_reveals_names_the_file_the_line_and_the_target() {
    let (a, b) = (World::new().await, World::new().await);
    let before = a.snapshot().await;
    let missing_bucket = crate::support::unique("no-such-bucket-").to_lowercase();
    let missing_bot = crate::support::unique("NoSuchBot");
    for (second, key, said) in [
        (
            format!(
                "bot = \"{}\"\naliases = [\"live\"]\naudio_bucket = \"{missing_bucket}\"\n",
                b.bot_name
            ),
            "audio_bucket",
            format!("audio_bucket \"{missing_bucket}\" does not exist"),
        ),
        (
            format!(
                "bot = \"{}\"\naliases = [\"live\", \"nosuch\"]\n",
                b.bot_name
            ),
            "aliases",
            "nosuch".to_string(),
        ),
        (
            format!("bot = \"{missing_bot}\"\naliases = [\"live\"]\n"),
            "bot",
            missing_bot.clone(),
        ),
    ] {
        let text = format!(
            "# targets\n[[target]]\nbot = \"{}\"\naliases = [\"live\"]\n\n[[target]]\n{second}",
            a.bot_name
        );
        let path =
            std::env::temp_dir().join(format!("{}.toml", crate::support::unique("cfg-aws-")));
        std::fs::write(&path, &text).unwrap();
        let config = path.to_str().unwrap();
        let bot = second.lines().next().unwrap().trim_start_matches("bot = ");
        let at = format!(
            "{config} line {}, [[target]] 2 (bot {bot})",
            line_of(&text, 2, key)
        );
        for command in [
            &["plan", "--config", config][..],
            &["apply", "--config", config, "--yes"],
        ] {
            let out = run_tool(command).await;
            expect_exit(&out, 64);
            let err = stderr(&out);
            assert!(
                err.contains(&format!("error: {at}: ")) && err.contains(&said),
                "{at} / {said}: {err}"
            );
            assert!(
                !err.contains("--audio-bucket"),
                "the key, not the flag: {err}"
            );
        }
        if key != "audio_bucket" {
            // verify finds the bot and its aliases the same way, and places the error alike.
            let out = run_tool(&["verify", "--config", config, "--static-only"]).await;
            let err = stderr(&out);
            assert!(
                err.contains(&format!("error: {at}: ")) && err.contains(&said),
                "{err}"
            );
        }
    }
    assert_eq!(
        a.snapshot().await,
        before,
        "nothing changed in the first target"
    );
}
