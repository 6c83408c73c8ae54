//! `status` posture findings on a fleet with one alias of each kind of finding (see `fleet`):
//! exactly those findings in the table, the JSON (against docs/schema) and SARIF (against the
//! OASIS SARIF 2.1.0 schema, vendored beside this file); `--rules` changes the verdicts;
//! `--fail-on` sets the exit code.

mod calls;
mod fleet;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::{expect_exit, run_tool_as, stderr, stdout, unique};

/// (bot, alias, id) of every finding of a status JSON document.
fn findings_of(status: &Value) -> BTreeSet<(String, String, String)> {
    status["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {status}"))
        .iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap().to_string();
            (text("bot"), text("alias"), text("id"))
        })
        .collect()
}

fn expected(rows: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    rows.iter()
        .map(|(b, a, i)| (b.to_string(), a.to_string(), i.to_string()))
        .collect()
}

/// Writes a rules file; returns its path.
fn rules_file(text: &str) -> String {
    let path = std::env::temp_dir().join(format!("{}.toml", unique("rules-")));
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// The SARIF 2.1.0 schema (OASIS, errata 01), draft 4.
fn sarif_validator() -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/posture/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[tokio::test]
async fn status_finds_exactly_the_fleets_findings_in_table_json_and_sarif() {
    let fleet = fleet::build().await;
    let account = fleet.account.as_str();
    let (main, child) = (&fleet.main.bot_name, &fleet.child.bot_name);
    let (forever, plain, long) = (
        &fleet.forever.bot_name,
        &fleet.plain.bot_name,
        &fleet.long.bot_name,
    );
    let bounds =
        rules_file("min_retention_days = 7\nmax_retention_days = 400\ncheck_slots = true\n");
    let all = expected(&[
        (main, "quiet", "LEXLOG001"),
        (main, "audio", "LEXLOG002"),
        (plain, "live", "LEXLOG003"),
        (forever, "live", "LEXLOG004"),
        (long, "live", "LEXLOG005"),
        (main, "theirs", "LEXLOG006"),
        (main, "sel", "LEXLOG007"),
        (child, "live", "LEXLOG008"),
        (main, "slots", "LEXLOG009"),
    ]);

    let args = ["status", "--all-bots", "--rules", &bounds];
    let json_args = [&args[..], &["--output", "json"]].concat();
    let out = run_tool_as(account, &json_args).await;
    expect_exit(&out, 0);
    let status = crate::schema::assert_matches("status", &out);
    assert_eq!(findings_of(&status), all, "{status:#}");
    assert_eq!(status["summary"]["findings"], 9);
    let dedicated = status["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["bot"] == long.as_str() && a["alias"] == "live")
        .unwrap();
    assert_eq!(dedicated["version"], "2", "{dedicated}");
    assert!(
        dedicated["role"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{}", fleet.long.role_name())),
        "{dedicated}"
    );
    let slots = status["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "LEXLOG009")
        .unwrap();
    assert!(
        slots["message"]
            .as_str()
            .unwrap()
            .ends_with("en_US/Order/Name"),
        "only the unmasked slot: {slots}"
    );
    let retention = status["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "LEXLOG005")
        .unwrap();
    assert!(retention["resource"]
        .as_str()
        .unwrap()
        .ends_with(&format!(":log-group:/aws/lex/{long}")));
    assert_eq!(retention["severity"], "medium");

    // The table lists the same findings, one line each.
    let out = run_tool_as(account, &args).await;
    expect_exit(&out, 0);
    let table = stdout(&out);
    let section = table
        .split("\nFindings:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{table}"));
    let mut listed = BTreeSet::new();
    for line in section.lines().filter(|l| l.starts_with("  - ")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let (bot, alias) = words[4].trim_end_matches(':').split_once('/').unwrap();
        listed.insert((bot.to_string(), alias.to_string(), words[2].to_string()));
    }
    assert_eq!(listed, all, "{table}");
    assert!(
        table.contains("9 finding(s): 2 high, 4 medium, 2 low, 1 info."),
        "{table}"
    );

    // SARIF: valid against the 2.1.0 schema, the same findings, levels from severities.
    let sarif_args = [&args[..], &["--output", "sarif"]].concat();
    let out = run_tool_as(account, &sarif_args).await;
    expect_exit(&out, 0);
    let sarif: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(&out), stderr(&out)));
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{sarif:#}");
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken), "the schema is enforced");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "lex-logs-setup");
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        lex_logs_setup::posture::RULES.len()
    );
    let results = run["results"].as_array().unwrap();
    let by_id = |id: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    let ids: BTreeSet<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 9, "{run:#}");
    assert_eq!(results.len(), 9);
    assert_eq!(by_id("LEXLOG006")["level"], "error");
    assert_eq!(by_id("LEXLOG001")["level"], "warning");
    assert_eq!(by_id("LEXLOG003")["level"], "note");
    let location = &by_id("LEXLOG008")["locations"][0];
    let alias_arn = location["logicalLocations"][0]["fullyQualifiedName"]
        .as_str()
        .unwrap();
    assert!(
        alias_arn.starts_with(&format!(
            "arn:aws:lex:us-east-1:{account}:bot-alias/{}/",
            fleet.child.bot_id
        )),
        "{location}"
    );
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        alias_arn.replace(':', "/")
    );
}

#[tokio::test]
async fn rules_change_the_verdicts_and_fail_on_sets_the_exit_code() {
    let fleet = fleet::build().await;
    let account = fleet.account.as_str();
    let (main, child) = (&fleet.main.bot_name, &fleet.child.bot_name);
    let (forever, plain, long) = (
        &fleet.forever.bot_name,
        &fleet.plain.bot_name,
        &fleet.long.bot_name,
    );
    let status = |extra: Vec<String>| async move {
        let mut args = vec![
            "status".to_string(),
            "--all-bots".into(),
            "--output".into(),
            "json".into(),
        ];
        args.extend(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_tool_as(account, &args).await
    };
    // The defaults: no bounds on retention, slots not read.
    let out = status(vec![]).await;
    expect_exit(&out, 0);
    let defaults = expected(&[
        (main, "quiet", "LEXLOG001"),
        (main, "audio", "LEXLOG002"),
        (plain, "live", "LEXLOG003"),
        (forever, "live", "LEXLOG004"),
        (main, "theirs", "LEXLOG006"),
        (main, "sel", "LEXLOG007"),
        (child, "live", "LEXLOG008"),
    ]);
    assert_eq!(findings_of(&crate::support::json_of(&out)), defaults);
    // --check-slots alone adds the slot finding.
    let out = status(vec!["--check-slots".into()]).await;
    let mut with_slots = defaults.clone();
    with_slots.insert((main.to_string(), "slots".into(), "LEXLOG009".into()));
    assert_eq!(findings_of(&crate::support::json_of(&out)), with_slots);

    // Stricter on TestBotAlias, laxer on keys, the main bot's audio alias ignored.
    let strict = rules_file(&format!(
        "test_alias_must_log = true\nrequired_cmk_text = false\nmax_retention_days = 3653\n\
         [[ignore]]\nfinding = \"audio-key-not-customer-managed\"\nbots = [\"{main}\"]\naliases = [\"aud*\"]\n\
         [[ignore]]\nfinding = \"LEXLOG007\"\n"
    ));
    let out = status(vec!["--rules".into(), strict.clone()]).await;
    expect_exit(&out, 0);
    let strict_findings = expected(&[
        (main, "quiet", "LEXLOG001"),
        (main, "TestBotAlias", "LEXLOG001"),
        (forever, "TestBotAlias", "LEXLOG001"),
        (plain, "TestBotAlias", "LEXLOG001"),
        (long, "TestBotAlias", "LEXLOG001"),
        (forever, "live", "LEXLOG004"),
        (main, "theirs", "LEXLOG006"),
        (child, "live", "LEXLOG008"),
    ]);
    assert_eq!(
        findings_of(&crate::support::json_of(&out)),
        strict_findings,
        "a child-directed bot's TestBotAlias is not asked to log"
    );

    // A bad rules file is refused before any read, with what it takes.
    let bad = rules_file("required_cmk = true\n");
    let out = run_tool_as(account, &["status", "--all-bots", "--rules", &bad]).await;
    expect_exit(&out, 64);
    assert!(
        stderr(&out).contains("unknown field `required_cmk`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("required_cmk_audio"),
        "{}",
        stderr(&out)
    );

    // --fail-on: the highest severity decides; without it the exit code is unchanged.
    for (bot, fail_on, code) in [
        (plain.as_str(), "low", 5), // LEXLOG003 is low
        (plain.as_str(), "medium", 0),
        (main.as_str(), "medium", 5), // LEXLOG001/002 are medium, LEXLOG006 high
        (main.as_str(), "high", 5),
        (long.as_str(), "low", 0), // no bounds by default: no finding at all
    ] {
        let out = run_tool_as(account, &["status", "--bot", bot, "--fail-on", fail_on]).await;
        assert_eq!(
            out.status.code(),
            Some(code),
            "{bot} --fail-on {fail_on}\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
    }
    let out = run_tool_as(
        account,
        &[
            "status",
            "--bot",
            main,
            "--fail-on",
            "medium",
            "--rules",
            &strict,
        ],
    )
    .await;
    expect_exit(&out, 5);
    let out = run_tool_as(
        account,
        &[
            "status",
            "--bot",
            plain,
            "--fail-on",
            "low",
            "--rules",
            &strict,
        ],
    )
    .await;
    expect_exit(&out, 5); // TestBotAlias must log now (medium)
    let out = run_tool_as(account, &["status", "--bot", main]).await;
    expect_exit(&out, 0);
    let out = run_tool_as(account, &["status", "--bot", main, "--fail-on", "info"]).await;
    expect_exit(&out, 64);
    let out = run_tool_as(
        account,
        &[
            "plan", "--bot", main, "--alias", "live", "--output", "sarif",
        ],
    )
    .await;
    expect_exit(&out, 64);
    assert!(
        stderr(&out).contains("--output sarif is for status only"),
        "{}",
        stderr(&out)
    );
}
