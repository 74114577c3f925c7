//! What the runner knows about the original tool's migrations: the checksums its ledger
//! records (so its databases are recognised as equivalent to our 1–20), and the two steps it
//! performed in code rather than SQL.

use super::Migration;
use crate::connection::{quote_ident, Connection, ConnectionExt};
use crate::error::Result;

/// `(version, checksum)` pairs written by motusos 0.3.x, including the older checksums its
/// runner allow-listed for versions 5, 11 and 16.
pub(super) const CHECKSUMS: &[(i64, &str)] = &[
    (1, "1fd26306fa347221"),
    (2, "55bdde78334c3159"),
    (3, "23150197c1a11b2d"),
    (4, "d9e575c741b81eec"),
    (5, "3c5fa217a092be69"),
    (5, "8e25ba0db729df46"),
    (6, "923c6a09db4beb42"),
    (7, "2cc6efe4bccb3efb"),
    (8, "1125b207dc6bec0a"),
    (9, "76c1d235d18ec1a5"),
    (10, "5291659683dbdabd"),
    (11, "24e2ca0f09d1b3e8"),
    (11, "916955d0d4a93548"),
    (12, "cd41f2afd79651ec"),
    (13, "595389901c9a21f7"),
    (14, "a26e00c9f6ee9c2f"),
    (15, "1ef88551bdf37b5e"),
    (16, "d546ec66f81120be"),
    (16, "fb79675f0195b2a0"),
    (17, "c11046cad5e453bf"),
    (18, "8a94124813c2e524"),
    (19, "55c9b3d400161a3a"),
    (20, "0cbe6a2ee45d2810"),
];

fn columns<C: Connection + ?Sized>(conn: &C, table: &str) -> Result<Vec<String>> {
    Ok(crate::engine::catalogue::columns(conn, table)?
        .into_iter()
        .map(|c| c.name)
        .collect())
}

/// Runs inside the migration's transaction, before its SQL.
pub(super) fn pre_step<C: Connection + ?Sized>(conn: &C, m: &Migration) -> Result<()> {
    match m.name.as_str() {
        // The original renames an older, differently shaped `leases` table out of the way
        // before creating the kernel's `leases`; its rows are kept, not read.
        "kernel_leases" if conn.has_object("table", "leases")? => {
            let cols = columns(conn, "leases")?;
            let kernel_shape = [
                "resource_type",
                "resource_id",
                "worker_id",
                "ttl_seconds",
                "acquired_at",
            ]
            .iter()
            .all(|c| cols.iter().any(|x| x == c));
            if !kernel_shape {
                let mut target = "leases_legacy".to_string();
                let mut n = 0;
                while conn.has_object("table", &target)? {
                    n += 1;
                    target = format!("leases_legacy_{n}");
                }
                conn.execute_batch(&format!(
                    "ALTER TABLE leases RENAME TO {}",
                    quote_ident(&target)
                ))?;
            }
            Ok(())
        }
        // Lease stores written by older originals lack the work/attempt columns, which the
        // original added with ALTER TABLE at run time.
        "lease_store_tables" if conn.has_object("table", "coordination_leases")? => {
            let cols = columns(conn, "coordination_leases")?;
            for c in ["work_id", "attempt_id"] {
                if !cols.iter().any(|x| x == c) {
                    conn.execute_batch(&format!(
                        "ALTER TABLE coordination_leases ADD COLUMN {c} TEXT"
                    ))?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
