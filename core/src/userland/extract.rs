//! Moving the userland tables' rows from coordination.db into userland.db.
//!
//! The two files cannot commit together, so the move is a sequence of single-file
//! transactions, each of which leaves a state that a rerun recognises and finishes:
//!
//! | step | file | what commits | if killed after it |
//! |---|---|---|---|
//! | copy | userland.db | every row of the five tables, checked against the source's hashes inside the transaction, plus an `userland_extractions` row in state `copied` | coordination.db still holds (and serves) the rows; a rerun re-checks both sides and goes on, or discards the copy and copies again if coordination.db changed meanwhile |
//! | verify | — (read only) | counts and per-table content hashes of both files equal those recorded at copy | same as above |
//! | remove | coordination.db | the rows deleted, the [`Marker`] written into `instance_config`, an `audit_log` row — after re-checking both sides under coordination.db's write lock | userland.db serves the rows (the marker says so); writes wait for the rerun, which marks the extraction complete |
//! | complete | userland.db | the extraction row marked `complete`, an audit row | done |
//!
//! [`run`] reads the state afresh on each pass of a small loop, so a first run and a rerun
//! after a kill at any point are the same code. The host takes the backup and creates
//! userland.db (its migrations) before calling it.

use super::location::{read_marker, Marker, TableHash, TableHashes};
use super::store::Store;
use super::{MARKER_KEY, TABLES};
use crate::audit::{self, AuditEntry};
use crate::connection::{quote_ident, read_tx, write_tx, Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::file_tools::fingerprint;
use crate::ids::Env;
use crate::params;
use serde::Serialize;
use serde_json::json;

/// The points the host's test hook can stop at. `*Uncommitted` points are inside the step's
/// transaction, after all its writes and before its commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    CopyUncommitted,
    Copied,
    Verified,
    RemoveUncommitted,
    Removed,
    CompleteUncommitted,
    Completed,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::CopyUncommitted,
        Step::Copied,
        Step::Verified,
        Step::RemoveUncommitted,
        Step::Removed,
        Step::CompleteUncommitted,
        Step::Completed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Step::CopyUncommitted => "copy_uncommitted",
            Step::Copied => "copied",
            Step::Verified => "verified",
            Step::RemoveUncommitted => "remove_uncommitted",
            Step::Removed => "removed",
            Step::CompleteUncommitted => "complete_uncommitted",
            Step::Completed => "completed",
        }
    }
}

/// How far an extraction got, as both files tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The rows are in coordination.db; no copy in userland.db.
    NotExtracted,
    /// userland.db holds a copy; coordination.db still holds and serves the rows.
    InterruptedAfterCopy,
    /// coordination.db is emptied and marked; userland.db serves the rows, not yet marked
    /// complete (writes wait for a rerun).
    InterruptedAfterRemoval,
    /// Done: userland.db holds and serves the rows.
    Extracted,
    /// coordination.db is marked but the userland.db in use has no matching extraction.
    Mismatch,
}

impl State {
    pub fn describe(self) -> &'static str {
        match self {
            State::NotExtracted => "not extracted: the tables live in coordination.db",
            State::InterruptedAfterCopy => "interrupted after the copy: coordination.db still holds the rows; extracting again finishes it",
            State::InterruptedAfterRemoval => "interrupted after the removal: userland.db holds the rows; extracting again finishes it (writes wait until then)",
            State::Extracted => "extracted: the tables live in userland.db",
            State::Mismatch => "the two files disagree: coordination.db says its rows moved, but this userland.db has no record of it; pass --userland with the right file, or restore from the backup",
        }
    }
}

/// One `userland_extractions` row.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ExtractionRecord {
    pub id: i64,
    pub source_path: String,
    pub source_instance_id: String,
    pub state: String,
    pub tables: TableHashes,
    pub backup_path: Option<String>,
    pub copied_at: String,
    pub completed_at: Option<String>,
}

/// What the host tells the extraction about the files.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub coordination_path: &'a str,
    pub userland_path: &'a str,
    pub backup_path: Option<&'a str>,
    pub actor: &'a str,
}

/// The result of [`run`].
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Outcome {
    /// The state found when the run started.
    pub found: State,
    /// True when there was nothing left to do.
    pub already_extracted: bool,
    /// How many times rows were copied (0 when resuming after the copy; 2 when coordination.db
    /// changed after a copy and it was made again).
    pub copies: u32,
    /// Row counts and hashes of what now lives in userland.db.
    pub tables: TableHashes,
}

fn hashes<C: Connection + ?Sized>(conn: &C) -> Result<TableHashes> {
    TABLES
        .iter()
        .map(|t| {
            let f = fingerprint::table(conn, t)?;
            Ok((
                t.to_string(),
                TableHash {
                    rows: f.rows,
                    sha256: f.sha256,
                },
            ))
        })
        .collect()
}

/// The `userland_id` of a userland.db connection.
pub fn userland_id<U: Connection + ?Sized>(user: &U) -> Result<String> {
    user.query_scalar::<String>(
        "SELECT value FROM userland_meta WHERE key = 'userland_id'",
        params![],
    )?
    .ok_or_else(|| Error::Corrupt {
        message: "userland.db has no userland_id in userland_meta; restore it from a backup".into(),
    })
}

/// Every live (not discarded) extraction recorded in userland.db.
pub fn live_extractions<U: Connection + ?Sized>(user: &U) -> Result<Vec<ExtractionRecord>> {
    let rows = user.query(
        "SELECT id, source_path, source_instance_id, state, tables_json, backup_path, copied_at, completed_at \
         FROM userland_extractions WHERE state <> 'discarded' ORDER BY id",
        params![],
    )?;
    rows.iter()
        .map(|r| {
            let tables_json: String = r.get(4)?;
            Ok(ExtractionRecord {
                id: r.get(0)?,
                source_path: r.get(1)?,
                source_instance_id: r.get(2)?,
                state: r.get(3)?,
                tables: serde_json::from_str(&tables_json).map_err(|e| Error::Corrupt {
                    message: format!("userland_extractions row {} holds unreadable table hashes ({e}); restore userland.db from a backup", r.value(0).to_text()),
                })?,
                backup_path: r.get(5)?,
                copied_at: r.get(6)?,
                completed_at: r.get(7)?,
            })
        })
        .collect()
}

/// What both files say, without changing either (for `status` and `--dry-run`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Inspection {
    pub state: State,
    pub marker: Option<Marker>,
    pub extraction: Option<ExtractionRecord>,
    /// Rows per table in coordination.db.
    pub coordination_rows: TableHashes,
    /// Rows per table in userland.db (empty when there is no userland.db).
    pub userland_rows: TableHashes,
}

/// Reads the state of both files. `user` is None when there is no userland.db.
pub fn inspect<C, U>(coord: &C, user: Option<&U>) -> Result<Inspection>
where
    C: Connection + ?Sized,
    U: Connection + ?Sized,
{
    let instance = audit::instance_id(coord)?;
    let marker = read_marker(coord)?;
    let coordination_rows = hashes(coord)?;
    let (extraction, userland_rows, uid) = match user {
        Some(u) => (
            live_extractions(u)?
                .into_iter()
                .find(|e| e.source_instance_id == instance),
            hashes(u)?,
            Some(userland_id(u)?),
        ),
        None => (None, TableHashes::new(), None),
    };
    let state = match (&marker, &extraction) {
        (Some(m), Some(e)) if Some(&m.userland_id) == uid.as_ref() => {
            if e.state == "complete" {
                State::Extracted
            } else {
                State::InterruptedAfterRemoval
            }
        }
        (Some(_), _) => State::Mismatch,
        (None, Some(e)) if e.state == "copied" => State::InterruptedAfterCopy,
        (None, Some(_)) => State::Mismatch,
        (None, None) => State::NotExtracted,
    };
    Ok(Inspection {
        state,
        marker,
        extraction,
        coordination_rows,
        userland_rows,
    })
}

/// Moves (or finishes moving) the rows of the five tables from `coord` to `user`.
/// `hook` is called at each [`Step`] (the host's test hook; pass `&mut |_| {}` otherwise).
pub fn run<C, U>(
    coord: &C,
    user: &U,
    env: &Env,
    req: &Request,
    hook: &mut dyn FnMut(Step),
) -> Result<Outcome>
where
    C: Connection + ?Sized,
    U: Connection + ?Sized,
{
    let instance = audit::instance_id(coord)?;
    let uid = userland_id(user)?;
    let mut found = None;
    let mut copies = 0;
    // Each pass reads the state afresh and takes one step: copy, then verify and remove, then
    // complete, then report. A pass that finds coordination.db changed since the copy
    // discards the copy (and the next one copies again), at most twice.
    for _ in 0..10 {
        let marker = read_marker(coord)?;
        let live = live_extractions(user)?;
        if let Some(other) = live.iter().find(|e| e.source_instance_id != instance) {
            return Err(Error::invalid(
                "--userland",
                format!(
                    "{} already holds the preference tables of another coordination database ({}, instance {}); pass --userland with a new path for this one",
                    req.userland_path, other.source_path, other.source_instance_id
                ),
            ));
        }
        let mine = live.into_iter().next();
        let state = match (&marker, &mine) {
            (Some(m), _) if m.userland_id != uid => {
                return Err(Error::invalid(
                    "--userland",
                    format!(
                        "this coordination.db's preference tables were moved on {} to another userland.db ({}, id {}); pass --userland with that file",
                        m.extracted_at, m.userland_path, m.userland_id
                    ),
                ))
            }
            (Some(_), Some(e)) if e.state == "complete" => State::Extracted,
            (Some(_), Some(_)) => State::InterruptedAfterRemoval,
            (Some(m), None) => {
                return Err(Error::Corrupt {
                    message: format!(
                        "coordination.db says its preference tables moved into this userland.db on {}, but {} has no record of that extraction; restore userland.db from a backup",
                        m.extracted_at, req.userland_path
                    ),
                })
            }
            (None, Some(e)) if e.state == "complete" => {
                return Err(Error::invalid(
                    "--userland",
                    format!(
                        "{} holds a completed extraction of this coordination.db (copied {}), but coordination.db has no record of it (was it restored from a backup?); move {} aside and run the extraction again",
                        req.userland_path, e.copied_at, req.userland_path
                    ),
                ))
            }
            (None, Some(_)) => State::InterruptedAfterCopy,
            (None, None) => State::NotExtracted,
        };
        found.get_or_insert(state);
        match state {
            State::Extracted => {
                return Ok(Outcome {
                    found: found.unwrap_or(state),
                    already_extracted: copies == 0 && found == Some(State::Extracted),
                    copies,
                    tables: hashes(user)?,
                })
            }
            State::InterruptedAfterRemoval => {
                let m = marker.expect("matched Some");
                complete(user, env, req, &m, hook)?;
            }
            State::InterruptedAfterCopy => {
                let e = mine.expect("matched Some");
                if verify(coord, user, &e.tables)? {
                    hook(Step::Verified);
                    remove(coord, user, env, req, &uid, &e, hook)?;
                } else {
                    discard(user, env, &e)?;
                }
            }
            State::NotExtracted => {
                require_empty(user, req)?;
                copy(coord, user, env, req, &instance, hook)?;
                copies += 1;
            }
            State::Mismatch => unreachable!("not produced here"),
        }
    }
    Err(Error::Busy {
        message: "coordination.db's preference tables kept changing during the extraction; retry when no other motus process is writing them".into(),
    })
}

/// Both files hold exactly what was recorded at copy time.
fn verify<C, U>(coord: &C, user: &U, recorded: &TableHashes) -> Result<bool>
where
    C: Connection + ?Sized,
    U: Connection + ?Sized,
{
    Ok(&read_tx(coord, hashes)? == recorded && &read_tx(user, hashes)? == recorded)
}

fn require_empty<U: Connection + ?Sized>(user: &U, req: &Request) -> Result<()> {
    for t in TABLES {
        let n: i64 = user.query_one(
            &format!("SELECT count(*) FROM {}", quote_ident(t)),
            params![],
        )?;
        if n > 0 {
            return Err(Error::invalid(
                "--userland",
                format!(
                    "{} already holds {n} row(s) in {t} that did not come from an extraction of this coordination.db; move it aside or pass --userland with a new path",
                    req.userland_path
                ),
            ));
        }
    }
    Ok(())
}

fn column_names<C: Connection + ?Sized>(conn: &C, table: &str) -> Result<Vec<String>> {
    Ok(crate::engine::catalogue::columns(conn, table)?
        .into_iter()
        .map(|c| c.name)
        .collect())
}

/// Copies every row of one table, values unchanged. The insert-time audit trigger would
/// stamp rows whose created_at/updated_at are empty, so it is dropped and re-created inside
/// the same transaction.
fn copy_table<C, U>(coord: &C, user: &U, table: &str) -> Result<()>
where
    C: Connection + ?Sized,
    U: Connection + ?Sized,
{
    let cols = column_names(coord, table)?;
    let target = column_names(user, table)?;
    if cols != target {
        return Err(Error::UnexpectedData {
            message: format!(
                "{table} has columns ({}) in coordination.db but ({}) in userland.db; migrate both to this build's schema and retry",
                cols.join(", "),
                target.join(", ")
            ),
        });
    }
    let list = cols
        .iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = coord.query(
        &format!("SELECT {list} FROM {} ORDER BY rowid", quote_ident(table)),
        params![],
    )?;
    let trigger = format!("{table}_audit_insert");
    let trigger_sql: Option<String> = user.query_scalar(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
        params![trigger.as_str()],
    )?;
    if trigger_sql.is_some() {
        user.execute_batch(&format!("DROP TRIGGER {}", quote_ident(&trigger)))?;
    }
    let placeholders = (1..=cols.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let insert = format!(
        "INSERT INTO {} ({list}) VALUES ({placeholders})",
        quote_ident(table)
    );
    for r in rows.iter() {
        user.execute(&insert, r.values())?;
    }
    if let Some(sql) = trigger_sql {
        user.execute_batch(&sql)?;
    }
    // Keep AUTOINCREMENT from reusing ids that coordination.db already handed out.
    let seq: Option<i64> = coord.query_scalar(
        "SELECT seq FROM sqlite_sequence WHERE name = ?1",
        params![table],
    )?;
    if let Some(seq) = seq {
        let changed = user.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1",
            params![table, seq],
        )?;
        if changed == 0 {
            user.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
                params![table, seq],
            )?;
        }
    }
    Ok(())
}

fn copy<C, U>(
    coord: &C,
    user: &U,
    env: &Env,
    req: &Request,
    instance: &str,
    hook: &mut dyn FnMut(Step),
) -> Result<()>
where
    C: Connection + ?Sized,
    U: Connection + ?Sized,
{
    // One snapshot of coordination.db for the rows and their hashes.
    read_tx(coord, |c| {
        let source = hashes(c)?;
        write_tx(user, |u| {
            for t in TABLES {
                copy_table(c, u, t)?;
            }
            let copied = hashes(u)?;
            if copied != source {
                let bad: Vec<&str> = TABLES
                    .iter()
                    .copied()
                    .filter(|t| copied.get(*t) != source.get(*t))
                    .collect();
                return Err(Error::UnexpectedData {
                    message: format!(
                        "the copy of {} differs from coordination.db's rows; nothing was changed — report this, with what doctor finds in both files",
                        bad.join(", ")
                    ),
                });
            }
            u.execute(
                "INSERT INTO userland_extractions (source_path, source_instance_id, state, tables_json, backup_path, copied_at) \
                 VALUES (?1, ?2, 'copied', ?3, ?4, ?5)",
                params![
                    req.coordination_path,
                    instance,
                    serde_json::to_string(&source).expect("serializable"),
                    req.backup_path,
                    env.now().to_db()
                ],
            )?;
            hook(Step::CopyUncommitted);
            Ok(())
        })
    })?;
    hook(Step::Copied);
    Ok(())
}

/// coordination.db changed after the copy: throw the copy away (one transaction).
fn discard<U: Connection + ?Sized>(user: &U, env: &Env, e: &ExtractionRecord) -> Result<()> {
    write_tx(user, |u| {
        for t in TABLES {
            u.execute(&format!("DELETE FROM {}", quote_ident(t)), params![])?;
        }
        u.execute(
            "UPDATE userland_extractions SET state = 'discarded', discarded_at = ?2 WHERE id = ?1",
            params![e.id, env.now().to_db()],
        )?;
        Ok(())
    })
}

/// Empties coordination.db's tables and writes the marker and an audit row, all in one
/// transaction that re-checks both sides under coordination.db's write lock.
fn remove<C, U>(
    coord: &C,
    user: &U,
    env: &Env,
    req: &Request,
    uid: &str,
    e: &ExtractionRecord,
    hook: &mut dyn FnMut(Step),
) -> Result<()>
where
    C: Connection + ?Sized,
    U: Connection + ?Sized,
{
    let removed = write_tx(coord, |c| {
        if read_marker(c)?.is_some() {
            return Ok(false); // another run finished this step first
        }
        if hashes(c)? != e.tables || read_tx(user, hashes)? != e.tables {
            return Ok(false); // changed since the check: the next pass decides again
        }
        for t in TABLES {
            c.execute(&format!("DELETE FROM main.{}", quote_ident(t)), params![])?;
        }
        let marker = Marker {
            userland_path: req.userland_path.to_string(),
            userland_id: uid.to_string(),
            extracted_at: env.now().to_db(),
            tables: e.tables.clone(),
        };
        let marker_json = serde_json::to_value(&marker).expect("serializable");
        c.execute(
            "INSERT OR REPLACE INTO main.instance_config (key, value, updated_at) VALUES (?1, ?2, ?3)",
            params![MARKER_KEY, marker_json.to_string(), env.now().to_db()],
        )?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "userland.extract",
                actor: req.actor,
                resource_type: Some("userland"),
                resource_id: Some(uid),
                action: "extract",
                old_value: None,
                new_value: Some(marker_json),
                context: Some(json!({"backup_path": req.backup_path, "extraction_id": e.id})),
            },
        )?;
        hook(Step::RemoveUncommitted);
        Ok(true)
    })?;
    if removed {
        hook(Step::Removed);
    }
    Ok(())
}

/// Marks the extraction complete in userland.db, after checking it still holds what moved.
fn complete<U: Connection + ?Sized>(
    user: &U,
    env: &Env,
    req: &Request,
    marker: &Marker,
    hook: &mut dyn FnMut(Step),
) -> Result<()> {
    write_tx(user, |u| {
        if hashes(u)? != marker.tables {
            return Err(Error::Corrupt {
                message: format!(
                    "{} no longer holds the rows that left coordination.db (their hashes differ from those recorded on {}); restore both files from the backup taken before the extraction",
                    req.userland_path, marker.extracted_at
                ),
            });
        }
        let changed = u.execute(
            "UPDATE userland_extractions SET state = 'complete', completed_at = ?1 WHERE state = 'copied'",
            params![env.now().to_db()],
        )?;
        Store::OWN_USERLAND.audit(
            u,
            env,
            &AuditEntry {
                event_type: "userland.extract",
                actor: req.actor,
                resource_type: Some("userland"),
                resource_id: Some(&marker.userland_id),
                action: "complete",
                old_value: None,
                new_value: Some(serde_json::to_value(&marker.tables).expect("serializable")),
                context: Some(json!({"source_path": req.coordination_path, "marked": changed})),
            },
        )?;
        hook(Step::CompleteUncommitted);
        Ok(())
    })?;
    hook(Step::Completed);
    Ok(())
}

/// Rows in coordination.db's (emptied) tables after the extraction: written there later by
/// another tool, and not served. `status` reports them.
pub fn stray_rows<C: Connection + ?Sized>(coord: &C) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for t in TABLES {
        let n: i64 = coord.query_one(
            &format!("SELECT count(*) FROM main.{}", quote_ident(t)),
            params![],
        )?;
        if n > 0 {
            out.push((t.to_string(), n));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{self, TempDir};
    use super::*;
    use crate::sqlite::{OpenMode, SqliteConnection};

    fn req<'a>() -> Request<'a> {
        Request {
            coordination_path: "/tmp/coordination.db",
            userland_path: "/tmp/userland.db",
            backup_path: Some("/tmp/coordination.db.backup"),
            actor: "test",
        }
    }

    fn no_hook() -> impl FnMut(Step) {
        |_| {}
    }

    #[test]
    fn moves_every_row_keeps_values_and_ids_and_records_both_sides() {
        let (coord, user) = (testing::coordination(), testing::userland());
        coord.execute_batch(testing::SAMPLE_ROWS).unwrap();
        let before = hashes(&coord).unwrap();
        assert_eq!(before["preferences"].rows, 3);
        assert_eq!(before["ground_rules"].rows, 2);
        let (clock, ids) = (testing::clock(), testing::ids());
        let env = Env::new(&clock, &ids);
        let out = run(&coord, &user, &env, &req(), &mut no_hook()).unwrap();
        assert_eq!(out.found, State::NotExtracted);
        assert_eq!((out.copies, out.already_extracted), (1, false));
        assert_eq!(out.tables, before, "same rows and content hashes");
        assert_eq!(hashes(&user).unwrap(), before);
        // The NULL updated_at stayed NULL (the insert trigger did not stamp the copy).
        let theme: Option<String> = user
            .query_one(
                "SELECT updated_at FROM preferences WHERE key = 'theme'",
                params![],
            )
            .unwrap();
        assert_eq!(theme, None);
        // AUTOINCREMENT continues after the ids coordination.db handed out (3 > max id 2).
        let seq: i64 = user
            .query_one(
                "SELECT seq FROM sqlite_sequence WHERE name = 'ground_rules'",
                params![],
            )
            .unwrap();
        assert_eq!(seq, 3);
        assert!(stray_rows(&coord).unwrap().is_empty());
        let marker = read_marker(&coord).unwrap().unwrap();
        assert_eq!(marker.tables, before);
        assert_eq!(marker.userland_id, userland_id(&user).unwrap());
        let audit: i64 = coord
            .query_one(
                "SELECT count(*) FROM audit_log WHERE event_type = 'userland.extract' AND action = 'extract'",
                params![],
            )
            .unwrap();
        assert_eq!(audit, 1);
        let user_audit: i64 = user
            .query_one(
                "SELECT count(*) FROM audit_log WHERE action = 'complete' AND instance_id = ?1",
                params![audit::instance_id(&coord).unwrap()],
            )
            .unwrap();
        assert_eq!(user_audit, 1);
        let i = inspect(&coord, Some(&user)).unwrap();
        assert_eq!(i.state, State::Extracted);
        // A rerun has nothing to do.
        let again = run(&coord, &user, &env, &req(), &mut no_hook()).unwrap();
        assert!(again.already_extracted);
        assert_eq!(again.copies, 0);
        assert_eq!(hashes(&user).unwrap(), before);
    }

    #[test]
    fn an_empty_source_extracts_too() {
        let (coord, user) = (testing::coordination(), testing::userland());
        let (clock, ids) = (testing::clock(), testing::ids());
        let out = run(
            &coord,
            &user,
            &Env::new(&clock, &ids),
            &req(),
            &mut no_hook(),
        )
        .unwrap();
        assert!(out.tables.values().all(|t| t.rows == 0));
        assert_eq!(
            inspect(&coord, Some(&user)).unwrap().state,
            State::Extracted
        );
    }

    /// A process killed at `step`: the hook panics there, the panic unwinds out of `run`
    /// without committing the open transaction, and the connections are dropped (closed)
    /// — what SQLite sees of a killed process. The CLI tests do it with a real SIGKILL.
    #[test]
    fn a_crash_at_any_step_then_a_rerun_loses_and_doubles_nothing() {
        for step in Step::ALL {
            let dir = TempDir::new();
            let (cp, up) = (dir.file("coordination.db"), dir.file("userland.db"));
            let source = {
                let coord = testing::coordination_file(&cp);
                coord.execute_batch(testing::SAMPLE_ROWS).unwrap();
                hashes(&coord).unwrap()
            };
            testing::userland_file(&up);
            let (clock, ids) = (testing::clock(), testing::ids());
            let env = Env::new(&clock, &ids);
            {
                let coord = SqliteConnection::open(&cp, OpenMode::ReadWrite).unwrap();
                let user = SqliteConnection::open(&up, OpenMode::ReadWrite).unwrap();
                let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run(&coord, &user, &env, &req(), &mut |s| {
                        if s == step {
                            panic!("killed at {}", s.name())
                        }
                    })
                }));
                assert!(crashed.is_err(), "{}: the hook fired", step.name());
            }
            let coord = SqliteConnection::open(&cp, OpenMode::ReadWrite).unwrap();
            let user = SqliteConnection::open(&up, OpenMode::ReadWrite).unwrap();
            // Whatever state the crash left, the rows are served from exactly one place.
            let i = inspect(&coord, Some(&user)).unwrap();
            let served = match i.state {
                State::NotExtracted | State::InterruptedAfterCopy => &i.coordination_rows,
                State::InterruptedAfterRemoval | State::Extracted => &i.userland_rows,
                State::Mismatch => panic!("{}: mismatch", step.name()),
            };
            assert_eq!(served, &source, "{}: {:?}", step.name(), i.state);
            let out = run(&coord, &user, &env, &req(), &mut no_hook()).unwrap();
            assert_eq!(out.tables, source, "{}", step.name());
            assert_eq!(hashes(&user).unwrap(), source, "{}", step.name());
            assert!(stray_rows(&coord).unwrap().is_empty(), "{}", step.name());
            assert_eq!(
                inspect(&coord, Some(&user)).unwrap().state,
                State::Extracted,
                "{}",
                step.name()
            );
            let live: i64 = user
                .query_one(
                    "SELECT count(*) FROM userland_extractions WHERE state <> 'discarded'",
                    params![],
                )
                .unwrap();
            assert_eq!(live, 1, "{}", step.name());
        }
    }

    #[test]
    fn a_source_that_changes_after_the_copy_is_copied_again() {
        let dir = TempDir::new();
        let (cp, up) = (dir.file("coordination.db"), dir.file("userland.db"));
        let coord = testing::coordination_file(&cp);
        coord.execute_batch(testing::SAMPLE_ROWS).unwrap();
        let user = testing::userland_file(&up);
        // Another process writes a preference between the copy and the removal.
        let writer = SqliteConnection::open(&cp, OpenMode::ReadWrite).unwrap();
        let (clock, ids) = (testing::clock(), testing::ids());
        let mut wrote = false;
        let out = run(
            &coord,
            &user,
            &Env::new(&clock, &ids),
            &req(),
            &mut |s| {
                if s == Step::Copied && !wrote {
                    wrote = true;
                    writer
                        .execute(
                            "INSERT INTO preferences (key, value, source) VALUES ('late', 'yes', 'cli')",
                            params![],
                        )
                        .unwrap();
                }
            },
        )
        .unwrap();
        assert_eq!(out.copies, 2);
        assert_eq!(out.tables["preferences"].rows, 4);
        let late: String = user
            .query_one(
                "SELECT value FROM preferences WHERE key = 'late'",
                params![],
            )
            .unwrap();
        assert_eq!(late, "yes");
        let discarded: i64 = user
            .query_one(
                "SELECT count(*) FROM userland_extractions WHERE state = 'discarded'",
                params![],
            )
            .unwrap();
        assert_eq!(discarded, 1);
    }

    #[test]
    fn a_userland_db_holding_foreign_rows_or_another_source_is_refused() {
        let (clock, ids) = (testing::clock(), testing::ids());
        let env = Env::new(&clock, &ids);
        // Rows that did not come from an extraction.
        let (coord, user) = (testing::coordination(), testing::userland());
        user.execute(
            "INSERT INTO preferences (key, value, source) VALUES ('x', 'y', 'cli')",
            params![],
        )
        .unwrap();
        let e = run(&coord, &user, &env, &req(), &mut no_hook()).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(
            e.to_string().contains("did not come from an extraction"),
            "{e}"
        );
        assert_eq!(hashes(&coord).unwrap()["preferences"].rows, 0);
        // A userland.db that already holds another coordination.db's tables.
        let (first, second, user) = (
            testing::coordination(),
            testing::coordination(),
            testing::userland(),
        );
        run(&first, &user, &env, &req(), &mut no_hook()).unwrap();
        let e = run(&second, &user, &env, &req(), &mut no_hook()).unwrap_err();
        assert!(
            e.to_string().contains("another coordination database"),
            "{e}"
        );
        assert!(read_marker(&second).unwrap().is_none());
    }

    #[test]
    fn a_coordination_db_restored_from_backup_is_not_extracted_over_a_completed_copy() {
        let dir = TempDir::new();
        let (cp, up) = (dir.file("coordination.db"), dir.file("userland.db"));
        let backup = dir.file("backup.db");
        let coord = testing::coordination_file(&cp);
        coord.execute_batch(testing::SAMPLE_ROWS).unwrap();
        coord.vacuum_into(&backup).unwrap();
        let user = testing::userland_file(&up);
        let (clock, ids) = (testing::clock(), testing::ids());
        let env = Env::new(&clock, &ids);
        run(&coord, &user, &env, &req(), &mut no_hook()).unwrap();
        let restored = SqliteConnection::open(&backup, OpenMode::ReadWrite).unwrap();
        let e = run(&restored, &user, &env, &req(), &mut no_hook()).unwrap_err();
        assert!(e.to_string().contains("restored from a backup"), "{e}");
        assert_eq!(
            inspect(&restored, Some(&user)).unwrap().state,
            State::Mismatch
        );
    }
}
