//! Read-only views: one lease's status, the lease list, and evidence verification. These
//! never write; an overdue active lease is shown as expired (what it is) until a write
//! call or `cleanup` records the expiry.

use super::lease::{self, Lease, LeaseStatus, LEASE_COLUMNS};
use super::records::{evidence_context_hash, evidence_hash};
use crate::connection::{read_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::params;
use crate::time::Timestamp;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaseDetails {
    pub lease: Lease,
    /// The status at the time of the query (an overdue active lease reads as expired).
    pub lease_status: LeaseStatus,
    pub outcomes: Vec<Value>,
    pub evidence: Vec<Value>,
    pub decisions: Vec<Value>,
    pub events: Vec<Value>,
}

pub fn lease_status<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    lease_id: &str,
) -> Result<Option<LeaseDetails>> {
    lease::check_lease_id(conn, lease_id)?;
    read_tx(conn, |c| {
        let Some(lease) = lease::load(c, lease_id)? else {
            return Ok(None);
        };
        let rows = |sql: &str| -> Result<Vec<Value>> {
            Ok(c.query(sql, params![lease_id])?.to_json_objects())
        };
        Ok(Some(LeaseDetails {
            lease_status: lease.effective_status(now),
            outcomes: rows("SELECT id, outcome_type, path, description, created_at FROM kernel_outcomes WHERE lease_id = ?1 ORDER BY created_at, id")?,
            evidence: rows("SELECT id, evidence_type, sha256, uri, title, size_bytes, created_at FROM evidence WHERE lease_id = ?1 ORDER BY created_at, id")?,
            decisions: rows("SELECT id, decision_type, decision_summary, rationale, decided_at FROM decisions WHERE lease_id = ?1 ORDER BY decided_at, id")?,
            events: rows("SELECT event_id, event_type, created_at FROM events WHERE lease_id = ?1 ORDER BY created_at, rowid")?,
            lease,
        }))
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LeaseSummary {
    pub lease_id: String,
    pub work_id: Option<String>,
    pub agent_id: String,
    pub claimed_at: String,
    pub expires_at: String,
    pub status: LeaseStatus,
}

/// Live leases (or, with `all`, every lease), newest first.
pub fn list_leases<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    all: bool,
) -> Result<Vec<LeaseSummary>> {
    let sql = if all {
        format!("SELECT {LEASE_COLUMNS} FROM coordination_leases")
    } else {
        format!("SELECT {LEASE_COLUMNS} FROM coordination_leases WHERE status = 'active'")
    };
    let mut leases: Vec<Lease> = conn
        .query(&sql, params![])?
        .iter()
        .map(|r| Lease::from_row(&r))
        .collect::<Result<_>>()?;
    if !all {
        leases.retain(|l| l.is_live(now));
    }
    // Parsed times, so both timestamp formats sort together.
    leases.sort_by(|a, b| {
        b.issued_at
            .cmp(&a.issued_at)
            .then(b.lease_id.cmp(&a.lease_id))
    });
    Ok(leases
        .into_iter()
        .map(|l| LeaseSummary {
            status: l.effective_status(now),
            claimed_at: l.issued_at.to_rfc3339(),
            expires_at: l.deadline().to_rfc3339(),
            lease_id: l.lease_id,
            work_id: l.work_id,
            agent_id: l.owner_agent_id,
        })
        .collect())
}

/// One evidence row's hash check.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EvidenceCheck {
    pub evidence_id: String,
    pub lease_id: Option<String>,
    pub evidence_type: String,
    pub stored_sha256: String,
    pub computed_sha256: String,
    /// `ok`, `mismatch`, or `unverifiable` (a row the original wrote by another rule, e.g.
    /// scratch promotions with a `scratch:` uri, whose hash is not of this content).
    pub status: &'static str,
    /// False for a content mismatch or a moved row.
    pub ok: bool,
    /// Whether the row is where it was recorded: `ok` (the context digest written with it
    /// recomputes, and its lease and attempt agree with it), `moved` (something disagrees:
    /// `context_problems` says what), or `unrecorded` (a row written without a context
    /// digest, by the original or an older build; only the lease and attempt rows that
    /// exist were compared, and agree).
    pub context: &'static str,
    /// What disagrees, one sentence each (empty unless `moved`).
    pub context_problems: Vec<String>,
    /// The attached file (path, recorded sha256), for the host to re-hash (the answer
    /// reports the host's check instead).
    #[serde(skip)]
    pub file: Option<(String, String)>,
}

/// Recomputes the hash of every evidence row of a lease (`lease-…`) or of a work item.
/// Rows written by `record_evidence` (uri `evidence:<id>`) must match; rows the original
/// wrote through other paths are reported `unverifiable` when they do not.
pub fn verify_evidence<C: Connection + ?Sized>(
    conn: &C,
    target: &str,
) -> Result<Vec<EvidenceCheck>> {
    // A lease when it is shaped like one or the database holds it; otherwise a work item.
    let is_lease = if target.starts_with("lease-") {
        lease::check_lease_id(conn, target)?;
        true
    } else {
        lease::exists(conn, target)?
    };
    let (sql, kind) = if is_lease {
        ("SELECT id, lease_id, evidence_type, sha256, artifacts, test_results, diff_summary, log_excerpt, uri, \
          work_id, attempt_id, created_by, created_at \
          FROM evidence WHERE lease_id = ?1 ORDER BY created_at, id", "lease")
    } else {
        ("SELECT id, lease_id, evidence_type, sha256, artifacts, test_results, diff_summary, log_excerpt, uri, \
          work_id, attempt_id, created_by, created_at \
          FROM evidence WHERE work_id = ?1 ORDER BY created_at, id", "work item")
    };
    read_tx(conn, |c| {
        let known = if kind == "lease" {
            lease::load(c, target)?.is_some()
        } else {
            c.query_scalar::<i64>("SELECT 1 FROM roadmap_items WHERE id = ?1", params![target])?
                .is_some()
        };
        if !known {
            return Err(Error::not_found(kind, target));
        }
        c.query(sql, params![target])?
            .iter()
            .map(|r| {
                let parse =
                    |idx: usize| -> Result<Option<Value>> {
                        match r.get::<Option<String>>(idx)? {
                            None => Ok(None),
                            Some(t) => serde_json::from_str(&t).map(Some).map_err(|e| {
                                Error::UnexpectedData {
                                    message: format!(
                                        "evidence {} holds invalid JSON in {}: {e}",
                                        r.get::<String>(0).unwrap_or_default(),
                                        r.columns()[idx]
                                    ),
                                }
                            }),
                        }
                    };
                let artifacts = parse(4)?;
                let test_results = parse(5)?;
                let evidence_type: String = r.get(2)?;
                let diff: Option<String> = r.get(6)?;
                let log: Option<String> = r.get(7)?;
                let computed = evidence_hash(
                    &evidence_type,
                    artifacts.as_ref(),
                    test_results.as_ref(),
                    diff.as_deref(),
                    log.as_deref(),
                );
                let stored: String = r.get(3)?;
                let uri: Option<String> = r.get(8)?;
                let canonical = uri.as_deref().is_none_or(|u| u.starts_with("evidence:"));
                let matches = stored.eq_ignore_ascii_case(&computed);
                let status = match (matches, canonical) {
                    (true, _) => "ok",
                    (false, true) => "mismatch",
                    (false, false) => "unverifiable",
                };
                let file = artifacts
                    .as_ref()
                    .and_then(|a| a.get("file"))
                    .and_then(|f| {
                        Some((
                            f.get("path")?.as_str()?.to_string(),
                            f.get("sha256")?.as_str()?.to_string(),
                        ))
                    });
                let row = EvidenceContext {
                    evidence_id: r.get(0)?,
                    sha256: stored.clone(),
                    lease_id: r.get(1)?,
                    work_id: r.get(9)?,
                    attempt_id: r.get(10)?,
                    agent_id: r.get(11)?,
                    recorded_at: r.get(12)?,
                };
                let (context, context_problems) = check_context(c, &row)?;
                Ok(EvidenceCheck {
                    evidence_id: row.evidence_id,
                    lease_id: row.lease_id,
                    evidence_type,
                    status,
                    ok: status != "mismatch" && context != "moved",
                    context,
                    context_problems,
                    stored_sha256: stored,
                    computed_sha256: computed,
                    file,
                })
            })
            .collect()
    })
}

/// Where an evidence row says it belongs.
struct EvidenceContext {
    evidence_id: String,
    sha256: String,
    lease_id: Option<String>,
    work_id: String,
    attempt_id: Option<String>,
    agent_id: String,
    recorded_at: String,
}

/// Compares a row's context with what was recorded when it was written (the context digest
/// in its append-only audit row) and with its lease and attempt rows. Rows written without
/// a digest (the original's) are held only to what the original kept consistent: the work
/// item of their lease and attempt.
fn check_context<C: Connection + ?Sized>(
    conn: &C,
    row: &EvidenceContext,
) -> Result<(&'static str, Vec<String>)> {
    let mut problems = Vec::new();
    let recorded: Option<String> = conn
        .query(
            "SELECT new_value FROM audit_log WHERE resource_type = 'evidence' \
             AND resource_id = ?1 AND action = 'create' ORDER BY id LIMIT 1",
            params![row.evidence_id.as_str()],
        )?
        .first()
        .map(|r| r.get::<Option<String>>(0))
        .transpose()?
        .flatten()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v.get("context_sha256")?.as_str().map(str::to_string));
    let strict = recorded.is_some();
    if let Some(want) = &recorded {
        let got = evidence_context_hash(
            &row.evidence_id,
            &row.sha256,
            row.lease_id.as_deref(),
            row.attempt_id.as_deref(),
            &row.work_id,
            &row.agent_id,
            &row.recorded_at,
        );
        if !got.eq_ignore_ascii_case(want) {
            problems.push(
                "its lease, attempt, work item, agent or time differ from those recorded with it \
                 (the context digest in its audit row does not recompute)"
                    .to_string(),
            );
        }
    }
    let at = Timestamp::parse(&row.recorded_at);
    if let Some(lease_id) = &row.lease_id {
        match lease::load(conn, lease_id)? {
            Some(l) => {
                if l.work_id.as_deref() != Some(row.work_id.as_str()) {
                    problems.push(format!(
                        "lease {lease_id} is for work item {}, the row says {}",
                        l.work_id.as_deref().unwrap_or("(none)"),
                        row.work_id
                    ));
                }
                if strict && l.attempt_id != row.attempt_id {
                    problems.push(format!(
                        "lease {lease_id} belongs to attempt {}, the row says {}",
                        l.attempt_id.as_deref().unwrap_or("(none)"),
                        row.attempt_id.as_deref().unwrap_or("(none)")
                    ));
                }
                if strict && l.owner_agent_id != row.agent_id {
                    problems.push(format!(
                        "lease {lease_id} is held by {}, the row says {} recorded it",
                        l.owner_agent_id, row.agent_id
                    ));
                }
                if strict && at.is_some_and(|t| t < l.issued_at) {
                    problems.push(format!(
                        "recorded at {} before lease {lease_id} was issued ({})",
                        row.recorded_at,
                        l.issued_at.to_db()
                    ));
                }
            }
            None if strict => problems.push(format!("lease {lease_id} does not exist")),
            None => {}
        }
    }
    if let Some(attempt_id) = &row.attempt_id {
        let rows = conn.query(
            "SELECT work_id, worker_id, started_at, ended_at FROM attempts WHERE id = ?1",
            params![attempt_id.as_str()],
        )?;
        match rows.first() {
            Some(a) => {
                let work: String = a.get(0)?;
                let worker: String = a.get(1)?;
                if work != row.work_id {
                    problems.push(format!(
                        "attempt {attempt_id} is on work item {work}, the row says {}",
                        row.work_id
                    ));
                }
                if strict && worker != row.agent_id {
                    problems.push(format!(
                        "attempt {attempt_id} is {worker}'s, the row says {} recorded it",
                        row.agent_id
                    ));
                }
                let started = a
                    .get::<Option<String>>(2)?
                    .and_then(|t| Timestamp::parse(&t));
                let ended = a
                    .get::<Option<String>>(3)?
                    .and_then(|t| Timestamp::parse(&t));
                if let (true, Some(t)) = (strict, at) {
                    if started.is_some_and(|s| t < s) || ended.is_some_and(|e| t > e) {
                        problems.push(format!(
                            "recorded at {} outside attempt {attempt_id}'s time",
                            row.recorded_at
                        ));
                    }
                }
            }
            None if strict => problems.push(format!("attempt {attempt_id} does not exist")),
            None => {}
        }
    }
    Ok(match (problems.is_empty(), strict) {
        (false, _) => ("moved", problems),
        (true, true) => ("ok", problems),
        (true, false) => ("unrecorded", problems),
    })
}
