//! The sequential boto3 baseline: `bench/sequential_boto3.py` makes the calls the tool makes for
//! a fresh apply, one after another, through the same proxy; after it, the alias is checked
//! through the SDK (its text logs go to the group, and in the full world its audio to the
//! bucket), so the row cannot pass by doing nothing.

use std::time::{Duration, Instant};

use crate::proxy::{Call, Fault, FaultProxy};
use crate::support::{World, REGION};
use crate::Sample;

/// Runs the script on `world` (with `audio`, the full world's bucket and key too) with `python`.
pub async fn boto3_script(
    python: &str,
    delay: Duration,
    world: &World,
    audio: bool,
    name: &str,
) -> Sample {
    let proxy = FaultProxy::start_with_delay(Fault::None, delay).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/sequential_boto3.py");
    let group = world.log_group();
    let setup = world.role_name();
    let mut command = tokio::process::Command::new(python);
    command.arg(script).args([
        "--bot",
        &world.bot_name,
        "--alias",
        &world.alias_name,
        "--user",
        &world.user,
        "--log-group",
        &group,
        "--setup",
        &setup,
    ]);
    if audio {
        command.args(["--audio-bucket", &world.bucket, "--kms-key", &world.key_arn]);
    }
    command
        .env("AWS_ENDPOINT_URL", &proxy.endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", REGION)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE");
    let started = Instant::now();
    let out = command.output().await.expect("the boto3 script runs");
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "{script}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = proxy.calls();
    crate::full::trace(name, &calls);
    dump_writes(name, &calls);
    assert_logging(world, &group, audio).await;
    Sample::of(wall, &calls, true)
}

/// The alias logs text to `group` (and audio to the world's bucket with its key).
async fn assert_logging(world: &World, group: &str, audio: bool) {
    let alias = world
        .clients
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .send()
        .await
        .expect("DescribeBotAlias");
    let settings = alias
        .conversation_log_settings()
        .expect("the boto3 script turned conversation logs on");
    let text = settings.text_log_settings().iter().any(|t| {
        t.enabled()
            && t.destination()
                .and_then(|d| d.cloud_watch())
                .is_some_and(|c| c.cloud_watch_log_group_arn().ends_with(group))
    });
    assert!(
        text,
        "the boto3 script left no text logs to {group}: {settings:?}"
    );
    if audio {
        let audio = settings.audio_log_settings().iter().any(|a| {
            a.enabled()
                && a.destination()
                    .and_then(|d| d.s3_bucket())
                    .is_some_and(|s| {
                        s.s3_bucket_arn().ends_with(&world.bucket)
                            && s.kms_key_arn() == Some(world.key_arn.as_str())
                    })
        });
        assert!(audio, "the boto3 script left no audio logs: {settings:?}");
    }
}

/// With `BENCH_TRACE=writes`, prints each write's path and body (to compare the script's with
/// the tool's).
pub fn dump_writes(scenario: &str, calls: &[Call]) {
    if std::env::var("BENCH_TRACE").as_deref() != Ok("writes") {
        return;
    }
    eprintln!("writes of {scenario}:");
    for c in calls.iter().filter(|c| c.mutating) {
        eprintln!("  {}:{} {} {}", c.service, c.operation, c.path, c.body);
    }
}
