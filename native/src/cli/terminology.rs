//! `motus terminology list|add`: the keys `*_key` columns accept, and adding one (for
//! example a new roadmap phase).

use super::ctx::Ctx;
use super::render::{self, actor, table};
use crate::db;
use crate::output::{emit, CliError};
use clap::Subcommand;
use motus_core::answer::List;
use motus_core::terminology;

#[derive(Debug, Subcommand)]
pub enum TerminologyCommand {
    /// Keys of one domain, or the list of domains
    List {
        /// The domain (e.g. roadmap_status); omit it to list the domains
        domain: Option<String>,
    },
    /// Add a key to a domain
    Add {
        /// The domain (e.g. roadmap_status)
        domain: String,
        /// The new key (lowercase, digits, _)
        key: String,
        /// Name shown to people
        display_name: String,
    },
}

pub fn run(ctx: &Ctx, cmd: TerminologyCommand) -> Result<u8, CliError> {
    match cmd {
        TerminologyCommand::List { domain: None } => {
            let db = db::open_read(&ctx.db_path)?;
            let ds = List::from(terminology::domains(&db.conn)?);
            emit(ctx.json, &ds, || ds.items.join("\n"));
        }
        TerminologyCommand::List {
            domain: Some(domain),
        } => {
            let db = db::open_read(&ctx.db_path)?;
            let ts = terminology::terms(&db.conn, &domain)?;
            if ts.is_empty() {
                let known = terminology::domains(&db.conn)?;
                return Err(CliError::usage(format!(
                    "no terminology domain '{domain}'; domains: {}",
                    known.join(", ")
                )));
            }
            let ts = List::from(ts);
            emit(ctx.json, &ts, || {
                let rows: Vec<Vec<String>> = ts
                    .items
                    .iter()
                    .map(|t| {
                        let note = match (&t.deprecated, &t.replaced_by) {
                            (true, Some(r)) => format!("deprecated, use {r}"),
                            (true, None) => "deprecated".into(),
                            _ => String::new(),
                        };
                        vec![t.internal_key.clone(), t.display_name.clone(), note]
                    })
                    .collect();
                table(&["KEY", "NAME", ""], &rows)
            });
        }
        TerminologyCommand::Add {
            domain,
            key,
            display_name,
        } => {
            let (db, _) = db::open_write(&ctx.db_path)?;
            let t = terminology::add(
                &db.conn,
                &render::env(),
                &actor(),
                &domain,
                &key,
                &display_name,
            )?;
            emit(ctx.json, &t, || {
                format!("Added {}/{} ({})", t.domain, t.internal_key, t.display_name)
            });
        }
    }
    Ok(0)
}
