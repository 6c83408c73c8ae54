//! What `status` found, one row per alias, as data; printed as an aligned table (`Display`) or
//! as JSON (`Serialize`), like plans.

use std::fmt;

use serde::Serialize;

use crate::posture::{Finding, Severity};

/// One alias: where it runs, where its logs go, whose destinations those are, whether its role
/// can write there, and how it differs from what was asked.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AliasStatus {
    pub account: String,
    pub region: String,
    pub bot: String,
    pub bot_id: String,
    pub alias: String,
    pub alias_id: String,
    /// The version the alias runs (DRAFT for TestBotAlias).
    pub version: String,
    /// The role that version runs on: the role Lex writes the alias's logs with.
    pub role: Option<String>,
    pub text: Channel,
    pub audio: Channel,
    /// What apply would change for this alias, when a target asked for it (`None`: not asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<Vec<String>>,
    /// Why the bot could not be read (its row then stands for the whole bot, alias `*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The regions the bot is replicated to (Global Resiliency), where this alias runs too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaStatus>,
    /// Our alarm when the alias's text logs stop arriving (`--alarm`), when it has one of that
    /// name (ours or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm: Option<AlarmStatus>,
}

/// An alias's text logs in a region its bot is replicated to: the replica logs to the group of
/// the same name there, with the same role.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaStatus {
    pub region: String,
    /// The text logs' group there (the alias's, by name); `None` without text logs.
    pub log_group: Option<String>,
    /// The group exists there (`None`: not read, the alias logs to a group the run does not name).
    pub group_exists: Option<bool>,
    /// A grant of ours names that region's group.
    pub granted: bool,
}

impl ReplicaStatus {
    /// Text logs arrive there: the group exists and our grant names it.
    pub fn covered(&self) -> bool {
        self.group_exists == Some(true) && self.granted
    }
}

/// An alias's alarm: its name, its state as CloudWatch last evaluated it (`OK`, `ALARM`,
/// `INSUFFICIENT_DATA`), and whether it is ours (our tag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmStatus {
    pub name: String,
    pub state: String,
    pub ours: bool,
}

/// One log channel of an alias.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    /// The log group, or `s3://bucket/prefix`; `None` when the alias does not log this channel.
    pub destination: Option<String>,
    /// True when lex-logs-setup set this destination up (a grant of ours covers it).
    pub ours: bool,
    /// The static check: `Some(true)` when the role may write there, `Some(false)` with
    /// `problems` when not; `None` when not configured.
    pub can_write: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Selective capture (`selectiveLoggingEnabled`): only the turns that ask for it are logged.
    pub selective: bool,
    /// Text logs: the ARN of the KMS key that encrypts the log group; absent when the group has
    /// none (CloudWatch Logs' own encryption), and for audio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// Every alias looked at, in account, region, bot and alias order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport {
    pub aliases: Vec<AliasStatus>,
    /// The posture findings of every alias, in account, region, bot, alias and id order.
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// How many aliases log, can write, and drift.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub bots: usize,
    pub aliases: usize,
    /// Aliases with text or audio logs configured.
    pub logging: usize,
    /// Aliases whose role cannot write a configured destination.
    pub broken: usize,
    /// Aliases that differ from what was asked.
    pub drifted: usize,
    /// Bots that could not be read.
    pub unreadable: usize,
    /// Posture findings (of every severity, info included).
    pub findings: usize,
}

impl StatusReport {
    pub fn new(mut aliases: Vec<AliasStatus>, mut findings: Vec<Finding>) -> Self {
        aliases.sort_by(|a, b| {
            (&a.account, &a.region, &a.bot, &a.alias)
                .cmp(&(&b.account, &b.region, &b.bot, &b.alias))
        });
        findings.sort_by(|a, b| {
            (&a.account, &a.region, &a.bot, &a.alias, &a.id)
                .cmp(&(&b.account, &b.region, &b.bot, &b.alias, &b.id))
        });
        let mut bots: Vec<(&str, &str, &str)> = aliases
            .iter()
            .map(|a| (a.account.as_str(), a.region.as_str(), a.bot.as_str()))
            .collect();
        bots.dedup();
        let configured = |c: &Channel| c.destination.is_some();
        let broken = |c: &Channel| c.can_write == Some(false);
        let summary = Summary {
            bots: bots.len(),
            aliases: aliases.len(),
            logging: aliases
                .iter()
                .filter(|a| configured(&a.text) || configured(&a.audio))
                .count(),
            broken: aliases
                .iter()
                .filter(|a| broken(&a.text) || broken(&a.audio))
                .count(),
            drifted: aliases.iter().filter(|a| a.drifted()).count(),
            unreadable: aliases.iter().filter(|a| a.error.is_some()).count(),
            findings: findings.len(),
        };
        StatusReport {
            aliases,
            findings,
            summary,
        }
    }

    /// True when some finding is of severity `at_least` or higher (`--fail-on`).
    pub fn fails_on(&self, at_least: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= at_least)
    }

    /// True when some alias differs from what was asked.
    pub fn drifted(&self) -> bool {
        self.summary.drifted > 0
    }

    /// True when some bot could not be read.
    pub fn incomplete(&self) -> bool {
        self.summary.unreadable > 0
    }
}

impl AliasStatus {
    pub fn drifted(&self) -> bool {
        self.drift.as_ref().is_some_and(|d| !d.is_empty())
    }
}

/// The last part of a role ARN (its name), which is what fits in a table.
fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// A channel in a table cell: its destination, then `(ours)`, `(cannot write)`.
fn channel_cell(c: &Channel) -> String {
    let Some(destination) = &c.destination else {
        return "-".to_string();
    };
    let mut marks = Vec::new();
    if c.ours {
        marks.push("ours");
    }
    if c.selective {
        marks.push("selective");
    }
    if c.kms_key_id.is_some() {
        marks.push("encrypted");
    }
    if c.can_write == Some(false) {
        marks.push("CANNOT WRITE");
    }
    if marks.is_empty() {
        destination.clone()
    } else {
        format!("{destination} ({})", marks.join(", "))
    }
}

/// The replica regions in a table cell: each, and whether its text logs are covered there.
fn replicas_cell(a: &AliasStatus) -> String {
    let cells: Vec<String> = a
        .replicas
        .iter()
        .map(|r| match (&r.log_group, r.covered(), r.group_exists) {
            (None, _, _) => r.region.clone(),
            (Some(_), true, _) => format!("{} (covered)", r.region),
            (Some(_), false, Some(false)) => format!("{} (NO GROUP)", r.region),
            (Some(_), false, _) => format!("{} (NOT GRANTED)", r.region),
        })
        .collect();
    match cells.is_empty() {
        true => "-".into(),
        false => cells.join(", "),
    }
}

/// An alarm in a table cell: its state, and `(not ours)` for another's alarm of our name.
fn alarm_cell(alarm: Option<&AlarmStatus>) -> String {
    match alarm {
        None => "-".into(),
        Some(a) if a.ours => a.state.clone(),
        Some(a) => format!("{} (not ours)", a.state),
    }
}

fn drift_cell(a: &AliasStatus) -> String {
    if a.error.is_some() {
        return "COULD NOT READ".into();
    }
    match &a.drift {
        None => "-".into(),
        Some(d) if d.is_empty() => "as asked".into(),
        Some(d) => format!("{} change(s)", d.len()),
    }
}

/// Lines of cells, each column as wide as its widest cell, two spaces apart.
fn aligned(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

impl StatusReport {
    /// The table's rows, header first; account and region columns only when there are several.
    fn table(&self) -> Vec<Vec<String>> {
        let mut places: Vec<(&str, &str)> = self
            .aliases
            .iter()
            .map(|a| (a.account.as_str(), a.region.as_str()))
            .collect();
        places.sort();
        places.dedup();
        let several_places = places.len() > 1;
        let alarms = self.aliases.iter().any(|a| a.alarm.is_some());
        let mut header = vec![];
        if several_places {
            header.extend(["ACCOUNT".to_string(), "REGION".to_string()]);
        }
        header.extend(
            [
                "BOT",
                "ALIAS",
                "VERSION",
                "ROLE",
                "TEXT LOGS",
                "AUDIO LOGS",
                "DRIFT",
            ]
            .map(String::from),
        );
        let replicated = self.aliases.iter().any(|a| !a.replicas.is_empty());
        if replicated {
            header.push("REPLICAS".into());
        }
        if alarms {
            header.push("ALARM".into());
        }
        let mut rows = vec![header];
        for a in &self.aliases {
            let mut row = vec![];
            if several_places {
                row.extend([a.account.clone(), a.region.clone()]);
            }
            row.extend([
                a.bot.clone(),
                a.alias.clone(),
                a.version.clone(),
                a.role.as_deref().map(role_name).unwrap_or("-").to_string(),
                channel_cell(&a.text),
                channel_cell(&a.audio),
                drift_cell(a),
            ]);
            if replicated {
                row.push(replicas_cell(a));
            }
            if alarms {
                row.push(alarm_cell(a.alarm.as_ref()));
            }
            rows.push(row);
        }
        rows
    }

    /// An alias as the lists below the table name it: with its account and region when the
    /// report spans several.
    fn name_of(&self, a: &AliasStatus) -> String {
        let several = self
            .aliases
            .iter()
            .any(|b| (&b.account, &b.region) != (&a.account, &a.region));
        match several {
            true => format!("{}/{}: {}/{}", a.account, a.region, a.bot, a.alias),
            false => format!("{}/{}", a.bot, a.alias),
        }
    }

    /// Why a channel cannot write, one line per problem.
    fn problems(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for a in &self.aliases {
            for (name, c) in [("text", &a.text), ("audio", &a.audio)] {
                for p in &c.problems {
                    lines.push(format!("{} {name}: {p}", self.name_of(a)));
                }
            }
        }
        lines
    }

    /// What apply would change, one line per change and alias.
    fn drift_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for a in self.aliases.iter().filter(|a| a.drifted()) {
            for d in a.drift.iter().flatten() {
                lines.push(format!("{}: {d}", self.name_of(a)));
            }
        }
        lines
    }

    /// The findings, one line each (severity, id, name, where, what), then what to do.
    fn finding_lines(&self) -> Vec<String> {
        self.findings
            .iter()
            .map(|f| {
                let place = match self.aliases.iter().find(|a| {
                    (&a.account, &a.region, &a.bot, &a.alias)
                        == (&f.account, &f.region, &f.bot, &f.alias)
                }) {
                    Some(a) => self.name_of(a),
                    None => format!("{}/{}", f.bot, f.alias),
                };
                format!(
                    "{:<6} {} {} {place}: {}\n      what to do: {}",
                    f.severity.as_str().to_uppercase(),
                    f.id,
                    f.name,
                    f.message,
                    f.remedy
                )
            })
            .collect()
    }

    /// The bots that could not be read, and why (also SARIF's notifications).
    pub fn errors(&self) -> Vec<String> {
        self.aliases
            .iter()
            .filter_map(|a| {
                let e = a.error.as_ref()?;
                Some(format!("{}: {}", self.name_of(a), e.replace('\n', " ")))
            })
            .collect()
    }
}

/// Writes a titled list, when it has anything in it.
fn section(f: &mut fmt::Formatter<'_>, title: &str, lines: &[String]) -> fmt::Result {
    if lines.is_empty() {
        return Ok(());
    }
    writeln!(f, "\n{title}")?;
    for line in lines {
        writeln!(f, "  - {line}")?;
    }
    Ok(())
}

impl fmt::Display for StatusReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.aliases.is_empty() {
            return writeln!(f, "No bots found.");
        }
        f.write_str(&aligned(&self.table()))?;
        section(f, "Why some cannot write:", &self.problems())?;
        section(f, "What apply would change:", &self.drift_lines())?;
        section(f, "Findings:", &self.finding_lines())?;
        section(f, "Could not read:", &self.errors())?;
        let s = self.summary;
        let unreadable = match s.unreadable {
            0 => String::new(),
            n => format!(", {n} bot(s) could not be read"),
        };
        writeln!(
            f,
            "\n{} bot(s), {} alias(es): {} logging, {} cannot write, {} drifted{unreadable}.",
            s.bots, s.aliases, s.logging, s.broken, s.drifted
        )?;
        if self.findings.is_empty() {
            return Ok(());
        }
        let count = |at: Severity| self.findings.iter().filter(|f| f.severity == at).count();
        writeln!(
            f,
            "{} finding(s): {} high, {} medium, {} low, {} info.",
            s.findings,
            count(Severity::High),
            count(Severity::Medium),
            count(Severity::Low),
            count(Severity::Info)
        )
    }
}

#[cfg(test)]
mod tests;
