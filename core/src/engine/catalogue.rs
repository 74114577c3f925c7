//! The schema catalogue: what tables, columns and triggers a database holds. Every module
//! that needs to know asks here instead of writing its own `sqlite_master` or `PRAGMA
//! table_info` query (there were five copies of "the user tables" alone).
//!
//! These statements are plain SQLite and run on every backend, a cluster included.

use crate::connection::{Connection, ConnectionExt};
use crate::error::Result;
use crate::params;

/// How many schema objects the database holds. Reading the schema is the cheapest way to make
/// SQLite look at a file, so a damaged or foreign file fails here with its own error instead of
/// at a later, unrelated statement.
pub fn object_count<C: Connection + ?Sized>(conn: &C) -> Result<i64> {
    conn.query_one("SELECT count(*) FROM sqlite_master", params![])
}

/// How many tables (SQLite's own included): 0 for a new, empty database.
pub fn table_count<C: Connection + ?Sized>(conn: &C) -> Result<i64> {
    conn.query_one(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
        params![],
    )
}

/// Every table that is not SQLite's own (`sqlite_sequence`, `sqlite_stat1` …), by name.
pub fn user_tables<C: Connection + ?Sized>(conn: &C) -> Result<Vec<String>> {
    conn.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        params![],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// One column as `PRAGMA table_info` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The declared type, as written in `CREATE TABLE` (empty when none was given).
    pub declared_type: String,
    pub not_null: bool,
    /// The position of the column in the primary key (0 when it is not part of it).
    pub primary_key: i64,
}

/// The columns of `table` in the main schema, in declaration order.
pub fn columns<C: Connection + ?Sized>(conn: &C, table: &str) -> Result<Vec<Column>> {
    let sql = format!(
        "PRAGMA table_info({})",
        crate::connection::quote_ident(table)
    );
    conn.query(&sql, params![])?
        .iter()
        .map(|r| {
            Ok(Column {
                name: r.get(1)?,
                declared_type: r.value(2).to_text(),
                not_null: r.get::<i64>(3)? != 0,
                primary_key: r.get(5)?,
            })
        })
        .collect()
}
