//! Planner tests of what a real account limits or refuses: a disabled setting of another team is
//! not taken over, the account's quota of attached policies, the aggregate size of a service-linked
//! role's inline policies, a bucket policy that refuses Lex, a key open to the account through S3.

use aws_sdk_lexmodelsv2::types::ConversationLogSettings;
use serde_json::json;

use super::in_place::{customer, find, slr, spec, world, writer};
use super::take_over::{foreign_audio_enabled, foreign_text_enabled};
use super::WithSettings;
use crate::planner::*;
use crate::resources::destination::{BucketState, KeyInfo};

fn with_foreign(enabled: bool) -> crate::observe::Observed {
    let mut obs = world();
    let theirs = ConversationLogSettings::builder()
        .text_log_settings(foreign_text_enabled("/team-x/lex", enabled))
        .audio_log_settings(foreign_audio_enabled(enabled))
        .build();
    obs.aliases[1].described = obs.aliases[1]
        .described
        .clone()
        .to_builder_with(Some(theirs));
    obs
}

#[test]
fn a_disabled_setting_naming_another_teams_destination_is_not_taken_over() {
    let err = plan_apply(&spec(true, true), &with_foreign(true))
        .unwrap_err()
        .to_string();
    assert!(err.contains("--take-over-destinations"), "{err}");
    for (text, audio) in [(true, true), (true, false), (false, true)] {
        let plan = plan_apply(&spec(text, audio), &with_foreign(false)).unwrap();
        assert!(
            plan.changes
                .iter()
                .all(|c| c.address.to_string() != "alias_record[PizzaBot/beta]"),
            "no take-over record for a disabled setting"
        );
        find(&plan, "alias[PizzaBot/beta]");
    }
}

#[test]
fn the_accounts_quota_of_attached_policies_is_honoured() {
    let mut obs = world();
    let arn = customer("pizza-runtime");
    obs.writers.insert(arn.clone(), writer(&arn, 10, &[]));
    obs.attached_policies_quota = Some(20);
    let plan = plan_apply(&spec(true, false), &obs).unwrap();
    let attachment = plan.changes.iter().find(|c| {
        c.address
            .to_string()
            .starts_with("attachment[pizza-runtime")
    });
    assert!(attachment.is_some(), "the 11th policy is attached");
    obs.attached_policies_quota = Some(10);
    let err = plan_apply(&spec(true, false), &obs)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("AttachedPoliciesPerRoleQuota") && err.contains("allows 10 per role"),
        "{err}"
    );
    obs.attached_policies_quota = None;
    let err = plan_apply(&spec(true, false), &obs)
        .unwrap_err()
        .to_string();
    assert!(err.contains("IAM's default quota allows 10"), "{err}");
}

#[test]
fn a_service_linked_role_whose_inline_policies_are_full_is_refused_with_the_sizes() {
    let mut obs = world();
    let arn = slr("Pizza");
    let big = json!({"Version": "2012-10-17", "Statement": [{"Sid": "x".repeat(10_000), "Effect": "Allow", "Action": "comprehend:DetectSentiment", "Resource": "*"}]});
    obs.writers
        .insert(arn.clone(), writer(&arn, 1, &[("LexSentiment", big)]));
    let err = plan_apply(&spec(true, true), &obs).unwrap_err().to_string();
    assert!(
        err.contains("AWSServiceRoleForLexV2Bots_Pizza")
            && err.contains("LexSentiment 10")
            && err.contains("10240"),
        "{err}"
    );
    // A small one leaves room.
    let small = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "comprehend:DetectSentiment", "Resource": "*"}]});
    obs.writers
        .insert(arn.clone(), writer(&arn, 1, &[("LexSentiment", small)]));
    assert!(plan_apply(&spec(true, true), &obs).is_ok());
}

#[test]
fn a_bucket_policy_that_refuses_lex_is_a_warning_naming_the_statement() {
    let mut obs = world();
    let policy = json!({"Statement": [{"Sid": "OnlyThroughVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": "arn:aws:s3:::audio-bucket/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}]});
    obs.bucket = Some(BucketState {
        name: "audio-bucket".into(),
        region: Some("us-west-2".into()),
        default_kms_key: None,
        policy: Some(policy),
    });
    let plan = plan_apply(&spec(false, true), &obs).unwrap();
    let warnings: Vec<&String> = plan
        .notes
        .iter()
        .filter(|n| n.contains("OnlyThroughVpce"))
        .collect();
    // One per role that writes: the service-linked role and the customer role.
    assert_eq!(warnings.len(), 2, "{:?}", plan.notes);
    assert!(warnings[0].starts_with("warning: bucket audio-bucket refuses"));
    obs.bucket.as_mut().unwrap().policy = Some(
        json!({"Statement": [{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": "arn:aws:s3:::audio-bucket/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}),
    );
    let plan = plan_apply(&spec(false, true), &obs).unwrap();
    assert!(!plan.notes.iter().any(|n| n.contains("TlsOnly")));
}

#[test]
fn a_key_open_to_the_account_through_s3_is_not_called_out() {
    let mut obs = world();
    let key = |via_s3| KeyInfo {
        arn: "arn:aws:kms:us-west-2:444455556666:key/k".into(),
        iam_policies_enabled: Some(false),
        allows_account_via_s3: via_s3,
    };
    obs.kms_key = Some(key(true));
    let plan = plan_apply(&spec(false, true), &obs).unwrap();
    assert!(!plan.notes.iter().any(|n| n.contains("key policy")));
    obs.kms_key = Some(key(false));
    let plan = plan_apply(&spec(false, true), &obs).unwrap();
    assert!(plan.notes.iter().any(|n| n.contains("key policy")));
}
