//! A deliberately broken adapter, to show the suite catches a backend that gets
//! transactions wrong: it ignores `begin_write`, `begin_read`, `commit` and `rollback`, so
//! every statement commits on its own (SQLite's autocommit) and a failed write keeps the
//! statements that ran before the failure.

use crate::connection::{Connection, Rows, Value};
use crate::error::Result;

/// Wraps a working connection and drops its transactions.
pub struct IgnoresTransactions<C>(pub C);

impl<C: Connection> Connection for IgnoresTransactions<C> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        self.0.execute(sql, params)
    }
    fn query(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        self.0.query(sql, params)
    }
    fn execute_batch(&self, sql: &str) -> Result<()> {
        self.0.execute_batch(sql)
    }
    fn begin_write(&self) -> Result<()> {
        Ok(())
    }
    fn begin_read(&self) -> Result<()> {
        Ok(())
    }
    fn commit(&self) -> Result<()> {
        Ok(())
    }
    fn rollback(&self) -> Result<()> {
        Ok(())
    }
    fn in_transaction(&self) -> bool {
        self.0.in_transaction()
    }
}
