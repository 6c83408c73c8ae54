//! Test support: reaching the emulator, building isolated worlds with unique names, and running
//! the real binary against them.

use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use aws_sdk_sts::config::Credentials;
use lex_logs_setup::aws::Clients;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod deploy;
mod snapshot;
mod world;

pub use world::World;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "000000000000";

/// The emulator's port: `LOCALSTACK_PORT`, as `localstack/start` uses it.
pub fn port() -> u16 {
    std::env::var("LOCALSTACK_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(4566)
}

pub fn endpoint() -> String {
    format!("http://127.0.0.1:{}", port())
}

/// A name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000;
    format!(
        "{prefix}{}x{}x{nanos}",
        std::process::id() % 100_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Fails the test with a message that says how to start the emulator when nothing answers.
async fn require_emulator() {
    let addr = format!("127.0.0.1:{}", port());
    let reply = async {
        let mut stream = tokio::net::TcpStream::connect(&addr).await?;
        stream
            .write_all(b"GET /_localstack/health HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .await?;
        let mut body = String::new();
        stream.read_to_string(&mut body).await?;
        Ok::<_, std::io::Error>(body)
    }
    .await;
    match reply {
        Ok(body) if body.contains("\"lexv2-models\"") => {}
        Ok(_) => panic!(
            "LocalStack on {addr} does not serve lexv2-models: start it with `localstack/start` (which installs the Lex V2 plugin)"
        ),
        Err(e) => panic!(
            "nothing answers on {addr} ({e}): start the emulator with `localstack/start` (or run `scripts/test`, which does)"
        ),
    }
}

/// SDK clients pointed at the emulator, with test credentials and quick retries.
pub async fn clients() -> Clients {
    clients_as("test").await
}

/// SDK clients as another account: the emulator takes a 12-digit access key id as the account.
pub async fn clients_as(access_key: &str) -> Clients {
    require_emulator().await;
    Clients::from_sdk_config(&sdk_config_as(access_key).await).expect("region is set")
}

/// Runs the real binary against the emulator and returns what it printed.
pub async fn run_tool(args: &[&str]) -> Output {
    run_tool_at(&endpoint(), args).await
}

/// The binary, set up to call `endpoint` (the emulator, or a proxy in front of it).
pub fn tool_command(endpoint: &str, args: &[&str]) -> tokio::process::Command {
    tool_command_as("test", endpoint, args)
}

/// The binary, set up to call `endpoint` as `access_key_id` (a 12-digit one selects an account).
pub fn tool_command_as(
    access_key_id: &str,
    endpoint: &str,
    args: &[&str],
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_lex-logs-setup"));
    command
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", REGION)
        .env("AWS_MAX_ATTEMPTS", "2")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null());
    command
}

/// Runs the real binary against the emulator as `account` and returns what it printed.
pub async fn run_tool_as(account: &str, args: &[&str]) -> Output {
    tool_command_as(account, &endpoint(), args)
        .output()
        .await
        .expect("the binary runs")
}

/// Runs the real binary against `endpoint` and returns what it printed.
pub async fn run_tool_at(endpoint: &str, args: &[&str]) -> Output {
    tool_command(endpoint, args)
        .output()
        .await
        .expect("the binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The run's stdout as JSON (a failure shows both streams).
pub fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}):\n{}\n--- stderr\n{}",
            stdout(out),
            stderr(out)
        )
    })
}

/// The row of alias `name` in a report's `aliases` (verify's or status's).
pub fn alias_row<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["alias"] == name)
        .unwrap_or_else(|| panic!("alias {name} in {report:#}"))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The name of the inline policy the world's service-linked role carries for sentiment, as Lex
/// adds one when sentiment analysis is turned on.
pub const SENTIMENT_POLICY: &str = "LexV2SentimentAnalysis";

/// A 12-digit account id no other test uses (the emulator makes the account on first use), its
/// first digit `first` so that tests' accounts are told apart in the emulator's log.
pub fn fresh_account(first: char) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let count = NEXT.fetch_add(1, Ordering::SeqCst) as u128;
    let mixed = n / 1000 + count * 7_919 + std::process::id() as u128 * 104_729;
    format!("{first}{:011}", mixed % 100_000_000_000)
}

/// Changes the twin's settings for `account` (e.g. `{"slr_inline_policies": false}`).
pub async fn twin_settings(account: &str, settings: serde_json::Value) {
    let mut body = settings;
    body["account"] = serde_json::json!(account);
    let body = body.to_string();
    let request = format!(
        "POST /_lexlogs/settings HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port()))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"),
        "{answer}"
    );
}

/// The SDK config the tests use (emulator endpoint, test credentials, quick retries).
pub async fn sdk_config() -> aws_config::SdkConfig {
    sdk_config_as("test").await
}

/// The SDK config for another account: LocalStack takes the account from a 12-digit access key
/// id ("test" is the default account).
pub async fn sdk_config_as(access_key_id: &str) -> aws_config::SdkConfig {
    sdk_config_in(access_key_id, REGION).await
}

/// The SDK config for an account (by access key id) in a region.
pub async fn sdk_config_in(access_key_id: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(Credentials::new(access_key_id, "test", None, None, "tests"))
        .region(aws_config::Region::new(region.to_string()))
        .endpoint_url(endpoint())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(2))
        .load()
        .await
}

/// A Lex V2 runtime client pointed at the emulator.
pub async fn runtime() -> aws_sdk_lexruntimev2::Client {
    aws_sdk_lexruntimev2::Client::new(&sdk_config().await)
}

/// Makes the bot's `en_US` DRAFT locale (and `extra` locales, unbuilt), builds en_US, and
/// publishes DRAFT as a version; returns its number.
pub async fn publish_version(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    extra: &[&str],
) -> String {
    for locale in std::iter::once("en_US").chain(extra.iter().copied()) {
        let exists = lex
            .describe_bot_locale()
            .bot_id(bot_id)
            .bot_version("DRAFT")
            .locale_id(locale)
            .send()
            .await
            .is_ok();
        if !exists {
            lex.create_bot_locale()
                .bot_id(bot_id)
                .bot_version("DRAFT")
                .locale_id(locale)
                .nlu_intent_confidence_threshold(0.4)
                .send()
                .await
                .expect("CreateBotLocale");
        }
    }
    lex.build_bot_locale()
        .bot_id(bot_id)
        .bot_version("DRAFT")
        .locale_id("en_US")
        .send()
        .await
        .expect("BuildBotLocale");
    for _ in 0..50 {
        let locale = lex
            .describe_bot_locale()
            .bot_id(bot_id)
            .bot_version("DRAFT")
            .locale_id("en_US")
            .send()
            .await
            .expect("DescribeBotLocale");
        if locale.bot_locale_status().map(|s| s.as_str()) == Some("Built") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let out = lex
        .create_bot_version()
        .bot_id(bot_id)
        .bot_version_locale_specification(
            "en_US",
            aws_sdk_lexmodelsv2::types::BotVersionLocaleDetails::builder()
                .source_bot_version("DRAFT")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("CreateBotVersion");
    out.bot_version().unwrap().to_string()
}

/// Fails with the tool's output when the run did not exit with `code`.
pub fn expect_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code\n--- stdout\n{}\n--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Gives the bucket default SSE-KMS encryption with `key_arn`.
pub async fn set_default_kms_key(s3: &aws_sdk_s3::Client, bucket: &str, key_arn: &str) {
    use aws_sdk_s3::types::{
        ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
        ServerSideEncryptionRule,
    };
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::AwsKms)
        .kms_master_key_id(key_arn)
        .build()
        .expect("algorithm is set");
    let configuration = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(default)
                .build(),
        )
        .build()
        .expect("rules are set");
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(configuration)
        .send()
        .await
        .expect("PutBucketEncryption");
}
