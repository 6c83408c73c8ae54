//! Runs a parsed command line: validates the spec offline, observes, plans, shows the plan, asks,
//! runs the engine, prints the outcome, and returns the exit code. Errors are printed here, once.

use std::io::{BufRead, IsTerminal, Write};

use crate::aws::Clients;
use crate::cli::{ChangeArgs, Cli, Command, OutputFormat, PlanArgs, SetupArgs};
use crate::engine;
use crate::error::{exit_code, Error, Result};
use crate::observe::observe;
use crate::plan::{Kind, Plan};
use crate::planner::{plan_apply, plan_destroy};
use crate::progress::Progress;
use crate::render;
use crate::spec::Spec;
use crate::step::Context;

/// Runs the command and returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let outcome = match &cli.command {
        Command::Plan(args) => plan(&cli, args).await,
        Command::Apply(args) => change(&cli, args, Kind::Apply).await,
        Command::Destroy(args) => change(&cli, args, Kind::Destroy).await,
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            err.exit_code()
        }
    }
}

/// Spec (offline checks first), then observation, then the plan.
async fn prepare(cli: &Cli, setup: &SetupArgs, kind: Kind) -> Result<(Clients, Plan)> {
    let spec = Spec::from_args(setup)?;
    let clients = Clients::load(&cli.aws).await?;
    let observed = observe(&clients, &spec, kind).await?;
    let plan = match kind {
        Kind::Apply => plan_apply(&spec, &observed)?,
        Kind::Destroy => plan_destroy(&spec, &observed)?,
    };
    Ok((clients, plan))
}

fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values print")
    );
}

async fn plan(cli: &Cli, args: &PlanArgs) -> Result<i32> {
    let kind = if args.destroy {
        Kind::Destroy
    } else {
        Kind::Apply
    };
    let (_, plan) = prepare(cli, &args.setup, kind).await?;
    match cli.output {
        OutputFormat::Json => print_json(&render::plan_json(&plan)),
        OutputFormat::Text => print!("{}", render::plan_text(&plan)),
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        exit_code::CHANGES_PENDING
    } else {
        exit_code::SUCCESS
    })
}

async fn change(cli: &Cli, args: &ChangeArgs, kind: Kind) -> Result<i32> {
    let mut interrupts = engine::Interrupts::install();
    let interrupted =
        || Error::Interrupted("interrupted before any change; nothing was changed".into());
    let (clients, plan) = tokio::select! {
        prepared = prepare(cli, &args.setup, kind) => prepared?,
        _ = interrupts.next() => return Err(interrupted()),
    };
    // With JSON output, stdout carries only the outcome; the plan a person reads goes to stderr.
    match cli.output {
        OutputFormat::Text => print!("{}", render::plan_text(&plan)),
        OutputFormat::Json => eprint!("{}", render::plan_text(&plan)),
    }
    let verb = match kind {
        Kind::Apply => "apply",
        Kind::Destroy => "destroy",
    };
    if !plan.has_changes() {
        if cli.output == OutputFormat::Json {
            print_json(&render::outcome_json(&plan, &engine::Outcome::default()));
        }
        return Ok(exit_code::SUCCESS);
    }
    if !args.yes {
        let verb = verb.to_string();
        tokio::select! {
            answer = tokio::task::spawn_blocking(move || confirm(&verb)) => answer.expect("the prompt does not panic")?,
            _ = interrupts.next() => return Err(interrupted()),
        }
    }
    let ctx = Context {
        clients,
        progress: Progress::new(false),
        run_id: crate::resources::tags::new_run_id(),
    };
    let outcome = engine::run(&plan, &ctx, &mut interrupts).await;
    match cli.output {
        OutputFormat::Json => print_json(&render::outcome_json(&plan, &outcome)),
        OutputFormat::Text => print!("{}", render::outcome_text(&plan, &outcome)),
    }
    Ok(if outcome.succeeded() {
        exit_code::SUCCESS
    } else if outcome.rollback_complete() {
        exit_code::FAILURE
    } else {
        exit_code::ROLLBACK_INCOMPLETE
    })
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
