//! The command tree. Each area lives in its own module and owns its subcommands.

mod db;
mod doctor;
mod view;

use crate::output::CliError;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "motus",
    version,
    about = "Coordination state for AI-agent work in one SQLite file",
    long_about = "Motus keeps who is working on what, what was decided, what proves it and what comes next \
                  in one SQLite file (~/.motus/coordination.db), compatible with motusos 0.3.x."
)]
pub struct Cli {
    /// Database file [default: $MOTUS_DATABASE__PATH, else ~/.motus/coordination.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, migrate and inspect the database file
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Check the database: integrity, foreign keys, schema version and shape, WAL size
    Doctor(doctor::DoctorArgs),
    /// Serve the browser viewer on 127.0.0.1 (the database is opened in the page, never uploaded)
    View(view::ViewArgs),
}

/// Global options every command sees.
pub struct Ctx {
    pub db_path: PathBuf,
    pub json: bool,
}

/// Runs a parsed command; returns the exit code for a completed command (0, or 1 when the
/// command ran but its verdict is negative, like a denied claim or a failing check).
pub fn run(cli: Cli) -> Result<u8, CliError> {
    let db_path = crate::paths::coordination_db(cli.db.as_deref()).map_err(CliError::usage)?;
    let ctx = Ctx {
        db_path,
        json: cli.json,
    };
    match cli.command {
        Command::Db(cmd) => db::run(&ctx, cmd),
        Command::Doctor(args) => doctor::run(&ctx, args),
        Command::View(args) => view::run(&ctx, args),
    }
}
