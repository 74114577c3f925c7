//! Helpers for the userland unit tests: real SQLite databases built by our migrations.

use crate::migrate::Migrator;
use crate::sqlite::{OpenMode, SqliteConnection};
use crate::{ManualClock, SequentialIds, Timestamp};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub fn clock() -> ManualClock {
    ManualClock::at(Timestamp::parse("2026-11-26 08:00:00").unwrap())
}

pub fn ids() -> SequentialIds {
    SequentialIds::new()
}

fn migrated(conn: SqliteConnection, m: Migrator<'static>) -> SqliteConnection {
    m.migrate(&conn, &clock(), false, &mut |_| Ok(None))
        .unwrap();
    conn
}

pub fn coordination() -> SqliteConnection {
    migrated(
        SqliteConnection::open_in_memory().unwrap(),
        Migrator::coordination(),
    )
}

pub fn userland() -> SqliteConnection {
    migrated(
        SqliteConnection::open_in_memory().unwrap(),
        Migrator::userland(),
    )
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "motus-userland-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn file(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A database file in WAL mode, as the CLI opens it.
fn wal_file(path: &str) -> SqliteConnection {
    let conn = SqliteConnection::open(path, OpenMode::ReadWriteCreate).unwrap();
    conn.ensure_wal().unwrap();
    conn
}

/// A userland.db file migrated by our runner.
pub fn userland_file(path: &str) -> SqliteConnection {
    migrated(wal_file(path), Migrator::userland())
}

/// A coordination.db file migrated by our runner.
pub fn coordination_file(path: &str) -> SqliteConnection {
    migrated(wal_file(path), Migrator::coordination())
}

/// Rows in every table, written the way the original's schema fills them: column defaults
/// (`datetime('now')`) and the audit triggers, plus a soft-deleted row, a NULL updated_at
/// (which the insert trigger would stamp if it ran during a copy) and non-ASCII text.
pub const SAMPLE_ROWS: &str = "
INSERT INTO preferences (key, value, source) VALUES ('editor', 'vim', 'cli'), ('theme', 'dark ☾', 'config_file');
INSERT INTO preferences (key, value, source, deleted_at, deleted_by, deletion_reason) VALUES ('old', 'x', 'learned', '2026-01-02 03:04:05', 'user', 'stale');
UPDATE preferences SET updated_at = NULL WHERE key = 'theme';
INSERT INTO skills (skill_name, progress_count, unlock_threshold) VALUES ('rust', 3, 5), ('sql', 7, 5);
INSERT INTO ground_rules (rule_type, rule_value, source) VALUES ('never', 'push to main', 'user_defined'), ('always', 'run tests', 'default');
DELETE FROM ground_rules WHERE rule_value = 'run tests';
INSERT INTO ground_rules (rule_type, rule_value, source) VALUES ('always', 'write docs', 'imported');
INSERT INTO learned_patterns (pattern_type, pattern_value, source, frequency) VALUES ('lang', 'rust', 'observation', 4), ('tool', 'cargo', 'detection', 1);
INSERT INTO detected_patterns (pattern_type, pattern_value, confidence, detected_from) VALUES ('framework', 'leptos', 'high', 'Cargo.toml'), ('vcs', 'git', 'low', NULL);
";
