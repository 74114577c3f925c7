//! The history of an entity: its `entity_versions` snapshots (written by the schema's
//! `*_version_capture` triggers whenever `updated_at` changes, which every write of ours
//! ensures) and the audit rows that say who changed what.

use crate::connection::Connection;
use crate::error::Result;
use crate::params;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Version {
    pub version: i64,
    pub data: serde_json::Value,
    pub changed_by: String,
    pub change_reason: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AuditEvent {
    pub id: i64,
    pub timestamp: String,
    pub actor: String,
    pub event_type: String,
    pub action: String,
    pub old_value: Option<serde_json::Value>,
    pub new_value: Option<serde_json::Value>,
    pub context: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct History {
    pub entity_type: String,
    pub entity_id: String,
    /// Snapshots, oldest first (empty for kinds the schema does not version).
    pub versions: Vec<Version>,
    /// Audit rows about the entity, oldest first.
    pub audit: Vec<AuditEvent>,
}

fn json(text: Option<String>) -> Option<serde_json::Value> {
    text.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
}

/// Versions recorded under `version_type` (None when the kind is not versioned) and audit
/// rows recorded under `resource_type`, for one id.
pub fn history<C: Connection + ?Sized>(
    conn: &C,
    version_type: Option<&str>,
    resource_type: &str,
    id: &str,
) -> Result<History> {
    let versions = match version_type {
        Some(vt) => conn
            .query(
                "SELECT version, data, changed_by, change_reason, created_at FROM entity_versions \
                 WHERE entity_type = ?1 AND entity_id = ?2 ORDER BY version",
                params![vt, id],
            )?
            .iter()
            .map(|r| {
                Ok(Version {
                    version: r.get(0)?,
                    data: json(r.get(1)?).unwrap_or_default(),
                    changed_by: r.get(2)?,
                    change_reason: r.get(3)?,
                    created_at: r.get(4)?,
                })
            })
            .collect::<Result<_>>()?,
        None => Vec::new(),
    };
    let audit = conn
        .query(
            "SELECT id, timestamp, actor, event_type, action, old_value, new_value, context \
             FROM audit_log WHERE resource_type = ?1 AND resource_id = ?2 ORDER BY id",
            params![resource_type, id],
        )?
        .iter()
        .map(|r| {
            Ok(AuditEvent {
                id: r.get(0)?,
                timestamp: r.get(1)?,
                actor: r.get(2)?,
                event_type: r.get(3)?,
                action: r.get(4)?,
                old_value: json(r.get(5)?),
                new_value: json(r.get(6)?),
                context: json(r.get(7)?),
            })
        })
        .collect::<Result<_>>()?;
    Ok(History {
        entity_type: version_type.unwrap_or(resource_type).to_string(),
        entity_id: id.to_string(),
        versions,
        audit,
    })
}
