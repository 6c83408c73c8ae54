//! A deployment after the tool wrote an alias and before its rollback: two aliases are applied,
//! the second alias's write is held until the first is written, the test changes the first, and
//! the held write is then refused, so the run rolls back. The undo restores only what still holds
//! what the tool wrote, and names what it left.

use super::{args, spawn_tool};
use crate::proxy::{Fault, FaultProxy};
use crate::proxy_hold::Then;
use crate::support::{expect_exit, stdout, World};

/// The alias id in a Lex V2 alias call's path (`/bots/ID/botaliases/ALIAS/`).
fn alias_in(path: &str) -> String {
    let after = path.split("/botaliases/").nth(1).unwrap_or_default();
    after
        .trim_end_matches('/')
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

/// Applies live and beta, holds the second alias write, and returns (the alias written first, the
/// held call, the running tool); the first alias holds our settings when this returns.
async fn first_written(
    world: &World,
    proxy: &FaultProxy,
) -> (
    String,
    crate::proxy_hold::Held,
    tokio::task::JoinHandle<std::process::Output>,
) {
    let mut held = proxy.hold("lex:UpdateBotAlias", 2);
    let run = spawn_tool(proxy, args(world, "apply", &["--alias", "beta"]));
    held.arrived().await;
    let updates: Vec<String> = proxy
        .calls()
        .into_iter()
        .filter(|c| c.operation == "UpdateBotAlias")
        .map(|c| alias_in(&c.path))
        .collect();
    assert_eq!(updates.len(), 2, "{updates:?}");
    let first = updates[0].clone();
    for _ in 0..100 {
        let (_, settings) = world.alias_now(&first).await;
        if settings.to_string().contains(&world.log_group()) {
            return (first, held, run);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("alias {first} never got our settings");
}

#[tokio::test]
async fn a_repoint_after_our_write_survives_the_rollback() {
    let world = World::new().await;
    world.add_alias("beta").await;
    let version = world.publish().await;
    let proxy = FaultProxy::start(Fault::None).await;
    let (first, held, run) = first_written(&world, &proxy).await;
    let (before_version, _) = world.alias_now(&first).await;
    assert_ne!(before_version, version);
    world.deploy(&first, Some(&version), None).await;
    held.then(Then::Reject);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let (now, settings) = world.alias_now(&first).await;
    assert_eq!(
        now, version,
        "the deployment's version survives the rollback"
    );
    assert!(
        !settings.to_string().contains(&world.log_group()),
        "our settings are undone: {settings}"
    );
    assert!(stdout(&out).contains("The account is as it was before this run."));
}

#[tokio::test]
async fn another_teams_logs_set_after_our_write_are_left_and_named() {
    let world = World::new().await;
    world.add_alias("beta").await;
    let (group, theirs) = world.other_teams_logs().await;
    let proxy = FaultProxy::start(Fault::None).await;
    let (first, held, run) = first_written(&world, &proxy).await;
    world.deploy(&first, None, Some(theirs)).await;
    held.then(Then::Reject);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let (_, settings) = world.alias_now(&first).await;
    assert!(settings.to_string().contains(&group), "{settings}");
    let text = stdout(&out);
    assert!(
        text.contains("Left as someone else set it")
            && text.contains("was changed by someone else after this run wrote it")
            && !text.contains("The account is as it was before this run."),
        "{text}"
    );
}

/// The dedicated mode repoints the aliases to the version it publishes; a pipeline deploys
/// another version to the first alias after our write: the rollback restores its settings but
/// leaves it on the deployment's version (never back on the one it ran before).
#[tokio::test]
async fn dedicated_a_repoint_after_our_write_survives_the_rollback() {
    let world = World::new().await;
    world.add_alias("beta").await;
    let deployed = world.publish().await;
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("lex:UpdateBotAlias", 2);
    let run = super::spawn_tool(
        &proxy,
        super::dedicated(&world, "apply", &["--alias", "beta"]),
    );
    held.arrived().await;
    let first = proxy
        .calls()
        .into_iter()
        .find(|c| c.operation == "UpdateBotAlias")
        .map(|c| alias_in(&c.path))
        .unwrap();
    let ours = loop {
        let (version, settings) = world.alias_now(&first).await;
        if settings.to_string().contains(&world.log_group()) {
            break version;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_ne!(ours, deployed);
    world.deploy(&first, Some(&deployed), None).await;
    held.then(Then::Reject);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let (now, settings) = world.alias_now(&first).await;
    assert_eq!(
        now, deployed,
        "the deployment's version survives the rollback"
    );
    assert!(
        !settings.to_string().contains(&world.log_group()),
        "our settings are undone: {settings}"
    );
    let text = stdout(&out);
    assert!(
        text.contains("Left as someone else set it") && text.contains("its version"),
        "{text}"
    );
}
