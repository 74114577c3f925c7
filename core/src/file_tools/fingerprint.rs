//! Content fingerprints of tables: a row count and a SHA-256 over every row, independent of
//! physical order. Used to prove that an upgrade, a copy or an export/import kept every row.

use crate::connection::{quote_ident, Connection, ConnectionExt, Value};
use crate::error::Result;
use crate::params;
use crate::progress::{Progress, Step};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TableFingerprint {
    pub rows: u64,
    pub sha256: String,
}

fn feed(h: &mut Sha256, v: &Value) {
    // A type tag and a length prefix keep different values from hashing alike.
    match v {
        Value::Null => h.update([0u8]),
        Value::Integer(i) => {
            h.update([1u8]);
            h.update(i.to_le_bytes());
        }
        Value::Real(f) => {
            h.update([2u8]);
            h.update(f.to_bits().to_le_bytes());
        }
        Value::Text(s) => {
            h.update([3u8]);
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
        Value::Blob(b) => {
            h.update([4u8]);
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        }
    }
}

/// Fingerprint of one table; rows are sorted by all their columns first.
pub fn table<C: Connection + ?Sized>(conn: &C, name: &str) -> Result<TableFingerprint> {
    table_counting(conn, name, &mut |_| {})
}

/// Rows between two reports while hashing a table.
const REPORT_EVERY: u64 = 4096;

/// [`table`], streaming the rows (a large table is never held in memory) and calling
/// `hashed` with the rows hashed so far every few thousand rows.
fn table_counting<C: Connection + ?Sized>(
    conn: &C,
    name: &str,
    hashed: &mut dyn FnMut(u64),
) -> Result<TableFingerprint> {
    let names: Vec<String> = crate::engine::catalogue::columns(conn, name)?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let list = names
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let mut h = Sha256::new();
    for c in &names {
        h.update(c.as_bytes());
        h.update([0xff]);
    }
    let mut rows = 0u64;
    conn.for_each_row(
        &format!("SELECT {list} FROM {} ORDER BY {list}", quote_ident(name)),
        params![],
        &mut |values| {
            for v in values {
                feed(&mut h, v);
            }
            rows += 1;
            if rows.is_multiple_of(REPORT_EVERY) {
                hashed(rows);
            }
            Ok(())
        },
    )?;
    Ok(TableFingerprint {
        rows,
        sha256: hex::encode(h.finalize()),
    })
}

/// Fingerprints of every user table (SQLite's own tables excluded).
pub fn all_tables<C: Connection + ?Sized>(conn: &C) -> Result<BTreeMap<String, TableFingerprint>> {
    let mut out = BTreeMap::new();
    for name in user_tables(conn)? {
        let fp = table(conn, &name)?;
        out.insert(name, fp);
    }
    Ok(out)
}

/// The user tables, by name (the catalogue's answer).
pub use crate::engine::catalogue::user_tables;

/// Fingerprints the named tables, reporting [`Step::Hashing`] in rows (counted first, so the
/// fraction is real).
pub fn tables_with_progress<C: Connection + ?Sized>(
    conn: &C,
    names: &[String],
    progress: &mut dyn Progress,
) -> Result<BTreeMap<String, TableFingerprint>> {
    let mut total = 0u64;
    for name in names {
        total += conn
            .query_scalar::<i64>(
                &format!("SELECT count(*) FROM {}", quote_ident(name)),
                params![],
            )?
            .unwrap_or(0) as u64;
    }
    progress.report(Step::Hashing, 0, total);
    let mut done = 0u64;
    let mut out = BTreeMap::new();
    for name in names {
        let fp = table_counting(conn, name, &mut |n| {
            progress.report(Step::Hashing, (done + n).min(total), total)
        })?;
        done = (done + fp.rows).min(total);
        progress.report(Step::Hashing, done, total);
        out.insert(name.clone(), fp);
    }
    progress.report(Step::Hashing, total, total);
    Ok(out)
}
