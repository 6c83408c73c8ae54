//! The fleet: one config file with targets in two accounts and two regions, the second reached by
//! assuming a role there; one plan, one apply (the log lines of both read back where each bot
//! lives), status and the policy command across both, one destroy; and a failure in the second
//! account rolled back in the first.

use serde_json::Value;

use crate::support::{
    expect_exit, fresh_account, run_tool_as, stderr, stdout, twin_settings, unique, World, REGION,
};

const OTHER_REGION: &str = "eu-west-1";

/// A role in the world's account that `pipeline` may assume, as a platform team would make it.
async fn deployer_role(world: &World, pipeline: &str) -> String {
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{pipeline}:root")},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "fleet-42"}},
        }],
    });
    let out = world
        .clients
        .iam
        .create_role()
        .role_name(unique("LexLogsDeployer-"))
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("CreateRole");
    out.role().unwrap().arn().to_string()
}

/// Two worlds (the pipeline's account in the default region; another account in another
/// region), the deployer role there, and a config file naming both.
pub(crate) async fn fleet(
    pipeline: &str,
    other: &str,
) -> (World, World, String, std::path::PathBuf) {
    let (here, there) = tokio::join!(
        World::new_in(pipeline),
        World::new_in_region(other, OTHER_REGION)
    );
    let role = deployer_role(&there, pipeline).await;
    let config = format!(
        r#"[[target]]
bot = "{}"
aliases = ["live"]

[[target]]
bot = "{}"
aliases = ["live"]
region = "{OTHER_REGION}"
assume_role = "{role}"
external_id = "fleet-42"
session_name = "fleet-test"
"#,
        here.bot_name, there.bot_name
    );
    let path = std::env::temp_dir().join(format!("{}.toml", unique("fleet-")));
    std::fs::write(&path, config).unwrap();
    (here, there, role, path)
}

/// One conversation turn on the world's live alias, where the world lives; whether its log line
/// is then in the world's group.
async fn delivered(world: &World) -> bool {
    let session = unique("fleet-s-");
    world
        .clients
        .runtime
        .recognize_text()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .locale_id("en_US")
        .session_id(&session)
        .text("where is my order")
        .send()
        .await
        .unwrap_or_else(|e| panic!("RecognizeText in {}: {e:?}", world.clients.region));
    let Ok(out) = world
        .clients
        .logs
        .filter_log_events()
        .log_group_name(world.log_group())
        .send()
        .await
    else {
        return false;
    };
    out.events().iter().any(|e| {
        serde_json::from_str::<Value>(e.message().unwrap_or_default())
            .is_ok_and(|m| m["sessionId"] == session.as_str())
    })
}

/// The inline policies of the world's service-linked role.
async fn bot_role_policies(world: &World) -> Vec<String> {
    world
        .clients
        .iam
        .list_role_policies()
        .role_name(world.bot_role_name())
        .send()
        .await
        .unwrap()
        .policy_names()
        .to_vec()
}

#[tokio::test]
async fn two_accounts_and_two_regions_are_one_plan_one_apply_and_one_destroy() {
    let (pipeline, other) = (fresh_account('3'), fresh_account('4'));
    let (here, there, role, config) = fleet(&pipeline, &other).await;
    let config = config.to_str().unwrap();

    let out = run_tool_as(&pipeline, &["plan", "--config", config, "--output", "json"]).await;
    expect_exit(&out, 0);
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let places: Vec<(String, String)> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("account"), s("region"))
        })
        .collect();
    assert!(
        places.contains(&(pipeline.clone(), REGION.to_string())),
        "{places:?}"
    );
    assert!(
        places.contains(&(other.clone(), OTHER_REGION.to_string())),
        "{places:?}"
    );
    let assumed: Vec<&Value> = plan["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["assumeRole"] == role.as_str())
        .collect();
    assert_eq!(assumed.len(), 1, "{}", plan["targets"]);
    assert_eq!(assumed[0]["account"], other.as_str());

    let out = run_tool_as(&pipeline, &["apply", "--config", config, "--yes"]).await;
    expect_exit(&out, 0);
    assert!(
        delivered(&here).await,
        "a conversation in {pipeline} is logged"
    );
    assert!(
        delivered(&there).await,
        "a conversation in {other}/{OTHER_REGION} is logged"
    );
    assert!(bot_role_policies(&there)
        .await
        .iter()
        .any(|p| p.ends_with("-ConversationLogs")));

    let out = run_tool_as(
        &pipeline,
        &[
            "status",
            "--config",
            config,
            "--detailed-exitcode",
            "--output",
            "json",
        ],
    )
    .await;
    expect_exit(&out, 0);
    let status: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let live: Vec<&Value> = status["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["alias"] == "live")
        .collect();
    assert_eq!(live.len(), 2, "{status}");
    for row in &live {
        assert_eq!(row["text"]["ours"], true, "{row}");
        assert_eq!(row["text"]["canWrite"], true, "{row}");
        assert_eq!(row["drift"], serde_json::json!([]), "{row}");
    }
    assert!(live
        .iter()
        .any(|r| r["account"] == other.as_str() && r["region"] == OTHER_REGION));

    let out = run_tool_as(
        &pipeline,
        &["policy", "--config", config, "--output", "json"],
    )
    .await;
    expect_exit(&out, 0);
    let docs: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let docs = docs["documents"].as_array().unwrap();
    let operators: Vec<&Value> = docs.iter().filter(|d| d["kind"] == "operator").collect();
    assert_eq!(
        operators.len(),
        2,
        "one operator policy per account and region"
    );
    let theirs = operators
        .iter()
        .find(|d| d["account"] == other.as_str())
        .unwrap();
    assert_eq!(theirs["region"], OTHER_REGION);
    assert_eq!(theirs["assumeRole"], role.as_str());
    let resources = theirs["document"].to_string();
    assert!(
        resources.contains(&format!(":{OTHER_REGION}:{other}:"))
            && !resources.contains(&format!(":{REGION}:{other}:")),
        "the other account's operator policy names its own region's ARNs: {resources}"
    );
    let pipeline_doc = docs.iter().find(|d| d["kind"] == "pipeline").unwrap();
    assert_eq!(
        pipeline_doc["document"]["Statement"][0]["Action"],
        "sts:AssumeRole"
    );
    assert_eq!(
        pipeline_doc["document"]["Statement"][0]["Resource"][0],
        role.as_str()
    );

    let out = run_tool_as(&pipeline, &["destroy", "--config", config, "--yes"]).await;
    expect_exit(&out, 0);
    assert!(
        !delivered(&here).await && !delivered(&there).await,
        "nothing is logged after destroy"
    );
    assert!(!bot_role_policies(&there)
        .await
        .iter()
        .any(|p| p.ends_with("-ConversationLogs")));
}

#[tokio::test]
async fn a_failure_in_the_second_account_rolls_back_the_first() {
    let (pipeline, other) = (fresh_account('3'), fresh_account('4'));
    let (here, there, _, config) = fleet(&pipeline, &other).await;
    // IAM in the other account refuses inline policies on Lex service-linked roles.
    twin_settings(&other, serde_json::json!({"slr_inline_policies": false})).await;
    let (before_here, before_there) = (here.snapshot().await, there.snapshot().await);
    let out = run_tool_as(
        &pipeline,
        &["apply", "--config", config.to_str().unwrap(), "--yes"],
    )
    .await;
    expect_exit(&out, 1);
    assert!(
        stderr(&out).contains("UnmodifiableEntity"),
        "{}",
        stderr(&out)
    );
    // What the first account's changes made (they ran beside the refused one) was undone.
    let report = stdout(&out);
    let restored = format!(
        "restored {pipeline}/{REGION}: log_group[{}]",
        here.log_group()
    );
    assert!(report.contains(&restored), "{report}");
    assert_eq!(
        here.snapshot().await,
        before_here,
        "the first account is as it was"
    );
    assert_eq!(
        there.snapshot().await,
        before_there,
        "the second account is as it was"
    );
    assert!(!delivered(&here).await);
}

#[tokio::test]
async fn a_role_that_cannot_be_assumed_is_named_before_anything_changes() {
    let pipeline = fresh_account('3');
    let here = World::new_in(&pipeline).await;
    let before = here.snapshot().await;
    let config = format!(
        "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\n\n[[target]]\nbot = \"Elsewhere\"\naliases = [\"live\"]\nassume_role = \"arn:aws:iam::{}:role/NoSuchRole\"\nexternal_id = \"fleet-42\"\n",
        here.bot_name,
        fresh_account('4')
    );
    let path = std::env::temp_dir().join(format!("{}.toml", unique("fleet-bad-")));
    std::fs::write(&path, config).unwrap();
    let out = run_tool_as(
        &pipeline,
        &["apply", "--config", path.to_str().unwrap(), "--yes"],
    )
    .await;
    expect_exit(&out, 1);
    let err = stderr(&out);
    let at = format!(
        "({} line 9, [[target]] 2 (bot \"Elsewhere\"))",
        path.display()
    );
    assert!(
        err.contains("sts:AssumeRole on role arn:aws:iam::")
            && err.contains(&format!("NoSuchRole {at} failed: AccessDenied"))
            && err.contains("NoSuchRole refused to be assumed; check that it exists"),
        "{err}"
    );
    assert_eq!(here.snapshot().await, before);
}

#[tokio::test]
async fn a_wrong_or_missing_external_id_is_the_roles_refusal_not_the_credentials() {
    let (pipeline, other) = (fresh_account('3'), fresh_account('4'));
    let (here, there, role, _) = fleet(&pipeline, &other).await;
    let before = (here.snapshot().await, there.snapshot().await);
    // The error is placed at the external_id sent, else at the assume_role.
    for (external_id, line, said) in [
        ("external_id = \"fleet-43\"\n", 10, "the external_id sent (\"fleet-43\") is the one its trust policy asks for"),
        ("", 9, "no external_id was sent: if its trust policy asks for sts:ExternalId, give external_id"),
    ] {
        let config = format!(
            "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\n\n[[target]]\nbot = \"{}\"\naliases = [\"live\"]\nregion = \"{OTHER_REGION}\"\nassume_role = \"{role}\"\n{external_id}",
            here.bot_name, there.bot_name
        );
        let path = std::env::temp_dir().join(format!("{}.toml", unique("fleet-xid-")));
        std::fs::write(&path, config).unwrap();
        let out = run_tool_as(&pipeline, &["apply", "--config", path.to_str().unwrap(), "--yes"]).await;
        expect_exit(&out, 1);
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "sts:AssumeRole on role {role} in region {OTHER_REGION} ({} line {line}, [[target]] 2 (bot {:?})) failed: AccessDenied",
                path.display(),
                there.bot_name
            ))
                && err.contains(&format!("next: the role {role} refused to be assumed"))
                && err.contains(said),
            "{err}"
        );
        for blamed in ["credentials found", "refresh", "could not load AWS credentials", "CredentialsError"] {
            assert!(!err.contains(blamed), "not blamed on the credentials ({blamed}): {err}");
        }
    }
    assert_eq!((here.snapshot().await, there.snapshot().await), before);
}

#[tokio::test]
async fn one_account_in_two_regions_one_through_a_role_of_its_own_account() {
    let account = fresh_account('3');
    let (here, there) = tokio::join!(
        World::new_in(&account),
        World::new_in_region(&account, OTHER_REGION)
    );
    let role = deployer_role(&there, &account).await;
    let config = format!(
        "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\n\n[[target]]\nbot = \"{}\"\naliases = [\"live\"]\nregion = \"{OTHER_REGION}\"\nassume_role = \"{role}\"\nexternal_id = \"fleet-42\"\n",
        here.bot_name, there.bot_name
    );
    let path = std::env::temp_dir().join(format!("{}.toml", unique("fleet-one-")));
    std::fs::write(&path, config).unwrap();
    let path = path.to_str().unwrap();
    let out = run_tool_as(&account, &["apply", "--config", path, "--yes"]).await;
    expect_exit(&out, 0);
    assert!(delivered(&here).await && delivered(&there).await);
    let out = run_tool_as(&account, &["policy", "--config", path, "--output", "json"]).await;
    expect_exit(&out, 0);
    let docs: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let regions: Vec<&str> = docs["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "operator")
        .map(|d| d["region"].as_str().unwrap())
        .collect();
    assert_eq!(
        regions,
        [REGION, OTHER_REGION],
        "one operator policy per region"
    );
    let out = run_tool_as(&account, &["destroy", "--config", path, "--yes"]).await;
    expect_exit(&out, 0);
    assert!(!delivered(&here).await && !delivered(&there).await);
}

#[tokio::test]
async fn a_config_whose_targets_all_name_a_region_needs_no_other() {
    let account = fresh_account('3');
    let there = World::new_in_region(&account, OTHER_REGION).await;
    let config = format!(
        "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\nregion = \"{OTHER_REGION}\"\n",
        there.bot_name
    );
    let path = std::env::temp_dir().join(format!("{}.toml", unique("fleet-region-")));
    std::fs::write(&path, config).unwrap();
    let args = [
        "plan",
        "--config",
        path.to_str().unwrap(),
        "--output",
        "json",
    ];
    let out = crate::support::tool_command_as(&account, &crate::support::endpoint(), &args)
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .await
        .unwrap();
    expect_exit(&out, 0);
    let plan: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(plan["targets"][0]["region"], OTHER_REGION, "{plan}");
}
