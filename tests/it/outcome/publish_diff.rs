//! `--publish-version` publishes the new version from the locales of the version the alias runs,
//! so only the role (and the bot's own settings, said) change: a locale built in DRAFT but not in
//! the alias's version stays out, and the plan says so; apply then does exactly that.

use serde_json::Value;

use crate::support::{expect_exit, World};

use super::{cmd, tool, with};

/// The notes of a plan printed as JSON.
fn plan_notes(out: &std::process::Output) -> Vec<String> {
    expect_exit(out, 0);
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON plan");
    plan["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

/// The locale ids of a version of the world's bot.
async fn locales_of(world: &World, version: &str) -> Vec<String> {
    let out = world
        .clients
        .lex
        .list_bot_locales()
        .bot_id(&world.bot_id)
        .bot_version(version)
        .send()
        .await
        .expect("ListBotLocales");
    let mut ids: Vec<String> = out
        .bot_locale_summaries()
        .iter()
        .filter_map(|l| l.locale_id().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn the_new_version_keeps_the_running_versions_locales_and_the_plan_says_what_stays_out() {
    let world = World::new().await;
    let lex = &world.clients.lex;
    // DRAFT gets fr_FR, built, and a longer idle session TTL; version 1 (what `live` runs) has
    // en_US alone, and DRAFT's en_GB stays unbuilt.
    lex.create_bot_locale()
        .bot_id(&world.bot_id)
        .bot_version("DRAFT")
        .locale_id("fr_FR")
        .nlu_intent_confidence_threshold(0.4)
        .send()
        .await
        .expect("CreateBotLocale fr_FR");
    lex.build_bot_locale()
        .bot_id(&world.bot_id)
        .bot_version("DRAFT")
        .locale_id("fr_FR")
        .send()
        .await
        .expect("BuildBotLocale fr_FR");
    let bot = lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    lex.update_bot()
        .bot_id(&world.bot_id)
        .bot_name(&world.bot_name)
        .role_arn(bot.role_arn().unwrap())
        .set_data_privacy(bot.data_privacy().cloned())
        .idle_session_ttl_in_seconds(600)
        .send()
        .await
        .expect("UpdateBot");
    assert_eq!(locales_of(&world, "1").await, vec!["en_US".to_string()]);
    let before = world.snapshot().await;

    let args = world.dedicated_args();
    let out = tool(cmd("plan", &with(args.clone(), &["--output", "json"]), &[])).await;
    let notes = plan_notes(&out);
    let live = notes
        .iter()
        .find(|n| n.starts_with("alias live runs version 1 now"))
        .unwrap_or_else(|| panic!("no note for live: {notes:#?}"));
    let role = format!("arn:aws:iam::000000000000:role/{}", world.role_name());
    for said in [
        format!("role {} -> {role}", world.bot_role_arn),
        "idle session TTL 300 s -> 600 s (the bot's setting now)".to_string(),
        "locales, intents and slot types are version 1's".into(),
    ] {
        assert!(live.contains(&said), "{said:?} not in {live}");
    }
    let left = notes
        .iter()
        .find(|n| {
            n.starts_with(&format!(
                "DRAFT of bot {} differs from version 1",
                world.bot_name
            ))
        })
        .unwrap_or_else(|| panic!("no note for DRAFT: {notes:#?}"));
    for said in [
        "locale fr_FR is built in DRAFT only",
        "locale en_GB is in DRAFT only (NotBuilt)",
    ] {
        assert!(left.contains(said), "{said:?} not in {left}");
    }
    assert!(!left.contains("en_US"), "en_US is alike in both: {left}");
    assert_eq!(world.snapshot().await, before, "plan changes nothing");

    // Apply publishes exactly that: the alias's new version has version 1's en_US, not DRAFT's
    // fr_FR nor en_GB.
    expect_exit(&tool(cmd("apply", &args, &["--yes"])).await, 0);
    let now = world.snapshot().await["aliases"]["live"]["botVersion"].clone();
    let version = now.as_str().expect("live runs a version").to_string();
    assert_ne!(version, "1");
    assert_eq!(
        locales_of(&world, &version).await,
        vec!["en_US".to_string()]
    );
    // Now on a version of our role, live is repointed no more: no comparison is made.
    let out = tool(cmd("plan", &with(args, &["--output", "json"]), &[])).await;
    let notes = plan_notes(&out);
    assert!(
        notes
            .iter()
            .all(|n| !n.contains("the version published from its locales differs")),
        "{notes:#?}"
    );
}
