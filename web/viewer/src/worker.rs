//! The database side, running inside a Web Worker: it holds the opened file as an in-memory,
//! read-only SQLite database and answers the page's requests with `core`'s functions.

use crate::graph_layout;
use crate::protocol::{Failure, Opened, Progress, Request};
use motus_core::browse;
use motus_core::overview;
use motus_core::sqlite::SqliteConnection;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

/// Files are read in slices of this size, with a progress message after each.
const CHUNK: f64 = 8.0 * 1024.0 * 1024.0;

thread_local! {
    static DB: RefCell<Option<SqliteConnection>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Replies are `[kind, id, json]` with kind `ok`, `err`, `progress` or `ready`.
fn post(kind: &str, id: f64, json: &str) {
    let msg = js_sys::Array::of3(&kind.into(), &id.into(), &json.into());
    let _ = scope().post_message(&msg);
}

/// Installs the message handler and tells the page the worker is ready.
pub fn start() {
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let data: js_sys::Array = ev.data().unchecked_into();
        let id = data.get(0).as_f64().unwrap_or(0.0);
        let text = data.get(1).as_string().unwrap_or_default();
        let file = data.get(2).dyn_into::<File>().ok();
        let outcome = match serde_json::from_str::<Request>(&text) {
            Ok(req) => handle(id, req, file),
            Err(e) => Err(Failure::worker(format!(
                "the page sent a request the worker does not understand ({e}); reload the page"
            ))),
        };
        match outcome {
            Ok(json) => post("ok", id, &json),
            Err(f) => post(
                "err",
                id,
                &serde_json::to_string(&f).unwrap_or_else(|_| "{}".into()),
            ),
        }
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post("ready", 0.0, "null");
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string(v).map_err(|e| Failure::worker(format!("cannot encode the reply: {e}")))
}

fn core<T>(r: motus_core::Result<T>) -> Result<T, Failure> {
    r.map_err(|e| Failure::from_core(&e))
}

fn with_db<T>(f: impl FnOnce(&SqliteConnection) -> Result<T, Failure>) -> Result<T, Failure> {
    DB.with(|db| match db.borrow().as_ref() {
        Some(conn) => f(conn),
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
    post(
        "progress",
        id,
        &serde_json::to_string(&p).unwrap_or_default(),
    );
}

fn read_file(id: f64, file: &File) -> Result<Vec<u8>, Failure> {
    let size = file.size();
    let reader = FileReaderSync::new().map_err(|_| {
        Failure::worker(
            "this browser cannot read files in a worker; use a current Chromium, Firefox or Safari",
        )
    })?;
    let mut bytes = Vec::with_capacity(size as usize);
    let mut start = 0.0;
    progress(id, "Reading file", 0.0, size);
    while start < size {
        let end = (start + CHUNK).min(size);
        let slice = file
            .slice_with_f64_and_f64(start, end)
            .map_err(|_| Failure::worker("cannot slice the file"))?;
        let buf = reader.read_as_array_buffer(&slice).map_err(|e| {
            Failure::worker(format!(
                "the browser could not read the file ({}); check that it still exists and try again",
                e.as_string().unwrap_or_else(|| "read error".into())
            ))
        })?;
        bytes.extend_from_slice(&js_sys::Uint8Array::new(&buf).to_vec());
        start = end;
        progress(id, "Reading file", start, size);
    }
    Ok(bytes)
}

fn open(id: f64, name: String, size: f64, file: Option<File>) -> Result<String, Failure> {
    let file = file.ok_or_else(|| {
        Failure::worker("no file came with the open request; choose the file again")
    })?;
    let t0 = js_sys::Date::now();
    let bytes = read_file(id, &file)?;
    let t1 = js_sys::Date::now();
    progress(id, "Opening database", size, size);
    let conn = core(SqliteConnection::from_image(bytes))?;
    progress(id, "Checking what the file holds", size, size);
    let info = core(browse::describe(&conn))?;
    let t2 = js_sys::Date::now();
    DB.with(|db| *db.borrow_mut() = Some(conn));
    json(&Opened {
        name,
        size,
        info,
        read_ms: t1 - t0,
        open_ms: t2 - t1,
    })
}

fn handle(id: f64, req: Request, file: Option<File>) -> Result<String, Failure> {
    match req {
        Request::Open { name, size } => open(id, name, size, file),
        Request::Objects => with_db(|c| json(&core(browse::list_objects(c))?)),
        Request::Page { query } => with_db(|c| json(&core(browse::table_page(c, &query))?)),
        Request::Console { sql } => with_db(|c| json(&core(browse::console_query(c, &sql, 1000))?)),
        Request::ExportObject { query, format } => {
            with_db(|c| json(&core(browse::export_object(c, &query, format))?))
        }
        Request::Overview => with_db(|c| json(&core(overview::overview(c))?)),
        Request::Roadmap => with_db(|c| json(&core(overview::roadmap(c))?)),
        Request::Graph => with_db(|c| {
            let g = core(overview::dependency_graph(c))?;
            json(&graph_layout::place(&g))
        }),
        Request::WorkItems => with_db(|c| json(&core(overview::work_items(c))?)),
        Request::Timeline { work_id } => with_db(|c| json(&core(overview::timeline(c, &work_id))?)),
        Request::Programs => with_db(|c| json(&core(overview::program_hierarchy(c))?)),
        Request::Audit { query } => with_db(|c| json(&core(overview::audit_log(c, &query))?)),
    }
}
