//! `skills`: skill progress and unlocks. A skill is unlocked once its progress reaches its
//! threshold. Delete is a soft delete.

use super::record::{live_filter, Stamps, STAMP_COLUMNS};
use super::{required, Store};
use crate::audit::AuditEntry;
use crate::connection::{write_tx, Connection, Row};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Skill {
    pub skill_name: String,
    pub progress_count: i64,
    pub unlock_threshold: i64,
    pub unlocked_at: Option<String>,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Skill {
    fn from_row(r: &Row<'_>) -> Result<Skill> {
        Ok(Skill {
            skill_name: r.get_named("skill_name")?,
            progress_count: r.get_named("progress_count")?,
            unlock_threshold: r.get_named("unlock_threshold")?,
            unlocked_at: r.get_named("unlocked_at")?,
            stamps: Stamps::from_row(r)?,
        })
    }
}

fn select(store: &Store) -> String {
    format!(
        "SELECT skill_name, progress_count, unlock_threshold, unlocked_at, {STAMP_COLUMNS} FROM {}",
        store.table("skills")
    )
}

fn find<C: Connection + ?Sized>(conn: &C, store: &Store, name: &str) -> Result<Option<Skill>> {
    let rows = conn.query(
        &format!("{} WHERE skill_name = ?1", select(store)),
        params![name],
    )?;
    rows.first().map(|r| Skill::from_row(&r)).transpose()
}

fn non_negative(field: &str, n: i64) -> Result<()> {
    if n < 0 {
        Err(Error::invalid(
            field,
            format!("{n} is negative; give a whole number of 0 or more"),
        ))
    } else {
        Ok(())
    }
}

/// Adds a skill (or brings back a deleted one with the new numbers).
pub fn add<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    env: &Env,
    actor: &str,
    name: &str,
    unlock_threshold: i64,
    progress_count: i64,
) -> Result<Skill> {
    required("skill name", name)?;
    non_negative("threshold", unlock_threshold)?;
    non_negative("progress", progress_count)?;
    write_tx(conn, |c| {
        let before = find(c, store, name)?;
        if before.as_ref().is_some_and(|s| !s.stamps.is_deleted()) {
            return Err(Error::invalid(
                "skill name",
                format!("a skill named {name:?} exists already; show it, or delete it first"),
            ));
        }
        let now = env.now().to_db();
        let unlocked_at = (progress_count >= unlock_threshold).then(|| now.clone());
        if before.is_some() {
            c.execute(
                &format!(
                    "UPDATE {} SET progress_count = ?2, unlock_threshold = ?3, unlocked_at = ?4, updated_at = ?5, updated_by = ?6, \
                     deleted_at = NULL, deleted_by = NULL, deletion_reason = NULL WHERE skill_name = ?1",
                    store.table("skills")
                ),
                params![name, progress_count, unlock_threshold, unlocked_at, now.as_str(), actor],
            )?;
        } else {
            c.execute(
                &format!(
                    "INSERT INTO {} (skill_name, progress_count, unlock_threshold, unlocked_at, created_at, updated_at, created_by, updated_by) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?6)",
                    store.table("skills")
                ),
                params![name, progress_count, unlock_threshold, unlocked_at, now.as_str(), actor],
            )?;
        }
        store.audit(
            c,
            env,
            &AuditEntry {
                event_type: "userland.skill",
                actor,
                resource_type: Some("skill"),
                resource_id: Some(name),
                action: "create",
                old_value: None,
                new_value: Some(
                    json!({"progress_count": progress_count, "unlock_threshold": unlock_threshold}),
                ),
                context: None,
            },
        )?;
        Ok(find(c, store, name)?.expect("just written"))
    })
}

/// Every skill by name (deleted ones too when `include_deleted`).
pub fn list<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    include_deleted: bool,
) -> Result<Vec<Skill>> {
    let rows = conn.query(
        &format!(
            "{} WHERE {} ORDER BY skill_name",
            select(store),
            live_filter(include_deleted)
        ),
        params![],
    )?;
    rows.iter().map(|r| Skill::from_row(&r)).collect()
}

/// One skill; deleted skills are not found.
pub fn show<C: Connection + ?Sized>(conn: &C, store: &Store, name: &str) -> Result<Skill> {
    required("skill name", name)?;
    match find(conn, store, name)? {
        Some(s) if !s.stamps.is_deleted() => Ok(s),
        _ => Err(Error::not_found("skill", name)),
    }
}

/// Soft-deletes a skill.
pub fn delete<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    env: &Env,
    actor: &str,
    name: &str,
    reason: Option<&str>,
) -> Result<Skill> {
    write_tx(conn, |c| {
        let before = show(c, store, name)?;
        let now = env.now().to_db();
        c.execute(
            &format!(
                "UPDATE {} SET deleted_at = ?2, deleted_by = ?3, deletion_reason = ?4, updated_at = ?2, updated_by = ?3 \
                 WHERE skill_name = ?1",
                store.table("skills")
            ),
            params![name, now.as_str(), actor, reason],
        )?;
        store.audit(
            c,
            env,
            &AuditEntry {
                event_type: "userland.skill",
                actor,
                resource_type: Some("skill"),
                resource_id: Some(name),
                action: "delete",
                old_value: Some(json!({"progress_count": before.progress_count, "unlock_threshold": before.unlock_threshold})),
                new_value: None,
                context: reason.map(|r| json!({"reason": r})),
            },
        )?;
        Ok(find(c, store, name)?.expect("still there, soft-deleted"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn add_show_list_delete_and_unlock_rule() {
        let conn = testing::userland();
        let (clock, ids) = (testing::clock(), testing::ids());
        let env = Env::new(&clock, &ids);
        let s = Store::OWN_USERLAND;
        let locked = add(&conn, &s, &env, "a", "rust", 5, 3).unwrap();
        assert_eq!(locked.unlocked_at, None);
        let open = add(&conn, &s, &env, "a", "sql", 5, 5).unwrap();
        assert_eq!(open.unlocked_at.as_deref(), Some("2026-11-26 08:00:00.000"));
        let e = add(&conn, &s, &env, "a", "rust", 1, 0).unwrap_err();
        assert!(e.to_string().contains("exists already"), "{e}");
        let e = add(&conn, &s, &env, "a", "go", -1, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid threshold: -1 is negative; give a whole number of 0 or more"
        );
        assert_eq!(show(&conn, &s, "rust").unwrap().progress_count, 3);
        delete(&conn, &s, &env, "a", "rust", None).unwrap();
        assert_eq!(show(&conn, &s, "rust").unwrap_err().code(), "not_found");
        assert_eq!(list(&conn, &s, false).unwrap().len(), 1);
        assert_eq!(list(&conn, &s, true).unwrap().len(), 2);
        // Adding a deleted skill again revives it with the new numbers.
        let again = add(&conn, &s, &env, "a", "rust", 2, 2).unwrap();
        assert!(again.unlocked_at.is_some() && !again.stamps.is_deleted());
    }
}
