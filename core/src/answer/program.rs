//! The program kinds' documents (programs, products, features, releases, change requests,
//! bugs, standards, charters): `motus <kind> … --json` and the JS API's `program*` calls.

use super::{Answer, List};
use crate::program::crs::CrDependency;
use crate::program::standards::{Assignment, Compliance, ComplianceResult};
use crate::program::Record;
use schemars::JsonSchema;
use serde::Serialize;

/// One entity as stored: every column of its table, `id` first among them. The columns
/// are the kind's (`docs/contract.md` names them per kind); timestamps in the one format.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ProgramRecord(pub Record);

impl JsonSchema for ProgramRecord {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ProgramRecord".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "One entity's columns (the kind's table), id included",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "created_at": {"type": ["string", "null"]},
                "updated_at": {"type": ["string", "null"]},
                "deleted_at": {"type": ["string", "null"]}
            },
            "additionalProperties": true
        })
    }
}

impl Answer for ProgramRecord {
    /// `<kind> add|update|show|delete|restore`, `charter activate`: the entity as it now is.
    const NAME: &'static str = "program.record";
}

impl Answer for List<ProgramRecord> {
    const NAME: &'static str = "program.list";
}

/// `cr show`: the change request with its dependencies.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CrView {
    pub cr: ProgramRecord,
    /// What it waits for.
    pub depends_on: Vec<CrDependency>,
    /// What waits for it.
    pub dependents: Vec<CrDependency>,
}

impl Answer for CrView {
    const NAME: &'static str = "cr.show";
}

impl Answer for CrDependency {
    /// `cr dep add`.
    const NAME: &'static str = "cr.dependency";
}

/// `cr dep rm`: the dependency that was removed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CrDependencyRemoved {
    pub cr_id: String,
    pub depends_on_id: String,
}

impl Answer for CrDependencyRemoved {
    const NAME: &'static str = "cr.dependency_removed";
}

impl Answer for Assignment {
    /// `standard assign`.
    const NAME: &'static str = "standard.assignment";
}

/// `standard unassign`: the standard no longer applies to the entity.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StandardUnassigned {
    pub standard_id: String,
    pub entity_type: String,
    pub entity_id: String,
}

impl Answer for StandardUnassigned {
    const NAME: &'static str = "standard.unassign";
}

impl Answer for ComplianceResult {
    /// `standard record`.
    const NAME: &'static str = "standard.result";
}

impl Answer for List<ComplianceResult> {
    /// `standard results`.
    const NAME: &'static str = "standard.results";
}

impl Answer for Compliance {
    /// `standard compliance`.
    const NAME: &'static str = "standard.compliance";
}

/// `charter active DOC_TYPE`: the active document of that type, or none (`charter: null`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ActiveCharter {
    pub doc_type: String,
    pub charter: Option<ProgramRecord>,
}

impl Answer for ActiveCharter {
    const NAME: &'static str = "charter.active";
}
