//! The calls `status` makes for a fleet, counted by operation through the proxy: what an account
//! listing answers for every bot is asked once per account (and region), not once per bot; a
//! listing that is refused falls back to reading each bot's names, with the same report.
//! (`tests/bench` measures the calls per bot of larger fleets; this counts a small one.)

use std::collections::BTreeMap;

use serde_json::Value;

use crate::proxy::{Call, Fault, FaultProxy};
use crate::support::{expect_exit, fresh_account, stdout, tool_command_as, unique, World};

const OTHER_REGION: &str = "eu-west-1";

/// How many calls of each `service:Operation` were made.
fn by_operation(calls: &[Call]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for c in calls {
        *counts
            .entry(format!("{}:{}", c.service, c.operation))
            .or_insert(0) += 1;
    }
    counts
}

fn count(counts: &BTreeMap<String, usize>, operation: &str) -> usize {
    counts.get(operation).copied().unwrap_or(0)
}

/// `status` with `args` as `account` through a proxy with `fault`: the report and the calls.
async fn status(account: &str, fault: Fault, args: &[&str]) -> (Value, Vec<Call>) {
    let proxy = FaultProxy::start(fault).await;
    let mut all = vec!["status", "--output", "json"];
    all.extend(args);
    let out = tool_command_as(account, &proxy.endpoint, &all)
        .output()
        .await
        .expect("the binary runs");
    expect_exit(&out, 0);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    (report, proxy.calls())
}

/// The alarm cell of the row of `bot`'s `alias`.
fn alarm_of<'a>(report: &'a Value, bot: &str, alias: &str) -> &'a Value {
    let rows = report["aliases"].as_array().unwrap();
    let row = rows.iter().find(|r| r["bot"] == bot && r["alias"] == alias);
    &row.unwrap_or_else(|| panic!("no row for {bot}/{alias}: {report}"))["alarm"]
}

/// Three bots with logs on `live` in one account and region, two of them with our alarm, and a
/// fourth bot with an alarm in another region of the account: status reads our alarms with one
/// DescribeAlarms per account and region (the bots' alarm tags, one call per alarm found), finds
/// each bot and its aliases in the listings it found the bots with (`--all-bots`), and reads each
/// alias once; refused the alarms' listing, it reads each bot's alarms by name and reports the
/// same.
#[tokio::test]
async fn status_lists_our_alarms_once_per_account_and_region_not_per_bot() {
    let account = fresh_account('6');
    let (a, b, c, there) = tokio::join!(
        World::new_in(&account),
        World::new_in(&account),
        World::new_in(&account),
        World::new_in_region(&account, OTHER_REGION),
    );
    let target = |w: &World, alarm: bool, region: Option<&str>| {
        let mut t = format!(
            "[[target]]\nbot = \"{}\"\naliases = [\"live\"]\n",
            w.bot_name
        );
        if alarm {
            t.push_str("alarm = true\n");
        }
        if let Some(region) = region {
            t.push_str(&format!("region = \"{region}\"\n"));
        }
        t + "\n"
    };
    let config = [
        target(&a, true, None),
        target(&b, true, None),
        target(&c, false, None),
        target(&there, true, Some(OTHER_REGION)),
    ]
    .concat();
    let path = std::env::temp_dir().join(format!("{}.toml", unique("status-calls-")));
    std::fs::write(&path, config).unwrap();
    let path = path.to_str().unwrap();
    let out = tool_command_as(
        &account,
        &crate::support::endpoint(),
        &["apply", "--config", path, "--yes", "-q"],
    )
    .output()
    .await
    .unwrap();
    expect_exit(&out, 0);

    // Two places (this region, the other): one listing of our alarms in each.
    let (report, calls) = status(&account, Fault::None, &["--config", path]).await;
    let counts = by_operation(&calls);
    for w in [&a, &b, &there] {
        let alarm = alarm_of(&report, &w.bot_name, "live");
        assert_eq!(alarm["ours"], true, "{}: {report}", w.bot_name);
    }
    assert!(alarm_of(&report, &c.bot_name, "live").is_null(), "{report}");
    assert_eq!(
        count(&counts, "cloudwatch:DescribeAlarms"),
        2,
        "one per account and region: {counts:?}"
    );
    assert_eq!(
        count(&counts, "cloudwatch:ListTagsForResource"),
        3,
        "{counts:?}"
    );

    // Every bot of this region: three bots, two aliases each.
    let (listed, calls) = status(&account, Fault::None, &["--all-bots"]).await;
    let counts = by_operation(&calls);
    assert_eq!(listed["aliases"].as_array().unwrap().len(), 6, "{listed}");
    for (operation, once) in [
        ("cloudwatch:DescribeAlarms", 1),
        ("cloudwatch:ListTagsForResource", 2),
        ("iam:ListRoles", 1),
        ("iam:ListPolicies", 1),
        ("sts:GetCallerIdentity", 1),
        ("lex:ListBots", 1),
        ("lex:ListBotAliases", 3),
        ("lex:DescribeBot", 3),
        ("lex:DescribeBotAlias", 6),
    ] {
        assert_eq!(count(&counts, operation), once, "{operation}: {counts:?}");
    }

    // The listing refused: each bot's alarms by name, and the same report.
    let refused = Fault::RejectOperation("cloudwatch:DescribeAlarms");
    let (probed, calls) = status(&account, refused, &["--all-bots"]).await;
    let counts = by_operation(&calls);
    assert_eq!(
        count(&counts, "cloudwatch:DescribeAlarms"),
        1 + 3,
        "the refused listing, then one per bot: {counts:?}"
    );
    assert_eq!(probed, listed, "the same report without the listing");

    // The bots' listing refused: listed again as before, and each bot found by name.
    let refused = Fault::RejectOperation("lex:ListBots");
    let (probed, calls) = status(&account, refused, &["--all-bots"]).await;
    let counts = by_operation(&calls);
    assert_eq!(
        count(&counts, "lex:ListBots"),
        2 + 3,
        "the refused listing, the bots' listing, then one per bot: {counts:?}"
    );
    assert_eq!(probed, listed, "the same report without the listing");
}
