//! `motus`: the command-line front end. It parses arguments, calls `motus_core`, and renders
//! the typed result as text or `--json`.

mod bench;
mod cli;
mod cluster;
mod db;
mod files;
mod host;
mod output;
mod paths;
mod wal;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
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
