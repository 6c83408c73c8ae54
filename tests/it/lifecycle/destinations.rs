//! Audio destinations (a KMS key given by alias, the bucket's default key) and several aliases
//! set up in one run.

use serde_json::json;

use crate::support::{endpoint, expect_exit, set_default_kms_key, unique, World, ACCOUNT, REGION};

use super::{alias_logs, in_place_statement, tool};

#[tokio::test]
async fn audio_only_with_a_kms_key_given_by_alias() {
    let world = World::new().await;
    let alias = format!("alias/{}", unique("audio"));
    world
        .clients
        .kms
        .create_alias()
        .alias_name(&alias)
        .target_key_id(&world.key_id)
        .send()
        .await
        .unwrap();
    let out = tool(
        &world,
        &endpoint(),
        "apply",
        &[
            "--no-text-logs",
            "--audio-bucket",
            &world.bucket,
            "--audio-prefix",
            "audio/",
            "--kms-key",
            &alias,
        ],
    )
    .await;
    expect_exit(&out, 0);
    // In place: the statements go into the inline policy on the bot's service-linked role.
    let s3 = in_place_statement(&world, "WriteAudioLogs")
        .await
        .expect("S3 statement");
    assert_eq!(s3["Statement"][0]["Action"], json!(["s3:PutObject"]));
    assert_eq!(
        s3["Statement"][0]["Resource"],
        json!([format!("arn:aws:s3:::{}/audio/*", world.bucket)])
    );
    let kms = in_place_statement(&world, "EncryptAudioLogs")
        .await
        .expect("KMS statement");
    assert_eq!(kms["Statement"][0]["Resource"], json!([world.key_arn]));
    assert_eq!(
        kms["Statement"][0]["Action"],
        json!(["kms:GenerateDataKey", "kms:Decrypt"])
    );
    assert!(
        in_place_statement(&world, "WriteConversationLogs")
            .await
            .is_none(),
        "no text logs, no CloudWatch statement"
    );
    let logs = alias_logs(&world, &world.alias_id).await;
    assert!(
        logs.get("textLogSettings").is_none(),
        "audio only: no text list at all (the model allows exactly one item): {logs}"
    );
    assert_eq!(
        logs["audioLogSettings"],
        json!([{"enabled": true, "s3BucketArn": format!("arn:aws:s3:::{}", world.bucket), "logPrefix": "audio/", "kmsKeyArn": world.key_arn}])
    );
    assert_eq!(
        world.snapshot().await["logGroups"],
        json!([]),
        "no log group is created for audio only"
    );
}

#[tokio::test]
async fn audio_uses_the_buckets_default_kms_key() {
    let world = World::new().await;
    set_default_kms_key(&world.clients.s3, &world.bucket, &world.key_arn).await;
    let out = tool(
        &world,
        &endpoint(),
        "apply",
        &["--audio-bucket", &world.bucket],
    )
    .await;
    expect_exit(&out, 0);
    let kms = in_place_statement(&world, "EncryptAudioLogs")
        .await
        .expect("KMS statement for the bucket's key");
    assert_eq!(kms["Statement"][0]["Resource"], json!([world.key_arn]));
    let logs = alias_logs(&world, &world.alias_id).await;
    assert_eq!(
        logs["audioLogSettings"][0]["kmsKeyArn"],
        json!(world.key_arn)
    );
    assert_eq!(logs["audioLogSettings"][0]["logPrefix"], "lex-audio/");
    assert_eq!(
        logs["textLogSettings"][0]["enabled"], true,
        "text logs stay on by default"
    );
}

#[tokio::test]
async fn several_aliases_are_set_up_in_one_run() {
    let world = World::new().await;
    let beta = world.add_alias("beta").await;
    let before = world.snapshot().await;
    let out = tool(&world, &endpoint(), "apply", &["--alias", "beta"]).await;
    expect_exit(&out, 0);
    let group_arn = format!(
        "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{}",
        world.log_group()
    );
    for id in [world.alias_id.as_str(), beta.as_str()] {
        assert_eq!(
            alias_logs(&world, id).await["textLogSettings"][0]["cloudWatchLogGroupArn"],
            json!(group_arn)
        );
    }
    let after = world.snapshot().await;
    assert_eq!(
        after["aliases"]["beta"]["description"],
        before["aliases"]["beta"]["description"]
    );
    assert_eq!(
        after["aliases"]["beta"]["locales"],
        before["aliases"]["beta"]["locales"]
    );
    assert_eq!(
        after["aliases"]["TestBotAlias"],
        before["aliases"]["TestBotAlias"]
    );
}
