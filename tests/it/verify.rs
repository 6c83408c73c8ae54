//! `verify` on the twin: after apply every alias delivers and the log line is read back; when the
//! role loses its permission, its trust, or meets a Deny, verify names the alias, the role, the
//! action and the resource and exits 4; after destroy the aliases are not configured; audio with
//! KMS; a log group deleted behind the tool's back; and a delivery that never comes (timeout).

use serde_json::{json, Value};

use crate::support::{
    alias_row, endpoint, expect_exit, json_of, run_tool, stderr, stdout, tool_command, unique,
    World,
};

const NOT_DELIVERED: i32 = 4;

async fn tool(command: &str, args: &[String], more: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = vec![command];
    all.extend(args.iter().map(String::as_str));
    all.extend(more.iter().copied());
    run_tool(&all).await
}

fn with_test_alias(world: &World) -> Vec<String> {
    let mut args = world.target_args();
    args.extend(["--alias".to_string(), "TestBotAlias".to_string()]);
    args
}

#[tokio::test]
async fn after_apply_every_alias_delivers_then_a_lost_permission_is_named_then_destroy_leaves_none()
{
    let world = World::new().await;
    let args = with_test_alias(&world);

    // Before apply: nothing configured; verify sends nothing and says so.
    let out = tool("verify", &args, &[]).await;
    expect_exit(&out, NOT_DELIVERED);
    assert!(stdout(&out).contains("not configured"), "{}", stdout(&out));

    expect_exit(&tool("apply", &args, &["--yes"]).await, 0);

    let out = tool("verify", &args, &["--output", "json"]).await;
    expect_exit(&out, 0);
    let report = json_of(&out);
    assert_eq!(report["ok"], true, "{report:#}");
    for name in [world.alias_name.as_str(), "TestBotAlias"] {
        let a = alias_row(&report, name);
        assert_eq!(a["status"], "delivered", "{a:#}");
        assert_eq!(a["text"]["status"], "delivered", "{a:#}");
        assert_eq!(a["audio"]["status"], "not_configured");
        let session = a["sessionId"].as_str().unwrap();
        assert!(session.starts_with("lex-logs-setup-verify-"), "{session}");
        let line = &a["text"]["found"];
        assert_eq!(
            line["sessionId"], session,
            "the log line read back: {line:#}"
        );
        assert_eq!(line["bot"]["id"], world.bot_id.as_str());
        assert!(a["role"]
            .as_str()
            .unwrap()
            .contains("AWSServiceRoleForLexV2Bots_"));
        assert_eq!(a["locale"], "en_US");
    }
    assert_eq!(alias_row(&report, &world.alias_name)["version"], "1");
    assert_eq!(alias_row(&report, "TestBotAlias")["version"], "DRAFT");
    assert!(
        stderr(&out).contains("waiting for the text log line"),
        "progress on stderr: {}",
        stderr(&out)
    );

    // Text output, and the static check alone.
    let out = tool("verify", &world.target_args(), &[]).await;
    expect_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("  text   delivered in "), "{text}");
    assert!(text.contains("log line: {"), "{text}");
    assert!(text.contains("1 of 1 aliases delivered"), "{text}");
    let out = tool("verify", &args, &["--static-only"]).await;
    expect_exit(&out, 0);
    assert!(
        stdout(&out).contains("static check passed"),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("session"),
        "no traffic: {}",
        stdout(&out)
    );

    // Behind the tool's back: our inline policy leaves the service-linked role.
    world
        .clients
        .iam
        .delete_role_policy()
        .role_name(world.bot_role_name())
        .policy_name(format!("{}-ConversationLogs", world.role_name()))
        .send()
        .await
        .unwrap();
    let out = tool("verify", &args, &["--timeout", "20"]).await;
    expect_exit(&out, NOT_DELIVERED);
    let text = stdout(&out);
    let stream = format!(
        "arn:aws:logs:us-east-1:000000000000:log-group:{}:log-stream:lex/{}/{}/en_US/",
        world.log_group(),
        world.bot_id,
        world.alias_id
    );
    for needed in [
        format!("{}/live ({})", world.bot_name, world.alias_id),
        format!("role {} lacks", world.bot_role_arn),
        "logs:PutLogEvents".to_string(),
        stream,
        "not delivered".to_string(),
        "ConversationLogsTextDeliveryFailure: 1".to_string(),
        "0 of 2 aliases delivered".to_string(),
    ] {
        assert!(text.contains(&needed), "{needed:?} in\n{text}");
    }

    // Apply puts it back; destroy turns the logs off.
    expect_exit(&tool("apply", &args, &["--yes"]).await, 0);
    expect_exit(&tool("verify", &args, &["--static-only"]).await, 0);
    expect_exit(&tool("destroy", &args, &["--yes"]).await, 0);
    let out = tool("verify", &args, &["--output", "json"]).await;
    expect_exit(&out, NOT_DELIVERED);
    let report = json_of(&out);
    for name in [world.alias_name.as_str(), "TestBotAlias"] {
        assert_eq!(
            alias_row(&report, name)["status"],
            "not_configured",
            "{report:#}"
        );
        assert!(
            alias_row(&report, name)["sessionId"].is_null(),
            "no traffic"
        );
    }
}

#[tokio::test]
async fn audio_with_kms_is_delivered_and_apply_verify_says_so_from_a_config_file() {
    let world = World::new().await;
    let prefix = format!("calls-{}/", unique("p"));
    let config = std::env::temp_dir().join(format!("{}.toml", unique("verify-")));
    std::fs::write(
        &config,
        format!(
            "[[target]]\nbot = {:?}\naliases = [{:?}]\naudio_bucket = {:?}\naudio_prefix = {:?}\nkms_key = {:?}\n",
            world.bot_name, world.alias_name, world.bucket, prefix, world.key_arn
        ),
    )
    .unwrap();
    let config = config.to_string_lossy().to_string();
    let out = tool(
        "apply",
        &["--config".to_string(), config.clone()],
        &["--yes", "--verify", "--output", "json"],
    )
    .await;
    expect_exit(&out, 0);
    let outcome = json_of(&out);
    let a = alias_row(&outcome["verify"], &world.alias_name);
    assert_eq!(a["status"], "delivered", "{outcome:#}");
    assert_eq!(a["text"]["status"], "delivered");
    assert_eq!(a["audio"]["status"], "delivered");
    let key = a["audio"]["found"]["key"].as_str().unwrap();
    assert!(key.starts_with(&prefix), "{key}");
    assert!(key.contains(a["sessionId"].as_str().unwrap()), "{key}");
    assert_eq!(
        a["audio"]["destination"],
        format!("s3://{}/{}", world.bucket, prefix)
    );

    // The role loses kms:GenerateDataKey: in place on a service-linked role our grants are one
    // inline policy; rewrite it without its KMS statement. Audio is named, text still arrives.
    let name = format!("{}-ConversationLogs", world.role_name());
    let doc = world
        .clients
        .iam
        .get_role_policy()
        .role_name(world.bot_role_name())
        .policy_name(&name)
        .send()
        .await
        .unwrap();
    let mut doc: Value = lex_logs_setup::policy::parse_returned(doc.policy_document()).unwrap();
    let statements = doc["Statement"].as_array_mut().unwrap();
    statements.retain(|s| !s.to_string().contains("kms:"));
    world
        .clients
        .iam
        .put_role_policy()
        .role_name(world.bot_role_name())
        .policy_name(&name)
        .policy_document(doc.to_string())
        .send()
        .await
        .unwrap();
    let out = tool(
        "verify",
        &["--config".to_string(), config.clone()],
        &["--output", "json", "--timeout", "20"],
    )
    .await;
    expect_exit(&out, NOT_DELIVERED);
    let report = json_of(&out);
    let a = alias_row(&report, &world.alias_name);
    assert_eq!(a["text"]["status"], "delivered", "{a:#}");
    assert_eq!(a["audio"]["status"], "not_delivered", "{a:#}");
    let problem = a["audio"]["problems"][0].as_str().unwrap();
    assert!(
        problem.contains("lacks kms:GenerateDataKey on")
            && problem.contains(&world.key_arn)
            && problem.contains(&world.bot_role_arn),
        "{problem}"
    );
    assert_eq!(a["audio"]["failureMetric"], 1.0, "{a:#}");
    let _ = std::fs::remove_file(&config);
}

/// A bot on a customer role with this trust policy, its alias `prod` on version 1, logs applied.
async fn customer_bot(world: &World, trust: &Value) -> (Vec<String>, String, String) {
    let iam = &world.clients.iam;
    let role_name = unique("team-role-");
    let role_arn = iam
        .create_role()
        .role_name(&role_name)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_string();
    let lex = &world.clients.lex;
    let bot_name = unique("TeamBot");
    let bot_id = lex
        .create_bot()
        .bot_name(&bot_name)
        .role_arn(&role_arn)
        .data_privacy(
            aws_sdk_lexmodelsv2::types::DataPrivacy::builder()
                .child_directed(false)
                .build(),
        )
        .idle_session_ttl_in_seconds(300)
        .send()
        .await
        .unwrap()
        .bot_id()
        .unwrap()
        .to_string();
    let version = crate::support::publish_version(lex, &bot_id, &[]).await;
    lex.create_bot_alias()
        .bot_id(&bot_id)
        .bot_alias_name("prod")
        .bot_version(&version)
        .send()
        .await
        .unwrap();
    let args = vec![
        "--bot".to_string(),
        bot_name,
        "--alias".to_string(),
        "prod".to_string(),
    ];
    expect_exit(&tool("apply", &args, &["--yes"]).await, 0);
    (args, role_name, role_arn)
}

#[tokio::test]
async fn a_trust_that_lex_cannot_use_is_named_whether_the_principal_or_the_account_is_wrong() {
    let world = World::new().await;
    let ec2 = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let (args, role_name, role_arn) = customer_bot(&world, &ec2).await;

    let out = tool("verify", &args, &["--static-only"]).await;
    expect_exit(&out, NOT_DELIVERED);
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "lexv2.amazonaws.com may not assume role {role_arn}"
        )),
        "{text}"
    );
    assert!(text.contains("/prod ("), "names the alias: {text}");

    // Lex as principal, but only for another account: live, the twin agrees and counts it.
    let other_account = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]});
    world
        .clients
        .iam
        .update_assume_role_policy()
        .role_name(&role_name)
        .policy_document(other_account.to_string())
        .send()
        .await
        .unwrap();
    let out = tool("verify", &args, &["--output", "json", "--timeout", "20"]).await;
    expect_exit(&out, NOT_DELIVERED);
    let report = json_of(&out);
    let a = alias_row(&report, "prod");
    let problem = a["text"]["problems"][0].as_str().unwrap();
    assert!(problem.contains("may not assume role"), "{problem}");
    assert!(
        problem.contains("aws:SourceAccount=000000000000"),
        "{problem}"
    );
    assert_eq!(a["text"]["failureMetric"], 1.0, "{a:#}");

    // The right account: delivered.
    let right = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "000000000000"},
            "ArnLike": {"aws:SourceArn": "arn:aws:lex:us-east-1:000000000000:bot-alias/*"}}}]});
    world
        .clients
        .iam
        .update_assume_role_policy()
        .role_name(&role_name)
        .policy_document(right.to_string())
        .send()
        .await
        .unwrap();
    expect_exit(&tool("verify", &args, &[]).await, 0);
}

#[tokio::test]
async fn an_explicit_deny_and_a_missing_log_group_are_caught_before_any_traffic() {
    let world = World::new().await;
    let args = world.target_args();
    expect_exit(&tool("apply", &args, &["--yes"]).await, 0);
    let iam = &world.clients.iam;
    iam.put_role_policy()
        .role_name(world.bot_role_name())
        .policy_name("Guard")
        .policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoConversationLogs", "Effect": "Deny",
                "Action": "logs:Put*", "Resource": "*"}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let out = tool("verify", &args, &["--timeout", "20"]).await;
    expect_exit(&out, NOT_DELIVERED);
    let text = stdout(&out);
    assert!(
        text.contains("lacks logs:PutLogEvents on arn:aws:logs:"),
        "{text}"
    );
    assert!(
        text.contains(
            "explicitly denied by statement \"NoConversationLogs\" of policy Guard (inline)"
        ),
        "{text}"
    );
    assert!(
        !text.contains("CreateLogStream"),
        "only the denied action: {text}"
    );
    iam.delete_role_policy()
        .role_name(world.bot_role_name())
        .policy_name("Guard")
        .send()
        .await
        .unwrap();
    expect_exit(&tool("verify", &args, &["--static-only"]).await, 0);

    world
        .clients
        .logs
        .delete_log_group()
        .log_group_name(world.log_group())
        .send()
        .await
        .unwrap();
    let out = tool("verify", &args, &["--static-only", "--output", "json"]).await;
    expect_exit(&out, NOT_DELIVERED);
    let report = json_of(&out);
    let a = alias_row(&report, &world.alias_name);
    assert_eq!(a["text"]["status"], "not_delivered");
    assert_eq!(
        a["text"]["problems"][0],
        format!(
            "log group {} does not exist (Lex does not create it; `lex-logs-setup apply` does)",
            world.log_group()
        )
    );
}

#[tokio::test]
async fn a_delivery_that_never_comes_times_out_although_the_static_check_passes() {
    // An account of its own: the twin's IAM propagation setting is per account.
    let account = "424242424242";
    let world = World::new_as(account).await;
    let run = |args: Vec<String>| async move {
        tool_command(
            &endpoint(),
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .env("AWS_ACCESS_KEY_ID", account)
        .output()
        .await
        .unwrap()
    };
    let mut apply = vec!["apply".to_string(), "--yes".to_string()];
    apply.extend(world.target_args());
    expect_exit(&run(apply).await, 0);
    // Every role of this account is now "too young" for Lex to assume.
    crate::support::twin_settings(account, json!({"iam_propagation_seconds": 3600})).await;
    let mut verify = vec![
        "verify".to_string(),
        "--timeout".to_string(),
        "2".to_string(),
    ];
    verify.extend(world.target_args());
    let started = std::time::Instant::now();
    let out = run(verify.clone()).await;
    crate::support::twin_settings(account, json!({"iam_propagation_seconds": 0})).await;
    expect_exit(&out, NOT_DELIVERED);
    let text = stdout(&out);
    assert!(
        text.contains("timed out: no text log line after")
            && text.contains("(--timeout 2 s for the whole run)"),
        "{text}"
    );
    assert!(!text.contains(" - "), "the static check passed: {text}");
    assert!(
        text.contains("ConversationLogsTextDeliveryFailure: 1"),
        "{text}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    // Propagated: delivered.
    expect_exit(&run(verify).await, 0);
}
