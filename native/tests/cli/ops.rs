//! `motus db backup|restore|export|import` on real files with the real binary: verified
//! copies, consistency while other connections write, refusals, and the lossless round trip
//! on the populated fixture after upgrade.

use motus_core::file_tools::backup::{self, Contents};
use motus_core::file_tools::schema::Snapshot;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::Connection;
use motus_tests::{copy_fixture, motus, stdout_json};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

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

fn failed(out: &Output, code: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let doc = stdout_json(out);
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["error"]["code"], code, "{doc}");
    doc["error"]["message"].as_str().unwrap().to_string()
}

fn open(path: &Path) -> SqliteConnection {
    SqliteConnection::open(arg(path), OpenMode::ReadWrite).unwrap()
}

fn contents(path: &Path) -> Contents {
    let c = SqliteConnection::open(arg(path), OpenMode::ReadOnly).unwrap();
    motus_core::read_tx(&c, backup::contents).unwrap()
}

/// The populated fixture, copied and upgraded by `motus db init`.
fn populated(dir: &Path) -> PathBuf {
    let db = copy_fixture("motusos-0.3.3-populated.db", dir);
    ok(&motus(dir, &["--db", arg(&db), "db", "init", "--json"]));
    db
}

#[test]
fn backup_is_verified_and_restore_brings_it_back_keeping_the_replaced_database() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    let bak = home.path().join("b.db");
    let doc = ok(&motus(
        home.path(),
        &["--db", arg(&db), "db", "backup", arg(&bak), "--json"],
    ));
    assert_eq!(doc["verified"]["integrity"], "ok");
    assert_eq!(doc["verified"]["content_matches_source"], true);
    assert_eq!(doc["verified"]["tables"], 51);
    let saved = contents(&db);
    assert_eq!(contents(&bak), saved);
    // A backup is a standalone file: no WAL beside it.
    assert!(!home.path().join("b.db-wal").exists());
    // Never overwrites.
    failed(
        &motus(
            home.path(),
            &["--db", arg(&db), "db", "backup", arg(&bak), "--json"],
        ),
        "exists",
    );

    // Change the database, then restore the backup over it.
    open(&db)
        .execute_batch("INSERT INTO metrics (timestamp, operation, elapsed_ms) VALUES ('t', 'after-backup', 1.5)")
        .unwrap();
    let changed = contents(&db);
    assert_ne!(changed, saved);
    let doc = ok(&motus(
        home.path(),
        &["--db", arg(&db), "db", "restore", arg(&bak), "--json"],
    ));
    assert_eq!(contents(&db), saved);
    let kept = PathBuf::from(doc["previous_kept_at"].as_str().unwrap());
    assert_eq!(doc["previous_kept_as"], "verified backup");
    assert_eq!(contents(&kept), changed, "the replaced database is kept");
    // The restored database is healthy and in WAL mode again.
    let d = motus(home.path(), &["--db", arg(&db), "doctor", "--json"]);
    assert_eq!(ok(&d)["status"], "pass");
    let mode: String = open(&db)
        .inner()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn backup_into_a_folder_names_the_file_and_refuses_an_empty_database() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    let dir = home.path().join("backups");
    std::fs::create_dir(&dir).unwrap();
    let doc = ok(&motus(
        home.path(),
        &["--db", arg(&db), "db", "backup", arg(&dir), "--json"],
    ));
    let path = doc["backup_path"].as_str().unwrap();
    assert!(
        path.starts_with(arg(&dir)) && path.ends_with(".db"),
        "{path}"
    );
    let empty = home.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    failed(
        &motus(
            home.path(),
            &[
                "--db",
                arg(&empty),
                "db",
                "backup",
                arg(&home.path().join("e.db")),
                "--json",
            ],
        ),
        "not_motus",
    );
    let missing_dir = home.path().join("no/such/dir/b.db");
    failed(
        &motus(
            home.path(),
            &[
                "--db",
                arg(&db),
                "db",
                "backup",
                arg(&missing_dir),
                "--json",
            ],
        ),
        "not_found",
    );
}

/// Writers commit pairs of rows (one transaction each) while backups run: every backup must
/// be verified by the binary, hold only complete pairs, and hold at least every pair that
/// was committed before it started.
#[test]
fn backups_are_consistent_while_other_connections_write() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    let stop = Arc::new(AtomicBool::new(false));
    let committed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (db, stop, committed) = (db.clone(), stop.clone(), committed.clone());
            std::thread::spawn(move || {
                let c = open(&db);
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    motus_core::write_tx(&c, |c| {
                        for half in ["a", "b"] {
                            c.execute(
                                "INSERT INTO metrics (timestamp, operation, elapsed_ms, metadata) VALUES ('t', ?1, 0.25, ?2)",
                                motus_core::params![format!("pair-{w}-{n}"), half],
                            )?;
                        }
                        Ok(())
                    })
                    .unwrap();
                    committed.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                n
            })
        })
        .collect();
    let mut checked = 0;
    let t0 = std::time::Instant::now();
    for i in 0..6 {
        while committed.load(Ordering::Relaxed) < 20 * (i + 1) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let before = committed.load(Ordering::Relaxed);
        eprintln!(
            "backup {i}: {before} pairs committed at start, {:?}",
            t0.elapsed()
        );
        let bak = home.path().join(format!("b{i}.db"));
        ok(&motus(
            home.path(),
            &["--db", arg(&db), "db", "backup", arg(&bak), "--json"],
        ));
        let copy = SqliteConnection::open(arg(&bak), OpenMode::ReadOnly).unwrap();
        let halves: i64 = copy
            .inner()
            .query_row(
                "SELECT count(*) FROM (SELECT operation FROM metrics WHERE operation LIKE 'pair-%' GROUP BY operation HAVING count(*) != 2)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(halves, 0, "backup {i} holds half-written pairs");
        let pairs: i64 = copy
            .inner()
            .query_row(
                "SELECT count(DISTINCT operation) FROM metrics WHERE operation LIKE 'pair-%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        eprintln!(
            "backup {i}: {pairs} complete pairs in the copy, 0 half pairs, {} committed by the time it was checked",
            committed.load(Ordering::Relaxed)
        );
        assert!(
            pairs as u64 >= before,
            "backup {i}: {pairs} pairs < {before} committed before it started"
        );
        checked += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let written: u64 = writers.into_iter().map(|w| w.join().unwrap() as u64).sum();
    assert_eq!(checked, 6);
    assert!(written >= 120, "writers kept writing: {written}");
}

#[test]
fn restore_refuses_files_that_are_not_sound_motus_databases_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    let before = contents(&db);
    let good = home.path().join("good.db");
    ok(&motus(
        home.path(),
        &["--db", arg(&db), "db", "backup", arg(&good), "--json"],
    ));
    let bytes = std::fs::read(&good).unwrap();

    let write = |name: &str, data: &[u8]| {
        let p = home.path().join(name);
        std::fs::write(&p, data).unwrap();
        p
    };
    let garbage = write(
        "garbage.db",
        &[b"GARBAGE!".as_slice(), &bytes[8..]].concat(),
    );
    let truncated = write("truncated.db", &bytes[..bytes.len() / 3]);
    let empty = write("empty.db", b"");
    let text = write("notes.txt", b"hello, I am not a database\n");
    let foreign = copy_fixture("motusos-0.6.5-populated.db", home.path());
    let newer = write("newer.db", &bytes);
    open(&newer)
        .execute_batch("INSERT INTO schema_version (version, migration_name, checksum) VALUES (999, 'future', 'x')")
        .unwrap();
    let damaged = write("damaged.db", &bytes);
    {
        // A foreign-key violation: evidence pointing at an attempt that does not exist.
        let c = SqliteConnection::open(arg(&damaged), OpenMode::ReadWrite).unwrap();
        c.execute_batch("PRAGMA foreign_keys = OFF; UPDATE roadmap_dependencies SET depends_on_id = 'NOPE' WHERE rowid = (SELECT min(rowid) FROM roadmap_dependencies);")
            .unwrap();
    }
    for (src, code) in [
        (&garbage, "not_a_database"),
        (&truncated, "corrupt"),
        (&empty, "not_motus"),
        (&text, "not_a_database"),
        (&foreign, "not_motus"),
        (&newer, "schema_too_new"),
        (&damaged, "corrupt"),
        (&home.path().to_path_buf(), "not_a_database"),
        (&home.path().join("missing.db"), "not_found"),
    ] {
        let msg = failed(
            &motus(
                home.path(),
                &["--db", arg(&db), "db", "restore", arg(src), "--json"],
            ),
            code,
        );
        assert!(msg.contains(arg(src)), "the message names the file: {msg}");
        assert_eq!(
            contents(&db),
            before,
            "restore of {} changed the database",
            src.display()
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("before-restore") || n.contains("partial"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "a refused restore leaves nothing: {leftovers:?}"
    );
}

#[test]
fn restore_repairs_a_corrupt_database_keeping_its_bytes() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    let bak = home.path().join("b.db");
    ok(&motus(
        home.path(),
        &["--db", arg(&db), "db", "backup", arg(&bak), "--json"],
    ));
    // Checkpoint away the WAL, then cut the file.
    open(&db)
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() / 2]).unwrap();
    let _ = std::fs::remove_file(
        home.path()
            .join(format!("{}-wal", db.file_name().unwrap().to_str().unwrap())),
    );
    let doc = ok(&motus(
        home.path(),
        &["--db", arg(&db), "db", "restore", arg(&bak), "--json"],
    ));
    assert_eq!(
        doc["previous_kept_as"],
        "byte copy (the current file is not a sound database)"
    );
    let kept = PathBuf::from(doc["previous_kept_at"].as_str().unwrap());
    assert_eq!(std::fs::read(&kept).unwrap(), &bytes[..bytes.len() / 2]);
    assert_eq!(contents(&db), contents(&bak));
    assert_eq!(
        ok(&motus(home.path(), &["--db", arg(&db), "doctor", "--json"]))["status"],
        "pass"
    );
}

#[test]
fn export_import_round_trip_on_the_populated_fixture_after_upgrade_is_lossless() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    let file = home.path().join("all.jsonl");
    let doc = ok(&motus(
        home.path(),
        &[
            "--db",
            arg(&db),
            "db",
            "export",
            "--out",
            arg(&file),
            "--json",
        ],
    ));
    assert_eq!(doc["tables"], 51);
    let rows = doc["rows"].as_u64().unwrap();
    assert!(rows > 2000, "{rows}");
    let copy = home.path().join("copy/imported.db");
    let doc = ok(&motus(
        home.path(),
        &["--db", arg(&copy), "db", "import", arg(&file), "--json"],
    ));
    assert_eq!(doc["created"], true);
    // Every table (sqlite_sequence included) has the same content hash.
    let (a, b) = (contents(&db), contents(&copy));
    assert_eq!(a.tables.len(), 51);
    assert_eq!(a, b, "{:?}", a.differences(&b));
    // Same schema object by object (triggers re-created in their original order).
    let sa = Snapshot::capture(&open(&db)).unwrap();
    let sb = Snapshot::capture(&open(&copy)).unwrap();
    assert!(sa.diff(&sb).is_empty(), "{:?}", sa.diff(&sb));
    assert_eq!(
        ok(&motus(
            home.path(),
            &["--db", arg(&copy), "doctor", "--json"]
        ))["status"],
        "pass"
    );
    // Importing the same export again is a no-op.
    let doc = ok(&motus(
        home.path(),
        &["--db", arg(&copy), "db", "import", arg(&file), "--json"],
    ));
    assert_eq!(doc["identical"], true);
}

#[test]
fn export_of_an_original_v20_database_imports_at_v20() {
    let home = tempfile::tempdir().unwrap();
    let db = copy_fixture("motusos-0.3.3-quickstart.db", home.path());
    let file = home.path().join("q.jsonl");
    ok(&motus(
        home.path(),
        &[
            "--db",
            arg(&db),
            "db",
            "export",
            "--out",
            arg(&file),
            "--json",
        ],
    ));
    let copy = home.path().join("q2.db");
    ok(&motus(
        home.path(),
        &["--db", arg(&copy), "db", "import", arg(&file), "--json"],
    ));
    assert_eq!(contents(&db), contents(&copy));
    let sa = Snapshot::capture(&open(&db)).unwrap();
    let sb = Snapshot::capture(&open(&copy)).unwrap();
    assert!(sa.diff(&sb).is_empty(), "{:?}", sa.diff(&sb));
    let st = ok(&motus(
        home.path(),
        &["--db", arg(&copy), "db", "status", "--json"],
    ));
    assert_eq!(st["schema_version"], 20);
    assert_eq!(st["written_by_original"], true);
}

#[test]
fn import_refuses_to_overwrite_different_data_and_says_what_differs() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    let file = home.path().join("all.jsonl");
    ok(&motus(
        home.path(),
        &[
            "--db",
            arg(&db),
            "db",
            "export",
            "--out",
            arg(&file),
            "--json",
        ],
    ));
    open(&db)
        .execute_batch("INSERT INTO metrics (timestamp, operation, elapsed_ms) VALUES ('t', 'newer-than-export', 2.0)")
        .unwrap();
    let newer = contents(&db);
    let out = motus(
        home.path(),
        &["--db", arg(&db), "db", "import", arg(&file), "--json"],
    );
    let msg = failed(&out, "import_conflict");
    assert!(
        msg.contains("metrics: 1 row(s) only in the database, 0 only in the export"),
        "{msg}"
    );
    assert!(msg.contains("--replace"), "{msg}");
    assert_eq!(contents(&db), newer, "nothing was written");

    let doc = ok(&motus(
        home.path(),
        &[
            "--db",
            arg(&db),
            "db",
            "import",
            arg(&file),
            "--replace",
            "--json",
        ],
    ));
    assert_eq!(doc["replaced"], true);
    let kept = PathBuf::from(doc["previous_kept_at"].as_str().unwrap());
    assert_eq!(contents(&kept), newer, "the replaced database is kept");
    let header: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let rows: u64 = header["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(contents(&db).total_rows(), rows);
}

#[test]
fn import_refuses_truncated_edited_and_foreign_files_and_creates_nothing() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    let file = home.path().join("all.jsonl");
    ok(&motus(
        home.path(),
        &[
            "--db",
            arg(&db),
            "db",
            "export",
            "--out",
            arg(&file),
            "--json",
        ],
    ));
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let write = |name: &str, data: String| {
        let p = home.path().join(name);
        std::fs::write(&p, data).unwrap();
        p
    };
    let truncated = write("t.jsonl", lines[..lines.len() - 40].join("\n"));
    let edited = write("e.jsonl", text.replacen("phase_a", "phase_q", 1));
    let bad_value = write(
        "v.jsonl",
        text.replacen("\"values\":[", "\"values\":[1.5,", 1),
    );
    let not_export = write("n.jsonl", "{\"hello\": 1}\n".into());
    let empty = write("z.jsonl", String::new());
    for (input, needle) in [
        (&truncated, "truncated"),
        (&edited, "fingerprints"),
        (&bad_value, "line 2"),
        (&not_export, "not a Motus export header"),
        (&empty, "is empty"),
    ] {
        let target = home.path().join("target.db");
        let msg = failed(
            &motus(
                home.path(),
                &["--db", arg(&target), "db", "import", arg(input), "--json"],
            ),
            "invalid_input",
        );
        assert!(msg.contains(needle), "{}: {msg}", input.display());
        assert!(!target.exists(), "a refused import creates no database");
    }
    let leftovers: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(".tmp") || n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn export_to_stdout_and_import_from_stdin_with_progress_for_large_databases() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("big.db");
    ok(&motus(
        home.path(),
        &["--db", arg(&db), "db", "init", "--json"],
    ));
    open(&db)
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
             INSERT INTO metrics (timestamp, operation, elapsed_ms, metadata)
             SELECT 't', 'op' || i, i * 0.5, CASE WHEN i % 3 = 0 THEN NULL ELSE hex(randomblob(8)) END FROM n",
        )
        .unwrap();
    let out = motus(
        home.path(),
        &["--db", arg(&db), "db", "export", "--out", "-"],
    );
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // A pipe gets the summary, counting every row, and no progress bar (no escape codes, no
    // carriage returns): the bar is drawn on a terminal only.
    assert!(
        stderr.contains("motus: exported") && stderr.contains("30173 rows"),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\r'),
        "{stderr:?}"
    );
    let exported = out.stdout;
    let copy = home.path().join("big2.db");
    let mut child = std::process::Command::new(motus_tests::motus_bin())
        .args(["--db", arg(&copy), "db", "import", "-", "--json"])
        .env("HOME", home.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&exported).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let doc = ok(&out);
    // Under --json the document is the report (rows counted), and stderr stays empty.
    assert_eq!(doc["rows"], 30173, "{doc}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(contents(&db), contents(&copy));
}

fn repair<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["repairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no repair {name} in {doc}"))
}

#[test]
fn doctor_fix_repairs_leases_and_attempts_the_original_left_open_then_finds_nothing() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    let doc = ok(&motus(
        home.path(),
        &["--db", arg(&db), "doctor", "--fix", "--json"],
    ));
    let leases = repair(&doc, "expired_leases");
    assert_eq!(
        (leases["outcome"].as_str(), leases["count"].as_u64()),
        (Some("repaired"), Some(5)),
        "{leases}"
    );
    let attempts = repair(&doc, "open_attempts");
    assert_eq!(
        (attempts["outcome"].as_str(), attempts["count"].as_u64()),
        (Some("repaired"), Some(1)),
        "{attempts}"
    );
    assert_eq!(doc["status"], "pass");
    // The original's history is explained, not counted as a failure.
    assert_eq!(repair(&doc, "kernel_invariants")["outcome"], "explained");
    let c = open(&db);
    let still_open: i64 = c
        .inner()
        .query_row(
            "SELECT count(*) FROM attempts a JOIN coordination_leases l ON l.attempt_id = a.id WHERE a.ended_at IS NULL AND l.status != 'active'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let overdue: i64 = c
        .inner()
        .query_row(
            "SELECT count(*) FROM coordination_leases WHERE status = 'active' AND datetime(heartbeat_deadline) < datetime('now')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!((still_open, overdue), (0, 0));
    let audited: i64 = c
        .inner()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE event_type IN ('doctor.fix', 'work.expire')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 6, "one audit row per repaired record");
    drop(c);
    // Idempotent: a second run finds nothing to repair.
    let again = ok(&motus(
        home.path(),
        &["--db", arg(&db), "doctor", "--fix", "--json"],
    ));
    for r in again["repairs"].as_array().unwrap() {
        assert!(
            r["outcome"] == "clean" || r["outcome"] == "explained",
            "{r}"
        );
    }
    assert_eq!(again["summary"]["repaired"], 0);
}

#[test]
fn doctor_fix_checkpoints_the_wal_and_fills_missing_audit_columns() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("w.db");
    ok(&motus(
        home.path(),
        &["--db", arg(&db), "db", "init", "--json"],
    ));
    // A connection that keeps the WAL from being checkpointed on close, and writes into it.
    let holder = open(&db);
    holder
        .execute_batch(
            "PRAGMA wal_autocheckpoint = 0;
             UPDATE terminology SET created_at = '', updated_at = NULL WHERE rowid IN (1, 2, 3);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO metrics (timestamp, operation, elapsed_ms) SELECT 't', 'op' || i, 1.0 FROM n;",
        )
        .unwrap();
    let wal = home.path().join("w.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    let doc = ok(&motus(
        home.path(),
        &["--db", arg(&db), "doctor", "--fix", "--json"],
    ));
    let cp = repair(&doc, "wal_checkpoint");
    assert_eq!(cp["outcome"], "repaired", "{cp}");
    assert!(cp["count"].as_u64().unwrap() > 0);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "WAL truncated");
    let cols = repair(&doc, "audit_columns");
    assert_eq!(cols["outcome"], "repaired", "{cols}");
    assert_eq!(cols["details"][0], "terminology: 3 row(s)");
    let missing: i64 = holder
        .inner()
        .query_row(
            "SELECT count(*) FROM terminology WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = ''",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(missing, 0);
}

#[test]
fn doctor_fix_refuses_to_write_into_a_damaged_file() {
    let home = tempfile::tempdir().unwrap();
    let db = populated(home.path());
    open(&db)
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let mut bytes = std::fs::read(&db).unwrap();
    let n = bytes.len();
    bytes.truncate(n / 2);
    std::fs::write(&db, &bytes).unwrap();
    let out = motus(
        home.path(),
        &["--db", arg(&db), "doctor", "--fix", "--json"],
    );
    failed(&out, "corrupt");
    let hint = stdout_json(&out)["error"]["hint"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(hint.contains("restore"), "{hint}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "nothing written");
}
