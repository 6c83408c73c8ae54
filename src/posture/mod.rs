//! Posture findings of `status`: what is wrong (or worth knowing) about each alias's
//! conversation logs, judged from the observation `status` already made of its bot (no fact is
//! read twice), under an organisation's rules.
//!
//! The parts: `catalog` (every kind of finding: stable id, severity, what it checks, what to
//! do), `rules` (the `--rules` TOML file and its defaults), `findings` (the pure judgement:
//! [`AliasFacts`] and [`Rules`] in, [`Finding`]s out) and `sarif` (the findings as a SARIF 2.1.0
//! log). `status` makes an observed alias into [`AliasFacts`] (`status::facts`).

mod catalog;
mod findings;
mod rules;
pub(crate) mod sarif;

pub use catalog::{rule_named, Check, Rule, Severity, RULES};
pub use findings::{judge, AliasFacts, AudioFacts, Finding, GroupFacts, TextFacts};
pub use rules::{Ignore, Rules};

#[cfg(test)]
mod tests;
