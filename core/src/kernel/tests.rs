//! Kernel behaviour on a real SQLite database built by our migrations.

use super::*;
use crate::connection::ConnectionExt;
use crate::ids::{Env, SequentialIds};
use crate::migrate::Migrator;
use crate::sqlite::SqliteConnection;
use crate::time::{ManualClock, Timestamp};
use crate::{params, Clock, Connection};

struct World {
    conn: SqliteConnection,
    clock: ManualClock,
    ids: SequentialIds,
}

impl World {
    fn new() -> Self {
        let conn = SqliteConnection::open_in_memory().unwrap();
        let clock = ManualClock::at(Timestamp::parse("2026-11-26 08:00:00").unwrap());
        Migrator::coordination()
            .migrate(&conn, &clock, false, &mut |_| Ok(None))
            .unwrap();
        World {
            conn,
            clock,
            ids: SequentialIds::new(),
        }
    }
    fn env(&self) -> Env<'_> {
        Env::new(&self.clock, &self.ids)
    }
    fn claim(&self, work: &str, agent: &str) -> ClaimResponse {
        claim_work(
            &self.conn,
            &self.env(),
            &Options::default(),
            &ClaimRequest::new(work, "do it", agent),
        )
        .unwrap()
    }
    fn claim_ttl(&self, work: &str, agent: &str, ttl: i64) -> ClaimResponse {
        let mut req = ClaimRequest::new(work, "do it", agent);
        req.ttl_s = ttl;
        claim_work(&self.conn, &self.env(), &Options::default(), &req).unwrap()
    }
    fn evidence(&self, lease: &str) -> Recorded {
        let req = EvidenceRequest {
            evidence_type: "test_result".into(),
            test_results: records::test_counts(Some(3), None, None),
            ..Default::default()
        };
        record_evidence(&self.conn, &self.env(), &Options::default(), lease, &req).unwrap()
    }
    fn release(&self, lease: &str, outcome: ReleaseOutcome) -> release::ReleaseResponse {
        release_work(
            &self.conn,
            &self.env(),
            &Options::default(),
            lease,
            outcome,
            true,
        )
        .unwrap()
    }
    fn scalar<T: crate::FromValue>(&self, sql: &str, p: &[crate::Value]) -> T {
        self.conn.query_one(sql, p).unwrap()
    }
    fn item_status(&self, id: &str) -> String {
        self.scalar(
            "SELECT status_key FROM roadmap_items WHERE id = ?1",
            params![id],
        )
    }
    fn add_item(&self, id: &str, status: &str) {
        self.conn
            .execute(
                "INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES (?1, 'phase_a', ?1, ?2)",
                params![id, status],
            )
            .unwrap();
    }
    fn assert_consistent(&self) {
        let problems = invariants::check(&self.conn, self.clock.now()).unwrap();
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

fn lease_id(r: &ClaimResponse) -> String {
    r.lease.as_ref().expect("granted").lease_id.clone()
}

#[test]
fn quickstart_cycle_completes_the_adhoc_item() {
    let w = World::new();
    let c = w.claim("ADHOC-TASK-001", "default");
    assert_eq!(c.decision.reason_code, ReasonCode::GrantedOk);
    let id = lease_id(&c);
    assert!(lease::validate_lease_id(&id).is_ok(), "{id}");
    assert_eq!(w.item_status("ADHOC-TASK-001"), "in_progress");
    let ctx = get_context(&w.conn, &w.env(), &Options::default(), &id, None).unwrap();
    assert_eq!(ctx.decision.reason_code, ReasonCode::GrantedOk);
    assert_eq!(ctx.lens.resources, vec!["task:ADHOC-TASK-001"]);
    let ev = w.evidence(&id);
    assert!(ev.accepted, "{ev:?}");
    let dec = record_decision(
        &w.conn,
        &w.env(),
        &Options::default(),
        &id,
        &DecisionRequest::new("ship it"),
    )
    .unwrap();
    assert!(dec.accepted);
    let out = put_outcome(
        &w.conn,
        &w.env(),
        &Options::default(),
        &id,
        &OutcomeRequest {
            outcome_type: "file".into(),
            path: Some("src/a.rs".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(out.accepted);
    let rel = w.release(&id, ReleaseOutcome::Success);
    assert_eq!(rel.decision.reason_code, ReasonCode::ReleasedOk);
    assert_eq!(rel.attempt_outcome, Some("completed"));
    assert_eq!(w.item_status("ADHOC-TASK-001"), "completed");
    // Context, evidence, decision, outcome and release each wrote one event and one audit row.
    let events: i64 = w.scalar(
        "SELECT count(*) FROM events WHERE lease_id = ?1",
        params![id.as_str()],
    );
    assert_eq!(events, 6);
    let audits: i64 = w.scalar(
        "SELECT count(*) FROM audit_log WHERE event_type LIKE 'work.%'",
        params![],
    );
    assert_eq!(audits, 6);
    // One time format everywhere we write.
    let started: String = w.scalar("SELECT started_at FROM attempts", params![]);
    assert_eq!(started, "2026-11-26 08:00:00.000");
    let issued: String = w.scalar("SELECT issued_at FROM coordination_leases", params![]);
    assert_eq!(issued, "2026-11-26 08:00:00.000");
    // Replays are idempotent and write nothing.
    let again = w.release(&id, ReleaseOutcome::Failure);
    assert_eq!(
        again.decision.reason_code,
        ReasonCode::ReleasedIdempotentReplay
    );
    assert_eq!(again.lease.unwrap().outcome.as_deref(), Some("success"));
    w.assert_consistent();
}

#[test]
fn a_held_resource_is_busy_for_everyone_else_and_for_the_holder() {
    let w = World::new();
    let first = w.claim("ADHOC-A", "alice");
    let busy = w.claim("ADHOC-A", "bob");
    assert_eq!(busy.decision.reason_code, ReasonCode::BusyWriteHeld);
    let owner = busy.decision.owner.unwrap();
    assert_eq!(owner.agent_id, "alice");
    assert_eq!(owner.lease_id, Some(lease_id(&first)));
    assert_eq!(busy.decision.ttl_remaining_s, Some(3600));
    assert!(busy.lease.is_none());
    assert_eq!(
        w.claim("ADHOC-A", "alice").decision.reason_code,
        ReasonCode::BusyWriteHeld
    );
    // Another resource on the same work item: the open attempt still makes it busy.
    let mut other = ClaimRequest::new("ADHOC-A", "x", "bob");
    other.resources = vec![Resource::new("file", "src/x.rs")];
    let r = claim_work(&w.conn, &w.env(), &Options::default(), &other).unwrap();
    assert_eq!(r.decision.reason_code, ReasonCode::BusyWorkInProgress);
    let leases: i64 = w.scalar("SELECT count(*) FROM coordination_leases", params![]);
    assert_eq!(leases, 1);
    w.assert_consistent();
}

#[test]
fn readers_share_and_writers_wait_for_readers() {
    let w = World::new();
    let read = |agent: &str| {
        let mut req = ClaimRequest::new("ADHOC-R", "look", agent);
        req.mode = Mode::Read;
        claim_work(&w.conn, &w.env(), &Options::default(), &req).unwrap()
    };
    assert!(read("a").decision.is_granted());
    assert!(read("b").decision.is_granted());
    assert_eq!(
        w.claim("ADHOC-R", "c").decision.reason_code,
        ReasonCode::BusyReadersPresent
    );
}

#[test]
fn invalid_claims_are_denied_with_the_originals_codes() {
    let w = World::new();
    let r = w.claim("TASK-001", "a");
    assert_eq!(r.decision.reason_code, ReasonCode::DenyInvalidWorkId);
    assert_eq!(r.decision.suggested_next_actions.len(), 2);
    assert_eq!(
        w.claim("ADHOC-X", "  ").decision.reason_code,
        ReasonCode::DenyInvalidAgentId
    );
    assert_eq!(
        w.claim_ttl("ADHOC-X", "a", 0).decision.reason_code,
        ReasonCode::DenyInvalidTtl
    );
    assert_eq!(
        w.claim_ttl("ADHOC-X", "a", 604_801).decision.reason_code,
        ReasonCode::DenyInvalidTtl
    );
    let mut req = ClaimRequest::new("ADHOC-X", "x", "a");
    req.resources = vec![Resource::new("file", "")];
    let r = claim_work(&w.conn, &w.env(), &Options::default(), &req).unwrap();
    assert_eq!(r.decision.reason_code, ReasonCode::DenyInvalidResources);
    let empty_intent = claim_work(
        &w.conn,
        &w.env(),
        &Options::default(),
        &ClaimRequest::new("ADHOC-X", " ", "a"),
    );
    assert!(matches!(
        empty_intent,
        Err(crate::Error::InvalidInput { .. })
    ));
    // Nothing was created by any of them.
    let items: i64 = w.scalar("SELECT count(*) FROM roadmap_items", params![]);
    assert_eq!(items, 0);
}

#[test]
fn expiry_is_recorded_by_the_call_that_notices_it_and_frees_the_work() {
    let w = World::new();
    let old = lease_id(&w.claim_ttl("ADHOC-E", "alice", 60));
    w.clock.advance_seconds(59);
    assert_eq!(
        w.claim("ADHOC-E", "bob").decision.reason_code,
        ReasonCode::BusyWriteHeld
    );
    w.clock.advance_seconds(1);
    let new = w.claim("ADHOC-E", "bob");
    assert_eq!(new.decision.reason_code, ReasonCode::GrantedOk);
    let status: String = w.scalar(
        "SELECT status FROM coordination_leases WHERE lease_id = ?1",
        params![old.as_str()],
    );
    assert_eq!(status, "expired");
    let ev: i64 = w.scalar(
        "SELECT count(*) FROM events WHERE lease_id = ?1 AND event_type = 'LEASE_EXPIRED'",
        params![old.as_str()],
    );
    assert_eq!(ev, 1);
    let open: i64 = w.scalar(
        "SELECT count(*) FROM attempts WHERE ended_at IS NULL",
        params![],
    );
    assert_eq!(open, 1);
    // The expired holder can no longer write; a `success` on it is refused (nothing was
    // completed), any other outcome is a replay.
    let late = w.evidence(&old);
    assert!(!late.accepted);
    assert_eq!(late.message, "Lease is expired, not active");
    let refused = w.release(&old, ReleaseOutcome::Success);
    assert_eq!(refused.decision.reason_code, ReasonCode::DenyMissingLease);
    assert_eq!(refused.warnings.len(), 1, "{:?}", refused.warnings);
    assert_eq!(
        w.release(&old, ReleaseOutcome::Failure)
            .decision
            .reason_code,
        ReasonCode::ReleasedIdempotentReplay
    );
    w.assert_consistent();
}

#[test]
fn heartbeat_renews_the_lease_for_its_ttl() {
    let w = World::new();
    let id = lease_id(&w.claim_ttl("ADHOC-H", "alice", 60));
    w.clock.advance_seconds(50);
    let hb = heartbeat(&w.conn, &w.env(), &Options::default(), &id, None).unwrap();
    assert_eq!(hb.decision.reason_code, ReasonCode::GrantedOk);
    assert_eq!(hb.lease.unwrap().expires_at, w.clock.now().plus_seconds(60));
    w.clock.advance_seconds(50);
    assert_eq!(
        w.claim("ADHOC-H", "bob").decision.reason_code,
        ReasonCode::BusyWriteHeld
    );
    w.clock.advance_seconds(10);
    let late = heartbeat(&w.conn, &w.env(), &Options::default(), &id, None).unwrap();
    assert_eq!(late.decision.reason_code, ReasonCode::DenyMissingLease);
    let gone = heartbeat(
        &w.conn,
        &w.env(),
        &Options::default(),
        "lease-20261126-00000000",
        None,
    )
    .unwrap();
    assert_eq!(gone.decision.reason_code, ReasonCode::LeaseNotFound);
    w.assert_consistent();
}

#[test]
fn roadmap_items_follow_their_claims() {
    let w = World::new();
    w.add_item("RI-1", "pending");
    w.add_item("RI-2", "pending");
    w.conn
        .execute(
            "INSERT INTO roadmap_dependencies (item_id, depends_on_id) VALUES ('RI-2', 'RI-1')",
            params![],
        )
        .unwrap();
    let denied = w.claim("RI-2", "a");
    assert_eq!(
        denied.decision.reason_code,
        ReasonCode::DenyPrereqsIncomplete
    );
    assert_eq!(denied.missing_prereqs[0].prereq_id, "RI-1");
    let id = lease_id(&w.claim("RI-1", "a"));
    assert_eq!(w.item_status("RI-1"), "in_progress");
    assert_eq!(
        w.release(&id, ReleaseOutcome::Failure).decision.reason_code,
        ReasonCode::ReleasedRollbackUnsupported
    );
    assert_eq!(w.item_status("RI-1"), "pending");
    // `success` without evidence is refused and changes nothing: the lease stays active so
    // evidence can still be recorded.
    let id = lease_id(&w.claim("RI-1", "a"));
    let unproven = w.release(&id, ReleaseOutcome::Success);
    assert_eq!(
        unproven.decision.reason_code,
        ReasonCode::DenyEvidenceRequired
    );
    assert_eq!(unproven.attempt_outcome, None);
    assert_eq!(unproven.lease.unwrap().status, LeaseStatus::Active);
    assert_eq!(w.item_status("RI-1"), "in_progress");
    w.evidence(&id);
    w.release(&id, ReleaseOutcome::Success);
    assert_eq!(w.item_status("RI-1"), "completed");
    assert_eq!(
        w.claim("RI-1", "b").decision.reason_code,
        ReasonCode::DenyWorkCompleted
    );
    assert!(w.claim("RI-2", "a").decision.is_granted());
    w.assert_consistent();
}

#[test]
fn adhoc_items_never_pile_up_against_the_phase_limit() {
    let w = World::new();
    // 60 ad hoc items done one after another: each is completed or deferred, never left active.
    for i in 0..60 {
        let id = lease_id(&w.claim(&format!("ADHOC-P-{i:03}"), "a"));
        if i % 2 == 0 {
            w.evidence(&id);
            w.release(&id, ReleaseOutcome::Success);
        } else {
            w.release(&id, ReleaseOutcome::Failure);
        }
    }
    assert_eq!(work_item::active_in_phase(&w.conn, "phase_f").unwrap(), 0);
    // Completed ad hoc ids can be reused; deferred ones go back to in_progress.
    assert!(w.claim("ADHOC-P-000", "b").decision.is_granted());
    assert!(w.claim("ADHOC-P-001", "b").decision.is_granted());
    assert_eq!(w.item_status("ADHOC-P-001"), "in_progress");
    // 50 ad hoc items in progress at once is the schema's limit: the 51st is denied, cleanly.
    for i in 0..49 {
        assert!(
            w.claim(&format!("ADHOC-Q-{i:03}"), "c")
                .decision
                .is_granted(),
            "{i}"
        );
    }
    let full = w.claim("ADHOC-Q-999", "c");
    assert_eq!(full.decision.reason_code, ReasonCode::DenyPhaseFull);
    w.assert_consistent();
}

#[test]
fn blockers_stop_claims_until_resolved_with_justification() {
    let w = World::new();
    let id = lease_id(&w.claim("ADHOC-B", "alice"));
    let b = create_blocker(
        &w.conn,
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
    )
    .unwrap();
    assert!(b.attempt_id.is_some());
    let rel = w.release(&id, ReleaseOutcome::Failure);
    assert_eq!(rel.attempt_outcome, Some("blocked"));
    assert_eq!(w.item_status("ADHOC-B"), "blocked");
    w.clock.advance_seconds(1);
    assert_eq!(
        w.claim("ADHOC-B", "bob").decision.reason_code,
        ReasonCode::DenyWorkBlocked
    );
    let unjustified = resolve_blocker(
        &w.conn,
        &w.env(),
        &UnblockRequest {
            blocker_id: b.blocker_id.clone(),
            resolution: "got it".into(),
            waiver: None,
            agent: "bob".into(),
        },
    );
    assert_eq!(
        unjustified.unwrap_err(),
        crate::Error::KernelRule {
            message: "KERNEL: Blocker resolution requires evidence or waiver decision".into()
        }
    );
    let bad = resolve_blocker(
        &w.conn,
        &w.env(),
        &UnblockRequest {
            blocker_id: b.blocker_id.clone(),
            resolution: " ".into(),
            waiver: Some("ok".into()),
            agent: "bob".into(),
        },
    );
    assert!(matches!(bad, Err(crate::Error::InvalidInput { .. })));
    let ok = resolve_blocker(
        &w.conn,
        &w.env(),
        &UnblockRequest {
            blocker_id: b.blocker_id.clone(),
            resolution: "key arrived".into(),
            waiver: Some("proceed without review".into()),
            agent: "bob".into(),
        },
    )
    .unwrap();
    assert!(ok.waiver_decision_id.is_some());
    assert!(w.claim("ADHOC-B", "bob").decision.is_granted());
    assert_eq!(w.item_status("ADHOC-B"), "in_progress");
    w.assert_consistent();
}

#[test]
fn handoff_moves_the_work_to_another_agent_with_a_reason() {
    let w = World::new();
    let id = lease_id(&w.claim("ADHOC-HO", "alice"));
    assert!(matches!(
        handoff(&w.conn, &w.env(), &Options::default(), &id, "bob", ""),
        Err(crate::Error::InvalidInput { .. })
    ));
    let h = handoff(
        &w.conn,
        &w.env(),
        &Options::default(),
        &id,
        "bob",
        "end of shift",
    )
    .unwrap();
    assert_eq!(h.decision.reason_code, ReasonCode::HandedOff);
    let new = h.lease.unwrap();
    assert_eq!(new.owner_agent_id, "bob");
    let chain: String = w.scalar(
        "SELECT handoff_from_attempt_id FROM attempts WHERE id = ?1",
        params![new.attempt_id.clone().unwrap()],
    );
    assert_eq!(Some(chain), h.from_lease.unwrap().attempt_id);
    assert_eq!(w.item_status("ADHOC-HO"), "in_progress");
    assert_eq!(
        w.claim("ADHOC-HO", "carol")
            .decision
            .owner
            .unwrap()
            .agent_id,
        "bob"
    );
    w.evidence(&new.lease_id);
    assert_eq!(
        w.release(&new.lease_id, ReleaseOutcome::Success)
            .attempt_outcome,
        Some("completed")
    );
    w.assert_consistent();
}

#[test]
fn force_release_needs_an_operator_and_ends_the_attempt() {
    let w = World::new();
    let id = lease_id(&w.claim("ADHOC-F", "alice"));
    let target = ForceTarget::Resource(Resource::new("task", "ADHOC-F"));
    let denied = force_release(&w.conn, &w.env(), &target, "stuck", "op", None).unwrap();
    assert_eq!(denied.decision.reason_code, ReasonCode::DenyPolicy);
    let done = force_release(&w.conn, &w.env(), &target, "stuck", "op", Some("operator")).unwrap();
    assert_eq!(done.decision.reason_code, ReasonCode::OverrideForceRelease);
    assert_eq!(done.released, vec![id.clone()]);
    let again = force_release(&w.conn, &w.env(), &target, "stuck", "op", Some("operator")).unwrap();
    assert_eq!(
        again.decision.reason_code,
        ReasonCode::ReleasedIdempotentReplay
    );
    assert!(w.claim("ADHOC-F", "bob").decision.is_granted());
    w.assert_consistent();
}

#[test]
fn a_failed_write_writes_nothing() {
    let w = World::new();
    w.conn.execute_batch(
        "CREATE TEMP TRIGGER fail_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
    ).unwrap();
    let err = claim_work(
        &w.conn,
        &w.env(),
        &Options::default(),
        &ClaimRequest::new("ADHOC-Z", "x", "a"),
    )
    .unwrap_err();
    assert_eq!(err.code(), "kernel_rule");
    for table in [
        "coordination_leases",
        "events",
        "attempts",
        "roadmap_items",
        "metrics",
    ] {
        let n: i64 = w.scalar(&format!("SELECT count(*) FROM {table}"), params![]);
        assert_eq!(n, 0, "{table}");
    }
    assert!(!w.conn.in_transaction());
}

#[test]
fn evidence_is_hashed_canonically_and_verifies() {
    let w = World::new();
    let id = lease_id(&w.claim("ADHOC-V", "a"));
    let ev = w.evidence(&id);
    let sha: String = w.scalar(
        "SELECT sha256 FROM evidence WHERE id = ?1",
        params![ev.id.clone().unwrap()],
    );
    assert!(sha.starts_with("810801a5") && sha.ends_with("e97378"));
    let with_file = EvidenceRequest {
        evidence_type: "build_artifact".into(),
        file: Some(FileArtifact {
            path: "/tmp/out.bin".into(),
            sha256: "ab".repeat(32),
            size_bytes: 42,
        }),
        ..Default::default()
    };
    let r = record_evidence(&w.conn, &w.env(), &Options::default(), &id, &with_file).unwrap();
    let size: i64 = w.scalar(
        "SELECT size_bytes FROM evidence WHERE id = ?1",
        params![r.id.unwrap()],
    );
    assert_eq!(size, 42);
    let checks = verify_evidence(&w.conn, &id).unwrap();
    assert_eq!(checks.len(), 2);
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    assert_eq!(checks[1].file.as_ref().unwrap().0, "/tmp/out.bin");
    let bad = record_evidence(
        &w.conn,
        &w.env(),
        &Options::default(),
        &id,
        &EvidenceRequest {
            evidence_type: "test".into(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        bad.to_string().contains("test_result, build_artifact"),
        "{bad}"
    );
    assert!(matches!(
        verify_evidence(&w.conn, "lease-nope"),
        Err(crate::Error::InvalidInput { .. })
    ));
}

#[test]
fn reads_show_the_truth_without_writing() {
    let w = World::new();
    let id = lease_id(&w.claim_ttl("ADHOC-L", "a", 30));
    assert_eq!(list_leases(&w.conn, w.clock.now(), false).unwrap().len(), 1);
    w.clock.advance_seconds(31);
    assert!(list_leases(&w.conn, w.clock.now(), false)
        .unwrap()
        .is_empty());
    let all = list_leases(&w.conn, w.clock.now(), true).unwrap();
    assert_eq!(all[0].status, LeaseStatus::Expired);
    let details = lease_status(&w.conn, w.clock.now(), &id).unwrap().unwrap();
    assert_eq!(details.lease_status, LeaseStatus::Expired);
    assert_eq!(details.lease.status, LeaseStatus::Active);
    let c = cleanup(&w.conn, &w.env()).unwrap();
    assert_eq!(c.expired, vec![id]);
    w.assert_consistent();
}
