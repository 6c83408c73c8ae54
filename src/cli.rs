//! Command-line definitions (clap derive) and nothing else.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::aws::AwsArgs;

const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   failure; nothing was changed, or every change was rolled back
  2   plan --detailed-exitcode: success, with changes pending
  3   failure, and the rollback failed too: what is left is listed
  64  bad command line or input values; nothing was changed";

/// Set up Amazon Lex V2 conversation logs end to end: plan, apply, destroy.
#[derive(Debug, Parser)]
#[command(name = "lex-logs-setup", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Output format on stdout
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, global = true)]
    pub output: OutputFormat,
    /// More logging on stderr (-v, -vv); RUST_LOG overrides
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what apply would change; changes nothing
    Plan(TargetArgs),
}

/// Which bot and aliases to act on.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// The bot, by name or id
    #[arg(long, value_name = "NAME_OR_ID")]
    pub bot: String,
    /// An alias of the bot, by name or id (repeat for several)
    #[arg(long = "alias", value_name = "NAME_OR_ID", required = true)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}
