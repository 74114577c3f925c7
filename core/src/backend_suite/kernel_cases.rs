//! The work kernel on the backend under test: claims and their verdicts, evidence hashes,
//! release outcomes, expiry, blockers and handoff.

use super::{ensure, ensure_eq, Case, Failure, Outcome, World};
use crate::kernel::{
    self, lease, records, release::ReleaseResponse, BlockRequest, ClaimRequest, ClaimResponse,
    DecisionRequest, EvidenceRequest, LeaseStatus, Options, ReasonCode, ReleaseOutcome,
    UnblockRequest, Verdict,
};
use crate::params;
use crate::time::Clock;

pub(super) const CASES: &[Case] = &[
    Case {
        name: "kernel::a_claim_grants_one_lease_and_starts_the_work",
        run: a_claim_grants_one_lease_and_starts_the_work,
    },
    Case {
        name: "kernel::a_held_resource_is_busy_and_names_its_holder",
        run: a_held_resource_is_busy_and_names_its_holder,
    },
    Case {
        name: "kernel::invalid_and_premature_claims_are_denied_and_write_nothing",
        run: invalid_and_premature_claims_are_denied_and_write_nothing,
    },
    Case {
        name: "kernel::evidence_is_hashed_canonically_and_verifies",
        run: evidence_is_hashed_canonically_and_verifies,
    },
    Case {
        name: "kernel::release_outcomes_decide_the_work_state",
        run: release_outcomes_decide_the_work_state,
    },
    Case {
        name: "kernel::an_expired_lease_frees_the_work",
        run: an_expired_lease_frees_the_work,
    },
    Case {
        name: "kernel::blockers_stop_claims_until_resolved_with_justification",
        run: blockers_stop_claims_until_resolved_with_justification,
    },
    Case {
        name: "kernel::handoff_moves_the_work_to_another_agent",
        run: handoff_moves_the_work_to_another_agent,
    },
    Case {
        name: "kernel::records_are_append_only",
        run: records_are_append_only,
    },
];

fn claim(w: &World<'_>, work: &str, agent: &str) -> Result<ClaimResponse, Failure> {
    claim_ttl(w, work, agent, lease::DEFAULT_TTL_S)
}

fn claim_ttl(w: &World<'_>, work: &str, agent: &str, ttl: i64) -> Result<ClaimResponse, Failure> {
    let mut req = ClaimRequest::new(work, "suite work", agent);
    req.ttl_s = ttl;
    Ok(kernel::claim_work(
        w.conn,
        &w.env(),
        &Options::default(),
        &req,
    )?)
}

fn granted(r: &ClaimResponse) -> Result<String, Failure> {
    match (&r.lease, r.decision.decision) {
        (Some(l), Verdict::Granted) => Ok(l.lease_id.clone()),
        _ => Err(Failure(format!("the claim was not granted: {r:?}"))),
    }
}

fn evidence(w: &World<'_>, lease: &str) -> Result<records::Recorded, Failure> {
    let req = EvidenceRequest {
        evidence_type: "test_result".into(),
        test_results: records::test_counts(Some(3), None, None),
        ..Default::default()
    };
    let r = kernel::record_evidence(w.conn, &w.env(), &Options::default(), lease, &req)?;
    ensure!(r.accepted, "evidence refused: {r:?}");
    Ok(r)
}

fn release(
    w: &World<'_>,
    lease: &str,
    outcome: ReleaseOutcome,
) -> Result<ReleaseResponse, Failure> {
    Ok(kernel::release_work(
        w.conn,
        &w.env(),
        &Options::default(),
        lease,
        outcome,
        true,
    )?)
}

fn item_status(w: &World<'_>, id: &str) -> Result<Option<String>, Failure> {
    use crate::ConnectionExt;
    Ok(w.conn.query_scalar(
        "SELECT status_key FROM roadmap_items WHERE id = ?1",
        params![id],
    )?)
}

fn add_item(w: &World<'_>, id: &str) -> Outcome {
    crate::roadmap::items::add(
        w.conn,
        &w.env(),
        "suite",
        &crate::roadmap::NewItem {
            id: Some(id.into()),
            title: format!("Item {id}"),
            phase_key: "phase_a".into(),
            ..Default::default()
        },
    )?;
    Ok(())
}

fn consistent(w: &World<'_>) -> Outcome {
    let problems = kernel::invariants::check(w.conn, w.clock.now())?;
    ensure!(
        problems.is_empty(),
        "kernel invariants broken: {problems:?}"
    );
    Ok(())
}

fn a_claim_grants_one_lease_and_starts_the_work(w: &World<'_>) -> Outcome {
    let r = claim(w, "ADHOC-SUITE-1", "agent-a")?;
    ensure_eq!(r.decision.reason_code, ReasonCode::GrantedOk);
    let id = granted(&r)?;
    ensure!(lease::validate_lease_id(&id).is_ok(), "lease id {id}");
    ensure!(id.starts_with("lease-20261126-"), "lease id {id}");
    ensure_eq!(item_status(w, "ADHOC-SUITE-1")?, Some("in_progress".into()));
    ensure_eq!(
        w.count(
            "SELECT count(*) FROM coordination_leases WHERE status = 'active'",
            &[]
        )?,
        1
    );
    ensure_eq!(
        w.count(
            "SELECT count(*) FROM attempts WHERE work_id = 'ADHOC-SUITE-1' AND worker_id = 'agent-a'",
            &[]
        )?,
        1
    );
    let issued: String = crate::ConnectionExt::query_one(
        w.conn,
        "SELECT issued_at FROM coordination_leases WHERE lease_id = ?1",
        params![id.as_str()],
    )?;
    ensure_eq!(issued, "2026-11-26 08:00:00.000", "the one time format");
    let ctx = kernel::get_context(w.conn, &w.env(), &Options::default(), &id, None)?;
    ensure_eq!(ctx.decision.reason_code, ReasonCode::GrantedOk);
    ensure_eq!(ctx.lens.resources, vec!["task:ADHOC-SUITE-1".to_string()]);
    consistent(w)
}

fn a_held_resource_is_busy_and_names_its_holder(w: &World<'_>) -> Outcome {
    let id = granted(&claim(w, "ADHOC-SUITE-2", "agent-a")?)?;
    let leases_before = w.rows_in("coordination_leases")?;
    let other = claim(w, "ADHOC-SUITE-2", "agent-b")?;
    ensure_eq!(other.decision.decision, Verdict::Busy);
    ensure_eq!(other.decision.reason_code, ReasonCode::BusyWriteHeld);
    ensure!(other.lease.is_none(), "a refused claim returned a lease");
    let owner = other
        .decision
        .owner
        .clone()
        .ok_or_else(|| Failure("BUSY names no owner".into()))?;
    ensure_eq!(owner.agent_id, "agent-a");
    ensure_eq!(owner.lease_id, Some(id.clone()));
    ensure_eq!(
        w.rows_in("coordination_leases")?,
        leases_before,
        "leases after a refused claim"
    );
    ensure_eq!(
        w.count(
            "SELECT count(*) FROM attempts WHERE worker_id = 'agent-b'",
            &[]
        )?,
        0
    );
    consistent(w)
}

fn invalid_and_premature_claims_are_denied_and_write_nothing(w: &World<'_>) -> Outcome {
    add_item(w, "RI-SUITE-A")?;
    add_item(w, "RI-SUITE-B")?;
    crate::roadmap::dependencies::add(
        w.conn,
        &w.env(),
        "suite",
        "RI-SUITE-B",
        "RI-SUITE-A",
        crate::roadmap::DependencyType::Blocks,
        None,
    )?;
    let tables = &["coordination_leases", "attempts", "events"];
    let before = w.counts(tables)?;
    let unknown = claim(w, "RI-NO-SUCH-ITEM", "agent-a")?;
    ensure_eq!(unknown.decision.decision, Verdict::Denied);
    ensure_eq!(unknown.decision.reason_code, ReasonCode::DenyInvalidWorkId);
    ensure_eq!(
        claim(w, "ADHOC-SUITE-3", " ")?.decision.reason_code,
        ReasonCode::DenyInvalidAgentId
    );
    ensure_eq!(
        claim_ttl(w, "ADHOC-SUITE-3", "agent-a", 0)?
            .decision
            .reason_code,
        ReasonCode::DenyInvalidTtl
    );
    let early = claim(w, "RI-SUITE-B", "agent-a")?;
    ensure_eq!(
        early.decision.reason_code,
        ReasonCode::DenyPrereqsIncomplete
    );
    ensure_eq!(
        early
            .missing_prereqs
            .iter()
            .map(|m| m.prereq_id.as_str())
            .collect::<Vec<_>>(),
        vec!["RI-SUITE-A"]
    );
    ensure_eq!(w.counts(tables)?, before, "rows after denied claims");
    ensure_eq!(item_status(w, "RI-SUITE-B")?, Some("pending".into()));
    // Once the prerequisite is done the claim goes through.
    let a = granted(&claim(w, "RI-SUITE-A", "agent-a")?)?;
    evidence(w, &a)?;
    release(w, &a, ReleaseOutcome::Success)?;
    ensure_eq!(item_status(w, "RI-SUITE-A")?, Some("completed".into()));
    ensure_eq!(
        claim(w, "RI-SUITE-A", "agent-b")?.decision.reason_code,
        ReasonCode::DenyWorkCompleted
    );
    granted(&claim(w, "RI-SUITE-B", "agent-a")?)?;
    consistent(w)
}

fn evidence_is_hashed_canonically_and_verifies(w: &World<'_>) -> Outcome {
    let id = granted(&claim(w, "ADHOC-SUITE-4", "agent-a")?)?;
    let ev = evidence(w, &id)?;
    let ev_id = ev
        .id
        .clone()
        .ok_or_else(|| Failure("accepted evidence has no id".into()))?;
    let sha: String = crate::ConnectionExt::query_one(
        w.conn,
        "SELECT sha256 FROM evidence WHERE id = ?1",
        params![ev_id.as_str()],
    )?;
    // SHA-256 of the canonical JSON of the five content fields (the original's hash).
    ensure_eq!(
        sha,
        records::evidence_hash(
            "test_result",
            None,
            records::test_counts(Some(3), None, None).as_ref(),
            None,
            None
        )
    );
    ensure!(
        sha.starts_with("810801a5") && sha.ends_with("e97378"),
        "hash {sha} differs from the original's for the same evidence"
    );
    let with_file = EvidenceRequest {
        evidence_type: "build_artifact".into(),
        file: Some(records::FileArtifact {
            path: "/tmp/out.bin".into(),
            sha256: "ab".repeat(32),
            size_bytes: 42,
        }),
        ..Default::default()
    };
    let r = kernel::record_evidence(w.conn, &w.env(), &Options::default(), &id, &with_file)?;
    ensure!(r.accepted, "{r:?}");
    let checks = kernel::verify_evidence(w.conn, &id)?;
    ensure_eq!(checks.len(), 2);
    ensure!(checks.iter().all(|c| c.ok), "{checks:?}");
    let bad = kernel::record_evidence(
        w.conn,
        &w.env(),
        &Options::default(),
        &id,
        &EvidenceRequest {
            evidence_type: "test".into(),
            ..Default::default()
        },
    );
    ensure!(
        matches!(&bad, Err(crate::Error::InvalidInput { .. })),
        "an unknown evidence type gave {bad:?}"
    );
    ensure_eq!(w.rows_in("evidence")?, 2);
    Ok(())
}

fn release_outcomes_decide_the_work_state(w: &World<'_>) -> Outcome {
    add_item(w, "RI-SUITE-R")?;
    // Failure: the attempt ends, the item goes back to pending.
    let id = granted(&claim(w, "RI-SUITE-R", "agent-a")?)?;
    let failed = release(w, &id, ReleaseOutcome::Failure)?;
    ensure_eq!(
        failed.decision.reason_code,
        ReasonCode::ReleasedRollbackUnsupported
    );
    ensure_eq!(item_status(w, "RI-SUITE-R")?, Some("pending".into()));
    // Success without evidence is refused: nothing changes, the lease stays active.
    let id = granted(&claim(w, "RI-SUITE-R", "agent-a")?)?;
    let unproven = release(w, &id, ReleaseOutcome::Success)?;
    ensure_eq!(
        unproven.decision.reason_code,
        ReasonCode::DenyEvidenceRequired
    );
    ensure_eq!(unproven.attempt_outcome, None);
    ensure_eq!(item_status(w, "RI-SUITE-R")?, Some("in_progress".into()));
    // Success with evidence completes it.
    evidence(w, &id)?;
    kernel::record_decision(
        w.conn,
        &w.env(),
        &Options::default(),
        &id,
        &DecisionRequest::new("ship it"),
    )?;
    let done = release(w, &id, ReleaseOutcome::Success)?;
    ensure_eq!(done.decision.reason_code, ReasonCode::ReleasedOk);
    ensure_eq!(done.attempt_outcome, Some("completed"));
    ensure_eq!(item_status(w, "RI-SUITE-R")?, Some("completed".into()));
    let lease_status: String = crate::ConnectionExt::query_one(
        w.conn,
        "SELECT status FROM coordination_leases WHERE lease_id = ?1",
        params![id.as_str()],
    )?;
    ensure_eq!(lease_status, "released");
    // A replay is idempotent, keeps the first outcome and writes nothing.
    let before = w.counts(&["events", "audit_log", "attempts"])?;
    let again = release(w, &id, ReleaseOutcome::Failure)?;
    ensure_eq!(
        again.decision.reason_code,
        ReasonCode::ReleasedIdempotentReplay
    );
    ensure_eq!(
        again.lease.and_then(|l| l.outcome),
        Some("success".to_string())
    );
    ensure_eq!(w.counts(&["events", "audit_log", "attempts"])?, before);
    consistent(w)
}

fn an_expired_lease_frees_the_work(w: &World<'_>) -> Outcome {
    let id = granted(&claim_ttl(w, "ADHOC-SUITE-5", "agent-a", 30)?)?;
    w.clock.advance_seconds(10);
    ensure_eq!(
        claim(w, "ADHOC-SUITE-5", "agent-b")?.decision.reason_code,
        ReasonCode::BusyWriteHeld
    );
    let hb = kernel::heartbeat(w.conn, &w.env(), &Options::default(), &id, None)?;
    ensure!(hb.decision.is_granted(), "heartbeat: {hb:?}");
    w.clock.advance_seconds(29);
    ensure_eq!(
        claim(w, "ADHOC-SUITE-5", "agent-b")?.decision.reason_code,
        ReasonCode::BusyWriteHeld,
        "a heartbeat renews the lease for its ttl"
    );
    w.clock.advance_seconds(2);
    let listed = kernel::list_leases(w.conn, w.clock.now(), false)?;
    ensure!(
        listed.is_empty(),
        "expired leases listed as live: {listed:?}"
    );
    let taken = claim(w, "ADHOC-SUITE-5", "agent-b")?;
    let new_id = granted(&taken)?;
    ensure!(new_id != id, "the new claim reused the expired lease");
    let old = kernel::lease_status(w.conn, w.clock.now(), &id)?
        .ok_or_else(|| Failure("the expired lease is gone".into()))?;
    ensure_eq!(old.lease_status, LeaseStatus::Expired);
    consistent(w)
}

fn blockers_stop_claims_until_resolved_with_justification(w: &World<'_>) -> Outcome {
    let id = granted(&claim(w, "ADHOC-SUITE-B", "alice")?)?;
    let b = kernel::create_blocker(
        w.conn,
        &w.env(),
        &BlockRequest {
            target: id.clone(),
            reason_code: "missing_info".into(),
            title: "need the API key".into(),
            description: None,
            needs: Some("key".into()),
            severity: "blocking".into(),
            agent: "alice".into(),
        },
    )?;
    ensure!(b.attempt_id.is_some(), "{b:?}");
    let rel = release(w, &id, ReleaseOutcome::Failure)?;
    ensure_eq!(rel.attempt_outcome, Some("blocked"));
    ensure_eq!(item_status(w, "ADHOC-SUITE-B")?, Some("blocked".into()));
    w.clock.advance_seconds(1);
    ensure_eq!(
        claim(w, "ADHOC-SUITE-B", "bob")?.decision.reason_code,
        ReasonCode::DenyWorkBlocked
    );
    let unjustified = kernel::resolve_blocker(
        w.conn,
        &w.env(),
        &UnblockRequest {
            blocker_id: b.blocker_id.clone(),
            resolution: "got it".into(),
            waiver: None,
            agent: "bob".into(),
        },
    );
    ensure_eq!(
        unjustified.err(),
        Some(crate::Error::KernelRule {
            message: "KERNEL: Blocker resolution requires evidence or waiver decision".into()
        })
    );
    let ok = kernel::resolve_blocker(
        w.conn,
        &w.env(),
        &UnblockRequest {
            blocker_id: b.blocker_id.clone(),
            resolution: "key arrived".into(),
            waiver: Some("proceed without review".into()),
            agent: "bob".into(),
        },
    )?;
    ensure!(ok.waiver_decision_id.is_some(), "{ok:?}");
    granted(&claim(w, "ADHOC-SUITE-B", "bob")?)?;
    ensure_eq!(item_status(w, "ADHOC-SUITE-B")?, Some("in_progress".into()));
    consistent(w)
}

fn handoff_moves_the_work_to_another_agent(w: &World<'_>) -> Outcome {
    let id = granted(&claim(w, "ADHOC-SUITE-H", "alice")?)?;
    let no_reason = kernel::handoff(w.conn, &w.env(), &Options::default(), &id, "bob", "");
    ensure!(
        matches!(no_reason, Err(crate::Error::InvalidInput { .. })),
        "a handoff without a reason gave {no_reason:?}"
    );
    let h = kernel::handoff(
        w.conn,
        &w.env(),
        &Options::default(),
        &id,
        "bob",
        "end of shift",
    )?;
    ensure_eq!(h.decision.reason_code, ReasonCode::HandedOff);
    let new = h
        .lease
        .ok_or_else(|| Failure("the handoff returned no lease".into()))?;
    ensure_eq!(new.owner_agent_id, "bob");
    let holder = claim(w, "ADHOC-SUITE-H", "carol")?;
    ensure_eq!(
        holder.decision.owner.map(|o| o.agent_id),
        Some("bob".to_string())
    );
    evidence(w, &new.lease_id)?;
    ensure_eq!(
        release(w, &new.lease_id, ReleaseOutcome::Success)?.attempt_outcome,
        Some("completed")
    );
    consistent(w)
}

fn records_are_append_only(w: &World<'_>) -> Outcome {
    let id = granted(&claim(w, "ADHOC-SUITE-6", "agent-a")?)?;
    evidence(w, &id)?;
    kernel::record_decision(
        w.conn,
        &w.env(),
        &Options::default(),
        &id,
        &DecisionRequest::new("use the suite"),
    )?;
    let tamper = w
        .conn
        .execute("UPDATE evidence SET sha256 = 'forged'", &[])
        .err();
    ensure!(
        matches!(&tamper, Some(crate::Error::KernelRule { message }) if message.starts_with("KERNEL: Evidence records are immutable")),
        "changing evidence gave {tamper:?}"
    );
    let erase = w.conn.execute("DELETE FROM decisions", &[]).err();
    ensure!(
        matches!(&erase, Some(crate::Error::KernelRule { message }) if message.starts_with("KERNEL: Decision records cannot be deleted")),
        "deleting a decision gave {erase:?}"
    );
    let checks = kernel::verify_evidence(w.conn, &id)?;
    ensure!(checks.iter().all(|c| c.ok), "{checks:?}");
    Ok(())
}
