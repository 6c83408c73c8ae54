//! Someone writes one of our inline policies (the grant on the service-linked role, a PassRole
//! grant on a principal) between the tool's observation and its put: the put is refused as stale
//! and their document stays exactly as they wrote it. And after our put, before a rollback: the
//! undo leaves their document and says so.

use serde_json::{json, Value};

use super::{args, dedicated, spawn_tool};
use crate::proxy::{Fault, FaultProxy};
use crate::proxy_hold::Then;
use crate::support::{expect_exit, stdout, World};

/// Someone else's document for one of our policy names.
fn theirs(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "TheirOwn", "Effect": "Allow", "Action": [action], "Resource": "*"
    }]})
}

/// How many calls of `operation` (e.g. `GetRolePolicy`) a `plan` with `args` makes: apply's
/// observation makes as many, so the next one is the put's own re-read.
async fn observation_reads(args: Vec<String>, operation: &str) -> usize {
    let planned = FaultProxy::start(Fault::None).await;
    let mut plan = args;
    plan[0] = "plan".into();
    plan.retain(|a| a != "--yes");
    let out = spawn_tool(&planned, plan).await.unwrap();
    expect_exit(&out, 0);
    planned
        .calls()
        .iter()
        .filter(|c| c.operation == operation)
        .count()
}

/// The inline policy `name` of the role (`None`: there is none).
async fn role_policy(world: &World, role: &str, name: &str) -> Option<Value> {
    let out = world
        .clients
        .iam
        .get_role_policy()
        .role_name(role)
        .policy_name(name)
        .send()
        .await
        .ok()?;
    Some(lex_logs_setup::policy::parse_returned(out.policy_document()).unwrap())
}

async fn put_role_policy(world: &World, role: &str, name: &str, document: &Value) {
    world
        .clients
        .iam
        .put_role_policy()
        .role_name(role)
        .policy_name(name)
        .policy_document(document.to_string())
        .send()
        .await
        .unwrap();
}

async fn user_policy(world: &World, name: &str) -> Option<Value> {
    let out = world
        .clients
        .iam
        .get_user_policy()
        .user_name(&world.user)
        .policy_name(name)
        .send()
        .await
        .ok()?;
    Some(lex_logs_setup::policy::parse_returned(out.policy_document()).unwrap())
}

fn assert_same(found: Option<Value>, wanted: &Value) {
    let found = found.expect("the policy is there");
    assert!(
        lex_logs_setup::policy::equivalent(&found, wanted),
        "{found:#} is not {wanted:#}"
    );
}

/// In place: the grant on the bot's service-linked role is created by someone else while our
/// re-read is held; our put is refused and their document stays.
#[tokio::test]
async fn a_grant_on_the_service_linked_role_written_meanwhile_is_not_overwritten() {
    let world = World::new().await;
    let apply = args(&world, "apply", &[]);
    let reads = observation_reads(apply.clone(), "GetRolePolicy").await;
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("iam:GetRolePolicy", reads + 1);
    let run = spawn_tool(&proxy, apply);
    held.arrived().await;
    let name = format!("{}-ConversationLogs", world.role_name());
    let their_document = theirs("logs:PutLogEvents");
    put_role_policy(&world, &world.bot_role_name(), &name, &their_document).await;
    held.then(Then::Forward);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{name}] changed since the plan read it"))
            && text.contains("TheirOwn")
            && text.contains("the plan read (no such policy)"),
        "{text}"
    );
    assert_same(
        role_policy(&world, &world.bot_role_name(), &name).await,
        &their_document,
    );
}

/// Dedicated mode, a PassRole grant on a user: a grant put there meanwhile is not overwritten,
/// and the run rolls back the rest.
#[tokio::test]
async fn dedicated_a_pass_role_grant_written_meanwhile_is_not_overwritten() {
    let world = World::new().await;
    let grant = format!("user/{}", world.user);
    let apply = dedicated(&world, "apply", &["--grant-pass-role", &grant]);
    let reads = observation_reads(apply.clone(), "GetUserPolicy").await;
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("iam:GetUserPolicy", reads + 1);
    let run = spawn_tool(&proxy, apply);
    held.arrived().await;
    let name = format!("LexLogsPassRole-{}", world.role_name());
    let their_document = theirs("iam:PassRole");
    world
        .clients
        .iam
        .put_user_policy()
        .user_name(&world.user)
        .policy_name(&name)
        .policy_document(their_document.to_string())
        .send()
        .await
        .unwrap();
    held.then(Then::Forward);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{name}] changed since the plan read it")),
        "{text}"
    );
    assert_same(user_policy(&world, &name).await, &their_document);
    let proxy_puts = proxy
        .calls()
        .iter()
        .filter(|c| c.operation == "PutUserPolicy" || c.operation == "DeleteUserPolicy")
        .count();
    assert_eq!(proxy_puts, 0, "the tool never wrote the user's policy");
}

/// In place: our grant on the service-linked role is written; someone replaces it before the
/// alias write, which fails; the rollback leaves their document (it does not delete it by name)
/// and lists it.
#[tokio::test]
async fn a_grant_replaced_after_our_put_survives_the_rollback() {
    let world = World::new().await;
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("lex:UpdateBotAlias", 1);
    let run = spawn_tool(&proxy, args(&world, "apply", &[]));
    held.arrived().await;
    let role = world.bot_role_name();
    let name = format!("{}-ConversationLogs", world.role_name());
    let ours = role_policy(&world, &role, &name)
        .await
        .expect("our grant is written before the alias");
    assert!(ours.to_string().contains(&world.log_group()), "{ours:#}");
    let their_document = theirs("logs:*");
    put_role_policy(&world, &role, &name, &their_document).await;
    held.then(Then::Reject);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("Left as someone else set it")
            && text.contains(&format!(
                "{name}] was changed by someone else after this run wrote it"
            ))
            && !text.contains("The account is as it was before this run."),
        "{text}"
    );
    assert_same(role_policy(&world, &role, &name).await, &their_document);
}
