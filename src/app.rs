//! Runs a parsed command line: validates the spec offline, observes, plans, shows the plan, asks,
//! runs the engine, prints the outcome, and returns the exit code. Errors are printed here, once.

use std::io::{BufRead, IsTerminal, Write};

mod policy_documents;

use crate::aws::{Clients, Places};
use crate::cli::{ChangeArgs, Cli, Command, OutputFormat, PlanArgs, SetupArgs};
use crate::engine;
use crate::error::{exit_code, Error, Result};
use crate::observe::observe;
use crate::ownership;
use crate::plan::{Mode, Plan};
use crate::planner::{plan_apply, plan_destroy};
use crate::progress::Progress;
use crate::render;
pub use crate::render::use_color;
use crate::resources::inline_policy;
use crate::session::{Output, Session};
use crate::spec::{PrincipalLocation, TargetSpec};
use futures::{StreamExt, TryStreamExt};

/// Runs the command and returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let outcome = match &cli.command {
        Command::Plan(args) => plan(&cli, args).await,
        Command::Apply(args) => change(&cli, args, Mode::Apply).await,
        Command::Destroy(args) => change(&cli, args, Mode::Destroy).await,
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

/// How many targets of a config file are observed at once (each makes about 20 reads in three
/// waves); beyond this they queue, and the SDK's retries absorb any throttling.
const TARGETS_AT_ONCE: usize = 20;
/// How many targets of one account and region are observed at once, so that one account's
/// targets neither trip its IAM and Lex rate limits nor hold back the other accounts.
const TARGETS_PER_PLACE: usize = 8;

/// Specs (offline checks first), then observation of every target (concurrently), then one plan.
async fn prepare(cli: &Cli, setup: &SetupArgs, mode: Mode) -> Result<(Places, Plan)> {
    let targets = setup.targets()?;
    let base = Clients::load_for(&cli.aws, targets.iter().map(|t| &t.location)).await?;
    let places = Places::connect_placed(&base, targets.iter().map(|t| &t.location), |at, err| {
        let written = targets
            .iter()
            .map(|t| (&t.location, &t.names, t.spec.bot.as_str()));
        crate::spec::place_location_error(written, at, err)
    })
    .await?;
    // At most TARGETS_PER_PLACE targets of one location are observed at once, and at most
    // TARGETS_AT_ONCE in all; a target waits for its location's slot before it takes a global
    // one, so one location's queue never holds back another's.
    let limits: Vec<tokio::sync::Semaphore> = places
        .all()
        .map(|_| tokio::sync::Semaphore::new(TARGETS_PER_PLACE))
        .collect();
    let all = tokio::sync::Semaphore::new(TARGETS_AT_ONCE);
    let plans: Vec<Plan> = futures::stream::iter(targets.iter())
        .map(|target| {
            let (index, clients) = places.find(&target.location);
            let (limit, all) = (&limits[index], &all);
            async move {
                let _place = limit
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                let _slot = all.acquire().await.expect("the semaphore is never closed");
                plan_target(clients, target, mode).await
            }
        })
        .buffered(targets.len().max(1))
        .try_collect()
        .await?;
    let plan = Plan::merge(plans).map_err(|e| {
        Error::invalid(
            e,
            "fix the targets so that each resource is wanted one way (bots of one name in two regions of an account share our IAM names: give them distinct names, or a role_name each)",
        )
    })?;
    Ok((places, plan))
}

/// One target observed with its place's clients, checked, and planned (every change is born with
/// the provider of the clients it was observed with). An error AWS reveals (a missing bucket, bot
/// or alias) names where a config file writes the target.
async fn plan_target(clients: &Clients, target: &TargetSpec, mode: Mode) -> Result<Plan> {
    observe_and_plan(clients, target, mode).await.map_err(|e| {
        let e = e.placed(&clients.place_for_errors());
        target.names.place(&target.spec.bot, None, e)
    })
}

async fn observe_and_plan(clients: &Clients, target: &TargetSpec, mode: Mode) -> Result<Plan> {
    let spec = &target.spec;
    // Beside observation (both only read), and first in the verdict: a principal that is not
    // the one named is refused before anything is planned.
    let (located, observed) = tokio::join!(
        check_principal_locations(clients, &target.principal_locations),
        observe(clients, spec, mode)
    );
    located?;
    match observed {
        // Destroy of a bot that is gone removes what is left of ours for it.
        Err(e) if mode == Mode::Destroy && crate::resources::bot::is_missing(&e) => {
            let orphan = crate::observe::observe_orphan(clients, spec).await?;
            crate::planner::plan_destroy_orphan(&orphan)
        }
        observed => {
            let observed = observed?;
            // What is not ours (or may not log) is refused before anything is planned.
            ownership::refuse(spec, &observed, mode)?;
            match mode {
                Mode::Apply => plan_apply(spec, &observed),
                Mode::Destroy => plan_destroy(spec, &observed),
            }
        }
    }
}

/// A `--grant-pass-role` principal given with its account or path names one identity: one of
/// another partition or account is refused (a grant is an inline policy on the principal, written
/// in this account), and so is a principal of that name whose real path is another.
async fn check_principal_locations(
    clients: &Clients,
    locations: &[PrincipalLocation],
) -> Result<()> {
    if locations.is_empty() {
        return Ok(());
    }
    let caller = clients.caller().await?;
    let here = &caller.scope;
    for location in locations {
        let partition = location.partition.as_deref().unwrap_or(&here.partition);
        let account = location.account.as_deref().unwrap_or(&here.account);
        if partition != here.partition || account != here.account {
            let (theirs, ours) = if partition != here.partition {
                (
                    format!("account {account} of partition {partition}"),
                    format!("account {} of partition {}", here.account, here.partition),
                )
            } else {
                (
                    format!("account {account}"),
                    format!("account {}", here.account),
                )
            };
            return Err(Error::invalid(
                format!(
                    "{}: that principal is in {theirs}, but these credentials are for {ours}; a PassRole grant is an inline policy on the principal and can only be written in {ours}, so nothing was changed",
                    location.named
                ),
                format!(
                    "give a principal of {ours} (user/NAME, role/NAME, group/NAME or its ARN), or leave this one out"
                ),
            ));
        }
    }
    futures::future::try_join_all(locations.iter().map(|location| async move {
        let who = &location.principal;
        match inline_policy::principal_path(&clients.iam, who).await? {
            Some(real) if real != location.path => Err(Error::invalid(
                format!(
                    "{}: the IAM {} {} of account {} is at path {real}, not {}; it is not the principal named, so nothing was changed",
                    location.named,
                    who.kind.as_str(),
                    who.name,
                    here.account,
                    location.path
                ),
                format!(
                    "give its real ARN ({}), or {who} for this account's {} of that name at any path",
                    iam_arn(here, who, &real),
                    who.kind.as_str()
                ),
            )),
            // A missing principal is reported by observation (apply needs it, destroy does not).
            _ => Ok(()),
        }
    }))
    .await?;
    Ok(())
}

fn iam_arn(scope: &crate::arn::Scope, who: &crate::spec::Principal, path: &str) -> String {
    format!(
        "arn:{}:iam::{}:{}{path}{}",
        scope.partition,
        scope.account,
        who.kind.as_str(),
        who.name
    )
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
        OutputFormat::Json => {
            print_json(&serde_json::to_value(value).expect("results serialise to JSON"))
        }
        OutputFormat::Text if output.color => emit(&format!("{value:#}")),
        OutputFormat::Text => emit(&format!("{value}")),
    }
}

fn print_json(value: &serde_json::Value) {
    emit(&format!(
        "{}
",
        serde_json::to_string_pretty(value).expect("JSON values print")
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
    let (_, plan) = prepare(cli, &args.setup, mode).await?;
    show(cli, &render::Shown(&plan));
    Ok(if args.detailed_exitcode && plan.has_changes() {
        exit_code::CHANGES_PENDING
    } else {
        exit_code::SUCCESS
    })
}

async fn change(cli: &Cli, args: &ChangeArgs, mode: Mode) -> Result<i32> {
    if args.verify && mode == Mode::Destroy {
        return Err(Error::invalid(
            "--verify is for apply only",
            "run `lex-logs-setup verify` instead",
        ));
    }
    let mut interrupts = engine::Interrupts::install();
    let interrupted =
        || Error::Interrupted("interrupted before any change; nothing was changed".into());
    let (places, plan) = tokio::select! {
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
    // One progress for the run and the verify after it.
    let progress = Progress::new(cli.quiet);
    if !plan.has_changes() {
        let mut run = Run {
            places: &places,
            progress: &progress,
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
        contexts = engine::Contexts::new(&places, progress.clone()) => contexts?,
        _ = interrupts.next() => return Err(interrupted()),
    };
    let outcome = engine::run(&plan, &contexts, &mut interrupts).await;
    let mut run = Run {
        places: &places,
        progress: &progress,
        interrupts: &mut interrupts,
    };
    finish(cli, args, mode, &mut run, &plan, Some(&outcome)).await
}

/// What an apply's run and the verify after it share: the places prepared, one progress, and
/// the interrupts.
struct Run<'a> {
    places: &'a Places,
    progress: &'a Progress,
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
            report = verify_after(args, mode, run.places, run.progress) => verified = report?,
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

/// `status`: the inventory, printed; 1 when a bot could not be read; with
/// `--detailed-exitcode`, 2 when something drifted. The session connects the places asked for.
async fn status(cli: &Cli, args: &crate::cli::StatusArgs) -> Result<i32> {
    let locations = crate::status::locations(args)?;
    let base = Clients::load(&cli.aws).await?;
    let session = Session::connect(base, output_of(cli), &locations).await?;
    let report = crate::status::command(&session, args).await?;
    show_as(&session.output, &report);
    Ok(if report.incomplete() {
        exit_code::FAILURE
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
