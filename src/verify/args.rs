//! The arguments of `verify` (`--config`, or a bot and its aliases, and how to verify), and the
//! targets they name.

use crate::cli::TargetArgs;
use crate::error::{Error, Result};

/// The locale of the turn when the alias names none.
pub const DEFAULT_LOCALE: &str = "en_US";
/// How long to wait for a log by default, in seconds.
pub const DEFAULT_TIMEOUT: u64 = 120;

/// `lex-logs-setup verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// Verify every [[target]] of this TOML file (its bots and aliases; other keys are ignored)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["bot", "aliases"])]
    pub config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub options: VerifyOptions,
}

/// How to verify.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyOptions {
    /// Locale of the test turn [default: the alias's first enabled locale, else en_US]
    #[arg(long, value_name = "LOCALE")]
    pub locale: Option<String>,
    /// Seconds to wait for each log to arrive
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT)]
    pub timeout: u64,
    /// Only the static check: send no conversation turn
    #[arg(long)]
    pub static_only: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            locale: None,
            timeout: DEFAULT_TIMEOUT,
            static_only: false,
        }
    }
}

/// A bot and the aliases to verify (names or ids).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub bot: String,
    pub aliases: Vec<String>,
}

/// The bots and aliases the arguments name (from `--config FILE`, or `--bot` and `--alias`).
pub fn targets(args: &VerifyArgs) -> Result<Vec<Target>> {
    let targets: Vec<Target> = match &args.config {
        Some(path) => crate::config::load_config(path)?
            .into_iter()
            .map(|t| Target {
                bot: t.bot,
                aliases: t.aliases,
            })
            .collect(),
        None => vec![Target {
            bot: args.target.bot.clone().ok_or_else(|| {
                Error::invalid(
                    "no target: give --bot and --alias, or --config FILE",
                    "see lex-logs-setup verify --help",
                )
            })?,
            aliases: args.target.aliases.clone(),
        }],
    };
    if let Some(t) = targets.iter().find(|t| t.aliases.is_empty()) {
        return Err(Error::invalid(
            format!("no alias to verify for bot {}", t.bot),
            "give --alias NAME_OR_ID (aliases = [\"...\"] in a config file)",
        ));
    }
    Ok(targets)
}
