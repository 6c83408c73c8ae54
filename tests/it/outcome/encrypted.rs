//! `--log-group-kms-key`: a group created with a customer managed key is encrypted with it and a
//! conversation's log line is read back; a group of ours created without a key gets it on a later
//! apply (a saved plan too); another team's only when taken over; a key whose policy does not let CloudWatch Logs
//! use it for the group is refused before any change, with the statement to add printed; destroy
//! leaves the key on the group; a rollback after the association puts back the key the group had.
//! In both modes, the key given as an alias and as an ARN.

use serde_json::json;

use crate::proxy::{Fault, FaultProxy};
use crate::support::{
    alias_row, expect_exit, json_of, run_tool_at, stderr, stdout, unique, World, ACCOUNT, REGION,
};

use super::{cmd, logged, say, tool, with};

fn group_arn(group: &str) -> String {
    format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}")
}

/// A new key (its ARN and an alias name for it) whose policy lets the account use it and, when
/// `for_group` is given, lets CloudWatch Logs use it for that group (the guide's statement).
async fn key(world: &World, for_group: Option<&str>) -> (String, String) {
    let mut statements = vec![json!({"Sid": "Root", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"})];
    if let Some(group) = for_group {
        statements.push(json!({"Sid": "Logs", "Effect": "Allow",
            "Principal": {"Service": format!("logs.{REGION}.amazonaws.com")},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": group_arn(group)}}}));
    }
    let policy = json!({"Version": "2012-10-17", "Statement": statements});
    let kms = &world.clients.kms;
    let made = kms
        .create_key()
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
    let metadata = made.key_metadata().unwrap();
    let alias = format!("alias/{}", unique("logs-"));
    kms.create_alias()
        .alias_name(&alias)
        .target_key_id(metadata.key_id())
        .send()
        .await
        .unwrap();
    (metadata.arn().unwrap().to_string(), alias)
}

/// The group's `kmsKeyId` (`None`: no key), read back; panics when the group does not exist.
async fn key_of(world: &World, group: &str) -> Option<String> {
    let found = world
        .clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .unwrap();
    let group = found
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(group))
        .expect("the group exists");
    group.kms_key_id().map(str::to_string)
}

/// What the run printed, on both streams.
fn shown(out: &std::process::Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

fn target(world: &World, dedicated: bool) -> Vec<String> {
    match dedicated {
        true => world.dedicated_args(),
        false => world.target_args(),
    }
}

/// Applied with a new group encrypted by the key, a conversation is read back; status names the
/// key; destroy leaves the group encrypted.
async fn created_encrypted(dedicated: bool, by_alias: bool) {
    let world = World::new().await;
    let group = world.log_group();
    let (arn, alias) = key(&world, Some(&group)).await;
    let given = if by_alias { &alias } else { &arn };
    let args = with(target(&world, dedicated), &["--log-group-kms-key", given]);
    let plan = tool(cmd("plan", &args, &[])).await;
    expect_exit(&plan, 0);
    let printed = shown(&plan);
    assert!(
        printed.contains(&arn),
        "the plan names the key's ARN: {printed}"
    );
    assert_eq!(printed.contains(&format!("{alias} is key {arn}")), by_alias);
    expect_exit(&tool(cmd("apply", &args, &["--yes"])).await, 0);
    assert_eq!(key_of(&world, &group).await.as_deref(), Some(arn.as_str()));
    let (session, _) = say(&world, &world.alias_id, "encrypted hello").await;
    assert_eq!(logged(&world, &group, &session).await.len(), 1);
    // Nothing left to change; status shows the key.
    let again = tool(cmd("plan", &args, &["--detailed-exitcode"])).await;
    expect_exit(&again, 0);
    let status = json_of(&tool(cmd("status", &args, &["--output", "json"])).await);
    assert_eq!(
        alias_row(&status, &world.alias_name)["text"]["kmsKeyId"],
        json!(arn)
    );
    // Destroy keeps the group, and its key, and says so.
    let out = tool(cmd("destroy", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(shown(&out).contains("stays encrypted"), "{}", shown(&out));
    assert_eq!(key_of(&world, &group).await.as_deref(), Some(arn.as_str()));
}

#[tokio::test]
async fn in_place_a_group_created_with_a_key_given_by_alias_is_encrypted_and_logs() {
    created_encrypted(false, true).await;
}

#[tokio::test]
async fn dedicated_a_group_created_with_a_key_given_by_arn_is_encrypted_and_logs() {
    created_encrypted(true, false).await;
}

#[tokio::test]
async fn a_key_whose_policy_does_not_admit_cloudwatch_logs_is_refused_before_any_change() {
    for dedicated in [false, true] {
        let world = World::new().await;
        let group = world.log_group();
        // No statement for CloudWatch Logs, and one for another group.
        for for_group in [None, Some("/aws/lex/another")] {
            let (arn, alias) = key(&world, for_group).await;
            let args = with(target(&world, dedicated), &["--log-group-kms-key", &alias]);
            let snapshot = world.snapshot().await;
            for command in [&["plan"][..], &["apply", "--yes"]] {
                let out = tool(cmd(command[0], &args, &command[1..])).await;
                expect_exit(&out, 64);
                let printed = shown(&out);
                for part in [
                    arn.as_str(),
                    &group_arn(&group),
                    "logs.us-east-1.amazonaws.com",
                    "\"kms:EncryptionContext:aws:logs:arn\"",
                    "never edits a key policy",
                ] {
                    assert!(
                        printed.contains(part),
                        "{command:?}: {part:?} not in {printed}"
                    );
                }
            }
            assert_eq!(world.snapshot().await, snapshot, "nothing changed");
        }
    }
}

#[tokio::test]
async fn a_group_of_ours_created_without_a_key_gets_it_on_a_second_apply() {
    for dedicated in [true, false] {
        let world = World::new().await;
        let group = world.log_group();
        let plain = target(&world, dedicated);
        expect_exit(&tool(cmd("apply", &plain, &["--yes"])).await, 0);
        assert_eq!(key_of(&world, &group).await, None);
        let (arn, alias) = key(&world, Some(&group)).await;
        let args = with(plain.clone(), &["--log-group-kms-key", &alias]);
        let plan = tool(cmd("plan", &args, &[])).await;
        let printed = shown(&plan);
        assert!(
            printed.contains("kmsKeyId")
                && printed.contains(&format!("encrypted with KMS key {arn}")),
            "{printed}"
        );
        // Reviewed first: the saved plan applies as it was shown.
        let file = std::env::temp_dir().join(format!("{}.json", unique("keyplan-")));
        let file = file.to_str().unwrap();
        expect_exit(&tool(cmd("plan", &args, &["--out", file])).await, 0);
        let applied = tool(vec!["apply".into(), file.into(), "--yes".into()]).await;
        expect_exit(&applied, 0);
        assert_eq!(key_of(&world, &group).await.as_deref(), Some(arn.as_str()));
        let (session, _) = say(&world, &world.alias_id, "now encrypted").await;
        assert_eq!(logged(&world, &group, &session).await.len(), 1);
    }
}

#[tokio::test]
async fn another_teams_group_is_encrypted_only_when_taken_over_and_keeps_the_key() {
    let world = World::new().await;
    let group = format!("/team-x/{}", unique("g"));
    world
        .clients
        .logs
        .create_log_group()
        .log_group_name(&group)
        .tags("team", "x")
        .send()
        .await
        .unwrap();
    let (arn, _) = key(&world, Some(&group)).await;
    let args = with(
        world.target_args(),
        &["--log-group", &group, "--log-group-kms-key", &arn],
    );
    let snapshot = world.snapshot().await;
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 64);
    let printed = shown(&out);
    for part in [group.as_str(), "--take-over-destinations", "another team's"] {
        assert!(printed.contains(part), "{part:?} not in {printed}");
    }
    assert_eq!(key_of(&world, &group).await, None);
    assert_eq!(world.snapshot().await, snapshot);
    let take = with(args, &["--take-over-destinations"]);
    let out = tool(cmd("apply", &take, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(
        shown(&out).contains("destroy leaves this key"),
        "{}",
        shown(&out)
    );
    assert_eq!(key_of(&world, &group).await.as_deref(), Some(arn.as_str()));
    let (session, _) = say(&world, &world.alias_id, "their group, our key").await;
    assert_eq!(logged(&world, &group, &session).await.len(), 1);
    expect_exit(&tool(cmd("destroy", &take, &["--yes"])).await, 0);
    assert_eq!(key_of(&world, &group).await.as_deref(), Some(arn.as_str()));
}

/// A group of ours, with `before` (no key, or a first key), is given a new key beside audio logs;
/// the alias's update then fails: the rollback puts back exactly the key the group had.
async fn rolled_back(dedicated: bool, first_key: bool) {
    let world = World::new().await;
    let group = world.log_group();
    let plain = target(&world, dedicated);
    let before = match first_key {
        true => Some(key(&world, Some(&group)).await.0),
        false => None,
    };
    let first = match &before {
        Some(arn) => with(plain.clone(), &["--log-group-kms-key", arn]),
        None => plain.clone(),
    };
    expect_exit(&tool(cmd("apply", &first, &["--yes"])).await, 0);
    assert_eq!(key_of(&world, &group).await, before);
    let snapshot = world.snapshot().await;
    let (arn, alias) = key(&world, Some(&group)).await;
    let args = with(
        plain,
        &[
            "--log-group-kms-key",
            &alias,
            "--audio-bucket",
            &world.bucket,
        ],
    );
    let proxy = FaultProxy::start(Fault::RejectOperation("lex:UpdateBotAlias")).await;
    let apply = cmd("apply", &args, &["--yes"]);
    let apply: Vec<&str> = apply.iter().map(String::as_str).collect();
    let out = run_tool_at(&proxy.endpoint, &apply).await;
    expect_exit(&out, 1);
    let calls: Vec<String> = proxy
        .calls()
        .into_iter()
        .map(|c| c.operation)
        .filter(|o| o.ends_with("KmsKey"))
        .collect();
    let undo = if before.is_some() {
        "AssociateKmsKey"
    } else {
        "DisassociateKmsKey"
    };
    assert_eq!(calls, ["AssociateKmsKey", undo], "{}", shown(&out));
    assert_ne!(key_of(&world, &group).await.as_deref(), Some(arn.as_str()));
    assert_eq!(key_of(&world, &group).await, before);
    assert_eq!(world.snapshot().await, snapshot, "the rest rolled back");
}

#[tokio::test]
async fn in_place_a_rollback_takes_the_new_key_off_a_group_that_had_none() {
    rolled_back(false, false).await;
}

#[tokio::test]
async fn dedicated_a_rollback_gives_the_group_back_its_first_key() {
    rolled_back(true, true).await;
}
