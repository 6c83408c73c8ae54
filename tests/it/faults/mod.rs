//! Reliability under injected faults: every mutating call of a fresh apply and of a destroy
//! rejected or lost (in place, the default, and with a dedicated role), Ctrl-C at several points,
//! bad input, concurrent applies, and secrets.

use std::process::Output;

use serde_json::Value;

use crate::support::{tool_command, World};

mod bad_input;
mod broken_calls;
mod concurrency;
mod foreign_policy;
mod honest_interrupts;
mod interrupts;
mod prefixes;
mod secrets;
mod verify_interrupt;

/// The two ways to run the tool: in place (the default: our grant on the role the alias's
/// version runs on, here the bot's service-linked role) or with a dedicated role
/// (`--role-name ... --publish-version`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    InPlace,
    Dedicated,
}

/// A fresh apply that touches everything: text with retention, audio with a KMS key, a grant.
fn full_args(world: &World, command: &str, mode: Mode) -> Vec<String> {
    let mut args = vec![command.to_string()];
    args.extend(match mode {
        Mode::InPlace => world.target_args(),
        Mode::Dedicated => world.dedicated_args(),
    });
    for a in [
        "--retention-days",
        "7",
        "--audio-bucket",
        &world.bucket,
        "--kms-key",
        &world.key_arn,
        "--grant-pass-role",
        &format!("user/{}", world.user),
        "--yes",
    ] {
        args.push(a.to_string());
    }
    args
}

async fn run(endpoint: &str, args: &[String], max_attempts: &str) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut command = tool_command(endpoint, &args);
    command.env("AWS_MAX_ATTEMPTS", max_attempts);
    command.output().await.expect("the binary runs")
}

/// Everything a full apply makes true, or what is missing.
fn check_applied(world: &World, s: &Value, mode: Mode) -> Result<(), String> {
    let mut missing = Vec::new();
    match mode {
        Mode::Dedicated => {
            if s["role"].is_null() {
                missing.push("role".to_string());
            }
            for (name, policy) in s["policies"].as_object().unwrap() {
                if policy.is_null() {
                    missing.push(name.clone());
                } else if !s["role"]["attached"].as_array().is_some_and(|a| {
                    a.iter()
                        .any(|p| p.as_str().unwrap().ends_with(name.as_str()))
                }) {
                    missing.push(format!("attachment of {name}"));
                }
            }
            if !s["bot"]["roleArn"]
                .as_str()
                .unwrap_or_default()
                .ends_with(&format!("role/{}", world.role_name()))
            {
                missing.push("bot role".into());
            }
            // The alias left version 1 (on the service-linked role) for the version this run
            // published, which runs on our role.
            let version = s["aliases"]["live"]["botVersion"]
                .as_str()
                .unwrap_or_default();
            if version == "1"
                || !s["versions"][version]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with(&format!("role/{}", world.role_name()))
            {
                missing.push(format!("alias on a version of our role ({version})"));
            }
            // Not checked: that only one version was published. CreateBotVersion has no client
            // token, so when its answer is lost and the SDK retries it, Lex publishes twice; the
            // extra version runs on our role, carries this run's description, and destroy
            // deletes it.
        }
        Mode::InPlace => {
            // No role or managed policy of ours; the grant is an inline policy on the
            // service-linked role version 1 runs on, and nothing about the bot changes.
            if !s["role"].is_null() {
                missing.push("no role of ours".to_string());
            }
            if !s["policies"]
                .as_object()
                .unwrap()
                .values()
                .all(Value::is_null)
            {
                missing.push("no managed policy of ours".to_string());
            }
            let name = format!("{}-ConversationLogs", world.role_name());
            let sids: Vec<&str> = s["botRole"]["inline"][&name]["Statement"]
                .as_array()
                .map(|a| a.iter().filter_map(|st| st["Sid"].as_str()).collect())
                .unwrap_or_default();
            for sid in [
                "WriteConversationLogs",
                "WriteAudioLogs",
                "EncryptAudioLogs",
            ] {
                if !sids.contains(&sid) {
                    missing.push(format!("{sid} in {name}"));
                }
            }
            if s["bot"]["roleArn"] != world.bot_role_arn.as_str() {
                missing.push("bot role unchanged".into());
            }
            if s["aliases"]["live"]["botVersion"] != "1" {
                missing.push("alias version unchanged".into());
            }
        }
    }
    if s["grant"].is_null() {
        missing.push("grant".into());
    }
    let logs = &s["aliases"]["live"]["logs"];
    if logs["textLogSettings"][0]["enabled"] != true
        || logs["audioLogSettings"][0]["kmsKeyArn"] != world.key_arn.as_str()
    {
        missing.push(format!("alias logs {logs}"));
    }
    if s["logGroups"][0]["retention"] != 7 {
        missing.push("log group retention".into());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join(", "))
    }
}

/// The rule for a broken apply: it succeeded with everything in place, or it failed (exit 1) and
/// the account is exactly as before.
fn all_or_nothing(
    world: &World,
    out: &Output,
    before: &Value,
    after: &Value,
    mode: Mode,
) -> Result<(), String> {
    match out.status.code() {
        Some(0) => check_applied(world, after, mode),
        Some(1) if after == before => Ok(()),
        Some(1) => Err("failed, but the account is not as before".into()),
        other => Err(format!("exit {other:?}")),
    }
}

/// What destroy must leave: no role, policies or grant; bot, aliases, the bot's own role and its
/// versions as before apply.
fn check_destroyed(before_apply: &Value, s: &Value) -> Result<(), String> {
    let mut wrong = Vec::new();
    for key in ["role", "grant"] {
        if !s[key].is_null() {
            wrong.push(format!("{key} left"));
        }
    }
    if s["policies"] != before_apply["policies"] {
        wrong.push("policies left".into());
    }
    for key in ["bot", "aliases", "botRole", "versions"] {
        if s[key] != before_apply[key] {
            wrong.push(format!("{key} not restored"));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join(", "))
    }
}
