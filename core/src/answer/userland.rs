//! The userland documents: preferences, skills, ground rules, patterns (each says which file
//! holds them, `lives_in`), and `userland status|extract`.

use super::Answer;
use crate::userland::extract::State;
use crate::userland::ground_rules::GroundRule;
use crate::userland::location::TableHashes;
use crate::userland::patterns::{DetectedPattern, LearnedPattern};
use crate::userland::preferences::Preference;
use crate::userland::skills::Skill;
use crate::userland::store::Home;
use schemars::JsonSchema;
use serde::Serialize;

/// `pref get|unset`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PreferenceAnswer {
    /// The file that holds the userland tables: `coordination` or `userland`.
    pub lives_in: Home,
    pub preference: Preference,
}
impl Answer for PreferenceAnswer {
    const NAME: &'static str = "pref.preference";
}

/// `pref set`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PreferenceSetAnswer {
    pub lives_in: Home,
    pub created: bool,
    /// The value it replaced (null for a new or previously unset key).
    pub previous: Option<String>,
    pub preference: Preference,
}
impl Answer for PreferenceSetAnswer {
    const NAME: &'static str = "pref.set";
}

/// `pref list`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PreferenceListAnswer {
    pub lives_in: Home,
    pub count: usize,
    pub items: Vec<Preference>,
}
impl Answer for PreferenceListAnswer {
    const NAME: &'static str = "pref.list";
}

/// `skill add|show|delete`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SkillAnswer {
    pub lives_in: Home,
    pub skill: Skill,
}
impl Answer for SkillAnswer {
    const NAME: &'static str = "skill.skill";
}

/// `skill list`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SkillListAnswer {
    pub lives_in: Home,
    pub count: usize,
    pub items: Vec<Skill>,
}
impl Answer for SkillListAnswer {
    const NAME: &'static str = "skill.list";
}

/// `rule add|delete`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RuleAnswer {
    pub lives_in: Home,
    pub rule: GroundRule,
}
impl Answer for RuleAnswer {
    const NAME: &'static str = "rule.rule";
}

/// `rule list`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RuleListAnswer {
    pub lives_in: Home,
    pub count: usize,
    pub items: Vec<GroundRule>,
}
impl Answer for RuleListAnswer {
    const NAME: &'static str = "rule.list";
}

/// `pattern list`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PatternsAnswer {
    pub lives_in: Home,
    pub learned: Vec<LearnedPattern>,
    pub detected: Vec<DetectedPattern>,
}
impl Answer for PatternsAnswer {
    const NAME: &'static str = "pattern.list";
}

/// One userland table in `userland status` and the extract plan.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TableRows {
    pub table: String,
    pub lives_in: Home,
    /// Rows in the file that serves the table.
    pub rows: u64,
    pub coordination_rows: u64,
    pub userland_rows: Option<u64>,
    /// Rows written into coordination.db's emptied table after the move (not served).
    pub stray_rows_in_coordination: u64,
}

/// `userland status`: `ok` is false when the two files disagree (state `mismatch`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct UserlandStatusAnswer {
    pub coordination_path: String,
    pub userland_path: String,
    pub userland_exists: bool,
    pub userland_schema_version: Option<i64>,
    pub userland_latest_version: i64,
    pub state: State,
    pub state_description: String,
    pub lives_in: Home,
    pub extracted_at: Option<String>,
    pub backup_path: Option<String>,
    pub tables: Vec<TableRows>,
}
impl Answer for UserlandStatusAnswer {
    const NAME: &'static str = "userland.status";
    fn ok(&self) -> bool {
        self.state != State::Mismatch
    }
}

/// `userland extract --dry-run`: what a real run would do.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExtractPlanAnswer {
    /// Always true.
    pub dry_run: bool,
    pub coordination_path: String,
    pub userland_path: String,
    pub state: State,
    pub rows: u64,
    pub tables: Vec<TableRows>,
    /// The steps, in order.
    pub would: Vec<String>,
}
impl Answer for ExtractPlanAnswer {
    const NAME: &'static str = "userland.extract_plan";
    fn ok(&self) -> bool {
        self.state != State::Mismatch
    }
}

/// `userland extract`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExtractAnswer {
    /// Always false.
    pub dry_run: bool,
    pub coordination_path: String,
    pub userland_path: String,
    pub backup_path: Option<String>,
    /// The state the run found.
    pub found: State,
    pub already_extracted: bool,
    pub copies: u32,
    pub rows: u64,
    pub tables: TableHashes,
    pub elapsed_ms: u64,
}
impl Answer for ExtractAnswer {
    const NAME: &'static str = "userland.extract";
}
