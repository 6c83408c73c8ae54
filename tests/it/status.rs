//! `status` on a world of mixed bots in one account: one logging through our setup, one logging to
//! another team's group its role cannot write, one not logging, one whose version's role is gone;
//! as a table, as JSON, and with drift against a config file (exit code 2).

use serde_json::Value;

use crate::support::{expect_exit, fresh_account, run_tool_as, stdout, unique, World};

/// Points the world's live alias at `group` (made here) for text logs, as another team would.
async fn log_elsewhere(world: &World, group: &str) {
    use aws_sdk_lexmodelsv2::types::{
        CloudWatchLogGroupLogDestination, ConversationLogSettings, TextLogDestination,
        TextLogSetting,
    };
    world
        .clients
        .logs
        .create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap();
    let account = world.clients.caller().await.unwrap().scope.account;
    let arn = format!(
        "arn:aws:logs:{}:{account}:log-group:{group}",
        world.clients.region
    );
    let destination = CloudWatchLogGroupLogDestination::builder()
        .cloud_watch_log_group_arn(arn)
        .log_prefix("other/")
        .build()
        .unwrap();
    let settings = ConversationLogSettings::builder()
        .text_log_settings(
            TextLogSetting::builder()
                .enabled(true)
                .destination(
                    TextLogDestination::builder()
                        .cloud_watch(destination)
                        .build(),
                )
                .build(),
        )
        .build();
    update_live_alias(world, None, Some(settings)).await;
}

/// Replaces the world's live alias with its version and log settings changed as given (`None`:
/// as it is), every other field sent back as read.
async fn update_live_alias(
    world: &World,
    version: Option<&str>,
    settings: Option<aws_sdk_lexmodelsv2::types::ConversationLogSettings>,
) {
    let described = world
        .clients
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .unwrap();
    world
        .clients
        .lex
        .update_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .bot_alias_name(&world.alias_name)
        .set_bot_version(version.or(described.bot_version()).map(str::to_string))
        .set_bot_alias_locale_settings(described.bot_alias_locale_settings().cloned())
        .set_conversation_log_settings(
            settings.or_else(|| described.conversation_log_settings().cloned()),
        )
        .send()
        .await
        .unwrap();
}

/// Moves the bot to a customer role, publishes version 2 on it, points live at version 2, then
/// deletes the role: the alias runs on a role that no longer exists.
async fn strand_on_a_deleted_role(world: &World) -> String {
    let iam = &world.clients.iam;
    let name = unique("gone-");
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lexv2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let role = iam
        .create_role()
        .role_name(&name)
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    let arn = role.role().unwrap().arn().to_string();
    let bot = world
        .clients
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    world
        .clients
        .lex
        .update_bot()
        .bot_id(&world.bot_id)
        .bot_name(&world.bot_name)
        .role_arn(&arn)
        .set_data_privacy(bot.data_privacy().cloned())
        .idle_session_ttl_in_seconds(bot.idle_session_ttl_in_seconds().unwrap_or(300))
        .send()
        .await
        .unwrap();
    let version = crate::support::publish_version(&world.clients.lex, &world.bot_id, &[]).await;
    update_live_alias(world, Some(&version), None).await;
    iam.delete_role().role_name(&name).send().await.unwrap();
    arn
}

fn row<'a>(status: &'a Value, bot: &str, alias: &str) -> &'a Value {
    status["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["bot"] == bot && a["alias"] == alias)
        .unwrap_or_else(|| panic!("no row {bot}/{alias} in {status}"))
}

#[tokio::test]
async fn status_tells_ours_from_theirs_from_none_and_names_what_cannot_write() {
    let account = fresh_account('5');
    let (ours, theirs, quiet, stranded) = tokio::join!(
        World::new_in(&account),
        World::new_in(&account),
        World::new_in(&account),
        World::new_in(&account)
    );
    let out = run_tool_as(
        &account,
        &["apply", "--bot", &ours.bot_name, "--alias", "live", "--yes"],
    )
    .await;
    expect_exit(&out, 0);
    let other_group = format!("/teams/{}", unique("other-"));
    log_elsewhere(&theirs, &other_group).await;
    log_elsewhere(&stranded, &format!("/teams/{}", unique("stranded-"))).await;
    let gone = strand_on_a_deleted_role(&stranded).await;

    let out = run_tool_as(
        &account,
        &[
            "status",
            "--all-bots",
            "--output",
            "json",
            "--detailed-exitcode",
        ],
    )
    .await;
    expect_exit(&out, 0);
    let status: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(status["summary"]["bots"], 4, "{status}");
    assert_eq!(
        status["summary"]["aliases"], 8,
        "live and TestBotAlias of each: {status}"
    );

    let mine = row(&status, &ours.bot_name, "live");
    assert_eq!(mine["text"]["destination"], ours.log_group());
    assert_eq!(
        (&mine["text"]["ours"], &mine["text"]["canWrite"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    assert_eq!(mine["role"], ours.bot_role_arn.as_str());
    assert!(
        mine.get("drift").is_none(),
        "nothing was asked of --all-bots"
    );

    let other = row(&status, &theirs.bot_name, "live");
    assert_eq!(other["text"]["destination"], other_group.as_str());
    assert_eq!(
        (&other["text"]["ours"], &other["text"]["canWrite"]),
        (&Value::Bool(false), &Value::Bool(false))
    );
    assert!(
        !other["text"]["problems"].as_array().unwrap().is_empty(),
        "{other}"
    );

    let none = row(&status, &quiet.bot_name, "live");
    assert_eq!(none["text"]["destination"], Value::Null);
    assert_eq!(none["version"], "1");

    let lost = row(&status, &stranded.bot_name, "live");
    assert_eq!(lost["role"], gone.as_str());
    assert_eq!(lost["version"], "2");
    assert_eq!(lost["text"]["canWrite"], false, "{lost}");

    // The table: one line per alias, the marks beside the destinations.
    let out = run_tool_as(&account, &["status", "--all-bots"]).await;
    expect_exit(&out, 0);
    let table = stdout(&out);
    assert!(table.starts_with("BOT "), "{table}");
    let line = |bot: &str| {
        table
            .lines()
            .find(|l| l.starts_with(bot) && l.contains(" live "))
            .unwrap_or_else(|| panic!("no line for {bot}:\n{table}"))
            .to_string()
    };
    assert!(
        line(&ours.bot_name).contains(&format!("{} (ours)", ours.log_group())),
        "{table}"
    );
    assert!(line(&theirs.bot_name).contains("(CANNOT WRITE)"), "{table}");
    assert!(
        table.contains("4 bot(s), 8 alias(es): 3 logging, 2 cannot write, 0 drifted."),
        "{table}"
    );

    // Against a config file: the set-up bot is as asked, the quiet one drifts.
    let config = format!(
        "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\n\n[[target]]\nbot = \"{}\"\naliases = [\"live\"]\n",
        ours.bot_name, quiet.bot_name
    );
    let path = std::env::temp_dir().join(format!("{}.toml", unique("status-")));
    std::fs::write(&path, config).unwrap();
    let path = path.to_str().unwrap();
    let out = run_tool_as(
        &account,
        &[
            "status",
            "--config",
            path,
            "--detailed-exitcode",
            "--output",
            "json",
        ],
    )
    .await;
    expect_exit(&out, 2);
    let status: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        row(&status, &ours.bot_name, "live")["drift"],
        serde_json::json!([])
    );
    let drift = row(&status, &quiet.bot_name, "live")["drift"].to_string();
    assert!(
        drift.contains(&format!("~ alias[{}/live]", quiet.bot_name)),
        "{drift}"
    );
    let out = run_tool_as(&account, &["status", "--config", path]).await;
    expect_exit(&out, 0);
}

#[tokio::test]
async fn status_goes_on_past_a_bot_it_cannot_read_and_says_why() {
    let account = fresh_account('5');
    let (fine, broken) = tokio::join!(World::new_in(&account), World::new_in(&account));
    // The alias runs version 2, which is then deleted under it.
    let version = crate::support::publish_version(&broken.clients.lex, &broken.bot_id, &[]).await;
    update_live_alias(&broken, Some(&version), None).await;
    broken
        .clients
        .lex
        .delete_bot_version()
        .bot_id(&broken.bot_id)
        .bot_version(&version)
        .skip_resource_in_use_check(true)
        .send()
        .await
        .unwrap();
    let out = run_tool_as(&account, &["status", "--all-bots", "--output", "json"]).await;
    expect_exit(&out, 1);
    let status: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(status["summary"]["unreadable"], 1, "{status}");
    let gone = row(&status, &broken.bot_name, "*");
    assert!(
        gone["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{gone}"
    );
    assert_eq!(row(&status, &fine.bot_name, "live")["version"], "1");
    // --bot without --alias: every alias of the bot.
    let out = run_tool_as(
        &account,
        &["status", "--bot", &fine.bot_name, "--output", "json"],
    )
    .await;
    expect_exit(&out, 0);
    let status: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        status["summary"]["aliases"], 2,
        "live and TestBotAlias: {status}"
    );
}
