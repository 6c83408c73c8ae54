//! The CloudWatch Logs group that text logs go to: created, its retention set, or as it is.
//! Another team's group (one without our tag) keeps its settings: its retention changes only with
//! `--take-over-destinations`, which records what it was on the group first, and destroy puts
//! that back exactly. A retention that goes down is never silent: events older than it are
//! deleted, which neither rollback nor destroy can undo. The group's KMS key (`--log-group-kms-key`)
//! is in `log_group_key`: one change of the group sets its retention and its key.

use crate::arn::Scope;
use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::values::{LogGroupValue, Resource};
use crate::plan::{Action, Address, Change, Provider};
use crate::resources::alias_write::Guard;
use crate::resources::log_group::{LogGroupState, LogGroupStep, TagChange};
use crate::resources::tags::{self, Tags};
use crate::spec::Spec;
use crate::step::Step;

use super::log_group_key::{kept_key_notes, key_change, key_note, wanted_key};

/// A retention in words: "30 days", "never expire".
fn words(days: Option<i32>) -> String {
    days.map_or_else(|| "never expire".to_string(), |d| format!("{d} days"))
}

/// True when going from `from` to `to` deletes events (a shorter retention, or one where there
/// was none).
pub(super) fn shortens(from: Option<i32>, to: Option<i32>) -> bool {
    match (from, to) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(from), Some(to)) => to < from,
    }
}

fn shortening_warning(name: &str, from: Option<i32>, to: Option<i32>) -> Option<String> {
    let days = to.filter(|_| shortens(from, to))?;
    Some(format!(
        "warning: the retention of log group {name} goes down from {} to {days} days: CloudWatch Logs deletes the events older than {days} days, and neither rollback nor destroy brings them back",
        words(from)
    ))
}

/// The retention a take-over recorded on the group: `Some(None)` for "never expire"; `None` when
/// there is no record.
pub(super) fn recorded_retention(group: &LogGroupState) -> Option<Option<i32>> {
    group
        .tags
        .get(tags::PREVIOUS_RETENTION)
        .and_then(|v| tags::parse_retention(v))
}

/// The log group for text logs: created, its retention or key set, or as it is; and what the
/// reviewer must know about it (a take-over, a shorter retention, its key). Refuses to change
/// another team's retention or key without `--take-over-destinations`, and a key CloudWatch Logs
/// may not use for the group.
pub(super) fn log_group_change(
    spec: &Spec,
    obs: &Observed,
) -> Result<(Option<Change>, Vec<String>)> {
    let key = match &obs.log_group {
        Some((name, _)) => wanted_key(obs, name)?,
        None => None,
    };
    group_change(spec, &obs.provider, &obs.scope, &obs.log_group, key)
}

/// As [`log_group_change`], for the group `log_group` (its name, and the group if it exists) in
/// the place `provider` and `scope` say (the bot's region, or a region it is replicated to),
/// encrypted with `key` (its ARN, checked) when one is wanted.
pub(super) fn group_change(
    spec: &Spec,
    provider: &Provider,
    scope: &Scope,
    log_group: &Option<(String, Option<LogGroupState>)>,
    key: Option<String>,
) -> Result<(Option<Change>, Vec<String>)> {
    let (Some(text), Some((name, state))) = (&spec.text, log_group) else {
        return Ok((None, Vec::new()));
    };
    let addr = Address::LogGroup(name.clone());
    let want = text.retention_days;
    let mut notes: Vec<String> = key_note(spec, name, key.as_deref()).into_iter().collect();
    let Some(group) = state else {
        let after = LogGroupValue {
            kms_key_id: key.clone(),
            ..LogGroupValue::named(name, want)
        };
        let create = Change::new(
            provider,
            addr,
            Action::Create,
            None,
            Some(Resource::LogGroup(after)),
            Step::LogGroup(LogGroupStep::Create {
                name: name.clone(),
                retention_days: want,
                kms_key_id: key,
            }),
        );
        return Ok((Some(create), notes));
    };
    let before = LogGroupValue {
        kms_key_id: group.kms_key_id.clone(),
        ..LogGroupValue::named(name, group.retention_days)
    };
    let retention = match want.is_none() || want == group.retention_days {
        true => None,
        false => Some(retention_change(spec, scope, group, want, &mut notes)?),
    };
    let key_step = key_change(spec, group, key.as_deref())?.map(|(step, note)| {
        notes.push(note);
        step
    });
    let (after, mut steps) = match retention {
        Some((after, step)) => (after, vec![step]),
        // A group taken over earlier says so: destroy puts its recorded retention back.
        None if key_step.is_none() => {
            let before = LogGroupValue {
                recorded_retention: group.tags.get(tags::PREVIOUS_RETENTION).cloned(),
                ..before
            };
            let kept = Change::no_op(provider, addr, Resource::LogGroup(before));
            return Ok((Some(kept), notes));
        }
        None => (before.clone(), Vec::new()),
    };
    steps.extend(key_step);
    let after = LogGroupValue {
        kms_key_id: key.or_else(|| group.kms_key_id.clone()),
        ..after
    };
    let step = match steps.len() {
        1 => steps.remove(0),
        _ => LogGroupStep::Several { steps },
    };
    let change = Change::new(
        provider,
        addr,
        Action::Update,
        Some(Resource::LogGroup(before)),
        Some(Resource::LogGroup(after)),
        Step::LogGroup(step),
    );
    Ok((Some(change), notes))
}

/// The change of an existing group's retention to `want` (its value after, and the step), with
/// what the reviewer must know added to `notes`: our group's is set; another team's is taken
/// over, recorded on its tags.
fn retention_change(
    spec: &Spec,
    scope: &Scope,
    group: &LogGroupState,
    want: Option<i32>,
    notes: &mut Vec<String>,
) -> Result<(LogGroupValue, LogGroupStep)> {
    let (name, now) = (&group.name, group.retention_days);
    notes.extend(shortening_warning(name, now, want));
    if tags::is_ours(&group.tags) {
        let step = LogGroupStep::SetRetention {
            name: name.clone(),
            days: want,
            previous: now,
            guard: Guard::Plan,
        };
        return Ok((LogGroupValue::named(name, want), step));
    }
    let (record, note) = take_over_record(spec, name, group, want)?;
    notes.push(note);
    let after = LogGroupValue {
        tags: Some(record.values.clone()),
        ..LogGroupValue::named(name, want)
    };
    let step = LogGroupStep::RetentionWithRecord {
        name: name.clone(),
        arn: scope.log_group(name),
        days: want,
        previous: now,
        record,
        guard: Guard::Plan,
    };
    Ok((after, step))
}

/// The retention a take-over set on the group, as our record says: `Some(None)` for "never
/// expire"; `None` when there is no record of it.
fn taken_over_retention(group: &LogGroupState) -> Option<Option<i32>> {
    group
        .tags
        .get(tags::TAKEN_OVER_RETENTION)
        .and_then(|v| tags::parse_retention(v))
}

/// What a change of another team's retention records on the group, and the note that says so.
/// A take-over needs `--take-over-destinations` and records the retention it replaces. A later
/// apply on a group taken over keeps that record while the group still holds the retention the
/// take-over set; once someone else changed it since, the group is the team's again: changing
/// it is a new take-over, which records the team's retention in place of the first record.
fn take_over_record(
    spec: &Spec,
    name: &str,
    group: &LogGroupState,
    want: Option<i32>,
) -> Result<(TagChange, String)> {
    let keys = vec![
        tags::PREVIOUS_RETENTION.to_string(),
        tags::TAKEN_OVER_RETENTION.to_string(),
    ];
    let previous: Tags = keys
        .iter()
        .filter_map(|k| group.tags.get(k).map(|v| (k.clone(), v.clone())))
        .collect();
    let mut values = previous.clone();
    values.insert(
        tags::TAKEN_OVER_RETENTION.into(),
        tags::retention_value(want),
    );
    let now = group.retention_days;
    let set = taken_over_retention(group);
    let kept = recorded_retention(group).filter(|_| set == Some(now));
    if let Some(recorded) = kept {
        let note = format!(
            "log group {name} is another team's, taken over earlier: its retention goes from {} to {}; destroy puts back {}, as recorded when it was taken over",
            words(now),
            words(want),
            words(recorded)
        );
        return Ok((
            TagChange {
                keys,
                values,
                previous,
            },
            note,
        ));
    }
    // Changed by someone else since our take-over (our record says what we set).
    let since = set
        .filter(|_| recorded_retention(group).is_some())
        .map(|set| format!(" since lex-logs-setup took it over and set {}", words(set)));
    if !spec.take_over_destinations {
        return Err(refusal(name, now, want, since.as_deref()));
    }
    values.insert(tags::PREVIOUS_RETENTION.into(), tags::retention_value(now));
    let note = format!(
        "log group {name} is another team's: its retention ({}{}) is taken over (--take-over-destinations) and recorded on the group's tags ({}); destroy puts back {}",
        words(now),
        since.as_deref().map_or(String::new(), |s| format!(", set by someone else{s}")),
        tags::PREVIOUS_RETENTION,
        words(now)
    );
    Ok((
        TagChange {
            keys,
            values,
            previous,
        },
        note,
    ))
}

/// The refusal to change another team's retention without `--take-over-destinations`; `since`
/// says what our earlier take-over set, when someone changed the retention after it.
fn refusal(name: &str, now: Option<i32>, want: Option<i32>, since: Option<&str>) -> Error {
    let whose = match since {
        Some(since) => format!("was changed by someone else{since}"),
        None => format!(
            "was not created by lex-logs-setup (it does not carry our tag {})",
            tags::MANAGED_BY
        ),
    };
    Error::invalid(
        format!(
            "log group {name} {whose}: its retention is {}, and --retention-days {} would change another team's setting",
            words(now),
            want.unwrap_or_default()
        ),
        "leave out --retention-days to log to the group as it is, or pass --take-over-destinations to change it (its retention now is recorded on the group, and destroy puts it back exactly)",
    )
}

/// Destroy: every group a take-over changed gets its recorded retention back, exactly (unless
/// someone set another since: then it is left as it is, and said), and our record is removed.
/// Also the notes that say so. `groups` are the groups destroy read (the one named, and the ones
/// our grants name).
pub(super) fn log_group_restores<'a>(
    obs: &Observed,
    groups: impl Iterator<Item = &'a LogGroupState>,
) -> (Vec<Change>, Vec<String>) {
    group_restores(&obs.provider, &obs.scope, groups)
}

/// As [`log_group_restores`], for groups in the place `provider` and `scope` say (the bot's
/// region, or a region it is replicated to).
pub(super) fn group_restores<'a>(
    provider: &Provider,
    scope: &Scope,
    groups: impl Iterator<Item = &'a LogGroupState>,
) -> (Vec<Change>, Vec<String>) {
    let groups: Vec<&LogGroupState> = groups.collect();
    let (mut changes, mut notes) = (Vec::new(), kept_key_notes(groups.iter().copied()));
    for group in groups {
        let Some(restore) = recorded_retention(group) else {
            continue;
        };
        let name = &group.name;
        let now = group.retention_days;
        let set = group
            .tags
            .get(tags::TAKEN_OVER_RETENTION)
            .and_then(|v| tags::parse_retention(v));
        let changed_since = set.is_some_and(|set| set != now);
        let days = if changed_since { now } else { restore };
        if changed_since {
            notes.push(format!(
                "the retention of log group {name} was changed to {} since lex-logs-setup took it over: it is left as it is (it was {} before), and our record is removed",
                words(now),
                words(restore)
            ));
        } else {
            notes.push(format!(
                "log group {name} is another team's: its retention goes back to {}, as recorded when it was taken over",
                words(restore)
            ));
            notes.extend(shortening_warning(name, now, days));
        }
        let recorded: Tags = [tags::PREVIOUS_RETENTION, tags::TAKEN_OVER_RETENTION]
            .iter()
            .filter_map(|k| group.tags.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        let record = TagChange {
            keys: recorded.keys().cloned().collect(),
            values: Tags::new(),
            previous: recorded.clone(),
        };
        changes.push(Change::new(
            provider,
            Address::LogGroup(name.clone()),
            Action::Update,
            Some(Resource::LogGroup(LogGroupValue {
                tags: Some(recorded.clone()),
                ..LogGroupValue::named(name, now)
            })),
            Some(Resource::log_group(name, days)),
            Step::LogGroup(LogGroupStep::RetentionWithRecord {
                name: name.clone(),
                arn: scope.log_group(name),
                days,
                previous: now,
                record,
                guard: Guard::Plan,
            }),
        ));
    }
    (changes, notes)
}
