//! Destroy's notes about what it keeps name only the destinations that were in use: a log group
//! or bucket an alias logged to, or one our grants named; never one that was only asked for.

use serde_json::Value;

use crate::support::{endpoint, expect_exit, stdout, World};

use super::{dedicated, tool};

/// The notes of `plan --destroy` (in JSON) that say a destination is kept.
async fn kept_notes(out: std::process::Output) -> Vec<String> {
    expect_exit(&out, 0);
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON plan");
    plan["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|n| n.contains(" is kept, with the"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn in_place_destroy_names_the_group_in_use_and_not_a_bucket_only_asked_for() {
    let world = World::new().await;
    let bucket = ["--audio-bucket", world.bucket.as_str()];
    // Before any apply: nothing was in use, so nothing is named (the default group is absent).
    let json = ["--destroy", "--output", "json"];
    let before = tool(
        &world,
        &endpoint(),
        "plan",
        &[&json[..], &bucket[..]].concat(),
    )
    .await;
    assert_eq!(kept_notes(before).await, Vec::<String>::new());

    expect_exit(&tool(&world, &endpoint(), "apply", &[]).await, 0);
    let plan = tool(
        &world,
        &endpoint(),
        "plan",
        &[&json[..], &bucket[..]].concat(),
    )
    .await;
    let group = world.log_group();
    assert_eq!(
        kept_notes(plan).await,
        vec![format!(
            "log group {group} is kept, with the logs in it (used by alias live)"
        )],
        "text logs only were set up: the bucket given to destroy is not named"
    );
    let out = tool(&world, &endpoint(), "destroy", &bucket).await;
    expect_exit(&out, 0);
    let shown = stdout(&out);
    assert!(
        shown.contains(&format!("log group {group} is kept")),
        "{shown}"
    );
    assert!(!shown.contains(&world.bucket), "{shown}");
}

#[tokio::test]
async fn dedicated_destroy_names_the_group_of_the_setup_not_the_default_one() {
    let world = World::new().await;
    let custom = format!("/custom/{}", world.bot_name);
    let out = dedicated(&world, &endpoint(), "apply", &["--log-group", &custom]).await;
    expect_exit(&out, 0);
    // Destroy without --log-group: the default group never existed and nothing logged there.
    let json = ["--destroy", "--output", "json"];
    let notes = kept_notes(dedicated(&world, &endpoint(), "plan", &json).await).await;
    assert_eq!(
        notes,
        vec![format!(
            "log group {custom} is kept, with the logs in it (used by alias live)"
        )]
    );
    let groups = world.snapshot().await["logGroups"].to_string();
    assert!(!groups.contains(&world.log_group()), "{groups}");
    let out = dedicated(&world, &endpoint(), "destroy", &[]).await;
    expect_exit(&out, 0);
    let shown = stdout(&out);
    assert!(!shown.contains(&world.log_group()), "{shown}");
    // Once destroyed nothing of ours is in use: a second destroy names nothing as kept.
    let notes = kept_notes(dedicated(&world, &endpoint(), "plan", &json).await).await;
    assert_eq!(notes, Vec::<String>::new());
}
