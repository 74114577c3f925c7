//! Where the userland tables live for a given coordination.db, and attaching userland.db.
//!
//! The rule: the rows are in userland.db exactly when coordination.db carries the marker
//! (`instance_config` key [`MARKER_KEY`](super::MARKER_KEY)) that the extraction writes in the
//! same transaction that empties coordination.db's tables. Without the marker nothing changes:
//! every query goes to coordination.db, whether or not a userland.db file exists.

use super::store::{Home, Store};
use super::{ATTACHED_SCHEMA, MARKER_KEY};
use crate::connection::{write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::params;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Row count and content hash of one table (see [`crate::file_tools::fingerprint`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TableHash {
    pub rows: u64,
    pub sha256: String,
}

/// Per-table hashes, keyed by table name.
pub type TableHashes = BTreeMap<String, TableHash>;

/// What coordination.db records when its userland rows have been removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Marker {
    /// Where userland.db was when the rows moved.
    pub userland_path: String,
    /// The `userland_id` of that file (its `userland_meta`), to recognise it later.
    pub userland_id: String,
    pub extracted_at: String,
    /// What was moved: the row counts and hashes both files agreed on.
    pub tables: TableHashes,
}

/// Reads the marker from the main schema of a coordination connection.
pub fn read_marker<C: Connection + ?Sized>(coord: &C) -> Result<Option<Marker>> {
    let Some(text) = coord.query_scalar::<String>(
        "SELECT value FROM main.instance_config WHERE key = ?1",
        params![MARKER_KEY],
    )?
    else {
        return Ok(None);
    };
    serde_json::from_str(&text).map(Some).map_err(|e| Error::Corrupt {
        message: format!(
            "instance_config.{MARKER_KEY} is not the JSON motus writes ({e}); restore coordination.db from the backup the extraction took first"
        ),
    })
}

/// Where the rows are, by the marker alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Coordination,
    Userland(Marker),
}

pub fn placement<C: Connection + ?Sized>(coord: &C) -> Result<Placement> {
    Ok(match read_marker(coord)? {
        None => Placement::Coordination,
        Some(m) => Placement::Userland(m),
    })
}

/// The tables' place for one coordination connection, resolved (and attached) once per command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Where queries go.
    pub store: Store,
    /// The marker read when resolving (None: the rows are in coordination.db).
    pub marker: Option<Marker>,
    /// The userland.db attached, if any.
    pub userland_path: Option<String>,
    /// False while an extraction that already emptied coordination.db is not marked complete
    /// in userland.db: reads work, writes are refused until `motus userland extract` finishes.
    pub finished: bool,
}

impl Location {
    /// The never-extracted case.
    pub fn coordination() -> Location {
        Location {
            store: Store::COORDINATION,
            marker: None,
            userland_path: None,
            finished: true,
        }
    }

    pub fn home(&self) -> Home {
        self.store.home()
    }

    /// Runs one write in one transaction (the write lock taken up front), after checking under
    /// that lock that the rows have not moved since this location was resolved — so a write
    /// racing an extraction can never land in the table the extraction just emptied.
    pub fn write<C, T, F>(&self, coord: &C, f: F) -> Result<T>
    where
        C: Connection + ?Sized,
        F: FnOnce(&C, Store) -> Result<T>,
    {
        write_tx(coord, |c| {
            let now = read_marker(c)?;
            if now.as_ref().map(|m| &m.userland_id) != self.marker.as_ref().map(|m| &m.userland_id)
            {
                return Err(Error::KernelRule {
                    message: "USERLAND: the preference tables moved to userland.db while this call ran; call again".into(),
                });
            }
            if !self.finished {
                return Err(Error::KernelRule {
                    message: format!(
                        "USERLAND: the move of the preference tables into {} was interrupted; finish the extraction, then retry",
                        self.userland_path.as_deref().unwrap_or("userland.db")
                    ),
                });
            }
            f(c, self.store)
        })
    }
}

/// Whether a schema of that name is attached to the connection.
fn is_attached<C: Connection + ?Sized>(conn: &C, schema: &str) -> Result<bool> {
    let rows = conn.query("PRAGMA database_list", params![])?;
    let attached = rows
        .iter()
        .any(|r| r.get_named::<String>("name").is_ok_and(|n| n == schema));
    Ok(attached)
}

/// Resolves where the userland tables are for `coord` (a coordination.db connection). When the
/// marker says the rows moved, attaches `userland_path` as `userland` and checks it is the
/// file that received them. `userland_exists` comes from the host (core has no filesystem):
/// attaching a missing path would create an empty file.
pub fn resolve<C: Connection + ?Sized>(
    coord: &C,
    userland_path: &str,
    userland_exists: bool,
) -> Result<Location> {
    let Some(marker) = read_marker(coord)? else {
        return Ok(Location::coordination());
    };
    if !userland_exists {
        return Err(Error::CannotOpen {
            message: format!(
                "the preference tables were moved on {} to {}, but there is no file at {userland_path}; restore it from a backup, or pass --userland PATH (or set MOTUS_USERLAND__PATH) to where it is now",
                marker.extracted_at, marker.userland_path
            ),
        });
    }
    if !is_attached(coord, ATTACHED_SCHEMA)? {
        coord.execute(
            &format!("ATTACH DATABASE ?1 AS {ATTACHED_SCHEMA}"),
            params![userland_path],
        )?;
    }
    let field = "--userland";
    attached(
        coord,
        marker,
        userland_path,
        field,
        "pass --userland with that file",
    )
}

/// Resolves where the userland tables are for a connection that has no file of its own to
/// attach (a JS host's connection): the rows are in coordination.db, or — when the marker
/// says they moved — in a userland.db the host attached itself as schema `userland`.
pub fn resolve_attached<C: Connection + ?Sized>(coord: &C) -> Result<Location> {
    let Some(marker) = read_marker(coord)? else {
        return Ok(Location::coordination());
    };
    if !is_attached(coord, ATTACHED_SCHEMA)? {
        return Err(Error::CannotOpen {
            message: format!(
                "the preference tables were moved on {} to {}, and this connection has no userland.db attached; attach that file to it as schema {ATTACHED_SCHEMA} (ATTACH DATABASE '<path>' AS {ATTACHED_SCHEMA}) and call again",
                marker.extracted_at, marker.userland_path
            ),
        });
    }
    let shown = marker.userland_path.clone();
    attached(
        coord,
        marker,
        &shown,
        "userland",
        "attach that file as schema userland instead",
    )
}

/// Checks that the schema attached as `userland` is the userland.db the rows moved to.
fn attached<C: Connection + ?Sized>(
    coord: &C,
    marker: Marker,
    userland_path: &str,
    field: &str,
    advice: &str,
) -> Result<Location> {
    let has_meta = coord
        .query_scalar::<i64>(
            &format!(
                "SELECT 1 FROM {ATTACHED_SCHEMA}.sqlite_master WHERE type = 'table' AND name = 'userland_meta'"
            ),
            params![],
        )?
        .is_some();
    if !has_meta {
        return Err(Error::invalid(
            field,
            format!("{userland_path} is not a userland.db (it has no userland_meta table); use the userland.db the tables were moved to ({})", marker.userland_path),
        ));
    }
    let id: Option<String> = coord.query_scalar(
        &format!("SELECT value FROM {ATTACHED_SCHEMA}.userland_meta WHERE key = 'userland_id'"),
        params![],
    )?;
    if id.as_deref() != Some(marker.userland_id.as_str()) {
        return Err(Error::invalid(
            field,
            format!(
                "{userland_path} is a different userland.db (id {}) from the one this coordination.db's preference tables were moved to (id {}, at {}); {advice}",
                id.unwrap_or_default(),
                marker.userland_id,
                marker.userland_path
            ),
        ));
    }
    let state: Option<String> = coord.query_scalar(
        &format!(
            "SELECT state FROM {ATTACHED_SCHEMA}.userland_extractions \
             WHERE source_instance_id = (SELECT value FROM main.instance_config WHERE key = 'instance_id') \
               AND state <> 'discarded'"
        ),
        params![],
    )?;
    Ok(Location {
        store: Store::ATTACHED_USERLAND,
        marker: Some(marker),
        userland_path: Some(userland_path.to_string()),
        finished: state.as_deref() == Some("complete"),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, TempDir};
    use super::super::{extract, preferences};
    use super::*;
    use crate::ids::Env;
    use crate::sqlite::{OpenMode, SqliteConnection};

    fn extracted(dir: &TempDir) -> (String, String) {
        let (cp, up) = (dir.file("coordination.db"), dir.file("userland.db"));
        let coord = testing::coordination_file(&cp);
        coord.execute_batch(testing::SAMPLE_ROWS).unwrap();
        let user = testing::userland_file(&up);
        let (clock, ids) = (testing::clock(), testing::ids());
        let req = extract::Request {
            coordination_path: &cp,
            userland_path: &up,
            backup_path: None,
            actor: "test",
        };
        extract::run(&coord, &user, &Env::new(&clock, &ids), &req, &mut |_| {}).unwrap();
        (cp, up)
    }

    #[test]
    fn without_the_marker_everything_stays_in_coordination_db_even_beside_a_userland_db() {
        let dir = TempDir::new();
        let coord = testing::coordination_file(&dir.file("coordination.db"));
        coord.execute_batch(testing::SAMPLE_ROWS).unwrap();
        testing::userland_file(&dir.file("userland.db"));
        let loc = resolve(&coord, &dir.file("userland.db"), true).unwrap();
        assert_eq!(loc, Location::coordination());
        assert_eq!(loc.store.table("preferences"), "\"main\".\"preferences\"");
        let editor = preferences::get(&coord, &loc.store, "editor").unwrap();
        assert_eq!(editor.value, "vim");
        // Nothing was attached.
        assert!(!is_attached(&coord, ATTACHED_SCHEMA).unwrap());
    }

    #[test]
    fn after_extraction_reads_and_writes_go_to_the_attached_userland_db() {
        let dir = TempDir::new();
        let (cp, up) = extracted(&dir);
        let coord = SqliteConnection::open(&cp, OpenMode::ReadWrite).unwrap();
        let loc = resolve(&coord, &up, true).unwrap();
        assert_eq!(loc.home(), Home::Userland);
        assert!(loc.finished);
        assert_eq!(
            preferences::get(&coord, &loc.store, "editor")
                .unwrap()
                .value,
            "vim"
        );
        let (clock, ids) = (testing::clock(), testing::ids());
        let env = Env::new(&clock, &ids);
        let coordination_audit_before: i64 = coord
            .query_one("SELECT count(*) FROM main.audit_log", &[])
            .unwrap();
        loc.write(&coord, |c, store| {
            preferences::set(c, &store, &env, "test", "pager", "less", "cli")
        })
        .unwrap();
        let user = SqliteConnection::open(&up, OpenMode::ReadOnly).unwrap();
        assert_eq!(
            preferences::get(&user, &Store::OWN_USERLAND, "pager")
                .unwrap()
                .value,
            "less"
        );
        let in_coordination: i64 = coord
            .query_one("SELECT count(*) FROM main.preferences", &[])
            .unwrap();
        assert_eq!(in_coordination, 0);
        let user_audit: i64 = user
            .query_one(
                "SELECT count(*) FROM audit_log WHERE resource_type = 'preference' AND resource_id = 'pager'",
                &[],
            )
            .unwrap();
        assert_eq!(user_audit, 1);
        let coordination_audit_after: i64 = coord
            .query_one("SELECT count(*) FROM main.audit_log", &[])
            .unwrap();
        assert_eq!(coordination_audit_after, coordination_audit_before);
    }

    #[test]
    fn a_missing_or_different_userland_db_is_refused_with_what_to_do() {
        let dir = TempDir::new();
        let (cp, up) = extracted(&dir);
        let coord = SqliteConnection::open(&cp, OpenMode::ReadOnly).unwrap();
        let e = resolve(&coord, &up, false).unwrap_err();
        assert_eq!(e.code(), "cannot_open");
        assert!(e.to_string().contains("--userland PATH"), "{e}");
        let other = dir.file("other.db");
        testing::userland_file(&other);
        let coord = SqliteConnection::open(&cp, OpenMode::ReadOnly).unwrap();
        let e = resolve(&coord, &other, true).unwrap_err();
        assert!(e.to_string().contains("different userland.db"), "{e}");
    }

    #[test]
    fn a_write_resolved_before_an_extraction_cannot_land_in_the_emptied_table() {
        let dir = TempDir::new();
        let (cp, up) = (dir.file("coordination.db"), dir.file("userland.db"));
        let coord = testing::coordination_file(&cp);
        let loc = resolve(&coord, &up, false).unwrap();
        assert_eq!(loc.home(), Home::Coordination);
        // The extraction runs in between (another process).
        {
            let other = SqliteConnection::open(&cp, OpenMode::ReadWrite).unwrap();
            let user = testing::userland_file(&up);
            let (clock, ids) = (testing::clock(), testing::ids());
            let req = extract::Request {
                coordination_path: &cp,
                userland_path: &up,
                backup_path: None,
                actor: "test",
            };
            extract::run(&other, &user, &Env::new(&clock, &ids), &req, &mut |_| {}).unwrap();
        }
        let (clock, ids) = (testing::clock(), testing::ids());
        let env = Env::new(&clock, &ids);
        let e = loc
            .write(&coord, |c, store| {
                preferences::set(c, &store, &env, "test", "k", "v", "cli")
            })
            .unwrap_err();
        assert!(e.to_string().contains("call again"), "{e}");
        let n: i64 = coord
            .query_one("SELECT count(*) FROM preferences", &[])
            .unwrap();
        assert_eq!(n, 0);
    }
}
