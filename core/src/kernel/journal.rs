//! What every kernel write leaves behind in its own transaction: a lease event, an audit
//! row and (optionally) a metrics row.

use crate::audit::{self, AuditEntry};
use crate::connection::Connection;
use crate::error::Result;
use crate::ids::Env;
use crate::params;
use crate::time::Timestamp;

/// Appends one `events` row for `lease_id`; returns the event id.
pub fn event<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease_id: &str,
    event_type: &str,
    payload: &serde_json::Value,
) -> Result<String> {
    let event_id = format!("evt-{}", env.ids.random_hex(12));
    conn.execute(
        "INSERT INTO events (event_id, lease_id, event_type, payload, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            event_id.as_str(),
            lease_id,
            event_type,
            payload.to_string(),
            env.now().to_db()
        ],
    )?;
    Ok(event_id)
}

/// Appends one `audit_log` row: who did what to which entity.
#[allow(clippy::too_many_arguments)]
pub fn audit<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    event_type: &str,
    resource_type: &str,
    resource_id: &str,
    action: &str,
    new_value: Option<serde_json::Value>,
) -> Result<()> {
    audit::record(
        conn,
        env,
        &AuditEntry {
            event_type,
            actor,
            resource_type: Some(resource_type),
            resource_id: Some(resource_id),
            action,
            new_value,
            ..Default::default()
        },
    )
}

/// Per-call metrics like the original's `work_compiler.*` rows (skipped when disabled).
pub fn metric<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &super::Options,
    operation: &str,
    started: Timestamp,
    success: bool,
) -> Result<()> {
    if !opts.metrics {
        return Ok(());
    }
    let now = env.now();
    let now_db = now.to_db();
    conn.execute(
        "INSERT INTO metrics (timestamp, operation, elapsed_ms, is_success, metadata, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, NULL, ?1, ?1)",
        params![
            now_db.as_str(),
            format!("work_compiler.{operation}"),
            (now.millis() - started.millis()) as f64,
            success
        ],
    )?;
    Ok(())
}
