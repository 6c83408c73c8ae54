//! One module per kind of resource the tool reads or changes.

pub mod alias;
pub mod bot;
