//! Lex V2 bot versions: the role a version runs on (a published version is an immutable snapshot
//! of DRAFT with its own `roleArn`), every version's role (destroy never deletes a role a version
//! still uses), and publishing DRAFT as a new version.

use aws_sdk_lexmodelsv2::types::BotVersionLocaleDetails;

use crate::error::{AwsError, Context, Result};
use crate::progress::Progress;
use crate::resources::operation::{self, Operation};

/// The version TestBotAlias runs; UpdateBot changes only this one.
pub(crate) const DRAFT: &str = "DRAFT";

/// The description of a version this tool publishes, naming the run (so that the run's alias
/// updates find the number CreateBotVersion chose).
pub(crate) fn published_description(run_id: &str) -> String {
    format!("{PUBLISHED_PREFIX}{run_id}")
}

/// How the description of a version this tool published starts.
pub(crate) const PUBLISHED_PREFIX: &str = "Published by lex-logs-setup run ";

/// The role a published version runs on (DescribeBotVersion).
pub(crate) async fn role_of(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
    version: &str,
) -> Result<Option<String>> {
    let out = lex
        .describe_bot_version()
        .bot_id(bot_id)
        .bot_version(version)
        .send()
        .await
        .context(
            "lex:DescribeBotVersion",
            format!("version[{bot_name}/{version}]"),
        )?;
    Ok(out.role_arn().map(str::to_string))
}

/// Every published version of the bot, with its description, newest first.
pub(crate) async fn list(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
) -> Result<Vec<(String, Option<String>)>> {
    let mut pages = lex
        .list_bot_versions()
        .bot_id(bot_id)
        .into_paginator()
        .send();
    let mut versions = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            crate::error::Error::from(AwsError::from_sdk(
                "lex:ListBotVersions",
                format!("bot[{bot_name}]"),
                &e,
            ))
        })?;
        for summary in page.bot_version_summaries() {
            if let Some(v) = summary.bot_version().filter(|v| *v != DRAFT) {
                versions.push((v.to_string(), summary.description().map(str::to_string)));
            }
        }
    }
    versions.sort_by_key(|(v, _)| std::cmp::Reverse(v.parse::<u64>().unwrap_or(0)));
    Ok(versions)
}

/// A published version: its number, the role it runs on, and whether this tool published it.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionInfo {
    pub number: String,
    pub role: Option<String>,
    pub ours: bool,
}

/// Every published version of the bot with the role it runs on.
pub(crate) async fn roles_of_all(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
) -> Result<Vec<VersionInfo>> {
    let versions = list(lex, bot_id, bot_name).await?;
    futures::future::try_join_all(versions.into_iter().map(|(v, description)| async move {
        let role = role_of(lex, bot_id, bot_name, &v).await?;
        Ok::<_, crate::error::Error>(VersionInfo {
            ours: description
                .as_deref()
                .is_some_and(|d| d.starts_with(PUBLISHED_PREFIX)),
            number: v,
            role,
        })
    }))
    .await
}

/// The number of the version this run published, if it did.
pub(crate) async fn published_by_run(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
    run_id: &str,
) -> Result<Option<String>> {
    Ok(find_published(list(lex, bot_id, bot_name).await?, run_id))
}

/// Among `versions` (number, description), the one the run `run_id` published.
fn find_published(versions: Vec<(String, Option<String>)>, run_id: &str) -> Option<String> {
    let wanted = published_description(run_id);
    versions
        .into_iter()
        .find(|(_, d)| d.as_deref() == Some(wanted.as_str()))
        .map(|(v, _)| v)
}

/// The locales a version is published from: every locale of the published version `source`
/// (all are built), or DRAFT's built ones (DRAFT may hold others still being worked on);
/// refuses a source with none.
async fn built_locales(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
    source: &str,
    address: &str,
) -> Result<Vec<String>> {
    let locales = lex
        .list_bot_locales()
        .bot_id(bot_id)
        .bot_version(source)
        .send()
        .await
        .context("lex:ListBotLocales", address)?;
    let built: Vec<String> = locales
        .bot_locale_summaries()
        .iter()
        .filter(|l| l.bot_locale_status().map(|s| s.as_str()) == Some("Built"))
        .filter_map(|l| l.locale_id().map(str::to_string))
        .collect();
    if built.is_empty() {
        return Err(crate::error::Error::invalid(
            format!("bot {bot_name} has no built locale in version {source}, so no version can be published from it"),
            "build the bot's locales (Lex console, or aws lexv2-models build-bot-locale), then run apply again",
        ));
    }
    Ok(built)
}

/// Publishes a new version from the locales of version `source` (the bot's settings and role
/// as they are now) and waits until it is Available; returns its number.
async fn publish(
    lex: &aws_sdk_lexmodelsv2::Client,
    progress: &Progress,
    (bot_id, bot_name): (&str, &str),
    source: &str,
    run_id: &str,
) -> Result<String> {
    let address = format!("version[{bot_name}/new]");
    let built = built_locales(lex, bot_id, bot_name, source, &address).await?;
    let mut request = lex
        .create_bot_version()
        .bot_id(bot_id)
        .description(published_description(run_id));
    for id in built {
        request = request.bot_version_locale_specification(
            id,
            BotVersionLocaleDetails::builder()
                .source_bot_version(source)
                .build()
                .expect("source version is set"),
        );
    }
    let (number, available) = match request
        .send()
        .await
        .context("lex:CreateBotVersion", &address)
    {
        Ok(out) => (
            out.bot_version().unwrap_or_default().to_string(),
            out.bot_status().map(|s| s.as_str()) == Some("Available"),
        ),
        // The answer may be lost after the version was made: the version this run published
        // is then found by its description, so that it is used (and undone on rollback).
        Err(err) => match published_by_run(lex, bot_id, bot_name, run_id).await {
            Ok(Some(number)) => {
                progress.line("the create went through although its answer was lost; carrying on");
                (number, false)
            }
            _ => return Err(err),
        },
    };
    let address = format!("version[{bot_name}/{number}]");
    if !available {
        super::lex_wait::until_available(progress, &address, || async {
            let now = lex
                .describe_bot_version()
                .bot_id(bot_id)
                .bot_version(&number)
                .send()
                .await
                .context("lex:DescribeBotVersion", &address)?;
            Ok(now
                .bot_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default())
        })
        .await?;
    }
    Ok(number)
}

/// Deletes a version this run published (undo of `publish`); a missing one is fine.
async fn delete(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
    version: &str,
) -> Result<()> {
    match lex
        .delete_bot_version()
        .bot_id(bot_id)
        .bot_version(version)
        .skip_resource_in_use_check(false)
        .send()
        .await
        .context(
            "lex:DeleteBotVersion",
            format!("version[{bot_name}/{version}]"),
        ) {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        // PreconditionFailed is Lex's "does not exist" for a delete, but may also be how it says
        // "in use" (the model documents no in-use error for it): read the version again and
        // decide. Gone is done; still there is a failure, with AWS's own answer.
        Err(e) if e.has_code(&["PreconditionFailedException"]) => {
            match role_of(lex, bot_id, bot_name, version).await {
                Err(gone) if gone.is_not_found() => Ok(()),
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// The changes the engine makes to a bot's versions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VersionStep {
    /// CreateBotVersion from the locales of version `source` (dedicated-role mode,
    /// `--publish-version`: the version the aliases run, so only the role changes).
    Publish {
        bot_id: String,
        bot_name: String,
        source: String,
    },
    /// DeleteBotVersion of a version this run published (its undo).
    Delete {
        bot_id: String,
        bot_name: String,
        version: String,
    },
    /// DeleteBotVersion of the version this run published, found by its description, if there
    /// is one: the undo of a publish whose answer never came (cancelled or lost).
    DeletePublishedByRun { bot_id: String, bot_name: String },
}

impl Operation for VersionStep {
    fn describe(&self) -> String {
        match self {
            VersionStep::Publish {
                bot_name, source, ..
            } => format!(
                "publish a new version of bot {bot_name} from the locales of version {source}"
            ),
            VersionStep::Delete {
                bot_name, version, ..
            } => format!("delete version {version} of bot {bot_name}"),
            VersionStep::DeletePublishedByRun { bot_name, .. } => {
                format!("delete the version of bot {bot_name} this run published, if any")
            }
        }
    }

    fn how_by_hand(&self) -> Option<String> {
        match self {
            VersionStep::Publish { .. } => None,
            VersionStep::Delete {
                bot_id, version, ..
            } => Some(format!(
                "aws lexv2-models delete-bot-version --bot-id {bot_id} --bot-version {version}"
            )),
            // By hand, find the version whose description says this run published it.
            VersionStep::DeletePublishedByRun { bot_id, .. } => Some(format!(
                "aws lexv2-models list-bot-versions --bot-id {bot_id}  (then aws lexv2-models delete-bot-version --bot-id {bot_id} --bot-version N for the newest version whose description starts \"{PUBLISHED_PREFIX}\", if this run made one)"
            )),
        }
    }

    /// A publish is undone by deleting the version this run published, found by its description
    /// (its number is in the answer, which a cancelled or lost call never gives); a deleted
    /// version is gone for good.
    fn inverse(&self) -> Option<Self> {
        match self {
            VersionStep::Publish {
                bot_id, bot_name, ..
            } => Some(VersionStep::DeletePublishedByRun {
                bot_id: bot_id.clone(),
                bot_name: bot_name.clone(),
            }),
            _ => None,
        }
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let lex = &ctx.clients.lex;
        match self {
            VersionStep::Publish {
                bot_id,
                bot_name,
                source,
            } => {
                let (bot, run) = ((bot_id.as_str(), bot_name.as_str()), &ctx.run_id);
                let number = publish(lex, &ctx.progress, bot, source, run).await?;
                ctx.progress
                    .line(format!("published version {number} of bot {bot_name}"));
                Ok(Some(VersionStep::Delete {
                    bot_id: bot_id.clone(),
                    bot_name: bot_name.clone(),
                    version: number,
                }))
            }
            VersionStep::Delete {
                bot_id,
                bot_name,
                version,
            } => {
                delete(lex, bot_id, bot_name, version).await?;
                Ok(None)
            }
            VersionStep::DeletePublishedByRun { bot_id, bot_name } => {
                if let Some(version) = published_by_run(lex, bot_id, bot_name, &ctx.run_id).await? {
                    delete(lex, bot_id, bot_name, &version).await?;
                }
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_a_run_published_is_found_by_its_description() {
        let versions = vec![
            ("3".to_string(), Some(published_description("other-run"))),
            ("2".to_string(), Some(published_description("this-run"))),
            ("1".to_string(), None),
        ];
        assert_eq!(
            find_published(versions.clone(), "this-run"),
            Some("2".to_string()),
            "a lost CreateBotVersion answer is recovered from this"
        );
        assert_eq!(find_published(versions, "no-such-run"), None);
    }
}
