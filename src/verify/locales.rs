//! The locale of the test turn, checked against the locales of the version the alias runs: Lex
//! answers only in a locale that version has and that is built, so a turn in another one proves
//! nothing about the logs; verify says so instead of sending it.

use crate::aws::Clients;
use crate::resources::alias::Alias;

use super::args::DEFAULT_LOCALE;

/// A locale of a version and its status (`Built`, `NotBuilt`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionLocale {
    pub id: String,
    pub status: String,
}

impl VersionLocale {
    fn built(&self) -> bool {
        self.status == "Built"
    }
}

/// The locales of `version` of the bot (ListBotLocales); `None` when they cannot be read (the
/// turn is then sent unchecked, and its answer says what is wrong).
pub async fn of_version(
    clients: &Clients,
    bot_id: &str,
    version: &str,
) -> Option<Vec<VersionLocale>> {
    let mut locales = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = clients
            .lex
            .list_bot_locales()
            .bot_id(bot_id)
            .bot_version(version)
            .set_next_token(next.take())
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                tracing::debug!(error = ?e, bot_id, version, "ListBotLocales failed; the locale is not checked");
                return None;
            }
        };
        locales.extend(out.bot_locale_summaries().iter().filter_map(|l| {
            Some(VersionLocale {
                id: l.locale_id()?.to_string(),
                status: l
                    .bot_locale_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            })
        }));
        match out.next_token() {
            Some(token) => next = Some(token.to_string()),
            None => return Some(locales),
        }
    }
}

/// The locale of the turn: `--locale`; else the alias's first enabled locale (by name) that the
/// version has built; else the version's first built locale; else the alias's first enabled
/// one; else en_US. With the problem, when the version lacks it or has not built it.
pub fn choose(
    alias: &Alias,
    wanted: Option<&str>,
    version_locales: Option<&[VersionLocale]>,
) -> (String, Option<String>) {
    let mut enabled: Vec<&str> = alias
        .described
        .bot_alias_locale_settings()
        .map(|m| {
            m.iter()
                .filter(|(_, s)| s.enabled())
                .map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default();
    enabled.sort_unstable();
    let built =
        |id: &str| version_locales.is_some_and(|ls| ls.iter().any(|l| l.id == id && l.built()));
    let mut version_built: Vec<&str> = version_locales
        .unwrap_or_default()
        .iter()
        .filter(|l| l.built())
        .map(|l| l.id.as_str())
        .collect();
    version_built.sort_unstable();
    let locale = match wanted {
        Some(locale) => locale.to_string(),
        None => enabled
            .iter()
            .copied()
            .find(|id| built(id))
            .or_else(|| version_built.first().copied())
            .or_else(|| enabled.first().copied())
            .unwrap_or(DEFAULT_LOCALE)
            .to_string(),
    };
    let problem =
        version_locales.and_then(|ls| problem(alias.version(), &locale, ls, wanted.is_some()));
    (locale, problem)
}

/// Why Lex would not answer in `locale` on `version`, if it would not.
fn problem(version: &str, locale: &str, locales: &[VersionLocale], given: bool) -> Option<String> {
    let mut has: Vec<String> = locales
        .iter()
        .map(|l| match l.built() {
            true => l.id.clone(),
            false => format!("{} ({})", l.id, l.status),
        })
        .collect();
    has.sort();
    let has = match has.as_slice() {
        [] => "it has no locale".to_string(),
        list => format!("it has {}", list.join(", ")),
    };
    let chosen = if given { "--locale " } else { "locale " };
    match locales.iter().find(|l| l.id == locale) {
        Some(l) if l.built() => None,
        Some(l) if version == "DRAFT" => Some(format!(
            "{chosen}{locale} of version DRAFT is not built (status {}): Lex answers only in a built locale; build it (aws lexv2-models build-bot-locale), or give --locale a built one ({has})",
            l.status
        )),
        Some(l) => Some(format!(
            "{chosen}{locale} of version {version} is not built (status {}); give --locale a built one ({has})",
            l.status
        )),
        None => Some(format!(
            "version {version} has no locale {locale} ({has}): Lex answers only in a locale of the version the alias runs; give --locale one of them"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locales(list: &[(&str, &str)]) -> Vec<VersionLocale> {
        list.iter()
            .map(|(id, status)| VersionLocale {
                id: id.to_string(),
                status: status.to_string(),
            })
            .collect()
    }

    #[test]
    fn a_locale_the_version_lacks_or_has_not_built_is_named() {
        let ls = locales(&[("en_US", "Built"), ("en_GB", "NotBuilt")]);
        assert_eq!(problem("1", "en_US", &ls, true), None);
        let lacking = problem("3", "fr_FR", &ls, true).unwrap();
        assert!(
            lacking.starts_with("version 3 has no locale fr_FR (it has en_GB (NotBuilt), en_US)"),
            "{lacking}"
        );
        let unbuilt = problem("DRAFT", "en_GB", &ls, true).unwrap();
        assert!(
            unbuilt.starts_with("--locale en_GB of version DRAFT is not built (status NotBuilt)")
                && unbuilt.contains("build-bot-locale"),
            "{unbuilt}"
        );
        let none = problem("2", "en_US", &[], false).unwrap();
        assert!(none.contains("(it has no locale)"), "{none}");
    }
}
