//! Stress tests of the kernel through the real binary: many processes racing for one
//! resource, and SIGKILL in the middle of work. Sizes can be raised with environment
//! variables (see docs/kernel.md); the defaults are what CI runs.
mod cluster;
mod crash;
#[cfg(unix)]
mod node;
mod race;
mod race_next;

use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{params, Connection, ConnectionExt};
use std::path::Path;

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn now() -> motus_core::Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    motus_core::Timestamp::from_millis(ms as i64)
}

/// integrity_check, foreign_key_check and the kernel's own invariants, all clean.
pub fn assert_database_sound(db: &Path) {
    let conn = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadWrite).unwrap();
    let integrity: String = conn.query_one("PRAGMA integrity_check", params![]).unwrap();
    assert_eq!(integrity, "ok");
    let fk = conn.query("PRAGMA foreign_key_check", params![]).unwrap();
    assert!(fk.is_empty(), "foreign key violations: {:?}", fk.rows);
    let problems = motus_core::kernel::invariants::check(&conn, now()).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}
