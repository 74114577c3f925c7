//! Standards applied to entities, and their compliance results.
//!
//! Results are append-only: the schema's triggers refuse every UPDATE and DELETE of
//! `compliance_results`, and this module offers neither. A newer result supersedes an older
//! one for the same standard and entity; [`compliance`] reports the latest of each.

use super::entity::get_live;
use super::kinds::{by_name, STANDARD};
use crate::audit::{self, AuditEntry};
use crate::connection::{write_tx, Connection, ConnectionExt, Value};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use serde::Serialize;

/// Kinds a standard can be assigned to (the `standard_level` keys).
pub const ENTITY_TYPES: &[&str] = &["program", "product", "feature", "release", "cr"];
pub const RESULTS: &[&str] = &["pass", "fail", "skip", "error"];

fn check_entity<C: Connection + ?Sized>(
    conn: &C,
    entity_type: &str,
    entity_id: &str,
) -> Result<()> {
    if !ENTITY_TYPES.contains(&entity_type) {
        return Err(Error::invalid(
            "entity type",
            format!(
                "'{entity_type}' is not accepted; use one of {}",
                ENTITY_TYPES.join(", ")
            ),
        ));
    }
    let kind = by_name(entity_type).expect("entity types are kinds");
    get_live(conn, kind, entity_id).map(|_| ())
}

/// Splits `product:motus` into (`product`, `motus`).
pub fn parse_entity(text: &str) -> Result<(String, String)> {
    match text.split_once(':') {
        Some((t, id)) if !t.is_empty() && !id.is_empty() => Ok((t.to_string(), id.to_string())),
        _ => Err(Error::invalid(
            "entity",
            format!(
                "'{text}' is not TYPE:ID, e.g. product:motus (types: {})",
                ENTITY_TYPES.join(", ")
            ),
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Assignment {
    pub id: i64,
    pub standard_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub is_inherited: bool,
    pub created_at: String,
}

fn assignment_from(r: crate::connection::Row<'_>) -> Result<Assignment> {
    Ok(Assignment {
        id: r.get(0)?,
        standard_id: r.get(1)?,
        entity_type: r.get(2)?,
        entity_id: r.get(3)?,
        is_inherited: r.get(4)?,
        created_at: r.get(5)?,
    })
}

/// Assignments of a standard (`standard`), of an entity (`entity`), or all.
pub fn assignments<C: Connection + ?Sized>(
    conn: &C,
    standard: Option<&str>,
    entity: Option<(&str, &str)>,
) -> Result<Vec<Assignment>> {
    let rows = conn.query(
        "SELECT id, standard_id, entity_type, entity_id, is_inherited, created_at \
         FROM standard_assignments WHERE (?1 IS NULL OR standard_id = ?1) \
         AND (?2 IS NULL OR (entity_type = ?2 AND entity_id = ?3)) ORDER BY standard_id, entity_type, entity_id",
        params![standard, entity.map(|e| e.0), entity.map(|e| e.1)],
    )?;
    rows.iter().map(assignment_from).collect()
}

pub fn assign<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    standard: &str,
    entity_type: &str,
    entity_id: &str,
    inherited: bool,
) -> Result<Assignment> {
    write_tx(conn, |c| {
        get_live(c, &STANDARD, standard)?;
        check_entity(c, entity_type, entity_id)?;
        let existing = assignments(c, Some(standard), Some((entity_type, entity_id)))?;
        if let Some(a) = existing.into_iter().next() {
            return Ok(a);
        }
        c.execute(
            "INSERT INTO standard_assignments (standard_id, entity_type, entity_id, is_inherited, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![standard, entity_type, entity_id, inherited, env.now().to_db()],
        )?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "program.standard_assignment",
                actor,
                resource_type: Some("standard"),
                resource_id: Some(standard),
                action: "assign",
                new_value: Some(
                    serde_json::json!({"entity_type": entity_type, "entity_id": entity_id}),
                ),
                ..Default::default()
            },
        )?;
        assignments(c, Some(standard), Some((entity_type, entity_id)))?
            .into_iter()
            .next()
            .ok_or_else(|| Error::not_found("assignment", standard))
    })
}

pub fn unassign<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    standard: &str,
    entity_type: &str,
    entity_id: &str,
) -> Result<()> {
    write_tx(conn, |c| {
        let n = c.execute(
            "DELETE FROM standard_assignments WHERE standard_id = ?1 AND entity_type = ?2 AND entity_id = ?3",
            params![standard, entity_type, entity_id],
        )?;
        if n == 0 {
            return Err(Error::not_found(
                "standard assignment",
                format!("{standard} on {entity_type}:{entity_id}"),
            ));
        }
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "program.standard_assignment",
                actor,
                resource_type: Some("standard"),
                resource_id: Some(standard),
                action: "unassign",
                old_value: Some(
                    serde_json::json!({"entity_type": entity_type, "entity_id": entity_id}),
                ),
                ..Default::default()
            },
        )
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ComplianceResult {
    pub id: i64,
    pub standard_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub release_id: Option<String>,
    pub result: String,
    pub result_value: Option<String>,
    pub error_message: Option<String>,
    pub checked_by: String,
    pub checked_at: String,
}

fn result_from(r: crate::connection::Row<'_>) -> Result<ComplianceResult> {
    Ok(ComplianceResult {
        id: r.get(0)?,
        standard_id: r.get(1)?,
        entity_type: r.get(2)?,
        entity_id: r.get(3)?,
        release_id: r.get(4)?,
        result: r.get(5)?,
        result_value: r.get(6)?,
        error_message: r.get(7)?,
        checked_by: r.get(8)?,
        checked_at: r.get(9)?,
    })
}

const RESULT_COLUMNS: &str = "id, standard_id, entity_type, entity_id, release_id, result, \
     result_value, error_message, checked_by, checked_at";

/// What a check found.
#[derive(Debug, Clone, Default)]
pub struct NewResult {
    pub standard_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub release_id: Option<String>,
    pub result: String,
    pub result_value: Option<String>,
    pub error_message: Option<String>,
}

/// Appends a compliance result (results are never changed or removed).
pub fn record_result<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    new: &NewResult,
) -> Result<ComplianceResult> {
    if !RESULTS.contains(&new.result.as_str()) {
        return Err(Error::invalid(
            "result",
            format!(
                "'{}' is not accepted; use one of {}",
                new.result,
                RESULTS.join(", ")
            ),
        ));
    }
    write_tx(conn, |c| {
        get_live(c, &STANDARD, &new.standard_id)?;
        check_entity(c, &new.entity_type, &new.entity_id)?;
        if let Some(rel) = &new.release_id {
            get_live(c, &super::kinds::RELEASE, rel)?;
        }
        c.execute(
            "INSERT INTO compliance_results (standard_id, entity_type, entity_id, release_id, result, \
             result_value, error_message, checked_by, checked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                &new.standard_id,
                &new.entity_type,
                &new.entity_id,
                new.release_id.clone(),
                &new.result,
                new.result_value.clone(),
                new.error_message.clone(),
                actor,
                env.now().to_db()
            ],
        )?;
        let id: i64 = c.query_one("SELECT last_insert_rowid()", params![])?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "program.compliance",
                actor,
                resource_type: Some("standard"),
                resource_id: Some(&new.standard_id),
                action: "record_result",
                new_value: Some(serde_json::json!({
                    "entity_type": new.entity_type, "entity_id": new.entity_id,
                    "release_id": new.release_id, "result": new.result
                })),
                ..Default::default()
            },
        )?;
        let rows = c.query(
            &format!("SELECT {RESULT_COLUMNS} FROM compliance_results WHERE id = ?1"),
            params![id],
        )?;
        rows.first()
            .map(result_from)
            .transpose()?
            .ok_or_else(|| Error::not_found("compliance result", id.to_string()))
    })
}

/// Results, newest last, filtered by standard, entity and/or release.
pub fn results<C: Connection + ?Sized>(
    conn: &C,
    standard: Option<&str>,
    entity: Option<(&str, &str)>,
    release: Option<&str>,
) -> Result<Vec<ComplianceResult>> {
    let rows = conn.query(
        &format!(
            "SELECT {RESULT_COLUMNS} FROM compliance_results WHERE (?1 IS NULL OR standard_id = ?1) \
             AND (?2 IS NULL OR (entity_type = ?2 AND entity_id = ?3)) AND (?4 IS NULL OR release_id = ?4) \
             ORDER BY id"
        ),
        params![standard, entity.map(|e| e.0), entity.map(|e| e.1), release],
    )?;
    rows.iter().map(result_from).collect()
}

/// The compliance picture of an entity: for each assigned standard, its latest result.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Compliance {
    pub entity_type: String,
    pub entity_id: String,
    /// `blocked` (a blocking standard's latest result is fail/error or missing),
    /// `warnings` (a non-blocking one is), or `clear`.
    pub status: String,
    pub standards: Vec<StandardStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StandardStatus {
    pub standard_id: String,
    pub name: String,
    pub is_blocking: bool,
    /// Latest result, or `missing` when it was never checked.
    pub latest: String,
    pub checked_at: Option<String>,
}

pub fn compliance<C: Connection + ?Sized>(
    conn: &C,
    entity_type: &str,
    entity_id: &str,
) -> Result<Compliance> {
    check_entity(conn, entity_type, entity_id)?;
    let rows = conn.query(
        "SELECT s.id, s.name, s.is_blocking, \
           (SELECT r.result FROM compliance_results r WHERE r.standard_id = s.id \
              AND r.entity_type = a.entity_type AND r.entity_id = a.entity_id ORDER BY r.id DESC LIMIT 1), \
           (SELECT r.checked_at FROM compliance_results r WHERE r.standard_id = s.id \
              AND r.entity_type = a.entity_type AND r.entity_id = a.entity_id ORDER BY r.id DESC LIMIT 1) \
         FROM standard_assignments a JOIN standards s ON s.id = a.standard_id \
         WHERE a.entity_type = ?1 AND a.entity_id = ?2 AND s.deleted_at IS NULL ORDER BY s.sort_order, s.id",
        params![entity_type, entity_id],
    )?;
    let mut standards = Vec::new();
    for r in rows.iter() {
        let latest: Option<String> = r.get(3)?;
        standards.push(StandardStatus {
            standard_id: r.get(0)?,
            name: r.get(1)?,
            is_blocking: r.get::<Value>(2)? != Value::Integer(0),
            latest: latest.unwrap_or_else(|| "missing".into()),
            checked_at: r.get(4)?,
        });
    }
    let failing = |s: &&StandardStatus| matches!(s.latest.as_str(), "fail" | "error" | "missing");
    let status = if standards.iter().filter(failing).any(|s| s.is_blocking) {
        "blocked"
    } else if standards.iter().any(|s| failing(&s)) {
        "warnings"
    } else {
        "clear"
    };
    Ok(Compliance {
        entity_type: entity_type.into(),
        entity_id: entity_id.into(),
        status: status.into(),
        standards,
    })
}
