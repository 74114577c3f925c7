//! The documents of the deploy gate, terminology, the database's own commands (`db init`,
//! `status`, `backup`, `restore`, `export`, `import`) and `doctor`.

use super::{Answer, List};
use crate::deploy::{Check as DeployCheck, Claim, Deployment};
use crate::file_tools::backup::CopyCheck;
use crate::file_tools::doctor::Check;
use crate::file_tools::repair::Repair;
use crate::migrate::{AppliedMigration, PendingMigration};
use crate::terminology::Term;
use schemars::JsonSchema;
use serde::Serialize;

impl Answer for DeployCheck {
    /// `deploy check`: `ok` is whether the target may be deployed (exit 0).
    const NAME: &'static str = "deploy.check";
    fn ok(&self) -> bool {
        self.can_deploy
    }
}
impl Answer for Deployment {
    /// `deploy record|finish`.
    const NAME: &'static str = "deploy.deployment";
}
impl Answer for List<Deployment> {
    const NAME: &'static str = "deploy.list";
}
impl Answer for Claim {
    /// `deploy claim add|set`.
    const NAME: &'static str = "deploy.claim";
}
impl Answer for List<Claim> {
    const NAME: &'static str = "deploy.claims";
}

impl Answer for Term {
    /// `terminology add`.
    const NAME: &'static str = "terminology.term";
}
impl Answer for List<Term> {
    /// `terminology list DOMAIN`.
    const NAME: &'static str = "terminology.terms";
}
impl Answer for List<String> {
    /// `terminology list`: the domains that have keys.
    const NAME: &'static str = "terminology.domains";
}

/// `db status`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StatusAnswer {
    /// The database (a file path, a cluster address; none for an in-memory one).
    pub path: Option<String>,
    pub schema_version: i64,
    /// The version this build migrates to.
    pub latest_version: i64,
    pub is_current: bool,
    /// Some ledger rows were written by the original tool (recognised by checksum).
    pub written_by_original: bool,
    pub pending: Vec<PendingMigration>,
    pub applied: Vec<AppliedMigration>,
    pub size_bytes: u64,
    pub wal_size_bytes: u64,
}
impl Answer for StatusAnswer {
    const NAME: &'static str = "db.status";
}

/// `db init`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct InitAnswer {
    pub path: Option<String>,
    /// The database had no tables before this call.
    pub created: bool,
    pub schema_version: i64,
    /// What this call applied.
    pub applied: Vec<PendingMigration>,
    /// The copy taken before upgrading a database that held data.
    pub backup_path: Option<String>,
}
impl Answer for InitAnswer {
    const NAME: &'static str = "db.init";
}

/// `db backup`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BackupAnswer {
    pub path: String,
    pub backup_path: String,
    pub schema_version: i64,
    pub size_bytes: u64,
    /// What the copy was checked for before it was kept.
    pub verified: CopyCheck,
}
impl Answer for BackupAnswer {
    const NAME: &'static str = "db.backup";
}

/// `db restore`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RestoreAnswer {
    pub path: String,
    pub restored_from: String,
    pub schema_version: i64,
    pub latest_version: i64,
    pub tables: usize,
    pub rows: u64,
    /// Where the database it replaced is kept, when there was one.
    pub previous_kept_at: Option<String>,
    /// How it was kept (`verified backup`, or a byte copy when the file was not sound).
    pub previous_kept_as: Option<String>,
}
impl Answer for RestoreAnswer {
    const NAME: &'static str = "db.restore";
}

/// `db export --out FILE` (with `--out -` the export itself is stdout and this is not printed).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExportAnswer {
    pub path: String,
    /// Where the JSON Lines export went.
    pub out: String,
    pub schema_version: i64,
    pub tables: usize,
    pub rows: u64,
}
impl Answer for ExportAnswer {
    const NAME: &'static str = "db.export";
}

/// `db import`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ImportAnswer {
    pub path: String,
    /// The export read.
    pub from: String,
    /// The target did not exist (or had no tables) before.
    pub created: bool,
    /// The target already held exactly this export: nothing was written.
    pub identical: bool,
    /// `--replace` replaced a database that held other data.
    pub replaced: bool,
    pub previous_kept_at: Option<String>,
    /// The schema version of the rows written.
    pub schema_version: i64,
    /// The export's schema version, when its rows were migrated to the target's (a
    /// cluster database at this build's version); otherwise null.
    pub migrated_from: Option<i64>,
    pub tables: usize,
    pub rows: u64,
}
impl Answer for ImportAnswer {
    const NAME: &'static str = "db.import";
}

/// Counts of a doctor run.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DoctorSummary {
    pub passed: usize,
    pub warned: usize,
    pub failed: usize,
    /// With `--fix`: repairs that repaired something.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repaired: Option<usize>,
    /// With `--fix`: problems left for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannot_repair: Option<usize>,
}

/// `doctor [--fix]`: `ok` when nothing failed and nothing was left unrepaired.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DoctorAnswer {
    pub path: String,
    /// `pass`, `warn` or `fail`.
    pub status: String,
    pub summary: DoctorSummary,
    pub checks: Vec<Check>,
    /// With `--fix`: what each repair did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repairs: Option<Vec<Repair>>,
}
impl Answer for DoctorAnswer {
    const NAME: &'static str = "doctor";
    fn ok(&self) -> bool {
        self.summary.failed == 0 && self.summary.cannot_repair.unwrap_or(0) == 0
    }
}

/// A member of a dqlite cluster (`node list`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct NodeMember {
    /// The node id, hexadecimal.
    pub id: String,
    pub address: String,
    /// `voter`, `standby` or `spare`.
    pub role: String,
    /// The node this call was answered by (the leader).
    pub leader: bool,
    /// Whether it answered a connection now.
    pub answers: bool,
}

/// `node list`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct NodeListAnswer {
    pub members: Vec<NodeMember>,
}
impl Answer for NodeListAnswer {
    const NAME: &'static str = "node.list";
}

/// `node leader`, `node assign`, `node remove`: the node and what changed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct NodeAnswer {
    /// The node id, hexadecimal.
    pub id: String,
    /// `node leader`: its address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `node assign`: its new role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `node remove`: true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<bool>,
}
impl Answer for NodeAnswer {
    const NAME: &'static str = "node";
}

/// The JS API's `validateTerm`: the key is a live key of the domain.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TermCheck {
    pub field: String,
    pub domain: String,
    pub key: String,
}
impl Answer for TermCheck {
    const NAME: &'static str = "terminology.valid";
}

/// `node start`, once the node serves (printed once; the process keeps running).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct NodeStartedAnswer {
    /// The node id, hexadecimal.
    pub id: String,
    pub address: String,
    /// Its data directory.
    pub data: String,
    /// The data directory was created by this start.
    pub new: bool,
    /// It joined an existing cluster as a voter (`--join`).
    pub voter_joined: bool,
}
impl Answer for NodeStartedAnswer {
    const NAME: &'static str = "node.start";
}

/// The JS API's `importJsonl`: an export loaded into an empty database (every table checked
/// against the export's fingerprints before the commit).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ImportTextAnswer {
    pub schema_version: i64,
    pub tables: usize,
    pub rows: u64,
}
impl Answer for ImportTextAnswer {
    const NAME: &'static str = "db.import_text";
}
