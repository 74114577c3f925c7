//! Blockers: why a work item cannot proceed. An open blocker stops new claims; resolving one
//! needs a written resolution plus evidence recorded after it, or a waiver decision (the
//! schema's `blockers_resolution_requires_justification` enforces the same).

use super::expiry;
use super::journal;
use super::lease::{self, LeaseStatus};
use super::records::{insert_decision, DecisionRow};
use super::work_item;
use crate::connection::{write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;
use serde_json::json;

/// The schema's `blockers.reason_code` CHECK list.
pub const BLOCKER_REASONS: &[&str] = &[
    "missing_approval",
    "missing_info",
    "missing_dependency",
    "missing_resource",
    "missing_credential",
    "technical_failure",
    "external_wait",
    "other",
];

#[derive(Debug, Clone)]
pub struct BlockRequest {
    /// A lease id (the blocker is tied to its work item and attempt) or a work item id.
    pub target: String,
    pub reason_code: String,
    pub title: String,
    pub description: Option<String>,
    pub needs: Option<String>,
    /// `blocking` (default) or `warning`.
    pub severity: String,
    pub agent: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BlockerView {
    pub blocker_id: String,
    pub work_id: String,
    pub attempt_id: Option<String>,
    pub reason_code: String,
    pub title: String,
    pub severity: String,
    pub created_by: String,
    pub resolved: bool,
    pub resolution: Option<String>,
    pub waiver_decision_id: Option<String>,
}

pub fn create_blocker<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    req: &BlockRequest,
) -> Result<BlockerView> {
    if !BLOCKER_REASONS.contains(&req.reason_code.as_str()) {
        return Err(Error::invalid(
            "reason_code",
            format!(
                "'{}' is not a blocker reason; use one of: {}",
                req.reason_code,
                BLOCKER_REASONS.join(", ")
            ),
        ));
    }
    if req.title.trim().is_empty() {
        return Err(Error::invalid("title", "say what blocks the work"));
    }
    if !["blocking", "warning"].contains(&req.severity.as_str()) {
        return Err(Error::invalid("severity", "use blocking or warning"));
    }
    if !lease::valid_agent(&req.agent) {
        return Err(Error::invalid(
            "agent",
            "agent id must be a non-empty string",
        ));
    }
    write_tx(conn, |c| {
        let (work_id, attempt_id) = if req.target.starts_with("lease-") {
            lease::validate_lease_id(&req.target)?;
            let l = expiry::load_current(c, env, &req.target)?
                .ok_or_else(|| Error::not_found("lease", &req.target))?;
            if l.status != LeaseStatus::Active {
                return Err(Error::invalid(
                    "lease_id",
                    format!(
                        "lease {} is {}, not active; block the work item by its id instead",
                        l.lease_id,
                        l.status.as_str()
                    ),
                ));
            }
            let w = l
                .work_id
                .clone()
                .ok_or_else(|| Error::invalid("lease_id", "the lease has no work item"))?;
            (w, l.attempt_id.clone())
        } else {
            work_item::load(c, &req.target)?
                .ok_or_else(|| Error::not_found("work item", &req.target))?;
            (req.target.clone(), None)
        };
        let id = env.new_id("blocker");
        c.execute(
            "INSERT INTO blockers (id, work_id, attempt_id, reason_code, title, description, needs, \
             severity, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                id.as_str(), work_id.as_str(), attempt_id.as_deref(), req.reason_code.as_str(),
                req.title.as_str(), req.description.as_deref(), req.needs.as_deref(),
                req.severity.as_str(), req.agent.as_str(), env.now().to_db()
            ],
        )?;
        journal::audit(
            c,
            env,
            &req.agent,
            "work.block",
            "blocker",
            &id,
            "create",
            Some(
                json!({"work_id": work_id, "attempt_id": attempt_id, "reason_code": req.reason_code, "title": req.title}),
            ),
        )?;
        Ok(BlockerView {
            blocker_id: id,
            work_id,
            attempt_id,
            reason_code: req.reason_code.clone(),
            title: req.title.clone(),
            severity: req.severity.clone(),
            created_by: req.agent.clone(),
            resolved: false,
            resolution: None,
            waiver_decision_id: None,
        })
    })
}

#[derive(Debug, Clone)]
pub struct UnblockRequest {
    pub blocker_id: String,
    pub resolution: String,
    /// When given, a `waiver` decision with this text is recorded first as the justification.
    pub waiver: Option<String>,
    pub agent: String,
}

pub fn resolve_blocker<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    req: &UnblockRequest,
) -> Result<BlockerView> {
    if req.resolution.trim().is_empty() {
        return Err(Error::invalid(
            "resolution",
            "say how the blocker was resolved (resolution)",
        ));
    }
    if req.waiver.as_deref().is_some_and(|w| w.trim().is_empty()) {
        return Err(Error::invalid("waiver", "a waiver needs its text"));
    }
    write_tx(conn, |c| {
        let rows = c.query(
            "SELECT work_id, attempt_id, reason_code, title, severity, created_by, resolved_at FROM blockers WHERE id = ?1",
            params![req.blocker_id.as_str()],
        )?;
        let r = rows
            .first()
            .ok_or_else(|| Error::not_found("blocker", &req.blocker_id))?;
        let mut view = BlockerView {
            blocker_id: req.blocker_id.clone(),
            work_id: r.get(0)?,
            attempt_id: r.get(1)?,
            reason_code: r.get(2)?,
            title: r.get(3)?,
            severity: r
                .get::<Option<String>>(4)?
                .unwrap_or_else(|| "blocking".into()),
            created_by: r.get(5)?,
            resolved: true,
            resolution: Some(req.resolution.clone()),
            waiver_decision_id: None,
        };
        if r.get::<Option<String>>(6)?.is_some() {
            return Err(Error::KernelRule {
                message: "KERNEL: Blocker resolution is immutable".into(),
            });
        }
        let now = env.now().to_db();
        if let Some(waiver) = &req.waiver {
            let id = env.new_id("decision");
            insert_decision(
                c,
                &DecisionRow {
                    id: &id,
                    work_id: Some(&view.work_id),
                    attempt_id: view.attempt_id.as_deref(),
                    lease_id: None,
                    decision_type: "waiver",
                    summary: waiver,
                    rationale: Some(&req.resolution),
                    alternatives: None,
                    constraints: None,
                    decided_by: &req.agent,
                    decided_at: &now,
                },
            )?;
            journal::audit(
                c,
                env,
                &req.agent,
                "work.waiver",
                "decision",
                &id,
                "create",
                Some(json!({"blocker_id": req.blocker_id, "work_id": view.work_id})),
            )?;
            view.waiver_decision_id = Some(id);
        }
        // The trigger checks for evidence or a waiver recorded after the blocker.
        c.execute(
            "UPDATE blockers SET resolved_at = ?1, resolved_by = ?2, resolution = ?3 WHERE id = ?4",
            params![
                now.as_str(),
                req.agent.as_str(),
                req.resolution.as_str(),
                req.blocker_id.as_str()
            ],
        )?;
        // The last open blocker gone, an item left `blocked` by its attempt goes back to the
        // queue; otherwise it would be in neither `ready` nor `blocked` until someone
        // claimed it by id.
        let reopened = work_item::unblocked(c, env, &view.work_id)?;
        journal::audit(
            c,
            env,
            &req.agent,
            "work.unblock",
            "blocker",
            &req.blocker_id,
            "resolve",
            Some(
                json!({"resolution": req.resolution, "waiver_decision_id": view.waiver_decision_id, "item_reopened": reopened}),
            ),
        )?;
        Ok(view)
    })
}

/// Open blockers of a work item (for status and the CLI).
pub fn open_blockers<C: Connection + ?Sized>(conn: &C, work_id: &str) -> Result<i64> {
    conn.query_one(
        "SELECT count(*) FROM blockers WHERE work_id = ?1 AND resolved_at IS NULL",
        params![work_id],
    )
}
