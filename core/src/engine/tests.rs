//! The engine modules' tests, on a real in-memory SQLite.

mod catalogue {
    use crate::engine::catalogue::*;
    use crate::sqlite::SqliteConnection;
    use crate::Connection;

    #[test]
    fn the_catalogue_sees_user_tables_only() {
        let c = SqliteConnection::open_in_memory().unwrap();
        assert_eq!(table_count(&c).unwrap(), 0);
        c.execute_batch(
            "CREATE TABLE b(id INTEGER PRIMARY KEY AUTOINCREMENT, t TEXT NOT NULL);
             CREATE TABLE a(x);
             CREATE INDEX a_x ON a(x);
             INSERT INTO b(t) VALUES ('one');",
        )
        .unwrap();
        assert_eq!(user_tables(&c).unwrap(), ["a", "b"]);
        // sqlite_sequence is a table too, though not a user table.
        assert_eq!(table_count(&c).unwrap(), 3);
        assert_eq!(object_count(&c).unwrap(), 4);
        let cols = columns(&c, "b").unwrap();
        assert_eq!(cols.len(), 2);
        assert_eq!(cols[0].name, "id");
        assert_eq!(cols[0].primary_key, 1);
        assert_eq!(cols[1].declared_type, "TEXT");
        assert!(cols[1].not_null);
        assert_eq!(columns(&c, "a").unwrap()[0].declared_type, "");
        assert!(columns(&c, "missing").unwrap().is_empty());
    }
}

mod local_file {
    use crate::connection::{Connection, ConnectionExt, Rows, Value};
    use crate::engine::local_file::*;
    use crate::error::Result;
    use crate::sqlite::SqliteConnection;

    /// The same database seen through a backend that is not a local file.
    struct NotLocal<'a>(&'a SqliteConnection);
    impl Connection for NotLocal<'_> {
        fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
            self.0.execute(sql, params)
        }
        fn query(&self, sql: &str, params: &[Value]) -> Result<Rows> {
            self.0.query(sql, params)
        }
        fn execute_batch(&self, sql: &str) -> Result<()> {
            self.0.execute_batch(sql)
        }
        fn in_transaction(&self) -> bool {
            self.0.in_transaction()
        }
    }

    #[test]
    fn file_tools_run_on_a_local_file_and_are_refused_elsewhere() {
        let c = SqliteConnection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t(x)").unwrap();
        assert_eq!(integrity_check(&c).unwrap(), ["ok"]);
        assert!(size_bytes(&c).unwrap() > 0);
        use_scratch_journal(&c, None).unwrap();
        use_rollback_journal(&c, true).unwrap();

        let remote = NotLocal(&c);
        let mode_before: String = c.query_one("PRAGMA journal_mode", &[]).unwrap();
        // Plain SQL still answers…
        assert_eq!(integrity_check(&remote).unwrap(), ["ok"]);
        // …the file tools are refused before anything is sent.
        for e in [
            use_scratch_journal(&remote, Some(4096)).unwrap_err(),
            use_rollback_journal(&remote, false).unwrap_err(),
            checkpoint_truncate(&remote).map(|_| ()).unwrap_err(),
        ] {
            assert_eq!(e.code(), "unsupported", "{e}");
        }
        let mode_after: String = c.query_one("PRAGMA journal_mode", &[]).unwrap();
        assert_eq!(mode_before, mode_after);
    }
}
