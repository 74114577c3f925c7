//! The seven audit columns every userland table carries, read into one struct.

use crate::connection::Row;
use crate::error::Result;
use serde::Serialize;

/// Who created, changed and (soft-)deleted a row, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Stamps {
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
    pub deleted_at: Option<String>,
    pub deleted_by: Option<String>,
    pub deletion_reason: Option<String>,
}

/// The audit columns, for SELECT lists.
pub(crate) const STAMP_COLUMNS: &str =
    "created_at, updated_at, created_by, updated_by, deleted_at, deleted_by, deletion_reason";

impl Stamps {
    pub(crate) fn from_row(r: &Row<'_>) -> Result<Stamps> {
        Ok(Stamps {
            created_at: r.get_named("created_at")?,
            updated_at: r.get_named("updated_at")?,
            created_by: r.get_named("created_by")?,
            updated_by: r.get_named("updated_by")?,
            deleted_at: r.get_named("deleted_at")?,
            deleted_by: r.get_named("deleted_by")?,
            deletion_reason: r.get_named("deletion_reason")?,
        })
    }

    /// Whether the row is soft-deleted (`deleted_at` set).
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.as_deref().is_some_and(|d| !d.is_empty())
    }
}

/// `WHERE` fragment that hides soft-deleted rows unless asked for them.
pub(crate) fn live_filter(include_deleted: bool) -> &'static str {
    if include_deleted {
        "1 = 1"
    } else {
        "coalesce(deleted_at, '') = ''"
    }
}
