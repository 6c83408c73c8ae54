//! The targets the arguments of `verify` name (`--config`, or a bot and its aliases).

use crate::cli::VerifyArgs;
use crate::error::{Error, Result};
use crate::spec::{Location, Names};

/// The locale of the turn when the alias names none.
pub const DEFAULT_LOCALE: &str = "en_US";
/// A bot and the aliases to verify (names or ids).
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub bot: String,
    pub aliases: Vec<String>,
    /// Where the bot lives (a config file's region and assume_role).
    pub location: Location,
    /// Where a config file writes the target (errors AWS reveals name it); default for flags.
    pub names: Names,
}

/// The bots and aliases the arguments name (from `--config FILE`, or `--bot` and `--alias`).
pub fn targets(args: &VerifyArgs) -> Result<Vec<Target>> {
    let targets: Vec<Target> = match &args.config {
        Some(path) => crate::config::load_named_config(path)?
            .into_iter()
            .map(|(t, names)| {
                Ok(Target {
                    location: crate::spec::location(&t, &names)?,
                    bot: t.bot,
                    aliases: t.aliases,
                    names,
                })
            })
            .collect::<Result<_>>()?,
        None => vec![Target {
            bot: args.target.bot.clone().ok_or_else(|| {
                Error::invalid(
                    "no target: give --bot and --alias, or --config FILE",
                    "see lex-logs-setup verify --help",
                )
            })?,
            aliases: args.target.aliases.clone(),
            location: Location::default(),
            names: Names::default(),
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
