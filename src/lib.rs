//! lex-logs-setup: sets up Amazon Lex V2 conversation logs end to end, safely.
//!
//! Module map:
//! - [`cli`]: command-line definitions only.
//! - [`aws`]: one shared SDK configuration and the bundle of service clients.
//! - [`arn`]: partition-aware ARN parsing and building.
//! - [`error`]: errors that carry the resource, the AWS operation, code and request id, and a
//!   next step; the exit codes.
//! - [`resources`]: one module per resource kind, each knowing how to read it.
//! - [`app`]: runs a parsed command line and says which exit code it earned.
//!
//! Guarantees: `plan` only reads; every AWS failure is reported with the operation, the resource,
//! the error code and the request id.

pub mod app;
pub mod arn;
pub mod aws;
pub mod cli;
pub mod documents;
pub mod engine;
pub mod error;
pub mod observe;
pub mod plan;
pub mod planner;
pub mod policy;
pub mod progress;
pub mod render;
pub mod resources;
pub mod spec;
pub mod step;
