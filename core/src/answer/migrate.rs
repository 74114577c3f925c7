//! `motus db migrate`'s answer: what the upgrade found, did and kept, the same for a dry run
//! (what it would do) and a real one (what it did).

use super::Answer;
use crate::migrate::{PendingMigration, Report, Status};
use schemars::JsonSchema;
use serde::Serialize;

/// `motus db migrate [--dry-run]`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct MigrateAnswer {
    /// The database: a file path or a cluster address. Null only from the JS API, for a
    /// database in the module or a host connection opened without its `path` (as in
    /// `db.status` and `db.init`).
    pub path: Option<String>,
    pub dry_run: bool,
    /// The schema version before the call.
    pub from_version: i64,
    /// The schema version after the call (a dry run: the version it would reach).
    pub to_version: i64,
    /// The migrations this call applied, in order (empty for a dry run, and when the file
    /// was already current or another process applied them first).
    pub applied: Vec<PendingMigration>,
    /// A dry run: the migrations a real run would apply; otherwise empty.
    pub would_apply: Vec<PendingMigration>,
    /// What is still pending after the call (empty after a real run).
    pub pending: Vec<PendingMigration>,
    /// The copy taken before the first migration was applied, when one was: beside a file,
    /// a copy of it; for a cluster database, its export (JSON Lines) in the working directory.
    /// Null when no copy was written: nothing was applied, the database held no data, or
    /// (JS API) there was no file to copy beside — a database in the module, or a host
    /// connection opened without `path` and without `backupPath`.
    pub backup_path: Option<String>,
}

impl Answer for MigrateAnswer {
    const NAME: &'static str = "db.migrate";
}

impl MigrateAnswer {
    /// `report` is what the runner did (or would do); `before` the ledger before the call
    /// (the report of a call that found nothing to do carries none), `after` the ledger now.
    pub fn new(
        path: Option<&str>,
        dry_run: bool,
        before: i64,
        report: Option<&Report>,
        after: &Status,
    ) -> Self {
        let planned = report.map(|r| r.applied.clone()).unwrap_or_default();
        let (applied, would_apply) = if dry_run {
            (Vec::new(), planned)
        } else {
            (planned, Vec::new())
        };
        MigrateAnswer {
            path: path.map(str::to_owned),
            dry_run,
            from_version: report.map_or(before, |r| r.from_version),
            to_version: match report {
                Some(r) if dry_run => r.to_version,
                _ => after.current_version,
            },
            applied,
            would_apply,
            pending: after.pending.clone(),
            backup_path: report.and_then(|r| r.backup_path.clone()),
        }
    }

    /// The one-line account the CLI prints: "upgraded from 20 to 34: applied 21..34; backup
    /// at …".
    pub fn summary(&self) -> String {
        let path = self.path.as_deref().unwrap_or("the database");
        let list = versions(if self.dry_run {
            &self.would_apply
        } else {
            &self.applied
        });
        match (self.dry_run, list) {
            (true, None) => format!(
                "Nothing to apply: {path} is at schema version {}",
                self.from_version
            ),
            (true, Some(list)) => format!(
                "Would upgrade {path} from {} to {}: would apply {list}; a backup is written first",
                self.from_version, self.to_version
            ),
            (false, None) => format!(
                "Nothing to apply: {path} is at schema version {} (latest)",
                self.to_version
            ),
            (false, Some(list)) => {
                let backup = match &self.backup_path {
                    Some(b) => format!("backup at {b}"),
                    None => "no backup (nothing to copy)".to_string(),
                };
                format!(
                    "Upgraded {path} from {} to {}: applied {list}; {backup}",
                    self.from_version, self.to_version
                )
            }
        }
    }
}

/// `21..34` for a run of consecutive versions, `21, 23` otherwise; None when empty.
fn versions(ms: &[PendingMigration]) -> Option<String> {
    let first = ms.first()?.version;
    let last = ms.last()?.version;
    let consecutive = ms.windows(2).all(|w| w[1].version == w[0].version + 1);
    Some(if ms.len() == 1 {
        first.to_string()
    } else if consecutive {
        format!("{first}..{last}")
    } else {
        ms.iter()
            .map(|m| m.version.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: i64) -> PendingMigration {
        PendingMigration {
            version: v,
            name: format!("m{v}"),
        }
    }

    #[test]
    fn versions_read_as_a_range_or_a_list() {
        assert_eq!(versions(&[]), None);
        assert_eq!(versions(&[m(21)]).unwrap(), "21");
        assert_eq!(versions(&[m(21), m(22), m(23)]).unwrap(), "21..23");
        assert_eq!(versions(&[m(21), m(23)]).unwrap(), "21, 23");
    }
}
