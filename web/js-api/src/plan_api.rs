//! `Database` methods for the rest of the planning commands: roadmap dependencies removed and
//! moved, assignments released, reviews, an item's status and an agent's work; change-request
//! dependencies, standards and charters. Each answers the document `motus … --json` prints
//! for the same call (core's answers; `tests/node/parity_plan.test.cjs`).

use crate::database::Database;
use crate::to_js::options_from_js;
use motus_core::answer::queue;
use motus_core::program::calls as program;
use motus_core::program::{charters, crs, standards};
use motus_core::roadmap::{assignments, dependencies, items};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AgentOptions {
    /// The agent (default: the database's actor).
    agent: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReviewOptions {
    comment: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CrDependencyOptions {
    /// `blocks` (default), `related` or `supersedes`.
    dependency_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AssignStandardOptions {
    inherited: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordInput {
    /// `pass`, `fail`, `skip` or `error`.
    result: String,
    #[serde(default)]
    release: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ResultsFilter {
    standard: Option<String>,
    /// `TYPE:ID`.
    entity: Option<String>,
    release: Option<String>,
}

#[wasm_bindgen]
impl Database {
    /// `motus roadmap dep rm ITEM DEPENDS_ON`: the edge that was removed.
    #[wasm_bindgen(js_name = roadmapRemoveDependency, unchecked_return_type = "RoadmapDependencyAnswer")]
    pub fn roadmap_remove_dependency(
        &self,
        item: &str,
        depends_on: &str,
    ) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| {
            dependencies::remove(db.backend(), &db.env(), db.actor(), item, depends_on)
        })
    }

    /// `motus roadmap dep move ITEM OLD NEW`: the edge, now to `new`.
    #[wasm_bindgen(js_name = roadmapMoveDependency, unchecked_return_type = "RoadmapDependencyAnswer")]
    pub fn roadmap_move_dependency(
        &self,
        item: &str,
        old: &str,
        new: &str,
    ) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| {
            dependencies::retarget(db.backend(), &db.env(), db.actor(), item, old, new)
        })
    }

    /// `motus roadmap release ID [--agent]`: the agent's assignments on the item dropped.
    #[wasm_bindgen(js_name = roadmapRelease, unchecked_return_type = "RoadmapReleaseAnswer")]
    pub fn roadmap_release(
        &self,
        id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ agent?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: AgentOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            let who = o.agent.as_deref().unwrap_or(db.actor());
            assignments::release(db.backend(), &db.env(), db.actor(), id, who)
        })
    }

    /// `motus roadmap review ID [-c COMMENT]`: the item, now in review.
    #[wasm_bindgen(js_name = roadmapReview, unchecked_return_type = "RoadmapItemAnswer")]
    pub fn roadmap_review(
        &self,
        id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ comment?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: ReviewOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            items::review(
                db.backend(),
                &db.env(),
                db.actor(),
                id,
                o.comment.as_deref(),
            )
        })
    }

    /// `motus roadmap status ID [--agent]`: whether the agent can take it, and what holds it.
    #[wasm_bindgen(js_name = roadmapStatus, unchecked_return_type = "RoadmapStatusAnswer")]
    pub fn roadmap_status(
        &self,
        id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ agent?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: AgentOptions = options_from_js("options", options)?;
        self.roadmap_read(|db| {
            let who = o.agent.as_deref().unwrap_or(db.actor());
            queue::status(db.backend(), db.env().clock.now(), who, id)
        })
    }

    /// `motus roadmap my-work [--agent]`: the agent's assigned and leased items.
    #[wasm_bindgen(js_name = roadmapMyWork, unchecked_return_type = "RoadmapMyWorkAnswer")]
    pub fn roadmap_my_work(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ agent?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: AgentOptions = options_from_js("options", options)?;
        self.roadmap_read(|db| {
            let who = o.agent.as_deref().unwrap_or(db.actor());
            queue::my_work(db.backend(), db.env().clock.now(), who)
        })
    }

    /// `motus cr dep add CR DEPENDS_ON [--type]`.
    #[wasm_bindgen(js_name = crAddDependency, unchecked_return_type = "CrDependencyAnswer")]
    pub fn cr_add_dependency(
        &self,
        cr: &str,
        depends_on: &str,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ dependency_type?: \"blocks\" | \"related\" | \"supersedes\" }"
        )]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: CrDependencyOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            let t = o.dependency_type.as_deref().unwrap_or("blocks");
            crs::add(db.backend(), &db.env(), db.actor(), cr, depends_on, t)
        })
    }

    /// `motus cr dep rm CR DEPENDS_ON`.
    #[wasm_bindgen(js_name = crRemoveDependency, unchecked_return_type = "CrDependencyRemovedAnswer")]
    pub fn cr_remove_dependency(&self, cr: &str, depends_on: &str) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| {
            program::cr_dep_remove(db.backend(), &db.env(), db.actor(), cr, depends_on)
        })
    }

    /// `motus standard assign ID TYPE:ENTITY [--inherited]`.
    #[wasm_bindgen(js_name = standardAssign, unchecked_return_type = "StandardAssignmentAnswer")]
    pub fn standard_assign(
        &self,
        id: &str,
        entity: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ inherited?: boolean }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: AssignStandardOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            let (t, e) = standards::parse_entity(entity)?;
            standards::assign(db.backend(), &db.env(), db.actor(), id, &t, &e, o.inherited)
        })
    }

    /// `motus standard unassign ID TYPE:ENTITY`.
    #[wasm_bindgen(js_name = standardUnassign, unchecked_return_type = "StandardUnassignAnswer")]
    pub fn standard_unassign(&self, id: &str, entity: &str) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| {
            let (t, e) = standards::parse_entity(entity)?;
            program::standard_unassign(db.backend(), &db.env(), db.actor(), id, &t, &e)
        })
    }

    /// `motus standard record ID TYPE:ENTITY --result R [--release] [--value] [--error]`.
    #[wasm_bindgen(js_name = standardRecord, unchecked_return_type = "StandardResultAnswer")]
    pub fn standard_record(
        &self,
        id: &str,
        entity: &str,
        #[wasm_bindgen(
            unchecked_param_type = "{ result: \"pass\" | \"fail\" | \"skip\" | \"error\"; release?: string; value?: string; error?: string }"
        )]
        request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let r: RecordInput = crate::work_api::input("request", request)?;
        self.roadmap_write(|db| {
            let (t, e) = standards::parse_entity(entity)?;
            standards::record_result(
                db.backend(),
                &db.env(),
                db.actor(),
                &standards::NewResult {
                    standard_id: id.into(),
                    entity_type: t,
                    entity_id: e,
                    release_id: r.release.clone(),
                    result: r.result.clone(),
                    result_value: r.value.clone(),
                    error_message: r.error.clone(),
                },
            )
        })
    }

    /// `motus standard results [--standard] [--entity TYPE:ID] [--release]`.
    #[wasm_bindgen(js_name = standardResults, unchecked_return_type = "StandardResultsAnswer")]
    pub fn standard_results(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ standard?: string; entity?: string; release?: string }"
        )]
        filter: JsValue,
    ) -> Result<JsValue, JsValue> {
        let f: ResultsFilter = options_from_js("filter", filter)?;
        self.roadmap_read(|db| {
            let entity = f
                .entity
                .as_deref()
                .map(standards::parse_entity)
                .transpose()?;
            let rs = standards::results(
                db.backend(),
                f.standard.as_deref(),
                entity.as_ref().map(|(t, i)| (t.as_str(), i.as_str())),
                f.release.as_deref(),
            )?;
            Ok(motus_core::answer::List::from(rs))
        })
    }

    /// `motus standard compliance TYPE:ENTITY`.
    #[wasm_bindgen(js_name = standardCompliance, unchecked_return_type = "StandardComplianceAnswer")]
    pub fn standard_compliance(&self, entity: &str) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| {
            let (t, e) = standards::parse_entity(entity)?;
            standards::compliance(db.backend(), &t, &e)
        })
    }

    /// `motus charter activate ID`: the charter, now the active one of its type.
    #[wasm_bindgen(js_name = charterActivate, unchecked_return_type = "ProgramRecordAnswer")]
    pub fn charter_activate(&self, id: &str) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| {
            charters::activate(db.backend(), &db.env(), db.actor(), id)
                .map(motus_core::answer::program::ProgramRecord)
        })
    }

    /// `motus charter active DOC_TYPE`: the active document of that type (`charter: null`
    /// when none is).
    #[wasm_bindgen(js_name = charterActive, unchecked_return_type = "CharterActiveAnswer")]
    pub fn charter_active(&self, doc_type: &str) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| program::charter_active(db.backend(), doc_type))
    }
}
