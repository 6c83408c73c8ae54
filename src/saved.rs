//! A plan saved to a file (`plan --out FILE`) to be applied later exactly (`apply FILE`): the
//! whole plan in its lossless form (every change with its typed before and after, its provider,
//! its absolute dependencies and its step), the targets it was made for as they were given, and
//! what made it (the file format, the tool's version). JSON a person can read and diff. It holds
//! no secret: names, ARNs, tags and policy documents, never credentials.
//!
//! The plan is its own fingerprint: every fact a change depends on is in its before values and
//! in the guards of its steps, so `apply FILE` observes the same targets again, plans them again
//! (pure, nothing is run), and refuses unless that plan is the saved one; then it runs the saved
//! plan, not the new one ([`stale_differences`] says what moved).

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::plan::{AbsAddress, Action, Change, Plan};
use crate::spec::TargetConfig;

/// The version of this file's format; another is refused.
pub const FORMAT_VERSION: u64 = 1;
/// What a plan file says it is (a JSON file of anything else is refused).
const KIND: &str = "lex-logs-setup plan";

/// A plan as a file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedPlan {
    pub format_version: u64,
    pub kind: String,
    /// `lex-logs-setup --version` of the binary that made it; only that version applies it.
    pub tool_version: String,
    /// The targets the plan was made for, as given (the flags, or a config file's tables).
    pub targets: Vec<TargetConfig>,
    pub plan: Plan,
}

impl SavedPlan {
    pub(crate) fn new(plan: Plan, targets: Vec<TargetConfig>) -> SavedPlan {
        SavedPlan {
            format_version: FORMAT_VERSION,
            kind: KIND.to_string(),
            tool_version: crate::cli::VERSION.to_string(),
            targets,
            plan,
        }
    }

    /// Writes the plan to `path` (through a file beside it, renamed into place, so a reader
    /// never sees half a plan).
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("a plan serialises") + "\n";
        let temporary = path.with_extension("partial");
        std::fs::write(&temporary, text)
            .and_then(|_| std::fs::rename(&temporary, path))
            .map_err(|e| {
                Error::invalid(
                    format!("could not write the plan to {}: {e}", path.display()),
                    "give --out a path in a directory you can write",
                )
            })
    }

    /// Reads a plan file, refusing one that is not a plan, or is of another format or another
    /// version of the tool, with the reason.
    pub fn read(path: &Path) -> Result<SavedPlan> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::invalid(
                format!("could not read the plan file {shown}: {e}"),
                "give the file `lex-logs-setup plan --out FILE` wrote",
            )
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| not_a_plan(path, &e))?;
        if value.get("kind").and_then(Value::as_str) != Some(KIND) {
            return Err(not_a_plan(path, "it does not say it is one"));
        }
        match value.get("formatVersion").and_then(Value::as_u64) {
            Some(FORMAT_VERSION) => {}
            other => {
                return Err(Error::invalid(
                    format!(
                        "{shown} is a plan file of format {}; this lex-logs-setup reads format {FORMAT_VERSION}, so nothing was changed",
                        other.map_or("(none)".to_string(), |v| v.to_string())
                    ),
                    "make the plan again with this version (`lex-logs-setup plan --out FILE`)",
                ))
            }
        }
        let made_by = value.get("toolVersion").and_then(Value::as_str);
        if made_by != Some(crate::cli::VERSION) {
            return Err(Error::invalid(
                format!(
                    "{shown} was made by lex-logs-setup {}; this is {}: a plan is applied by the version that made it, so nothing was changed",
                    made_by.unwrap_or("(unknown)"),
                    crate::cli::VERSION
                ),
                "make the plan again with this version, or apply it with the version that made it",
            ));
        }
        serde_json::from_value(value).map_err(|e| {
            Error::invalid(
                format!("{shown} is damaged: {e}; nothing was changed"),
                "make the plan again (`lex-logs-setup plan --out FILE`); a plan file is not edited by hand",
            )
        })
    }
}

fn not_a_plan(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::invalid(
        format!(
            "{} is not a lex-logs-setup plan file ({why}); nothing was changed",
            path.display()
        ),
        "give the file `lex-logs-setup plan --out FILE` wrote",
    )
}

/// What moved between the plan that was saved and the plan the world gives now: one line per
/// difference, naming the resource and, where a value moved, the field with its old and new
/// value (`alias[OrderBot/live]: step...expected.version.Number: "6" -> "7"`). Only changes
/// count: a resource that needs nothing, then and now, may differ (nothing depends on it).
/// Empty: nothing moved.
pub fn stale_differences(saved: &Plan, now: &Plan) -> Vec<String> {
    let mut moved = Vec::new();
    let find = |plan: &'_ Plan, at: &AbsAddress| -> Option<Change> {
        plan.changes.iter().find(|c| &c.abs() == at).cloned()
    };
    let changes = |plan: &'_ Plan| -> Vec<Change> {
        let runs = |c: &&Change| c.action != Action::NoOp;
        plan.changes.iter().filter(runs).cloned().collect()
    };
    for old in changes(saved) {
        let at = old.abs();
        match find(now, &at) {
            None => moved.push(format!(
                "{at}: planned to {}, now not planned at all",
                verb(old.action)
            )),
            Some(new) if new != old => moved.extend(change_moved(&at, &old, &new)),
            Some(_) => {}
        }
    }
    for new in changes(now) {
        let at = new.abs();
        match find(saved, &at) {
            None => moved.push(format!(
                "{at}: not planned, now needs to {}",
                verb(new.action)
            )),
            Some(old) if old.action == Action::NoOp => moved.extend(change_moved(&at, &old, &new)),
            Some(_) => {}
        }
    }
    if moved.is_empty() && saved.targets != now.targets {
        moved.push("the targets read now differ from those the plan was made for (their aliases, roles or ids)".into());
    }
    moved
}

/// What a change of `action` does, as a verb ("change nothing" for a no-op).
fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::NoOp => "change nothing",
    }
}

/// How one change differs: its action, then each field of its before, after and step.
fn change_moved(at: &AbsAddress, old: &Change, new: &Change) -> Vec<String> {
    if old.action != new.action {
        return vec![format!(
            "{at}: planned to {}, now needs to {}",
            verb(old.action),
            verb(new.action)
        )];
    }
    let mut fields = Vec::new();
    let step = |c: &Change| serde_json::to_value(&c.step).expect("steps serialise");
    for (part, a, b) in [
        ("before", old.before_json(), new.before_json()),
        ("after", old.after_json(), new.after_json()),
        ("step", step(old), step(new)),
    ] {
        value_moved(part, &a, &b, &mut fields);
    }
    if fields.is_empty() {
        fields.push("its dependencies or documents".into());
    }
    fields.into_iter().map(|f| format!("{at}: {f}")).collect()
}

/// The paths under `path` where `a` and `b` differ, as `path: old -> new`.
fn value_moved(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let (old, new) = (
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                );
                value_moved(&format!("{path}.{key}"), old, new, out);
            }
        }
        _ => out.push(format!("{path}: {} -> {}", short(a), short(b))),
    }
}

/// A value as a line shows it: in full when short, else its start.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests;
