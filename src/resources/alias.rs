//! Lex V2 bot aliases: finding them by name or id, reading them whole, and the step that changes
//! their log settings (its guarded read-modify-write is in `alias_write`).

use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;

use crate::arn::Scope;

use crate::error::{AwsError, Context, Error, Result};
pub(crate) use crate::resources::alias_write::Guard;
use crate::resources::alias_write::{AliasWrite, Written};
use crate::resources::bot::Bot;
use crate::resources::log_settings::{tidy, LogSettings};
use crate::resources::operation::{self, Operation};
pub(crate) use crate::resources::record::{
    record_audio, record_text, recorded_audio, recorded_text, PREVIOUS_AUDIO_ARN,
    PREVIOUS_AUDIO_FLAGS, PREVIOUS_AUDIO_KMS, PREVIOUS_AUDIO_PREFIX, PREVIOUS_TEXT_ARN,
    PREVIOUS_TEXT_FLAGS, PREVIOUS_TEXT_PREFIX, RECORD_KEYS,
};

/// The alias every bot has, which always points at the DRAFT version.
pub(crate) const TEST_ALIAS_ID: &str = "TSTALIASID";
pub(crate) const TEST_ALIAS_NAME: &str = "TestBotAlias";

/// An alias as read from Lex.
#[derive(Debug, Clone)]
pub struct Alias {
    pub id: String,
    pub name: String,
    pub described: DescribeBotAliasOutput,
    /// The role that writes this alias's logs: the role of the version it runs (DRAFT: the
    /// bot's). `None` until observation has read it, or when the version has no role.
    pub runs_on: Option<String>,
    /// The alias's tags (where a take-over records the destination it replaced).
    pub tags: crate::resources::tags::Tags,
}

impl Alias {
    /// The version the alias runs (`DRAFT` for TestBotAlias).
    pub(crate) fn version(&self) -> &str {
        self.described
            .bot_version()
            .unwrap_or(crate::resources::version::DRAFT)
    }

    /// The alias's conversation log settings, every member as Lex answered them (`None`: not
    /// set).
    pub fn log_settings(&self) -> Option<LogSettings> {
        self.described
            .conversation_log_settings()
            .map(LogSettings::from_sdk)
    }

    /// True when the alias runs DRAFT, whose role is the bot's current one.
    pub(crate) fn on_draft(&self) -> bool {
        self.version() == crate::resources::version::DRAFT
    }
}

/// The ids of `wanted` (names or ids), from one paginated listing of the bot's aliases, and the
/// listing itself (id, name, version) with the test alias in it.
pub(crate) async fn find_ids(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
    wanted: &[String],
) -> Result<(Vec<String>, Vec<(String, String, String)>)> {
    let listed = list(lex, bot_id, bot_name).await?;
    find_ids_in(listed, bot_id, bot_name, wanted)
}

/// An alias as ListBotAliases gives it: id, name, and the version it runs.
pub(crate) type Listed = (String, String, String);

/// As [`find_ids`], in a listing of the bot's aliases made already.
pub(crate) fn find_ids_in(
    mut listed: Vec<Listed>,
    bot_id: &str,
    bot_name: &str,
    wanted: &[String],
) -> Result<(Vec<String>, Vec<Listed>)> {
    if !listed.iter().any(|(id, _, _)| id == TEST_ALIAS_ID) {
        listed.push((
            TEST_ALIAS_ID.to_string(),
            TEST_ALIAS_NAME.to_string(),
            crate::resources::version::DRAFT.to_string(),
        ));
    }
    let mut ids: Vec<String> = Vec::new();
    for name_or_id in wanted {
        let found = listed
            .iter()
            .find(|(id, name, _)| id == name_or_id || name == name_or_id)
            .map(|(id, _, _)| id.clone())
            .or_else(|| {
                (name_or_id == TEST_ALIAS_ID || name_or_id == TEST_ALIAS_NAME)
                    .then(|| TEST_ALIAS_ID.to_string())
            });
        let Some(id) = found else {
            let names: Vec<&str> = listed.iter().map(|(_, name, _)| name.as_str()).collect();
            return Err(Error::invalid(
                format!(
                    "alias {name_or_id:?} not found on bot {bot_name} ({bot_id}); its aliases are: {}",
                    if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
                ),
                "check --alias (a name or an id)",
            ));
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok((ids, listed))
}

/// Reads the aliases, all at once.
pub(crate) async fn describe_all(
    lex: &aws_sdk_lexmodelsv2::Client,
    scope: &Scope,
    bot: &Bot,
    ids: &[String],
) -> Result<Vec<Alias>> {
    futures::future::try_join_all(ids.iter().map(|id| describe(lex, scope, bot, id))).await
}

/// Reads one alias by id, with its tags (both at once).
pub(crate) async fn describe(
    lex: &aws_sdk_lexmodelsv2::Client,
    scope: &Scope,
    bot: &Bot,
    alias_id: &str,
) -> Result<Alias> {
    let address = format!("alias[{}/{alias_id}]", bot.name);
    let arn = scope.bot_alias(&bot.id, alias_id);
    let (described, tags) = tokio::join!(
        lex.describe_bot_alias()
            .bot_id(&bot.id)
            .bot_alias_id(alias_id)
            .send(),
        lex.list_tags_for_resource().resource_arn(&arn).send()
    );
    let described = described.context("lex:DescribeBotAlias", &address)?;
    let tags = match tags.context("lex:ListTagsForResource", &address) {
        Ok(out) => out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        // Tags only matter to a take-over; a caller who may not read them has none of ours.
        Err(e) if e.has_code(&["AccessDeniedException"]) => Default::default(),
        Err(e) => return Err(e),
    };
    Ok(Alias {
        id: described.bot_alias_id().unwrap_or(alias_id).to_string(),
        name: described.bot_alias_name().unwrap_or_default().to_string(),
        described,
        runs_on: None,
        tags,
    })
}

/// Every alias of the bot as (id, name, version), across all pages.
pub(crate) async fn list(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
) -> Result<Vec<(String, String, String)>> {
    let mut pages = lex
        .list_bot_aliases()
        .bot_id(bot_id)
        .into_paginator()
        .send();
    let mut listed = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            Error::from(AwsError::from_sdk(
                "lex:ListBotAliases",
                format!("bot[{bot_name}]"),
                &e,
            ))
        })?;
        for summary in page.bot_alias_summaries() {
            if let (Some(id), Some(name)) = (summary.bot_alias_id(), summary.bot_alias_name()) {
                listed.push((
                    id.to_string(),
                    name.to_string(),
                    summary
                        .bot_version()
                        .unwrap_or(crate::resources::version::DRAFT)
                        .to_string(),
                ));
            }
        }
    }
    Ok(listed)
}

/// The version an alias update leaves the alias on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AliasVersion {
    /// The one it runs now.
    Keep,
    /// The version this run published (`--publish-version`).
    PublishedByRun,
    /// This version (destroy: the one it ran before apply repointed it).
    Number(String),
}

/// The fields of an alias a change owns, as they must be found for it to write: as the plan read
/// them (apply, destroy) or as this run wrote them (an undo).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Expected {
    pub settings: Option<LogSettings>,
    /// The version the alias runs (an undo of a repoint: the one this run set).
    pub version: AliasVersion,
    /// Apply, keeping the version: the role the plan grants for this alias.
    pub writer: Option<String>,
}

/// The changes the engine makes to an alias.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum AliasStep {
    /// UpdateBotAlias with `settings` as the conversation logs (and the version as `version`
    /// says), every other field as the alias has it right before the write; refused (or, an
    /// undo, left alone) when an owned field is not as `expected`.
    UpdateLogs {
        bot_id: String,
        bot_name: String,
        alias_id: String,
        alias_name: String,
        expected: Box<Expected>,
        settings: Option<LogSettings>,
        version: AliasVersion,
        guard: Guard,
    },
}

impl Operation for AliasStep {
    fn describe(&self) -> String {
        let AliasStep::UpdateLogs {
            bot_name,
            alias_name,
            version,
            guard,
            ..
        } = self;
        let verb = match guard {
            Guard::Plan => "update",
            Guard::Undo => "restore",
        };
        format!(
            "{verb} the conversation logs of alias {bot_name}/{alias_name}{}",
            match version {
                AliasVersion::Keep => String::new(),
                AliasVersion::PublishedByRun =>
                    " and point it at the version just published".into(),
                AliasVersion::Number(v) => format!(" and point it at version {v}"),
            }
        )
    }

    fn how_by_hand(&self) -> Option<String> {
        let AliasStep::UpdateLogs {
            bot_id, alias_id, ..
        } = self;
        Some(format!(
            "restore the conversation logs of alias {alias_id} of bot {bot_id} in the Lex console"
        ))
    }

    /// Puts back the owned fields as they were expected, while they hold what this step writes.
    fn inverse(&self) -> Option<Self> {
        let AliasStep::UpdateLogs {
            bot_id,
            bot_name,
            alias_id,
            alias_name,
            expected,
            settings,
            version,
            ..
        } = self.clone();
        let restore_version = match version {
            AliasVersion::Keep => AliasVersion::Keep,
            _ => expected.version.clone(),
        };
        Some(AliasStep::UpdateLogs {
            bot_id,
            bot_name,
            alias_id,
            alias_name,
            expected: Box::new(Expected {
                settings: tidy(settings.as_ref()),
                version,
                writer: None,
            }),
            settings: tidy(expected.settings.as_ref()),
            version: restore_version,
            guard: Guard::Undo,
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let AliasStep::UpdateLogs {
            bot_id,
            bot_name,
            alias_id,
            alias_name,
            expected,
            settings,
            version,
            guard,
        } = self;
        let lex = &ctx.clients.lex;
        let resolve = |v: &AliasVersion| {
            let v = v.clone();
            async move {
                match v {
                    AliasVersion::Keep => Ok(None),
                    AliasVersion::Number(n) => Ok(Some(n)),
                    AliasVersion::PublishedByRun => {
                        let found = crate::resources::version::published_by_run(
                            lex,
                            bot_id,
                            bot_name,
                            &ctx.run_id,
                        )
                        .await?;
                        found.map(Some).ok_or_else(|| {
                            Error::invalid(
                                format!("bot {bot_name} has no version published by this run"),
                                "run apply again with --publish-version",
                            )
                        })
                    }
                }
            }
        };
        let target = resolve(version).await?;
        let expected_version = resolve(&expected.version).await?;
        let write = AliasWrite {
            lex,
            progress: &ctx.progress,
            bot_id,
            bot_name,
            alias_id,
            alias_name,
            expected_settings: expected.settings.as_ref(),
            expected_version: expected_version.as_deref().unwrap_or_default(),
            settings: settings.as_ref(),
            version: target.as_deref(),
            writer: expected.writer.as_deref(),
            guard: *guard,
        };
        match write.run().await? {
            Written::Done => Ok(self.inverse()),
            // Nothing was sent: nothing of this run's to undo.
            Written::AlreadySo => Ok(None),
        }
    }
}
