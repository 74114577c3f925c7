//! Functions that need no database: evidence hashing (the kernel's own canonical JSON and
//! SHA-256) and validation of ids and types, with the kernel's messages.

use crate::js_error::to_js_error;
use crate::to_js::{options_from_js, to_js};
use motus_core::kernel::{self, canonical, records};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct Hashed {
    sha256: String,
    size_bytes: u64,
}

/// SHA-256 and size of bytes (what a file attached as evidence is recorded with).
#[wasm_bindgen(js_name = hashBytes, unchecked_return_type = "{ sha256: string; size_bytes: number }")]
pub fn hash_bytes(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let mut h = canonical::Sha256Stream::new();
    h.update(bytes);
    let (sha256, size_bytes) = h.finish();
    to_js(&Hashed { sha256, size_bytes })
}

/// The canonical JSON the kernel hashes: keys sorted, no spaces, non-ASCII escaped.
#[wasm_bindgen(js_name = canonicalJson)]
pub fn canonical_json(value: JsValue) -> Result<String, JsValue> {
    let v: serde_json::Value = serde_wasm_bindgen::from_value(value)
        .map_err(|e| to_js_error(&motus_core::Error::invalid("value", e.to_string())))?;
    Ok(canonical::to_canonical_json(&v))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct EvidenceContent {
    evidence_type: String,
    artifacts: Option<serde_json::Value>,
    test_results: Option<serde_json::Value>,
    diff_summary: Option<String>,
    log_excerpt: Option<String>,
}

/// The hash the kernel stores for evidence with this content (as stored: `artifacts`,
/// `test_results`, `diff_summary`, `log_excerpt`).
#[wasm_bindgen(js_name = evidenceHash)]
pub fn evidence_hash(
    #[wasm_bindgen(unchecked_param_type = "EvidenceContent")] content: JsValue,
) -> Result<String, JsValue> {
    let c: EvidenceContent = options_from_js("content", content)?;
    Ok(records::evidence_hash(
        &c.evidence_type,
        c.artifacts.as_ref(),
        c.test_results.as_ref(),
        c.diff_summary.as_deref(),
        c.log_excerpt.as_deref(),
    ))
}

fn check(r: motus_core::Result<()>) -> Result<(), JsValue> {
    r.map_err(|e| to_js_error(&e))
}

/// Throws `invalid_input` unless `id` looks like `lease-20261126-1a2b3c4d`.
#[wasm_bindgen(js_name = validateLeaseId)]
pub fn validate_lease_id(id: &str) -> Result<(), JsValue> {
    check(kernel::lease::validate_lease_id(id))
}

/// Throws `invalid_input` unless `t` is an evidence type the kernel accepts.
#[wasm_bindgen(js_name = validateEvidenceType)]
pub fn validate_evidence_type(t: &str) -> Result<(), JsValue> {
    check(records::validate_evidence_type(t))
}

/// Throws `invalid_input` unless `t` is a decision type the kernel accepts.
#[wasm_bindgen(js_name = validateDecisionType)]
pub fn validate_decision_type(t: &str) -> Result<(), JsValue> {
    check(records::validate_decision_type(t))
}

/// The evidence types, decision types and blocker reasons the kernel accepts.
#[wasm_bindgen(js_name = kernelVocabulary, unchecked_return_type = "{ evidence_types: string[]; decision_types: string[]; blocker_reasons: string[] }")]
pub fn kernel_vocabulary() -> Result<JsValue, JsValue> {
    /// What the kernel accepts, by list.
    #[derive(serde::Serialize)]
    struct Vocabulary {
        evidence_types: &'static [&'static str],
        decision_types: &'static [&'static str],
        blocker_reasons: &'static [&'static str],
    }
    to_js(&Vocabulary {
        evidence_types: records::EVIDENCE_TYPES,
        decision_types: records::DECISION_TYPES,
        blocker_reasons: kernel::blockers::BLOCKER_REASONS,
    })
}
