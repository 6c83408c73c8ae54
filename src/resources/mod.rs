//! One module per kind of resource the tool reads or changes. Each knows how to observe its
//! resource and how to make each change to it; planning is pure and lives in `planner`.

pub mod alias;
pub mod bot;
pub mod destination;
pub mod inline_policy;
pub mod lex_wait;
pub mod log_group;
pub mod managed_policy;
pub mod role;
pub mod tags;
pub mod version;
