//! `Database` methods for userland data: preferences, skills, ground rules, patterns
//! (`motus pref|skill|rule|pattern …` as JS calls, through `motus_core::userland::calls`).
//!
//! The host hands over one connection, on coordination.db. While the rows live there (no
//! `motus userland extract` ran) every call works on it. After an extraction they live in
//! userland.db: the host attaches that file to its connection as schema `userland` and the
//! calls follow it (checked to be the file the rows moved to); without it they answer
//! `cannot_open` saying so. A module has no file of its own to attach.

use crate::database::Database;
use crate::js_error::to_js_error;
use crate::to_js::options_from_js;
use motus_core::userland::calls::{
    self, ListInput, PatternListInput, PrefSetOptions, ReasonInput, RuleAddOptions, RuleListInput,
    SkillAddOptions,
};
use motus_core::userland::location::{self, Location};
use wasm_bindgen::prelude::*;

impl Database {
    /// A read: the schema as the CLI's reads want it, then where the rows are.
    fn userland_read<A: motus_core::answer::Answer>(
        &self,
        call: impl FnOnce(&Self, &Location) -> motus_core::Result<A>,
    ) -> Result<JsValue, JsValue> {
        self.roadmap_read(|db| call(db, &location::resolve_attached(db.backend())?))
    }

    /// A write: the schema created or upgraded first, then where the rows are.
    fn userland_write<A: motus_core::answer::Answer>(
        &self,
        call: impl FnOnce(&Self, &Location) -> motus_core::Result<A>,
    ) -> Result<JsValue, JsValue> {
        self.roadmap_write(|db| call(db, &location::resolve_attached(db.backend())?))
    }
}

#[wasm_bindgen]
impl Database {
    /// `motus pref get KEY`: the preference (unset keys are `not_found`).
    #[wasm_bindgen(js_name = prefGet, unchecked_return_type = "PrefPreferenceAnswer")]
    pub fn pref_get(&self, key: &str) -> Result<JsValue, JsValue> {
        self.userland_read(|db, loc| calls::pref_get(db.backend(), loc, key))
    }

    /// `motus pref set KEY VALUE [--source]`: creates, replaces or brings back the key.
    #[wasm_bindgen(js_name = prefSet, unchecked_return_type = "PrefSetAnswer")]
    pub fn pref_set(
        &self,
        key: &str,
        value: &str,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ source?: \"cli\" | \"config_file\" | \"learned\" }"
        )]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: PrefSetOptions = options_from_js("options", options)?;
        self.userland_write(|db, loc| {
            calls::pref_set(db.backend(), loc, &db.env(), db.actor(), key, value, &o)
        })
    }

    /// `motus pref list [--all]`.
    #[wasm_bindgen(js_name = prefList, unchecked_return_type = "PrefListAnswer")]
    pub fn pref_list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ all?: boolean }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: ListInput = options_from_js("options", options)?;
        self.userland_read(|db, loc| calls::pref_list(db.backend(), loc, &o))
    }

    /// `motus pref unset KEY [--reason]` (a soft delete).
    #[wasm_bindgen(js_name = prefUnset, unchecked_return_type = "PrefPreferenceAnswer")]
    pub fn pref_unset(
        &self,
        key: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ reason?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: ReasonInput = options_from_js("options", options)?;
        self.userland_write(|db, loc| {
            calls::pref_unset(db.backend(), loc, &db.env(), db.actor(), key, &o)
        })
    }

    /// `motus skill add NAME --threshold N [--progress N]`.
    #[wasm_bindgen(js_name = skillAdd, unchecked_return_type = "SkillSkillAnswer")]
    pub fn skill_add(
        &self,
        name: &str,
        threshold: f64,
        #[wasm_bindgen(unchecked_optional_param_type = "{ progress?: number }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: SkillAddOptions = options_from_js("options", options)?;
        let threshold = whole("threshold", threshold)?;
        self.userland_write(|db, loc| {
            calls::skill_add(
                db.backend(),
                loc,
                &db.env(),
                db.actor(),
                name,
                threshold,
                &o,
            )
        })
    }

    /// `motus skill list [--all]`.
    #[wasm_bindgen(js_name = skillList, unchecked_return_type = "SkillListAnswer")]
    pub fn skill_list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ all?: boolean }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: ListInput = options_from_js("options", options)?;
        self.userland_read(|db, loc| calls::skill_list(db.backend(), loc, &o))
    }

    /// `motus skill show NAME`.
    #[wasm_bindgen(js_name = skillShow, unchecked_return_type = "SkillSkillAnswer")]
    pub fn skill_show(&self, name: &str) -> Result<JsValue, JsValue> {
        self.userland_read(|db, loc| calls::skill_show(db.backend(), loc, name))
    }

    /// `motus skill delete NAME [--reason]` (a soft delete).
    #[wasm_bindgen(js_name = skillDelete, unchecked_return_type = "SkillSkillAnswer")]
    pub fn skill_delete(
        &self,
        name: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "{ reason?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: ReasonInput = options_from_js("options", options)?;
        self.userland_write(|db, loc| {
            calls::skill_delete(db.backend(), loc, &db.env(), db.actor(), name, &o)
        })
    }

    /// `motus rule add TYPE VALUE [--source]`.
    #[wasm_bindgen(js_name = ruleAdd, unchecked_return_type = "RuleRuleAnswer")]
    pub fn rule_add(
        &self,
        rule_type: &str,
        rule_value: &str,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ source?: \"user_defined\" | \"default\" | \"imported\" }"
        )]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: RuleAddOptions = options_from_js("options", options)?;
        self.userland_write(|db, loc| {
            calls::rule_add(
                db.backend(),
                loc,
                &db.env(),
                db.actor(),
                rule_type,
                rule_value,
                &o,
            )
        })
    }

    /// `motus rule list [--type] [--all]`.
    #[wasm_bindgen(js_name = ruleList, unchecked_return_type = "RuleListAnswer")]
    pub fn rule_list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ rule_type?: string; all?: boolean }")]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: RuleListInput = options_from_js("options", options)?;
        self.userland_read(|db, loc| calls::rule_list(db.backend(), loc, &o))
    }

    /// `motus rule delete ID [--reason]` (a soft delete).
    #[wasm_bindgen(js_name = ruleDelete, unchecked_return_type = "RuleRuleAnswer")]
    pub fn rule_delete(
        &self,
        id: f64,
        #[wasm_bindgen(unchecked_optional_param_type = "{ reason?: string }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: ReasonInput = options_from_js("options", options)?;
        let id = whole("id", id)?;
        self.userland_write(|db, loc| {
            calls::rule_delete(db.backend(), loc, &db.env(), db.actor(), id, &o)
        })
    }

    /// `motus pattern list [--type] [--kind] [--all]`: learned and detected patterns.
    #[wasm_bindgen(js_name = patternList, unchecked_return_type = "PatternListAnswer")]
    pub fn pattern_list(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ pattern_type?: string; kind?: \"learned\" | \"detected\"; all?: boolean }"
        )]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: PatternListInput = options_from_js("options", options)?;
        self.userland_read(|db, loc| calls::pattern_list(db.backend(), loc, &o))
    }
}

/// A JS number that must be a whole number (a count, an id).
fn whole(field: &str, n: f64) -> Result<i64, JsValue> {
    if n.is_finite() && n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
        Ok(n as i64)
    } else {
        Err(to_js_error(&motus_core::Error::invalid(
            field,
            format!("{n} is not a whole number"),
        )))
    }
}
