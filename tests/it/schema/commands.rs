//! The JSON of plan, plan --destroy, apply, apply --verify, destroy, status, verify, verify
//! --static-only and policy (with and without a target), each run on the twin and checked
//! against its schema: in place (with a PassRole grant, two aliases, a retention, an alarm, saved queries) and in the
//! dedicated-role mode (a published version, audio with KMS).

use serde_json::Value;

use super::assert_matches;
use crate::support::{expect_exit, run_tool, World};

async fn tool(command: &[&str], args: &[String], more: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = command.to_vec();
    all.extend(args.iter().map(String::as_str));
    all.extend(more.iter().copied());
    all.extend(["--output", "json"]);
    run_tool(&all).await
}

/// The kinds of resource the document's changes are to (`role` of `role[X]`).
fn kinds(document: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = document["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["address"]
                .as_str()
                .unwrap()
                .split('[')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

#[tokio::test]
async fn in_place_every_command_prints_what_its_schema_says() {
    let world = World::new().await;
    let grant = format!("user/{}", world.user);
    let mut aliases = world.target_args();
    aliases.extend(["--alias".to_string(), "TestBotAlias".to_string()]);
    let mut args = aliases.clone();
    args.extend(
        [
            "--retention-days",
            "7",
            "--grant-pass-role",
            &grant,
            "--alarm",
            "--insights-queries",
        ]
        .into_iter()
        .map(String::from),
    );

    let out = tool(&["plan"], &args, &["--detailed-exitcode"]).await;
    expect_exit(&out, 2);
    let plan = assert_matches("plan", &out);
    assert_eq!(plan["command"], "apply");
    assert_eq!(plan["targets"][0]["bot"], world.bot_name.as_str());
    for kind in [
        "alarm",
        "alias",
        "bot_record",
        "inline_policy",
        "log_group",
        "query",
    ] {
        assert!(kinds(&plan).contains(&kind.to_string()), "{kind}: {plan:#}");
    }

    // Before apply nothing is configured: verify sends nothing and says so (exit 4).
    let out = tool(&["verify"], &aliases, &[]).await;
    expect_exit(&out, 4);
    let report = assert_matches("verify", &out);
    assert_eq!(
        report["aliases"][0]["status"], "not_configured",
        "{report:#}"
    );

    let out = tool(&["policy"], &args, &[]).await;
    expect_exit(&out, 0);
    let policy = assert_matches("policy", &out);
    let documents = policy["documents"].as_array().unwrap();
    assert!(
        documents.iter().any(|d| d["kind"] == "operator"),
        "{policy:#}"
    );
    assert!(
        documents.iter().any(|d| d["kind"] == "inline-policy"),
        "{policy:#}"
    );
    let out = run_tool(&["policy", "--output", "json"]).await;
    expect_exit(&out, 0);
    let alone = assert_matches("policy", &out);
    assert_eq!(alone["documents"].as_array().unwrap().len(), 1, "{alone:#}");
    assert!(alone["documents"][0]["risks"].is_array(), "{alone:#}");

    let out = tool(&["apply", "--yes"], &args, &[]).await;
    expect_exit(&out, 0);
    let outcome = assert_matches("outcome", &out);
    assert_eq!(outcome["status"], "succeeded");
    assert_eq!(kinds(&outcome), kinds(&plan));

    let out = tool(&["status"], &args, &[]).await;
    expect_exit(&out, 0);
    let status = assert_matches("status", &out);
    assert_eq!(status["summary"]["aliases"], 2, "{status:#}");
    assert_eq!(status["aliases"][0]["text"]["canWrite"], true, "{status:#}");
    let alarms = status["aliases"].as_array().unwrap().iter();
    assert!(
        alarms.filter(|a| a["alarm"]["ours"] == true).count() == 2,
        "{status:#}"
    );
    // Asked for another retention: the drift is listed.
    let out = tool(
        &["status", "--detailed-exitcode"],
        &world.target_args(),
        &[],
    )
    .await;
    let drifted = assert_matches("status", &out);
    expect_exit(&out, 2);
    assert!(drifted["aliases"][0]["drift"].is_array(), "{drifted:#}");

    let out = tool(&["verify"], &aliases, &[]).await;
    expect_exit(&out, 0);
    let report = assert_matches("verify", &out);
    assert_eq!(report["ok"], true);
    assert_eq!(
        report["aliases"][0]["text"]["status"], "delivered",
        "{report:#}"
    );
    let out = tool(&["verify", "--static-only"], &aliases, &[]).await;
    expect_exit(&out, 0);
    let report = assert_matches("verify", &out);
    assert_eq!(report["staticOnly"], true);
    assert_eq!(
        report["aliases"][0]["text"]["status"], "static_ok",
        "{report:#}"
    );

    // Nothing left to change: apply --verify prints no change, and the verify report in it.
    let out = tool(&["apply", "--yes", "--verify"], &args, &[]).await;
    expect_exit(&out, 0);
    let verified = assert_matches("outcome", &out);
    assert_eq!(
        verified["changes"].as_array().unwrap().len(),
        0,
        "{verified:#}"
    );
    assert_eq!(verified["verify"]["ok"], true, "{verified:#}");

    let out = tool(&["plan", "--destroy"], &args, &[]).await;
    expect_exit(&out, 0);
    let destroy_plan = assert_matches("plan", &out);
    assert_eq!(destroy_plan["command"], "destroy");
    let out = tool(&["destroy", "--yes"], &args, &[]).await;
    expect_exit(&out, 0);
    let destroyed = assert_matches("outcome", &out);
    assert_eq!(destroyed["command"], "destroy");
    assert!(
        destroyed["summary"]["delete"].as_u64().unwrap() > 0,
        "{destroyed:#}"
    );

    let out = tool(&["status"], &args, &[]).await;
    let after = assert_matches("status", &out);
    assert_eq!(after["summary"]["logging"], 0, "{after:#}");
    assert_eq!(after["aliases"][0]["text"]["destination"], Value::Null);
}

#[tokio::test]
async fn dedicated_role_with_audio_every_command_prints_what_its_schema_says() {
    let world = World::new().await;
    let mut args = world.dedicated_args();
    args.extend([
        "--audio-bucket".to_string(),
        world.bucket.clone(),
        "--kms-key".to_string(),
        world.key_arn.clone(),
    ]);

    let out = tool(&["plan"], &args, &[]).await;
    expect_exit(&out, 0);
    let plan = assert_matches("plan", &out);
    for kind in ["alias", "attachment", "bot", "role", "version"] {
        assert!(kinds(&plan).contains(&kind.to_string()), "{kind}: {plan:#}");
    }
    assert_eq!(plan["targets"][0]["role"], world.role_name().as_str());

    let out = tool(&["apply", "--yes"], &args, &[]).await;
    expect_exit(&out, 0);
    let outcome = assert_matches("outcome", &out);
    assert_eq!(outcome["status"], "succeeded");

    let out = tool(&["status"], &args, &[]).await;
    expect_exit(&out, 0);
    let status = assert_matches("status", &out);
    let audio = &status["aliases"][0]["audio"];
    assert_eq!(audio["ours"], true, "{status:#}");

    let out = tool(&["verify", "--static-only"], &world.target_args(), &[]).await;
    expect_exit(&out, 0);
    let report = assert_matches("verify", &out);
    assert_eq!(
        report["aliases"][0]["audio"]["status"], "static_ok",
        "{report:#}"
    );

    // The log group deleted behind the tool's back: the static check names it, status too.
    world
        .clients
        .logs
        .delete_log_group()
        .log_group_name(world.log_group())
        .send()
        .await
        .expect("DeleteLogGroup");
    let out = tool(&["verify", "--static-only"], &world.target_args(), &[]).await;
    expect_exit(&out, 4);
    let report = assert_matches("verify", &out);
    let text = &report["aliases"][0]["text"];
    assert_eq!(text["status"], "not_delivered", "{report:#}");
    assert!(text["problems"][0].is_string(), "{report:#}");
    let out = tool(&["status"], &args, &[]).await;
    let status = assert_matches("status", &out);
    assert_eq!(status["summary"]["broken"], 1, "{status:#}");

    let out = tool(&["plan", "--destroy"], &args, &[]).await;
    expect_exit(&out, 0);
    assert_matches("plan", &out);
    let out = tool(&["destroy", "--yes"], &args, &[]).await;
    expect_exit(&out, 0);
    let destroyed = assert_matches("outcome", &out);
    assert_eq!(destroyed["status"], "succeeded");
}
