//! Userland: the user's preferences and local customization (`preferences`, `skills`,
//! `ground_rules`, `learned_patterns`, `detected_patterns`).
//!
//! These tables live in coordination.db until `motus userland extract` moves their rows into
//! a second file, userland.db, with its own migrations (`migrations/userland/`). From then on
//! coordination.db keeps the tables empty (so its schema is unchanged) and carries a marker
//! (`instance_config` key [`MARKER_KEY`]) that says where the rows went; reads and writes
//! follow the marker ([`location`]), so a user who never extracts sees no change.
//!
//! - [`detect`]: what a SQLite file is (coordination.db, userland.db, empty, foreign).
//! - [`store`]: where the five tables are on a connection, and where their audit rows go.
//! - [`location`]: reading the marker and attaching userland.db.
//! - [`extract`]: the resumable copy → verify → remove → complete sequence.
//! - [`preferences`], [`skills`], [`ground_rules`], [`patterns`]: the data itself.
//! - [`calls`]: the `pref`/`skill`/`rule`/`pattern` commands as typed answers (CLI and JS API).

pub mod calls;
pub mod detect;
pub mod extract;
pub mod ground_rules;
pub mod location;
pub mod patterns;
pub mod preferences;
pub mod skills;
pub mod store;

mod record;
#[cfg(test)]
mod testing;

pub use location::{Location, Placement};
pub use store::{Home, Store};

/// The five tables that move from coordination.db to userland.db, in extraction order.
pub const TABLES: [&str; 5] = [
    "preferences",
    "skills",
    "ground_rules",
    "learned_patterns",
    "detected_patterns",
];

/// The `instance_config` key in coordination.db that records a completed removal.
pub const MARKER_KEY: &str = "userland_extraction";

/// The schema name userland.db gets when attached to a coordination connection.
pub const ATTACHED_SCHEMA: &str = "userland";

/// Checks `value` against a CHECK list up front, so the error names every accepted value.
pub(crate) fn one_of(field: &str, value: &str, accepted: &[&str]) -> crate::Result<()> {
    if accepted.contains(&value) {
        Ok(())
    } else {
        Err(crate::Error::invalid(
            field,
            format!(
                "{value:?} is not accepted; use one of: {}",
                accepted.join(", ")
            ),
        ))
    }
}

/// Refuses empty or blank text for a required field.
pub(crate) fn required(field: &str, value: &str) -> crate::Result<()> {
    if value.trim().is_empty() {
        Err(crate::Error::invalid(
            field,
            "must not be empty; give a non-blank value",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::testing;
    use super::*;
    use crate::connection::{Connection, ConnectionExt};
    use crate::file_tools::schema::{normalize_sql, Snapshot};
    use crate::migrate::Migrator;
    use crate::sqlite::SqliteConnection;

    fn objects_sql(conn: &SqliteConnection, kind: &str) -> Vec<(String, String)> {
        let rows = conn
            .query(
                "SELECT name, sql FROM sqlite_master WHERE type = ?1 AND tbl_name IN \
                 ('preferences','skills','ground_rules','learned_patterns','detected_patterns') \
                 AND sql IS NOT NULL ORDER BY name",
                crate::params![kind],
            )
            .unwrap();
        rows.iter()
            .map(|r| (r.value(0).to_text(), normalize_sql(&r.value(1).to_text())))
            .collect()
    }

    #[test]
    fn userland_tables_are_identical_to_coordination_tables_column_for_column() {
        let coord = testing::coordination();
        let user = testing::userland();
        let (c, u) = (
            Snapshot::capture(&coord).unwrap(),
            Snapshot::capture(&user).unwrap(),
        );
        for t in TABLES {
            assert_eq!(u.tables.get(t), c.tables.get(t), "columns of {t}");
            let index_list = |conn: &SqliteConnection| {
                let mut v: Vec<(i64, String, String)> = conn
                    .query(&format!("PRAGMA index_list({t})"), crate::params![])
                    .unwrap()
                    .iter()
                    .map(|r| {
                        (
                            r.get_named::<i64>("unique").unwrap(),
                            r.get_named::<String>("origin").unwrap(),
                            r.get_named::<String>("name").unwrap(),
                        )
                    })
                    .collect();
                v.sort();
                v
            };
            assert_eq!(index_list(&user), index_list(&coord), "indexes of {t}");
        }
        let pick = |s: &Snapshot| {
            s.indexes
                .iter()
                .filter(|(_, i)| TABLES.contains(&i.table.as_str()))
                .map(|(n, i)| (n.clone(), i.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(pick(&u), pick(&c));
        assert_eq!(pick(&u).len(), 20, "5 lookup and 15 audit indexes");
        // Triggers: same names and the same SQL, token for token.
        let (ct, ut) = (
            objects_sql(&coord, "trigger"),
            objects_sql(&user, "trigger"),
        );
        assert_eq!(ut, ct);
        assert_eq!(ut.len(), 10);
        assert_eq!(objects_sql(&user, "index"), objects_sql(&coord, "index"));
    }

    #[test]
    fn checks_and_uniques_refuse_the_same_rows_in_both_files() {
        let bad = [
            "INSERT INTO preferences (key, value, source) VALUES ('k', 'v', 'shell')",
            "INSERT INTO skills (skill_name, progress_count, unlock_threshold) VALUES ('s', -1, 1)",
            "INSERT INTO skills (skill_name, unlock_threshold) VALUES ('s', -1)",
            "INSERT INTO ground_rules (rule_type, rule_value, source) VALUES ('a', 'b', 'mine')",
            "INSERT INTO learned_patterns (pattern_type, pattern_value, source) VALUES ('a', 'b', 'guess')",
            "INSERT INTO learned_patterns (pattern_type, pattern_value, source, frequency) VALUES ('a', 'b', 'detection', 0)",
            "INSERT INTO detected_patterns (pattern_type, pattern_value, confidence) VALUES ('a', 'b', 'certain')",
            "INSERT INTO ground_rules (rule_type, rule_value, source) VALUES ('never', 'push to main', 'default')",
            "INSERT INTO learned_patterns (pattern_type, pattern_value, source) VALUES ('lang', 'rust', 'detection')",
            "INSERT INTO detected_patterns (pattern_type, pattern_value, confidence) VALUES ('vcs', 'git', 'high')",
        ];
        for conn in [testing::coordination(), testing::userland()] {
            conn.execute_batch(testing::SAMPLE_ROWS).unwrap();
            for sql in bad {
                let e = conn.execute(sql, crate::params![]).unwrap_err();
                assert_eq!(e.code(), "constraint", "{sql}: {e}");
            }
        }
    }

    #[test]
    fn audit_triggers_stamp_rows_in_userland_db() {
        let user = testing::userland();
        user.execute_batch(testing::SAMPLE_ROWS).unwrap();
        let stamped: i64 = user
            .query_one(
                "SELECT count(*) FROM skills WHERE created_at IS NOT NULL AND updated_at IS NOT NULL",
                crate::params![],
            )
            .unwrap();
        assert_eq!(stamped, 2);
        user.execute(
            "UPDATE skills SET updated_at = '2000-01-01 00:00:00' WHERE skill_name = 'rust'",
            crate::params![],
        )
        .unwrap();
        user.execute(
            "UPDATE skills SET progress_count = 4 WHERE skill_name = 'rust'",
            crate::params![],
        )
        .unwrap();
        let updated: String = user
            .query_one(
                "SELECT updated_at FROM skills WHERE skill_name = 'rust'",
                crate::params![],
            )
            .unwrap();
        assert!(updated.as_str() > "2000-01-01 00:00:00", "{updated}");
    }

    #[test]
    fn files_are_recognised_by_kind_and_by_the_userland_migrator() {
        use detect::{detect, FileKind};
        let (coord, user) = (testing::coordination(), testing::userland());
        let empty = SqliteConnection::open_in_memory().unwrap();
        assert_eq!(detect(&coord).unwrap(), FileKind::Coordination);
        assert_eq!(detect(&user).unwrap(), FileKind::Userland);
        assert_eq!(detect(&empty).unwrap(), FileKind::Empty);
        let status = Migrator::userland().status(&user).unwrap();
        assert!(status.is_current() && !status.is_new);
        assert_eq!(
            status.current_version,
            Migrator::userland().latest_version()
        );
        assert!(Migrator::userland().latest_version() >= 2);
        // Each migrator refuses the other kind's file.
        assert!(Migrator::coordination().status(&user).is_err());
        assert!(Migrator::userland().status(&coord).is_err());
        let id: String = user
            .query_one(
                "SELECT value FROM userland_meta WHERE key = 'userland_id'",
                crate::params![],
            )
            .unwrap();
        assert_eq!(id.len(), 32);
    }
}
