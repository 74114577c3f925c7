//! Small text helpers shared by the planning commands: plain aligned tables (no colour, no
//! markup that could eat bracketed text), the acting agent, and the host environment.

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

/// Left-aligned columns separated by two spaces; the last column is not padded.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let n = cells.len();
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i + 1 == n {
                    c.to_string()
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = vec![line(headers.to_vec())];
    for r in rows {
        out.push(line(r.iter().map(String::as_str).collect()));
    }
    out.join("\n")
}

/// A rank for people: one decimal, `-` when unranked.
pub fn rank(r: Option<f64>) -> String {
    r.map_or("-".to_string(), |r| format!("{r:.1}"))
}

/// `Some("")` from the command line means "clear this field".
pub fn clearable(v: Option<String>) -> Option<Option<String>> {
    v.map(|s| if s.is_empty() { None } else { Some(s) })
}

/// Writes `text` to `path`, or prints it.
pub fn write_or_print(path: Option<&std::path::Path>, text: &str) -> std::io::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text),
        None => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            Ok(())
        }
    }
}
