//! The `lex-logs-setup` binary: parse, set up tracing, run, exit with the outcome's code.

use clap::Parser;
use lex_logs_setup::error::{exit_code, Error};
use lex_logs_setup::{app, cli::Cli};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout with success; usage errors exit with the usage code.
            let code = if err.use_stderr() {
                exit_code::USAGE
            } else {
                exit_code::SUCCESS
            };
            let _ = err.print();
            if code == exit_code::USAGE && wants_json(std::env::args()) {
                let message = err.render().to_string();
                let message = message.trim_start_matches("error: ").trim_end();
                app::print_json(&Error::usage_json(message));
            }
            std::process::exit(code);
        }
    };
    // The SDK's own warnings (each credential source that failed, ...) only with -vv: the error
    // the tool prints says what failed and why.
    let default_level = match cli.verbose {
        0 => "error,lex_logs_setup=warn",
        1 => "lex_logs_setup=info",
        _ => "lex_logs_setup=debug,aws_config=info",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(lex_logs_setup::app::use_color(
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
        ))
        .init();
    std::process::exit(app::run(cli).await);
}

/// True when the command line clap refused still asks for `--output json` (then stdout carries
/// the error as JSON, as for every other error).
fn wants_json(args: impl Iterator<Item = String>) -> bool {
    let args: Vec<String> = args.collect();
    args.iter().any(|a| a == "--output=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--output" && w[1] == "json")
}
