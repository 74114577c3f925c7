//! `claim_work`: one write transaction holds the check and the grant, so two agents can
//! never both hold a write lease on a resource or an open attempt on a work item.

use super::canonical::{sha256_hex, to_canonical_json};
use super::expiry;
use super::journal;
use super::lease::{self, Lease, LeaseStatus, Mode, Resource};
use super::reason::{Decision, Owner, ReasonCode};
use super::work_item::{self, MissingPrereq, WorkItem};
use super::Options;
use crate::connection::{write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone)]
pub struct ClaimRequest {
    pub work_id: String,
    pub intent: String,
    pub agent_id: String,
    /// Empty means the default single resource `task:<work_id>`.
    pub resources: Vec<Resource>,
    pub mode: Mode,
    pub ttl_s: i64,
    /// Claim an item assigned (implementer/owner) to someone else; recorded on the lease's
    /// claim event and audit row. Without it such a claim is `DENY_ASSIGNED_TO_OTHER`.
    pub override_assignment: bool,
}

impl ClaimRequest {
    pub fn new(work_id: &str, intent: &str, agent_id: &str) -> Self {
        ClaimRequest {
            work_id: work_id.into(),
            intent: intent.into(),
            agent_id: agent_id.into(),
            resources: Vec::new(),
            mode: Mode::Write,
            ttl_s: lease::DEFAULT_TTL_S,
            override_assignment: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimResponse {
    #[serde(flatten)]
    pub decision: Decision,
    pub lease: Option<Lease>,
    pub missing_prereqs: Vec<MissingPrereq>,
}

impl ClaimResponse {
    fn verdict(decision: Decision) -> Self {
        ClaimResponse {
            decision,
            lease: None,
            missing_prereqs: Vec::new(),
        }
    }
}

/// Claims `req.work_id` for `req.agent_id`.
pub fn claim_work<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    req: &ClaimRequest,
) -> Result<ClaimResponse> {
    if req.intent.trim().is_empty() {
        return Err(Error::invalid(
            "intent",
            "say what you are going to do (intent)",
        ));
    }
    let started = env.now();
    write_tx(conn, |c| {
        let resp = claim_in_tx(c, env, req)?;
        journal::metric(
            c,
            env,
            opts,
            "claim_work",
            started,
            resp.decision.is_granted(),
        )?;
        Ok(resp)
    })
}

/// The claim inside the caller's write transaction (`claim_next` tries items with it).
pub(super) fn claim_in_tx<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    req: &ClaimRequest,
) -> Result<ClaimResponse> {
    let deny =
        |code, rules: &[&'static str]| Ok(ClaimResponse::verdict(Decision::new(code, rules)));
    // Expire what is overdue first: an expiry ends its attempt and puts its item back in
    // the queue, so everything below must read the item after it (reading it before left a
    // granted claim on an item still shown `pending`).
    let now = env.now();
    let mut live = Vec::new();
    for mut l in lease::load_active(conn)? {
        if l.is_live(now) {
            live.push(l);
        } else {
            expiry::expire(conn, env, &mut l)?;
        }
    }
    let checks = work_item::claim_checks(conn, &req.work_id)?;
    let item = checks.item.clone();
    let adhoc = work_item::is_adhoc(&req.work_id);
    if item.is_none() && !adhoc {
        return Ok(ClaimResponse::verdict(
            Decision::new(ReasonCode::DenyInvalidWorkId, &[]).with_actions(&[
                "Use an existing roadmap item ID",
                "Prefix ad hoc tasks with ADHOC-",
            ]),
        ));
    }
    if !lease::valid_agent(&req.agent_id) {
        return deny(ReasonCode::DenyInvalidAgentId, &["validate_agent_id"]);
    }
    if req.ttl_s <= 0 || req.ttl_s > lease::MAX_TTL_S {
        return deny(ReasonCode::DenyInvalidTtl, &["validate_ttl"]);
    }
    let resources = if req.resources.is_empty() {
        vec![Resource::new("task", req.work_id.as_str())]
    } else {
        req.resources.clone()
    };
    if !resources.iter().all(Resource::is_valid) {
        return deny(ReasonCode::DenyInvalidResources, &["validate_resources"]);
    }

    if let Some(holder) = live.iter().find(|l| {
        (l.is_write() || req.mode == Mode::Write)
            && l.resources.iter().any(|r| resources.contains(r))
    }) {
        let code = if holder.is_write() {
            ReasonCode::BusyWriteHeld
        } else {
            ReasonCode::BusyReadersPresent
        };
        let mut d = Decision::new(code, &["mutual_exclusion"]);
        d.owner = Some(Owner {
            agent_id: holder.owner_agent_id.clone(),
            lease_id: Some(holder.lease_id.clone()),
        });
        d.ttl_remaining_s = Some(lease::ttl_remaining_s(holder, now));
        d.suggested_next_actions = if holder.owner_agent_id == req.agent_id {
            vec![format!(
                "You already hold {}; renew it with `motus work heartbeat {}` or release it",
                holder.lease_id, holder.lease_id
            )]
        } else {
            vec!["Wait for the lease to be released or to expire".into()]
        };
        return Ok(ClaimResponse::verdict(d));
    }

    // Read leases only look: no attempt, no status change.
    let (item, attempt_id, overridden) = if req.mode == Mode::Write {
        match claim_work_item(conn, env, req, item, &checks, &live)? {
            Ok(granted) => granted,
            Err(denied) => return Ok(denied),
        }
    } else {
        (item, None, Vec::new())
    };
    let _ = item;

    let lease = insert_lease(conn, env, req, resources, attempt_id)?;
    journal::event(
        conn,
        env,
        &lease.lease_id,
        "LEASE_CLAIMED",
        &json!({
            "agent_id": req.agent_id,
            "mode": req.mode.as_str(),
            "resources": lease.resources.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "intent": format!("[{}] {}", req.work_id, req.intent),
            "ttl_s": req.ttl_s,
            "work_id": lease.work_id,
            "attempt_id": lease.attempt_id,
            "assignment_overridden": overridden,
        }),
    )?;
    journal::audit(
        conn,
        env,
        &req.agent_id,
        "work.claim",
        "lease",
        &lease.lease_id,
        "claim",
        Some(json!({
            "work_id": lease.work_id,
            "attempt_id": lease.attempt_id,
            "expires_at": lease.expires_at.to_db(),
            "assignment_overridden": overridden,
        })),
    )?;
    Ok(ClaimResponse {
        decision: Decision::new(
            ReasonCode::GrantedOk,
            &["mutual_exclusion", "create_snapshot", "assemble_lens"],
        )
        .with_actions(&["motus work context <lease_id>"]),
        lease: Some(lease),
        missing_prereqs: if checks.incomplete_deps > 0 {
            work_item::missing_prereqs(conn, &req.work_id)?
        } else {
            Vec::new()
        },
    })
}

/// The item, the new attempt, and the assignees a claim overrode.
type Granted = (Option<WorkItem>, Option<String>, Vec<String>);

/// The work-item half of a write claim: one open attempt per item, no open blockers, the
/// dependency rule, and ad hoc creation under the phase limit.
fn claim_work_item<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    req: &ClaimRequest,
    item: Option<WorkItem>,
    checks: &work_item::ClaimChecks,
    live: &[Lease],
) -> Result<std::result::Result<Granted, ClaimResponse>> {
    let denied =
        |code, rules: &[&'static str]| Ok(Err(ClaimResponse::verdict(Decision::new(code, rules))));
    let mut overridden = Vec::new();
    if let Some((attempt_id, worker)) = &checks.open_attempt {
        match live
            .iter()
            .find(|l| l.attempt_id.as_deref() == Some(attempt_id))
        {
            Some(holder) => {
                let mut d = Decision::new(ReasonCode::BusyWorkInProgress, &["single_open_attempt"]);
                d.owner = Some(Owner {
                    agent_id: holder.owner_agent_id.clone(),
                    lease_id: Some(holder.lease_id.clone()),
                });
                d.ttl_remaining_s = Some(lease::ttl_remaining_s(holder, env.now()));
                d.suggested_next_actions = vec![format!(
                    "Ask {} to hand it off: motus work handoff {} <agent> --reason TEXT",
                    holder.owner_agent_id, holder.lease_id
                )];
                return Ok(Err(ClaimResponse::verdict(d)));
            }
            None => {
                if !close_orphan_attempt(conn, env, attempt_id)? {
                    let mut d =
                        Decision::new(ReasonCode::BusyWorkInProgress, &["single_open_attempt"]);
                    d.owner = Some(Owner {
                        agent_id: worker.clone(),
                        lease_id: None,
                    });
                    return Ok(Err(ClaimResponse::verdict(d)));
                }
            }
        }
    }
    if checks.open_blockers > 0 {
        let mut resp = ClaimResponse::verdict(
            Decision::new(ReasonCode::DenyWorkBlocked, &["no_claim_blocked"])
                .with_actions(&["motus work unblock <blocker_id> --resolution TEXT --waiver TEXT"]),
        );
        resp.decision.suggested_next_actions = open_blocker_ids(conn, &req.work_id)?
            .into_iter()
            .map(|id| format!("Resolve blocker {id}: motus work unblock {id} --resolution TEXT"))
            .collect();
        return Ok(Err(resp));
    }
    let item = match item {
        Some(item) => {
            if item.status == "completed" && !work_item::is_adhoc(&item.id) {
                return denied(ReasonCode::DenyWorkCompleted, &["completed_immutable"]);
            }
            let assignees = work_item::open_assignees(conn, &item.id)?;
            if !assignees.is_empty() && !assignees.iter().any(|a| a == &req.agent_id) {
                if !req.override_assignment {
                    let mut d = Decision::new(ReasonCode::DenyAssignedToOther, &["assignment"]);
                    d.owner = Some(Owner {
                        agent_id: assignees.join(", "),
                        lease_id: None,
                    });
                    d.suggested_next_actions = vec![
                        format!("Ask {} to hand it over, or pick another item (motus roadmap ready --assignee {})", assignees[0], req.agent_id),
                        "Claim it anyway with --override-assignment (recorded on the lease)".into(),
                    ];
                    return Ok(Err(ClaimResponse::verdict(d)));
                }
                overridden = assignees;
            }
            let will_start = item.status != "in_progress" && item.status != "completed";
            if will_start && checks.incomplete_blocking_deps > 0 {
                let mut resp = ClaimResponse::verdict(
                    Decision::new(
                        ReasonCode::DenyPrereqsIncomplete,
                        &["dependencies_complete"],
                    )
                    .with_actions(&[
                        "Finish the blocking prerequisites first (see missing_prereqs)",
                    ]),
                );
                resp.missing_prereqs = work_item::missing_prereqs(conn, &req.work_id)?;
                return Ok(Err(resp));
            }
            work_item::start(conn, env, &item)?;
            item
        }
        None => {
            if work_item::active_in_phase(conn, work_item::ADHOC_PHASE)?
                >= work_item::PHASE_ACTIVE_LIMIT
            {
                return Ok(Err(ClaimResponse::verdict(
                    Decision::new(ReasonCode::DenyPhaseFull, &["phase_limit"]).with_actions(&[
                        "Release or finish some ad hoc work first (motus work list)",
                    ]),
                )));
            }
            work_item::create_adhoc(conn, env, &req.work_id)?
        }
    };
    let attempt_id = work_item::open_attempt(conn, env, &req.work_id, &req.agent_id, None)?;
    work_item::start_assignment(conn, env, &req.work_id, &req.agent_id)?;
    Ok(Ok((Some(item), Some(attempt_id), overridden)))
}

/// An open attempt no live lease holds: left behind by a lease the original let expire or
/// force-released without ending it. Ends it when its lease is over; returns whether it did.
fn close_orphan_attempt<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    attempt_id: &str,
) -> Result<bool> {
    let lease_status: Option<String> = conn.query_scalar(
        "SELECT status FROM coordination_leases WHERE attempt_id = ?1 ORDER BY issued_at DESC LIMIT 1",
        params![attempt_id],
    )?;
    let Some(status) = lease_status else {
        return Ok(false);
    };
    if status == LeaseStatus::Active.as_str() {
        return Ok(false);
    }
    conn.execute(
        "UPDATE attempts SET ended_at = ?1, outcome = 'failed', notes = ?2 WHERE id = ?3 AND ended_at IS NULL",
        params![
            env.now().to_db(),
            format!("closed by a later claim: its lease is {status}"),
            attempt_id
        ],
    )?;
    Ok(true)
}

fn open_blocker_ids<C: Connection + ?Sized>(conn: &C, work_id: &str) -> Result<Vec<String>> {
    conn.query(
        "SELECT id FROM blockers WHERE work_id = ?1 AND resolved_at IS NULL ORDER BY created_at",
        params![work_id],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn insert_lease<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    req: &ClaimRequest,
    resources: Vec<Resource>,
    attempt_id: Option<String>,
) -> Result<Lease> {
    let now = env.now();
    // One deadline: a lease holds until expires_at, and heartbeat moves both columns
    // together (the original's separate 300 s heartbeat window silently cut every lease).
    let expires = now.plus_seconds(req.ttl_s);
    let work_id = (req.mode == Mode::Write || attempt_id.is_some()).then(|| req.work_id.clone());
    let lens_digest = sha256_hex(
        to_canonical_json(&json!({
            "intent": req.intent,
            "resources": resources.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "work_id": req.work_id,
            "policy_version": lease::POLICY_VERSION,
        }))
        .as_bytes(),
    );
    let lease = Lease {
        lease_id: lease::new_lease_id(env),
        owner_agent_id: req.agent_id.clone(),
        mode: req.mode.as_str().into(),
        resources,
        issued_at: now,
        expires_at: expires,
        heartbeat_deadline: expires,
        snapshot_id: format!("snap-{}", env.ids.random_hex(12)),
        policy_version: lease::POLICY_VERSION.into(),
        lens_digest,
        work_id,
        attempt_id,
        status: LeaseStatus::Active,
        outcome: None,
        updated_at: now,
    };
    insert_row(conn, &lease)?;
    Ok(lease)
}

pub(crate) fn insert_row<C: Connection + ?Sized>(conn: &C, lease: &Lease) -> Result<()> {
    let issued = lease.issued_at.to_db();
    conn.execute(
        "INSERT INTO coordination_leases (lease_id, owner_agent_id, mode, resources, issued_at, \
         expires_at, heartbeat_deadline, snapshot_id, policy_version, lens_digest, work_id, \
         attempt_id, status, outcome, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'active', NULL, ?5, ?5)",
        params![
            lease.lease_id.as_str(),
            lease.owner_agent_id.as_str(),
            lease.mode.as_str(),
            lease::resources_to_column(&lease.resources),
            issued.as_str(),
            lease.expires_at.to_db(),
            lease.heartbeat_deadline.to_db(),
            lease.snapshot_id.as_str(),
            lease.policy_version.as_str(),
            lease.lens_digest.as_str(),
            lease.work_id.as_deref(),
            lease.attempt_id.as_deref()
        ],
    )?;
    Ok(())
}
