//! SQLite inside the WASM module (rusqlite on sqlite-wasm-rs): a new empty database, or a
//! whole database image the caller passes as bytes, writable or read-only.

use motus_core::sqlite::SqliteConnection;
use motus_core::Result;

/// A new empty in-memory database with the settings the native binary uses.
pub fn open_empty() -> Result<SqliteConnection> {
    SqliteConnection::open_in_memory()
}

/// Loads a database image, read-only (the viewer's path) or writable; both are core's one
/// image loader (the WAL-header patch, the schema read, the UTF-8 check).
pub fn open_image(bytes: Vec<u8>, read_only: bool) -> Result<SqliteConnection> {
    if read_only {
        SqliteConnection::from_image(bytes)
    } else {
        SqliteConnection::from_image_writable(bytes)
    }
}
