//! `status`: a read-only inventory of conversation logs, one row per alias: the version it runs,
//! the role that writes its logs, where text and audio go, whether those destinations are ours,
//! whether the role can write there (the static check of `verify`), and what apply would change.

#[allow(dead_code)] // the command that fills it comes next
pub(crate) mod report;
