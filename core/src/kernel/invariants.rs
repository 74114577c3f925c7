//! Whole-database consistency of what this kernel writes: each call's rows come together or
//! not at all. Used by the crash and race tests; cheap enough for `doctor`-style checks.

use super::lease::{self, LeaseStatus};
use crate::connection::{Connection, ConnectionExt};
use crate::error::Result;
use crate::params;
use crate::time::Timestamp;

/// Every broken invariant, as a sentence naming the rows involved (empty = consistent).
pub fn check<C: Connection + ?Sized>(conn: &C, now: Timestamp) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut sql_check = |sql: &str, what: &str| -> Result<()> {
        for r in conn.query(sql, params![])?.iter() {
            problems.push(format!("{what}: {}", r.get::<String>(0)?));
        }
        Ok(())
    };
    sql_check(
        "SELECT lease_id FROM coordination_leases l WHERE NOT EXISTS \
         (SELECT 1 FROM events e WHERE e.lease_id = l.lease_id AND e.event_type = 'LEASE_CLAIMED')",
        "lease without its LEASE_CLAIMED event",
    )?;
    sql_check(
        "SELECT lease_id FROM coordination_leases l WHERE status IN ('released', 'aborted') AND NOT EXISTS \
         (SELECT 1 FROM events e WHERE e.lease_id = l.lease_id AND e.event_type IN ('LEASE_RELEASED', 'POLICY_OVERRIDE'))",
        "ended lease without its release event",
    )?;
    sql_check(
        "SELECT lease_id FROM coordination_leases l WHERE status = 'expired' AND NOT EXISTS \
         (SELECT 1 FROM events e WHERE e.lease_id = l.lease_id AND e.event_type = 'LEASE_EXPIRED')",
        "expired lease without its LEASE_EXPIRED event",
    )?;
    sql_check(
        "SELECT lease_id FROM coordination_leases l WHERE attempt_id IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM attempts a WHERE a.id = l.attempt_id)",
        "lease pointing at a missing attempt",
    )?;
    sql_check(
        "SELECT lease_id FROM coordination_leases l JOIN attempts a ON a.id = l.attempt_id \
         WHERE (l.status = 'active') != (a.ended_at IS NULL)",
        "lease and attempt disagree on whether the work is open",
    )?;
    sql_check(
        "SELECT work_id || ' (' || count(*) || ' open attempts)' FROM attempts WHERE ended_at IS NULL \
         GROUP BY work_id HAVING count(*) > 1",
        "work item with more than one open attempt",
    )?;
    sql_check(
        "SELECT id FROM evidence v WHERE v.lease_id IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM events e WHERE e.lease_id = v.lease_id AND e.event_type = 'EVIDENCE_RECORDED' \
          AND json_extract(e.payload, '$.evidence_id') = v.id)",
        "evidence without its EVIDENCE_RECORDED event",
    )?;
    sql_check(
        "SELECT id FROM decisions d WHERE d.lease_id IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM events e WHERE e.lease_id = d.lease_id AND e.event_type = 'DECISION_LOGGED' \
          AND json_extract(e.payload, '$.decision_id') = d.id)",
        "decision without its DECISION_LOGGED event",
    )?;
    sql_check(
        "SELECT lease_id FROM coordination_leases l WHERE NOT EXISTS \
         (SELECT 1 FROM audit_log a WHERE a.resource_id = l.lease_id)",
        "lease without an audit row",
    )?;
    sql_check(
        "SELECT id FROM evidence v WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.resource_id = v.id)",
        "evidence without an audit row",
    )?;
    // No two live write leases (or a write and a read) on one resource.
    let live: Vec<_> = lease::load_active(conn)?
        .into_iter()
        .filter(|l| l.is_live(now) && l.status == LeaseStatus::Active)
        .collect();
    for (i, a) in live.iter().enumerate() {
        for b in &live[i + 1..] {
            if (a.is_write() || b.is_write()) && a.resources.iter().any(|r| b.resources.contains(r))
            {
                problems.push(format!(
                    "leases {} and {} hold the same resource at once",
                    a.lease_id, b.lease_id
                ));
            }
        }
    }
    let _ = conn.query_scalar::<i64>("SELECT 1", params![])?;
    Ok(problems)
}
