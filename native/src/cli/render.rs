//! Small text helpers shared by the planning commands: aligned tables (colour only through
//! `crate::text`, no markup that could eat bracketed text), the acting agent, and the host
//! environment.

use crate::host::{OsIds, SystemClock};

/// Who is making a change: `MC_AGENT_ID` when set (as the original), else `user`.
pub fn actor() -> String {
    std::env::var("MC_AGENT_ID")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "user".to_string())
}

pub static CLOCK: SystemClock = SystemClock;
pub static IDS: OsIds = OsIds;

pub fn env() -> motus_core::Env<'static> {
    motus_core::Env::new(&CLOCK, &IDS)
}

/// Left-aligned columns separated by two spaces, laid out by comfy-table by display width
/// (CJK and emoji ids line up); lines carry no trailing spaces. `STATUS` and `RESULT` columns
/// are coloured by `crate::text::status` (shown only when colour is on). Every cell is escaped
/// on output like all text (`crate::text`).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    use comfy_table::{presets, CellAlignment, ContentArrangement, Table};
    let coloured: Vec<bool> = headers
        .iter()
        .map(|h| matches!(*h, "STATUS" | "RESULT" | "LATEST"))
        .collect();
    let mut t = Table::new();
    t.load_preset(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers.iter().map(|h| h.to_string()));
    for r in rows {
        // Cells are escaped first so a stored newline or ESC cannot split or restyle a row.
        t.add_row(r.iter().enumerate().map(|(i, c)| {
            let c = crate::text::escape(c);
            if coloured.get(i).copied().unwrap_or(false) {
                crate::text::status(&c)
            } else {
                c.into_owned()
            }
        }));
    }
    for col in t.column_iter_mut() {
        col.set_padding((0, 2))
            .set_cell_alignment(CellAlignment::Left);
    }
    t.lines()
        .map(|l| l.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A rank for people: one decimal, `-` when unranked.
pub fn rank(r: Option<f64>) -> String {
    r.map_or("-".to_string(), |r| format!("{r:.1}"))
}

/// Prints a document on stdout (files are written by `crate::files::write_output`, under
/// the one overwrite rule).
pub fn print_document(text: &str) {
    crate::output::say(text.trim_end_matches('\n'));
}
