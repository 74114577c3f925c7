//! `preferences`: explicit user settings, one value per key. Unset is a soft delete.

use super::record::{live_filter, Stamps, STAMP_COLUMNS};
use super::{one_of, required, Store};
use crate::audit::AuditEntry;
use crate::connection::{write_tx, Connection, Row};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;
use serde_json::json;

/// The values the `source` CHECK accepts.
pub const SOURCES: &[&str] = &["cli", "config_file", "learned"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Preference {
    pub key: String,
    pub value: String,
    pub source: String,
    pub set_at: String,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Preference {
    fn from_row(r: &Row<'_>) -> Result<Preference> {
        Ok(Preference {
            key: r.get_named("key")?,
            value: r.get_named("value")?,
            source: r.get_named("source")?,
            set_at: r.get_named("set_at")?,
            stamps: Stamps::from_row(r)?,
        })
    }
}

fn select(store: &Store) -> String {
    format!(
        "SELECT key, value, source, set_at, {STAMP_COLUMNS} FROM {}",
        store.table("preferences")
    )
}

fn find<C: Connection + ?Sized>(conn: &C, store: &Store, key: &str) -> Result<Option<Preference>> {
    let rows = conn.query(&format!("{} WHERE key = ?1", select(store)), params![key])?;
    rows.first().map(|r| Preference::from_row(&r)).transpose()
}

fn not_found(key: &str) -> Error {
    Error::not_found("preference", key)
}

/// The preference of that key; unset (soft-deleted) keys are not found.
pub fn get<C: Connection + ?Sized>(conn: &C, store: &Store, key: &str) -> Result<Preference> {
    required("key", key)?;
    match find(conn, store, key)? {
        Some(p) if !p.stamps.is_deleted() => Ok(p),
        _ => Err(not_found(key)),
    }
}

/// Every preference by key (unset ones too when `include_deleted`).
pub fn list<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    include_deleted: bool,
) -> Result<Vec<Preference>> {
    let rows = conn.query(
        &format!(
            "{} WHERE {} ORDER BY key",
            select(store),
            live_filter(include_deleted)
        ),
        params![],
    )?;
    rows.iter().map(|r| Preference::from_row(&r)).collect()
}

/// The result of [`set`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SetOutcome {
    pub preference: Preference,
    /// The value it replaced (None for a new or previously unset key).
    pub previous: Option<String>,
    pub created: bool,
}

/// Sets `key` to `value` (creating it, replacing it, or bringing back an unset key).
pub fn set<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    env: &Env,
    actor: &str,
    key: &str,
    value: &str,
    source: &str,
) -> Result<SetOutcome> {
    required("key", key)?;
    one_of("source", source, SOURCES)?;
    write_tx(conn, |c| {
        let before = find(c, store, key)?;
        let now = env.now().to_db();
        match &before {
            None => {
                c.execute(
                    &format!(
                        "INSERT INTO {} (key, value, set_at, source, created_at, updated_at, created_by, updated_by) \
                         VALUES (?1, ?2, ?3, ?4, ?3, ?3, ?5, ?5)",
                        store.table("preferences")
                    ),
                    params![key, value, now.as_str(), source, actor],
                )?;
            }
            Some(_) => {
                c.execute(
                    &format!(
                        "UPDATE {} SET value = ?2, set_at = ?3, source = ?4, updated_at = ?3, updated_by = ?5, \
                         deleted_at = NULL, deleted_by = NULL, deletion_reason = NULL WHERE key = ?1",
                        store.table("preferences")
                    ),
                    params![key, value, now.as_str(), source, actor],
                )?;
            }
        }
        let live_before = before.filter(|p| !p.stamps.is_deleted());
        store.audit(
            c,
            env,
            &AuditEntry {
                event_type: "userland.preference",
                actor,
                resource_type: Some("preference"),
                resource_id: Some(key),
                action: if live_before.is_some() {
                    "update"
                } else {
                    "create"
                },
                old_value: live_before
                    .as_ref()
                    .map(|p| json!({"value": p.value, "source": p.source})),
                new_value: Some(json!({"value": value, "source": source})),
                context: None,
            },
        )?;
        let preference = find(c, store, key)?.expect("just written");
        Ok(SetOutcome {
            preference,
            created: live_before.is_none(),
            previous: live_before.map(|p| p.value),
        })
    })
}

/// Unsets `key`: a soft delete (`deleted_at`, `deleted_by`, `deletion_reason`).
pub fn unset<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    env: &Env,
    actor: &str,
    key: &str,
    reason: Option<&str>,
) -> Result<Preference> {
    required("key", key)?;
    write_tx(conn, |c| {
        let before = get(c, store, key)?;
        let now = env.now().to_db();
        c.execute(
            &format!(
                "UPDATE {} SET deleted_at = ?2, deleted_by = ?3, deletion_reason = ?4, updated_at = ?2, updated_by = ?3 \
                 WHERE key = ?1",
                store.table("preferences")
            ),
            params![key, now.as_str(), actor, reason],
        )?;
        store.audit(
            c,
            env,
            &AuditEntry {
                event_type: "userland.preference",
                actor,
                resource_type: Some("preference"),
                resource_id: Some(key),
                action: "delete",
                old_value: Some(json!({"value": before.value, "source": before.source})),
                new_value: None,
                context: reason.map(|r| json!({"reason": r})),
            },
        )?;
        Ok(find(c, store, key)?.expect("still there, soft-deleted"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;
    use crate::connection::ConnectionExt;

    #[test]
    fn set_get_list_unset_round_trip_with_audit_rows_in_coordination_db() {
        let conn = testing::coordination();
        let (clock, ids) = (testing::clock(), testing::ids());
        let env = Env::new(&clock, &ids);
        let s = Store::COORDINATION;
        let first = set(&conn, &s, &env, "alice", "editor", "vim", "cli").unwrap();
        assert!(first.created && first.previous.is_none());
        assert_eq!(first.preference.stamps.created_by.as_deref(), Some("alice"));
        assert_eq!(
            first.preference.set_at, "2026-11-26 08:00:00.000",
            "written with the injected clock"
        );
        clock.advance_seconds(5);
        let second = set(&conn, &s, &env, "bob", "editor", "emacs", "config_file").unwrap();
        assert_eq!(second.previous.as_deref(), Some("vim"));
        assert_eq!(second.preference.source, "config_file");
        assert_eq!(second.preference.stamps.updated_by.as_deref(), Some("bob"));
        assert_eq!(get(&conn, &s, "editor").unwrap().value, "emacs");
        set(&conn, &s, &env, "bob", "theme", "dark", "learned").unwrap();
        let keys: Vec<String> = list(&conn, &s, false)
            .unwrap()
            .into_iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(keys, ["editor", "theme"]);
        let gone = unset(&conn, &s, &env, "bob", "theme", Some("not needed")).unwrap();
        assert!(gone.stamps.is_deleted());
        assert_eq!(gone.stamps.deletion_reason.as_deref(), Some("not needed"));
        assert_eq!(get(&conn, &s, "theme").unwrap_err().code(), "not_found");
        assert_eq!(list(&conn, &s, false).unwrap().len(), 1);
        assert_eq!(
            list(&conn, &s, true).unwrap().len(),
            2,
            "the row stays (soft delete)"
        );
        // Setting an unset key brings it back as new.
        let back = set(&conn, &s, &env, "bob", "theme", "light", "cli").unwrap();
        assert!(back.created && !back.preference.stamps.is_deleted());
        let audit: Vec<String> = conn
            .query(
                "SELECT action FROM audit_log WHERE resource_type = 'preference' ORDER BY id",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.value(0).to_text())
            .collect();
        assert_eq!(audit, ["create", "update", "create", "delete", "create"]);
        let inst: i64 = conn
            .query_one(
                "SELECT count(*) FROM audit_log WHERE resource_type = 'preference' AND instance_id = (SELECT value FROM instance_config WHERE key = 'instance_id')",
                &[],
            )
            .unwrap();
        assert_eq!(inst, 5);
    }

    #[test]
    fn bad_input_is_refused_before_anything_is_written() {
        let conn = testing::coordination();
        let (clock, ids) = (testing::clock(), testing::ids());
        let env = Env::new(&clock, &ids);
        let s = Store::COORDINATION;
        let e = set(&conn, &s, &env, "a", "k", "v", "shell").unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert_eq!(
            e.to_string(),
            "invalid source: \"shell\" is not accepted; use one of: cli, config_file, learned"
        );
        assert_eq!(
            set(&conn, &s, &env, "a", " ", "v", "cli")
                .unwrap_err()
                .code(),
            "invalid_input"
        );
        let e = unset(&conn, &s, &env, "a", "nope", None).unwrap_err();
        assert_eq!(e.to_string(), "preference not found: nope", "{e}");
        let n: i64 = conn
            .query_one("SELECT count(*) FROM preferences", &[])
            .unwrap();
        assert_eq!(n, 0);
    }
}
