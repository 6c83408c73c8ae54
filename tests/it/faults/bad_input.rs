//! Bad input fails before any change and names the bad value.

use crate::proxy::{Fault, FaultProxy};
use crate::support::{stderr, tool_command, World};

#[tokio::test]
async fn bad_input_fails_before_any_change_and_names_the_bad_value() {
    let world = World::new().await;
    let c = &world.clients;
    let asymmetric = c
        .kms
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::Rsa2048)
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .send()
        .await
        .unwrap()
        .key_metadata
        .unwrap()
        .key_id()
        .to_string();
    let child_bot = crate::support::unique("Child");
    c.lex
        .create_bot()
        .bot_name(&child_bot)
        .role_arn(&world.bot_role_arn)
        .data_privacy(
            aws_sdk_lexmodelsv2::types::DataPrivacy::builder()
                .child_directed(true)
                .build(),
        )
        .idle_session_ttl_in_seconds(300)
        .send()
        .await
        .unwrap();
    let long_role = "r".repeat(65);
    let bot = world.bot_name.as_str();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--bot", "NoSuchBot", "--alias", "live"], "NoSuchBot"),
        (vec!["--bot", bot, "--alias", "nosuchalias"], "nosuchalias"),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--grant-pass-role",
                "user/nobody-here",
            ],
            "nobody-here",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--grant-pass-role",
                "bucket/x",
            ],
            "bucket/x",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                &world.bucket,
                "--kms-key",
                "not a key!",
            ],
            "not a key!",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                &world.bucket,
                "--kms-key",
                "alias/no-such-key",
            ],
            "alias/no-such-key",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                &world.bucket,
                "--kms-key",
                &asymmetric,
            ],
            &asymmetric,
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--log-group",
                "bad group name",
            ],
            "bad group name",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                "no-such-bucket-anywhere",
            ],
            "no-such-bucket-anywhere",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--audio-bucket",
                "Bad_Bucket",
            ],
            "Bad_Bucket",
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--role-name", "bad role"],
            "bad role",
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--role-name", &long_role],
            &long_role,
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--retention-days", "8"],
            "8",
        ),
        (
            vec!["--bot", &child_bot, "--alias", "TestBotAlias"],
            "child-directed",
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--no-text-logs"],
            "--audio-bucket",
        ),
        (
            vec![
                "--bot",
                bot,
                "--alias",
                "live",
                "--no-text-logs",
                "--audio-bucket",
                &world.bucket,
                "--log-group",
                "g",
            ],
            "--log-group",
        ),
        (
            vec!["--bot", bot, "--alias", "live", "--kms-key", "alias/x"],
            "--audio-bucket",
        ),
    ];
    let before = world.snapshot().await;
    let mut failures = Vec::new();
    for (flags, named) in cases {
        let proxy = FaultProxy::start(Fault::None).await;
        let mut args = vec!["apply", "--yes"];
        args.extend(flags.iter().copied());
        let out = tool_command(&proxy.endpoint, &args).output().await.unwrap();
        let err = stderr(&out);
        if out.status.code() != Some(64)
            || !err.contains(named)
            || err.contains("panicked")
            || !proxy.mutating().is_empty()
        {
            failures.push(format!(
                "{flags:?}: exit {:?}, mutating {:?}\n{err}",
                out.status.code(),
                proxy.mutating()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(world.snapshot().await, before);
}

/// A bot named with another bot's id: which one `--bot` means cannot be known, so plan, apply,
/// verify and status refuse it, naming both; each bot's other identifier still finds it.
#[tokio::test]
async fn a_bot_name_that_is_another_bots_id_is_refused_naming_both() {
    let world = World::new().await;
    let c = &world.clients;
    let twin = c
        .lex
        .create_bot()
        .bot_name(&world.bot_id)
        .role_arn(&world.bot_role_arn)
        .data_privacy(
            aws_sdk_lexmodelsv2::types::DataPrivacy::builder()
                .child_directed(false)
                .build(),
        )
        .idle_session_ttl_in_seconds(300)
        .send()
        .await
        .expect("CreateBot named as the first bot's id");
    let twin_id = twin.bot_id().unwrap().to_string();
    let before = world.snapshot().await;
    let id = world.bot_id.as_str();
    for args in [
        vec!["plan", "--bot", id, "--alias", "live"],
        vec!["apply", "--yes", "--bot", id, "--alias", "live"],
        vec!["verify", "--static-only", "--bot", id, "--alias", "live"],
        vec!["status", "--bot", id],
    ] {
        let out = crate::support::run_tool(&args).await;
        crate::support::expect_exit(&out, 64);
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "--bot {id:?} is both the id of bot {} and the name of bot {twin_id}",
                world.bot_name
            )) && err.contains(&format!("--bot {:?}", world.bot_name)),
            "{args:?}: {err}"
        );
    }
    assert_eq!(world.snapshot().await, before, "nothing changed");
    // Its name finds the first bot; the second bot's id finds the second.
    let out =
        crate::support::run_tool(&["plan", "--bot", &world.bot_name, "--alias", "live"]).await;
    crate::support::expect_exit(&out, 0);
    let out =
        crate::support::run_tool(&["plan", "--bot", &twin_id, "--alias", "TestBotAlias"]).await;
    let said = crate::support::stdout(&out);
    assert!(
        said.contains(&format!("({twin_id})")),
        "{said}{}",
        stderr(&out)
    );
}
