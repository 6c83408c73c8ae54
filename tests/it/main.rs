//! Integration tests: the real binary and the AWS SDK against LocalStack (see `localstack/start`).
//! One test binary, with modules by topic.

mod aws_limits;
mod aws_reads;
mod cli;
mod faults;
mod fleet;
mod lifecycle;
mod living;
mod operator;
pub(crate) mod outcome;
mod posture;
mod proxy;
mod proxy_hold;
mod recipe;
mod saved_plan;
mod schema;
mod sdk;
mod status;
mod status_calls;
mod status_reads;
mod support;
mod trust;
mod verify;
mod verify_bounds;
mod verify_probe;
