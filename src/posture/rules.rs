//! An organisation's posture rules (`status --rules FILE`, TOML): which keys must be customer
//! managed, the bounds of retention, whether TestBotAlias must log, whether slots are checked,
//! and which findings to ignore for which bots and aliases. Every key is optional; the defaults
//! are [`Rules::default`]'s, and an unknown key is refused.

use std::path::Path;

use serde::Deserialize;

use super::catalog::{rule_named, Rule, RULES};
use crate::error::{Error, Result};
use crate::iam_eval::wildcard_match;

/// The rules findings are judged by.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// Audio logs must be encrypted with a customer managed KMS key (LEXLOG002). Default true.
    pub required_cmk_audio: bool,
    /// The text log group must be encrypted with a customer managed KMS key (LEXLOG003).
    /// Default true.
    pub required_cmk_text: bool,
    /// The shortest retention allowed, in days (LEXLOG005). Default: none.
    pub min_retention_days: Option<i32>,
    /// The longest retention allowed, in days (LEXLOG005). Default: none.
    pub max_retention_days: Option<i32>,
    /// TestBotAlias must have text logs too (LEXLOG001). Default false.
    pub test_alias_must_log: bool,
    /// Read every slot of the versions the aliases run (LEXLOG009), as `--check-slots` does.
    /// Default false.
    pub check_slots: bool,
    /// Findings not reported, for the bots (and aliases) whose names match.
    pub ignore: Vec<Ignore>,
}

/// A finding not reported for some bots and aliases.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    /// The finding's id (`LEXLOG003`) or name (`log-group-key-not-customer-managed`).
    pub finding: String,
    /// Bot names, with `*` and `?` wildcards. Default: every bot.
    #[serde(default = "everything")]
    pub bots: Vec<String>,
    /// Alias names, with `*` and `?` wildcards. Default: every alias.
    #[serde(default = "everything")]
    pub aliases: Vec<String>,
}

fn everything() -> Vec<String> {
    vec!["*".into()]
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            required_cmk_audio: true,
            required_cmk_text: true,
            min_retention_days: None,
            max_retention_days: None,
            test_alias_must_log: false,
            check_slots: false,
            ignore: Vec::new(),
        }
    }
}

const KEYS: &str = "the rules file takes: required_cmk_audio, required_cmk_text (true/false), \
    min_retention_days, max_retention_days (days), test_alias_must_log, check_slots (true/false), \
    and [[ignore]] tables of finding (an id such as LEXLOG003, or its name), bots and aliases \
    (lists of names, * and ? wildcards)";

impl Rules {
    /// Reads and checks the rules file at `path`.
    pub fn load(path: &Path) -> Result<Rules> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::invalid(
                format!("cannot read --rules {}: {e}", path.display()),
                "check the path",
            )
        })?;
        Rules::parse(&text).map_err(|(message, hint)| {
            Error::invalid(format!("--rules {}: {message}", path.display()), hint)
        })
    }

    /// The rules in `text`, or what is wrong with them and what to do.
    pub fn parse(text: &str) -> std::result::Result<Rules, (String, String)> {
        let rules: Rules = toml::from_str(text)
            .map_err(|e| (e.to_string().trim_end().to_string(), KEYS.into()))?;
        for ignore in &rules.ignore {
            if rule_named(&ignore.finding).is_none() {
                let known: Vec<&str> = RULES.iter().map(|r| r.id).collect();
                return Err((
                    format!("[[ignore]] names an unknown finding {:?}", ignore.finding),
                    format!("name one of {} (or its name)", known.join(", ")),
                ));
            }
        }
        for (key, days) in [
            ("min_retention_days", rules.min_retention_days),
            ("max_retention_days", rules.max_retention_days),
        ] {
            if days.is_some_and(|d| d < 1) {
                return Err((
                    format!("{key} must be at least 1 day"),
                    "give a number of days, e.g. 30".into(),
                ));
            }
        }
        if let (Some(min), Some(max)) = (rules.min_retention_days, rules.max_retention_days) {
            if min > max {
                return Err((
                    format!("min_retention_days {min} is above max_retention_days {max}"),
                    "make min_retention_days at most max_retention_days".into(),
                ));
            }
        }
        Ok(rules)
    }

    /// True when `rule` is ignored for alias `alias` of bot `bot`.
    pub fn ignores(&self, rule: &Rule, bot: &str, alias: &str) -> bool {
        let any = |patterns: &[String], name: &str| {
            patterns.iter().any(|p| wildcard_match(p, name, false))
        };
        self.ignore.iter().any(|i| {
            rule_named(&i.finding) == Some(rule) && any(&i.bots, bot) && any(&i.aliases, alias)
        })
    }

    /// True when `days` is outside the bounds.
    pub fn retention_out_of_bounds(&self, days: i32) -> bool {
        self.min_retention_days.is_some_and(|min| days < min)
            || self.max_retention_days.is_some_and(|max| days > max)
    }
}
