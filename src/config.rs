//! Config files: reads a TOML file of `[[target]]` tables into the model the flags share
//! (`TargetConfig`), with how to name each value in errors (file, line and key).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::spec::{Names, TargetConfig};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    target: Vec<TargetConfig>,
}

/// The lines of a config file's keys, to name them in errors about their values.
#[derive(Deserialize)]
struct ConfigLines {
    #[serde(default)]
    target: Vec<toml::Spanned<BTreeMap<String, toml::Spanned<toml::Value>>>>,
}

/// Reads a config file, and how to name each target's values in errors (file, line, key).
pub(crate) fn load_named_config(path: &Path) -> Result<Vec<(TargetConfig, Names)>> {
    let targets = read_config(path)?;
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    // The file parsed as TargetConfigs, so it parses as spans too.
    let spans: ConfigLines = toml::from_str(&text).unwrap_or(ConfigLines { target: Vec::new() });
    Ok(targets
        .into_iter()
        .enumerate()
        .map(|(i, target)| {
            let names = match spans.target.get(i) {
                Some(table) => Names::file(
                    path,
                    i + 1,
                    table
                        .get_ref()
                        .iter()
                        .map(|(key, value)| (key.clone(), line(value.span().start)))
                        .collect(),
                    line(table.span().start),
                )
                .with_values(
                    table
                        .get_ref()
                        .iter()
                        .map(|(key, value)| (key.clone(), texts(value.get_ref())))
                        .collect(),
                ),
                None => Names::file(path, i + 1, BTreeMap::new(), 0),
            };
            (target, names)
        })
        .collect())
}

/// The text values of a key: a string, or the strings of an array.
fn texts(value: &toml::Value) -> Vec<String> {
    match value {
        toml::Value::String(text) => vec![text.clone()],
        toml::Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn read_config(path: &Path) -> Result<Vec<TargetConfig>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::invalid(
            format!("cannot read --config {}: {e}", path.display()),
            "check the path",
        )
    })?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        Error::invalid(
            format!("--config {}: {}", path.display(), e.to_string().trim_end()),
            "each [[target]] takes: bot, aliases, log_group, retention_days, log_prefix, log_group_kms_key, no_text_logs, audio_bucket, audio_prefix, kms_key, role_name, grant_pass_role, publish_version, pin_source_arn, pin_source_account, take_over_destinations, selective_logging, alarm, alarm_topic, insights_queries, region, assume_role, external_id, session_name",
        )
    })?;
    if file.target.is_empty() {
        return Err(Error::invalid(
            format!("--config {} has no [[target]]", path.display()),
            "add a [[target]] table with bot and aliases",
        ));
    }
    Ok(file.target)
}

#[cfg(test)]
mod tests;
