//! System & policy: the audit log, health-check clean-up and the 30 audit-timestamp helpers
//! (`<table>_audit_insert` / `<table>_updated_at`, created by migration 004 on 15 tables).

use super::harness::*;

const AUDIT_ROW: &str =
    "INSERT INTO audit_log (event_type, actor, action, resource_id, instance_id) \
     VALUES ('rules', 'agent:rules', 'probe', 'rules-1', 'rules-instance')";
const AUDIT_ROWS: &str = "SELECT group_concat(resource_id) FROM (SELECT resource_id FROM audit_log WHERE event_type = 'rules' ORDER BY id)";

pub fn audit_log_immutable() -> Case {
    case("audit_log_immutable")
        .given([AUDIT_ROW])
        .refuse(
            "UPDATE audit_log SET actor = 'someone else' WHERE resource_id = 'rules-1'",
            rule("Audit log entries are immutable"),
        )
        // including the rows the original (and our migrations) wrote
        .refuse(
            "UPDATE audit_log SET context = 'x' WHERE id = (SELECT min(id) FROM audit_log)",
            rule("Audit log entries are immutable"),
        )
        .ok(AUDIT_ROW.replace("rules-1", "rules-2"))
        .expect(AUDIT_ROWS, "rules-1,rules-2")
}

pub fn audit_log_no_delete() -> Case {
    case("audit_log_no_delete")
        .given([AUDIT_ROW])
        .refuse(
            "DELETE FROM audit_log WHERE resource_id = 'rules-1'",
            rule("Audit log entries cannot be deleted"),
        )
        .refuse(
            "DELETE FROM audit_log",
            rule("Audit log entries cannot be deleted"),
        )
        .ok(AUDIT_ROW.replace("rules-1", "rules-2"))
        .expect(AUDIT_ROWS, "rules-1,rules-2")
}

fn health(name: &str, age: &str) -> String {
    format!(
        "INSERT INTO health_check_results (check_name, status, checked_at) \
         VALUES ('{name}', 'pass', datetime('now', '{age}'))"
    )
}

/// After every insert, rows checked more than 7 days ago are deleted (a backdated row deletes
/// itself).
pub fn health_check_cleanup() -> Case {
    let names = "SELECT coalesce(group_concat(check_name), '') FROM (SELECT check_name FROM health_check_results \
                 WHERE check_name LIKE 'rules-%' ORDER BY check_name)";
    case("health_check_cleanup")
        .given([health("rules-recent", "-6 days")])
        .given_bypassing(&["health_check_cleanup"], health("rules-stale", "-8 days"))
        .expect(names, "rules-recent,rules-stale")
        .ok(health("rules-new", "+0 seconds"))
        .expect(names, "rules-new,rules-recent")
        .ok(health("rules-backdated", "-30 days"))
        .expect(names, "rules-new,rules-recent")
}

// ------------------------------------------------------------- audit-timestamp helpers

/// Per table: an INSERT with `{c}` / `{u}` standing for the created_at / updated_at values,
/// the WHERE clause that finds the row, a column update that leaves updated_at alone, and
/// setup the row needs.
struct AuditTable {
    table: &'static str,
    insert: &'static str,
    key: &'static str,
    touch: &'static str,
    setup: &'static [&'static str],
}

const SESSION_FILE: &str = "INSERT INTO session_file_cache (id, source, file_path, file_hash, file_mtime_ns, \
     file_size_bytes, ingested_at, created_at, updated_at) \
     VALUES ('rules-s', 'claude', '/tmp/rules-s.jsonl', 'h', 1, 1, '2026-01-01 00:00:00', {c}, {u})";

const AUDIT_TABLES: &[AuditTable] = &[
    AuditTable {
        table: "circuit_breakers",
        insert: "INSERT INTO circuit_breakers (name, created_at, updated_at) VALUES ('rules-cb', {c}, {u})",
        key: "name = 'rules-cb'",
        touch: "failure_count = 1",
        setup: &[],
    },
    AuditTable {
        table: "detected_patterns",
        insert: "INSERT INTO detected_patterns (pattern_type, pattern_value, confidence, created_at, updated_at) \
                 VALUES ('rules', 'v', 'high', {c}, {u})",
        key: "pattern_type = 'rules'",
        touch: "confidence = 'low'",
        setup: &[],
    },
    AuditTable {
        table: "ground_rules",
        insert: "INSERT INTO ground_rules (rule_type, rule_value, source, created_at, updated_at) \
                 VALUES ('rules', 'v', 'default', {c}, {u})",
        key: "rule_type = 'rules'",
        touch: "source = 'imported'",
        setup: &[],
    },
    AuditTable {
        table: "health_check_results",
        insert: "INSERT INTO health_check_results (check_name, status, created_at, updated_at) \
                 VALUES ('rules', 'pass', {c}, {u})",
        key: "check_name = 'rules'",
        touch: "status = 'warn'",
        setup: &[],
    },
    AuditTable {
        table: "idempotency_keys",
        insert: "INSERT INTO idempotency_keys (key, operation, request_hash, expires_at, created_at, updated_at) \
                 VALUES ('rules', 'op', 'h', '2999-01-01 00:00:00', {c}, {u})",
        key: "key = 'rules'",
        touch: "status = 'complete'",
        setup: &[],
    },
    AuditTable {
        table: "instance_config",
        insert: "INSERT INTO instance_config (key, value, created_at, updated_at) VALUES ('rules', 'v', {c}, {u})",
        key: "key = 'rules'",
        touch: "value = 'w'",
        setup: &[],
    },
    AuditTable {
        table: "learned_patterns",
        insert: "INSERT INTO learned_patterns (pattern_type, pattern_value, source, created_at, updated_at) \
                 VALUES ('rules', 'v', 'detection', {c}, {u})",
        key: "pattern_type = 'rules'",
        touch: "frequency = 2",
        setup: &[],
    },
    AuditTable {
        table: "preferences",
        insert: "INSERT INTO preferences (key, value, source, created_at, updated_at) VALUES ('rules', 'v', 'cli', {c}, {u})",
        key: "key = 'rules'",
        touch: "value = 'w'",
        setup: &[],
    },
    AuditTable {
        table: "resource_quotas",
        insert: "INSERT INTO resource_quotas (resource_type, soft_limit, hard_limit, created_at, updated_at) \
                 VALUES ('rules', 1, 2, {c}, {u})",
        key: "resource_type = 'rules'",
        touch: "current_usage = 1",
        setup: &[],
    },
    AuditTable {
        table: "session_cache_state",
        insert: "INSERT INTO session_cache_state (key, value, created_at, updated_at) VALUES ('rules', 'v', {c}, {u})",
        key: "key = 'rules'",
        touch: "value = 'w'",
        setup: &[],
    },
    AuditTable {
        table: "session_event_cache",
        insert: "INSERT INTO session_event_cache (session_id, sequence, type, created_at, updated_at) \
                 VALUES ('rules-s', 1, 'message', {c}, {u})",
        key: "session_id = 'rules-s' AND sequence = 1",
        touch: "type = 'tool'",
        setup: &["INSERT INTO session_file_cache (id, source, file_path, file_hash, file_mtime_ns, file_size_bytes, ingested_at) \
                  VALUES ('rules-s', 'claude', '/tmp/rules-s.jsonl', 'h', 1, 1, '2026-01-01 00:00:00')"],
    },
    AuditTable {
        table: "session_file_cache",
        insert: SESSION_FILE,
        key: "id = 'rules-s'",
        touch: "status = 'archived'",
        setup: &[],
    },
    AuditTable {
        table: "sessions",
        insert: "INSERT INTO sessions (id, created_at, updated_at) VALUES (424242, {c}, {u})",
        key: "id = 424242",
        touch: "commands_run = 1",
        setup: &[],
    },
    AuditTable {
        table: "skills",
        insert: "INSERT INTO skills (skill_name, unlock_threshold, created_at, updated_at) VALUES ('rules', 1, {c}, {u})",
        key: "skill_name = 'rules'",
        touch: "progress_count = 1",
        setup: &[],
    },
    AuditTable {
        table: "terminology",
        insert: "INSERT INTO terminology (domain, internal_key, display_name, created_at, updated_at) \
                 VALUES ('rules', 'k', 'K', {c}, {u})",
        key: "domain = 'rules'",
        touch: "display_name = 'L'",
        setup: &[],
    },
];

fn audit_table(table: &str) -> &'static AuditTable {
    AUDIT_TABLES
        .iter()
        .find(|t| t.table == table)
        .unwrap_or_else(|| panic!("no audit helper table {table}"))
}

fn with_stamps(insert: &str, created: &str, updated: &str) -> String {
    insert.replace("{c}", created).replace("{u}", updated)
}

/// `<table>_audit_insert`: empty created_at / updated_at are filled with the current time;
/// given values are kept.
pub fn audit_insert(rule_name: &'static str, table: &str) -> Case {
    let t = audit_table(table);
    let stamps = format!(
        "SELECT (created_at = datetime(created_at) AND created_at > '2020') || '/' || \
         (updated_at = datetime(updated_at) AND updated_at > '2020') FROM {} WHERE {}",
        t.table, t.key
    );
    case(rule_name)
        .given(t.setup.iter().copied())
        .ok(with_stamps(t.insert, "''", "''"))
        .expect(stamps, "1/1")
        .ok(format!("DELETE FROM {} WHERE {}", t.table, t.key))
        .ok(with_stamps(t.insert, "'2001-01-01 00:00:00'", "''"))
        .expect(
            format!("SELECT created_at FROM {} WHERE {}", t.table, t.key),
            "2001-01-01 00:00:00",
        )
        .expect(
            format!(
                "SELECT updated_at = datetime(updated_at) AND updated_at > '2020' FROM {} WHERE {}",
                t.table, t.key
            ),
            "1",
        )
        .ok(format!("DELETE FROM {} WHERE {}", t.table, t.key))
        .ok(with_stamps(
            t.insert,
            "'2001-01-01 00:00:00'",
            "'2002-02-02 00:00:00'",
        ))
        .expect(
            format!(
                "SELECT created_at || '/' || updated_at FROM {} WHERE {}",
                t.table, t.key
            ),
            "2001-01-01 00:00:00/2002-02-02 00:00:00",
        )
}

/// `<table>_updated_at`: an UPDATE that leaves updated_at unchanged stamps it with the current
/// time; an UPDATE that sets updated_at keeps the given value.
pub fn updated_at(rule_name: &'static str, table: &str) -> Case {
    let t = audit_table(table);
    let updated = format!("SELECT updated_at FROM {} WHERE {}", t.table, t.key);
    case(rule_name)
        .given(t.setup.iter().copied())
        .given([with_stamps(
            t.insert,
            "'2001-01-01 00:00:00'",
            "'2001-01-01 00:00:00'",
        )])
        .ok(format!(
            "UPDATE {} SET {} WHERE {}",
            t.table, t.touch, t.key
        ))
        .expect(
            format!(
                "SELECT updated_at = datetime(updated_at) AND updated_at > '2020' \
                 AND created_at = '2001-01-01 00:00:00' FROM {} WHERE {}",
                t.table, t.key
            ),
            "1",
        )
        .ok(format!(
            "UPDATE {} SET {}, updated_at = '2010-10-10 00:00:00' WHERE {}",
            t.table, t.touch, t.key
        ))
        .expect(updated, "2010-10-10 00:00:00")
}
