//! An isolated world to run the tool against: a bot on its own service-linked role with a
//! published version and aliases, a bucket, a KMS key and an IAM user, all uniquely named; and the
//! arguments that select it.

use aws_sdk_lexmodelsv2::types::{BotAliasLocaleSettings, DataPrivacy, SentimentAnalysisSettings};
use lex_logs_setup::aws::Clients;

use super::{
    clients, publish_version, require_emulator, sdk_config_as, sdk_config_in, unique,
    SENTIMENT_POLICY,
};

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

    /// A world in `account` and `region`.
    pub async fn new_in_region(account: &str, region: &str) -> World {
        require_emulator().await;
        let config = sdk_config_in(account, region).await;
        World::new_with(Clients::from_sdk_config(&config).expect("region")).await
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
            .set_create_bucket_configuration((clients.region != "us-east-1").then(|| {
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(clients.region.as_str().into())
                    .build()
            }))
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
}
