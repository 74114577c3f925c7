//! Test helpers: a real SQLite database built by our migration runner, a fixed clock and
//! deterministic ids.

use crate::ids::SequentialIds;
use crate::migrate::Migrator;
use crate::sqlite::SqliteConnection;
use crate::time::{ManualClock, Timestamp};
use crate::Env;

pub struct TestDb {
    pub conn: SqliteConnection,
    pub clock: ManualClock,
    pub ids: SequentialIds,
}

impl TestDb {
    pub fn new() -> Self {
        let conn = SqliteConnection::open_in_memory().unwrap();
        let clock = ManualClock::at(Timestamp::parse("2026-11-26 08:00:00").unwrap());
        Migrator::coordination()
            .migrate(&conn, &clock, false, &mut |_| Ok(None))
            .unwrap();
        TestDb {
            conn,
            clock,
            ids: SequentialIds::new(),
        }
    }

    pub fn env(&self) -> Env<'_> {
        Env::new(&self.clock, &self.ids)
    }

    /// Adds a pending item `id` in `phase` with rank `rank`.
    pub fn item(&self, id: &str, phase: &str, rank: f64) -> super::Item {
        super::items::add(
            &self.conn,
            &self.env(),
            "tester",
            &super::NewItem {
                id: Some(id.into()),
                title: format!("Item {id}"),
                phase_key: phase.into(),
                rank: Some(rank),
                ..Default::default()
            },
        )
        .unwrap()
    }

    pub fn dep(&self, item: &str, on: &str, kind: super::DependencyType) {
        super::dependencies::add(&self.conn, &self.env(), "tester", item, on, kind, None).unwrap();
    }

    pub fn count(&self, sql: &str) -> i64 {
        use crate::ConnectionExt;
        self.conn.query_one(sql, &[]).unwrap()
    }
}
