//! `motus rule add|list|delete`: ground rules.

use super::ctx::Ctx;
use super::userland::open::{actor, open_read, open_write, with_env};
use crate::output::{emit, CliError};
use clap::Subcommand;
use motus_core::answer::userland::{RuleAnswer, RuleListAnswer};
use motus_core::userland::ground_rules::{self, GroundRule};

#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// Add a ground rule, e.g. `motus rule add never "push to main"`
    Add {
        /// The kind of rule (free text, e.g. never, always)
        rule_type: String,
        /// The rule itself
        rule_value: String,
        /// Where it comes from
        #[arg(long, default_value = "user_defined", value_parser = clap::builder::PossibleValuesParser::new(motus_core::userland::ground_rules::SOURCES.iter().copied()))]
        source: String,
    },
    /// List ground rules with their ids
    List {
        /// Only rules of this type
        #[arg(long = "type", value_name = "TYPE")]
        rule_type: Option<String>,
        /// Include deleted rules
        #[arg(long)]
        all: bool,
    },
    /// Delete a ground rule by id (a soft delete: the row is kept with deleted_at)
    Delete {
        /// The rule id (from `motus rule list`)
        id: i64,
        /// Why, recorded as deletion_reason
        #[arg(long)]
        reason: Option<String>,
    },
}

fn line(r: &GroundRule) -> String {
    let deleted = if r.stamps.is_deleted() {
        " [deleted]"
    } else {
        ""
    };
    format!(
        "{:>4}  {}: {}  ({}){deleted}",
        r.id, r.rule_type, r.rule_value, r.source
    )
}

pub fn run(ctx: &Ctx, cmd: RuleCommand) -> Result<u8, CliError> {
    match cmd {
        RuleCommand::Add {
            rule_type,
            rule_value,
            source,
        } => {
            let o = open_write(ctx)?;
            let r = with_env(|env| {
                o.location.write(&o.db.conn, |c, store| {
                    ground_rules::add(c, &store, env, &actor(), &rule_type, &rule_value, &source)
                })
            })?;
            let doc = RuleAnswer {
                lives_in: o.location.home(),
                rule: r.clone(),
            };
            emit(ctx.json, &doc, || {
                format!("Added rule {}", line(&r).trim_start())
            });
        }
        RuleCommand::List { rule_type, all } => {
            let o = open_read(ctx)?;
            let list =
                ground_rules::list(&o.db.conn, &o.location.store, rule_type.as_deref(), all)?;
            let doc = RuleListAnswer {
                lives_in: o.location.home(),
                count: list.len(),
                items: list.clone(),
            };
            emit(ctx.json, &doc, || {
                if list.is_empty() {
                    "No ground rules; add one with `motus rule add TYPE VALUE`".into()
                } else {
                    list.iter().map(line).collect::<Vec<_>>().join("\n")
                }
            });
        }
        RuleCommand::Delete { id, reason } => {
            let o = open_write(ctx)?;
            let r = with_env(|env| {
                o.location.write(&o.db.conn, |c, store| {
                    ground_rules::delete(c, &store, env, &actor(), id, reason.as_deref())
                })
            })?;
            let doc = RuleAnswer {
                lives_in: o.location.home(),
                rule: r,
            };
            emit(ctx.json, &doc, || format!("Deleted rule {id}"));
        }
    }
    Ok(0)
}
