//! Motus for JavaScript hosts: a wasm-bindgen API over `motus_core`.
//!
//! Open a database in SQLite inside the module (`Database.openInMemory`,
//! `Database.fromBytes`) or on a connection the host brings (`Database.fromConnection`), then
//! call the same operations as the `motus` CLI, with the same JSON documents as results.
//! Failures are JS `Error`s whose `code` is the core error kind.

mod backend;
#[cfg(feature = "backend-suite")]
mod backend_suite_api;
mod database;
mod deploy_api;
mod helpers_api;
mod host_connection;
mod host_env;
pub mod host_errors;
mod in_module;
mod js_error;
mod js_values;
mod plan_api;
pub mod program_calls;
mod roadmap_api;
pub mod roadmap_calls;
pub mod schema_calls;
mod to_js;
mod typescript;
mod userland_api;
mod work_api;

pub use database::Database;

use wasm_bindgen::prelude::*;

/// Every error `code` a call can throw with.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    motus_core::Error::ALL_CODES
        .iter()
        .map(|c| c.to_string())
        .collect()
}

/// The schema version this build brings a database to.
#[wasm_bindgen(js_name = latestSchemaVersion)]
pub fn latest_schema_version() -> u32 {
    motus_core::migrate::latest_version() as u32
}

/// This package's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
