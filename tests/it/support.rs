//! Test support: reaching the emulator, building isolated worlds with unique names, and running
//! the real binary against them.

use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use aws_sdk_lexmodelsv2::types::{BotAliasLocaleSettings, DataPrivacy, SentimentAnalysisSettings};
use aws_sdk_sts::config::Credentials;
use lex_logs_setup::aws::Clients;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
    require_emulator().await;
    let config = aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .region(aws_config::Region::new(REGION))
        .endpoint_url(endpoint())
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(2))
        .load()
        .await;
    Clients::from_sdk_config(&config).expect("region is set")
}

/// Runs the real binary against the emulator and returns what it printed.
pub async fn run_tool(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_lex-logs-setup"))
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", REGION)
        .env("AWS_MAX_ATTEMPTS", "2")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("the binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// An isolated world: a bot with an alias, a bucket, a KMS key and an IAM user, all uniquely named.
pub struct World {
    pub clients: Clients,
    pub bot_id: String,
    pub bot_name: String,
    pub bot_role_arn: String,
    pub alias_id: String,
    pub alias_name: String,
    pub bucket: String,
    pub key_id: String,
    pub key_arn: String,
    pub user: String,
}

impl World {
    pub async fn new() -> World {
        let clients = clients().await;
        let bot_name = unique("Bot");
        let bot_role_arn = format!(
            "arn:aws:iam::{ACCOUNT}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_{bot_name}"
        );
        let bot = clients
            .lex
            .create_bot()
            .bot_name(&bot_name)
            .description("a bot for tests")
            .role_arn(&bot_role_arn)
            .data_privacy(DataPrivacy::builder().child_directed(false).build())
            .idle_session_ttl_in_seconds(300)
            .send()
            .await
            .expect("CreateBot");
        let bot_id = bot.bot_id().unwrap().to_string();
        let alias_name = "live".to_string();
        let alias = clients
            .lex
            .create_bot_alias()
            .bot_id(&bot_id)
            .bot_alias_name(&alias_name)
            .description("the live alias")
            .bot_version("1")
            .bot_alias_locale_settings(
                "en_US",
                BotAliasLocaleSettings::builder().enabled(true).build(),
            )
            .sentiment_analysis_settings(
                SentimentAnalysisSettings::builder()
                    .detect_sentiment(true)
                    .build(),
            )
            .send()
            .await
            .expect("CreateBotAlias");
        let alias_id = alias.bot_alias_id().unwrap().to_string();
        let bucket = unique("bucket-").to_lowercase();
        clients
            .s3
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("CreateBucket");
        let key = clients
            .kms
            .create_key()
            .description(&bot_name)
            .send()
            .await
            .expect("CreateKey");
        let metadata = key.key_metadata().unwrap();
        let user = unique("user-");
        clients
            .iam
            .create_user()
            .user_name(&user)
            .send()
            .await
            .expect("CreateUser");
        World {
            bot_id,
            bot_name,
            bot_role_arn,
            alias_id,
            alias_name,
            bucket,
            key_id: metadata.key_id().to_string(),
            key_arn: metadata.arn().unwrap().to_string(),
            user,
            clients,
        }
    }
}
