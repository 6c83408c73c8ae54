//! plan, apply and destroy end to end against LocalStack, checking the account through the SDK.

use serde_json::{json, Value};

use crate::support::{run_tool_at, World};

mod converge;
mod destinations;
mod failures;
mod kept;
mod plan;
mod rate_limited;
mod roles;

/// Runs the tool for this world with extra arguments, through `endpoint` (in place, the default).
async fn tool(
    world: &World,
    endpoint: &str,
    command: &str,
    extra: &[&str],
) -> std::process::Output {
    run_with(world.target_args(), endpoint, command, extra).await
}

/// Runs the tool for this world in dedicated-role mode (`--role-name LexLogs-<bot>
/// --publish-version`).
async fn dedicated(
    world: &World,
    endpoint: &str,
    command: &str,
    extra: &[&str],
) -> std::process::Output {
    run_with(world.dedicated_args(), endpoint, command, extra).await
}

async fn run_with(
    target: Vec<String>,
    endpoint: &str,
    command: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut args: Vec<String> = vec![command.into()];
    args.extend(target);
    args.extend(extra.iter().map(|s| s.to_string()));
    if command != "plan" {
        args.push("--yes".into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_tool_at(endpoint, &args).await
}

/// The default document of our policy `<role>-<suffix>`, as the snapshot reads it.
async fn policy_document(world: &World, suffix: &str) -> Option<Value> {
    let snapshot = world.snapshot().await;
    let document = &snapshot["policies"][format!("{}-{suffix}", world.role_name())]["document"];
    (!document.is_null()).then(|| document.clone())
}

/// In place, the statement `sid` of the inline policy `<setup>-ConversationLogs` apply put on the
/// bot's service-linked role, as a document of its own (None when it is not there).
async fn in_place_statement(world: &World, sid: &str) -> Option<Value> {
    let snapshot = world.snapshot().await;
    let name = format!("{}-ConversationLogs", world.role_name());
    let statement = snapshot["botRole"]["inline"][&name]["Statement"]
        .as_array()?
        .iter()
        .find(|s| s["Sid"] == sid)?
        .clone();
    Some(json!({"Version": "2012-10-17", "Statement": [statement]}))
}

async fn alias_logs(world: &World, alias_id: &str) -> Value {
    let alias = world
        .clients
        .lex
        .describe_bot_alias()
        .bot_id(&world.bot_id)
        .bot_alias_id(alias_id)
        .send()
        .await
        .unwrap();
    lex_logs_setup::resources::log_settings::shown(
        alias
            .conversation_log_settings()
            .map(lex_logs_setup::resources::log_settings::LogSettings::from_sdk)
            .as_ref(),
    )
}
