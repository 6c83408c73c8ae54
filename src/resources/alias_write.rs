//! The alias's read-modify-write, safe in a living account. Lex V2 has no ETag, and UpdateBotAlias
//! replaces the whole alias, so every write re-reads the alias right before it, changes only the
//! fields the change owns (the conversation log settings, and the version when the change
//! repoints the alias), and sends every other field as it is *now*. A change refuses when a field
//! it owns moved since the plan read it (a deployment, another team); an undo restores a field only
//! while it still holds what this run wrote, and otherwise leaves it as someone else set it.

use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;

use crate::error::{Context, Error, Result};
use crate::progress::Progress;
use crate::resources::log_settings::{same_logging, shown, tidy, LogSettings};
use crate::resources::version::DRAFT;

/// What a write does when a field it owns is not as expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Guard {
    /// Apply or destroy: the fields must be as the plan read them; otherwise the change is stale
    /// and refused.
    Plan,
    /// An undo: restore each field only while it still holds what this run wrote.
    Undo,
}

/// One guarded write of an alias's owned fields.
pub(crate) struct AliasWrite<'a> {
    pub lex: &'a aws_sdk_lexmodelsv2::Client,
    pub progress: &'a Progress,
    pub bot_id: &'a str,
    pub bot_name: &'a str,
    pub alias_id: &'a str,
    pub alias_name: &'a str,
    /// The settings the alias must hold for the write to go ahead (as the plan read them; an
    /// undo: as this run wrote them).
    pub expected_settings: Option<&'a LogSettings>,
    /// The version the alias must run (as the plan read it; an undo: as this run set it).
    pub expected_version: &'a str,
    /// The settings to write.
    pub settings: Option<&'a LogSettings>,
    /// The version to point the alias at; `None` keeps the one it runs now (whatever that is).
    pub version: Option<&'a str>,
    /// Apply: the role the plan grants for this alias (keeping the version: the one it runs;
    /// repointing it: the role of the version it points at). A deployment that moved the alias to
    /// a version on another role makes the plan stale (its grant would miss).
    pub writer: Option<&'a str>,
    pub guard: Guard,
}

/// How a write ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Written {
    /// The alias now holds what was asked.
    Done,
    /// The alias already held what was asked: nothing was sent.
    AlreadySo,
}

impl AliasWrite<'_> {
    fn address(&self) -> String {
        format!("alias[{}/{}]", self.bot_name, self.alias_name)
    }

    /// Reads the alias as it is now.
    async fn read_now(&self) -> Result<DescribeBotAliasOutput> {
        self.lex
            .describe_bot_alias()
            .bot_id(self.bot_id)
            .bot_alias_id(self.alias_id)
            .send()
            .await
            .context("lex:DescribeBotAlias", self.address())
    }

    /// Re-reads the alias, checks the owned fields by the guard, and writes.
    pub(crate) async fn run(&self) -> Result<Written> {
        let now = self.read_now().await?;
        match self.guard {
            Guard::Plan => self.write_planned(&now).await,
            Guard::Undo => self.restore(&now).await,
        }
    }

    /// Apply or destroy: refuse when an owned field moved since the plan; write otherwise.
    async fn write_planned(&self, now: &DescribeBotAliasOutput) -> Result<Written> {
        let now_settings = now.conversation_log_settings().map(LogSettings::from_sdk);
        let now_settings = now_settings.as_ref();
        let now_version = now.bot_version().unwrap_or(DRAFT);
        let target_version = self.version.unwrap_or(now_version);
        if same_logging(now_settings, self.settings) {
            if now_version == target_version {
                return Ok(Written::AlreadySo);
            }
            // Another run of ours (or a deployment) already runs it, logging where we want,
            // on the role this change would point it at: nothing to write, nothing to undo.
            if let (Some(_), Some(writer)) = (self.version, self.writer) {
                if self.role_of(now_version).await?.as_deref() == Some(writer) {
                    return Ok(Written::AlreadySo);
                }
            }
        }
        let mut moved = Vec::new();
        if !same_logging(now_settings, self.expected_settings) {
            moved.push(format!(
                "its conversation log settings are now {} (the plan read {})",
                shown(now_settings),
                shown(self.expected_settings)
            ));
        }
        if now_version != self.expected_version {
            if self.version.is_some() {
                moved.push(format!(
                    "it runs version {now_version} now (the plan read version {}), and this change repoints it",
                    self.expected_version
                ));
            } else if let Some(writer) = self.writer {
                let role = self.role_of(now_version).await?;
                if role.as_deref() != Some(writer) {
                    moved.push(format!(
                        "it runs version {now_version} now (the plan read version {}), whose role {} is not the role this plan grants ({writer})",
                        self.expected_version,
                        role.as_deref().unwrap_or("(none)")
                    ));
                } else {
                    self.progress.line(format!(
                        "{}: moved to version {now_version} since the plan (same role); kept on it",
                        self.address()
                    ));
                }
            }
        }
        if !moved.is_empty() {
            return Err(Error::stale(
                format!(
                    "{} changed since the plan read it: {}; it was not written",
                    self.address(),
                    moved.join("; ")
                ),
                "someone else (a deployment, another team) changed it while this run worked; run plan again and review the new plan",
            ));
        }
        self.send(now, self.settings, target_version).await?;
        Ok(Written::Done)
    }

    /// An undo: restore the settings while they hold what this run wrote, and the version while
    /// it is the one this run set; leave what someone else changed since, and say so.
    async fn restore(&self, now: &DescribeBotAliasOutput) -> Result<Written> {
        let now_settings = now.conversation_log_settings().map(LogSettings::from_sdk);
        let now_settings = now_settings.as_ref();
        let now_version = now.bot_version().unwrap_or(DRAFT);
        let target_version = self.version.unwrap_or(now_version);
        if same_logging(now_settings, self.settings) && now_version == target_version {
            return Ok(Written::AlreadySo);
        }
        let settings_ours = same_logging(now_settings, self.expected_settings);
        let version_ours = self.version.is_some() && now_version == self.expected_version;
        let mut left = Vec::new();
        if !settings_ours && !same_logging(now_settings, self.settings) {
            left.push(format!(
                "its conversation log settings (now {})",
                shown(now_settings)
            ));
        }
        if self.version.is_some() && !version_ours && now_version != target_version {
            left.push(format!("its version (now {now_version})"));
        }
        let settings = if settings_ours {
            self.settings
        } else {
            now_settings
        };
        let version = if version_ours {
            target_version
        } else {
            now_version
        };
        if settings_ours || version_ours {
            self.send(now, settings, version).await?;
        }
        if left.is_empty() {
            return Ok(Written::Done);
        }
        Err(Error::ChangedElsewhere(format!(
            "{} was changed by someone else after this run wrote it: {} left as it is{}",
            self.address(),
            left.join(" and "),
            if settings_ours || version_ours {
                "; the rest restored"
            } else {
                ""
            }
        )))
    }

    /// The role a version of the bot runs on (DRAFT: the bot's current role).
    async fn role_of(&self, version: &str) -> Result<Option<String>> {
        if version == DRAFT {
            let bot = super::bot::describe(self.lex, self.bot_id).await?;
            return Ok(bot.role_arn().map(str::to_string));
        }
        super::version::role_of(self.lex, self.bot_id, self.bot_name, version).await
    }

    /// UpdateBotAlias with `settings` and `version`, every other field as `now` has it; retries
    /// while IAM propagates, then waits until the alias is Available.
    async fn send(
        &self,
        now: &DescribeBotAliasOutput,
        settings: Option<&LogSettings>,
        version: &str,
    ) -> Result<()> {
        let address = self.address();
        let settings = tidy(settings).map(|s| s.to_sdk());
        let out = super::lex_wait::retry_while_iam_propagates(
            self.progress,
            &format!("UpdateBotAlias of {address}"),
            || async {
                self.lex
                    .update_bot_alias()
                    .bot_id(self.bot_id)
                    .bot_alias_id(self.alias_id)
                    .bot_alias_name(now.bot_alias_name().unwrap_or(self.alias_name))
                    .set_description(now.description().map(str::to_string))
                    .bot_version(version)
                    .set_bot_alias_locale_settings(
                        now.bot_alias_locale_settings()
                            .filter(|m| !m.is_empty())
                            .cloned(),
                    )
                    .set_sentiment_analysis_settings(now.sentiment_analysis_settings().cloned())
                    .set_conversation_log_settings(settings.clone())
                    .send()
                    .await
                    .context("lex:UpdateBotAlias", &address)
            },
        )
        .await?;
        if out.bot_alias_status().map(|s| s.as_str()) != Some("Available") {
            super::lex_wait::until_available(self.progress, &address, || async {
                let out = self.read_now().await?;
                Ok(out
                    .bot_alias_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default())
            })
            .await?;
        }
        Ok(())
    }
}
