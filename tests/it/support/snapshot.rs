//! A world's snapshot: everything apply or destroy may touch, read through the SDK, for
//! before/after comparisons.

use super::{World, ACCOUNT};

impl World {
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
                        "logs": lex_logs_setup::resources::log_settings::shown(
                    a.conversation_log_settings()
                        .map(lex_logs_setup::resources::log_settings::LogSettings::from_sdk)
                        .as_ref(),
                ),
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
            .map(|g| json!({"name": g.log_group_name(), "retention": g.retention_in_days(), "kmsKeyId": g.kms_key_id()}))
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
