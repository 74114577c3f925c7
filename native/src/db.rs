//! Opening the coordination database from the CLI: read commands open it read-only and
//! require the current schema; write commands create it on first use and upgrade an older
//! schema in place, writing a backup beside it first.

use crate::cluster::{self, DbConn};
use crate::host::SystemClock;
use crate::output::CliError;
use crate::paths;
use motus_core::migrate::{open, Migrator, Report, Status};
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{Clock, Connection};
use std::path::{Path, PathBuf};

pub struct Db {
    pub path: PathBuf,
    /// A local file, or a dqlite cluster for `--db dqlite://…` (see `crate::cluster`).
    pub conn: DbConn,
}

fn path_str(path: &Path) -> Result<&str, CliError> {
    path.to_str()
        .ok_or_else(|| CliError::usage(format!("the path {} is not valid UTF-8", path.display())))
}

/// Refuses paths that cannot be a database file (a side file, a FIFO, a device, a directory),
/// with a specific message; true when the file exists.
fn check_existing(path: &Path) -> Result<bool, CliError> {
    Ok(paths::check(path, paths::Role::Database)? == paths::Found::File)
}

/// Opens a database file the way every command must: the WAL beside it is checked first (one
/// that does not belong to this file is refused before SQLite could apply it), and the
/// connection never checkpoints on close, so a command that then finds the file unsound
/// leaves every byte of it as it was.
///
/// Call it only while this process has no other connection to the same file: the check opens
/// and closes the side files, and closing a descriptor drops every POSIX lock the process
/// holds on that file — SQLite's included. A second connection uses [`open_another`].
pub fn open_file(path: &Path, mode: OpenMode) -> Result<SqliteConnection, CliError> {
    paths::check_side_files(path)?;
    crate::wal::refuse_unsound(path)?;
    if mode == OpenMode::ReadOnly && unwritable_dir_without_wal(path) {
        // SQLite would need to create `-shm` beside the file to read it. No process can be
        // writing it (a writer would need the folder to create its WAL), so the file is
        // read as it is on disk.
        let conn = SqliteConnection::open(&immutable_uri(path)?, mode)
            .map_err(|e| CliError::from(e).at(path))?;
        return Ok(conn);
    }
    open_another(path, mode)
}

/// True when the folder of `path` cannot be written by us and no WAL with content is beside
/// the file (so nothing can change it while we read).
fn unwritable_dir_without_wal(path: &Path) -> bool {
    let dir = crate::files::parent_dir(path);
    #[cfg(unix)]
    let writable = {
        let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()) else {
            return false;
        };
        // SAFETY: access() on a valid C string.
        let rc = unsafe { libc::access(c.as_ptr(), libc::W_OK) };
        rc == 0
    };
    // Windows: the folder's read-only attribute (its access list is not consulted).
    #[cfg(not(unix))]
    let writable = std::fs::metadata(&dir).is_ok_and(|m| !m.permissions().readonly());
    let wal_len = std::fs::metadata(paths::side_file(path, "-wal")).map_or(0, |m| m.len());
    !writable && wal_len == 0
}

/// `file:PATH?immutable=1`, with the characters a URI path cannot hold escaped.
fn immutable_uri(path: &Path) -> Result<String, CliError> {
    let abs = std::path::absolute(path).map_err(|e| {
        CliError::failed(
            "cannot_open",
            format!("cannot resolve {}: {e}", path.display()),
        )
    })?;
    let mut uri = String::from("file:");
    for b in path_str(&abs)?.bytes() {
        match b {
            b'%' | b'?' | b'#' => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(b as char),
        }
    }
    uri.push_str("?immutable=1");
    Ok(uri)
}

/// A further connection to a file this process already opened with [`open_file`] (so already
/// checked): no side file is opened outside SQLite, no checkpoint on close.
pub fn open_another(path: &Path, mode: OpenMode) -> Result<SqliteConnection, CliError> {
    let conn =
        SqliteConnection::open(path_str(path)?, mode).map_err(|e| CliError::from(e).at(path))?;
    conn.skip_checkpoint_on_close()
        .map_err(|e| CliError::from(e).at(path))?;
    Ok(conn)
}

/// A userland.db passed as --db would otherwise be reported as a coordination database whose
/// migrations changed; say what it is instead.
fn refuse_userland_db<C: Connection + ?Sized>(path: &Path, conn: &C) -> Result<(), CliError> {
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
            crate::output::note(&format!(
                "motus: {}: {notice}; `motus db migrate` would upgrade it (backup first)",
                path.display()
            ));
        }
    }
    Ok(db)
}

/// Opens an existing database read-only at whatever version it is (for status and doctor).
pub fn open_read_any(path: &Path) -> Result<Db, CliError> {
    if let Some(url) = cluster::url_of(path)? {
        return open_cluster(path, &url, true);
    }
    if !check_existing(path)? {
        return Err(CliError::failed(
            "not_found",
            format!(
                "no database at {}; create it with `motus db init` (or pass --db PATH)",
                path.display()
            ),
        ));
    }
    let conn = open_file(path, OpenMode::ReadOnly)?;
    // Touch the schema now so a foreign or damaged file fails here with its own error.
    motus_core::engine::catalogue::object_count(&conn).map_err(|e| CliError::from(e).at(path))?;
    refuse_userland_db(path, &conn)?;
    Ok(Db {
        path: path.to_path_buf(),
        conn: DbConn::File(conn),
    })
}

fn open_cluster(
    path: &Path,
    url: &dqlite_client::DqliteUrl,
    read_only: bool,
) -> Result<Db, CliError> {
    let conn = cluster::open(url, read_only)?;
    refuse_userland_db(path, &conn)?;
    Ok(Db {
        path: path.to_path_buf(),
        conn: DbConn::Cluster(conn),
    })
}

/// Opens (creating if missing) for writing and brings the schema to the latest version.
/// Returns the migration report when anything was applied.
pub fn open_write(path: &Path) -> Result<(Db, Option<Report>), CliError> {
    let db = match cluster::url_of(path)? {
        Some(url) => open_cluster(path, &url, false)?,
        None => {
            let existed = check_existing(path)?;
            if !existed {
                create_private(path)?;
            }
            let conn = open_file(path, OpenMode::ReadWrite)?;
            if existed {
                refuse_userland_db(path, &conn)?;
            }
            Db {
                path: path.to_path_buf(),
                conn: DbConn::File(conn),
            }
        }
    };
    let report = if is_current_fast(&db)? {
        None
    } else {
        let report = migrate(&db, false)?;
        (!report.applied.is_empty()).then_some(report)
    };
    if let (Some(_), DbConn::File(conn)) = (&report, &db.conn) {
        // A schema change leaves a WAL of ~2 MB (connections never checkpoint on close): fold
        // it into the main file so that after set-up or an upgrade the database is one
        // self-contained file for copies, the viewer and other tools. Best effort: the file
        // is sound either way.
        let _ = motus_core::file_tools::repair::checkpoint(conn);
    }
    if !db.conn.is_cluster() {
        paths::restrict_files(path);
    }
    Ok((db, report))
}

/// Creates a new, empty database file: 0600 from the start, in a 0700 directory, never
/// through a symlink. Another process creating it at the same moment is fine.
pub fn create_private(path: &Path) -> Result<(), CliError> {
    crate::files::ensure_parent_dir(path).map_err(|e| {
        CliError::failed(
            "cannot_open",
            format!("cannot create the directory for {}: {e}", path.display()),
        )
    })?;
    match crate::files::create_new_private(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => check_existing(path).map(|_| ()),
        Err(e) => Err(CliError::failed(
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                "read_only"
            } else {
                "cannot_open"
            },
            format!("cannot create {}: {e}", path.display()),
        )),
    }
}

/// One cheap query instead of the full ledger check, for the common case.
fn is_current_fast(db: &Db) -> Result<bool, CliError> {
    // File names only: parsing and hashing every migration would cost ~1 ms per call.
    let (latest, count_embedded) = motus_core::migrate::coordination_summary();
    match motus_core::migrate::Migrator::coordination().ledger_summary(&db.conn) {
        Ok((max, count)) => Ok(max == Some(latest) && count as usize == count_embedded),
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
    if let (false, false, Some(file)) = (dry_run, status.pending.is_empty(), db.conn.file()) {
        file.ensure_wal()
            .map_err(|e| CliError::from(e).at(&db.path))?;
    }
    let clock = SystemClock;
    let mut backup = |s: &Status| backup_before_upgrade(db, s, &clock);
    let mut bar =
        crate::progress::Bar::new("migrating", &[(motus_core::progress::Step::Migrating, 1)]);
    let report = migrator
        .migrate_with_progress(&db.conn, &clock, dry_run, &mut backup, &mut bar)
        .map_err(|e| CliError::from(e).at(&db.path))?;
    drop(bar);
    if let Some(b) = &report.backup_path {
        crate::output::note(&format!(
            "motus: backed up {} to {} before upgrading",
            db.path.display(),
            b
        ));
    }
    Ok(report)
}

fn backup_before_upgrade(
    db: &Db,
    status: &Status,
    clock: &dyn Clock,
) -> motus_core::Result<Option<String>> {
    let file = match &db.conn {
        DbConn::File(f) => f,
        // A cluster has no file to copy beside it: its export (JSON Lines, lossless) in
        // the working directory is the backup, `db import --replace` its restore.
        DbConn::Cluster(c) => {
            let url = c.url().clone();
            let why = format!("before-migrate-v{}", status.current_version);
            let kept =
                cluster::export_kept(c, &url, &why).map_err(|e| motus_core::Error::CannotOpen {
                    message: format!("no backup, so no upgrade: {}", e.message),
                })?;
            return Ok(Some(kept.to_string_lossy().into_owned()));
        }
    };
    // Core's name (the JS API writes the same), `.backup-v20-20261126075047123-<random>`:
    // unique to the millisecond plus a random part.
    let dest = PathBuf::from(open::backup_file_name(
        &db.path.to_string_lossy(),
        status.current_version,
        clock.now(),
        Some(&crate::files::random_suffix(6)),
    ));
    let io = |e: std::io::Error| motus_core::Error::CannotOpen {
        message: format!("cannot write the backup {}: {e}", dest.display()),
    };
    // Built in a private staging directory and renamed into place when complete: a killed
    // run never leaves a file named like a finished backup.
    let staged = crate::files::Staged::new(&dest).map_err(io)?;
    file.vacuum_into(&staged.path().to_string_lossy())?;
    staged
        .place(crate::files::Overwrite::Refuse)
        .map_err(|e| match e {
            crate::files::PlaceError::Io(e) => io(e),
            crate::files::PlaceError::Exists(p) => motus_core::Error::CannotOpen {
                message: format!("{} appeared while the backup was written", p.display()),
            },
        })?;
    Ok(Some(dest.to_string_lossy().into_owned()))
}
