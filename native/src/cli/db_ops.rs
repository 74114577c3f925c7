//! `motus db backup|restore|export|import`: copies that are verified before they are called
//! good, and replacements that keep what they replace.

use super::Ctx;
use crate::host::SystemClock;
use crate::output::{emit, CliError};
use crate::paths;
use motus_core::backup::{self, Contents, CopyCheck};
use motus_core::migrate::Migrator;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::transfer;
use motus_core::{Clock, Connection, ConnectionExt};
use serde_json::json;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Env var: how long (ms) a command waits for another process's lock before `busy`.
pub const ENV_BUSY_TIMEOUT: &str = "MOTUS_BUSY_TIMEOUT_MS";

/// Applies `MOTUS_BUSY_TIMEOUT_MS` when set (default 30 000 ms).
pub fn apply_busy_timeout_from_env() -> Result<(), CliError> {
    if let Some(v) = std::env::var_os(ENV_BUSY_TIMEOUT) {
        let ms: u64 = v
            .to_str()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| {
                CliError::usage(format!(
                    "{ENV_BUSY_TIMEOUT} must be a whole number of milliseconds, not {v:?}"
                ))
            })?;
        motus_core::sqlite::set_busy_limit_ms(ms);
    }
    Ok(())
}

fn utf8(path: &Path) -> Result<&str, CliError> {
    path.to_str()
        .ok_or_else(|| CliError::usage(format!("the path {} is not valid UTF-8", path.display())))
}

fn at(path: &Path) -> impl Fn(motus_core::Error) -> CliError + '_ {
    move |e| CliError::from(e).at(path)
}

fn stamp() -> String {
    // 2026-11-26 07:45:12.345 -> 20261126-074512
    let t = SystemClock.now().to_db();
    format!(
        "{}-{}",
        t[..10].replace('-', ""),
        t[11..19].replace(':', "")
    )
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn io_failed(e: std::io::Error, doing: String) -> CliError {
    let code = match e.kind() {
        std::io::ErrorKind::StorageFull => "disk_full",
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            "read_only"
        }
        std::io::ErrorKind::NotFound => "not_found",
        _ => "cannot_open",
    };
    let hint = match code {
        "disk_full" => "; free some space and retry",
        "read_only" => "; check the permissions of the file and its directory",
        _ => "",
    };
    CliError::failed(code, format!("{doing}: {e}{hint}"))
}

fn sync_file(path: &Path) -> Result<(), CliError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_failed(e, format!("cannot flush {} to disk", path.display())))
}

fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

fn remove_with_side_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

/// Refuses a destination that exists (a backup never overwrites) or whose folder is missing.
fn require_new_file(dest: &Path, what: &str) -> Result<(), CliError> {
    if dest.exists() {
        return Err(CliError::failed(
            "exists",
            format!(
                "{} already exists; {what} never overwrites a file — choose a new path or delete it first",
                dest.display()
            ),
        ));
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(CliError::failed(
                "not_found",
                format!(
                    "the folder {} does not exist; create it first",
                    dir.display()
                ),
            ));
        }
    }
    Ok(())
}

/// An existing, readable file (not a directory) given as a source.
fn require_source_file(src: &Path) -> Result<(), CliError> {
    match std::fs::metadata(src) {
        Ok(m) if m.is_dir() => Err(CliError::failed(
            "not_a_database",
            format!(
                "{} is a directory, not a database file; pass the path of the file",
                src.display()
            ),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(io_failed(e, format!("cannot read {}", src.display()))),
    }
}

/// Copies `src` (one snapshot, online backup API) to `dest` and verifies the copy before it
/// gets its final name: integrity check, foreign keys, and every table's content hash equal
/// to the source's at the copied snapshot. The copy is a self-contained rollback-journal
/// file (no `-wal`), readable anywhere.
pub fn verified_backup(src: &SqliteConnection, dest: &Path) -> Result<CopyCheck, CliError> {
    let tmp = with_suffix(dest, &format!(".partial-{}", std::process::id()));
    remove_with_side_files(&tmp);
    let result = copy_and_verify(src, &tmp);
    match result {
        Ok(check) => {
            sync_file(&tmp)?;
            std::fs::rename(&tmp, dest).map_err(|e| {
                remove_with_side_files(&tmp);
                io_failed(e, format!("cannot name the backup {}", dest.display()))
            })?;
            sync_parent(dest);
            paths::restrict_files(dest);
            Ok(check)
        }
        Err(e) => {
            remove_with_side_files(&tmp);
            Err(e)
        }
    }
}

fn copy_and_verify(src: &SqliteConnection, tmp: &Path) -> Result<CopyCheck, CliError> {
    let tmp_str = utf8(tmp)?;
    // One read transaction: the fingerprints and the pages copied describe the same snapshot.
    src.begin_read().map_err(CliError::from)?;
    let snapshot = (|| {
        let contents = backup::contents(src)?;
        let fk = backup::source_foreign_key_violations(src)?;
        src.backup_to(tmp_str)?;
        Ok::<_, motus_core::Error>((contents, fk))
    })();
    let _ = src.rollback();
    let (contents, fk) = snapshot.map_err(at(tmp))?;
    let copy = SqliteConnection::open(tmp_str, OpenMode::ReadWrite).map_err(at(tmp))?;
    copy.execute_batch("PRAGMA journal_mode = DELETE")
        .map_err(at(tmp))?;
    let check = backup::verify_copy(&copy, &contents, fk).map_err(at(tmp))?;
    drop(copy);
    Ok(check)
}

fn open_source(path: &Path) -> Result<SqliteConnection, CliError> {
    require_source_file(path)?;
    let conn = SqliteConnection::open(utf8(path)?, OpenMode::ReadOnly).map_err(at(path))?;
    conn.query_scalar::<i64>("SELECT count(*) FROM sqlite_master", &[])
        .map_err(at(path))?;
    Ok(conn)
}

pub fn backup(ctx: &Ctx, dest: &Path) -> Result<u8, CliError> {
    let src = open_source(&ctx.db_path).map_err(|e| {
        if e.code == "not_found" {
            CliError::failed(
                "not_found",
                format!(
                    "no database at {} to back up; pass --db PATH",
                    ctx.db_path.display()
                ),
            )
        } else {
            e
        }
    })?;
    let status = Migrator::coordination()
        .status(&src)
        .map_err(at(&ctx.db_path))?;
    if status.is_new {
        return Err(CliError::from(motus_core::Error::NotMotus {
            reason: "the database is empty (no tables); there is nothing to back up".into(),
        })
        .at(&ctx.db_path));
    }
    let dest = if dest.is_dir() {
        dest.join(format!("coordination-{}.db", stamp()))
    } else {
        dest.to_path_buf()
    };
    require_new_file(&dest, "backup")?;
    let check = verified_backup(&src, &dest)?;
    let size = std::fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);
    let doc = json!({
        "ok": true,
        "path": ctx.db_path.display().to_string(),
        "backup_path": dest.display().to_string(),
        "schema_version": status.current_version,
        "size_bytes": size,
        "verified": check,
    });
    emit(ctx.json, &doc, || {
        format!(
            "Backed up {} to {} ({} tables, {} rows, {size} bytes); verified: integrity ok, every table's content hash equals the source's",
            ctx.db_path.display(),
            dest.display(),
            check.tables,
            check.rows
        )
    });
    Ok(0)
}

/// Keeps the current database before it is replaced: a verified backup when it is a sound
/// SQLite file, otherwise a byte-for-byte copy of the file and its WAL.
fn keep_current(path: &Path, why: &str) -> Result<Option<(PathBuf, &'static str)>, CliError> {
    if !path.exists() {
        return Ok(None);
    }
    let dest = with_suffix(path, &format!(".before-{why}-{}", stamp()));
    require_new_file(&dest, why)?;
    let sound = open_source(path).and_then(|c| verified_backup(&c, &dest));
    match sound {
        Ok(_) => Ok(Some((dest, "verified backup"))),
        Err(_) => {
            for suffix in ["", "-wal"] {
                let from = with_suffix(path, suffix);
                if from.exists() {
                    std::fs::copy(&from, with_suffix(&dest, suffix)).map_err(|e| {
                        io_failed(
                            e,
                            format!("cannot keep a copy of {} before the {why}", from.display()),
                        )
                    })?;
                }
            }
            paths::restrict_files(&dest);
            Ok(Some((
                dest,
                "byte copy (the current file is not a sound database)",
            )))
        }
    }
}

/// Opens `path` as a SQLite database for writing, so the online backup API can replace its
/// content under SQLite's locks.
fn open_live_target(path: &Path) -> motus_core::Result<SqliteConnection> {
    let conn = SqliteConnection::open(&path.to_string_lossy(), OpenMode::ReadWrite)?;
    conn.query_scalar::<i64>("SELECT count(*) FROM sqlite_master", &[])?;
    Ok(conn)
}

/// Replaces the database at `target` with `source`'s content and checks the result.
fn replace_database(
    source: &SqliteConnection,
    target: &Path,
    expected: &Contents,
) -> Result<(), CliError> {
    match open_live_target(target).ok() {
        Some(mut live) => {
            // In place, under SQLite's write lock: other processes see old or new, never a mix.
            source.copy_into(&mut live).map_err(at(target))?;
            live.ensure_wal().map_err(at(target))?;
        }
        None => {
            // Missing or not a database: build the file beside it, then rename it into place.
            let tmp = with_suffix(target, &format!(".partial-{}", std::process::id()));
            remove_with_side_files(&tmp);
            source.backup_to(utf8(&tmp)?).map_err(at(&tmp))?;
            sync_file(&tmp)?;
            for suffix in ["-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(with_suffix(target, suffix));
            }
            std::fs::rename(&tmp, target).map_err(|e| {
                remove_with_side_files(&tmp);
                io_failed(
                    e,
                    format!("cannot put the new file at {}", target.display()),
                )
            })?;
            sync_parent(target);
            let conn =
                SqliteConnection::open(utf8(target)?, OpenMode::ReadWrite).map_err(at(target))?;
            conn.ensure_wal().map_err(at(target))?;
        }
    }
    paths::restrict_files(target);
    let check = SqliteConnection::open(utf8(target)?, OpenMode::ReadOnly).map_err(at(target))?;
    backup::verify_copy(&check, expected, 0).map_err(at(target))?;
    Ok(())
}

pub fn restore(ctx: &Ctx, src_path: &Path) -> Result<u8, CliError> {
    let src = open_source(src_path)?;
    // One snapshot for the checks and the fingerprints the result is compared with.
    let (source, contents) =
        motus_core::read_tx(&src, backup::check_restorable).map_err(at(src_path))?;
    let target = &ctx.db_path;
    if target.exists() {
        require_source_file(target)?;
    } else {
        paths::ensure_parent_dir(target).map_err(|e| {
            io_failed(
                e,
                format!("cannot create the folder for {}", target.display()),
            )
        })?;
    }
    let kept = keep_current(target, "restore")?;
    replace_database(&src, target, &contents)?;
    let doc = json!({
        "ok": true,
        "path": target.display().to_string(),
        "restored_from": src_path.display().to_string(),
        "schema_version": source.schema_version,
        "latest_version": source.latest_version,
        "tables": source.tables,
        "rows": source.rows,
        "previous_kept_at": kept.as_ref().map(|(p, _)| p.display().to_string()),
        "previous_kept_as": kept.as_ref().map(|(_, how)| *how),
    });
    emit(ctx.json, &doc, || {
        let mut s = format!(
            "Restored {} from {} ({} tables, {} rows, schema version {}); verified: every table's content hash equals the source's",
            target.display(),
            src_path.display(),
            source.tables,
            source.rows,
            source.schema_version
        );
        if let Some((p, how)) = &kept {
            s.push_str(&format!(
                "\nThe database it replaced is kept at {} ({how})",
                p.display()
            ));
        }
        if source.schema_version < source.latest_version {
            s.push_str("\nIts schema is older than this build's; the next write command upgrades it (after a backup), or run `motus db migrate`");
        }
        s
    });
    Ok(0)
}

/// Prints progress on stderr for large databases: at most every half second.
struct ProgressLine {
    verb: &'static str,
    last: std::time::Instant,
    started: std::time::Instant,
}

const PROGRESS_MIN_ROWS: u64 = 20_000;

impl ProgressLine {
    fn new(verb: &'static str) -> Self {
        let now = std::time::Instant::now();
        ProgressLine {
            verb,
            last: now,
            started: now,
        }
    }
    fn update(&mut self, p: transfer::Progress) {
        if p.rows_total < PROGRESS_MIN_ROWS {
            return;
        }
        let now = std::time::Instant::now();
        if now.duration_since(self.last).as_millis() < 500 && p.rows_done != p.rows_total {
            return;
        }
        self.last = now;
        crate::output::note(&format!(
            "motus: {} {}/{} rows ({}%, {}) {:.1}s",
            self.verb,
            p.rows_done,
            p.rows_total,
            p.rows_done * 100 / p.rows_total.max(1),
            p.table,
            now.duration_since(self.started).as_secs_f64()
        ));
    }
}

pub fn export(ctx: &Ctx, out: &Path) -> Result<u8, CliError> {
    let db = crate::db::open_read_any(&ctx.db_path)?;
    let to_stdout = out.as_os_str() == "-";
    let mut progress = ProgressLine::new("exported");
    let source = ctx.db_path.display().to_string();
    let summary = if to_stdout {
        let stdout = std::io::stdout();
        let mut w = BufWriter::new(crate::output::PipeWatch::new(stdout.lock()));
        let done = transfer::export(
            &db.conn,
            Some(&source),
            SystemClock.now(),
            &mut w,
            &mut |p| progress.update(p),
        )
        .and_then(|s| {
            use std::io::Write;
            w.flush().map_err(|e| motus_core::Error::DiskFull {
                message: format!("writing the export: {e}"),
            })?;
            Ok(s)
        });
        if w.get_ref().reader_gone {
            // The reader has what it wanted (`| head`): no error message, SIGPIPE's status.
            return Ok(crate::output::EXIT_READER_GONE);
        }
        done.map_err(at(&ctx.db_path))?
    } else {
        require_new_file(out, "export")?;
        let tmp = with_suffix(out, &format!(".partial-{}", std::process::id()));
        let file = std::fs::File::create(&tmp)
            .map_err(|e| io_failed(e, format!("cannot create {}", tmp.display())))?;
        let mut w = BufWriter::new(file);
        let written = transfer::export(
            &db.conn,
            Some(&source),
            SystemClock.now(),
            &mut w,
            &mut |p| progress.update(p),
        )
        .and_then(|s| {
            w.flush().map_err(|e| motus_core::Error::DiskFull {
                message: format!("writing {}: {e}", tmp.display()),
            })?;
            Ok(s)
        });
        let finished = written
            .map_err(|e| match e {
                // Trouble writing the file names the file; anything else names the database.
                motus_core::Error::DiskFull { .. }
                | motus_core::Error::ReadOnly { .. }
                | motus_core::Error::CannotOpen { .. } => CliError::from(e).at(out),
                other => CliError::from(other).at(&ctx.db_path),
            })
            .and_then(|s| {
                drop(w);
                sync_file(&tmp)?;
                std::fs::rename(&tmp, out).map_err(|e| {
                    io_failed(e, format!("cannot name the export {}", out.display()))
                })?;
                sync_parent(out);
                Ok(s)
            });
        if finished.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        finished?
    };
    let doc = json!({
        "ok": true,
        "path": ctx.db_path.display().to_string(),
        "out": out.display().to_string(),
        "schema_version": summary.schema_version,
        "tables": summary.tables,
        "rows": summary.rows,
    });
    if to_stdout {
        // stdout carries the export itself; the summary goes to stderr.
        crate::output::note(&format!(
            "motus: exported {} tables, {} rows (schema version {})",
            summary.tables, summary.rows, summary.schema_version
        ));
    } else {
        emit(ctx.json, &doc, || {
            format!(
                "Exported {} to {} ({} tables, {} rows, schema version {})",
                ctx.db_path.display(),
                out.display(),
                summary.tables,
                summary.rows,
                summary.schema_version
            )
        });
    }
    Ok(0)
}

fn open_input(input: &Path) -> Result<Box<dyn BufRead>, CliError> {
    if input.as_os_str() == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    require_source_file(input)?;
    let f = std::fs::File::open(input)
        .map_err(|e| io_failed(e, format!("cannot read {}", input.display())))?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
}

pub fn import(ctx: &Ctx, input: &Path, replace: bool) -> Result<u8, CliError> {
    let mut reader = open_input(input)?;
    let mut first = String::new();
    reader
        .read_line(&mut first)
        .map_err(|e| io_failed(e, format!("cannot read {}", input.display())))?;
    if first.trim().is_empty() {
        return Err(CliError::failed(
            "invalid_input",
            format!(
                "{} is empty; pass a file written by `motus db export`",
                input.display()
            ),
        ));
    }
    let header = transfer::parse_header(first.trim_end()).map_err(|e| {
        let mut err = CliError::from(e).at(input);
        err.exit = crate::output::EXIT_FAILED;
        err
    })?;
    let target = ctx.db_path.clone();
    let existed = target.exists();
    if existed {
        require_source_file(&target)?;
    } else {
        paths::ensure_parent_dir(&target).map_err(|e| {
            io_failed(
                e,
                format!("cannot create the folder for {}", target.display()),
            )
        })?;
    }
    // Load into a scratch file beside the target, so the target changes in one step or not at all.
    let scratch_path = with_suffix(&target, &format!(".import-{}.tmp", std::process::id()));
    remove_with_side_files(&scratch_path);
    let result = import_via_scratch(&mut reader, &header, &target, &scratch_path, replace);
    remove_with_side_files(&scratch_path);
    let outcome = result?;
    let doc = json!({
        "ok": true,
        "path": target.display().to_string(),
        "from": input.display().to_string(),
        "created": !existed,
        "identical": outcome.identical,
        "replaced": outcome.replaced,
        "previous_kept_at": outcome.kept.as_ref().map(|p| p.display().to_string()),
        "schema_version": header.schema_version,
        "tables": header.tables.len(),
        "rows": header.total_rows(),
    });
    emit(ctx.json, &doc, || {
        let what = if outcome.identical {
            "The database already holds exactly this export; nothing was written".to_string()
        } else {
            format!(
                "Imported {} into {} ({} tables, {} rows, schema version {}); verified: every table's content hash equals the export's",
                input.display(),
                target.display(),
                header.tables.len(),
                header.total_rows(),
                header.schema_version
            )
        };
        match &outcome.kept {
            Some(p) => format!(
                "{what}\nThe database it replaced is kept at {}",
                p.display()
            ),
            None => what,
        }
    });
    Ok(0)
}

struct ImportOutcome {
    identical: bool,
    replaced: bool,
    kept: Option<PathBuf>,
}

fn page_size_of(path: &Path) -> Option<i64> {
    let conn = SqliteConnection::open(path.to_str()?, OpenMode::ReadOnly).ok()?;
    conn.query_scalar::<i64>("PRAGMA page_size", &[]).ok()?
}

fn import_via_scratch(
    reader: &mut Box<dyn BufRead>,
    header: &transfer::Header,
    target: &Path,
    scratch_path: &Path,
    replace: bool,
) -> Result<ImportOutcome, CliError> {
    let scratch = SqliteConnection::open(utf8(scratch_path)?, OpenMode::ReadWriteCreate)
        .map_err(at(scratch_path))?;
    // The online backup API needs equal page sizes to copy into a WAL database.
    let page_size = page_size_of(target).unwrap_or(4096);
    scratch
        .execute_batch(&format!(
            "PRAGMA page_size = {page_size}; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;"
        ))
        .map_err(at(scratch_path))?;
    // A failure here is about the scratch file's disk, not a migration the user ran.
    transfer::prepare_empty(&scratch, header, &SystemClock)
        .map_err(|e| CliError::from(e.root().clone()).at(target))?;
    let mut progress = ProgressLine::new("imported");
    transfer::load(&scratch, header, reader.lines(), &mut |p| {
        progress.update(p)
    })
    .map_err(|e| {
        let mut err = CliError::from(e);
        err.exit = crate::output::EXIT_FAILED;
        err
    })?;
    let expected = header.contents();
    let live = if target.exists() {
        Some(open_live_target(target).map_err(|e| {
            let mut err = CliError::from(e).at(target);
            err.message.push_str(
                "; import into a new path, or restore a backup over it with `motus db restore`",
            );
            err
        })?)
    } else {
        None
    };
    let has_tables = live
        .as_ref()
        .map(|c| {
            c.query_scalar::<i64>(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                &[],
            )
            .ok()
            .flatten()
            .unwrap_or(0)
                > 0
        })
        .unwrap_or(false);
    if has_tables {
        let live = live.expect("has tables");
        Migrator::coordination().status(&live).map_err(at(target))?;
        let diffs =
            motus_core::read_tx(&live, |l| transfer::compare(l, &scratch)).map_err(at(target))?;
        if diffs.is_empty() {
            return Ok(ImportOutcome {
                identical: true,
                replaced: false,
                kept: None,
            });
        }
        if !replace {
            let lines: Vec<String> = diffs.iter().map(|d| format!("  {d}")).collect();
            let losing: u64 = diffs.iter().map(|d| d.only_in_database).sum();
            return Err(CliError::failed(
                "import_conflict",
                format!(
                    "{} already holds different data; importing would replace it ({losing} row(s) exist only in the database). Nothing was written. Differences:\n{}\nImport into a new path, or pass --replace to overwrite (the current database is backed up first)",
                    target.display(),
                    lines.join("\n")
                ),
            ));
        }
        drop(live);
        let kept = keep_current(target, "import")?.map(|(p, _)| p);
        replace_database(&scratch, target, &expected)?;
        return Ok(ImportOutcome {
            identical: false,
            replaced: true,
            kept,
        });
    }
    drop(live);
    replace_database(&scratch, target, &expected)?;
    Ok(ImportOutcome {
        identical: false,
        replaced: false,
        kept: None,
    })
}
