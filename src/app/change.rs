//! `apply` and `destroy`: the plan shown, the question asked, the engine run, and the report
//! (with the verify of `apply --verify`) printed with its exit code.

use std::io::IsTerminal;

use super::prepare::prepare;
use super::{confirm, show};
use crate::aws::Places;
use crate::cli::{ChangeArgs, Cli, OutputFormat};
use crate::engine;
use crate::error::{exit_code, Error, Result};
use crate::plan::{Mode, Plan};
use crate::progress::Progress;
use crate::render;
use crate::session::Session;

pub(super) async fn change(cli: &Cli, args: &ChangeArgs, mode: Mode) -> Result<i32> {
    if args.verify && mode == Mode::Destroy {
        return Err(Error::invalid(
            "--verify is for apply only",
            "run `lex-logs-setup verify` instead",
        ));
    }
    let mut interrupts = engine::Interrupts::install();
    let interrupted =
        || Error::Interrupted("interrupted before any change; nothing was changed".into());
    let (session, plan) = tokio::select! {
        prepared = prepare(cli, &args.setup, mode) => prepared?,
        _ = interrupts.next() => return Err(interrupted()),
    };
    // With JSON output, stdout carries only the outcome; the plan a person reads goes to stderr.
    match cli.output {
        OutputFormat::Text => show(cli, &render::Shown(&plan)),
        OutputFormat::Json if !cli.quiet => eprint!(
            "{}",
            render::plan_text(&plan, render::use_color(std::io::stderr().is_terminal()))
        ),
        OutputFormat::Json => {}
    }
    let verb = match mode {
        Mode::Apply => "apply",
        Mode::Destroy => "destroy",
    };
    if !plan.has_changes() {
        let mut run = Run {
            session: &session,
            interrupts: &mut interrupts,
        };
        return finish(cli, args, mode, &mut run, &plan, None).await;
    }
    if !args.yes {
        let verb = verb.to_string();
        tokio::select! {
            answer = tokio::task::spawn_blocking(move || confirm(&verb)) => answer.expect("the prompt does not panic")?,
            _ = interrupts.next() => return Err(interrupted()),
        }
    }
    let contexts = tokio::select! {
        contexts = engine::Contexts::new(&session.places, session.progress.clone()) => contexts?,
        _ = interrupts.next() => return Err(interrupted()),
    };
    let outcome = engine::run(&plan, &contexts, &mut interrupts).await;
    let mut run = Run {
        session: &session,
        interrupts: &mut interrupts,
    };
    finish(cli, args, mode, &mut run, &plan, Some(&outcome)).await
}

/// What an apply's run and the verify after it share: the session (its places and progress),
/// and the interrupts.
struct Run<'a> {
    session: &'a Session,
    interrupts: &'a mut engine::Interrupts,
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
            report = verify_after(args, mode, &run.session.places, &run.session.progress) => verified = report?,
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
    places: &Places,
    progress: &Progress,
) -> Result<Option<crate::verify::report::Report>> {
    if !args.verify || mode != Mode::Apply {
        return Ok(None);
    }
    crate::verify::after_apply(places, progress, &args.setup, args.timeout)
        .await
        .map(Some)
}
