//! Dependencies between roadmap items, and the cycle check.
//!
//! An edge `A -> B` reads "A depends on B". Only `blocks` edges hold work back; `soft` and
//! `related` are informational, but every type counts for cycles (as in the schema).
//! The original's trigger stops looking at depth 100 and never checks updates; here the
//! whole graph is walked on every insert and retarget, and the refusal names the cycle.

use super::items::{get, get_live};
use crate::audit::{self, AuditEntry};
use crate::connection::{write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DependencyType {
    Blocks,
    Soft,
    Related,
}

impl DependencyType {
    pub fn as_str(self) -> &'static str {
        match self {
            DependencyType::Blocks => "blocks",
            DependencyType::Soft => "soft",
            DependencyType::Related => "related",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "blocks" => Ok(DependencyType::Blocks),
            "soft" => Ok(DependencyType::Soft),
            "related" => Ok(DependencyType::Related),
            other => Err(Error::invalid(
                "dependency type",
                format!("'{other}' is not accepted; use blocks, soft or related"),
            )),
        }
    }
}

/// One stored edge.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Edge {
    pub item_id: String,
    pub depends_on_id: String,
    pub dependency_type: String,
    pub created_at: String,
    pub created_by: Option<String>,
    pub notes: Option<String>,
}

const EDGE_COLUMNS: &str = "item_id, depends_on_id, dependency_type, created_at, created_by, notes";

fn edge_from_row(r: crate::connection::Row<'_>) -> Result<Edge> {
    Ok(Edge {
        item_id: r.get(0)?,
        depends_on_id: r.get(1)?,
        dependency_type: r.get(2)?,
        created_at: r.get(3)?,
        created_by: r.get(4)?,
        notes: r.get(5)?,
    })
}

pub fn find<C: Connection + ?Sized>(conn: &C, item: &str, on: &str) -> Result<Option<Edge>> {
    let rows = conn.query(
        &format!(
            "SELECT {EDGE_COLUMNS} FROM roadmap_dependencies WHERE item_id = ?1 AND depends_on_id = ?2"
        ),
        params![item, on],
    )?;
    rows.first().map(edge_from_row).transpose()
}

/// Edges out of `item` (what it depends on) and into it (what depends on it).
pub fn of_item<C: Connection + ?Sized>(conn: &C, item: &str) -> Result<(Vec<Edge>, Vec<Edge>)> {
    let out = conn.query(
        &format!("SELECT {EDGE_COLUMNS} FROM roadmap_dependencies WHERE item_id = ?1 ORDER BY depends_on_id"),
        params![item],
    )?;
    let inc = conn.query(
        &format!("SELECT {EDGE_COLUMNS} FROM roadmap_dependencies WHERE depends_on_id = ?1 ORDER BY item_id"),
        params![item],
    )?;
    Ok((
        out.iter().map(edge_from_row).collect::<Result<_>>()?,
        inc.iter().map(edge_from_row).collect::<Result<_>>()?,
    ))
}

/// Every edge, for export and graphs.
pub fn all<C: Connection + ?Sized>(conn: &C) -> Result<Vec<Edge>> {
    let rows = conn.query(
        &format!("SELECT {EDGE_COLUMNS} FROM roadmap_dependencies ORDER BY item_id, depends_on_id"),
        params![],
    )?;
    rows.iter().map(edge_from_row).collect()
}

/// The shortest chain of edges (any type) from `from` to `to`, both ends included, or
/// `None` when `to` cannot be reached. Walks the whole graph: no depth limit.
pub fn path<C: Connection + ?Sized>(conn: &C, from: &str, to: &str) -> Result<Option<Vec<String>>> {
    if from == to {
        return Ok(Some(vec![from.to_string()]));
    }
    let mut came_from: HashMap<String, String> = HashMap::new();
    let mut queue = VecDeque::from([from.to_string()]);
    came_from.insert(from.to_string(), String::new());
    while let Some(node) = queue.pop_front() {
        let next = conn.query(
            "SELECT depends_on_id FROM roadmap_dependencies WHERE item_id = ?1 ORDER BY depends_on_id",
            params![&node],
        )?;
        for r in next.iter() {
            let n: String = r.get(0)?;
            if came_from.contains_key(&n) {
                continue;
            }
            came_from.insert(n.clone(), node.clone());
            if n == to {
                let mut chain = vec![n.clone()];
                let mut cur = node.clone();
                while !cur.is_empty() {
                    chain.push(cur.clone());
                    cur = came_from[&cur].clone();
                }
                chain.reverse();
                return Ok(Some(chain));
            }
            queue.push_back(n);
        }
    }
    Ok(None)
}

/// Refuses the edge `item -> on` when it would close a cycle, naming it: `A -> B -> C -> A`.
fn check_no_cycle<C: Connection + ?Sized>(conn: &C, item: &str, on: &str) -> Result<()> {
    if let Some(back) = path(conn, on, item)? {
        let mut cycle = vec![item.to_string()];
        cycle.extend(back);
        return Err(Error::KernelRule {
            message: format!("Circular dependency detected: {}", cycle.join(" -> ")),
        });
    }
    Ok(())
}

/// Adds `item -> on` (or changes the type of the existing edge). Both items must exist and
/// be live; an edge that would close a cycle is refused with the cycle named.
pub fn add<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    item: &str,
    on: &str,
    kind: DependencyType,
    notes: Option<&str>,
) -> Result<Edge> {
    write_tx(conn, |c| {
        get_live(c, item)?;
        get_live(c, on)?;
        if let Some(existing) = find(c, item, on)? {
            if existing.dependency_type == kind.as_str() {
                return Ok(existing);
            }
            c.execute(
                "UPDATE roadmap_dependencies SET dependency_type = ?1 WHERE item_id = ?2 AND depends_on_id = ?3",
                params![kind.as_str(), item, on],
            )?;
            audit_edge(c, env, actor, item, on, "update", Some(&existing), kind)?;
            return find(c, item, on)?.ok_or_else(|| Error::not_found("dependency", item));
        }
        check_no_cycle(c, item, on)?;
        c.execute(
            "INSERT INTO roadmap_dependencies (item_id, depends_on_id, dependency_type, created_at, \
             created_by, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![item, on, kind.as_str(), env.now().to_db(), actor, notes],
        )?;
        audit_edge(c, env, actor, item, on, "create", None, kind)?;
        find(c, item, on)?.ok_or_else(|| Error::not_found("dependency", item))
    })
}

/// Moves the edge `item -> old` to `item -> new`, keeping its type; refused like an insert
/// when it would close a cycle (the original checks inserts only).
pub fn retarget<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    item: &str,
    old: &str,
    new: &str,
) -> Result<Edge> {
    write_tx(conn, |c| {
        let existing = find(c, item, old)?
            .ok_or_else(|| Error::not_found("dependency", format!("{item} -> {old}")))?;
        get_live(c, new)?;
        if find(c, item, new)?.is_some() {
            return Err(Error::invalid(
                "dependency",
                format!("{item} already depends on {new}; remove {item} -> {old} instead"),
            ));
        }
        check_no_cycle(c, item, new)?;
        c.execute(
            "UPDATE roadmap_dependencies SET depends_on_id = ?1 WHERE item_id = ?2 AND depends_on_id = ?3",
            params![new, item, old],
        )?;
        let kind = DependencyType::parse(&existing.dependency_type)?;
        audit_edge(c, env, actor, item, new, "retarget", Some(&existing), kind)?;
        find(c, item, new)?.ok_or_else(|| Error::not_found("dependency", item))
    })
}

/// Removes `item -> on`.
pub fn remove<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    item: &str,
    on: &str,
) -> Result<Edge> {
    write_tx(conn, |c| {
        get(c, item)?;
        let existing = find(c, item, on)?
            .ok_or_else(|| Error::not_found("dependency", format!("{item} -> {on}")))?;
        c.execute(
            "DELETE FROM roadmap_dependencies WHERE item_id = ?1 AND depends_on_id = ?2",
            params![item, on],
        )?;
        let kind = DependencyType::parse(&existing.dependency_type)?;
        audit_edge(c, env, actor, item, on, "delete", Some(&existing), kind)?;
        Ok(existing)
    })
}

#[allow(clippy::too_many_arguments)]
fn audit_edge<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    item: &str,
    on: &str,
    action: &str,
    old: Option<&Edge>,
    kind: DependencyType,
) -> Result<()> {
    audit::record(
        conn,
        env,
        &AuditEntry {
            event_type: "roadmap.dependency",
            actor,
            resource_type: Some("roadmap_dependency"),
            resource_id: Some(&format!("{item}->{on}")),
            action,
            old_value: old.map(|e| serde_json::to_value(e).unwrap_or_default()),
            new_value: Some(serde_json::json!({
                "item_id": item, "depends_on_id": on, "dependency_type": kind.as_str()
            })),
            ..Default::default()
        },
    )
}

/// How many items there are and how many edges, for quick summaries.
pub fn count<C: Connection + ?Sized>(conn: &C) -> Result<i64> {
    conn.query_one("SELECT count(*) FROM roadmap_dependencies", params![])
}

#[cfg(test)]
mod tests {
    use super::super::testdb::TestDb;
    use super::*;
    use crate::ConnectionExt;
    use DependencyType::*;

    fn chain(db: &TestDb, ids: &[&str]) {
        for (i, id) in ids.iter().enumerate() {
            db.item(id, "phase_a", i as f64 + 1.0);
        }
        for w in ids.windows(2) {
            db.dep(w[0], w[1], Blocks);
        }
    }

    #[test]
    fn a_cycle_is_refused_with_its_path_named() {
        let db = TestDb::new();
        chain(&db, &["A", "B", "C"]);
        let err = add(&db.conn, &db.env(), "t", "C", "A", Blocks, None).unwrap_err();
        assert_eq!(err.code(), "kernel_rule");
        assert_eq!(
            err.to_string(),
            "Circular dependency detected: C -> A -> B -> C"
        );
        // Nothing was written.
        assert_eq!(db.count("SELECT count(*) FROM roadmap_dependencies"), 2);
    }

    #[test]
    fn self_dependency_and_soft_or_related_cycles_are_refused() {
        let db = TestDb::new();
        chain(&db, &["A", "B"]);
        let err = add(&db.conn, &db.env(), "t", "A", "A", Blocks, None).unwrap_err();
        assert_eq!(err.to_string(), "Circular dependency detected: A -> A");
        for kind in [Soft, Related] {
            let err = add(&db.conn, &db.env(), "t", "B", "A", kind, None).unwrap_err();
            assert_eq!(err.to_string(), "Circular dependency detected: B -> A -> B");
        }
    }

    #[test]
    fn cycles_are_found_deeper_than_the_original_depth_limit_of_100() {
        let db = TestDb::new();
        // 130 items across phases (the phase limit is 50 active items).
        let ids: Vec<String> = (0..130).map(|i| format!("D{i:03}")).collect();
        for (i, id) in ids.iter().enumerate() {
            let phase = ["phase_a", "phase_b", "phase_c"][i / 50];
            db.item(id, phase, i as f64);
        }
        for w in ids.windows(2) {
            db.dep(&w[0], &w[1], Blocks);
        }
        let err = add(&db.conn, &db.env(), "t", "D129", "D000", Blocks, None).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("Circular dependency detected: D129 -> D000 -> D001"),
            "{msg}"
        );
        assert!(msg.ends_with("D128 -> D129"), "{msg}");
    }

    #[test]
    fn retargeting_an_edge_into_a_cycle_is_refused() {
        let db = TestDb::new();
        chain(&db, &["A", "B", "C"]);
        db.item("X", "phase_a", 9.0);
        db.dep("C", "X", Soft);
        let err = retarget(&db.conn, &db.env(), "t", "C", "X", "A").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Circular dependency detected: C -> A -> B -> C"
        );
        // A harmless retarget is fine and keeps the edge's type.
        db.item("Y", "phase_a", 10.0);
        let e = retarget(&db.conn, &db.env(), "t", "C", "X", "Y").unwrap();
        assert_eq!(
            (e.depends_on_id.as_str(), e.dependency_type.as_str()),
            ("Y", "soft")
        );
    }

    #[test]
    fn changing_the_type_of_an_existing_edge_updates_it_in_place() {
        let db = TestDb::new();
        chain(&db, &["A", "B"]);
        let e = add(&db.conn, &db.env(), "t", "A", "B", Soft, None).unwrap();
        assert_eq!(e.dependency_type, "soft");
        assert_eq!(db.count("SELECT count(*) FROM roadmap_dependencies"), 1);
    }

    #[test]
    fn edges_need_live_items_and_removal_is_audited() {
        let db = TestDb::new();
        chain(&db, &["A", "B"]);
        let err = add(&db.conn, &db.env(), "t", "A", "nope", Blocks, None).unwrap_err();
        assert_eq!(err.code(), "not_found");
        super::super::items::delete(&db.conn, &db.env(), "t", "B", None).unwrap();
        db.item("C", "phase_a", 3.0);
        let err = add(&db.conn, &db.env(), "t", "C", "B", Blocks, None).unwrap_err();
        assert!(err.to_string().contains("restore it first"), "{err}");
        remove(&db.conn, &db.env(), "t", "A", "B").unwrap();
        let n: i64 = db
            .conn
            .query_one(
                "SELECT count(*) FROM audit_log WHERE event_type = 'roadmap.dependency' AND action = 'delete' AND resource_id = 'A->B'",
                &[],
            )
            .unwrap();
        assert_eq!(n, 1);
        let err = remove(&db.conn, &db.env(), "t", "A", "B").unwrap_err();
        assert_eq!(err.code(), "not_found");
    }
}
