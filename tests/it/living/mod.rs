//! A living account: a deployment or another team changes an alias or the bot between the tool's
//! observation and its write, or after its write and before its rollback. No deployment is ever
//! reverted and no other team's setting overwritten: a change whose owned field moved is refused
//! as stale (and the run rolls back), and an undo leaves what someone else set since.

use crate::proxy::FaultProxy;
use crate::support::{tool_command, World};

mod destroy_finds;
mod during_apply;
mod during_rollback;
mod inline_race;
mod own_retention;
mod policy_edit;

/// The tool's arguments for `command` on this world's live alias (in place), with `extra`.
fn args(world: &World, command: &str, extra: &[&str]) -> Vec<String> {
    with_target(world.target_args(), command, extra)
}

/// The same in the dedicated-role mode (`--role-name`, `--publish-version`).
fn dedicated(world: &World, command: &str, extra: &[&str]) -> Vec<String> {
    with_target(world.dedicated_args(), command, extra)
}

fn with_target(target: Vec<String>, command: &str, extra: &[&str]) -> Vec<String> {
    let mut all = vec![command.to_string()];
    all.extend(target);
    all.extend(extra.iter().map(|s| s.to_string()));
    all.push("--yes".into());
    all
}

/// Starts the tool against the proxy; its output when it ends.
fn spawn_tool(
    proxy: &FaultProxy,
    args: Vec<String>,
) -> tokio::task::JoinHandle<std::process::Output> {
    let endpoint = proxy.endpoint.clone();
    tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        tool_command(&endpoint, &args)
            .output()
            .await
            .expect("the binary runs")
    })
}

/// The inline policies of the bot's service-linked role, by name.
async fn slr_inline(world: &World) -> Vec<String> {
    let out = world
        .clients
        .iam
        .list_role_policies()
        .role_name(world.bot_role_name())
        .send()
        .await
        .unwrap();
    let mut names = out.policy_names().to_vec();
    names.sort();
    names
}
