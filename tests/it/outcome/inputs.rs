//! Inputs AWS accepts: a log group given by its ARN (with or without the `:*` IAM adds) is that
//! group, and one of another account is refused before any change; an audio key given by an
//! alias is resolved to the key, and the plan says so.

use crate::support::{expect_exit, stderr, stdout, unique, World, ACCOUNT, REGION};

use super::{cmd, logged, say, tool};

#[tokio::test]
async fn a_log_group_arn_is_its_group_and_one_of_another_account_is_refused() {
    let world = World::new().await;
    let group = world.log_group();
    let before = world.snapshot().await;
    let elsewhere = format!("arn:aws:logs:{REGION}:999999999999:log-group:{group}");
    let out = tool(cmd(
        "apply",
        &world.target_args(),
        &["--log-group", &elsewhere, "--yes"],
    ))
    .await;
    expect_exit(&out, 64);
    assert!(
        stderr(&out).contains("only to a group in the bot's own account and region"),
        "{}",
        stderr(&out)
    );
    assert_eq!(world.snapshot().await, before, "refused before any change");
    for arn in [
        format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*"),
        format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"),
    ] {
        let out = tool(cmd(
            "apply",
            &world.target_args(),
            &["--log-group", &arn, "--yes"],
        ))
        .await;
        expect_exit(&out, 0);
    }
    let (_, settings) = world.alias_now(&world.alias_id).await;
    assert_eq!(
        settings["textLogSettings"][0]["cloudWatchLogGroupArn"],
        format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}")
    );
    let (session, _) = say(&world, &world.alias_id, "by arn").await;
    assert_eq!(logged(&world, &group, &session).await.len(), 1);
}

#[tokio::test]
async fn an_audio_key_given_by_alias_is_resolved_and_said() {
    let world = World::new().await;
    let alias = format!("alias/{}", unique("audio-key-"));
    world
        .clients
        .kms
        .create_alias()
        .alias_name(&alias)
        .target_key_id(&world.key_id)
        .send()
        .await
        .unwrap();
    let mut target = world.target_args();
    target.extend([
        "--audio-bucket".into(),
        world.bucket.clone(),
        "--kms-key".into(),
        alias.clone(),
    ]);
    let plan = tool(cmd("plan", &target, &[])).await;
    expect_exit(&plan, 0);
    assert!(
        stdout(&plan).contains(&format!("KMS key {alias} is key {}", world.key_arn)),
        "{}",
        stdout(&plan)
    );
    expect_exit(&tool(cmd("apply", &target, &["--yes"])).await, 0);
    let (_, settings) = world.alias_now(&world.alias_id).await;
    assert_eq!(
        settings["audioLogSettings"][0]["kmsKeyArn"],
        world.key_arn.as_str()
    );
}
