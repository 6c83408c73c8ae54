//! `verify`'s probe turns on the twin: while IAM has not propagated what apply wrote, probes are
//! lost and verify sends new sessions until one is logged, reporting the attempts (as many as the
//! proxy saw); an alias with selective logging is probed with the session attributes that ask for
//! logs; an alias whose version has only a non-en_US locale is probed in that locale.

use aws_sdk_lexmodelsv2::types::{
    AudioLogSetting, BotVersionLocaleDetails, ConversationLogSettings, TextLogSetting,
};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{
    alias_row, expect_exit, fresh_account, json_of, stderr, stdout, tool_command_as, twin_settings,
    World,
};

/// Runs the binary as `account` against `endpoint`.
async fn run(account: &str, endpoint: &str, args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    tool_command_as(account, endpoint, &args)
        .output()
        .await
        .expect("the binary runs")
}

fn with(command: &str, args: Vec<String>, more: &[&str]) -> Vec<String> {
    let mut all = vec![command.to_string()];
    all.extend(args);
    all.extend(more.iter().map(|s| s.to_string()));
    all
}

/// The probe turns that went through the proxy: (session, request body), per operation path end.
fn probes(proxy: &FaultProxy, operation: &str) -> Vec<(String, String)> {
    proxy
        .calls()
        .into_iter()
        .filter(|c| c.path.contains("/sessions/") && c.path.ends_with(operation))
        .map(|c| {
            let session = c.path.split("/sessions/").nth(1).unwrap_or_default();
            let session = session.split('/').next().unwrap_or_default().to_string();
            (session, c.body)
        })
        .collect()
}

/// Removes every grant of our dedicated role (inline policies and attachments), as an actor
/// behind the tool's back would.
async fn strip_grants(world: &World) {
    let iam = &world.clients.iam;
    let role = world.role_name();
    let inline = iam
        .list_role_policies()
        .role_name(&role)
        .send()
        .await
        .unwrap();
    for name in inline.policy_names() {
        iam.delete_role_policy()
            .role_name(&role)
            .policy_name(name)
            .send()
            .await
            .unwrap();
    }
    let attached = iam
        .list_attached_role_policies()
        .role_name(&role)
        .send()
        .await
        .unwrap();
    for policy in attached.attached_policies() {
        iam.detach_role_policy()
            .role_name(&role)
            .policy_arn(policy.policy_arn().unwrap())
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn while_iam_propagates_verify_probes_again_until_a_log_arrives() {
    for (mode, dedicated, json) in [
        ("in place, text", false, false),
        ("in place, json", false, true),
        ("dedicated role, json", true, true),
    ] {
        let account = fresh_account('7');
        let world = World::new_in(&account).await;
        let endpoint = crate::support::endpoint();
        let target = match dedicated {
            true => world.dedicated_args(),
            false => world.target_args(),
        };
        let apply = with("apply", target, &["--yes"]);
        if dedicated {
            // The role is made and the bot moved to it first; then its grants go, so the next
            // apply writes them again (a new role would make apply itself wait out the window).
            expect_exit(&run(&account, &endpoint, &apply).await, 0);
            strip_grants(&world).await;
        }
        // What apply writes now reaches Lex only after 20 s: the first probes are lost for good.
        twin_settings(&account, serde_json::json!({"iam_propagation_seconds": 20})).await;
        expect_exit(&run(&account, &endpoint, &apply).await, 0);

        let proxy = FaultProxy::start(Fault::None).await;
        let output: &[&str] = if json { &["--output", "json"] } else { &[] };
        let out = run(
            &account,
            &proxy.endpoint,
            &with("verify", world.target_args(), output),
        )
        .await;
        twin_settings(&account, serde_json::json!({"iam_propagation_seconds": 0})).await;
        expect_exit(&out, 0);
        let sent = probes(&proxy, "/text");
        assert!(
            sent.len() >= 2,
            "{mode}: the first probe was lost: {sent:?}"
        );
        let sessions: std::collections::BTreeSet<&str> =
            sent.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            sessions.len(),
            sent.len(),
            "{mode}: every probe is a new session"
        );
        assert!(
            stderr(&out).contains(&format!("attempt {} in a new session", sent.len())),
            "{mode}: progress says so: {}",
            stderr(&out)
        );
        if json {
            let report = json_of(&out);
            let a = alias_row(&report, &world.alias_name);
            let text = &a["text"];
            assert_eq!(text["status"], "delivered", "{a:#}");
            assert_eq!(text["attempts"], sent.len() as u64, "{a:#}");
            // The session whose line arrived is a later one, not the first (lost) probe.
            let delivered_in = text["sessionId"].as_str().unwrap();
            assert_eq!(text["found"]["sessionId"], delivered_in);
            assert_ne!(delivered_in, a["sessionId"].as_str().unwrap());
            assert_eq!(delivered_in, sent.last().unwrap().0);
            assert!(text["seconds"].as_f64().unwrap() > 0.0);
            assert!(a["probe"]["effects"]
                .as_str()
                .unwrap()
                .contains("FallbackIntent"));
        } else {
            let report = stdout(&out);
            assert!(
                report.contains(&format!(", {} attempts to ", sent.len())),
                "{report}"
            );
            assert!(report.contains("  probe: each attempt is one turn in a new session"));
        }
    }
}

/// Another actor turns selective logging on for the alias's text and/or audio logs, through
/// the SDK.
async fn turn_selective_logging_on(world: &World, text: bool, audio: bool) {
    let lex = &world.clients.lex;
    let alias = lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .unwrap();
    let settings = alias.conversation_log_settings().unwrap();
    let texts: Vec<TextLogSetting> = settings
        .text_log_settings()
        .iter()
        .map(|t| {
            TextLogSetting::builder()
                .enabled(t.enabled())
                .set_destination(t.destination().cloned())
                .selective_logging_enabled(text)
                .build()
        })
        .collect();
    let audios: Vec<AudioLogSetting> = settings
        .audio_log_settings()
        .iter()
        .map(|a| {
            AudioLogSetting::builder()
                .enabled(a.enabled())
                .set_destination(a.destination().cloned())
                .selective_logging_enabled(audio)
                .build()
        })
        .collect();
    lex.update_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .bot_alias_name(alias.bot_alias_name().unwrap())
        .set_bot_version(alias.bot_version().map(str::to_string))
        .conversation_log_settings(
            ConversationLogSettings::builder()
                .set_text_log_settings(Some(texts).filter(|t| !t.is_empty()))
                .set_audio_log_settings(Some(audios).filter(|a| !a.is_empty()))
                .build(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_selective_logging_alias_is_probed_with_the_attributes_that_ask_for_logs() {
    // (dedicated role, audio logs too: text not selective, audio selective)
    for (dedicated, audio) in [(false, false), (true, false), (false, true)] {
        let account = fresh_account('8');
        let world = World::new_in(&account).await;
        let mut target = match dedicated {
            true => world.dedicated_args(),
            false => world.target_args(),
        };
        if audio {
            target.extend(["--audio-bucket".to_string(), world.bucket.clone()]);
        }
        let apply = with("apply", target, &["--yes"]);
        let endpoint = crate::support::endpoint();
        expect_exit(&run(&account, &endpoint, &apply).await, 0);
        turn_selective_logging_on(&world, !audio, audio).await;
        if audio {
            let proxy = FaultProxy::start(Fault::None).await;
            let verify = with("verify", world.target_args(), &["--output", "json"]);
            let out = run(&account, &proxy.endpoint, &verify).await;
            expect_exit(&out, 0);
            let a = alias_row(&json_of(&out), &world.alias_name).clone();
            assert_eq!(a["audio"]["status"], "delivered", "{a:#}");
            assert_eq!(a["text"]["status"], "delivered", "{a:#}");
            assert_eq!(a["probe"]["selectiveText"], false);
            assert_eq!(a["probe"]["selectiveAudio"], true);
            assert_eq!(
                a["probe"]["sessionAttributes"],
                serde_json::json!({"x-amz-lex:enable-audio-logging:*:*": "true"})
            );
            assert_eq!(
                a["audio"]["attempts"],
                probes(&proxy, "/utterance").len() as u64
            );
            continue;
        }

        // A user's turn without the attributes is not logged: the flag is on.
        let user_session = format!("user-{account}");
        world
            .clients
            .runtime
            .recognize_text()
            .bot_id(&world.bot_id)
            .bot_alias_id(&world.alias_id)
            .locale_id("en_US")
            .session_id(&user_session)
            .text("hello")
            .send()
            .await
            .unwrap();
        let proxy = FaultProxy::start(Fault::None).await;
        let verify = with("verify", world.target_args(), &["--output", "json"]);
        let out = run(&account, &proxy.endpoint, &verify).await;
        expect_exit(&out, 0);
        let a = alias_row(&json_of(&out), &world.alias_name).clone();
        assert_eq!(
            a["text"]["status"], "delivered",
            "dedicated {dedicated}: {a:#}"
        );
        assert_eq!(a["probe"]["selectiveText"], true);
        assert_eq!(
            a["probe"]["sessionAttributes"]["x-amz-lex:enable-text-logging:*:*"],
            "true"
        );
        let sent = probes(&proxy, "/text");
        assert_eq!(a["text"]["attempts"], sent.len() as u64);
        assert!(
            sent.iter()
                .all(|(_, body)| body.contains("x-amz-lex:enable-text-logging:*:*")),
            "every probe asks for text logs: {sent:?}"
        );
        let logged = world
            .clients
            .logs
            .filter_log_events()
            .log_group_name(world.log_group())
            .send()
            .await
            .unwrap();
        let messages: Vec<&str> = logged.events().iter().filter_map(|e| e.message()).collect();
        assert!(
            messages.iter().any(|m| m.contains(&sent[0].0))
                && !messages.iter().any(|m| m.contains(&user_session)),
            "the probe is logged, the user's turn is not: {messages:?}"
        );
        let text = stdout(
            &run(
                &account,
                &endpoint,
                &with("verify", world.target_args(), &[]),
            )
            .await,
        );
        assert!(
            text.contains("selective logging on (text logs): the probe set the session attributes x-amz-lex:enable-text-logging:*:* = \"true\""),
            "{text}"
        );
    }
}

#[tokio::test]
async fn an_alias_on_a_version_with_only_a_non_en_us_locale_is_probed_in_it() {
    let world = World::new().await;
    let lex = &world.clients.lex;
    // DRAFT gets de_DE, built; version 2 is published from de_DE alone.
    lex.create_bot_locale()
        .bot_id(&world.bot_id)
        .bot_version("DRAFT")
        .locale_id("de_DE")
        .nlu_intent_confidence_threshold(0.4)
        .send()
        .await
        .unwrap();
    lex.build_bot_locale()
        .bot_id(&world.bot_id)
        .bot_version("DRAFT")
        .locale_id("de_DE")
        .send()
        .await
        .unwrap();
    for _ in 0..50 {
        let locale = lex
            .describe_bot_locale()
            .bot_id(&world.bot_id)
            .bot_version("DRAFT")
            .locale_id("de_DE")
            .send()
            .await
            .unwrap();
        if locale.bot_locale_status().map(|s| s.as_str()) == Some("Built") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let version = lex
        .create_bot_version()
        .bot_id(&world.bot_id)
        .bot_version_locale_specification(
            "de_DE",
            BotVersionLocaleDetails::builder()
                .source_bot_version("DRAFT")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let german = lex
        .create_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_name("german")
        .bot_version(version.bot_version().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(german.bot_version(), Some("2"));
    let target = vec![
        "--bot".to_string(),
        world.bot_name.clone(),
        "--alias".into(),
        "german".into(),
    ];
    let endpoint = crate::support::endpoint();
    expect_exit(
        &run(
            "test",
            &endpoint,
            &with("apply", target.clone(), &["--yes"]),
        )
        .await,
        0,
    );
    let proxy = FaultProxy::start(Fault::None).await;
    let out = run(
        "test",
        &proxy.endpoint,
        &with("verify", target, &["--output", "json"]),
    )
    .await;
    expect_exit(&out, 0);
    let a = alias_row(&json_of(&out), "german").clone();
    assert_eq!(a["locale"], "de_DE", "{a:#}");
    assert_eq!(a["text"]["status"], "delivered");
    assert_eq!(a["text"]["found"]["bot"]["localeId"], "de_DE");
    let sent = probes(&proxy, "/text");
    assert!(!sent.is_empty());
    assert!(proxy
        .calls()
        .iter()
        .filter(|c| c.path.contains("/sessions/"))
        .all(|c| c.path.contains("/botLocales/de_DE/")));
}
