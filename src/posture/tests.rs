//! The judgement of findings (each kind, its exceptions, the rules' effect), the rules file, and
//! the SARIF rendering.

use super::*;

const ALIAS_ARN: &str = "arn:aws:lex:eu-west-1:111122223333:bot-alias/BOT1234567/ALIAS12345";
const GROUP_ARN: &str = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lex/OrderBot";

/// An alias that logs text to an encrypted group with 30 days' retention: no finding under the
/// default rules.
fn sound() -> AliasFacts {
    AliasFacts {
        account: "111122223333".into(),
        region: "eu-west-1".into(),
        bot: "OrderBot".into(),
        alias: "live".into(),
        alias_arn: ALIAS_ARN.into(),
        test_alias: false,
        child_directed: false,
        text: Some(TextFacts {
            group_arn: GROUP_ARN.into(),
            group: Some(GroupFacts {
                retention_days: Some(30),
                kms_key_id: Some("arn:aws:kms:eu-west-1:111122223333:key/k".into()),
            }),
            selective: false,
        }),
        audio: None,
        cannot_write: Vec::new(),
        unmasked_slots: None,
        replicas_uncovered: Vec::new(),
    }
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.id.as_str()).collect()
}

fn judged(facts: &AliasFacts) -> Vec<Finding> {
    judge(facts, &Rules::default())
}

#[test]
fn a_sound_alias_has_no_finding() {
    assert_eq!(judged(&sound()), vec![]);
}

#[test]
fn text_logs_off_is_found_but_not_on_test_bot_alias_unless_the_rules_say_so() {
    let off = AliasFacts {
        text: None,
        ..sound()
    };
    let found = judged(&off);
    assert_eq!(ids(&found), ["LEXLOG001"]);
    assert_eq!(found[0].severity, Severity::Medium);
    assert_eq!(found[0].resource, ALIAS_ARN);
    assert_eq!(found[0].remedy, Check::TextLogsOff.rule().remedy);
    let test_alias = AliasFacts {
        alias: "TestBotAlias".into(),
        test_alias: true,
        ..off.clone()
    };
    assert_eq!(judged(&test_alias), vec![]);
    let strict = Rules {
        test_alias_must_log: true,
        ..Rules::default()
    };
    assert_eq!(ids(&judge(&test_alias, &strict)), ["LEXLOG001"]);
}

#[test]
fn audio_needs_a_customer_managed_key_unless_the_rules_waive_it() {
    let audio = |kms_key: Option<&str>, customer_managed: Option<bool>| AliasFacts {
        audio: Some(AudioFacts {
            kms_key: kms_key.map(str::to_string),
            customer_managed,
            selective: false,
        }),
        ..sound()
    };
    let none = judged(&audio(None, None));
    assert_eq!(ids(&none), ["LEXLOG002"]);
    assert!(
        none[0].message.contains("no KMS key"),
        "{}",
        none[0].message
    );
    let aws_managed = judged(&audio(Some("arn:aws:kms:k/aws-s3"), Some(false)));
    assert_eq!(ids(&aws_managed), ["LEXLOG002"]);
    assert!(aws_managed[0]
        .message
        .contains("AWS managed key arn:aws:kms:k/aws-s3"));
    assert_eq!(
        judged(&audio(Some("arn:aws:kms:k/mine"), Some(true))),
        vec![]
    );
    // A key that could not be read is the static check's to report, not this one's.
    assert_eq!(judged(&audio(Some("arn:aws:kms:k/gone"), None)), vec![]);
    let waived = Rules {
        required_cmk_audio: false,
        ..Rules::default()
    };
    assert_eq!(judge(&audio(None, None), &waived), vec![]);
}

fn with_group(retention_days: Option<i32>, kms_key_id: Option<&str>) -> AliasFacts {
    AliasFacts {
        text: Some(TextFacts {
            group_arn: GROUP_ARN.into(),
            group: Some(GroupFacts {
                retention_days,
                kms_key_id: kms_key_id.map(str::to_string),
            }),
            selective: false,
        }),
        ..sound()
    }
}

#[test]
fn the_log_group_key_and_retention_are_found_on_the_group() {
    let found = judged(&with_group(None, None));
    assert_eq!(ids(&found), ["LEXLOG003", "LEXLOG004"]);
    assert!(found
        .iter()
        .all(|f| f.resource == GROUP_ARN && f.alias_arn == ALIAS_ARN));
    assert_eq!(found[0].severity, Severity::Low);
    let waived = Rules {
        required_cmk_text: false,
        ..Rules::default()
    };
    assert_eq!(ids(&judge(&with_group(None, None), &waived)), ["LEXLOG004"]);
    // A group that does not exist is the static check's to report.
    let missing = AliasFacts {
        text: Some(TextFacts {
            group_arn: GROUP_ARN.into(),
            group: None,
            selective: false,
        }),
        ..sound()
    };
    assert_eq!(judged(&missing), vec![]);
}

#[test]
fn retention_is_judged_by_the_bounds_of_the_rules() {
    let key = Some("k");
    let bounded = Rules {
        min_retention_days: Some(30),
        max_retention_days: Some(400),
        ..Rules::default()
    };
    assert_eq!(judge(&with_group(Some(30), key), &bounded), vec![]);
    assert_eq!(judge(&with_group(Some(400), key), &bounded), vec![]);
    let short = judge(&with_group(Some(7), key), &bounded);
    assert_eq!(ids(&short), ["LEXLOG005"]);
    assert!(
        short[0].message.contains("7 days, outside 30..=400 days"),
        "{}",
        short[0].message
    );
    assert_eq!(
        ids(&judge(&with_group(Some(3653), key), &bounded)),
        ["LEXLOG005"]
    );
    // Without bounds any retention is fine; none at all is its own finding.
    assert_eq!(judged(&with_group(Some(3653), key)), vec![]);
    assert_eq!(ids(&judge(&with_group(None, key), &bounded)), ["LEXLOG004"]);
}

#[test]
fn a_role_that_cannot_write_is_high_and_says_why() {
    let broken = AliasFacts {
        cannot_write: vec!["text logs: logs:PutLogEvents is denied".into()],
        ..sound()
    };
    let found = judged(&broken);
    assert_eq!(ids(&found), ["LEXLOG006"]);
    assert_eq!(found[0].severity, Severity::High);
    assert!(found[0].message.contains("logs:PutLogEvents is denied"));
}

#[test]
fn selective_capture_is_information() {
    let mut selective = sound();
    selective.text.as_mut().unwrap().selective = true;
    selective.audio = Some(AudioFacts {
        kms_key: Some("k".into()),
        customer_managed: Some(true),
        selective: true,
    });
    let found = judged(&selective);
    assert_eq!(ids(&found), ["LEXLOG007"]);
    assert_eq!(found[0].severity, Severity::Info);
    assert!(found[0].message.contains("text and audio"));
}

#[test]
fn a_child_directed_bot_may_not_log_and_is_not_asked_to() {
    let logging = AliasFacts {
        child_directed: true,
        ..sound()
    };
    let found = judged(&logging);
    assert_eq!(ids(&found), ["LEXLOG008"]);
    assert_eq!(found[0].severity, Severity::High);
    let silent = AliasFacts {
        child_directed: true,
        text: None,
        ..sound()
    };
    assert_eq!(
        judged(&silent),
        vec![],
        "no text-logs-off for a bot that may not log"
    );
}

#[test]
fn a_replica_region_without_logs_is_found_and_can_be_ignored_per_bot() {
    let facts = AliasFacts {
        replicas_uncovered: vec!["us-west-2 (no log group /aws/lex/OrderBot there)".into()],
        ..sound()
    };
    let found = judged(&facts);
    assert_eq!(ids(&found), ["LEXLOG010"]);
    assert_eq!(found[0].severity, Severity::High);
    assert!(found[0].message.contains("us-west-2"), "{:?}", found[0]);
    assert_eq!(found[0].resource, ALIAS_ARN);
    let rules: Rules =
        toml::from_str("[[ignore]]\nfinding = \"replica-not-covered\"\nbots = [\"Order*\"]\n")
            .unwrap();
    assert!(judge(&facts, &rules).is_empty());
}

#[test]
fn unmasked_slots_are_found_only_when_read_and_text_logs_are_on() {
    let slots = |s: Option<Vec<&str>>| AliasFacts {
        unmasked_slots: s.map(|v| v.into_iter().map(str::to_string).collect()),
        ..sound()
    };
    let found = judged(&slots(Some(vec![
        "en_US/Order/CardNumber",
        "en_US/Order/Name",
    ])));
    assert_eq!(ids(&found), ["LEXLOG009"]);
    assert!(found[0]
        .message
        .contains("en_US/Order/CardNumber, en_US/Order/Name"));
    assert_eq!(judged(&slots(Some(vec![]))), vec![]);
    assert_eq!(judged(&slots(None)), vec![], "not read: not judged");
    let no_text = AliasFacts {
        text: None,
        test_alias: true,
        ..slots(Some(vec!["en_US/Order/CardNumber"]))
    };
    assert_eq!(
        judged(&no_text),
        vec![],
        "slots are masked in text logs only"
    );
}

#[test]
fn findings_come_in_id_order_and_ignores_match_bot_and_alias_globs() {
    let mut everything = with_group(None, None);
    everything.cannot_write = vec!["audio logs: s3:PutObject is denied".into()];
    everything.audio = Some(AudioFacts::default());
    everything.text.as_mut().unwrap().selective = true;
    everything.unmasked_slots = Some(vec!["en_US/I/S".into()]);
    let all = judged(&everything);
    assert_eq!(
        ids(&all),
        [
            "LEXLOG002",
            "LEXLOG003",
            "LEXLOG004",
            "LEXLOG006",
            "LEXLOG007",
            "LEXLOG009"
        ]
    );
    let rules = Rules::parse(
        r#"
        [[ignore]]
        finding = "LEXLOG003"
        bots = ["Order*"]
        [[ignore]]
        finding = "selective-capture"
        bots = ["*"]
        aliases = ["dev-?"]
        "#,
    )
    .unwrap();
    assert_eq!(
        ids(&judge(&everything, &rules)),
        [
            "LEXLOG002",
            "LEXLOG004",
            "LEXLOG006",
            "LEXLOG007",
            "LEXLOG009"
        ],
        "the alias is not dev-?: selective capture stays"
    );
    let dev = AliasFacts {
        alias: "dev-1".into(),
        ..everything.clone()
    };
    assert_eq!(
        ids(&judge(&dev, &rules)),
        ["LEXLOG002", "LEXLOG004", "LEXLOG006", "LEXLOG009"]
    );
    let other_bot = AliasFacts {
        bot: "PayBot".into(),
        ..everything
    };
    assert!(ids(&judge(&other_bot, &rules)).contains(&"LEXLOG003"));
}

#[test]
fn the_rules_file_has_documented_defaults_and_refuses_what_it_does_not_know() {
    assert_eq!(Rules::parse("").unwrap(), Rules::default());
    let d = Rules::default();
    assert!(d.required_cmk_audio && d.required_cmk_text && !d.test_alias_must_log);
    assert!(!d.check_slots && d.ignore.is_empty());
    assert_eq!((d.min_retention_days, d.max_retention_days), (None, None));
    let full = Rules::parse(
        "required_cmk_audio = false\nrequired_cmk_text = false\nmin_retention_days = 30\n\
         max_retention_days = 365\ntest_alias_must_log = true\ncheck_slots = true\n",
    )
    .unwrap();
    assert_eq!(
        (full.min_retention_days, full.max_retention_days),
        (Some(30), Some(365))
    );
    assert!(!full.required_cmk_audio && !full.required_cmk_text);
    assert!(full.test_alias_must_log && full.check_slots);
    let (message, hint) = Rules::parse("required_cmk = true").unwrap_err();
    assert!(
        message.contains("unknown field `required_cmk`"),
        "{message}"
    );
    assert!(hint.contains("required_cmk_audio"), "{hint}");
    let (message, hint) = Rules::parse("[[ignore]]\nfinding = \"LEXLOG999\"").unwrap_err();
    assert!(message.contains("LEXLOG999"), "{message}");
    assert!(hint.contains("LEXLOG001"), "{hint}");
    let (message, _) =
        Rules::parse("[[ignore]]\nfinding = \"LEXLOG001\"\nbot = [\"x\"]").unwrap_err();
    assert!(message.contains("unknown field `bot`"), "{message}");
    let (message, _) =
        Rules::parse("min_retention_days = 90\nmax_retention_days = 30").unwrap_err();
    assert!(message.contains("above max_retention_days"), "{message}");
    let (message, _) = Rules::parse("min_retention_days = 0").unwrap_err();
    assert!(message.contains("at least 1 day"), "{message}");
}

#[test]
fn every_rule_has_a_distinct_stable_id_and_a_name_that_finds_it() {
    for (i, rule) in RULES.iter().enumerate() {
        assert_eq!(rule.id, format!("LEXLOG{:03}", i + 1));
        assert_eq!(rule_named(rule.name), Some(rule));
        assert_eq!(rule_named(&rule.id.to_lowercase()), Some(rule));
        assert_eq!(rule.check.rule(), rule);
        assert!(!rule.checks.is_empty() && !rule.remedy.is_empty());
    }
}

#[test]
fn sarif_maps_severity_to_level_and_locates_results_at_the_alias() {
    let mut facts = with_group(None, None);
    facts.child_directed = true;
    let findings = judged(&facts);
    assert_eq!(ids(&findings), ["LEXLOG003", "LEXLOG004", "LEXLOG008"]);
    let log = sarif::log(&findings, "1.2.3", &[]);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["version"], "1.2.3");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    assert_eq!(rules[5]["id"], "LEXLOG006");
    assert_eq!(rules[5]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "warning");
    assert_eq!(rules[2]["defaultConfiguration"]["level"], "note");
    assert_eq!(rules[6]["defaultConfiguration"]["level"], "note");
    assert!(rules[6]["properties"].get("security-severity").is_none());
    assert_eq!(rules[7]["properties"]["security-severity"], "8.0");
    assert!(rules[0]["help"]["text"]
        .as_str()
        .unwrap()
        .contains("What to do: Turn text logs on"));
    let results = run["results"].as_array().unwrap();
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["note", "note", "error"]);
    assert_eq!(results[2]["ruleIndex"], 7);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let failed = sarif::log(&[], "1.2.3", &["OrderBot: AccessDenied".into()]);
    let invocation = &failed["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["message"]["text"],
        "could not read OrderBot: AccessDenied"
    );
    let location = &results[0]["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "arn/aws/lex/eu-west-1/111122223333/bot-alias/BOT1234567/ALIAS12345"
    );
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        ALIAS_ARN
    );
    assert_eq!(
        location["logicalLocations"][1]["fullyQualifiedName"],
        GROUP_ARN
    );
    assert_eq!(
        results[2]["locations"][0]["logicalLocations"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "a finding on the alias itself names it once"
    );
}
