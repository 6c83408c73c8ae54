//! Runs a parsed command line: validates the spec offline, observes, plans, shows the plan, asks,
//! runs the engine, prints the outcome, and returns the exit code. Errors are printed here, once.

use std::io::{BufRead, IsTerminal, Write};

use crate::aws::Clients;
use crate::cli::{ChangeArgs, Cli, Command, OutputFormat, PlanArgs, PolicyArgs, SetupArgs};
use crate::engine;
use crate::error::{exit_code, Error, Result};
use crate::observe::observe;
use crate::ownership;
use crate::plan::{Kind, Plan};
use crate::planner::{plan_apply, plan_destroy};
use crate::progress::Progress;
use crate::render;
use crate::resources::inline_policy;
use crate::spec::PrincipalLocation;
use crate::step::Context;
use futures::{StreamExt, TryStreamExt};

/// Runs the command and returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let outcome = match &cli.command {
        Command::Plan(args) => plan(&cli, args).await,
        Command::Apply(args) => change(&cli, args, Kind::Apply).await,
        Command::Destroy(args) => change(&cli, args, Kind::Destroy).await,
        Command::Policy(args) => policy(&cli, args).await,
        Command::Verify(args) => crate::verify::command(&cli, args).await,
        Command::Manual => {
            emit(&manual_page());
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

/// The manual page (roff), self-contained: every subcommand's synopsis and options are in it
/// (clap_mangen would refer to one page per subcommand, which nothing generates).
pub fn manual_page() -> String {
    use clap_mangen::Man;
    let mut command = <Cli as clap::CommandFactory>::command();
    command.build();
    let global: Vec<clap::Id> = command
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().clone())
        .collect();
    let man = Man::new(command.clone());
    let mut page = Vec::new();
    let rendered: std::io::Result<()> = (|| {
        man.render_title(&mut page)?;
        man.render_name_section(&mut page)?;
        man.render_synopsis_section(&mut page)?;
        man.render_description_section(&mut page)?;
        man.render_options_section(&mut page)?;
        page.extend_from_slice(b".SH COMMANDS\n");
        for sub in command
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            // The global options are described once, above.
            let mut sub = sub.clone();
            for id in &global {
                sub = sub.mut_arg(id, |a| a.hide(true));
            }
            let sub_man = Man::new(sub.clone());
            let mut part = Vec::new();
            sub_man.render_synopsis_section(&mut part)?;
            sub_man.render_description_section(&mut part)?;
            if sub.get_arguments().any(|a| !a.is_hide_set()) {
                sub_man.render_options_section(&mut part)?;
            }
            page.extend_from_slice(format!(".SS \"{}\"\n", sub.get_name()).as_bytes());
            // Its sections become paragraphs of this subsection.
            for line in String::from_utf8_lossy(&part).lines() {
                if line.starts_with(".SH ") {
                    page.extend_from_slice(b".PP\n");
                } else {
                    page.extend_from_slice(line.as_bytes());
                    page.push(b'\n');
                }
            }
        }
        let mut extra = Vec::new();
        man.render_extra_section(&mut extra)?;
        let extra = String::from_utf8_lossy(&extra).replace(".SH EXTRA", ".SH \"EXIT STATUS\"");
        page.extend_from_slice(extra.as_bytes());
        man.render_version_section(&mut page)
    })();
    rendered.expect("rendering to memory does not fail");
    // Each part starts with the same two-line preamble (it defines a string); once is enough.
    let text = String::from_utf8_lossy(&page);
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for line in text.lines() {
        let preamble = line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq");
        if !preamble || seen.insert(line) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// How many targets of a config file are observed at once (each makes about 20 reads in three
/// waves); beyond this they queue, and the SDK's retries absorb any throttling.
const TARGETS_AT_ONCE: usize = 20;

/// Specs (offline checks first), then observation of every target (concurrently), then one plan.
async fn prepare(cli: &Cli, setup: &SetupArgs, kind: Kind) -> Result<(Clients, Plan)> {
    let targets = setup.targets()?;
    let clients = Clients::load(&cli.aws).await?;
    let plans: Vec<Plan> = futures::stream::iter(targets.iter())
        .map(|target| {
            let clients = &clients;
            let spec = &target.spec;
            async move {
                // Beside observation (both only read), and first in the verdict: a principal that
                // is not the one named is refused before anything is planned.
                let (located, observed) = tokio::join!(
                    check_principal_locations(clients, &target.principal_locations),
                    observe(clients, spec, kind)
                );
                located?;
                let observed = observed?;
                // What is not ours (or may not log) is refused before anything is planned.
                ownership::refuse(spec, &observed, kind)?;
                match kind {
                    Kind::Apply => plan_apply(spec, &observed),
                    Kind::Destroy => plan_destroy(spec, &observed),
                }
            }
        })
        .buffered(TARGETS_AT_ONCE)
        .try_collect()
        .await?;
    let plan = Plan::merge(plans).map_err(|e| {
        Error::invalid(e, "fix the targets so that each resource is wanted one way")
    })?;
    Ok((clients, plan))
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
    let kind = if args.destroy {
        Kind::Destroy
    } else {
        Kind::Apply
    };
    let (_, plan) = prepare(cli, &args.setup, kind).await?;
    match cli.output {
        OutputFormat::Json => print_json(&render::plan_json(&plan)),
        OutputFormat::Text => emit(&render::plan_text(
            &plan,
            render::use_color(std::io::stdout().is_terminal()),
        )),
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        exit_code::CHANGES_PENDING
    } else {
        exit_code::SUCCESS
    })
}

async fn change(cli: &Cli, args: &ChangeArgs, kind: Kind) -> Result<i32> {
    if args.verify && kind == Kind::Destroy {
        return Err(Error::invalid(
            "--verify is for apply only",
            "run `lex-logs-setup verify` instead",
        ));
    }
    let mut interrupts = engine::Interrupts::install();
    let interrupted =
        || Error::Interrupted("interrupted before any change; nothing was changed".into());
    let (clients, plan) = tokio::select! {
        prepared = prepare(cli, &args.setup, kind) => prepared?,
        _ = interrupts.next() => return Err(interrupted()),
    };
    // With JSON output, stdout carries only the outcome; the plan a person reads goes to stderr.
    match cli.output {
        OutputFormat::Text => emit(&render::plan_text(
            &plan,
            render::use_color(std::io::stdout().is_terminal()),
        )),
        OutputFormat::Json if !cli.quiet => eprint!(
            "{}",
            render::plan_text(&plan, render::use_color(std::io::stderr().is_terminal()))
        ),
        OutputFormat::Json => {}
    }
    let verb = match kind {
        Kind::Apply => "apply",
        Kind::Destroy => "destroy",
    };
    if !plan.has_changes() {
        let verified = verify_after(cli, args, kind, &clients).await?;
        match cli.output {
            OutputFormat::Json => print_json(&crate::verify::with_report(
                render::outcome_json(&plan, &engine::Outcome::default()),
                verified.as_ref(),
            )),
            OutputFormat::Text => verified.iter().for_each(|r| emit(&r.text())),
        }
        return Ok(verified.map_or(exit_code::SUCCESS, |r| r.exit_code()));
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
        progress: Progress::new(cli.quiet),
        run_id: crate::resources::tags::new_run_id(),
    };
    let outcome = engine::run(&plan, &ctx, &mut interrupts).await;
    let verified = match outcome.succeeded() {
        true => verify_after(cli, args, kind, &ctx.clients).await?,
        false => None,
    };
    match cli.output {
        OutputFormat::Json => print_json(&crate::verify::with_report(
            render::outcome_json(&plan, &outcome),
            verified.as_ref(),
        )),
        OutputFormat::Text => {
            emit(&render::outcome_text(&plan, &outcome));
            verified.iter().for_each(|r| emit(&r.text()));
        }
    }
    Ok(if outcome.succeeded() {
        verified.map_or(exit_code::SUCCESS, |r| r.exit_code())
    } else if outcome.rollback_complete() {
        exit_code::FAILURE
    } else {
        exit_code::ROLLBACK_INCOMPLETE
    })
}

/// `apply --verify`: the verify report of the targets, after a successful apply.
async fn verify_after(
    cli: &Cli,
    args: &ChangeArgs,
    kind: Kind,
    clients: &Clients,
) -> Result<Option<crate::verify::report::Report>> {
    if !args.verify || kind != Kind::Apply {
        return Ok(None);
    }
    let progress = Progress::new(cli.quiet);
    crate::verify::after_apply(clients, &progress, &args.setup)
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

/// One document the policy command prints.
#[derive(Debug, serde::Serialize)]
struct NamedDocument {
    /// What it is: `trust`, `managed-policy`, `inline-policy` or `operator`.
    kind: &'static str,
    /// Where it goes, e.g. `role[LexLogs-OrderBot]`.
    address: String,
    document: serde_json::Value,
}

/// Prints the documents apply would create for the targets (read-only), and the operator policy.
async fn policy(cli: &Cli, args: &PolicyArgs) -> Result<i32> {
    let has_target = args.setup.config.is_some() || args.setup.target.bot.is_some();
    let mut documents = Vec::new();
    let mut scope = crate::documents::OperatorScope::default();
    if has_target {
        let (_, plan) = prepare(cli, &args.setup, Kind::Apply).await?;
        for change in &plan.changes {
            let after = &change.after;
            let kind = change.address.split('[').next().unwrap_or_default();
            match kind {
                "role" if change.action == crate::plan::Action::Delete => {
                    // An earlier role of ours that apply removes: the operator deletes it.
                    if let Some(name) = change.before["name"].as_str() {
                        scope.role_names.push(name.to_string());
                    }
                }
                "policy" if change.action == crate::plan::Action::Delete => {}
                "role" => {
                    documents.push(NamedDocument {
                        kind: "trust",
                        address: change.address.clone(),
                        document: after["trustPolicy"].clone(),
                    });
                    if let Some(arn) = after["arn"]
                        .as_str()
                        .and_then(|a| a.parse::<crate::arn::Arn>().ok())
                    {
                        scope.scope.get_or_insert(crate::arn::Scope {
                            partition: arn.partition,
                            account: arn.account,
                            region: plan.targets[0].region.clone(),
                        });
                    }
                    if let Some(previous) =
                        after["tags"][crate::resources::tags::PREVIOUS_ROLE].as_str()
                    {
                        scope.previous_roles.push(previous.to_string());
                    }
                }
                "policy" => documents.push(NamedDocument {
                    kind: "managed-policy",
                    address: change.address.clone(),
                    document: after["document"].clone(),
                }),
                "inline_policy" if change.address.ends_with("-ConversationLogs]") => documents
                    .push(NamedDocument {
                        kind: "service-linked-inline",
                        address: change.address.clone(),
                        document: after["document"].clone(),
                    }),
                "inline_policy" if change.address.contains(crate::documents::PASS_ROLE_PREFIX) => {
                    documents.push(NamedDocument {
                        kind: "inline-policy",
                        address: change.address.clone(),
                        document: after["document"].clone(),
                    });
                    let inner = change.address.trim_start_matches("inline_policy[");
                    if let Some(principal) =
                        inner.rsplit_once('/').and_then(|(p, _)| p.parse().ok())
                    {
                        scope.principals.push(principal);
                    }
                }
                "inline_policy" => documents.push(NamedDocument {
                    kind: "copied-inline",
                    address: change.address.clone(),
                    document: after["document"].clone(),
                }),
                "log_group" => scope
                    .log_groups
                    .push(after["name"].as_str().unwrap_or_default().to_string()),
                _ => {}
            }
        }
        for target in &plan.targets {
            scope.role_names.push(target.role.clone());
            scope.bot_ids.push(target.bot_id.clone());
            scope.writer_roles.extend(target.writers.iter().cloned());
            scope.scope.get_or_insert(crate::arn::Scope {
                partition: target.partition.clone(),
                account: target.account.clone(),
                region: target.region.clone(),
            });
        }
    }
    if args.operator_only {
        documents.clear();
    }
    documents.push(NamedDocument {
        kind: "operator",
        address: "operator".into(),
        document: crate::documents::operator(&scope),
    });
    match cli.output {
        OutputFormat::Json => print_json(&serde_json::json!({ "documents": documents })),
        OutputFormat::Text => {
            for d in &documents {
                let title = match d.kind {
                    "trust" => format!("Trust policy of {}", d.address),
                    "managed-policy" => format!("Managed policy {}, attached to the role that writes the logs", d.address),
                    "service-linked-inline" => format!("Inline policy {}, on the Lex service-linked role that writes the logs", d.address),
                    "copied-inline" => format!("Inline policy {}, copied from the bot's previous role to ours", d.address),
                    "inline-policy" => format!("PassRole grant {}", d.address),
                    _ => "Operator policy: what the person or pipeline running apply and destroy needs".to_string(),
                };
                emit(&format!(
                    "# {title}\n{}\n\n",
                    serde_json::to_string_pretty(&d.document).expect("JSON values print")
                ));
            }
        }
    }
    Ok(exit_code::SUCCESS)
}
