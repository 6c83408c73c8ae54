//! `status --all-bots` at fleet scale: an account of its own with `bots` bots (each with `live`
//! and TestBotAlias, text logs set up on `live` by one apply of a config file), then status
//! measured behind the proxy, with and without throttling. Reports calls per bot.

use std::time::{Duration, Instant};

use crate::proxy::{Fault, FaultProxy};
use crate::support::{fresh_account, tool_command_as, unique, World};
use crate::Sample;

/// An account with `bots` worlds, logs set up on each `live` alias; the account.
pub async fn fleet_account(bots: usize) -> String {
    let account = fresh_account('7');
    let mut worlds = Vec::new();
    // The emulator's Lex serves one call at a time: build the worlds 10 at a time.
    for chunk in (0..bots).collect::<Vec<_>>().chunks(10) {
        let made = futures::future::join_all(chunk.iter().map(|_| World::new_in(&account))).await;
        worlds.extend(made);
    }
    let mut text = String::new();
    for w in &worlds {
        text.push_str(&format!(
            "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\n\n",
            w.bot_name
        ));
    }
    let path = std::env::temp_dir().join(format!("{}.toml", unique("bench-status")));
    std::fs::write(&path, text).unwrap();
    let out = tool_command_as(
        &account,
        &crate::support::endpoint(),
        &[
            "apply",
            "--config",
            &path.display().to_string(),
            "--yes",
            "-q",
        ],
    )
    .output()
    .await
    .expect("the binary runs");
    assert!(
        out.status.success(),
        "the status fleet's apply failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    account
}

/// How many calls status makes at once in one account and region (the tool's bound for reads).
pub const CONCURRENCY: usize = 8;

/// `status --all-bots --output json` in `account` behind a proxy adding `delay` per call and,
/// with `rate`, admitting that many calls per second per service (the tool's own retries,
/// standard mode).
pub async fn status(account: &str, delay: Duration, rate: Option<f64>, name: &str) -> Sample {
    let fault = match rate {
        Some(rate) => Fault::RateLimit(rate),
        None => Fault::None,
    };
    let proxy = FaultProxy::start_with_delay(fault, delay).await;
    let mut command = tool_command_as(
        account,
        &proxy.endpoint,
        &["status", "--all-bots", "--output", "json"],
    );
    command.env_remove("AWS_MAX_ATTEMPTS");
    let started = Instant::now();
    let out = command.output().await.expect("the binary runs");
    let wall = started.elapsed();
    // Under a rate limit a bot may stay unread: reported in the table, not a panic.
    if !out.status.success() {
        eprintln!(
            "{name}: status exited {:?}:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let calls = proxy.calls();
    crate::full::trace(name, &calls);
    Sample::of(wall, &calls, out.status.success())
}
