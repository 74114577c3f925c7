//! `motus pref get|set|list|unset`: preferences, wherever they live.

use super::ctx::Ctx;
use super::userland::open::{actor, open_read, open_write, with_env};
use crate::output::{emit, CliError};
use clap::Subcommand;
use motus_core::userland::calls;

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
        /// Where the value comes from: cli, config_file or learned
        #[arg(long, default_value = calls::PREF_SOURCE)]
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
            let doc = calls::pref_get(&o.db.conn, &o.location, &key)?;
            emit(ctx.json, &doc, || doc.preference.value.clone());
        }
        PrefCommand::Set { key, value, source } => {
            let o = open_write(ctx)?;
            let options = calls::PrefSetOptions {
                source: Some(source),
            };
            let doc = with_env(|env| {
                calls::pref_set(
                    &o.db.conn,
                    &o.location,
                    env,
                    &actor(),
                    &key,
                    &value,
                    &options,
                )
            })?;
            emit(ctx.json, &doc, || match &doc.previous {
                Some(old) => format!("Set {key} = {value} (was {old})"),
                None => format!("Set {key} = {value}"),
            });
        }
        PrefCommand::List { all } => {
            let o = open_read(ctx)?;
            let doc = calls::pref_list(&o.db.conn, &o.location, &calls::ListInput { all })?;
            emit(ctx.json, &doc, || {
                if doc.items.is_empty() {
                    return "No preferences; set one with `motus pref set KEY VALUE`".into();
                }
                doc.items
                    .iter()
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
            let doc = with_env(|env| {
                calls::pref_unset(
                    &o.db.conn,
                    &o.location,
                    env,
                    &actor(),
                    &key,
                    &calls::ReasonInput { reason },
                )
            })?;
            emit(ctx.json, &doc, || format!("Unset {key}"));
        }
    }
    Ok(0)
}
