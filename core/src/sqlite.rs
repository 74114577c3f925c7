//! The one adapter that names rusqlite: [`Connection`] on a rusqlite connection. Natively it
//! runs on bundled SQLite; on `wasm32-unknown-unknown` rusqlite runs on sqlite-wasm-rs.

use crate::connection::{Connection, Rows, Value};
use crate::error::{Error, Result};
use rusqlite::{types::ValueRef, OpenFlags};

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Read and write; create the file if it is missing.
    ReadWriteCreate,
    /// Read and write an existing file.
    ReadWrite,
    /// Read only (`query_only` as well, so nothing can write through this connection).
    ReadOnly,
}

/// A [`Connection`] over rusqlite.
pub struct SqliteConnection {
    conn: rusqlite::Connection,
}

/// Maps a rusqlite error onto the core error kinds, by SQLite result code
/// ([`crate::engine::result_codes`]).
pub fn map_error(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(err, msg) => {
            let message = msg.unwrap_or_else(|| err.to_string());
            crate::engine::result_codes::error_for(err.extended_code, message)
        }
        other => Error::Sql {
            message: other.to_string(),
        },
    }
}

fn to_sql_value(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Integer(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(f) => rusqlite::types::Value::Real(*f),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
    }
}

fn from_value_ref(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// Pages one backup step copies (4 MiB at 4 KiB pages): small enough for a progress
/// bar to move on a large file, large enough that the steps cost nothing extra.
pub const COPY_STEP_PAGES: std::os::raw::c_int = 1024;

#[cfg(not(target_family = "wasm"))]
mod busy {
    //! SQLite's default busy handler backs off to 100 ms sleeps, so a waiting writer can miss
    //! many short lock releases in a row and starve (seen: 1.1–3.6 s waits with 4 processes).
    //! We poll every ~0.3–1 ms instead, so a waiter gets the lock soon after it is free.
    use std::cell::Cell;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    pub static LIMIT_MS: AtomicU64 = AtomicU64::new(30_000);

    thread_local! {
        static STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
    }

    pub fn handler(attempt: i32) -> bool {
        let now = Instant::now();
        let started = STARTED.with(|s| {
            if attempt == 0 || s.get().is_none() {
                s.set(Some(now));
            }
            s.get().unwrap()
        });
        if now.duration_since(started).as_millis() as u64 >= LIMIT_MS.load(Ordering::Relaxed) {
            return false;
        }
        // A little spread so waiters do not wake in lock-step.
        let spread =
            (now.elapsed().subsec_nanos() ^ (attempt as u32).wrapping_mul(2654435761)) % 700;
        std::thread::sleep(Duration::from_micros(300 + spread as u64));
        true
    }
}

/// Sets how long a connection waits for a lock before reporting the database busy.
#[cfg(not(target_family = "wasm"))]
pub fn set_busy_limit_ms(ms: u64) {
    busy::LIMIT_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

#[cfg(not(target_family = "wasm"))]
/// How long a connection waits for another's lock before `busy`, in milliseconds.
#[cfg(not(target_family = "wasm"))]
pub fn busy_limit_ms() -> u64 {
    busy::LIMIT_MS.load(std::sync::atomic::Ordering::Relaxed)
}

impl SqliteConnection {
    /// Wraps an existing rusqlite connection as it is.
    pub fn from_rusqlite(conn: rusqlite::Connection) -> Self {
        SqliteConnection { conn }
    }

    /// A new empty in-memory database with the standard settings.
    pub fn open_in_memory() -> Result<Self> {
        let conn = rusqlite::Connection::open_in_memory().map_err(map_error)?;
        let mut c = SqliteConnection { conn };
        c.configure(false, false)?;
        Ok(c)
    }

    /// Opens a database file with the settings the original uses: WAL, synchronous NORMAL,
    /// foreign keys on, a 64 MB cache, temp store in memory, and our fair busy wait.
    pub fn open(path: &str, mode: OpenMode) -> Result<Self> {
        let flags = match mode {
            OpenMode::ReadWriteCreate => {
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
            }
            OpenMode::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
            OpenMode::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(map_error)?;
        let mut c = SqliteConnection { conn };
        c.configure(mode != OpenMode::ReadOnly, mode == OpenMode::ReadOnly)?;
        Ok(c)
    }

    /// Loads a whole database image (for example a file the user picked in a browser) into
    /// memory, read-only. WAL-mode images are switched to rollback mode in the copy first.
    pub fn from_image(bytes: Vec<u8>) -> Result<Self> {
        Self::load_image(bytes, true)
    }

    /// Loads a whole database image into memory for reading and writing (the JS API's
    /// in-module database), with the settings [`open_in_memory`](Self::open_in_memory) uses.
    pub fn from_image_writable(bytes: Vec<u8>) -> Result<Self> {
        Self::load_image(bytes, false)
    }

    fn load_image(mut bytes: Vec<u8>, read_only: bool) -> Result<Self> {
        if bytes.len() < 100 || !bytes.starts_with(b"SQLite format 3\0") {
            return Err(Error::NotADatabase {
                message: "the file does not start with the SQLite header".into(),
            });
        }
        // Header bytes 18/19 are the read/write format versions: 2 means WAL, which an
        // in-memory image cannot use.
        if bytes[18] == 2 || bytes[19] == 2 {
            bytes[18] = 1;
            bytes[19] = 1;
        }
        let mut conn = rusqlite::Connection::open_in_memory().map_err(map_error)?;
        let len = bytes.len();
        conn.deserialize_read_exact(
            rusqlite::MAIN_DB,
            std::io::Cursor::new(bytes),
            len,
            read_only,
        )
        .map_err(map_error)?;
        let mut c = SqliteConnection { conn };
        if read_only {
            c.execute_batch("PRAGMA query_only = ON; PRAGMA foreign_keys = ON;")?;
        } else {
            c.configure(false, false)?;
        }
        // Force SQLite to read the schema now, so a damaged file fails here, not later.
        crate::engine::catalogue::object_count(&c)?;
        require_utf8_schema(&c)?;
        Ok(c)
    }

    /// The whole database as one image (what `from_image` reads).
    pub fn to_image(&mut self) -> Result<Vec<u8>> {
        let data = self.conn.serialize(rusqlite::MAIN_DB).map_err(map_error)?;
        Ok(data.to_vec())
    }

    fn configure(&mut self, file_writer: bool, read_only: bool) -> Result<()> {
        // Kernel calls reuse a few dozen statements; keep them all prepared.
        self.conn.set_prepared_statement_cache_capacity(128);
        #[cfg(not(target_family = "wasm"))]
        self.conn
            .busy_handler(Some(busy::handler))
            .map_err(map_error)?;
        // Plans must not depend on bound values: with STAT4 compiled in, SQLite otherwise
        // marks statements with parameters in partial-index or subquery positions to be
        // re-prepared on every rebind, which made a third of a kernel call's CPU time parsing
        // SQL the statement cache already held.
        self.conn
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
                true,
            )
            .map_err(map_error)?;
        let mut pragmas = String::from(
            "PRAGMA foreign_keys = ON; PRAGMA cache_size = -64000; PRAGMA temp_store = MEMORY;",
        );
        if file_writer {
            pragmas.push_str(" PRAGMA synchronous = NORMAL;");
        }
        if read_only {
            pragmas.push_str(" PRAGMA query_only = ON;");
        }
        self.execute_batch(&pragmas)?;
        Ok(())
    }

    /// Switches a writable file to WAL (a no-op when it already is). Done only when we are
    /// about to write, because it needs a write to the header on a new file.
    pub fn ensure_wal(&self) -> Result<()> {
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(map_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            self.conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
                .map_err(map_error)?;
        }
        Ok(())
    }

    /// Leaves the WAL in place when this connection closes instead of checkpointing it. A
    /// short-lived CLI call otherwise pays two fsyncs and two unlinks on exit (~20-30 ms on a
    /// plain disk) for every write; the WAL is still checkpointed automatically every ~1000
    /// pages by whichever commit crosses that size, and by any connection that closes
    /// without this setting.
    pub fn skip_checkpoint_on_close(&self) -> Result<()> {
        self.conn
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            )
            .map(|_| ())
            .map_err(map_error)
    }

    /// Copies the whole database to `dest` with `VACUUM INTO` (a consistent snapshot even
    /// while others write). `dest` must not exist.
    pub fn vacuum_into(&self, dest: &str) -> Result<()> {
        self.conn
            .execute("VACUUM INTO ?1", [dest])
            .map(|_| ())
            .map_err(map_error)
    }

    /// Copies this database, page by page with SQLite's online backup API, into `dest`
    /// (created if missing, replaced entirely if it exists). The copy is one consistent
    /// snapshot: when this connection has a read transaction open, it is that transaction's
    /// snapshot; otherwise the copy takes its own for its duration. Other processes keep
    /// writing meanwhile (WAL readers do not block writers).
    #[cfg(not(target_family = "wasm"))]
    pub fn backup_to(&self, dest: &str) -> Result<()> {
        self.backup_to_with_progress(dest, &mut crate::progress::unwatched())
    }

    /// [`backup_to`](Self::backup_to), reporting [`Step::Copying`](crate::progress::Step) in pages.
    #[cfg(not(target_family = "wasm"))]
    pub fn backup_to_with_progress(
        &self,
        dest: &str,
        progress: &mut dyn crate::progress::Progress,
    ) -> Result<()> {
        let mut target = SqliteConnection::open(dest, OpenMode::ReadWriteCreate)?;
        self.copy_into_with_progress(&mut target, progress)
    }

    /// Copies this whole database into another open connection's database with the online
    /// backup API. The destination is replaced in one step under its write lock, so other
    /// processes using it see either the old or the new content, never a mix.
    #[cfg(not(target_family = "wasm"))]
    pub fn copy_into(&self, dest: &mut SqliteConnection) -> Result<()> {
        self.copy_into_with_progress(dest, &mut crate::progress::unwatched())
    }

    /// [`copy_into`](Self::copy_into) in steps of [`COPY_STEP_PAGES`] pages, reporting each.
    /// Between steps the destination stays write-locked (its transaction commits at the
    /// end), and the source's snapshot is held by a read transaction, so a writer elsewhere
    /// never restarts the copy.
    #[cfg(not(target_family = "wasm"))]
    pub fn copy_into_with_progress(
        &self,
        dest: &mut SqliteConnection,
        progress: &mut dyn crate::progress::Progress,
    ) -> Result<()> {
        use crate::progress::Step;
        use rusqlite::backup::{Backup, StepResult};
        use std::time::{Duration, Instant};
        // Without a read transaction the source lock is dropped between steps, and any
        // commit elsewhere would restart the copy from page 1.
        let own_snapshot = self.conn.is_autocommit();
        if own_snapshot {
            // BEGIN alone is deferred: the read finds the snapshot and keeps it.
            self.conn.execute_batch("BEGIN").map_err(map_error)?;
            if let Err(e) = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                    r.get::<_, i64>(0)
                })
            {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(map_error(e));
            }
        }
        let copied = (|| {
            let limit =
                Duration::from_millis(busy::LIMIT_MS.load(std::sync::atomic::Ordering::Relaxed));
            let started = Instant::now();
            let backup = Backup::new(&self.conn, &mut dest.conn).map_err(map_error)?;
            loop {
                let step = backup.step(COPY_STEP_PAGES).map_err(map_error)?;
                let p = backup.progress();
                let total = p.pagecount.max(0) as u64;
                let done = total.saturating_sub(p.remaining.max(0) as u64);
                match step {
                    StepResult::Done => {
                        progress.report(Step::Copying, total, total);
                        return Ok(());
                    }
                    StepResult::More => progress.report(Step::Copying, done.min(total), total),
                    StepResult::Busy | StepResult::Locked => {
                        if started.elapsed() >= limit {
                            return Err(Error::Busy {
                                message: "the destination stayed locked during the copy".into(),
                            });
                        }
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    _ => continue,
                }
            }
        })();
        if own_snapshot {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        copied
    }

    pub fn inner(&self) -> &rusqlite::Connection {
        &self.conn
    }

    pub fn into_inner(self) -> rusqlite::Connection {
        self.conn
    }
}

/// The result's column names. rusqlite panics on a name that is not UTF-8, which a crafted
/// schema can hold (a view `SELECT 1 AS "\xff"`; found by the `open_image` fuzz target):
/// natively the panic is caught, silently, and reported as a damaged schema.
#[cfg(not(target_family = "wasm"))]
fn column_names(stmt: &rusqlite::Statement<'_>) -> Result<Vec<String>> {
    quiet_panics::catch(|| stmt.column_names().map(str::to_string).collect()).map_err(|_| {
        Error::Corrupt {
            message: "a column name in the schema is not valid UTF-8".into(),
        }
    })
}

/// In the browser, images are checked by [`SqliteConnection::from_image`] instead.
#[cfg(target_family = "wasm")]
fn column_names(stmt: &rusqlite::Statement<'_>) -> Result<Vec<String>> {
    Ok(stmt.column_names().map(str::to_string).collect())
}

#[cfg(not(target_family = "wasm"))]
mod quiet_panics {
    //! Catching a panic without the default hook printing it: a hook installed once that
    //! stays quiet while this thread is inside [`catch`] and defers to the previous hook
    //! otherwise.
    use std::cell::Cell;
    use std::sync::Once;

    thread_local! {
        static QUIET: Cell<bool> = const { Cell::new(false) };
    }
    static INSTALL: Once = Once::new();

    pub fn catch<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
        INSTALL.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if !QUIET.with(Cell::get) {
                    previous(info)
                }
            }));
        });
        QUIET.with(|q| q.set(true));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        QUIET.with(|q| q.set(false));
        outcome
    }
}

/// Schema text that is not UTF-8 would surface as column names rusqlite cannot represent.
fn require_utf8_schema(c: &SqliteConnection) -> Result<()> {
    let rows = c.query(
        "SELECT CAST(name AS BLOB), CAST(sql AS BLOB) FROM sqlite_master",
        &[],
    )?;
    for r in rows.iter() {
        for v in r.values() {
            if let Value::Blob(b) = v {
                if std::str::from_utf8(b).is_err() {
                    return Err(Error::Corrupt {
                        message: "the schema holds text that is not valid UTF-8".into(),
                    });
                }
            }
        }
    }
    Ok(())
}

impl Connection for SqliteConnection {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(map_error)?;
        let values: Vec<_> = params.iter().map(to_sql_value).collect();
        stmt.execute(rusqlite::params_from_iter(values.iter()))
            .map_err(map_error)
    }

    fn query(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(map_error)?;
        let columns = column_names(&stmt)?;
        let n = columns.len();
        let values: Vec<_> = params.iter().map(to_sql_value).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values.iter()))
            .map_err(map_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map_error)? {
            let mut vals = Vec::with_capacity(n);
            for i in 0..n {
                vals.push(from_value_ref(row.get_ref(i).map_err(map_error)?));
            }
            out.push(vals);
        }
        Ok(Rows { columns, rows: out })
    }

    fn for_each_row(
        &self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&[Value]) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(map_error)?;
        let n = stmt.column_count();
        let values: Vec<_> = params.iter().map(to_sql_value).collect();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(values.iter()))
            .map_err(map_error)?;
        let mut vals = Vec::with_capacity(n);
        while let Some(row) = rows.next().map_err(map_error)? {
            vals.clear();
            for i in 0..n {
                vals.push(from_value_ref(row.get_ref(i).map_err(map_error)?));
            }
            each(&vals)?;
        }
        Ok(())
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        self.conn.execute_batch(sql).map_err(map_error)
    }

    fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }
    fn is_local_file(&self) -> bool {
        true
    }
}
