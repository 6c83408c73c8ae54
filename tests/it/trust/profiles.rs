//! A profile is named as missing when neither shared file defines it, whether `--profile` or
//! `AWS_PROFILE` names it and whatever other credentials the environment holds; a profile of
//! either file is used.

use crate::support::{expect_exit, stderr, tool_command_as, unique, World};

use super::run_bounded;

/// A shared config file and a shared credentials file in a directory of their own.
fn shared_files(config: &str, credentials: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(unique("aws-shared-"));
    std::fs::create_dir_all(&dir).unwrap();
    let (c, k) = (dir.join("config"), dir.join("credentials"));
    std::fs::write(&c, config).unwrap();
    std::fs::write(&k, credentials).unwrap();
    (c.display().to_string(), k.display().to_string())
}

#[tokio::test]
async fn a_profile_neither_file_defines_is_named_before_any_call() {
    let world = World::new().await;
    let (config, credentials) =
        shared_files("[profile ops]\nregion = us-east-1\n[staging]\n", "[ci]\n");
    let mut args: Vec<String> = vec!["plan".into()];
    args.extend(world.target_args());
    // With working credentials in the environment, an unknown --profile must not fall back to
    // them; and a config section without the word `profile` is pointed out.
    for (flag, env_profile, named, said) in [
        (
            Some("prod"),
            None,
            "--profile \"prod\"",
            "add [profile prod] to",
        ),
        (
            None,
            Some("prod"),
            "AWS_PROFILE \"prod\"",
            "add [profile prod] to",
        ),
        (
            Some("staging"),
            None,
            "--profile \"staging\"",
            "has a section [staging]",
        ),
    ] {
        let mut args = args.clone();
        if let Some(p) = flag {
            args.extend(["--profile".to_string(), p.to_string()]);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut command = tool_command_as("test", &crate::support::endpoint(), &refs);
        command
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", &credentials);
        if let Some(p) = env_profile {
            command.env("AWS_PROFILE", p);
        }
        let out = run_bounded(&mut command).await;
        expect_exit(&out, 64);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{named} names a profile that does not exist"))
                && err.contains(&format!("neither {config} nor {credentials} defines it"))
                && err.contains("(they define ci, ops)")
                && err.contains(said),
            "{err}"
        );
        assert!(
            !err.contains("credentials found"),
            "not blamed on credentials: {err}"
        );
    }
}

#[tokio::test]
async fn a_profile_of_the_credentials_file_is_used() {
    let account = crate::support::fresh_account('5');
    let world = World::new_in(&account).await;
    let (config, credentials) = shared_files(
        "[profile other]\nregion = us-east-1\n",
        &format!("[team]\naws_access_key_id = {account}\naws_secret_access_key = test\n"),
    );
    let mut args: Vec<String> = vec!["plan".into(), "--profile".into(), "team".into()];
    args.extend(world.target_args());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut command = tool_command_as("not-this-one", &crate::support::endpoint(), &refs);
    command
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials);
    let out = run_bounded(&mut command).await;
    expect_exit(&out, 0);
    assert!(
        crate::support::stdout(&out).contains(&world.bot_id),
        "the profile's account holds the bot: {}",
        stderr(&out)
    );
}
