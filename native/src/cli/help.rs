//! Help that is not about one command: `motus help [COMMAND…]`, `motus help environment`,
//! shell completions and man pages, all generated from the one clap command tree.

use super::Cli;
use crate::output::CliError;
use clap::{Args, CommandFactory};
use std::path::PathBuf;

/// Every environment variable motus reads, with what it does. A test greps the sources for
/// environment reads and fails when one is missing here.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("MOTUS_DATABASE__PATH", "The coordination database when --db is not given [default: ~/.motus/coordination.db]"),
    ("MOTUS_USERLAND__PATH", "The userland database (preferences, skills, rules, patterns) when --userland is not given [default: userland.db beside the coordination database]"),
    ("MC_AGENT_ID", "The acting agent when --agent is not given [default: default; `user` for planning commands]"),
    ("MC_AGENT_ROLE", "The agent's role; operator or architect may `work force-release`"),
    ("MC_ROLE", "Read when MC_AGENT_ROLE is not set (the original's older name)"),
    ("MC_REVIEWER", "1: act as a reviewer in roadmap commands when MC_AGENT_ROLE is not set (the original's switch)"),
    ("MC_METRICS_ENABLED", "0, false or no: claims do not record kernel metrics rows [default: recorded]"),
    ("MOTUS_BUSY_TIMEOUT_MS", "How long a command waits for another process's write lock before it reports BUSY, in milliseconds [default: 30000]"),
    ("NO_COLOR", "Set and not empty: no colour with --color auto (https://no-color.org)"),
    ("COLUMNS", "Width help text is wrapped to [default: the terminal's width]"),
    ("HOME", "Where ~/.motus lives"),
    ("TMPDIR", "Where `motus view` keeps its private snapshot directory [default: /tmp]"),
    ("MOTUS_MCP_TRACE", "Set: `motus mcp` prints each tool call's name and duration on stderr"),
    ("MOTUS_TEST_PAUSE_AT", "Developers only: make `userland extract` stop at a named step so tests can kill it there"),
];

/// The environment page (`motus help environment`).
pub fn environment_text() -> String {
    let mut out = String::from(
        "Environment variables motus reads (a command-line option wins over its variable):\n",
    );
    for (name, what) in ENVIRONMENT {
        out.push_str(&format!("\n  {name}\n"));
        let mut line = String::from("      ");
        for word in what.split(' ') {
            if line.len() + word.len() > 78 && line.trim().len() > 0 {
                out.push_str(line.trim_end());
                out.push('\n');
                line = String::from("      ");
            }
            line.push_str(word);
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[derive(Debug, Args)]
#[command(after_long_help = "Examples:\n  motus help work claim\n  motus help environment")]
pub struct HelpArgs {
    /// A command (`work claim`), or `environment` for the variables motus reads
    #[arg(value_name = "TOPIC")]
    pub topic: Vec<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  motus completions bash > ~/.local/share/bash-completion/completions/motus\n  motus completions zsh > \"${fpath[1]}/_motus\"\n  motus completions fish > ~/.config/fish/completions/motus.fish"
)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for (printed on stdout)
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  motus man --out-dir ~/.local/share/man/man1   # then: man motus-work-claim\n  motus man | man -l -"
)]
pub struct ManArgs {
    /// Write one page per command (motus.1, motus-work.1, motus-work-claim.1, …) into this
    /// directory instead of printing the top-level page
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Replace pages that already exist in --out-dir (otherwise they are refused)
    #[arg(long, requires = "out_dir")]
    pub force: bool,
}

pub fn help(args: HelpArgs) -> Result<u8, CliError> {
    if args.topic.len() == 1 && matches!(args.topic[0].as_str(), "environment" | "env") {
        crate::output::say(environment_text().trim_end());
        return Ok(0);
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut at = &mut cmd;
    for name in &args.topic {
        let known: Vec<String> = at
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name().to_string())
            .collect();
        at = at.find_subcommand_mut(name).ok_or_else(|| {
            CliError::usage(format!(
                "no help topic '{name}'; topics: {}, environment",
                known.join(", ")
            ))
        })?;
    }
    crate::output::say(at.render_long_help().to_string().trim_end());
    Ok(0)
}

pub fn completions(args: CompletionsArgs) -> Result<u8, CliError> {
    use clap_complete::shells;
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    match args.shell {
        Shell::Bash => clap_complete::generate(shells::Bash, &mut cmd, "motus", &mut out),
        Shell::Zsh => clap_complete::generate(shells::Zsh, &mut cmd, "motus", &mut out),
        Shell::Fish => clap_complete::generate(shells::Fish, &mut cmd, "motus", &mut out),
        Shell::Elvish => clap_complete::generate(shells::Elvish, &mut cmd, "motus", &mut out),
        Shell::Powershell => {
            clap_complete::generate(shells::PowerShell, &mut cmd, "motus", &mut out)
        }
    }
    write_raw(&out);
    Ok(0)
}

/// Generated scripts and pages go out byte for byte (they are ours, not stored data).
fn write_raw(bytes: &[u8]) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(bytes).and_then(|_| o.flush());
}

fn man_pages(
    cmd: &clap::Command,
    prefix: &str,
    out: &mut Vec<(String, Vec<u8>)>,
) -> std::io::Result<()> {
    let name = if prefix.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{prefix}-{}", cmd.get_name())
    };
    let page_cmd = cmd.clone().name(name.clone());
    let mut buf = Vec::new();
    clap_mangen::Man::new(page_cmd).render(&mut buf)?;
    out.push((format!("{name}.1"), buf));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        man_pages(sub, &name, out)?;
    }
    Ok(())
}

pub fn man(args: ManArgs) -> Result<u8, CliError> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    man_pages(&cmd, "", &mut pages)?;
    match args.out_dir {
        None => write_raw(&pages[0].1),
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|e| {
                CliError::failed("io", format!("cannot create {}: {e}", dir.display()))
            })?;
            let rule = crate::files::Overwrite::from_force(args.force);
            for (name, bytes) in &pages {
                let path = dir.join(name);
                crate::files::write_file(&path, bytes, rule).map_err(|e| match e {
                    crate::files::PlaceError::Exists(p) => CliError::failed(
                        "exists",
                        format!("{} exists; pass --force to replace the pages", p.display()),
                    ),
                    crate::files::PlaceError::Io(e) => {
                        CliError::failed("io", format!("cannot write {}: {e}", path.display()))
                    }
                })?;
            }
            crate::output::say(&format!(
                "Wrote {} man pages to {}",
                pages.len(),
                dir.display()
            ));
        }
    }
    Ok(0)
}
