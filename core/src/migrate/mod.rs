//! The migration runner: embedded numbered SQL files, applied one transaction each, recorded
//! in the same `schema_version` ledger the original uses.
//!
//! Differences from the original's runner, on purpose:
//! - each migration (body + ledger row) commits or rolls back as one unit;
//! - a database migrated by the original (its ledger carries the original's checksums for
//!   versions 1–20) is recognised as equivalent to our 1–20 and upgraded in place;
//! - a foreign SQLite file, a newer schema and a changed migration are refused with a
//!   message that says what to do;
//! - before upgrading a database that already holds data, a backup hook runs first.

pub mod open;
mod original;
pub mod parse;

pub use parse::{checksum, Migration};

use crate::connection::{write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::params;
use crate::time::Clock;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::OnceLock;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_migrations.rs"));
}

/// The coordination database's migrations, as embedded at build time.
pub fn coordination() -> &'static [Migration] {
    static PARSED: OnceLock<Vec<Migration>> = OnceLock::new();
    PARSED.get_or_init(|| {
        parse::parse_all(embedded::COORDINATION_FILES)
            .expect("embedded migrations are validated by the test suite")
    })
}

/// The userland database's migrations (a separate ledger in a separate file).
pub fn userland() -> &'static [Migration] {
    static PARSED: OnceLock<Vec<Migration>> = OnceLock::new();
    PARSED.get_or_init(|| {
        parse::parse_all(embedded::USERLAND_FILES)
            .expect("embedded migrations are validated by the test suite")
    })
}

/// What a migration's ledger row records: all that checking a database needs. The embedded
/// migrations' entries are worked out at build time (core/build.rs), so code that only checks
/// ledgers (`Migrator::status`, the viewer) neither parses nor hashes nor links the SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerEntry<'a> {
    pub version: i64,
    pub name: &'a str,
    /// First 16 hex characters of the SHA-256 of the whole file.
    pub checksum: &'a str,
}

impl<'a> LedgerEntry<'a> {
    pub fn of(m: &'a Migration) -> Self {
        LedgerEntry {
            version: m.version,
            name: &m.name,
            checksum: &m.checksum,
        }
    }
}

/// The coordination migrations' ledger entries, in version order (no SQL, nothing parsed).
pub fn coordination_ledger() -> &'static [LedgerEntry<'static>] {
    embedded::COORDINATION_LEDGER
}

/// The userland migrations' ledger entries, in version order.
pub fn userland_ledger() -> &'static [LedgerEntry<'static>] {
    embedded::USERLAND_LEDGER
}

/// `(latest version, number of files)` of the coordination migrations, from the build-time
/// ledger table: no parsing or hashing, for the per-call "is the file current?" check.
pub fn coordination_summary() -> (i64, usize) {
    let ledger = coordination_ledger();
    (ledger.last().map_or(0, |e| e.version), ledger.len())
}

/// The schema version this build brings a coordination database to.
pub fn latest_version() -> i64 {
    coordination_summary().0
}

/// The last version the original tool (motusos 0.3.x) knows.
pub const ORIGINAL_LATEST_VERSION: i64 = 20;

/// Who wrote a ledger row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Our own migration file, checksum equal.
    Motus,
    /// The original's migration file of the same version, recognised by its checksum.
    Original,
}

/// A row of the `schema_version` ledger.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AppliedMigration {
    pub version: i64,
    pub name: String,
    pub applied_at: String,
    pub checksum: String,
    pub execution_time_ms: Option<i64>,
    pub provenance: Provenance,
}

/// What a database holds, migration-wise.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Status {
    /// Highest applied version (0 for an empty database).
    pub current_version: i64,
    /// The version this build migrates to.
    pub latest_version: i64,
    pub applied: Vec<AppliedMigration>,
    /// Versions this build would apply, in order.
    pub pending: Vec<PendingMigration>,
    /// True when the file has no tables at all (a new database).
    pub is_new: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PendingMigration {
    pub version: i64,
    pub name: String,
}

impl Status {
    pub fn is_current(&self) -> bool {
        self.pending.is_empty()
    }
    /// Whether some applied rows came from the original tool.
    pub fn written_by_original(&self) -> bool {
        self.applied
            .iter()
            .any(|a| a.provenance == Provenance::Original)
    }
}

/// The outcome of [`Migrator::migrate`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Report {
    pub from_version: i64,
    pub to_version: i64,
    pub applied: Vec<PendingMigration>,
    pub dry_run: bool,
    /// Where the pre-upgrade backup was written, if one was.
    pub backup_path: Option<String>,
}

/// Applies a set of migrations to a database through the [`Connection`] trait.
pub struct Migrator<'a> {
    /// What each version's ledger row must record, in version order: all `status` reads.
    known: Cow<'a, [LedgerEntry<'a>]>,
    /// The migrations themselves, which only `migrate` (and `migrations`) reach.
    bodies: Bodies<'a>,
    /// Original checksums accepted in place of ours, per version.
    equivalents: &'a [(i64, &'a str)],
    ledger: &'a str,
}

/// Where a runner's SQL comes from. The embedded sets are named, not held: a program that
/// only checks ledgers never calls `coordination()`, so the linker drops the SQL text.
#[derive(Clone, Copy)]
enum Bodies<'a> {
    Coordination,
    Userland,
    Given(&'a [Migration]),
}

impl Migrator<'static> {
    /// The coordination database runner, which also recognises the original's ledger.
    pub fn coordination() -> Self {
        Migrator {
            known: Cow::Borrowed(coordination_ledger()),
            bodies: Bodies::Coordination,
            equivalents: original::CHECKSUMS,
            ledger: "schema_version",
        }
    }

    /// The userland database runner.
    pub fn userland() -> Self {
        Migrator {
            known: Cow::Borrowed(userland_ledger()),
            bodies: Bodies::Userland,
            equivalents: &[],
            ledger: "schema_version",
        }
    }
}

impl<'a> Migrator<'a> {
    /// A runner over an explicit list (tests use this to inject a broken migration).
    pub fn with_migrations(migrations: &'a [Migration]) -> Self {
        Migrator {
            known: Cow::Owned(migrations.iter().map(LedgerEntry::of).collect()),
            bodies: Bodies::Given(migrations),
            equivalents: original::CHECKSUMS,
            ledger: "schema_version",
        }
    }

    /// The migrations, SQL included (parsed on first use for the embedded sets).
    pub fn migrations(&self) -> &'a [Migration] {
        match self.bodies {
            Bodies::Coordination => coordination(),
            Bodies::Userland => userland(),
            Bodies::Given(list) => list,
        }
    }

    pub fn latest_version(&self) -> i64 {
        self.known.last().map_or(0, |m| m.version)
    }

    /// The ledger at a glance: its highest version and how many rows it holds, without
    /// checking a single checksum (one cheap query for the common "is it current?" case). A
    /// database without the ledger answers the SQL error of the missing table.
    pub fn ledger_summary<C: Connection + ?Sized>(&self, conn: &C) -> Result<(Option<i64>, i64)> {
        let rows = conn.query(
            &format!("SELECT max(version), count(*) FROM {}", self.ledger),
            params![],
        )?;
        let r = rows.first().ok_or_else(|| Error::UnexpectedData {
            message: "an aggregate returned no row".into(),
        })?;
        Ok((r.get(0)?, r.get(1)?))
    }

    /// Reads the ledger and decides what the database is. Refuses foreign files, newer
    /// schemas and changed migrations.
    pub fn status<C: Connection + ?Sized>(&self, conn: &C) -> Result<Status> {
        let tables = crate::engine::catalogue::user_tables(conn)?;
        let latest = self.latest_version();
        if tables.is_empty() {
            return Ok(Status {
                current_version: 0,
                latest_version: latest,
                applied: Vec::new(),
                pending: self.pending_after(&[]),
                is_new: true,
            });
        }
        if !tables.iter().any(|t| t == self.ledger) {
            return Err(Error::NotMotus {
                reason: describe_foreign(&tables),
            });
        }
        let ledger_columns: Vec<String> = crate::engine::catalogue::columns(conn, self.ledger)?
            .into_iter()
            .map(|c| c.name)
            .collect();
        for needed in ["version", "migration_name", "checksum"] {
            if !ledger_columns.iter().any(|c| c == needed) {
                return Err(Error::NotMotus {
                    reason: format!(
                        "its {} table has no {needed} column (a one-column table is what the original's lease store creates when it runs before any migration)",
                        self.ledger
                    ),
                });
            }
        }
        let rows = conn.query(
            &format!(
                "SELECT version, migration_name, applied_at, checksum, execution_time_ms FROM {} ORDER BY version",
                self.ledger
            ),
            params![],
        )?;
        let mut applied = Vec::with_capacity(rows.len());
        for r in rows.iter() {
            let version: i64 = r.get(0)?;
            let name: String = r.get::<Option<String>>(1)?.unwrap_or_default();
            let recorded: String = r.get::<Option<String>>(3)?.unwrap_or_default();
            if version > latest {
                return Err(Error::SchemaTooNew {
                    found: version,
                    supported: latest,
                });
            }
            let provenance = self.provenance(version, &name, &recorded)?;
            applied.push(AppliedMigration {
                version,
                name,
                applied_at: r.get::<Option<String>>(2)?.unwrap_or_default(),
                checksum: recorded,
                execution_time_ms: r.get(4)?,
                provenance,
            });
        }
        let current = applied.iter().map(|a| a.version).max().unwrap_or(0);
        Ok(Status {
            current_version: current,
            latest_version: latest,
            pending: self.pending_after(&applied),
            applied,
            is_new: false,
        })
    }

    fn provenance(&self, version: i64, name: &str, recorded: &str) -> Result<Provenance> {
        let ours = self.known.iter().find(|m| m.version == version);
        if let Some(m) = ours.filter(|m| version > ORIGINAL_LATEST_VERSION && m.name != name) {
            // Later motusos releases numbered their own migrations 21, 22, … too.
            return Err(Error::NotMotus {
                reason: format!(
                    "its ledger records migration {version} as \"{name}\", not this build's \"{}\": it was upgraded by another tool (a later motusos?), whose format this build does not read",
                    m.name
                ),
            });
        }
        if ours.is_some_and(|m| m.checksum == recorded) {
            return Ok(Provenance::Motus);
        }
        if self
            .equivalents
            .iter()
            .any(|(v, sum)| *v == version && *sum == recorded)
        {
            return Ok(Provenance::Original);
        }
        Err(Error::MigrationChanged {
            version,
            name: ours.map_or(name, |m| m.name).to_string(),
            recorded: recorded.to_string(),
            expected: ours.map_or_else(
                || "(no such file in this build)".into(),
                |m| m.checksum.to_string(),
            ),
        })
    }

    fn pending_after(&self, applied: &[AppliedMigration]) -> Vec<PendingMigration> {
        self.known
            .iter()
            .filter(|m| !applied.iter().any(|a| a.version == m.version))
            .map(|m| PendingMigration {
                version: m.version,
                name: m.name.to_string(),
            })
            .collect()
    }

    /// Brings the database to the latest version. Each migration is one write transaction
    /// holding its body and its ledger row; a failure rolls that migration back entirely and
    /// stops. `backup` runs first when the database already holds a ledger (so holds data);
    /// it returns where it wrote the copy.
    pub fn migrate<C: Connection + ?Sized>(
        &self,
        conn: &C,
        clock: &dyn Clock,
        dry_run: bool,
        backup: &mut dyn FnMut(&Status) -> Result<Option<String>>,
    ) -> Result<Report> {
        self.migrate_with_progress(
            conn,
            clock,
            dry_run,
            backup,
            &mut crate::progress::unwatched(),
        )
    }

    /// [`migrate`](Self::migrate), reporting [`Step::Migrating`](crate::progress::Step) in
    /// migrations applied.
    pub fn migrate_with_progress<C: Connection + ?Sized>(
        &self,
        conn: &C,
        clock: &dyn Clock,
        dry_run: bool,
        backup: &mut dyn FnMut(&Status) -> Result<Option<String>>,
        progress: &mut dyn crate::progress::Progress,
    ) -> Result<Report> {
        let status = self.status(conn)?;
        let mut report = Report {
            from_version: status.current_version,
            to_version: status.current_version,
            applied: Vec::new(),
            dry_run,
            backup_path: None,
        };
        if status.pending.is_empty() {
            return Ok(report);
        }
        if dry_run {
            report.to_version = self.latest_version();
            report.applied = status.pending;
            return Ok(report);
        }
        if !status.is_new {
            report.backup_path = backup(&status)?;
        }
        let total = status.pending.len() as u64;
        for (done, pending) in status.pending.iter().enumerate() {
            progress.report(crate::progress::Step::Migrating, done as u64, total);
            let m = self
                .migrations()
                .iter()
                .find(|m| m.version == pending.version)
                .expect("pending comes from this list");
            let applied = write_tx(conn, |c| self.apply_one(c, m, clock)).map_err(|e| {
                Error::MigrationFailed {
                    version: m.version,
                    name: m.name.clone(),
                    source: Box::new(e),
                }
            })?;
            if applied {
                report.applied.push(pending.clone());
            }
            report.to_version = m.version.max(report.to_version);
        }
        progress.report(crate::progress::Step::Migrating, total, total);
        Ok(report)
    }

    /// Applies one migration inside the caller's transaction. Returns false when another
    /// process applied it first (checked under the write lock).
    fn apply_one<C: Connection + ?Sized>(
        &self,
        conn: &C,
        m: &Migration,
        clock: &dyn Clock,
    ) -> Result<bool> {
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {} (
                version INTEGER PRIMARY KEY,
                migration_name TEXT NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (datetime('now')),
                checksum TEXT NOT NULL,
                execution_time_ms INTEGER
            )",
            self.ledger
        ))?;
        let already: Option<i64> = conn.query_scalar(
            &format!("SELECT 1 FROM {} WHERE version = ?1", self.ledger),
            params![m.version],
        )?;
        if already.is_some() {
            return Ok(false);
        }
        let started = clock.now();
        original::pre_step(conn, m)?;
        if !m.up.trim().is_empty() {
            conn.execute_batch(&m.up)?;
        }
        let finished = clock.now();
        conn.execute(
            &format!(
                "INSERT INTO {} (version, migration_name, applied_at, checksum, execution_time_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                self.ledger
            ),
            params![
                m.version,
                m.name.as_str(),
                finished.to_db(),
                m.checksum.as_str(),
                finished.millis() - started.millis()
            ],
        )?;
        Ok(true)
    }

    /// For commands that must not migrate by themselves: the database must be exactly current.
    pub fn require_current<C: Connection + ?Sized>(&self, conn: &C) -> Result<Status> {
        let status = self.status(conn)?;
        if status.is_new {
            return Err(Error::NotMotus {
                reason: "the database is empty".into(),
            });
        }
        if !status.pending.is_empty() {
            return Err(Error::SchemaOutdated {
                found: status.current_version,
                expected: status.latest_version,
            });
        }
        Ok(status)
    }
}

/// A sentence naming what a foreign SQLite file seems to be.
fn describe_foreign(tables: &[String]) -> String {
    let has = |t: &str| tables.iter().any(|x| x == t);
    let listed = tables
        .iter()
        .take(6)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if has("runs") && has("kind_versions") {
        format!("it looks like the store of motusos 0.4 or later (tables {listed}), a different format from the 0.3.x coordination.db this build reads")
    } else {
        format!(
            "it holds tables ({listed}{}) but no schema_version migration ledger",
            if tables.len() > 6 { ", …" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The build-time ledger tables (which the viewer checks files against) say exactly what
    /// parsing and hashing the embedded files says, version by version.
    #[test]
    fn the_build_time_ledger_equals_the_parsed_migrations() {
        for (ledger, parsed) in [
            (coordination_ledger(), coordination()),
            (userland_ledger(), userland()),
        ] {
            let from_files: Vec<LedgerEntry> = parsed.iter().map(LedgerEntry::of).collect();
            assert_eq!(ledger, from_files.as_slice());
            assert!(!ledger.is_empty());
        }
        assert_eq!(
            coordination_summary(),
            (
                coordination().last().unwrap().version,
                embedded::COORDINATION_FILES.len()
            )
        );
        assert_eq!(
            Migrator::coordination().latest_version(),
            coordination().last().unwrap().version
        );
    }
}
