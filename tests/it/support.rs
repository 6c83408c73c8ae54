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

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The name of the inline policy the world's service-linked role carries for sentiment, as Lex
/// adds one when sentiment analysis is turned on.
pub const SENTIMENT_POLICY: &str = "LexV2SentimentAnalysis";

/// The SDK config the tests use (emulator endpoint, test credentials, quick retries).
pub async fn sdk_config() -> aws_config::SdkConfig {
    sdk_config_as("test").await
}

/// The SDK config for another account: LocalStack takes the account from a 12-digit access key
/// id ("test" is the default account).
pub async fn sdk_config_as(access_key_id: &str) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .credentials_provider(Credentials::new(access_key_id, "test", None, None, "tests"))
        .region(aws_config::Region::new(REGION))
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

/// An isolated world as a console user would have it: a bot on its own Lex service-linked role
/// (AmazonLexV2BotPolicy, plus the inline sentiment policy Lex adds), locale en_US built and
/// published as version 1, alias `live` on version 1 with sentiment on, TestBotAlias on DRAFT;
/// and a bucket, a KMS key and an IAM user, all uniquely named.
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
        World::new_with(clients().await).await
    }

    /// A world in another account (whose emulator settings a test may change without touching
    /// other tests); run the tool there with `tool_command_as`.
    pub async fn new_in(account: &str) -> World {
        require_emulator().await;
        let clients = Clients::from_sdk_config(&sdk_config_as(account).await).expect("region");
        World::new_with(clients).await
    }

    /// The same world in the account `access_key` selects (a 12-digit key is an account id).
    pub async fn new_as(access_key: &str) -> World {
        World::new_in(access_key).await
    }

    async fn new_with(clients: Clients) -> World {
        let bot_name = unique("Bot");
        let slr = clients
            .iam
            .create_service_linked_role()
            .aws_service_name("lexv2.amazonaws.com")
            .custom_suffix(&bot_name)
            .send()
            .await
            .expect("CreateServiceLinkedRole");
        let slr = slr.role().unwrap();
        let bot_role_arn = slr.arn().to_string();
        clients
            .iam
            .put_role_policy()
            .role_name(slr.role_name())
            .policy_name(SENTIMENT_POLICY)
            .policy_document(
                serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["comprehend:DetectSentiment"], "Resource": "*"}]})
                    .to_string(),
            )
            .send()
            .await
            .expect("PutRolePolicy on the service-linked role");
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
        let version = publish_version(&clients.lex, &bot_id, &["en_GB"]).await;
        assert_eq!(version, "1");
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

impl World {
    /// The role name apply derives for this world's bot.
    pub fn role_name(&self) -> String {
        lex_logs_setup::spec::default_role_name(&self.bot_name)
    }

    /// The name of the bot's service-linked role.
    pub fn bot_role_name(&self) -> String {
        self.bot_role_arn.rsplit('/').next().unwrap().to_string()
    }

    /// Arguments of the dedicated-role mode (today's `--role-name` command lines): our role,
    /// the bot switched to it, and DRAFT published for aliases on older versions.
    pub fn dedicated_args(&self) -> Vec<String> {
        let mut args = self.target_args();
        args.extend([
            "--role-name".into(),
            self.role_name(),
            "--publish-version".into(),
        ]);
        args
    }

    /// The default log group of this world's bot.
    pub fn log_group(&self) -> String {
        format!("/aws/lex/{}", self.bot_name)
    }

    /// The arguments that select this world's bot and alias.
    pub fn target_args(&self) -> Vec<String> {
        vec![
            "--bot".into(),
            self.bot_name.clone(),
            "--alias".into(),
            self.alias_name.clone(),
        ]
    }

    /// Adds another alias with its own description and locale settings; returns its id.
    pub async fn add_alias(&self, name: &str) -> String {
        let out = self
            .clients
            .lex
            .create_bot_alias()
            .bot_id(&self.bot_id)
            .bot_alias_name(name)
            .description(format!("the {name} alias"))
            .bot_version("1")
            .bot_alias_locale_settings(
                "en_GB",
                BotAliasLocaleSettings::builder().enabled(true).build(),
            )
            .send()
            .await
            .expect("CreateBotAlias");
        out.bot_alias_id().unwrap().to_string()
    }

    /// Everything apply or destroy may touch, read through the SDK, for before/after comparisons.
    pub async fn snapshot(&self) -> serde_json::Value {
        use lex_logs_setup::policy::parse_returned;
        use serde_json::json;
        let c = &self.clients;
        let role_name = self.role_name();
        let role = match c.iam.get_role().role_name(&role_name).send().await {
            Ok(out) => {
                let role = out.role.unwrap();
                let attached = c
                    .iam
                    .list_attached_role_policies()
                    .role_name(&role_name)
                    .send()
                    .await
                    .unwrap();
                let mut attached: Vec<String> = attached
                    .attached_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(str::to_string))
                    .collect();
                attached.sort();
                let inline = c
                    .iam
                    .list_role_policies()
                    .role_name(&role_name)
                    .send()
                    .await
                    .unwrap();
                let mut inline_docs = serde_json::Map::new();
                for name in inline.policy_names() {
                    let doc = c
                        .iam
                        .get_role_policy()
                        .role_name(&role_name)
                        .policy_name(name)
                        .send()
                        .await
                        .unwrap();
                    inline_docs
                        .insert(name.clone(), parse_returned(doc.policy_document()).unwrap());
                }
                let mut tags: Vec<(String, String)> = role
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect();
                tags.sort();
                json!({"trust": parse_returned(role.assume_role_policy_document().unwrap()).unwrap(), "tags": tags, "attached": attached, "inline": inline_docs})
            }
            Err(_) => serde_json::Value::Null,
        };
        let mut policies = serde_json::Map::new();
        for suffix in [
            "CloudWatchLogs",
            "S3AudioLogs",
            "KmsAudioLogs",
            "LexBotRuntime",
        ] {
            let name = format!("{role_name}-{suffix}");
            let arn = format!("arn:aws:iam::{ACCOUNT}:policy/{name}");
            let value = match c.iam.get_policy().policy_arn(&arn).send().await {
                Ok(p) => {
                    let version = p
                        .policy()
                        .unwrap()
                        .default_version_id()
                        .unwrap()
                        .to_string();
                    let doc = c
                        .iam
                        .get_policy_version()
                        .policy_arn(&arn)
                        .version_id(&version)
                        .send()
                        .await
                        .unwrap();
                    let versions = c
                        .iam
                        .list_policy_versions()
                        .policy_arn(&arn)
                        .send()
                        .await
                        .unwrap();
                    json!({"document": parse_returned(doc.policy_version().unwrap().document().unwrap()).unwrap(), "versions": versions.versions().len()})
                }
                Err(_) => serde_json::Value::Null,
            };
            policies.insert(name, value);
        }
        let grant_name = format!("LexLogsPassRole-{role_name}");
        let grant = match c
            .iam
            .get_user_policy()
            .user_name(&self.user)
            .policy_name(&grant_name)
            .send()
            .await
        {
            Ok(p) => parse_returned(p.policy_document()).unwrap(),
            Err(_) => serde_json::Value::Null,
        };
        let bot = c
            .lex
            .describe_bot()
            .bot_id(&self.bot_id)
            .send()
            .await
            .unwrap();
        let aliases_listed = c
            .lex
            .list_bot_aliases()
            .bot_id(&self.bot_id)
            .send()
            .await
            .unwrap();
        let mut aliases = serde_json::Map::new();
        for summary in aliases_listed.bot_alias_summaries() {
            let id = summary.bot_alias_id().unwrap();
            let a = c
                .lex
                .describe_bot_alias()
                .bot_id(&self.bot_id)
                .bot_alias_id(id)
                .send()
                .await
                .unwrap();
            aliases.insert(
                a.bot_alias_name().unwrap().to_string(),
                json!({
                    "description": a.description(),
                    "botVersion": a.bot_version(),
                    "locales": format!("{:?}", a.bot_alias_locale_settings()),
                    "sentiment": format!("{:?}", a.sentiment_analysis_settings()),
                    "logs": lex_logs_setup::resources::alias::settings_json(a.conversation_log_settings()),
                }),
            );
        }
        let groups = c
            .logs
            .describe_log_groups()
            .log_group_name_prefix(self.log_group())
            .send()
            .await
            .unwrap();
        let groups: Vec<_> = groups
            .log_groups()
            .iter()
            .map(|g| json!({"name": g.log_group_name(), "retention": g.retention_in_days()}))
            .collect();
        let bot_role = self.bot_role_name();
        let mut bot_role_inline = serde_json::Map::new();
        if let Ok(names) = c.iam.list_role_policies().role_name(&bot_role).send().await {
            for name in names.policy_names() {
                let doc = c
                    .iam
                    .get_role_policy()
                    .role_name(&bot_role)
                    .policy_name(name)
                    .send()
                    .await
                    .unwrap();
                bot_role_inline
                    .insert(name.clone(), parse_returned(doc.policy_document()).unwrap());
            }
        }
        let mut bot_role_attached: Vec<String> = c
            .iam
            .list_attached_role_policies()
            .role_name(&bot_role)
            .send()
            .await
            .map(|o| {
                o.attached_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        bot_role_attached.sort();
        let versions = c
            .lex
            .list_bot_versions()
            .bot_id(&self.bot_id)
            .send()
            .await
            .unwrap();
        let mut version_roles = serde_json::Map::new();
        for v in versions.bot_version_summaries() {
            let number = v.bot_version().unwrap_or_default();
            if number == "DRAFT" {
                continue;
            }
            let described = c
                .lex
                .describe_bot_version()
                .bot_id(&self.bot_id)
                .bot_version(number)
                .send()
                .await
                .unwrap();
            version_roles.insert(number.to_string(), json!(described.role_arn()));
        }
        json!({
            "role": role,
            "botRole": {"inline": bot_role_inline, "attached": bot_role_attached},
            "versions": version_roles,
            "policies": policies,
            "grant": grant,
            "bot": {"roleArn": bot.role_arn(), "description": bot.description(), "ttl": bot.idle_session_ttl_in_seconds(), "dataPrivacy": format!("{:?}", bot.data_privacy())},
            "aliases": aliases,
            "logGroups": groups,
        })
    }
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
