//! Saved plans: `plan --out FILE` writes one, `show FILE` prints one, and `apply FILE` makes
//! exactly its changes, with no question asked, once it has proven that nothing they depend on
//! has moved (the same credentials' account and region, the same world: planned again, the
//! targets give the very same plan). Otherwise it refuses before the first change.

use std::path::Path;

use super::change::{interrupted, refuse_verify_of_destroy, run_plan, Ask, Run};
use super::prepare::{connect, plan_targets};
use super::show;
use crate::cli::{ApplyArgs, Cli};
use crate::engine;
use crate::error::{exit_code, Error, Result};
use crate::plan::{Plan, Provider};
use crate::render;
use crate::saved::{stale_differences, SavedPlan};
use crate::session::Session;
use crate::spec::{Names, TargetSpec};

/// Writes the plan made for `targets` to `path`, and says how to apply it (on stderr).
pub(super) fn save(cli: &Cli, path: &Path, plan: &Plan, targets: &[TargetSpec]) -> Result<()> {
    let configs = targets.iter().map(|t| t.config.clone()).collect();
    SavedPlan::new(plan.clone(), configs).write(path)?;
    if !cli.quiet {
        eprintln!(
            "\nSaved the plan to {}: `lex-logs-setup apply {}` makes exactly these changes.",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// `show FILE`: the saved plan, as `plan` prints it. No AWS call.
pub(super) fn show_saved(cli: &Cli, path: &Path) -> Result<i32> {
    let saved = SavedPlan::read(path)?;
    show(cli, &render::Shown(&saved.plan));
    Ok(exit_code::SUCCESS)
}

/// `apply FILE`: the saved plan, run as it is, once the world is proven unchanged.
pub(super) async fn apply_saved(cli: &Cli, args: &ApplyArgs, path: &Path) -> Result<i32> {
    let saved = SavedPlan::read(path)?;
    let mode = saved.plan.command;
    refuse_verify_of_destroy(&args.change, mode)?;
    let targets = saved
        .targets
        .iter()
        .map(|config| TargetSpec::from_named_target(config, &Names::default()))
        .collect::<Result<Vec<_>>>()?;
    let mut interrupts = engine::Interrupts::install();
    let session = tokio::select! {
        session = connect(cli, &targets) => session?,
        _ = interrupts.next() => return Err(interrupted()),
    };
    let elsewhere = refuse_another_place(path, &saved.plan, &session).await?;
    let now = tokio::select! {
        now = plan_targets(&session, &targets, mode) => now,
        _ = interrupts.next() => return Err(interrupted()),
    };
    if let Ok(now) = &now {
        refuse_regions_not_replicated_to(path, &elsewhere, now)?;
    }
    let moved = match now {
        Ok(now) => stale_differences(&saved.plan, &now),
        // The targets were valid when planned: a refusal now is the world's doing (a
        // destination or policy of ours taken by someone else, a resource gone).
        Err(Error::Invalid { message, .. }) => {
            vec![format!("planning the targets again now refuses: {message}")]
        }
        Err(other) => return Err(other),
    };
    if !moved.is_empty() {
        return Err(Error::StalePlan {
            message: format!(
                "the account has moved since {} was made, so nothing was changed; what moved:\n  {}",
                path.display(),
                moved.join("\n  ")
            ),
            moved,
        });
    }
    let run = Run {
        session: &session,
        targets: &targets,
        interrupts: &mut interrupts,
    };
    run_plan(cli, &args.change, mode, run, &saved.plan, Ask::Never).await
}

/// A plan is applied with credentials that reach the accounts and regions it was made in, the
/// same way (the same role assumed): otherwise it is refused, naming both. A region the plan
/// changes that the credentials reach only through another region of the same connection (a
/// bot's replica region) is returned, for [`refuse_regions_not_replicated_to`].
async fn refuse_another_place(
    path: &Path,
    plan: &Plan,
    session: &Session,
) -> Result<Vec<Provider>> {
    let mut here: Vec<Provider> = Vec::new();
    for (_, clients) in session.places.all() {
        here.push(clients.provider().await?);
    }
    let mut elsewhere = Vec::new();
    for wanted in plan.providers() {
        let same_connection = |p: &Provider| p.account == wanted.account && p.via == wanted.via;
        if !here.contains(wanted) && here.iter().any(same_connection) {
            elsewhere.push(wanted.clone());
        } else if !here.contains(wanted) {
            let reached: Vec<String> = here.iter().map(Provider::to_string).collect();
            return Err(Error::invalid(
                format!(
                    "{} was made for {wanted}, but these credentials reach {}; nothing was changed",
                    path.display(),
                    reached.join(" and ")
                ),
                "apply the plan with the credentials (profile, region, role) it was made with, or make a plan with these",
            ));
        }
    }
    Ok(elsewhere)
}

/// The regions of `elsewhere` must be ones the targets' bots are replicated to now (the plan made
/// now changes things there too); otherwise the saved plan is refused.
fn refuse_regions_not_replicated_to(path: &Path, elsewhere: &[Provider], now: &Plan) -> Result<()> {
    match elsewhere.iter().find(|p| !now.providers().contains(p)) {
        None => Ok(()),
        Some(wanted) => Err(Error::invalid(
            format!(
                "{} was made for {wanted}, which is neither where these credentials work nor a region the targets' bots are replicated to now; nothing was changed",
                path.display()
            ),
            "apply the plan with the credentials (profile, region, role) it was made with, or make a plan with these",
        )),
    }
}
