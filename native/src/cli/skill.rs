//! `motus skill add|list|show|delete`: skills and their unlock progress.

use super::ctx::Ctx;
use super::userland::open::{actor, open_read, open_write, with_env};
use crate::output::{emit, CliError};
use clap::Subcommand;
use motus_core::answer::userland::{SkillAnswer, SkillListAnswer};
use motus_core::userland::skills::{self, Skill};

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
            let s = with_env(|env| {
                o.location.write(&o.db.conn, |c, store| {
                    skills::add(c, &store, env, &actor(), &name, threshold, progress)
                })
            })?;
            let doc = SkillAnswer {
                lives_in: o.location.home(),
                skill: s.clone(),
            };
            emit(ctx.json, &doc, || format!("Added skill {}", line(&s)));
        }
        SkillCommand::List { all } => {
            let o = open_read(ctx)?;
            let list = skills::list(&o.db.conn, &o.location.store, all)?;
            let doc = SkillListAnswer {
                lives_in: o.location.home(),
                count: list.len(),
                items: list.clone(),
            };
            emit(ctx.json, &doc, || {
                if list.is_empty() {
                    "No skills; add one with `motus skill add NAME --threshold N`".into()
                } else {
                    list.iter().map(line).collect::<Vec<_>>().join("\n")
                }
            });
        }
        SkillCommand::Show { name } => {
            let o = open_read(ctx)?;
            let s = skills::show(&o.db.conn, &o.location.store, &name)?;
            let doc = SkillAnswer {
                lives_in: o.location.home(),
                skill: s.clone(),
            };
            emit(ctx.json, &doc, || line(&s));
        }
        SkillCommand::Delete { name, reason } => {
            let o = open_write(ctx)?;
            let s = with_env(|env| {
                o.location.write(&o.db.conn, |c, store| {
                    skills::delete(c, &store, env, &actor(), &name, reason.as_deref())
                })
            })?;
            let doc = SkillAnswer {
                lives_in: o.location.home(),
                skill: s,
            };
            emit(ctx.json, &doc, || format!("Deleted skill {name}"));
        }
    }
    Ok(0)
}
