//! The roadmap: planning items, the dependencies between them, who works on them, and the
//! questions people ask of it — what is ready, what is blocked, and why.
//!
//! Every write is one `write_tx` with an audit row, and bumps `updated_at` so the schema's
//! `roadmap_version_capture` trigger always snapshots the change into `entity_versions`.

pub mod assignments;
pub mod calls;
pub mod dependencies;
pub mod export;
pub mod items;
pub mod plan;
pub mod readiness;
pub mod stamp;

#[cfg(test)]
pub(crate) mod testdb;

use crate::connection::{Connection, Row};
use crate::error::Result;
use serde::Serialize;

pub use dependencies::{DependencyType, Edge};
pub use items::{ItemUpdate, ListFilter, NewItem, Placement};
pub use plan::{add_with_dependencies, AddedItem};
pub use readiness::{BlockedItem, BlockerRef, ChainNode, Why};

/// The columns of `roadmap_items` every read selects, in [`Item::from_row`] order.
pub(crate) const ITEM_COLUMNS: &str = "id, phase_key, title, description, status_key, owner, \
     item_type, rank, sort_order, feature_id, cr_id, target_date, completed_at, created_by, \
     created_at, updated_at, deleted_at, external_id, external_url, scope";

/// One roadmap item as stored.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Item {
    pub id: String,
    pub phase_key: String,
    pub title: String,
    pub description: Option<String>,
    pub status_key: String,
    pub owner: Option<String>,
    pub item_type: String,
    pub rank: Option<f64>,
    pub sort_order: i64,
    pub feature_id: Option<String>,
    pub cr_id: Option<String>,
    pub target_date: Option<String>,
    pub completed_at: Option<String>,
    pub created_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    pub scope: String,
}

impl Item {
    pub(crate) fn from_row(r: Row<'_>) -> Result<Item> {
        Ok(Item {
            // TEXT primary keys accept NULL in the original schema; show it as empty.
            id: r.get::<Option<String>>(0)?.unwrap_or_default(),
            phase_key: r.get(1)?,
            title: r.get(2)?,
            description: r.get(3)?,
            status_key: r.get(4)?,
            owner: r.get(5)?,
            item_type: r.get(6)?,
            rank: r.get(7)?,
            sort_order: r.get(8)?,
            feature_id: r.get(9)?,
            cr_id: r.get(10)?,
            target_date: r.get(11)?,
            completed_at: r.get(12)?,
            created_by: r.get(13)?,
            created_at: r.get(14)?,
            updated_at: r.get(15)?,
            deleted_at: r.get(16)?,
            external_id: r.get(17)?,
            external_url: r.get(18)?,
            scope: r.get(19)?,
        })
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    pub fn is_completed(&self) -> bool {
        self.status_key == "completed"
    }

    /// The snapshot written to the audit log.
    pub(crate) fn audit_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Reads one item, deleted or not (`None` when there is no such id). Here beside the
    /// type, below both `items` (the writes) and `readiness` (the reads that explain).
    pub fn find<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Option<Item>> {
        let rows = conn.query(
            &format!("SELECT {ITEM_COLUMNS} FROM roadmap_items WHERE id = ?1"),
            crate::params![id],
        )?;
        rows.first().map(Item::from_row).transpose()
    }

    /// Reads one item, deleted or not; a missing one is `not_found`.
    pub fn get<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Item> {
        Item::find(conn, id)?.ok_or_else(|| crate::Error::not_found("roadmap item", id))
    }
}

/// The columns of [`ItemSummary`], in [`ItemSummary::from_row`] order.
pub(crate) const SUMMARY_COLUMNS: &str =
    "id, phase_key, title, status_key, item_type, owner, rank, target_date, external_id";

/// The fields lists show (`ready`, `blocked`): enough to pick and find an item, small enough
/// that listing every ready item of a large roadmap stays fast.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ItemSummary {
    pub id: String,
    pub phase_key: String,
    pub title: String,
    pub status_key: String,
    pub item_type: String,
    pub owner: Option<String>,
    pub rank: Option<f64>,
    pub target_date: Option<String>,
    pub external_id: Option<String>,
}

impl ItemSummary {
    pub(crate) fn from_row(r: Row<'_>) -> Result<ItemSummary> {
        Ok(ItemSummary {
            id: r.get::<Option<String>>(0)?.unwrap_or_default(),
            phase_key: r.get(1)?,
            title: r.get(2)?,
            status_key: r.get(3)?,
            item_type: r.get(4)?,
            owner: r.get(5)?,
            rank: r.get(6)?,
            target_date: r.get(7)?,
            external_id: r.get(8)?,
        })
    }
}

impl ItemSummary {
    /// Builds a summary by moving the row's values (no copies: `ready` can return
    /// thousands of rows).
    pub(crate) fn from_values(mut v: Vec<crate::Value>) -> Result<ItemSummary> {
        use crate::Value;
        if v.len() < 9 {
            return Err(crate::Error::UnexpectedData {
                message: "summary row has too few columns".into(),
            });
        }
        let rank = match &v[6] {
            Value::Integer(i) => Some(*i as f64),
            Value::Real(f) => Some(*f),
            _ => None,
        };
        let mut opt = |i: usize| -> Option<String> {
            match std::mem::replace(&mut v[i], Value::Null) {
                Value::Null => None,
                Value::Text(s) => Some(s),
                other => Some(other.to_text()),
            }
        };
        Ok(ItemSummary {
            id: opt(0).unwrap_or_default(),
            phase_key: opt(1).unwrap_or_default(),
            title: opt(2).unwrap_or_default(),
            status_key: opt(3).unwrap_or_default(),
            item_type: opt(4).unwrap_or_default(),
            owner: opt(5),
            rank,
            target_date: opt(7),
            external_id: opt(8),
        })
    }
}

/// [`SUMMARY_COLUMNS`] qualified with a table alias.
pub(crate) fn summary_columns(alias: &str) -> String {
    SUMMARY_COLUMNS
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Statuses that take a slot under the per-phase limit (`enforce_phase_limit`).
pub(crate) fn counts_toward_phase_limit(status: &str) -> bool {
    status != "completed" && status != "deferred"
}

/// The schema's per-phase cap on active items.
pub const PHASE_LIMIT: i64 = 50;
