//! Rows the kernel would refuse, written behind its back (triggers dropped, the row written,
//! triggers restored): `doctor --json` lists each one with table, rowid and rule, and `db
//! import` of an export holding it is refused naming the input line and the rule, with no byte
//! of an existing database changed. One test per rule.

use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{Connection, ConnectionExt};
use motus_tests::{motus, stdout_json};
use std::path::{Path, PathBuf};
use std::process::Output;

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(out)
}

fn run(h: &Path, db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--db", arg(db)];
    all.extend_from_slice(args);
    all.push("--json");
    motus(h, &all)
}

/// A database as the kernel leaves it: items A and B (A depends on B), a claim on A holding
/// `file:x` and one piece of evidence on it.
fn kernel_made(h: &Path, name: &str) -> (PathBuf, String) {
    let db = h.join(name);
    for id in ["A", "B"] {
        ok(&run(
            h,
            &db,
            &["roadmap", "add", id, "--phase", "phase_a", "--id", id],
        ));
    }
    ok(&run(h, &db, &["roadmap", "dep", "add", "A", "B"]));
    let claim = ok(&run(
        h,
        &db,
        &[
            "work",
            "claim",
            "B",
            "--intent",
            "t",
            "--resource",
            "file:x",
        ],
    ));
    let lease = claim["lease_id"].as_str().unwrap().to_string();
    ok(&run(
        h,
        &db,
        &["work", "evidence", &lease, "test_result", "--passed", "3"],
    ));
    (db, lease)
}

/// Runs `sql` on the file with the schema's triggers out of the way, as another tool could.
fn behind_the_kernels_back(db: &Path, sql: &str) {
    let c = SqliteConnection::open(arg(db), OpenMode::ReadWrite).unwrap();
    let triggers = c
        .query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid",
            &[],
        )
        .unwrap();
    for r in triggers.iter() {
        c.execute_batch(&format!("DROP TRIGGER \"{}\"", r.value(0).to_text()))
            .unwrap();
    }
    c.execute_batch(sql)
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
    for r in triggers.iter() {
        c.execute_batch(&r.value(1).to_text()).unwrap();
    }
}

fn rowid_of(db: &Path, table: &str, filter: &str) -> i64 {
    let c = SqliteConnection::open(arg(db), OpenMode::ReadOnly).unwrap();
    c.query_scalar::<i64>(
        &format!("SELECT rowid FROM {table} WHERE {filter} ORDER BY rowid DESC LIMIT 1"),
        &[],
    )
    .unwrap()
    .expect("the row")
}

/// The export line (1-based) holding the row of `table` with `rowid`.
fn line_of(export: &Path, table: &str, rowid: i64) -> usize {
    let text = std::fs::read_to_string(export).unwrap();
    for (i, line) in text.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["table"] == table && v["rowid"] == rowid {
            return i + 1;
        }
    }
    panic!("no {table} row {rowid} in the export")
}

/// The database's content files (main file and WAL), each as a digest (`-shm` is SQLite's
/// shared-memory index, which every reader writes to).
fn bytes(db: &Path) -> Vec<(String, Option<String>)> {
    ["", "-wal", "-journal"]
        .iter()
        .map(|s| {
            let content = std::fs::read(format!("{}{s}", db.display())).ok();
            (
                s.to_string(),
                content.map(|b| motus_core::kernel::canonical::sha256_hex(&b)),
            )
        })
        .collect()
}

/// The promise for one rule: `doctor` names the row, import names its line, nothing is written.
fn assert_refused_everywhere(h: &Path, db: &Path, table: &str, rowid: i64, rule: &str) {
    // doctor --json lists the violation with table, rowid and rule.
    let out = run(h, db, &["doctor"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc = stdout_json(&out);
    let check = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "kernel_rules")
        .unwrap()
        .clone();
    assert_eq!(check["status"], "fail", "{doc:#}");
    let found = check["details"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["table"] == table && d["rowid"] == rowid && d["rule"] == rule);
    assert!(
        found,
        "no {table} rowid {rowid} {rule} in {:#}",
        check["details"]
    );
    // Its text form names it too.
    let text = motus(h, &["--db", arg(db), "doctor"]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains(&format!("({rule})")),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );

    // An export carries the row (its fingerprints match); import refuses it by line and rule.
    let export = h.join(format!("{rule}.jsonl"));
    ok(&run(h, db, &["db", "export", "--out", arg(&export)]));
    let line = line_of(&export, table, rowid);
    let new = h.join(format!("{rule}-new.db"));
    let out = run(h, &new, &["db", "import", arg(&export)]);
    assert_eq!(out.status.code(), Some(1));
    let doc = stdout_json(&out);
    assert_eq!(doc["error"]["code"], "kernel_rule", "{doc:#}");
    let msg = doc["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!("line {line}: {table}")) && msg.contains(&format!("({rule})")),
        "expected line {line} and rule {rule}: {msg}"
    );
    assert!(!new.exists(), "a refused import created {}", new.display());

    // Over an existing database (even with --replace) not one byte changes.
    let (good, _) = kernel_made(h, &format!("{rule}-good.db"));
    let before = bytes(&good);
    let out = run(h, &good, &["db", "import", arg(&export), "--replace"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_json(&out)["error"]["code"], "kernel_rule");
    assert_eq!(
        bytes(&good),
        before,
        "a refused import changed {}",
        good.display()
    );
}

#[test]
fn a_value_of_the_wrong_type_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, _) = kernel_made(h, "c.db");
    behind_the_kernels_back(
        &db,
        "UPDATE roadmap_items SET title = x'00ff1b5b324a' WHERE id = 'A'",
    );
    let rowid = rowid_of(&db, "roadmap_items", "id = 'A'");
    assert_refused_everywhere(h, &db, "roadmap_items", rowid, "wrong_type");
}

#[test]
fn an_unknown_status_key_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, _) = kernel_made(h, "c.db");
    behind_the_kernels_back(
        &db,
        "UPDATE roadmap_items SET status_key = 'finished' WHERE id = 'A'",
    );
    let rowid = rowid_of(&db, "roadmap_items", "id = 'A'");
    assert_refused_everywhere(h, &db, "roadmap_items", rowid, "unknown_term");
}

#[test]
fn two_live_write_leases_on_one_resource_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, lease) = kernel_made(h, "c.db");
    // A second live lease on file:x, as a racing tool without the kernel's lock could write.
    behind_the_kernels_back(
        &db,
        &format!(
            "INSERT INTO coordination_leases SELECT 'lease-20261204-0badf00d', 'other', mode, resources, \
             issued_at, expires_at, heartbeat_deadline, snapshot_id, policy_version, lens_digest, 'A', NULL, \
             status, outcome, created_at, updated_at FROM coordination_leases WHERE lease_id = '{lease}'"
        ),
    );
    let rowid = rowid_of(
        &db,
        "coordination_leases",
        "lease_id = 'lease-20261204-0badf00d'",
    );
    assert_refused_everywhere(h, &db, "coordination_leases", rowid, "conflicting_leases");
}

#[test]
fn two_open_attempts_on_one_item_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, _) = kernel_made(h, "c.db");
    behind_the_kernels_back(
        &db,
        "INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('attempt-second', 'B', 'other', 'agent')",
    );
    let rowid = rowid_of(&db, "attempts", "id = 'attempt-second'");
    assert_refused_everywhere(h, &db, "attempts", rowid, "second_open_attempt");
}

#[test]
fn a_dependency_cycle_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, _) = kernel_made(h, "c.db");
    behind_the_kernels_back(
        &db,
        "INSERT INTO roadmap_dependencies (item_id, depends_on_id) VALUES ('B', 'A')",
    );
    let rowid = rowid_of(&db, "roadmap_dependencies", "item_id = 'B'");
    assert_refused_everywhere(h, &db, "roadmap_dependencies", rowid, "dependency_cycle");
}

#[test]
fn an_item_completed_before_its_prerequisite_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, _) = kernel_made(h, "c.db");
    // A depends on B (open), yet A is completed after the dependency was recorded.
    behind_the_kernels_back(
        &db,
        "UPDATE roadmap_items SET status_key = 'completed', completed_at = '2999-01-01 00:00:00' WHERE id = 'A'",
    );
    let rowid = rowid_of(&db, "roadmap_items", "id = 'A'");
    assert_refused_everywhere(h, &db, "roadmap_items", rowid, "prerequisite_not_completed");
}

#[test]
fn a_dependency_added_after_completion_is_not_a_violation() {
    // The kernel allows a dependency onto an open item from a completed one; no false alarm.
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = h.join("c.db");
    for id in ["A", "B"] {
        ok(&run(
            h,
            &db,
            &["roadmap", "add", id, "--phase", "phase_a", "--id", id],
        ));
    }
    behind_the_kernels_back(
        &db,
        "UPDATE roadmap_items SET status_key = 'completed', completed_at = '2000-01-01 00:00:00' WHERE id = 'A'",
    );
    ok(&run(h, &db, &["roadmap", "dep", "add", "A", "B"]));
    let doc = ok(&run(h, &db, &["doctor"]));
    assert_eq!(doc["ok"], true, "{doc:#}");
}

#[test]
fn evidence_whose_hash_does_not_match_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, _) = kernel_made(h, "c.db");
    // The content changed after hashing: the stored sha256 no longer covers it.
    behind_the_kernels_back(
        &db,
        "UPDATE evidence SET test_results = '{\"failed\":0,\"passed\":30,\"skipped\":0}'",
    );
    let rowid = rowid_of(&db, "evidence", "1");
    assert_refused_everywhere(h, &db, "evidence", rowid, "evidence_hash");
}

#[test]
fn a_counter_at_the_top_of_its_range_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, _) = kernel_made(h, "c.db");
    behind_the_kernels_back(
        &db,
        "UPDATE sqlite_sequence SET seq = 9223372036854775807 WHERE name = 'audit_log'",
    );
    let rowid = rowid_of(&db, "sqlite_sequence", "name = 'audit_log'");
    assert_refused_everywhere(h, &db, "sqlite_sequence", rowid, "sequence_at_limit");
}

#[test]
fn a_header_that_disagrees_with_the_ledger_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, _) = kernel_made(h, "c.db");
    let export = h.join("e.jsonl");
    ok(&run(h, &db, &["db", "export", "--out", arg(&export)]));
    // The last migration adds indexes only, so a header one version lower lists the same
    // tables: it would load, be taken for that version, and never get the last migration.
    let text = std::fs::read_to_string(&export).unwrap();
    let (head, rest) = text.split_once('\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_str(head).unwrap();
    let version = header["schema_version"].as_i64().unwrap();
    header["schema_version"] = (version - 1).into();
    std::fs::write(&export, format!("{header}\n{rest}")).unwrap();
    // The ledger row of the last version (its rowid is the version, so no rowid is carried).
    let top_line = rest
        .lines()
        .position(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["table"] == "schema_version" && v["values"][0] == version
        })
        .expect("the ledger row")
        + 2;
    let new = h.join("new.db");
    let out = run(h, &new, &["db", "import", arg(&export)]);
    assert_eq!(out.status.code(), Some(1));
    let doc = stdout_json(&out);
    let msg = doc["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("line 1")
            && msg.contains(&format!("line {top_line}"))
            && msg.contains("header_ledger"),
        "{msg}"
    );
    assert!(!new.exists());
    let before = bytes(&db);
    let out = run(h, &db, &["db", "import", arg(&export), "--replace"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(bytes(&db), before);
}

#[test]
fn a_database_the_kernel_wrote_passes_every_rule() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, lease) = kernel_made(h, "c.db");
    ok(&run(h, &db, &["work", "release", &lease, "success"]));
    ok(&run(h, &db, &["roadmap", "complete", "B"]));
    let doc = ok(&run(h, &db, &["doctor"]));
    assert_eq!(doc["ok"], true, "{doc:#}");
    let export = h.join("e.jsonl");
    ok(&run(h, &db, &["db", "export", "--out", arg(&export)]));
    ok(&run(h, &h.join("copy.db"), &["db", "import", arg(&export)]));
}

#[test]
fn a_migration_ledger_with_a_gap_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (db, _) = kernel_made(h, "c.db");
    behind_the_kernels_back(&db, "DELETE FROM schema_version WHERE version = 5");
    let out = run(h, &db, &["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = stdout_json(&out);
    let check = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "kernel_rules")
        .unwrap()
        .clone();
    assert!(
        check["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["table"] == "schema_version" && d["rule"] == "ledger_gap"),
        "{doc:#}"
    );
    let export = h.join("e.jsonl");
    ok(&run(h, &db, &["db", "export", "--out", arg(&export)]));
    let new = h.join("new.db");
    let out = run(h, &new, &["db", "import", arg(&export)]);
    assert_eq!(out.status.code(), Some(1));
    let msg = stdout_json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("(ledger_gap)"), "{msg}");
    assert!(!new.exists());
}
