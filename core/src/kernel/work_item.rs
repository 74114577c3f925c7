//! The roadmap side of a claim: the work item (`roadmap_items`) and its attempts. Claims
//! move an item to in_progress, a successful release with evidence completes it, and any
//! other ending puts it back where another agent can pick it up.

use super::lease::Lease;
use crate::connection::{Connection, ConnectionExt};
use crate::error::Result;
use crate::ids::Env;
use crate::params;
use serde::Serialize;

pub const ADHOC_PREFIX: &str = "ADHOC-";
pub const ADHOC_PHASE: &str = "phase_f";
/// The schema's `enforce_phase_limit`.
pub const PHASE_ACTIVE_LIMIT: i64 = 50;

pub fn is_adhoc(work_id: &str) -> bool {
    work_id.starts_with(ADHOC_PREFIX)
}

/// A non-deleted roadmap item.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkItem {
    pub id: String,
    pub status: String,
    pub phase: String,
}

pub fn load<C: Connection + ?Sized>(conn: &C, work_id: &str) -> Result<Option<WorkItem>> {
    let rows = conn.query(
        "SELECT status_key, phase_key FROM roadmap_items WHERE id = ?1 AND deleted_at IS NULL",
        params![work_id],
    )?;
    Ok(match rows.first() {
        Some(r) => Some(WorkItem {
            id: work_id.to_string(),
            status: r.get(0)?,
            phase: r.get(1)?,
        }),
        None => None,
    })
}

/// The work item and what stands between a claim and it, read in one statement.
pub struct ClaimChecks {
    /// The item, when it exists and is not deleted.
    pub item: Option<WorkItem>,
    /// The open attempt (id, worker) if any.
    pub open_attempt: Option<(String, String)>,
    pub open_blockers: i64,
    pub incomplete_blocking_deps: i64,
    /// Unfinished prerequisites of any kind but `related` (0 means nothing to list).
    pub incomplete_deps: i64,
}

pub fn claim_checks<C: Connection + ?Sized>(conn: &C, work_id: &str) -> Result<ClaimChecks> {
    let rows = conn.query(
        "SELECT i.status_key, i.phase_key, \
                (SELECT id FROM attempts WHERE work_id = ?1 AND ended_at IS NULL LIMIT 1), \
                (SELECT worker_id FROM attempts WHERE work_id = ?1 AND ended_at IS NULL LIMIT 1), \
                (SELECT count(*) FROM blockers WHERE work_id = ?1 AND resolved_at IS NULL), \
                (SELECT count(*) FROM roadmap_dependencies d JOIN roadmap_items p ON p.id = d.depends_on_id \
                  WHERE d.item_id = ?1 AND d.dependency_type = 'blocks' AND p.status_key != 'completed'), \
                (SELECT count(*) FROM roadmap_dependencies d JOIN roadmap_items p ON p.id = d.depends_on_id \
                  WHERE d.item_id = ?1 AND d.dependency_type != 'related' AND p.status_key != 'completed') \
         FROM (SELECT 1) LEFT JOIN roadmap_items i ON i.id = ?1 AND i.deleted_at IS NULL",
        params![work_id],
    )?;
    let r = rows
        .first()
        .expect("a LEFT JOIN on one row returns one row");
    let status: Option<String> = r.get(0)?;
    let id: Option<String> = r.get(2)?;
    let worker: Option<String> = r.get(3)?;
    Ok(ClaimChecks {
        item: match status {
            Some(status) => Some(WorkItem {
                id: work_id.to_string(),
                status,
                phase: r.get(1)?,
            }),
            None => None,
        },
        open_attempt: id.zip(worker),
        open_blockers: r.get(4)?,
        incomplete_blocking_deps: r.get(5)?,
        incomplete_deps: r.get(6)?,
    })
}

/// A prerequisite that is not done (from `v_missing_prereqs`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MissingPrereq {
    pub prereq_type: String,
    pub prereq_id: String,
    pub prereq_status: String,
    pub prereq_title: String,
}

pub fn missing_prereqs<C: Connection + ?Sized>(
    conn: &C,
    work_id: &str,
) -> Result<Vec<MissingPrereq>> {
    let rows = conn.query(
        "SELECT d.dependency_type, p.id, p.status_key, p.title, p.item_type \
         FROM roadmap_dependencies d JOIN roadmap_items p ON p.id = d.depends_on_id \
         WHERE d.item_id = ?1 AND p.status_key != 'completed' AND d.dependency_type != 'related' \
         ORDER BY p.id",
        params![work_id],
    )?;
    rows.iter()
        .map(|r| {
            let dep_type: String = r.get(0)?;
            let item_type: String = r.get(4)?;
            Ok(MissingPrereq {
                prereq_type: if item_type == "gate" {
                    "approval_required"
                } else if dep_type == "blocks" {
                    "blocker_unresolved"
                } else {
                    "dependency_incomplete"
                }
                .to_string(),
                prereq_id: r.get(1)?,
                prereq_status: r.get(2)?,
                prereq_title: r.get(3)?,
            })
        })
        .collect()
}

/// Active (not completed/deferred, not deleted) items in a phase, as the trigger counts them.
pub fn active_in_phase<C: Connection + ?Sized>(conn: &C, phase: &str) -> Result<i64> {
    conn.query_one(
        "SELECT count(*) FROM roadmap_items WHERE phase_key = ?1 \
         AND status_key NOT IN ('completed', 'deferred') AND deleted_at IS NULL",
        params![phase],
    )
}

/// Creates the ad hoc item for `work_id`, already in progress.
pub fn create_adhoc<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    work_id: &str,
) -> Result<WorkItem> {
    let now = env.now().to_db();
    conn.execute(
        "INSERT INTO roadmap_items (id, phase_key, title, status_key, created_by, created_at, updated_at) \
         VALUES (?1, ?2, ?3, 'in_progress', 'work_compiler', ?4, ?4)",
        params![
            work_id,
            ADHOC_PHASE,
            format!("Ad hoc work item {work_id}"),
            now.as_str()
        ],
    )?;
    Ok(WorkItem {
        id: work_id.to_string(),
        status: "in_progress".into(),
        phase: ADHOC_PHASE.into(),
    })
}

fn set_status<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    work_id: &str,
    from: &str,
    to: &str,
) -> Result<()> {
    let now = env.now().to_db();
    let completed_at = (to == "completed").then_some(now.as_str());
    conn.execute(
        "UPDATE roadmap_items SET status_key = ?1, updated_at = ?2, \
         completed_at = COALESCE(?3, completed_at) WHERE id = ?4 AND status_key = ?5",
        params![to, now.as_str(), completed_at, work_id, from],
    )?;
    Ok(())
}

/// Moves a claimed item to in_progress (completed items are never moved; see claim).
pub fn start<C: Connection + ?Sized>(conn: &C, env: &Env, item: &WorkItem) -> Result<()> {
    if item.status != "in_progress" && item.status != "completed" {
        set_status(conn, env, &item.id, &item.status, "in_progress")?;
    }
    Ok(())
}

/// Agents with an open implementer/owner assignment on the item (who a claim belongs to;
/// reviewers and observers do not own the work).
pub fn open_assignees<C: Connection + ?Sized>(conn: &C, work_id: &str) -> Result<Vec<String>> {
    conn.query(
        "SELECT DISTINCT agent_id FROM roadmap_assignments WHERE item_id = ?1 \
         AND status IN ('assigned', 'active') AND role IN ('implementer', 'owner') ORDER BY agent_id",
        params![work_id],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// The claimant's assignment on the item becomes `active` (started) when it claims it.
pub fn start_assignment<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    work_id: &str,
    agent: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE roadmap_assignments SET status = 'active', started_at = COALESCE(started_at, ?1) \
         WHERE item_id = ?2 AND agent_id = ?3 AND status = 'assigned'",
        params![env.now().to_db(), work_id, agent],
    )?;
    Ok(())
}

/// The refusal for a roadmap write that would change an item a live lease is working on:
/// its status follows that lease until it is released.
pub fn held_error(work_id: &str, holder: &Lease, what: &str) -> crate::Error {
    crate::Error::KernelRule {
        message: format!(
            "ROAD-003: {work_id} is being worked on by {} under lease {}; cannot {what} while it is held. \
             The holder ends it by releasing the lease (success, partial or failure), or an \
             operator force-releases it",
            holder.owner_agent_id, holder.lease_id
        ),
    }
}

/// Inserts the claim's attempt; returns its id.
pub fn open_attempt<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    work_id: &str,
    agent: &str,
    handoff_from: Option<(&str, &str)>,
) -> Result<String> {
    let attempt_id = env.new_id("attempt");
    let (from, reason) = handoff_from.unzip();
    conn.execute(
        "INSERT INTO attempts (id, work_id, worker_id, worker_type, handoff_from_attempt_id, \
         handoff_reason, started_at) VALUES (?1, ?2, ?3, 'agent', ?4, ?5, ?6)",
        params![
            attempt_id.as_str(),
            work_id,
            agent,
            from,
            reason,
            env.now().to_db()
        ],
    )?;
    Ok(attempt_id)
}

/// How an attempt ended, in the schema's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptEnd {
    /// Success with evidence: attempt completed, item completed.
    Completed,
    /// Success without evidence: ended, outcome left empty, item reopened.
    Unproven,
    Failed,
    HandedOff,
}

/// What ending an attempt needs to know, read in one statement.
#[derive(Debug, Clone)]
pub struct AttemptFacts {
    pub has_evidence: bool,
    pub open_blocker: bool,
    /// The work item's status (None when it does not exist or is deleted).
    pub item_status: Option<String>,
    /// Ids of the evidence recorded on the lease, oldest first.
    pub evidence_ids: serde_json::Value,
}

pub fn attempt_facts<C: Connection + ?Sized>(conn: &C, lease: &Lease) -> Result<AttemptFacts> {
    // evidence has no index on lease_id: reach a lease's rows through its attempt (or its
    // work item when it has none), both indexed.
    let sql = if lease.attempt_id.is_some() {
        "SELECT EXISTS (SELECT 1 FROM evidence WHERE attempt_id = ?1), \
                EXISTS (SELECT 1 FROM blockers WHERE attempt_id = ?1 AND resolved_at IS NULL), \
                (SELECT status_key FROM roadmap_items WHERE id = ?2 AND deleted_at IS NULL), \
                (SELECT json_group_array(id) FROM (SELECT id FROM evidence \
                   WHERE attempt_id = ?1 AND lease_id = ?3 ORDER BY created_at, id))"
    } else {
        "SELECT 0, 0, \
                (SELECT status_key FROM roadmap_items WHERE id = ?2 AND deleted_at IS NULL), \
                (SELECT json_group_array(id) FROM (SELECT id FROM evidence \
                   WHERE work_id = ?2 AND lease_id = ?3 ORDER BY created_at, id))"
    };
    let rows = conn.query(
        sql,
        params![
            lease.attempt_id.as_deref(),
            lease.work_id.as_deref(),
            lease.lease_id.as_str()
        ],
    )?;
    let r = rows.first().expect("a SELECT without FROM returns one row");
    Ok(AttemptFacts {
        has_evidence: r.get(0)?,
        open_blocker: r.get(1)?,
        item_status: r.get(2)?,
        evidence_ids: serde_json::from_str(&r.get::<String>(3)?)
            .unwrap_or_else(|_| serde_json::json!([])),
    })
}

/// Ends the lease's open attempt and moves its work item accordingly. Returns the outcome
/// written on the attempt (`None` when there was no open attempt or none was set).
pub fn end_attempt<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease: &Lease,
    end: AttemptEnd,
    note: Option<&str>,
    facts: &AttemptFacts,
) -> Result<Option<&'static str>> {
    let (Some(attempt_id), Some(work_id)) = (&lease.attempt_id, &lease.work_id) else {
        return Ok(None);
    };
    // A blocker raised during the attempt turns a non-success ending into `blocked`.
    let blocked = end != AttemptEnd::Completed && facts.open_blocker;
    let outcome = match end {
        _ if blocked => Some("blocked"),
        AttemptEnd::Completed => Some("completed"),
        AttemptEnd::Unproven => None,
        AttemptEnd::Failed => Some("failed"),
        AttemptEnd::HandedOff => Some("handed_off"),
    };
    let changed = conn.execute(
        "UPDATE attempts SET ended_at = ?1, outcome = ?2, notes = COALESCE(?3, notes) \
         WHERE id = ?4 AND ended_at IS NULL",
        params![env.now().to_db(), outcome, note, attempt_id.as_str()],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    let Some(status) = facts.item_status.as_deref() else {
        return Ok(outcome);
    };
    let item = WorkItem {
        id: work_id.clone(),
        status: status.to_string(),
        phase: String::new(),
    };
    match (end, blocked) {
        (AttemptEnd::Completed, _) => {
            if item.status != "completed" {
                set_status(conn, env, work_id, &item.status, "completed")?;
            }
            conn.execute(
                "UPDATE roadmap_assignments SET status = 'completed', completed_at = ?1 \
                 WHERE item_id = ?2 AND status IN ('assigned', 'active')",
                params![env.now().to_db(), work_id.as_str()],
            )?;
        }
        // The next attempt (handoff) moves it on; nothing to reopen.
        (AttemptEnd::HandedOff, false) if note == Some(HANDOFF_NOTE) => {}
        (_, true) => {
            if item.status == "in_progress" {
                set_status(conn, env, work_id, "in_progress", "blocked")?;
            }
        }
        _ => reopen(conn, env, &item)?,
    }
    Ok(outcome)
}

pub const HANDOFF_NOTE: &str = "handed off";

/// Puts an in-progress item back where it can be claimed again: ad hoc items are deferred
/// (so they never count against the phase limit or crowd `roadmap ready`), roadmap items
/// go back to pending.
fn reopen<C: Connection + ?Sized>(conn: &C, env: &Env, item: &WorkItem) -> Result<()> {
    if item.status == "in_progress" {
        let to = if is_adhoc(&item.id) {
            "deferred"
        } else {
            "pending"
        };
        set_status(conn, env, &item.id, "in_progress", to)?;
    }
    Ok(())
}

/// After a blocker was resolved: an item in `blocked` with no other open blocker and no
/// open attempt goes back to the queue (pending; ad hoc: deferred). Returns whether it did.
pub fn unblocked<C: Connection + ?Sized>(conn: &C, env: &Env, work_id: &str) -> Result<bool> {
    let to = if is_adhoc(work_id) {
        "deferred"
    } else {
        "pending"
    };
    let now = env.now().to_db();
    let changed = conn.execute(
        "UPDATE roadmap_items SET status_key = ?1, updated_at = ?2 WHERE id = ?3 \
         AND status_key = 'blocked' AND deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM blockers WHERE work_id = ?3 AND resolved_at IS NULL) \
         AND NOT EXISTS (SELECT 1 FROM attempts WHERE work_id = ?3 AND ended_at IS NULL)",
        params![to, now.as_str(), work_id],
    )?;
    Ok(changed > 0)
}

/// Ends the open attempt of a lease that stopped without a release (expiry, force release).
pub fn end_attempt_abnormally<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease: &Lease,
    note: &str,
) -> Result<()> {
    let facts = attempt_facts(conn, lease)?;
    end_attempt(conn, env, lease, AttemptEnd::Failed, Some(note), &facts)?;
    Ok(())
}
