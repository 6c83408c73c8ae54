//! What `verify` found, per alias and per channel (text, audio), as data; and its text and JSON
//! renderings (JSON on stdout only, as for plans).

use serde::Serialize;
use serde_json::Value;

use super::live::{AUDIO_FAILURE_METRIC, TEXT_FAILURE_METRIC};
use super::probe::Probe;

/// The outcome of one channel (or of a whole alias).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The log arrived.
    Delivered,
    /// `--static-only`: everything the log needs is in place.
    StaticOk,
    /// The log did not arrive (or, with `--static-only`, could not).
    NotDelivered,
    /// The alias has no conversation log settings of this kind.
    NotConfigured,
}

impl Status {
    pub fn ok(self) -> bool {
        matches!(self, Status::Delivered | Status::StaticOk)
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelReport {
    pub status: Status,
    /// The log group or `s3://bucket/prefix`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Seconds from the first probe turn to the log, when delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// How many probe turns the live check sent (one per session, every few seconds until the
    /// log arrived or the deadline passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// The session whose log arrived (else the last probe's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Seconds the live check waited before it gave up, when not delivered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waited_seconds: Option<f64>,
    /// The log line read back (text), or `{"key": ...}` (audio).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<Value>,
    /// The static check's findings, first the one to fix first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// What the live check saw when the log did not arrive (timeout, failed request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `ConversationLogs*DeliveryFailure` since the request, when CloudWatch has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_metric: Option<f64>,
}

impl ChannelReport {
    pub fn not_configured() -> Self {
        ChannelReport {
            status: Status::NotConfigured,
            destination: None,
            seconds: None,
            attempts: None,
            session_id: None,
            waited_seconds: None,
            found: None,
            problems: vec![],
            detail: None,
            failure_metric: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AliasReport {
    pub bot: String,
    pub bot_id: String,
    pub alias: String,
    pub alias_id: String,
    pub version: String,
    /// The role the alias's version runs on (Lex writes the logs with it).
    pub role: Option<String>,
    pub locale: String,
    /// The session of the first probe turn (both channels share it; later probes have their own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// What the probe turns carried and what they do to the bot, when any was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<Probe>,
    pub status: Status,
    pub text: ChannelReport,
    pub audio: ChannelReport,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The region the bot is replicated to (Global Resiliency), when this checks the alias as the
    /// replica there runs it; `None`: the bot's own region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica_region: Option<String>,
}

impl AliasReport {
    /// The alias as a whole: not configured when neither channel is; else delivered (or
    /// statically OK) only when every configured channel is.
    pub fn overall(text: &ChannelReport, audio: &ChannelReport) -> Status {
        let configured: Vec<Status> = [text.status, audio.status]
            .into_iter()
            .filter(|s| *s != Status::NotConfigured)
            .collect();
        if configured.is_empty() {
            Status::NotConfigured
        } else if let Some(bad) = configured.iter().find(|s| !s.ok()) {
            *bad
        } else {
            configured[0]
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub static_only: bool,
    pub timeout_seconds: u64,
    pub aliases: Vec<AliasReport>,
    /// True when every alias delivered (or, static only, passed).
    pub ok: bool,
}

/// A report prints as its text; it serialises as its JSON.
impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl Report {
    pub fn new(static_only: bool, timeout_seconds: u64, aliases: Vec<AliasReport>) -> Self {
        let ok = !aliases.is_empty() && aliases.iter().all(|a| a.status.ok());
        Report {
            static_only,
            timeout_seconds,
            aliases,
            ok,
        }
    }

    pub fn exit_code(&self) -> i32 {
        if self.ok {
            crate::error::exit_code::SUCCESS
        } else {
            crate::error::exit_code::NOT_DELIVERED
        }
    }

    pub fn json(&self) -> Value {
        serde_json::to_value(self).expect("reports serialise")
    }

    /// The report for a person: one block per alias, channels aligned, then a summary line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for a in &self.aliases {
            out.push_str(&format!(
                "{}/{} ({}){}: version {}, role {}, locale {}{}\n",
                a.bot,
                a.alias,
                a.alias_id,
                a.replica_region
                    .as_ref()
                    .map(|r| format!(" in replica region {r}"))
                    .unwrap_or_default(),
                a.version,
                a.role.as_deref().unwrap_or("(none)"),
                a.locale,
                a.session_id
                    .as_ref()
                    .map(|s| format!(", session {s}"))
                    .unwrap_or_default()
            ));
            if a.status == Status::NotConfigured {
                out.push_str("  not configured: the alias has no conversation log settings\n");
            } else {
                for (label, c) in [("text", &a.text), ("audio", &a.audio)] {
                    out.push_str(&channel_text(label, c));
                }
            }
            if let Some(probe) = &a.probe {
                out.push_str(&format!("  probe: {}\n", probe.effects));
                if let Some(note) = probe.selective_note() {
                    out.push_str(&format!("  {note}\n"));
                }
            }
            for w in &a.warnings {
                out.push_str(&format!("  warning: {w}\n"));
            }
            out.push('\n');
        }
        let good = self.aliases.iter().filter(|a| a.status.ok()).count();
        let what = if self.static_only {
            "pass the static check (no traffic sent)"
        } else {
            "delivered"
        };
        out.push_str(&format!(
            "Verify: {good} of {} aliases {what}.\n",
            self.aliases.len()
        ));
        out
    }
}

/// ", 3 attempts" (the probe turns sent), or nothing when none was.
fn attempts_text(attempts: Option<u32>) -> String {
    match attempts {
        Some(1) => ", 1 attempt".to_string(),
        Some(n) => format!(", {n} attempts"),
        None => String::new(),
    }
}

fn channel_text(label: &str, c: &ChannelReport) -> String {
    const INDENT: &str = "         ";
    let to = c
        .destination
        .as_ref()
        .map(|d| format!(" to {d}"))
        .unwrap_or_default();
    let mut out = match c.status {
        Status::NotConfigured => format!("  {label:<6} not configured\n"),
        Status::Delivered => format!(
            "  {label:<6} delivered in {:.1} s{}{to}\n",
            c.seconds.unwrap_or_default(),
            attempts_text(c.attempts)
        ),
        Status::StaticOk => format!("  {label:<6} static check passed{to}\n"),
        Status::NotDelivered => format!(
            "  {label:<6} not delivered{}{to}\n",
            match c.waited_seconds {
                Some(waited) => format!(" after {waited:.1} s{}", attempts_text(c.attempts)),
                None => String::new(),
            }
        ),
    };
    if let Some(found) = &c.found {
        let shown = match found.get("key").and_then(Value::as_str) {
            Some(key) => format!("object: {key}"),
            None => format!(
                "log line: {}",
                serde_json::to_string(found).unwrap_or_default()
            ),
        };
        out.push_str(&format!("{INDENT}{shown}\n"));
    }
    for p in &c.problems {
        out.push_str(&format!("{INDENT}- {p}\n"));
    }
    if let Some(detail) = &c.detail {
        out.push_str(&format!("{INDENT}{detail}\n"));
    }
    if let Some(n) = c.failure_metric {
        let metric = if label == "text" {
            TEXT_FAILURE_METRIC
        } else {
            AUDIO_FAILURE_METRIC
        };
        out.push_str(&format!(
            "{INDENT}CloudWatch AWS/Lex {metric}: {n} since the request\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(status: Status) -> ChannelReport {
        ChannelReport {
            status,
            ..ChannelReport::not_configured()
        }
    }

    #[test]
    fn an_alias_is_as_good_as_its_worst_configured_channel() {
        use Status::*;
        let overall = |t, a| AliasReport::overall(&channel(t), &channel(a));
        assert_eq!(overall(NotConfigured, NotConfigured), NotConfigured);
        assert_eq!(overall(Delivered, NotConfigured), Delivered);
        assert_eq!(overall(NotConfigured, Delivered), Delivered);
        assert_eq!(overall(Delivered, NotDelivered), NotDelivered);
        assert_eq!(overall(StaticOk, StaticOk), StaticOk);
    }

    #[test]
    fn exit_codes_and_text() {
        let alias = |status| AliasReport {
            bot: "B".into(),
            bot_id: "BID".into(),
            alias: "live".into(),
            alias_id: "AID".into(),
            version: "1".into(),
            role: Some("arn:aws:iam::1:role/R".into()),
            locale: "en_US".into(),
            session_id: None,
            probe: Some(Probe::with(false, false)),
            status,
            text: ChannelReport {
                problems: vec!["role R lacks logs:PutLogEvents on X".into()],
                failure_metric: Some(1.0),
                attempts: Some(3),
                waited_seconds: Some(12.0),
                ..channel(status)
            },
            audio: ChannelReport::not_configured(),
            replica_region: None,
            warnings: vec![],
        };
        let bad = Report::new(false, 120, vec![alias(Status::NotDelivered)]);
        assert_eq!(bad.exit_code(), crate::error::exit_code::NOT_DELIVERED);
        let text = bad.text();
        assert!(
            text.contains("  text   not delivered after 12.0 s, 3 attempts"),
            "{text}"
        );
        assert!(text.contains("  probe: each attempt is one turn in a new session"));
        assert!(
            text.contains("- role R lacks logs:PutLogEvents on X"),
            "{text}"
        );
        assert!(
            text.contains("ConversationLogsTextDeliveryFailure: 1 since the request"),
            "{text}"
        );
        assert!(text.contains("0 of 1 aliases delivered"), "{text}");
        assert_eq!(
            Report::new(false, 120, vec![alias(Status::Delivered)]).exit_code(),
            0
        );
        assert_eq!(
            Report::new(true, 120, vec![]).exit_code(),
            crate::error::exit_code::NOT_DELIVERED
        );
        assert_eq!(bad.json()["aliases"][0]["text"]["failureMetric"], 1.0);
        assert_eq!(bad.json()["aliases"][0]["text"]["attempts"], 3);
        assert_eq!(bad.json()["aliases"][0]["text"]["waitedSeconds"], 12.0);
        assert!(bad.json()["aliases"][0]["probe"]["effects"].is_string());
    }
}
