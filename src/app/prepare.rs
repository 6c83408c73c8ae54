//! Observing and planning the targets of a command: the session is connected once, each target
//! is observed with the clients of its place (a bound per place and in all), checked, planned,
//! and the plans merged into one.

use super::output_of;
use crate::aws::Clients;
use crate::cli::{Cli, SetupArgs};
use crate::error::{Error, Result};
use crate::observe::observe;
use crate::ownership;
use crate::plan::{Mode, Plan};
use crate::planner::{plan_apply, plan_destroy};
use crate::resources::inline_policy;
use crate::session::Session;
use crate::spec::{PrincipalLocation, TargetSpec};
use futures::{StreamExt, TryStreamExt};

/// How many targets of a config file are observed at once (each makes about 20 reads in three
/// waves); beyond this they queue, and the SDK's retries absorb any throttling.
const TARGETS_AT_ONCE: usize = 20;
/// How many targets of one account and region are observed at once, so that one account's
/// targets neither trip its IAM and Lex rate limits nor hold back the other accounts.
const TARGETS_PER_PLACE: usize = 8;

/// What a command that plans has made ready: the session, the targets, and one plan for them.
pub(super) struct Prepared {
    pub session: Session,
    pub targets: Vec<TargetSpec>,
    pub plan: Plan,
}

/// Specs (offline checks first), the session (the clients of every place the targets live in),
/// then observation of every target (concurrently), then one plan.
pub(super) async fn prepare(cli: &Cli, setup: &SetupArgs, mode: Mode) -> Result<Prepared> {
    let targets = setup.targets()?;
    let session = connect(cli, &targets).await?;
    let plan = plan_targets(&session, &targets, mode).await?;
    Ok(Prepared {
        session,
        targets,
        plan,
    })
}

/// The session of `targets`: the clients of every place they live in, connected once.
pub(super) async fn connect(cli: &Cli, targets: &[TargetSpec]) -> Result<Session> {
    let placed = targets
        .iter()
        .map(|t| (&t.location, &t.names, t.spec.bot.as_str()));
    Session::for_targets(&cli.aws, output_of(cli), placed).await
}

/// Every target observed with its place's clients, checked and planned; the plans merged.
pub(super) async fn plan_targets(
    session: &Session,
    targets: &[TargetSpec],
    mode: Mode,
) -> Result<Plan> {
    let places = &session.places;
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
    Plan::merge(plans).map_err(|e| {
        Error::invalid(
            e,
            "fix the targets so that each resource is wanted one way (bots of one name in two regions of an account share our IAM names: give them distinct names, or a role_name each)",
        )
    })
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
            let mut observed = observed?;
            // A grant put on a service-linked role must fit IAM's size limit with the role's
            // other inline policies: read only when the plan changes a grant there.
            if mode == Mode::Apply {
                let to_size = crate::planner::unsized_grant_writers(spec, &observed);
                crate::observe::read_writers_inline(&clients.iam, &mut observed, &to_size).await?;
            }
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
