//! `--selective-logging text|audio|both|off` (config key `selective_logging`) sets
//! `selectiveLoggingEnabled` on the settings apply writes; without it each alias keeps what it
//! has; status shows it. In both modes, by flag and by config file.

use serde_json::Value;

use crate::support::{alias_row, expect_exit, json_of, stdout, unique, World};

use super::{cmd, tool};

/// The alias's text and audio `selectiveLoggingEnabled` now (null: unset).
async fn flags(world: &World) -> (Value, Value) {
    let (_, settings) = world.alias_now(&world.alias_id).await;
    (
        settings["textLogSettings"][0]["selectiveLoggingEnabled"].clone(),
        settings["audioLogSettings"][0]["selectiveLoggingEnabled"].clone(),
    )
}

fn is_on(flag: &Value) -> bool {
    flag == &Value::Bool(true)
}

#[tokio::test]
async fn the_flag_sets_each_half_and_without_it_the_alias_keeps_what_it_has() {
    for dedicated in [false, true] {
        let world = World::new().await;
        let mut target = match dedicated {
            true => world.dedicated_args(),
            false => world.target_args(),
        };
        target.extend(["--audio-bucket".into(), world.bucket.clone()]);
        let apply = |more: &[&str]| tool(cmd("apply", &target, &[more, &["--yes"]].concat()));
        expect_exit(&apply(&["--selective-logging", "text"]).await, 0);
        let (text, audio) = flags(&world).await;
        assert!(is_on(&text) && !is_on(&audio), "text only: {text} {audio}");
        // Asked again, and not asked: nothing to change, the flag kept.
        for more in [&["--selective-logging", "text"][..], &[]] {
            let plan = tool(cmd("plan", &target, more)).await;
            assert!(
                stdout(&plan).contains("No changes"),
                "{more:?}: {}",
                stdout(&plan)
            );
        }
        // Status shows it on the text channel only.
        let status = json_of(&tool(cmd("status", &target, &["--output", "json"])).await);
        let row = alias_row(&status, &world.alias_name);
        assert_eq!(
            (&row["text"]["selective"], &row["audio"]["selective"]),
            (&Value::Bool(true), &Value::Bool(false))
        );
        // The plan of a flag-only change shows it; both, then off.
        let plan = tool(cmd("plan", &target, &["--selective-logging", "both"])).await;
        assert!(
            stdout(&plan).contains("selectiveLoggingEnabled"),
            "{}",
            stdout(&plan)
        );
        expect_exit(&apply(&["--selective-logging", "both"]).await, 0);
        let (text, audio) = flags(&world).await;
        assert!(is_on(&text) && is_on(&audio), "both: {text} {audio}");
        expect_exit(&apply(&["--selective-logging", "off"]).await, 0);
        let (text, audio) = flags(&world).await;
        assert!(!is_on(&text) && !is_on(&audio), "off: {text} {audio}");
        expect_exit(&tool(cmd("destroy", &target, &["--yes"])).await, 0);
    }
}

#[tokio::test]
async fn the_config_key_does_what_the_flag_does_and_a_half_not_logged_is_refused() {
    let world = World::new().await;
    let path = std::env::temp_dir().join(format!("{}.toml", unique("selective-")));
    let write = |which: &str| {
        std::fs::write(
            &path,
            format!(
                "[[target]]\nbot = \"{}\"\naliases = [\"{}\"]\nselective_logging = \"{which}\"\n",
                world.bot_name, world.alias_name
            ),
        )
        .unwrap();
    };
    let config = vec!["--config".to_string(), path.to_str().unwrap().to_string()];
    write("text");
    expect_exit(&tool(cmd("apply", &config, &["--yes"])).await, 0);
    assert!(is_on(&flags(&world).await.0));
    // Audio is not logged by this target: selective audio is refused, naming the key's line.
    write("audio");
    let before = world.snapshot().await;
    let out = tool(cmd("apply", &config, &["--yes"])).await;
    expect_exit(&out, 64);
    let said = crate::support::stderr(&out);
    assert!(
        said.contains("selective_logging") && said.contains("no audio logs"),
        "{said}"
    );
    assert_eq!(world.snapshot().await, before);
    let _ = std::fs::remove_file(&path);
}

/// One turn on the world's alias that asks for its text to be logged (the Lex V2 guide's
/// `x-amz-lex:enable-text-logging:<intent>:<slot>` session attribute, any intent and slot).
async fn say_opted_in(world: &World) -> String {
    let session = unique("opt-");
    let state = aws_sdk_lexruntimev2::types::SessionState::builder()
        .session_attributes("x-amz-lex:enable-text-logging:*:*", "true")
        .build();
    crate::support::runtime()
        .await
        .recognize_text()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .locale_id("en_US")
        .session_id(&session)
        .session_state(state)
        .text("log this one")
        .send()
        .await
        .unwrap();
    session
}

#[tokio::test]
async fn a_selective_alias_logs_an_opted_in_turn_not_a_plain_one_and_keeps_the_flag() {
    let world = World::new().await;
    let target = world.target_args();
    let group = world.log_group();
    let apply = |more: &[&str]| tool(cmd("apply", &target, &[more, &["--yes"]].concat()));
    expect_exit(&apply(&["--selective-logging", "text"]).await, 0);
    let opted = say_opted_in(&world).await;
    let (plain, _) = super::say(&world, &world.alias_id, "do not log this").await;
    assert_eq!(
        super::logged(&world, &group, &opted).await.len(),
        1,
        "opted in: logged"
    );
    assert_eq!(
        super::logged(&world, &group, &plain).await.len(),
        0,
        "plain: not logged"
    );
    // An unrelated apply (a retention) keeps the flag, and the opted-in turn still logs.
    expect_exit(&apply(&["--retention-days", "30"]).await, 0);
    assert!(
        is_on(&flags(&world).await.0),
        "the flag survives an unrelated apply"
    );
    let again = say_opted_in(&world).await;
    assert_eq!(super::logged(&world, &group, &again).await.len(), 1);
}
