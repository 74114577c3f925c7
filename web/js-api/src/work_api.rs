//! `Database` methods for the work kernel: `motus work …` as JS calls. Each returns the
//! document the CLI prints with `--json`; a denied verdict is a result (`decision`,
//! `reason_code`), not a thrown error, exactly as the CLI exits 1 but still prints it.

use crate::database::Database;
use crate::js_error::to_js_error;
use crate::to_js::{options_from_js, options_from_js_with, to_js};
use js_sys::Function;
use motus_core::answer::work::{self as calls, *};
use motus_core::answer::{document, Answer};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// An options object whose only key is read outside serde (a function).
#[derive(Debug, Default, Deserialize)]
struct NoOptions {}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ContextOptions {
    intent: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReleaseOptions {
    no_rollback: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct HeartbeatOptions {
    ttl_s: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ListOptions {
    all: bool,
}

/// Reads a required input object; a missing or malformed one is `invalid_input`.
pub(crate) fn input<T: serde::de::DeserializeOwned + Default>(
    field: &str,
    value: JsValue,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Err(to_js_error(&motus_core::Error::invalid(
            field,
            "an object is required",
        )));
    }
    options_from_js(field, value)
}

type Doc = motus_core::Result<serde_json::Value>;

/// The document of an answer: what `motus … --json` prints for the same call.
fn doc<A: Answer>(r: motus_core::Result<A>) -> Doc {
    r.map(|a| document(&a))
}

impl Database {
    fn write(&self, call: impl FnOnce(&Self) -> Doc) -> Result<JsValue, JsValue> {
        self.prepare_write()?;
        to_js(&call(self).map_err(|e| to_js_error(&e))?)
    }

    fn read(&self, call: impl FnOnce(&Self) -> Doc) -> Result<JsValue, JsValue> {
        self.prepare_read()?;
        to_js(&call(self).map_err(|e| to_js_error(&e))?)
    }
}

#[wasm_bindgen]
impl Database {
    /// `motus work claim`: a lease on the work item's resources and an attempt on it.
    #[wasm_bindgen(js_name = claimWork, unchecked_return_type = "ClaimAnswer")]
    pub fn claim_work(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ClaimInput")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let req: ClaimInput = input("request", request)?;
        self.write(|db| {
            doc(calls::claim(
                db.backend(),
                &db.env(),
                db.kernel_options(),
                req,
            ))
        })
    }

    /// `motus work claim --next`: claims the first ready roadmap item (by rank) that the
    /// filters allow and nobody holds, in one transaction; `DENY_NO_READY_WORK` when none is
    /// left. The same input and answer as the MCP tool `claim_next`.
    #[wasm_bindgen(js_name = claimNext, unchecked_return_type = "ClaimNextAnswer")]
    pub fn claim_next(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ClaimNextInput")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let req: calls::ClaimNextInput = options_from_js("request", request)?;
        self.write(|db| {
            doc(calls::claim_next(
                db.backend(),
                &db.env(),
                db.kernel_options(),
                req,
            ))
        })
    }

    /// `motus work context`: the lease's context lens.
    #[wasm_bindgen(js_name = getContext, unchecked_return_type = "ContextAnswer")]
    pub fn get_context(
        &self,
        lease_id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ intent?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: ContextOptions = options_from_js("options", options)?;
        self.write(|db| {
            doc(calls::context(
                db.backend(),
                &db.env(),
                db.kernel_options(),
                ContextInput {
                    lease_id: lease_id.into(),
                    intent: opts.intent,
                },
            ))
        })
    }

    /// `motus work outcome`.
    #[wasm_bindgen(js_name = putOutcome, unchecked_return_type = "OutcomeAnswer")]
    pub fn put_outcome(
        &self,
        lease_id: &str,
        #[wasm_bindgen(unchecked_param_type = "OutcomeInput")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let req: OutcomeInput = input("request", request)?;
        self.write(|db| {
            doc(calls::outcome(
                db.backend(),
                &db.env(),
                db.kernel_options(),
                lease_id,
                req,
            ))
        })
    }

    /// `motus work evidence`: typed, hashed evidence.
    #[wasm_bindgen(js_name = recordEvidence, unchecked_return_type = "EvidenceAnswer")]
    pub fn record_evidence(
        &self,
        lease_id: &str,
        #[wasm_bindgen(unchecked_param_type = "EvidenceInput")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let req: EvidenceInput = input("request", request)?;
        self.write(|db| {
            doc(calls::evidence(
                db.backend(),
                &db.env(),
                db.kernel_options(),
                lease_id,
                req,
            ))
        })
    }

    /// `motus work decision`.
    #[wasm_bindgen(js_name = recordDecision, unchecked_return_type = "DecisionAnswer")]
    pub fn record_decision(
        &self,
        lease_id: &str,
        #[wasm_bindgen(unchecked_param_type = "DecisionInput")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let req: DecisionInput = input("request", request)?;
        self.write(|db| {
            doc(calls::decision(
                db.backend(),
                &db.env(),
                db.kernel_options(),
                lease_id,
                req,
            ))
        })
    }

    /// `motus work release LEASE OUTCOME`: outcome is success | failure | partial | aborted.
    #[wasm_bindgen(js_name = releaseWork, unchecked_return_type = "ReleaseAnswer")]
    pub fn release_work(
        &self,
        lease_id: &str,
        outcome: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ no_rollback?: boolean }")]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: ReleaseOptions = options_from_js("options", options)?;
        self.write(|db| {
            doc(calls::release(
                db.backend(),
                &db.env(),
                db.kernel_options(),
                ReleaseInput {
                    lease_id: lease_id.into(),
                    outcome: outcome.into(),
                    no_rollback: opts.no_rollback,
                },
            ))
        })
    }

    /// `motus work heartbeat`.
    #[wasm_bindgen(unchecked_return_type = "HeartbeatAnswer")]
    pub fn heartbeat(
        &self,
        lease_id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ ttl_s?: number }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: HeartbeatOptions = options_from_js("options", options)?;
        self.write(|db| {
            doc(calls::heartbeat(
                db.backend(),
                &db.env(),
                db.kernel_options(),
                HeartbeatInput {
                    lease_id: lease_id.into(),
                    ttl_s: opts.ttl_s,
                },
            ))
        })
    }

    /// `motus work handoff`.
    #[wasm_bindgen(unchecked_return_type = "HandoffAnswer")]
    pub fn handoff(
        &self,
        lease_id: &str,
        to_agent: &str,
        reason: &str,
    ) -> Result<JsValue, JsValue> {
        self.write(|db| {
            doc(calls::handoff(
                db.backend(),
                &db.env(),
                db.kernel_options(),
                HandoffInput {
                    lease_id: lease_id.into(),
                    to_agent_id: to_agent.into(),
                    reason: reason.into(),
                },
            ))
        })
    }

    /// `motus work cleanup`: expire every overdue lease now.
    #[wasm_bindgen(unchecked_return_type = "CleanupAnswer")]
    pub fn cleanup(&self) -> Result<JsValue, JsValue> {
        self.write(|db| doc(calls::cleanup(db.backend(), &db.env())))
    }

    /// `motus work force-release` (role operator or architect).
    #[wasm_bindgen(js_name = forceRelease, unchecked_return_type = "ForceReleaseAnswer")]
    pub fn force_release(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ForceReleaseInput")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let req: ForceReleaseInput = input("request", request)?;
        self.write(|db| doc(calls::force_release(db.backend(), &db.env(), req)))
    }

    /// `motus work block`: a blocker on a lease's work item (or a work item by id).
    #[wasm_bindgen(js_name = createBlocker, unchecked_return_type = "BlockerAnswer")]
    pub fn create_blocker(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BlockInput")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let req: BlockInput = input("request", request)?;
        self.write(|db| doc(calls::block(db.backend(), &db.env(), req)))
    }

    /// `motus work unblock`.
    #[wasm_bindgen(js_name = resolveBlocker, unchecked_return_type = "BlockerAnswer")]
    pub fn resolve_blocker(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UnblockInput")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let req: UnblockInput = input("request", request)?;
        self.write(|db| doc(calls::unblock(db.backend(), &db.env(), req)))
    }

    /// `motus work status`: one lease with everything recorded on it.
    #[wasm_bindgen(js_name = leaseStatus, unchecked_return_type = "LeaseStatusAnswer")]
    pub fn lease_status(&self, lease_id: &str) -> Result<JsValue, JsValue> {
        self.read(|db| doc(calls::status(db.backend(), db.env().now(), lease_id)))
    }

    /// `motus work list [--all]`.
    #[wasm_bindgen(js_name = listLeases, unchecked_return_type = "LeaseListAnswer")]
    pub fn list_leases(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ all?: boolean }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: ListOptions = options_from_js("options", options)?;
        self.read(|db| doc(calls::list(db.backend(), db.env().now(), opts.all)))
    }

    /// `motus work verify`: recompute every evidence hash of a lease or work item. Attached
    /// files are re-hashed with `hashFile(path)` (returns the hex SHA-256, or null when the
    /// file is gone); without it their status is `unchecked`.
    #[wasm_bindgen(js_name = verifyEvidence, unchecked_return_type = "VerifyAnswer")]
    pub fn verify_evidence(
        &self,
        target: &str,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ hashFile?: (path: string) => string | null }"
        )]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        // Nothing but `hashFile` (a function, which serde cannot carry): a typo is refused.
        let _: NoOptions = options_from_js_with("options", options.clone(), &["hashFile"])?;
        let hash_file = if options.is_object() {
            js_sys::Reflect::get(&options, &"hashFile".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
        } else {
            None
        };
        let rehash = hash_file.map(|f| {
            move |path: &str| -> Option<String> {
                f.call1(&JsValue::NULL, &path.into())
                    .ok()
                    .and_then(|v| v.as_string())
            }
        });
        self.read(|db| {
            doc(calls::verify(
                db.backend(),
                target,
                rehash
                    .as_ref()
                    .map(|f| f as &dyn Fn(&str) -> Option<String>),
            ))
        })
    }
}
