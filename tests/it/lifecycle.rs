//! plan, apply and destroy end to end against LocalStack, checking the account through the SDK.

use lex_logs_setup::policy::{equivalent, parse_returned};
use serde_json::{json, Value};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{
    endpoint, expect_exit, run_tool_at, set_default_kms_key, stderr, stdout, unique, World,
    ACCOUNT, REGION,
};

/// Runs the tool for this world with extra arguments, through `endpoint` (in place, the default).
async fn tool(
    world: &World,
    endpoint: &str,
    command: &str,
    extra: &[&str],
) -> std::process::Output {
    run_with(world.target_args(), endpoint, command, extra).await
}

/// Runs the tool for this world in dedicated-role mode (`--role-name LexLogs-<bot>
/// --publish-version`).
async fn dedicated(
    world: &World,
    endpoint: &str,
    command: &str,
    extra: &[&str],
) -> std::process::Output {
    run_with(world.dedicated_args(), endpoint, command, extra).await
}

async fn run_with(
    target: Vec<String>,
    endpoint: &str,
    command: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut args: Vec<String> = vec![command.into()];
    args.extend(target);
    args.extend(extra.iter().map(|s| s.to_string()));
    if command != "plan" {
        args.push("--yes".into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool_at(endpoint, &args).await
}

/// The default document of our policy `<role>-<suffix>`, as the snapshot reads it.
async fn policy_document(world: &World, suffix: &str) -> Option<Value> {
    let snapshot = world.snapshot().await;
    let document = &snapshot["policies"][format!("{}-{suffix}", world.role_name())]["document"];
    (!document.is_null()).then(|| document.clone())
}

/// In place, the statement `sid` of the inline policy `<setup>-ConversationLogs` apply put on the
/// bot's service-linked role, as a document of its own (None when it is not there).
async fn in_place_statement(world: &World, sid: &str) -> Option<Value> {
    let snapshot = world.snapshot().await;
    let name = format!("{}-ConversationLogs", world.role_name());
    let statement = snapshot["botRole"]["inline"][&name]["Statement"]
        .as_array()?
        .iter()
        .find(|s| s["Sid"] == sid)?
        .clone();
    Some(json!({"Version": "2012-10-17", "Statement": [statement]}))
}

async fn alias_logs(world: &World, alias_id: &str) -> Value {
    let alias = world
        .clients
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(alias_id)
        .send()
        .await
        .unwrap();
    lex_logs_setup::resources::alias::settings_json(alias.conversation_log_settings())
}

#[tokio::test]
async fn plan_changes_nothing_and_prints_every_change_as_json() {
    let world = World::new().await;
    let before = world.snapshot().await;
    let grant = format!("user/{}", world.user);
    // The dedicated role: a role to create, the bot switched to it.
    let out = dedicated(
        &world,
        &endpoint(),
        "plan",
        &[
            "--output",
            "json",
            "--retention-days",
            "30",
            "--grant-pass-role",
            &grant,
        ],
    )
    .await;
    expect_exit(&out, 0);
    assert_eq!(
        world.snapshot().await,
        before,
        "plan must not change anything"
    );
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON plan");
    let changes = plan["changes"].as_array().unwrap();
    for change in changes {
        for key in ["address", "action", "before", "after"] {
            assert!(change.get(key).is_some(), "{key} missing in {change}");
        }
    }
    let action_of = |address: &str| {
        changes
            .iter()
            .find(|c| c["address"] == address)
            .map(|c| c["action"].clone())
    };
    assert_eq!(
        action_of(&format!("role[{}]", world.role_name())),
        Some(json!("create"))
    );
    assert_eq!(
        action_of(&format!("log_group[{}]", world.log_group())),
        Some(json!("create"))
    );
    assert_eq!(
        action_of(&format!("bot[{}]", world.bot_name)),
        Some(json!("update"))
    );
    assert_eq!(
        action_of(&format!("alias[{}/live]", world.bot_name)),
        Some(json!("update"))
    );
    assert_eq!(plan["summary"]["update"], 2);

    let out = dedicated(&world, &endpoint(), "plan", &["--detailed-exitcode"]).await;
    expect_exit(&out, 2);
    assert!(
        stdout(&out).contains(&format!("+ role[{}]", world.role_name())),
        "{}",
        stdout(&out)
    );

    // In place (the default): an inline policy on the service-linked role version 1 runs on,
    // no role of ours and no change to the bot; only the alias is updated.
    let out = tool(&world, &endpoint(), "plan", &["--output", "json"]).await;
    expect_exit(&out, 0);
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON plan");
    let changes = plan["changes"].as_array().unwrap();
    let action_of = |address: &str| {
        changes
            .iter()
            .find(|c| c["address"] == address)
            .map(|c| c["action"].clone())
    };
    assert_eq!(
        action_of(&format!(
            "inline_policy[role/{}/{}-ConversationLogs]",
            world.bot_role_name(),
            world.role_name()
        )),
        Some(json!("create")),
        "{changes:?}"
    );
    assert_eq!(action_of(&format!("role[{}]", world.role_name())), None);
    assert_eq!(action_of(&format!("bot[{}]", world.bot_name)), None);
    assert_eq!(
        action_of(&format!("alias[{}/live]", world.bot_name)),
        Some(json!("update"))
    );
    assert_eq!(plan["summary"]["update"], 1);
    assert_eq!(
        world.snapshot().await,
        before,
        "plan must not change anything"
    );
}

#[tokio::test]
async fn apply_sets_up_text_logs_then_reapply_and_destroy_converge() {
    let world = World::new().await;
    let before = world.snapshot().await;
    let grant = format!("user/{}", world.user);
    let flags = [
        "--retention-days",
        "30",
        "--grant-pass-role",
        grant.as_str(),
    ];

    let proxy = FaultProxy::start(Fault::None).await;
    let out = dedicated(&world, &proxy.endpoint, "apply", &flags).await;
    expect_exit(&out, 0);
    let mut mutating = proxy.mutating();
    mutating.sort();
    assert_eq!(
        mutating,
        [
            "iam:AttachRolePolicy",
            "iam:AttachRolePolicy",
            "iam:CreatePolicy",
            "iam:CreatePolicy",
            "iam:CreateRole",
            // The service-linked role's inline sentiment policy, copied to our role.
            "iam:PutRolePolicy",
            "iam:PutUserPolicy",
            // The alias runs version 1 on the service-linked role: --publish-version publishes
            // DRAFT (now on our role) as version 2 for it.
            "lex:CreateBotVersion",
            "lex:UpdateBot",
            "lex:UpdateBotAlias",
            "logs:CreateLogGroup",
            "logs:PutRetentionPolicy",
        ],
        "a fresh apply makes exactly these changes"
    );

    // The role: trusted by Lex V2 only, for this account and bot; tagged as ours.
    let c = &world.clients;
    let role_name = world.role_name();
    let role = c
        .iam
        .get_role()
        .role_name(&role_name)
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let trust = parse_returned(role.assume_role_policy_document().unwrap()).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "lexv2.amazonaws.com"
    );
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"],
        ACCOUNT
    );
    let tags: std::collections::BTreeMap<_, _> =
        role.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert_eq!(
        tags.get("lex-logs-setup:managed-by"),
        Some(&"lex-logs-setup")
    );
    assert_eq!(
        tags.get("lex-logs-setup:previous-role-arn"),
        Some(&world.bot_role_arn.as_str())
    );
    // Its policies: CloudWatch on the one log group, and the bot runtime actions of the
    // service-linked role it replaces.
    let cloudwatch = policy_document(&world, "CloudWatchLogs")
        .await
        .expect("CloudWatch policy");
    let group_arn = format!(
        "arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{}",
        world.log_group()
    );
    assert!(equivalent(
        &cloudwatch,
        &json!({"Version": "2012-10-17", "Statement": [{"Sid": "WriteConversationLogs", "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": format!("{group_arn}:*")}]})
    ));
    let runtime = policy_document(&world, "LexBotRuntime")
        .await
        .expect("bot runtime policy");
    assert_eq!(
        runtime["Statement"][0]["Action"],
        json!(["polly:SynthesizeSpeech", "comprehend:DetectSentiment"])
    );
    let attached = c
        .iam
        .list_attached_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached_policies().len(), 2);
    // The grant: PassRole on this role only, only to Lex V2.
    let grant_doc = c
        .iam
        .get_user_policy()
        .user_name(&world.user)
        .policy_name(format!("LexLogsPassRole-{role_name}"))
        .send()
        .await
        .unwrap();
    let grant_doc = parse_returned(grant_doc.policy_document()).unwrap();
    assert_eq!(
        grant_doc["Statement"][0]["Resource"],
        json!([format!("arn:aws:iam::{ACCOUNT}:role/{role_name}")])
    );
    assert_eq!(
        grant_doc["Statement"][0]["Condition"]["StringEquals"]["iam:PassedToService"],
        "lexv2.amazonaws.com"
    );
    // The log group, with retention.
    let groups = c
        .logs
        .describe_log_groups()
        .log_group_name_prefix(world.log_group())
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups()[0].retention_in_days(), Some(30));
    // The bot runs with the role; the alias logs text there; every other field survived.
    let bot = c
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        bot.role_arn(),
        Some(format!("arn:aws:iam::{ACCOUNT}:role/{role_name}").as_str())
    );
    assert_eq!(bot.description(), Some("a bot for tests"));
    let logs = alias_logs(&world, &world.alias_id).await;
    assert_eq!(
        logs["textLogSettings"],
        json!([{"enabled": true, "cloudWatchLogGroupArn": group_arn, "logPrefix": "lex/"}])
    );
    let after_apply = world.snapshot().await;
    assert_eq!(
        after_apply["aliases"]["live"]["description"],
        before["aliases"]["live"]["description"]
    );
    assert_eq!(
        after_apply["aliases"]["live"]["locales"],
        before["aliases"]["live"]["locales"]
    );
    assert_eq!(
        after_apply["aliases"]["live"]["sentiment"],
        before["aliases"]["live"]["sentiment"]
    );
    // The alias moved from version 1 (on the service-linked role) to version 2, which this run
    // published on our role.
    assert_eq!(before["aliases"]["live"]["botVersion"], "1");
    assert_eq!(after_apply["aliases"]["live"]["botVersion"], "2");
    assert_eq!(
        after_apply["versions"]["2"],
        json!(format!("arn:aws:iam::{ACCOUNT}:role/{role_name}"))
    );
    assert_eq!(after_apply["versions"]["1"], before["versions"]["1"]);
    assert_eq!(
        after_apply["aliases"]["TestBotAlias"], before["aliases"]["TestBotAlias"],
        "other aliases untouched"
    );

    // A second apply finds nothing to do and makes no mutating call.
    let proxy = FaultProxy::start(Fault::None).await;
    let out = dedicated(&world, &proxy.endpoint, "apply", &flags).await;
    expect_exit(&out, 0);
    assert!(stdout(&out).contains("No changes"), "{}", stdout(&out));
    assert_eq!(proxy.mutating(), Vec::<String>::new());
    assert_eq!(world.snapshot().await, after_apply);

    // plan --destroy shows destroy's plan and changes nothing.
    let out = dedicated(
        &world,
        &endpoint(),
        "plan",
        &["--destroy", "--output", "json"],
    )
    .await;
    expect_exit(&out, 0);
    let destroy_plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(destroy_plan["command"], "destroy");
    let role_change = destroy_plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == format!("role[{role_name}]"))
        .cloned();
    assert_eq!(
        role_change.map(|c| c["action"].clone()),
        Some(json!("delete"))
    );
    assert_eq!(
        world.snapshot().await,
        after_apply,
        "plan --destroy changes nothing"
    );

    // destroy restores the bot and removes what is ours (the version it published too: the alias
    // goes back to version 1); the log group stays.
    let out = dedicated(&world, &endpoint(), "destroy", &[]).await;
    expect_exit(&out, 0);
    let after_destroy = world.snapshot().await;
    assert_eq!(after_destroy["bot"], before["bot"]);
    assert_eq!(after_destroy["aliases"], before["aliases"]);
    assert_eq!(after_destroy["versions"], before["versions"]);
    assert_eq!(after_destroy["botRole"], before["botRole"]);
    assert_eq!(after_destroy["role"], Value::Null);
    assert_eq!(after_destroy["grant"], Value::Null);
    assert!(after_destroy["policies"]
        .as_object()
        .unwrap()
        .values()
        .all(Value::is_null));
    assert_eq!(
        after_destroy["logGroups"], after_apply["logGroups"],
        "the log group and its logs are kept"
    );

    // A second destroy finds nothing to do.
    let proxy = FaultProxy::start(Fault::None).await;
    let out = dedicated(&world, &proxy.endpoint, "destroy", &[]).await;
    expect_exit(&out, 0);
    assert_eq!(proxy.mutating(), Vec::<String>::new());
}

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

#[tokio::test]
async fn a_foreign_role_of_the_same_name_is_never_taken_over() {
    let world = World::new().await;
    world
        .clients
        .iam
        .create_role()
        .role_name(world.role_name())
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .unwrap();
    let before = world.snapshot().await;
    let out = dedicated(&world, &endpoint(), "apply", &[]).await;
    expect_exit(&out, 64);
    let err = stderr(&out);
    assert!(
        err.contains("was not created by lex-logs-setup") && err.contains("--role-name"),
        "{err}"
    );
    assert_eq!(world.snapshot().await, before);

    let out = dedicated(&world, &endpoint(), "destroy", &[]).await;
    expect_exit(&out, 0);
    assert!(stdout(&out).contains("left alone"), "{}", stdout(&out));
    assert_eq!(
        world.snapshot().await,
        before,
        "destroy leaves a foreign role alone"
    );
}

#[tokio::test]
async fn a_bot_on_a_customer_managed_role_keeps_its_permissions() {
    let world = World::new().await;
    let c = &world.clients;
    let customer_role = unique("customer-role-");
    c.iam
        .create_role()
        .role_name(&customer_role)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lexv2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    let managed = c
        .iam
        .create_policy()
        .policy_name(unique("polly-"))
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"polly:SynthesizeSpeech","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let managed_arn = managed.policy().unwrap().arn().unwrap().to_string();
    c.iam
        .attach_role_policy()
        .role_name(&customer_role)
        .policy_arn(&managed_arn)
        .send()
        .await
        .unwrap();
    let inline = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]});
    c.iam
        .put_role_policy()
        .role_name(&customer_role)
        .policy_name("invoke-fulfilment")
        .policy_document(inline.to_string())
        .send()
        .await
        .unwrap();
    let customer_arn = format!("arn:aws:iam::{ACCOUNT}:role/{customer_role}");
    let bot = c
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    c.lex
        .update_bot()
        .bot_id(&world.bot_id)
        .bot_name(&world.bot_name)
        .description(bot.description().unwrap())
        .role_arn(&customer_arn)
        .set_data_privacy(bot.data_privacy().cloned())
        .idle_session_ttl_in_seconds(bot.idle_session_ttl_in_seconds().unwrap())
        .send()
        .await
        .unwrap();

    // Dedicated: our role carries the customer role's permissions (the bot's DRAFT runs on it).
    let plan = dedicated(&world, &endpoint(), "plan", &[]).await;
    assert!(
        stdout(&plan).contains(&format!(
            "carries the permissions of the bot's previous role {customer_arn}"
        )),
        "{}",
        stdout(&plan)
    );
    let out = dedicated(&world, &endpoint(), "apply", &[]).await;
    expect_exit(&out, 0);
    let snapshot = world.snapshot().await;
    let attached = snapshot["role"]["attached"].as_array().unwrap();
    assert!(attached.contains(&json!(managed_arn)), "{attached:?}");
    assert!(equivalent(
        &snapshot["role"]["inline"]["invoke-fulfilment"],
        &inline
    ));
    assert!(
        policy_document(&world, "LexBotRuntime").await.is_none(),
        "only a service-linked role needs the runtime policy"
    );

    let out = dedicated(&world, &endpoint(), "destroy", &[]).await;
    expect_exit(&out, 0);
    let bot = c
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    assert_eq!(bot.role_arn(), Some(customer_arn.as_str()));
    let still = c
        .iam
        .list_attached_role_policies()
        .role_name(&customer_role)
        .send()
        .await
        .unwrap();
    assert_eq!(
        still.attached_policies().len(),
        1,
        "the customer role is untouched"
    );
    c.iam
        .get_role_policy()
        .role_name(&customer_role)
        .policy_name("invoke-fulfilment")
        .send()
        .await
        .expect("inline policy kept");
    c.iam
        .get_policy()
        .policy_arn(&managed_arn)
        .send()
        .await
        .expect("the customer's policy is not ours to delete");
}

#[tokio::test]
async fn a_failure_half_way_is_rolled_back_exactly() {
    let world = World::new().await;
    let before = world.snapshot().await;
    let grant = format!("user/{}", world.user);
    // The 12th and last mutating call of this apply is UpdateBotAlias, the 11th CreateBotVersion
    // (the realistic world's alias runs version 1 on the service-linked role, so
    // --publish-version publishes one), the 10th UpdateBot; the 5th is one of the role's steps
    // (they include the copy of the service-linked role's inline sentiment policy).
    for (k, expected) in [
        (12, Some("lex:UpdateBotAlias")),
        (11, Some("lex:CreateBotVersion")),
        (10, Some("lex:UpdateBot")),
        (5, None),
    ] {
        let proxy = FaultProxy::start(Fault::Reject(k)).await;
        let out = dedicated(
            &world,
            &proxy.endpoint,
            "apply",
            &["--retention-days", "7", "--grant-pass-role", &grant],
        )
        .await;
        expect_exit(&out, 1);
        let rejected: Vec<String> = proxy
            .calls()
            .into_iter()
            .filter(|c| c.injected == "rejected")
            .map(|c| format!("{}:{}", c.service, c.operation))
            .collect();
        assert_eq!(rejected.len(), 1, "k={k}: {rejected:?}");
        if let Some(expected) = expected {
            assert_eq!(rejected[0], expected, "k={k}");
        }
        let text = stdout(&out);
        assert!(
            text.contains("Rolled back")
                && text.contains("The account is as it was before this run."),
            "k={k}: {text}"
        );
        assert!(
            text.contains("AccessDenied")
                && text.contains("request id injected-0000-1111")
                && text.contains("next:"),
            "k={k}: {text}"
        );
        assert_eq!(
            world.snapshot().await,
            before,
            "k={k}: the account must be exactly as before"
        );
    }
}

#[tokio::test]
async fn apply_succeeds_when_two_in_five_mutating_calls_are_throttled() {
    let world = World::new().await;
    let proxy = FaultProxy::start(Fault::Throttle(0.4)).await;
    let grant = format!("user/{}", world.user);
    let beta = world.add_alias("beta").await;
    // The tool's own retry settings, not the tests' quick ones. In place, with two aliases,
    // retention and a grant: 6 mutating calls (PutRolePolicy, PutUserPolicy, CreateLogGroup,
    // PutRetentionPolicy, 2 UpdateBotAlias); two in five of them and of their retries are
    // throttled, 3 in all (with 5 calls, only 2 would be).
    let mut command = crate::support::tool_command(
        &proxy.endpoint,
        &[
            "apply",
            "--bot",
            &world.bot_name,
            "--alias",
            "live",
            "--alias",
            "beta",
            "--retention-days",
            "7",
            "--grant-pass-role",
            &grant,
            "--yes",
        ],
    );
    command.env_remove("AWS_MAX_ATTEMPTS");
    let out = command.output().await.unwrap();
    expect_exit(&out, 0);
    let throttled = proxy
        .calls()
        .iter()
        .filter(|c| c.injected == "throttled")
        .count();
    assert!(throttled >= 3, "the proxy throttled {throttled} calls");
    for id in [&world.alias_id, &beta] {
        let logs = alias_logs(&world, id).await;
        assert_eq!(logs["textLogSettings"][0]["enabled"], true);
    }
    let after = world.snapshot().await;
    assert!(!after["grant"].is_null());
    assert_eq!(after["logGroups"][0]["retention"], 7);
    assert!(after["botRole"]["inline"]
        .get(format!("{}-ConversationLogs", world.role_name()))
        .is_some());
}

#[tokio::test]
async fn a_lost_response_ends_in_success_or_in_the_exact_previous_state() {
    let world = World::new().await;
    let before = world.snapshot().await;
    // Dedicated, this apply makes 9 mutating calls: the 9th is UpdateBotAlias, the 8th
    // CreateBotVersion, the 3rd one of the role's steps. (The old k=10 was past the end of
    // this apply, which made 8 calls before --publish-version.)
    for k in [9, 8, 3] {
        let proxy = FaultProxy::start(Fault::Lose(k)).await;
        let out = dedicated(&world, &proxy.endpoint, "apply", &[]).await;
        assert!(
            proxy.calls().iter().any(|c| c.injected == "lost"),
            "k={k}: no answer was lost"
        );
        match out.status.code() {
            Some(0) => {
                let logs = alias_logs(&world, &world.alias_id).await;
                assert_eq!(logs["textLogSettings"][0]["enabled"], true, "k={k}");
                let out = dedicated(&world, &endpoint(), "destroy", &[]).await;
                expect_exit(&out, 0);
            }
            Some(1) => {}
            other => panic!("k={k}: exit {other:?}\n{}\n{}", stdout(&out), stderr(&out)),
        }
        let after = world.snapshot().await;
        assert_eq!(after["bot"], before["bot"], "k={k}");
        assert_eq!(after["aliases"], before["aliases"], "k={k}");
        assert_eq!(after["versions"], before["versions"], "k={k}");
        assert_eq!(after["role"], Value::Null, "k={k}");
    }
}

#[tokio::test]
async fn a_failed_rollback_lists_what_is_left_and_exits_3_and_destroy_cleans_up() {
    let world = World::new().await;
    let before = world.snapshot().await;
    let grant = format!("user/{}", world.user);
    // This apply makes 11 mutating calls (9 before --publish-version added CreateBotVersion and
    // the service-linked role's inline policy is copied to ours); the 11th (UpdateBotAlias) fails,
    // and so does every undo of the 10 changes before it.
    let proxy = FaultProxy::start(Fault::RejectFrom(11)).await;
    let out = dedicated(
        &world,
        &proxy.endpoint,
        "apply",
        &["--grant-pass-role", &grant, "--output", "json"],
    )
    .await;
    expect_exit(&out, 3);
    let outcome: Value = serde_json::from_slice(&out.stdout).expect("JSON outcome");
    assert_eq!(outcome["status"], "rollback-incomplete");
    assert_eq!(
        outcome["error"]["code"], "AccessDeniedException",
        "refused in Lex's own format"
    );
    assert_eq!(
        outcome["error"]["address"],
        format!("alias[{}/live]", world.bot_name)
    );
    let left = outcome["left"].as_array().unwrap();
    assert_eq!(left.len(), 10, "{left:?}");
    assert!(
        left.iter().any(|l| l["command"]
            .as_str()
            .is_some_and(|c| c.contains("delete-bot-version"))),
        "the published version is left: {left:?}"
    );
    let role_left = left
        .iter()
        .find(|l| l["address"] == format!("role[{}]", world.role_name()))
        .expect("the role is left");
    assert_eq!(
        role_left["command"],
        format!("aws iam delete-role --role-name {}", world.role_name())
    );
    assert!(left.iter().all(|l| l["error"]
        .as_str()
        .is_some_and(|e| e.contains("AccessDenied"))));

    // What is left is ours and tagged as such: destroy removes it (the log group is kept by design).
    let out = dedicated(&world, &endpoint(), "destroy", &[]).await;
    expect_exit(&out, 0);
    let after = world.snapshot().await;
    assert_eq!(after["role"], Value::Null);
    assert_eq!(after["grant"], Value::Null);
    assert_eq!(after["policies"], before["policies"]);
    assert_eq!(after["bot"], before["bot"]);
    assert_eq!(after["aliases"], before["aliases"]);
    assert_eq!(after["versions"], before["versions"]);
}

#[tokio::test]
async fn apply_waits_while_iam_propagates_the_new_role_and_says_so() {
    let world = World::new().await;
    let proxy = FaultProxy::start(Fault::RoleNotYetUsable(2)).await;
    let out = dedicated(&world, &proxy.endpoint, "apply", &[]).await;
    expect_exit(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("waiting for IAM") && err.contains("attempt 2"),
        "{err}"
    );
    let update_bot_calls = proxy
        .calls()
        .iter()
        .filter(|c| c.operation == "UpdateBot")
        .count();
    assert_eq!(update_bot_calls, 3, "two refusals, then success");
    let bot = world
        .clients
        .lex
        .describe_bot()
        .bot_id(&world.bot_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        bot.role_arn(),
        Some(format!("arn:aws:iam::{ACCOUNT}:role/{}", world.role_name()).as_str())
    );
}
