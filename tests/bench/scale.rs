//! Many aliases, many bots in a config file, and a fleet of bots over three accounts (also with
//! throttled writes and with per-service rate limits).

use std::time::{Duration, Instant};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{self, tool_command, unique, World, ACCOUNT};
use crate::{args, measure, Sample};

pub async fn world_with_aliases(count: usize) -> World {
    let world = World::new().await;
    let world_ref = &world;
    futures::future::join_all(
        (1..count).map(|i| async move { world_ref.add_alias(&format!("a{i}")).await }),
    )
    .await;
    world
}

pub fn alias_args(world: &World, count: usize) -> Vec<String> {
    let mut extra = vec!["--alias".to_string(), "live".into()];
    for i in 1..count {
        extra.push("--alias".into());
        extra.push(format!("a{i}"));
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    args(world, "apply", &extra)
}

pub async fn config_apply(delay: Duration, bots: usize) -> Sample {
    let worlds = futures::future::join_all((0..bots).map(|_| World::new())).await;
    let mut text = String::new();
    for w in &worlds {
        text.push_str(&format!(
            "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\ngrant_pass_role = [\"user/{}\"]\n\n",
            w.bot_name, w.user
        ));
    }
    let path = std::env::temp_dir().join(format!("{}.toml", unique("bench-config")));
    std::fs::write(&path, text).unwrap();
    measure(
        delay,
        &[
            "apply".into(),
            "--config".into(),
            path.display().to_string(),
            "--yes".into(),
            "-q".into(),
        ],
    )
    .await
}

/// A fleet: `bots` worlds spread over three accounts (the caller's, and two reached by assuming a
/// role there), and the config file naming them all.
pub async fn fleet(bots: usize) -> (Vec<World>, std::path::PathBuf) {
    let others = [support::fresh_account('8'), support::fresh_account('9')];
    let accounts = [ACCOUNT.to_string(), others[0].clone(), others[1].clone()];
    let worlds =
        futures::future::join_all((0..bots).map(|i| World::new_in(&accounts[i % accounts.len()])))
            .await;
    let mut roles = vec![None];
    for account in &others {
        let iam = support::clients_as(account).await.iam;
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"sts:ExternalId":"bench"}}}}}}]}}"#
        );
        let role = iam
            .create_role()
            .role_name(unique("BenchDeployer-"))
            .assume_role_policy_document(trust)
            .send()
            .await
            .expect("CreateRole");
        roles.push(Some(role.role().unwrap().arn().to_string()));
    }
    let mut text = String::new();
    for (i, w) in worlds.iter().enumerate() {
        text.push_str(&format!(
            "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\n",
            w.bot_name
        ));
        if let Some(role) = &roles[i % roles.len()] {
            text.push_str(&format!(
                "assume_role = \"{role}\"\nexternal_id = \"bench\"\n"
            ));
        }
        text.push('\n');
    }
    let path = std::env::temp_dir().join(format!("{}.toml", unique("bench-fleet")));
    std::fs::write(&path, text).unwrap();
    (worlds, path)
}

/// The fleet applied behind a proxy that injects `fault` (throttled writes, a rate limit), with the
/// retry mode given (the tool's own attempts and backoff), then destroyed (not measured, without
/// faults) so that the next scenario starts from the same worlds. An apply that fails is a row
/// that says so.
pub async fn fleet_apply(
    delay: Duration,
    config: &std::path::Path,
    fault: Fault,
    mode: &str,
) -> Sample {
    let proxy = FaultProxy::start_with_delay(fault, delay).await;
    let clean = FaultProxy::start_with_delay(Fault::None, delay).await;
    let config = config.display().to_string();
    let run = |endpoint: &str, command: &'static str| {
        let mut c = tool_command(endpoint, &[command, "--config", &config, "--yes", "-q"]);
        c.env_remove("AWS_MAX_ATTEMPTS").env("AWS_RETRY_MODE", mode);
        c
    };
    let started = Instant::now();
    let out = run(&proxy.endpoint, "apply")
        .output()
        .await
        .expect("the binary runs");
    let wall = started.elapsed();
    if !out.status.success() {
        eprintln!(
            "fleet apply ({mode}) failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let calls = proxy.calls();
    let destroy = run(&clean.endpoint, "destroy")
        .output()
        .await
        .expect("the binary runs");
    assert!(
        destroy.status.success(),
        "fleet destroy failed:\n{}",
        String::from_utf8_lossy(&destroy.stderr)
    );
    Sample::of(wall, &calls, out.status.success())
}
