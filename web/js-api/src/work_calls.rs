//! The work kernel's calls, each returning the document `motus work … --json` prints for it
//! (same fields, same values). Inputs are plain objects whose fields are named as in that
//! JSON (`work_id`, `agent_id`, …); unknown fields are refused, so a typo is not ignored.

use motus_core::kernel::{
    self, lease, records, BlockRequest, ClaimRequest, DecisionRequest, EvidenceRequest,
    FileArtifact, ForceTarget, Mode, Options, OutcomeRequest, Recorded, ReleaseOutcome, Resource,
    UnblockRequest,
};
use motus_core::{Connection, Env, Result};
use serde::Deserialize;
use serde_json::{json, Value};

/// `motus work claim`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimInput {
    pub work_id: String,
    pub intent: Option<String>,
    /// Default `default`, as the CLI without `MC_AGENT_ID`.
    pub agent_id: Option<String>,
    pub ttl_s: Option<i64>,
    /// `TYPE:PATH` specs (default `task:<work_id>`).
    pub resources: Vec<String>,
    pub mode: Option<String>,
}

pub fn claim_work<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    input: ClaimInput,
) -> Result<Value> {
    let req = ClaimRequest {
        intent: input
            .intent
            .unwrap_or_else(|| format!("Work on {}", input.work_id)),
        agent_id: input.agent_id.unwrap_or_else(|| "default".into()),
        resources: input
            .resources
            .iter()
            .map(|s| Resource::parse_spec(s))
            .collect(),
        mode: Mode::parse(input.mode.as_deref().unwrap_or("write"))?,
        ttl_s: input.ttl_s.unwrap_or(lease::DEFAULT_TTL_S),
        override_assignment: false,
        work_id: input.work_id,
    };
    let r = kernel::claim_work(conn, env, opts, &req)?;
    let lease = r.lease.as_ref();
    let doc = json!({
        "decision": r.decision.decision,
        "reason_code": r.decision.reason_code,
        "lease_id": lease.map(|l| &l.lease_id),
        "message": r.decision.human_message,
        "work_id": req.work_id,
        "attempt_id": lease.and_then(|l| l.attempt_id.as_ref()),
        "agent_id": req.agent_id,
        "expires_at": lease.map(|l| l.expires_at.to_rfc3339()),
        "owner": r.decision.owner,
        "ttl_remaining_s": r.decision.ttl_remaining_s,
        "policy_rules_fired": r.decision.policy_rules_fired,
        "suggested_next_actions": r.decision.suggested_next_actions,
        "missing_prereqs": r.missing_prereqs,
    });
    Ok(doc)
}

/// `motus work context`.
pub fn get_context<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    intent: Option<&str>,
) -> Result<Value> {
    let r = kernel::get_context(conn, env, opts, lease_id, intent)?;
    let doc = json!({
        "decision": r.decision.decision,
        "reason_code": r.decision.reason_code,
        "message": r.decision.human_message,
        "lens": r.lens,
        "lease_status": r.lease.as_ref().map(|l| l.status),
    });
    Ok(doc)
}

/// `motus work outcome`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutcomeInput {
    pub outcome_type: String,
    pub path: Option<String>,
    pub description: Option<String>,
    pub metadata: Option<Value>,
}

pub fn put_outcome<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    input: OutcomeInput,
) -> Result<Value> {
    let req = OutcomeRequest {
        outcome_type: input.outcome_type,
        path: input.path,
        description: input.description,
        metadata: input.metadata,
    };
    let r = kernel::put_outcome(conn, env, opts, lease_id, &req)?;
    Ok(recorded(&r, "outcome_id"))
}

/// `motus work evidence`: counts, diff and log as the CLI's flags; `file` is what
/// `fileArtifact(path)` (Node) or `hashBytes` returns, plus the path.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceInput {
    pub evidence_type: String,
    pub passed: Option<u64>,
    pub failed: Option<u64>,
    pub skipped: Option<u64>,
    pub diff: Option<String>,
    pub log: Option<String>,
    pub artifacts: Option<Value>,
    pub file: Option<FileInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileInput {
    pub path: String,
    pub sha256: String,
    pub size_bytes: u64,
}

pub fn record_evidence<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    input: EvidenceInput,
) -> Result<Value> {
    let req = EvidenceRequest {
        evidence_type: input.evidence_type,
        artifacts: input.artifacts,
        test_results: records::test_counts(input.passed, input.failed, input.skipped),
        diff_summary: input.diff,
        log_excerpt: input.log,
        file: input.file.map(|f| FileArtifact {
            path: f.path,
            sha256: f.sha256,
            size_bytes: f.size_bytes,
        }),
    };
    let r = kernel::record_evidence(conn, env, opts, lease_id, &req)?;
    Ok(recorded(&r, "evidence_id"))
}

/// `motus work decision`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionInput {
    pub decision: String,
    pub rationale: Option<String>,
    pub alternatives: Vec<String>,
    pub constraints: Vec<String>,
    pub decision_type: Option<String>,
}

pub fn record_decision<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    input: DecisionInput,
) -> Result<Value> {
    let req = DecisionRequest {
        decision: input.decision,
        rationale: input.rationale,
        alternatives: input.alternatives,
        constraints: input.constraints,
        decision_type: input.decision_type.unwrap_or_else(|| "approval".into()),
    };
    let r = kernel::record_decision(conn, env, opts, lease_id, &req)?;
    Ok(recorded(&r, "decision_id"))
}

/// `motus work release LEASE OUTCOME [--no-rollback]`.
pub fn release_work<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    outcome: &str,
    no_rollback: bool,
) -> Result<Value> {
    let outcome = ReleaseOutcome::parse(outcome)?;
    let r = kernel::release_work(conn, env, opts, lease_id, outcome, !no_rollback)?;
    let doc = json!({
        "decision": r.decision.decision,
        "reason_code": r.decision.reason_code,
        "message": r.decision.human_message,
        "lease_status": r.lease.as_ref().map(|l| l.status),
        "attempt_outcome": r.attempt_outcome,
        "warnings": r.warnings,
    });
    Ok(doc)
}

/// `motus work heartbeat`.
pub fn heartbeat<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    ttl_s: Option<i64>,
) -> Result<Value> {
    let r = kernel::heartbeat(conn, env, opts, lease_id, ttl_s)?;
    let doc = json!({
        "decision": r.decision.decision,
        "reason_code": r.decision.reason_code,
        "message": r.decision.human_message,
        "lease_id": lease_id,
        "lease_status": r.lease.as_ref().map(|l| l.status),
        "expires_at": r.lease.as_ref().filter(|_| r.decision.is_granted()).map(|l| l.expires_at.to_rfc3339()),
    });
    Ok(doc)
}

/// `motus work handoff`.
pub fn handoff<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    to_agent: &str,
    reason: &str,
) -> Result<Value> {
    let r = kernel::handoff(conn, env, opts, lease_id, to_agent, reason)?;
    let doc = json!({
        "decision": r.decision.decision,
        "reason_code": r.decision.reason_code,
        "message": r.decision.human_message,
        "from_lease_id": lease_id,
        "lease_id": r.lease.as_ref().map(|l| &l.lease_id),
        "agent_id": to_agent,
        "attempt_id": r.lease.as_ref().and_then(|l| l.attempt_id.as_ref()),
        "expires_at": r.lease.as_ref().map(|l| l.expires_at.to_rfc3339()),
        "lease_status": r.from_lease.as_ref().map(|l| l.status),
    });
    Ok(doc)
}

/// `motus work cleanup`.
pub fn cleanup<C: Connection + ?Sized>(conn: &C, env: &Env) -> Result<Value> {
    let r = kernel::cleanup(conn, env)?;
    Ok(serde_json::to_value(&r).expect("serializable"))
}

/// `motus work force-release`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForceReleaseInput {
    pub lease_id: Option<String>,
    pub resource: Option<String>,
    pub reason: String,
    pub agent: Option<String>,
    /// The caller's role (`MC_AGENT_ROLE` for the CLI): operator or architect.
    pub role: Option<String>,
}

pub fn force_release<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    input: ForceReleaseInput,
) -> Result<Value> {
    let target = match (input.lease_id, input.resource) {
        (Some(id), None) => ForceTarget::Lease(id),
        (None, Some(r)) => ForceTarget::Resource(Resource::parse_spec(&r)),
        _ => {
            return Err(motus_core::Error::invalid(
                "target",
                "name either lease_id or resource (TYPE:PATH)",
            ))
        }
    };
    let agent = input.agent.unwrap_or_else(|| "default".into());
    let r = kernel::force_release(
        conn,
        env,
        &target,
        &input.reason,
        &agent,
        input.role.as_deref(),
    )?;
    let doc = json!({
        "decision": r.decision.decision,
        "reason_code": r.decision.reason_code,
        "message": r.decision.human_message,
        "released": r.released,
    });
    Ok(doc)
}

/// `motus work block`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlockInput {
    pub target: String,
    pub reason_code: String,
    pub title: String,
    pub description: Option<String>,
    pub needs: Option<String>,
    pub severity: Option<String>,
    pub agent: Option<String>,
}

pub fn create_blocker<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    input: BlockInput,
) -> Result<Value> {
    let v = kernel::create_blocker(
        conn,
        env,
        &BlockRequest {
            target: input.target,
            reason_code: input.reason_code,
            title: input.title,
            description: input.description,
            needs: input.needs,
            severity: input.severity.unwrap_or_else(|| "blocking".into()),
            agent: input.agent.unwrap_or_else(|| "default".into()),
        },
    )?;
    let mut doc = serde_json::to_value(&v).expect("serializable");
    doc["ok"] = json!(true);
    Ok(doc)
}

/// `motus work unblock`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnblockInput {
    pub blocker_id: String,
    pub resolution: String,
    pub waiver: Option<String>,
    pub agent: Option<String>,
}

pub fn resolve_blocker<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    input: UnblockInput,
) -> Result<Value> {
    let v = kernel::resolve_blocker(
        conn,
        env,
        &UnblockRequest {
            blocker_id: input.blocker_id,
            resolution: input.resolution,
            waiver: input.waiver,
            agent: input.agent.unwrap_or_else(|| "default".into()),
        },
    )?;
    let mut doc = serde_json::to_value(&v).expect("serializable");
    doc["ok"] = json!(true);
    Ok(doc)
}

/// `motus work status`.
pub fn lease_status<C: Connection + ?Sized>(conn: &C, env: &Env, lease_id: &str) -> Result<Value> {
    Ok(match kernel::lease_status(conn, env.now(), lease_id)? {
        None => {
            json!({"lease_id": lease_id, "lease_status": "not_found", "outcomes": [], "evidence": [], "decisions": []})
        }
        Some(d) => json!({
            "lease_id": lease_id,
            "lease_status": d.lease_status,
            "lease": d.lease,
            "outcomes": d.outcomes,
            "evidence": d.evidence,
            "decisions": d.decisions,
            "events": d.events,
        }),
    })
}

/// `motus work list [--all]`.
pub fn list_leases<C: Connection + ?Sized>(conn: &C, env: &Env, all: bool) -> Result<Value> {
    let items = kernel::list_leases(conn, env.now(), all)?;
    Ok(json!({"items": items, "count": items.len()}))
}

/// `motus work verify`: recomputes every evidence hash; an attached file is re-hashed by
/// the host through `hash_file` (None: gone), or reported `unchecked` without one.
pub fn verify_evidence<C: Connection + ?Sized>(
    conn: &C,
    target: &str,
    hash_file: Option<&dyn Fn(&str) -> Option<String>>,
) -> Result<Value> {
    let checks = kernel::verify_evidence(conn, target)?;
    let mut rows = Vec::new();
    let mut failed = 0;
    for c in &checks {
        let file = c.file.as_ref().map(|(path, recorded)| match hash_file {
            None => json!({"path": path, "status": "unchecked"}),
            Some(h) => match h(path) {
                Some(sha) => {
                    json!({"path": path, "status": if &sha == recorded { "ok" } else { "changed" }})
                }
                None => json!({"path": path, "status": "missing"}),
            },
        });
        let file_ok = file.as_ref().is_none_or(|f| f["status"] != "changed");
        if !c.ok || !file_ok {
            failed += 1;
        }
        let mut row = serde_json::to_value(c).expect("serializable");
        row["file"] = file.unwrap_or(Value::Null);
        rows.push(row);
    }
    let unverifiable = checks.iter().filter(|c| c.status == "unverifiable").count();
    let doc = json!({"ok": failed == 0, "target": target, "checked": checks.len(), "failed": failed, "unverifiable": unverifiable, "evidence": rows});
    Ok(doc)
}

fn recorded(r: &Recorded, id_key: &str) -> Value {
    let mut doc = json!({
        "accepted": r.accepted,
        "message": r.message,
        "reason_code": r.reason_code,
        "lease_status": r.lease_status,
    });
    doc[id_key] = json!(r.id);
    doc
}
