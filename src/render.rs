//! Rendering plans and outcomes as text a reviewer can read, or as JSON. The renderer decides
//! nothing: it only draws what the plan and the outcome say.

use std::fmt;

use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use crate::engine::{Certainty, Outcome};
use crate::plan::{Action, Change, Mode, Plan, Summary};
use crate::verify::report::Report;

/// The version of every JSON document the tool prints or writes (its top-level
/// `formatVersion`); the rule for when it changes is in docs/json.md, the shapes in docs/schema/.
pub const FORMAT_VERSION: u32 = 1;

/// `document` with `"formatVersion": FORMAT_VERSION` as its first key. Every document is an
/// object; anything else is returned as it is.
pub fn versioned(document: &Value) -> Value {
    let Some(fields) = document.as_object() else {
        return document.clone();
    };
    let mut versioned = serde_json::Map::new();
    versioned.insert("formatVersion".into(), json!(FORMAT_VERSION));
    versioned.extend(
        fields
            .iter()
            .filter(|(key, _)| key.as_str() != "formatVersion")
            .map(|(key, value)| (key.clone(), value.clone())),
    );
    Value::Object(versioned)
}

/// A plan as a reviewer sees it: the text (`{:#}` adds colour), or the JSON of `plan_json` (the
/// plan's own serde form is the lossless one a saved plan holds).
pub struct Shown<'a>(pub &'a Plan);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&plan_text(self.0, f.alternate()))
    }
}

impl Serialize for Shown<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        plan_json(self.0).serialize(serializer)
    }
}

/// What apply or destroy ran and how it ended, with the verify report of `--verify`. Without an
/// outcome nothing ran (the plan had no changes): the text is then only the verify report.
pub struct RunReport<'a> {
    pub plan: &'a Plan,
    pub outcome: Option<&'a Outcome>,
    pub verified: Option<&'a Report>,
}

impl fmt::Display for RunReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(outcome) = self.outcome {
            f.write_str(&outcome_text(self.plan, outcome))?;
        }
        match self.verified {
            Some(report) => f.write_str(&report.text()),
            None => Ok(()),
        }
    }
}

impl Serialize for RunReport<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let nothing_ran = Outcome::default();
        let outcome = outcome_json(self.plan, self.outcome.unwrap_or(&nothing_ran));
        with_report(outcome, self.verified).serialize(serializer)
    }
}

/// Adds the verify report to apply's JSON outcome (under `verify`).
fn with_report(mut outcome: Value, report: Option<&Report>) -> Value {
    if let (Some(report), Some(object)) = (report, outcome.as_object_mut()) {
        object.insert("verify".into(), report.json());
    }
    outcome
}

/// Whether to colour text: only on a terminal, and never with `NO_COLOR` set.
pub fn use_color(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

const RESET: &str = "\x1b[0m";

fn paint(text: &str, glyph: char, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match glyph {
        '+' => "\x1b[32m",
        '~' => "\x1b[33m",
        '-' => "\x1b[31m",
        _ => return text.to_string(),
    };
    format!("{code}{text}{RESET}")
}

/// The plan as text: changes grouped by kind of resource, each with its glyph and address and the
/// JSON difference of before and after; unchanged resources listed briefly; the notes; a summary.
pub fn plan_text(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    let several = spans_places(plan);
    for target in &plan.targets {
        out.push_str(&format!(
            "{} for bot {} ({}) in {}{}, aliases {}, {}\n",
            match plan.command {
                Mode::Apply => "Plan",
                Mode::Destroy => "Destroy plan",
            },
            target.bot,
            target.bot_id,
            if several {
                format!("account {}, ", target.account)
            } else {
                String::new()
            },
            target.region,
            target.aliases.join(", "),
            if target.writers.is_empty() {
                format!("role {}", target.role)
            } else {
                format!("in place: logs written by {}", target.writers.join(", "))
            }
        ));
    }
    let (unchanged, mut changed): (Vec<&Change>, Vec<&Change>) =
        plan.changes.iter().partition(|c| c.action == Action::NoOp);
    // Grouped by kind, what the bot depends on first (the order of `ResourceKind`).
    changed.sort_by_key(|c| c.address.kind());
    let mut last_kind = None;
    for change in &changed {
        let kind = change.address.kind();
        if last_kind != Some(kind) {
            out.push('\n');
            last_kind = Some(kind);
        }
        let glyph = change.action.glyph();
        let line = format!("{glyph} {}", at(several, &change.provider, &change.address));
        out.push_str(&paint(&line, glyph, color));
        out.push('\n');
        for line in json_diff(&change.before_json(), &change.after_json()) {
            out.push_str("    ");
            out.push_str(&paint(&line, line.chars().next().unwrap_or(' '), color));
            out.push('\n');
        }
    }
    if !unchanged.is_empty() {
        out.push_str("\nUnchanged:\n");
        for change in unchanged {
            out.push_str(&format!(
                "  {}\n",
                at(several, &change.provider, &change.address)
            ));
        }
    }
    if !plan.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for note in &plan.notes {
            out.push_str(&format!("  - {note}\n"));
        }
    }
    out.push('\n');
    out.push_str(&summary_line(plan.summary()));
    out.push('\n');
    out
}

pub fn summary_line(s: Summary) -> String {
    if s.changes() == 0 {
        return format!(
            "No changes: everything is as it should be ({} unchanged).",
            s.no_op
        );
    }
    format!(
        "Plan: {} to create, {} to update, {} to delete, {} unchanged.",
        s.create, s.update, s.delete, s.no_op
    )
}

/// The plan as JSON: `{"command", "targets", "changes": [{address, action, before, after}], "notes", "summary"}`.
pub fn plan_json(plan: &Plan) -> Value {
    json!({
        "command": plan.command,
        "targets": plan.targets,
        "changes": changes_json(plan, plan.changes.iter()),
        "notes": plan.notes,
        "summary": plan.summary(),
    })
}

/// True when the plan's changes are made in more than one place (then each says where).
fn spans_places(plan: &Plan) -> bool {
    plan.providers().len() > 1
}

/// An address, after its account and region when the plan spans several places.
fn at(several: bool, place: &crate::plan::Provider, address: &crate::plan::Address) -> String {
    match several {
        true => format!("{}/{}: {address}", place.account, place.region),
        false => address.to_string(),
    }
}

/// Changes as JSON; in a plan that spans several accounts or regions, each says where.
fn changes_json<'a>(plan: &Plan, changes: impl Iterator<Item = &'a Change>) -> Value {
    let several = spans_places(plan);
    changes
        .map(|c| {
            let mut value = json!({
                "address": c.address,
                "action": c.action,
                "before": c.before_json(),
                "after": c.after_json(),
            });
            if several {
                value["account"] = json!(c.provider.account);
                value["region"] = json!(c.provider.region);
            }
            value
        })
        .collect()
}

/// The outcome of apply or destroy as JSON: what was done (in the plan's shape), and after a
/// failure what was undone and what is left.
pub fn outcome_json(plan: &Plan, outcome: &Outcome) -> Value {
    let done: Vec<&Change> = outcome.done.iter().map(|i| &plan.changes[*i]).collect();
    json!({
        "command": plan.command,
        "targets": plan.targets,
        "status": status(outcome),
        "changes": changes_json(plan, done.iter().copied()),
        // What was done, and what was already as it should be (the plan's no-ops, left alone).
        "summary": Summary {
            no_op: plan.summary().no_op,
            ..Summary::of(done.iter().copied())
        },
        "error": outcome.failure.as_ref().map(|(place, address, e)| json!({"address": address, "account": place.account, "region": place.region, "message": e.to_string(), "code": e.aws().map(|a| a.code.clone()), "requestId": e.aws().and_then(|a| a.request_id.clone())})),
        "interrupted": outcome.interrupted,
        "undone": outcome.undone.iter().map(|(place, address)| at(spans_places(plan), place, address)).collect::<Vec<_>>(),
        "left": outcome.left,
        "changedElsewhere": outcome.changed_elsewhere.iter().map(|(place, address, what)| json!({"address": at(spans_places(plan), place, address), "message": what})).collect::<Vec<_>>(),
    })
}

fn status(outcome: &Outcome) -> &'static str {
    if outcome.succeeded() {
        "succeeded"
    } else if outcome.rollback_complete() {
        "rolled-back"
    } else {
        "rollback-incomplete"
    }
}

/// The outcome as text, for stdout.
pub fn outcome_text(plan: &Plan, outcome: &Outcome) -> String {
    let verb = match plan.command {
        Mode::Apply => "Apply",
        Mode::Destroy => "Destroy",
    };
    let done = Summary::of(outcome.done.iter().map(|i| &plan.changes[*i]));
    let several = spans_places(plan);
    let mut out = String::new();
    if outcome.succeeded() {
        out.push_str(&format!(
            "{verb} complete: {} created, {} updated, {} deleted.\n",
            done.create, done.update, done.delete
        ));
        return out;
    }
    match &outcome.failure {
        Some((place, address, err)) => out.push_str(&format!(
            "{verb} failed at {}:\n  {}\n",
            at(several, place, address),
            err.to_string().replace('\n', "\n  ")
        )),
        None => out.push_str(&format!("{verb} interrupted.\n")),
    }
    if !outcome.undone.is_empty() {
        out.push_str(&format!(
            "Rolled back {} change(s):\n",
            outcome.undone.len()
        ));
        for (place, address) in &outcome.undone {
            out.push_str(&format!("  restored {}\n", at(several, place, address)));
        }
    }
    if !outcome.changed_elsewhere.is_empty() {
        out.push_str("Left as someone else set it after this run wrote it:\n");
        for (place, address, what) in &outcome.changed_elsewhere {
            out.push_str(&format!(
                "  {}: {}\n",
                at(several, place, address),
                what.replace('\n', " ")
            ));
        }
    }
    if outcome.rollback_complete() && outcome.changed_elsewhere.is_empty() {
        out.push_str("The account is as it was before this run.\n");
    } else if outcome.rollback_complete() {
        out.push_str("Everything else this run changed is undone.\n");
    } else {
        out.push_str(&leftovers_text(several, outcome));
    }
    out
}

/// What a stopped or failed rollback left: each change that is, or may be, still in place, with
/// what would undo it and the command that does.
fn leftovers_text(several: bool, outcome: &Outcome) -> String {
    let uncertain = outcome
        .left
        .iter()
        .any(|l| l.state == Certainty::MayBeInPlace);
    let mut out = match (outcome.aborted, uncertain) {
        (true, _) => "The rollback was interrupted. ",
        (false, _) => "",
    }
    .to_string();
    out.push_str(match uncertain {
        true => "These changes are still in place, or may be (marked); undo them by hand:\n",
        false => "These changes are still in place; remove them by hand:\n",
    });
    for left in &outcome.left {
        let address = at(several, &left.provider, &left.address);
        let mark = match left.state {
            Certainty::InPlace => "",
            Certainty::MayBeInPlace => " [may be in place]",
        };
        out.push_str(&format!("  {address}{mark}: {}\n", left.todo));
        match &left.command {
            Some(command) => out.push_str(&format!("    by hand: {command}\n")),
            None => out.push_str("    by hand: no single command; see the step above\n"),
        }
        if let Some(error) = &left.error {
            out.push_str(&format!("    (not undone: {})\n", error.replace('\n', " ")));
        }
    }
    out
}

/// One document the policy command prints.
#[derive(Debug, Serialize)]
pub struct NamedDocument {
    /// What it is: `trust`, `managed-policy`, `service-linked-inline`, `copied-inline`,
    /// `inline-policy` or `operator`.
    pub kind: &'static str,
    /// Where it goes, e.g. `role[LexLogs-OrderBot]`.
    pub address: String,
    pub document: Value,
    /// Where the document is for, when the targets span several places or assume a role.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub provider: Option<crate::plan::Provider>,
    /// What the document lets its holder do beyond the tool's calls (the operator policy's
    /// declared risks, and what a target-free policy covers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<String>,
}

/// The documents of the policy command: each under a title saying where it goes, or as JSON.
#[derive(Debug, Serialize)]
pub struct Documents {
    pub documents: Vec<NamedDocument>,
}

impl fmt::Display for Documents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.documents {
            let title = match d.kind {
                "trust" => format!("Trust policy of {}", d.address),
                "managed-policy" => format!(
                    "Managed policy {}, attached to the role that writes the logs",
                    d.address
                ),
                "service-linked-inline" => format!(
                    "Inline policy {}, on the Lex service-linked role that writes the logs",
                    d.address
                ),
                "copied-inline" => format!(
                    "Inline policy {}, copied from the bot's previous role to ours",
                    d.address
                ),
                "inline-policy" => format!("PassRole grant {}", d.address),
                "pipeline" => "What the pipeline's own identity needs to reach the other accounts (sts:AssumeRole on the roles the targets name)".to_string(),
                _ if d.provider.is_some() => {
                    let p = d.provider.as_ref().expect("checked");
                    let who = match &p.via {
                        Some(role) => format!("the role it assumes there, {role}"),
                        None => "the caller's own identity".to_string(),
                    };
                    format!(
                        "Operator policy for account {} in {}: what {who} needs",
                        p.account, p.region
                    )
                }
                _ => "Operator policy: what the person or pipeline running apply and destroy needs"
                    .to_string(),
            };
            let title = match (&d.provider, d.kind) {
                (Some(p), kind) if kind != "operator" => {
                    format!("{title} (account {}, {})", p.account, p.region)
                }
                _ => title,
            };
            let document = serde_json::to_string_pretty(&d.document).map_err(|_| fmt::Error)?;
            writeln!(f, "# {title}")?;
            if !d.risks.is_empty() {
                writeln!(f, "# What it lets its holder do beyond the tool's calls:")?;
                for risk in &d.risks {
                    writeln!(f, "#  - {risk}")?;
                }
            }
            write!(f, "{document}\n\n")?;
        }
        Ok(())
    }
}

/// A line diff of the pretty-printed JSON of `before` and `after`, each line prefixed with
/// `+ `, `- ` or two spaces.
pub fn json_diff(before: &Value, after: &Value) -> Vec<String> {
    let lines = |v: &Value| -> Vec<String> {
        if v.is_null() {
            Vec::new()
        } else {
            serde_json::to_string_pretty(v)
                .expect("JSON values print")
                .lines()
                .map(str::to_string)
                .collect()
        }
    };
    let (a, b) = (lines(before), lines(after));
    // Longest common subsequence, fine for documents of a few hundred lines.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(format!("  {}", a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {}", a[i]));
            i += 1;
        } else {
            out.push(format!("+ {}", b[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests;
