//! `motus rule add|list|delete`: ground rules.

use super::ctx::Ctx;
use super::userland::open::{actor, open_read, open_write, with_env};
use crate::output::{emit, CliError};
use clap::Subcommand;
use motus_core::userland::calls;
use motus_core::userland::ground_rules::GroundRule;

#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// Add a ground rule, e.g. `motus rule add never "push to main"`
    Add {
        /// The kind of rule (free text, e.g. never, always)
        rule_type: String,
        /// The rule itself
        rule_value: String,
        /// Where it comes from: user_defined, default or imported
        #[arg(long, default_value = calls::RULE_SOURCE)]
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
            let options = calls::RuleAddOptions {
                source: Some(source),
            };
            let doc = with_env(|env| {
                calls::rule_add(
                    &o.db.conn,
                    &o.location,
                    env,
                    &actor(),
                    &rule_type,
                    &rule_value,
                    &options,
                )
            })?;
            emit(ctx.json, &doc, || {
                format!("Added rule {}", line(&doc.rule).trim_start())
            });
        }
        RuleCommand::List { rule_type, all } => {
            let o = open_read(ctx)?;
            let input = calls::RuleListInput { rule_type, all };
            let doc = calls::rule_list(&o.db.conn, &o.location, &input)?;
            emit(ctx.json, &doc, || {
                if doc.items.is_empty() {
                    "No ground rules; add one with `motus rule add TYPE VALUE`".into()
                } else {
                    doc.items.iter().map(line).collect::<Vec<_>>().join("\n")
                }
            });
        }
        RuleCommand::Delete { id, reason } => {
            let o = open_write(ctx)?;
            let doc = with_env(|env| {
                calls::rule_delete(
                    &o.db.conn,
                    &o.location,
                    env,
                    &actor(),
                    id,
                    &calls::ReasonInput { reason },
                )
            })?;
            emit(ctx.json, &doc, || format!("Deleted rule {id}"));
        }
    }
    Ok(0)
}
