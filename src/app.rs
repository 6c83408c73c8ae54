//! Runs a parsed command line: loads the AWS clients, does the command, prints the result, and
//! returns the exit code. Errors are printed here, once, on stderr.

use serde_json::json;

use crate::aws::Clients;
use crate::cli::{Cli, Command, OutputFormat, TargetArgs};
use crate::error::{exit_code, Result};
use crate::resources::{alias, bot};

/// Runs the command and returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let outcome = match &cli.command {
        Command::Plan(target) => plan(&cli, target).await,
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            err.exit_code()
        }
    }
}

async fn plan(cli: &Cli, target: &TargetArgs) -> Result<i32> {
    let clients = Clients::load(&cli.aws).await?;
    let bot = bot::resolve(&clients.lex, &target.bot, &clients.region).await?;
    let aliases = alias::resolve_all(&clients.lex, &bot, &target.aliases).await?;
    match cli.output {
        OutputFormat::Json => {
            let doc = json!({
                "bot": {"id": bot.id, "name": bot.name, "roleArn": bot.role_arn()},
                "aliases": aliases.iter().map(|a| json!({
                    "id": a.id,
                    "name": a.name,
                    "botVersion": a.described.bot_version(),
                })).collect::<Vec<_>>(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("JSON values serialise")
            );
        }
        OutputFormat::Text => {
            println!(
                "{}  id {}  role {}",
                bot.address(),
                bot.id,
                bot.role_arn().unwrap_or("(none)")
            );
            for a in &aliases {
                println!(
                    "{}  id {}  version {}",
                    a.address(&bot),
                    a.id,
                    a.described.bot_version().unwrap_or("(none)")
                );
            }
        }
    }
    Ok(exit_code::SUCCESS)
}
