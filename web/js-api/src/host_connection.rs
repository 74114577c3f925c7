//! `Connection` on an object the JS host brings, so `core` runs on the host's own SQLite
//! driver (better-sqlite3, node:sqlite, …) exactly as it runs on rusqlite natively.
//!
//! The object:
//! ```ts
//! interface HostConnection {
//!   query(sql: string, params: SqlValue[]): { columns: string[]; rows: SqlValue[][] };
//!   execute(sql: string, params: SqlValue[]): number | bigint;   // rows changed
//!   executeBatch(sql: string): void;                            // several statements, no params
//!   inTransaction(): boolean;                                   // or a boolean property
//!   integersAsBigInt?: boolean;   // true: every INTEGER comes back as bigint, so a number is a REAL
//!   beginWrite?(): void; beginRead?(): void; commit?(): void; rollback?(): void;
//! }
//! ```
//! Whatever it throws is mapped onto core's error kinds by [`crate::host_errors`].

use crate::host_errors::{map_host_failure, HostFailure};
use crate::js_values::{params_to_js, value_from_js, Numbers};
use js_sys::{Array, Function, Reflect};
use motus_core::{Connection, Error, Result, Rows, Value};
use wasm_bindgen::{JsCast, JsValue};

pub struct HostConnection {
    host: JsValue,
    query: Function,
    execute: Function,
    execute_batch: Function,
    in_transaction: Option<Function>,
    begin_write: Option<Function>,
    begin_read: Option<Function>,
    commit: Option<Function>,
    rollback: Option<Function>,
    /// The host said which file it is on (`path` in the open options): a local SQLite file,
    /// so the local-file tools (WAL switch, `VACUUM INTO` backups) may run on it.
    local_file: bool,
    /// What a `number` in a row stands for (`integersAsBigInt` on the host object).
    numbers: Numbers,
}

fn method(host: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(host, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
}

fn required(host: &JsValue, name: &str) -> Result<Function> {
    method(host, name).ok_or_else(|| {
        Error::invalid(
            "connection",
            format!("the connection object has no {name}() method; it needs query, execute, executeBatch and inTransaction"),
        )
    })
}

/// What the host threw, as a core error.
pub fn host_failure(thrown: &JsValue) -> Error {
    let get = |k: &str| Reflect::get(thrown, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let message = get("message")
        .as_string()
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| format!("{thrown:?}"));
    map_host_failure(&HostFailure {
        code_name: get("code").as_string(),
        code_number: get("errcode").as_f64().map(|n| n as i32),
        message,
    })
}

fn malformed(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Sql {
        message: format!("the connection's {what} returned {detail}"),
    }
}

impl HostConnection {
    pub fn new(host: JsValue) -> Result<Self> {
        if !host.is_object() {
            return Err(Error::invalid(
                "connection",
                "expected an object with query, execute, executeBatch and inTransaction",
            ));
        }
        let in_transaction = method(&host, "inTransaction");
        if in_transaction.is_none()
            && Reflect::get(&host, &"inTransaction".into())
                .ok()
                .and_then(|v| v.as_bool())
                .is_none()
        {
            return Err(Error::invalid(
                "connection",
                "the connection object has no inTransaction() method or boolean property",
            ));
        }
        Ok(HostConnection {
            query: required(&host, "query")?,
            execute: required(&host, "execute")?,
            execute_batch: required(&host, "executeBatch")?,
            in_transaction,
            begin_write: method(&host, "beginWrite"),
            begin_read: method(&host, "beginRead"),
            commit: method(&host, "commit"),
            rollback: method(&host, "rollback"),
            local_file: false,
            numbers: if Reflect::get(&host, &"integersAsBigInt".into())
                .ok()
                .and_then(|v| v.as_bool())
                == Some(true)
            {
                Numbers::AreReals
            } else {
                Numbers::MayBeIntegers
            },
            host,
        })
    }

    /// Marks the connection as one on a local file (the host gave its path).
    pub fn on_local_file(mut self, yes: bool) -> Self {
        self.local_file = yes;
        self
    }

    /// Calls an optional host method, if the host has it.
    pub fn call_optional(&self, name: &str) -> Result<Option<JsValue>> {
        match method(&self.host, name) {
            Some(f) => f.call0(&self.host).map(Some).map_err(|e| host_failure(&e)),
            None => Ok(None),
        }
    }

    fn call_or_batch(&self, f: &Option<Function>, sql: &str) -> Result<()> {
        match f {
            Some(f) => f
                .call0(&self.host)
                .map(|_| ())
                .map_err(|e| host_failure(&e)),
            None => self.execute_batch(sql),
        }
    }
}

fn read_rows(result: &JsValue, numbers: Numbers) -> Result<Rows> {
    let columns_js = Reflect::get(result, &"columns".into()).unwrap_or(JsValue::UNDEFINED);
    let rows_js = Reflect::get(result, &"rows".into()).unwrap_or(JsValue::UNDEFINED);
    let (Some(columns_js), Some(rows_js)) =
        (columns_js.dyn_ref::<Array>(), rows_js.dyn_ref::<Array>())
    else {
        return Err(malformed(
            "query()",
            "something other than { columns: string[], rows: unknown[][] }",
        ));
    };
    let columns: Vec<String> = columns_js
        .iter()
        .map(|c| c.as_string().unwrap_or_default())
        .collect();
    let mut rows = Vec::with_capacity(rows_js.length() as usize);
    for row in rows_js.iter() {
        let row = row
            .dyn_ref::<Array>()
            .ok_or_else(|| malformed("query()", "a row that is not an array"))?;
        let mut values = Vec::with_capacity(columns.len());
        for v in row.iter() {
            values.push(value_from_js(&v, numbers).map_err(|got| malformed("query()", got))?);
        }
        rows.push(values);
    }
    Ok(Rows { columns, rows })
}

impl Connection for HostConnection {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        let changed = self
            .execute
            .call2(&self.host, &sql.into(), &params_to_js(params))
            .map_err(|e| host_failure(&e))?;
        // A row count: a number or a bigint, whatever the driver's rows carry.
        match value_from_js(&changed, Numbers::MayBeIntegers) {
            Ok(Value::Integer(n)) => Ok(n.max(0) as usize),
            Ok(Value::Null) => Ok(0),
            _ => Err(malformed("execute()", "something other than a row count")),
        }
    }

    fn query(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        let result = self
            .query
            .call2(&self.host, &sql.into(), &params_to_js(params))
            .map_err(|e| host_failure(&e))?;
        read_rows(&result, self.numbers)
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        self.execute_batch
            .call1(&self.host, &sql.into())
            .map(|_| ())
            .map_err(|e| host_failure(&e))
    }

    fn begin_write(&self) -> Result<()> {
        self.call_or_batch(&self.begin_write, "BEGIN IMMEDIATE")
    }

    fn begin_read(&self) -> Result<()> {
        self.call_or_batch(&self.begin_read, "BEGIN")
    }

    fn commit(&self) -> Result<()> {
        self.call_or_batch(&self.commit, "COMMIT")
    }

    fn rollback(&self) -> Result<()> {
        self.call_or_batch(&self.rollback, "ROLLBACK")
    }

    fn in_transaction(&self) -> bool {
        let v = match &self.in_transaction {
            Some(f) => f.call0(&self.host).unwrap_or(JsValue::FALSE),
            None => Reflect::get(&self.host, &"inTransaction".into()).unwrap_or(JsValue::FALSE),
        };
        v.is_truthy()
    }
    fn is_local_file(&self) -> bool {
        self.local_file
    }
}
