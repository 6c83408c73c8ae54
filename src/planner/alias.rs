//! Changes to aliases: their log settings (and version), and the take-over records on their tags.

use super::alias_settings::{desired_settings, restore_released_halves};
use super::destinations::{same_log_group, AudioDestination, OurDestinations, TextDestination};

use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::values::{AliasValue, Resource};
use crate::plan::{Action, Address, Change};
use crate::resources::alias::Alias;
use crate::resources::alias::{AliasStep, AliasVersion, Expected, Guard};
use crate::resources::log_settings::{same_logging, AudioLogSetting, LogSettings, TextLogSetting};
use crate::resources::record::RecordStep;
use crate::resources::tags::Tags;
use crate::spec::Spec;
use crate::step::Step;

/// Apply's changes to one alias: its settings with our destinations, after `after`. A
/// destination lex-logs-setup did not set (another team's group or bucket) is never replaced by
/// a plain apply; with `--take-over-destinations` it is recorded on the alias first, so that
/// destroy can put it back exactly.
#[allow(clippy::too_many_arguments)]
pub(super) fn alias_apply_changes<'a>(
    spec: &Spec,
    obs: &Observed,
    alias: &Alias,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
    ours: &OurDestinations,
    version: AliasVersion,
    after: impl Iterator<Item = &'a Address>,
) -> Result<Vec<Change>> {
    let current = alias.log_settings();
    let current = current.as_ref();
    let (conflicts, record) = foreign_destinations(alias, text, audio, ours)?;
    let addr = Address::alias(&obs.bot.name, &alias.name);
    let mut desired = desired_settings(current, text, audio, ours);
    let mut after: Vec<Address> = after.cloned().collect();
    let mut changes = Vec::new();
    // A half no longer asked for (e.g. --no-text-logs) that a take-over had replaced goes back to
    // what it was, and its record is dropped once the alias is updated.
    let (restored, released) = restore_released_halves(alias, desired.as_ref(), text, audio);
    if let Some(settings) = restored {
        desired = Some(settings);
    }
    if !released.is_empty() {
        changes.push(drop_alias_record(obs, alias, true, released).needs([addr.clone()]));
    }
    if !conflicts.is_empty() {
        let take_over = take_over_record(spec, obs, alias, &conflicts, record)?;
        after.push(take_over.address.clone());
        changes.push(take_over);
    }
    // Keeping the version, the plan grants the role that version runs on: a deployment that
    // moves the alias to a version on another role makes this change stale.
    let ours = obs.role_arn();
    let writer = match version {
        AliasVersion::Keep => alias.runs_on.as_deref(),
        // The version this run publishes runs on our role (the dedicated mode).
        AliasVersion::PublishedByRun => Some(ours.as_str()),
        AliasVersion::Number(_) => None,
    };
    changes.push(alias_change(
        &addr,
        obs,
        alias,
        (current, desired),
        version,
        writer,
        after.iter(),
    ));
    Ok(changes)
}

/// The destinations the alias logs to now that apply would replace and that are not ours
/// ("text to ARN", "audio to ARN"), and the tags that record them.
fn foreign_destinations(
    alias: &Alias,
    text: Option<&TextDestination>,
    audio: Option<&AudioDestination>,
    ours: &OurDestinations,
) -> Result<(Vec<String>, Tags)> {
    use crate::resources::alias::{record_audio, record_text};
    let current = alias.log_settings();
    let mut conflicts: Vec<String> = Vec::new();
    let mut record = Tags::new();
    let refuse = |why: String| {
        Error::invalid(
            format!(
                "alias {} cannot record the destination it replaces: {why}",
                alias.name
            ),
            "set the alias's conversation logs by hand, or leave this alias out",
        )
    };
    // A disabled setting logs nowhere: replacing it takes nothing over from anyone.
    let text_now = current
        .as_ref()
        .and_then(|c| c.text().first())
        .filter(|s| s.enabled);
    if let (Some(wanted), Some(setting)) = (text, text_now) {
        let arn = setting.log_group_arn();
        let ours_already = same_log_group(arn, &wanted.log_group_arn)
            || ours.log_group_arns.iter().any(|o| same_log_group(o, arn));
        if !ours_already {
            conflicts.push(format!("text to {arn}"));
            record.extend(record_text(setting).map_err(refuse)?);
        }
    }
    let audio_now = current
        .as_ref()
        .and_then(|c| c.audio().first())
        .filter(|s| s.enabled);
    if let (Some(wanted), Some(setting)) = (audio, audio_now) {
        let arn = setting.bucket_arn();
        let ours_already = arn == wanted.bucket_arn || ours.bucket_arns.iter().any(|o| o == arn);
        if !ours_already {
            conflicts.push(format!("audio to {arn}"));
            record.extend(record_audio(setting).map_err(refuse)?);
        }
    }
    Ok((conflicts, record))
}

/// A destination lex-logs-setup did not set is replaced only with `--take-over-destinations`,
/// and then recorded on the alias's tags first (`record`), so that destroy can put it back.
fn take_over_record(
    spec: &Spec,
    obs: &Observed,
    alias: &Alias,
    conflicts: &[String],
    record: Tags,
) -> Result<Change> {
    if !spec.take_over_destinations {
        return Err(Error::invalid(
            format!(
                "alias {} of bot {} already logs {}: a destination lex-logs-setup did not set, which a plain apply never replaces",
                alias.name,
                obs.bot.name,
                conflicts.join(" and ")
            ),
            "leave the alias as it is, or pass --take-over-destinations to replace it (the previous setting is recorded on the alias, and destroy puts it back exactly)",
        ));
    }
    let keys: Vec<String> = record.keys().cloned().collect();
    let previous: Tags = keys
        .iter()
        .filter_map(|k| alias.tags.get(k).map(|v| (k.clone(), v.clone())))
        .collect();
    let set_tags = Step::Record(RecordStep::Set {
        arn: obs.scope.bot_alias(&obs.bot.id, &alias.id),
        what: format!("alias {}/{}", obs.bot.name, alias.name),
        keys,
        values: record.clone(),
        previous,
        guard: Guard::Plan,
    });
    Ok(Change::new(
        &obs.provider,
        Address::alias_record(&obs.bot.name, &alias.name, false),
        Action::Create,
        None,
        Some(Resource::record(&record)),
        set_tags,
    ))
}

/// Destroy's changes to one alias: our destinations removed, a destination a take-over replaced
/// put back exactly (unless someone set another since), and the record removed afterwards.
pub(super) fn alias_destroy_changes(
    obs: &Observed,
    alias: &Alias,
    ours: &OurDestinations,
    version: AliasVersion,
) -> Vec<Change> {
    use crate::resources::alias::{recorded_audio, recorded_text, RECORD_KEYS};
    let addr = Address::alias(&obs.bot.name, &alias.name);
    let current = alias.log_settings();
    let current = current.as_ref();
    let desired = desired_settings(current, None, None, ours);
    let mut text: Vec<TextLogSetting> = desired
        .as_ref()
        .map(|d| d.text().to_vec())
        .unwrap_or_default();
    let mut audio: Vec<AudioLogSetting> = desired
        .as_ref()
        .map(|d| d.audio().to_vec())
        .unwrap_or_default();
    if text.is_empty() {
        text.extend(recorded_text(&alias.tags));
    }
    if audio.is_empty() {
        audio.extend(recorded_audio(&alias.tags));
    }
    let desired = LogSettings::of(text, audio);
    let mut changes = vec![alias_change(
        &addr,
        obs,
        alias,
        (current, desired),
        version,
        None,
        std::iter::empty(),
    )];
    let recorded: Tags = RECORD_KEYS
        .iter()
        .filter_map(|k| alias.tags.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    if !recorded.is_empty() {
        changes.push(drop_alias_record(obs, alias, false, recorded).needs([addr]));
    }
    changes
}

/// The alias's log settings changed from `current` to `desired` (and its version as `version`
/// says), after the changes named by `after`; `writer`: the role the plan grants for it, which the
/// version it runs at write time must still run on.
pub(super) fn alias_change<'a>(
    addr: &Address,
    obs: &Observed,
    alias: &Alias,
    (current, desired): (Option<&LogSettings>, Option<LogSettings>),
    version: AliasVersion,
    writer: Option<&str>,
    after: impl Iterator<Item = &'a Address>,
) -> Change {
    let mut before = AliasValue {
        conversation_log_settings: current.cloned(),
        bot_version: None,
    };
    if version == AliasVersion::Keep && same_logging(current, desired.as_ref()) {
        return Change::no_op(&obs.provider, addr.clone(), Resource::Alias(before));
    }
    let mut after_value = AliasValue {
        conversation_log_settings: desired.clone(),
        bot_version: None,
    };
    match &version {
        AliasVersion::Keep => {}
        AliasVersion::PublishedByRun => {
            before.bot_version = Some(alias.version().to_string());
            after_value.bot_version = Some("(published by this run)".to_string());
        }
        AliasVersion::Number(v) => {
            before.bot_version = Some(alias.version().to_string());
            after_value.bot_version = Some(v.clone());
        }
    }
    Change::new(
        &obs.provider,
        addr.clone(),
        Action::Update,
        Some(Resource::Alias(before)),
        Some(Resource::Alias(after_value)),
        Step::Alias(AliasStep::UpdateLogs {
            bot_id: obs.bot.id.clone(),
            bot_name: obs.bot.name.clone(),
            alias_id: alias.id.clone(),
            alias_name: alias.name.clone(),
            expected: Box::new(Expected {
                settings: current.cloned(),
                version: AliasVersion::Number(alias.version().to_string()),
                writer: writer.map(str::to_string),
            }),
            settings: desired,
            version,
            guard: Guard::Plan,
        }),
    )
    .needs(after.cloned())
}

/// Removes `recorded` (a take-over's record) from the alias's tags; `released` tells two such
/// changes of one alias apart.
pub(super) fn drop_alias_record(
    obs: &Observed,
    alias: &Alias,
    released: bool,
    recorded: Tags,
) -> Change {
    Change::new(
        &obs.provider,
        Address::alias_record(&obs.bot.name, &alias.name, released),
        Action::Delete,
        Some(Resource::record(&recorded)),
        None,
        Step::Record(RecordStep::Set {
            arn: obs.scope.bot_alias(&obs.bot.id, &alias.id),
            what: format!("alias {}/{}", obs.bot.name, alias.name),
            keys: recorded.keys().cloned().collect(),
            values: Tags::new(),
            previous: recorded,
            guard: Guard::Plan,
        }),
    )
}
