//! The statements only SQLite on a local file (or in memory) in this process honours:
//! journal modes, checkpoints, `ATTACH`. A backend that is not one — a dqlite cluster, whose
//! 1.11 nodes crash on `PRAGMA journal_mode`, or a JS host's driver — keeps
//! [`Connection::is_local_file`] false, and these calls answer [`Error::Unsupported`]
//! without sending anything.
//!
//! The page counts and the integrity check are plain SQL every backend answers; they live
//! here because they describe the file, not the domain.

use crate::connection::{Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::params;

/// Refuses `operation` on a connection that is not a local SQLite file.
pub fn require<C: Connection + ?Sized>(conn: &C, operation: &str) -> Result<()> {
    if conn.is_local_file() {
        Ok(())
    } else {
        Err(Error::Unsupported {
            operation: operation.to_string(),
        })
    }
}

pub fn page_size<C: Connection + ?Sized>(conn: &C) -> Result<i64> {
    conn.query_one("PRAGMA page_size", params![])
}

pub fn page_count<C: Connection + ?Sized>(conn: &C) -> Result<i64> {
    conn.query_one("PRAGMA page_count", params![])
}

/// The database's size: pages × page size.
pub fn size_bytes<C: Connection + ?Sized>(conn: &C) -> Result<u64> {
    Ok((page_count(conn)? * page_size(conn)?).max(0) as u64)
}

/// `PRAGMA integrity_check`: `["ok"]`, or the problems SQLite lists.
pub fn integrity_check<C: Connection + ?Sized>(conn: &C) -> Result<Vec<String>> {
    Ok(conn
        .query("PRAGMA integrity_check", params![])?
        .iter()
        .map(|r| r.value(0).to_text())
        .collect())
}

/// A scratch file, rebuilt from its source if anything goes wrong: no journal on disk, no
/// fsync, and (when given) the page size of the database it will become.
pub fn use_scratch_journal<C: Connection + ?Sized>(conn: &C, page_size: Option<i64>) -> Result<()> {
    require(conn, "a scratch database")?;
    let mut sql = String::new();
    if let Some(size) = page_size {
        sql.push_str(&format!("PRAGMA page_size = {size}; "));
    }
    sql.push_str("PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;");
    conn.execute_batch(&sql)
}

/// A rollback journal (no `-wal` beside the file): for a finished copy that must be one
/// self-contained file. `durable` also makes every commit wait for the disk.
pub fn use_rollback_journal<C: Connection + ?Sized>(conn: &C, durable: bool) -> Result<()> {
    require(conn, "switching the journal mode")?;
    conn.execute_batch(if durable {
        "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;"
    } else {
        "PRAGMA journal_mode = DELETE;"
    })
}

/// Switches the database to WAL (a no-op when it already is one).
pub fn use_wal_journal<C: Connection + ?Sized>(conn: &C) -> Result<()> {
    require(conn, "switching the journal mode")?;
    let mode: String = conn.query_one("PRAGMA journal_mode", params![])?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.query("PRAGMA journal_mode = WAL", params![])?;
    }
    Ok(())
}

/// A consistent copy of the whole database into the new file `dest` (`VACUUM INTO`).
pub fn vacuum_into<C: Connection + ?Sized>(conn: &C, dest: &str) -> Result<()> {
    require(conn, "copying the database into a file")?;
    conn.execute("VACUUM INTO ?1", params![dest]).map(|_| ())
}

/// Copies the WAL into the database file and truncates it. Returns false when readers kept
/// part of it (busy); a later call finishes the job.
pub fn checkpoint_truncate<C: Connection + ?Sized>(conn: &C) -> Result<bool> {
    require(conn, "a WAL checkpoint")?;
    let rows = conn.query("PRAGMA wal_checkpoint(TRUNCATE)", params![])?;
    Ok(rows.first().map(|r| r.get::<i64>(0)).transpose()? != Some(1))
}
