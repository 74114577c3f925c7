//! `motus doctor`: read-only health checks; `--fix` first repairs what is safe to repair.

use super::ctx::Ctx;
use crate::db;
use crate::output::{emit, CliError};
use clap::Args;
use motus_core::answer::ops::{DoctorAnswer, DoctorSummary};
use motus_core::file_tools::doctor::{self, Check, CheckStatus};
use motus_core::file_tools::repair::{self, Outcome, Repair};
use motus_core::file_tools::schema::Snapshot;
use motus_core::migrate::Migrator;
use motus_core::sqlite::SqliteConnection;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Repair what is safe (WAL checkpoint, overdue leases still active, attempts left open
    /// by ended leases, missing audit-column values) in one transaction, then check; what
    /// cannot be repaired is explained
    #[arg(long)]
    pub fix: bool,
}

/// Runs the repairs on a database opened for writing (upgraded first, like every write).
fn fix(ctx: &Ctx) -> Result<Vec<Repair>, CliError> {
    let mut done = Vec::new();
    if let Some(r) = fix_foreign_wal(ctx)? {
        done.push(r);
    }
    let swept = crate::files::sweep(&crate::files::parent_dir(&ctx.db_path));
    done.push(if swept.is_empty() {
        Repair::new(
            "leftovers",
            Outcome::Clean,
            0,
            "no files left by killed runs",
        )
    } else {
        let mut r = Repair::new(
            "leftovers",
            Outcome::Repaired,
            swept.len() as u64,
            format!(
                "removed {} staging folder(s) left by killed runs",
                swept.len()
            ),
        );
        r.details = swept.iter().map(|p| p.display().to_string()).collect();
        r
    });
    let (db, _) = db::open_write(&ctx.db_path)?;
    let (clock, ids) = (crate::host::SystemClock, crate::host::OsIds);
    let env = motus_core::Env::new(&clock, &ids);
    done.extend(repair::run(&db.conn, &env).map_err(|e| CliError::from(e).at(&db.path))?);
    Ok(done)
}

/// A WAL that does not belong (or makes the database unsound) is set aside, kept under a new
/// name, only when the database file alone is sound; otherwise nothing is touched. The check
/// and the rename happen while no connection of any process has the database open
/// ([`crate::exclusive`]), so nobody reads it through that WAL or writes in between.
fn fix_foreign_wal(ctx: &Ctx) -> Result<Option<Repair>, CliError> {
    if !matches!(
        crate::wal::judge(&ctx.db_path),
        crate::wal::Verdict::Unsound(_)
    ) {
        return Ok(None);
    }
    let wait = std::time::Duration::from_millis(motus_core::sqlite::busy_limit_ms());
    let _held = crate::exclusive::acquire(&ctx.db_path, wait).map_err(|e| {
        let (code, what) = if e.kind() == std::io::ErrorKind::WouldBlock {
            ("busy", "another process has it open".to_string())
        } else {
            ("cannot_open", e.to_string())
        };
        CliError::failed(
            code,
            format!(
                "{}: cannot set its WAL aside: {what}; nothing was changed. Close the other programs using it (`motus` commands refuse it and exit) and retry",
                ctx.db_path.display()
            ),
        )
    })?;
    // Judged again: what was seen before the lock may have changed.
    let crate::wal::Verdict::Unsound(why) = crate::wal::judge(&ctx.db_path) else {
        return Ok(None);
    };
    if let Err(alone) = crate::wal::check_copy(&ctx.db_path, None) {
        return Err(CliError::failed(
            "corrupt",
            format!(
                "{}: {why}, and the database file without it is not sound either ({alone}); nothing was changed. Restore a backup with `motus db restore`",
                ctx.db_path.display()
            ),
        ));
    }
    let moved = crate::wal::set_aside(&ctx.db_path).map_err(|e| {
        CliError::failed(
            "cannot_open",
            format!("cannot set the WAL of {} aside: {e}", ctx.db_path.display()),
        )
    })?;
    let mut r = Repair::new(
        "foreign_wal",
        Outcome::Repaired,
        moved.len() as u64,
        format!("{why}; the database file alone is sound, so the WAL was set aside (kept)"),
    );
    r.details = moved.iter().map(|p| p.display().to_string()).collect();
    Ok(Some(r))
}

/// `motus doctor` on a database whose WAL does not belong: says so, and whether the file
/// alone is sound (then `--fix` can set the WAL aside), without opening it with that WAL.
fn explain_foreign_wal(ctx: &Ctx, why: String) -> Result<u8, CliError> {
    let alone = crate::wal::check_copy(&ctx.db_path, None);
    let mut checks = vec![Check::new(
        "wal",
        CheckStatus::Fail,
        format!("{why}; nothing was read through it and nothing was written"),
    )];
    checks.push(match &alone {
        Ok(()) => Check::new(
            "main_file_alone",
            CheckStatus::Pass,
            "the database file without that WAL passes integrity_check; `motus doctor --fix` sets the WAL aside (kept, renamed)",
        ),
        Err(e) => Check::new(
            "main_file_alone",
            CheckStatus::Fail,
            format!("the database file without that WAL is not sound either ({e}); restore a backup with `motus db restore`"),
        ),
    });
    let doc = DoctorAnswer {
        path: ctx.db_path.display().to_string(),
        status: "fail".into(),
        summary: DoctorSummary {
            passed: usize::from(alone.is_ok()),
            warned: 0,
            failed: 2 - usize::from(alone.is_ok()),
            repaired: None,
            cannot_repair: None,
        },
        checks: checks.clone(),
        repairs: None,
    };
    emit(ctx.json, &doc, || {
        let mut s = format!("Database: {}\n", ctx.db_path.display());
        for c in &checks {
            let tag = if c.status == CheckStatus::Pass {
                "pass"
            } else {
                "FAIL"
            };
            s.push_str(&format!("{tag:>4}  {}: {}\n", c.name, c.message));
        }
        s.push_str("Summary: overall: fail");
        s
    });
    Ok(1)
}

/// One detail of a failed check as a text line: a rule violation reads
/// `table id: message (rule)`, anything else as it is.
fn detail_line(d: &serde_json::Value) -> String {
    if let Some(text) = d.as_str() {
        return text.to_string();
    }
    match (
        d["table"].as_str(),
        d["rule"].as_str(),
        d["message"].as_str(),
    ) {
        (Some(table), Some(rule), Some(message)) => {
            let row = match (d["id"].as_str(), d["rowid"].as_i64()) {
                (Some(id), _) => format!(" {id}"),
                (None, Some(r)) => format!(" rowid {r}"),
                _ => String::new(),
            };
            format!("{table}{row}: {message} ({rule})")
        }
        _ => d.to_string(),
    }
}

const WAL_WARN_BYTES: u64 = 50 * 1024 * 1024;

pub fn run(ctx: &Ctx, args: DoctorArgs) -> Result<u8, CliError> {
    if args.fix {
        crate::cluster::refuse_file_only(&ctx.db_path, "doctor --fix", "its repairs (WAL checkpoint, leftover files) are a file's; `motus doctor` checks a cluster")?;
    }
    let repairs = if args.fix { Some(fix(ctx)?) } else { None };
    if let crate::wal::Verdict::Unsound(why) = crate::wal::judge(&ctx.db_path) {
        return explain_foreign_wal(ctx, why);
    }
    let db = db::open_read_any(&ctx.db_path)?;
    let migrator = Migrator::coordination();
    // A file that is not ours is an error, not a list of failed checks.
    if let Err(e @ (motus_core::Error::NotMotus { .. } | motus_core::Error::NotADatabase { .. })) =
        migrator.status(&db.conn)
    {
        return Err(CliError::from(e).at(&db.path));
    }
    let mut checks: Vec<Check> = vec![
        doctor::integrity(&db.conn).map_err(CliError::from)?,
        doctor::foreign_keys(&db.conn).map_err(CliError::from)?,
        doctor::kernel_rules(&db.conn, motus_core::Clock::now(&crate::host::SystemClock))
            .map_err(CliError::from)?,
        doctor::schema_version(&db.conn, &migrator),
    ];
    if let Ok(status) = migrator.status(&db.conn) {
        if !status.is_new {
            // What our migrations build at the same version is the reference.
            let upto = doctor::reference_migrations(&db.conn, &migrator, &status)
                .map_err(CliError::from)?;
            let reference = SqliteConnection::open_in_memory().map_err(CliError::from)?;
            Migrator::with_migrations(&upto)
                .migrate(&reference, &crate::host::SystemClock, false, &mut |_| {
                    Ok(None)
                })
                .map_err(CliError::from)?;
            let expected = Snapshot::capture(&reference).map_err(CliError::from)?;
            checks.push(doctor::schema_equivalence(&db.conn, &expected).map_err(CliError::from)?);
        }
    }
    if let crate::cluster::DbConn::Cluster(c) = &db.conn {
        checks.extend(crate::cluster::doctor_checks(c));
    } else {
        file_checks(&db, &mut checks);
    }
    report(ctx, &db, checks, repairs)
}

/// The checks only a local file has: its WAL's size and files left by killed runs.
fn file_checks(db: &db::Db, checks: &mut Vec<Check>) {
    let wal = std::fs::metadata(crate::paths::side_file(&db.path, "-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    checks.push(if wal > WAL_WARN_BYTES {
        Check::new(
            "wal_size",
            CheckStatus::Warn,
            format!("WAL is {wal} bytes; run `motus doctor --fix` to checkpoint it"),
        )
    } else {
        Check::new("wal_size", CheckStatus::Pass, format!("WAL is {wal} bytes"))
    });
    let left = crate::files::leftovers(&crate::files::parent_dir(&db.path));
    checks.push(if left.is_empty() {
        Check::new("leftovers", CheckStatus::Pass, "no files left by killed runs")
    } else {
        Check::new(
            "leftovers",
            CheckStatus::Warn,
            format!(
                "{} staging folder(s) left by killed runs (unfinished copies, never a finished file); `motus doctor --fix` removes them",
                left.len()
            ),
        )
        .with_details(serde_json::Value::from(
            left.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        ))
    });
}

fn report(
    ctx: &Ctx,
    db: &db::Db,
    checks: Vec<Check>,
    repairs: Option<Vec<Repair>>,
) -> Result<u8, CliError> {
    let count = |s: CheckStatus| checks.iter().filter(|c| c.status == s).count();
    let (passed, warned, failed) = (
        count(CheckStatus::Pass),
        count(CheckStatus::Warn),
        count(CheckStatus::Fail),
    );
    let overall = if failed > 0 {
        "fail"
    } else if warned > 0 {
        "warn"
    } else {
        "pass"
    };
    let unrepaired = repairs.as_ref().map_or(0, |r| {
        r.iter()
            .filter(|x| x.outcome == Outcome::CannotRepair)
            .count()
    });
    let doc = DoctorAnswer {
        path: db.path.display().to_string(),
        status: overall.into(),
        summary: DoctorSummary {
            passed,
            warned,
            failed,
            repaired: repairs
                .as_ref()
                .map(|r| r.iter().filter(|x| x.outcome == Outcome::Repaired).count()),
            cannot_repair: repairs.as_ref().map(|_| unrepaired),
        },
        checks: checks.clone(),
        repairs: repairs.clone(),
    };
    emit(ctx.json, &doc, || {
        let mut s = format!("Database: {}\n", db.path.display());
        for r in repairs.iter().flatten() {
            let tag = match r.outcome {
                Outcome::Repaired => "FIXED",
                Outcome::Clean => "ok",
                Outcome::CannotRepair => "LEFT",
                Outcome::Explained => "note",
            };
            s.push_str(&format!("{tag:>5}  {}: {}\n", r.name, r.message));
            for d in r.details.iter().take(20) {
                s.push_str(&format!("         {d}\n"));
            }
        }
        for c in &checks {
            let tag = match c.status {
                CheckStatus::Pass => "pass",
                CheckStatus::Warn => "warn",
                CheckStatus::Fail => "FAIL",
            };
            s.push_str(&format!("{tag:>4}  {}: {}\n", c.name, c.message));
            if c.status != CheckStatus::Pass {
                if let Some(list) = c.details.as_array() {
                    for d in list.iter().take(20) {
                        s.push_str(&format!("        {}\n", detail_line(d)));
                    }
                }
            }
        }
        s.push_str(&format!(
            "Summary: {passed} passed, {warned} warned, {failed} failed; overall: {overall}"
        ));
        s
    });
    Ok(if failed > 0 || unrepaired > 0 { 1 } else { 0 })
}
