//! `motus doctor --fix`: the repairs that are safe, in one transaction, each reported; and
//! for what cannot be repaired safely, an explanation of what to do instead.
//!
//! Repaired (all in one write transaction, with an audit row per repaired record):
//! - leases still `active` past their deadline → `expired`, with their `LEASE_EXPIRED`
//!   event and their attempt ended, exactly as the kernel's own lazy expiry does;
//! - attempts left open although their lease has ended (the original tool released leases
//!   without ending attempts) → ended like the lease ended;
//! - rows whose audit columns `created_at` / `updated_at` are NULL or empty → the defaults
//!   the schema would have given them (`updated_at` falls back to `created_at`).
//!
//! The WAL checkpoint runs after the transaction (SQLite cannot checkpoint inside one).
//! Never repaired, only explained: damage (`integrity_check`), rows pointing at missing
//! parents, append-only tables (their triggers forbid any update) and any other kernel
//! invariant that does not hold.

use crate::audit::{self, AuditEntry};
use crate::connection::{quote_ident, write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::file_tools::doctor::{self, CheckStatus};
use crate::ids::Env;
use crate::kernel::expiry;
use crate::kernel::invariants;
use crate::kernel::lease::{self, LeaseStatus};
use crate::kernel::work_item::{self, AttemptEnd};
use crate::params;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Something was wrong and is now repaired.
    Repaired,
    /// Nothing needed repairing.
    Clean,
    /// Something is wrong and is not repaired; the message says what to do.
    CannotRepair,
    /// Not repaired and not a failure: records that do not meet this kernel's stricter
    /// rules but are no damage (for example history written by the original tool, which
    /// logged fewer events). The message says what they are.
    Explained,
}

/// One repair and what it did.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Repair {
    pub name: String,
    pub outcome: Outcome,
    pub count: u64,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl Repair {
    pub fn new(name: &str, outcome: Outcome, count: u64, message: impl Into<String>) -> Self {
        Repair {
            name: name.into(),
            outcome,
            count,
            message: message.into(),
            details: Vec::new(),
        }
    }
    fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }
}

/// Repairs what is safe to repair, in one transaction, after refusing to write into a file
/// that is damaged. Returns one entry per repair, then one per problem it cannot repair.
pub fn run<C: Connection + ?Sized>(conn: &C, env: &Env) -> Result<Vec<Repair>> {
    let integrity = doctor::integrity(conn)?;
    if integrity.status != CheckStatus::Pass {
        return Ok(vec![Repair::new(
            "integrity",
            Outcome::CannotRepair,
            integrity.details.as_array().map_or(1, |a| a.len() as u64),
            "the file is damaged; nothing was written. Restore the last good backup with `motus db restore BACKUP` (it keeps this file beside it), or export what is readable with `motus db export`",
        )
        .with_details(
            integrity
                .details
                .as_array()
                .map(|a| a.iter().take(20).map(|v| v.to_string()).collect())
                .unwrap_or_default(),
        )]);
    }
    let mut repairs = write_tx(conn, |c| {
        Ok(vec![
            expire_overdue_leases(c, env)?,
            end_attempts_of_ended_leases(c, env)?,
            fill_audit_columns(c, env)?,
        ])
    })?;
    repairs.push(checkpoint(conn)?);
    repairs.extend(explain_the_rest(conn, env)?);
    Ok(repairs)
}

fn expire_overdue_leases<C: Connection + ?Sized>(c: &C, env: &Env) -> Result<Repair> {
    let expired = expiry::expire_stale(c, env)?;
    Ok(if expired.is_empty() {
        Repair::new(
            "expired_leases",
            Outcome::Clean,
            0,
            "no active lease is past its deadline",
        )
    } else {
        Repair::new(
            "expired_leases",
            Outcome::Repaired,
            expired.len() as u64,
            format!(
                "{} lease(s) past their deadline were still active: marked expired, with their LEASE_EXPIRED event, and their attempts ended",
                expired.len()
            ),
        )
        .with_details(expired.into_iter().map(|l| l.lease_id).collect())
    })
}

fn end_attempts_of_ended_leases<C: Connection + ?Sized>(c: &C, env: &Env) -> Result<Repair> {
    let rows = c.query(
        "SELECT l.lease_id, a.id FROM attempts a JOIN coordination_leases l ON l.attempt_id = a.id \
         WHERE a.ended_at IS NULL AND l.status != 'active' ORDER BY a.id",
        params![],
    )?;
    let mut fixed = Vec::new();
    for r in rows.iter() {
        let lease_id: String = r.get(0)?;
        let attempt_id: String = r.get(1)?;
        let Some(l) = lease::load(c, &lease_id)? else {
            continue;
        };
        // End the attempt the way the lease ended.
        let facts = work_item::attempt_facts(c, &l)?;
        let end = match (l.status, l.outcome.as_deref()) {
            (LeaseStatus::Released, Some("success")) if facts.has_evidence => AttemptEnd::Completed,
            (LeaseStatus::Released, Some("success")) => AttemptEnd::Unproven,
            _ => AttemptEnd::Failed,
        };
        let note = format!(
            "ended by motus doctor --fix: its lease {lease_id} had already ended ({})",
            l.status.as_str()
        );
        work_item::end_attempt(c, env, &l, end, Some(&note), &facts)?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "doctor.fix",
                actor: "system",
                resource_type: Some("attempt"),
                resource_id: Some(&attempt_id),
                action: "end",
                new_value: Some(serde_json::json!({"lease_id": lease_id, "reason": note})),
                ..Default::default()
            },
        )?;
        fixed.push(format!(
            "{attempt_id} (lease {lease_id}, {})",
            l.status.as_str()
        ));
    }
    Ok(if fixed.is_empty() {
        Repair::new(
            "open_attempts",
            Outcome::Clean,
            0,
            "no attempt is open under a lease that has ended",
        )
    } else {
        Repair::new(
            "open_attempts",
            Outcome::Repaired,
            fixed.len() as u64,
            format!(
                "{} attempt(s) were still open although their lease had ended: ended like their lease (success with evidence → completed, success without → no outcome, otherwise failed)",
                fixed.len()
            ),
        )
        .with_details(fixed)
    })
}

/// Tables whose rows carry `created_at` and `updated_at`.
fn audited_tables<C: Connection + ?Sized>(c: &C) -> Result<Vec<String>> {
    use crate::engine::catalogue;
    let mut out = Vec::new();
    for n in catalogue::user_tables(c)? {
        let cols = catalogue::columns(c, &n)?;
        let has = |name: &str| cols.iter().any(|col| col.name == name);
        if has("created_at") && has("updated_at") {
            out.push(n);
        }
    }
    Ok(out)
}

fn fill_audit_columns<C: Connection + ?Sized>(c: &C, env: &Env) -> Result<Repair> {
    let now = env.now().to_db();
    let mut fixed = Vec::new();
    let mut refused = Vec::new();
    for t in audited_tables(c)? {
        let q = quote_ident(&t);
        let missing =
            "created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = ''";
        let count: i64 = c.query_one(
            &format!("SELECT count(*) FROM {q} WHERE {missing}"),
            params![],
        )?;
        if count == 0 {
            continue;
        }
        // Both columns in one UPDATE, so the tables' "touch updated_at" triggers see a
        // changed updated_at and leave it alone.
        let sql = format!(
            "UPDATE {q} SET created_at = COALESCE(NULLIF(created_at, ''), ?1), \
             updated_at = COALESCE(NULLIF(updated_at, ''), NULLIF(created_at, ''), ?1) WHERE {missing}"
        );
        c.execute_batch("SAVEPOINT fill_audit_columns")?;
        match c.execute(&sql, params![now.as_str()]) {
            Ok(n) => {
                c.execute_batch("RELEASE fill_audit_columns")?;
                audit::record(
                    c,
                    env,
                    &AuditEntry {
                        event_type: "doctor.fix",
                        actor: "system",
                        resource_type: Some("table"),
                        resource_id: Some(&t),
                        action: "fill_audit_columns",
                        new_value: Some(serde_json::json!({"rows": n, "value": now})),
                        ..Default::default()
                    },
                )?;
                fixed.push(format!("{t}: {n} row(s)"));
            }
            Err(Error::KernelRule { message }) => {
                c.execute_batch("ROLLBACK TO fill_audit_columns; RELEASE fill_audit_columns")?;
                refused.push(format!("{t}: {count} row(s), append-only ({message})"));
            }
            Err(e) => return Err(e),
        }
    }
    let count = fixed.len() as u64;
    Ok(match (fixed.is_empty(), refused.is_empty()) {
        (true, true) => Repair::new(
            "audit_columns",
            Outcome::Clean,
            0,
            "every row has created_at and updated_at",
        ),
        (_, true) => Repair::new(
            "audit_columns",
            Outcome::Repaired,
            count,
            format!("filled missing created_at/updated_at with {now} (updated_at from created_at where it had one)"),
        )
        .with_details(fixed),
        _ => Repair::new(
            "audit_columns",
            Outcome::CannotRepair,
            refused.len() as u64,
            "rows of append-only tables lack created_at/updated_at; their triggers forbid any update, so they stay as they are (they are history; nothing reads these columns for decisions)",
        )
        .with_details(fixed.into_iter().chain(refused).collect()),
    })
}

/// Writes the WAL back into the database file and truncates it.
pub fn checkpoint<C: Connection + ?Sized>(conn: &C) -> Result<Repair> {
    crate::engine::local_file::require(conn, "a WAL checkpoint")?;
    let mode: String = conn.query_one("PRAGMA journal_mode", params![])?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Ok(Repair::new(
            "wal_checkpoint",
            Outcome::Clean,
            0,
            format!("journal mode is {mode}; there is no WAL"),
        ));
    }
    // PASSIVE first for the counts (TRUNCATE reports 0 once it has reset the WAL), then
    // TRUNCATE to copy what is left and shrink the file to zero.
    let passive = conn.query("PRAGMA wal_checkpoint(PASSIVE)", params![])?;
    let p = passive.first().expect("wal_checkpoint returns one row");
    let (frames, done): (i64, i64) = (p.get(1)?, p.get(2)?);
    let complete = crate::engine::local_file::checkpoint_truncate(conn)?;
    Ok(if !complete {
        Repair::new(
            "wal_checkpoint",
            Outcome::CannotRepair,
            done.max(0) as u64,
            format!("checkpointed {done} of {frames} WAL frame(s); readers kept the rest. Run `motus doctor --fix` again when other motus processes are idle"),
        )
    } else if frames > 0 {
        Repair::new(
            "wal_checkpoint",
            Outcome::Repaired,
            done as u64,
            format!("checkpointed {done} WAL frame(s) into the database and truncated the WAL"),
        )
    } else {
        Repair::new("wal_checkpoint", Outcome::Clean, 0, "the WAL is empty")
    })
}

/// What stays wrong after the repairs, with what to do about it.
fn explain_the_rest<C: Connection + ?Sized>(conn: &C, env: &Env) -> Result<Vec<Repair>> {
    let mut out = Vec::new();
    let fk = conn.query("PRAGMA foreign_key_check", params![])?;
    if !fk.is_empty() {
        out.push(
            Repair::new(
                "foreign_keys",
                Outcome::CannotRepair,
                fk.len() as u64,
                "rows reference parents that do not exist; deleting or re-pointing them would destroy history, so they are left as they are. Restore a backup from before they appeared (`motus db restore`), or recreate the missing parents",
            )
            .with_details(
                fk.iter()
                    .take(20)
                    .map(|r| {
                        format!(
                            "{} rowid {} → {}",
                            r.value(0).to_text(),
                            r.value(1).to_text(),
                            r.value(2).to_text()
                        )
                    })
                    .collect(),
            ),
        );
    }
    let problems = invariants::check(conn, env.now())?;
    if !problems.is_empty() {
        out.push(
            Repair::new(
                "kernel_invariants",
                Outcome::Explained,
                problems.len() as u64,
                "records that this kernel writes together are incomplete: history written by the original motusos (which logged fewer events) or edited by hand. Inventing the missing rows would falsify history, so they are left as they are; review one with `motus work status LEASE`",
            )
            .with_details(problems.into_iter().take(20).collect()),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::Migrator;
    use crate::sqlite::SqliteConnection;
    use crate::{ManualClock, SequentialIds, Timestamp};

    #[test]
    fn fills_missing_audit_columns_once_and_audits_it() {
        let conn = SqliteConnection::open_in_memory().unwrap();
        let clock = ManualClock::at(Timestamp::parse("2026-11-26 08:00:00").unwrap());
        let ids = SequentialIds::new();
        let env = Env::new(&clock, &ids);
        Migrator::coordination()
            .migrate(&conn, &clock, false, &mut |_| Ok(None))
            .unwrap();
        conn.execute_batch(
            "UPDATE terminology SET created_at = '', updated_at = NULL WHERE rowid IN (1, 2)",
        )
        .unwrap();
        let repairs = run(&conn, &env).unwrap();
        let audit = repairs.iter().find(|r| r.name == "audit_columns").unwrap();
        assert_eq!(audit.outcome, Outcome::Repaired, "{audit:?}");
        assert_eq!(audit.details, vec!["terminology: 2 row(s)"]);
        let left: i64 = conn
            .query_one(
                "SELECT count(*) FROM terminology WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = ''",
                params![],
            )
            .unwrap();
        assert_eq!(left, 0);
        let again = run(&conn, &env).unwrap();
        assert!(
            again.iter().all(|r| r.outcome == Outcome::Clean),
            "{again:?}"
        );

        // An append-only table's rows are left as they are, and said so.
        conn.execute_batch(
            "CREATE TABLE ledger (v, created_at, updated_at);
             CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
             INSERT INTO ledger VALUES (1, NULL, NULL);",
        )
        .unwrap();
        let repairs = run(&conn, &env).unwrap();
        let audit = repairs.iter().find(|r| r.name == "audit_columns").unwrap();
        assert_eq!(audit.outcome, Outcome::CannotRepair);
        assert!(
            audit.details[0].contains("ledger is append-only"),
            "{audit:?}"
        );
    }
}
