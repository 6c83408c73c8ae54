//! Benchmarks (not tests; `scripts/bench` runs them): lex-logs-setup against the AWS guide's CLI
//! steps, a no-op re-apply, plan, destroy, 1/10/50 aliases and 1/20 bots in a config file, each on
//! fresh worlds behind a proxy that adds a fixed delay to every call; and a fleet of 50 bots over 3
//! accounts, also with 10% of the writes throttled, in the standard and the adaptive retry mode.
//! Prints the median wall time, the calls made and the sequential round trips (the longest chain
//! of calls that waited on each other). Nothing here asserts a time.

#[allow(dead_code)]
#[path = "../it/proxy.rs"]
mod proxy;
#[allow(dead_code)]
#[path = "../it/proxy_hold.rs"]
mod proxy_hold;
#[allow(dead_code)]
#[path = "../it/support/mod.rs"]
mod support;

mod full;

use std::time::{Duration, Instant};

use proxy::{sequential_round_trips, Fault, FaultProxy};
use support::{tool_command, unique, World, ACCOUNT, REGION};

#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    calls: usize,
    round_trips: usize,
}

fn median(samples: &[Sample]) -> Sample {
    let mut sorted = samples.to_vec();
    sorted.sort_by_key(|s| s.wall);
    sorted[sorted.len() / 2]
}

async fn measure(delay: Duration, args: &[String]) -> Sample {
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
    Sample {
        wall,
        calls: calls.len(),
        round_trips: sequential_round_trips(&calls),
    }
}

fn args(world: &World, command: &str, extra: &[&str]) -> Vec<String> {
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

/// The AWS guide's steps for the same setup, as a person's script runs them: one `aws` command
/// after another, reading the bot and alias before replacing them.
async fn aws_cli_steps(aws: &str, delay: Duration, world: &World) -> Sample {
    let proxy = FaultProxy::start_with_delay(Fault::None, delay).await;
    let dir = std::env::temp_dir().join(unique("bench-cli"));
    std::fs::create_dir_all(&dir).unwrap();
    let role = format!("CliLogs-{}", world.bot_name);
    let group = format!("/aws/lex/{}", world.bot_name);
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/{role}");
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        format!("file://{}", path.display())
    };
    let trust = write(
        "trust.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"lexv2.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{ACCOUNT}"}}}}}}]}}"#
        ),
    );
    let logs = write(
        "logs.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*"}}]}}"#
        ),
    );
    let pass = write(
        "pass.json",
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"{role_arn}","Condition":{{"StringEquals":{{"iam:PassedToService":"lexv2.amazonaws.com"}}}}}}]}}"#
        ),
    );
    let settings = format!(
        r#"{{"textLogSettings":[{{"enabled":true,"destination":{{"cloudWatch":{{"cloudWatchLogGroupArn":"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}","logPrefix":"lex/"}}}}}}]}}"#
    );
    let policy_arn = format!("arn:aws:iam::{ACCOUNT}:policy/{role}-CloudWatchLogs");
    let steps: Vec<Vec<String>> = vec![
        vec!["logs", "create-log-group", "--log-group-name", &group],
        vec![
            "iam",
            "create-role",
            "--role-name",
            &role,
            "--assume-role-policy-document",
            &trust,
        ],
        vec![
            "iam",
            "create-policy",
            "--policy-name",
            &format!("{role}-CloudWatchLogs"),
            "--policy-document",
            &logs,
        ],
        vec![
            "iam",
            "attach-role-policy",
            "--role-name",
            &role,
            "--policy-arn",
            &policy_arn,
        ],
        vec![
            "iam",
            "put-user-policy",
            "--user-name",
            &world.user,
            "--policy-name",
            "PassLexLogsRole",
            "--policy-document",
            &pass,
        ],
        vec!["lexv2-models", "describe-bot", "--bot-id", &world.bot_id],
        vec![
            "lexv2-models",
            "update-bot",
            "--bot-id",
            &world.bot_id,
            "--bot-name",
            &world.bot_name,
            "--description",
            "a bot for tests",
            "--role-arn",
            &role_arn,
            "--data-privacy",
            "childDirected=false",
            "--idle-session-ttl-in-seconds",
            "300",
        ],
        vec![
            "lexv2-models",
            "describe-bot-alias",
            "--bot-id",
            &world.bot_id,
            "--bot-alias-id",
            &world.alias_id,
        ],
        vec![
            "lexv2-models",
            "update-bot-alias",
            "--bot-id",
            &world.bot_id,
            "--bot-alias-id",
            &world.alias_id,
            "--bot-alias-name",
            "live",
            "--description",
            "the live alias",
            "--bot-version",
            "1",
            "--conversation-log-settings",
            &settings,
        ],
    ]
    .into_iter()
    .map(|step| step.into_iter().map(str::to_string).collect())
    .collect();
    let started = Instant::now();
    for step in &steps {
        let out = tokio::process::Command::new(aws)
            .args(step)
            .args(["--endpoint-url", &proxy.endpoint, "--output", "json"])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .await
            .expect("the aws CLI runs");
        assert!(
            out.status.success(),
            "aws {step:?}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let wall = started.elapsed();
    let calls = proxy.calls();
    Sample {
        wall,
        calls: calls.len(),
        round_trips: sequential_round_trips(&calls),
    }
}

async fn world_with_aliases(count: usize) -> World {
    let world = World::new().await;
    let world_ref = &world;
    futures::future::join_all(
        (1..count).map(|i| async move { world_ref.add_alias(&format!("a{i}")).await }),
    )
    .await;
    world
}

fn alias_args(world: &World, count: usize) -> Vec<String> {
    let mut extra = vec!["--alias".to_string(), "live".into()];
    for i in 1..count {
        extra.push("--alias".into());
        extra.push(format!("a{i}"));
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    args(world, "apply", &extra)
}

async fn config_apply(delay: Duration, bots: usize) -> Sample {
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
async fn fleet(bots: usize) -> (Vec<World>, std::path::PathBuf) {
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

/// The fleet applied behind a proxy that throttles `throttled` of the mutating calls, with the
/// retry mode given (the tool's own attempts and backoff), then destroyed (not measured) so that
/// the next scenario starts from the same worlds.
async fn fleet_apply(
    delay: Duration,
    config: &std::path::Path,
    throttled: f64,
    mode: &str,
) -> Sample {
    let proxy = FaultProxy::start_with_delay(Fault::Throttle(throttled), delay).await;
    let config = config.display().to_string();
    let run = |command: &'static str| {
        let mut c = tool_command(
            &proxy.endpoint,
            &[command, "--config", &config, "--yes", "-q"],
        );
        c.env_remove("AWS_MAX_ATTEMPTS").env("AWS_RETRY_MODE", mode);
        c
    };
    let started = Instant::now();
    let out = run("apply").output().await.expect("the binary runs");
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "fleet apply failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = proxy.calls();
    let destroy = run("destroy").output().await.expect("the binary runs");
    assert!(
        destroy.status.success(),
        "fleet destroy failed:\n{}",
        String::from_utf8_lossy(&destroy.stderr)
    );
    Sample {
        wall,
        calls: calls.len(),
        round_trips: sequential_round_trips(&calls),
    }
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let delay = Duration::from_millis(
        std::env::var("BENCH_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(80),
    );
    let aws = std::env::var("BENCH_AWS_CLI").ok();
    // BENCH_ONLY=fleet runs only the fleet's scenarios.
    let only = std::env::var("BENCH_ONLY").ok();
    let mut rows: Vec<(String, Vec<Sample>)> = Vec::new();
    let add = |rows: &mut Vec<(String, Vec<Sample>)>, name: &str, sample: Sample| match rows
        .iter_mut()
        .find(|(n, _)| n == name)
    {
        Some((_, samples)) => samples.push(sample),
        None => rows.push((name.to_string(), vec![sample])),
    };
    for run in 1..=runs {
        eprintln!(
            "bench: run {run} of {runs} ({} ms per call)",
            delay.as_millis()
        );
        if only.as_deref().is_none_or(|o| o == "full") {
            let world = full::customer_role_world().await;
            let setup = full::full_setup(&world);
            let setup: Vec<&str> = setup.iter().map(String::as_str).collect();
            for (name, command) in [
                ("full: apply (fresh)", "apply"),
                ("full: apply again (no-op)", "apply"),
                ("full: plan (nothing to do)", "plan"),
                ("full: destroy", "destroy"),
            ] {
                let sample = measure_named(delay, name, &args(&world, command, &setup)).await;
                add(&mut rows, name, sample);
            }
        }
        if only.as_deref().is_none_or(|o| o != "fleet" && o != "full") {
            if let Some(aws) = &aws {
                let world = World::new().await;
                add(
                    &mut rows,
                    "AWS CLI: the guide's 9 steps",
                    aws_cli_steps(aws, delay, &world).await,
                );
            }
            let world = World::new().await;
            let grant = format!("user/{}", world.user);
            let setup = ["--alias", "live", "--grant-pass-role", grant.as_str()];
            add(
                &mut rows,
                "apply (fresh: text logs, PassRole)",
                measure(delay, &args(&world, "apply", &setup)).await,
            );
            add(
                &mut rows,
                "apply again (no-op)",
                measure(delay, &args(&world, "apply", &setup)).await,
            );
            add(
                &mut rows,
                "plan (nothing to do)",
                measure(delay, &args(&world, "plan", &setup)).await,
            );
            add(
                &mut rows,
                "destroy",
                measure(delay, &args(&world, "destroy", &setup)).await,
            );
            for count in [1, 10, 50] {
                let world = world_with_aliases(count).await;
                add(
                    &mut rows,
                    &format!("apply, {count} alias(es)"),
                    measure(delay, &alias_args(&world, count)).await,
                );
            }
            add(
                &mut rows,
                "config file, 1 bot",
                config_apply(delay, 1).await,
            );
            add(
                &mut rows,
                "config file, 20 bots",
                config_apply(delay, 20).await,
            );
        }
        if only.as_deref() == Some("full") {
            continue;
        }
        let (_worlds, config) = fleet(50).await;
        add(
            &mut rows,
            "fleet: 50 bots over 3 accounts",
            fleet_apply(delay, &config, 0.0, "standard").await,
        );
        add(
            &mut rows,
            "fleet, 10% throttled, standard retries",
            fleet_apply(delay, &config, 0.1, "standard").await,
        );
        add(
            &mut rows,
            "fleet, 10% throttled, adaptive retries",
            fleet_apply(delay, &config, 0.1, "adaptive").await,
        );
    }
    let median_of = |name: &str| rows.iter().find(|(n, _)| n == name).map(|(_, s)| median(s));
    let apply = median_of("apply (fresh: text logs, PassRole)");
    let one_alias = median_of("apply, 1 alias(es)");
    let one_bot = median_of("config file, 1 bot");
    println!("| scenario | median wall | calls | sequential round trips | ratio |");
    println!("|---|---:|---:|---:|---|");
    for (name, samples) in &rows {
        let m = median(samples);
        let ratio = |base: Option<Sample>, what: &str| match base {
            Some(base) => format!(
                "{:.2}x {what}",
                m.wall.as_secs_f64() / base.wall.as_secs_f64()
            ),
            None => String::new(),
        };
        let ratio = if name.starts_with("AWS CLI") {
            ratio(apply, "apply")
        } else if name.starts_with("apply, ") {
            ratio(one_alias, "1 alias")
        } else if name.starts_with("config file") || name.starts_with("fleet") {
            ratio(one_bot, "1 bot")
        } else {
            ratio(apply, "fresh apply")
        };
        println!(
            "| {name} | {:.2} s | {} | {} | {ratio} |",
            m.wall.as_secs_f64(),
            m.calls,
            m.round_trips
        );
    }
    println!(
        "\n{runs} run(s) per scenario on fresh worlds, {} ms added to every call by the proxy.",
        delay.as_millis()
    );
}
