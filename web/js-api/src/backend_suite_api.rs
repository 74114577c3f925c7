//! `runBackendSuite` (feature `backend-suite`): core's storage test suite on connections the
//! JS host brings, so a host adapter (better-sqlite3, node:sqlite, …) is checked against the
//! same cases as rusqlite natively and in the browser. See tests/node/backend-suite.test.cjs.

use crate::host_connection::{host_failure, HostConnection};
use crate::to_js::to_js;
use motus_core::{backend_suite, Connection};
use wasm_bindgen::prelude::*;

/// Runs every case of the backend suite. `open` is called once per case and must return a
/// new host connection object on a new, empty database. Returns the report:
/// `{ backend, passed, failed, cases: [{ name, passed, failure }] }`.
#[wasm_bindgen(js_name = runBackendSuite)]
pub fn run_backend_suite(
    backend: String,
    open: js_sys::Function,
    filter: Option<String>,
) -> Result<JsValue, JsValue> {
    let report = backend_suite::run_matching(
        &backend,
        &mut || {
            let host = open.call0(&JsValue::NULL).map_err(|e| host_failure(&e))?;
            Ok(Box::new(HostConnection::new(host)?) as Box<dyn Connection>)
        },
        filter.as_deref().unwrap_or(""),
    );
    to_js(&report)
}

/// The names of the suite's cases, in the order they run.
#[wasm_bindgen(js_name = backendSuiteCases)]
pub fn backend_suite_cases() -> Vec<String> {
    backend_suite::cases()
        .iter()
        .map(|c| c.name.to_string())
        .collect()
}
