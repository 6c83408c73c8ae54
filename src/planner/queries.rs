//! Saved Logs Insights queries for the text log group (`--insights-queries`): four query
//! definitions scoped to the group, named `lex-logs-setup/<group>/<query>`, over the fields of
//! Lex V2's conversation-log entries (Lex V2 guide, "Viewing text conversation logs in CloudWatch
//! Logs", https://docs.aws.amazon.com/lexv2/latest/dg/conversation-logs-cw.html: `bot.aliasName`,
//! `bot.aliasId`, `bot.localeId`, `sessionId`, `inputTranscript`, `missedUtterance`,
//! `sessionState.intent.name`).
//!
//! Query definitions have no tags: one is ours when its name and its content (the exact query
//! string, the group as its only log group) are what this tool saves. Apply refuses a
//! definition of our name with other content; destroy leaves it alone.

use crate::error::{Error, Result};
use crate::observe::Observed;
use crate::plan::values::{QueryValue, Resource};
use crate::plan::{Action, Address, Change};
use crate::resources::query::{group_prefix, QueryStep};
use crate::spec::Spec;
use crate::step::Step;

/// The queries, by name. A missed utterance is one Lex matched to no intent but the fallback
/// (`missedUtterance`, a JSON boolean, which Logs Insights compares as 1); a gap is a 15-minute
/// bin with no line for an alias that had lines around it.
const QUERIES: [(&str, &str); 4] = [
    (
        "missed-utterances",
        "fields @timestamp, bot.aliasName, bot.localeId, sessionId, inputTranscript | filter missedUtterance = 1 | sort @timestamp desc | limit 100",
    ),
    (
        "sessions-per-alias",
        "stats count_distinct(sessionId) as sessions, count(*) as turns by bot.aliasName, bot.aliasId | sort sessions desc",
    ),
    (
        "intents-by-hour",
        "filter ispresent(sessionState.intent.name) | stats count(*) as turns by sessionState.intent.name, bin(1h)",
    ),
    (
        "recent-delivery-gaps",
        "stats count(*) as lines, max(@timestamp) as lastLine by bot.aliasName, bin(15m) | sort lastLine desc | limit 200",
    ),
];

/// Our saved queries of `group`.
pub(crate) fn wanted_queries(group: &str) -> Vec<QueryValue> {
    QUERIES
        .iter()
        .map(|(name, query)| QueryValue {
            name: format!("{}{name}", group_prefix(group)),
            query_string: query.to_string(),
            log_group_names: vec![group.to_string()],
        })
        .collect()
}

/// Apply with `--insights-queries`: each query saved, or as it is; refused when a definition of
/// our name holds another query (it is not ours, and is never replaced).
pub(super) fn query_apply_changes(spec: &Spec, obs: &Observed) -> Result<Vec<Change>> {
    let Some((group, _)) = obs.log_group.as_ref().filter(|_| spec.insights_queries) else {
        return Ok(Vec::new());
    };
    let found = obs.queries.clone().unwrap_or_default();
    let mut changes = Vec::new();
    for want in wanted_queries(group) {
        let address = Address::Query(want.name.clone());
        let same_name: Vec<_> = found.iter().filter(|q| q.value.name == want.name).collect();
        if same_name.iter().any(|q| q.value == want) {
            changes.push(Change::no_op(&obs.provider, address, Resource::Query(want)));
        } else if let Some(theirs) = same_name.first() {
            return Err(Error::invalid(
                format!(
                    "saved query {} (id {}) has our name but not our query or log group: it is not ours, and lex-logs-setup never replaces it",
                    want.name, theirs.id
                ),
                "rename or delete that query definition if nobody needs it, or leave --insights-queries out",
            ));
        } else {
            changes.push(Change::new(
                &obs.provider,
                address,
                Action::Create,
                None,
                Some(Resource::Query(want.clone())),
                Step::Query(QueryStep::Create { value: want }),
            ));
        }
    }
    Ok(changes)
}

/// Destroy: each saved query of ours deleted; a definition with our prefix and other content is
/// left alone (and said so).
pub(super) fn query_destroy_changes(obs: &Observed) -> (Vec<Change>, Vec<String>) {
    let (Some(found), Some((group, _))) = (&obs.queries, &obs.log_group) else {
        return (Vec::new(), Vec::new());
    };
    let ours = wanted_queries(group);
    let mut changes: Vec<Change> = Vec::new();
    let mut notes = Vec::new();
    for query in found {
        let address = Address::Query(query.value.name.clone());
        if !ours.contains(&query.value) {
            notes.push(format!(
                "saved query {} (id {}) is not ours (its query or log group is not what lex-logs-setup saves): left alone",
                query.value.name, query.id
            ));
        } else if changes.iter().all(|c| c.address != address) {
            changes.push(Change::new(
                &obs.provider,
                address,
                Action::Delete,
                Some(Resource::Query(query.value.clone())),
                None,
                Step::Query(QueryStep::Delete {
                    id: query.id.clone(),
                    value: query.value.clone(),
                }),
            ));
        }
    }
    (changes, notes)
}
