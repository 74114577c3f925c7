//! The userland commands as calls: `pref`, `skill`, `rule` and `pattern`, each from a resolved
//! [`Location`] to its typed answer (the document `motus … --json` prints). The CLI and the
//! JS API both call these, so the answers are assembled once. Writes run in one
//! transaction through [`Location::write`] (which refuses a write racing an extraction).
//! Inputs derive `Deserialize` and `JsonSchema`: the JS API reads its options into them.

use super::{ground_rules, patterns, preferences, skills, Location};
use crate::answer::userland::{
    PatternsAnswer, PreferenceAnswer, PreferenceListAnswer, PreferenceSetAnswer, RuleAnswer,
    RuleListAnswer, SkillAnswer, SkillListAnswer,
};
use crate::connection::Connection;
use crate::error::Result;
use crate::ids::Env;
use schemars::JsonSchema;
use serde::Deserialize;

/// `pref list [--all]`, `skill list [--all]`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ListInput {
    /// Include unset / deleted rows.
    pub all: bool,
}

/// `pref unset`, `skill delete`, `rule delete`: why, recorded as `deletion_reason`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: Option<String>,
}

/// `pref set KEY VALUE [--source]`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PrefSetOptions {
    /// Where the value comes from: `cli` (the default), `config_file` or `learned`.
    pub source: Option<String>,
}

/// `skill add NAME --threshold N [--progress N]`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SkillAddOptions {
    /// Progress so far (default 0).
    pub progress: Option<i64>,
}

/// `rule add TYPE VALUE [--source]`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RuleAddOptions {
    /// Where it comes from: `user_defined` (the default), `default` or `imported`.
    pub source: Option<String>,
}

/// `rule list [--type] [--all]`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RuleListInput {
    pub rule_type: Option<String>,
    pub all: bool,
}

/// Which patterns `pattern list --kind` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PatternKind {
    Learned,
    Detected,
}

/// `pattern list [--type] [--kind] [--all]`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PatternListInput {
    pub pattern_type: Option<String>,
    pub kind: Option<PatternKind>,
    pub all: bool,
}

/// The default `source` of `pref set`.
pub const PREF_SOURCE: &str = "cli";
/// The default `source` of `rule add`.
pub const RULE_SOURCE: &str = "user_defined";

pub fn pref_get<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    key: &str,
) -> Result<PreferenceAnswer> {
    Ok(PreferenceAnswer {
        lives_in: loc.home(),
        preference: preferences::get(conn, &loc.store, key)?,
    })
}

pub fn pref_set<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    env: &Env,
    actor: &str,
    key: &str,
    value: &str,
    options: &PrefSetOptions,
) -> Result<PreferenceSetAnswer> {
    let source = options.source.as_deref().unwrap_or(PREF_SOURCE);
    let out = loc.write(conn, |c, store| {
        preferences::set(c, &store, env, actor, key, value, source)
    })?;
    Ok(PreferenceSetAnswer {
        lives_in: loc.home(),
        created: out.created,
        previous: out.previous,
        preference: out.preference,
    })
}

pub fn pref_list<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    input: &ListInput,
) -> Result<PreferenceListAnswer> {
    let items = preferences::list(conn, &loc.store, input.all)?;
    Ok(PreferenceListAnswer {
        lives_in: loc.home(),
        count: items.len(),
        items,
    })
}

pub fn pref_unset<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    env: &Env,
    actor: &str,
    key: &str,
    input: &ReasonInput,
) -> Result<PreferenceAnswer> {
    let preference = loc.write(conn, |c, store| {
        preferences::unset(c, &store, env, actor, key, input.reason.as_deref())
    })?;
    Ok(PreferenceAnswer {
        lives_in: loc.home(),
        preference,
    })
}

pub fn skill_add<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    env: &Env,
    actor: &str,
    name: &str,
    threshold: i64,
    options: &SkillAddOptions,
) -> Result<SkillAnswer> {
    let progress = options.progress.unwrap_or(0);
    let skill = loc.write(conn, |c, store| {
        skills::add(c, &store, env, actor, name, threshold, progress)
    })?;
    Ok(SkillAnswer {
        lives_in: loc.home(),
        skill,
    })
}

pub fn skill_list<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    input: &ListInput,
) -> Result<SkillListAnswer> {
    let items = skills::list(conn, &loc.store, input.all)?;
    Ok(SkillListAnswer {
        lives_in: loc.home(),
        count: items.len(),
        items,
    })
}

pub fn skill_show<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    name: &str,
) -> Result<SkillAnswer> {
    Ok(SkillAnswer {
        lives_in: loc.home(),
        skill: skills::show(conn, &loc.store, name)?,
    })
}

pub fn skill_delete<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    env: &Env,
    actor: &str,
    name: &str,
    input: &ReasonInput,
) -> Result<SkillAnswer> {
    let skill = loc.write(conn, |c, store| {
        skills::delete(c, &store, env, actor, name, input.reason.as_deref())
    })?;
    Ok(SkillAnswer {
        lives_in: loc.home(),
        skill,
    })
}

pub fn rule_add<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    env: &Env,
    actor: &str,
    rule_type: &str,
    rule_value: &str,
    options: &RuleAddOptions,
) -> Result<RuleAnswer> {
    let source = options.source.as_deref().unwrap_or(RULE_SOURCE);
    let rule = loc.write(conn, |c, store| {
        ground_rules::add(c, &store, env, actor, rule_type, rule_value, source)
    })?;
    Ok(RuleAnswer {
        lives_in: loc.home(),
        rule,
    })
}

pub fn rule_list<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    input: &RuleListInput,
) -> Result<RuleListAnswer> {
    let items = ground_rules::list(conn, &loc.store, input.rule_type.as_deref(), input.all)?;
    Ok(RuleListAnswer {
        lives_in: loc.home(),
        count: items.len(),
        items,
    })
}

pub fn rule_delete<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    env: &Env,
    actor: &str,
    id: i64,
    input: &ReasonInput,
) -> Result<RuleAnswer> {
    let rule = loc.write(conn, |c, store| {
        ground_rules::delete(c, &store, env, actor, id, input.reason.as_deref())
    })?;
    Ok(RuleAnswer {
        lives_in: loc.home(),
        rule,
    })
}

pub fn pattern_list<C: Connection + ?Sized>(
    conn: &C,
    loc: &Location,
    input: &PatternListInput,
) -> Result<PatternsAnswer> {
    let mut p = patterns::list(conn, &loc.store, input.pattern_type.as_deref(), input.all)?;
    match input.kind {
        Some(PatternKind::Learned) => p.detected.clear(),
        Some(PatternKind::Detected) => p.learned.clear(),
        None => {}
    }
    Ok(PatternsAnswer {
        lives_in: loc.home(),
        learned: p.learned,
        detected: p.detected,
    })
}
