//! Read-only views: one lease's status, the lease list, and evidence verification. These
//! never write; an overdue active lease is shown as expired (what it is) until a write
//! call or `cleanup` records the expiry.

use super::lease::{self, Lease, LeaseStatus, LEASE_COLUMNS};
use super::records::evidence_hash;
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
    lease::validate_lease_id(lease_id)?;
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaseSummary {
    pub lease_id: String,
    pub task_id: Option<String>,
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
            task_id: l.work_id,
            agent_id: l.owner_agent_id,
        })
        .collect())
}

/// One evidence row's hash check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceCheck {
    pub evidence_id: String,
    pub lease_id: Option<String>,
    pub evidence_type: String,
    pub stored_sha256: String,
    pub computed_sha256: String,
    /// `ok`, `mismatch`, or `unverifiable` (a row the original wrote by another rule, e.g.
    /// scratch promotions with a `scratch:` uri, whose hash is not of this content).
    pub status: &'static str,
    /// False only for a mismatch.
    pub ok: bool,
    /// The attached file (path, recorded sha256), for the host to re-hash.
    pub file: Option<(String, String)>,
}

/// Recomputes the hash of every evidence row of a lease (`lease-…`) or of a work item.
/// Rows written by `record_evidence` (uri `evidence:<id>`) must match; rows the original
/// wrote through other paths are reported `unverifiable` when they do not.
pub fn verify_evidence<C: Connection + ?Sized>(
    conn: &C,
    target: &str,
) -> Result<Vec<EvidenceCheck>> {
    let (sql, kind) = if target.starts_with("lease-") {
        lease::validate_lease_id(target)?;
        ("SELECT id, lease_id, evidence_type, sha256, artifacts, test_results, diff_summary, log_excerpt, uri \
          FROM evidence WHERE lease_id = ?1 ORDER BY created_at, id", "lease")
    } else {
        ("SELECT id, lease_id, evidence_type, sha256, artifacts, test_results, diff_summary, log_excerpt, uri \
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
                Ok(EvidenceCheck {
                    evidence_id: r.get(0)?,
                    lease_id: r.get(1)?,
                    evidence_type,
                    status,
                    ok: status != "mismatch",
                    stored_sha256: stored,
                    computed_sha256: computed,
                    file,
                })
            })
            .collect()
    })
}
