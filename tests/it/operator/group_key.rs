//! The operator policy printed for `--log-group-kms-key` allows the key calls the tool makes
//! (AssociateKmsKey, and DisassociateKmsKey when a rollback takes the key off again), on that log
//! group only; both modes.

use serde_json::json;

use crate::proxy::Fault;
use crate::support::{World, ACCOUNT, REGION};

use super::coverage::record;
use super::needs::{allows, needs_of, Need};

/// A key whose policy lets CloudWatch Logs use it for `group`; its ARN.
async fn key_for(world: &World, group: &str) -> String {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": format!("logs.{REGION}.amazonaws.com")},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
         "Resource": "*", "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn":
            format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}")}}}]});
    let made = world
        .clients
        .kms
        .create_key()
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
    made.key_metadata().unwrap().arn().unwrap().to_string()
}

#[tokio::test]
async fn the_operator_policy_allows_the_key_calls_on_the_encrypted_group_only() {
    for dedicated in [false, true] {
        let world = World::new().await;
        let group = world.log_group();
        let key = key_for(&world, &group).await;
        let target = match dedicated {
            true => world.dedicated_args(),
            false => world.target_args(),
        };
        let target: Vec<&str> = target.iter().map(String::as_str).collect();
        let mut runs = vec![record("apply", &target, Fault::None, 0).await];
        let mut keyed = target.clone();
        keyed.extend(["--log-group-kms-key", &key]);
        let mut failing = keyed.clone();
        failing.extend(["--audio-bucket", &world.bucket]);
        let rejected = Fault::RejectOperation("lex:UpdateBotAlias");
        runs.push(record("apply", &failing, rejected, 1).await);
        runs.push(record("apply", &keyed, Fault::None, 0).await);
        runs.push(record("destroy", &keyed, Fault::None, 0).await);
        let mut seen = Vec::new();
        for run in &runs {
            for call in run.calls.iter().filter(|c| c.operation.ends_with("KmsKey")) {
                seen.push(call.operation.clone());
                for need in needs_of(call, &Default::default()) {
                    assert!(allows(&run.scoped, &need), "{need:?} not allowed");
                    let elsewhere = Need::on(
                        need.action.clone(),
                        format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/team-x/other"),
                    );
                    assert!(!allows(&run.scoped, &elsewhere), "{elsewhere:?} allowed");
                }
            }
        }
        assert_eq!(
            seen,
            ["AssociateKmsKey", "DisassociateKmsKey", "AssociateKmsKey"],
            "dedicated: {dedicated}"
        );
    }
}
