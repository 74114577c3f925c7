//! Where the userland tables are on a connection, and where a write's audit row goes.

use crate::audit::{self, AuditEntry};
use crate::connection::{quote_ident, Connection};
use crate::error::Result;
use crate::ids::Env;
use crate::params;
use serde::Serialize;

/// The file that holds the userland tables' rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Home {
    Coordination,
    Userland,
}

impl Home {
    pub fn as_str(self) -> &'static str {
        match self {
            Home::Coordination => "coordination",
            Home::Userland => "userland",
        }
    }
}

/// The five tables as seen from one connection: a schema name and the file it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Store {
    schema: &'static str,
    home: Home,
}

impl Store {
    /// The tables in coordination.db (never extracted): audit rows go to its `audit_log`.
    pub const COORDINATION: Store = Store {
        schema: "main",
        home: Home::Coordination,
    };
    /// userland.db attached to a coordination connection as `userland`.
    pub const ATTACHED_USERLAND: Store = Store {
        schema: super::ATTACHED_SCHEMA,
        home: Home::Userland,
    };
    /// userland.db opened on its own (the viewer, tests).
    pub const OWN_USERLAND: Store = Store {
        schema: "main",
        home: Home::Userland,
    };

    pub fn home(&self) -> Home {
        self.home
    }

    pub fn schema(&self) -> &'static str {
        self.schema
    }

    /// `"schema"."table"`, for SQL text.
    pub fn table(&self, name: &str) -> String {
        format!("{}.{}", quote_ident(self.schema), quote_ident(name))
    }

    /// Appends the audit row of a write, in the file the write went to. Call it inside the
    /// write's transaction.
    pub fn audit<C: Connection + ?Sized>(
        &self,
        conn: &C,
        env: &Env,
        entry: &AuditEntry,
    ) -> Result<()> {
        match self.home {
            Home::Coordination => audit::record(conn, env, entry),
            Home::Userland => {
                let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
                // userland.db's rows carry the instance id of the coordination.db they came from.
                conn.execute(
                    &format!(
                        "INSERT INTO {log} (timestamp, event_type, actor, resource_type, resource_id, \
                         action, old_value, new_value, context, instance_id) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, COALESCE(\
                         (SELECT source_instance_id FROM {ext} WHERE state <> 'discarded' ORDER BY id DESC LIMIT 1), \
                         'unknown'))",
                        log = self.table("audit_log"),
                        ext = self.table("userland_extractions"),
                    ),
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
        }
    }
}
