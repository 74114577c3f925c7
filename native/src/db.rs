//! Opening the coordination database from the CLI: read commands open it read-only and
//! require the current schema; write commands create it on first use and upgrade an older
//! schema in place, writing a backup beside it first.

use crate::host::SystemClock;
use crate::output::CliError;
use crate::paths;
use motus_core::migrate::{open, Migrator, Report, Status};
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{Clock, Connection, ConnectionExt};
use std::path::{Path, PathBuf};

pub struct Db {
    pub path: PathBuf,
    pub conn: SqliteConnection,
}

fn path_str(path: &Path) -> Result<&str, CliError> {
    path.to_str()
        .ok_or_else(|| CliError::usage(format!("the path {} is not valid UTF-8", path.display())))
}

/// Refuses paths that cannot be a database file, with a specific message.
fn check_existing(path: &Path) -> Result<bool, CliError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(CliError::failed(
            "not_a_database",
            format!(
                "{} is a directory, not a database file; pass the path of the .db file",
                path.display()
            ),
        )),
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(CliError::failed(
            "cannot_open",
            format!("cannot read {}: {e}", path.display()),
        )),
    }
}

/// A userland.db passed as --db would otherwise be reported as a coordination database whose
/// migrations changed; say what it is instead.
fn refuse_userland_db(path: &Path, conn: &SqliteConnection) -> Result<(), CliError> {
    use motus_core::userland::detect::{detect, FileKind};
    if detect(conn).map_err(|e| CliError::from(e).at(path))? == FileKind::Userland {
        return Err(CliError::failed(
            "not_motus",
            format!(
                "{} is a userland.db (preferences, skills, rules, patterns), not a coordination database; pass it with --userland PATH and --db with the coordination.db",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Opens an existing database read-only, at any schema version this build knows (core's
/// open policy, `motus_core::migrate::open`): an older one is read as it is, with one line
/// on stderr saying that `motus db migrate` would upgrade it.
pub fn open_read(path: &Path) -> Result<Db, CliError> {
    let db = open_read_any(path)?;
    // The cheap ledger check decides the common case; the full one explains anything else.
    if !is_current_fast(&db)? {
        let access = open::read_access(&db.conn).map_err(|e| CliError::from(e).at(path))?;
        if let Some(notice) = access.notice() {
            eprintln!(
                "motus: {}: {notice}; `motus db migrate` would upgrade it (backup first)",
                path.display()
            );
        }
    }
    Ok(db)
}

/// Opens an existing database read-only at whatever version it is (for status and doctor).
pub fn open_read_any(path: &Path) -> Result<Db, CliError> {
    if !check_existing(path)? {
        return Err(CliError::failed(
            "not_found",
            format!(
                "no database at {}; create it with `motus db init` (or pass --db PATH)",
                path.display()
            ),
        ));
    }
    let conn = SqliteConnection::open(path_str(path)?, OpenMode::ReadOnly)
        .map_err(|e| CliError::from(e).at(path))?;
    // Touch the schema now so a foreign or damaged file fails here with its own error.
    conn.query_scalar::<i64>("SELECT count(*) FROM sqlite_master", &[])
        .map_err(|e| CliError::from(e).at(path))?;
    refuse_userland_db(path, &conn)?;
    Ok(Db {
        path: path.to_path_buf(),
        conn,
    })
}

/// Opens (creating if missing) for writing and brings the schema to the latest version.
/// Returns the migration report when anything was applied.
pub fn open_write(path: &Path) -> Result<(Db, Option<Report>), CliError> {
    let existed = check_existing(path)?;
    if !existed {
        paths::ensure_parent_dir(path).map_err(|e| {
            CliError::failed(
                "cannot_open",
                format!("cannot create the directory for {}: {e}", path.display()),
            )
        })?;
    }
    let conn = SqliteConnection::open(path_str(path)?, OpenMode::ReadWriteCreate)
        .map_err(|e| CliError::from(e).at(path))?;
    if existed {
        refuse_userland_db(path, &conn)?;
    }
    let db = Db {
        path: path.to_path_buf(),
        conn,
    };
    let report = if is_current_fast(&db)? {
        None
    } else {
        let report = migrate(&db, false)?;
        (!report.applied.is_empty()).then_some(report)
    };
    paths::restrict_files(path);
    Ok((db, report))
}

/// One cheap query instead of the full ledger check, for the common case.
fn is_current_fast(db: &Db) -> Result<bool, CliError> {
    // File names only: parsing and hashing every migration would cost ~1 ms per call.
    let (latest, count_embedded) = motus_core::migrate::coordination_summary();
    let row = db
        .conn
        .query("SELECT max(version), count(*) FROM schema_version", &[]);
    match row {
        Ok(rows) => {
            let r = rows.first().expect("aggregate returns one row");
            let max: Option<i64> = r.get(0).map_err(CliError::from)?;
            let count: i64 = r.get(1).map_err(CliError::from)?;
            Ok(max == Some(latest) && count as usize == count_embedded)
        }
        // No ledger (new or foreign file): the full check decides.
        Err(motus_core::Error::Sql { .. }) => Ok(false),
        Err(e) => Err(CliError::from(e).at(&db.path)),
    }
}

/// Applies pending migrations (or plans them, with `dry_run`), backing up first.
pub fn migrate(db: &Db, dry_run: bool) -> Result<Report, CliError> {
    let migrator = Migrator::coordination();
    // Check what the file is before anything writes to it (even the journal mode).
    let status = migrator
        .status(&db.conn)
        .map_err(|e| CliError::from(e).at(&db.path))?;
    if !dry_run && !status.pending.is_empty() {
        db.conn
            .ensure_wal()
            .map_err(|e| CliError::from(e).at(&db.path))?;
    }
    let clock = SystemClock;
    let mut backup = |s: &Status| backup_before_upgrade(db, s, &clock);
    let report = migrator
        .migrate(&db.conn, &clock, dry_run, &mut backup)
        .map_err(|e| CliError::from(e).at(&db.path))?;
    if let Some(b) = &report.backup_path {
        eprintln!(
            "motus: backed up {} to {} before upgrading",
            db.path.display(),
            b
        );
    }
    Ok(report)
}

fn backup_before_upgrade(
    db: &Db,
    status: &Status,
    clock: &dyn Clock,
) -> motus_core::Result<Option<String>> {
    // The name is core's (the JS API writes the same); a second upgrade attempt in the same
    // millisecond gets `-2`, ….
    let now = clock.now();
    let db_path = db.path.to_string_lossy();
    let dest = (1..)
        .map(|n| {
            PathBuf::from(open::backup_file_name(
                &db_path,
                status.current_version,
                now,
                n,
            ))
        })
        .find(|p| !p.exists())
        .expect("some name is free");
    let dest_str = dest.to_string_lossy().into_owned();
    if let Err(e) = db.conn.vacuum_into(&dest_str) {
        // A failed copy (a full disk, a read-only folder) must not leave half a backup.
        let _ = std::fs::remove_file(&dest);
        return Err(e);
    }
    paths::restrict_files(&dest);
    Ok(Some(dest_str))
}
