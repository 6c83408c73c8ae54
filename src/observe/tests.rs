//! Unit tests of the read paths' pure parts: the one rule for the role that writes an alias's
//! logs, and the plan's check of a KMS key as read.

use std::collections::BTreeMap;

use aws_sdk_lexmodelsv2::operation::describe_bot::DescribeBotOutput;
use aws_sdk_lexmodelsv2::operation::describe_bot_alias::DescribeBotAliasOutput;
use serde_json::json;

use super::keys::{FoundKey, ObservedKey};
use super::writers::writer_role;
use crate::resources::alias::Alias;
use crate::resources::bot::Bot;
use crate::resources::version_contents::VersionContents;

const BOT_ROLE: &str = "arn:aws:iam::123456789012:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_A";
const VERSION_ROLE: &str = "arn:aws:iam::123456789012:role/Customer";

fn bot() -> Bot {
    Bot {
        id: "BOTID12345".into(),
        name: "OrderBot".into(),
        described: DescribeBotOutput::builder()
            .bot_id("BOTID12345")
            .role_arn(BOT_ROLE)
            .build(),
    }
}

fn alias_on(version: &str) -> Alias {
    Alias {
        id: format!("ALIAS{version}"),
        name: format!("on-{version}"),
        described: DescribeBotAliasOutput::builder()
            .bot_version(version)
            .build(),
        runs_on: None,
        tags: Default::default(),
    }
}

fn versions() -> BTreeMap<String, VersionContents> {
    let on_customer = VersionContents {
        role: Some(VERSION_ROLE.into()),
        child_directed: None,
        idle_session_ttl: None,
        locales: BTreeMap::new(),
    };
    BTreeMap::from([("2".to_string(), on_customer)])
}

#[test]
fn draft_is_written_by_the_bots_role_a_version_by_its_own() {
    let (bot, versions) = (bot(), versions());
    assert_eq!(
        writer_role(&alias_on("DRAFT"), &bot, &versions).as_deref(),
        Some(BOT_ROLE)
    );
    assert_eq!(
        writer_role(&alias_on("2"), &bot, &versions).as_deref(),
        Some(VERSION_ROLE),
        "a version keeps the role it was built with, whatever the bot runs on now"
    );
    assert_eq!(
        writer_role(&alias_on("3"), &bot, &versions),
        None,
        "a version not described (deleted) has no known writer"
    );
}

fn found(enabled: bool, symmetric: bool, policy: Option<serde_json::Value>) -> ObservedKey {
    ObservedKey {
        given: "alias/audio".into(),
        found: Some(FoundKey {
            arn: "arn:aws:kms:us-east-1:123456789012:key/k".into(),
            account: "123456789012".into(),
            symmetric_encryption: symmetric,
            customer_managed: true,
            kind: "RSA_2048 for SIGN_VERIFY".into(),
            enabled,
            state: if enabled { "Enabled" } else { "Disabled" }.into(),
            policy,
        }),
    }
}

#[test]
fn the_plan_takes_only_an_enabled_symmetric_key_and_says_whether_iam_may_grant_it() {
    let missing = ObservedKey {
        given: "alias/gone".into(),
        found: None,
    };
    let err = missing.for_audio().unwrap_err().to_string();
    assert!(err.contains("\"alias/gone\" does not exist"), "{err}");
    let err = found(true, false, None)
        .for_audio()
        .unwrap_err()
        .to_string();
    assert!(err.contains("RSA_2048 for SIGN_VERIFY"), "{err}");
    let err = found(false, true, None)
        .for_audio()
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not enabled"), "{err}");

    let default_policy = json!({"Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]});
    let usable = found(true, true, Some(default_policy)).for_audio().unwrap();
    assert_eq!(usable.arn, "arn:aws:kms:us-east-1:123456789012:key/k");
    assert_eq!(usable.iam_policies_enabled, Some(true));
    let unread = found(true, true, None).for_audio().unwrap();
    assert_eq!(
        unread.iam_policies_enabled, None,
        "a policy not read is unknown"
    );
}

#[test]
fn a_text_log_group_takes_a_key_only_when_cloudwatch_logs_may_use_it_for_the_group() {
    let group = "arn:aws:logs:us-east-1:123456789012:log-group:/lex/calls";
    let root = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*", "Resource": "*"});
    let err = found(true, true, Some(json!({"Statement": [root.clone()]})))
        .for_log_group(group)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cannot encrypt log group") && err.contains("never edits a key policy"),
        "{err}"
    );
    // The statement to add is printed, for this group and region.
    assert!(
        err.contains("\"logs.us-east-1.amazonaws.com\"")
            && err.contains("\"kms:EncryptionContext:aws:logs:arn\": \"arn:aws:logs:us-east-1:123456789012:log-group:/lex/calls\""),
        "{err}"
    );
    let statement = crate::iam_eval::logs_key::logs_key_statement(group);
    let admitted = found(true, true, Some(json!({"Statement": [root, statement]})));
    assert_eq!(
        admitted.for_log_group(group).unwrap(),
        "arn:aws:kms:us-east-1:123456789012:key/k"
    );
    assert!(found(true, false, None)
        .for_log_group(group)
        .unwrap_err()
        .to_string()
        .contains("only symmetric encryption keys"));
    assert!(found(false, true, None)
        .for_log_group(group)
        .unwrap_err()
        .to_string()
        .contains("--log-group-kms-key"));
    let missing = ObservedKey {
        given: "alias/gone".into(),
        found: None,
    };
    let err = missing.for_log_group(group).unwrap_err().to_string();
    assert!(err.contains("\"alias/gone\" does not exist"), "{err}");
}
