//! The backend suite on wasm32 in headless Chromium: rusqlite on sqlite-wasm-rs, the
//! in-memory database the browser viewer and the JS package use. Run by
//! scripts/test-backends:
//! `cargo test -p motus-core --features rusqlite,backend-suite --target wasm32-unknown-unknown --test backend_suite`.
//! (Natively the same suite runs as core's unit test `backend_suite::tests`.)
#![cfg(target_family = "wasm")]

use motus_core::backend_suite::{self, IgnoresTransactions};
use motus_core::sqlite::SqliteConnection;
use motus_core::Connection;
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn sqlite_wasm_rs_in_the_browser_passes_the_backend_suite() {
    let report = backend_suite::run("rusqlite on sqlite-wasm-rs (wasm32, Chromium)", &mut || {
        Ok(Box::new(SqliteConnection::open_in_memory()?) as Box<dyn Connection>)
    });
    // The summary is the evidence in the log: one line per case and the closing count.
    wasm_bindgen_test::console_log!("{}", report.summary());
    report.assert_passed();
    assert_eq!(report.passed, backend_suite::cases().len());
}

#[wasm_bindgen_test]
fn an_adapter_that_ignores_transactions_fails_it_in_the_browser_too() {
    let report = backend_suite::run("ignores transactions (wasm32)", &mut || {
        Ok(
            Box::new(IgnoresTransactions(SqliteConnection::open_in_memory()?))
                as Box<dyn Connection>,
        )
    });
    assert!(!report.is_ok(), "{}", report.summary());
    assert!(report.failed_case("storage::a_failed_write_leaves_nothing"));
}
