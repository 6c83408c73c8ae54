//! A deployment between observation and the alias's write: held at apply's first write, the
//! test repoints the alias, sets another team's logs on it, or moves the bot's role; then lets
//! the run go on. A move the plan still fits is kept; any other is refused as stale, rolled back,
//! and left exactly as the deployment made it.

use serde_json::Value;

use super::{args, spawn_tool};
use crate::outcome::{logged, say};
use crate::proxy::{Fault, FaultProxy};
use crate::proxy_hold::Then;
use crate::support::{expect_exit, stdout, World};

/// The snapshot without the alias `live` and the bot's role (what the deployment changed).
fn without_deployment(mut snapshot: Value) -> Value {
    snapshot["aliases"] = Value::Null;
    snapshot["bot"]["roleArn"] = Value::Null;
    snapshot["versions"] = Value::Null;
    snapshot
}

#[tokio::test]
async fn a_repoint_to_a_version_on_the_same_role_is_kept_and_logs() {
    let world = World::new().await;
    let version = world.publish().await;
    let proxy = FaultProxy::start(Fault::None).await;
    // In place, the first write is the grant on the service-linked role; the alias waits for it.
    let mut held = proxy.hold("iam:PutRolePolicy", 1);
    let run = spawn_tool(&proxy, args(&world, "apply", &[]));
    held.arrived().await;
    world.deploy(&world.alias_id, Some(&version), None).await;
    held.then(Then::Forward);
    let out = run.await.unwrap();
    expect_exit(&out, 0);
    let (now, settings) = world.alias_now(&world.alias_id).await;
    assert_eq!(now, version, "the deployment's version stays");
    assert_eq!(settings["textLogSettings"][0]["enabled"], true);
    assert!(stdout(&out).contains("Apply complete"), "{}", stdout(&out));
    let (session, _) = say(&world, &world.alias_id, "after the deployment").await;
    let mut lines = Vec::new();
    for _ in 0..50 {
        lines = logged(&world, &world.log_group(), &session).await;
        if !lines.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        lines.len(),
        1,
        "the conversation on version {version} is logged"
    );
    assert_eq!(lines[0]["bot"]["version"], version.as_str());
}

#[tokio::test]
async fn another_teams_logs_set_meanwhile_are_not_overwritten() {
    for dedicated in [false, true] {
        let world = World::new().await;
        let before = world.snapshot().await;
        let (group, theirs) = world.other_teams_logs().await;
        let proxy = FaultProxy::start(Fault::None).await;
        let (first, all) = if dedicated {
            ("iam:CreateRole", super::dedicated(&world, "apply", &[]))
        } else {
            ("iam:PutRolePolicy", args(&world, "apply", &[]))
        };
        let mut held = proxy.hold(first, 1);
        let run = spawn_tool(&proxy, all);
        held.arrived().await;
        world.deploy(&world.alias_id, None, Some(theirs)).await;
        held.then(Then::Forward);
        let out = run.await.unwrap();
        expect_exit(&out, 1);
        let text = stdout(&out);
        assert!(
            text.contains("changed since the plan read it")
                && text.contains(&group)
                && text.contains("run plan again"),
            "dedicated={dedicated}: {text}"
        );
        let (version, settings) = world.alias_now(&world.alias_id).await;
        assert_eq!(version, "1", "dedicated={dedicated}");
        assert!(
            settings.to_string().contains(&group),
            "dedicated={dedicated}: their logs stay: {settings}"
        );
        let after = world.snapshot().await;
        assert_eq!(
            without_deployment(after),
            without_deployment(before),
            "dedicated={dedicated}: all else as before"
        );
    }
}

#[tokio::test]
async fn a_repoint_to_a_version_on_another_role_makes_the_plan_stale() {
    let world = World::new().await;
    let before = world.snapshot().await;
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("iam:PutRolePolicy", 1);
    let run = spawn_tool(&proxy, args(&world, "apply", &["--retention-days", "7"]));
    held.arrived().await;
    // The pipeline moves the bot to its own role, publishes, and repoints live.
    let role = world.customer_role().await;
    world.move_bot_to(&role).await;
    let version = world.publish().await;
    world.deploy(&world.alias_id, Some(&version), None).await;
    held.then(Then::Forward);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("runs version {version} now"))
            && text.contains(&role)
            && text.contains("not the role this plan grants"),
        "{text}"
    );
    let (now, settings) = world.alias_now(&world.alias_id).await;
    assert_eq!(now, version, "the deployment stays");
    assert_eq!(settings, before["aliases"][&world.alias_name]["logs"]);
    // The grant on the service-linked role (the bot's role no more) is rolled back too.
    assert_eq!(super::slr_inline(&world).await, ["LexV2SentimentAnalysis"]);
    let mut after = without_deployment(world.snapshot().await);
    after["botRole"] = Value::Null;
    let mut before = without_deployment(before);
    before["botRole"] = Value::Null;
    assert_eq!(after, before);
}

#[tokio::test]
async fn a_bot_moved_to_another_role_meanwhile_is_not_moved_back() {
    let world = World::new().await;
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("iam:CreateRole", 1);
    let run = spawn_tool(&proxy, super::dedicated(&world, "apply", &[]));
    held.arrived().await;
    let role = world.customer_role().await;
    world.move_bot_to(&role).await;
    held.then(Then::Forward);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("bot[") && text.contains(&role) && text.contains("changed since the plan"),
        "{text}"
    );
    let bot = world.snapshot().await["bot"]["roleArn"].clone();
    assert_eq!(
        bot,
        role.as_str(),
        "the bot stays on the role it was moved to"
    );
}
