//! `motus skill add|list|show|delete`: skills and their unlock progress.

use super::ctx::Ctx;
use super::userland::open::{actor, open_read, open_write, with_env};
use crate::output::{emit, CliError};
use clap::Subcommand;
use motus_core::userland::calls;
use motus_core::userland::skills::Skill;

#[derive(Debug, Subcommand)]
pub enum SkillCommand {
    /// Add a skill; it is unlocked once its progress reaches the threshold
    Add {
        /// The skill's name
        name: String,
        /// Progress needed to unlock it (0 or more)
        #[arg(long, allow_negative_numbers = true)]
        threshold: i64,
        /// Progress so far (0 or more)
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        progress: i64,
    },
    /// List skills
    List {
        /// Include deleted skills
        #[arg(long)]
        all: bool,
    },
    /// Show one skill
    Show {
        /// The skill's name
        name: String,
    },
    /// Delete a skill (a soft delete: the row is kept with deleted_at)
    Delete {
        /// The skill's name
        name: String,
        /// Why, recorded as deletion_reason
        #[arg(long)]
        reason: Option<String>,
    },
}

fn line(s: &Skill) -> String {
    let state = match &s.unlocked_at {
        Some(at) => format!("unlocked {at}"),
        None => "locked".into(),
    };
    let deleted = if s.stamps.is_deleted() {
        " [deleted]"
    } else {
        ""
    };
    format!(
        "{}  {}/{}  {state}{deleted}",
        s.skill_name, s.progress_count, s.unlock_threshold
    )
}

pub fn run(ctx: &Ctx, cmd: SkillCommand) -> Result<u8, CliError> {
    match cmd {
        SkillCommand::Add {
            name,
            threshold,
            progress,
        } => {
            let o = open_write(ctx)?;
            let options = calls::SkillAddOptions {
                progress: Some(progress),
            };
            let doc = with_env(|env| {
                calls::skill_add(
                    &o.db.conn,
                    &o.location,
                    env,
                    &actor(),
                    &name,
                    threshold,
                    &options,
                )
            })?;
            emit(ctx.json, &doc, || {
                format!("Added skill {}", line(&doc.skill))
            });
        }
        SkillCommand::List { all } => {
            let o = open_read(ctx)?;
            let doc = calls::skill_list(&o.db.conn, &o.location, &calls::ListInput { all })?;
            emit(ctx.json, &doc, || {
                if doc.items.is_empty() {
                    "No skills; add one with `motus skill add NAME --threshold N`".into()
                } else {
                    doc.items.iter().map(line).collect::<Vec<_>>().join("\n")
                }
            });
        }
        SkillCommand::Show { name } => {
            let o = open_read(ctx)?;
            let doc = calls::skill_show(&o.db.conn, &o.location, &name)?;
            emit(ctx.json, &doc, || line(&doc.skill));
        }
        SkillCommand::Delete { name, reason } => {
            let o = open_write(ctx)?;
            let doc = with_env(|env| {
                calls::skill_delete(
                    &o.db.conn,
                    &o.location,
                    env,
                    &actor(),
                    &name,
                    &calls::ReasonInput { reason },
                )
            })?;
            emit(ctx.json, &doc, || format!("Deleted skill {name}"));
        }
    }
    Ok(0)
}
