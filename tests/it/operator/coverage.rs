//! The operator policy allows every call the tool makes: runs recorded through the proxy, each
//! call checked against the document the policy command printed for the same flags.

use serde_json::Value;

use crate::proxy::{Call, Fault, FaultProxy};
use crate::support::{endpoint, expect_exit, run_tool, run_tool_at, World, ACCOUNT};

use super::needs::{allows, form, needs_of, Need};

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
pub(super) struct Recorded {
    label: String,
    /// In place on a bot's service-linked role: what the target-free policy covers.
    target_free: bool,
    pub(super) calls: Vec<Call>,
    pub(super) scoped: Value,
}

/// Runs `command` with `target` flags through a recording proxy (with `fault`), after printing
/// the operator policy for the same flags.
pub(super) async fn record(command: &str, target: &[&str], fault: Fault, exit: i32) -> Recorded {
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
        target_free: false,
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
        let in_place = !target.contains(&"--role-name");
        let first = runs.len();
        let steps = updates(&slr, &target);
        for flags in &steps[..3] {
            let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
            runs.push(record("apply", &flags, Fault::None, 0).await);
        }
        let last: Vec<&str> = steps[2].iter().map(String::as_str).collect();
        if in_place {
            runs.push(record("plan", &last, Fault::None, 0).await);
        }
        runs.push(record("destroy", &last, Fault::None, 0).await);
        runs[first..]
            .iter_mut()
            .for_each(|r| r.target_free = in_place);
    }
    // Another team's never-expiring group taken over (TagResource, PutRetentionPolicy), then given
    // back by destroy (DeleteRetentionPolicy, UntagResource).
    let theirs = format!("/team-x/{}", crate::support::unique("g"));
    slr.clients
        .logs
        .create_log_group()
        .log_group_name(&theirs)
        .tags("team", "x")
        .send()
        .await
        .unwrap();
    let mut take_over = slr.target_args();
    take_over.extend(["--log-group", &theirs, "--retention-days", "5"].map(String::from));
    take_over.push("--take-over-destinations".into());
    let take_over: Vec<&str> = take_over.iter().map(String::as_str).collect();
    runs.push(record("apply", &take_over, Fault::None, 0).await);
    runs.push(record("destroy", &take_over, Fault::None, 0).await);
    // --alarm and --insights-queries: PutMetricAlarm, PutQueryDefinition; destroy deletes both.
    let mut alarmed = slr.target_args();
    alarmed.extend(["--alarm".into(), "--insights-queries".into()]);
    let alarmed: Vec<&str> = alarmed.iter().map(String::as_str).collect();
    for command in ["apply", "destroy"] {
        let mut run = record(command, &alarmed, Fault::None, 0).await;
        run.target_free = true;
        runs.push(run);
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
        let mut run = record(
            "apply",
            &flags,
            Fault::RejectOperation("lex:UpdateBotAlias"),
            1,
        )
        .await;
        run.target_free = !target.contains(&"--role-name");
        runs.push(run);
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
        // The target-free policy makes no role and attaches nothing (it would be a way to
        // become administrator): dedicated mode and customer roles need the targets' policy.
        (
            &generic,
            Need::on(
                "iam:CreateRole",
                format!("arn:aws:iam::{ACCOUNT}:role/{}", slr.role_name()),
            ),
        ),
        (
            &generic,
            Need::on(
                "iam:CreatePolicy",
                format!(
                    "arn:aws:iam::{ACCOUNT}:policy/{}-CloudWatchLogs",
                    slr.role_name()
                ),
            ),
        ),
        // The in-place policy does not make the role dedicated mode would.
        (
            in_place_scoped,
            Need::on(
                "iam:CreateRole",
                format!("arn:aws:iam::{ACCOUNT}:role/{}", slr.role_name()),
            ),
        ),
        // Aliases and bots other than the targets' are refused.
        (
            in_place_scoped,
            Need::on(
                "lex:UpdateBotAlias",
                format!(
                    "arn:aws:lex:{}:{ACCOUNT}:bot-alias/{}/OTHERALIAS",
                    crate::support::REGION,
                    slr.bot_id
                ),
            ),
        ),
        (
            in_place_scoped,
            Need::on(
                "lex:DeleteBotVersion",
                format!(
                    "arn:aws:lex:{}:{ACCOUNT}:bot/{}",
                    crate::support::REGION,
                    customer.bot_id
                ),
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
                    if which == "--operator-only" && !run.target_free {
                        continue;
                    }
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
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "logs:PutQueryDefinition",
        "logs:DeleteQueryDefinition",
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
        "logs:DeleteRetentionPolicy",
        "logs:UntagResource",
    ] {
        assert!(
            seen.contains(expected),
            "the scenario should exercise {expected}: {seen:?}"
        );
    }
}
