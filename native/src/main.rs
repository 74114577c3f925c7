//! `motus`: the command-line front end. It parses arguments, calls `motus_core`, and renders
//! the typed result as text or `--json`.

mod bench;
mod cli;
mod db;
mod host;
mod output;
mod paths;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            // Under --json a usage error is also the failure document on stdout.
            if e.use_stderr() && std::env::args_os().any(|a| a == "--json") {
                output::report_usage_json(&e.render().to_string());
            }
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                output::EXIT_USAGE
            } else {
                0
            });
        }
    };
    let json = args.json;
    match cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            output::report_error(json, &e);
            ExitCode::from(e.exit)
        }
    }
}
