//! A saved plan that may not run is refused before any change: the world moved since the plan
//! (the alias repointed by a deployment, the bot moved to another role, the log group made by
//! someone else), the credentials reach another account, the file is not a plan of this format,
//! or target flags are given with it.

use super::{error_of, run, save_plan};
use crate::support::{endpoint, expect_exit, fresh_account, run_tool_as, stderr, World};

#[tokio::test]
async fn a_world_moved_after_the_plan_is_refused_as_stale_and_left_as_it_is() {
    // Each: what moved, made between plan --out and apply FILE; what the refusal names. (In
    // place, the bot's own role is not what the plan changes: a dedicated plan moves the bot.)
    for (case, dedicated) in [
        ("repoint", false),
        ("bot role", true),
        ("log group", true),
        ("inline policy", false),
    ] {
        let world = World::new().await;
        let (_, path) = save_plan(&world, dedicated, &[]).await;
        let named = match case {
            "repoint" => {
                let version = world.publish().await;
                world.deploy(&world.alias_id, Some(&version), None).await;
                format!("alias[{}/{}]", world.bot_name, world.alias_name)
            }
            "bot role" => {
                let role = world.customer_role().await;
                world.move_bot_to(&role).await;
                format!("bot[{}]", world.bot_name)
            }
            "inline policy" => {
                let name = format!("{}-ConversationLogs", world.role_name());
                let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}"#;
                world
                    .clients
                    .iam
                    .put_role_policy()
                    .role_name(world.bot_role_name())
                    .policy_name(&name)
                    .policy_document(document)
                    .send()
                    .await
                    .unwrap();
                name
            }
            _ => {
                world
                    .clients
                    .logs
                    .create_log_group()
                    .log_group_name(world.log_group())
                    .send()
                    .await
                    .unwrap();
                format!("log_group[{}]", world.log_group())
            }
        };
        let before = world.snapshot().await;
        let out = run(
            &endpoint(),
            &[
                "apply".into(),
                path.to_str().unwrap().into(),
                "--output".into(),
                "json".into(),
            ],
        )
        .await;
        expect_exit(&out, 1);
        let error = error_of(&out);
        assert_eq!(error["kind"], "stale-plan", "{case}: {error}");
        let moved: Vec<String> = error["moved"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect();
        assert!(
            moved.iter().any(|m| m.contains(&named)),
            "{case}: {named} is not named in {moved:?}"
        );
        assert_eq!(
            world.snapshot().await,
            before,
            "{case}: nothing was changed"
        );
    }
}

#[tokio::test]
async fn a_plan_for_another_account_a_foreign_file_and_target_flags_are_refused() {
    let (mine, theirs) = (fresh_account('5'), fresh_account('6'));
    let world = World::new_in(&mine).await;
    let path = std::env::temp_dir().join(format!("{}.json", crate::support::unique("acct-")));
    let file = path.to_str().unwrap();
    let mut args: Vec<&str> = vec!["plan"];
    let target_args = world.target_args();
    args.extend(target_args.iter().map(String::as_str));
    args.extend(["--out", file]);
    expect_exit(&run_tool_as(&mine, &args).await, 0);
    let before = world.snapshot().await;
    // Another account's credentials.
    let out = run_tool_as(&theirs, &["apply", file]).await;
    expect_exit(&out, 64);
    assert!(
        stderr(&out).contains(&format!("was made for account {mine}"))
            && stderr(&out).contains(&format!("these credentials reach account {theirs}")),
        "{}",
        stderr(&out)
    );
    // Not a plan, another format, a plan edited by hand.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut other_format: serde_json::Value = serde_json::from_str(&text).unwrap();
    other_format["formatVersion"] = 2.into();
    let mut edited: serde_json::Value = serde_json::from_str(&text).unwrap();
    edited["plan"]["changes"][0]["action"] = "explode".into();
    for (content, said) in [
        (
            "{\"format_version\": \"1.2\", \"terraform_version\": \"1.9.0\"}".to_string(),
            "is not a lex-logs-setup plan file",
        ),
        (other_format.to_string(), "a plan file of format 2"),
        (edited.to_string(), "is damaged"),
    ] {
        let foreign =
            std::env::temp_dir().join(format!("{}.json", crate::support::unique("foreign-")));
        std::fs::write(&foreign, content).unwrap();
        let out = run_tool_as(&mine, &["apply", foreign.to_str().unwrap()]).await;
        expect_exit(&out, 64);
        assert!(stderr(&out).contains(said), "{said}: {}", stderr(&out));
        let shown = run_tool_as(&mine, &["show", foreign.to_str().unwrap()]).await;
        expect_exit(&shown, 64);
    }
    // A saved plan says what to set up: target flags beside it are a usage error.
    let out = run_tool_as(&mine, &["apply", file, "--bot", &world.bot_name]).await;
    expect_exit(&out, 64);
    assert_eq!(world.snapshot().await, before, "nothing was changed");
}
