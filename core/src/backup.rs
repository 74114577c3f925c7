//! Backups that can be trusted: what a copy must hold, the checks a copy passes before it is
//! called a backup, and the checks a file passes before it may replace the live database.
//!
//! The page copy itself is the host's (natively `SqliteConnection::backup_to`, SQLite's
//! online backup API); everything here runs over the [`Connection`] trait.

use crate::connection::{Connection, ConnectionExt};
use crate::doctor;
use crate::doctor::CheckStatus;
use crate::error::{Error, Result};
use crate::fingerprint::{self, TableFingerprint};
use crate::migrate::Migrator;
use crate::params;
use serde::Serialize;
use std::collections::BTreeMap;

/// The content of a database: a fingerprint (row count + SHA-256) of every table, SQLite's
/// `sqlite_sequence` included, so AUTOINCREMENT counters count too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contents {
    pub tables: BTreeMap<String, TableFingerprint>,
}

impl Contents {
    pub fn total_rows(&self) -> u64 {
        self.tables.values().map(|t| t.rows).sum()
    }

    /// One line per table whose content differs from `other`'s (or exists in only one).
    pub fn differences(&self, other: &Contents) -> Vec<String> {
        let mut out = Vec::new();
        for (name, mine) in &self.tables {
            match other.tables.get(name) {
                None => out.push(format!("{name}: missing from the other database")),
                Some(theirs) if theirs != mine => out.push(format!(
                    "{name}: {} row(s) here, {} there{}",
                    mine.rows,
                    theirs.rows,
                    if mine.rows == theirs.rows {
                        ", same count but different content"
                    } else {
                        ""
                    }
                )),
                Some(_) => {}
            }
        }
        for name in other.tables.keys() {
            if !self.tables.contains_key(name) {
                out.push(format!("{name}: only in the other database"));
            }
        }
        out
    }
}

/// Fingerprints every table. Call it inside a read transaction to describe one snapshot.
pub fn contents<C: Connection + ?Sized>(conn: &C) -> Result<Contents> {
    let mut tables = fingerprint::all_tables(conn)?;
    if conn.has_object("table", "sqlite_sequence")? {
        tables.insert(
            "sqlite_sequence".into(),
            fingerprint::table(conn, "sqlite_sequence")?,
        );
    }
    Ok(Contents { tables })
}

/// What a verified copy was checked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyCheck {
    pub integrity: String,
    pub foreign_key_violations: usize,
    pub tables: usize,
    pub rows: u64,
    /// Every table's fingerprint equals the source's at the snapshot that was copied.
    pub content_matches_source: bool,
}

/// `PRAGMA integrity_check` must say exactly "ok"; anything else is a [`Error::Corrupt`]
/// naming the first problems.
pub fn require_integrity<C: Connection + ?Sized>(conn: &C, what: &str) -> Result<()> {
    let check = doctor::integrity(conn)?;
    if check.status == CheckStatus::Pass {
        return Ok(());
    }
    let first: Vec<String> = check
        .details
        .as_array()
        .map(|a| {
            a.iter()
                .take(3)
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    Err(Error::Corrupt {
        message: format!("{what} fails integrity_check: {}", first.join("; ")),
    })
}

fn foreign_key_violations<C: Connection + ?Sized>(conn: &C) -> Result<usize> {
    Ok(conn.query("PRAGMA foreign_key_check", params![])?.len())
}

/// Checks a fresh copy against the source's [`Contents`] at the copied snapshot: integrity,
/// foreign keys no worse than the source, and every table's content identical.
pub fn verify_copy<C: Connection + ?Sized>(
    copy: &C,
    expected: &Contents,
    source_fk_violations: usize,
) -> Result<CopyCheck> {
    require_integrity(copy, "the copy")?;
    let fk = foreign_key_violations(copy)?;
    if fk > source_fk_violations {
        return Err(Error::Corrupt {
            message: format!(
                "the copy has {fk} foreign-key violation(s), the source {source_fk_violations}"
            ),
        });
    }
    let actual = contents(copy)?;
    let diffs = actual.differences(expected);
    if !diffs.is_empty() {
        return Err(Error::Corrupt {
            message: format!(
                "the copy's content differs from the source: {}",
                diffs.join("; ")
            ),
        });
    }
    Ok(CopyCheck {
        integrity: "ok".into(),
        foreign_key_violations: fk,
        tables: actual.tables.len(),
        rows: actual.total_rows(),
        content_matches_source: true,
    })
}

/// Counts the source's foreign-key violations (a copy may not add any).
pub fn source_foreign_key_violations<C: Connection + ?Sized>(conn: &C) -> Result<usize> {
    foreign_key_violations(conn)
}

/// What a file offered for restore was found to be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestoreSource {
    pub schema_version: i64,
    pub latest_version: i64,
    pub written_by_original: bool,
    pub tables: usize,
    pub rows: u64,
}

/// Refuses a file that is not a sound Motus database: not SQLite, damaged, foreign, empty,
/// newer than this build, a changed migration ledger, or rows pointing at missing parents.
pub fn check_restorable<C: Connection + ?Sized>(conn: &C) -> Result<(RestoreSource, Contents)> {
    let status = Migrator::coordination().status(conn)?;
    if status.is_new {
        return Err(Error::NotMotus {
            reason: "the file is an empty SQLite database (no tables)".into(),
        });
    }
    require_integrity(conn, "the file")?;
    let fk = foreign_key_violations(conn)?;
    if fk > 0 {
        return Err(Error::Corrupt {
            message: format!(
                "{fk} row(s) reference missing parents (foreign_key_check); it would not be a consistent database"
            ),
        });
    }
    let contents = contents(conn)?;
    Ok((
        RestoreSource {
            schema_version: status.current_version,
            latest_version: status.latest_version,
            written_by_original: status.written_by_original(),
            tables: contents.tables.len(),
            rows: contents.total_rows(),
        },
        contents,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteConnection;
    use crate::ManualClock;
    use crate::Timestamp;

    fn fresh() -> SqliteConnection {
        let conn = SqliteConnection::open_in_memory().unwrap();
        let clock = ManualClock::at(Timestamp::parse("2026-11-26 08:00:00").unwrap());
        Migrator::coordination()
            .migrate(&conn, &clock, false, &mut |_| Ok(None))
            .unwrap();
        conn
    }

    #[test]
    fn a_fresh_database_is_restorable_and_its_contents_include_sqlite_sequence() {
        let conn = fresh();
        let (source, contents) = check_restorable(&conn).unwrap();
        assert_eq!(source.schema_version, crate::migrate::latest_version());
        assert!(contents.tables.contains_key("sqlite_sequence"));
        assert!(contents.tables.contains_key("schema_version"));
        assert_eq!(source.rows, contents.total_rows());
        assert!(source.rows > 0);
    }

    #[test]
    fn empty_and_foreign_files_are_refused() {
        let empty = SqliteConnection::open_in_memory().unwrap();
        assert_eq!(check_restorable(&empty).unwrap_err().code(), "not_motus");
        empty.execute_batch("CREATE TABLE runs (id)").unwrap();
        assert_eq!(check_restorable(&empty).unwrap_err().code(), "not_motus");
    }

    #[test]
    fn a_copy_that_lost_a_row_is_not_a_backup() {
        let conn = fresh();
        let expected = contents(&conn).unwrap();
        assert!(verify_copy(&conn, &expected, 0).is_ok());
        conn.execute_batch(
            "DELETE FROM terminology WHERE rowid = (SELECT max(rowid) FROM terminology)",
        )
        .unwrap();
        let err = verify_copy(&conn, &expected, 0).unwrap_err();
        assert_eq!(err.code(), "corrupt");
        assert!(err.to_string().contains("terminology"), "{err}");
    }
}
