//! Operator experience: help, completions, JSON shapes, progress, config files with several
//! targets, and the policy command (kept in sync with the calls the tool makes).

use lex_logs_setup::policy::equivalent;
use serde_json::{json, Value};

use crate::proxy::{Call, Fault, FaultProxy};
use crate::support::{
    endpoint, expect_exit, run_tool, run_tool_at, stderr, stdout, World, ACCOUNT, REGION,
};

#[tokio::test]
async fn help_documents_every_command_and_the_exit_codes() {
    let out = run_tool(&["--help"]).await;
    expect_exit(&out, 0);
    let help = stdout(&out);
    for word in [
        "plan",
        "apply",
        "destroy",
        "policy",
        "completions",
        "Exit codes:",
        "64",
        "rollback failed too",
    ] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    let out = run_tool(&["apply", "--help"]).await;
    for flag in [
        "--config",
        "--log-group",
        "--retention-days",
        "--audio-bucket",
        "--kms-key",
        "--grant-pass-role",
        "--yes",
        "--role-name",
    ] {
        assert!(
            stdout(&out).contains(flag),
            "{flag} missing from apply --help"
        );
    }
    expect_exit(&run_tool(&["frobnicate"]).await, 64);
}

#[tokio::test]
async fn the_manual_page_is_roff_with_every_command() {
    let out = run_tool(&["manual"]).await;
    expect_exit(&out, 0);
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH lex-logs-setup"),
        "{page}"
    );
    for word in ["apply", "destroy", "policy", "Exit codes"] {
        assert!(page.contains(word), "{word} missing from the manual");
    }
}

#[tokio::test]
async fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef lex-logs-setup"),
        ("fish", "complete -c lex-logs-setup"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run_tool(&["completions", shell]).await;
        expect_exit(&out, 0);
        let script = stdout(&out);
        assert!(
            script.contains(marker)
                && script.contains("destroy")
                && script.contains("grant-pass-role"),
            "{shell}:\n{script}"
        );
    }
}

#[tokio::test]
async fn apply_and_destroy_print_json_outcomes_in_the_plans_shape_and_progress_only_on_stderr() {
    let world = World::new().await;
    let out = run_tool(&[
        "apply",
        "--bot",
        &world.bot_name,
        "--alias",
        "live",
        "--yes",
        "--output",
        "json",
    ])
    .await;
    expect_exit(&out, 0);
    let outcome: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(outcome["command"], "apply");
    assert_eq!(outcome["status"], "succeeded");
    let changes = outcome["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    for change in changes {
        assert!(
            change["address"].is_string()
                && change["action"].is_string()
                && change.get("before").is_some()
                && change.get("after").is_some()
        );
    }
    assert_eq!(
        outcome["summary"]["create"].as_u64().unwrap()
            + outcome["summary"]["update"].as_u64().unwrap(),
        changes.len() as u64
    );
    assert_eq!(outcome["undone"], json!([]));
    assert_eq!(outcome["left"], json!([]));
    let err = stderr(&out);
    assert!(
        err.contains("+ log_group[") && err.contains("Plan:"),
        "the plan and progress go to stderr:\n{err}"
    );
    assert!(
        !stdout(&out).contains('\x1b') && !err.contains('\x1b'),
        "no colour when piped"
    );

    let out = run_tool(&[
        "destroy",
        "--bot",
        &world.bot_name,
        "--alias",
        "live",
        "--yes",
        "--output",
        "json",
        "-q",
    ])
    .await;
    expect_exit(&out, 0);
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["command"], "destroy");
    assert!(outcome["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["action"] == "delete"));
    assert!(
        !stderr(&out).contains("- role["),
        "quiet: no progress lines:\n{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn a_config_file_sets_up_several_bots_in_one_run() {
    let (a, b) = (World::new().await, World::new().await);
    let beta = a.add_alias("beta").await;
    let dir = std::env::temp_dir().join(crate::support::unique("cfg"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lex-logs.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[[target]]
bot = "{}"
aliases = ["live", "beta"]
retention_days = 14
grant_pass_role = ["user/{}"]

[[target]]
bot = "{}"
aliases = ["live"]
audio_bucket = "{}"
kms_key = "{}"
role_name = "{}"
publish_version = true
"#,
            a.bot_name,
            a.user,
            b.bot_name,
            b.bucket,
            b.key_arn,
            b.role_name()
        ),
    )
    .unwrap();
    let config = path.to_str().unwrap();
    let out = run_tool(&["plan", "--config", config, "--output", "json"]).await;
    expect_exit(&out, 0);
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["targets"].as_array().unwrap().len(), 2);

    let proxy = FaultProxy::start(Fault::None).await;
    let out = run_tool_at(&proxy.endpoint, &["apply", "--config", config, "--yes"]).await;
    expect_exit(&out, 0);
    assert_eq!(
        stdout(&out).matches("Plan for bot").count(),
        2,
        "one plan for both targets"
    );
    let (sa, sb) = (a.snapshot().await, b.snapshot().await);
    // A in place (the default): the grant on its service-linked role; B with a dedicated role
    // and the version it published for its alias.
    assert!(
        sa["botRole"]["inline"]
            .get(format!("{}-ConversationLogs", a.role_name()))
            .is_some()
            && sa["role"].is_null(),
        "{sa}"
    );
    assert!(!sb["role"].is_null());
    assert_eq!(sb["aliases"]["live"]["botVersion"], "2");
    assert!(!sa["grant"].is_null());
    assert_eq!(sa["logGroups"][0]["retention"], 14);
    assert_eq!(
        sa["aliases"]["beta"]["logs"]["textLogSettings"][0]["enabled"], true,
        "beta ({beta}) too"
    );
    assert_eq!(
        sb["aliases"]["live"]["logs"]["audioLogSettings"][0]["kmsKeyArn"],
        json!(b.key_arn)
    );

    // One rollback for all targets: a failure in one undoes both.
    let out = run_tool(&["destroy", "--config", config, "--yes"]).await;
    expect_exit(&out, 0);
    let (before_a, before_b) = (a.snapshot().await, b.snapshot().await);
    let proxy = FaultProxy::start(Fault::RejectOperation("lex:UpdateBotAlias")).await;
    let out = run_tool_at(&proxy.endpoint, &["apply", "--config", config, "--yes"]).await;
    expect_exit(&out, 1);
    assert!(
        stdout(&out).contains("The account is as it was"),
        "{}",
        stdout(&out)
    );
    assert_eq!(a.snapshot().await, before_a);
    assert_eq!(b.snapshot().await, before_b);

    // Unknown keys name the key and the line.
    std::fs::write(
        &path,
        "[[target]]\nbot = \"x\"\naliases = [\"live\"]\nlog_groups = \"/g\"\n",
    )
    .unwrap();
    let out = run_tool(&["plan", "--config", config]).await;
    expect_exit(&out, 64);
    let err = stderr(&out);
    assert!(
        err.contains("log_groups") && err.contains("line 4"),
        "{err}"
    );
    // A config file and target flags together are a usage error.
    expect_exit(
        &run_tool(&["plan", "--config", config, "--bot", "x"]).await,
        64,
    );
}

#[tokio::test]
async fn the_policy_command_prints_what_apply_creates_and_changes_nothing() {
    let world = World::new().await;
    let grant = format!("user/{}", world.user);
    let flags = [
        "--audio-bucket",
        world.bucket.as_str(),
        "--kms-key",
        &world.key_arn,
        "--grant-pass-role",
        &grant,
    ];
    // In place (the default), then with a dedicated role.
    let in_place: Vec<String> = world.target_args();
    let dedicated: Vec<String> = world.dedicated_args();
    for (mode, target) in [("in place", in_place), ("dedicated", dedicated)] {
        let mut target_flags: Vec<&str> = target.iter().map(String::as_str).collect();
        target_flags.extend(flags);
        let before = world.snapshot().await;
        let mut args = vec!["policy", "--output", "json"];
        args.extend(&target_flags);
        let out = run_tool(&args).await;
        expect_exit(&out, 0);
        assert_eq!(
            world.snapshot().await,
            before,
            "{mode}: policy changes nothing"
        );
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        let documents = printed["documents"].as_array().unwrap();
        let kinds: Vec<&str> = documents
            .iter()
            .map(|d| d["kind"].as_str().unwrap())
            .collect();
        if mode == "in place" {
            assert_eq!(
                kinds,
                ["service-linked-inline", "inline-policy", "operator"],
                "{mode}"
            );
        } else {
            assert_eq!(
                kinds.iter().filter(|k| **k == "managed-policy").count(),
                4,
                "{mode}: {kinds:?}"
            );
            assert!(
                kinds.contains(&"trust")
                    && kinds.contains(&"inline-policy")
                    && kinds.last() == Some(&"operator"),
                "{mode}: {kinds:?}"
            );
        }

        let mut args = vec!["apply", "--yes"];
        args.extend(&target_flags);
        expect_exit(&run_tool(&args).await, 0);
        let applied = world.snapshot().await;
        let role = world.role_name();
        for d in documents {
            let address = d["address"].as_str().unwrap();
            let actual = match d["kind"].as_str().unwrap() {
                "trust" => applied["role"]["trust"].clone(),
                "managed-policy" => {
                    let name = address.trim_start_matches("policy[").trim_end_matches(']');
                    applied["policies"][name]["document"].clone()
                }
                "service-linked-inline" => {
                    applied["botRole"]["inline"][format!("{role}-ConversationLogs")].clone()
                }
                "inline-policy" => applied["grant"].clone(),
                _ => continue,
            };
            assert!(
                equivalent(&actual, &d["document"]),
                "{mode}: {address}: printed {} but apply made {actual}",
                d["document"]
            );
        }
        let operator = documents.last().unwrap()["document"].to_string();
        let writer = if mode == "in place" {
            world.bot_role_arn.clone()
        } else {
            format!("arn:aws:iam::{ACCOUNT}:role/{role}")
        };
        assert!(
            operator.contains(&writer),
            "{mode}: scoped to the role that writes the logs: {operator}"
        );
        let mut args = vec!["destroy", "--yes"];
        args.extend(&target_flags);
        expect_exit(&run_tool(&args).await, 0);
    }

    // Without a target it needs no AWS at all.
    let out = run_tool_at("http://127.0.0.1:9", &["policy", "--operator-only"]).await;
    expect_exit(&out, 0);
    assert!(stdout(&out).contains("Operator policy"));
}

/// What one recorded call needs: an action, and (where the test checks it) the resource it acts
/// on and the condition keys IAM evaluates with it.
#[derive(Debug, Clone)]
struct Need {
    action: String,
    resource: Option<String>,
    context: Vec<(&'static str, String)>,
}

impl Need {
    fn action(action: impl Into<String>) -> Need {
        Need {
            action: action.into(),
            resource: None,
            context: vec![],
        }
    }

    fn on(action: impl Into<String>, resource: impl Into<String>) -> Need {
        Need {
            action: action.into(),
            resource: Some(resource.into()),
            context: vec![],
        }
    }

    fn with(mut self, key: &'static str, value: impl Into<String>) -> Need {
        self.context.push((key, value.into()));
        self
    }
}

/// The form fields of an IAM (query protocol) request body.
fn form(body: &str) -> std::collections::HashMap<String, String> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
    body.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

/// The actions (and, for IAM and Lex writes, the resources) a recorded call needs. `roles` maps
/// the role names the worlds use to their ARNs (a service-linked role's ARN has a path).
fn needs_of(call: &Call, roles: &std::collections::HashMap<String, String>) -> Vec<Need> {
    let iam = |resource: &str| format!("arn:aws:iam::{ACCOUNT}:{resource}");
    let action = match (call.service.as_str(), call.operation.as_str()) {
        ("s3", "HeadBucket") => "s3:ListBucket".to_string(),
        ("s3", "GetBucketEncryption") => "s3:GetEncryptionConfiguration".to_string(),
        (service, operation) => format!("{service}:{operation}"),
    };
    match call.service.as_str() {
        "iam" => {
            let p = form(&call.body);
            let resource = if let Some(role) = p.get("RoleName") {
                Some(roles.get(role).cloned().unwrap_or_else(|| {
                    panic!("{action} on role {role}, which the test does not know")
                }))
            } else if let Some(user) = p.get("UserName") {
                Some(iam(&format!("user/{user}")))
            } else if let Some(group) = p.get("GroupName") {
                Some(iam(&format!("group/{group}")))
            } else if let Some(policy) = p.get("PolicyArn") {
                Some(policy.clone())
            } else {
                p.get("PolicyName")
                    .map(|name| iam(&format!("policy/{name}")))
            };
            let mut need = Need {
                action: action.clone(),
                resource: resource.clone(),
                context: vec![],
            };
            if matches!(
                call.operation.as_str(),
                "AttachRolePolicy" | "DetachRolePolicy"
            ) {
                need = need.with("iam:PolicyARN", p["PolicyArn"].clone());
            }
            // The roles and policies of our naming that the tool changes are the ones it made,
            // so they carry our tag (the snapshots check it): IAM sees it as a resource tag.
            if resource
                .as_deref()
                .is_some_and(|r| r.contains(":role/LexLogs-") || r.contains(":policy/LexLogs-"))
            {
                need = need.with(
                    "iam:ResourceTag/lex-logs-setup:managed-by",
                    "lex-logs-setup",
                );
            }
            let mut needs = vec![need];
            // Tags given on create need the tagging action too.
            match call.operation.as_str() {
                "CreateRole" => needs.push(Need::on("iam:TagRole", resource.unwrap())),
                "CreatePolicy" => needs.push(Need::on("iam:TagPolicy", resource.unwrap())),
                _ => {}
            }
            needs
        }
        "lex" => {
            let segments: Vec<&str> = call.path.trim_matches('/').split('/').collect();
            let bot = || format!("arn:aws:lex:{REGION}:{ACCOUNT}:bot/{}", segments[1]);
            match call.operation.as_str() {
                "UpdateBot" => {
                    let body: Value = serde_json::from_str(&call.body).unwrap();
                    vec![
                        Need::on(action, bot()),
                        // UpdateBot passes the bot's role to Lex.
                        Need::on("iam:PassRole", body["roleArn"].as_str().unwrap())
                            .with("iam:PassedToService", "lexv2.amazonaws.com"),
                    ]
                }
                "CreateBotVersion" | "DeleteBotVersion" => vec![Need::on(action, bot())],
                "UpdateBotAlias" => vec![Need::on(
                    action,
                    format!(
                        "arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/{}/{}",
                        segments[1], segments[3]
                    ),
                )],
                _ => vec![Need::action(action)],
            }
        }
        "logs" if call.operation == "CreateLogGroup" => {
            vec![Need::action(action), Need::action("logs:TagResource")]
        }
        _ => vec![Need::action(action)],
    }
}

/// IAM's wildcard match (`*` any run of characters, `?` one).
fn glob(pattern: &str, value: &str) -> bool {
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
    let (mut pi, mut vi, mut star, mut mark) = (0, 0, None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

/// Whether an Allow statement of `policy` grants `need`. Without a resource, only the action is
/// checked; with one, the statement's resources and its conditions (StringEquals, StringLike,
/// ArnEquals, ArnLike; a key the call does not carry fails) must match too.
fn allows(policy: &Value, need: &Need) -> bool {
    policy["Statement"].as_array().unwrap().iter().any(|s| {
        if s["Effect"] != "Allow"
            || !strings(&s["Action"])
                .iter()
                .any(|a| glob(&a.to_lowercase(), &need.action.to_lowercase()))
        {
            return false;
        }
        let Some(resource) = &need.resource else {
            return true;
        };
        if !strings(&s["Resource"]).iter().any(|r| glob(r, resource)) {
            return false;
        }
        let Some(conditions) = s["Condition"].as_object() else {
            return true;
        };
        conditions.iter().all(|(operator, keys)| {
            keys.as_object().unwrap().iter().all(|(key, wanted)| {
                let Some((_, actual)) = need.context.iter().find(|(k, _)| k == key) else {
                    return false;
                };
                strings(wanted).iter().any(|w| match operator.as_str() {
                    "StringEquals" | "ArnEquals" => w == actual,
                    "StringLike" | "ArnLike" => glob(w, actual),
                    other => panic!("condition operator {other} is not modelled here"),
                })
            })
        })
    })
}

/// The operator document the policy command prints for `target` (flags as for apply).
async fn operator_policy(target: &[&str]) -> Value {
    let mut args = vec!["policy", "--output", "json"];
    args.extend(target);
    let out = run_tool(&args).await;
    expect_exit(&out, 0);
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let documents = printed["documents"].as_array().unwrap();
    let last = documents.last().unwrap();
    assert_eq!(last["kind"], "operator");
    last["document"].clone()
}

/// One recorded run: its label, its calls (injected faults left out) and the operator policy the
/// policy command printed for its target just before it.
struct Recorded {
    label: String,
    calls: Vec<Call>,
    scoped: Value,
}

/// Runs `command` with `target` flags through a recording proxy (with `fault`), after printing
/// the operator policy for the same flags.
async fn record(command: &str, target: &[&str], fault: Fault, exit: i32) -> Recorded {
    let scoped = operator_policy(target).await;
    let proxy = FaultProxy::start(fault).await;
    let mut args = vec![command];
    args.extend(target);
    if command != "plan" {
        args.push("--yes");
    }
    let out = run_tool_at(&proxy.endpoint, &args).await;
    expect_exit(&out, exit);
    Recorded {
        label: format!("{command} {}", target.join(" ")),
        calls: proxy
            .calls()
            .into_iter()
            .filter(|c| c.injected.is_empty())
            .collect(),
        scoped,
    }
}

/// Moves the world's bot onto a customer-managed role and its alias `live` onto a version that
/// runs on it (version 2); returns the role's name and ARN.
async fn on_customer_role(world: &World) -> (String, String) {
    let c = &world.clients;
    let name = crate::support::unique("customer-role-");
    c.iam
        .create_role()
        .role_name(&name)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lexv2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    let arn = format!("arn:aws:iam::{ACCOUNT}:role/{name}");
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
        .role_arn(&arn)
        .set_data_privacy(bot.data_privacy().cloned())
        .idle_session_ttl_in_seconds(bot.idle_session_ttl_in_seconds().unwrap())
        .send()
        .await
        .unwrap();
    let version = crate::support::publish_version(&c.lex, &world.bot_id, &[]).await;
    let alias = c
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .unwrap();
    c.lex
        .update_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .bot_alias_name(&world.alias_name)
        .set_description(alias.description().map(str::to_string))
        .bot_version(&version)
        .set_bot_alias_locale_settings(alias.bot_alias_locale_settings().cloned())
        .set_sentiment_analysis_settings(alias.sentiment_analysis_settings().cloned())
        .send()
        .await
        .unwrap();
    (name, arn)
}

#[tokio::test]
async fn the_operator_policy_allows_every_call_the_tool_makes() {
    let (slr, customer, fresh) = tokio::join!(World::new(), World::new(), World::new());
    let (customer_role, customer_arn) = on_customer_role(&customer).await;
    let mut roles = std::collections::HashMap::new();
    for w in [&slr, &customer, &fresh] {
        roles.insert(w.bot_role_name(), w.bot_role_arn.clone());
        roles.insert(
            w.role_name(),
            format!("arn:aws:iam::{ACCOUNT}:role/{}", w.role_name()),
        );
    }
    roles.insert(customer_role.clone(), customer_arn.clone());

    let mut runs: Vec<Recorded> = Vec::new();
    let updates = |w: &World, extra: &[&str]| -> Vec<Vec<String>> {
        let grant = format!("user/{}", w.user);
        let mut all = vec![
            vec!["--retention-days", "7", "--grant-pass-role", &grant],
            vec![
                "--retention-days",
                "14",
                "--audio-bucket",
                &w.bucket,
                "--kms-key",
                &w.key_arn,
            ],
            vec!["--audio-bucket", &w.bucket, "--audio-prefix", "other/"],
        ]
        .into_iter()
        .map(|flags| {
            let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            v.extend(flags.iter().map(|s| s.to_string()));
            v
        })
        .collect::<Vec<_>>();
        all.push(extra.iter().map(|s| s.to_string()).collect());
        all
    };
    // In place on a service-linked role, then with a dedicated role (--publish-version) on the
    // same bot: three applies (create, update, change), a plan (in place) and a destroy each.
    for target in [slr.target_args(), slr.dedicated_args()] {
        let target: Vec<&str> = target.iter().map(String::as_str).collect();
        let steps = updates(&slr, &target);
        for flags in &steps[..3] {
            let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
            runs.push(record("apply", &flags, Fault::None, 0).await);
        }
        let last: Vec<&str> = steps[2].iter().map(String::as_str).collect();
        if !target.contains(&"--role-name") {
            runs.push(record("plan", &last, Fault::None, 0).await);
        }
        runs.push(record("destroy", &last, Fault::None, 0).await);
    }
    // In place on a customer role: a rolled-back apply first (its undo calls), then the same runs.
    let customer_target = customer.target_args();
    let target: Vec<&str> = customer_target.iter().map(String::as_str).collect();
    let steps = updates(&customer, &target);
    let full = |w: &World, target: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = target.iter().map(|s| s.to_string()).collect();
        for f in [
            "--retention-days",
            "7",
            "--audio-bucket",
            &w.bucket,
            "--kms-key",
            &w.key_arn,
            "--grant-pass-role",
            &format!("user/{}", w.user),
        ] {
            v.push(f.to_string());
        }
        v
    };
    let failing = full(&customer, &target);
    let failing: Vec<&str> = failing.iter().map(String::as_str).collect();
    runs.push(
        record(
            "apply",
            &failing,
            Fault::RejectOperation("lex:UpdateBotAlias"),
            1,
        )
        .await,
    );
    for flags in &steps[..3] {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        runs.push(record("apply", &flags, Fault::None, 0).await);
    }
    let last: Vec<&str> = steps[2].iter().map(String::as_str).collect();
    runs.push(record("destroy", &last, Fault::None, 0).await);
    // Rolled-back fresh applies (DeleteLogGroup, DeleteRolePolicy, DeleteBotVersion, DeleteRole,
    // UpdateBot back to the service-linked role, ...): in place, then dedicated.
    for target in [fresh.target_args(), fresh.dedicated_args()] {
        let target: Vec<&str> = target.iter().map(String::as_str).collect();
        let flags = full(&fresh, &target);
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        runs.push(
            record(
                "apply",
                &flags,
                Fault::RejectOperation("lex:UpdateBotAlias"),
                1,
            )
            .await,
        );
    }

    let out = run_tool_at(
        &endpoint(),
        &["policy", "--operator-only", "--output", "json"],
    )
    .await;
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let generic = printed["documents"][0]["document"].clone();

    // The check bites: what the tool never needs is refused.
    let in_place_scoped = &runs[0].scoped;
    for (policy, need) in [
        (
            in_place_scoped,
            Need::on(
                "iam:PutRolePolicy",
                format!("arn:aws:iam::{ACCOUNT}:role/someone-else"),
            ),
        ),
        (
            in_place_scoped,
            Need::on("iam:PassRole", slr.bot_role_arn.clone())
                .with("iam:PassedToService", "ec2.amazonaws.com"),
        ),
        (
            &generic,
            Need::on("iam:AttachRolePolicy", customer_arn.clone()).with(
                "iam:PolicyARN",
                "arn:aws:iam::aws:policy/AdministratorAccess",
            ),
        ),
    ] {
        assert!(!allows(policy, &need), "{need:?} should be refused");
    }

    let mut missing = std::collections::BTreeSet::new();
    let mut seen = std::collections::BTreeSet::new();
    for run in &runs {
        for call in &run.calls {
            let op = format!("{}:{}", call.service, call.operation);
            for need in needs_of(call, &roles) {
                let on = need.resource.as_deref().map(|r| {
                    if r.contains(":role/aws-service-role/") {
                        "service-linked role"
                    } else if r == customer_arn {
                        "customer role"
                    } else if r.contains(":role/LexLogs-") {
                        "dedicated role"
                    } else {
                        "other"
                    }
                });
                seen.insert(format!("{} on {}", need.action, on.unwrap_or("-")));
                seen.insert(op.clone());
                // Inline writes on principals (PassRole grants and their revocation) are never in
                // the generic policy: they would let its holder write any policy on anyone. Only
                // the policy printed for the run's own targets names those principals.
                let on_principal = matches!(
                    need.action.as_str(),
                    "iam:PutUserPolicy"
                        | "iam:DeleteUserPolicy"
                        | "iam:PutGroupPolicy"
                        | "iam:DeleteGroupPolicy"
                ) || (matches!(
                    need.action.as_str(),
                    "iam:PutRolePolicy" | "iam:DeleteRolePolicy"
                ) && form(&call.body)
                    .get("PolicyName")
                    .is_some_and(|n| n.starts_with("LexLogsPassRole-")));
                for (which, policy) in [("--operator-only", &generic), ("scoped", &run.scoped)] {
                    if which == "--operator-only" && on_principal {
                        assert!(
                            !allows(policy, &need),
                            "the generic policy must not allow {} on {:?}",
                            need.action,
                            need.resource
                        );
                        continue;
                    }
                    if !allows(policy, &need) {
                        missing.insert(format!(
                            "{which} policy lacks {} on {:?} {:?} (call {op} in `{}`)",
                            need.action, need.resource, need.context, run.label
                        ));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{}\ncalls seen: {seen:?}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
    // Both modes' calls were exercised, on the roles they act on.
    for expected in [
        "iam:PutRolePolicy on service-linked role",
        "iam:DeleteRolePolicy on service-linked role",
        "iam:AttachRolePolicy on customer role",
        "iam:DetachRolePolicy on customer role",
        "iam:AttachRolePolicy on dedicated role",
        "iam:DetachRolePolicy on dedicated role",
        "iam:PassRole on dedicated role",
        "iam:PassRole on service-linked role",
        "iam:CreateRole on dedicated role",
        "iam:DeleteRole on dedicated role",
        "iam:CreatePolicyVersion",
        "iam:PutUserPolicy",
        "iam:DeleteUserPolicy",
        "lex:CreateBotVersion",
        "lex:DeleteBotVersion",
        "lex:UpdateBot",
        "lex:UpdateBotAlias",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
    ] {
        assert!(
            seen.contains(expected),
            "the scenario should exercise {expected}: {seen:?}"
        );
    }
}
