//! Benchmarks (not tests; `scripts/bench` runs them): lex-logs-setup against the AWS guide's CLI
//! steps and a boto3 script making the tool's calls one after another (in the console world and
//! the full world), a no-op re-apply, plan, destroy, 1/10/50 aliases and 1/20 bots in a config
//! file, each on fresh worlds behind a proxy that adds a fixed delay to every call; and a fleet of
//! 50 bots over 3 accounts, also with 10% of the writes throttled, in the standard and the
//! adaptive retry mode.
//! Prints the median wall time, the calls made, the sequential round trips (the longest chain
//! of calls that waited on each other) and the floor (the scenario's dependency chain times the
//! latency). Nothing here asserts a time.

#[allow(dead_code)]
#[path = "../it/proxy.rs"]
mod proxy;
#[allow(dead_code)]
#[path = "../it/proxy_hold.rs"]
mod proxy_hold;
#[allow(dead_code)]
#[path = "../it/support/mod.rs"]
mod support;

mod baselines;
mod floor;
mod full;
mod scale;
mod sequential;
mod status_scale;

use std::time::{Duration, Instant};

use proxy::{sequential_round_trips, Fault, FaultProxy};
use support::{tool_command, World};

/// One measurement: wall time, calls through the proxy, and the longest chain of calls that
/// waited on each other.
#[derive(Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    pub calls: usize,
    pub round_trips: usize,
    /// Calls the proxy answered with a throttling error, and whether the command still succeeded.
    pub throttled: usize,
    pub succeeded: bool,
}

impl Sample {
    pub fn of(wall: Duration, calls: &[proxy::Call], succeeded: bool) -> Sample {
        Sample {
            wall,
            calls: calls.len(),
            round_trips: sequential_round_trips(calls),
            throttled: proxy::throttled(calls),
            succeeded,
        }
    }
}

fn median(samples: &[Sample]) -> Sample {
    let mut sorted = samples.to_vec();
    sorted.sort_by_key(|s| s.wall);
    sorted[sorted.len() / 2]
}

pub async fn measure(delay: Duration, args: &[String]) -> Sample {
    measure_named(delay, "", args).await
}

async fn measure_named(delay: Duration, name: &str, args: &[String]) -> Sample {
    let proxy = FaultProxy::start_with_delay(Fault::None, delay).await;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let started = Instant::now();
    let out = tool_command(&proxy.endpoint, &args)
        .output()
        .await
        .expect("the binary runs");
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = proxy.calls();
    full::trace(name, &calls);
    sequential::dump_writes(name, &calls);
    Sample::of(wall, &calls, true)
}

pub fn args(world: &World, command: &str, extra: &[&str]) -> Vec<String> {
    let mut all = vec![command.to_string(), "--bot".into(), world.bot_name.clone()];
    for a in extra {
        all.push(a.to_string());
    }
    if command != "plan" {
        all.push("--yes".into());
    }
    all.push("-q".into());
    all
}

/// The scenario groups `BENCH_ONLY` may name (a comma-separated list; all by default).
const GROUPS: [&str; 5] = ["full", "basic", "scale", "status", "fleet"];

/// Rows of the table, each with its samples (one per run).
#[derive(Default)]
struct Rows(Vec<(String, Vec<Sample>)>);

impl Rows {
    fn add(&mut self, name: &str, sample: Sample) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some((_, samples)) => samples.push(sample),
            None => self.0.push((name.to_string(), vec![sample])),
        }
    }

    fn median_of(&self, name: &str) -> Option<Sample> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| median(s))
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The full world: customer role, text and audio with a KMS key, PassRole.
async fn full_world(rows: &mut Rows, delay: Duration) {
    if let Ok(python) = std::env::var("BENCH_PYTHON") {
        let world = full::customer_role_world().await;
        let name = "full: boto3 script, the same calls one after another";
        let sample = sequential::boto3_script(&python, delay, &world, true, name).await;
        rows.add(name, sample);
    }
    let world = full::customer_role_world().await;
    let setup = full::full_setup(&world);
    let setup: Vec<&str> = setup.iter().map(String::as_str).collect();
    for (name, command) in [
        ("full: apply (fresh)", "apply"),
        ("full: apply again (no-op)", "apply"),
        ("full: plan (nothing to do)", "plan"),
        ("full: destroy", "destroy"),
    ] {
        rows.add(
            name,
            measure_named(delay, name, &args(&world, command, &setup)).await,
        );
    }
}

/// A console user's world (service-linked role, text logs, PassRole), the guide's CLI steps and
/// the sequential boto3 script (each on its own fresh world).
async fn basic(rows: &mut Rows, delay: Duration) {
    if let Ok(aws) = std::env::var("BENCH_AWS_CLI") {
        let world = World::new().await;
        rows.add(
            "AWS CLI: the guide's 9 steps",
            baselines::aws_cli_steps(&aws, delay, &world).await,
        );
    }
    if let Ok(python) = std::env::var("BENCH_PYTHON") {
        let world = World::new().await;
        let name = "boto3 script, the same calls one after another";
        let sample = sequential::boto3_script(&python, delay, &world, false, name).await;
        rows.add(name, sample);
    }
    let world = World::new().await;
    let grant = format!("user/{}", world.user);
    let setup = ["--alias", "live", "--grant-pass-role", grant.as_str()];
    for (name, command) in [
        ("apply (fresh: text logs, PassRole)", "apply"),
        ("apply again (no-op)", "apply"),
        ("plan (nothing to do)", "plan"),
        ("destroy", "destroy"),
    ] {
        rows.add(
            name,
            measure_named(delay, name, &args(&world, command, &setup)).await,
        );
    }
}

async fn scale(rows: &mut Rows, delay: Duration) {
    for count in [1, 10, 50] {
        let world = scale::world_with_aliases(count).await;
        let name = format!("apply, {count} alias(es)");
        let sample = measure_named(delay, &name, &scale::alias_args(&world, count)).await;
        rows.add(&name, sample);
    }
    rows.add("config file, 1 bot", scale::config_apply(delay, 1).await);
    rows.add("config file, 20 bots", scale::config_apply(delay, 20).await);
}

/// `status --all-bots` on accounts of 10, 100 and 300 bots (`BENCH_STATUS_BOTS`), the largest
/// also under a per-service rate limit (`BENCH_RATE`, calls per second, default 10).
async fn status(rows: &mut Rows, delay: Duration) {
    let sizes: Vec<usize> = std::env::var("BENCH_STATUS_BOTS")
        .unwrap_or_else(|_| "10,100,300".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let rate: f64 = env_or("BENCH_RATE", 10.0);
    for (i, bots) in sizes.iter().enumerate() {
        let account = status_scale::fleet_account(*bots).await;
        let name = format!("status --all-bots, {bots} bots");
        rows.add(
            &name,
            status_scale::status(&account, delay, None, &name).await,
        );
        if i + 1 == sizes.len() {
            let name = format!("status --all-bots, {bots} bots, {rate}/s per service");
            let sample = status_scale::status(&account, delay, Some(rate), &name).await;
            rows.add(&name, sample);
        }
    }
}

async fn fleet(rows: &mut Rows, delay: Duration) {
    let (_worlds, config) = scale::fleet(50).await;
    let rate: f64 = env_or("BENCH_RATE", 10.0);
    for (name, fault, mode) in [
        ("fleet: 50 bots over 3 accounts", Fault::None, "standard"),
        (
            "fleet, 10% throttled, standard retries",
            Fault::Throttle(0.1),
            "standard",
        ),
        (
            "fleet, 10% throttled, adaptive retries",
            Fault::Throttle(0.1),
            "adaptive",
        ),
        (
            "fleet, rate-limited per service, standard retries",
            Fault::RateLimit(rate),
            "standard",
        ),
        (
            "fleet, rate-limited per service, adaptive retries",
            Fault::RateLimit(rate),
            "adaptive",
        ),
    ] {
        rows.add(name, scale::fleet_apply(delay, &config, fault, mode).await);
    }
}

/// The ratio column: against the row each kind of scenario is compared with.
fn ratio(rows: &Rows, name: &str, m: Sample, delay: Duration) -> String {
    let against = |base: &str, what: &str| match rows.median_of(base) {
        Some(base) => format!(
            "{:.2}x {what}",
            m.wall.as_secs_f64() / base.wall.as_secs_f64()
        ),
        None => String::new(),
    };
    // A baseline against the tool's fresh apply in the same world: how much faster the tool is.
    let tool_faster = |tool: &str, target: f64| match rows.median_of(tool) {
        Some(tool) => format!(
            "tool {:.1}x faster (target >= {target}x)",
            m.wall.as_secs_f64() / tool.wall.as_secs_f64()
        ),
        None => String::new(),
    };
    if name.starts_with("AWS CLI") {
        tool_faster("apply (fresh: text logs, PassRole)", 10.0)
    } else if name.starts_with("boto3") {
        tool_faster("apply (fresh: text logs, PassRole)", 2.0)
    } else if name.starts_with("full: boto3") {
        tool_faster("full: apply (fresh)", 2.0)
    } else if name.starts_with("full:") {
        // Against its own sequential round trips times the added latency (the time the chain of
        // calls takes at the least; the rest is the tool's and the emulator's own work).
        let chain = delay.as_secs_f64() * m.round_trips as f64;
        format!("{:.2}x round trips x latency", m.wall.as_secs_f64() / chain)
    } else if name.starts_with("apply, ") {
        against("apply, 1 alias(es)", "1 alias")
    } else if let Some(bots) = name
        .strip_prefix("status --all-bots, ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
    {
        let per_bot = m.calls as f64 / bots as f64;
        let bound = m.calls as f64 / status_scale::CONCURRENCY as f64 * delay.as_secs_f64();
        format!(
            "{per_bot:.1} calls/bot; {:.2}x calls / {} x latency",
            m.wall.as_secs_f64() / bound,
            status_scale::CONCURRENCY
        )
    } else if name.starts_with("config file") || name.starts_with("fleet") {
        against("config file, 1 bot", "1 bot")
    } else {
        against("apply (fresh: text logs, PassRole)", "fresh apply")
    }
}

#[tokio::main]
async fn main() {
    let runs: usize = env_or("BENCH_RUNS", 3);
    let delay = Duration::from_millis(env_or("BENCH_DELAY_MS", 80));
    let only = std::env::var("BENCH_ONLY").ok();
    let wanted = |group: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|g| g == group))
    };
    if let Some(unknown) = only
        .iter()
        .flat_map(|o| o.split(','))
        .find(|g| !GROUPS.contains(g))
    {
        panic!("BENCH_ONLY names {unknown:?}; the groups are {GROUPS:?}");
    }
    let mut rows = Rows::default();
    for run in 1..=runs {
        eprintln!(
            "bench: run {run} of {runs} ({} ms per call)",
            delay.as_millis()
        );
        if wanted("full") {
            full_world(&mut rows, delay).await;
        }
        if wanted("basic") {
            basic(&mut rows, delay).await;
        }
        if wanted("scale") {
            scale(&mut rows, delay).await;
        }
        if wanted("status") {
            status(&mut rows, delay).await;
        }
        if wanted("fleet") {
            fleet(&mut rows, delay).await;
        }
    }
    println!(
        "| scenario | median wall | calls | sequential round trips | floor | wall / floor | ratio |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (name, samples) in &rows.0 {
        let m = median(samples);
        let mut ratio = ratio(&rows, name, m, delay);
        if m.throttled > 0 {
            ratio.push_str(&format!("; {} throttled", m.throttled));
        }
        if !m.succeeded {
            ratio.push_str("; FAILED");
        }
        let (floor, over) = match floor::depth(name) {
            Some(depth) => {
                let floor = depth as f64 * delay.as_secs_f64();
                (
                    format!("{depth} x {} ms = {floor:.2} s", delay.as_millis()),
                    format!("{:.1}x", m.wall.as_secs_f64() / floor),
                )
            }
            None => ("-".into(), "-".into()),
        };
        println!(
            "| {name} | {:.2} s | {} | {} | {floor} | {over} | {ratio} |",
            m.wall.as_secs_f64(),
            m.calls,
            m.round_trips,
        );
    }
    println!(
        "\n{runs} run(s) per scenario on fresh worlds, {} ms added to every call by the proxy.",
        delay.as_millis()
    );
    println!(
        "floor: the scenario's dependency chain (its depth, declared in tests/bench/floor.rs) x the added latency."
    );
}
