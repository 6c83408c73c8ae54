//! Unit tests of the status report: the table, the summary, drift and JSON.

use super::*;

fn alias(account: &str, bot: &str, alias: &str) -> AliasStatus {
    AliasStatus {
        account: account.into(),
        region: "eu-west-1".into(),
        bot: bot.into(),
        bot_id: format!("{bot}ID"),
        alias: alias.into(),
        alias_id: format!("{alias}ID"),
        version: "1".into(),
        role: Some(format!(
            "arn:aws:iam::{account}:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_{bot}"
        )),
        text: Channel::default(),
        audio: Channel::default(),
        drift: None,
        error: None,
        replicas: Vec::new(),
        alarm: None,
    }
}

fn logging(group: &str, ours: bool, can_write: bool) -> Channel {
    Channel {
        destination: Some(group.into()),
        ours,
        can_write: Some(can_write),
        problems: if can_write {
            vec![]
        } else {
            vec!["the role may not logs:PutLogEvents".into()]
        },
        selective: false,
        kms_key_id: None,
    }
}

#[test]
fn the_table_aligns_columns_marks_ours_and_explains_what_cannot_write() {
    let mut a = alias("111122223333", "OrderBot", "live");
    a.text = logging("/aws/lex/OrderBot", true, true);
    let mut b = alias("111122223333", "FaqBot", "prod");
    b.text = logging("/teams/other", false, false);
    let c = alias("111122223333", "FaqBot", "TestBotAlias");
    let report = StatusReport::new(vec![a, b, c], vec![]);
    let text = report.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("BOT "), "{text}");
    assert!(
        !lines[0].contains("ACCOUNT"),
        "one place: no account column\n{text}"
    );
    // Rows sorted by bot then alias; every column starts at the same offset.
    assert!(lines[1].starts_with("FaqBot    TestBotAlias"), "{text}");
    assert!(lines[3].starts_with("OrderBot  live"), "{text}");
    let col = |line: &str, what: &str| line.find(what).unwrap();
    assert_eq!(
        col(lines[0], "ROLE"),
        col(lines[3], "AWSServiceRoleForLexV2Bots_OrderBot")
    );
    assert!(lines[3].contains("/aws/lex/OrderBot (ours)"), "{text}");
    assert!(lines[2].contains("/teams/other (CANNOT WRITE)"), "{text}");
    assert!(
        text.contains("FaqBot/prod text: the role may not logs:PutLogEvents"),
        "{text}"
    );
    assert!(
        text.ends_with("2 bot(s), 3 alias(es): 2 logging, 1 cannot write, 0 drifted.\n"),
        "{text}"
    );
    assert!(!report.drifted());
}

#[test]
fn drift_is_counted_only_where_something_was_asked() {
    let mut asked = alias("111122223333", "OrderBot", "live");
    asked.drift = Some(vec!["~ alias[OrderBot/live]".into()]);
    let mut as_asked = alias("111122223333", "OrderBot", "beta");
    as_asked.drift = Some(vec![]);
    let not_asked = alias("111122223333", "FaqBot", "live");
    let report = StatusReport::new(vec![asked, as_asked, not_asked], vec![]);
    assert!(report.drifted());
    assert_eq!(report.summary.drifted, 1);
    let text = report.to_string();
    assert!(
        text.contains("1 change(s)") && text.contains("as asked"),
        "{text}"
    );
    assert!(
        text.contains("What apply would change:\n  - OrderBot/live: ~ alias[OrderBot/live]"),
        "{text}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["summary"]["drifted"], 1);
    let faq = json["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["bot"] == "FaqBot")
        .unwrap();
    assert!(faq.get("drift").is_none(), "not asked: no drift key");
    assert_eq!(faq["text"]["destination"], serde_json::Value::Null);
}

#[test]
fn several_accounts_and_regions_get_their_own_columns() {
    let a = alias("111122223333", "OrderBot", "live");
    let mut b = alias("444455556666", "OrderBot", "live");
    b.region = "us-west-2".into();
    let text = StatusReport::new(vec![b, a], vec![]).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("ACCOUNT       REGION     BOT"),
        "{text}"
    );
    assert!(lines[1].starts_with("111122223333  eu-west-1"), "{text}");
    assert!(lines[2].starts_with("444455556666  us-west-2"), "{text}");
    assert!(text.contains("2 bot(s), 2 alias(es)"), "{text}");
}

#[test]
fn no_bot_is_said_plainly() {
    assert_eq!(
        StatusReport::new(vec![], vec![]).to_string(),
        "No bots found.\n"
    );
}

#[test]
fn a_bot_that_cannot_be_read_is_a_row_and_is_counted() {
    let fine = alias("111122223333", "OrderBot", "live");
    let mut broken = alias("111122223333", "GoneBot", "*");
    broken.error = Some("lex:DescribeBotVersion on bot[GoneBot]: ResourceNotFoundException".into());
    broken.role = None;
    let report = StatusReport::new(vec![fine, broken], vec![]);
    assert!(report.incomplete() && !report.drifted());
    let text = report.to_string();
    assert!(text.contains("COULD NOT READ"), "{text}");
    assert!(
        text.contains("Could not read:\n  - GoneBot/*: lex:DescribeBotVersion on bot[GoneBot]"),
        "{text}"
    );
    assert!(
        text.ends_with("2 bot(s), 2 alias(es): 0 logging, 0 cannot write, 0 drifted, 1 bot(s) could not be read.\n"),
        "{text}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["summary"]["unreadable"], 1);
    assert_eq!(json["summary"]["bots"], 2);
}

#[test]
fn a_selective_channel_is_marked_in_the_table() {
    let mut a = alias("111122223333", "OrderBot", "live");
    a.text = Channel {
        selective: true,
        ..logging("/aws/lex/OrderBot", true, true)
    };
    let text = StatusReport::new(vec![a], vec![]).to_string();
    assert!(
        text.contains("/aws/lex/OrderBot (ours, selective)"),
        "{text}"
    );
    let json = serde_json::to_value(StatusReport::new(vec![alias("1", "B", "a")], vec![])).unwrap();
    assert_eq!(json["aliases"][0]["text"]["selective"], false);
}

#[test]
fn an_encrypted_log_group_is_marked_in_the_table_and_named_in_json() {
    let key = "arn:aws:kms:us-east-1:111122223333:key/k1";
    let mut a = alias("111122223333", "OrderBot", "live");
    a.text = Channel {
        kms_key_id: Some(key.into()),
        ..logging("/aws/lex/OrderBot", true, true)
    };
    let report = StatusReport::new(vec![a, alias("111122223333", "OrderBot", "beta")], vec![]);
    let text = report.to_string();
    assert!(
        text.contains("/aws/lex/OrderBot (ours, encrypted)"),
        "{text}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["aliases"][1]["text"]["kmsKeyId"], key);
    assert!(json["aliases"][0]["text"].get("kmsKeyId").is_none());
}

#[test]
fn a_replicated_alias_gets_a_replicas_column_saying_whether_each_region_is_covered() {
    let plain = alias("111122223333", "OrderBot", "live");
    assert!(!StatusReport::new(vec![plain.clone()], vec![])
        .to_string()
        .contains("REPLICAS"));
    let replica = |region: &str, exists: Option<bool>, granted: bool| ReplicaStatus {
        region: region.into(),
        log_group: Some("/aws/lex/OrderBot".into()),
        group_exists: exists,
        granted,
    };
    let mut replicated = plain;
    replicated.replicas = vec![
        replica("us-west-2", Some(true), true),
        replica("eu-central-1", Some(false), true),
        replica("eu-west-2", Some(true), false),
    ];
    let shown = StatusReport::new(vec![replicated.clone()], vec![]).to_string();
    assert!(shown.contains("REPLICAS"), "{shown}");
    assert!(
        shown.contains("us-west-2 (covered), eu-central-1 (NO GROUP), eu-west-2 (NOT GRANTED)"),
        "{shown}"
    );
    let json = serde_json::to_value(&replicated).unwrap();
    assert_eq!(
        json["replicas"][0],
        serde_json::json!({"region": "us-west-2", "logGroup": "/aws/lex/OrderBot", "groupExists": true, "granted": true})
    );
}

#[test]
fn alarms_get_a_column_only_when_an_alias_has_one() {
    let plain = StatusReport::new(vec![alias("111111111111", "B", "live")], vec![]).to_string();
    assert!(!plain.contains("ALARM"), "{plain}");
    let mut ours = alias("111111111111", "B", "live");
    ours.alarm = Some(AlarmStatus {
        name: "lex-logs-setup-BID-liveID-text-logs-stopped".into(),
        state: "ALARM".into(),
        ours: true,
    });
    let mut theirs = alias("111111111111", "B", "test");
    theirs.alarm = Some(AlarmStatus {
        name: "lex-logs-setup-BID-testID-text-logs-stopped".into(),
        state: "OK".into(),
        ours: false,
    });
    let none = alias("111111111111", "B", "zeta");
    let text = StatusReport::new(vec![ours, theirs, none], vec![]).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].trim_end().ends_with("ALARM"), "{text}");
    let row = |name: &str| {
        *lines
            .iter()
            .find(|l| l.contains(&format!(" {name} ")))
            .unwrap()
    };
    assert!(row("live").trim_end().ends_with("ALARM"), "{text}");
    assert!(row("test").trim_end().ends_with("OK (not ours)"), "{text}");
    assert!(row("zeta").trim_end().ends_with('-'), "{text}");
    let json = serde_json::to_value(StatusReport::new(vec![alias("1", "B", "x")], vec![])).unwrap();
    assert!(json["aliases"][0].get("alarm").is_none(), "{json}");
}
