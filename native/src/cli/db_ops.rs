//! `motus db backup|restore|export|import`: copies that are verified before they are called
//! good, and replacements that keep what they replace.

use super::ctx::Ctx;
use crate::files::{self, Overwrite, PlaceError, Staged};
use crate::host::SystemClock;
use crate::output::{emit, CliError};
use crate::paths;
use crate::progress::Bar;
use motus_core::answer::ops::{BackupAnswer, ExportAnswer, ImportAnswer, RestoreAnswer};
use motus_core::file_tools::backup::{self, Contents, CopyCheck};
use motus_core::file_tools::transfer;
use motus_core::migrate::Migrator;
use motus_core::progress::{Progress, Step};
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{Clock, Connection};
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

/// `20261126074512345-1a2b3c`: unique to the millisecond plus a random part, so two runs in
/// the same second (or millisecond) never want the same name.
fn stamp() -> String {
    format!(
        "{}-{}",
        crate::host::now_stamp(),
        crate::files::random_suffix(6)
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

fn exists_error(dest: &Path, what: &str) -> CliError {
    CliError::failed(
        "exists",
        format!(
            "{} already exists; {what} does not overwrite a file — choose a new path, or pass --force to replace it",
            dest.display()
        ),
    )
}

/// Checks an output path before any work: not a side file, FIFO, device or directory; an
/// existing file only with `--force`, and never the database itself; its folder exists.
fn check_output(db: &Path, dest: &Path, rule: Overwrite, what: &str) -> Result<(), CliError> {
    let found = paths::check(dest, paths::Role::Output)?;
    paths::refuse_same(db, dest, &format!("the {what}"))?;
    let dangling = std::fs::symlink_metadata(dest).is_ok();
    if (found == paths::Found::File || dangling) && rule == Overwrite::Refuse {
        return Err(exists_error(dest, what));
    }
    let dir = files::parent_dir(dest);
    if !dir.is_dir() {
        return Err(CliError::failed(
            "not_found",
            format!(
                "the folder {} does not exist; create it first",
                dir.display()
            ),
        ));
    }
    Ok(())
}

fn stage(dest: &Path) -> Result<Staged, CliError> {
    Staged::new(dest)
        .map_err(|e| io_failed(e, format!("cannot create a file beside {}", dest.display())))
}

fn place(staged: Staged, rule: Overwrite, what: &str) -> Result<PathBuf, CliError> {
    let dest = staged.dest().to_path_buf();
    staged.place(rule).map_err(|e| match e {
        PlaceError::Exists(p) => exists_error(&p, what),
        PlaceError::Io(e) => io_failed(e, format!("cannot put the {what} at {}", dest.display())),
    })
}

/// Copies `src` (one snapshot, online backup API) to `dest` and verifies the copy before it
/// gets its final name: integrity check, foreign keys, and every table's content hash equal
/// to the source's at the copied snapshot. The copy is a self-contained rollback-journal
/// file (no `-wal`), readable anywhere; until it is verified it lives in a private staging
/// directory, so a killed run never leaves a file under a finished backup's name.
pub fn verified_backup(
    src: &SqliteConnection,
    dest: &Path,
    rule: Overwrite,
    progress: &mut dyn Progress,
) -> Result<CopyCheck, CliError> {
    let staged = stage(dest)?;
    let check = copy_and_verify(src, staged.path(), progress)?;
    place(staged, rule, "backup")?;
    Ok(check)
}

fn copy_and_verify(
    src: &SqliteConnection,
    tmp: &Path,
    progress: &mut dyn Progress,
) -> Result<CopyCheck, CliError> {
    let tmp_str = utf8(tmp)?;
    // One read transaction: the fingerprints and the pages copied describe the same snapshot.
    src.begin_read().map_err(CliError::from)?;
    let snapshot = (|| {
        let contents = backup::contents_with_progress(src, progress)?;
        let fk = backup::source_foreign_key_violations(src)?;
        src.backup_to_with_progress(tmp_str, progress)?;
        Ok::<_, motus_core::Error>((contents, fk))
    })();
    let _ = src.rollback();
    let (contents, fk) = snapshot.map_err(at(tmp))?;
    let copy = SqliteConnection::open(tmp_str, OpenMode::ReadWrite).map_err(at(tmp))?;
    motus_core::engine::local_file::use_rollback_journal(&copy, false).map_err(at(tmp))?;
    let check =
        backup::verify_copy_with_progress(&copy, &contents, fk, progress).map_err(at(tmp))?;
    drop(copy);
    Ok(check)
}

/// Opens a file given as a source (a restore source, the database to back up) read-only,
/// after the path checks and the WAL check.
fn open_source(path: &Path) -> Result<SqliteConnection, CliError> {
    if paths::check(path, paths::Role::Source)? == paths::Found::Missing {
        return Err(CliError::failed(
            "not_found",
            format!("cannot read {}: no such file", path.display()),
        ));
    }
    let conn = crate::db::open_file(path, OpenMode::ReadOnly)?;
    motus_core::engine::catalogue::object_count(&conn).map_err(at(path))?;
    Ok(conn)
}

pub fn backup(ctx: &Ctx, dest: &Path, force: bool) -> Result<u8, CliError> {
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
    let rule = Overwrite::from_force(force);
    check_output(&ctx.db_path, &dest, rule, "backup")?;
    let mut bar = Bar::new(
        "backing up",
        &[(Step::Hashing, 4), (Step::Copying, 1), (Step::Hashing, 4)],
    );
    let check = verified_backup(&src, &dest, rule, &mut bar)?;
    drop(bar);
    let size = std::fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);
    let doc = BackupAnswer {
        path: ctx.db_path.display().to_string(),
        backup_path: dest.display().to_string(),
        schema_version: status.current_version,
        size_bytes: size,
        verified: check.clone(),
    };
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

/// Where the database a replace operation replaced is kept: `<db>.before-<why>-<stamp>`.
fn kept_path(target: &Path, why: &str) -> PathBuf {
    with_suffix(target, &format!(".before-{why}-{}", stamp()))
}

/// A `file:` URI that opens `path` read-only (for ATTACH).
fn read_only_uri(path: &Path) -> Result<String, CliError> {
    let abs = std::path::absolute(path)
        .map_err(|e| io_failed(e, format!("cannot resolve {}", path.display())))?;
    let mut uri = String::from("file:");
    for b in utf8(&abs)?.bytes() {
        match b {
            b'%' | b'?' | b'#' => uri.push_str(&format!("%{b:02X}")),
            _ => uri.push(b as char),
        }
    }
    uri.push_str("?mode=ro");
    Ok(uri)
}

/// What a replace operation kept of the database it replaced.
struct Kept {
    path: PathBuf,
    how: &'static str,
}

/// Replaces the database at `target` with the content of the database file `source`, holding
/// the write lock through the whole swap: take the lock, snapshot the kept copy under it
/// (nobody can commit in between), replace every object and row in the same transaction,
/// check every table's hash against `expected` before committing, release. Writers wait for
/// the lock (or get BUSY) and then write into the new content; none is lost.
///
/// A target that is missing or not a SQLite database is replaced by a rename instead, after
/// a byte copy of it is kept.
fn replace_database(
    source: &Path,
    target: &Path,
    expected: &Contents,
    why: &str,
    progress: &mut dyn Progress,
) -> Result<Option<Kept>, CliError> {
    // A SQLite file is replaced in place under its write lock. The rename path is only for a
    // target that is missing, holds no SQLite database, or is damaged (SQLite itself reports
    // it corrupt, so no writer can be committing to it); never for a busy or locked one.
    let damaged = |e: &CliError| e.code == "corrupt" || e.code == "not_a_database";
    let live = if paths::check(target, paths::Role::Database)? == paths::Found::File
        && is_sqlite_file(target)
    {
        let opened = crate::db::open_file(target, OpenMode::ReadWrite).and_then(|c| {
            motus_core::engine::catalogue::object_count(&c).map_err(at(target))?;
            Ok(c)
        });
        match opened {
            Ok(c) => Some(c),
            Err(e) if damaged(&e) => None,
            Err(mut e) => {
                e.message.push_str(&format!("; the {why} changed nothing"));
                return Err(e);
            }
        }
    } else {
        None
    };
    let Some(live) = live else {
        return replace_by_rename(source, target, expected, why);
    };
    let alias = "motus_replace_source";
    backup::set_foreign_keys(&live, false).map_err(at(target))?;
    backup::attach(&live, &read_only_uri(source)?, alias).map_err(at(source))?;
    let result = (|| {
        backup::begin_write(&live).map_err(at(target))?;
        let swap = (|| {
            // The kept copy: a second connection's snapshot taken while we hold the write
            // lock is exactly what the swap replaces.
            let dest = kept_path(target, why);
            let reader = crate::db::open_another(target, OpenMode::ReadOnly)?;
            verified_backup(&reader, &dest, Overwrite::Refuse, progress)?;
            drop(reader);
            let kept = Kept {
                path: dest,
                how: "verified backup",
            };
            backup::replace_main_from(&live, alias).map_err(at(target))?;
            // Checked before the commit: a mismatch rolls everything back.
            backup::require_integrity(&live, "the replaced database").map_err(at(target))?;
            let now = backup::contents_with_progress(&live, progress).map_err(at(target))?;
            let diffs = now.differences(expected);
            if !diffs.is_empty() {
                return Err(CliError::failed(
                    "corrupt",
                    format!(
                        "{}: the replaced content differs from the source ({}); nothing was changed",
                        target.display(),
                        diffs.join("; ")
                    ),
                ));
            }
            Ok(kept)
        })();
        match swap {
            Ok(kept) => {
                live.commit().map_err(at(target))?;
                Ok(kept)
            }
            Err(e) => {
                let _ = live.rollback();
                Err(e)
            }
        }
    })();
    let _ = backup::detach(&live, alias);
    let _ = backup::set_foreign_keys(&live, true);
    let kept = match result {
        Ok(k) => k,
        // The file is damaged beyond its first page (SQLite reports it corrupt while the kept
        // copy is made): nothing was changed; it is kept byte for byte and the new file is
        // renamed into place.
        Err(e) if damaged(&e) => {
            drop(live);
            return replace_by_rename(source, target, expected, why);
        }
        Err(e) => return Err(e),
    };
    live.ensure_wal().map_err(at(target))?;
    paths::restrict_files(target);
    Ok(Some(kept))
}

/// What replacing a live database reports: hashing it for the kept copy, copying it,
/// hashing the copy, hashing it after the swap.
const REPLACE_STEPS: [(Step, u64); 4] = [
    (Step::Hashing, 4),
    (Step::Copying, 1),
    (Step::Hashing, 4),
    (Step::Hashing, 4),
];

/// True when the file starts with SQLite's header (an empty file is not a database yet).
fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    crate::paths::open_regular(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"SQLite format 3\0"
}

/// For a target that is missing or not a SQLite database: keep a byte copy of it (and its
/// WAL), build the new file in a private staging directory, and rename it into place.
fn replace_by_rename(
    source: &Path,
    target: &Path,
    expected: &Contents,
    why: &str,
) -> Result<Option<Kept>, CliError> {
    let kept = if target.exists() {
        let dest = kept_path(target, why);
        for suffix in ["", "-wal"] {
            let from = with_suffix(target, suffix);
            if !from.exists() {
                continue;
            }
            let staged = stage(&with_suffix(&dest, suffix))?;
            let mut r = crate::paths::open_regular(&from)
                .map_err(|e| io_failed(e, format!("cannot read {}", from.display())))?;
            let mut w = staged
                .open()
                .map_err(|e| io_failed(e, "cannot keep a copy".into()))?;
            std::io::copy(&mut r, &mut w).map_err(|e| {
                io_failed(
                    e,
                    format!("cannot keep a copy of {} before the {why}", from.display()),
                )
            })?;
            drop(w);
            place(staged, Overwrite::Refuse, "kept copy")?;
        }
        Some(Kept {
            path: dest,
            how: "byte copy (the current file is not a sound database)",
        })
    } else {
        None
    };
    let staged = stage(target)?;
    {
        let src = crate::db::open_file(source, OpenMode::ReadOnly)?;
        src.backup_to(utf8(staged.path())?)
            .map_err(at(staged.path()))?;
        let new = SqliteConnection::open(utf8(staged.path())?, OpenMode::ReadWrite)
            .map_err(at(staged.path()))?;
        backup::verify_copy(&new, expected, usize::MAX).map_err(at(target))?;
        new.ensure_wal().map_err(at(staged.path()))?;
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(with_suffix(target, suffix));
    }
    let rule = if kept.is_some() {
        Overwrite::Replace
    } else {
        Overwrite::Refuse
    };
    place(staged, rule, "database")?;
    paths::restrict_files(target);
    Ok(kept)
}

pub fn restore(ctx: &Ctx, src_path: &Path) -> Result<u8, CliError> {
    let target = &ctx.db_path;
    paths::check(target, paths::Role::Database)?;
    paths::refuse_same(target, src_path, "the restore source")?;
    let src = open_source(src_path)?;
    // One snapshot for the checks and the fingerprints the result is compared with.
    let (source, contents) =
        motus_core::read_tx(&src, backup::check_restorable).map_err(at(src_path))?;
    drop(src);
    if !target.exists() {
        crate::files::ensure_parent_dir(target).map_err(|e| {
            io_failed(
                e,
                format!("cannot create the folder for {}", target.display()),
            )
        })?;
    }
    let mut bar = Bar::new("restoring", &REPLACE_STEPS);
    let kept = replace_database(src_path, target, &contents, "restore", &mut bar)?;
    drop(bar);
    let doc = RestoreAnswer {
        path: target.display().to_string(),
        restored_from: src_path.display().to_string(),
        schema_version: source.schema_version,
        latest_version: source.latest_version,
        tables: source.tables,
        rows: source.rows,
        previous_kept_at: kept.as_ref().map(|k| k.path.display().to_string()),
        previous_kept_as: kept.as_ref().map(|k| k.how.to_string()),
    };
    emit(ctx.json, &doc, || {
        let mut s = format!(
            "Restored {} from {} ({} tables, {} rows, schema version {}); verified: every table's content hash equals the source's",
            target.display(),
            src_path.display(),
            source.tables,
            source.rows,
            source.schema_version
        );
        if let Some(k) = &kept {
            s.push_str(&format!(
                "\nThe database it replaced is kept at {} ({})",
                k.path.display(),
                k.how
            ));
        }
        if source.schema_version < source.latest_version {
            s.push_str("\nIts schema is older than this build's; the next write command upgrades it (after a backup), or run `motus db migrate`");
        }
        s
    });
    Ok(0)
}

pub fn export(ctx: &Ctx, out: &Path, force: bool) -> Result<u8, CliError> {
    let to_stdout = out.as_os_str() == "-";
    let rule = Overwrite::from_force(force);
    if !to_stdout {
        check_output(&ctx.db_path, out, rule, "export")?;
    }
    let db = crate::db::open_read_any(&ctx.db_path)?;
    let mut progress = Bar::new("exporting", &[(Step::Hashing, 1), (Step::Writing, 1)]);
    let source = ctx.db_path.display().to_string();
    let summary = if to_stdout {
        let stdout = std::io::stdout();
        let mut w = BufWriter::new(crate::output::PipeWatch::new(stdout.lock()));
        let done = transfer::export(
            &db.conn,
            Some(&source),
            SystemClock.now(),
            &mut w,
            &mut progress,
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
        // Written in a private staging directory and renamed into place when complete.
        let staged = stage(out)?;
        let file = staged
            .open()
            .map_err(|e| io_failed(e, format!("cannot create a file beside {}", out.display())))?;
        let mut w = BufWriter::new(file);
        let written = transfer::export(
            &db.conn,
            Some(&source),
            SystemClock.now(),
            &mut w,
            &mut progress,
        )
        .and_then(|s| {
            w.flush().map_err(|e| motus_core::Error::DiskFull {
                message: format!("writing {}: {e}", out.display()),
            })?;
            Ok(s)
        });
        let s = written.map_err(|e| match e {
            // Trouble writing the file names the file; anything else names the database.
            motus_core::Error::DiskFull { .. }
            | motus_core::Error::ReadOnly { .. }
            | motus_core::Error::CannotOpen { .. } => CliError::from(e).at(out),
            other => CliError::from(other).at(&ctx.db_path),
        })?;
        drop(w);
        place(staged, rule, "export")?;
        s
    };
    let doc = ExportAnswer {
        path: ctx.db_path.display().to_string(),
        out: out.display().to_string(),
        schema_version: summary.schema_version,
        tables: summary.tables,
        rows: summary.rows,
    };
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

/// The longest line an import reads (a row of the largest blob the export writes, hex-encoded,
/// fits with room to spare); a longer line is refused by number instead of filling memory.
pub const MAX_IMPORT_LINE: usize = 64 << 20;

/// Lines of an export, each at most [`MAX_IMPORT_LINE`] bytes; the error names the line.
struct BoundedLines<R> {
    reader: R,
    line: u64,
    source: String,
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = std::io::Result<String>;
    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        self.line += 1;
        let limit = MAX_IMPORT_LINE as u64 + 1;
        match std::io::Read::take(&mut self.reader, limit).read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) if buf.len() as u64 >= limit && !buf.ends_with(b"\n") => {
                Some(Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "{} line {} is longer than {} MB; this is not an export written by `motus db export`",
                        self.source,
                        self.line,
                        MAX_IMPORT_LINE >> 20
                    ),
                )))
            }
            Ok(_) => {
                if buf.ends_with(b"\n") {
                    buf.pop();
                    if buf.ends_with(b"\r") {
                        buf.pop();
                    }
                }
                Some(String::from_utf8(buf).map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} line {} is not valid UTF-8", self.source, self.line),
                    )
                }))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

fn open_input(input: &Path) -> Result<Box<dyn BufRead>, CliError> {
    if input.as_os_str() == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    if paths::check(input, paths::Role::Source)? == paths::Found::Missing {
        return Err(CliError::failed(
            "not_found",
            format!("cannot read {}: no such file", input.display()),
        ));
    }
    let f = crate::paths::open_regular(input)
        .map_err(|e| io_failed(e, format!("cannot read {}", input.display())))?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
}

pub fn import(ctx: &Ctx, input: &Path, replace: bool) -> Result<u8, CliError> {
    let target = ctx.db_path.clone();
    let existed = paths::check(&target, paths::Role::Database)? == paths::Found::File;
    if input.as_os_str() != "-" {
        paths::refuse_same(&target, input, "the export to import")?;
    }
    let reader = open_input(input)?;
    let mut lines = BoundedLines {
        reader,
        line: 0,
        source: input.display().to_string(),
    };
    let first = match lines.next() {
        None => String::new(),
        Some(Ok(l)) => l,
        Some(Err(e)) => return Err(io_failed(e, format!("cannot read {}", input.display()))),
    };
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
    if let Some(url) = crate::cluster::url_of(&target)? {
        let done = crate::cluster::import(ctx, &url, input, &header, &mut lines, replace)?;
        return report_import(
            ctx,
            &ImportReport {
                target: &target,
                input,
                created: done.created,
                identical: done.identical,
                replaced: done.replaced,
                kept: done.kept.as_deref(),
                header: &header,
                migrated_from: done.migrated_from,
                schema_version: done.schema_version,
            },
        );
    }
    if !existed {
        crate::files::ensure_parent_dir(&target).map_err(|e| {
            io_failed(
                e,
                format!("cannot create the folder for {}", target.display()),
            )
        })?;
    }
    // Load into a scratch file in a private staging directory beside the target, so the
    // target changes in one step or not at all.
    let scratch = stage(&target)?;
    // Into a new file: load, hash what was loaded, hash the finished file. Into a database
    // that holds data: also compare with it, keep a verified copy of it, and hash it swapped.
    let plan: &[(Step, u64)] = if existed {
        &[
            (Step::Loading, 3),
            (Step::Hashing, 2),
            (Step::Hashing, 2),
            (Step::Hashing, 2),
            (Step::Hashing, 2),
            (Step::Copying, 1),
            (Step::Hashing, 2),
            (Step::Hashing, 2),
        ]
    } else {
        &[(Step::Loading, 3), (Step::Hashing, 2), (Step::Hashing, 2)]
    };
    let mut bar = Bar::new("importing", plan);
    let outcome = import_via_scratch(&mut lines, &header, &target, scratch, replace, &mut bar)?;
    drop(bar);
    report_import(
        ctx,
        &ImportReport {
            target: &target,
            input,
            created: !existed,
            identical: outcome.identical,
            replaced: outcome.replaced,
            kept: outcome.kept.as_deref(),
            header: &header,
            migrated_from: None,
            schema_version: header.schema_version,
        },
    )
}

/// What an import did, into a file or a cluster alike.
struct ImportReport<'a> {
    target: &'a Path,
    input: &'a Path,
    created: bool,
    identical: bool,
    replaced: bool,
    kept: Option<&'a Path>,
    header: &'a transfer::Header,
    /// The export's schema version, when its rows were migrated on the way in.
    migrated_from: Option<i64>,
    /// The schema version of the rows written.
    schema_version: i64,
}

/// The one `db import` answer (document and text) for every kind of target.
fn report_import(ctx: &Ctx, r: &ImportReport) -> Result<u8, CliError> {
    let header = r.header;
    let doc = ImportAnswer {
        path: r.target.display().to_string(),
        from: r.input.display().to_string(),
        created: r.created,
        identical: r.identical,
        replaced: r.replaced,
        previous_kept_at: r.kept.map(|p| p.display().to_string()),
        schema_version: r.schema_version,
        migrated_from: r.migrated_from,
        tables: header.tables.len(),
        rows: header.total_rows(),
    };
    emit(ctx.json, &doc, || {
        let what = if r.identical {
            "The database already holds exactly this export; nothing was written".to_string()
        } else {
            format!(
                "Imported {} into {} ({} tables, {} rows, schema version {}); verified: every table's content hash equals the export's",
                r.input.display(),
                r.target.display(),
                header.tables.len(),
                header.total_rows(),
                r.schema_version
            )
        };
        let what = match r.migrated_from {
            Some(v) if !r.identical => format!(
                "{what}; the export's rows (schema version {v}) were migrated to version {} on the way in",
                r.schema_version
            ),
            _ => what,
        };
        match r.kept {
            Some(p) => format!("{what}\nIts previous content is kept at {}", p.display()),
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
    let conn = crate::db::open_file(path, OpenMode::ReadOnly).ok()?;
    motus_core::engine::local_file::page_size(&conn).ok()
}

fn import_via_scratch(
    lines: &mut BoundedLines<Box<dyn BufRead>>,
    header: &transfer::Header,
    target: &Path,
    scratch_file: Staged,
    replace: bool,
    progress: &mut dyn Progress,
) -> Result<ImportOutcome, CliError> {
    let scratch_path = scratch_file.path().to_path_buf();
    let scratch = SqliteConnection::open(utf8(&scratch_path)?, OpenMode::ReadWrite)
        .map_err(at(&scratch_path))?;
    let page_size = if target.exists() {
        page_size_of(target).unwrap_or(4096)
    } else {
        4096
    };
    motus_core::engine::local_file::use_scratch_journal(&scratch, Some(page_size))
        .map_err(at(&scratch_path))?;
    // A failure here is about the scratch file's disk, not a migration the user ran.
    transfer::prepare_empty(&scratch, header, &SystemClock)
        .map_err(|e| CliError::from(e.root().clone()).at(target))?;
    transfer::load(&scratch, header, lines, progress).map_err(|e| {
        let mut err = CliError::from(e);
        err.exit = crate::output::EXIT_FAILED;
        err
    })?;
    let expected = header.contents();
    let live = if target.exists() {
        Some(
            crate::db::open_file(target, OpenMode::ReadOnly)
                .and_then(|c| {
                    motus_core::engine::catalogue::object_count(&c).map_err(at(target))?;
                    Ok(c)
                })
                .map_err(|mut err| {
                    err.message.push_str(
                "; import into a new path, or restore a backup over it with `motus db restore`",
            );
                    err
                })?,
        )
    } else {
        None
    };
    let has_tables = live
        .as_ref()
        .map(|c| motus_core::engine::catalogue::table_count(c).unwrap_or(0) > 0)
        .unwrap_or(false);
    // The scratch file is complete: close it so the swap reads it as a finished file.
    drop(scratch);
    if has_tables {
        let live = live.expect("has tables");
        Migrator::coordination().status(&live).map_err(at(target))?;
        let scratch_ro = SqliteConnection::open(utf8(&scratch_path)?, OpenMode::ReadOnly)
            .map_err(at(&scratch_path))?;
        let diffs = motus_core::read_tx(&live, |l| {
            transfer::compare_with_progress(l, &scratch_ro, progress)
        })
        .map_err(at(target))?;
        drop(scratch_ro);
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
        let kept =
            replace_database(&scratch_path, target, &expected, "import", progress)?.map(|k| k.path);
        return Ok(ImportOutcome {
            identical: false,
            replaced: true,
            kept,
        });
    }
    drop(live);
    if target.exists() {
        // An empty file: replaced under the lock like any other.
        replace_database(&scratch_path, target, &expected, "import", progress)?;
    } else {
        // A new database: the scratch file itself becomes it.
        {
            let c = SqliteConnection::open(utf8(&scratch_path)?, OpenMode::ReadWrite)
                .map_err(at(&scratch_path))?;
            motus_core::engine::local_file::use_rollback_journal(&c, true)
                .map_err(at(&scratch_path))?;
            backup::verify_copy_with_progress(&c, &expected, usize::MAX, progress)
                .map_err(at(target))?;
            c.ensure_wal().map_err(at(&scratch_path))?;
        }
        place(scratch_file, Overwrite::Refuse, "database")?;
        paths::restrict_files(target);
    }
    Ok(ImportOutcome {
        identical: false,
        replaced: false,
        kept: None,
    })
}
