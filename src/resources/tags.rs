//! The tags that mark what lex-logs-setup owns, and what it records on its role for destroy.

use std::collections::BTreeMap;

pub(crate) const MANAGED_BY: &str = "lex-logs-setup:managed-by";
pub(crate) const MANAGED_BY_VALUE: &str = "lex-logs-setup";
/// On the role: the bot it was made for.
pub(crate) const BOT_ID: &str = "lex-logs-setup:bot-id";
/// On the role: the role the bot ran with before (restored by destroy).
pub(crate) const PREVIOUS_ROLE: &str = "lex-logs-setup:previous-role-arn";
/// On the role: the principals granted iam:PassRole, space-separated `kind/name`.
pub(crate) const PASS_ROLE_PRINCIPALS: &str = "lex-logs-setup:pass-role-principals";
/// On our role: the version each alias ran before `--publish-version` repointed it
/// (`ALIASID=VERSION ...`), so that destroy can point it back.
pub(crate) const ALIAS_VERSIONS: &str = "lex-logs-setup:alias-versions";

/// On another team's log group that a take-over changed: its retention before (`never-expire`
/// or a number of days), which destroy puts back exactly.
pub(crate) const PREVIOUS_RETENTION: &str = "lex-logs-setup:previous-retention-days";
/// On such a group: the retention the take-over set, so that destroy can tell a change made since.
pub(crate) const TAKEN_OVER_RETENTION: &str = "lex-logs-setup:retention-days";
/// The value of [`PREVIOUS_RETENTION`] for a group whose events never expire.
pub(crate) const NEVER_EXPIRE: &str = "never-expire";

/// A retention as the record keeps it.
pub(crate) fn retention_value(days: Option<i32>) -> String {
    days.map_or_else(|| NEVER_EXPIRE.to_string(), |d| d.to_string())
}

/// A retention the record kept; `None` when the value is not one the record writes.
pub(crate) fn parse_retention(value: &str) -> Option<Option<i32>> {
    match value {
        NEVER_EXPIRE => Some(None),
        days => days.parse().ok().filter(|d: &i32| *d > 0).map(Some),
    }
}

/// The `ALIASID=VERSION` pairs of an [`ALIAS_VERSIONS`] tag.
pub(crate) fn alias_versions(all: &Tags) -> BTreeMap<String, String> {
    all.get(ALIAS_VERSIONS)
        .map(|v| {
            v.split_whitespace()
                .filter_map(|pair| pair.split_once('='))
                .map(|(a, v)| (a.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}
/// On what a run creates: that run's id, so a run can tell its own creation (whose response was
/// lost) from one made by another run. Never compared when deciding what to change.
pub(crate) const RUN: &str = "lex-logs-setup:run";
/// IAM allows at most this many characters in a tag value.
pub(crate) const VALUE_MAX: usize = 256;

pub type Tags = BTreeMap<String, String>;

/// True when the tags say lex-logs-setup made the resource.
pub(crate) fn is_ours(tags: &Tags) -> bool {
    tags.get(MANAGED_BY).map(String::as_str) == Some(MANAGED_BY_VALUE)
}

pub(crate) fn iam_tags(tags: &Tags) -> Vec<aws_sdk_iam::types::Tag> {
    tags.iter()
        .map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .expect("key and value are set")
        })
        .collect()
}

pub(crate) fn from_iam(tags: &[aws_sdk_iam::types::Tag]) -> Tags {
    tags.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// A fresh id for one run: process id and clock, unique enough to tell runs apart.
pub(crate) fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}-{:x}", std::process::id(), nanos)
}

/// `tags` plus the run tag.
pub(crate) fn with_run(tags: &Tags, run_id: &str) -> Tags {
    let mut all = tags.clone();
    all.insert(RUN.into(), run_id.into());
    all
}
