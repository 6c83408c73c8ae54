//! The JSON of a fleet, checked against its schemas: one config file with targets in two accounts
//! and two regions, the second reached by assuming a role there, so that changes, documents and
//! targets say where they are (`account`, `region`, `assumeRole`).

use serde_json::Value;

use super::assert_matches;
use crate::support::{expect_exit, fresh_account, run_tool_as};

#[tokio::test]
async fn a_plan_over_two_accounts_and_regions_prints_what_its_schemas_say() {
    let (pipeline, other) = (fresh_account('5'), fresh_account('6'));
    let (_here, _there, role, path) = crate::fleet::fleet(&pipeline, &other).await;
    let config = path.to_str().unwrap();
    let run = |command: &'static [&'static str]| {
        let pipeline = pipeline.clone();
        let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        args.extend(["--config", config, "--output", "json"].map(String::from));
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run_tool_as(&pipeline, &args).await
        }
    };

    let out = run(&["plan"]).await;
    expect_exit(&out, 0);
    let plan = assert_matches("plan", &out);
    let changes = plan["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["account"] == other.as_str()),
        "{plan:#}"
    );
    assert!(changes.iter().all(|c| c["region"].is_string()), "{plan:#}");
    assert_eq!(plan["targets"][1]["assumeRole"], role.as_str(), "{plan:#}");

    let out = run(&["policy"]).await;
    expect_exit(&out, 0);
    let policy = assert_matches("policy", &out);
    let documents = policy["documents"].as_array().unwrap();
    assert!(
        documents.iter().any(|d| d["assumeRole"] == role.as_str()),
        "{policy:#}"
    );
    assert!(
        documents.iter().any(|d| d["kind"] == "pipeline"),
        "{policy:#}"
    );

    let out = run(&["apply", "--yes"]).await;
    expect_exit(&out, 0);
    let outcome = assert_matches("outcome", &out);
    assert_eq!(outcome["status"], "succeeded", "{outcome:#}");

    let out = run(&["status"]).await;
    expect_exit(&out, 0);
    let status = assert_matches("status", &out);
    let accounts: Vec<&Value> = status["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["account"])
        .collect();
    assert!(
        accounts.contains(&&Value::from(other.as_str())),
        "{status:#}"
    );

    let out = run(&["destroy", "--yes"]).await;
    expect_exit(&out, 0);
    assert_matches("outcome", &out);
}
