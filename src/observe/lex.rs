//! Observation of the Lex side: the bot (given by name or by id), its tags, and which aliases
//! run which version on which role.

use std::collections::{BTreeMap, BTreeSet};

use crate::arn::Scope;
use crate::error::{Context, Error, Result};
use crate::plan::Mode;
use crate::resources::alias;
use crate::resources::bot::{self, Bot};
use crate::resources::version_contents::{self, LocaleContents, VersionContents};
use crate::resources::{tags, version};
use crate::spec::Spec;

/// An alias as ListBotAliases gives it: id, name, and the version it runs.
pub(super) use crate::resources::alias::Listed;

/// The bot found by `DescribeBot` on the text given, or `None` when the text is no bot's id.
pub(super) fn found_by_id(found: Result<Bot>) -> Result<Option<Bot>> {
    match found {
        Ok(found) => Ok(Some(found)),
        Err(e) if bot::is_no_such_bot(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The bot `given` names, by name (its id) and as an id (the bot, `None`: no bot has that id).
/// When `status --all-bots` listed the region's bots, from that listing: no ListBots, and
/// DescribeBot only for the id of a listed bot.
pub(super) async fn lookup(
    clients: &crate::aws::Clients,
    given: &str,
) -> (Result<Option<String>>, Result<Option<Bot>>) {
    let lex = &clients.lex;
    let Some(bots) = clients.listings.bots_listed() else {
        let (by_name, by_id) =
            tokio::join!(bot::find_id_by_name(lex, given), bot::describe(lex, given));
        return (by_name, found_by_id(by_id));
    };
    let by_name = bots.iter().find(|(_, name)| name == given);
    let by_id = match bots.iter().any(|(id, _)| id == given) {
        true => found_by_id(bot::describe(lex, given).await),
        false => Ok(None),
    };
    (Ok(by_name.map(|(id, _)| id.clone())), by_id)
}

/// The ids of the `wanted` aliases and the listing of the bot's aliases (`alias::find_ids`),
/// from the listing `status --all-bots` kept when there is one.
pub(super) async fn alias_ids(
    clients: &crate::aws::Clients,
    bot_id: &str,
    bot_name: &str,
    wanted: &[String],
) -> Result<(Vec<String>, Vec<Listed>)> {
    match clients.listings.take_aliases(bot_id) {
        Some(listed) => alias::find_ids_in(listed, bot_id, bot_name, wanted),
        None => alias::find_ids(&clients.lex, bot_id, bot_name, wanted).await,
    }
}

/// The bot `given` names, from the two ways of finding it: `(the bot if already described, its
/// id, its name)`. Given by id, the bot is described already; given by name, only its id is
/// known.
pub(super) fn resolve_bot(
    given: &str,
    region: &str,
    by_id: Option<Bot>,
    by_name: Option<String>,
) -> Result<(Option<Bot>, String, String)> {
    match (by_id, by_name) {
        (Some(found), None) => Ok((Some(found.clone()), found.id, found.name)),
        (Some(found), Some(id)) if found.id == id => {
            Ok((Some(found.clone()), found.id, found.name))
        }
        (Some(found), Some(id)) => Err(bot::ambiguous(given, &found, &id)),
        (None, Some(id)) => Ok((None, id, given.to_string())),
        (None, None) => Err(bot::not_found(given, region)),
    }
}

/// The bot, described now unless it was already.
pub(super) async fn bot(
    lex: &aws_sdk_lexmodelsv2::Client,
    known: Option<&Bot>,
    bot_id: &str,
) -> Result<Bot> {
    match known {
        Some(found) => Ok(found.clone()),
        None => bot::describe(lex, bot_id).await,
    }
}

/// The bot's tags (in place, the principals granted PassRole are recorded there); none when
/// the caller may not read them.
pub(super) async fn bot_tags(
    lex: &aws_sdk_lexmodelsv2::Client,
    scope: &Scope,
    bot_id: &str,
    bot_name: &str,
) -> Result<tags::Tags> {
    match lex
        .list_tags_for_resource()
        .resource_arn(scope.bot(bot_id))
        .send()
        .await
        .context("lex:ListTagsForResource", format!("bot[{bot_name}]"))
    {
        Ok(out) => Ok(out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()),
        Err(e) if e.has_code(&["AccessDeniedException"]) => Ok(tags::Tags::new()),
        Err(e) => Err(e),
    }
}

/// The ids of the bot's aliases that were not named, when `wanted` (destroy and the dedicated
/// mode look at them too).
pub(super) fn bystander_ids(listed: &[Listed], named: &[String], wanted: bool) -> Vec<String> {
    if !wanted {
        return Vec::new();
    }
    listed
        .iter()
        .map(|(id, _, _)| id.clone())
        .filter(|id| !named.contains(id))
        .collect()
}

/// The published versions the aliases of `ids` run (ListBotAliases already says which).
pub(super) fn versions_run(listed: &[Listed], ids: &[&[String]]) -> BTreeSet<String> {
    listed
        .iter()
        .filter(|(id, _, _)| ids.iter().any(|ids| ids.contains(id)))
        .map(|(_, _, v)| v.clone())
        .filter(|v| v != version::DRAFT)
        .collect()
}

/// What each of `versions` holds (DescribeBotVersion: the role it runs on, its settings; not
/// its locales).
pub(super) async fn versions_described(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot: &Bot,
    versions: &BTreeSet<String>,
) -> Result<BTreeMap<String, VersionContents>> {
    let found = futures::future::try_join_all(versions.iter().map(|v| async move {
        let contents = version_contents::describe(lex, bot, v).await?;
        Ok::<_, Error>((v.clone(), contents))
    }))
    .await?;
    Ok(found.into_iter().collect())
}

/// Dedicated apply with `--publish-version`: the versions the named aliases run (besides
/// DRAFT), whose locales the plan compares with DRAFT's to say what repointing an alias changes.
/// `None` otherwise, or when every named alias runs DRAFT (none is repointed).
pub(super) fn versions_to_compare(
    spec: &Spec,
    mode: Mode,
    listed: &[Listed],
    named: &[String],
) -> Option<BTreeSet<String>> {
    let publishing = spec.dedicated() && spec.publish_version && mode == Mode::Apply;
    let versions = versions_run(listed, &[named]);
    (publishing && !versions.is_empty()).then_some(versions)
}

/// The locales of DRAFT and of `versions` (when there are versions to compare), by version.
pub(super) async fn locales_to_compare(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot: &Bot,
    versions: Option<BTreeSet<String>>,
) -> Result<BTreeMap<String, BTreeMap<String, LocaleContents>>> {
    match versions {
        Some(versions) => version_contents::locales_of_versions(lex, bot, versions.iter()).await,
        None => Ok(BTreeMap::new()),
    }
}

/// DRAFT's and the versions' contents with their locales, when the locales were read (else
/// none: only `--publish-version` compares them).
pub(super) fn contents_to_compare(
    bot: &Bot,
    described: &BTreeMap<String, VersionContents>,
    mut locales: BTreeMap<String, BTreeMap<String, LocaleContents>>,
) -> BTreeMap<String, VersionContents> {
    if locales.is_empty() {
        return BTreeMap::new();
    }
    let draft = (version::DRAFT.to_string(), version_contents::of_draft(bot));
    let all = described.clone().into_iter().chain(std::iter::once(draft));
    all.map(|(number, mut contents)| {
        contents.locales = locales.remove(&number).unwrap_or_default();
        (number, contents)
    })
    .collect()
}

/// Every published version and the role it runs on, when `wanted`: destroy in place may find a
/// dedicated setup (the bot on our role), and a dedicated apply needs them to know whether an
/// earlier role of ours is still used.
pub(super) async fn all_version_roles(
    lex: &aws_sdk_lexmodelsv2::Client,
    bot_id: &str,
    bot_name: &str,
    wanted: bool,
) -> Result<Vec<version::VersionInfo>> {
    if wanted {
        version::roles_of_all(lex, bot_id, bot_name).await
    } else {
        Ok(Vec::new())
    }
}
