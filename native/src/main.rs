//! `motus`: the command-line front end. It parses arguments, calls `motus_core`, and renders
//! the typed result as text or `--json`.

mod cli;
mod cluster;
mod db;
mod exclusive;
mod files;
mod host;
mod mcp;
#[cfg(all(unix, feature = "node"))]
mod node_host;
mod output;
mod paths;
mod progress;
mod text;
mod wal;

use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

/// `--color` as written on the command line, read before parsing so that clap's own help and
/// usage errors honour it too (clap already honours NO_COLOR and terminals by itself).
fn color_from_args() -> clap::ColorChoice {
    let mut args = std::env::args_os().skip(1);
    let mut choice = clap::ColorChoice::Auto;
    while let Some(a) = args.next() {
        let a = a.to_string_lossy().into_owned();
        let value = match a.strip_prefix("--color") {
            Some("") => args.next().map(|v| v.to_string_lossy().into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        };
        match value.as_deref() {
            Some("always") => choice = clap::ColorChoice::Always,
            Some("never") => choice = clap::ColorChoice::Never,
            Some("auto") => choice = clap::ColorChoice::Auto,
            _ => {}
        }
        if a == "--" {
            break;
        }
    }
    choice
}

fn main() -> ExitCode {
    let parsed = cli::Cli::command()
        .color(color_from_args())
        .try_get_matches()
        .and_then(|m| cli::Cli::from_arg_matches(&m));
    let args = match parsed {
        Ok(a) => a,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            // Under --json a usage error is also the failure document on stdout.
            if e.use_stderr() && std::env::args_os().skip(1).any(|a| a == "--json") {
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
