//! Export every table to JSON Lines and load it back, losslessly.
//!
//! The file is one header line, one line per row, and an end line:
//!
//! ```text
//! {"format":"motus-export","format_version":1,"schema_version":33,…,"tables":[{"name":…,"columns":[…],"rowid":true,"rows":N,"sha256":…},…]}
//! {"table":"roadmap_items","rowid":1,"values":["RI-1","…",null,3,{"real":"0.5"},{"blob":"00ff"}]}
//! {"end":true,"rows":1234}
//! ```
//!
//! Values keep their SQLite storage class: NULL is `null`, INTEGER a JSON integer, TEXT a
//! JSON string, REAL `{"real":"<shortest round-trip text>"}` (no JSON float rounding, and
//! infinities survive) and BLOB `{"blob":"<hex>"}`. Rowids are kept for tables whose rowid
//! is not already a column, and `sqlite_sequence` is exported like any table, so
//! AUTOINCREMENT counters come back too.
//!
//! Loading happens into a database built by this build's migrations at the export's schema
//! version, in one transaction: the schema's triggers are dropped first (so audit triggers,
//! append-only checks, phase limits, the charter singleton and the cycle check do not fire
//! or add rows) and re-created afterwards in their original order; foreign-key enforcement is
//! off while rows go in (so the insertion order does not matter) and `foreign_key_check`
//! must afterwards report exactly what the source reported. Before committing, every
//! table's fingerprint must equal the one the header recorded; otherwise nothing is kept.

use crate::connection::{quote_ident, read_tx, write_tx, Connection, ConnectionExt, Value};
use crate::error::{Error, Result};
use crate::file_tools::backup::{self, Contents};
use crate::file_tools::fingerprint::TableFingerprint;
use crate::migrate::Migrator;
use crate::params;
use crate::progress::{Progress, Step};
use crate::time::{Clock, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

pub const FORMAT: &str = "motus-export";
pub const FORMAT_VERSION: i64 = 1;
const PAGE_ROWS: i64 = 2000;
/// The migration that adds the original lease store's tables (see [`prepare_empty`]).
const LEASE_STORE_MIGRATION: i64 = 21;

/// The first line of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Header {
    pub format: String,
    pub format_version: i64,
    pub schema_version: i64,
    pub exported_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub foreign_key_violations: usize,
    pub tables: Vec<TableHeader>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TableHeader {
    pub name: String,
    pub columns: Vec<String>,
    /// Whether each row line carries the rowid (a rowid table without a rowid alias column).
    pub rowid: bool,
    pub rows: u64,
    pub sha256: String,
}

impl Header {
    pub fn contents(&self) -> Contents {
        Contents {
            tables: self
                .tables
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        TableFingerprint {
                            rows: t.rows,
                            sha256: t.sha256.clone(),
                        },
                    )
                })
                .collect(),
        }
    }
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
struct RowLine {
    table: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rowid: Option<i64>,
    values: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
struct EndLine {
    end: bool,
    rows: u64,
}

/// What an export or a load did.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Summary {
    pub schema_version: i64,
    pub tables: usize,
    pub rows: u64,
}

/// One SQLite value as JSON, keeping its storage class.
pub fn encode_value(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => (*i).into(),
        Value::Text(s) => s.clone().into(),
        Value::Real(f) => serde_json::json!({ "real": format!("{f:?}") }),
        Value::Blob(b) => serde_json::json!({ "blob": hex::encode(b) }),
    }
}

/// The inverse of [`encode_value`]; anything else is refused with what was expected.
pub fn decode_value(j: &serde_json::Value) -> std::result::Result<Value, String> {
    match j {
        serde_json::Value::Null => Ok(Value::Null),
        serde_json::Value::String(s) => Ok(Value::Text(s.clone())),
        serde_json::Value::Number(n) => n.as_i64().map(Value::Integer).ok_or_else(|| {
            format!("{n} is not a 64-bit integer (reals are written as {{\"real\": \"…\"}})")
        }),
        serde_json::Value::Object(m) if m.len() == 1 => {
            if let Some(serde_json::Value::String(r)) = m.get("real") {
                r.parse::<f64>()
                    .map(Value::Real)
                    .map_err(|_| format!("\"{r}\" is not a real number"))
            } else if let Some(serde_json::Value::String(b)) = m.get("blob") {
                hex::decode(b)
                    .map(Value::Blob)
                    .map_err(|_| "a blob must be hexadecimal text".to_string())
            } else {
                Err("an object value must be {\"real\": \"…\"} or {\"blob\": \"…\"}".into())
            }
        }
        other => Err(format!(
            "{} is not a value (null, integer, string, {{\"real\"}} or {{\"blob\"}})",
            truncate(&other.to_string(), 40)
        )),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// A table as export and load see it.
#[derive(Debug, Clone)]
struct TableInfo {
    name: String,
    columns: Vec<String>,
    /// The rowid's name in SQL when each row must carry it (`rowid`, `_rowid_` or `oid`).
    rowid_name: Option<&'static str>,
    /// The column that is the rowid (`INTEGER PRIMARY KEY`), by position.
    rowid_alias: Option<usize>,
    primary_key: Vec<String>,
}

fn table_info<C: Connection + ?Sized>(conn: &C, name: &str) -> Result<TableInfo> {
    let mut columns = Vec::new();
    let mut pk: Vec<(i64, String, String)> = Vec::new();
    for c in crate::engine::catalogue::columns(conn, name)? {
        if c.primary_key > 0 {
            pk.push((c.primary_key, c.name.clone(), c.declared_type));
        }
        columns.push(c.name);
    }
    pk.sort();
    let without_rowid = conn
        .query_scalar::<i64>(
            "SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?1",
            params![name],
        )?
        .unwrap_or(0)
        == 1;
    let has_alias = pk.len() == 1 && pk[0].2.eq_ignore_ascii_case("INTEGER");
    let rowid_name = if without_rowid || has_alias {
        None
    } else {
        ["rowid", "_rowid_", "oid"]
            .into_iter()
            .find(|n| !columns.iter().any(|c| c.eq_ignore_ascii_case(n)))
    };
    let rowid_alias = (has_alias && !without_rowid)
        .then(|| columns.iter().position(|c| *c == pk[0].1))
        .flatten();
    Ok(TableInfo {
        name: name.to_string(),
        columns,
        rowid_name,
        rowid_alias,
        primary_key: pk.into_iter().map(|(_, c, _)| c).collect(),
    })
}

/// Every data table, parents before children (by foreign key), `sqlite_sequence` last.
fn tables_in_order<C: Connection + ?Sized>(conn: &C) -> Result<Vec<TableInfo>> {
    let names = crate::engine::catalogue::user_tables(conn)?;
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in &names {
        let refs: Vec<String> = conn
            .query(
                &format!("PRAGMA foreign_key_list({})", quote_ident(n)),
                params![],
            )?
            .iter()
            .map(|r| r.get_named::<String>("table"))
            .collect::<Result<_>>()?;
        parents.insert(
            n.clone(),
            refs.into_iter()
                .filter(|p| p != n && names.contains(p))
                .collect(),
        );
    }
    // Kahn's algorithm, alphabetical among the ready ones; a cycle falls back to name order.
    let mut ordered: Vec<String> = Vec::new();
    while ordered.len() < names.len() {
        let next = names
            .iter()
            .find(|n| !ordered.contains(n) && parents[*n].iter().all(|p| ordered.contains(p)))
            .or_else(|| names.iter().find(|n| !ordered.contains(n)))
            .expect("some table is left")
            .clone();
        ordered.push(next);
    }
    if conn.has_object("table", "sqlite_sequence")? {
        ordered.push("sqlite_sequence".into());
    }
    ordered.iter().map(|n| table_info(conn, n)).collect()
}

fn io_error(e: std::io::Error, doing: &str) -> Error {
    let message = format!("{doing}: {e}");
    match e.kind() {
        std::io::ErrorKind::StorageFull => Error::DiskFull { message },
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            Error::ReadOnly { message }
        }
        _ => Error::CannotOpen { message },
    }
}

fn write_line<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|e| match e.io_error_kind() {
        Some(kind) => io_error(std::io::Error::from(kind), "writing the export"),
        None => Error::UnexpectedData {
            message: format!("cannot serialise a row: {e}"),
        },
    })?;
    out.write_all(b"\n")
        .map_err(|e| io_error(e, "writing the export"))
}

/// Writes the whole database as JSON Lines from one read snapshot.
pub fn export<C: Connection + ?Sized>(
    conn: &C,
    source: Option<&str>,
    exported_at: Timestamp,
    out: &mut dyn Write,
    progress: &mut dyn Progress,
) -> Result<Summary> {
    read_tx(conn, |c| {
        let status = Migrator::coordination().status(c)?;
        if status.is_new {
            return Err(Error::NotMotus {
                reason: "the database is empty; there is nothing to export".into(),
            });
        }
        let tables = tables_in_order(c)?;
        let contents = backup::contents_with_progress(c, progress)?;
        let header = Header {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            schema_version: status.current_version,
            exported_at: exported_at.to_db(),
            source: source.map(str::to_string),
            foreign_key_violations: backup::source_foreign_key_violations(c)?,
            tables: tables
                .iter()
                .map(|t| {
                    let fp = &contents.tables[&t.name];
                    TableHeader {
                        name: t.name.clone(),
                        columns: t.columns.clone(),
                        rowid: t.rowid_name.is_some(),
                        rows: fp.rows,
                        sha256: fp.sha256.clone(),
                    }
                })
                .collect(),
        };
        write_line(out, &header)?;
        let total = header.total_rows();
        let mut done = 0u64;
        for t in &tables {
            progress.report(Step::Writing, done, total);
            export_table(c, t, out, &mut |n| {
                done += n;
                progress.report(Step::Writing, done.min(total), total)
            })?;
        }
        write_line(
            out,
            &EndLine {
                end: true,
                rows: done,
            },
        )?;
        out.flush().map_err(|e| io_error(e, "writing the export"))?;
        if done != total {
            return Err(Error::UnexpectedData {
                message: format!("exported {done} rows but the snapshot holds {total}"),
            });
        }
        Ok(Summary {
            schema_version: header.schema_version,
            tables: tables.len(),
            rows: done,
        })
    })
}

fn export_table<C: Connection + ?Sized>(
    conn: &C,
    t: &TableInfo,
    out: &mut dyn Write,
    wrote: &mut dyn FnMut(u64),
) -> Result<()> {
    let list = t
        .columns
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let table = quote_ident(&t.name);
    let Some(rowid) = t.rowid_name else {
        let order = if t.primary_key.is_empty() {
            list.clone()
        } else {
            t.primary_key
                .iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Streamed: a large table is never held in memory, and progress moves with it.
        let mut pending = 0u64;
        conn.for_each_row(
            &format!("SELECT {list} FROM {table} ORDER BY {order}"),
            params![],
            &mut |values| {
                write_row(out, &t.name, None, values)?;
                pending += 1;
                if pending == PAGE_ROWS as u64 {
                    wrote(pending);
                    pending = 0;
                }
                Ok(())
            },
        )?;
        wrote(pending);
        return Ok(());
    };
    let sql = format!(
        "SELECT {rowid}, {list} FROM {table} WHERE {rowid} > ?1 ORDER BY {rowid} LIMIT {PAGE_ROWS}"
    );
    let mut after = i64::MIN;
    loop {
        let rows = conn.query(&sql, params![after])?;
        for r in rows.iter() {
            let id: i64 = r.get(0)?;
            write_row(out, &t.name, Some(id), &r.values()[1..])?;
            after = id;
        }
        wrote(rows.len() as u64);
        if (rows.len() as i64) < PAGE_ROWS {
            return Ok(());
        }
    }
}

fn write_row(out: &mut dyn Write, table: &str, rowid: Option<i64>, values: &[Value]) -> Result<()> {
    write_line(
        out,
        &RowLine {
            table: table.to_string(),
            rowid,
            values: values.iter().map(encode_value).collect(),
        },
    )
}

fn bad_file(line: usize, message: impl Into<String>) -> Error {
    Error::InvalidInput {
        field: "export file".into(),
        message: format!("line {line}: {}", message.into()),
    }
}

/// Parses and checks the header line.
pub fn parse_header(line: &str) -> Result<Header> {
    let header: Header = serde_json::from_str(line).map_err(|e| {
        bad_file(
            1,
            format!("not a Motus export header ({e}); export files start with {{\"format\":\"motus-export\",…}}"),
        )
    })?;
    if header.format != FORMAT {
        return Err(bad_file(
            1,
            format!("format is '{}', expected '{FORMAT}'", header.format),
        ));
    }
    if header.format_version != FORMAT_VERSION {
        return Err(bad_file(
            1,
            format!(
                "format version {} is not {FORMAT_VERSION}, the one this build reads",
                header.format_version
            ),
        ));
    }
    Ok(header)
}

/// Builds the export's schema in an empty database: this build's migrations up to the
/// export's schema version.
pub fn prepare_empty<C: Connection + ?Sized>(
    conn: &C,
    header: &Header,
    clock: &dyn Clock,
) -> Result<()> {
    let all = crate::migrate::coordination();
    let latest = crate::migrate::latest_version();
    if header.schema_version > latest {
        return Err(Error::SchemaTooNew {
            found: header.schema_version,
            supported: latest,
        });
    }
    if !all.iter().any(|m| m.version == header.schema_version) {
        return Err(bad_file(
            1,
            format!(
                "schema version {} is not one this build's migrations produce",
                header.schema_version
            ),
        ));
    }
    let upto: Vec<_> = all
        .iter()
        .filter(|m| m.version <= header.schema_version)
        .cloned()
        .collect();
    let status = Migrator::coordination().status(conn)?;
    if !status.is_new {
        return Err(Error::invalid(
            "database",
            "the import target must be empty before loading",
        ));
    }
    Migrator::with_migrations(&upto).migrate(conn, clock, false, &mut |_| Ok(None))?;
    // The original's lease store creates coordination_leases/events in code, so its files
    // at version 20 may hold them without a migration. Migration 021 creates exactly those
    // tables (IF NOT EXISTS, the original's definitions); run its body, unrecorded, so
    // such an export loads into the same schema it came from.
    let lease_store = ["coordination_leases", "events"];
    if header
        .tables
        .iter()
        .any(|t| lease_store.contains(&t.name.as_str()))
        && !conn.has_object("table", "coordination_leases")?
    {
        if let Some(m) = all.iter().find(|m| m.version == LEASE_STORE_MIGRATION) {
            write_tx(conn, |c| c.execute_batch(&m.up))?;
        }
    }
    Ok(())
}

struct Target {
    insert: String,
    width: usize,
    rowid: bool,
    /// Position of the rowid among the inserted values (the carried rowid or its alias).
    rowid_at: Option<usize>,
    loaded: u64,
    expected: u64,
    /// The input line of each loaded row, by rowid, so a broken rule found after loading
    /// names the line it came from.
    lines: HashMap<i64, usize>,
}

/// Replaces every row of `conn` (a database [`prepare_empty`] built at the header's schema
/// version) with the rows in `lines` (the export after its header line), in one
/// transaction that commits only when every table hashes to the header's fingerprint.
pub fn load<C, I>(
    conn: &C,
    header: &Header,
    lines: I,
    progress: &mut dyn Progress,
) -> Result<Summary>
where
    C: Connection + ?Sized,
    I: Iterator<Item = std::io::Result<String>>,
{
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let outcome = write_tx(conn, |c| load_in_tx(c, header, lines, progress));
    let restored = conn.execute_batch("PRAGMA foreign_keys = ON");
    let summary = outcome?;
    restored?;
    Ok(summary)
}

fn load_in_tx<C, I>(
    c: &C,
    header: &Header,
    lines: I,
    progress: &mut dyn Progress,
) -> Result<Summary>
where
    C: Connection + ?Sized,
    I: Iterator<Item = std::io::Result<String>>,
{
    let local = tables_in_order(c)?;
    check_same_tables(&local, header)?;
    let triggers = c.query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL ORDER BY rowid",
        params![],
    )?;
    for r in triggers.iter() {
        c.execute_batch(&format!(
            "DROP TRIGGER {}",
            quote_ident(&r.get::<String>(0)?)
        ))?;
    }
    for t in &local {
        c.execute(&format!("DELETE FROM {}", quote_ident(&t.name)), params![])?;
    }
    let mut targets: HashMap<&str, Target> = HashMap::new();
    for t in &header.tables {
        let info = local.iter().find(|l| l.name == t.name).expect("checked");
        let mut cols: Vec<String> = Vec::new();
        if t.rowid {
            cols.push(info.rowid_name.unwrap_or("rowid").to_string());
        }
        cols.extend(t.columns.iter().map(|c| quote_ident(c)));
        let marks = (1..=cols.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        targets.insert(
            t.name.as_str(),
            Target {
                insert: format!(
                    "INSERT INTO {} ({}) VALUES ({marks})",
                    quote_ident(&t.name),
                    cols.join(", ")
                ),
                width: t.columns.len(),
                rowid: t.rowid,
                rowid_at: if t.rowid {
                    Some(0)
                } else {
                    info.rowid_alias.and_then(|a| {
                        // The header's column order is the one the row lines use.
                        t.columns.iter().position(|c| *c == info.columns[a])
                    })
                },
                loaded: 0,
                expected: t.rows,
                lines: HashMap::new(),
            },
        );
    }
    let total = header.total_rows();
    let mut done = 0u64;
    let mut sequence: Vec<Vec<Value>> = Vec::new();
    let mut ended = false;
    for (i, line) in lines.enumerate() {
        let n = i + 2;
        let line = line.map_err(|e| bad_file(n, format!("cannot read: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        if ended {
            return Err(bad_file(n, "data after the end line"));
        }
        if line.starts_with("{\"end\"") {
            let end: EndLine = serde_json::from_str(&line)
                .map_err(|e| bad_file(n, format!("not an end line ({e})")))?;
            if !end.end || end.rows != done {
                return Err(bad_file(
                    n,
                    format!(
                        "the end line counts {} rows but {done} came before it",
                        end.rows
                    ),
                ));
            }
            ended = true;
            continue;
        }
        let row: RowLine = serde_json::from_str(&line)
            .map_err(|e| bad_file(n, format!("not a row line ({e}): {}", truncate(&line, 60))))?;
        let target = targets
            .get_mut(row.table.as_str())
            .ok_or_else(|| bad_file(n, format!("table '{}' is not in the header", row.table)))?;
        if row.values.len() != target.width || row.rowid.is_some() != target.rowid {
            return Err(bad_file(
                n,
                format!(
                    "a {} row needs {} values{}",
                    row.table,
                    target.width,
                    if target.rowid {
                        " and a rowid"
                    } else {
                        " and no rowid"
                    }
                ),
            ));
        }
        let mut values: Vec<Value> = Vec::with_capacity(target.width + 1);
        if let Some(id) = row.rowid {
            values.push(Value::Integer(id));
        }
        for v in &row.values {
            values.push(decode_value(v).map_err(|m| bad_file(n, m))?);
        }
        target.loaded += 1;
        if target.loaded > target.expected {
            return Err(bad_file(
                n,
                format!(
                    "more {} rows than the header's {}",
                    row.table, target.expected
                ),
            ));
        }
        let rowid = match target.rowid_at.map(|i| &values[i]) {
            Some(Value::Integer(id)) => Some(*id),
            _ => None,
        };
        if let Some(id) = rowid {
            target.lines.insert(id, n);
        }
        if row.table == "sqlite_sequence" {
            sequence.push(values);
        } else {
            c.execute(&target.insert, &values).map_err(|e| match e {
                Error::Constraint { message } => bad_file(
                    n,
                    format!("the {} row conflicts with another: {message}", row.table),
                ),
                other => other,
            })?;
        }
        done += 1;
        if done.is_multiple_of(1000) {
            progress.report(Step::Loading, done.min(total), total);
        }
    }
    if !ended {
        return Err(bad_file(
            header.total_rows() as usize + 2,
            format!(
                "the file ends after {done} of {total} rows without its end line; it is truncated — export again"
            ),
        ));
    }
    // Inserting rows with explicit ids moved the AUTOINCREMENT counters; put back the
    // exported ones exactly.
    if let Some(seq) = targets.get("sqlite_sequence") {
        c.execute("DELETE FROM sqlite_sequence", params![])?;
        for values in &sequence {
            c.execute(&seq.insert, values)?;
        }
    }
    for r in triggers.iter() {
        c.execute_batch(&r.get::<String>(1)?)?;
    }
    progress.report(Step::Loading, total, total);
    let loaded = backup::contents_with_progress(c, progress)?;
    let diffs = loaded.differences(&header.contents());
    if !diffs.is_empty() {
        return Err(Error::InvalidInput {
            field: "export file".into(),
            message: format!(
                "the rows do not hash to the fingerprints in its header (the file was edited or damaged; nothing was imported): {}",
                diffs.join("; ")
            ),
        });
    }
    let fk = backup::source_foreign_key_violations(c)?;
    if fk != header.foreign_key_violations {
        return Err(Error::Constraint {
            message: format!(
                "after loading, foreign_key_check reports {fk} violation(s); the source had {}; nothing was imported",
                header.foreign_key_violations
            ),
        });
    }
    let line_of = |table: &str, rowid: Option<i64>| {
        rowid.and_then(|r| targets.get(table)?.lines.get(&r).copied())
    };
    check_ledger(c, header, &line_of)?;
    // The rows as the kernel would judge them when they were exported.
    let now = Timestamp::parse(&header.exported_at).unwrap_or(Timestamp(i64::MIN));
    let broken = crate::file_tools::stored_rules::check(c, now)?;
    if !broken.is_empty() {
        let lines: Vec<String> = broken
            .iter()
            .take(10)
            .map(|v| match line_of(&v.table, v.rowid) {
                Some(n) => format!("  line {n}: {v}"),
                None => format!("  {v}"),
            })
            .collect();
        let more = broken.len().saturating_sub(lines.len());
        return Err(Error::KernelRule {
            message: format!(
                "the export holds {} row(s) the kernel's rules refuse; nothing was imported:\n{}{}",
                broken.len(),
                lines.join("\n"),
                if more > 0 {
                    format!("\n  … and {more} more")
                } else {
                    String::new()
                }
            ),
        });
    }
    Ok(Summary {
        schema_version: header.schema_version,
        tables: header.tables.len(),
        rows: done,
    })
}

/// The header's schema version must be the one the loaded ledger records: a file whose
/// header says 20 while its `schema_version` rows claim 1–34 would be taken as up to date
/// with migrations 21–34 never run.
fn check_ledger<C: Connection + ?Sized>(
    c: &C,
    header: &Header,
    line_of: &dyn Fn(&str, Option<i64>) -> Option<usize>,
) -> Result<()> {
    if !c.has_object("table", "schema_version")? {
        return Ok(());
    }
    let top = c.query(
        "SELECT rowid, version FROM schema_version ORDER BY version DESC LIMIT 1",
        params![],
    )?;
    let (rowid, ledger) = match top.first() {
        Some(r) => (r.get::<Option<i64>>(0)?, r.get::<i64>(1)?),
        None => (None, 0),
    };
    if ledger == header.schema_version {
        return Ok(());
    }
    let at = line_of("schema_version", rowid)
        .map(|n| format!(" (line {n})"))
        .unwrap_or_default();
    Err(bad_file(
        1,
        format!(
            "the header says schema version {}, but the schema_version rows record migrations up to {ledger}{at} (rule header_ledger); the file was edited or damaged, nothing was imported",
            header.schema_version
        ),
    ))
}

fn check_same_tables(local: &[TableInfo], header: &Header) -> Result<()> {
    for t in &header.tables {
        let Some(l) = local.iter().find(|l| l.name == t.name) else {
            return Err(bad_file(
                1,
                format!(
                    "table {} is not in the schema of version {}",
                    t.name, header.schema_version
                ),
            ));
        };
        let mut a = l.columns.clone();
        let mut b = t.columns.clone();
        a.sort();
        b.sort();
        if a != b {
            return Err(bad_file(
                1,
                format!(
                    "table {} has columns ({}) but the schema of version {} has ({})",
                    t.name,
                    t.columns.join(", "),
                    header.schema_version,
                    l.columns.join(", ")
                ),
            ));
        }
        if t.rowid && l.rowid_name.is_none() {
            return Err(bad_file(
                1,
                format!("table {} has no separate rowid in this schema", t.name),
            ));
        }
    }
    if let Some(l) = local
        .iter()
        .find(|l| !header.tables.iter().any(|t| t.name == l.name))
    {
        return Err(bad_file(
            1,
            format!(
                "table {} of schema version {} is missing from the export",
                l.name, header.schema_version
            ),
        ));
    }
    Ok(())
}

/// How one table differs between the database and what an import would put there.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TableDifference {
    pub table: String,
    pub database_rows: u64,
    pub export_rows: u64,
    /// Rows the database holds that the export does not (they would be lost).
    pub only_in_database: u64,
    /// Rows the export holds that the database does not.
    pub only_in_export: u64,
    /// Primary keys (or rowids) of a few rows only in the database.
    pub examples_only_in_database: Vec<String>,
}

impl std::fmt::Display for TableDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} row(s) only in the database, {} only in the export ({} vs {} rows)",
            self.table,
            self.only_in_database,
            self.only_in_export,
            self.database_rows,
            self.export_rows
        )?;
        if !self.examples_only_in_database.is_empty() {
            write!(f, ", e.g. {}", self.examples_only_in_database.join(", "))?;
        }
        Ok(())
    }
}

/// Compares every table of `database` with `imported` (row by row where fingerprints differ).
pub fn compare<A, B>(database: &A, imported: &B) -> Result<Vec<TableDifference>>
where
    A: Connection + ?Sized,
    B: Connection + ?Sized,
{
    compare_with_progress(database, imported, &mut crate::progress::unwatched())
}

/// [`compare`], reporting the hashing of each side.
pub fn compare_with_progress<A, B>(
    database: &A,
    imported: &B,
    progress: &mut dyn Progress,
) -> Result<Vec<TableDifference>>
where
    A: Connection + ?Sized,
    B: Connection + ?Sized,
{
    let mine = backup::contents_with_progress(database, progress)?;
    let theirs = backup::contents_with_progress(imported, progress)?;
    let mut names: Vec<&String> = mine.tables.keys().chain(theirs.tables.keys()).collect();
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        if mine.tables.get(name) == theirs.tables.get(name) {
            continue;
        }
        let a = row_multiset(database, name, mine.tables.contains_key(name))?;
        let b = row_multiset(imported, name, theirs.tables.contains_key(name))?;
        let mut only_db = 0u64;
        let mut examples = Vec::new();
        for (key, (count, label)) in &a.rows {
            let other = b.rows.get(key).map_or(0, |(c, _)| *c);
            if *count > other {
                only_db += count - other;
                if examples.len() < 3 {
                    examples.push(label.clone());
                }
            }
        }
        let only_export: u64 = b
            .rows
            .iter()
            .map(|(key, (count, _))| count.saturating_sub(a.rows.get(key).map_or(0, |(c, _)| *c)))
            .sum();
        out.push(TableDifference {
            table: name.clone(),
            database_rows: a.total,
            export_rows: b.total,
            only_in_database: only_db,
            only_in_export: only_export,
            examples_only_in_database: examples,
        });
    }
    Ok(out)
}

struct Multiset {
    total: u64,
    rows: HashMap<String, (u64, String)>,
}

fn row_multiset<C: Connection + ?Sized>(conn: &C, table: &str, exists: bool) -> Result<Multiset> {
    let mut set = Multiset {
        total: 0,
        rows: HashMap::new(),
    };
    if !exists {
        return Ok(set);
    }
    let info = table_info(conn, table)?;
    let rows = conn.query(&format!("SELECT * FROM {}", quote_ident(table)), params![])?;
    for r in rows.iter() {
        let key =
            serde_json::Value::Array(r.values().iter().map(encode_value).collect()).to_string();
        let label = if info.primary_key.is_empty() {
            truncate(&key, 60)
        } else {
            info.primary_key
                .iter()
                .map(|k| {
                    format!(
                        "{k}={}",
                        r.get_named::<Value>(k)
                            .map(|v| v.to_text())
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let e = set.rows.entry(key).or_insert((0, label));
        e.0 += 1;
        set.total += 1;
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteConnection;
    use crate::ManualClock;

    fn clock() -> ManualClock {
        ManualClock::at(Timestamp::parse("2026-11-26 08:00:00").unwrap())
    }

    fn fresh() -> SqliteConnection {
        let conn = SqliteConnection::open_in_memory().unwrap();
        Migrator::coordination()
            .migrate(&conn, &clock(), false, &mut |_| Ok(None))
            .unwrap();
        conn
    }

    fn export_text(conn: &SqliteConnection) -> String {
        let mut out = Vec::new();
        export(
            conn,
            None,
            clock().now(),
            &mut out,
            &mut crate::progress::unwatched(),
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn import_text(text: &str) -> Result<SqliteConnection> {
        let mut lines = text.lines().map(|l| Ok(l.to_string()));
        let header = parse_header(&lines.next().unwrap().unwrap())?;
        let target = SqliteConnection::open_in_memory().unwrap();
        prepare_empty(&target, &header, &clock())?;
        load(&target, &header, lines, &mut crate::progress::unwatched())?;
        Ok(target)
    }

    /// Every pass of a step reports from 0 up to its total, never backwards, and ends at it.
    fn check_passes(reports: &[(crate::progress::Step, u64, u64)]) -> Vec<crate::progress::Step> {
        let mut passes = Vec::new();
        let mut last: Option<(crate::progress::Step, u64, u64)> = None;
        for &(step, done, total) in reports {
            assert!(done <= total, "{reports:?}");
            match last {
                Some((s, d, t)) if s == step && done >= d && total == t => {}
                _ => {
                    if let Some((_, d, t)) = last {
                        assert_eq!(d, t, "a pass ended before its total: {reports:?}");
                    }
                    passes.push(step);
                }
            }
            last = Some((step, done, total));
        }
        if let Some((_, d, t)) = last {
            assert_eq!(d, t, "{reports:?}");
        }
        passes
    }

    #[test]
    fn export_and_load_report_real_fractions_step_by_step() {
        use crate::progress::Step;
        let conn = fresh();
        for i in 0..5000 {
            conn.execute(
                "INSERT INTO metrics (timestamp, operation, elapsed_ms) VALUES ('t', ?1, 1.0)",
                params![format!("op-{i}")],
            )
            .unwrap();
        }
        let mut reports = Vec::new();
        let mut out = Vec::new();
        export(&conn, None, clock().now(), &mut out, &mut |s, d, t| {
            reports.push((s, d, t))
        })
        .unwrap();
        assert_eq!(check_passes(&reports), [Step::Hashing, Step::Writing]);
        // Rows move the bar while the big table is hashed and written, not only after it.
        assert!(
            reports.iter().filter(|r| r.0 == Step::Writing).count() > 3,
            "{reports:?}"
        );
        assert!(
            reports.iter().filter(|r| r.0 == Step::Hashing).count() > 3,
            "{reports:?}"
        );
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines().map(|l| Ok(l.to_string()));
        let header = parse_header(&lines.next().unwrap().unwrap()).unwrap();
        let target = SqliteConnection::open_in_memory().unwrap();
        prepare_empty(&target, &header, &clock()).unwrap();
        let mut reports = Vec::new();
        load(&target, &header, lines, &mut |s, d, t| {
            reports.push((s, d, t))
        })
        .unwrap();
        assert_eq!(check_passes(&reports), [Step::Loading, Step::Hashing]);
        assert!(
            reports.iter().filter(|r| r.0 == Step::Loading).count() > 3,
            "{reports:?}"
        );
    }

    #[test]
    fn a_backup_copies_in_page_steps_and_reports_each() {
        use crate::progress::Step;
        let dir = std::env::temp_dir().join(format!("motus-copy-steps-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src_path = dir.join("src.db");
        let _ = std::fs::remove_file(&src_path);
        let src = SqliteConnection::open(
            src_path.to_str().unwrap(),
            crate::sqlite::OpenMode::ReadWriteCreate,
        )
        .unwrap();
        src.execute_batch("CREATE TABLE t (b BLOB)").unwrap();
        // ~12 MiB: three steps of 1024 pages at least.
        for _ in 0..3000 {
            src.execute("INSERT INTO t VALUES (zeroblob(4096))", params![])
                .unwrap();
        }
        let dest = dir.join("dest.db");
        let _ = std::fs::remove_file(&dest);
        let mut reports = Vec::new();
        src.backup_to_with_progress(dest.to_str().unwrap(), &mut |s, d, t| {
            reports.push((s, d, t))
        })
        .unwrap();
        assert_eq!(check_passes(&reports), [Step::Copying]);
        assert!(reports.len() >= 3, "{reports:?}");
        assert!(!src.in_transaction(), "the copy's own snapshot is released");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn json_numbers_parse_correctly_rounded_as_python_does() {
        // serde_json's default float parser was one ULP off here, so the canonical JSON of
        // evidence artifacts differed from the original's (Python: 4.444844e+52). Fixed by
        // the workspace's `float_roundtrip` feature; found by the canonical_json fuzz target.
        let v: serde_json::Value = serde_json::from_str("4444844E46").unwrap();
        assert_eq!(v.as_f64(), Some(4.444844e52));
        let canonical = crate::kernel::canonical::to_canonical_json(&v);
        let back: serde_json::Value = serde_json::from_str(&canonical).unwrap();
        assert_eq!(back, v, "{canonical}");
    }

    #[test]
    fn values_keep_their_storage_class() {
        for v in [
            Value::Null,
            Value::Integer(i64::MIN),
            Value::Integer(0),
            Value::Real(0.1),
            Value::Real(1.0),
            Value::Real(-0.0),
            Value::Real(f64::INFINITY),
            Value::Real(f64::MIN_POSITIVE),
            Value::Text("1".into()),
            Value::Text(String::new()),
            Value::Blob(vec![0, 255, 10]),
            Value::Blob(vec![]),
        ] {
            let back = decode_value(&encode_value(&v)).unwrap();
            match (&v, &back) {
                (Value::Real(a), Value::Real(b)) => assert_eq!(a.to_bits(), b.to_bits()),
                _ => assert_eq!(v, back),
            }
        }
        assert!(decode_value(&serde_json::json!(1.5)).is_err());
        assert!(decode_value(&serde_json::json!({"blob": "zz"})).is_err());
        assert!(decode_value(&serde_json::json!([1])).is_err());
    }

    #[test]
    fn round_trip_keeps_every_table_bypassing_triggers() {
        let conn = fresh();
        // Rows the schema's triggers would refuse or add to on a plain insert: an audit row
        // (append-only), a dependency (whose insert trigger writes audit rows), odd reals. (A blob
        // in a text column is refused by the kernel's rules, see stored_rules.)
        conn.execute_batch(
            "INSERT INTO roadmap_items (id, title, phase_key, status_key) VALUES ('A', 'a', 'phase_a', 'pending'), ('B', 'b', 'phase_a', 'pending');
             INSERT INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) VALUES ('B', 'A', 'blocks');
             INSERT INTO metrics (timestamp, operation, elapsed_ms, metadata) VALUES ('t', 'op', 0.1, 'a' || char(0) || 'b'), ('t', 'op2', 1e308, NULL);",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let before = backup::contents(&conn).unwrap();
        let text = export_text(&conn);
        let copy = import_text(&text).unwrap();
        assert_eq!(backup::contents(&copy).unwrap(), before);
        let a = crate::file_tools::schema::Snapshot::capture(&conn).unwrap();
        let b = crate::file_tools::schema::Snapshot::capture(&copy).unwrap();
        assert!(a.diff(&b).is_empty(), "{:?}", a.diff(&b));
        assert!(compare(&conn, &copy).unwrap().is_empty());
    }

    #[test]
    fn truncated_or_edited_files_are_refused() {
        let conn = fresh();
        let text = export_text(&conn);
        let lines: Vec<&str> = text.lines().collect();
        let truncated = lines[..lines.len() / 2].join("\n");
        let err = import_text(&truncated).err().unwrap();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains("truncated"), "{err}");

        let edited = text.replacen("phase_a", "phase_z", 1);
        let err = import_text(&edited).err().unwrap();
        assert!(err.to_string().contains("fingerprints"), "{err}");

        let err = import_text("{\"format\":\"x\"}").err().unwrap();
        assert_eq!(err.code(), "invalid_input");
    }

    #[test]
    fn compare_names_rows_only_in_the_database() {
        let conn = fresh();
        let text = export_text(&conn);
        conn.execute_batch(
            "INSERT INTO roadmap_items (id, title, phase_key, status_key) VALUES ('NEW-1', 'n', 'phase_a', 'pending')",
        )
        .unwrap();
        let copy = import_text(&text).unwrap();
        let diffs = compare(&conn, &copy).unwrap();
        let items = diffs.iter().find(|d| d.table == "roadmap_items").unwrap();
        assert_eq!((items.only_in_database, items.only_in_export), (1, 0));
        assert_eq!(items.examples_only_in_database, vec!["id=NEW-1"]);
    }
}
