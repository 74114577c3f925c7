//! The contract: every document a front end prints or returns (`motus … --json`, the JS
//! API, the MCP server) is built here, from typed answers, so all of them say the same thing
//! in the same shape. See `docs/contract.md` for the rules and the versioning policy.
//!
//! - Every document is a JSON object with `ok` and `contract_version`.
//! - `ok` is true exactly when the call did what was asked (the CLI exits 0): a granted
//!   claim, an accepted record, a passing check. A refused verdict (DENIED/BUSY, a failed
//!   check) is an answer with `ok: false` and its `reason_code`/`message`.
//! - A call that could not run at all answers [`ErrorAnswer`]: `{"ok": false, "error":
//!   {"code", "message", "hint"?, "context"?}}`.
//! - Lists are `{"items": [...], "count": N}`; timestamps are RFC 3339 UTC with
//!   milliseconds (`2026-12-02T14:33:29.817Z`); ids are `work_id`, `lease_id`, `agent_id`.

pub mod errors;
pub mod migrate;
pub mod ops;
pub mod program;
pub mod queue;
pub mod roadmap;
pub mod schema;
pub mod userland;
pub mod work;

use crate::time::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

pub use errors::{ErrorAnswer, ErrorBody};

/// Bumped when a document loses a field, renames one, or changes a field's type or meaning.
/// Adding documents, fields, error codes or enum values keeps it (readers ignore what they
/// do not know). 2: `roadmap why`'s chain nodes carry `parent` instead of the whole `path`
/// (the paths grew with the square of a chain's depth).
pub const CONTRACT_VERSION: u32 = 2;

/// One operation's answer: a typed value with a stable document name.
pub trait Answer: Serialize {
    /// The document's name: the file `docs/schema/<NAME>.json` describes it.
    const NAME: &'static str;
    /// Whether the call did what was asked (the CLI's exit code 0).
    fn ok(&self) -> bool {
        true
    }
}

/// What every document carries around its answer. The schema of a document is the schema
/// of `Document<ItsAnswer>`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Document<T> {
    /// True exactly when the call did what was asked (exit code 0).
    pub ok: bool,
    /// The contract's version ([`CONTRACT_VERSION`]).
    pub contract_version: u32,
    #[serde(flatten)]
    pub answer: T,
}

/// The document of a typed answer.
pub fn document<A: Answer>(answer: &A) -> Value {
    let ok = answer.ok();
    let mut body = serde_json::to_value(answer).expect("answers serialize");
    // Rows read from the database carry whatever format wrote them; the document has one.
    normalize_timestamps(&mut body);
    let mut doc = Map::new();
    doc.insert("ok".into(), Value::Bool(ok));
    doc.insert("contract_version".into(), Value::from(CONTRACT_VERSION));
    match body {
        Value::Object(m) => doc.extend(m),
        other => {
            doc.insert("value".into(), other);
        }
    }
    Value::Object(doc)
}

/// `prime`: the agent guide.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct GuideAnswer {
    pub guide: String,
}

impl Answer for GuideAnswer {
    const NAME: &'static str = "prime";
}

/// The one timestamp format: every string under a key ending in `_at` (or a deadline) that
/// reads as a timestamp is written RFC 3339 UTC with milliseconds. Rows read from the
/// database carry whatever format wrote them (ours, SQLite's, the original's).
pub fn normalize_timestamps(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_timestamp_key(k) {
                    if let Value::String(s) = v {
                        if let Some(ts) = parse_instant(s) {
                            *s = ts.to_rfc3339();
                            continue;
                        }
                    }
                }
                normalize_timestamps(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_timestamps),
        _ => {}
    }
}

fn is_timestamp_key(k: &str) -> bool {
    k.ends_with("_at") || k.ends_with("_deadline") || k == "deadline" || k == "timestamp"
}

/// A timestamp with a time of day (a bare date stays a date).
fn parse_instant(s: &str) -> Option<Timestamp> {
    if s.len() <= 10 {
        return None;
    }
    Timestamp::parse(s)
}

/// Serializes a [`Timestamp`] in the contract's format.
pub fn ts<S: serde::Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&ts.to_rfc3339())
}

/// Serializes an optional [`Timestamp`] in the contract's format.
pub fn ts_opt<S: serde::Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match ts {
        Some(t) => s.serialize_str(&t.to_rfc3339()),
        None => s.serialize_none(),
    }
}

impl JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 UTC with milliseconds, e.g. 2026-12-02T14:33:29.817Z"
        })
    }
}

/// The envelope alone: the schema every document satisfies, and the one of the documents
/// whose answers are not typed yet (`docs/schema/envelope.json`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Envelope {}

impl Answer for Envelope {
    const NAME: &'static str = "envelope";
}

/// A list in the one shape every list has.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct List<T> {
    pub count: usize,
    pub items: Vec<T>,
}

impl<T> From<Vec<T>> for List<T> {
    fn from(items: Vec<T>) -> Self {
        List {
            count: items.len(),
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_document_says_ok_and_the_version_beside_the_answer() {
        let d = document(&GuideAnswer {
            guide: "read me".into(),
        });
        assert_eq!(
            d,
            json!({"ok": true, "contract_version": CONTRACT_VERSION, "guide": "read me"})
        );
        let failure = document(&ErrorAnswer::new("busy", "held"));
        assert_eq!(failure["ok"], false);
        assert_eq!(failure["error"]["code"], "busy");
    }

    #[test]
    fn timestamps_are_written_in_one_format_and_dates_stay_dates() {
        let mut d = json!({"created_at": "2026-12-02 14:23:36.264", "rows": [{"updated_at": "2026-12-02T14:33:29.817Z", "target_date": "2026-12-31"}], "due_at": "2026-12-31", "title_at": "not a time"});
        normalize_timestamps(&mut d);
        assert_eq!(d["created_at"], "2026-12-02T14:23:36.264Z");
        assert_eq!(d["rows"][0]["updated_at"], "2026-12-02T14:33:29.817Z");
        assert_eq!(d["rows"][0]["target_date"], "2026-12-31");
        assert_eq!(d["due_at"], "2026-12-31");
        assert_eq!(d["title_at"], "not a time");
    }
}
