//! Our saved Logs Insights queries of a log group (`--insights-queries`): query definitions read
//! by our name prefix (DescribeQueryDefinitions), created (PutQueryDefinition) and deleted
//! (DeleteQueryDefinition).
//!
//! Query definitions carry no tags, so what is ours is proven by both the name (our prefix, the
//! group, the query's name) and the content: the exact query string and the group as its only
//! log group. A definition of our name with other content is someone else's.

use serde::{Deserialize, Serialize};

use crate::error::{Context, Error, Result};
use crate::resources::operation::{self, Operation};

/// The start of every query definition name of ours.
pub const NAME_PREFIX: &str = "lex-logs-setup/";

/// What the tool does to its saved queries, as IAM actions (DescribeQueryDefinitions is a read).
/// Query definitions have no resource-level permissions: IAM takes `*` only (Service
/// Authorization Reference, Amazon CloudWatch Logs).
pub const IAM_ACTIONS: &[&str] = &["logs:PutQueryDefinition", "logs:DeleteQueryDefinition"];

/// The name prefix of our queries of `group` (its leading `/` left out).
pub(crate) fn group_prefix(group: &str) -> String {
    format!("{NAME_PREFIX}{}/", group.trim_start_matches('/'))
}

/// A saved query, in PutQueryDefinition's field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryValue {
    pub name: String,
    pub query_string: String,
    pub log_group_names: Vec<String>,
}

/// A query definition as read: its id and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryState {
    pub id: String,
    pub value: QueryValue,
}

fn address(name: &str) -> String {
    format!("query {name}")
}

/// Every query definition whose name starts with `prefix`.
pub(crate) async fn observe(
    logs: &aws_sdk_cloudwatchlogs::Client,
    prefix: &str,
) -> Result<Vec<QueryState>> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = logs
            .describe_query_definitions()
            .query_definition_name_prefix(prefix)
            .set_next_token(token.take())
            .send()
            .await
            .context("logs:DescribeQueryDefinitions", address(prefix))?;
        found.extend(page.query_definitions().iter().map(|d| QueryState {
            id: d.query_definition_id().unwrap_or_default().into(),
            value: QueryValue {
                name: d.name().unwrap_or_default().into(),
                query_string: d.query_string().unwrap_or_default().into(),
                log_group_names: d.log_group_names().to_vec(),
            },
        }));
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => return Ok(found),
        }
    }
}

/// The changes the engine makes to our saved queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum QueryStep {
    /// Saves the query (a new definition; its id is known once made).
    Create { value: QueryValue },
    /// Deletes our definition `id`; gone already is done.
    Delete { id: String, value: QueryValue },
}

impl Operation for QueryStep {
    fn describe(&self) -> String {
        match self {
            QueryStep::Create { value } => format!("save Logs Insights query {}", value.name),
            QueryStep::Delete { value, .. } => {
                format!("delete saved Logs Insights query {}", value.name)
            }
        }
    }

    fn how_by_hand(&self) -> Option<String> {
        match self {
            QueryStep::Delete { id, .. } => Some(format!(
                "aws logs delete-query-definition --query-definition-id {id}"
            )),
            QueryStep::Create { .. } => None,
        }
    }

    fn how_to_undo_by_hand(&self) -> Option<String> {
        match self {
            QueryStep::Create { value } => Some(format!(
                "aws logs describe-query-definitions --query-definition-name-prefix '{}', then aws logs delete-query-definition --query-definition-id ID of the one with our query",
                value.name
            )),
            QueryStep::Delete { .. } => None,
        }
    }

    /// A create's undo needs the id it makes (`run` returns it).
    fn inverse(&self) -> Option<Self> {
        match self {
            QueryStep::Create { .. } => None,
            QueryStep::Delete { value, .. } => Some(QueryStep::Create {
                value: value.clone(),
            }),
        }
    }

    async fn run(&self, ctx: &operation::Context) -> Result<Option<Self>> {
        let logs = &ctx.clients.logs;
        match self {
            QueryStep::Create { value } => {
                // Already saved (a retry, another run at the same time): nothing to undo.
                let found = observe(logs, &value.name).await?;
                if found.iter().any(|q| q.value == *value) {
                    return Ok(None);
                }
                let made = logs
                    .put_query_definition()
                    .name(&value.name)
                    .query_string(&value.query_string)
                    .set_log_group_names(Some(value.log_group_names.clone()))
                    .send()
                    .await
                    .context("logs:PutQueryDefinition", address(&value.name))?;
                let id = made.query_definition_id().ok_or_else(|| {
                    Error::Internal(format!("PutQueryDefinition of {} gave no id", value.name))
                })?;
                Ok(Some(QueryStep::Delete {
                    id: id.to_string(),
                    value: value.clone(),
                }))
            }
            QueryStep::Delete { id, value } => {
                let deleted = logs
                    .delete_query_definition()
                    .query_definition_id(id)
                    .send()
                    .await
                    .context("logs:DeleteQueryDefinition", address(&value.name));
                match deleted {
                    Ok(_) => Ok(self.inverse()),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            }
        }
    }
}
