//! Charter documents: at most one active document per type.
//!
//! The schema keeps the rule with a partial UNIQUE index (active, not deleted) and a trigger
//! that deactivates the previous active document when a new active one is inserted. An
//! UPDATE that re-activates an old document fails on the index, so `activate` deactivates
//! the current one first, in the same transaction.

use super::entity::{get, get_live, Record};
use super::kinds::CHARTER;
use crate::audit::{self, AuditEntry};
use crate::connection::{write_tx, Connection, ConnectionExt};
use crate::error::Result;
use crate::ids::Env;
use crate::params;
use crate::roadmap::stamp::next_updated_at;
use sha2::{Digest, Sha256};

/// The `content_hash` of a document: lowercase hex SHA-256 of its bytes.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The active document of a type, if any.
pub fn active<C: Connection + ?Sized>(conn: &C, doc_type: &str) -> Result<Option<Record>> {
    crate::terminology::validate_filter(
        conn,
        "doc_type",
        "charter_type",
        doc_type,
        ("charter_docs", "doc_type_key"),
    )?;
    let id: Option<String> = conn.query_scalar(
        "SELECT id FROM charter_docs WHERE doc_type_key = ?1 AND is_active = 1 AND deleted_at IS NULL",
        params![doc_type],
    )?;
    id.map(|id| get(conn, &CHARTER, &id)).transpose()
}

/// Makes `id` the active document of its type, deactivating the one that was.
pub fn activate<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
) -> Result<Record> {
    write_tx(conn, |c| {
        let doc = get_live(c, &CHARTER, id)?;
        if doc.get("is_active").and_then(|v| v.as_i64()) == Some(1) {
            return Ok(doc);
        }
        let doc_type = doc["doc_type_key"].as_str().unwrap_or_default().to_string();
        let previous = active(c, &doc_type)?;
        if let Some(prev) = &previous {
            let stamp = next_updated_at(prev["updated_at"].as_str(), env.now());
            c.execute(
                "UPDATE charter_docs SET is_active = 0, updated_at = ?1 WHERE id = ?2",
                params![stamp, prev["id"].as_str()],
            )?;
        }
        let stamp = next_updated_at(doc["updated_at"].as_str(), env.now());
        c.execute(
            "UPDATE charter_docs SET is_active = 1, updated_at = ?1 WHERE id = ?2",
            params![stamp, id],
        )?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "program.charter",
                actor,
                resource_type: Some("charter"),
                resource_id: Some(id),
                action: "activate",
                old_value: previous.map(|p| serde_json::json!({"active": p["id"]})),
                new_value: Some(serde_json::json!({"active": id})),
                ..Default::default()
            },
        )?;
        get(c, &CHARTER, id)
    })
}
