//! `get_context`, `heartbeat`, `handoff` and `cleanup`: the calls around a live lease.

use super::canonical::{sha256_hex, to_canonical_json};
use super::expiry;
use super::journal;
use super::lease::{self, Lease, LeaseStatus};
use super::reason::{Decision, ReasonCode};
use super::work_item::{self, AttemptEnd, MissingPrereq};
use super::Options;
use crate::connection::{write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;
use serde_json::{json, Value};

/// What an agent needs to work on a lease: the item, its prerequisites, blockers, and
/// what has been recorded so far. `lens_hash` covers the content only (not the time), so
/// it changes exactly when the context does.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Lens {
    pub lens_version: &'static str,
    pub tier: &'static str,
    pub intent: String,
    pub work_item: Option<Value>,
    pub resources: Vec<String>,
    pub missing_prereqs: Vec<MissingPrereq>,
    pub open_blockers: Vec<Value>,
    pub evidence: Vec<Value>,
    pub decisions: Vec<Value>,
    pub outcomes: Vec<Value>,
    pub resource_specs: Vec<Value>,
    pub policy_snippets: Vec<Value>,
    pub warnings: Vec<Value>,
    pub lens_hash: String,
    /// The original's keys, kept for agents written against it. First 16 hex of SHA-256 of
    /// the context cache's source hashes: this build has no context cache, so always the
    /// empty cache's value (`e3b0c44298fc1c14`); empty in a refusal's stub lens.
    pub cache_state_hash: String,
    /// Tool specs from the context cache: none in this build (an empty list).
    pub tool_guidance: Vec<Value>,
    /// How the item's earlier attempts ended, newest first (at most 5): `attempt_id`,
    /// `agent_id`, `outcome`, `ended_at`.
    pub recent_outcomes: Vec<Value>,
    /// The lease's policy version (`v1.0.0` unless the claim set another).
    pub policy_version: String,
    /// When this lens was assembled. Not covered by `lens_hash` (the original's was, so its
    /// hash changed on every call).
    #[schemars(with = "String")]
    #[serde(serialize_with = "crate::answer::ts")]
    pub assembled_at: crate::time::Timestamp,
}

/// The original's `cache_state_hash` of an empty context cache: SHA-256 of "" (16 hex).
pub const EMPTY_CACHE_STATE_HASH: &str = "e3b0c44298fc1c14";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextResponse {
    #[serde(flatten)]
    pub decision: Decision,
    pub lens: Lens,
    pub lease: Option<Lease>,
}

fn empty_lens(intent: &str, warning: String, at: crate::time::Timestamp) -> Lens {
    Lens {
        lens_version: "v1",
        tier: "tier0",
        intent: intent.into(),
        work_item: None,
        resources: vec![],
        missing_prereqs: vec![],
        open_blockers: vec![],
        evidence: vec![],
        decisions: vec![],
        outcomes: vec![],
        resource_specs: vec![],
        policy_snippets: vec![],
        warnings: vec![json!({"message": warning})],
        lens_hash: String::new(),
        cache_state_hash: String::new(),
        tool_guidance: vec![],
        recent_outcomes: vec![],
        policy_version: String::new(),
        assembled_at: at,
    }
}

pub fn get_context<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    intent: Option<&str>,
) -> Result<ContextResponse> {
    lease::check_lease_id(conn, lease_id)?;
    let started = env.now();
    write_tx(conn, |c| {
        let resp = context_in_tx(c, env, lease_id, intent)?;
        journal::metric(
            c,
            env,
            opts,
            "get_context",
            started,
            resp.decision.is_granted(),
        )?;
        Ok(resp)
    })
}

fn context_in_tx<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease_id: &str,
    intent: Option<&str>,
) -> Result<ContextResponse> {
    let shown_intent = intent.unwrap_or("unknown");
    let Some(lease) = expiry::load_current(conn, env, lease_id)? else {
        return Ok(ContextResponse {
            decision: Decision::new(ReasonCode::DenyMissingLease, &["validate_lease"]),
            lens: empty_lens(shown_intent, "Lease not found".into(), env.now()),
            lease: None,
        });
    };
    if lease.status != LeaseStatus::Active {
        return Ok(ContextResponse {
            decision: Decision::new(ReasonCode::DenyMissingLease, &["validate_lease_active"]),
            lens: empty_lens(
                shown_intent,
                format!("Lease is {}, not active", lease.status.as_str()),
                env.now(),
            ),
            lease: Some(lease),
        });
    }
    let intent = intent.unwrap_or("context refresh");
    let lens = assemble_lens(conn, &lease, intent, env.now())?;
    journal::event(
        conn,
        env,
        lease_id,
        "CONTEXT_REFRESH",
        &json!({"intent": intent, "lens_hash": lens.lens_hash, "lens_level": 0}),
    )?;
    journal::audit(
        conn,
        env,
        &lease.owner_agent_id,
        "work.context",
        "lease",
        lease_id,
        "read_context",
        Some(json!({"lens_hash": lens.lens_hash})),
    )?;
    Ok(ContextResponse {
        decision: Decision::new(ReasonCode::GrantedOk, &["validate_lease", "assemble_lens"]),
        lens,
        lease: Some(lease),
    })
}

fn json_rows<C: Connection + ?Sized>(conn: &C, sql: &str, arg: &str) -> Result<Vec<Value>> {
    Ok(conn.query(sql, params![arg])?.to_json_objects())
}

/// Rows of one lease found through its work item (evidence and decisions have an index on
/// work_id, none on lease_id).
fn lease_rows<C: Connection + ?Sized>(
    conn: &C,
    sql: &str,
    work_id: &str,
    lease_id: &str,
) -> Result<Vec<Value>> {
    Ok(conn
        .query(sql, params![work_id, lease_id])?
        .to_json_objects())
}

fn assemble_lens<C: Connection + ?Sized>(
    conn: &C,
    lease: &Lease,
    intent: &str,
    at: crate::time::Timestamp,
) -> Result<Lens> {
    let work_id = lease.work_id.clone().unwrap_or_default();
    let work_item = json_rows(
        conn,
        "SELECT id, title, description, status_key AS status, phase_key AS phase, item_type \
         FROM roadmap_items WHERE id = ?1",
        &work_id,
    )?
    .into_iter()
    .next();
    let mut lens = Lens {
        lens_version: "v1",
        tier: "tier0",
        intent: intent.into(),
        work_item,
        resources: lease.resources.iter().map(|r| r.to_string()).collect(),
        missing_prereqs: work_item::missing_prereqs(conn, &work_id)?,
        open_blockers: json_rows(
            conn,
            "SELECT id, reason_code, title, needs, severity FROM blockers \
             WHERE work_id = ?1 AND resolved_at IS NULL ORDER BY created_at, id",
            &work_id,
        )?,
        evidence: lease_rows(
            conn,
            "SELECT id, evidence_type, sha256, created_at FROM evidence \
             WHERE work_id = ?1 AND lease_id = ?2 ORDER BY created_at, id",
            &work_id,
            &lease.lease_id,
        )?,
        decisions: lease_rows(
            conn,
            "SELECT id, decision_type, decision_summary, rationale FROM decisions \
             WHERE work_id = ?1 AND lease_id = ?2 ORDER BY decided_at, id",
            &work_id,
            &lease.lease_id,
        )?,
        outcomes: json_rows(
            conn,
            "SELECT id, outcome_type, path, description FROM kernel_outcomes WHERE lease_id = ?1 ORDER BY created_at, id",
            &lease.lease_id,
        )?,
        resource_specs: vec![],
        policy_snippets: vec![],
        warnings: vec![],
        lens_hash: String::new(),
        cache_state_hash: EMPTY_CACHE_STATE_HASH.into(),
        tool_guidance: vec![],
        recent_outcomes: json_rows(
            conn,
            "SELECT id AS attempt_id, worker_id AS agent_id, outcome, ended_at FROM attempts \
             WHERE work_id = ?1 AND ended_at IS NOT NULL ORDER BY ended_at DESC, id LIMIT 5",
            &work_id,
        )?,
        policy_version: lease.policy_version.clone(),
        assembled_at: at,
    };
    let mut for_hash = serde_json::to_value(&lens).expect("serializable");
    for_hash["lens_hash"] = json!("");
    // The time is not content: the same context hashes the same on every call.
    if let Some(m) = for_hash.as_object_mut() {
        m.remove("assembled_at");
    }
    lens.lens_hash = sha256_hex(to_canonical_json(&for_hash).as_bytes());
    Ok(lens)
}

// ---------------------------------------------------------------- heartbeat

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeartbeatResponse {
    #[serde(flatten)]
    pub decision: Decision,
    pub lease: Option<Lease>,
}

/// Renews a live lease: both deadlines move to now + ttl (the claim's ttl unless given).
pub fn heartbeat<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    ttl_s: Option<i64>,
) -> Result<HeartbeatResponse> {
    lease::check_lease_id(conn, lease_id)?;
    let started = env.now();
    write_tx(conn, |c| {
        let resp = heartbeat_in_tx(c, env, lease_id, ttl_s)?;
        journal::metric(
            c,
            env,
            opts,
            "heartbeat",
            started,
            resp.decision.is_granted(),
        )?;
        Ok(resp)
    })
}

fn heartbeat_in_tx<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease_id: &str,
    ttl_s: Option<i64>,
) -> Result<HeartbeatResponse> {
    let Some(mut lease) = expiry::load_current(conn, env, lease_id)? else {
        return Ok(HeartbeatResponse {
            decision: Decision::new(ReasonCode::LeaseNotFound, &["validate_lease"]),
            lease: None,
        });
    };
    if lease.status != LeaseStatus::Active {
        return Ok(HeartbeatResponse {
            decision: Decision::new(ReasonCode::DenyMissingLease, &["validate_lease_active"])
                .with_actions(&["Claim the work again: the lease is over"]),
            lease: Some(lease),
        });
    }
    let ttl = match ttl_s {
        Some(t) => t,
        None => claimed_ttl(conn, &lease)?,
    };
    if ttl <= 0 || ttl > lease::MAX_TTL_S {
        return Ok(HeartbeatResponse {
            decision: Decision::new(ReasonCode::DenyInvalidTtl, &["validate_ttl"]),
            lease: Some(lease),
        });
    }
    let now = env.now();
    let expires = now.plus_seconds(ttl);
    conn.execute(
        "UPDATE coordination_leases SET expires_at = ?1, heartbeat_deadline = ?1, updated_at = ?2 \
         WHERE lease_id = ?3 AND status = 'active'",
        params![expires.to_db(), now.to_db(), lease_id],
    )?;
    lease.expires_at = expires;
    lease.heartbeat_deadline = expires;
    lease.updated_at = now;
    let payload = json!({"ttl_s": ttl, "expires_at": expires.to_rfc3339()});
    journal::event(conn, env, lease_id, "HEARTBEAT", &payload)?;
    journal::audit(
        conn,
        env,
        &lease.owner_agent_id,
        "work.heartbeat",
        "lease",
        lease_id,
        "renew",
        Some(payload),
    )?;
    let mut decision = Decision::new(ReasonCode::GrantedOk, &["renew_lease"]);
    decision.ttl_remaining_s = Some(ttl);
    Ok(HeartbeatResponse {
        decision,
        lease: Some(lease),
    })
}

/// The ttl the lease was claimed (or last handed off) with.
fn claimed_ttl<C: Connection + ?Sized>(conn: &C, lease: &Lease) -> Result<i64> {
    let from_event: Option<i64> = conn.query_scalar(
        "SELECT json_extract(payload, '$.ttl_s') FROM events WHERE lease_id = ?1 \
         AND event_type = 'LEASE_CLAIMED' AND json_valid(payload) LIMIT 1",
        params![lease.lease_id.as_str()],
    )?;
    Ok(from_event
        .unwrap_or_else(|| lease.issued_at.seconds_until(lease.expires_at))
        .clamp(1, lease::MAX_TTL_S))
}

// ---------------------------------------------------------------- handoff

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoffResponse {
    #[serde(flatten)]
    pub decision: Decision,
    /// The ended lease.
    pub from_lease: Option<Lease>,
    /// The new lease, held by the receiving agent.
    pub lease: Option<Lease>,
}

/// Hands a live lease's work to another agent: the old lease is released (`partial`), its
/// attempt ends `handed_off`, and the new agent gets a lease on the same resources with a
/// new attempt chained to the old one (the handoff reason is required by the schema).
pub fn handoff<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    to_agent: &str,
    reason: &str,
) -> Result<HandoffResponse> {
    lease::check_lease_id(conn, lease_id)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid(
            "reason",
            "a handoff needs a reason (reason)",
        ));
    }
    let started = env.now();
    write_tx(conn, |c| {
        let resp = handoff_in_tx(c, env, lease_id, to_agent, reason)?;
        journal::metric(c, env, opts, "handoff", started, resp.decision.is_granted())?;
        Ok(resp)
    })
}

fn handoff_in_tx<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease_id: &str,
    to_agent: &str,
    reason: &str,
) -> Result<HandoffResponse> {
    let refuse = |code, rules: &[&'static str], from: Option<Lease>| {
        Ok(HandoffResponse {
            decision: Decision::new(code, rules),
            from_lease: from,
            lease: None,
        })
    };
    if !lease::valid_agent(to_agent) {
        return refuse(ReasonCode::DenyInvalidAgentId, &["validate_agent_id"], None);
    }
    let Some(mut old) = expiry::load_current(conn, env, lease_id)? else {
        return refuse(ReasonCode::LeaseNotFound, &["validate_lease"], None);
    };
    if old.status != LeaseStatus::Active {
        return refuse(
            ReasonCode::DenyMissingLease,
            &["validate_lease_active"],
            Some(old),
        );
    }
    if let Some(work_id) = &old.work_id {
        if work_item::claim_checks(conn, work_id)?.open_blockers > 0 {
            return refuse(
                ReasonCode::DenyWorkBlocked,
                &["no_claim_blocked"],
                Some(old),
            );
        }
    }
    let now = env.now();
    let ttl = claimed_ttl(conn, &old)?;
    lease::set_status(conn, &mut old, LeaseStatus::Released, Some("partial"), now)?;
    let old_attempt = old.attempt_id.clone();
    let facts = work_item::attempt_facts(conn, &old)?;
    work_item::end_attempt(
        conn,
        env,
        &old,
        AttemptEnd::HandedOff,
        Some(work_item::HANDOFF_NOTE),
        &facts,
    )?;
    let new_attempt = match (&old.work_id, &old_attempt) {
        (Some(w), Some(a)) => Some(work_item::open_attempt(
            conn,
            env,
            w,
            to_agent,
            Some((a, reason)),
        )?),
        _ => None,
    };
    let expires = now.plus_seconds(ttl);
    let new = Lease {
        lease_id: lease::new_lease_id(env),
        owner_agent_id: to_agent.into(),
        issued_at: now,
        expires_at: expires,
        heartbeat_deadline: expires,
        snapshot_id: format!("snap-{}", env.ids.random_hex(12)),
        attempt_id: new_attempt,
        status: LeaseStatus::Active,
        outcome: None,
        updated_at: now,
        ..old.clone()
    };
    super::claim::insert_row(conn, &new)?;
    journal::event(
        conn,
        env,
        lease_id,
        "LEASE_RELEASED",
        &json!({"outcome": "partial", "handoff": {"to_agent": to_agent, "to_lease_id": new.lease_id, "reason": reason},
                "rollback_requested": false, "rollback_performed": false, "rollback_success": null,
                "rollback_reason": null, "evidence_ids": []}),
    )?;
    journal::event(
        conn,
        env,
        &new.lease_id,
        "LEASE_CLAIMED",
        &json!({"agent_id": to_agent, "mode": new.mode, "ttl_s": ttl,
                "resources": new.resources.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                "intent": format!("handoff from {}: {reason}", old.owner_agent_id),
                "work_id": new.work_id, "attempt_id": new.attempt_id, "handoff_from_lease_id": lease_id}),
    )?;
    journal::audit(
        conn,
        env,
        &old.owner_agent_id,
        "work.handoff",
        "lease",
        lease_id,
        "handoff",
        Some(json!({"to_agent": to_agent, "to_lease_id": new.lease_id, "reason": reason})),
    )?;
    // The new lease is a write of its own: it gets its own audit row (found by the model
    // test: every lease must have one).
    journal::audit(
        conn,
        env,
        to_agent,
        "work.claim",
        "lease",
        &new.lease_id,
        "handoff_claim",
        Some(
            json!({"from_lease_id": lease_id, "work_id": new.work_id, "attempt_id": new.attempt_id,
                    "expires_at": new.expires_at.to_db()}),
        ),
    )?;
    Ok(HandoffResponse {
        decision: Decision::new(ReasonCode::HandedOff, &["handoff"]),
        from_lease: Some(old),
        lease: Some(new),
    })
}

// ---------------------------------------------------------------- cleanup

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CleanupResponse {
    pub expired_count: usize,
    pub expired: Vec<String>,
}

/// Expires every overdue lease now (each with its event, audit row and attempt ending).
pub fn cleanup<C: Connection + ?Sized>(conn: &C, env: &Env) -> Result<CleanupResponse> {
    write_tx(conn, |c| {
        let expired = expiry::expire_stale(c, env)?;
        Ok(CleanupResponse {
            expired_count: expired.len(),
            expired: expired.into_iter().map(|l| l.lease_id).collect(),
        })
    })
}
