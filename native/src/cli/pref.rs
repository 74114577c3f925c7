//! `motus pref get|set|list|unset`: preferences, wherever they live.

use super::ctx::Ctx;
use super::userland::open::{actor, open_read, open_write, with_env};
use crate::output::{emit, CliError};
use clap::Subcommand;
use motus_core::answer::userland::{PreferenceAnswer, PreferenceListAnswer, PreferenceSetAnswer};
use motus_core::userland::preferences;

#[derive(Debug, Subcommand)]
pub enum PrefCommand {
    /// Print a preference's value
    Get {
        /// The preference key
        key: String,
    },
    /// Set a preference (creating it, or replacing its value)
    Set {
        /// The preference key
        key: String,
        /// Its new value
        value: String,
        /// Where the value comes from
        #[arg(long, default_value = "cli", value_parser = clap::builder::PossibleValuesParser::new(motus_core::userland::preferences::SOURCES.iter().copied()))]
        source: String,
    },
    /// List preferences
    List {
        /// Include unset (soft-deleted) preferences
        #[arg(long)]
        all: bool,
    },
    /// Unset a preference (a soft delete: the row is kept with deleted_at)
    Unset {
        /// The preference key
        key: String,
        /// Why, recorded as deletion_reason
        #[arg(long)]
        reason: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: PrefCommand) -> Result<u8, CliError> {
    match cmd {
        PrefCommand::Get { key } => {
            let o = open_read(ctx)?;
            let p = preferences::get(&o.db.conn, &o.location.store, &key)?;
            let value = p.value.clone();
            let doc = PreferenceAnswer {
                lives_in: o.location.home(),
                preference: p,
            };
            emit(ctx.json, &doc, || value);
        }
        PrefCommand::Set { key, value, source } => {
            let o = open_write(ctx)?;
            let out = with_env(|env| {
                o.location.write(&o.db.conn, |c, store| {
                    preferences::set(c, &store, env, &actor(), &key, &value, &source)
                })
            })?;
            let doc = PreferenceSetAnswer {
                lives_in: o.location.home(),
                created: out.created,
                previous: out.previous.clone(),
                preference: out.preference.clone(),
            };
            emit(ctx.json, &doc, || match &out.previous {
                Some(old) => format!("Set {key} = {value} (was {old})"),
                None => format!("Set {key} = {value}"),
            });
        }
        PrefCommand::List { all } => {
            let o = open_read(ctx)?;
            let list = preferences::list(&o.db.conn, &o.location.store, all)?;
            let doc = PreferenceListAnswer {
                lives_in: o.location.home(),
                count: list.len(),
                items: list.clone(),
            };
            emit(ctx.json, &doc, || {
                if list.is_empty() {
                    return "No preferences; set one with `motus pref set KEY VALUE`".into();
                }
                list.iter()
                    .map(|p| {
                        let unset = if p.stamps.is_deleted() {
                            " [unset]"
                        } else {
                            ""
                        };
                        format!("{} = {}  ({}){unset}", p.key, p.value, p.source)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        PrefCommand::Unset { key, reason } => {
            let o = open_write(ctx)?;
            let p = with_env(|env| {
                o.location.write(&o.db.conn, |c, store| {
                    preferences::unset(c, &store, env, &actor(), &key, reason.as_deref())
                })
            })?;
            let doc = PreferenceAnswer {
                lives_in: o.location.home(),
                preference: p,
            };
            emit(ctx.json, &doc, || format!("Unset {key}"));
        }
    }
    Ok(0)
}
