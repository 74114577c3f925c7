//! The two places a database can live: SQLite inside the module, or the host's connection.

use crate::host_connection::HostConnection;
use motus_core::sqlite::SqliteConnection;
use motus_core::{Connection, Result, Rows, Value};

pub enum Backend {
    InModule(SqliteConnection),
    Host(HostConnection),
}

impl Backend {
    fn conn(&self) -> &dyn Connection {
        match self {
            Backend::InModule(c) => c,
            Backend::Host(c) => c,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Backend::InModule(_) => "in_module",
            Backend::Host(_) => "host",
        }
    }
}

impl Connection for Backend {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        self.conn().execute(sql, params)
    }
    fn query(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        self.conn().query(sql, params)
    }
    fn execute_batch(&self, sql: &str) -> Result<()> {
        self.conn().execute_batch(sql)
    }
    fn begin_write(&self) -> Result<()> {
        self.conn().begin_write()
    }
    fn begin_read(&self) -> Result<()> {
        self.conn().begin_read()
    }
    fn commit(&self) -> Result<()> {
        self.conn().commit()
    }
    fn rollback(&self) -> Result<()> {
        self.conn().rollback()
    }
    fn in_transaction(&self) -> bool {
        self.conn().in_transaction()
    }
    fn is_local_file(&self) -> bool {
        self.conn().is_local_file()
    }
}
