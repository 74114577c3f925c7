//! Kernel governance: attempts, blockers, the append-only kernel records and leases.

use super::harness::*;

const DOUBLE_CLAIM: &str =
    "KERNEL: Work already has active attempt. Use handoff instead of new claim.";
const CLAIM_BLOCKED: &str =
    "KERNEL: Work has unresolved blockers. Resolve blockers before claiming.";
const HANDOFF_REASON: &str = "KERNEL: Handoff requires explanation in handoff_reason field";
const NEEDS_EVIDENCE: &str =
    "KERNEL: Cannot mark attempt completed without evidence. Use record_evidence() first.";
const NEEDS_BLOCKER: &str =
    "KERNEL: Cannot mark attempt blocked without blocker record. Use create_blocker() first.";
const RESOLUTION_IMMUTABLE: &str = "KERNEL: Blocker resolution is immutable";
const NEEDS_EXPLANATION: &str =
    "KERNEL: Blocker resolution requires explanation in resolution field";
const NEEDS_JUSTIFICATION: &str = "KERNEL: Blocker resolution requires evidence or waiver decision";
const CREATED_UNRESOLVED: &str =
    "KERNEL: Blockers must be created unresolved. Resolve them with evidence or a waiver decision.";
const BLOCKER_NO_DELETE: &str =
    "KERNEL: Blocker records cannot be deleted. Resolve the blocker instead.";

// ----------------------------------------------------------------------------- attempts

pub fn attempts_no_double_claim() -> Case {
    case("attempts_no_double_claim")
        .given(items(&["A", "B"]))
        .given([attempt("t1", "A")])
        .refuse(attempt("t2", "A"), rule(DOUBLE_CLAIM))
        // An outcome alone does not end the attempt: the item stays claimed.
        .ok("UPDATE attempts SET outcome = 'failed' WHERE id = 't1'")
        .refuse(attempt("t2", "A"), rule(DOUBLE_CLAIM))
        .ok(attempt("t3", "B"))
        .ok("UPDATE attempts SET ended_at = datetime('now') WHERE id = 't1'")
        .ok(attempt("t2", "A"))
        .expect(
            "SELECT group_concat(id) FROM attempts WHERE work_id = 'A' AND ended_at IS NULL",
            "t2",
        )
}

pub fn attempts_no_claim_blocked() -> Case {
    case("attempts_no_claim_blocked")
        .given(items(&["A", "B", "C"]))
        // any severity blocks
        .given([
            "INSERT INTO blockers (id, work_id, reason_code, title, severity, created_by) \
             VALUES ('b1', 'A', 'external_wait', 'waiting', 'warning', 'agent:rules')"
                .to_owned(),
        ])
        // C is claimed and then blocked: the newer trigger (blockers) reports first.
        .given([attempt("t0", "C"), blocker("bC", "C", None)])
        .refuse(attempt("t1", "A"), rule(CLAIM_BLOCKED))
        .refuse(attempt("t9", "C"), rule(CLAIM_BLOCKED))
        .ok(attempt("t2", "B"))
        .ok(evidence("e1", "A", None))
        .ok(resolve("b1"))
        .ok(attempt("t1", "A"))
        .expect(
            "SELECT count(*) FROM attempts WHERE id IN ('t1', 't2')",
            "2",
        )
}

pub fn attempts_handoff_requires_reason() -> Case {
    let handoff = |reason: &str| {
        format!(
            "INSERT INTO attempts (id, work_id, worker_id, worker_type, handoff_from_attempt_id, handoff_reason) \
             VALUES ('t2', 'A', 'agent:next', 'agent', 't1', {reason})"
        )
    };
    case("attempts_handoff_requires_reason")
        .given(items(&["A"]))
        .given([attempt("t1", "A")])
        // t1 is still open, yet the handoff message wins (newer trigger reports first).
        .refuse(handoff("NULL"), rule(HANDOFF_REASON))
        .ok("UPDATE attempts SET outcome = 'handed_off', ended_at = datetime('now') WHERE id = 't1'")
        .refuse(handoff("NULL"), rule(HANDOFF_REASON))
        .refuse(handoff("''"), rule(HANDOFF_REASON))
        .ok(handoff("'context window full'"))
        .expect(
            "SELECT handoff_from_attempt_id || ' / ' || handoff_reason FROM attempts WHERE id = 't2'",
            "t1 / context window full",
        )
}

pub fn attempts_completion_requires_evidence() -> Case {
    let complete =
        "UPDATE attempts SET outcome = 'completed', ended_at = datetime('now') WHERE id = 't1'";
    case("attempts_completion_requires_evidence")
        .given(items(&["A"]))
        .given([attempt("t1", "A")])
        // evidence for the work item but not linked to this attempt does not count
        .given([evidence("e0", "A", None)])
        .refuse(complete, rule(NEEDS_EVIDENCE))
        // failed -> completed is checked too (the original only checked NULL -> completed)
        .ok("UPDATE attempts SET outcome = 'failed' WHERE id = 't1'")
        .refuse(complete, rule(NEEDS_EVIDENCE))
        .ok(evidence("e1", "A", Some("t1")))
        .ok(complete)
        .expect("SELECT outcome FROM attempts WHERE id = 't1'", "completed")
}

pub fn attempts_completion_requires_evidence_on_insert() -> Case {
    let insert_completed = "INSERT INTO attempts (id, work_id, worker_id, worker_type, outcome, ended_at) \
                            VALUES ('t9', 'A', 'agent:rules', 'agent', 'completed', datetime('now'))";
    case("attempts_completion_requires_evidence_on_insert")
        .given(items(&["A", "B", "C"]))
        // C is claimed and blocked: the new trigger (027) still reports first
        .given([attempt("t0", "C"), blocker("bC", "C", None)])
        .refuse(insert_completed, rule(NEEDS_EVIDENCE))
        .refuse(
            "INSERT INTO attempts (id, work_id, worker_id, worker_type, outcome) \
             VALUES ('t6', 'C', 'agent:rules', 'agent', 'completed')",
            rule(NEEDS_EVIDENCE),
        )
        .ok(
            "INSERT INTO attempts (id, work_id, worker_id, worker_type, outcome, ended_at) \
             VALUES ('t8', 'B', 'agent:rules', 'agent', 'failed', datetime('now'))",
        )
        // Evidence references its attempt by FK, so only with deferred FK checks can the
        // evidence exist first; then the trigger's own condition lets the insert through.
        .ok("PRAGMA defer_foreign_keys = ON")
        .ok(evidence("e9", "A", Some("t9")))
        .ok(insert_completed)
        .expect(
            "SELECT count(*) FROM pragma_foreign_key_check('evidence')",
            "0",
        )
}

pub fn attempts_blocked_requires_blocker() -> Case {
    let block = "UPDATE attempts SET outcome = 'blocked' WHERE id = 't1'";
    case("attempts_blocked_requires_blocker")
        .given(items(&["A"]))
        .given([attempt("t1", "A")])
        // a blocker on the work item but not linked to the attempt does not count
        .given([blocker("b0", "A", None)])
        .refuse(block, rule(NEEDS_BLOCKER))
        // failed -> blocked is checked too (the original only checked NULL -> blocked)
        .ok("UPDATE attempts SET outcome = 'failed' WHERE id = 't1'")
        .refuse(block, rule(NEEDS_BLOCKER))
        .ok(blocker("b1", "A", Some("t1")))
        .ok(block)
        .expect("SELECT outcome FROM attempts WHERE id = 't1'", "blocked")
}

pub fn attempts_blocked_requires_blocker_on_insert() -> Case {
    case("attempts_blocked_requires_blocker_on_insert")
        .given(items(&["A", "C"]))
        // C is claimed and blocked: the newest attempts trigger (028) reports first
        .given([attempt("t0", "C"), blocker("bC", "C", None)])
        .refuse(
            "INSERT INTO attempts (id, work_id, worker_id, worker_type, outcome) \
             VALUES ('t9', 'A', 'agent:rules', 'agent', 'blocked')",
            rule(NEEDS_BLOCKER),
        )
        .refuse(
            "INSERT INTO attempts (id, work_id, worker_id, worker_type, outcome) \
             VALUES ('t6', 'C', 'agent:rules', 'agent', 'blocked')",
            rule(NEEDS_BLOCKER),
        )
        .ok(
            "INSERT INTO attempts (id, work_id, worker_id, worker_type, outcome, ended_at) \
             VALUES ('t8', 'A', 'agent:rules', 'agent', 'handed_off', datetime('now'))",
        )
        .ok(attempt("t7", "A"))
        .expect("SELECT count(*) FROM attempts WHERE work_id = 'A'", "2")
}

// ----------------------------------------------------------------------------- blockers

pub fn blockers_resolution_immutable() -> Case {
    case("blockers_resolution_immutable")
        .given(items(&["A"]))
        .given([
            blocker("b1", "A", None),
            evidence("e1", "A", None),
            resolve("b1"),
        ])
        .refuse(
            "UPDATE blockers SET resolved_at = NULL WHERE id = 'b1'",
            rule(RESOLUTION_IMMUTABLE),
        )
        .refuse(
            "UPDATE blockers SET resolution = 'something else' WHERE id = 'b1'",
            rule(RESOLUTION_IMMUTABLE),
        )
        .refuse(
            "UPDATE blockers SET resolved_by = 'someone else' WHERE id = 'b1'",
            rule(RESOLUTION_IMMUTABLE),
        )
        .ok("UPDATE blockers SET description = 'more detail', needs = 'nothing' WHERE id = 'b1'")
        .expect(
            "SELECT resolution || ' / ' || description FROM blockers WHERE id = 'b1'",
            "fixed / more detail",
        )
}

/// A blocker created at a fixed instant (timestamps are explicit, so the "same second" is not
/// left to the clock).
fn blocker_at(id: &str, work: &str, created_at: &str) -> String {
    format!(
        "INSERT INTO blockers (id, work_id, reason_code, title, created_by, created_at) \
         VALUES ('{id}', '{work}', 'missing_info', 'Blocker {id}', 'agent:rules', '{created_at}')"
    )
}

fn evidence_at(id: &str, work: &str, created_at: &str) -> String {
    format!(
        "INSERT INTO evidence (id, work_id, evidence_type, uri, sha256, created_by, created_at) \
         VALUES ('{id}', '{work}', 'log', 'file:///{id}', 'sha-{id}', 'agent:rules', '{created_at}')"
    )
}

/// Both messages. Evidence one second older than the blocker, and evidence or a waiver for
/// another item, do not count; evidence from the blocker's own second does (031 — the
/// original required strictly later text and refused it).
pub fn blockers_resolution_requires_justification() -> Case {
    let resolve_with = |resolution: &str| {
        format!(
            "UPDATE blockers SET resolved_at = datetime('now'), resolution = {resolution} WHERE id = 'b1'"
        )
    };
    case("blockers_resolution_requires_justification")
        .given(items(&["A", "B"]))
        .given([
            blocker_at("b1", "A", "2026-01-01 10:00:00"),
            evidence_at("e0", "A", "2026-01-01 09:59:59"),
            evidence_at("eB", "B", "2026-01-01 10:00:30"),
            "INSERT INTO decisions (id, work_id, decision_type, decided_at) \
             VALUES ('dB', 'B', 'waiver', '2026-01-01 10:00:30')"
                .to_owned(),
        ])
        .refuse(resolve_with("NULL"), rule(NEEDS_EXPLANATION))
        .refuse(resolve_with("''"), rule(NEEDS_EXPLANATION))
        .refuse(resolve_with("'fixed'"), rule(NEEDS_JUSTIFICATION))
        .ok(evidence_at("e1", "A", "2026-01-01 10:00:00"))
        .ok(resolve_with("'fixed'"))
        .expect(
            "SELECT resolution || ' / ' || (resolved_at IS NOT NULL) FROM blockers WHERE id = 'b1'",
            "fixed / 1",
        )
}

/// A later waiver decision justifies the resolution, other decision types do not, and mixed
/// timestamp formats compare by time (031): a blocker stamped ISO `…T…Z` and a waiver stamped
/// `YYYY-MM-DD HH:MM:SS` five seconds later (as text, ' ' sorts before 'T', so the original
/// judged the waiver older).
pub fn blockers_resolution_requires_justification_waiver() -> Case {
    case("blockers_resolution_requires_justification")
        .given(items(&["A"]))
        .given([
            blocker_at("b1", "A", "2026-01-01T10:00:00Z"),
            "INSERT INTO decisions (id, work_id, decision_type, decided_at) \
             VALUES ('d1', 'A', 'approval', '2026-01-01 10:05:00')"
                .to_owned(),
        ])
        .refuse(resolve("b1"), rule(NEEDS_JUSTIFICATION))
        .ok(
            "INSERT INTO decisions (id, work_id, decision_type, decided_at) \
             VALUES ('d2', 'A', 'waiver', '2026-01-01 10:00:05')",
        )
        .ok(resolve("b1"))
        .expect("SELECT resolution FROM blockers WHERE id = 'b1'", "fixed")
}

pub fn blockers_created_unresolved() -> Case {
    case("blockers_created_unresolved")
        .given(items(&["A"]))
        .refuse(
            "INSERT INTO blockers (id, work_id, reason_code, title, created_by, resolved_at, resolution) \
             VALUES ('b1', 'A', 'other', 'pre-resolved', 'agent:rules', datetime('now'), 'fine')",
            rule(CREATED_UNRESOLVED),
        )
        .ok(blocker("b1", "A", None))
        .expect(
            "SELECT count(*) FROM blockers WHERE work_id = 'A' AND resolved_at IS NULL",
            "1",
        )
}

pub fn blockers_no_delete() -> Case {
    case("blockers_no_delete")
        .given(items(&["A"]))
        .given([blocker("b1", "A", None)])
        .refuse(
            "DELETE FROM blockers WHERE id = 'b1'",
            rule(BLOCKER_NO_DELETE),
        )
        // so the claim block cannot be lifted by deleting it ...
        .refuse(attempt("t1", "A"), rule(CLAIM_BLOCKED))
        // ... only by resolving it
        .ok(evidence("e1", "A", None))
        .ok(resolve("b1"))
        .ok(attempt("t1", "A"))
        .refuse("DELETE FROM blockers", rule(BLOCKER_NO_DELETE))
        .expect("SELECT count(*) FROM blockers WHERE id = 'b1'", "1")
}

// ------------------------------------------------------------ append-only kernel records

/// A `<table>_no_update` / `<table>_no_delete` case: `row` is inserted in the setup, `write`
/// must be refused with `message`, and appending `another` must still work.
fn append_only(
    rule_name: &'static str,
    setup: Vec<String>,
    write: &str,
    message: &str,
    another: &str,
    count_query: &str,
    count: &str,
) -> Case {
    case(rule_name)
        .given(setup)
        .refuse(write, rule(message))
        .ok(another)
        .expect(count_query, count)
}

const CONTRACT: &str = "INSERT INTO compiled_contracts (contract_hash, compiled_json) VALUES ('rules-h1', '{\"v\":1}')";

pub fn compiled_contracts_no_update() -> Case {
    append_only(
        "compiled_contracts_no_update",
        vec![CONTRACT.into()],
        "UPDATE compiled_contracts SET compiled_json = '{\"v\":2}' WHERE contract_hash = 'rules-h1'",
        "KERNEL: Compiled contracts are immutable",
        "INSERT INTO compiled_contracts (contract_hash, compiled_json) VALUES ('rules-h2', '{\"v\":2}')",
        "SELECT group_concat(compiled_json, ' ') FROM (SELECT compiled_json FROM compiled_contracts WHERE contract_hash LIKE 'rules-%' ORDER BY contract_hash)",
        "{\"v\":1} {\"v\":2}",
    )
}

pub fn compiled_contracts_no_delete() -> Case {
    append_only(
        "compiled_contracts_no_delete",
        vec![CONTRACT.into()],
        "DELETE FROM compiled_contracts WHERE contract_hash = 'rules-h1'",
        "KERNEL: Compiled contracts cannot be deleted",
        "INSERT INTO compiled_contracts (contract_hash, compiled_json) VALUES ('rules-h2', '{}')",
        "SELECT count(*) FROM compiled_contracts WHERE contract_hash LIKE 'rules-%'",
        "2",
    )
}

fn decision_setup() -> Vec<String> {
    let mut s = items(&["A"]);
    s.push(
        "INSERT INTO decisions (id, work_id, decision_type, decision_summary) \
         VALUES ('d1', 'A', 'approval', 'ship it')"
            .into(),
    );
    s
}

const SUPERSEDING_DECISION: &str =
    "INSERT INTO decisions (id, work_id, decision_type, decision_summary, supersedes_decision_id) \
     VALUES ('d2', 'A', 'revocation', 'do not ship', 'd1')";

pub fn decisions_no_update() -> Case {
    append_only(
        "decisions_no_update",
        decision_setup(),
        "UPDATE decisions SET decision_summary = 'ship it later' WHERE id = 'd1'",
        "KERNEL: Decision records are immutable. Create a new decision with supersedes_decision_id instead.",
        SUPERSEDING_DECISION,
        "SELECT supersedes_decision_id FROM decisions WHERE id = 'd2'",
        "d1",
    )
}

pub fn decisions_no_delete() -> Case {
    append_only(
        "decisions_no_delete",
        decision_setup(),
        "DELETE FROM decisions WHERE id = 'd1'",
        "KERNEL: Decision records cannot be deleted.",
        SUPERSEDING_DECISION,
        "SELECT count(*) FROM decisions WHERE work_id = 'A'",
        "2",
    )
}

fn evidence_setup() -> Vec<String> {
    let mut s = items(&["A"]);
    s.push(evidence("e1", "A", None));
    s
}

pub fn evidence_no_update() -> Case {
    append_only(
        "evidence_no_update",
        evidence_setup(),
        "UPDATE evidence SET sha256 = 'tampered' WHERE id = 'e1'",
        "KERNEL: Evidence records are immutable. Create new evidence instead.",
        &evidence("e2", "A", None),
        "SELECT group_concat(sha256, ' ') FROM (SELECT sha256 FROM evidence WHERE work_id = 'A' ORDER BY id)",
        "sha-e1 sha-e2",
    )
}

pub fn evidence_no_delete() -> Case {
    append_only(
        "evidence_no_delete",
        evidence_setup(),
        "DELETE FROM evidence WHERE id = 'e1'",
        "KERNEL: Evidence records cannot be deleted.",
        &evidence("e2", "A", None),
        "SELECT count(*) FROM evidence WHERE work_id = 'A'",
        "2",
    )
}

fn kernel_decision(id: &str) -> String {
    format!(
        "INSERT INTO kernel_decisions (id, work_id, decision_type, decision_summary, decided_by) \
         VALUES ('{id}', 'A', 'approval', 'summary {id}', 'agent:rules')"
    )
}

pub fn kernel_decisions_no_update() -> Case {
    let mut setup = items(&["A"]);
    setup.push(kernel_decision("kd1"));
    append_only(
        "kernel_decisions_no_update",
        setup,
        "UPDATE kernel_decisions SET outcome = 'changed' WHERE id = 'kd1'",
        "KERNEL: Decision records are immutable. Create a new decision with supersedes_decision_id instead.",
        &kernel_decision("kd2"),
        "SELECT group_concat(outcome) FROM kernel_decisions WHERE work_id = 'A'",
        "recorded,recorded",
    )
}

pub fn kernel_decisions_no_delete() -> Case {
    let mut setup = items(&["A"]);
    setup.push(kernel_decision("kd1"));
    append_only(
        "kernel_decisions_no_delete",
        setup,
        "DELETE FROM kernel_decisions",
        "KERNEL: Decision records cannot be deleted.",
        &kernel_decision("kd2"),
        "SELECT count(*) FROM kernel_decisions WHERE work_id = 'A'",
        "2",
    )
}

fn kernel_evidence(id: &str) -> String {
    format!(
        "INSERT INTO kernel_evidence (id, work_id, evidence_type, created_by) \
         VALUES ('{id}', 'A', 'log', 'agent:rules')"
    )
}

pub fn kernel_evidence_no_update() -> Case {
    let mut setup = items(&["A"]);
    setup.push(kernel_evidence("ke1"));
    append_only(
        "kernel_evidence_no_update",
        setup,
        "UPDATE kernel_evidence SET title = 'changed' WHERE id = 'ke1'",
        "KERNEL: Evidence records are immutable. Create new evidence instead.",
        &kernel_evidence("ke2"),
        "SELECT count(*) FROM kernel_evidence WHERE work_id = 'A' AND title IS NULL",
        "2",
    )
}

pub fn kernel_evidence_no_delete() -> Case {
    let mut setup = items(&["A"]);
    setup.push(kernel_evidence("ke1"));
    append_only(
        "kernel_evidence_no_delete",
        setup,
        "DELETE FROM kernel_evidence WHERE id = 'ke1'",
        "KERNEL: Evidence records cannot be deleted.",
        &kernel_evidence("ke2"),
        "SELECT count(*) FROM kernel_evidence WHERE work_id = 'A'",
        "2",
    )
}

fn kernel_outcome(id: &str) -> String {
    format!(
        "INSERT INTO kernel_outcomes (id, work_id, outcome_type, created_by) \
         VALUES ('{id}', 'A', 'file_changed', 'agent:rules')"
    )
}

pub fn kernel_outcomes_no_update() -> Case {
    let mut setup = items(&["A"]);
    setup.push(kernel_outcome("ko1"));
    append_only(
        "kernel_outcomes_no_update",
        setup,
        "UPDATE kernel_outcomes SET outcome_type = 'other' WHERE id = 'ko1'",
        "KERNEL: Outcome records are immutable.",
        &kernel_outcome("ko2"),
        "SELECT group_concat(outcome_type) FROM kernel_outcomes WHERE work_id = 'A'",
        "file_changed,file_changed",
    )
}

pub fn kernel_outcomes_no_delete() -> Case {
    let mut setup = items(&["A"]);
    setup.push(kernel_outcome("ko1"));
    append_only(
        "kernel_outcomes_no_delete",
        setup,
        "DELETE FROM kernel_outcomes WHERE work_id = 'A'",
        "KERNEL: Outcome records cannot be deleted.",
        &kernel_outcome("ko2"),
        "SELECT count(*) FROM kernel_outcomes WHERE work_id = 'A'",
        "2",
    )
}

// ------------------------------------------------------------------------------- leases
//
// Expiries are written the way the lease store writes timestamps (ISO `…T…Z`); since 033 the
// triggers compare `datetime(expires_at)`. The expired leases expire at midnight today, ISO: as
// text, 'YYYY-MM-DDT00:00:00Z' sorts after any 'YYYY-MM-DD HH:MM:SS' of the same day, so the
// original's text comparison still saw them active at every time of day.

fn expired_today() -> String {
    "strftime('%Y-%m-%dT00:00:00Z', 'now')".to_owned()
}

const EXCLUSIVE_REFUSED: &str =
    "KERNEL: Cannot acquire exclusive lease - resource has active leases";
const ANY_REFUSED: &str = "KERNEL: Cannot acquire lease - exclusive lease active on resource";
const WRITE_REFUSED: &str = "KERNEL: Cannot acquire write lease - exclusive lease active";

pub fn leases_exclusive_check() -> Case {
    let live = iso("+1 hour");
    let expired = expired_today();
    case("leases_exclusive_check")
        .given([
            lease("l1", "f1", "write", &live),
            lease("l2", "f2", "read", &live),
            "UPDATE leases SET released_at = datetime('now') WHERE id = 'l2'".to_owned(),
            lease("l3", "f3", "write", &expired),
            lease("l4", "f4", "read", &live),
        ])
        .refuse(
            lease("x1", "f1", "exclusive", &live),
            rule(EXCLUSIVE_REFUSED),
        )
        .refuse(
            lease("x4", "f4", "exclusive", &live),
            rule(EXCLUSIVE_REFUSED),
        )
        .ok(lease("x2", "f2", "exclusive", &live))
        .ok(lease("x3", "f3", "exclusive", &live))
        .refuse(
            lease("x5", "f2", "exclusive", &live),
            rule(EXCLUSIVE_REFUSED),
        )
        .expect(
            "SELECT count(*) FROM leases WHERE mode = 'exclusive' AND id IN ('x2', 'x3')",
            "2",
        )
}

pub fn leases_any_check() -> Case {
    let live = iso("+1 hour");
    case("leases_any_check")
        .given([
            lease("l1", "f1", "exclusive", &live),
            lease("l2", "f2", "exclusive", &expired_today()),
            lease("l3", "f3", "exclusive", &live),
            "UPDATE leases SET released_at = datetime('now') WHERE id = 'l3'".to_owned(),
        ])
        .refuse(lease("r1", "f1", "read", &live), rule(ANY_REFUSED))
        // leases_any_check shadows leases_write_check: a write reports this message too
        .refuse(lease("w1", "f1", "write", &live), rule(ANY_REFUSED))
        .ok(lease("r2", "f2", "read", &live))
        .ok(lease("w3", "f3", "write", &live))
        // read + write and write + write coexist
        .ok(lease("w4", "f4", "write", &live))
        .ok(lease("w5", "f4", "write", &live))
        .ok(lease("r4", "f4", "read", &live))
        .expect("SELECT count(*) FROM leases WHERE resource_id = 'f4'", "3")
}

/// leases_any_check fires first on the same condition, so the write check's own message is
/// only observable with that trigger removed (inside the case's rolled-back transaction).
pub fn leases_write_check() -> Case {
    let live = iso("+1 hour");
    case("leases_write_check")
        .given(["DROP TRIGGER leases_any_check".to_owned()])
        .given([lease("l1", "f1", "exclusive", &live)])
        .refuse(lease("w1", "f1", "write", &live), rule(WRITE_REFUSED))
        .ok(lease("w2", "f2", "write", &live))
        .ok("UPDATE leases SET released_at = datetime('now') WHERE id = 'l1'")
        .ok(lease("w1", "f1", "write", &live))
        .expect("SELECT count(*) FROM leases WHERE mode = 'write'", "2")
}
