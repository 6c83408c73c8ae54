//! A command's session, built once by `app` before the command runs (ripgrep's `HiArgs`): the
//! base clients, the clients of every place (account and region) the command's targets live in,
//! the progress lines, and how the result is printed. `verify` and `status` take a session, never
//! the command line, and never load or connect clients themselves.

use crate::aws::{AwsArgs, Clients, Places};
use crate::cli::OutputFormat;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::spec::{Location, Names};

/// How a command's result is printed: the format, `--quiet`, and whether stdout gets colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Output {
    pub format: OutputFormat,
    pub quiet: bool,
    /// Text on stdout is coloured (a terminal, and no `NO_COLOR`).
    pub color: bool,
}

/// Everything a command shares, made once.
pub struct Session {
    /// The clients of the credentials and region given (status lists bots with them).
    pub base: Clients,
    /// The clients of each place the targets live in (connected from `base`).
    pub places: Places,
    pub progress: Progress,
    pub output: Output,
}

/// A target as the session places it: where it lives, where a config file writes it, its bot.
pub type Placed<'a> = (&'a Location, &'a Names, &'a str);

impl Session {
    /// Loads the base clients for the targets (their first region is the base one when nothing
    /// else names a region) and connects every place they live in; an error connecting a place
    /// names where a config file writes its targets.
    pub async fn for_targets<'a>(
        aws: &AwsArgs,
        output: Output,
        targets: impl Iterator<Item = Placed<'a>> + Clone,
    ) -> Result<Session> {
        let base = Clients::load_for(aws, targets.clone().map(|(l, _, _)| l)).await?;
        let places = Places::connect_placed(&base, targets.clone().map(|(l, _, _)| l), {
            let targets = targets.clone();
            move |at: &Location, err: Error| {
                crate::spec::place_location_error(targets.clone(), at, err)
            }
        })
        .await?;
        Ok(Session::new(base, places, output))
    }

    /// Connects every place of `locations` from `base` (`status` loads `base` itself: it lists
    /// the bots with it).
    pub async fn connect<'a>(
        base: Clients,
        output: Output,
        locations: impl IntoIterator<Item = &'a Location>,
    ) -> Result<Session> {
        let places = Places::connect(&base, locations).await?;
        Ok(Session::new(base, places, output))
    }

    fn new(base: Clients, places: Places, output: Output) -> Session {
        Session {
            base,
            places,
            progress: Progress::new(output.quiet),
            output,
        }
    }
}
