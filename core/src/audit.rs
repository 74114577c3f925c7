//! The immutable audit log: every kernel write adds one row in the same transaction.

use crate::connection::{Connection, ConnectionExt};
use crate::error::Result;
use crate::ids::Env;
use crate::params;

/// One `audit_log` row to append.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry<'a> {
    /// What kind of event, e.g. `work.claim`, `roadmap.update`.
    pub event_type: &'a str,
    /// Who did it (agent id, `user`, `system`).
    pub actor: &'a str,
    pub resource_type: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    /// The verb: `create`, `update`, `delete`, `claim`, `release`, …
    pub action: &'a str,
    pub old_value: Option<serde_json::Value>,
    pub new_value: Option<serde_json::Value>,
    pub context: Option<serde_json::Value>,
}

/// The instance id every audit row carries (seeded by migration 001).
pub fn instance_id<C: Connection + ?Sized>(conn: &C) -> Result<String> {
    Ok(conn
        .query_scalar::<String>(
            "SELECT value FROM instance_config WHERE key = 'instance_id'",
            params![],
        )?
        .unwrap_or_else(|| "unknown".to_string()))
}

/// Appends one audit row. Call it inside the write transaction of the change it records.
pub fn record<C: Connection + ?Sized>(conn: &C, env: &Env, entry: &AuditEntry) -> Result<()> {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    conn.execute(
        "INSERT INTO audit_log (timestamp, event_type, actor, resource_type, resource_id, action, \
         old_value, new_value, context, instance_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
         COALESCE((SELECT value FROM instance_config WHERE key = 'instance_id'), 'unknown'))",
        params![
            env.now().to_db(),
            entry.event_type,
            entry.actor,
            entry.resource_type,
            entry.resource_id,
            entry.action,
            json(&entry.old_value),
            json(&entry.new_value),
            json(&entry.context)
        ],
    )?;
    Ok(())
}
