//! Another team's log group keeps its settings: apply with `--retention-days` refuses to change its
//! retention unless taken over (`--take-over-destinations`), apply without it leaves the retention
//! alone, and destroy puts back exactly what a take-over recorded (never expire included), in
//! both modes, even without the `--log-group` apply was given.

use crate::support::{expect_exit, stderr, stdout, unique, World};

use super::{cmd, logged, say, tool, with};

const PREVIOUS: &str = "lex-logs-setup:previous-retention-days";

/// Team X's group, with a tag of its own and `retention` (None: never expire).
async fn their_group(world: &World, retention: Option<i32>) -> String {
    let name = format!("/team-x/{}", unique("g"));
    let logs = &world.clients.logs;
    logs.create_log_group()
        .log_group_name(&name)
        .tags("team", "x")
        .send()
        .await
        .unwrap();
    if let Some(days) = retention {
        logs.put_retention_policy()
            .log_group_name(&name)
            .retention_in_days(days)
            .send()
            .await
            .unwrap();
    }
    name
}

/// The group's retention and tags, read back through CloudWatch Logs.
async fn read_group(world: &World, name: &str) -> (Option<i32>, Vec<(String, String)>) {
    let logs = &world.clients.logs;
    let found = logs
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .unwrap();
    let group = found
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(name))
        .expect("the group exists");
    let arn = group.arn().unwrap().trim_end_matches(":*").to_string();
    let tags = logs
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    let mut tags: Vec<(String, String)> = tags
        .tags()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .collect();
    tags.sort();
    (group.retention_in_days(), tags)
}

/// The whole story on one mode: refused, left alone, taken over, given back exactly.
async fn keeps_its_retention_unless_taken_over(dedicated: bool, retention: Option<i32>) {
    let world = World::new().await;
    let group = their_group(&world, retention).await;
    let before = read_group(&world, &group).await;
    let target = match dedicated {
        true => world.dedicated_args(),
        false => world.target_args(),
    };
    let args = with(target, &["--log-group", &group]);
    let snapshot = world.snapshot().await;

    // --retention-days on their group: refused by plan and apply, before any change.
    for command in [&["plan"][..], &["apply", "--yes"]] {
        let out = tool(cmd(
            command[0],
            &args,
            &[&command[1..], &["--retention-days", "3"]].concat(),
        ))
        .await;
        expect_exit(&out, 64);
        let shown = format!("{}{}", stdout(&out), stderr(&out));
        let now = retention.map_or("never expire".to_string(), |d| format!("{d} days"));
        for part in [group.as_str(), now.as_str(), "--take-over-destinations"] {
            assert!(shown.contains(part), "{command:?}: {part:?} not in {shown}");
        }
    }
    assert_eq!(world.snapshot().await, snapshot);
    assert_eq!(read_group(&world, &group).await, before);

    // No retention asked: the logs go to their group, whose retention is not touched.
    expect_exit(&tool(cmd("apply", &args, &["--yes"])).await, 0);
    assert_eq!(read_group(&world, &group).await, before);
    let (session, _) = say(&world, &world.alias_id, "into their group").await;
    assert_eq!(logged(&world, &group, &session).await.len(), 1);

    // Taken over: the plan shows the value before; apply records it on the group.
    let take = with(
        args.clone(),
        &["--retention-days", "3", "--take-over-destinations"],
    );
    let out = tool(cmd("plan", &take, &[])).await;
    expect_exit(&out, 0);
    let shown = stderr(&out) + &stdout(&out);
    assert!(shown.contains("another team's"), "{shown}");
    assert!(
        shown.contains("goes down") || retention.is_some_and(|d| d < 3),
        "{shown}"
    );
    expect_exit(&tool(cmd("apply", &take, &["--yes"])).await, 0);
    let (days, tags) = read_group(&world, &group).await;
    assert_eq!(days, Some(3));
    let recorded = retention.map_or("never-expire".to_string(), |d| d.to_string());
    assert!(tags.contains(&(PREVIOUS.to_string(), recorded)), "{tags:?}");
    // Applying again changes nothing (the record stays the first one).
    let out = tool(cmd("plan", &take, &["--detailed-exitcode"])).await;
    expect_exit(&out, 0);

    // Destroy, without --log-group or any flag of apply's: exactly as it was, record gone.
    let mut destroy = world.target_args();
    if dedicated {
        destroy.extend(["--role-name".to_string(), world.role_name()]);
    }
    let out = tool(cmd("destroy", &destroy, &["--yes"])).await;
    expect_exit(&out, 0);
    assert_eq!(read_group(&world, &group).await, before, "{}", stderr(&out));
}

#[tokio::test]
async fn in_place_another_teams_group_keeps_its_retention_unless_taken_over() {
    keeps_its_retention_unless_taken_over(false, Some(30)).await;
}

#[tokio::test]
async fn dedicated_another_teams_never_expiring_group_is_given_back_never_expiring() {
    keeps_its_retention_unless_taken_over(true, None).await;
}
