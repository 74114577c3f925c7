//! Who works on an item, in which role.
//!
//! Inserting an assignment fires the schema's triggers: an audit row, the prerequisite
//! cascade (unfinished, unassigned transitive prerequisites are surfaced in
//! `assignment_prerequisites`) and the resolution of prerequisites surfaced for this item.
//! The original's `release` wrote status `released`, which the CHECK constraint refuses, so
//! it always failed; here release drops the assignment (`dropped`, a status the schema
//! accepts) and a later assignment of the same agent and role reopens that row, since
//! UNIQUE (item, agent, role) would refuse a second one.

use super::items::get_live;
use super::stamp::next_updated_at;
use crate::audit::{self, AuditEntry};
use crate::connection::{write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;

pub const ROLES: &[&str] = &["implementer", "reviewer", "owner", "observer"];

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Assignment {
    pub id: i64,
    pub item_id: String,
    pub agent_id: String,
    pub role: String,
    pub status: String,
    pub assigned_at: String,
    pub assigned_by: Option<String>,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    pub notes: Option<String>,
}

/// An unfinished prerequisite surfaced by the assignment cascade.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SurfacedPrerequisite {
    pub item_id: String,
    pub title: String,
    pub status_key: String,
    pub depth: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AssignOutcome {
    pub assignment: Assignment,
    /// Unfinished, unassigned prerequisites that now need someone (from the cascade).
    pub surfaced_prerequisites: Vec<SurfacedPrerequisite>,
}

const COLUMNS: &str = "id, item_id, agent_id, role, status, assigned_at, assigned_by, started_at, \
                       completed_at, notes";

fn from_row(r: crate::connection::Row<'_>) -> Result<Assignment> {
    Ok(Assignment {
        id: r.get(0)?,
        item_id: r.get(1)?,
        agent_id: r.get(2)?,
        role: r.get(3)?,
        status: r.get(4)?,
        assigned_at: r.get(5)?,
        assigned_by: r.get(6)?,
        started_at: r.get(7)?,
        completed_at: r.get(8)?,
        notes: r.get(9)?,
    })
}

pub fn of_item<C: Connection + ?Sized>(conn: &C, item: &str) -> Result<Vec<Assignment>> {
    let rows = conn.query(
        &format!("SELECT {COLUMNS} FROM roadmap_assignments WHERE item_id = ?1 ORDER BY id"),
        params![item],
    )?;
    rows.iter().map(from_row).collect()
}

fn check_role(role: &str) -> Result<()> {
    if !ROLES.contains(&role) {
        return Err(Error::invalid(
            "role",
            format!("'{role}' is not accepted; use one of {}", ROLES.join(", ")),
        ));
    }
    Ok(())
}

/// Assigns `agent` to `item` in `role`. Reassigning a live assignment is a no-op; a dropped
/// or completed one of the same agent and role is reopened.
pub fn assign<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    item: &str,
    agent: &str,
    role: &str,
    notes: Option<&str>,
) -> Result<AssignOutcome> {
    check_role(role)?;
    if agent.trim().is_empty() {
        return Err(Error::invalid("agent", "must not be empty"));
    }
    write_tx(conn, |c| {
        let it = get_live(c, item)?;
        if it.is_completed() {
            return Err(Error::invalid(
                "item",
                format!("{item} is completed; there is nothing left to assign"),
            ));
        }
        let existing = c.query(
            &format!(
                "SELECT {COLUMNS} FROM roadmap_assignments WHERE item_id = ?1 AND agent_id = ?2 AND role = ?3"
            ),
            params![item, agent, role],
        )?;
        let now = env.now().to_db();
        let id: i64 = match existing.first().map(from_row).transpose()? {
            Some(a) if a.status == "assigned" || a.status == "active" => {
                return Ok(AssignOutcome {
                    surfaced_prerequisites: surfaced(c, a.id)?,
                    assignment: a,
                });
            }
            Some(a) => {
                c.execute(
                    "UPDATE roadmap_assignments SET status = 'assigned', assigned_at = ?1, \
                     assigned_by = ?2, completed_at = NULL, notes = coalesce(?3, notes) WHERE id = ?4",
                    params![&now, actor, notes, a.id],
                )?;
                a.id
            }
            None => {
                c.execute(
                    "INSERT INTO roadmap_assignments (item_id, agent_id, role, assigned_at, assigned_by, notes) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![item, agent, role, &now, actor, notes],
                )?;
                c.query_one("SELECT last_insert_rowid()", params![])?
            }
        };
        let assignment = get(c, id)?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "roadmap.assignment",
                actor,
                resource_type: Some("roadmap_item"),
                resource_id: Some(item),
                action: "assign",
                new_value: Some(serde_json::to_value(&assignment).unwrap_or_default()),
                ..Default::default()
            },
        )?;
        Ok(AssignOutcome {
            surfaced_prerequisites: surfaced(c, id)?,
            assignment,
        })
    })
}

fn get<C: Connection + ?Sized>(conn: &C, id: i64) -> Result<Assignment> {
    let rows = conn.query(
        &format!("SELECT {COLUMNS} FROM roadmap_assignments WHERE id = ?1"),
        params![id],
    )?;
    rows.first()
        .map(from_row)
        .transpose()?
        .ok_or_else(|| Error::not_found("assignment", id.to_string()))
}

fn surfaced<C: Connection + ?Sized>(
    conn: &C,
    assignment: i64,
) -> Result<Vec<SurfacedPrerequisite>> {
    let rows = conn.query(
        "SELECT p.prerequisite_item_id, i.title, i.status_key, p.depth \
           FROM assignment_prerequisites p JOIN roadmap_items i ON i.id = p.prerequisite_item_id \
          WHERE p.source_assignment_id = ?1 AND p.resolved_at IS NULL ORDER BY p.depth, i.id",
        params![assignment],
    )?;
    rows.iter()
        .map(|r| {
            Ok(SurfacedPrerequisite {
                item_id: r.get(0)?,
                title: r.get(1)?,
                status_key: r.get(2)?,
                depth: r.get(3)?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Release {
    pub dropped: Vec<Assignment>,
    /// True when the item went back from `in_progress` to `pending`.
    pub item_reset_to_pending: bool,
}

/// Drops `agent`'s open assignments on `item` (all roles). When nobody else holds the item
/// and it was `in_progress`, it goes back to `pending` so it shows as ready again.
pub fn release<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    item: &str,
    agent: &str,
) -> Result<Release> {
    write_tx(conn, |c| {
        // Expiries first (they move the item), then read it. An item a live lease works on
        // stays in progress: the lease, not the assignment, says whether someone is on it.
        let held = crate::kernel::expiry::settle(c, env, item)?.is_some();
        let it = get_live(c, item)?;
        let open = c.query(
            &format!(
                "SELECT {COLUMNS} FROM roadmap_assignments WHERE item_id = ?1 AND agent_id = ?2 \
                 AND status IN ('assigned', 'active') ORDER BY id"
            ),
            params![item, agent],
        )?;
        if open.is_empty() {
            let holders: Vec<String> = of_item(c, item)?
                .into_iter()
                .filter(|a| a.status == "assigned" || a.status == "active")
                .map(|a| a.agent_id)
                .collect();
            let who = if holders.is_empty() {
                "nobody holds it".to_string()
            } else {
                format!("it is assigned to {}", holders.join(", "))
            };
            return Err(Error::invalid(
                "agent",
                format!("{agent} has no open assignment on {item}; {who}"),
            ));
        }
        c.execute(
            "UPDATE roadmap_assignments SET status = 'dropped' WHERE item_id = ?1 AND agent_id = ?2 \
             AND status IN ('assigned', 'active')",
            params![item, agent],
        )?;
        let others: i64 = c.query_one(
            "SELECT count(*) FROM roadmap_assignments WHERE item_id = ?1 AND status IN ('assigned', 'active')",
            params![item],
        )?;
        let reset = others == 0 && it.status_key == "in_progress" && !held;
        if reset {
            c.execute(
                "UPDATE roadmap_items SET status_key = 'pending', updated_at = ?1 WHERE id = ?2",
                params![next_updated_at(Some(&it.updated_at), env.now()), item],
            )?;
        }
        let dropped = open
            .iter()
            .map(|r| {
                from_row(r).map(|mut a| {
                    a.status = "dropped".into();
                    a
                })
            })
            .collect::<Result<Vec<_>>>()?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "roadmap.assignment",
                actor,
                resource_type: Some("roadmap_item"),
                resource_id: Some(item),
                action: "release",
                old_value: Some(
                    serde_json::json!({"agent_id": agent, "status_key": it.status_key}),
                ),
                new_value: Some(
                    serde_json::json!({"dropped": dropped.len(), "item_reset_to_pending": reset}),
                ),
                ..Default::default()
            },
        )?;
        Ok(Release {
            dropped,
            item_reset_to_pending: reset,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::super::testdb::TestDb;
    use super::super::DependencyType::Blocks;
    use super::*;

    #[test]
    fn assignment_surfaces_unfinished_prerequisites_and_release_works() {
        let db = TestDb::new();
        let env = db.env();
        db.item("A", "phase_a", 1.0);
        db.item("B", "phase_a", 2.0);
        db.item("C", "phase_a", 3.0);
        db.dep("A", "B", Blocks);
        db.dep("B", "C", Blocks);
        let out = assign(&db.conn, &env, "lead", "A", "agent:x", "implementer", None).unwrap();
        assert_eq!(out.assignment.status, "assigned");
        let surfaced: Vec<(&str, i64)> = out
            .surfaced_prerequisites
            .iter()
            .map(|p| (p.item_id.as_str(), p.depth))
            .collect();
        assert_eq!(surfaced, [("B", 1), ("C", 2)]);
        let err = assign(&db.conn, &env, "lead", "A", "agent:x", "boss", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid role: 'boss' is not accepted; use one of implementer, reviewer, owner, observer"
        );
        // The original's release always failed on the CHECK constraint; ours drops it.
        db.conn
            .execute(
                "UPDATE roadmap_items SET status_key = 'in_progress' WHERE id = 'C'",
                &[],
            )
            .unwrap();
        assign(&db.conn, &env, "lead", "C", "agent:y", "implementer", None).unwrap();
        let rel = release(&db.conn, &env, "agent:y", "C", "agent:y").unwrap();
        assert_eq!(rel.dropped.len(), 1);
        assert!(rel.item_reset_to_pending);
        assert_eq!(
            super::super::items::get(&db.conn, "C").unwrap().status_key,
            "pending"
        );
        let err = release(&db.conn, &env, "agent:y", "C", "agent:y").unwrap_err();
        assert!(err.to_string().contains("has no open assignment"), "{err}");
        // The same agent can be assigned again (UNIQUE would refuse a second row).
        let again = assign(&db.conn, &env, "lead", "C", "agent:y", "implementer", None).unwrap();
        assert_eq!(again.assignment.status, "assigned");
        assert_eq!(of_item(&db.conn, "C").unwrap().len(), 1);
    }
}
