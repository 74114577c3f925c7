//! Validation of `*_key` columns against the `terminology` table.
//!
//! The schema stores `status_key`, `phase_key`, `type_key`, … as free text; the original
//! checks them "by convention" only, so any typo is stored. Every write of ours checks the
//! key against its domain and, when it is not there, says which keys are accepted.

use crate::connection::{Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::params;
use serde::Serialize;

/// One accepted key of a domain.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Term {
    pub domain: String,
    pub internal_key: String,
    pub display_name: String,
    pub description: Option<String>,
    pub sort_order: i64,
    /// The key that replaces a deprecated one.
    pub replaced_by: Option<String>,
    pub deprecated: bool,
}

/// Every non-deleted key of `domain`, in the domain's sort order.
pub fn terms<C: Connection + ?Sized>(conn: &C, domain: &str) -> Result<Vec<Term>> {
    let rows = conn.query(
        "SELECT domain, internal_key, display_name, description, COALESCE(sort_order, 0), \
         replaced_by, deprecated_at IS NOT NULL \
         FROM terminology WHERE domain = ?1 AND deleted_at IS NULL \
         ORDER BY COALESCE(sort_order, 0), internal_key",
        params![domain],
    )?;
    rows.iter()
        .map(|r| {
            Ok(Term {
                domain: r.get(0)?,
                internal_key: r.get(1)?,
                display_name: r.get(2)?,
                description: r.get(3)?,
                sort_order: r.get(4)?,
                replaced_by: r.get(5)?,
                deprecated: r.get(6)?,
            })
        })
        .collect()
}

/// Every domain that has at least one key.
pub fn domains<C: Connection + ?Sized>(conn: &C) -> Result<Vec<String>> {
    let rows = conn.query(
        "SELECT DISTINCT domain FROM terminology WHERE deleted_at IS NULL ORDER BY domain",
        params![],
    )?;
    rows.iter().map(|r| r.get(0)).collect()
}

/// Checks that `key` is a current (not deprecated) key of `domain`, for the column `field`.
/// The error lists the accepted keys, or names the replacement of a deprecated key.
pub fn validate<C: Connection + ?Sized>(
    conn: &C,
    field: &str,
    domain: &str,
    key: &str,
) -> Result<()> {
    let all = terms(conn, domain)?;
    if let Some(t) = all.iter().find(|t| t.internal_key == key) {
        if t.deprecated {
            let hint = t
                .replaced_by
                .as_deref()
                .map(|r| format!("; use '{r}' instead"))
                .unwrap_or_default();
            return Err(Error::invalid(
                field,
                format!("'{key}' is deprecated in terminology domain '{domain}'{hint}"),
            ));
        }
        return Ok(());
    }
    let valid: Vec<&str> = all
        .iter()
        .filter(|t| !t.deprecated)
        .map(|t| t.internal_key.as_str())
        .collect();
    let message = if valid.is_empty() {
        format!("'{key}' is not accepted: terminology domain '{domain}' has no keys")
    } else {
        format!(
            "'{key}' is not a {domain} key; valid keys: {}",
            valid.join(", ")
        )
    };
    Err(Error::invalid(field, message))
}

/// Checks a list filter's value (`--status`, `--type`, `--phase`): a key of `domain`
/// (deprecated keys too: old rows carry them) or a value some row of `table.column` holds.
/// Anything else is refused with the valid keys, so a typo is an error, not an empty list.
pub fn validate_filter<C: Connection + ?Sized>(
    conn: &C,
    field: &str,
    domain: &str,
    key: &str,
    (table, column): (&str, &str),
) -> Result<()> {
    if terms(conn, domain)?.iter().any(|t| t.internal_key == key) {
        return Ok(());
    }
    let held = conn
        .query(
            &format!("SELECT 1 FROM {table} WHERE {column} = ?1 LIMIT 1"),
            crate::params![key],
        )?
        .first()
        .is_some();
    if held {
        return Ok(());
    }
    validate(conn, field, domain, key)
}

/// Adds a key to a domain (for example a new roadmap phase), with an audit row.
pub fn add<C: Connection + ?Sized>(
    conn: &C,
    env: &crate::ids::Env,
    actor: &str,
    domain: &str,
    key: &str,
    display_name: &str,
) -> Result<Term> {
    if domain.trim().is_empty() || key.trim().is_empty() {
        return Err(Error::invalid(
            "terminology",
            "domain and key must be non-empty",
        ));
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(Error::invalid(
            "key",
            format!("'{key}' must use lowercase letters, digits and '_' only"),
        ));
    }
    crate::connection::write_tx(conn, |c| {
        let exists = c
            .query_scalar::<i64>(
                "SELECT 1 FROM terminology WHERE domain = ?1 AND internal_key = ?2",
                params![domain, key],
            )?
            .is_some();
        if exists {
            return Err(Error::invalid(
                "key",
                format!("'{key}' already exists in terminology domain '{domain}'"),
            ));
        }
        let next_sort: i64 = c.query_one(
            "SELECT COALESCE(MAX(sort_order), 0) + 1 FROM terminology WHERE domain = ?1",
            params![domain],
        )?;
        let now = env.now().to_db();
        c.execute(
            "INSERT INTO terminology (domain, internal_key, display_name, sort_order, created_at, \
             updated_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            params![domain, key, display_name, next_sort, now, actor],
        )?;
        crate::audit::record(
            c,
            env,
            &crate::audit::AuditEntry {
                event_type: "terminology.add",
                actor,
                resource_type: Some("terminology"),
                resource_id: Some(&format!("{domain}/{key}")),
                action: "create",
                new_value: Some(serde_json::json!({"display_name": display_name})),
                ..Default::default()
            },
        )?;
        Ok(())
    })?;
    let all = terms(conn, domain)?;
    all.into_iter()
        .find(|t| t.internal_key == key)
        .ok_or_else(|| Error::not_found("terminology key", key))
}
