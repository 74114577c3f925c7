//! What a SQLite file is, from the tables it holds: a coordination.db, a userland.db, an
//! empty file, or something else. The viewer and the CLI use it to open the right kind.

use crate::connection::Connection;
use crate::error::Result;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// No tables at all (a new file).
    Empty,
    /// A coordination database (ours or the original's).
    Coordination,
    /// A userland.db: check its migrations with `Migrator::userland()`.
    Userland,
    /// Tables, but neither kind.
    Foreign,
}

/// Classifies the main schema of `conn`.
pub fn detect<C: Connection + ?Sized>(conn: &C) -> Result<FileKind> {
    let names = crate::engine::catalogue::user_tables(conn)?;
    let has = |t: &str| names.iter().any(|n| n == t);
    Ok(if names.is_empty() {
        FileKind::Empty
    } else if has("userland_meta") && has("schema_version") {
        FileKind::Userland
    } else if has("instance_config") && has("schema_version") {
        FileKind::Coordination
    } else {
        FileKind::Foreign
    })
}
