//! Checks that read what AWS reads (issue 21, items 2 and 3), on the twin: a key open only
//! through S3 passes the static check and delivers; a bucket policy that refuses Lex is named by
//! verify and warned about by the plan; a bucket of another account is refused before any
//! change; a disabled setting of another team is not taken over; the account's quota of attached
//! policies is honoured; the inline policies of a service-linked role have a size limit.

use serde_json::{json, Value};

use crate::support::{
    alias_row, expect_exit, fresh_account, json_of, run_tool, stderr, stdout, unique, World,
};

const NOT_DELIVERED: i32 = 4;
const USAGE: i32 = 64;

fn args_of(world: &World, dedicated: bool, more: &[&str]) -> Vec<String> {
    let mut args = if dedicated {
        world.dedicated_args()
    } else {
        world.target_args()
    };
    args.extend(more.iter().map(|s| s.to_string()));
    args
}

async fn tool(command: &str, args: &[String], more: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = vec![command];
    all.extend(args.iter().map(String::as_str));
    all.extend(more.iter().copied());
    run_tool(&all).await
}

/// A key policy that lets the account administer the key but use it only through S3 in the
/// bot's region, for callers of the account (the AWS-managed `aws/s3` key's form): IAM policies
/// grant nothing on it.
fn s3_only_key_policy(account: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
         "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:Put*"], "Resource": "*"},
        {"Sid": "UseThroughS3", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:GenerateDataKey*", "kms:Decrypt", "kms:Encrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": account}}}]})
}

#[tokio::test]
async fn a_key_open_only_through_s3_passes_the_static_check_and_delivers_audio() {
    for dedicated in [false, true] {
        let world = World::new().await;
        let account = world.clients.caller().await.unwrap().scope.account;
        world
            .clients
            .kms
            .put_key_policy()
            .key_id(&world.key_id)
            .policy_name("default")
            .policy(s3_only_key_policy(&account).to_string())
            .send()
            .await
            .unwrap();
        let prefix = format!("{}/", unique("calls"));
        let args = args_of(
            &world,
            dedicated,
            &[
                "--audio-bucket",
                &world.bucket,
                "--audio-prefix",
                &prefix,
                "--kms-key",
                &world.key_arn,
            ],
        );
        let plan = tool("plan", &args, &[]).await;
        expect_exit(&plan, 0);
        assert!(
            !stdout(&plan).contains("does not let IAM policies"),
            "a key open through S3 needs no IAM delegation: {}",
            stdout(&plan)
        );
        expect_exit(&tool("apply", &args, &["--yes"]).await, 0);
        let target = world.target_args();
        let out = tool("verify", &target, &["--static-only", "--output", "json"]).await;
        expect_exit(&out, 0);
        let report = json_of(&out);
        let a = alias_row(&report, &world.alias_name);
        assert!(
            a["warnings"].as_array().is_none_or(|w| w.is_empty()),
            "{a:#}"
        );
        let out = tool("verify", &target, &["--output", "json"]).await;
        expect_exit(&out, 0);
        let report = json_of(&out);
        let a = alias_row(&report, &world.alias_name);
        assert_eq!(
            a["audio"]["status"], "delivered",
            "dedicated={dedicated}: {a:#}"
        );
        let key = a["audio"]["found"]["key"].as_str().unwrap();
        let object = world
            .clients
            .s3
            .get_object()
            .bucket(&world.bucket)
            .key(key)
            .send()
            .await
            .unwrap();
        assert_eq!(
            object.server_side_encryption().map(|s| s.as_str()),
            Some("aws:kms")
        );
        assert_eq!(object.ssekms_key_id(), Some(world.key_arn.as_str()));
        let body = object.body.collect().await.unwrap().into_bytes();
        assert!(body.starts_with(b"RIFF"), "a WAV read back");
    }
}

#[tokio::test]
async fn a_bucket_policy_that_denies_lex_is_named_by_verify_and_warned_by_plan() {
    let world = World::new().await;
    let prefix = format!("{}/", unique("calls"));
    let args = args_of(
        &world,
        false,
        &["--audio-bucket", &world.bucket, "--audio-prefix", &prefix],
    );
    expect_exit(&tool("apply", &args, &["--yes"]).await, 0);
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": format!("arn:aws:s3:::{}/*", world.bucket), "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "OnlyThroughVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": format!("arn:aws:s3:::{}/*", world.bucket), "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}}]});
    world
        .clients
        .s3
        .put_bucket_policy()
        .bucket(&world.bucket)
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();

    // verify's static check names the statement (and only that one), before any traffic.
    let target = world.target_args();
    let out = tool("verify", &target, &["--static-only", "--output", "json"]).await;
    expect_exit(&out, NOT_DELIVERED);
    let report = json_of(&out);
    let a = alias_row(&report, &world.alias_name);
    assert_eq!(a["audio"]["status"], "not_delivered", "{a:#}");
    assert_eq!(
        a["text"]["status"], "static_ok",
        "text does not depend on the bucket: {a:#}"
    );
    let problems = a["audio"]["problems"].to_string();
    assert!(
        problems.contains("OnlyThroughVpce") && !problems.contains("TlsOnly"),
        "{problems}"
    );
    assert!(problems.contains(&world.bot_role_arn), "{problems}");

    // status reports the same static verdict.
    let out = tool("status", &args, &["--output", "json"]).await;
    assert!(stdout(&out).contains("OnlyThroughVpce"), "{}", stdout(&out));

    // The plan warns (it does not refuse: the request's context is partly assumed).
    let out = tool("plan", &args, &[]).await;
    expect_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("warning: bucket") && text.contains("OnlyThroughVpce"),
        "{text}"
    );

    // The dedicated mode's plan names our role as the one refused.
    let dedicated = args_of(
        &world,
        true,
        &["--audio-bucket", &world.bucket, "--audio-prefix", &prefix],
    );
    let out = tool("plan", &dedicated, &[]).await;
    expect_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("OnlyThroughVpce") && text.contains(&format!("role/{}", world.role_name())),
        "{text}"
    );

    // And the twin refuses Lex's write: the live probe does not find the audio.
    let out = tool("verify", &target, &["--output", "json", "--timeout", "15"]).await;
    expect_exit(&out, NOT_DELIVERED);
    let a = alias_row(&json_of(&out), &world.alias_name).clone();
    assert_eq!(a["text"]["status"], "delivered", "{a:#}");
    assert_eq!(a["audio"]["status"], "not_delivered", "{a:#}");
}

#[tokio::test]
async fn a_bucket_of_another_account_is_refused_before_any_change() {
    let world = World::new().await;
    let other = World::new_in(&fresh_account('7')).await;
    let before = world.snapshot().await;
    for dedicated in [false, true] {
        let args = args_of(&world, dedicated, &["--audio-bucket", &other.bucket]);
        let out = tool("apply", &args, &["--yes"]).await;
        expect_exit(&out, USAGE);
        let err = stderr(&out);
        let account = world.clients.caller().await.unwrap().scope.account;
        assert!(
            err.contains(&other.bucket) && err.contains(&account),
            "dedicated={dedicated}: {err}"
        );
        assert_eq!(world.snapshot().await, before, "nothing changed");
    }
}

#[tokio::test]
async fn a_disabled_setting_of_another_team_is_not_taken_over() {
    for dedicated in [false, true] {
        let world = World::new().await;
        let (group, mut theirs) = world.other_teams_logs().await;
        theirs.text_log_settings.as_mut().unwrap()[0].enabled = false;
        world.deploy(&world.alias_id, None, Some(theirs)).await;
        let args = args_of(&world, dedicated, &[]);
        let out = tool("apply", &args, &["--yes"]).await;
        expect_exit(&out, 0);
        let (_, settings) = world.alias_now(&world.alias_id).await;
        let shown = settings.to_string();
        assert!(
            shown.contains(&world.log_group()) && !shown.contains(&group),
            "dedicated={dedicated}: {shown}"
        );
        let account = world.clients.caller().await.unwrap().scope.account;
        let tags = world
            .clients
            .lex
            .list_tags_for_resource()
            .resource_arn(format!(
                "arn:aws:lex:us-east-1:{account}:bot-alias/{}/{}",
                world.bot_id, world.alias_id
            ))
            .send()
            .await
            .unwrap();
        let tags = tags.tags().cloned().unwrap_or_default();
        assert!(
            !tags.keys().any(|k| k.contains("previous")),
            "no take-over record: {tags:?}"
        );
    }
}
