//! Integration tests: the real binary and the AWS SDK against LocalStack (see `localstack/start`).
//! One test binary, with modules by topic.

mod cli;
mod faults;
mod fleet;
mod lifecycle;
mod operator;
mod outcome;
mod proxy;
mod sdk;
mod status;
mod support;
mod trust;
mod verify;
mod verify_bounds;
