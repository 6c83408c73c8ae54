//! The kinds of posture finding: each with its stable id (`LEXLOG0NN`, never reused or
//! renumbered), a short name, a severity, what it checks and what to do. The README's findings
//! table and the SARIF rules are this list.

use serde::Serialize;

/// How much a finding matters; `--fail-on` takes the three lowest-but-info levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run.
    #[value(skip)]
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// What a finding says is wrong (or worth knowing) about an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    TextLogsOff,
    AudioKeyNotCustomerManaged,
    LogGroupKeyNotCustomerManaged,
    RetentionUnset,
    RetentionOutOfBounds,
    RoleCannotWrite,
    SelectiveCapture,
    ChildDirectedLogs,
    SlotsUnmasked,
    ReplicaNotCovered,
}

/// A kind of finding as the README and SARIF describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub check: Check,
    /// The stable id (`LEXLOG001`...).
    pub id: &'static str,
    /// A short kebab-case name, also accepted where an id is.
    pub name: &'static str,
    pub severity: Severity,
    /// What it checks, one sentence.
    pub checks: &'static str,
    /// What to do about it.
    pub remedy: &'static str,
}

/// Every kind of finding, in id order.
pub const RULES: [Rule; 10] = [
    Rule {
        check: Check::TextLogsOff,
        id: "LEXLOG001",
        name: "text-logs-off",
        severity: Severity::Medium,
        checks: "The alias has no text conversation logs (TestBotAlias only when the rules' \
                 test_alias_must_log is true; never for a child-directed bot).",
        remedy: "Turn text logs on: lex-logs-setup apply --bot BOT --alias ALIAS.",
    },
    Rule {
        check: Check::AudioKeyNotCustomerManaged,
        id: "LEXLOG002",
        name: "audio-key-not-customer-managed",
        severity: Severity::Medium,
        checks: "Audio logs are on but the alias names no KMS key, or an AWS managed one \
                 (rules: required_cmk_audio).",
        remedy: "Give audio logs a customer managed symmetric key: apply --audio-bucket BUCKET \
                 --kms-key KEY.",
    },
    Rule {
        check: Check::LogGroupKeyNotCustomerManaged,
        id: "LEXLOG003",
        name: "log-group-key-not-customer-managed",
        severity: Severity::Low,
        checks: "The text log group is not encrypted with a customer managed KMS key (it uses \
                 CloudWatch Logs' own encryption; rules: required_cmk_text).",
        remedy: "Associate a customer managed key with the log group (logs:AssociateKmsKey; \
                 the key policy must let CloudWatch Logs use it).",
    },
    Rule {
        check: Check::RetentionUnset,
        id: "LEXLOG004",
        name: "retention-unset",
        severity: Severity::Low,
        checks: "The text log group keeps its events for ever (no retention set).",
        remedy: "Set a retention: apply --retention-days DAYS (or logs:PutRetentionPolicy).",
    },
    Rule {
        check: Check::RetentionOutOfBounds,
        id: "LEXLOG005",
        name: "retention-out-of-bounds",
        severity: Severity::Medium,
        checks: "The text log group's retention is below min_retention_days or above \
                 max_retention_days of the rules.",
        remedy: "Set a retention within the bounds: apply --retention-days DAYS.",
    },
    Rule {
        check: Check::RoleCannotWrite,
        id: "LEXLOG006",
        name: "role-cannot-write",
        severity: Severity::High,
        checks: "The role the alias's version runs on cannot write a configured destination \
                 (verify's static check): its logs are lost.",
        remedy: "Run lex-logs-setup apply for the alias, or fix what the problems name; then \
                 lex-logs-setup verify.",
    },
    Rule {
        check: Check::SelectiveCapture,
        id: "LEXLOG007",
        name: "selective-capture",
        severity: Severity::Info,
        checks: "Selective capture is on: only the turns whose session attributes ask for it \
                 are logged.",
        remedy: "None needed if intended; otherwise apply without --selective-logging.",
    },
    Rule {
        check: Check::ChildDirectedLogs,
        id: "LEXLOG008",
        name: "child-directed-logs",
        severity: Severity::High,
        checks: "The bot is child-directed (COPPA, dataPrivacy.childDirected) and the alias has \
                 conversation logs on, which such bots may not have.",
        remedy: "Turn the alias's conversation logs off (lex-logs-setup destroy), or correct the \
                 bot's childDirected setting.",
    },
    Rule {
        check: Check::SlotsUnmasked,
        id: "LEXLOG009",
        name: "slots-unmasked",
        severity: Severity::Medium,
        checks: "Text logs are on and slots of the version the alias runs log their values \
                 unmasked (obfuscationSetting None): personal data lands in the logs. Checked \
                 with --check-slots (or check_slots in the rules).",
        remedy: "Set obfuscationSetting DefaultObfuscation on those slots (UpdateSlot), build, \
                 publish a version and move the alias to it.",
    },
    Rule {
        check: Check::ReplicaNotCovered,
        id: "LEXLOG010",
        name: "replica-not-covered",
        severity: Severity::High,
        checks: "The bot is replicated to another region (Global Resiliency) and the alias's text \
                 logs would be lost there: the replica region has no log group of the name the \
                 alias logs to, or (on logs lex-logs-setup set up) no grant of ours names it.",
        remedy: "Run lex-logs-setup apply for the alias: it sets up the group and the grant in \
                 every replica region.",
    },
];

impl Check {
    pub fn rule(self) -> &'static Rule {
        RULES
            .iter()
            .find(|r| r.check == self)
            .expect("every check has a rule")
    }
}

/// The rule whose id or name is `text` (ids case-insensitively).
pub fn rule_named(text: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(text) || r.name == text)
}
