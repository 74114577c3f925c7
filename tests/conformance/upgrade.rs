//! Upgrading databases written by the original, and the runner's refusals.

use motus_core::file_tools::fingerprint;
use motus_core::migrate::{self, Migrator, Provenance};
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{Connection, ConnectionExt, Error};
use motus_tests::{copy_fixture, fixture, fresh_memory_db, test_clock};

fn open_rw(path: &std::path::Path) -> SqliteConnection {
    SqliteConnection::open(path.to_str().unwrap(), OpenMode::ReadWrite).unwrap()
}

fn no_backup() -> impl FnMut(&migrate::Status) -> motus_core::Result<Option<String>> {
    |_| Ok(None)
}

#[test]
fn the_originals_ledger_is_recognised_as_our_versions_1_to_20() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture("motusos-0.3.3-fresh.db", dir.path());
    let status = Migrator::coordination().status(&open_rw(&path)).unwrap();
    assert_eq!(status.current_version, 20);
    assert!(status
        .applied
        .iter()
        .all(|a| a.provenance == Provenance::Original));
    assert_eq!(
        status.pending.iter().map(|p| p.version).collect::<Vec<_>>(),
        migrate::coordination()
            .iter()
            .filter(|m| m.version > 20)
            .map(|m| m.version)
            .collect::<Vec<_>>()
    );
}

#[test]
fn upgrading_each_fixture_keeps_every_row_of_every_table() {
    for name in [
        "motusos-0.3.3-fresh.db",
        "motusos-0.3.3-quickstart.db",
        "motusos-0.3.3-populated.db",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = copy_fixture(name, dir.path());
        let conn = open_rw(&path);
        let before = fingerprint::all_tables(&conn).unwrap();
        let mut backups = 0;
        let report = Migrator::coordination()
            .migrate(&conn, &test_clock(), false, &mut |_| {
                backups += 1;
                Ok(None)
            })
            .unwrap();
        assert_eq!(
            backups, 1,
            "{name}: a database with data is backed up before an upgrade"
        );
        assert_eq!(report.from_version, 20);
        assert_eq!(report.to_version, migrate::latest_version());
        let after = fingerprint::all_tables(&conn).unwrap();
        for (table, fp) in &before {
            if table == "schema_version" {
                continue;
            }
            assert_eq!(
                after.get(table),
                Some(fp),
                "{name}: table {table} changed during the upgrade"
            );
        }
        let ok: String = conn.query_one("PRAGMA integrity_check", &[]).unwrap();
        assert_eq!(ok, "ok");
        assert!(
            conn.query("PRAGMA foreign_key_check", &[])
                .unwrap()
                .is_empty(),
            "{name}"
        );
    }
}

#[test]
fn running_the_runner_twice_applies_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture("motusos-0.3.3-quickstart.db", dir.path());
    let conn = open_rw(&path);
    let first = Migrator::coordination()
        .migrate(&conn, &test_clock(), false, &mut no_backup())
        .unwrap();
    assert!(!first.applied.is_empty());
    let ledger_before = fingerprint::table(&conn, "schema_version").unwrap();
    let second = Migrator::coordination()
        .migrate(&conn, &test_clock(), false, &mut no_backup())
        .unwrap();
    assert!(second.applied.is_empty());
    assert_eq!(
        fingerprint::table(&conn, "schema_version").unwrap(),
        ledger_before
    );
}

#[test]
fn a_migration_that_fails_halfway_leaves_the_database_exactly_as_it_was() {
    let mut set = migrate::coordination().to_vec();
    let broken_text = "-- UP\nCREATE TABLE half_done(x INTEGER);\nINSERT INTO half_done VALUES (1);\nINSERT INTO no_such_table VALUES (1);\n";
    let next = set.last().unwrap().version + 1;
    set.push(migrate::parse::parse(&format!("{next:03}_broken.sql"), broken_text).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture("motusos-0.3.3-populated.db", dir.path());
    let conn = open_rw(&path);
    Migrator::coordination()
        .migrate(&conn, &test_clock(), false, &mut no_backup())
        .unwrap();
    let before = fingerprint::all_tables(&conn).unwrap();
    let schema_before: i64 = conn.query_one("PRAGMA schema_version", &[]).unwrap();
    let err = Migrator::with_migrations(&set)
        .migrate(&conn, &test_clock(), false, &mut no_backup())
        .unwrap_err();
    match &err {
        Error::MigrationFailed { version, .. } => assert_eq!(*version, next),
        other => panic!("expected MigrationFailed, got {other:?}"),
    }
    assert!(
        err.to_string().contains("no such table: no_such_table"),
        "{err}"
    );
    assert_eq!(fingerprint::all_tables(&conn).unwrap(), before);
    assert!(!conn.has_object("table", "half_done").unwrap());
    let schema_after: i64 = conn.query_one("PRAGMA schema_version", &[]).unwrap();
    assert_eq!(schema_before, schema_after, "no DDL survived the rollback");
}

#[test]
fn a_foreign_sqlite_file_is_refused_without_being_touched() {
    for name in ["motusos-0.6.5-fresh.db", "motusos-0.6.5-populated.db"] {
        let dir = tempfile::tempdir().unwrap();
        let path = copy_fixture(name, dir.path());
        let bytes_before = std::fs::read(&path).unwrap();
        let conn = open_rw(&path);
        let err = Migrator::coordination()
            .migrate(&conn, &test_clock(), false, &mut no_backup())
            .unwrap_err();
        assert_eq!(err.code(), "not_motus", "{name}: {err}");
        assert!(err.to_string().contains("motusos 0.4 or later"), "{err}");
        drop(conn);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes_before,
            "{name} was modified"
        );
    }
}

#[test]
fn a_file_that_is_not_sqlite_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "this is a text file, not a database\n".repeat(200)).unwrap();
    // SQLite may notice when the connection is set up, or at the first query.
    let err = SqliteConnection::open(path.to_str().unwrap(), OpenMode::ReadWrite)
        .and_then(|conn| Migrator::coordination().status(&conn))
        .unwrap_err();
    assert_eq!(err.code(), "not_a_database", "{err}");
}

#[test]
fn a_newer_schema_is_refused() {
    let conn = fresh_memory_db();
    let future = migrate::latest_version() + 1;
    conn.execute(
        "INSERT INTO schema_version (version, migration_name, checksum) VALUES (?1, 'from_the_future', 'ffffffffffffffff')",
        &[future.into()],
    )
    .unwrap();
    let err = Migrator::coordination().status(&conn).unwrap_err();
    assert_eq!(
        err,
        Error::SchemaTooNew {
            found: future,
            supported: migrate::latest_version()
        }
    );
}

#[test]
fn a_changed_migration_is_refused() {
    let conn = fresh_memory_db();
    conn.execute(
        "UPDATE schema_version SET checksum = '0123456789abcdef' WHERE version = 21",
        &[],
    )
    .unwrap();
    let err = Migrator::coordination().status(&conn).unwrap_err();
    assert_eq!(err.code(), "migration_changed", "{err}");
    assert!(err.to_string().contains("migration 21"), "{err}");
}

#[test]
fn embedded_migrations_parse_and_are_numbered_without_gaps() {
    let all = migrate::coordination();
    for (i, m) in all.iter().enumerate() {
        assert_eq!(m.version, i as i64 + 1, "{}", m.file_name);
    }
    assert!(all.len() > 20);
    assert!(fixture("motusos-0.3.3-fresh.db").exists());
}

#[test]
fn a_database_upgraded_past_20_by_another_tool_is_refused() {
    let conn = fresh_memory_db();
    conn.execute(
        "UPDATE schema_version SET migration_name = 'standard_versioning' WHERE version = 21",
        &[],
    )
    .unwrap();
    let err = Migrator::coordination().status(&conn).unwrap_err();
    assert_eq!(err.code(), "not_motus", "{err}");
    assert!(err.to_string().contains("standard_versioning"), "{err}");
}
