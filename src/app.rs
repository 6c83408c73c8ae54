//! Runs a parsed command line: validates the spec offline, observes, plans, shows the plan, asks,
//! runs the engine, prints the outcome, and returns the exit code. Errors are printed here, once.

use std::io::{BufRead, IsTerminal, Write};

mod change;
mod policy_documents;
mod prepare;
mod saved_plan;

use prepare::prepare;

use crate::aws::Clients;
use crate::cli::{Cli, Command, OutputFormat, PlanArgs};
use crate::error::{exit_code, Error, Result};
use crate::plan::Mode;
use crate::render;
pub use crate::render::use_color;
use crate::session::{Output, Session};

/// Runs the command and returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    if cli.output == OutputFormat::Sarif && !matches!(cli.command, Command::Status(_)) {
        eprintln!(
            "error: --output sarif is for status only (its findings)\n  next: use --output text or --output json"
        );
        return exit_code::USAGE;
    }
    let outcome = match &cli.command {
        Command::Plan(args) => plan(&cli, args).await,
        Command::Apply(args) => match &args.plan_file {
            Some(path) => saved_plan::apply_saved(&cli, args, path).await,
            None => change::change(&cli, &args.change, Mode::Apply).await,
        },
        Command::Show(args) => saved_plan::show_saved(&cli, &args.plan_file),
        Command::Destroy(args) => change::change(&cli, args, Mode::Destroy).await,
        Command::Policy(args) => policy_documents::policy(&cli, args).await,
        Command::Verify(args) => verify(&cli, args).await,
        Command::Status(args) => status(&cli, args).await,
        Command::Manual => {
            emit(&crate::manual::manual_page());
            Ok(exit_code::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "lex-logs-setup", &mut script);
            emit(&String::from_utf8_lossy(&script));
            Ok(exit_code::SUCCESS)
        }
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            if cli.output == OutputFormat::Json {
                print_json(&err.to_json());
            }
            err.exit_code()
        }
    }
}

/// The output the command line asks for (colour: stdout is a terminal, and no `NO_COLOR`).
fn output_of(cli: &Cli) -> Output {
    Output {
        format: cli.output,
        quiet: cli.quiet,
        color: render::use_color(std::io::stdout().is_terminal()),
    }
}

/// Prints a command's result as the command line asks (see [`show_as`]).
pub(crate) fn show<T: std::fmt::Display + serde::Serialize>(cli: &Cli, value: &T) {
    show_as(&output_of(cli), value)
}

/// The one place a command's result is printed: as text (coloured on a terminal) or as JSON.
fn show_as<T: std::fmt::Display + serde::Serialize>(output: &Output, value: &T) {
    match output.format {
        // SARIF is status's alone (`run` refuses it elsewhere; `status` prints its own).
        OutputFormat::Json | OutputFormat::Sarif => {
            print_json(&serde_json::to_value(value).expect("results serialise to JSON"))
        }
        OutputFormat::Text if output.color => emit(&format!("{value:#}")),
        OutputFormat::Text => emit(&format!("{value}")),
    }
}

/// Prints a JSON document on stdout, `formatVersion` first (see [`render::versioned`]): every
/// JSON the tool prints goes through here, the errors of `run` and `main` too.
pub fn print_json(value: &serde_json::Value) {
    emit(&format!(
        "{}
",
        serde_json::to_string_pretty(&render::versioned(value)).expect("JSON values print")
    ));
}

/// Writes to stdout; when the reader has gone (`| head`), stops quietly instead of panicking.
fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(exit_code::SUCCESS);
        }
    }
}

async fn plan(cli: &Cli, args: &PlanArgs) -> Result<i32> {
    let mode = if args.destroy {
        Mode::Destroy
    } else {
        Mode::Apply
    };
    let prepared = prepare(cli, &args.setup, mode).await?;
    let plan = &prepared.plan;
    show(cli, &render::Shown(plan));
    if let Some(path) = &args.out {
        saved_plan::save(cli, path, plan, &prepared.targets)?;
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        exit_code::CHANGES_PENDING
    } else {
        exit_code::SUCCESS
    })
}

/// `status`: the inventory and its findings, printed (`--output sarif`: the findings only, as
/// SARIF); 1 when a bot could not be read; with `--fail-on`, 5 when a finding is that severe;
/// with `--detailed-exitcode`, 2 when something drifted. The session connects the places asked for.
async fn status(cli: &Cli, args: &crate::cli::StatusArgs) -> Result<i32> {
    let rules = crate::status::rules(args)?;
    let locations = crate::status::locations(args)?;
    let base = Clients::load(&cli.aws).await?;
    let session = Session::connect(base, output_of(cli), &locations).await?;
    let report = crate::status::command(&session, args, &rules).await?;
    match session.output.format {
        OutputFormat::Sarif => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&crate::posture::sarif::log(
                &report.findings,
                env!("CARGO_PKG_VERSION"),
                &report.errors(),
            ))
            .expect("JSON values print")
        )),
        _ => show_as(&session.output, &report),
    }
    Ok(if report.incomplete() {
        exit_code::FAILURE
    } else if args.fail_on.is_some_and(|at| report.fails_on(at)) {
        exit_code::FINDINGS
    } else if args.detailed_exitcode && report.drifted() {
        exit_code::CHANGES_PENDING
    } else {
        exit_code::SUCCESS
    })
}

/// `verify`: the report, printed; its verdict is the exit code. The session connects the places
/// of the targets once.
async fn verify(cli: &Cli, args: &crate::cli::VerifyArgs) -> Result<i32> {
    let targets = crate::verify::targets(args)?;
    let placed = targets
        .iter()
        .map(|t| (&t.location, &t.names, t.bot.as_str()));
    let session = Session::for_targets(&cli.aws, output_of(cli), placed).await?;
    let report = crate::verify::command(&session, &targets, &args.options).await?;
    show_as(&session.output, &report);
    Ok(report.exit_code())
}

/// Asks before changing anything; refuses when there is no terminal to ask.
fn confirm(verb: &str) -> Result<()> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(Error::NotConfirmed(format!(
            "refusing to {verb}: there is no terminal to ask for confirmation and --yes was not given; nothing was changed"
        )));
    }
    eprint!("\nDo you want to {verb} these changes? Only 'yes' is accepted: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::NotConfirmed(format!("could not read the answer: {e}")))?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::NotConfirmed(format!(
            "{verb} cancelled; nothing was changed"
        )))
    }
}
