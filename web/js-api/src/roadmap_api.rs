//! `Database` methods for the roadmap and terminology: `motus roadmap …` as JS calls.

use crate::database::Database;
use crate::js_error::to_js_error;
use crate::roadmap_calls as calls;
use crate::to_js::{options_from_js, to_js};
use motus_core::answer::{document, Answer};
use motus_core::roadmap::calls as core_calls;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DependencyOptions {
    dependency_type: Option<String>,
    notes: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReasonOptions {
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct CreateOptions {
    id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AssignOptions {
    role: Option<String>,
    notes: Option<String>,
}

impl Database {
    /// A write call's typed answer as its document (what `motus … --json` prints).
    pub(crate) fn roadmap_write<A: Answer>(
        &self,
        call: impl FnOnce(&Self) -> motus_core::Result<A>,
    ) -> Result<JsValue, JsValue> {
        self.prepare_write()?;
        let a = call(self).map_err(|e| to_js_error(&e))?;
        to_js(&document(&a))
    }

    /// A read call's typed answer as its document.
    pub(crate) fn roadmap_read<A: Answer>(
        &self,
        call: impl FnOnce(&Self) -> motus_core::Result<A>,
    ) -> Result<JsValue, JsValue> {
        self.prepare_read()?;
        let a = call(self).map_err(|e| to_js_error(&e))?;
        to_js(&document(&a))
    }
}

#[wasm_bindgen]
impl Database {
    /// `motus roadmap add`: returns the item, with its id.
    #[wasm_bindgen(js_name = roadmapAdd, unchecked_return_type = "RoadmapAddAnswer")]
    pub fn roadmap_add(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RoadmapAddInput")] item: JsValue,
    ) -> Result<JsValue, JsValue> {
        let a: motus_core::roadmap::calls::AddInput = crate::work_api::input("item", item)?;
        self.roadmap_write(|db| core_calls::add(db.backend(), &db.env(), db.actor(), &a))
    }

    /// `motus roadmap show`: an item with its dependencies, dependents, assignments, readiness.
    #[wasm_bindgen(js_name = roadmapShow, unchecked_return_type = "RoadmapShowAnswer")]
    pub fn roadmap_show(&self, id: &str) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| core_calls::show(db.backend(), id))
    }

    /// `motus roadmap list`.
    #[wasm_bindgen(js_name = roadmapList, unchecked_return_type = "RoadmapListAnswer")]
    pub fn roadmap_list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RoadmapListInput")] filter: JsValue,
    ) -> Result<JsValue, JsValue> {
        let f: core_calls::ListInput = options_from_js("filter", filter)?;
        self.roadmap_read(|db| core_calls::list(db.backend(), &f))
    }

    /// `motus roadmap ready`: items that can start now, by rank (first 20 unless limit/all;
    /// `phase` and `assignee` filter as `--phase`/`--assignee` do). The same input as the MCP
    /// tool `roadmap_ready`.
    #[wasm_bindgen(js_name = roadmapReady, unchecked_return_type = "RoadmapReadyAnswer")]
    pub fn roadmap_ready(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RoadmapReadyInput")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: motus_core::roadmap::calls::ReadyInput = options_from_js("options", options)?;
        self.roadmap_read(|db| motus_core::roadmap::calls::ready(db.backend(), &o))
    }

    /// `motus roadmap blocked`: items held back, with what holds them.
    #[wasm_bindgen(js_name = roadmapBlocked, unchecked_return_type = "RoadmapBlockedAnswer")]
    pub fn roadmap_blocked(&self) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| core_calls::blocked(db.backend()))
    }

    /// `motus roadmap why`: what holds an item back, down to the roots.
    #[wasm_bindgen(js_name = roadmapWhy, unchecked_return_type = "RoadmapWhyAnswer")]
    pub fn roadmap_why(&self, id: &str) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| calls::why(db.backend(), id))
    }

    /// `motus roadmap dep add ITEM DEPENDS_ON` (refused when it would close a cycle).
    #[wasm_bindgen(js_name = roadmapAddDependency, unchecked_return_type = "RoadmapDependencyAnswer")]
    pub fn roadmap_add_dependency(
        &self,
        item: &str,
        depends_on: &str,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ dependency_type?: \"blocks\" | \"soft\" | \"related\"; notes?: string }"
        )]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: DependencyOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            calls::add_dependency(
                db.backend(),
                &db.env(),
                db.actor(),
                item,
                depends_on,
                o.dependency_type.as_deref(),
                o.notes.as_deref(),
            )
        })
    }

    /// `motus roadmap complete` (refused while a blocking prerequisite is unfinished).
    #[wasm_bindgen(js_name = roadmapComplete, unchecked_return_type = "RoadmapCompleteAnswer")]
    pub fn roadmap_complete(&self, id: &str) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| calls::complete(db.backend(), &db.env(), db.actor(), id))
    }

    /// `motus roadmap assign ID AGENT`.
    #[wasm_bindgen(js_name = roadmapAssign, unchecked_return_type = "RoadmapAssignAnswer")]
    pub fn roadmap_assign(
        &self,
        id: &str,
        agent: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ role?: string; notes?: string }")]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: AssignOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            calls::assign(
                db.backend(),
                &db.env(),
                db.actor(),
                id,
                agent,
                o.role.as_deref(),
                o.notes.as_deref(),
            )
        })
    }

    /// `motus roadmap history`: an item's snapshots and audit trail.
    #[wasm_bindgen(js_name = roadmapHistory, unchecked_return_type = "HistoryAnswer")]
    pub fn roadmap_history(&self, id: &str) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| calls::history(db.backend(), id))
    }

    /// `motus <kind> show ID` for a program kind: program, product, feature, release, cr,
    /// bug, standard, charter.
    #[wasm_bindgen(js_name = programShow, unchecked_return_type = "ProgramRecordAnswer | CrShowAnswer")]
    pub fn program_show(&self, kind: &str, id: &str) -> Result<JsValue, JsValue> {
        self.prepare_read()?;
        let shown = crate::program_calls::kind(kind)
            .and_then(|k| motus_core::program::calls::show(self.backend(), k, id))
            .map_err(|e| to_js_error(&e))?;
        to_js(&shown.document())
    }

    /// `motus <kind> list`.
    #[wasm_bindgen(js_name = programList, unchecked_return_type = "ProgramListAnswer")]
    pub fn program_list(
        &self,
        kind: &str,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ parent?: string; status?: string; all?: boolean; deleted?: boolean }"
        )]
        filter: JsValue,
    ) -> Result<JsValue, JsValue> {
        let f: motus_core::program::calls::ListInput = options_from_js("filter", filter)?;
        self.roadmap_read(|db| {
            let k = crate::program_calls::kind(kind)?;
            motus_core::program::calls::list(db.backend(), k, &f)
        })
    }

    /// `motus <kind> history ID`.
    #[wasm_bindgen(js_name = programHistory, unchecked_return_type = "HistoryAnswer")]
    pub fn program_history(&self, kind: &str, id: &str) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| crate::program_calls::history(db.backend(), kind, id))
    }

    /// The accepted keys of a terminology domain.
    #[wasm_bindgen(unchecked_return_type = "TerminologyTermsAnswer")]
    pub fn terms(&self, domain: &str) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| calls::terms(db.backend(), domain))
    }

    /// Every terminology domain that has keys.
    #[wasm_bindgen(js_name = terminologyDomains, unchecked_return_type = "TerminologyDomainsAnswer")]
    pub fn terminology_domains(&self) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| calls::domains(db.backend()))
    }

    /// Checks a terminology key as every write does: throws `invalid_input` naming the valid keys.
    #[wasm_bindgen(js_name = validateTerm, unchecked_return_type = "TerminologyValidAnswer")]
    pub fn validate_term(&self, field: &str, domain: &str, key: &str) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| calls::validate_term(db.backend(), field, domain, key))
    }

    /// `motus roadmap update ID`: the fields given change (an empty string clears an
    /// optional one); returns the item as it now is.
    #[wasm_bindgen(js_name = roadmapUpdate, unchecked_return_type = "RoadmapItemAnswer")]
    pub fn roadmap_update(
        &self,
        id: &str,
        #[wasm_bindgen(unchecked_param_type = "RoadmapUpdateInput")] changes: JsValue,
    ) -> Result<JsValue, JsValue> {
        let c: core_calls::UpdateInput = options_from_js("changes", changes)?;
        self.roadmap_write(|db| core_calls::update(db.backend(), &db.env(), db.actor(), id, &c))
    }

    /// `motus roadmap delete ID [--reason]` (soft: `roadmapRestore` brings it back).
    #[wasm_bindgen(js_name = roadmapDelete, unchecked_return_type = "RoadmapItemAnswer")]
    pub fn roadmap_delete(
        &self,
        id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ reason?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: ReasonOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            calls::delete(db.backend(), &db.env(), db.actor(), id, o.reason.as_deref())
        })
    }

    /// `motus roadmap restore ID`.
    #[wasm_bindgen(js_name = roadmapRestore, unchecked_return_type = "RoadmapItemAnswer")]
    pub fn roadmap_restore(&self, id: &str) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| calls::restore(db.backend(), &db.env(), db.actor(), id))
    }

    /// `motus roadmap export --json`: the roadmap as Markdown (default) or JSON text in
    /// `content`.
    #[wasm_bindgen(js_name = roadmapExport, unchecked_return_type = "RoadmapExportAnswer")]
    pub fn roadmap_export(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RoadmapExportInput")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: core_calls::ExportInput = options_from_js("options", options)?;
        self.roadmap_read(|db| {
            core_calls::export_text(db.backend(), db.env().clock.now(), &o, "markdown")
        })
    }

    /// `motus roadmap graph --json`: the dependency graph as DOT (default) or Mermaid text.
    #[wasm_bindgen(js_name = roadmapGraph, unchecked_return_type = "RoadmapExportAnswer")]
    pub fn roadmap_graph(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RoadmapExportInput")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: core_calls::ExportInput = options_from_js("options", options)?;
        self.roadmap_read(|db| {
            core_calls::export_text(db.backend(), db.env().clock.now(), &o, "dot")
        })
    }

    /// `motus terminology add DOMAIN KEY DISPLAY_NAME` (a new phase, status, …).
    #[wasm_bindgen(js_name = terminologyAdd, unchecked_return_type = "TerminologyTermAnswer")]
    pub fn terminology_add(
        &self,
        domain: &str,
        key: &str,
        display_name: &str,
    ) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| {
            calls::add_term(
                db.backend(),
                &db.env(),
                db.actor(),
                domain,
                key,
                display_name,
            )
        })
    }

    /// `motus <kind> add`: `fields` by column (`{ name: "Platform", owner: "ana" }`).
    #[wasm_bindgen(js_name = programCreate, unchecked_return_type = "ProgramRecordAnswer")]
    pub fn program_create(
        &self,
        kind: &str,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean | null>")]
        fields: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ id?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let f: serde_json::Map<String, serde_json::Value> = options_from_js("fields", fields)?;
        let o: CreateOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            crate::program_calls::create(
                db.backend(),
                &db.env(),
                db.actor(),
                kind,
                o.id.as_deref(),
                f,
            )
        })
    }

    /// `motus <kind> update ID`: the fields given change (`null` or `""` clears one).
    #[wasm_bindgen(js_name = programUpdate, unchecked_return_type = "ProgramRecordAnswer")]
    pub fn program_update(
        &self,
        kind: &str,
        id: &str,
        #[wasm_bindgen(unchecked_param_type = "Record<string, string | number | boolean | null>")]
        fields: JsValue,
    ) -> Result<JsValue, JsValue> {
        let f: serde_json::Map<String, serde_json::Value> = options_from_js("fields", fields)?;
        self.roadmap_write(|db| {
            crate::program_calls::update(db.backend(), &db.env(), db.actor(), kind, id, f)
        })
    }

    /// `motus <kind> delete ID [--reason]`.
    #[wasm_bindgen(js_name = programDelete, unchecked_return_type = "ProgramRecordAnswer")]
    pub fn program_delete(
        &self,
        kind: &str,
        id: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ reason?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: ReasonOptions = options_from_js("options", options)?;
        self.roadmap_write(|db| {
            crate::program_calls::delete(
                db.backend(),
                &db.env(),
                db.actor(),
                kind,
                id,
                o.reason.as_deref(),
            )
        })
    }

    /// `motus <kind> restore ID`.
    #[wasm_bindgen(js_name = programRestore, unchecked_return_type = "ProgramRecordAnswer")]
    pub fn program_restore(&self, kind: &str, id: &str) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| {
            crate::program_calls::restore(db.backend(), &db.env(), db.actor(), kind, id)
        })
    }
}
