//! Unit tests of the static check: destinations, the verdict on roles, trust, permissions,
//! keys, and dates.

use super::destinations::group_name;
use super::*;
use crate::arn::Scope;
use serde_json::json;

const ACCOUNT: &str = "123456789012";
const ROLE: &str = "arn:aws:iam::123456789012:role/aws-service-role/lexv2.amazonaws.com/AWSServiceRoleForLexV2Bots_X";

fn scope() -> Scope {
    Scope {
        partition: "aws".into(),
        account: ACCOUNT.into(),
        region: "us-east-1".into(),
    }
}

fn lex_trust() -> NamedPolicy {
    NamedPolicy::new(
        "trust",
        json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    )
}

fn role(identity: Vec<Value>) -> RoleFacts {
    RoleFacts {
        arn: ROLE.into(),
        trust: lex_trust(),
        identity: identity
            .into_iter()
            .enumerate()
            .map(|(i, d)| NamedPolicy::new(format!("p{i} (inline)"), d))
            .collect(),
        boundary: None,
    }
}

fn logs_policy(resource: &str) -> Value {
    json!({"Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": resource}]})
}

fn text_dest() -> Destinations {
    Destinations {
        text: Some(TextDest {
            group_arn: format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot"),
            group: "/aws/lex/Bot".into(),
            prefix: "lex/".into(),
        }),
        audio: None,
    }
}

fn audio_dest(key: Option<&str>) -> Destinations {
    Destinations {
        text: None,
        audio: Some(AudioDest {
            bucket_arn: "arn:aws:s3:::calls".into(),
            bucket: "calls".into(),
            prefix: "lex-audio/".into(),
            kms_key: key.map(str::to_string),
        }),
    }
}

fn facts<'a>(
    role: Option<&'a RoleFacts>,
    destinations: &'a Destinations,
    key: Option<&'a KeyFacts>,
    scope: &'a Scope,
) -> AliasFacts<'a> {
    AliasFacts {
        scope,
        bot_id: "BOT",
        alias_id: "ALIAS",
        version: "1",
        locale: "en_US",
        session: "s1",
        today: "2026/01/02",
        runs_on: Some(ROLE),
        role,
        destinations,
        log_group_exists: true,
        bucket_exists: true,
        bucket_policy: None,
        key,
    }
}

#[test]
fn destinations_come_from_the_first_enabled_settings() {
    assert_eq!(
        group_name("arn:aws:logs:r:1:log-group:/a/b:*").as_deref(),
        Some("/a/b")
    );
    assert_eq!(
        group_name("arn:aws:logs:r:1:log-group:/a/b").as_deref(),
        Some("/a/b")
    );
    assert_eq!(group_name("arn:aws:s3:::b"), None);
    assert!(!destinations(None).configured());
}

#[test]
fn the_documented_policy_passes_and_the_stream_arn_is_precise() {
    let scope = scope();
    let r = role(vec![logs_policy(&format!(
        "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot:*"
    ))]);
    let dest = text_dest();
    let f = facts(Some(&r), &dest, None, &scope);
    assert_eq!(diagnose(&f), Diagnosis::default());
    assert_eq!(
        f.stream_arn(dest.text.as_ref().unwrap()),
        format!("arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot:log-stream:lex/BOT/ALIAS/en_US/2026/01/02")
    );
}

#[test]
fn a_missing_permission_names_the_role_the_actions_and_the_resource() {
    let scope = scope();
    // The group ARN alone does not reach its streams.
    let r = role(vec![logs_policy(&format!(
        "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot"
    ))]);
    let dest = text_dest();
    let d = diagnose(&facts(Some(&r), &dest, None, &scope));
    assert_eq!(d.text.len(), 1, "{d:?}");
    assert!(
        d.text[0].starts_with(&format!("role {ROLE} lacks logs:CreateLogStream and logs:PutLogEvents on arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lex/Bot:log-stream:lex/BOT/ALIAS/en_US/")),
        "{}",
        d.text[0]
    );
    // Only PutLogEvents missing.
    let r = role(vec![
        json!({"Statement": [{"Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": "*"}]}),
    ]);
    let d = diagnose(&facts(Some(&r), &dest, None, &scope));
    assert!(d.text[0].contains("lacks logs:PutLogEvents on"), "{d:?}");
    assert!(!d.text[0].contains("CreateLogStream"), "{d:?}");
}

#[test]
fn trust_problems_come_first_and_say_what_was_evaluated() {
    let scope = scope();
    let mut r = role(vec![logs_policy("*")]);
    r.trust = NamedPolicy::new(
        "trust",
        json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}}]}),
    );
    let dest = text_dest();
    let d = diagnose(&facts(Some(&r), &dest, None, &scope));
    assert_eq!(d.text.len(), 1, "{d:?}");
    assert!(
        d.text[0].starts_with("lexv2.amazonaws.com may not assume role"),
        "{d:?}"
    );
    assert!(
        d.text[0].contains("aws:SourceArn=arn:aws:lex:us-east-1:123456789012:bot-alias/BOT/ALIAS")
    );
}

#[test]
fn missing_roles_and_groups_are_reported() {
    let scope = scope();
    let dest = text_dest();
    let d = diagnose(&facts(None, &dest, None, &scope));
    assert!(d.text[0].contains("does not exist"), "{d:?}");
    let r = role(vec![logs_policy("*")]);
    let mut f = facts(Some(&r), &dest, None, &scope);
    f.log_group_exists = false;
    assert_eq!(diagnose(&f).text, vec!["log group /aws/lex/Bot does not exist (Lex does not create it; `lex-logs-setup apply` does)".to_string()]);
    f.runs_on = None;
    assert!(diagnose(&f).text[0].contains("has no role"));
}

#[test]
fn a_deny_statement_is_named() {
    let scope = scope();
    let r = role(vec![
        logs_policy("*"),
        json!({"Statement": [{"Sid": "NoLogs", "Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": "*"}]}),
    ]);
    let dest = text_dest();
    let d = diagnose(&facts(Some(&r), &dest, None, &scope));
    assert!(d.text[0].contains("lacks logs:PutLogEvents"), "{d:?}");
    assert!(
        d.text[0].contains("explicitly denied by statement \"NoLogs\" of policy p1 (inline)"),
        "{d:?}"
    );
}

#[test]
fn audio_needs_put_object_and_the_key() {
    let scope = scope();
    let key = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/k");
    let dest = audio_dest(Some(&key));
    let default_policy = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"}]});
    let usable = KeyFacts::Usable {
        arn: key.clone(),
        policy: Some(default_policy),
    };
    let s3_only = role(vec![
        json!({"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::calls/lex-audio/*"}]}),
    ]);
    let d = diagnose(&facts(Some(&s3_only), &dest, Some(&usable), &scope));
    assert_eq!(
        d.audio,
        vec![format!(
            "role {ROLE} lacks kms:GenerateDataKey on {key} (no policy of the role allows it)"
        )]
    );
    let both = role(vec![
        json!({"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::calls/lex-audio/*"}]}),
        json!({"Statement": [{"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key}]}),
    ]);
    assert_eq!(
        diagnose(&facts(Some(&both), &dest, Some(&usable), &scope)),
        Diagnosis::default()
    );
    // Another prefix.
    let elsewhere = audio_dest(None);
    let other = role(vec![
        json!({"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::calls/other/*"}]}),
    ]);
    let d = diagnose(&facts(Some(&other), &elsewhere, None, &scope));
    assert!(
        d.audio[0]
            .contains("lacks s3:PutObject on arn:aws:s3:::calls/lex-audio/BOT/ALIAS/en_US/s1/"),
        "{d:?}"
    );
    // A key policy that names only an admin: no delegation, and a warning.
    let narrow = KeyFacts::Usable {
        arn: key.clone(),
        policy: Some(
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/Admin"}, "Action": "kms:*", "Resource": "*"}]}),
        ),
    };
    let d = diagnose(&facts(Some(&both), &dest, Some(&narrow), &scope));
    assert!(d.audio[0].contains("neither allows role"), "{d:?}");
    assert!(
        d.warnings[0].contains("does not enable IAM policies"),
        "{d:?}"
    );
    // A key policy that names the role directly works without IAM.
    let direct = KeyFacts::Usable {
        arn: key.clone(),
        policy: Some(
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:GenerateDataKey*", "Resource": "*"}]}),
        ),
    };
    let d = diagnose(&facts(Some(&s3_only), &dest, Some(&direct), &scope));
    assert!(d.audio.is_empty(), "{d:?}");
    let missing = KeyFacts::Missing {
        key: "alias/gone".into(),
    };
    let d = diagnose(&facts(Some(&both), &dest, Some(&missing), &scope));
    assert_eq!(
        d.audio,
        vec!["KMS key alias/gone does not exist".to_string()]
    );
}

#[test]
fn utc_dates() {
    let at = |secs: u64| utc_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
    assert_eq!(at(0), "1970/01/01");
    assert_eq!(at(951_868_800), "2000/03/01");
    assert_eq!(at(1_709_164_800), "2024/02/29");
}

#[test]
fn what_observe_read_becomes_the_facts_judged() {
    use crate::observe::{ObservedKey, WriterPolicies};
    let missing = ObservedKey {
        given: "alias/gone".into(),
        found: None,
    };
    assert_eq!(
        key_facts(&missing),
        KeyFacts::Missing {
            key: "alias/gone".into()
        }
    );
    let state = crate::resources::role::RoleState {
        name: "Writer".into(),
        arn: ROLE.into(),
        trust: lex_trust().document,
        tags: Default::default(),
        attached: vec!["arn:aws:iam::aws:policy/Gone".into()],
        inline: [("ours".to_string(), logs_policy("*"))].into(),
        boundary: Some("arn:aws:iam::123456789012:policy/Ceiling".into()),
    };
    let found = WriterPolicies {
        state,
        managed: vec![
            ("arn:aws:iam::aws:policy/Gone".into(), None),
            (
                "arn:aws:iam::123456789012:policy/Kept".into(),
                Some(logs_policy("*")),
            ),
        ],
        boundary: Some(("arn:aws:iam::123456789012:policy/Ceiling".into(), None)),
    };
    let facts = role_facts(&found);
    let names: Vec<&str> = facts.identity.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Kept (managed)", "ours (inline)"],
        "a policy gone is left out"
    );
    assert_eq!(facts.trust.name, "the trust policy of Writer");
    let boundary = facts
        .boundary
        .expect("a boundary that cannot be read still bounds");
    assert_eq!(boundary.document, Value::Null, "and allows nothing");
}

fn put_object_policy() -> Value {
    json!({"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::calls/*"}]})
}

#[test]
fn a_key_open_only_through_s3_passes_and_other_services_do_not() {
    let scope = scope();
    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/k";
    let r = role(vec![put_object_policy()]);
    let dest = audio_dest(Some(KEY));
    let via = |service: &str| {
        json!({"Statement": [{"Sid": "ThroughS3", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:GenerateDataKey*", "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": service, "kms:CallerAccount": ACCOUNT},
                          "StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::calls/lex-audio/*"}}}]})
    };
    // The AWS-managed aws/s3 key's form: no IAM delegation, yet the role may use it through S3.
    let key = KeyFacts::Usable {
        arn: KEY.into(),
        policy: Some(via("s3.us-east-1.amazonaws.com")),
    };
    let d = diagnose(&facts(Some(&r), &dest, Some(&key), &scope));
    assert_eq!(d, Diagnosis::default());
    let key = KeyFacts::Usable {
        arn: KEY.into(),
        policy: Some(via("s3.eu-west-1.amazonaws.com")),
    };
    let d = diagnose(&facts(Some(&r), &dest, Some(&key), &scope));
    assert_eq!(d.audio.len(), 1, "{d:?}");
    assert!(d.audio[0].contains("neither allows role"), "{d:?}");
}

#[test]
fn a_bucket_policy_that_denies_lex_names_its_statement() {
    let scope = scope();
    let r = role(vec![put_object_policy()]);
    let dest = audio_dest(None);
    let vpce_only = json!({"Statement": [
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::calls/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "OnlyThroughVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::calls/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}]});
    let mut f = facts(Some(&r), &dest, None, &scope);
    f.bucket_policy = Some(&vpce_only);
    let d = diagnose(&f);
    assert_eq!(d.audio.len(), 1, "{d:?}");
    assert!(d.audio[0].contains("\"OnlyThroughVpce\""), "{d:?}");
    assert!(d.audio[0].contains("the policy of bucket calls"), "{d:?}");
    // A policy whose Deny does not match Lex's request (TLS only) is no problem.
    let tls_only = json!({"Statement": [vpce_only["Statement"][0].clone()]});
    f.bucket_policy = Some(&tls_only);
    assert_eq!(diagnose(&f), Diagnosis::default());
    // Required SSE-KMS: refused without a key on the alias, passed with one.
    let kms_only = json!({"Statement": [{"Sid": "KmsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::calls/*",
        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]});
    f.bucket_policy = Some(&kms_only);
    assert!(diagnose(&f).audio[0].contains("\"KmsOnly\""));
}

#[test]
fn a_bucket_of_another_account_is_said_to_be_one() {
    let scope = scope();
    let r = role(vec![put_object_policy()]);
    let dest = audio_dest(None);
    let mut f = facts(Some(&r), &dest, None, &scope);
    f.bucket_exists = false;
    let d = diagnose(&f);
    assert!(
        d.audio[0].contains("another account") && d.audio[0].contains(ACCOUNT),
        "{d:?}"
    );
}
