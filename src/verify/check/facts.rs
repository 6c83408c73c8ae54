//! What the static check judges: the role as IAM has it, the audio key as KMS has it, and
//! everything about one alias (destinations, role, whether they exist) gathered in one value.

use serde_json::Value;

use super::destinations::{AudioDest, Destinations, TextDest};
use crate::arn::Scope;
use crate::iam_eval::NamedPolicy;

/// What IAM says about the role an alias's version runs on.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleFacts {
    pub arn: String,
    pub trust: NamedPolicy,
    /// Attached managed (AWS and customer) and inline policies.
    pub identity: Vec<NamedPolicy>,
    pub boundary: Option<NamedPolicy>,
}

/// What KMS says about the audio key.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyFacts {
    Missing { key: String },
    NotEnabled { arn: String, state: String },
    Usable { arn: String, policy: Option<Value> },
}

/// Everything the static check judges for one alias.
#[derive(Debug, Clone)]
pub struct AliasFacts<'a> {
    pub scope: &'a Scope,
    pub bot_id: &'a str,
    pub alias_id: &'a str,
    pub version: &'a str,
    pub locale: &'a str,
    pub session: &'a str,
    /// Today's UTC date as `YYYY/MM/DD` (the stream name's tail).
    pub today: &'a str,
    /// The role the alias's version runs on, as the version names it.
    pub runs_on: Option<&'a str>,
    /// That role as IAM has it (`None`: it does not exist).
    pub role: Option<&'a RoleFacts>,
    pub destinations: &'a Destinations,
    pub log_group_exists: bool,
    pub bucket_exists: bool,
    /// The bucket's policy (`None`: it has none, or it could not be read).
    pub bucket_policy: Option<&'a Value>,
    pub key: Option<&'a KeyFacts>,
}

impl AliasFacts<'_> {
    pub fn alias_arn(&self) -> String {
        self.scope.bot_alias(self.bot_id, self.alias_id)
    }

    /// The stream Lex writes this alias's text log to today (the twin's naming, see
    /// localstack/FIDELITY-runtime.md), as the resource of CreateLogStream and PutLogEvents.
    pub fn stream_arn(&self, text: &TextDest) -> String {
        let group_arn = text.group_arn.strip_suffix(":*").unwrap_or(&text.group_arn);
        format!(
            "{group_arn}:log-stream:{}{}/{}/{}/{}",
            text.prefix, self.bot_id, self.alias_id, self.locale, self.today
        )
    }

    /// The object Lex writes this turn's audio to (the twin's naming).
    pub fn object_arn(&self, audio: &AudioDest) -> String {
        format!(
            "{}/{}{}/{}/{}/{}/<request-id>.wav",
            audio.bucket_arn, audio.prefix, self.bot_id, self.alias_id, self.locale, self.session
        )
    }
}

/// Today's UTC date as `YYYY/MM/DD`.
pub fn utc_date(now: std::time::SystemTime) -> String {
    let days = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}/{month:02}/{day:02}")
}
