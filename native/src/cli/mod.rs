//! The command tree. Each area lives in its own module and owns its subcommands.

pub mod ctx;
mod db;
mod db_ops;
mod deploy;
mod doctor;
mod help;
mod node;
mod pattern;
mod pref;
mod program;
mod render;
mod roadmap;
mod rule;
mod skill;
mod terminology;
mod userland;
mod view;

pub use ctx::Ctx;
pub(crate) mod work;

use crate::output::CliError;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "motus",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("MOTUS_BUILD_COMMIT"), ")"),
    about = "Coordination state for AI-agent work in one SQLite file",
    disable_help_subcommand = true,
    max_term_width = 100,
    after_long_help = "Examples:\n  LEASE=$(motus work claim ADHOC-TASK-001 --intent \"My first task\" -q)\n  motus work evidence $LEASE test_result --passed 3\n  motus work release $LEASE success\n  motus roadmap ready\n  motus help environment",
    long_about = "Motus keeps who is working on what, what was decided, what proves it and what comes next \
                  in one SQLite file (~/.motus/coordination.db), compatible with motusos 0.3.x."
)]
pub struct Cli {
    /// Database file [default: $MOTUS_DATABASE__PATH, else ~/.motus/coordination.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Userland database (preferences, skills, rules, patterns) [default: $MOTUS_USERLAND__PATH, else userland.db beside the database]
    // Hidden from every command's help (it matters only to `pref`, `skill`, `rule`, `pattern`
    // and `userland`, whose long help names it) but accepted anywhere, as before.
    #[arg(long, global = true, value_name = "PATH", hide = true)]
    pub userland: Option<PathBuf>,

    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true)]
    pub json: bool,

    /// Print only the essential value (the lease id of a claim, the id of an added item) or
    /// nothing; a refusal's text then goes to stderr
    #[arg(short, long, global = true, conflicts_with = "json")]
    pub quiet: bool,

    /// When to colour text: auto (only on a terminal, never with NO_COLOR set), always, never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = crate::text::ColorChoice::Auto)]
    pub color: crate::text::ColorChoice,

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
    /// Claim work, record context, outcomes, evidence and decisions, and release it
    #[command(subcommand)]
    Work(work::WorkCommand),
    /// Plan work: items, dependencies, what is ready, blocked, and why
    Roadmap(roadmap::RoadmapArgs),
    /// Programs: top-level containers of products
    Program(program::EntityArgs<program::ProgramK>),
    /// Products inside a program
    Product(program::EntityArgs<program::ProductK>),
    /// Features of a product
    Feature(program::EntityArgs<program::FeatureK>),
    /// Releases of a product
    Release(program::EntityArgs<program::ReleaseK>),
    /// Change requests and their dependencies
    Cr(program::EntityArgs<program::CrK>),
    /// Bugs against a feature version
    Bug(program::EntityArgs<program::BugK>),
    /// Standards, where they apply, and compliance results
    Standard(program::EntityArgs<program::StandardK>),
    /// Charter documents (one active per type)
    Charter(program::EntityArgs<program::CharterK>),
    /// The deploy gate: claims that tests must back, and deployment events
    #[command(subcommand)]
    Deploy(deploy::DeployCommand),
    /// The keys each `*_key` column accepts, by domain
    #[command(subcommand)]
    Terminology(terminology::TerminologyCommand),
    /// Move preferences, skills, rules and patterns into userland.db, and see where they live
    #[command(subcommand)]
    Userland(userland::UserlandCommand),
    /// Get, set, list and unset preferences
    #[command(subcommand)]
    Pref(pref::PrefCommand),
    /// Add, list, show and delete skills
    #[command(subcommand)]
    Skill(skill::SkillCommand),
    /// Add, list and delete ground rules
    #[command(subcommand)]
    Rule(rule::RuleCommand),
    /// List learned and detected patterns
    #[command(subcommand)]
    Pattern(pattern::PatternCommand),
    /// Serve the kernel and the roadmap to an AI agent as MCP tools over stdio (one long-lived connection)
    Mcp(crate::mcp::McpArgs),
    /// Print the agent guide: the loop, the tools and commands, and what to do on each reason code
    Prime,
    /// Serve the browser viewer on 127.0.0.1 (the database is opened in the page, never uploaded)
    View(view::ViewArgs),
    /// dqlite cluster nodes: start one, and membership (list, leader, assign, remove) of the cluster --db names
    #[command(subcommand)]
    Node(node::NodeCommand),
    /// Help on a command, or `motus help environment` for the variables motus reads
    Help(help::HelpArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(help::CompletionsArgs),
    /// Print the man page, or write one page per command with --out-dir
    Man(help::ManArgs),
}

/// Runs a parsed command; returns the exit code for a completed command (0, or 1 when the
/// command ran but its verdict is negative, like a denied claim or a failing check).
/// With `-q`, the one JSON field a command prints (none: it prints nothing on success).
fn quiet_key(command: &Command) -> Option<&'static str> {
    match command {
        Command::Work(work::WorkCommand::Claim(_)) => Some("lease_id"),
        Command::Work(work::WorkCommand::Evidence(_)) => Some("evidence_id"),
        Command::Work(work::WorkCommand::Decision { .. }) => Some("decision_id"),
        Command::Roadmap(roadmap::RoadmapArgs {
            command: Some(roadmap::RoadmapCommand::Add(_)),
        }) => Some("id"),
        Command::Db(db::DbCommand::Backup { .. }) => Some("backup_path"),
        _ => None,
    }
}

pub fn run(cli: Cli) -> Result<u8, CliError> {
    crate::text::init(cli.color);
    if cli.quiet {
        crate::output::set_quiet(quiet_key(&cli.command));
    }
    if cli.quiet || cli.json {
        crate::progress::suppress();
    }
    let db_path = crate::paths::coordination_db(cli.db.as_deref()).map_err(CliError::usage)?;
    db_ops::apply_busy_timeout_from_env()?;
    let userland_path = crate::paths::userland_db(cli.userland.as_deref(), &db_path);
    let ctx = Ctx {
        db_path,
        userland_path,
        json: cli.json,
    };
    match cli.command {
        Command::Db(cmd) => db::run(&ctx, cmd),
        Command::Doctor(args) => doctor::run(&ctx, args),
        Command::Work(cmd) => work::run(&ctx, cmd),
        Command::Roadmap(cmd) => roadmap::run(&ctx, cmd),
        Command::Program(a) => program::run(&ctx, a),
        Command::Product(a) => program::run(&ctx, a),
        Command::Feature(a) => program::run(&ctx, a),
        Command::Release(a) => program::run(&ctx, a),
        Command::Cr(a) => program::run(&ctx, a),
        Command::Bug(a) => program::run(&ctx, a),
        Command::Standard(a) => program::run(&ctx, a),
        Command::Charter(a) => program::run(&ctx, a),
        Command::Deploy(cmd) => deploy::run(&ctx, cmd),
        Command::Terminology(cmd) => terminology::run(&ctx, cmd),
        Command::Userland(cmd) => userland::run(&ctx, cmd),
        Command::Pref(cmd) => pref::run(&ctx, cmd),
        Command::Skill(cmd) => skill::run(&ctx, cmd),
        Command::Rule(cmd) => rule::run(&ctx, cmd),
        Command::Pattern(cmd) => pattern::run(&ctx, cmd),
        Command::View(args) => view::run(&ctx, args),
        Command::Node(cmd) => node::run(&ctx, cmd),
        Command::Mcp(args) => crate::mcp::run(&ctx, args),
        Command::Prime => {
            let doc = motus_core::answer::GuideAnswer {
                guide: crate::mcp::guide::GUIDE.to_string(),
            };
            crate::output::emit(ctx.json, &doc, || doc.guide.clone());
            Ok(0)
        }
        Command::Help(args) => help::help(args),
        Command::Completions(args) => help::completions(args),
        Command::Man(args) => help::man(args),
    }
}

#[cfg(test)]
mod help_tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every visible argument of every command, with its path, that has no description.
    fn undocumented(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        if cmd.get_about().is_none() && !path.is_empty() {
            out.push(format!("{path}: (command has no about)"));
        }
        for arg in cmd.get_arguments() {
            if arg.is_hide_set() || matches!(arg.get_id().as_str(), "help" | "version") {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                out.push(format!("{path} {}", arg.get_id()));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.is_hide_set() {
                continue;
            }
            undocumented(
                sub,
                &format!("{path} {}", sub.get_name()).trim().to_string(),
                out,
            );
        }
    }

    #[test]
    fn every_argument_and_command_has_a_description() {
        let mut missing = Vec::new();
        undocumented(&Cli::command(), "", &mut missing);
        assert!(
            missing.is_empty(),
            "{} undocumented:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }
}
