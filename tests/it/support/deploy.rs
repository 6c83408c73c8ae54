//! What another actor does to a world while the tool works: a pipeline that repoints an alias to a
//! new version, another team that sets an alias's logs to its own group, a bot moved to another
//! role. Each read-modify-writes as a careful client would.

use aws_sdk_lexmodelsv2::types::{
    CloudWatchLogGroupLogDestination, ConversationLogSettings, TextLogDestination, TextLogSetting,
};

use super::{publish_version, unique, World};

impl World {
    /// Replaces alias `alias_id` with its version and log settings changed as given (`None`: as
    /// it is), every other field sent back as read now.
    pub async fn deploy(
        &self,
        alias_id: &str,
        version: Option<&str>,
        settings: Option<ConversationLogSettings>,
    ) {
        let lex = &self.clients.lex;
        let now = lex
            .describe_bot_alias()
            .bot_id(&self.bot_id)
            .bot_alias_id(alias_id)
            .send()
            .await
            .unwrap();
        lex.update_bot_alias()
            .bot_id(&self.bot_id)
            .bot_alias_id(alias_id)
            .bot_alias_name(now.bot_alias_name().unwrap())
            .set_description(now.description().map(str::to_string))
            .set_bot_version(version.or(now.bot_version()).map(str::to_string))
            .set_bot_alias_locale_settings(now.bot_alias_locale_settings().cloned())
            .set_sentiment_analysis_settings(now.sentiment_analysis_settings().cloned())
            .set_conversation_log_settings(
                settings.or_else(|| now.conversation_log_settings().cloned()),
            )
            .send()
            .await
            .unwrap();
    }

    /// Another team's log group (made here) as text log settings.
    pub async fn other_teams_logs(&self) -> (String, ConversationLogSettings) {
        let group = unique("/other-team/");
        self.clients
            .logs
            .create_log_group()
            .log_group_name(&group)
            .send()
            .await
            .unwrap();
        let account = self.clients.caller().await.unwrap().scope.account;
        let arn = format!(
            "arn:aws:logs:{}:{account}:log-group:{group}",
            self.clients.region
        );
        let cloud_watch = CloudWatchLogGroupLogDestination::builder()
            .cloud_watch_log_group_arn(arn)
            .log_prefix("theirs/")
            .build()
            .unwrap();
        let text = TextLogSetting::builder()
            .enabled(true)
            .destination(
                TextLogDestination::builder()
                    .cloud_watch(cloud_watch)
                    .build(),
            )
            .build();
        let settings = ConversationLogSettings::builder()
            .text_log_settings(text)
            .build();
        (group, settings)
    }

    /// Moves the bot to `role_arn` (every other field as read), as a deployment that changes
    /// the bot's role would.
    pub async fn move_bot_to(&self, role_arn: &str) {
        let lex = &self.clients.lex;
        let bot = lex
            .describe_bot()
            .bot_id(&self.bot_id)
            .send()
            .await
            .unwrap();
        lex.update_bot()
            .bot_id(&self.bot_id)
            .bot_name(&self.bot_name)
            .role_arn(role_arn)
            .set_description(bot.description().map(str::to_string))
            .set_data_privacy(bot.data_privacy().cloned())
            .idle_session_ttl_in_seconds(bot.idle_session_ttl_in_seconds().unwrap_or(300))
            .send()
            .await
            .unwrap();
    }

    /// A customer role Lex may assume (made here); its ARN.
    pub async fn customer_role(&self) -> String {
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lexv2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let role = self
            .clients
            .iam
            .create_role()
            .role_name(unique("team-role-"))
            .assume_role_policy_document(trust)
            .send()
            .await
            .unwrap();
        role.role().unwrap().arn().to_string()
    }

    /// Publishes DRAFT as a new version (on the bot's role now); its number.
    pub async fn publish(&self) -> String {
        publish_version(&self.clients.lex, &self.bot_id, &[]).await
    }

    /// The version alias `alias_id` runs, and its log settings as JSON.
    pub async fn alias_now(&self, alias_id: &str) -> (String, serde_json::Value) {
        let alias = self
            .clients
            .lex
            .describe_bot_alias()
            .bot_id(&self.bot_id)
            .bot_alias_id(alias_id)
            .send()
            .await
            .unwrap();
        (
            alias.bot_version().unwrap_or_default().to_string(),
            lex_logs_setup::resources::log_settings::shown(
                alias
                    .conversation_log_settings()
                    .map(lex_logs_setup::resources::log_settings::LogSettings::from_sdk)
                    .as_ref(),
            ),
        )
    }
}
