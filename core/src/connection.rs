//! The storage boundary: a small synchronous SQL connection every backend implements
//! (rusqlite natively, rusqlite on sqlite-wasm-rs in the browser, a JS object in other hosts).

use crate::error::{Error, Result};

/// One SQLite value, as it crosses the boundary.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as display text (NULL as empty), for messages and CSV-like output.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Integer(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            Value::Text(s) => s.clone(),
            Value::Blob(b) => hex::encode(b),
        }
    }

    /// JSON form: blobs become lowercase hex strings.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Integer(i) => (*i).into(),
            Value::Real(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Text(s) => s.clone().into(),
            Value::Blob(b) => hex::encode(b).into(),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Integer(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident as $conv:ty),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self { Value::$variant(v as $conv) }
        }
    )*};
}
value_from!(i64 => Integer as i64, i32 => Integer as i64, u32 => Integer as i64, usize => Integer as i64, f64 => Real as f64);

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Integer(v as i64)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
impl From<&Value> for Value {
    fn from(v: &Value) -> Self {
        v.clone()
    }
}

/// Builds a `&[Value]` parameter list: `params![id, 3, None::<String>]`.
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::Value] };
    ($($p:expr),+ $(,)?) => { &[$($crate::Value::from($p)),+] as &[$crate::Value] };
}

/// Conversion out of a [`Value`], with a typed error naming the column.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str>;
}

impl FromValue for Value {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        Ok(v.clone())
    }
}
impl FromValue for i64 {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Integer(i) => Ok(*i),
            Value::Real(f) if f.fract() == 0.0 => Ok(*f as i64),
            Value::Text(s) => s.trim().parse().map_err(|_| "integer"),
            _ => Err("integer"),
        }
    }
}
impl FromValue for f64 {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Integer(i) => Ok(*i as f64),
            Value::Real(f) => Ok(*f),
            Value::Text(s) => s.trim().parse().map_err(|_| "real"),
            _ => Err("real"),
        }
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        i64::from_value(v).map(|i| i != 0).map_err(|_| "boolean")
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            Value::Integer(i) => Ok(i.to_string()),
            Value::Real(f) => Ok(f.to_string()),
            Value::Blob(b) => String::from_utf8(b.clone()).map_err(|_| "text"),
            Value::Null => Err("text"),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            _ => Err("blob"),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> std::result::Result<Self, &'static str> {
        match v {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// The result of a query: column names and rows of values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |values| Row {
            columns: &self.columns,
            values,
        })
    }
    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }
    /// Each row as a JSON object keyed by column name.
    pub fn to_json_objects(&self) -> Vec<serde_json::Value> {
        self.iter().map(|r| r.to_json_object()).collect()
    }
}

/// One row borrowed from [`Rows`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

impl<'a> Row<'a> {
    pub fn values(&self) -> &'a [Value] {
        self.values
    }
    pub fn columns(&self) -> &'a [String] {
        self.columns
    }
    pub fn value(&self, idx: usize) -> &'a Value {
        self.values.get(idx).unwrap_or(&Value::Null)
    }
    /// Typed read by position.
    pub fn get<T: FromValue>(&self, idx: usize) -> Result<T> {
        let v = self.values.get(idx).ok_or_else(|| Error::UnexpectedData {
            message: format!("column index {idx} out of range"),
        })?;
        T::from_value(v).map_err(|want| Error::UnexpectedData {
            message: format!(
                "column {} holds {} where {want} was expected",
                self.columns.get(idx).map(String::as_str).unwrap_or("?"),
                v.type_name()
            ),
        })
    }
    /// Typed read by column name.
    pub fn get_named<T: FromValue>(&self, name: &str) -> Result<T> {
        let idx =
            self.columns
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| Error::UnexpectedData {
                    message: format!("no column named {name} in result"),
                })?;
        self.get(idx)
    }
    pub fn to_json_object(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = self
            .columns
            .iter()
            .zip(self.values)
            .map(|(c, v)| (c.clone(), v.to_json()))
            .collect();
        serde_json::Value::Object(map)
    }
}

/// A synchronous SQLite connection. Every `core` operation is written against this trait.
///
/// Implementations map their native errors onto [`Error`] so callers can tell a kernel
/// rule (trigger `RAISE`) from a constraint, a busy database or a corrupt file.
pub trait Connection {
    /// Runs one statement; returns the number of rows it changed.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize>;
    /// Runs one statement and returns every row it produced.
    fn query(&self, sql: &str, params: &[Value]) -> Result<Rows>;
    /// Runs one statement and hands each row's values to `each` in turn. Backends that can
    /// stream override it, so a whole table is never held in memory (fingerprints of large
    /// tables); the default reads every row first.
    fn for_each_row(
        &self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&[Value]) -> Result<()>,
    ) -> Result<()> {
        for r in self.query(sql, params)?.iter() {
            each(r.values())?;
        }
        Ok(())
    }
    /// Runs a script of statements without parameters (migrations, pragmas).
    fn execute_batch(&self, sql: &str) -> Result<()>;
    /// Starts a write transaction that holds the write lock from its first statement
    /// (`BEGIN IMMEDIATE`). Backends may override this with a fairer wait for the lock.
    fn begin_write(&self) -> Result<()> {
        self.execute_batch("BEGIN IMMEDIATE")
    }
    /// Starts a read transaction: one consistent snapshot for several queries.
    fn begin_read(&self) -> Result<()> {
        self.execute_batch("BEGIN")
    }
    fn commit(&self) -> Result<()> {
        self.execute_batch("COMMIT")
    }
    fn rollback(&self) -> Result<()> {
        self.execute_batch("ROLLBACK")
    }
    /// Whether a transaction is open (so helpers can nest without a second BEGIN).
    fn in_transaction(&self) -> bool;
    /// Whether this is SQLite on a local file (or in memory) inside this process, so the
    /// local-file tools of [`crate::engine::local_file`] (journal modes, checkpoints,
    /// `ATTACH`) may run. A backend that is not — a cluster, a JS host's driver — keeps the
    /// default and those tools answer [`Error::Unsupported`] without sending anything.
    fn is_local_file(&self) -> bool {
        false
    }
}

impl<C: Connection + ?Sized> Connection for &C {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        (**self).execute(sql, params)
    }
    fn query(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        (**self).query(sql, params)
    }
    fn for_each_row(
        &self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&[Value]) -> Result<()>,
    ) -> Result<()> {
        (**self).for_each_row(sql, params, each)
    }
    fn execute_batch(&self, sql: &str) -> Result<()> {
        (**self).execute_batch(sql)
    }
    fn begin_write(&self) -> Result<()> {
        (**self).begin_write()
    }
    fn begin_read(&self) -> Result<()> {
        (**self).begin_read()
    }
    fn commit(&self) -> Result<()> {
        (**self).commit()
    }
    fn rollback(&self) -> Result<()> {
        (**self).rollback()
    }
    fn in_transaction(&self) -> bool {
        (**self).in_transaction()
    }
    fn is_local_file(&self) -> bool {
        (**self).is_local_file()
    }
}

/// Convenience queries on top of the trait.
pub trait ConnectionExt: Connection {
    /// The first column of the first row, if there is a row.
    fn query_scalar<T: FromValue>(&self, sql: &str, params: &[Value]) -> Result<Option<T>> {
        let rows = self.query(sql, params)?;
        match rows.first() {
            Some(r) => r.get(0).map(Some),
            None => Ok(None),
        }
    }
    /// The first column of the first row; a missing row is an error.
    fn query_one<T: FromValue>(&self, sql: &str, params: &[Value]) -> Result<T> {
        self.query_scalar(sql, params)?
            .ok_or_else(|| Error::UnexpectedData {
                message: format!("query returned no row: {}", first_line(sql)),
            })
    }
    /// Whether a table (or view) of this name exists in the main schema.
    fn has_object(&self, kind: &str, name: &str) -> Result<bool> {
        Ok(self
            .query_scalar::<i64>(
                "SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2",
                params![kind, name],
            )?
            .is_some())
    }
}
impl<C: Connection + ?Sized> ConnectionExt for C {}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or("")
}

/// Runs `f` inside one write transaction (write lock taken up front): all of it commits or
/// none of it does. Nested calls join the outer transaction.
pub fn write_tx<C, T, F>(conn: &C, f: F) -> Result<T>
where
    C: Connection + ?Sized,
    F: FnOnce(&C) -> Result<T>,
{
    if conn.in_transaction() {
        return f(conn);
    }
    conn.begin_write()?;
    finish(conn, f(conn))
}

/// Runs `f` inside one read transaction, so every query sees the same snapshot.
pub fn read_tx<C, T, F>(conn: &C, f: F) -> Result<T>
where
    C: Connection + ?Sized,
    F: FnOnce(&C) -> Result<T>,
{
    if conn.in_transaction() {
        return f(conn);
    }
    conn.begin_read()?;
    finish(conn, f(conn))
}

fn finish<C: Connection + ?Sized, T>(conn: &C, outcome: Result<T>) -> Result<T> {
    match outcome {
        Ok(v) => match conn.commit() {
            Ok(()) => Ok(v),
            Err(e) => {
                let _ = conn.rollback();
                Err(e)
            }
        },
        Err(e) => {
            let _ = conn.rollback();
            Err(e)
        }
    }
}

/// Quotes an identifier for SQL text (`"name"` with inner quotes doubled).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
