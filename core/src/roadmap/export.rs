//! The roadmap as documents: Markdown and JSON exports, DOT and Mermaid graphs.
//! Pure text generation; no layout is computed here.

use super::dependencies::{self, Edge};
use super::items::{list, ListFilter};
use super::Item;
use crate::connection::{read_tx, Connection};
use crate::error::Result;
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Which part of the roadmap to export.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub phase_key: Option<String>,
    pub include_deleted: bool,
}

/// Items in scope and the edges between them.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Snapshot {
    pub generated_at: String,
    pub items: Vec<Item>,
    pub dependencies: Vec<Edge>,
}

pub fn snapshot<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    scope: &Scope,
) -> Result<Snapshot> {
    read_tx(conn, |c| {
        let items = list(
            c,
            &ListFilter {
                phase_key: scope.phase_key.clone(),
                include_deleted: scope.include_deleted,
                ..Default::default()
            },
        )?;
        let ids: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
        let dependencies = dependencies::all(c)?
            .into_iter()
            .filter(|e| ids.contains(e.item_id.as_str()) && ids.contains(e.depends_on_id.as_str()))
            .collect();
        Ok(Snapshot {
            generated_at: now.to_rfc3339(),
            items,
            dependencies,
        })
    })
}

/// Markdown in the original's shape: a heading per phase with its completion count and a
/// checkbox per item (deleted items struck through).
pub fn markdown(s: &Snapshot) -> String {
    let mut by_phase: BTreeMap<&str, Vec<&Item>> = BTreeMap::new();
    for i in &s.items {
        by_phase.entry(i.phase_key.as_str()).or_default().push(i);
    }
    let mut out = format!(
        "# Roadmap Export\n\nGenerated: {}\n\nTotal items: {}\n",
        s.generated_at,
        s.items.len()
    );
    for (phase, items) in by_phase {
        let done = items.iter().filter(|i| i.is_completed()).count();
        out.push_str(&format!(
            "\n## {phase} ({done}/{} complete)\n\n",
            items.len()
        ));
        for i in items {
            let mark = if i.is_completed() { "x" } else { " " };
            let deleted = if i.is_deleted() { " ~~DELETED~~" } else { "" };
            let status = if i.is_completed() {
                String::new()
            } else {
                format!(" _({})_", i.status_key)
            };
            out.push_str(&format!(
                "- [{mark}] {}: {}{status}{deleted}\n",
                i.id,
                md_escape(&i.title)
            ));
        }
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('\n', " ")
}

/// Graphviz DOT: one node per item (filled by status), one edge per dependency
/// (solid `blocks`, dashed `soft`, dotted `related`), pointing from an item to what it needs.
pub fn dot(s: &Snapshot) -> String {
    let mut out = String::from(
        "digraph roadmap {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\"];\n",
    );
    for i in &s.items {
        out.push_str(&format!(
            "  \"{}\" [label=\"{}\\n{}\", fillcolor=\"{}\"];\n",
            dot_escape(&i.id),
            dot_escape(&i.id),
            dot_escape(&i.title),
            status_colour(i)
        ));
    }
    for e in &s.dependencies {
        let style = match e.dependency_type.as_str() {
            "soft" => "dashed",
            "related" => "dotted",
            _ => "solid",
        };
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [style={style}, label=\"{}\"];\n",
            dot_escape(&e.item_id),
            dot_escape(&e.depends_on_id),
            e.dependency_type
        ));
    }
    out.push_str("}\n");
    out
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', " ")
}

fn status_colour(i: &Item) -> &'static str {
    if i.is_deleted() {
        return "#eeeeee";
    }
    match i.status_key.as_str() {
        "completed" => "#c8e6c9",
        "in_progress" | "review" => "#fff9c4",
        "blocked" => "#ffcdd2",
        "deferred" => "#e0e0e0",
        _ => "#ffffff",
    }
}

/// Mermaid flowchart: node ids are sanitised (Mermaid allows only word characters there);
/// the real id is in the label.
pub fn mermaid(s: &Snapshot) -> String {
    let mut out = String::from("flowchart LR\n");
    let node = |id: &str| -> String {
        let clean: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("n_{clean}")
    };
    for i in &s.items {
        out.push_str(&format!(
            "  {}[\"{}: {}\"]:::{}\n",
            node(&i.id),
            mermaid_escape(&i.id),
            mermaid_escape(&i.title),
            if i.is_deleted() {
                "deleted"
            } else {
                class_of(&i.status_key)
            }
        ));
    }
    for e in &s.dependencies {
        let arrow = match e.dependency_type.as_str() {
            "soft" => "-.->",
            "related" => "---",
            _ => "-->",
        };
        out.push_str(&format!(
            "  {} {arrow}|{}| {}\n",
            node(&e.item_id),
            e.dependency_type,
            node(&e.depends_on_id)
        ));
    }
    out.push_str(
        "  classDef completed fill:#c8e6c9\n  classDef active fill:#fff9c4\n  \
         classDef blocked fill:#ffcdd2\n  classDef pending fill:#ffffff\n  \
         classDef deferred fill:#e0e0e0\n  classDef deleted fill:#eeeeee,stroke-dasharray:3\n",
    );
    out
}

fn class_of(status: &str) -> &'static str {
    match status {
        "completed" => "completed",
        "in_progress" | "review" => "active",
        "blocked" => "blocked",
        "deferred" => "deferred",
        _ => "pending",
    }
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', " ")
}

/// The formats [`render`] writes.
pub const FORMATS: &[&str] = &["markdown", "json", "dot", "mermaid"];

/// The roadmap in scope as text in one of [`FORMATS`] (`roadmap export`: markdown, json;
/// `roadmap graph`: dot, mermaid), with how many items it holds. Every front end renders
/// through this, so the binary and the JS API write the same text.
pub fn render<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    scope: &Scope,
    format: &str,
) -> Result<(usize, String)> {
    if !FORMATS.contains(&format) {
        return Err(crate::error::Error::invalid(
            "format",
            format!(
                "'{format}' is not a format; use one of {}",
                FORMATS.join(", ")
            ),
        ));
    }
    let snap = snapshot(conn, now, scope)?;
    let text = match format {
        "markdown" => markdown(&snap),
        "dot" => dot(&snap),
        "mermaid" => mermaid(&snap),
        _ => serde_json::to_string_pretty(&snap).expect("a snapshot serializes"),
    };
    Ok((snap.items.len(), text))
}
