//! Motus core: the coordination database's schema, migrations, rules and queries, written
//! against the small [`Connection`] trait so the same logic runs natively, in the browser
//! and in any WASM host that brings its own SQLite.
//!
//! `core` takes nothing from the OS: no filesystem, no clock, no randomness. Hosts inject a
//! [`Clock`] and an [`IdSource`] through [`Env`].

pub mod answer;
pub mod audit;
#[cfg(any(test, feature = "backend-suite"))]
pub mod backend_suite;
pub mod connection;
pub mod deploy;
pub mod engine;
pub mod error;
pub mod file_tools;
pub mod ids;
pub mod kernel;
pub mod migrate;
pub mod overview;
pub mod program;
pub mod progress;
pub mod roadmap;
pub mod terminology;
pub mod time;
pub mod userland;

// Tests use it without the feature: rusqlite is a dev-dependency.
#[cfg(any(test, feature = "rusqlite"))]
pub mod sqlite;

pub use connection::{read_tx, write_tx, Connection, ConnectionExt, FromValue, Row, Rows, Value};
pub use error::{Error, Result};
pub use ids::{Env, IdSource, SequentialIds};
pub use time::{Clock, ManualClock, Timestamp};
