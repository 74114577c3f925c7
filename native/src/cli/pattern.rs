//! `motus pattern list`: learned and detected patterns.

use super::ctx::Ctx;
use super::userland::open::open_read;
use crate::output::{emit, CliError};
use clap::{Subcommand, ValueEnum};
use motus_core::userland::calls;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Learned,
    Detected,
}

#[derive(Debug, Subcommand)]
pub enum PatternCommand {
    /// List learned and detected patterns
    List {
        /// Only patterns of this type
        #[arg(long = "type", value_name = "TYPE")]
        pattern_type: Option<String>,
        /// Only one kind
        #[arg(long, value_enum)]
        kind: Option<Kind>,
        /// Include deleted patterns
        #[arg(long)]
        all: bool,
    },
}

pub fn run(ctx: &Ctx, cmd: PatternCommand) -> Result<u8, CliError> {
    let PatternCommand::List {
        pattern_type,
        kind,
        all,
    } = cmd;
    let o = open_read(ctx)?;
    let input = calls::PatternListInput {
        pattern_type,
        kind: kind.map(|k| match k {
            Kind::Learned => calls::PatternKind::Learned,
            Kind::Detected => calls::PatternKind::Detected,
        }),
        all,
    };
    let doc = calls::pattern_list(&o.db.conn, &o.location, &input)?;
    emit(ctx.json, &doc, || {
        let mut lines = Vec::new();
        for l in &doc.learned {
            lines.push(format!(
                "learned   {}: {}  x{} ({})",
                l.pattern_type, l.pattern_value, l.frequency, l.source
            ));
        }
        for d in &doc.detected {
            lines.push(format!(
                "detected  {}: {}  {} confidence{}",
                d.pattern_type,
                d.pattern_value,
                d.confidence,
                d.detected_from
                    .as_deref()
                    .map(|f| format!(", from {f}"))
                    .unwrap_or_default()
            ));
        }
        if lines.is_empty() {
            "No patterns".into()
        } else {
            lines.join("\n")
        }
    });
    Ok(0)
}
