//! The KMS key of the log group for text logs (`--log-group-kms-key`): the key as the plan checks
//! it (it must exist, be an enabled symmetric key, and its key policy must let CloudWatch Logs use
//! it for this group: otherwise the plan refuses before any change and prints the statement to
//! add; the tool never edits a key policy), and the association a group needs. A group of ours
//! gets the key associated; another team's group only with `--take-over-destinations`. Destroy
//! never changes a group's key: a group it keeps stays encrypted.

use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::resources::alias_write::Guard;
use crate::resources::log_group::{LogGroupState, LogGroupStep};
use crate::resources::log_group_key::key_words;
use crate::resources::tags;
use crate::spec::Spec;

/// The key the group must have, as a key ARN (what CloudWatch Logs keeps), checked for the group
/// `name`; `None` when `--log-group-kms-key` is not given.
pub(super) fn wanted_key(obs: &Observed, name: &str) -> Result<Option<String>> {
    obs.log_group_key
        .as_ref()
        .map(|key| key.for_log_group(&obs.scope.log_group(name)))
        .transpose()
}

/// The key as given (an alias, an alias ARN or a key id) and the key it is now: the group keeps
/// the key's ARN, so a later change of the alias does not re-encrypt it. `None` when given as the
/// key's ARN, or not given.
pub(super) fn key_note(spec: &Spec, name: &str, key: Option<&str>) -> Option<String> {
    let given = spec.text.as_ref()?.kms_key.as_ref()?;
    let key = key?;
    (given != key).then(|| {
        format!(
            "KMS key {given} is key {key} now: log group {name} is encrypted with the key's ARN (what CloudWatch Logs keeps), so pointing {given} at another key later does not change the group's key; run apply again then"
        )
    })
}

/// The step that gives the existing `group` the key `key`, and what the reviewer must know of it;
/// `None` when the group has it already, or no key is asked. Another team's group needs
/// `--take-over-destinations`.
pub(super) fn key_change(
    spec: &Spec,
    group: &LogGroupState,
    key: Option<&str>,
) -> Result<Option<(LogGroupStep, String)>> {
    let Some(key) = key else {
        return Ok(None);
    };
    let now = group.kms_key_id.as_deref();
    if now == Some(key) {
        return Ok(None);
    }
    let name = &group.name;
    let note = if tags::is_ours(&group.tags) {
        format!(
            "log group {name} is encrypted with KMS key {key} from now on (it had {}): the events already in it stay as they were encrypted; destroy leaves the key on the group",
            key_words(now)
        )
    } else if spec.take_over_destinations {
        format!(
            "log group {name} is another team's: its encryption ({}) is taken over (--take-over-destinations) and it is encrypted with KMS key {key} from now on; destroy leaves this key on the group (a group's encryption is never undone by destroy)",
            key_words(now)
        )
    } else {
        return Err(refusal(name, now, key));
    };
    let step = LogGroupStep::SetKey {
        name: name.clone(),
        key: Some(key.to_string()),
        previous: now.map(str::to_string),
        guard: Guard::Plan,
    };
    Ok(Some((step, note)))
}

/// The refusal to change the key of another team's group without `--take-over-destinations`.
fn refusal(name: &str, now: Option<&str>, key: &str) -> Error {
    Error::invalid(
        format!(
            "log group {name} was not created by lex-logs-setup (it does not carry our tag {}): it has {}, and --log-group-kms-key {key} would change another team's setting",
            tags::MANAGED_BY,
            key_words(now)
        ),
        "leave out --log-group-kms-key to log to the group as it is, or pass --take-over-destinations to encrypt it with this key (destroy does not take the key off again)",
    )
}

/// Destroy: what it says of each group it reads that is encrypted (it keeps the key).
pub(super) fn kept_key_notes<'a>(groups: impl Iterator<Item = &'a LogGroupState>) -> Vec<String> {
    groups
        .filter_map(|g| {
            let key = g.kms_key_id.as_ref()?;
            Some(format!(
                "log group {} stays encrypted with KMS key {key}: destroy never changes a group's encryption",
                g.name
            ))
        })
        .collect()
}
