//! Every CHECK constraint of the schema (46), plus representative NOT NULL, UNIQUE and FOREIGN
//! KEY failures. Each case inserts (or updates to) a value the CHECK refuses, then every value
//! it accepts.

use super::harness::*;

/// One statement per value.
fn each(values: &[&str], f: impl Fn(usize, &str) -> String) -> Vec<String> {
    values.iter().enumerate().map(|(i, v)| f(i, v)).collect()
}

const DECISION_TYPES: &[&str] = &[
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
const DECISION_TYPE_CHECK: &str = "decision_type IN ('approval', 'waiver', 'review_passed', 'review_rejected', \
     'plan_committed', 'completion_accepted', 'escalation', 'revocation', 'draft_emitted', 'draft_approved', \
     'draft_rejected')";
const EVIDENCE_TYPES: &[&str] = &[
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
const EVIDENCE_TYPE_CHECK: &str =
    "evidence_type IN ('test_result', 'build_artifact', 'diff', 'log', 'attestation', \
     'screenshot', 'reference', 'document', 'policy_bundle', 'other')";

// ----------------------------------------------------------------------------- kernel

pub fn attempts_worker_type() -> Case {
    let insert = |id: &str, work: &str, kind: &str| {
        format!(
            "INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('{id}', '{work}', 'w', '{kind}')"
        )
    };
    case("attempts.CHECK(worker_type)")
        .given(items(&["A", "B", "C"]))
        .refuse(
            insert("t0", "A", "robot"),
            check("worker_type IN ('agent', 'human', 'system')"),
        )
        .ok(insert("t1", "A", "agent"))
        .ok(insert("t2", "B", "human"))
        .ok(insert("t3", "C", "system"))
}

pub fn attempts_outcome() -> Case {
    let set = |v: &str| format!("UPDATE attempts SET outcome = {v} WHERE id = 't1'");
    case("attempts.CHECK(outcome)")
        .given(items(&["A"]))
        .given([attempt("t1", "A")])
        .refuse(
            set("'done'"),
            check("outcome IN ('completed', 'blocked', 'failed', 'handed_off')"),
        )
        .ok(set("'failed'"))
        .ok(set("'handed_off'"))
        .ok(set("NULL"))
        .ok(blocker("b1", "A", Some("t1")))
        .ok(set("'blocked'"))
        .ok(evidence("e1", "A", Some("t1")))
        .ok(set("'completed'"))
}

pub fn decisions_decision_type() -> Case {
    case("decisions.CHECK(decision_type)")
        .refuse(
            "INSERT INTO decisions (id, decision_type) VALUES ('rules-d', 'veto')",
            check(DECISION_TYPE_CHECK),
        )
        .oks(each(DECISION_TYPES, |i, t| {
            format!("INSERT INTO decisions (id, decision_type) VALUES ('rules-d{i}', '{t}')")
        }))
}

pub fn kernel_decisions_decision_type() -> Case {
    let insert = |id: String, t: &str| {
        format!(
            "INSERT INTO kernel_decisions (id, decision_type, decision_summary, decided_by) \
             VALUES ('{id}', '{t}', 's', 'agent:rules')"
        )
    };
    case("kernel_decisions.CHECK(decision_type)")
        .refuse(
            insert("rules-kd".into(), "veto"),
            check(DECISION_TYPE_CHECK),
        )
        .oks(each(DECISION_TYPES, |i, t| {
            insert(format!("rules-kd{i}"), t)
        }))
}

pub fn evidence_evidence_type() -> Case {
    let insert = |id: String, t: &str| {
        format!(
            "INSERT INTO evidence (id, work_id, evidence_type, uri, sha256, created_by) \
             VALUES ('{id}', 'A', '{t}', 'u', 'h', 'agent:rules')"
        )
    };
    case("evidence.CHECK(evidence_type)")
        .given(items(&["A"]))
        // 'test' is what the original's README told users to record (see the quickstart fixture)
        .refuse(insert("e".into(), "test"), check(EVIDENCE_TYPE_CHECK))
        .oks(each(EVIDENCE_TYPES, |i, t| insert(format!("e{i}"), t)))
}

pub fn kernel_evidence_evidence_type() -> Case {
    let insert = |id: String, t: &str| {
        format!(
            "INSERT INTO kernel_evidence (id, evidence_type, created_by) VALUES ('{id}', '{t}', 'agent:rules')"
        )
    };
    case("kernel_evidence.CHECK(evidence_type)")
        .refuse(
            insert("rules-ke".into(), "test"),
            check(EVIDENCE_TYPE_CHECK),
        )
        .oks(each(EVIDENCE_TYPES, |i, t| {
            insert(format!("rules-ke{i}"), t)
        }))
}

pub fn blockers_reason_code() -> Case {
    let insert = |id: String, code: &str| {
        format!(
            "INSERT INTO blockers (id, work_id, reason_code, title, created_by) \
             VALUES ('{id}', 'A', '{code}', 't', 'agent:rules')"
        )
    };
    case("blockers.CHECK(reason_code)")
        .given(items(&["A"]))
        .refuse(
            insert("b".into(), "because"),
            check(
                "reason_code IN ('missing_approval', 'missing_info', 'missing_dependency', \
                 'missing_resource', 'missing_credential', 'technical_failure', 'external_wait', 'other')",
            ),
        )
        .oks(each(
            &[
                "missing_approval",
                "missing_info",
                "missing_dependency",
                "missing_resource",
                "missing_credential",
                "technical_failure",
                "external_wait",
                "other",
            ],
            |i, c| insert(format!("b{i}"), c),
        ))
}

pub fn blockers_severity() -> Case {
    let insert = |id: String, sev: &str| {
        format!(
            "INSERT INTO blockers (id, work_id, reason_code, title, severity, created_by) \
             VALUES ('{id}', 'A', 'other', 't', {sev}, 'agent:rules')"
        )
    };
    case("blockers.CHECK(severity)")
        .given(items(&["A"]))
        .refuse(
            insert("b".into(), "'critical'"),
            check("severity IN ('blocking', 'warning')"),
        )
        .oks(each(&["'blocking'", "'warning'", "NULL"], |i, s| {
            insert(format!("b{i}"), s)
        }))
}

pub fn leases_mode() -> Case {
    let live = iso("+1 hour");
    case("leases.CHECK(mode)")
        .refuse(
            lease("l0", "f0", "shared", &live),
            check("mode IN ('read', 'write', 'exclusive')"),
        )
        .ok(lease("l1", "f1", "read", &live))
        .ok(lease("l2", "f2", "write", &live))
        .ok(lease("l3", "f3", "exclusive", &live))
}

// ----------------------------------------------------------------------------- roadmap

pub fn roadmap_items_item_type() -> Case {
    case("roadmap_items.CHECK(item_type)")
        .given(items(&["A"]))
        .refuse(
            "INSERT INTO roadmap_items (id, phase_key, title, item_type) VALUES ('X', 'rules', 't', 'epic')",
            check("item_type IN ('work', 'gate', 'holding', 'integration')"),
        )
        .refuse(
            "UPDATE roadmap_items SET item_type = 'epic' WHERE id = 'A'",
            check("item_type IN ('work', 'gate', 'holding', 'integration')"),
        )
        .oks(each(&["work", "gate", "holding", "integration"], |i, t| {
            format!(
                "INSERT INTO roadmap_items (id, phase_key, title, item_type) VALUES ('T{i}', 'rules', 't', '{t}')"
            )
        }))
}

pub fn roadmap_dependencies_dependency_type() -> Case {
    case("roadmap_dependencies.CHECK(dependency_type)")
        .given(items(&["A", "B", "C", "D"]))
        .refuse(
            dep("A", "B", "hard"),
            check("dependency_type IN ('blocks', 'soft', 'related')"),
        )
        .ok(dep("A", "B", "blocks"))
        .ok(dep("A", "C", "soft"))
        .ok(dep("A", "D", "related"))
}

/// The cycle triggers refuse a self-edge first (with their own message, see the
/// roadmap_dep_no_cycles cases); the CHECK is exercised with them removed inside the case's
/// rolled-back transaction.
pub fn roadmap_dependencies_no_self_edge() -> Case {
    case("roadmap_dependencies.CHECK(item_id != depends_on_id)")
        .given(items(&["A", "B"]))
        .given([
            "DROP TRIGGER roadmap_dep_no_cycles",
            "DROP TRIGGER roadmap_dep_no_cycles_on_update",
        ])
        .refuse(dep("A", "A", "blocks"), check("item_id != depends_on_id"))
        .ok(dep("A", "B", "blocks"))
        .refuse(
            "UPDATE roadmap_dependencies SET depends_on_id = 'A' WHERE item_id = 'A'",
            check("item_id != depends_on_id"),
        )
}

pub fn roadmap_assignments_role() -> Case {
    case("roadmap_assignments.CHECK(role)")
        .given(items(&["A"]))
        .refuse(
            "INSERT INTO roadmap_assignments (item_id, agent_id, role) VALUES ('A', 'agent:x', 'boss')",
            check("role IN ('implementer', 'reviewer', 'owner', 'observer')"),
        )
        .oks(each(&["implementer", "reviewer", "owner", "observer"], |_, r| {
            format!("INSERT INTO roadmap_assignments (item_id, agent_id, role) VALUES ('A', 'agent:x', '{r}')")
        }))
}

pub fn roadmap_assignments_status() -> Case {
    case("roadmap_assignments.CHECK(status)")
        .given(items(&["A"]))
        .refuse(
            "INSERT INTO roadmap_assignments (item_id, agent_id, status) VALUES ('A', 'agent:x', 'paused')",
            check("status IN ('assigned', 'active', 'completed', 'dropped')"),
        )
        .oks(each(&["assigned", "active", "completed", "dropped"], |i, s| {
            format!("INSERT INTO roadmap_assignments (item_id, agent_id, status) VALUES ('A', 'agent:{i}', '{s}')")
        }))
}

fn plan_event_as(id: &str, actor_type: &str, result: &str) -> String {
    format!(
        "INSERT INTO plan_events (event_id, idempotency_key, ts, actor, actor_type, source, event_type, payload, process_result) \
         VALUES ('{id}', 'key-{id}', '2026-01-01T00:00:00Z', 'a', '{actor_type}', 'cli', 'e', '{{}}', {result})"
    )
}

pub fn plan_events_actor_type() -> Case {
    case("plan_events.CHECK(actor_type)")
        .refuse(
            plan_event_as("p0", "robot", "NULL"),
            check("actor_type IN ('user', 'service', 'agent', 'system')"),
        )
        .oks(each(&["user", "service", "agent", "system"], |i, a| {
            plan_event_as(&format!("p{}", i + 1), a, "NULL")
        }))
}

pub fn plan_events_process_result() -> Case {
    case("plan_events.CHECK(process_result)")
        .given([plan_event("p9")])
        .refuse(
            plan_event_as("p0", "user", "'done'"),
            check(
                "process_result IN ('applied', 'rejected', 'conflict') OR process_result IS NULL",
            ),
        )
        .refuse(
            "UPDATE plan_events SET process_result = 'done' WHERE event_id = 'p9'",
            check(
                "process_result IN ('applied', 'rejected', 'conflict') OR process_result IS NULL",
            ),
        )
        .oks(each(
            &["'applied'", "'rejected'", "'conflict'", "NULL"],
            |i, r| plan_event_as(&format!("p{}", i + 1), "user", r),
        ))
}

fn claim_row(id: &str, text: &str, kind: &str, function: &str, status: &str) -> String {
    format!(
        "INSERT INTO claims (id, claim_text, page, claim_type, test_function, test_status) \
         VALUES ('{id}', '{text}', 'home', '{kind}', {function}, {status})"
    )
}

pub fn claims_claim_text() -> Case {
    case("claims.CHECK(length(claim_text) >= 5)")
        .refuse(
            claim_row("c0", "abcd", "qualitative", "NULL", "'pending'"),
            check("LENGTH(claim_text) >= 5"),
        )
        .ok(claim_row("c1", "abcde", "qualitative", "NULL", "'pending'"))
}

pub fn claims_claim_type() -> Case {
    case("claims.CHECK(claim_type)")
        .refuse(
            claim_row("c0", "fast stuff", "vague", "'test_x'", "'pending'"),
            check("claim_type IN ('quantitative', 'qualitative')"),
        )
        .ok(claim_row(
            "c1",
            "fast stuff",
            "quantitative",
            "'test_x'",
            "'pending'",
        ))
        .ok(claim_row(
            "c2",
            "nice words",
            "qualitative",
            "NULL",
            "'pending'",
        ))
}

pub fn claims_test_status() -> Case {
    case("claims.CHECK(test_status)")
        .refuse(
            claim_row("c0", "nice words", "qualitative", "NULL", "'flaky'"),
            check("test_status IN ('pending', 'pass', 'fail', 'stale')"),
        )
        .oks(each(
            &["'pending'", "'pass'", "'fail'", "'stale'", "NULL"],
            |i, s| {
                claim_row(
                    &format!("c{}", i + 1),
                    "nice words",
                    "qualitative",
                    "NULL",
                    s,
                )
            },
        ))
}

pub fn claims_quantitative_needs_test_function() -> Case {
    case("claims.CHECK(quantitative => test_function)")
        .refuse(
            claim_row("c0", "10x faster", "quantitative", "NULL", "'pending'"),
            check("claim_type != 'quantitative' OR test_function IS NOT NULL"),
        )
        .ok(claim_row(
            "c1",
            "10x faster",
            "quantitative",
            "'test_speed'",
            "'pass'",
        ))
        .ok(claim_row(
            "c2",
            "very nice",
            "qualitative",
            "NULL",
            "'pass'",
        ))
}

pub fn deployment_events_target() -> Case {
    case("deployment_events.CHECK(target)")
        .refuse(
            "INSERT INTO deployment_events (target, version) VALUES ('mobile', '1')",
            check("target IN ('website', 'pypi', 'docs')"),
        )
        .oks(each(&["website", "pypi", "docs"], |_, t| {
            format!("INSERT INTO deployment_events (target, version) VALUES ('{t}', '1')")
        }))
}

pub fn deployment_events_status() -> Case {
    case("deployment_events.CHECK(status)")
        .refuse(
            "INSERT INTO deployment_events (target, version, status) VALUES ('pypi', '1', 'done')",
            check("status IN ('pending', 'in_progress', 'success', 'failed', 'blocked')"),
        )
        .oks(each(
            &["pending", "in_progress", "success", "failed", "blocked"],
            |_, s| format!("INSERT INTO deployment_events (target, version, status) VALUES ('pypi', '1', '{s}')"),
        ))
}

// -------------------------------------------------------------------- program management

fn change_request(id: &str) -> String {
    format!("INSERT INTO change_requests (id, title) VALUES ('{id}', 'CR {id}')")
}

pub fn change_requests_size() -> Case {
    case("change_requests.CHECK(size)")
        .refuse(
            "INSERT INTO change_requests (id, title, size) VALUES ('RULES-CR0', 't', 'XXL')",
            check("size IN ('S', 'M', 'L', 'XL')"),
        )
        // case-sensitive
        .refuse(
            "INSERT INTO change_requests (id, title, size) VALUES ('RULES-CR0', 't', 's')",
            check("size IN ('S', 'M', 'L', 'XL')"),
        )
        .oks(each(&["S", "M", "L", "XL"], |i, s| {
            format!(
                "INSERT INTO change_requests (id, title, size) VALUES ('RULES-CR{}', 't', '{s}')",
                i + 1
            )
        }))
}

fn cr_dep(a: &str, b: &str, kind: &str) -> String {
    format!("INSERT INTO cr_dependencies (cr_id, depends_on_id, dependency_type) VALUES ('{a}', '{b}', '{kind}')")
}

pub fn cr_dependencies_dependency_type() -> Case {
    case("cr_dependencies.CHECK(dependency_type)")
        .given(["RULES-1", "RULES-2", "RULES-3", "RULES-4"].map(change_request))
        .refuse(
            cr_dep("RULES-1", "RULES-2", "hard"),
            check("dependency_type IN ('blocks', 'related', 'supersedes')"),
        )
        .ok(cr_dep("RULES-1", "RULES-2", "blocks"))
        .ok(cr_dep("RULES-1", "RULES-3", "related"))
        .ok(cr_dep("RULES-1", "RULES-4", "supersedes"))
}

pub fn cr_dependencies_no_self_edge() -> Case {
    case("cr_dependencies.CHECK(cr_id != depends_on_id)")
        .given(["RULES-1", "RULES-2"].map(change_request))
        .refuse(
            cr_dep("RULES-1", "RULES-1", "blocks"),
            check("cr_id != depends_on_id"),
        )
        .ok(cr_dep("RULES-1", "RULES-2", "blocks"))
        // no cycle detection for change requests (documented)
        .ok(cr_dep("RULES-2", "RULES-1", "blocks"))
}

const STANDARD: &str =
    "INSERT INTO standards (id, name, level_key, check_type_key, failure_message) \
     VALUES ('RULES-STD', 'rules standard', 'product', 'boolean', 'it failed')";

pub fn compliance_results_result() -> Case {
    let insert = |r: &str| {
        format!(
            "INSERT INTO compliance_results (standard_id, entity_type, entity_id, result, checked_by) \
             VALUES ('RULES-STD', 'product', 'p', '{r}', 'ci')"
        )
    };
    case("compliance_results.CHECK(result)")
        .given([STANDARD])
        .refuse(
            insert("maybe"),
            check("result IN ('pass', 'fail', 'skip', 'error')"),
        )
        .oks(["pass", "fail", "skip", "error"].map(insert))
}

pub fn standard_assignments_is_inherited() -> Case {
    let insert = |entity: &str, flag: &str| {
        format!(
            "INSERT INTO standard_assignments (standard_id, entity_type, entity_id, is_inherited) \
             VALUES ('RULES-STD', 'product', '{entity}', {flag})"
        )
    };
    case("standard_assignments.CHECK(is_inherited)")
        .given([STANDARD])
        .refuse(insert("p0", "2"), check("is_inherited IN (0, 1)"))
        .ok(insert("p1", "0"))
        .ok(insert("p2", "1"))
}

// ------------------------------------------------------------------------ system & policy

pub fn idempotency_keys_status() -> Case {
    let insert = |key: &str, status: &str| {
        format!(
            "INSERT INTO idempotency_keys (key, operation, request_hash, status, expires_at) \
             VALUES ('{key}', 'op', 'h', '{status}', datetime('now', '+1 day'))"
        )
    };
    case("idempotency_keys.CHECK(status)")
        .refuse(
            insert("rules-0", "done"),
            check("status IN ('pending', 'complete', 'failed')"),
        )
        .ok(insert("rules-1", "pending"))
        .ok(insert("rules-2", "complete"))
        .ok(insert("rules-3", "failed"))
}

pub fn idempotency_keys_expiry_after_creation() -> Case {
    let insert = |key: &str, expires: &str| {
        format!(
            "INSERT INTO idempotency_keys (key, operation, request_hash, expires_at) \
             VALUES ('{key}', 'op', 'h', {expires})"
        )
    };
    case("idempotency_keys.CHECK(expires_at > created_at)")
        .refuse(
            insert("rules-0", "'2000-01-01 00:00:00'"),
            check("expires_at > created_at"),
        )
        .refuse(
            insert("rules-0", "datetime('now')"),
            check("expires_at > created_at"),
        )
        .ok(insert("rules-1", "datetime('now', '+1 hour')"))
}

pub fn health_check_results_status() -> Case {
    let insert = |s: &str| {
        format!("INSERT INTO health_check_results (check_name, status) VALUES ('rules', '{s}')")
    };
    case("health_check_results.CHECK(status)")
        .refuse(insert("ok"), check("status IN ('pass', 'warn', 'fail')"))
        .oks(["pass", "warn", "fail"].map(insert))
}

pub fn circuit_breakers_state() -> Case {
    let insert = |name: &str, s: &str| {
        format!("INSERT INTO circuit_breakers (name, state) VALUES ('{name}', '{s}')")
    };
    case("circuit_breakers.CHECK(state)")
        .refuse(
            insert("rules-0", "broken"),
            check("state IN ('closed', 'open', 'half_open')"),
        )
        .refuse(
            "UPDATE circuit_breakers SET state = 'broken' WHERE name = 'database'",
            check("state IN ('closed', 'open', 'half_open')"),
        )
        .ok(insert("rules-1", "closed"))
        .ok(insert("rules-2", "open"))
        .ok(insert("rules-3", "half_open"))
}

fn extension_point(handler: &str, kind: &str, enabled: &str) -> String {
    format!(
        "INSERT INTO extension_points (point_name, handler_id, handler_type, is_enabled) \
         VALUES ('rules_point', '{handler}', '{kind}', {enabled})"
    )
}

pub fn extension_points_handler_type() -> Case {
    case("extension_points.CHECK(handler_type)")
        .refuse(
            extension_point("h0", "script", "1"),
            check("handler_type IN ('builtin', 'plugin', 'hook')"),
        )
        .ok(extension_point("h1", "builtin", "1"))
        .ok(extension_point("h2", "plugin", "1"))
        .ok(extension_point("h3", "hook", "1"))
}

pub fn extension_points_is_enabled() -> Case {
    case("extension_points.CHECK(is_enabled)")
        .refuse(
            extension_point("h0", "hook", "2"),
            check("is_enabled IN (0, 1)"),
        )
        .ok(extension_point("h1", "hook", "0"))
        .ok(extension_point("h2", "hook", "1"))
}

pub fn metrics_is_success() -> Case {
    let insert = |flag: &str| {
        format!(
            "INSERT INTO metrics (timestamp, operation, elapsed_ms, is_success) \
             VALUES (datetime('now'), 'rules', 1.5, {flag})"
        )
    };
    case("metrics.CHECK(is_success)")
        .refuse(insert("2"), check("is_success IN (0, 1)"))
        .ok(insert("0"))
        .ok(insert("1"))
}

// ------------------------------------------------------------------- sessions & cache

pub fn sessions_commands_run() -> Case {
    case("sessions.CHECK(commands_run >= 0)")
        .refuse(
            "INSERT INTO sessions (commands_run) VALUES (-1)",
            check("commands_run >= 0"),
        )
        .ok("INSERT INTO sessions (commands_run) VALUES (0)")
        .ok("INSERT INTO sessions (commands_run) VALUES (12)")
}

pub fn sessions_learnings_captured() -> Case {
    case("sessions.CHECK(learnings_captured >= 0)")
        .refuse(
            "INSERT INTO sessions (learnings_captured) VALUES (-1)",
            check("learnings_captured >= 0"),
        )
        .ok("INSERT INTO sessions (learnings_captured) VALUES (0)")
        .ok("INSERT INTO sessions (learnings_captured) VALUES (3)")
}

pub fn sessions_ended_after_started() -> Case {
    let insert = |ended: &str| {
        format!(
            "INSERT INTO sessions (started_at, ended_at) VALUES ('2026-01-02 10:00:00', {ended})"
        )
    };
    case("sessions.CHECK(ended_at IS NULL OR ended_at >= started_at)")
        .refuse(
            insert("'2026-01-02 09:59:59'"),
            check("ended_at IS NULL OR ended_at >= started_at"),
        )
        .ok(insert("NULL"))
        .ok(insert("'2026-01-02 10:00:00'"))
        .ok(insert("'2026-01-02 11:00:00'"))
}

fn session_file(id: &str, has_completion: &str, status: &str) -> String {
    format!(
        "INSERT INTO session_file_cache (id, source, file_path, file_hash, file_mtime_ns, file_size_bytes, \
         ingested_at, has_completion, status) \
         VALUES ('{id}', 'claude', '/tmp/{id}.jsonl', 'h', 1, 1, '2026-01-01 00:00:00', {has_completion}, '{status}')"
    )
}

pub fn session_file_cache_has_completion() -> Case {
    case("session_file_cache.CHECK(has_completion)")
        .refuse(
            session_file("rules-0", "2", "active"),
            check("has_completion IN (0, 1)"),
        )
        .ok(session_file("rules-1", "0", "active"))
        .ok(session_file("rules-2", "1", "active"))
}

pub fn session_file_cache_status() -> Case {
    case("session_file_cache.CHECK(status)")
        .refuse(
            session_file("rules-0", "0", "deleted"),
            check("status IN ('active', 'archived', 'corrupted', 'partial', 'skipped')"),
        )
        .oks(each(
            &["active", "archived", "corrupted", "partial", "skipped"],
            |i, s| session_file(&format!("rules-{}", i + 1), "0", s),
        ))
}

// ------------------------------------------------------------------ userland candidates

pub fn learned_patterns_source() -> Case {
    let insert = |value: &str, source: &str| {
        format!(
            "INSERT INTO learned_patterns (pattern_type, pattern_value, source) VALUES ('rules', '{value}', '{source}')"
        )
    };
    case("learned_patterns.CHECK(source)")
        .refuse(
            insert("v0", "guess"),
            check("source IN ('detection', 'user_input', 'observation')"),
        )
        .ok(insert("v1", "detection"))
        .ok(insert("v2", "user_input"))
        .ok(insert("v3", "observation"))
}

pub fn learned_patterns_frequency() -> Case {
    let insert = |value: &str, f: i32| {
        format!(
            "INSERT INTO learned_patterns (pattern_type, pattern_value, source, frequency) \
             VALUES ('rules', '{value}', 'detection', {f})"
        )
    };
    case("learned_patterns.CHECK(frequency >= 1)")
        .refuse(insert("v0", 0), check("frequency >= 1"))
        .ok(insert("v1", 1))
        .ok(insert("v2", 40))
}

pub fn detected_patterns_confidence() -> Case {
    let insert = |value: &str, c: &str| {
        format!(
            "INSERT INTO detected_patterns (pattern_type, pattern_value, confidence) VALUES ('rules', '{value}', '{c}')"
        )
    };
    case("detected_patterns.CHECK(confidence)")
        .refuse(
            insert("v0", "certain"),
            check("confidence IN ('high', 'medium', 'low')"),
        )
        .ok(insert("v1", "high"))
        .ok(insert("v2", "medium"))
        .ok(insert("v3", "low"))
}

pub fn ground_rules_source() -> Case {
    let insert = |value: &str, s: &str| {
        format!("INSERT INTO ground_rules (rule_type, rule_value, source) VALUES ('rules', '{value}', '{s}')")
    };
    case("ground_rules.CHECK(source)")
        .refuse(
            insert("v0", "rumour"),
            check("source IN ('default', 'user_defined', 'imported')"),
        )
        .ok(insert("v1", "default"))
        .ok(insert("v2", "user_defined"))
        .ok(insert("v3", "imported"))
}

pub fn skills_progress_count() -> Case {
    case("skills.CHECK(progress_count >= 0)")
        .refuse(
            "INSERT INTO skills (skill_name, progress_count, unlock_threshold) VALUES ('rules-0', -1, 5)",
            check("progress_count >= 0"),
        )
        .ok("INSERT INTO skills (skill_name, progress_count, unlock_threshold) VALUES ('rules-1', 0, 5)")
        .ok("INSERT INTO skills (skill_name, progress_count, unlock_threshold) VALUES ('rules-2', 7, 5)")
}

pub fn skills_unlock_threshold() -> Case {
    case("skills.CHECK(unlock_threshold >= 0)")
        .refuse(
            "INSERT INTO skills (skill_name, unlock_threshold) VALUES ('rules-0', -1)",
            check("unlock_threshold >= 0"),
        )
        .ok("INSERT INTO skills (skill_name, unlock_threshold) VALUES ('rules-1', 0)")
        .ok("INSERT INTO skills (skill_name, unlock_threshold) VALUES ('rules-2', 10)")
}

pub fn preferences_source() -> Case {
    let insert = |key: &str, s: &str| {
        format!("INSERT INTO preferences (key, value, source) VALUES ('{key}', 'v', '{s}')")
    };
    case("preferences.CHECK(source)")
        .refuse(
            insert("rules-0", "env"),
            check("source IN ('cli', 'config_file', 'learned')"),
        )
        .ok(insert("rules-1", "cli"))
        .ok(insert("rules-2", "config_file"))
        .ok(insert("rules-3", "learned"))
}

// ---------------------------------------------- representative NOT NULL / UNIQUE / FK

pub fn attempts_worker_id_not_null() -> Case {
    case("attempts.NOT NULL(worker_id)")
        .given(items(&["A"]))
        .refuse(
            "INSERT INTO attempts (id, work_id, worker_type) VALUES ('t1', 'A', 'agent')",
            constraint("NOT NULL constraint failed: attempts.worker_id"),
        )
        .ok(attempt("t1", "A"))
}

pub fn attempts_work_id_foreign_key() -> Case {
    case("attempts.FOREIGN KEY(work_id)")
        .refuse(
            attempt("t1", "NO-SUCH-ITEM"),
            constraint("FOREIGN KEY constraint failed"),
        )
        .ok(item("A", "pending"))
        .ok(attempt("t1", "A"))
}

pub fn plan_events_idempotency_key_unique() -> Case {
    case("plan_events.UNIQUE(idempotency_key)")
        .given([plan_event("p1")])
        .refuse(
            "INSERT INTO plan_events (event_id, idempotency_key, ts, actor, actor_type, source, event_type, payload) \
             VALUES ('p2', 'key-p1', 't', 'a', 'user', 's', 'e', '{}')",
            constraint("UNIQUE constraint failed: plan_events.idempotency_key"),
        )
        .ok(plan_event("p2"))
}

pub fn roadmap_dependencies_primary_key() -> Case {
    case("roadmap_dependencies.PRIMARY KEY(item_id, depends_on_id)")
        .given(items(&["A", "B"]))
        .given([dep("A", "B", "blocks")])
        .refuse(
            dep("A", "B", "soft"),
            constraint("UNIQUE constraint failed: roadmap_dependencies.item_id, roadmap_dependencies.depends_on_id"),
        )
        .ok("UPDATE roadmap_dependencies SET dependency_type = 'soft' WHERE item_id = 'A'")
}
