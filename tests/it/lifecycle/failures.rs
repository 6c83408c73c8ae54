//! Failures in a run: a call failing half way is rolled back exactly, throttled calls are
//! retried, a lost response ends in success or in the exact previous state, a failed rollback
//! lists what is left (exit 3) for destroy to clean up, and apply waits while IAM propagates a
//! new role.

use serde_json::Value;

use crate::proxy::{Fault, FaultProxy};
use crate::support::{endpoint, expect_exit, stderr, stdout, World, ACCOUNT};

use super::{alias_logs, dedicated};

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
    let throttled = proxy.throttled();
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
