//! The Rust SDK can call, and parse the answers of, every API the tool uses, on the emulator.

mod iam;
mod lex;
mod services;
