//! `status` reads each fact about a bot once: the role that writes an alias's logs, the audio
//! key and its policy, the log group and the bucket are observed once and judged by both the
//! planner's rules and verify's static check (counted through the proxy), in both modes.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::proxy::{Call, Fault, FaultProxy};
use crate::support::{expect_exit, run_tool, run_tool_at, stdout, World};

/// How many times each read of one fact was made: `service:Operation` with the resource named
/// in its request (the role, key, group or bucket), for the reads of a single fact.
fn reads_of_one_fact(calls: &[Call]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for call in calls.iter().filter(|c| !c.mutating) {
        let named = match (call.service.as_str(), call.operation.as_str()) {
            ("iam", "GetRole") => form_field(&call.body, "RoleName"),
            // One key per bot, named by id, ARN or alias: counted by operation.
            ("kms", "DescribeKey" | "GetKeyPolicy") => Some("(the key)".into()),
            ("logs", "DescribeLogGroups") => json_field(&call.body, "logGroupNamePrefix"),
            ("s3", "HeadBucket" | "GetBucketEncryption" | "GetBucketLocation") => {
                Some(call.path.trim_matches('/').to_string())
            }
            _ => None,
        };
        if let Some(named) = named {
            let key = format!("{}:{} {named}", call.service, call.operation);
            *counts.entry(key).or_insert(0) += 1;
        }
    }
    counts
}

/// A field of a form-encoded (IAM) request body, with the `/` and `:` of ARNs and paths decoded.
fn form_field(body: &str, field: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == field).then(|| v.replace("%2F", "/").replace("%3A", ":"))
    })
}

/// A string field of a JSON request body.
fn json_field(body: &str, field: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    value[field].as_str().map(str::to_string)
}

/// Runs `status` for the world's bot through a proxy; returns the row and the calls it made.
async fn status_through_proxy(world: &World, setup: &[String]) -> (Value, Vec<Call>) {
    let proxy = FaultProxy::start(Fault::None).await;
    let mut args: Vec<&str> = vec!["status", "--output", "json"];
    args.extend(setup.iter().map(String::as_str));
    let out = run_tool_at(&proxy.endpoint, &args).await;
    expect_exit(&out, 0);
    let status: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let row = status["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["alias"] == world.alias_name.as_str())
        .unwrap_or_else(|| panic!("no row for {}: {status}", world.alias_name))
        .clone();
    (row, proxy.calls())
}

fn assert_each_fact_read_once(calls: &[Call], what: &str) {
    let counts = reads_of_one_fact(calls);
    let mut all: BTreeMap<String, usize> = BTreeMap::new();
    for c in calls {
        *all.entry(format!("{}:{}", c.service, c.operation))
            .or_insert(0) += 1;
    }
    eprintln!("ALL {what}: {all:?}");
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    eprintln!(
        "{what}: {} calls in all, reads of one fact: {counts:?}",
        calls.len()
    );
    assert!(
        repeated.is_empty(),
        "{what}: status read these facts more than once: {repeated:?}"
    );
    for needed in ["iam:GetRole", "kms:DescribeKey", "kms:GetKeyPolicy"] {
        assert!(
            counts.keys().any(|k| k.starts_with(needed)),
            "{what}: {needed} was never made: {counts:?}"
        );
    }
    assert!(
        counts
            .keys()
            .any(|k| k.starts_with("logs:DescribeLogGroups")),
        "{what}: the log group was never read: {counts:?}"
    );
}

#[tokio::test]
async fn status_reads_each_fact_of_a_bot_once_in_place() {
    let world = World::new().await;
    let mut setup = world.target_args();
    setup.extend([
        "--audio-bucket".into(),
        world.bucket.clone(),
        "--kms-key".into(),
        world.key_arn.clone(),
    ]);
    let mut apply: Vec<&str> = vec!["apply", "--yes"];
    apply.extend(setup.iter().map(String::as_str));
    expect_exit(&run_tool(&apply).await, 0);

    let (row, calls) = status_through_proxy(&world, &setup).await;
    assert_eq!(row["role"], world.bot_role_arn.as_str(), "{row}");
    assert_eq!(row["text"]["canWrite"], true, "{row}");
    assert_eq!(row["audio"]["canWrite"], true, "{row}");
    assert_eq!(row["drift"], serde_json::json!([]), "{row}");
    assert_each_fact_read_once(&calls, "in place");
}

#[tokio::test]
async fn status_reads_each_fact_of_a_bot_once_with_a_dedicated_role() {
    let world = World::new().await;
    let mut setup = world.dedicated_args();
    setup.extend([
        "--audio-bucket".into(),
        world.bucket.clone(),
        "--kms-key".into(),
        world.key_id.clone(),
        "--log-group".into(),
        format!("/teams/{}", world.bot_name),
    ]);
    let mut apply: Vec<&str> = vec!["apply", "--yes"];
    apply.extend(setup.iter().map(String::as_str));
    expect_exit(&run_tool(&apply).await, 0);

    let (row, calls) = status_through_proxy(&world, &setup).await;
    assert!(
        row["role"]
            .as_str()
            .is_some_and(|r| r.ends_with(&format!("role/{}", world.role_name()))),
        "the published version runs on our role: {row}"
    );
    assert_ne!(row["version"], "DRAFT", "{row}");
    assert_eq!(row["text"]["canWrite"], true, "{row}");
    assert_eq!(row["audio"]["canWrite"], true, "{row}");
    assert_each_fact_read_once(&calls, "dedicated");
}
