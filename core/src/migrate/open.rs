//! The one open policy every front end follows (the binary, the JS API, the viewer's hosts):
//!
//! - **write**: a missing or empty database is created; an older known schema is upgraded
//!   in place after a backup named by [`backup_file_name`]; a newer, foreign or changed one
//!   is refused (nothing is written). [`Migrator::migrate`] decides it (it refuses before
//!   writing, and runs the front end's backup hook only when the database holds data); the
//!   front ends supply the hook: where the copy goes and how it is written.
//! - **read**: any schema version this build's runner knows is read as it is, read-only —
//!   an older one with [`ReadAccess::Older`], which front ends report in one line (the CLI
//!   on stderr) saying that `db migrate` would upgrade it; an empty, newer, foreign or
//!   changed one is refused.

use super::{Migrator, Status};
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// How a read may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAccess {
    /// The schema is this build's latest.
    Current,
    /// An older schema this build knows (the original's, or an earlier Motus's): read as
    /// it is; nothing is migrated.
    Older { found: i64, latest: i64 },
}

impl ReadAccess {
    /// The one line a front end shows for an older schema (without a command line: the CLI
    /// adds its own).
    pub fn notice(self) -> Option<String> {
        match self {
            ReadAccess::Current => None,
            ReadAccess::Older { found, latest } => Some(format!(
                "database schema version {found} is older than this build's {latest}; read as it is, without upgrading it"
            )),
        }
    }
}

/// Decides whether a read may go ahead on `conn`.
pub fn read_access<C: Connection + ?Sized>(conn: &C) -> Result<ReadAccess> {
    let status = Migrator::coordination().status(conn)?;
    read_access_of(&status)
}

/// [`read_access`] from a status already taken.
pub fn read_access_of(status: &Status) -> Result<ReadAccess> {
    if status.is_new {
        return Err(Error::NotMotus {
            reason: "the database is empty".into(),
        });
    }
    Ok(if status.pending.is_empty() {
        ReadAccess::Current
    } else {
        ReadAccess::Older {
            found: status.current_version,
            latest: status.latest_version,
        }
    })
}

/// The pre-upgrade backup beside the database: `<db>.backup-v<from>-<YYYYMMDDHHMMSSmmm>`,
/// then `-<unique>` when the caller adds one (the CLI and the JS API: six random hex digits,
/// so two upgrades of one file in the same millisecond never collide).
pub fn backup_file_name(
    db_path: &str,
    from_version: i64,
    now: Timestamp,
    unique: Option<&str>,
) -> String {
    let stamp: String = now.to_db().chars().filter(|c| c.is_ascii_digit()).collect();
    match unique {
        Some(u) => format!("{db_path}.backup-v{from_version}-{stamp}-{u}"),
        None => format!("{db_path}.backup-v{from_version}-{stamp}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backup_name_has_the_version_and_the_millisecond() {
        let t = Timestamp::parse("2026-11-26 07:08:12.345").unwrap();
        assert_eq!(
            backup_file_name("/d/coordination.db", 20, t, None),
            "/d/coordination.db.backup-v20-20261126070812345"
        );
        assert_eq!(
            backup_file_name("/d/coordination.db", 20, t, Some("a1b2c3")),
            "/d/coordination.db.backup-v20-20261126070812345-a1b2c3"
        );
    }
}
