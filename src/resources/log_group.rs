//! The CloudWatch Logs group for text logs: observing it, creating it (tagged as ours), setting
//! its retention, and deleting it (only to undo our own creation; destroy keeps it).

use crate::error::{Context, Error, Result};
use crate::resources::tags::{self, Tags};

#[derive(Debug, Clone, PartialEq)]
pub struct LogGroupState {
    pub name: String,
    pub retention_days: Option<i32>,
    pub tags: Tags,
}

pub fn address(name: &str) -> String {
    format!("log_group[{name}]")
}

/// Reads the group, or `None` when there is none. Without `arn`, lists first and then reads the
/// tags; with the group's ARN (built from account and region), does both at once.
pub async fn observe(
    logs: &aws_sdk_cloudwatchlogs::Client,
    name: &str,
    arn: Option<&str>,
) -> Result<Option<LogGroupState>> {
    let find = async {
        let mut pages = logs
            .describe_log_groups()
            .log_group_name_prefix(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.context("logs:DescribeLogGroups", address(name))?;
            if let Some(group) = page
                .log_groups()
                .iter()
                .find(|g| g.log_group_name() == Some(name))
            {
                return Ok(Some((
                    group.retention_in_days(),
                    group
                        .arn()
                        .unwrap_or_default()
                        .trim_end_matches(":*")
                        .to_string(),
                )));
            }
        }
        Ok::<_, Error>(None)
    };
    let tags_of = |arn: String| async move {
        match logs
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .context("logs:ListTagsForResource", address(name))
        {
            Ok(found) => Ok(found
                .tags()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect::<Tags>()),
            Err(e) if e.is_not_found() => Ok(Tags::new()),
            Err(e) => Err(e),
        }
    };
    let (found, tags) = match arn {
        Some(arn) => {
            let (found, tags) = tokio::join!(find, tags_of(arn.to_string()));
            (found?, tags?)
        }
        None => match find.await? {
            Some((retention, arn)) => (Some((retention, arn.clone())), tags_of(arn).await?),
            None => (None, Tags::new()),
        },
    };
    Ok(found.map(|(retention_days, _)| LogGroupState {
        name: name.into(),
        retention_days,
        tags,
    }))
}

pub async fn create(logs: &aws_sdk_cloudwatchlogs::Client, name: &str, run_id: &str) -> Result<()> {
    logs.create_log_group()
        .log_group_name(name)
        .tags(tags::MANAGED_BY, tags::MANAGED_BY_VALUE)
        .tags(tags::RUN, run_id)
        .send()
        .await
        .context("logs:CreateLogGroup", address(name))?;
    Ok(())
}

pub async fn set_retention(
    logs: &aws_sdk_cloudwatchlogs::Client,
    name: &str,
    days: Option<i32>,
) -> Result<()> {
    match days {
        Some(days) => logs
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days)
            .send()
            .await
            .context("logs:PutRetentionPolicy", address(name))
            .map(|_| ()),
        None => logs
            .delete_retention_policy()
            .log_group_name(name)
            .send()
            .await
            .context("logs:DeleteRetentionPolicy", address(name))
            .map(|_| ()),
    }
}

pub async fn delete(logs: &aws_sdk_cloudwatchlogs::Client, name: &str) -> Result<()> {
    match logs
        .delete_log_group()
        .log_group_name(name)
        .send()
        .await
        .context("logs:DeleteLogGroup", address(name))
    {
        Err(e) if e.is_not_found() => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Fails with a clear message unless the name is one CloudWatch accepts (checked offline first).
pub fn require_valid(name: &str) -> Result<()> {
    if crate::spec::valid_log_group_name(name) {
        Ok(())
    } else {
        Err(Error::invalid(
            format!("log group name {name:?} is not valid"),
            "pass --log-group with 1-512 characters of A-Z a-z 0-9 . _ - / #",
        ))
    }
}
