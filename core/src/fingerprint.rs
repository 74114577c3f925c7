//! Content fingerprints of tables: a row count and a SHA-256 over every row, independent of
//! physical order. Used to prove that an upgrade, a copy or an export/import kept every row.

use crate::connection::{quote_ident, Connection, Value};
use crate::error::Result;
use crate::params;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    let cols = conn.query(
        &format!("PRAGMA table_info({})", quote_ident(name)),
        params![],
    )?;
    let names: Vec<String> = cols
        .iter()
        .map(|r| r.get_named::<String>("name"))
        .collect::<Result<_>>()?;
    let list = names
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = conn.query(
        &format!("SELECT {list} FROM {} ORDER BY {list}", quote_ident(name)),
        params![],
    )?;
    let mut h = Sha256::new();
    for c in &names {
        h.update(c.as_bytes());
        h.update([0xff]);
    }
    for r in rows.iter() {
        for v in r.values() {
            feed(&mut h, v);
        }
    }
    Ok(TableFingerprint {
        rows: rows.len() as u64,
        sha256: hex::encode(h.finalize()),
    })
}

/// Fingerprints of every user table (SQLite's own tables excluded).
pub fn all_tables<C: Connection + ?Sized>(conn: &C) -> Result<BTreeMap<String, TableFingerprint>> {
    let mut out = BTreeMap::new();
    for name in crate::engine::catalogue::user_tables(conn)? {
        let fingerprint = table(conn, &name)?;
        out.insert(name, fingerprint);
    }
    Ok(out)
}
