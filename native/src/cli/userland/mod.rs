//! `motus userland extract|status`: moving the preference tables into userland.db, and
//! seeing where they live.

pub mod open;

use super::ctx::Ctx;
use crate::db;
use crate::host::SystemClock;
use crate::output::{emit, CliError};
use crate::paths;
use clap::Subcommand;
use motus_core::answer::userland::{
    ExtractAnswer, ExtractPlanAnswer, TableRows, UserlandStatusAnswer,
};
use motus_core::migrate::Migrator;
use motus_core::sqlite::SqliteConnection;
use motus_core::userland::extract::{self, Inspection, State};
use motus_core::userland::location::{self, Placement};
use motus_core::userland::store::Home;
use motus_core::userland::TABLES;
use open::{actor, open_userland_read, open_userland_write, path_str, with_env};
use std::time::Instant;

/// Test-only: `MOTUS_TEST_PAUSE_AT=<step>` makes `motus userland extract` stop at that step
/// (printing `motus: test pause at <step>` on stderr) and wait to be killed, so the tests can
/// SIGKILL a real process at every point of the sequence.
pub const PAUSE_ENV: &str = "MOTUS_TEST_PAUSE_AT";

fn pause_point(step: &str) {
    if std::env::var(PAUSE_ENV).is_ok_and(|s| s == step) {
        crate::output::note(&format!(
            "motus: test pause at {step} (pid {})",
            std::process::id()
        ));
        loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserlandCommand {
    /// Move the rows of preferences, skills, ground_rules, learned_patterns and
    /// detected_patterns from coordination.db into userland.db (backup first; a rerun finishes
    /// an interrupted move)
    Extract {
        /// Show what would be done without changing anything
        #[arg(long)]
        dry_run: bool,
    },
    /// Say where each table lives and how many rows each file holds (read-only)
    Status,
}

pub fn run(ctx: &Ctx, cmd: UserlandCommand) -> Result<u8, CliError> {
    if matches!(cmd, UserlandCommand::Extract { .. }) {
        crate::cluster::refuse_file_only(
            &ctx.db_path,
            "userland extract",
            "it moves rows into a userland.db file beside a local database; on a cluster preferences, skills, rules and patterns stay in the cluster database",
        )?;
    }
    match cmd {
        UserlandCommand::Extract { dry_run: true } => dry_run(ctx),
        UserlandCommand::Extract { dry_run: false } => extract(ctx),
        UserlandCommand::Status => status(ctx),
    }
}

fn extract(ctx: &Ctx) -> Result<u8, CliError> {
    let started = Instant::now();
    if !ctx.db_path.is_file() {
        return Err(CliError::failed(
            "not_found",
            format!(
                "no database at {}; there is nothing to extract (pass --db PATH to name it)",
                ctx.db_path.display()
            ),
        ));
    }
    paths::refuse_same(&ctx.db_path, &ctx.userland_path, "--userland")?;
    paths::check(&ctx.userland_path, paths::Role::Userland)?;
    // One extraction at a time per folder: a second run waits for the first, then finds the
    // tables already extracted (a clear answer instead of a UNIQUE constraint failure).
    let _lock = extraction_lock(&ctx.userland_path)?;
    let (coord, _) = db::open_write(&ctx.db_path)?;
    let at = |e: motus_core::Error| CliError::from(e).at(&coord.path);
    // coordination.db changes only while its rows are still there: back it up first then.
    let backup = if location::placement(&coord.conn).map_err(at)? == Placement::Coordination {
        let dest = open::backup_path(&coord.path, "userland-extract", &SystemClock);
        let file = coord.conn.file().ok_or_else(|| {
            CliError::usage("`motus userland extract` moves rows into a local userland.db file; on a cluster they stay in the cluster database")
        })?;
        open::write_backup(file, &dest).map_err(at)?;
        Some(dest)
    } else {
        None
    };
    pause_point("backup");
    let user = open_userland_write(&ctx.userland_path)?;
    pause_point("userland_created");
    let backup_str = backup.as_ref().map(|b| b.display().to_string());
    let req = extract::Request {
        coordination_path: path_str(&coord.path)?,
        userland_path: path_str(&ctx.userland_path)?,
        backup_path: backup_str.as_deref(),
        actor: &actor(),
    };
    // The extraction's own steps, in order, are the bar's.
    let mut bar =
        crate::progress::Bar::new("extracting", &[(motus_core::progress::Step::Extracting, 1)]);
    let steps = extract::Step::ALL.len() as u64;
    let outcome = with_env(|env| {
        extract::run(&coord.conn, &user, env, &req, &mut |s| {
            let done = extract::Step::ALL.iter().position(|a| *a == s).unwrap_or(0) as u64 + 1;
            use motus_core::progress::Progress;
            bar.report(motus_core::progress::Step::Extracting, done, steps);
            pause_point(s.name())
        })
    })
    .map_err(|e| CliError::from(e).at(&ctx.userland_path))?;
    paths::restrict_files(&ctx.userland_path);
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let rows: u64 = outcome.tables.values().map(|t| t.rows).sum();
    let doc = ExtractAnswer {
        dry_run: false,
        coordination_path: coord.path.display().to_string(),
        userland_path: ctx.userland_path.display().to_string(),
        backup_path: backup_str.clone(),
        found: outcome.found,
        already_extracted: outcome.already_extracted,
        copies: outcome.copies,
        rows,
        tables: outcome.tables.clone(),
        elapsed_ms,
    };
    emit(ctx.json, &doc, || {
        let mut s = if outcome.already_extracted {
            format!(
                "Already extracted: the tables live in {}",
                ctx.userland_path.display()
            )
        } else {
            format!(
                "Moved {rows} row(s) from {} into {} in {elapsed_ms} ms{}",
                coord.path.display(),
                ctx.userland_path.display(),
                match outcome.found {
                    State::InterruptedAfterCopy | State::InterruptedAfterRemoval =>
                        " (finished an interrupted extraction)",
                    _ => "",
                }
            )
        };
        if let Some(b) = &backup_str {
            s.push_str(&format!("\nBackup of coordination.db: {b}"));
        }
        for (t, h) in &outcome.tables {
            s.push_str(&format!(
                "\n  {t:<18} {:>6} rows  sha256 {}",
                h.rows,
                &h.sha256[..16]
            ));
        }
        s
    });
    Ok(0)
}

/// An exclusive lock on the folder that holds userland.db, held until the process ends its
/// extraction. The folder is locked, not a database file: closing a descriptor of a database
/// file would drop SQLite's own POSIX locks on it. (Windows cannot lock a folder: there a lock
/// file in it, `.motus-extract.lock`, is locked instead.)
fn extraction_lock(userland: &std::path::Path) -> Result<std::fs::File, CliError> {
    let dir = crate::files::parent_dir(userland);
    crate::files::ensure_private_dir(&dir).map_err(|e| {
        CliError::failed(
            "cannot_open",
            format!("cannot create {}: {e}", dir.display()),
        )
    })?;
    let f = crate::files::lock_handle(&dir).map_err(|e| {
        CliError::failed("cannot_open", format!("cannot open {}: {e}", dir.display()))
    })?;
    if let Err(std::fs::TryLockError::WouldBlock) = f.try_lock() {
        eprintln!(
            "motus: another `motus userland extract` is running on {}; waiting for it to finish",
            dir.display()
        );
        if f.lock().is_err() {
            return Err(CliError::failed(
                "busy",
                format!(
                    "another `motus userland extract` holds {}; retry when it has finished",
                    dir.display()
                ),
            ));
        }
    }
    Ok(f)
}

/// userland.db's connection and schema version, when the file exists.
type UserlandFile = Option<(SqliteConnection, i64)>;

/// Reads both files without changing either.
fn inspect(ctx: &Ctx) -> Result<(db::Db, UserlandFile, Inspection), CliError> {
    let coord = db::open_read_any(&ctx.db_path)?;
    Migrator::coordination()
        .status(&coord.conn)
        .map_err(|e| CliError::from(e).at(&coord.path))?;
    let user = if ctx.userland_path.is_file() {
        let (conn, status) = match open_userland_read(&ctx.userland_path) {
            Err(e) if e.code == "schema_outdated" => {
                // Still readable for a status; the extraction will upgrade it.
                let conn =
                    db::open_file(&ctx.userland_path, motus_core::sqlite::OpenMode::ReadOnly)?;
                let status = Migrator::userland()
                    .status(&conn)
                    .map_err(|e| CliError::from(e).at(&ctx.userland_path))?;
                (conn, status)
            }
            other => other?,
        };
        Some((conn, status.current_version))
    } else {
        None
    };
    let inspection = extract::inspect(&coord.conn, user.as_ref().map(|(c, _)| c))
        .map_err(|e| CliError::from(e).at(&coord.path))?;
    Ok((coord, user, inspection))
}

fn lives_in(i: &Inspection) -> &'static str {
    if i.marker.is_some() {
        "userland"
    } else {
        "coordination"
    }
}

fn table_rows(i: &Inspection) -> Vec<TableRows> {
    TABLES
        .iter()
        .map(|t| {
            let c = i.coordination_rows.get(*t).map_or(0, |h| h.rows);
            let u = i.userland_rows.get(*t).map(|h| h.rows);
            let home = lives_in(i);
            let in_userland = home == "userland";
            TableRows {
                table: t.to_string(),
                lives_in: if in_userland {
                    Home::Userland
                } else {
                    Home::Coordination
                },
                rows: if in_userland { u.unwrap_or(0) } else { c },
                coordination_rows: c,
                userland_rows: u,
                // Rows written into coordination.db's emptied table after the move (not served).
                stray_rows_in_coordination: if in_userland { c } else { 0 },
            }
        })
        .collect()
}

fn status(ctx: &Ctx) -> Result<u8, CliError> {
    let (coord, user, i) = inspect(ctx)?;
    let tables = table_rows(&i);
    let doc = UserlandStatusAnswer {
        coordination_path: coord.path.display().to_string(),
        userland_path: ctx.userland_path.display().to_string(),
        userland_exists: user.is_some(),
        userland_schema_version: user.as_ref().map(|(_, v)| *v),
        userland_latest_version: Migrator::userland().latest_version(),
        state: i.state,
        state_description: i.state.describe().to_string(),
        lives_in: if lives_in(&i) == "userland" {
            Home::Userland
        } else {
            Home::Coordination
        },
        extracted_at: i.marker.as_ref().map(|m| m.extracted_at.clone()),
        backup_path: i.extraction.as_ref().and_then(|e| e.backup_path.clone()),
        tables: tables.clone(),
    };
    emit(ctx.json, &doc, || {
        let mut s = format!(
            "Coordination database: {}\nUserland database: {} ({})\nState: {}",
            coord.path.display(),
            ctx.userland_path.display(),
            match &user {
                Some((_, v)) => format!("schema version {v}"),
                None => "not created".into(),
            },
            i.state.describe()
        );
        for t in &tables {
            s.push_str(&format!(
                "\n  {:<18} lives in {:<12} {:>6} rows",
                t.table,
                t.lives_in.as_str(),
                t.rows
            ));
            let stray = t.stray_rows_in_coordination;
            if stray > 0 {
                s.push_str(&format!(
                    " ({stray} row(s) written into coordination.db after the move are not used)"
                ));
            }
        }
        if matches!(
            i.state,
            State::InterruptedAfterCopy | State::InterruptedAfterRemoval
        ) {
            s.push_str("\nNext: `motus userland extract` finishes it");
        }
        s
    });
    // The files disagreeing is a negative verdict, like a failed check.
    Ok(if i.state == State::Mismatch { 1 } else { 0 })
}

fn dry_run(ctx: &Ctx) -> Result<u8, CliError> {
    let (coord, user, i) = inspect(ctx)?;
    let pending = Migrator::coordination()
        .status(&coord.conn)
        .map(|s| s.pending.len())
        .unwrap_or(0);
    let rows: u64 = i.coordination_rows.values().map(|h| h.rows).sum();
    let mut plan: Vec<String> = Vec::new();
    if pending > 0 {
        plan.push(format!(
            "apply {pending} pending coordination.db migration(s) (backup first)"
        ));
    }
    match i.state {
        State::NotExtracted | State::InterruptedAfterCopy => {
            plan.push(format!("back up {} first", coord.path.display()));
            if user.is_none() {
                plan.push(format!("create {}", ctx.userland_path.display()));
            }
            if i.state == State::NotExtracted {
                plan.push(format!("copy {rows} row(s) of {} tables", TABLES.len()));
            } else {
                plan.push("check the copy made by the interrupted run (copy again if coordination.db changed since)".into());
            }
            plan.push("verify row counts and per-table content hashes in both files".into());
            plan.push("remove the rows from coordination.db, recording the move in its instance_config and audit_log".into());
            plan.push("mark the extraction complete in userland.db".into());
        }
        State::InterruptedAfterRemoval => {
            plan.push("verify userland.db and mark the interrupted extraction complete".into())
        }
        State::Extracted => plan.push("nothing: already extracted".into()),
        State::Mismatch => plan.push(format!("nothing: {}", i.state.describe())),
    }
    let doc = ExtractPlanAnswer {
        dry_run: true,
        coordination_path: coord.path.display().to_string(),
        userland_path: ctx.userland_path.display().to_string(),
        state: i.state,
        rows,
        tables: table_rows(&i),
        would: plan.clone(),
    };
    emit(ctx.json, &doc, || {
        let mut s = format!("Dry run: {}\nWould:", i.state.describe());
        for (n, p) in plan.iter().enumerate() {
            s.push_str(&format!("\n  {}. {p}", n + 1));
        }
        s
    });
    Ok(if i.state == State::Mismatch { 1 } else { 0 })
}
