//! Operator experience: help, completions, JSON shapes, progress, config files with several
//! targets, and the policy command (kept in sync with the calls the tool makes).

mod config_file;
mod coverage;
mod escalation;
mod group_key;
mod help;
mod json_output;
mod needs;
mod policy_command;
