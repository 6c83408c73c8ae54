//! Our own log group's retention changed by someone between observation and our write: the
//! change is refused as stale and their retention stays.

use super::{args, spawn_tool};
use crate::proxy::{Fault, FaultProxy};
use crate::proxy_hold::Then;
use crate::support::{expect_exit, stdout, tool_command, World};

/// The retention of `group` now.
async fn retention(world: &World, group: &str) -> Option<i32> {
    let found = world
        .clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .unwrap();
    found
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(group))
        .expect("the group exists")
        .retention_in_days()
}

#[tokio::test]
async fn a_retention_set_meanwhile_on_our_group_is_not_overwritten() {
    let world = World::new().await;
    expect_exit(
        &spawn_tool(
            &FaultProxy::start(Fault::None).await,
            args(&world, "apply", &["--retention-days", "7"]),
        )
        .await
        .unwrap(),
        0,
    );
    let group = world.log_group();
    assert_eq!(retention(&world, &group).await, Some(7));

    // The observation reads as plan's does; the next DescribeLogGroups is the step's re-read.
    let planned = FaultProxy::start(Fault::None).await;
    let mut plan = vec!["plan".to_string()];
    plan.extend(world.target_args());
    plan.extend(["--retention-days".to_string(), "14".to_string()]);
    let plan: Vec<&str> = plan.iter().map(String::as_str).collect();
    expect_exit(
        &tool_command(&planned.endpoint, &plan)
            .output()
            .await
            .unwrap(),
        0,
    );
    let reads = planned
        .calls()
        .iter()
        .filter(|c| c.operation == "DescribeLogGroups")
        .count();
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("logs:DescribeLogGroups", reads + 1);
    let run = spawn_tool(&proxy, args(&world, "apply", &["--retention-days", "14"]));
    tokio::time::timeout(std::time::Duration::from_secs(120), held.arrived())
        .await
        .expect("the retention step re-reads the group before it writes");
    world
        .clients
        .logs
        .put_retention_policy()
        .log_group_name(&group)
        .retention_in_days(30)
        .send()
        .await
        .unwrap();
    held.then(Then::Forward);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("its retention is now 30 days (the plan read 7 days)")
            && text.contains(&group),
        "{text}"
    );
    assert_eq!(retention(&world, &group).await, Some(30));
    assert!(!proxy
        .calls()
        .iter()
        .any(|c| c.operation == "PutRetentionPolicy"));
}
