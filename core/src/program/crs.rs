//! Dependencies between change requests. The original has no cycle check here; we refuse
//! an edge that would close a cycle (any type), naming it like the roadmap does.

use super::entity::get_live;
use super::kinds::CHANGE_REQUEST;
use crate::audit::{self, AuditEntry};
use crate::connection::{write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

pub const TYPES: &[&str] = &["blocks", "related", "supersedes"];

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CrDependency {
    pub cr_id: String,
    pub depends_on_id: String,
    pub dependency_type: String,
    pub created_at: String,
}

fn from_row(r: crate::connection::Row<'_>) -> Result<CrDependency> {
    Ok(CrDependency {
        cr_id: r.get(0)?,
        depends_on_id: r.get(1)?,
        dependency_type: r.get(2)?,
        created_at: r.get(3)?,
    })
}

/// Edges out of `cr` (what it depends on) and into it.
pub fn of_cr<C: Connection + ?Sized>(
    conn: &C,
    cr: &str,
) -> Result<(Vec<CrDependency>, Vec<CrDependency>)> {
    let q = |col: &str| {
        conn.query(
            &format!(
                "SELECT cr_id, depends_on_id, dependency_type, created_at FROM cr_dependencies \
                 WHERE {col} = ?1 ORDER BY cr_id, depends_on_id"
            ),
            params![cr],
        )
    };
    let out = q("cr_id")?.iter().map(from_row).collect::<Result<_>>()?;
    let inc = q("depends_on_id")?
        .iter()
        .map(from_row)
        .collect::<Result<_>>()?;
    Ok((out, inc))
}

fn path<C: Connection + ?Sized>(conn: &C, from: &str, to: &str) -> Result<Option<Vec<String>>> {
    let mut came: HashMap<String, String> = HashMap::from([(from.to_string(), String::new())]);
    let mut queue = VecDeque::from([from.to_string()]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut chain = vec![node.clone()];
            let mut cur = came[&node].clone();
            while !cur.is_empty() {
                chain.push(cur.clone());
                cur = came[&cur].clone();
            }
            chain.reverse();
            return Ok(Some(chain));
        }
        let next = conn.query(
            "SELECT depends_on_id FROM cr_dependencies WHERE cr_id = ?1 ORDER BY depends_on_id",
            params![&node],
        )?;
        for r in next.iter() {
            let n: String = r.get(0)?;
            if !came.contains_key(&n) {
                came.insert(n.clone(), node.clone());
                queue.push_back(n);
            }
        }
    }
    Ok(None)
}

/// `cr` depends on `on`.
pub fn add<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    cr: &str,
    on: &str,
    kind: &str,
) -> Result<CrDependency> {
    if !TYPES.contains(&kind) {
        return Err(Error::invalid(
            "dependency type",
            format!("'{kind}' is not accepted; use one of {}", TYPES.join(", ")),
        ));
    }
    write_tx(conn, |c| {
        get_live(c, &CHANGE_REQUEST, cr)?;
        get_live(c, &CHANGE_REQUEST, on)?;
        let exists: Option<i64> = c.query_scalar(
            "SELECT 1 FROM cr_dependencies WHERE cr_id = ?1 AND depends_on_id = ?2",
            params![cr, on],
        )?;
        if exists.is_some() {
            c.execute(
                "UPDATE cr_dependencies SET dependency_type = ?1 WHERE cr_id = ?2 AND depends_on_id = ?3",
                params![kind, cr, on],
            )?;
        } else {
            if let Some(back) = path(c, on, cr)? {
                let mut cycle = vec![cr.to_string()];
                cycle.extend(back);
                return Err(Error::KernelRule {
                    message: format!("Circular dependency detected: {}", cycle.join(" -> ")),
                });
            }
            c.execute(
                "INSERT INTO cr_dependencies (cr_id, depends_on_id, dependency_type, created_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![cr, on, kind, env.now().to_db()],
            )?;
        }
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "program.cr_dependency",
                actor,
                resource_type: Some("cr"),
                resource_id: Some(cr),
                action: if exists.is_some() {
                    "update_dependency"
                } else {
                    "add_dependency"
                },
                new_value: Some(serde_json::json!({"depends_on_id": on, "dependency_type": kind})),
                ..Default::default()
            },
        )?;
        let rows = c.query(
            "SELECT cr_id, depends_on_id, dependency_type, created_at FROM cr_dependencies \
             WHERE cr_id = ?1 AND depends_on_id = ?2",
            params![cr, on],
        )?;
        rows.first()
            .map(from_row)
            .transpose()?
            .ok_or_else(|| Error::not_found("cr dependency", format!("{cr} -> {on}")))
    })
}

pub fn remove<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    cr: &str,
    on: &str,
) -> Result<()> {
    write_tx(conn, |c| {
        let n = c.execute(
            "DELETE FROM cr_dependencies WHERE cr_id = ?1 AND depends_on_id = ?2",
            params![cr, on],
        )?;
        if n == 0 {
            return Err(Error::not_found("cr dependency", format!("{cr} -> {on}")));
        }
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "program.cr_dependency",
                actor,
                resource_type: Some("cr"),
                resource_id: Some(cr),
                action: "remove_dependency",
                old_value: Some(serde_json::json!({"depends_on_id": on})),
                ..Default::default()
            },
        )
    })
}
