//! `--insights-queries`: four saved Logs Insights queries scoped to the log group, kept by a
//! second apply, removed by destroy (which keeps the group and another team's query of our
//! prefix); a definition of our name with another query is refused; a failed save rolls back.

use crate::proxy::{Fault, FaultProxy};
use crate::support::{expect_exit, run_tool_at, stderr, stdout, World};

use super::{cmd, tool, with};

/// The saved queries whose names start with `prefix`: (name, query string, log groups).
async fn saved(world: &World, prefix: &str) -> Vec<(String, String, Vec<String>)> {
    let out = world
        .clients
        .logs
        .describe_query_definitions()
        .query_definition_name_prefix(prefix)
        .send()
        .await
        .expect("DescribeQueryDefinitions");
    let mut found: Vec<_> = out
        .query_definitions()
        .iter()
        .map(|d| {
            (
                d.name().unwrap().to_string(),
                d.query_string().unwrap().to_string(),
                d.log_group_names().to_vec(),
            )
        })
        .collect();
    found.sort();
    found
}

fn prefix(world: &World) -> String {
    format!("lex-logs-setup/aws/lex/{}/", world.bot_name)
}

async fn save_theirs(world: &World, name: &str) {
    world
        .clients
        .logs
        .put_query_definition()
        .name(name)
        .query_string("fields @message | limit 1")
        .log_group_names(world.log_group())
        .send()
        .await
        .expect("PutQueryDefinition");
}

#[tokio::test]
async fn saved_queries_are_scoped_to_the_group_and_destroy_removes_only_ours() {
    let world = World::new().await;
    let group = world.log_group();
    let args = with(world.target_args(), &["--insights-queries"]);
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);

    let ours = saved(&world, &prefix(&world)).await;
    let names: Vec<String> = ours.iter().map(|(n, _, _)| n.clone()).collect();
    let expected: Vec<String> = [
        "intents-by-hour",
        "missed-utterances",
        "recent-delivery-gaps",
        "sessions-per-alias",
    ]
    .map(|q| format!("{}{q}", prefix(&world)))
    .into();
    assert_eq!(names, expected);
    for (name, query, groups) in &ours {
        assert_eq!(groups, &vec![group.clone()], "{name}");
        assert!(!query.is_empty());
    }
    assert!(ours[1].1.contains("missedUtterance"), "{:?}", ours[1]);

    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(stdout(&out).contains("No changes"), "{}", stdout(&out));
    assert_eq!(saved(&world, &prefix(&world)).await.len(), 4);

    // Another team's query under our prefix (another name) is left alone by destroy.
    let theirs = format!("{}their-own", prefix(&world));
    save_theirs(&world, &theirs).await;
    let out = tool(cmd("destroy", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    let left = saved(&world, &prefix(&world)).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].0, theirs);
    let groups = world
        .clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(groups.log_groups().len(), 1, "destroy keeps the log group");

    // A definition of one of our names with another query is not ours: refused, kept.
    let taken = format!("{}missed-utterances", prefix(&world));
    save_theirs(&world, &taken).await;
    let out = tool(cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 64);
    assert!(stderr(&out).contains("not ours"), "{}", stderr(&out));
    assert_eq!(saved(&world, &prefix(&world)).await.len(), 2);
}

#[tokio::test]
async fn a_failed_save_rolls_back_the_queries_saved_before_it() {
    let world = World::new().await;
    let args = cmd(
        "apply",
        &world.dedicated_args(),
        &["--insights-queries", "--yes"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let proxy = FaultProxy::start(Fault::RejectNth("logs:PutQueryDefinition", 2)).await;
    let out = run_tool_at(&proxy.endpoint, &args).await;
    expect_exit(&out, 1);
    let mutating = proxy.mutating();
    let puts = mutating
        .iter()
        .filter(|c| *c == "logs:PutQueryDefinition")
        .count();
    let deletes = mutating
        .iter()
        .filter(|c| *c == "logs:DeleteQueryDefinition")
        .count();
    assert!(puts >= 2, "{mutating:?}");
    assert_eq!(
        deletes,
        puts - 1,
        "each query saved is deleted: {mutating:?}"
    );
    assert!(saved(&world, &prefix(&world)).await.is_empty());
}
