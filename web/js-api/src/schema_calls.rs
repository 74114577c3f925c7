//! `init`, `migrate` and `status`: the `motus db …` commands over any connection, returning
//! the documents `motus db … --json` prints (same fields, same meaning).

use motus_core::answer::migrate::MigrateAnswer;
use motus_core::answer::ops::{InitAnswer, StatusAnswer};
use motus_core::migrate::{Migrator, Status};
use motus_core::{Clock, Connection, Result};

/// Where a pre-upgrade backup goes (the CLI always writes one beside the file).
#[derive(Debug, Clone, PartialEq)]
pub enum Backup {
    /// No file to copy (an in-module database) or the caller said no.
    None,
    /// `VACUUM INTO` this path, through the connection.
    To(String),
    /// Beside the database file (its path, then a random part), named as the CLI names it.
    BesideFile(String, String),
}

/// File sizes, when the host knows them; otherwise the main database's page count.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sizes {
    pub size_bytes: Option<u64>,
    pub wal_size_bytes: Option<u64>,
}

pub fn status<C: Connection + ?Sized>(
    conn: &C,
    path: Option<&str>,
    sizes: Sizes,
) -> Result<StatusAnswer> {
    let s: Status = Migrator::coordination().status(conn)?;
    let size_bytes = match sizes.size_bytes {
        Some(n) => n,
        None => database_bytes(conn)?,
    };
    Ok(StatusAnswer {
        path: path.map(str::to_owned),
        schema_version: s.current_version,
        latest_version: s.latest_version,
        is_current: s.is_current(),
        written_by_original: s.written_by_original(),
        pending: s.pending.clone(),
        applied: s.applied.clone(),
        size_bytes,
        wal_size_bytes: sizes.wal_size_bytes.unwrap_or(0),
    })
}

fn database_bytes<C: Connection + ?Sized>(conn: &C) -> Result<u64> {
    motus_core::engine::local_file::size_bytes(conn)
}

/// Applies pending migrations as the CLI's write path does: check what the file is first,
/// switch a file to WAL, back up a database that holds data, then one transaction each.
fn apply<C: Connection + ?Sized>(
    conn: &C,
    clock: &dyn Clock,
    dry_run: bool,
    backup: &Backup,
    use_wal: bool,
) -> Result<motus_core::migrate::Report> {
    let migrator = Migrator::coordination();
    let status = migrator.status(conn)?;
    // WAL is a local file's setting; a host that did not say which file it is on keeps its mode.
    if !dry_run && !status.pending.is_empty() && use_wal && conn.is_local_file() {
        motus_core::engine::local_file::use_wal_journal(conn)?;
    }
    let mut write_backup = |s: &Status| -> Result<Option<String>> {
        let dest = match backup {
            Backup::None => return Ok(None),
            Backup::To(p) => p.clone(),
            Backup::BesideFile(db_path, unique) => {
                backup_name(db_path, s.current_version, clock, unique)
            }
        };
        motus_core::engine::local_file::vacuum_into(conn, &dest)?;
        Ok(Some(dest))
    };
    migrator.migrate(conn, clock, dry_run, &mut write_backup)
}

/// The backup name core's open policy gives, with a random part as the CLI's (two upgrades
/// of one file in the same millisecond, from two processes, never collide).
pub fn backup_name(db_path: &str, version: i64, clock: &dyn Clock, unique: &str) -> String {
    motus_core::migrate::open::backup_file_name(db_path, version, clock.now(), Some(unique))
}

pub fn init<C: Connection + ?Sized>(
    conn: &C,
    clock: &dyn Clock,
    path: Option<&str>,
    backup: &Backup,
    use_wal: bool,
) -> Result<InitAnswer> {
    let before = Migrator::coordination().status(conn)?;
    let report = apply(conn, clock, false, backup, use_wal)?;
    let after = Migrator::coordination().status(conn)?;
    Ok(InitAnswer {
        path: path.map(str::to_owned),
        created: before.is_new,
        schema_version: after.current_version,
        applied: report.applied,
        backup_path: report.backup_path,
    })
}

/// `motus db migrate [--dry-run]`: core's `db.migrate` answer, as the CLI prints it.
pub fn migrate<C: Connection + ?Sized>(
    conn: &C,
    clock: &dyn Clock,
    path: Option<&str>,
    dry_run: bool,
    backup: &Backup,
    use_wal: bool,
) -> Result<MigrateAnswer> {
    let report = apply(conn, clock, dry_run, backup, use_wal)?;
    let after = Migrator::coordination().status(conn)?;
    Ok(MigrateAnswer::new(
        path,
        dry_run,
        report.from_version,
        Some(&report),
        &after,
    ))
}
#[cfg(test)]
mod tests {
    use super::*;
    use motus_core::sqlite::SqliteConnection;
    use motus_core::{ManualClock, Timestamp};

    fn clock() -> ManualClock {
        ManualClock::at(Timestamp::parse("2026-11-26 07:08:12.345").unwrap())
    }

    #[test]
    fn init_creates_then_reports_current() {
        let conn = SqliteConnection::open_in_memory().unwrap();
        let doc = init(&conn, &clock(), None, &Backup::None, false).unwrap();
        assert!(doc.created);
        assert_eq!(doc.schema_version, motus_core::migrate::latest_version());
        assert_eq!(doc.applied.len(), motus_core::migrate::coordination().len());
        let again = init(&conn, &clock(), None, &Backup::None, false).unwrap();
        assert!(!again.created);
        assert!(again.applied.is_empty());
        let s = status(&conn, Some("x.db"), Sizes::default()).unwrap();
        assert!(s.is_current);
        assert!(s.size_bytes > 0);
        assert_eq!(s.path.as_deref(), Some("x.db"));
    }

    #[test]
    fn dry_run_lists_and_changes_nothing() {
        let conn = SqliteConnection::open_in_memory().unwrap();
        let doc = migrate(&conn, &clock(), None, true, &Backup::None, false).unwrap();
        assert_eq!(doc.from_version, 0);
        assert_eq!(
            doc.would_apply.len(),
            motus_core::migrate::coordination().len()
        );
        assert_eq!(doc.pending.len(), doc.would_apply.len());
        assert!(status(&conn, None, Sizes::default())
            .unwrap()
            .applied
            .is_empty());
    }

    #[test]
    fn backup_is_named_as_the_cli_names_it() {
        assert_eq!(
            backup_name("/d/coordination.db", 20, &clock(), "a1b2c3"),
            "/d/coordination.db.backup-v20-20261126070812345-a1b2c3"
        );
    }
}
