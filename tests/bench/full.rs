//! The "full world": a bot on a customer role (version and alias on it), text logs and
//! audio to a bucket with a KMS key, and a PassRole grant to an IAM user; and a trace of which
//! call ran at which sequential level, to see where a round trip is spent (`BENCH_TRACE=1`).

use crate::proxy::Call;
use crate::support::{publish_version, World};

/// A world whose bot runs on a customer role: the role made, the bot moved to it, DRAFT published
/// as version 2 (on that role) and `live` repointed to it.
pub async fn customer_role_world() -> World {
    let world = World::new().await;
    let role = world.customer_role().await;
    world.move_bot_to(&role).await;
    let version = publish_version(&world.clients.lex, &world.bot_id, &[]).await;
    world.deploy(&world.alias_id, Some(&version), None).await;
    world
}

/// The tool's arguments for the full setup on `world`.
pub fn full_setup(world: &World) -> Vec<String> {
    vec![
        "--alias".into(),
        "live".into(),
        "--audio-bucket".into(),
        world.bucket.clone(),
        "--kms-key".into(),
        world.key_arn.clone(),
        "--grant-pass-role".into(),
        format!("user/{}", world.user),
    ]
}

/// Each call's sequential level (as `sequential_round_trips` counts it), in the order they
/// started.
pub fn levels(calls: &[Call]) -> Vec<(usize, &Call)> {
    let mut sorted: Vec<&Call> = calls.iter().collect();
    sorted.sort_by_key(|c| c.started);
    let mut done: Vec<(std::time::Duration, usize)> = Vec::new();
    let mut out = Vec::new();
    for call in sorted {
        let level = 1 + done
            .iter()
            .filter(|(ended, _)| *ended <= call.started)
            .map(|(_, l)| *l)
            .max()
            .unwrap_or(0);
        done.push((call.ended, level));
        out.push((level, call));
    }
    out
}

/// Prints the calls of `scenario` by level on stderr when `BENCH_TRACE` is set.
pub fn trace(scenario: &str, calls: &[Call]) {
    if std::env::var_os("BENCH_TRACE").is_none() {
        return;
    }
    let mut by_level: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for (level, call) in levels(calls) {
        by_level
            .entry(level)
            .or_default()
            .push(format!("{}:{}", call.service, call.operation));
    }
    eprintln!("trace of {scenario}:");
    for (level, ops) in by_level {
        eprintln!("  {level}: {}", ops.join(" "));
    }
}
