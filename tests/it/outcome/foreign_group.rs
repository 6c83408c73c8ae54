//! Another team's log group keeps its settings: apply with `--retention-days` refuses to change its
//! retention unless taken over (`--take-over-destinations`), apply without it leaves the retention
//! alone, and destroy puts back exactly what a take-over recorded (never expire included), in
//! both modes, even without the `--log-group` apply was given. A retention the team changes after
//! a take-over is theirs again (a new take-over), and one they change while a run writes it, or
//! before its rollback, is left as they set it.

use crate::proxy::{Fault, FaultProxy};
use crate::proxy_hold::Then;
use crate::support::{expect_exit, stderr, stdout, tool_command, unique, World};

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

/// The team sets the retention of their group (straight to the twin, not through any proxy).
async fn team_sets(world: &World, group: &str, days: i32) {
    world
        .clients
        .logs
        .put_retention_policy()
        .log_group_name(group)
        .retention_in_days(days)
        .send()
        .await
        .unwrap();
}

/// The record's two tags as a take-over leaves them: (previous, set).
fn record(previous: &str, set: &str) -> [(String, String); 2] {
    [
        (PREVIOUS.to_string(), previous.to_string()),
        ("lex-logs-setup:retention-days".to_string(), set.to_string()),
    ]
}

#[tokio::test]
async fn a_retention_the_team_changed_after_the_take_over_is_theirs_again() {
    let world = World::new().await;
    let group = their_group(&world, Some(30)).await;
    let before = read_group(&world, &group).await;
    let args = with(world.target_args(), &["--log-group", &group]);
    let three = with(args.clone(), &["--retention-days", "3"]);
    let take = with(three.clone(), &["--take-over-destinations"]);
    expect_exit(&tool(cmd("apply", &take, &["--yes"])).await, 0);
    let (days, tags) = read_group(&world, &group).await;
    assert_eq!(days, Some(3));
    for tag in record("30", "3") {
        assert!(tags.contains(&tag), "{tag:?} not in {tags:?}");
    }

    // The team sets 90: a plain apply asking for 3 again is refused, naming both values.
    team_sets(&world, &group, 90).await;
    for command in ["plan", "apply"] {
        let out = tool(cmd(
            command,
            &three,
            &["--yes"][..usize::from(command == "apply")],
        ))
        .await;
        expect_exit(&out, 64);
        let shown = format!("{}{}", stdout(&out), stderr(&out));
        for part in [&group, "90 days", "set 3 days", "--take-over-destinations"] {
            assert!(shown.contains(part), "{command}: {part:?} not in {shown}");
        }
    }
    assert_eq!(read_group(&world, &group).await.0, Some(90));

    // With the flag it is taken over again: the team's 90 is what the record keeps now.
    let out = tool(cmd("apply", &take, &["--yes"])).await;
    expect_exit(&out, 0);
    let shown = stdout(&out) + &stderr(&out);
    assert!(
        shown.contains("its retention (90 days") && shown.contains("destroy puts back 90 days"),
        "{shown}"
    );
    let (days, tags) = read_group(&world, &group).await;
    assert_eq!(days, Some(3));
    for tag in record("90", "3") {
        assert!(tags.contains(&tag), "{tag:?} not in {tags:?}");
    }

    // Destroy gives the team back their 90, not the 30 of the first take-over.
    let out = tool(cmd("destroy", &world.target_args(), &["--yes"])).await;
    expect_exit(&out, 0);
    let mut want = before;
    want.0 = Some(90);
    assert_eq!(read_group(&world, &group).await, want, "{}", stdout(&out));
}

/// Starts the tool against the proxy; its output when it ends.
fn spawn(proxy: &FaultProxy, args: Vec<String>) -> tokio::task::JoinHandle<std::process::Output> {
    let endpoint = proxy.endpoint.clone();
    tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        tool_command(&endpoint, &args).output().await.unwrap()
    })
}

#[tokio::test]
async fn dedicated_a_retention_changed_between_observation_and_write_is_left_as_set() {
    let world = World::new().await;
    let group = their_group(&world, Some(30)).await;
    let before = read_group(&world, &group).await;
    let snapshot = world.snapshot().await;
    let take = with(
        world.dedicated_args(),
        &[
            "--log-group",
            &group,
            "--retention-days",
            "3",
            "--take-over-destinations",
        ],
    );
    // The observation reads as plan's does; the next DescribeLogGroups is the step's re-read,
    // held while the team sets 90.
    let planned = FaultProxy::start(Fault::None).await;
    let plan = planned.endpoint.clone();
    let plan_args = cmd("plan", &take, &[]);
    let plan_args: Vec<&str> = plan_args.iter().map(String::as_str).collect();
    expect_exit(&tool_command(&plan, &plan_args).output().await.unwrap(), 0);
    let reads = planned
        .calls()
        .iter()
        .filter(|c| c.operation == "DescribeLogGroups")
        .count();
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("logs:DescribeLogGroups", reads + 1);
    let run = spawn(&proxy, cmd("apply", &take, &["--yes"]));
    // A step that wrote without re-reading would never get here: fail rather than hang.
    tokio::time::timeout(std::time::Duration::from_secs(120), held.arrived())
        .await
        .expect("the retention step re-reads the group before it writes");
    team_sets(&world, &group, 90).await;
    held.then(Then::Forward);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let text = stdout(&out);
    for part in [
        group.as_str(),
        "changed since the plan read it",
        "its retention is now 90 days (the plan read 30 days)",
        "run plan again",
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
    let writes: Vec<String> = proxy
        .calls()
        .iter()
        .filter(|c| ["PutRetentionPolicy", "TagResource"].contains(&c.operation.as_str()))
        .map(|c| c.operation.clone())
        .collect();
    assert_eq!(
        writes,
        Vec::<String>::new(),
        "nothing written to their group"
    );
    let mut want = before;
    want.0 = Some(90);
    assert_eq!(read_group(&world, &group).await, want, "no record left");
    assert_eq!(world.snapshot().await, snapshot, "the rest rolled back");
}

#[tokio::test]
async fn a_retention_changed_after_our_write_survives_the_rollback_and_is_named() {
    let world = World::new().await;
    let group = their_group(&world, None).await;
    let before = read_group(&world, &group).await;
    let take = with(
        world.target_args(),
        &[
            "--log-group",
            &group,
            "--retention-days",
            "3",
            "--take-over-destinations",
        ],
    );
    // The alias is written after the log group: held there, the take-over is done.
    let proxy = FaultProxy::start(Fault::None).await;
    let mut held = proxy.hold("lex:UpdateBotAlias", 1);
    let run = spawn(&proxy, cmd("apply", &take, &["--yes"]));
    held.arrived().await;
    let (days, tags) = read_group(&world, &group).await;
    assert_eq!(days, Some(3));
    assert!(tags.contains(&record("never-expire", "3")[0]), "{tags:?}");
    team_sets(&world, &group, 90).await;
    held.then(Then::Reject);
    let out = run.await.unwrap();
    expect_exit(&out, 1);
    let text = stdout(&out);
    for part in [
        "Left as someone else set it",
        group.as_str(),
        "its retention (now 90 days; this run set 3 days, it was never expire) left as it is",
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
    // Their 90 stays; our record is removed (the run is undone), so destroy has nothing to put back.
    let mut want = before;
    want.0 = Some(90);
    assert_eq!(read_group(&world, &group).await, want);
}
