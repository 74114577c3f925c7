//! Opening the userland tables for a command: coordination.db as every command opens it, then
//! userland.db attached when coordination.db's marker says the rows moved there.

use super::super::ctx::Ctx;
use crate::db::{self, Db};
use crate::host::{OsIds, SystemClock};
use crate::output::CliError;
use crate::paths;
use motus_core::migrate::{Migrator, Status};
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::userland::detect::{detect, FileKind};
use motus_core::userland::location::{self, Location, Placement};
use motus_core::{Clock, Env};
use std::path::{Path, PathBuf};

/// The coordination connection and where the userland tables are on it.
pub struct Opened {
    pub db: Db,
    pub location: Location,
}

/// Who a write is recorded as: `$MC_AGENT_ID` (the agent id the original uses), else `user`.
pub fn actor() -> String {
    std::env::var("MC_AGENT_ID")
        .ok()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "user".to_string())
}

/// The host's clock and id source, for `core` writes.
pub fn with_env<T>(f: impl FnOnce(&Env) -> T) -> T {
    let (clock, ids) = (SystemClock, OsIds);
    f(&Env::new(&clock, &ids))
}

pub fn path_str(path: &Path) -> Result<&str, CliError> {
    path.to_str()
        .ok_or_else(|| CliError::usage(format!("the path {} is not valid UTF-8", path.display())))
}

/// For commands that only read: nothing is created or upgraded.
pub fn open_read(ctx: &Ctx) -> Result<Opened, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let location = locate(&db, &ctx.userland_path, false)?;
    Ok(Opened { db, location })
}

/// For commands that write: coordination.db is created or upgraded as usual, and so is
/// userland.db when the rows live there.
pub fn open_write(ctx: &Ctx) -> Result<Opened, CliError> {
    let (db, _) = db::open_write(&ctx.db_path)?;
    let location = locate(&db, &ctx.userland_path, true)?;
    Ok(Opened { db, location })
}

fn locate(db: &Db, userland: &Path, write: bool) -> Result<Location, CliError> {
    let err = |e: motus_core::Error| CliError::from(e).at(&db.path);
    if location::placement(&db.conn).map_err(err)? == Placement::Coordination {
        return Ok(Location::coordination());
    }
    let exists = userland.is_file();
    if exists {
        // Check the file (and upgrade it, for writes) on its own connection before attaching.
        if write {
            open_userland_write(userland)?;
        } else {
            open_userland_read(userland)?;
        }
    }
    location::resolve(&db.conn, path_str(userland)?, exists).map_err(err)
}

fn refuse_wrong_kind(path: &Path, conn: &SqliteConnection) -> Result<(), CliError> {
    let kind = detect(conn).map_err(|e| CliError::from(e).at(path))?;
    match kind {
        FileKind::Userland | FileKind::Empty => Ok(()),
        FileKind::Coordination => Err(CliError::failed(
            "not_userland",
            format!(
                "{} is a coordination database, not a userland.db; pass --userland with another path (userland.db is created beside coordination.db by default)",
                path.display()
            ),
        )),
        FileKind::Foreign => Err(CliError::failed(
            "not_userland",
            format!(
                "{} is a SQLite file of another kind, not a userland.db; pass --userland with another path",
                path.display()
            ),
        )),
    }
}

/// Opens an existing userland.db read-only; its schema must be current.
pub fn open_userland_read(path: &Path) -> Result<(SqliteConnection, Status), CliError> {
    paths::check(path, paths::Role::Userland)?;
    let conn = db::open_file(path, OpenMode::ReadOnly)?;
    refuse_wrong_kind(path, &conn)?;
    let status = Migrator::userland()
        .status(&conn)
        .map_err(|e| CliError::from(e).at(path))?;
    if !status.pending.is_empty() {
        return Err(CliError::failed(
            "schema_outdated",
            format!(
                "{}: userland.db is at schema version {}, this build's is {}; run `motus userland extract` to upgrade it (a backup is written first)",
                path.display(),
                status.current_version,
                status.latest_version
            ),
        ));
    }
    Ok((conn, status))
}

/// Opens userland.db for writing, creating it (0600, in a 0700 directory) on first use and
/// bringing an older schema up to date after writing a backup beside it.
pub fn open_userland_write(path: &Path) -> Result<SqliteConnection, CliError> {
    if paths::check(path, paths::Role::Userland)? == paths::Found::Missing {
        db::create_private(path)?;
    }
    let conn = db::open_file(path, OpenMode::ReadWrite)?;
    motus_core::engine::catalogue::object_count(&conn).map_err(|e| CliError::from(e).at(path))?;
    refuse_wrong_kind(path, &conn)?;
    let migrator = Migrator::userland();
    let status = migrator
        .status(&conn)
        .map_err(|e| CliError::from(e).at(path))?;
    if !status.pending.is_empty() {
        conn.ensure_wal().map_err(|e| CliError::from(e).at(path))?;
        let clock = SystemClock;
        let mut backup = |s: &Status| {
            let dest = backup_path(path, &format!("v{}", s.current_version), &clock);
            write_backup(&conn, &dest)?;
            Ok(Some(dest.display().to_string()))
        };
        let report = migrator
            .migrate(&conn, &clock, false, &mut backup)
            .map_err(|e| CliError::from(e).at(path))?;
        if let Some(b) = &report.backup_path {
            crate::output::note(&format!(
                "motus: backed up {} to {b} before upgrading",
                path.display()
            ));
        }
    }
    paths::restrict_files(path);
    Ok(conn)
}

/// Writes a consistent copy of `conn`'s database to `dest` (0600): `VACUUM INTO` a file in a
/// private staging directory, then renamed into place, so a file under the backup's name is
/// always complete even if the process is killed while copying.
pub fn write_backup(conn: &SqliteConnection, dest: &Path) -> motus_core::Result<()> {
    let io = |e: std::io::Error| motus_core::Error::CannotOpen {
        message: format!("cannot write the backup {}: {e}", dest.display()),
    };
    let staged = crate::files::Staged::new(dest).map_err(io)?;
    let partial_str = staged
        .path()
        .to_str()
        .ok_or_else(|| motus_core::Error::invalid("path", "the backup path is not valid UTF-8"))?
        .to_string();
    conn.vacuum_into(&partial_str)?;
    staged
        .place(crate::files::Overwrite::Refuse)
        .map_err(|e| match e {
            crate::files::PlaceError::Io(e) => io(e),
            crate::files::PlaceError::Exists(p) => motus_core::Error::CannotOpen {
                message: format!("{} appeared while the backup was written", p.display()),
            },
        })?;
    Ok(())
}

/// `<file>.backup-<what>-<YYYYMMDDTHHMMSSmmm>-<random>`: unique to the millisecond plus a
/// random part.
pub fn backup_path(path: &Path, what: &str, clock: &dyn Clock) -> PathBuf {
    let stamp: String = clock
        .now()
        .to_db()
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let stamp = format!("{}T{}", &stamp[..8], &stamp[8..]);
    let mut p = path.as_os_str().to_owned();
    p.push(format!(
        ".backup-{what}-{stamp}-{}",
        crate::files::random_suffix(6)
    ));
    PathBuf::from(p)
}
