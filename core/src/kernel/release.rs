//! `release_work` and the operator's force release. Ending a lease ends its attempt in the
//! same transaction and moves the work item: completed on a successful release with
//! evidence, back to the queue otherwise.

use super::expiry;
use super::journal;
use super::lease::{self, Lease, LeaseStatus, Resource};
use super::reason::{Decision, ReasonCode};
use super::work_item::{self, AttemptEnd};
use super::Options;
use crate::connection::{write_tx, Connection};
use crate::error::{Error, Result};
use crate::ids::Env;
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReleaseOutcome {
    Success,
    Failure,
    Partial,
    Aborted,
}

impl ReleaseOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseOutcome::Success => "success",
            ReleaseOutcome::Failure => "failure",
            ReleaseOutcome::Partial => "partial",
            ReleaseOutcome::Aborted => "aborted",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "success" => ReleaseOutcome::Success,
            "failure" => ReleaseOutcome::Failure,
            "partial" => ReleaseOutcome::Partial,
            "aborted" => ReleaseOutcome::Aborted,
            other => {
                return Err(Error::invalid(
                    "outcome",
                    format!(
                    "'{other}' is not a release outcome; use success, failure, partial or aborted"
                ),
                ))
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseResponse {
    #[serde(flatten)]
    pub decision: Decision,
    pub lease: Option<Lease>,
    /// What was written on the attempt (`completed`, `failed`, …), if one was ended.
    pub attempt_outcome: Option<&'static str>,
    pub warnings: Vec<String>,
}

/// Releases a lease. `rollback` is the original's `auto` (on failure/aborted it reports
/// that rollback is unsupported); nothing is ever rolled back.
pub fn release_work<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    outcome: ReleaseOutcome,
    rollback: bool,
) -> Result<ReleaseResponse> {
    lease::check_lease_id(conn, lease_id)?;
    let started = env.now();
    write_tx(conn, |c| {
        let resp = release_in_tx(c, env, lease_id, outcome, rollback)?;
        journal::metric(
            c,
            env,
            opts,
            "release_work",
            started,
            resp.decision.is_granted(),
        )?;
        Ok(resp)
    })
}

fn release_in_tx<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease_id: &str,
    outcome: ReleaseOutcome,
    rollback: bool,
) -> Result<ReleaseResponse> {
    let Some(mut lease) = expiry::load_current(conn, env, lease_id)? else {
        return Ok(ReleaseResponse {
            decision: Decision::new(ReasonCode::LeaseNotFound, &["validate_lease"]),
            lease: None,
            attempt_outcome: None,
            warnings: vec![],
        });
    };
    if lease.status != LeaseStatus::Active {
        // A success that was never recorded must not look like one: an expired lease's work
        // was ended as failed, so `success` on it is refused (other outcomes replay).
        if lease.status == LeaseStatus::Expired && outcome == ReleaseOutcome::Success {
            return Ok(ReleaseResponse {
                decision: Decision::new(ReasonCode::DenyMissingLease, &["validate_lease_active"])
                    .with_actions(&["Claim the work again; nothing was completed"]),
                warnings: vec![format!(
                    "the lease expired at {} before this release; its attempt was ended as failed and nothing was completed",
                    lease.deadline().to_rfc3339()
                )],
                lease: Some(lease),
                attempt_outcome: None,
            });
        }
        let mut warnings = vec![];
        if lease.status == LeaseStatus::Expired {
            warnings.push(format!(
                "the lease expired at {} before this release; nothing was recorded",
                lease.deadline().to_rfc3339()
            ));
        }
        return Ok(ReleaseResponse {
            decision: Decision::new(ReasonCode::ReleasedIdempotentReplay, &["idempotent_check"]),
            lease: Some(lease),
            attempt_outcome: None,
            warnings,
        });
    }
    let facts = work_item::attempt_facts(conn, &lease)?;
    // `success` completes the attempt and the item, which the schema allows only with
    // evidence. Without it the release is refused and the lease stays active, so the agent
    // can still record evidence (or choose another outcome): exit 1, nothing changed.
    if outcome == ReleaseOutcome::Success && lease.attempt_id.is_some() && !facts.has_evidence {
        let lid = lease.lease_id.clone();
        return Ok(ReleaseResponse {
            decision: Decision::new(
                ReasonCode::DenyEvidenceRequired,
                &["completion_requires_evidence"],
            )
            .with_actions(&[
                &format!("motus work evidence {lid} test_result --passed N (then release again)"),
                &format!("motus work release {lid} partial (or failure) to give the work back"),
            ]),
            lease: Some(lease),
            attempt_outcome: None,
            warnings: vec![],
        });
    }
    let rollback_requested =
        rollback && matches!(outcome, ReleaseOutcome::Failure | ReleaseOutcome::Aborted);
    let status = if outcome == ReleaseOutcome::Aborted {
        LeaseStatus::Aborted
    } else {
        LeaseStatus::Released
    };
    let warnings = vec![];
    let end = match outcome {
        ReleaseOutcome::Success if facts.has_evidence => AttemptEnd::Completed,
        // A read lease (no attempt): nothing to complete.
        ReleaseOutcome::Success => AttemptEnd::Unproven,
        ReleaseOutcome::Failure | ReleaseOutcome::Aborted => AttemptEnd::Failed,
        ReleaseOutcome::Partial => AttemptEnd::HandedOff,
    };
    lease::set_status(conn, &mut lease, status, Some(outcome.as_str()), env.now())?;
    let attempt_outcome = work_item::end_attempt(conn, env, &lease, end, None, &facts)?;
    let evidence_ids = facts.evidence_ids;
    let payload = json!({
        "outcome": outcome.as_str(),
        "rollback_requested": rollback_requested,
        "rollback_performed": false,
        "rollback_success": null,
        "rollback_reason": if rollback_requested { Some("unsupported") } else { None },
        "evidence_ids": evidence_ids,
        "handoff": null,
        "attempt_outcome": attempt_outcome,
    });
    journal::event(conn, env, lease_id, "LEASE_RELEASED", &payload)?;
    journal::audit(
        conn,
        env,
        &lease.owner_agent_id,
        "work.release",
        "lease",
        lease_id,
        "release",
        Some(
            json!({"outcome": outcome.as_str(), "status": status.as_str(), "attempt_outcome": attempt_outcome}),
        ),
    )?;
    let decision = if rollback_requested {
        Decision::new(
            ReasonCode::ReleasedRollbackUnsupported,
            &["release_lease", "record_outcome", "rollback_unsupported"],
        )
    } else {
        Decision::new(ReasonCode::ReleasedOk, &["release_lease", "record_outcome"])
    };
    Ok(ReleaseResponse {
        decision,
        lease: Some(lease),
        attempt_outcome,
        warnings,
    })
}

/// What an operator force-releases: one lease, or every lease holding a resource.
#[derive(Debug, Clone)]
pub enum ForceTarget {
    Lease(String),
    Resource(Resource),
}

/// The roles allowed to force-release (from the host: `MC_AGENT_ROLE` / `MC_ROLE`).
pub const OPERATOR_ROLES: &[&str] = &["operator", "architect"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForceReleaseResponse {
    #[serde(flatten)]
    pub decision: Decision,
    pub released: Vec<String>,
}

pub fn force_release<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    target: &ForceTarget,
    reason: &str,
    operator_id: &str,
    role: Option<&str>,
) -> Result<ForceReleaseResponse> {
    if reason.trim().is_empty() {
        return Err(Error::invalid(
            "reason",
            "say why the lease is force-released (reason)",
        ));
    }
    if let ForceTarget::Lease(id) = target {
        lease::check_lease_id(conn, id)?;
    }
    if !role.is_some_and(|r| OPERATOR_ROLES.contains(&r)) {
        return Ok(ForceReleaseResponse {
            decision: Decision::new(ReasonCode::DenyPolicy, &["force_release_auth"])
                .with_actions(&["Force release needs MC_AGENT_ROLE=operator (or architect)"]),
            released: vec![],
        });
    }
    write_tx(conn, |c| {
        let now = env.now();
        let mut targets: Vec<Lease> = Vec::new();
        for mut l in lease::load_active(c)? {
            let hit = match target {
                ForceTarget::Lease(id) => &l.lease_id == id,
                ForceTarget::Resource(r) => l.resources.contains(r),
            };
            if !hit {
                continue;
            }
            if l.is_live(now) {
                targets.push(l);
            } else {
                expiry::expire(c, env, &mut l)?;
            }
        }
        if targets.is_empty() {
            return Ok(ForceReleaseResponse {
                decision: Decision::new(ReasonCode::ReleasedIdempotentReplay, &["check_locks"]),
                released: vec![],
            });
        }
        let mut released = vec![];
        for mut l in targets {
            lease::set_status(c, &mut l, LeaseStatus::Aborted, Some("aborted"), now)?;
            work_item::end_attempt_abnormally(
                c,
                env,
                &l,
                &format!("force released by {operator_id}: {reason}"),
            )?;
            let payload = json!({"operator_id": operator_id, "reason": reason, "override_type": "force_release"});
            journal::event(c, env, &l.lease_id, "POLICY_OVERRIDE", &payload)?;
            journal::audit(
                c,
                env,
                operator_id,
                "work.force_release",
                "lease",
                &l.lease_id,
                "force_release",
                Some(payload),
            )?;
            released.push(l.lease_id);
        }
        Ok(ForceReleaseResponse {
            decision: Decision::new(
                ReasonCode::OverrideForceRelease,
                &["force_release_override"],
            ),
            released,
        })
    })
}
