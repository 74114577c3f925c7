//! `Database` methods for the deploy gate: `motus deploy check|record|list|finish|claim …` as
//! JS calls, each answering the binary's document for the same call (`deploy check`'s
//! `command`, a command line, is the CLI's to add: null here); `tests/node/parity_plan.test.cjs`.

use crate::database::Database;
use crate::to_js::options_from_js;
use motus_core::answer::List;
use motus_core::deploy::{self, NewClaim};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct TargetOptions {
    /// `website` (the default of `check`), `pypi` or `docs`.
    target: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct StatusOptions {
    status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimInput {
    claim_text: String,
    page: String,
    /// `quantitative` or `qualitative`.
    claim_type: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    test_file: Option<String>,
    #[serde(default)]
    test_function: Option<String>,
}

#[wasm_bindgen]
impl Database {
    /// `motus deploy check [--target]`: whether the target may be deployed (`ok`), and the
    /// claims that block it.
    #[wasm_bindgen(js_name = deployCheck, unchecked_return_type = "DeployCheckAnswer")]
    pub fn deploy_check(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ target?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: TargetOptions = options_from_js("options", options)?;
        self.roadmap_read(|db| {
            deploy::check(db.backend(), o.target.as_deref().unwrap_or("website"))
        })
    }

    /// `motus deploy record TARGET VERSION [--status]` (default `pending`).
    #[wasm_bindgen(js_name = deployRecord, unchecked_return_type = "DeployDeploymentAnswer")]
    pub fn deploy_record(
        &self,
        target: &str,
        version: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ status?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: StatusOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            let status = o.status.as_deref().unwrap_or("pending");
            deploy::record(db.backend(), &db.env(), db.actor(), target, version, status)
        })
    }

    /// `motus deploy list [--target]`.
    #[wasm_bindgen(js_name = deployList, unchecked_return_type = "DeployListAnswer")]
    pub fn deploy_list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ target?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: TargetOptions = options_from_js("options", options)?;
        self.roadmap_read(|db| {
            Ok(List::from(deploy::deployments(
                db.backend(),
                o.target.as_deref(),
            )?))
        })
    }

    /// `motus deploy finish ID --status S`.
    #[wasm_bindgen(js_name = deployFinish, unchecked_return_type = "DeployDeploymentAnswer")]
    pub fn deploy_finish(&self, id: f64, status: &str) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| {
            deploy::set_deployment_status(db.backend(), &db.env(), db.actor(), id as i64, status)
        })
    }

    /// `motus deploy claim add TEXT --page P --type T [--id] [--test-file] [--test-function]`.
    #[wasm_bindgen(js_name = deployClaimAdd, unchecked_return_type = "DeployClaimAnswer")]
    pub fn deploy_claim_add(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ claim_text: string; page: string; claim_type: \"quantitative\" | \"qualitative\"; id?: string; test_file?: string; test_function?: string }"
        )]
        claim: JsValue,
    ) -> Result<JsValue, JsValue> {
        let c: ClaimInput = crate::work_api::input("claim", claim)?;
        self.roadmap_write(|db| {
            deploy::add_claim(
                db.backend(),
                &db.env(),
                db.actor(),
                &NewClaim {
                    id: c.id.clone(),
                    claim_text: c.claim_text.clone(),
                    page: c.page.clone(),
                    claim_type: c.claim_type.clone(),
                    test_file: c.test_file.clone(),
                    test_function: c.test_function.clone(),
                },
            )
        })
    }

    /// `motus deploy claim list`.
    #[wasm_bindgen(js_name = deployClaimList, unchecked_return_type = "DeployClaimsAnswer")]
    pub fn deploy_claim_list(&self) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| Ok(List::from(deploy::claims(db.backend())?)))
    }

    /// `motus deploy claim set ID STATUS` (a test run's verdict: `pass`, `fail`, …).
    #[wasm_bindgen(js_name = deployClaimSet, unchecked_return_type = "DeployClaimAnswer")]
    pub fn deploy_claim_set(&self, id: &str, status: &str) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| {
            deploy::set_claim_status(db.backend(), &db.env(), db.actor(), id, status)
        })
    }
}
