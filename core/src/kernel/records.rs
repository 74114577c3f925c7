//! `put_outcome`, `record_evidence`, `record_decision`: each one event, one kernel row and
//! one audit row in one transaction on a live lease — or nothing at all.

use super::canonical::{sha256_hex, to_canonical_json};
use super::expiry;
use super::journal;
use super::lease::{self, Lease, LeaseStatus};
use super::reason::ReasonCode;
use super::Options;
use crate::connection::{write_tx, Connection};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The schema's `evidence.evidence_type` CHECK list.
pub const EVIDENCE_TYPES: &[&str] = &[
    "test_result",
    "build_artifact",
    "diff",
    "log",
    "attestation",
    "screenshot",
    "reference",
    "document",
    "policy_bundle",
    "other",
];

/// The schema's `decisions.decision_type` CHECK list.
pub const DECISION_TYPES: &[&str] = &[
    "approval",
    "waiver",
    "review_passed",
    "review_rejected",
    "plan_committed",
    "completion_accepted",
    "escalation",
    "revocation",
    "draft_emitted",
    "draft_approved",
    "draft_rejected",
];

/// The answer of the three record calls (`accepted`, the new row's id, a message).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recorded {
    pub accepted: bool,
    pub id: Option<String>,
    pub reason_code: ReasonCode,
    pub message: String,
    pub lease_status: Option<LeaseStatus>,
}

impl Recorded {
    fn refused(code: ReasonCode, message: String, lease: Option<&Lease>) -> Self {
        Recorded {
            accepted: false,
            id: None,
            reason_code: code,
            message,
            lease_status: lease.map(|l| l.status),
        }
    }
}

/// Loads the lease for a write that needs it live; the refusal when it is not.
pub(crate) fn live_lease<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease_id: &str,
) -> Result<std::result::Result<Lease, Recorded>> {
    lease::check_lease_id(conn, lease_id)?;
    match expiry::load_current(conn, env, lease_id)? {
        None => Ok(Err(Recorded::refused(
            ReasonCode::LeaseNotFound,
            "Lease not found".into(),
            None,
        ))),
        Some(l) if l.status != LeaseStatus::Active => Ok(Err(Recorded::refused(
            ReasonCode::DenyMissingLease,
            format!("Lease is {}, not active", l.status.as_str()),
            Some(&l),
        ))),
        Some(l) => Ok(Ok(l)),
    }
}

/// Runs one record call: live-lease check, the insert, event, audit, metric.
fn record<C, F>(
    conn: &C,
    env: &Env,
    opts: &Options,
    op: &str,
    lease_id: &str,
    f: F,
) -> Result<Recorded>
where
    C: Connection + ?Sized,
    F: FnOnce(&C, &Lease) -> Result<Recorded>,
{
    let started = env.now();
    write_tx(conn, |c| {
        let resp = match live_lease(c, env, lease_id)? {
            Ok(lease) => f(c, &lease)?,
            Err(refused) => refused,
        };
        journal::metric(c, env, opts, op, started, resp.accepted)?;
        Ok(resp)
    })
}

fn accepted(id: String, message: String) -> Recorded {
    Recorded {
        accepted: true,
        id: Some(id),
        reason_code: ReasonCode::GrantedOk,
        message,
        lease_status: Some(LeaseStatus::Active),
    }
}

// ---------------------------------------------------------------- outcome

#[derive(Debug, Clone, Default)]
pub struct OutcomeRequest {
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
    req: &OutcomeRequest,
) -> Result<Recorded> {
    if req.outcome_type.trim().is_empty() {
        return Err(Error::invalid("outcome_type", "must not be empty"));
    }
    record(conn, env, opts, "put_outcome", lease_id, |c, lease| {
        let id = env.new_id("outcome");
        let metadata = req.metadata.clone().unwrap_or_else(|| json!({}));
        let now = env.now();
        c.execute(
            "INSERT INTO kernel_outcomes (id, work_id, attempt_id, lease_id, outcome_type, path, \
             description, metadata, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                id.as_str(),
                lease.work_id.as_deref(),
                lease.attempt_id.as_deref(),
                lease.lease_id.as_str(),
                req.outcome_type.as_str(),
                req.path.as_deref(),
                req.description.as_deref(),
                metadata.to_string(),
                lease.owner_agent_id.as_str(),
                now.to_db()
            ],
        )?;
        let payload = json!({
            "outcome_id": id, "lease_id": lease.lease_id, "outcome_type": req.outcome_type,
            "path": req.path, "description": req.description, "metadata": metadata,
            "recorded_at": now.to_rfc3339(),
        });
        journal::event(c, env, &lease.lease_id, "OUTCOME_REGISTERED", &payload)?;
        journal::audit(
            c,
            env,
            &lease.owner_agent_id,
            "work.outcome",
            "kernel_outcome",
            &id,
            "create",
            Some(json!({"lease_id": lease.lease_id, "outcome_type": req.outcome_type})),
        )?;
        Ok(accepted(
            id,
            format!("Outcome registered: {}", req.outcome_type),
        ))
    })
}

// ---------------------------------------------------------------- evidence

/// A file attached to evidence, hashed by the host (core reads no files).
#[derive(Debug, Clone, PartialEq)]
pub struct FileArtifact {
    pub path: String,
    pub sha256: String,
    pub size_bytes: u64,
}

#[derive(Debug, Clone, Default)]
pub struct EvidenceRequest {
    pub evidence_type: String,
    /// A JSON object (or none).
    pub artifacts: Option<Value>,
    /// A JSON object such as `{"passed":3,"failed":0,"skipped":0}` (or none).
    pub test_results: Option<Value>,
    pub diff_summary: Option<String>,
    pub log_excerpt: Option<String>,
    pub file: Option<FileArtifact>,
}

/// Test counts the CLI way: if any is given, all three are present (missing ones as 0).
pub fn test_counts(
    passed: Option<u64>,
    failed: Option<u64>,
    skipped: Option<u64>,
) -> Option<Value> {
    if passed.is_none() && failed.is_none() && skipped.is_none() {
        return None;
    }
    Some(json!({
        "passed": passed.unwrap_or(0),
        "failed": failed.unwrap_or(0),
        "skipped": skipped.unwrap_or(0),
    }))
}

pub fn validate_evidence_type(t: &str) -> Result<()> {
    if EVIDENCE_TYPES.contains(&t) {
        Ok(())
    } else {
        Err(Error::invalid(
            "evidence_type",
            format!(
                "'{t}' is not an evidence type; use one of: {}",
                EVIDENCE_TYPES.join(", ")
            ),
        ))
    }
}

/// The evidence hash (§1.10): SHA-256 of the canonical JSON of the five content fields,
/// with `{}` for missing artifacts and test results.
pub fn evidence_hash(
    evidence_type: &str,
    artifacts: Option<&Value>,
    test_results: Option<&Value>,
    diff_summary: Option<&str>,
    log_excerpt: Option<&str>,
) -> String {
    let obj = json!({
        "evidence_type": evidence_type,
        "artifacts": artifacts.cloned().unwrap_or_else(|| json!({})),
        "test_results": test_results.cloned().unwrap_or_else(|| json!({})),
        "diff_summary": diff_summary,
        "log_excerpt": log_excerpt,
    });
    sha256_hex(to_canonical_json(&obj).as_bytes())
}

/// The context digest: SHA-256 of the canonical JSON of the content hash and where the row
/// belongs (its id, lease, attempt, work item, agent and recording time, as stored). Kept in
/// the append-only audit row and event written with the evidence, not in the row (whose
/// columns are the original's), so a row moved to another lease, attempt, item, agent or
/// date no longer recomputes it.
pub fn evidence_context_hash(
    evidence_id: &str,
    evidence_sha256: &str,
    lease_id: Option<&str>,
    attempt_id: Option<&str>,
    work_id: &str,
    agent_id: &str,
    recorded_at: &str,
) -> String {
    let obj = json!({
        "evidence_id": evidence_id,
        "evidence_sha256": evidence_sha256,
        "lease_id": lease_id,
        "attempt_id": attempt_id,
        "work_id": work_id,
        "agent_id": agent_id,
        "recorded_at": recorded_at,
    });
    sha256_hex(to_canonical_json(&obj).as_bytes())
}

fn object_or_none(field: &str, v: &Option<Value>) -> Result<Option<Map<String, Value>>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m.clone())),
        Some(other) => Err(Error::invalid(
            field,
            format!("must be a JSON object, got {other}"),
        )),
    }
}

pub fn record_evidence<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    req: &EvidenceRequest,
) -> Result<Recorded> {
    validate_evidence_type(&req.evidence_type)?;
    let mut artifacts = object_or_none("artifacts", &req.artifacts)?;
    let test_results = object_or_none("test_results", &req.test_results)?.map(Value::Object);
    if let Some(f) = &req.file {
        artifacts.get_or_insert_with(Map::new).insert(
            "file".into(),
            json!({"path": f.path, "sha256": f.sha256, "size_bytes": f.size_bytes}),
        );
    }
    let artifacts = artifacts.map(Value::Object);
    let sha256 = evidence_hash(
        &req.evidence_type,
        artifacts.as_ref(),
        test_results.as_ref(),
        req.diff_summary.as_deref(),
        req.log_excerpt.as_deref(),
    );
    record(conn, env, opts, "record_evidence", lease_id, |c, lease| {
        let Some(work_id) = lease.work_id.as_deref() else {
            return Ok(Recorded::refused(
                ReasonCode::DenyMissingLease,
                "Lease has no work item to attach evidence to".into(),
                Some(lease),
            ));
        };
        let id = env.new_id("evidence");
        let now = env.now();
        let context_sha256 = evidence_context_hash(
            &id,
            &sha256,
            Some(&lease.lease_id),
            lease.attempt_id.as_deref(),
            work_id,
            &lease.owner_agent_id,
            &now.to_db(),
        );
        let title = req.file.as_ref().map(|f| {
            f.path
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(&f.path)
                .to_string()
        });
        c.execute(
            "INSERT INTO evidence (id, work_id, attempt_id, lease_id, evidence_type, uri, sha256, \
             title, size_bytes, artifacts, test_results, diff_summary, log_excerpt, created_by, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                id.as_str(),
                work_id,
                lease.attempt_id.as_deref(),
                lease.lease_id.as_str(),
                req.evidence_type.as_str(),
                format!("evidence:{id}"),
                sha256.as_str(),
                title,
                req.file.as_ref().map(|f| f.size_bytes as i64),
                artifacts.as_ref().map(to_canonical_json).unwrap_or_else(|| "{}".into()),
                test_results.as_ref().map(to_canonical_json),
                req.diff_summary.as_deref(),
                req.log_excerpt.as_deref(),
                lease.owner_agent_id.as_str(),
                now.to_db()
            ],
        )?;
        let payload = json!({
            "evidence_id": id, "lease_id": lease.lease_id, "evidence_type": req.evidence_type,
            "artifacts": artifacts.clone().unwrap_or_else(|| json!({})),
            "test_results": test_results, "diff_summary": req.diff_summary,
            "log_excerpt": req.log_excerpt, "sha256": sha256, "recorded_at": now.to_rfc3339(),
            "context_sha256": context_sha256,
        });
        journal::event(c, env, &lease.lease_id, "EVIDENCE_RECORDED", &payload)?;
        journal::audit(
            c,
            env,
            &lease.owner_agent_id,
            "work.evidence",
            "evidence",
            &id,
            "create",
            Some(
                json!({"lease_id": lease.lease_id, "evidence_type": req.evidence_type, "sha256": sha256,
                       "context_sha256": context_sha256}),
            ),
        )?;
        Ok(accepted(
            id,
            format!("Evidence recorded: {}", req.evidence_type),
        ))
    })
}

// ---------------------------------------------------------------- decision

#[derive(Debug, Clone)]
pub struct DecisionRequest {
    pub decision: String,
    pub rationale: Option<String>,
    pub alternatives: Vec<String>,
    pub constraints: Vec<String>,
    /// `approval` unless told otherwise (a `waiver` can justify resolving a blocker).
    pub decision_type: String,
}

impl DecisionRequest {
    pub fn new(decision: &str) -> Self {
        DecisionRequest {
            decision: decision.into(),
            rationale: None,
            alternatives: Vec::new(),
            constraints: Vec::new(),
            decision_type: "approval".into(),
        }
    }
}

pub fn validate_decision_type(t: &str) -> Result<()> {
    if DECISION_TYPES.contains(&t) {
        Ok(())
    } else {
        Err(Error::invalid(
            "decision_type",
            format!(
                "'{t}' is not a decision type; use one of: {}",
                DECISION_TYPES.join(", ")
            ),
        ))
    }
}

pub fn record_decision<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    req: &DecisionRequest,
) -> Result<Recorded> {
    if req.decision.trim().is_empty() {
        return Err(Error::invalid("decision", "must not be empty"));
    }
    validate_decision_type(&req.decision_type)?;
    record(conn, env, opts, "record_decision", lease_id, |c, lease| {
        let id = env.new_id("decision");
        let now = env.now();
        insert_decision(
            c,
            &DecisionRow {
                id: &id,
                work_id: lease.work_id.as_deref(),
                attempt_id: lease.attempt_id.as_deref(),
                lease_id: Some(&lease.lease_id),
                decision_type: &req.decision_type,
                summary: &req.decision,
                rationale: req.rationale.as_deref(),
                alternatives: Some(&req.alternatives),
                constraints: Some(&req.constraints),
                decided_by: &lease.owner_agent_id,
                decided_at: &now.to_db(),
            },
        )?;
        let payload = json!({
            "decision_id": id, "lease_id": lease.lease_id, "decision": req.decision,
            "decision_type": req.decision_type, "rationale": req.rationale,
            "alternatives_considered": req.alternatives, "constraints": req.constraints,
            "recorded_at": now.to_rfc3339(),
        });
        journal::event(c, env, &lease.lease_id, "DECISION_LOGGED", &payload)?;
        journal::audit(
            c,
            env,
            &lease.owner_agent_id,
            "work.decision",
            "decision",
            &id,
            "create",
            Some(json!({"lease_id": lease.lease_id, "decision_type": req.decision_type})),
        )?;
        Ok(accepted(id, "Decision logged".into()))
    })
}

pub(crate) struct DecisionRow<'a> {
    pub id: &'a str,
    pub work_id: Option<&'a str>,
    pub attempt_id: Option<&'a str>,
    pub lease_id: Option<&'a str>,
    pub decision_type: &'a str,
    pub summary: &'a str,
    pub rationale: Option<&'a str>,
    pub alternatives: Option<&'a [String]>,
    pub constraints: Option<&'a [String]>,
    pub decided_by: &'a str,
    pub decided_at: &'a str,
}

pub(crate) fn insert_decision<C: Connection + ?Sized>(conn: &C, d: &DecisionRow) -> Result<()> {
    let list = |v: Option<&[String]>| v.map(|v| Value::from(v.to_vec()).to_string());
    conn.execute(
        "INSERT INTO decisions (id, work_id, attempt_id, lease_id, decision_type, decision_summary, \
         rationale, alternatives_considered, constraints, decided_by, decided_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            d.id, d.work_id, d.attempt_id, d.lease_id, d.decision_type, d.summary, d.rationale,
            list(d.alternatives), list(d.constraints), d.decided_by, d.decided_at
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_hash_matches_the_verified_example() {
        let h = evidence_hash(
            "test_result",
            None,
            test_counts(Some(3), None, None).as_ref(),
            None,
            None,
        );
        assert!(h.starts_with("810801a5") && h.ends_with("e97378"), "{h}");
    }
}
