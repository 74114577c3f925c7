//! SQLite inside the WASM module (rusqlite on sqlite-wasm-rs): a new empty database, or a
//! whole database image the caller passes as bytes, writable or read-only.

use motus_core::sqlite::{map_error, SqliteConnection};
use motus_core::{Connection, Error, Result};

/// A new empty in-memory database with the settings the native binary uses.
pub fn open_empty() -> Result<SqliteConnection> {
    SqliteConnection::open_in_memory()
}

/// Loads a database image. Read-only images go through core's `from_image` (the viewer's
/// path); writable ones are deserialized resizeable, with the same WAL-header patch.
pub fn open_image(bytes: Vec<u8>, read_only: bool) -> Result<SqliteConnection> {
    if read_only {
        return SqliteConnection::from_image(bytes);
    }
    let mut bytes = bytes;
    if bytes.len() < 100 || !bytes.starts_with(b"SQLite format 3\0") {
        return Err(Error::NotADatabase {
            message: "the file does not start with the SQLite header".into(),
        });
    }
    // Bytes 18/19 = 2 mark a WAL-mode file, which an in-memory image cannot be.
    if bytes[18] == 2 || bytes[19] == 2 {
        bytes[18] = 1;
        bytes[19] = 1;
    }
    let mut conn = rusqlite::Connection::open_in_memory().map_err(map_error)?;
    let len = bytes.len();
    conn.deserialize_read_exact(rusqlite::MAIN_DB, std::io::Cursor::new(bytes), len, false)
        .map_err(map_error)?;
    conn.set_prepared_statement_cache_capacity(128);
    let c = SqliteConnection::from_rusqlite(conn);
    c.execute_batch("PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;")?;
    // Read the schema now, so a damaged image fails here and not in the first call.
    c.query("SELECT count(*) FROM sqlite_master", &[])?;
    Ok(c)
}
