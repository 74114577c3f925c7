//! The kernel's rules, re-checked on stored rows. A file written by another tool, edited by
//! hand or imported (import loads rows with the schema's triggers off) may hold rows the kernel
//! would have refused; `doctor` lists each one and `db import` refuses them.
//!
//! Every rule names the offending row by table and rowid (and its id where it has one), so an
//! import can point at the line of its input and `doctor --json` at the row.

use crate::connection::{quote_ident, Connection, ConnectionExt, Value};
use crate::engine::catalogue::columns;
use crate::error::Result;
use crate::kernel::records::evidence_hash;
use crate::params;
use crate::time::Timestamp;
use serde::Serialize;
use std::collections::HashMap;

/// One stored row that breaks one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    pub table: String,
    /// The row's rowid; none for a rule about the table as a whole (a ledger gap).
    pub rowid: Option<i64>,
    /// The row's primary key as text, where it has one other than the rowid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// A stable name from [`RULES`].
    pub rule: &'static str,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.table)?;
        match (&self.id, self.rowid) {
            (Some(id), _) => write!(f, " {id}")?,
            (None, Some(r)) => write!(f, " rowid {r}")?,
            (None, None) => {}
        }
        write!(f, ": {} ({})", self.message, self.rule)
    }
}

/// Every rule, with what it guards. Kept in the order [`check`] runs them.
pub const RULES: &[(&str, &str)] = &[
    (
        "wrong_type",
        "a value's storage class fits its column's declared type (no blob where text belongs)",
    ),
    (
        "unknown_term",
        "every status, type and other *_key value (phases aside) is a key of its terminology domain",
    ),
    (
        "conflicting_leases",
        "at most one live write lease (or any lease beside an exclusive one) per resource",
    ),
    (
        "second_open_attempt",
        "at most one open attempt per work item",
    ),
    (
        "dependency_cycle",
        "no roadmap dependency lies on a cycle",
    ),
    (
        "prerequisite_not_completed",
        "an item completed after a blocking dependency was added has that prerequisite completed",
    ),
    (
        "evidence_hash",
        "evidence written by the kernel (uri evidence:<id>) hashes to its stored sha256",
    ),
    (
        "sequence_at_limit",
        "AUTOINCREMENT counters have room left (at the top every later insert fails)",
    ),
    (
        "ledger_gap",
        "the migration ledger records versions 1..N without gaps",
    ),
];

/// Every violation in the database, in rule order, then table and rowid. `now` decides which
/// leases are live (an overdue lease holds nothing).
pub fn check<C: Connection + ?Sized>(conn: &C, now: Timestamp) -> Result<Vec<Violation>> {
    let mut out = Vec::new();
    wrong_types(conn, &mut out)?;
    unknown_terms(conn, &mut out)?;
    conflicting_leases(conn, now, &mut out)?;
    open_attempts(conn, &mut out)?;
    dependency_cycles(conn, &mut out)?;
    completed_prerequisites(conn, &mut out)?;
    evidence_hashes(conn, &mut out)?;
    sequences(conn, &mut out)?;
    ledger(conn, &mut out)?;
    Ok(out)
}

fn has_column<C: Connection + ?Sized>(conn: &C, table: &str, column: &str) -> Result<bool> {
    Ok(conn.has_object("table", table)? && columns(conn, table)?.iter().any(|c| c.name == column))
}

/// The SQL expression naming a row by its primary key (text), or NULL when it has none
/// besides the rowid.
fn id_expr<C: Connection + ?Sized>(conn: &C, table: &str) -> Result<String> {
    let mut pk: Vec<(i64, String, String)> = columns(conn, table)?
        .into_iter()
        .filter(|c| c.primary_key > 0)
        .map(|c| (c.primary_key, c.name, c.declared_type))
        .collect();
    pk.sort();
    Ok(match pk.as_slice() {
        [] => "NULL".into(),
        [(_, _, ty)] if ty.eq_ignore_ascii_case("INTEGER") => "NULL".into(),
        [(_, c, _)] => format!("CAST({} AS TEXT)", quote_ident(c)),
        many => many
            .iter()
            .map(|(_, c, _)| format!("coalesce(CAST({} AS TEXT), '')", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" || ' -> ' || "),
    })
}

/// Runs `sql` (selecting rowid, id, message) and records one violation per row.
fn collect<C: Connection + ?Sized>(
    conn: &C,
    out: &mut Vec<Violation>,
    table: &str,
    rule: &'static str,
    sql: &str,
    params: &[Value],
) -> Result<()> {
    for r in conn.query(sql, params)?.iter() {
        out.push(Violation {
            table: table.to_string(),
            rowid: r.get(0)?,
            id: r.get(1)?,
            rule,
            message: r.value(2).to_text(),
        });
    }
    Ok(())
}

/// SQLite's affinity for a declared type (§3.1 of its datatype rules).
fn affinity(declared: &str) -> &'static str {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        "INTEGER"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "TEXT"
    } else if t.is_empty() || t.contains("BLOB") {
        "BLOB"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "REAL"
    } else {
        "NUMERIC"
    }
}

/// The storage classes a column of this affinity can hold from the kernel's writes. Text in a
/// NUMERIC column is normal (timestamps, booleans as words); a blob never is.
fn allowed(affinity: &str) -> Option<&'static str> {
    match affinity {
        "TEXT" => Some("'text', 'null'"),
        "INTEGER" | "REAL" => Some("'integer', 'real', 'null'"),
        "NUMERIC" => Some("'integer', 'real', 'text', 'null'"),
        _ => None,
    }
}

fn wrong_types<C: Connection + ?Sized>(conn: &C, out: &mut Vec<Violation>) -> Result<()> {
    let tables = conn.query(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
         AND wr = 0 AND name NOT LIKE 'sqlite_%' ORDER BY name",
        params![],
    )?;
    for t in tables.iter() {
        let table: String = t.get(0)?;
        let cases: Vec<String> = columns(conn, &table)?
            .iter()
            .filter_map(|c| {
                let aff = affinity(&c.declared_type);
                allowed(aff).map(|ok| {
                    let q = quote_ident(&c.name);
                    format!(
                        "WHEN typeof({q}) NOT IN ({ok}) THEN {} || typeof({q}) || {}",
                        sql_text(&format!("{} holds a ", c.name)),
                        sql_text(&format!(", but is declared {}", c.declared_type)),
                    )
                })
            })
            .collect();
        if cases.is_empty() {
            continue;
        }
        let sql = format!(
            "SELECT rid_, id_, problem FROM (SELECT rowid AS rid_, {id} AS id_, CASE {cases} END AS problem \
             FROM {t}) WHERE problem IS NOT NULL ORDER BY rid_",
            id = id_expr(conn, &table)?,
            cases = cases.join(" "),
            t = quote_ident(&table),
        );
        collect(conn, out, &table, "wrong_type", &sql, params![])?;
    }
    Ok(())
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A `*_key` column the kernel checks against terminology.
struct TermColumn {
    table: &'static str,
    column: &'static str,
    domain: &'static str,
    /// Values the kernel writes itself outside the domain (`review`, set by `roadmap review`
    /// as the original does).
    extra: &'static [&'static str],
    /// Whether an unknown key breaks a rule. Phases do not: the original stores any phase (its
    /// own files hold `phase_g` items with no such key) and no rule depends on one.
    strict: bool,
}

fn term_columns() -> Vec<TermColumn> {
    let col = |table, column, domain, extra, strict| TermColumn {
        table,
        column,
        domain,
        extra,
        strict,
    };
    let mut cols = vec![
        col(
            "roadmap_items",
            "phase_key",
            "roadmap_phase",
            &[][..],
            false,
        ),
        col(
            "roadmap_items",
            "status_key",
            "roadmap_status",
            &["review"][..],
            true,
        ),
        col(
            "roadmap_items",
            "item_type",
            "roadmap_item_type",
            &[][..],
            true,
        ),
    ];
    for kind in crate::program::kinds::ALL {
        for f in kind.fields {
            if let crate::program::kinds::FieldType::Term(domain) = f.ty {
                cols.push(col(kind.table, f.column, domain, &[][..], true));
            }
        }
    }
    cols
}

fn unknown_terms<C: Connection + ?Sized>(conn: &C, out: &mut Vec<Violation>) -> Result<()> {
    if !conn.has_object("table", "terminology")? {
        return Ok(());
    }
    for TermColumn {
        table,
        column,
        domain,
        extra,
        ..
    } in term_columns().into_iter().filter(|c| c.strict)
    {
        if !has_column(conn, table, column)? {
            continue;
        }
        let q = quote_ident(column);
        let extra_sql = if extra.is_empty() {
            String::new()
        } else {
            format!(
                " AND {q} NOT IN ({})",
                extra
                    .iter()
                    .map(|e| sql_text(e))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        // A domain with no keys at all (a schema version before it was seeded) checks nothing.
        let sql = format!(
            "SELECT rowid, {id}, {q} FROM {t} AS row WHERE {q} IS NOT NULL{extra_sql} \
               AND EXISTS (SELECT 1 FROM terminology WHERE domain = ?1) \
               AND NOT EXISTS (SELECT 1 FROM terminology k WHERE k.domain = ?1 AND k.internal_key = row.{q}) \
             ORDER BY rowid",
            id = id_expr(conn, table)?,
            t = quote_ident(table),
        );
        for r in conn.query(&sql, params![domain])?.iter() {
            out.push(Violation {
                table: table.to_string(),
                rowid: r.get(0)?,
                id: r.get(1)?,
                rule: "unknown_term",
                message: format!(
                    "{column} '{}' is not a key of terminology domain '{domain}'",
                    r.value(2).to_text()
                ),
            });
        }
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct RawResource {
    #[serde(rename = "type")]
    kind: String,
    path: String,
}

struct LiveLease {
    rowid: i64,
    id: String,
    write: bool,
    resources: Vec<(String, String)>,
}

fn conflicting_leases<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    out: &mut Vec<Violation>,
) -> Result<()> {
    if conn.has_object("table", "coordination_leases")? {
        let rows = conn.query(
            "SELECT rowid, lease_id, mode, resources, expires_at, heartbeat_deadline \
             FROM coordination_leases WHERE status = 'active' ORDER BY rowid",
            params![],
        )?;
        let mut live: Vec<LiveLease> = Vec::new();
        for r in rows.iter() {
            let rowid: i64 = r.get(0)?;
            let id = r.value(1).to_text();
            let deadline = [4, 5]
                .iter()
                .map(|&i| Timestamp::parse(&r.value(i).to_text()))
                .collect::<Option<Vec<_>>>()
                .map(|d| d.into_iter().min().expect("two"));
            let resources = serde_json::from_str::<Vec<RawResource>>(&r.value(3).to_text());
            let (Some(deadline), Ok(resources)) = (deadline, resources) else {
                out.push(Violation {
                    table: "coordination_leases".into(),
                    rowid: Some(rowid),
                    id: Some(id),
                    rule: "conflicting_leases",
                    message: "an active lease whose resources or deadlines cannot be read, so what it holds is unknown".into(),
                });
                continue;
            };
            if deadline <= now {
                continue;
            }
            let lease = LiveLease {
                rowid,
                id,
                write: r.value(2).to_text() != "read",
                resources: resources.into_iter().map(|x| (x.kind, x.path)).collect(),
            };
            // Live leases are few: each is compared with the earlier ones.
            let clash = live.iter().find_map(|held| {
                if !(held.write || lease.write) {
                    return None;
                }
                lease
                    .resources
                    .iter()
                    .find(|res| held.resources.contains(res))
                    .map(|res| (held, res))
            });
            if let Some((held, (kind, path))) = clash {
                out.push(Violation {
                    table: "coordination_leases".into(),
                    rowid: Some(lease.rowid),
                    id: Some(lease.id.clone()),
                    rule: "conflicting_leases",
                    message: format!(
                        "live lease holds {kind}:{path}, which live lease {} (rowid {}) holds too, and one of them writes",
                        held.id, held.rowid
                    ),
                });
            }
            live.push(lease);
        }
    }
    if conn.has_object("table", "leases")? {
        collect(
            conn,
            out,
            "leases",
            "conflicting_leases",
            "SELECT l.rowid, l.id, 'live ' || l.mode || ' lease on ' || l.resource_type || ':' || l.resource_id \
                    || ' beside live ' || h.mode || ' lease ' || h.id \
               FROM leases l JOIN leases h ON h.resource_type = l.resource_type AND h.resource_id = l.resource_id \
                AND h.rowid < l.rowid AND (h.mode = 'exclusive' OR l.mode = 'exclusive') \
              WHERE l.released_at IS NULL AND h.released_at IS NULL \
                AND datetime(l.expires_at) > datetime(?1) AND datetime(h.expires_at) > datetime(?1) \
              GROUP BY l.rowid ORDER BY l.rowid",
            params![now.to_db()],
        )?;
    }
    Ok(())
}

fn open_attempts<C: Connection + ?Sized>(conn: &C, out: &mut Vec<Violation>) -> Result<()> {
    if !conn.has_object("table", "attempts")? {
        return Ok(());
    }
    collect(
        conn,
        out,
        "attempts",
        "second_open_attempt",
        "SELECT a.rowid, a.id, 'open attempt on ' || a.work_id || ', which attempt ' || min(b.id) || ' already has open' \
           FROM attempts a JOIN attempts b ON b.work_id = a.work_id AND b.ended_at IS NULL AND b.rowid < a.rowid \
          WHERE a.ended_at IS NULL GROUP BY a.rowid ORDER BY a.rowid",
        params![],
    )
}

/// Edges inside a strongly connected component lie on a cycle (Tarjan's algorithm, iterative
/// so a long chain cannot overflow the stack). Every dependency type counts, as in the
/// schema's trigger and the kernel's check.
fn dependency_cycles<C: Connection + ?Sized>(conn: &C, out: &mut Vec<Violation>) -> Result<()> {
    if !conn.has_object("table", "roadmap_dependencies")? {
        return Ok(());
    }
    let rows = conn.query(
        "SELECT rowid, CAST(item_id AS TEXT), CAST(depends_on_id AS TEXT) FROM roadmap_dependencies ORDER BY rowid",
        params![],
    )?;
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut edges: Vec<(i64, usize, usize)> = Vec::new();
    for r in rows.iter() {
        let mut node = |v: &Value| {
            let n = index.len();
            *index.entry(v.to_text()).or_insert(n)
        };
        let (a, b) = (node(r.value(1)), node(r.value(2)));
        edges.push((r.get(0)?, a, b));
    }
    let n = index.len();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(_, a, b) in &edges {
        next[a].push(b);
    }
    let component = strongly_connected(&next);
    let names: HashMap<usize, &String> = index.iter().map(|(k, v)| (*v, k)).collect();
    for &(rowid, a, b) in &edges {
        if component[a] == component[b] {
            out.push(Violation {
                table: "roadmap_dependencies".into(),
                rowid: Some(rowid),
                id: Some(format!("{} -> {}", names[&a], names[&b])),
                rule: "dependency_cycle",
                message: format!(
                    "dependency {} -> {} lies on a cycle: {} depends on itself through it",
                    names[&a], names[&b], names[&a]
                ),
            });
        }
    }
    Ok(())
}

/// The component number of each node (Tarjan).
fn strongly_connected(next: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = next.len();
    let (mut order, mut low, mut comp) = (vec![UNSEEN; n], vec![0; n], vec![UNSEEN; n]);
    let (mut counter, mut comps) = (0, 0);
    let mut stack: Vec<usize> = Vec::new();
    let mut on_stack = vec![false; n];
    for root in 0..n {
        if order[root] != UNSEEN {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        order[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if let Some(&w) = next[v].get(*i) {
                *i += 1;
                if order[w] == UNSEEN {
                    order[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = comps;
                    if w == v {
                        break;
                    }
                }
                comps += 1;
            }
        }
    }
    comp
}

/// An item completed while a blocking prerequisite was open. A dependency added after the
/// completion (the kernel allows that) is not counted: completed items stay completed, so a
/// prerequisite open now was open then only if the edge existed then.
fn completed_prerequisites<C: Connection + ?Sized>(
    conn: &C,
    out: &mut Vec<Violation>,
) -> Result<()> {
    if !conn.has_object("table", "roadmap_dependencies")?
        || !has_column(conn, "roadmap_items", "completed_at")?
    {
        return Ok(());
    }
    collect(
        conn,
        out,
        "roadmap_items",
        "prerequisite_not_completed",
        "SELECT i.rowid, i.id, 'completed, but its blocking prerequisite(s) ' \
                || group_concat(p.id || ' (' || p.status_key || ')', ', ') || ' are not' \
           FROM roadmap_items i \
           JOIN roadmap_dependencies d ON d.item_id = i.id AND d.dependency_type = 'blocks' \
           JOIN roadmap_items p ON p.id = d.depends_on_id \
          WHERE i.status_key = 'completed' AND p.status_key <> 'completed' \
            AND datetime(d.created_at) <= datetime(coalesce(i.completed_at, i.updated_at)) \
          GROUP BY i.rowid ORDER BY i.rowid",
        params![],
    )
}

fn evidence_hashes<C: Connection + ?Sized>(conn: &C, out: &mut Vec<Violation>) -> Result<()> {
    if !conn.has_object("table", "evidence")? {
        return Ok(());
    }
    let rows = conn.query(
        "SELECT rowid, id, evidence_type, sha256, artifacts, test_results, diff_summary, log_excerpt \
           FROM evidence WHERE uri LIKE 'evidence:%' AND coalesce(sha256, '') <> '' ORDER BY rowid",
        params![],
    )?;
    for r in rows.iter() {
        let text = |i: usize| match r.value(i) {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            other => Err(format!("{} holds a {}", r.columns()[i], other.type_name())),
        };
        let json = |i: usize| -> std::result::Result<Option<serde_json::Value>, String> {
            match text(i)? {
                None => Ok(None),
                Some(t) => serde_json::from_str(&t)
                    .map(Some)
                    .map_err(|e| format!("{} is not JSON ({e})", r.columns()[i])),
            }
        };
        let stored = r.value(3).to_text();
        let verdict = (|| {
            let computed = evidence_hash(
                &text(2)?.unwrap_or_default(),
                json(4)?.as_ref(),
                json(5)?.as_ref(),
                text(6)?.as_deref(),
                text(7)?.as_deref(),
            );
            if computed.eq_ignore_ascii_case(&stored) {
                Ok(())
            } else {
                Err(format!(
                    "stored sha256 {stored} but its content hashes to {computed}"
                ))
            }
        })();
        if let Err(why) = verdict {
            out.push(Violation {
                table: "evidence".into(),
                rowid: r.get(0)?,
                id: Some(r.value(1).to_text()),
                rule: "evidence_hash",
                message: why,
            });
        }
    }
    Ok(())
}

fn sequences<C: Connection + ?Sized>(conn: &C, out: &mut Vec<Violation>) -> Result<()> {
    if !conn.has_object("table", "sqlite_sequence")? {
        return Ok(());
    }
    collect(
        conn,
        out,
        "sqlite_sequence",
        "sequence_at_limit",
        "SELECT rowid, name, 'AUTOINCREMENT counter of ' || name || ' at ' || seq \
                || ' (the top of its range: every later insert would fail)' \
           FROM sqlite_sequence WHERE typeof(seq) <> 'integer' OR seq >= 9223372036854775807 - 1000000 \
          ORDER BY rowid",
        params![],
    )
}

fn ledger<C: Connection + ?Sized>(conn: &C, out: &mut Vec<Violation>) -> Result<()> {
    if !conn.has_object("table", "schema_version")? {
        return Ok(());
    }
    collect(
        conn,
        out,
        "schema_version",
        "ledger_gap",
        "SELECT NULL, NULL, 'the ledger records versions ' || min(version) || '..' || max(version) \
                || ' in ' || count(DISTINCT version) || ' entries (a gap or a missing start)' \
           FROM schema_version HAVING count(DISTINCT version) != max(version) OR min(version) != 1",
        params![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_only_edges_on_cycles() {
        // 0 -> 1 -> 2 -> 0 is a cycle; 2 -> 3 leaves it; 3 -> 4 is a chain.
        let next = vec![vec![1], vec![2], vec![0, 3], vec![4], vec![]];
        let c = strongly_connected(&next);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_ne!(c[2], c[3]);
        assert_ne!(c[3], c[4]);
        // A long chain does not overflow the stack.
        let chain: Vec<Vec<usize>> = (0..200_000)
            .map(|i| if i + 1 < 200_000 { vec![i + 1] } else { vec![] })
            .collect();
        let c = strongly_connected(&chain);
        assert_ne!(c[0], c[1]);
    }

    #[test]
    fn affinities_follow_sqlite() {
        assert_eq!(affinity("INTEGER"), "INTEGER");
        assert_eq!(affinity("VARCHAR(10)"), "TEXT");
        assert_eq!(affinity(""), "BLOB");
        assert_eq!(affinity("DOUBLE"), "REAL");
        assert_eq!(affinity("BOOLEAN"), "NUMERIC");
        assert_eq!(affinity("TIMESTAMP"), "NUMERIC");
    }
}
