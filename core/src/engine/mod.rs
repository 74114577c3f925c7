//! Where the SQL engine shows through: SQLite's result codes and the statements only SQLite
//! (or only a local SQLite file) understands. The domain modules stay on the
//! [`Connection`](crate::Connection) trait and call these instead of writing engine-specific
//! SQL themselves.

pub mod catalogue;
pub mod local_file;
pub mod result_codes;

#[cfg(all(test, feature = "rusqlite"))]
mod tests;
