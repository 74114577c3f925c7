//! The database side, running inside a Web Worker: it opens the chosen file in place through
//! the read-only VFS ([`crate::vfs`]) and answers the page's requests with `core`'s functions.
//!
//! Every statement runs under a time budget (SQLite's progress handler interrupts it), and an
//! authorizer lets SQLite itself refuse anything but reading: no statement — not even
//! `EXPLAIN PRAGMA …` — can change the connection. The page's Cancel ends the whole worker.

use crate::graph_layout;
use crate::protocol::{Failure, Opened, Progress, Request};
use crate::row_estimate;
use crate::vfs::{self, Mounted, Reader, Source};
use crate::wire;
use motus_core::file_tools::browse;
use motus_core::file_tools::wal_frames;
use motus_core::overview;
use motus_core::sqlite::SqliteConnection;
use rusqlite::OpenFlags;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

/// How long the pages' own queries may run before they are stopped.
pub const PAGE_BUDGET_MS: f64 = 15_000.0;
/// How long a console statement may run (Cancel stops it sooner).
pub const CONSOLE_BUDGET_MS: f64 = 60_000.0;

struct Open {
    conn: SqliteConnection,
    mount: String,
}

thread_local! {
    static DB: RefCell<Option<Open>> = const { RefCell::new(None) };
    static DEADLINE: Cell<f64> = const { Cell::new(0.0) };
    static TIMED_OUT: Cell<bool> = const { Cell::new(false) };
    static BUDGET: Cell<f64> = const { Cell::new(0.0) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Replies are `[kind, id, bytes]` with kind `ok`, `err`, `progress` or `ready`; the bytes are
/// the answer in [`crate::wire`]'s form (none for `ready`).
fn post(kind: &str, id: f64, bytes: &[u8]) {
    let payload = js_sys::Uint8Array::from(bytes);
    let msg = js_sys::Array::of3(&kind.into(), &id.into(), &payload);
    let _ = scope().post_message(&msg);
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let data: js_sys::Array = ev.data().unchecked_into();
        let id = data.get(0).as_f64().unwrap_or(0.0);
        let bytes = js_sys::Uint8Array::new(&data.get(1)).to_vec();
        let files: Vec<File> = (2..data.length())
            .filter_map(|i| data.get(i).dyn_into::<File>().ok())
            .collect();
        let outcome = match wire::from_bytes::<Request>(&bytes) {
            Ok(req) => handle(id, req, files),
            Err(e) => Err(Failure::worker(format!(
                "the page sent a request the worker does not understand ({e}); reload the page"
            ))),
        };
        match outcome {
            Ok(reply) => post("ok", id, &reply),
            Err(f) => post("err", id, &wire::to_bytes(&f).unwrap_or_default()),
        }
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    warm_up();
    post("ready", 0.0, &[]);
}

/// What every open needs, done while the person is still choosing a file: SQLite's own
/// start-up and the VFS registration. (The migrations `describe` compares a file's ledger with
/// are a table built into core: nothing to parse or hash, and no SQL in this module.)
fn warm_up() {
    let _ = vfs::register();
    let _ = rusqlite::Connection::open_in_memory();
    warm_up_open();
}

/// A tiny database with one of each kind of schema object, made in memory at start-up.
const WARM_UP_SCHEMA: &str = "\
CREATE TABLE roadmap_items (id TEXT PRIMARY KEY, phase_key TEXT NOT NULL, title TEXT NOT NULL, \
  status_key TEXT NOT NULL DEFAULT 'pending', rank REAL, deleted_at TEXT, \
  item_type TEXT NOT NULL DEFAULT 'work' CHECK (item_type IN ('work', 'gate')));
CREATE INDEX warm_status ON roadmap_items (status_key) WHERE deleted_at IS NULL;
CREATE TABLE roadmap_dependencies (item_id TEXT NOT NULL, depends_on_id TEXT NOT NULL, \
  dependency_type TEXT NOT NULL DEFAULT 'blocks', PRIMARY KEY (item_id, depends_on_id), \
  FOREIGN KEY (item_id) REFERENCES roadmap_items(id));
CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL \
  DEFAULT (datetime('now')), event_type TEXT, resource_type TEXT, resource_id TEXT, action TEXT);
CREATE TRIGGER warm_audit AFTER UPDATE OF status_key ON roadmap_items \
  WHEN NEW.status_key != OLD.status_key BEGIN \
  SELECT CASE WHEN EXISTS (SELECT 1 FROM roadmap_dependencies d WHERE d.item_id = NEW.id) \
    THEN RAISE(ABORT, 'blocked') END; \
  INSERT INTO audit_log (event_type, resource_id, action) VALUES ('roadmap', NEW.id, 'update'); END;
CREATE VIEW warm_view AS SELECT r.id, count(d.item_id) AS n FROM roadmap_items r \
  LEFT JOIN roadmap_dependencies d ON d.item_id = r.id GROUP BY r.id;
INSERT INTO roadmap_items (id, phase_key, title) VALUES ('W-1', 'p', 'a'), ('W-2', 'p', 'b');
INSERT INTO roadmap_dependencies (item_id, depends_on_id) VALUES ('W-2', 'W-1');";

/// Opens a tiny database made here through the same path as a chosen file (the VFS, the
/// schema parse, `describe`, the overview's queries), then closes it. The browser compiles
/// WebAssembly functions lazily, on their first call: without this, the first real open paid
/// ~20 ms of compiling before its first statement, and more in the schema parse. Done while
/// the person is still choosing a file; a failure here changes nothing.
fn warm_up_open() {
    let Ok(mut mem) = SqliteConnection::open_in_memory() else {
        return;
    };
    use motus_core::Connection;
    if mem.execute_batch(WARM_UP_SCHEMA).is_err() {
        return;
    }
    let Ok(bytes) = mem.to_image() else { return };
    drop(mem);
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
    let Ok(file) = File::new_with_u8_array_sequence(&parts, "warm-up.db") else {
        return;
    };
    let opened = open(
        0.0,
        OpenSpec {
            name: "warm-up.db".into(),
            main: Source::File(file),
            size: bytes.len() as f64,
            wal: None,
        },
    );
    if opened.is_ok() {
        let _ = with_db(PAGE_BUDGET_MS, |c| {
            let _ = overview::overview_first(c, &mut |_| None);
            let _ = overview::overview_work(c);
            let _ = overview::recent_activity(c, 15);
            Ok(())
        });
    }
    if let Some(old) = DB.with(|db| db.borrow_mut().take()) {
        drop(old.conn);
        vfs::unmount(&old.mount);
    }
}

fn reply<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, Failure> {
    wire::to_bytes(v).map_err(|e| Failure::worker(format!("cannot encode the reply: {e}")))
}

/// A core error, told in terms of what happened here (a stopped query, a file that went away).
fn core<T>(r: motus_core::Result<T>) -> Result<T, Failure> {
    r.map_err(|e| {
        if TIMED_OUT.with(Cell::get) {
            let secs = BUDGET.with(Cell::get) / 1000.0;
            return Failure {
                code: "timeout".into(),
                message: format!(
                    "Stopped after {secs:.0} s so the rest of the viewer stays usable: this query took too long. A very large table, or a view in the file whose query never finishes, can do this; narrow it with a filter or a LIMIT."
                ),
            };
        }
        if let Some(read) = vfs::take_last_error() {
            return Failure {
                code: "read_failed".into(),
                message: read,
            };
        }
        Failure::from_core(&e)
    })
}

fn with_db<T>(
    budget_ms: f64,
    f: impl FnOnce(&SqliteConnection) -> Result<T, Failure>,
) -> Result<T, Failure> {
    DB.with(|db| match db.borrow().as_ref() {
        Some(open) => {
            TIMED_OUT.with(|t| t.set(false));
            BUDGET.with(|b| b.set(budget_ms));
            DEADLINE.with(|d| d.set(js_sys::Date::now() + budget_ms));
            let out = f(&open.conn);
            DEADLINE.with(|d| d.set(0.0));
            out
        }
        None => Err(Failure {
            code: "no_database".into(),
            message: "No database is open. Choose a coordination.db with the file picker or drop it on the page.".into(),
        }),
    })
}

fn progress(id: f64, phase: &str, done: f64, total: f64) {
    let p = Progress {
        phase: phase.into(),
        done,
        total,
    };
    post("progress", id, &wire::to_bytes(&p).unwrap_or_default());
}

fn check_header(m: &mut Mounted) -> Result<(u32, bool), Failure> {
    let mut head = [0u8; 100];
    let n = m
        .main
        .read(&mut head, 0)
        .map_err(|e| Failure::worker(e.to_string()))?;
    if n < 100 || !head.starts_with(b"SQLite format 3\0") {
        return Err(Failure {
            code: "not_a_database".into(),
            message: "the file does not start with the SQLite header".into(),
        });
    }
    let raw = u16::from_be_bytes([head[16], head[17]]) as u32;
    let page_size = if raw == 1 { 65536 } else { raw };
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(Failure {
            code: "corrupt".into(),
            message: format!(
                "the header gives a page size of {page_size} bytes, which SQLite never writes"
            ),
        });
    }
    Ok((page_size, head[18] == 2 || head[19] == 2))
}

/// What the page opens: a chosen file (with its `-wal`, maybe) or the live snapshot.
pub struct OpenSpec {
    pub name: String,
    pub main: Source,
    pub size: f64,
    pub wal: Option<(String, File)>,
}

fn open(id: f64, spec: OpenSpec) -> Result<Vec<u8>, Failure> {
    let t0 = js_sys::Date::now();
    // A small file opens in a blink: a progress bar for it would only cost the page a render
    // (on two busy cores, time taken from the open itself).
    let quiet = spec.size as u64 <= vfs::WHOLE_FILE_BYTES;
    let progress = |id, phase: &str, done, total| {
        if !quiet {
            progress(id, phase, done, total)
        }
    };
    progress(id, "Reading the header", 0.0, 1.0);
    let main = Reader::new(spec.main, spec.size as u64).map_err(Failure::worker)?;
    let mut mounted = Mounted {
        main,
        wal: None,
        page_size: 4096,
    };
    let (page_size, wal_mode) = check_header(&mut mounted)?;
    mounted.page_size = page_size;
    let mut notices = Vec::new();
    if let Some((wal_name, wal_file)) = spec.wal {
        progress(id, "Reading the -wal", 0.0, 1.0);
        let len = wal_file.size() as u64;
        let mut reader = Reader::new(Source::File(wal_file), len).map_err(Failure::worker)?;
        let read = &mut |off: u64, buf: &mut [u8]| reader.read_exact(buf, off);
        match wal_frames::read_index(len, Some(page_size), read) {
            Ok(idx) if idx.is_empty() => notices.push(format!(
                "{wal_name} holds no committed changes; the database is shown as its main file has it."
            )),
            Ok(idx) => {
                notices.push(format!(
                    "Applied {wal_name} read-only: {} committed transaction{} ({} pages) not yet checkpointed into the main file are shown.{}",
                    idx.commits,
                    if idx.commits == 1 { "" } else { "s" },
                    idx.pages.len(),
                    if idx.ignored_frames > 0 {
                        format!(" {} frames of an unfinished transaction at its end were left out, as SQLite would.", idx.ignored_frames)
                    } else {
                        String::new()
                    }
                ));
                mounted.wal = Some((reader, idx));
            }
            Err(e) => notices.push(format!(
                "{wal_name} was not applied: {e}. The database is shown as its main file has it."
            )),
        }
    } else if wal_mode {
        notices.push(format!(
            "{} is in WAL mode: recent changes may still be in {}-wal beside it. To see them, choose (or drop) both files together.",
            spec.name, spec.name
        ));
    }
    // Close what was open before; its mount goes with it.
    if let Some(old) = DB.with(|db| db.borrow_mut().take()) {
        drop(old.conn);
        vfs::unmount(&old.mount);
    }
    let mount = vfs::mount(mounted).map_err(Failure::worker)?;
    progress(id, "Opening database", 1.0, 1.0);
    let opened = open_connection(&mount).and_then(|conn| {
        TIMED_OUT.with(|t| t.set(false));
        BUDGET.with(|b| b.set(PAGE_BUDGET_MS));
        DEADLINE.with(|d| d.set(js_sys::Date::now() + PAGE_BUDGET_MS));
        // Read the schema now, so a damaged file fails here, not on a page.
        let info = core(schema_is_readable(&conn)).and_then(|_| core(browse::describe(&conn)));
        DEADLINE.with(|d| d.set(0.0));
        info.map(|info| (conn, info))
    });
    let (conn, info) = match opened {
        Ok(v) => v,
        Err(f) => {
            vfs::unmount(&mount);
            return Err(f);
        }
    };
    let t1 = js_sys::Date::now();
    let fetched = vfs::fetched(&mount) as f64;
    let motus = info.kind == browse::DatabaseKind::Motus;
    DB.with(|db| *db.borrow_mut() = Some(Open { conn, mount }));
    // The overview is the first page of a Motus database: its first screen travels with the
    // open's answer instead of a round trip after it. If it fails, the page asks again and
    // shows why.
    let overview = if motus { first_screen().ok() } else { None };
    reply(&Opened {
        overview,
        name: spec.name,
        size: spec.size,
        info,
        notices,
        read_ms: 0.0,
        open_ms: t1 - t0,
        bytes_read: fetched,
        live: None,
    })
}

/// Reads the whole schema (so a damaged file fails at open) and checks it is UTF-8 text.
fn schema_is_readable(conn: &SqliteConnection) -> motus_core::Result<()> {
    use motus_core::{Connection, Value};
    let rows = conn.query(
        "SELECT CAST(name AS BLOB), CAST(sql AS BLOB) FROM sqlite_master",
        &[],
    )?;
    for r in rows.iter() {
        for v in r.values() {
            if let Value::Blob(b) = v {
                if std::str::from_utf8(b).is_err() {
                    return Err(motus_core::Error::Corrupt {
                        message: "the schema holds text that is not valid UTF-8".into(),
                    });
                }
            }
        }
    }
    Ok(())
}

fn open_connection(mount: &str) -> Result<SqliteConnection, Failure> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    // immutable=1: no locks, no journal or change checks; the VFS refuses writes anyway.
    let mut conn = rusqlite::Connection::open_with_flags_and_vfs(
        format!("file:{mount}?immutable=1"),
        flags,
        vfs::VFS_NAME,
    )
    .map_err(|e| Failure::from_core(&motus_core::sqlite::map_error(e)))?;
    // Settings first: once the authorizer is in place no statement may change them.
    conn.execute_batch(
        "PRAGMA query_only = ON; PRAGMA trusted_schema = OFF; PRAGMA cache_size = -16000; PRAGMA temp_store = MEMORY;",
    )
    .map_err(|e| Failure::from_core(&motus_core::sqlite::map_error(e)))?;
    conn.progress_handler(
        4000,
        Some(|| {
            let deadline = DEADLINE.with(Cell::get);
            if deadline > 0.0 && js_sys::Date::now() > deadline {
                TIMED_OUT.with(|t| t.set(true));
                true
            } else {
                false
            }
        }),
    )
    .map_err(|e| Failure::from_core(&motus_core::sqlite::map_error(e)))?;
    conn.authorizer(Some(browse::read_only_authorizer))
        .map_err(|e| Failure::from_core(&motus_core::sqlite::map_error(e)))?;
    Ok(SqliteConnection::from_rusqlite(conn))
}

/// The overview's counts with the big tables estimated from their b-trees' shape, read
/// straight from the mounted file (a few dozen pages, whatever the file's size).
fn first_screen() -> Result<overview::OverviewCounts, Failure> {
    use motus_core::ConnectionExt;
    let mount = DB.with(|db| db.borrow().as_ref().map(|o| o.mount.clone()));
    with_db(PAGE_BUDGET_MS, |c| {
        let mount = mount.unwrap_or_default();
        let mut estimate = |table: &str| -> Option<i64> {
            let root: i64 = c
                .query_one(
                    "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    &[motus_core::Value::Text(table.to_string())],
                )
                .ok()?;
            vfs::with_mounted(&mount, |m| row_estimate::estimate(m, root as u64)).flatten()
        };
        core(overview::overview_first(c, &mut estimate))
    })
}

/// After a console statement: the connection must still be read-only.
fn query_only_holds(conn: &SqliteConnection) -> bool {
    use motus_core::ConnectionExt;
    conn.query_one::<i64>("PRAGMA query_only", &[])
        .map(|v| v == 1)
        .unwrap_or(false)
}

fn handle(id: f64, req: Request, mut files: Vec<File>) -> Result<Vec<u8>, Failure> {
    const P: f64 = PAGE_BUDGET_MS;
    match req {
        Request::Open {
            name,
            size,
            wal_name,
        } => {
            if files.is_empty() {
                return Err(Failure::worker(
                    "no file came with the open request; choose the file again",
                ));
            }
            let main = files.remove(0);
            let wal = match (wal_name, files.pop()) {
                (Some(n), Some(f)) => Some((n, f)),
                _ => None,
            };
            open(
                id,
                OpenSpec {
                    name,
                    main: Source::File(main),
                    size,
                    wal,
                },
            )
        }
        Request::OpenUrl { name, url, size } => open(
            id,
            OpenSpec {
                name,
                main: Source::Http(url),
                size,
                wal: None,
            },
        ),
        Request::Objects => with_db(P, |c| reply(&core(browse::list_objects(c))?)),
        Request::RowCount { object } => {
            with_db(P, |c| reply(&core(browse::row_count(c, &object))?))
        }
        Request::Page { query } => with_db(P, |c| reply(&core(browse::table_page(c, &query))?)),
        Request::Console { sql } => with_db(CONSOLE_BUDGET_MS, |c| {
            let out = core(browse::console_query(c, &sql, 1000));
            if !query_only_holds(c) {
                // Cannot happen with the authorizer in place; if it ever does, stop serving.
                DB.with(|db| db.borrow_mut().take());
                return Err(Failure::worker(
                    "the statement changed the connection's read-only setting, so the file was closed; open it again",
                ));
            }
            reply(&out?)
        }),
        Request::ExportObject { query, format } => with_db(CONSOLE_BUDGET_MS, |c| {
            reply(&core(browse::export_object(c, &query, format))?)
        }),
        Request::Overview => reply(&first_screen()?),
        Request::OverviewExact => with_db(P, |c| reply(&core(overview::overview_counts(c))?)),
        Request::OverviewWork => with_db(P, |c| reply(&core(overview::overview_work(c))?)),
        Request::Recent => with_db(P, |c| reply(&core(overview::recent_activity(c, 15))?)),
        Request::Roadmap { query } => {
            with_db(P, |c| reply(&core(overview::roadmap_page(c, &query))?))
        }
        Request::Graph { limit } => with_db(P, |c| {
            let g = core(overview::dependency_graph(c, limit))?;
            reply(&graph_layout::place(&g))
        }),
        Request::WorkItems => with_db(P, |c| reply(&core(overview::work_items(c))?)),
        Request::Timeline { work_id } => {
            with_db(P, |c| reply(&core(overview::timeline(c, &work_id))?))
        }
        Request::Programs => with_db(P, |c| reply(&core(overview::program_hierarchy(c))?)),
        Request::Audit { query } => with_db(P, |c| reply(&core(overview::audit_log(c, &query))?)),
    }
}
