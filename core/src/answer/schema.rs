//! The published JSON Schema of every document, generated from the answer types. The files
//! under `docs/schema/` are these, committed; a test fails when a type changes and its
//! committed schema does not (`MOTUS_BLESS=1 cargo test -p motus-core answer::schema`
//! rewrites them).

use super::{
    migrate, ops, program, queue, roadmap, userland, work, Answer, Document, Envelope, ErrorAnswer,
};
use super::{GuideAnswer, List};
use crate::roadmap as rm;
use schemars::JsonSchema;
use serde_json::Value;

/// A document's schema: the envelope around the answer.
pub fn document_schema<A: Answer + JsonSchema>() -> Value {
    // The serialize contract: what the document holds (an `Option` field is present, null).
    let gen = schemars::generate::SchemaSettings::default()
        .for_serialize()
        .into_generator();
    let mut s = serde_json::to_value(gen.into_root_schema_for::<Document<A>>()).expect("schema");
    if let Value::Object(m) = &mut s {
        m.insert("title".into(), Value::from(A::NAME));
        m.insert(
            "$id".into(),
            Value::from(format!("https://motus.invalid/schema/{}.json", A::NAME)),
        );
    }
    s
}

/// An input's schema (what a call accepts: the JS API's objects, the MCP tools' arguments).
pub fn input_schema<T: JsonSchema>(name: &str) -> Value {
    let mut s = serde_json::to_value(schemars::schema_for!(T)).expect("schema");
    if let Value::Object(m) = &mut s {
        m.insert("title".into(), Value::from(name));
    }
    s
}

/// Every published document, by name (`docs/schema/<name>.json`).
pub fn documents() -> Vec<(&'static str, Value)> {
    macro_rules! docs {
        ($($t:ty),* $(,)?) => { vec![$((<$t as Answer>::NAME, document_schema::<$t>())),*] };
    }
    docs![
        Envelope,
        ErrorAnswer,
        work::ClaimAnswer,
        work::ClaimNextAnswer,
        work::ContextAnswer,
        work::OutcomeAnswer,
        work::EvidenceAnswer,
        work::DecisionAnswer,
        work::ReleaseAnswer,
        work::HeartbeatAnswer,
        work::HandoffAnswer,
        work::ForceReleaseAnswer,
        work::BlockerAnswer,
        work::CleanupAnswer,
        work::LeaseStatusAnswer,
        work::LeaseListAnswer,
        work::VerifyAnswer,
        rm::Item,
        rm::AddedItem,
        rm::calls::ItemView,
        List<rm::Item>,
        rm::calls::ReadyList,
        rm::calls::BlockedList,
        rm::Why,
        rm::Edge,
        rm::assignments::AssignOutcome,
        rm::assignments::Release,
        rm::items::Completion,
        crate::program::history::History,
        roadmap::ExportAnswer,
        program::ProgramRecord,
        List<program::ProgramRecord>,
        program::CrView,
        crate::program::crs::CrDependency,
        program::CrDependencyRemoved,
        crate::program::standards::Assignment,
        program::StandardUnassigned,
        crate::program::standards::ComplianceResult,
        List<crate::program::standards::ComplianceResult>,
        crate::program::standards::Compliance,
        program::ActiveCharter,
        crate::deploy::Check,
        crate::deploy::Deployment,
        List<crate::deploy::Deployment>,
        crate::deploy::Claim,
        List<crate::deploy::Claim>,
        crate::terminology::Term,
        List<crate::terminology::Term>,
        List<String>,
        ops::TermCheck,
        ops::StatusAnswer,
        ops::InitAnswer,
        ops::BackupAnswer,
        ops::RestoreAnswer,
        ops::ExportAnswer,
        ops::ImportAnswer,
        ops::ImportTextAnswer,
        ops::DoctorAnswer,
        userland::PreferenceAnswer,
        userland::PreferenceSetAnswer,
        userland::PreferenceListAnswer,
        userland::SkillAnswer,
        userland::SkillListAnswer,
        userland::RuleAnswer,
        userland::RuleListAnswer,
        userland::PatternsAnswer,
        userland::UserlandStatusAnswer,
        userland::ExtractPlanAnswer,
        userland::ExtractAnswer,
        ops::NodeListAnswer,
        ops::NodeAnswer,
        ops::NodeStartedAnswer,
        GuideAnswer,
        migrate::MigrateAnswer,
        queue::StatusAnswer,
        queue::MyWorkAnswer,
    ]
}

/// Every published input, by name (`docs/schema/input/<name>.json`).
pub fn inputs() -> Vec<(&'static str, Value)> {
    vec![
        ("work.claim", input_schema::<work::ClaimInput>("work.claim")),
        (
            "work.claim_next",
            input_schema::<work::ClaimNextInput>("work.claim_next"),
        ),
        (
            "work.context",
            input_schema::<work::ContextInput>("work.context"),
        ),
        (
            "work.outcome",
            input_schema::<work::OutcomeInput>("work.outcome"),
        ),
        (
            "work.evidence",
            input_schema::<work::EvidenceInput>("work.evidence"),
        ),
        (
            "work.decision",
            input_schema::<work::DecisionInput>("work.decision"),
        ),
        (
            "work.release",
            input_schema::<work::ReleaseInput>("work.release"),
        ),
        (
            "work.heartbeat",
            input_schema::<work::HeartbeatInput>("work.heartbeat"),
        ),
        (
            "work.handoff",
            input_schema::<work::HandoffInput>("work.handoff"),
        ),
        (
            "work.force_release",
            input_schema::<work::ForceReleaseInput>("work.force_release"),
        ),
        ("work.block", input_schema::<work::BlockInput>("work.block")),
        (
            "work.unblock",
            input_schema::<work::UnblockInput>("work.unblock"),
        ),
        (
            "roadmap.add",
            input_schema::<rm::calls::AddInput>("roadmap.add"),
        ),
        (
            "roadmap.update",
            input_schema::<rm::calls::UpdateInput>("roadmap.update"),
        ),
        (
            "roadmap.list",
            input_schema::<rm::calls::ListInput>("roadmap.list"),
        ),
        (
            "roadmap.ready",
            input_schema::<rm::calls::ReadyInput>("roadmap.ready"),
        ),
        (
            "roadmap.export",
            input_schema::<rm::calls::ExportInput>("roadmap.export"),
        ),
    ]
}

/// The text of a schema file as committed (pretty JSON, newline at the end).
pub fn file_text(schema: &Value) -> String {
    let mut s = serde_json::to_string_pretty(schema).expect("json");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/schema")
    }

    #[test]
    fn committed_schemas_are_the_types_schemas() {
        // Read by this test only (never by the binary, so not in `motus help environment`).
        const BLESS: &str = "MOTUS_BLESS";
        let bless = std::env::var_os(BLESS).is_some();
        let mut stale = Vec::new();
        let mut expected_files = std::collections::BTreeSet::new();
        for (sub, list) in [("", documents()), ("input/", inputs())] {
            for (name, schema) in list {
                let rel = format!("{sub}{name}.json");
                let path = dir().join(&rel);
                let text = file_text(&schema);
                expected_files.insert(rel.clone());
                if bless {
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(&path, &text).unwrap();
                } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                    stale.push(rel);
                }
            }
        }
        let ts_path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/js-api/src/contract.d.ts");
        let ts = typescript();
        if bless {
            std::fs::write(&ts_path, &ts).unwrap();
        } else if std::fs::read_to_string(&ts_path).ok().as_deref() != Some(ts.as_str()) {
            stale.push("web/js-api/src/contract.d.ts".into());
        }
        assert!(
            stale.is_empty(),
            "docs/schema is out of date for {stale:?}; run MOTUS_BLESS=1 cargo test -p motus-core answer::schema and commit"
        );
        // No schema file without a type.
        for sub in ["", "input/"] {
            for entry in std::fs::read_dir(dir().join(sub)).unwrap() {
                let entry = entry.unwrap();
                let name = entry.file_name().to_string_lossy().to_string();
                if name.ends_with(".json") {
                    let rel = format!("{sub}{name}");
                    assert!(
                        expected_files.contains(&rel),
                        "{rel} has no type; delete it"
                    );
                }
            }
        }
    }

    #[test]
    fn every_document_schema_requires_the_envelope() {
        for (name, s) in documents() {
            let req = s["required"].as_array().unwrap_or_else(|| panic!("{name}"));
            for k in ["ok", "contract_version"] {
                assert!(req.iter().any(|r| r == k), "{name} does not require {k}");
            }
        }
    }
}

/// TypeScript declarations of every document and input, generated from the same schemas
/// (the JS package's `.d.ts` includes them): `ClaimAnswer` is the document of
/// `db.claimWork(...)`, `ClaimInput` its argument.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from the contract's JSON Schemas (core/src/answer/schema.rs); do not edit.\n\
         // MOTUS_BLESS=1 cargo test -p motus-core answer::schema rewrites it.\n",
    );
    let mut defs = std::collections::BTreeMap::new();
    let mut named = Vec::new();
    for (_, s) in documents().into_iter().chain(inputs()) {
        let name = ts_name(s["title"].as_str().unwrap_or(""), &s);
        if let Some(d) = s.get("$defs").and_then(Value::as_object) {
            for (k, v) in d {
                let prev = defs.entry(k.clone()).or_insert_with(|| v.clone());
                assert_eq!(
                    prev, v,
                    "two types are named {k} in the schemas: rename one (#[schemars(rename)])"
                );
            }
        }
        named.push((name, s));
    }
    for (name, s) in named {
        out.push_str(&format!("export type {name} = {};\n", ts_type(&s)));
    }
    for (k, v) in defs {
        out.push_str(&format!("export type {k} = {};\n", ts_type(&v)));
    }
    out
}

/// `work.claim` document → `ClaimAnswer`; `work.claim` input → `ClaimInput`.
fn ts_name(title: &str, schema: &Value) -> String {
    let is_doc = schema["$id"].is_string();
    let base: String = title
        .split(['.', '_'])
        // The kernel's documents are named without their area (`ClaimAnswer`).
        .skip(usize::from(title.starts_with("work.")))
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let base = match base.as_str() {
        "Status" => "LeaseStatus".to_string(),
        "List" => "LeaseList".to_string(),
        "Block" if !is_doc => "Block".to_string(),
        _ => base,
    };
    if is_doc {
        format!("{base}Answer")
    } else {
        format!("{base}Input")
    }
}

fn ts_type(s: &Value) -> String {
    match s {
        Value::Bool(true) => return "unknown".into(),
        Value::Bool(false) => return "never".into(),
        _ => {}
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or("unknown").to_string();
    }
    if let Some(c) = s.get("const") {
        return c.to_string();
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" | ");
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            return alts.iter().map(ts_type).collect::<Vec<_>>().join(" | ");
        }
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        return all.iter().map(ts_type).collect::<Vec<_>>().join(" & ");
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ if s.get("properties").is_some() => vec!["object"],
        _ => return "unknown".into(),
    };
    types
        .iter()
        .map(|t| match *t {
            "string" => "string".to_string(),
            "integer" | "number" => "number".to_string(),
            "boolean" => "boolean".to_string(),
            "null" => "null".to_string(),
            "array" => match s.get("items") {
                Some(i) => format!("({})[]", ts_type(i)),
                None => "unknown[]".to_string(),
            },
            "object" => ts_object(s),
            _ => "unknown".to_string(),
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn ts_object(s: &Value) -> String {
    let Some(props) = s.get("properties").and_then(Value::as_object) else {
        return "Record<string, unknown>".into();
    };
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields: Vec<String> = props
        .iter()
        .map(|(k, v)| {
            let opt = if required.contains(&k.as_str()) {
                ""
            } else {
                "?"
            };
            format!("{k}{opt}: {}", ts_type(v))
        })
        .collect();
    format!("{{ {} }}", fields.join("; "))
}
