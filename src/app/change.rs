//! `apply` and `destroy`: the plan shown, the question asked, the engine run, and the report
//! (with the verify of `apply --verify`) printed with its exit code.

use std::io::IsTerminal;

use super::prepare::prepare;
use super::{confirm, show};
use crate::cli::{ChangeArgs, Cli, OutputFormat};
use crate::engine;
use crate::error::{exit_code, Error, Result};
use crate::plan::{Mode, Plan};
use crate::render;
use crate::session::Session;
use crate::spec::TargetSpec;

/// `apply` or `destroy` of the targets the command line gives: planned now, shown, asked
/// (unless `--yes`), run.
pub(super) async fn change(cli: &Cli, args: &ChangeArgs, mode: Mode) -> Result<i32> {
    refuse_verify_of_destroy(args, mode)?;
    let mut interrupts = engine::Interrupts::install();
    let prepared = tokio::select! {
        prepared = prepare(cli, &args.setup, mode) => prepared?,
        _ = interrupts.next() => return Err(interrupted()),
    };
    let run = Run {
        session: &prepared.session,
        targets: &prepared.targets,
        interrupts: &mut interrupts,
    };
    run_plan(cli, args, mode, run, &prepared.plan, Ask::Unless(args.yes)).await
}

/// Whether to ask before changing anything.
pub(super) enum Ask {
    /// Ask, unless `--yes` was given (true).
    Unless(bool),
    /// Never: the plan was reviewed when it was saved.
    Never,
}

pub(super) fn refuse_verify_of_destroy(args: &ChangeArgs, mode: Mode) -> Result<()> {
    if args.verify && mode == Mode::Destroy {
        return Err(Error::invalid(
            "--verify is for apply only",
            "run `lex-logs-setup verify` instead",
        ));
    }
    Ok(())
}

pub(super) fn interrupted() -> Error {
    Error::Interrupted("interrupted before any change; nothing was changed".into())
}

/// Shows `plan`, asks as `ask` says, runs it with the session's clients, and prints the report.
pub(super) async fn run_plan(
    cli: &Cli,
    args: &ChangeArgs,
    mode: Mode,
    mut run: Run<'_>,
    plan: &Plan,
    ask: Ask,
) -> Result<i32> {
    // With JSON output, stdout carries only the outcome; the plan a person reads goes to stderr.
    match cli.output {
        OutputFormat::Text => show(cli, &render::Shown(plan)),
        OutputFormat::Json if !cli.quiet => eprint!(
            "{}",
            render::plan_text(plan, render::use_color(std::io::stderr().is_terminal()))
        ),
        OutputFormat::Json | OutputFormat::Sarif => {}
    }
    let verb = match mode {
        Mode::Apply => "apply",
        Mode::Destroy => "destroy",
    };
    if !plan.has_changes() {
        return finish(cli, args, mode, &mut run, plan, None).await;
    }
    if let Ask::Unless(false) = ask {
        let verb = verb.to_string();
        tokio::select! {
            answer = tokio::task::spawn_blocking(move || confirm(&verb)) => answer.expect("the prompt does not panic")?,
            _ = run.interrupts.next() => return Err(interrupted()),
        }
    }
    let session = run.session;
    let contexts = tokio::select! {
        contexts = engine::Contexts::new(&session.places, session.progress.clone()) => contexts?.reach(plan.providers())?,
        _ = run.interrupts.next() => return Err(interrupted()),
    };
    let outcome = engine::run(plan, &contexts, run.interrupts).await;
    finish(cli, args, mode, &mut run, plan, Some(&outcome)).await
}

/// What an apply's run and the verify after it share: the session (its places and progress),
/// and the interrupts.
pub(super) struct Run<'a> {
    pub session: &'a Session,
    /// The targets the plan was made for (what `--verify` verifies).
    pub targets: &'a [TargetSpec],
    pub interrupts: &'a mut engine::Interrupts,
}

/// Prints the run's report and returns its exit code. After a complete apply (`outcome`: what
/// ran; `None`: nothing needed changing) with `--verify`, the verify's report and verdict come
/// first; Ctrl-C or SIGTERM stops the verify at once (its calls are dropped where they are, and
/// nothing of a verify needs undoing): the report is printed without it, what the interrupt left
/// is said, and the exit code is [`exit_code::NOT_DELIVERED`] (the apply is complete, its delivery
/// not confirmed).
async fn finish(
    cli: &Cli,
    args: &ChangeArgs,
    mode: Mode,
    run: &mut Run<'_>,
    plan: &Plan,
    outcome: Option<&engine::Outcome>,
) -> Result<i32> {
    let mut verified = None;
    let mut interrupted = None;
    if args.verify && outcome.is_none_or(engine::Outcome::succeeded) {
        tokio::select! {
            report = verify_after(args, mode, run.session, run.targets) => verified = report?,
            signal = run.interrupts.next() => interrupted = Some(signal),
        }
    }
    show(
        cli,
        &render::RunReport {
            plan,
            outcome,
            verified: verified.as_ref(),
        },
    );
    if let Some(signal) = interrupted {
        eprintln!(
            "interrupted ({}) during verify; apply is complete ({}), delivery was not confirmed: run `lex-logs-setup verify` with the same targets to check it",
            signal.name(),
            match outcome {
                Some(_) => "its changes stand",
                None => "there was nothing to change",
            }
        );
        return Ok(exit_code::NOT_DELIVERED);
    }
    Ok(match outcome {
        Some(outcome) if !outcome.succeeded() && outcome.rollback_complete() => exit_code::FAILURE,
        Some(outcome) if !outcome.succeeded() => exit_code::ROLLBACK_INCOMPLETE,
        _ => verified.map_or(exit_code::SUCCESS, |r| r.exit_code()),
    })
}

/// `apply --verify`: the verify report of the targets, after a successful apply, with the
/// apply's places and progress.
async fn verify_after(
    args: &ChangeArgs,
    mode: Mode,
    session: &Session,
    targets: &[TargetSpec],
) -> Result<Option<crate::verify::report::Report>> {
    if !args.verify || mode != Mode::Apply {
        return Ok(None);
    }
    let (places, progress) = (&session.places, &session.progress);
    crate::verify::after_apply(places, progress, targets, args.timeout)
        .await
        .map(Some)
}
