//! `motus db init|migrate|status|backup|restore|export|import`.

use super::ctx::Ctx;
use crate::db::{self, Db};
use crate::output::{emit, emit_answer, CliError};
use clap::Subcommand;
use motus_core::answer::migrate::MigrateAnswer;
use motus_core::answer::ops::{InitAnswer, StatusAnswer};
use motus_core::migrate::{Migrator, Status};

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create the database (or bring an existing one to the latest schema)
    Init,
    /// Apply pending migrations, writing a backup first when the database holds data
    Migrate {
        /// Show what would be applied without changing anything
        #[arg(long)]
        dry_run: bool,
    },
    /// Show the schema version, pending migrations and file sizes (read-only)
    Status,
    /// Copy the database with SQLite's online backup API (consistent while others write),
    /// verified before it reports success
    Backup {
        /// Backup file to create; a folder gets coordination-<time>-<random>.db
        dest: std::path::PathBuf,
        /// Replace DEST if it exists (otherwise an existing file is refused)
        #[arg(long)]
        force: bool,
    },
    /// Replace the database with a backup, after checking it is a sound Motus database;
    /// the current database is kept beside it first
    Restore {
        /// Backup file to restore from
        src: std::path::PathBuf,
    },
    /// Write every table to JSON Lines (lossless: types, blobs, NULLs, rowids, sequences)
    Export {
        /// File to create, `-` for stdout
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// Replace FILE if it exists (otherwise an existing file is refused)
        #[arg(long)]
        force: bool,
    },
    /// Load an export into the database named by --db (created if missing); refuses to
    /// overwrite different data unless --replace
    Import {
        /// Export file, `-` for stdin
        file: std::path::PathBuf,
        /// Overwrite a database that holds different data (it is backed up first)
        #[arg(long)]
        replace: bool,
    },
}

pub fn run(ctx: &Ctx, cmd: DbCommand) -> Result<u8, CliError> {
    match cmd {
        DbCommand::Init => init(ctx),
        DbCommand::Migrate { dry_run } => migrate(ctx, dry_run),
        DbCommand::Status => status(ctx),
        DbCommand::Backup { dest, force } => {
            crate::cluster::refuse_file_only(
                &ctx.db_path,
                "db backup",
                "the nodes replicate it; `motus db export --out FILE` writes a portable copy",
            )?;
            super::db_ops::backup(ctx, &dest, force)
        }
        DbCommand::Restore { src } => {
            crate::cluster::refuse_file_only(
                &ctx.db_path,
                "db restore",
                "`motus db import FILE --replace` loads an export into the cluster",
            )?;
            super::db_ops::restore(ctx, &src)
        }
        DbCommand::Export { out, force } => super::db_ops::export(ctx, &out, force),
        DbCommand::Import { file, replace } => super::db_ops::import(ctx, &file, replace),
    }
}

fn init(ctx: &Ctx) -> Result<u8, CliError> {
    let existed = ctx.db_path.exists();
    let (db, report) = db::open_write(&ctx.db_path)?;
    let status = Migrator::coordination()
        .status(&db.conn)
        .map_err(CliError::from)?;
    let applied: Vec<_> = report
        .as_ref()
        .map(|r| r.applied.clone())
        .unwrap_or_default();
    let doc = InitAnswer {
        path: Some(db.path.display().to_string()),
        created: !existed,
        schema_version: status.current_version,
        applied: applied.clone(),
        backup_path: report.as_ref().and_then(|r| r.backup_path.clone()),
    };
    emit(ctx.json, &doc, || {
        let verb = if !existed {
            "Created"
        } else if applied.is_empty() {
            "Already current:"
        } else {
            "Upgraded"
        };
        format!(
            "{verb} {} (schema version {})",
            db.path.display(),
            status.current_version
        )
    });
    Ok(0)
}

fn migrate(ctx: &Ctx, dry_run: bool) -> Result<u8, CliError> {
    let (db, report) = if dry_run {
        let db = db::open_read_any(&ctx.db_path)?;
        let plan = db::migrate(&db, true)?;
        (db, Some(plan))
    } else {
        // A cluster database is absent when it holds no schema (the node creates an empty
        // one on first use), not when the disk says so.
        let absent = if crate::cluster::is_cluster(&ctx.db_path) {
            let probe = db::open_read_any(&ctx.db_path)?;
            Migrator::coordination()
                .status(&probe.conn)
                .map_err(|e| CliError::from(e).at(&ctx.db_path))?
                .is_new
        } else {
            !ctx.db_path.exists()
        };
        if absent {
            return Err(CliError::failed(
                "not_found",
                format!(
                    "no database at {}; create it with `motus db init`",
                    ctx.db_path.display()
                ),
            ));
        }
        // open_write applies what is pending (backup first) and says what it did; its
        // failure is this command's.
        db::open_write(&ctx.db_path)?
    };
    let after = Migrator::coordination()
        .status(&db.conn)
        .map_err(CliError::from)?;
    let answer = MigrateAnswer::new(
        Some(&db.path.display().to_string()),
        dry_run,
        after.current_version,
        report.as_ref(),
        &after,
    );
    Ok(emit_answer(ctx.json, &answer, |a| {
        let mut s = a.summary();
        for m in &a.would_apply {
            s.push_str(&format!("\n  {:03} {}", m.version, m.name));
        }
        s
    }))
}

fn status(ctx: &Ctx) -> Result<u8, CliError> {
    let Db { path, conn } = db::open_read_any(&ctx.db_path)?;
    let s: Status = Migrator::coordination()
        .status(&conn)
        .map_err(|e| CliError::from(e).at(&path))?;
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let doc = StatusAnswer {
        path: Some(path.display().to_string()),
        schema_version: s.current_version,
        latest_version: s.latest_version,
        is_current: s.is_current(),
        written_by_original: s.written_by_original(),
        size_bytes: match &conn {
            crate::cluster::DbConn::Cluster(c) => crate::cluster::size_bytes(c),
            crate::cluster::DbConn::File(_) => size(&path),
        },
        wal_size_bytes: size(&crate::paths::side_file(&path, "-wal")),
        pending: s.pending.clone(),
        applied: s.applied.clone(),
    };
    emit(ctx.json, &doc, || {
        let mut out = format!(
            "Database: {}\nSchema version: {} (this build: {})\nSize: {} bytes (WAL {} bytes)",
            path.display(),
            doc.schema_version,
            doc.latest_version,
            doc.size_bytes,
            doc.wal_size_bytes
        );
        if doc.written_by_original {
            out.push_str(
                "\nVersions 1-20 were applied by the original motusos (recognised by checksum)",
            );
        }
        if doc.pending.is_empty() {
            out.push_str("\nUp to date");
        } else {
            out.push_str(&format!(
                "\nPending ({}), apply with `motus db migrate`:",
                doc.pending.len()
            ));
            for m in &doc.pending {
                out.push_str(&format!("\n  {:03} {}", m.version, m.name));
            }
        }
        out
    });
    Ok(0)
}
