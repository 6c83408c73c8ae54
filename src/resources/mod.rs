//! One module per kind of resource the tool reads or changes. Each knows how to observe its
//! resource and how to make each change to it (its step type, behind [`operation::Operation`]);
//! planning is pure and lives in `planner`.

pub mod alarm;
pub mod alarm_value;
pub mod alias;
pub mod alias_write;
pub mod attachment;
pub mod bot;
pub(crate) mod by_hand;
pub mod destination;
pub mod inline_policy;
pub mod lex_wait;
pub mod log_group;
pub mod log_group_key;
pub mod log_group_write;
pub mod log_settings;
pub mod managed_policy;
pub mod operation;
pub mod query;
pub mod record;
pub mod role;
pub mod tags;
pub mod version;
pub mod version_contents;
