//! A comparable picture of a database's schema, object by object, and the differences
//! between two of them. `doctor` compares a file against what this build's migrations
//! produce; the conformance tests compare our fresh schema against the original's.

use crate::connection::{quote_ident, Connection};
use crate::error::Result;
use crate::params;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    pub name: String,
    pub decl_type: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub pk: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ForeignKey {
    pub from: String,
    pub table: String,
    pub to: String,
    pub on_update: String,
    pub on_delete: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub table: String,
    pub unique: bool,
    /// Key columns in order, with ` DESC` appended where descending.
    pub columns: Vec<String>,
    /// The partial-index filter, normalised (lower case, single spaces), if any.
    pub filter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trigger {
    pub table: String,
    /// `BEFORE INSERT`, `AFTER UPDATE OF status_key`, … normalised.
    pub event: String,
    /// The texts of its `RAISE(…, '…')` calls, in order: the rule's messages.
    pub messages: Vec<String>,
}

/// Every user object of a schema, keyed by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub tables: BTreeMap<String, Vec<Column>>,
    pub foreign_keys: BTreeMap<String, Vec<ForeignKey>>,
    pub indexes: BTreeMap<String, Index>,
    /// View name → result column names (or the error querying it raised).
    pub views: BTreeMap<String, std::result::Result<Vec<String>, String>>,
    pub triggers: BTreeMap<String, Trigger>,
}

/// One difference between two snapshots: `left` is the subject, `right` the reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Difference {
    /// `table`, `column`, `foreign_key`, `index`, `view`, `trigger`.
    pub kind: String,
    /// Object name, `table.column` for columns.
    pub name: String,
    /// What differs, e.g. `only in subject`, `only in reference`, or `x != y`.
    pub detail: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.kind, self.name, self.detail)
    }
}

pub(crate) fn normalize_sql(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
        .replace("( ", "(")
        .replace(" )", ")")
}

fn partial_filter(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    let at = upper.rfind(" WHERE ").or_else(|| upper.rfind("\nWHERE "))?;
    let filter = normalize_sql(&sql[at + 7..]);
    Some(filter.trim_end_matches(';').trim().to_string())
}

/// `BEFORE UPDATE OF x ON t …` → `BEFORE UPDATE OF x`.
fn trigger_event(sql: &str) -> String {
    let norm = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let upper = norm.to_ascii_uppercase();
    let start = ["BEFORE ", "AFTER ", "INSTEAD OF "]
        .iter()
        .filter_map(|k| upper.find(k))
        .min();
    let end = upper.find(" ON ");
    match (start, end) {
        (Some(s), Some(e)) if s < e => upper[s..e].replace(" ,", ",").replace(", ", ","),
        _ => String::new(),
    }
}

/// The string literals passed to `RAISE(ABORT|FAIL|ROLLBACK, '…')` in a trigger body.
fn raise_messages(sql: &str) -> Vec<String> {
    let upper = sql.to_ascii_uppercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = upper[from..].find("RAISE") {
        let start = from + at;
        from = start + 5;
        let Some(q) = sql[from..].find('\'') else {
            break;
        };
        let open = sql[from..].find('(');
        let comma = sql[from..].find(',');
        // Only RAISE(kind, 'message'): the quote must come after "(kind,".
        if !(open.is_some_and(|o| o < q) && comma.is_some_and(|c| c < q)) {
            continue;
        }
        let mut text = String::new();
        let mut chars = sql[from + q + 1..].char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                    text.push('\'');
                    continue;
                }
                break;
            }
            text.push(c);
        }
        from += q + 1 + text.len();
        out.push(text);
    }
    out
}

impl Snapshot {
    /// Reads the schema of the connection's main database.
    pub fn capture<C: Connection + ?Sized>(conn: &C) -> Result<Snapshot> {
        let mut snap = Snapshot::default();
        let objects = conn.query(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
            params![],
        )?;
        for o in objects.iter() {
            let kind: String = o.get(0)?;
            let name: String = o.get(1)?;
            let table: String = o.get(2)?;
            let sql: Option<String> = o.get(3)?;
            match kind.as_str() {
                "table" => {
                    let cols = conn.query(
                        &format!("PRAGMA table_info({})", quote_ident(&name)),
                        params![],
                    )?;
                    let columns = cols
                        .iter()
                        .map(|r| {
                            Ok(Column {
                                name: r.get_named("name")?,
                                decl_type: r.get_named("type")?,
                                not_null: r.get_named("notnull")?,
                                default: r.get_named("dflt_value")?,
                                pk: r.get_named("pk")?,
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    snap.tables.insert(name.clone(), columns);
                    let fks = conn.query(
                        &format!("PRAGMA foreign_key_list({})", quote_ident(&name)),
                        params![],
                    )?;
                    let mut list = fks
                        .iter()
                        .map(|r| {
                            Ok(ForeignKey {
                                from: r.get_named("from")?,
                                table: r.get_named("table")?,
                                to: r.get_named::<Option<String>>("to")?.unwrap_or_default(),
                                on_update: r.get_named("on_update")?,
                                on_delete: r.get_named("on_delete")?,
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    list.sort();
                    if !list.is_empty() {
                        snap.foreign_keys.insert(name, list);
                    }
                }
                "index" => {
                    let info = conn.query(
                        &format!("PRAGMA index_xinfo({})", quote_ident(&name)),
                        params![],
                    )?;
                    let mut columns = Vec::new();
                    for r in info.iter() {
                        if !r.get_named::<bool>("key")? {
                            continue;
                        }
                        let col: Option<String> = r.get_named("name")?;
                        let desc: bool = r.get_named("desc")?;
                        let col = col.unwrap_or_else(|| "<expr>".into());
                        columns.push(if desc { format!("{col} DESC") } else { col });
                    }
                    let sql = sql.unwrap_or_default();
                    let unique = sql
                        .to_ascii_uppercase()
                        .trim_start()
                        .starts_with("CREATE UNIQUE");
                    snap.indexes.insert(
                        name,
                        Index {
                            table,
                            unique,
                            columns,
                            filter: partial_filter(&sql),
                        },
                    );
                }
                "view" => {
                    let cols = conn
                        .query(
                            &format!("SELECT * FROM {} LIMIT 0", quote_ident(&name)),
                            params![],
                        )
                        .map(|rows| rows.columns)
                        .map_err(|e| e.to_string());
                    snap.views.insert(name, cols);
                }
                "trigger" => {
                    snap.triggers.insert(
                        name,
                        Trigger {
                            table,
                            event: trigger_event(sql.as_deref().unwrap_or_default()),
                            messages: raise_messages(sql.as_deref().unwrap_or_default()),
                        },
                    );
                }
                _ => {}
            }
        }
        Ok(snap)
    }

    /// Every difference between `self` (the subject) and `reference`, sorted.
    pub fn diff(&self, reference: &Snapshot) -> Vec<Difference> {
        let mut out = Vec::new();
        let mut push = |kind: &str, name: &str, detail: String| {
            out.push(Difference {
                kind: kind.into(),
                name: name.into(),
                detail,
            })
        };
        diff_maps(
            &self.tables,
            &reference.tables,
            "table",
            &mut push,
            |name, a, b, push| {
                for col in a {
                    match b.iter().find(|c| c.name == col.name) {
                        None => push(
                            "column",
                            &format!("{name}.{}", col.name),
                            "only in subject".into(),
                        ),
                        Some(other) if other != col => push(
                            "column",
                            &format!("{name}.{}", col.name),
                            format!("{} != {}", describe_col(col), describe_col(other)),
                        ),
                        _ => {}
                    }
                }
                for col in b {
                    if !a.iter().any(|c| c.name == col.name) {
                        push(
                            "column",
                            &format!("{name}.{}", col.name),
                            "only in reference".into(),
                        );
                    }
                }
                let order_a: Vec<_> = a
                    .iter()
                    .map(|c| &c.name)
                    .filter(|n| b.iter().any(|c| &c.name == *n))
                    .collect();
                let order_b: Vec<_> = b
                    .iter()
                    .map(|c| &c.name)
                    .filter(|n| a.iter().any(|c| &c.name == *n))
                    .collect();
                if order_a != order_b {
                    push("table", name, "column order differs".into());
                }
            },
        );
        diff_maps(
            &self.foreign_keys,
            &reference.foreign_keys,
            "foreign_key",
            &mut push,
            |name, a, b, push| {
                if a != b {
                    push("foreign_key", name, format!("{a:?} != {b:?}"));
                }
            },
        );
        diff_maps(
            &self.indexes,
            &reference.indexes,
            "index",
            &mut push,
            |name, a, b, push| {
                if a != b {
                    push("index", name, format!("{a:?} != {b:?}"));
                }
            },
        );
        diff_maps(
            &self.views,
            &reference.views,
            "view",
            &mut push,
            |name, a, b, push| {
                if a != b {
                    push("view", name, format!("{a:?} != {b:?}"));
                }
            },
        );
        diff_maps(
            &self.triggers,
            &reference.triggers,
            "trigger",
            &mut push,
            |name, a, b, push| {
                if a != b {
                    push("trigger", name, format!("{a:?} != {b:?}"));
                }
            },
        );
        out.sort();
        out
    }
}

fn describe_col(c: &Column) -> String {
    format!(
        "{} {}{}{}{}",
        c.name,
        c.decl_type,
        if c.not_null { " NOT NULL" } else { "" },
        c.default
            .as_ref()
            .map(|d| format!(" DEFAULT {d}"))
            .unwrap_or_default(),
        if c.pk > 0 {
            format!(" PK{}", c.pk)
        } else {
            String::new()
        }
    )
}

type Push<'p> = dyn FnMut(&str, &str, String) + 'p;

fn diff_maps<'p, V>(
    a: &BTreeMap<String, V>,
    b: &BTreeMap<String, V>,
    kind: &str,
    push: &mut Push<'p>,
    mut same_name: impl FnMut(&str, &V, &V, &mut Push<'p>),
) {
    for (name, va) in a {
        match b.get(name) {
            None => push(kind, name, "only in subject".into()),
            Some(vb) => same_name(name, va, vb, push),
        }
    }
    for name in b.keys() {
        if !a.contains_key(name) {
            push(kind, name, "only in reference".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_filters_and_trigger_events() {
        assert_eq!(
            partial_filter("CREATE INDEX i ON t(a)\n  WHERE  deleted_at IS NULL").as_deref(),
            Some("deleted_at is null")
        );
        assert_eq!(partial_filter("CREATE INDEX i ON t(a)"), None);
        assert_eq!(
            trigger_event("CREATE TRIGGER x\n BEFORE UPDATE OF outcome ON attempts FOR EACH ROW"),
            "BEFORE UPDATE OF OUTCOME"
        );
        assert_eq!(
            trigger_event("CREATE TRIGGER IF NOT EXISTS y AFTER INSERT ON t BEGIN END"),
            "AFTER INSERT"
        );
    }
}
