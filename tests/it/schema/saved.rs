//! A saved plan file (`plan --out FILE`) against `saved-plan.schema.json`, in both modes (with a
//! PassRole grant, an alarm and audio with KMS, so every kind of value and address is in it); `show FILE
//! --output json` against the plan's schema; a stale plan's error against the error's.

use serde_json::Value;

use super::{assert_document, assert_matches};
use crate::support::{expect_exit, run_tool, unique, World};

async fn saved_plan(args: &[String], extra: &[&str]) -> (Value, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("{}.json", unique("schema-plan-")));
    let mut all: Vec<&str> = vec!["plan"];
    all.extend(args.iter().map(String::as_str));
    all.extend(extra.iter().copied());
    all.extend(["--out", path.to_str().unwrap()]);
    expect_exit(&run_tool(&all).await, 0);
    let document = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (document, path)
}

#[tokio::test]
async fn a_saved_plan_its_show_and_its_stale_refusal_print_what_their_schemas_say() {
    let world = World::new().await;
    let mut in_place = world.target_args();
    in_place.extend(["--grant-pass-role".into(), format!("user/{}", world.user)]);
    in_place.extend(["--alarm".into(), "--insights-queries".into()]);
    let mut dedicated = world.dedicated_args();
    dedicated.extend([
        "--audio-bucket".into(),
        world.bucket.clone(),
        "--kms-key".into(),
        world.key_arn.clone(),
    ]);
    for (args, extra) in [
        (&in_place, &[][..]),
        (&dedicated, &[][..]),
        (&in_place, &["--destroy"][..]),
    ] {
        let (document, path) = saved_plan(args, extra).await;
        assert_document("saved-plan", &document);
        let shown = run_tool(&["show", path.to_str().unwrap(), "--output", "json"]).await;
        assert_matches("plan", &shown);
    }
    // Applied twice: the second is stale, and its error is the error schema's.
    let (_, path) = saved_plan(&in_place, &[]).await;
    let file = path.to_str().unwrap();
    expect_exit(&run_tool(&["apply", file]).await, 0);
    let stale = run_tool(&["apply", file, "--output", "json"]).await;
    expect_exit(&stale, 1);
    let error = assert_matches("error", &stale);
    assert_eq!(error["error"]["kind"], "stale-plan");
    assert!(error["error"]["moved"]
        .as_array()
        .is_some_and(|m| !m.is_empty()));
}
