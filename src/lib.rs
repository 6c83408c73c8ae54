//! lex-logs-setup: sets up Amazon Lex V2 conversation logs end to end, safely.
//!
//! Module map, in the order a run goes through them:
//! - [`cli`]: command-line definitions, and the raw flags turned into targets; `config`: config
//!   files read into the same model; [`spec`]: the validated request (no I/O). The flow is one
//!   way: cli -> config -> spec.
//! - [`aws`]: one shared SDK configuration and the bundle of service clients.
//! - [`observe`]: every read, concurrently, into `Observed`; `ownership`: the pure refusals of
//!   what is not ours (run on what observe read, before anything is planned).
//! - [`planner`]: pure functions `(Spec, Observed) -> Plan` for apply and destroy;
//!   [`plan`]: the plan as data; [`documents`]: the policy documents apply creates.
//! - [`render`]: the plan and outcome as text or JSON.
//! - [`engine`]: runs a plan in dependency order, concurrently where it can, journals the inverse
//!   of each [`step`], and rolls back on failure or Ctrl-C.
//! - [`resources`]: one module per resource kind: how to read it and how to change it.
//! - [`arn`], [`policy`], [`error`], [`progress`]: ARNs, policy comparison, errors and exit codes,
//!   progress lines.
//! - [`verify`]: proves that conversation logs arrive (a static check with [`iam_eval`], then
//!   one conversation turn per alias and the log read back).
//! - `status`: the read-only inventory of every alias's logs; [`posture`]: its findings (stable
//!   ids, severities, an organisation's rules, SARIF).
//! - [`app`]: ties them together for one command and returns the exit code.
//!
//! Guarantees: `plan` only reads; nothing changes before every input has been validated; a second
//! apply makes no mutating call; a failed or interrupted apply leaves the account as it was, or
//! lists exactly what is left; every AWS failure names the operation, the resource, the error
//! code, the request id and a next step.

pub mod app;
pub mod arn;
pub mod aws;
pub mod cli;
pub(crate) mod config;
pub(crate) mod documents;
/// The escalation check of policy documents (public for the integration tests).
pub use documents::escalation;
pub(crate) mod engine;
pub mod error;
pub(crate) mod iam_eval;
pub(crate) mod manual;
pub(crate) mod observe;
pub(crate) mod ownership;
pub(crate) mod plan;
pub(crate) mod planner;
pub mod policy;
pub mod posture;
pub(crate) mod progress;
pub(crate) mod provider;
pub(crate) mod render;
pub mod resources;
pub(crate) mod saved;
pub(crate) mod session;
pub mod spec;
pub(crate) mod status;
pub(crate) mod step;
pub(crate) mod verify;
