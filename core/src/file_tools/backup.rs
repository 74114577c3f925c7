//! Backups that can be trusted: what a copy must hold, the checks a copy passes before it is
//! called a backup, and the checks a file passes before it may replace the live database.
//!
//! The page copy itself is the host's (natively `SqliteConnection::backup_to`, SQLite's
//! online backup API); everything here runs over the [`Connection`] trait.

use crate::connection::{Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::file_tools::doctor;
use crate::file_tools::doctor::CheckStatus;
use crate::file_tools::fingerprint::{self, TableFingerprint};
use crate::migrate::Migrator;
use crate::params;
use crate::progress::Progress;
use serde::Serialize;
use std::collections::BTreeMap;

/// The content of a database: a fingerprint (row count + SHA-256) of every table, SQLite's
/// `sqlite_sequence` included, so AUTOINCREMENT counters count too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
    contents_with_progress(conn, &mut crate::progress::unwatched())
}

/// [`contents`], reporting [`Step::Hashing`](crate::progress::Step::Hashing) in rows.
pub fn contents_with_progress<C: Connection + ?Sized>(
    conn: &C,
    progress: &mut dyn Progress,
) -> Result<Contents> {
    let mut names = fingerprint::user_tables(conn)?;
    if conn.has_object("table", "sqlite_sequence")? {
        names.push("sqlite_sequence".into());
    }
    let tables = fingerprint::tables_with_progress(conn, &names, progress)?;
    Ok(Contents { tables })
}

/// What a verified copy was checked for.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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
    verify_copy_with_progress(
        copy,
        expected,
        source_fk_violations,
        &mut crate::progress::unwatched(),
    )
}

/// [`verify_copy`], reporting the copy's hashing.
pub fn verify_copy_with_progress<C: Connection + ?Sized>(
    copy: &C,
    expected: &Contents,
    source_fk_violations: usize,
    progress: &mut dyn Progress,
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
    let actual = contents_with_progress(copy, progress)?;
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
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
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

/// Replaces every object and row of `main` with those of the attached schema `src`: the
/// tables (rowids kept), `sqlite_sequence`, then indexes, views and triggers, and the
/// `user_version`. Call it inside the caller's write transaction, with foreign keys off on
/// the connection (set before `BEGIN`), so the swap is one commit: other connections see the
/// old content or the new one, and a writer waiting for the lock writes into the new one.
pub fn replace_main_from<C: Connection + ?Sized>(conn: &C, src: &str) -> Result<()> {
    use crate::connection::quote_ident;
    let s = quote_ident(src);
    let old = conn.query(
        "SELECT type, name FROM main.sqlite_master \
         WHERE name NOT LIKE 'sqlite_%' AND type IN ('trigger', 'view', 'table') \
         ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END",
        params![],
    )?;
    for r in old.iter() {
        let (kind, name): (String, String) = (r.get(0)?, r.get(1)?);
        conn.execute_batch(&format!(
            "DROP {} IF EXISTS main.{}",
            kind.to_uppercase(),
            quote_ident(&name)
        ))?;
    }
    let tables = conn.query(
        &format!(
            "SELECT name, sql FROM {s}.sqlite_master \
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        ),
        params![],
    )?;
    for r in tables.iter() {
        let (name, sql): (String, String) = (r.get(0)?, r.get(1)?);
        conn.execute_batch(&sql)?;
        let cols = conn.query(
            &format!("PRAGMA {s}.table_info({})", quote_ident(&name)),
            params![],
        )?;
        let mut names = Vec::new();
        let mut pk_integer = Vec::new();
        for c in cols.iter() {
            let col: String = c.get_named("name")?;
            let pk: i64 = c.get_named("pk")?;
            let ty: String = c.get_named("type")?;
            if pk > 0 {
                pk_integer.push(ty.eq_ignore_ascii_case("integer"));
            }
            names.push(quote_ident(&col));
        }
        let without_rowid = sql.to_ascii_uppercase().contains("WITHOUT ROWID");
        // A single INTEGER PRIMARY KEY is the rowid already.
        let rowid_alias = pk_integer == [true];
        let list = if without_rowid || rowid_alias {
            names.join(", ")
        } else {
            format!("rowid, {}", names.join(", "))
        };
        let t = quote_ident(&name);
        conn.execute_batch(&format!(
            "INSERT INTO main.{t} ({list}) SELECT {list} FROM {s}.{t}"
        ))?;
    }
    let src_has_sequence = conn
        .query_scalar::<i64>(
            &format!("SELECT 1 FROM {s}.sqlite_master WHERE name = 'sqlite_sequence'"),
            params![],
        )?
        .is_some();
    if conn.has_object("table", "sqlite_sequence")? {
        conn.execute_batch("DELETE FROM main.sqlite_sequence")?;
        if src_has_sequence {
            conn.execute_batch(&format!(
                "INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM {s}.sqlite_sequence"
            ))?;
        }
    }
    for kind in ["index", "view", "trigger"] {
        let objs = conn.query(
            &format!(
                "SELECT sql FROM {s}.sqlite_master \
                 WHERE type = ?1 AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            ),
            params![kind],
        )?;
        for r in objs.iter() {
            let sql: String = r.get(0)?;
            conn.execute_batch(&sql)?;
        }
    }
    let version = conn
        .query_scalar::<i64>(&format!("PRAGMA {s}.user_version"), params![])?
        .unwrap_or(0);
    conn.execute_batch(&format!("PRAGMA main.user_version = {version}"))?;
    Ok(())
}

/// Attaches the database at `uri` (a `file:` URI, normally with `mode=ro`) as `alias`.
pub fn attach<C: Connection + ?Sized>(conn: &C, uri: &str, alias: &str) -> Result<()> {
    crate::engine::local_file::require(conn, "ATTACH")?;
    conn.execute(
        &format!(
            "ATTACH DATABASE ?1 AS {}",
            crate::connection::quote_ident(alias)
        ),
        params![uri],
    )
    .map(|_| ())
}

/// Detaches what [`attach`] attached.
pub fn detach<C: Connection + ?Sized>(conn: &C, alias: &str) -> Result<()> {
    conn.execute_batch(&format!(
        "DETACH DATABASE {}",
        crate::connection::quote_ident(alias)
    ))
}

/// Turns foreign-key enforcement on or off for this connection (outside a transaction).
pub fn set_foreign_keys<C: Connection + ?Sized>(conn: &C, on: bool) -> Result<()> {
    conn.execute_batch(if on {
        "PRAGMA foreign_keys = ON"
    } else {
        "PRAGMA foreign_keys = OFF"
    })
}

/// Takes the write lock (`BEGIN IMMEDIATE`): other writers wait or get BUSY until the caller
/// commits or rolls back.
pub fn begin_write<C: Connection + ?Sized>(conn: &C) -> Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")
}
