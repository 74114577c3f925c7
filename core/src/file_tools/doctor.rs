//! Health checks that need only a connection: integrity, foreign keys, schema version and
//! schema equivalence with what this build's migrations produce.

use crate::connection::Connection;
use crate::error::Result;
use crate::file_tools::schema::{Difference, Snapshot};
use crate::migrate::Migrator;
use crate::params;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
}

/// One named check and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Check {
    pub name: String,
    pub status: CheckStatus,
    pub message: String,
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}

impl Check {
    pub fn new(name: &str, status: CheckStatus, message: impl Into<String>) -> Self {
        Check {
            name: name.into(),
            status,
            message: message.into(),
            details: serde_json::Value::Null,
        }
    }
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// `PRAGMA integrity_check`: "ok" or the problems it lists.
pub fn integrity<C: Connection + ?Sized>(conn: &C) -> Result<Check> {
    let lines = crate::engine::local_file::integrity_check(conn)?;
    Ok(if lines == ["ok"] {
        Check::new("integrity", CheckStatus::Pass, "integrity_check: ok")
    } else {
        Check::new(
            "integrity",
            CheckStatus::Fail,
            format!(
                "integrity_check found {} problem(s); restore from a backup",
                lines.len()
            ),
        )
        .with_details(lines.into())
    })
}

/// `PRAGMA foreign_key_check`: every row whose reference points nowhere.
pub fn foreign_keys<C: Connection + ?Sized>(conn: &C) -> Result<Check> {
    let rows = conn.query("PRAGMA foreign_key_check", params![])?;
    Ok(if rows.is_empty() {
        Check::new(
            "foreign_keys",
            CheckStatus::Pass,
            "foreign_key_check: no violations",
        )
    } else {
        let details: Vec<serde_json::Value> = rows.to_json_objects();
        Check::new(
            "foreign_keys",
            CheckStatus::Fail,
            format!("{} row(s) reference missing parents", rows.len()),
        )
        .with_details(details.into())
    })
}

/// The ledger's version against this build's.
pub fn schema_version<C: Connection + ?Sized>(conn: &C, migrator: &Migrator) -> Check {
    match migrator.status(conn) {
        Ok(s) if s.is_new => Check::new(
            "schema_version",
            CheckStatus::Fail,
            "the database is empty; run `motus db init`",
        ),
        Ok(s) if s.pending.is_empty() => Check::new(
            "schema_version",
            CheckStatus::Pass,
            format!("schema version {} (latest)", s.current_version),
        ),
        Ok(s) => Check::new(
            "schema_version",
            CheckStatus::Warn,
            format!(
                "schema version {}, this build brings it to {}; run `motus db migrate`",
                s.current_version, s.latest_version
            ),
        ),
        Err(e) => Check::new("schema_version", CheckStatus::Fail, e.to_string()),
    }
}

/// The migrations whose result a file at `status` should match: every applied version, plus
/// the lease store's tables when the file has them before version 21 (the original creates
/// `coordination_leases` and `events` at run time, outside its migrations).
pub fn reference_migrations<C: Connection + ?Sized>(
    conn: &C,
    migrator: &Migrator,
    status: &crate::migrate::Status,
) -> Result<Vec<crate::migrate::Migration>> {
    let has_lease_store =
        crate::connection::ConnectionExt::has_object(conn, "table", "coordination_leases")?;
    Ok(migrator
        .migrations()
        .iter()
        .filter(|m| {
            m.version <= status.current_version
                || (has_lease_store && m.name == "lease_store_tables")
        })
        .cloned()
        .collect())
}

/// Compares the file's schema with `expected` (what our migrations build at the same version).
pub fn schema_equivalence<C: Connection + ?Sized>(conn: &C, expected: &Snapshot) -> Result<Check> {
    let actual = Snapshot::capture(conn)?;
    let diffs: Vec<Difference> = actual.diff(expected);
    Ok(if diffs.is_empty() {
        Check::new(
            "schema",
            CheckStatus::Pass,
            "schema matches this build's migrations object by object",
        )
    } else {
        Check::new(
            "schema",
            CheckStatus::Fail,
            format!(
                "{} schema object(s) differ from what this build expects",
                diffs.len()
            ),
        )
        .with_details(
            diffs
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .into(),
        )
    })
}

/// The kernel's own rules, re-checked on the stored rows ([`crate::file_tools::stored_rules`]): a file
/// written by another tool, edited by hand or imported may break them. Each violation is one
/// detail object `{table, rowid, id?, rule, message}`. `now` decides which leases are live.
pub fn kernel_rules<C: Connection + ?Sized>(
    conn: &C,
    now: crate::time::Timestamp,
) -> Result<Check> {
    let found = crate::file_tools::stored_rules::check(conn, now)?;
    Ok(if found.is_empty() {
        Check::new(
            "kernel_rules",
            CheckStatus::Pass,
            format!(
                "every stored row follows the kernel's rules ({})",
                crate::file_tools::stored_rules::RULES
                    .iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    } else {
        Check::new(
            "kernel_rules",
            CheckStatus::Fail,
            format!(
                "{} row(s) break the kernel's rules; restore a backup or repair them by hand",
                found.len()
            ),
        )
        .with_details(serde_json::to_value(&found).unwrap_or_default())
    })
}
