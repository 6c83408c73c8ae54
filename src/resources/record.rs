//! The record a take-over keeps in a Lex resource's tags: on an alias, the log destination it
//! replaced (so destroy can put it back); the step that writes or removes such tags on an alias or
//! a bot.

use crate::error::{Context, Result};
use crate::resources::alias_write::Guard;
use crate::resources::log_settings::{AudioLogSetting, TextLogSetting};
use crate::resources::operation::{self, Operation};
use crate::resources::tags::Tags;

/// Tag keys on an alias that record the destination a take-over replaced.
pub(crate) const PREVIOUS_TEXT_ARN: &str = "lex-logs-setup:previous-text-log-group";
pub(crate) const PREVIOUS_TEXT_PREFIX: &str = "lex-logs-setup:previous-text-prefix";
pub(crate) const PREVIOUS_TEXT_FLAGS: &str = "lex-logs-setup:previous-text-flags";
pub(crate) const PREVIOUS_AUDIO_ARN: &str = "lex-logs-setup:previous-audio-bucket";
pub(crate) const PREVIOUS_AUDIO_PREFIX: &str = "lex-logs-setup:previous-audio-prefix";
pub(crate) const PREVIOUS_AUDIO_KMS: &str = "lex-logs-setup:previous-audio-kms-key";
pub(crate) const PREVIOUS_AUDIO_FLAGS: &str = "lex-logs-setup:previous-audio-flags";

/// Every key a take-over record may use.
pub(crate) const RECORD_KEYS: [&str; 7] = [
    PREVIOUS_TEXT_ARN,
    PREVIOUS_TEXT_PREFIX,
    PREVIOUS_TEXT_FLAGS,
    PREVIOUS_AUDIO_ARN,
    PREVIOUS_AUDIO_PREFIX,
    PREVIOUS_AUDIO_KMS,
    PREVIOUS_AUDIO_FLAGS,
];

fn flags(enabled: bool, selective: Option<bool>) -> String {
    format!(
        "enabled={enabled} selective={}",
        selective
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unset".into())
    )
}

fn parse_flags(text: &str) -> (bool, Option<bool>) {
    let mut enabled = true;
    let mut selective = None;
    for part in text.split_whitespace() {
        match part.split_once('=') {
            Some(("enabled", v)) => enabled = v == "true",
            Some(("selective", "true")) => selective = Some(true),
            Some(("selective", "false")) => selective = Some(false),
            _ => {}
        }
    }
    (enabled, selective)
}

fn fits(value: &str) -> std::result::Result<(), String> {
    if value.chars().count() > crate::resources::tags::VALUE_MAX {
        Err(format!(
            "{value:?} is longer than a tag value may be ({} characters)",
            crate::resources::tags::VALUE_MAX
        ))
    } else {
        Ok(())
    }
}

/// The tags that record a text setting being replaced.
pub(crate) fn record_text(
    setting: &TextLogSetting,
) -> std::result::Result<crate::resources::tags::Tags, String> {
    let cw = &setting.destination.cloud_watch;
    fits(&cw.cloud_watch_log_group_arn)?;
    fits(&cw.log_prefix)?;
    Ok([
        (PREVIOUS_TEXT_ARN, cw.cloud_watch_log_group_arn.clone()),
        (PREVIOUS_TEXT_PREFIX, cw.log_prefix.clone()),
        (
            PREVIOUS_TEXT_FLAGS,
            flags(setting.enabled, setting.selective_logging_enabled),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect())
}

/// The tags that record an audio setting being replaced.
pub(crate) fn record_audio(
    setting: &AudioLogSetting,
) -> std::result::Result<crate::resources::tags::Tags, String> {
    let s3 = &setting.destination.s3_bucket;
    fits(&s3.s3_bucket_arn)?;
    fits(&s3.log_prefix)?;
    let mut tags: crate::resources::tags::Tags = [
        (PREVIOUS_AUDIO_ARN, s3.s3_bucket_arn.clone()),
        (PREVIOUS_AUDIO_PREFIX, s3.log_prefix.clone()),
        (
            PREVIOUS_AUDIO_FLAGS,
            flags(setting.enabled, setting.selective_logging_enabled),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(key) = &s3.kms_key_arn {
        fits(key)?;
        tags.insert(PREVIOUS_AUDIO_KMS.into(), key.to_string());
    }
    Ok(tags)
}

/// The text setting a take-over recorded on the alias, rebuilt exactly.
pub(crate) fn recorded_text(tags: &crate::resources::tags::Tags) -> Option<TextLogSetting> {
    let arn = tags.get(PREVIOUS_TEXT_ARN)?;
    let prefix = tags.get(PREVIOUS_TEXT_PREFIX).cloned().unwrap_or_default();
    let (enabled, selective) = parse_flags(tags.get(PREVIOUS_TEXT_FLAGS).map_or("", |s| s));
    Some(TextLogSetting {
        enabled,
        ..TextLogSetting::to_group(arn, &prefix, selective)
    })
}

/// The audio setting a take-over recorded on the alias, rebuilt exactly.
pub(crate) fn recorded_audio(tags: &crate::resources::tags::Tags) -> Option<AudioLogSetting> {
    let arn = tags.get(PREVIOUS_AUDIO_ARN)?;
    let prefix = tags.get(PREVIOUS_AUDIO_PREFIX).cloned().unwrap_or_default();
    let (enabled, selective) = parse_flags(tags.get(PREVIOUS_AUDIO_FLAGS).map_or("", |s| s));
    Some(AudioLogSetting {
        enabled,
        ..AudioLogSetting::to_bucket(
            arn,
            &prefix,
            tags.get(PREVIOUS_AUDIO_KMS).map(String::as_str),
            selective,
        )
    })
}

/// Sets `values` on the alias's tags and removes the other `keys` (TagResource, UntagResource).
/// The tags of `arn` among `keys`, now.
async fn current_tags(
    lex: &aws_sdk_lexmodelsv2::Client,
    arn: &str,
    keys: &[String],
) -> Result<crate::resources::tags::Tags> {
    let out = lex
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .context("lex:ListTagsForResource", format!("alias_tags[{arn}]"))?;
    Ok(out
        .tags()
        .map(|all| {
            all.iter()
                .filter(|(k, _)| keys.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default())
}

async fn set_tags(
    lex: &aws_sdk_lexmodelsv2::Client,
    arn: &str,
    keys: &[String],
    values: &crate::resources::tags::Tags,
) -> Result<()> {
    let address = format!("alias_tags[{arn}]");
    if !values.is_empty() {
        lex.tag_resource()
            .resource_arn(arn)
            .set_tags(Some(
                values.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ))
            .send()
            .await
            .context("lex:TagResource", &address)?;
    }
    let removed: Vec<String> = keys
        .iter()
        .filter(|k| !values.contains_key(*k))
        .cloned()
        .collect();
    if !removed.is_empty() {
        lex.untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .context("lex:UntagResource", &address)?;
    }
    Ok(())
}

/// The change the engine makes to a record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RecordStep {
    /// The tags of `arn` that record what a take-over replaced: `values` set, the other `keys`
    /// removed; `previous` is what those keys held.
    Set {
        arn: String,
        /// What carries the tags, for messages: "alias Bot/live", "bot Bot".
        what: String,
        keys: Vec<String>,
        values: Tags,
        previous: Tags,
        /// Apply: the keys must hold `previous` as the plan read them (else stale); an undo:
        /// restored only while they hold what this run wrote.
        guard: Guard,
    },
}

impl Operation for RecordStep {
    fn describe(&self) -> String {
        let RecordStep::Set { what, values, .. } = self;
        if values.is_empty() {
            format!("remove our record from the tags of {what}")
        } else {
            format!("record on {what} (its tags) what a later destroy needs")
        }
    }

    /// TagResource with `values` and UntagResource of the other `keys`, as one line.
    fn how_by_hand(&self) -> Option<String> {
        let RecordStep::Set {
            arn, keys, values, ..
        } = self;
        let mut parts = Vec::new();
        if !values.is_empty() {
            parts.push(format!(
                "aws lexv2-models tag-resource --resource-arn {arn} --tags {}",
                crate::resources::by_hand::json_arg(values)
            ));
        }
        let removed: Vec<&str> = keys
            .iter()
            .filter(|k| !values.contains_key(*k))
            .map(String::as_str)
            .collect();
        if !removed.is_empty() {
            parts.push(format!(
                "aws lexv2-models untag-resource --resource-arn {arn} --tag-keys {}",
                removed.join(" ")
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" && "))
    }

    fn inverse(&self) -> Option<Self> {
        let RecordStep::Set {
            arn,
            what,
            keys,
            values,
            previous,
            ..
        } = self.clone();
        Some(RecordStep::Set {
            arn,
            what,
            keys,
            values: previous,
            previous: values,
            guard: Guard::Undo,
        })
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let RecordStep::Set {
            arn,
            what,
            keys,
            values,
            previous,
            guard,
        } = self;
        // Read right before the write: only our keys, as they are now.
        let now = current_tags(&ctx.clients.lex, arn, keys).await?;
        if now == *values {
            return Ok(None);
        }
        if now != *previous {
            let now = crate::resources::by_hand::json_arg(&now);
            return Err(match guard {
                Guard::Plan => crate::error::Error::stale(
                    format!("the record on {what} changed since the plan read it: its tags are now {now}; it was not written"),
                    "another run or person changed it while this run worked; run plan again",
                ),
                Guard::Undo => crate::error::Error::ChangedElsewhere(format!(
                    "the record on {what} was changed by someone else after this run wrote it: left as it is ({now})"
                )),
            });
        }
        set_tags(&ctx.clients.lex, arn, keys, values).await?;
        Ok(self.inverse())
    }
}
