//! `ground_rules`: non-negotiable rules, unique by (type, value). Delete is a soft delete.

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
pub const SOURCES: &[&str] = &["default", "user_defined", "imported"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GroundRule {
    pub id: i64,
    pub rule_type: String,
    pub rule_value: String,
    pub source: String,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl GroundRule {
    fn from_row(r: &Row<'_>) -> Result<GroundRule> {
        Ok(GroundRule {
            id: r.get_named("id")?,
            rule_type: r.get_named("rule_type")?,
            rule_value: r.get_named("rule_value")?,
            source: r.get_named("source")?,
            stamps: Stamps::from_row(r)?,
        })
    }
}

fn select(store: &Store) -> String {
    format!(
        "SELECT id, rule_type, rule_value, source, {STAMP_COLUMNS} FROM {}",
        store.table("ground_rules")
    )
}

fn one<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    filter: &str,
    params: &[crate::Value],
) -> Result<Option<GroundRule>> {
    let rows = conn.query(&format!("{} WHERE {filter}", select(store)), params)?;
    rows.first().map(|r| GroundRule::from_row(&r)).transpose()
}

/// Adds a rule (or brings back a deleted rule of the same type and value).
pub fn add<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    env: &Env,
    actor: &str,
    rule_type: &str,
    rule_value: &str,
    source: &str,
) -> Result<GroundRule> {
    required("rule type", rule_type)?;
    required("rule value", rule_value)?;
    one_of("source", source, SOURCES)?;
    write_tx(conn, |c| {
        let same = "rule_type = ?1 AND rule_value = ?2";
        let before = one(c, store, same, params![rule_type, rule_value])?;
        if let Some(r) = before.as_ref().filter(|r| !r.stamps.is_deleted()) {
            return Err(Error::invalid(
                "rule",
                format!(
                    "the {rule_type} rule {rule_value:?} exists already (id {})",
                    r.id
                ),
            ));
        }
        let now = env.now().to_db();
        if before.is_some() {
            c.execute(
                &format!(
                    "UPDATE {} SET source = ?3, updated_at = ?4, updated_by = ?5, \
                     deleted_at = NULL, deleted_by = NULL, deletion_reason = NULL WHERE {same}",
                    store.table("ground_rules")
                ),
                params![rule_type, rule_value, source, now.as_str(), actor],
            )?;
        } else {
            c.execute(
                &format!(
                    "INSERT INTO {} (rule_type, rule_value, source, created_at, updated_at, created_by, updated_by) \
                     VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?5)",
                    store.table("ground_rules")
                ),
                params![rule_type, rule_value, source, now.as_str(), actor],
            )?;
        }
        let rule = one(c, store, same, params![rule_type, rule_value])?.expect("just written");
        store.audit(
            c,
            env,
            &AuditEntry {
                event_type: "userland.ground_rule",
                actor,
                resource_type: Some("ground_rule"),
                resource_id: Some(&rule.id.to_string()),
                action: "create",
                old_value: None,
                new_value: Some(
                    json!({"rule_type": rule_type, "rule_value": rule_value, "source": source}),
                ),
                context: None,
            },
        )?;
        Ok(rule)
    })
}

/// Rules by id, optionally of one type (deleted ones too when `include_deleted`).
pub fn list<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    rule_type: Option<&str>,
    include_deleted: bool,
) -> Result<Vec<GroundRule>> {
    let rows = conn.query(
        &format!(
            "{} WHERE {} AND (?1 IS NULL OR rule_type = ?1) ORDER BY id",
            select(store),
            live_filter(include_deleted)
        ),
        params![rule_type],
    )?;
    rows.iter().map(|r| GroundRule::from_row(&r)).collect()
}

/// Soft-deletes the rule with that id.
pub fn delete<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    env: &Env,
    actor: &str,
    id: i64,
    reason: Option<&str>,
) -> Result<GroundRule> {
    write_tx(conn, |c| {
        let before = one(c, store, "id = ?1", params![id])?
            .filter(|r| !r.stamps.is_deleted())
            .ok_or_else(|| Error::not_found("ground rule", id.to_string()))?;
        let now = env.now().to_db();
        c.execute(
            &format!(
                "UPDATE {} SET deleted_at = ?2, deleted_by = ?3, deletion_reason = ?4, updated_at = ?2, updated_by = ?3 \
                 WHERE id = ?1",
                store.table("ground_rules")
            ),
            params![id, now.as_str(), actor, reason],
        )?;
        store.audit(
            c,
            env,
            &AuditEntry {
                event_type: "userland.ground_rule",
                actor,
                resource_type: Some("ground_rule"),
                resource_id: Some(&id.to_string()),
                action: "delete",
                old_value: Some(json!({"rule_type": before.rule_type, "rule_value": before.rule_value, "source": before.source})),
                new_value: None,
                context: reason.map(|r| json!({"reason": r})),
            },
        )?;
        Ok(one(c, store, "id = ?1", params![id])?.expect("still there, soft-deleted"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn add_list_delete_with_sources_checked_up_front() {
        let conn = testing::coordination();
        let (clock, ids) = (testing::clock(), testing::ids());
        let env = Env::new(&clock, &ids);
        let s = Store::COORDINATION;
        let r1 = add(
            &conn,
            &s,
            &env,
            "a",
            "never",
            "push to main",
            "user_defined",
        )
        .unwrap();
        let r2 = add(&conn, &s, &env, "a", "always", "run tests", "default").unwrap();
        assert_eq!((r1.id, r2.id), (1, 2));
        let e = add(&conn, &s, &env, "a", "never", "push to main", "imported").unwrap_err();
        assert!(e.to_string().contains("exists already (id 1)"), "{e}");
        let e = add(&conn, &s, &env, "a", "x", "y", "mine").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid source: \"mine\" is not accepted; use one of: default, user_defined, imported"
        );
        assert_eq!(
            list(&conn, &s, Some("always"), false).unwrap(),
            vec![r2.clone()]
        );
        let gone = delete(&conn, &s, &env, "a", 1, Some("obsolete")).unwrap();
        assert!(gone.stamps.is_deleted());
        assert_eq!(
            delete(&conn, &s, &env, "a", 1, None).unwrap_err().code(),
            "not_found"
        );
        assert_eq!(list(&conn, &s, None, false).unwrap().len(), 1);
        // The same rule added again comes back under its old id.
        let back = add(&conn, &s, &env, "a", "never", "push to main", "imported").unwrap();
        assert_eq!((back.id, back.source.as_str()), (1, "imported"));
    }
}
