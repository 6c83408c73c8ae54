//! A bot replicated to a second region (Lex V2 Global Resiliency), on the twin: one apply makes
//! a conversation in either region log to the group of the same name in that region (read back
//! in each); destroy then leaves no grant of ours naming either region's group; audio on a
//! replicated bot is refused with nothing changed; another team's group in the replica region is
//! refused as it is in the bot's region. Each test works in an account of its own.

use lex_logs_setup::aws::Clients;
use serde_json::{json, Value};

use crate::support::{
    alias_row, expect_exit, fresh_account, run_tool_as, sdk_config_in, stderr, stdout, unique,
    World, REGION,
};

use super::{cmd, with};

/// The region us-east-1 bots are replicated to (Global Resiliency pairs it with us-west-2).
const REPLICA: &str = "us-west-2";

/// A world in an account of its own whose bot is replicated to `REPLICA`, with clients there.
async fn replicated(first: char) -> (World, String, Clients) {
    let account = fresh_account(first);
    let world = World::new_in(&account).await;
    world
        .clients
        .lex
        .create_bot_replica()
        .bot_id(&world.bot_id)
        .replica_region(REPLICA)
        .send()
        .await
        .expect("CreateBotReplica");
    let there = Clients::from_sdk_config(&sdk_config_in(&account, REPLICA).await).expect("region");
    (world, account, there)
}

async fn tool(account: &str, args: Vec<String>) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool_as(account, &args).await
}

/// One turn on the world's alias in `region`; returns the session id.
async fn say_in(world: &World, account: &str, region: &str, text: &str) -> String {
    let session = unique("s-");
    aws_sdk_lexruntimev2::Client::new(&sdk_config_in(account, region).await)
        .recognize_text()
        .bot_id(&world.bot_id)
        .bot_alias_id(&world.alias_id)
        .locale_id("en_US")
        .session_id(&session)
        .text(text)
        .send()
        .await
        .unwrap_or_else(|e| panic!("RecognizeText in {region}: {e:?}"));
    session
}

/// The transcripts of `group` (read back with `clients`, in their region) for `session`.
async fn transcripts(clients: &Clients, group: &str, session: &str) -> Vec<String> {
    let Ok(out) = clients
        .logs
        .filter_log_events()
        .log_group_name(group)
        .send()
        .await
    else {
        return vec![];
    };
    out.events()
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e.message().unwrap_or_default()).ok())
        .filter(|m| m["sessionId"] == session)
        .map(|m| {
            m["inputTranscript"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Every identity policy document of the account (inline on every role, every local managed
/// policy's default version), as text: where a grant of ours would be.
async fn every_policy_document(clients: &Clients) -> Vec<String> {
    let iam = &clients.iam;
    let mut documents = Vec::new();
    let roles = iam.list_roles().send().await.expect("ListRoles");
    for role in roles.roles() {
        let names = iam
            .list_role_policies()
            .role_name(role.role_name())
            .send()
            .await
            .expect("ListRolePolicies");
        for name in names.policy_names() {
            let policy = iam
                .get_role_policy()
                .role_name(role.role_name())
                .policy_name(name)
                .send()
                .await
                .expect("GetRolePolicy");
            documents.push(decode(policy.policy_document()));
        }
    }
    let scope = aws_sdk_iam::types::PolicyScopeType::Local;
    let policies = iam
        .list_policies()
        .scope(scope)
        .send()
        .await
        .expect("ListPolicies");
    for policy in policies.policies() {
        let version = iam
            .get_policy_version()
            .policy_arn(policy.arn().unwrap())
            .version_id(policy.default_version_id().unwrap())
            .send()
            .await
            .expect("GetPolicyVersion");
        let document = version.policy_version().and_then(|v| v.document());
        documents.push(decode(document.unwrap_or_default()));
    }
    documents
}

/// A document as IAM returns it (URL-encoded), as JSON text.
fn decode(document: &str) -> String {
    lex_logs_setup::policy::parse_returned(document)
        .expect("IAM returns a JSON document")
        .to_string()
}

/// The group's ARN in `region` of `account`, as a grant names its streams.
fn group_arn(account: &str, region: &str, group: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:{group}:*")
}

/// After one apply a conversation in each region is logged to the group of the same name in that
/// region; the plan says which change is in the replica region; destroy leaves no grant of ours
/// naming either region's group, and keeps both groups (destroy keeps logs).
async fn logs_in_both_regions_then_destroy_leaves_no_grant(dedicated: bool, first: char) {
    let (world, account, there) = replicated(first).await;
    let group = world.log_group();
    let target = match dedicated {
        true => world.dedicated_args(),
        false => world.target_args(),
    };

    let plan = tool(&account, cmd("plan", &target, &[])).await;
    expect_exit(&plan, 0);
    let shown = stdout(&plan);
    assert!(
        shown.contains(&format!("{REPLICA}: log_group[{group}]"))
            && shown.contains(&format!("{REGION}: log_group[{group}]")),
        "the plan shows the group in each region:\n{shown}"
    );
    assert!(
        shown.contains(&format!("is replicated to {REPLICA}")),
        "the plan says the bot is replicated:\n{shown}"
    );

    assert_eq!(
        replica_status(&account, &target).await,
        json!([{"region": REPLICA, "logGroup": null, "groupExists": null, "granted": false}]),
        "before apply, status names the replica region, where the alias logs nothing yet"
    );

    let out = tool(&account, cmd("apply", &target, &["--yes"])).await;
    expect_exit(&out, 0);
    assert_eq!(
        replica_status(&account, &target).await,
        json!([{"region": REPLICA, "logGroup": group, "groupExists": true, "granted": true}]),
        "after apply, status says the replica region is covered"
    );
    verify_reads_the_line_back_in_each_region(&world, &account).await;
    for (region, clients) in [(REGION, &world.clients), (REPLICA, &there)] {
        let text = format!("hello from {region}");
        let session = say_in(&world, &account, region, &text).await;
        assert_eq!(
            transcripts(clients, &group, &session).await,
            vec![text],
            "one log line in {region}'s group {group}:\n{}",
            stderr(&out)
        );
    }
    let arns = [
        group_arn(&account, REGION, &group),
        group_arn(&account, REPLICA, &group),
    ];
    let granted = every_policy_document(&world.clients).await.join("\n");
    for arn in &arns {
        assert!(
            granted.contains(arn.as_str()),
            "the grant names {arn}:\n{granted}"
        );
    }

    let out = tool(&account, cmd("destroy", &target, &["--yes"])).await;
    expect_exit(&out, 0);
    let left = every_policy_document(&world.clients).await;
    for arn in &arns {
        let group_arn = arn.trim_end_matches(":*");
        assert!(
            !left.iter().any(|d| d.contains(group_arn)),
            "no grant names {group_arn} after destroy: {left:?}"
        );
    }
    for clients in [&world.clients, &there] {
        let found = clients
            .logs
            .describe_log_groups()
            .log_group_name_prefix(&group)
            .send()
            .await
            .expect("DescribeLogGroups");
        assert_eq!(found.log_groups().len(), 1, "destroy keeps the group");
    }
}

/// The `replicas` of status's row for the world's alias.
async fn replica_status(account: &str, target: &[String]) -> Value {
    let out = tool(account, cmd("status", target, &["--output", "json"])).await;
    expect_exit(&out, 0);
    let report = crate::schema::assert_matches("status", &out);
    alias_row(&report, "live")["replicas"].clone()
}

/// `verify` probes the alias in the bot's region and in the replica region, and reads each log
/// line back where it was written.
async fn verify_reads_the_line_back_in_each_region(world: &World, account: &str) {
    let out = tool(
        account,
        cmd("verify", &world.target_args(), &["--output", "json"]),
    )
    .await;
    expect_exit(&out, 0);
    let report = crate::schema::assert_matches("verify", &out);
    let rows = report["aliases"].as_array().unwrap();
    let regions: Vec<&Value> = rows.iter().map(|r| &r["replicaRegion"]).collect();
    assert_eq!(regions, [&Value::Null, &json!(REPLICA)], "{report}");
    for row in rows {
        assert_eq!(row["text"]["status"], "delivered", "{report}");
        assert!(
            row["text"]["found"].is_object(),
            "the line was read back: {report}"
        );
    }
}

#[tokio::test]
async fn in_place_replicated_bot_logs_in_both_regions_and_destroy_leaves_no_grant() {
    logs_in_both_regions_then_destroy_leaves_no_grant(false, '3').await;
}

#[tokio::test]
async fn dedicated_replicated_bot_logs_in_both_regions_and_destroy_leaves_no_grant() {
    logs_in_both_regions_then_destroy_leaves_no_grant(true, '4').await;
}

#[tokio::test]
async fn audio_on_a_replicated_bot_is_refused_with_nothing_changed() {
    let (world, account, there) = replicated('3').await;
    let before = world.snapshot().await;
    let args = with(
        world.target_args(),
        &["--audio-bucket", &world.bucket, "--audio-prefix", "audio/"],
    );
    let out = tool(&account, cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 64);
    let said = stderr(&out);
    assert!(
        said.contains(&format!("is replicated to {REPLICA}")) && said.contains("bucket"),
        "the refusal says why:\n{said}"
    );
    assert_eq!(world.snapshot().await, before, "nothing changed");
    let groups = there
        .logs
        .describe_log_groups()
        .log_group_name_prefix(world.log_group())
        .send()
        .await
        .expect("DescribeLogGroups");
    assert!(groups.log_groups().is_empty(), "no group in {REPLICA}");
}

#[tokio::test]
async fn another_teams_group_in_the_replica_region_is_refused_as_in_the_bots_region() {
    let (world, account, there) = replicated('4').await;
    let group = format!("/team-x/{}", unique("g"));
    there
        .logs
        .create_log_group()
        .log_group_name(&group)
        .tags("team", "x")
        .send()
        .await
        .unwrap();
    there
        .logs
        .put_retention_policy()
        .log_group_name(&group)
        .retention_in_days(7)
        .send()
        .await
        .unwrap();
    let before = world.snapshot().await;
    let args = with(
        world.target_args(),
        &["--log-group", &group, "--retention-days", "30"],
    );
    let out = tool(&account, cmd("apply", &args, &["--yes"])).await;
    expect_exit(&out, 64);
    let said = stderr(&out);
    assert!(
        said.contains(&format!("replicated to {REPLICA}")) && said.contains(&group),
        "the refusal names the replica region and the group:\n{said}"
    );
    assert_eq!(world.snapshot().await, before, "nothing changed");
    let found = there
        .logs
        .describe_log_groups()
        .log_group_name_prefix(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(found.log_groups()[0].retention_in_days(), Some(7));

    // Taken over (the flag), its retention is 30 there; destroy puts back 7 there, as recorded.
    let taken = with(args.clone(), &["--take-over-destinations"]);
    let out = tool(&account, cmd("apply", &taken, &["--yes"])).await;
    expect_exit(&out, 0);
    assert_eq!(retention_there(&there, &group).await, Some(30));
    let out = tool(&account, cmd("destroy", &args, &["--yes"])).await;
    expect_exit(&out, 0);
    assert!(
        stdout(&out).contains(&format!(
            "replica region {REPLICA}: log group {group} is another team's"
        )),
        "destroy says it puts the replica region's group back:\n{}",
        stdout(&out)
    );
    assert_eq!(retention_there(&there, &group).await, Some(7));
}

async fn retention_there(there: &Clients, group: &str) -> Option<i32> {
    let found = there
        .logs
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .unwrap();
    found.log_groups()[0].retention_in_days()
}

/// A saved plan of a replicated bot applies as it was made (its replica region's change is
/// reached with the same credentials there), and then logs in the replica region; one whose
/// replica was deleted since is refused with nothing changed.
#[tokio::test]
async fn a_saved_plan_of_a_replicated_bot_applies_and_is_refused_once_the_replica_is_gone() {
    let (world, account, there) = replicated('5').await;
    let group = world.log_group();
    let file = std::env::temp_dir().join(format!("{}.json", unique("replica-plan-")));
    let file = file.to_str().unwrap().to_string();
    let out = tool(
        &account,
        cmd("plan", &world.target_args(), &["--out", &file]),
    )
    .await;
    expect_exit(&out, 0);
    let out = tool(&account, vec!["apply".into(), file.clone()]).await;
    expect_exit(&out, 0);
    let session = say_in(&world, &account, REPLICA, "saved plan").await;
    assert_eq!(
        transcripts(&there, &group, &session).await,
        ["saved plan"],
        "{}",
        stderr(&out)
    );

    // Another world's plan, saved, then its replica deleted: refused, nothing changed.
    let (other, account, there) = replicated('6').await;
    let out = tool(
        &account,
        cmd("plan", &other.target_args(), &["--out", &file]),
    )
    .await;
    expect_exit(&out, 0);
    other
        .clients
        .lex
        .delete_bot_replica()
        .bot_id(&other.bot_id)
        .replica_region(REPLICA)
        .send()
        .await
        .expect("DeleteBotReplica");
    let before = other.snapshot().await;
    let out = tool(&account, vec!["apply".into(), file]).await;
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(REPLICA) && stderr(&out).contains("replicated to now"),
        "the refusal names the region no longer replicated to:
{}",
        stderr(&out)
    );
    assert_eq!(other.snapshot().await, before, "nothing changed");
    let groups = there
        .logs
        .describe_log_groups()
        .log_group_name_prefix(other.log_group())
        .send()
        .await
        .unwrap();
    assert!(groups.log_groups().is_empty(), "no group in {REPLICA}");
}

/// The posture finding LEXLOG010: none once apply has set up the replica region; when the group
/// there is deleted behind the tool's back, status finds it in JSON and SARIF, naming the region.
#[tokio::test]
async fn status_finds_a_replica_region_whose_group_is_gone() {
    let (world, account, there) = replicated('4').await;
    let target = world.target_args();
    expect_exit(&tool(&account, cmd("apply", &target, &["--yes"])).await, 0);
    let status = |output: &'static str| {
        let target = target.clone();
        let account = account.clone();
        async move { tool(&account, cmd("status", &target, &["--output", output])).await }
    };
    let ids = |report: &Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["alias"] == world.alias_name)
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let out = status("json").await;
    expect_exit(&out, 0);
    assert!(
        !ids(&crate::support::json_of(&out)).contains(&"LEXLOG010".to_string()),
        "{}",
        stdout(&out)
    );

    there
        .logs
        .delete_log_group()
        .log_group_name(world.log_group())
        .send()
        .await
        .expect("DeleteLogGroup in the replica region");
    let out = status("json").await;
    expect_exit(&out, 0);
    let report = crate::support::json_of(&out);
    assert!(
        ids(&report).contains(&"LEXLOG010".to_string()),
        "{report:#}"
    );
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "LEXLOG010")
        .unwrap();
    assert_eq!(finding["severity"], "high");
    assert!(
        finding["message"].as_str().unwrap().contains(REPLICA),
        "{finding:#}"
    );
    let sarif: Value = serde_json::from_str(&stdout(&status("sarif").await)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "LEXLOG010" && r["level"] == "error"),
        "{sarif:#}"
    );
}
