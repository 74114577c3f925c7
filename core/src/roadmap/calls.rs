//! The roadmap calls an agent makes (the MCP server's `roadmap_*` tools), as typed inputs and
//! answers: what is ready, what is blocked and why, one item in full, adding an item with
//! its prerequisites, adding a dependency. Inputs derive `Deserialize` and `JsonSchema`, so
//! a front end that takes JSON arguments checks them against the same types it publishes.

use super::assignments::Assignment;
use super::{assignments, dependencies, items, readiness, Item, NewItem};
use super::{AddedItem, BlockedItem, DependencyType, Edge, ItemSummary, Why};
use crate::answer::List;
use crate::connection::{read_tx, Connection};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use crate::time::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// `roadmap ready`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadyInput {
    /// How many items (default 20); ignored with `all`.
    pub limit: Option<usize>,
    /// Every ready item.
    #[serde(default)]
    pub all: bool,
    /// Only items of this phase (an unknown phase is refused with the valid ones).
    #[serde(default)]
    pub phase: Option<String>,
    /// Only items this agent has an open (assigned/active) assignment on.
    #[serde(default)]
    pub assignee: Option<String>,
}

impl ReadyInput {
    pub fn limit(&self) -> Option<usize> {
        (!self.all).then_some(self.limit.unwrap_or(20))
    }
}

/// A call about one roadmap item (`roadmap show`, `roadmap why`).
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    /// The roadmap item id.
    pub id: String,
}

/// No arguments (`roadmap blocked`).
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoInput {}

/// `roadmap add`, with its prerequisites: the one input of the CLI, the JS API's
/// `roadmapAdd` and the MCP tool `roadmap_add`. Fields are named as the item's document names
/// them (`phase_key`, `status_key`); `phase` and `status` are accepted too (the names the
/// MCP tool had first).
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddInput {
    pub title: String,
    /// Phase key (terminology domain `roadmap_phase`, e.g. `phase_a`).
    #[serde(alias = "phase")]
    pub phase_key: String,
    /// Item id (default `RI-<12 hex>`).
    pub id: Option<String>,
    /// `work` (default), `gate`, `holding` or `integration`.
    pub item_type: Option<String>,
    /// Status key (default `pending`).
    #[serde(alias = "status")]
    pub status_key: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    /// Rank (default one past the highest in the phase); lower comes first.
    pub rank: Option<f64>,
    /// Rank it just before this item (instead of `rank`).
    pub before: Option<String>,
    /// Rank it just after this item (instead of `rank`).
    pub after: Option<String>,
    /// `YYYY-MM-DD`.
    pub target_date: Option<String>,
    pub feature_id: Option<String>,
    pub cr_id: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    /// Prerequisites: the item waits for each (`blocks` edges), written in the same
    /// transaction; an unknown id refuses the whole call.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

/// `roadmap update ID …`: the fields given change, named as the item's document names them;
/// an empty string clears an optional field (as on the command line). The one input of the
/// CLI and the JS API's `roadmapUpdate`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateInput {
    pub title: Option<String>,
    /// Phase key (terminology domain `roadmap_phase`).
    pub phase_key: Option<String>,
    /// Status key (terminology domain `roadmap_status`).
    pub status_key: Option<String>,
    /// `work`, `gate`, `holding` or `integration`.
    pub item_type: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    /// Rank; lower comes first.
    pub rank: Option<f64>,
    /// Rank it just before this item (instead of `rank`).
    pub before: Option<String>,
    /// Rank it just after this item (instead of `rank`).
    pub after: Option<String>,
    /// `YYYY-MM-DD`.
    pub target_date: Option<String>,
    pub feature_id: Option<String>,
    pub cr_id: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
}

/// `roadmap list`: the filters (none: every live item).
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ListInput {
    pub phase_key: Option<String>,
    pub status_key: Option<String>,
    pub item_type: Option<String>,
    pub owner: Option<String>,
    /// Include deleted items (`--all`).
    pub all: bool,
    /// Only deleted items (`--deleted`).
    pub deleted: bool,
}

/// `roadmap export` / `roadmap graph` as text (`--json` without `--output`).
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExportInput {
    /// `markdown`, `json` (export), `dot` or `mermaid` (graph).
    pub format: Option<String>,
    /// Only items of this phase.
    pub phase_key: Option<String>,
    /// Include deleted items.
    pub include_deleted: bool,
}

/// `roadmap dep add`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepAddInput {
    /// The item that waits.
    pub item: String,
    /// The item it waits for.
    pub depends_on: String,
    /// `blocks` (default: holds the item back), `soft` or `related` (informational).
    pub dependency_type: Option<String>,
    pub notes: Option<String>,
}

/// Ready items in order (`roadmap ready`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ReadyList {
    pub count: usize,
    pub items: Vec<ItemSummary>,
}

/// Blocked items (`roadmap blocked`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BlockedList {
    pub count: usize,
    pub items: Vec<BlockedItem>,
}

/// One item with its edges, assignments and readiness (`roadmap show`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ItemView {
    pub item: Item,
    /// What it waits for.
    pub depends_on: Vec<Edge>,
    /// What waits for it.
    pub dependents: Vec<Edge>,
    pub assignments: Vec<Assignment>,
    pub ready: bool,
    /// Why it is not ready, one sentence each.
    pub reasons: Vec<String>,
}

/// `roadmap update`: the change as [`items::update`] takes it (rank placed from
/// `before`/`after`, empty strings clearing).
pub fn update<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
    a: &UpdateInput,
) -> Result<Item> {
    let clearable = |v: &Option<String>| {
        v.as_ref()
            .map(|s| if s.is_empty() { None } else { Some(s.clone()) })
    };
    let rank = items::placed_rank(conn, a.rank, a.before.as_deref(), a.after.as_deref())?;
    let change = items::ItemUpdate {
        title: a.title.clone(),
        phase_key: a.phase_key.clone(),
        status_key: a.status_key.clone(),
        item_type: a.item_type.clone(),
        description: clearable(&a.description),
        owner: clearable(&a.owner),
        rank,
        target_date: clearable(&a.target_date),
        feature_id: clearable(&a.feature_id),
        cr_id: clearable(&a.cr_id),
        external_id: clearable(&a.external_id),
        external_url: clearable(&a.external_url),
    };
    items::update(conn, env, actor, id, &change)
}

/// `roadmap list`.
pub fn list<C: Connection + ?Sized>(conn: &C, a: &ListInput) -> Result<List<Item>> {
    Ok(List::from(items::list(
        conn,
        &items::ListFilter {
            phase_key: a.phase_key.clone(),
            status_key: a.status_key.clone(),
            item_type: a.item_type.clone(),
            owner: a.owner.clone(),
            include_deleted: a.all,
            only_deleted: a.deleted,
        },
    )?))
}

/// `roadmap export` and `roadmap graph`: the rendered text (Markdown, JSON, DOT, Mermaid),
/// or where it was written.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExportAnswer {
    /// `markdown`, `json`, `dot` or `mermaid`.
    pub format: String,
    /// How many items it holds.
    pub items: usize,
    /// The file it was written to (`--output`); the text is then not repeated here.
    pub path: Option<String>,
    /// The text itself, when it was not written to a file.
    pub content: Option<String>,
}

/// `roadmap export|graph --json` without a file: the text in `content` (`default_format`
/// when the input names none: `markdown` for export, `dot` for graph).
pub fn export_text<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    a: &ExportInput,
    default_format: &str,
) -> Result<ExportAnswer> {
    let format = a.format.as_deref().unwrap_or(default_format);
    let scope = super::export::Scope {
        phase_key: a.phase_key.clone(),
        include_deleted: a.include_deleted,
    };
    let (items, text) = super::export::render(conn, now, &scope, format)?;
    Ok(ExportAnswer {
        format: format.into(),
        items,
        path: None,
        content: Some(text),
    })
}

pub fn ready<C: Connection + ?Sized>(conn: &C, input: &ReadyInput) -> Result<ReadyList> {
    let items = ready_where(
        conn,
        input.limit(),
        input.phase.as_deref(),
        input.assignee.as_deref(),
    )?;
    Ok(ReadyList {
        count: items.len(),
        items,
    })
}

pub fn blocked<C: Connection + ?Sized>(conn: &C) -> Result<BlockedList> {
    let items = readiness::blocked(conn)?;
    Ok(BlockedList {
        count: items.len(),
        items,
    })
}

pub fn why<C: Connection + ?Sized>(conn: &C, input: &ItemInput) -> Result<Why> {
    readiness::why(conn, &input.id)
}

pub fn show<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<ItemView> {
    read_tx(conn, |c| {
        let item = items::get(c, id)?;
        let (depends_on, dependents) = dependencies::of_item(c, id)?;
        let assignments = assignments::of_item(c, id)?;
        let why = readiness::why(c, id)?;
        Ok(ItemView {
            item,
            depends_on,
            dependents,
            assignments,
            ready: why.ready,
            reasons: why.reasons,
        })
    })
}

pub fn add<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    input: &AddInput,
) -> Result<AddedItem> {
    let rank = items::placed_rank(
        conn,
        input.rank,
        input.before.as_deref(),
        input.after.as_deref(),
    )?;
    super::add_with_dependencies(
        conn,
        env,
        actor,
        &NewItem {
            id: input.id.clone(),
            title: input.title.clone(),
            phase_key: input.phase_key.clone(),
            item_type: input.item_type.clone(),
            status_key: input.status_key.clone(),
            description: input.description.clone(),
            owner: input.owner.clone(),
            rank,
            target_date: input.target_date.clone(),
            feature_id: input.feature_id.clone(),
            cr_id: input.cr_id.clone(),
            external_id: input.external_id.clone(),
            external_url: input.external_url.clone(),
        },
        &input.depends_on,
        DependencyType::Blocks,
    )
}

pub fn dep_add<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    input: &DepAddInput,
) -> Result<Edge> {
    let kind = DependencyType::parse(input.dependency_type.as_deref().unwrap_or("blocks"))?;
    dependencies::add(
        conn,
        env,
        actor,
        &input.item,
        &input.depends_on,
        kind,
        input.notes.as_deref(),
    )
}

/// Items with an open (`assigned`/`active`) assignment of `agent`.
fn assigned_to<C: Connection + ?Sized>(conn: &C, agent: &str) -> Result<HashSet<String>> {
    conn.query(
        "SELECT item_id FROM roadmap_assignments WHERE agent_id = ?1 \
         AND status IN ('assigned', 'active')",
        params![agent],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

pub(crate) fn require_agent(field: &str, agent: &str) -> Result<()> {
    if agent.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(())
}

/// `roadmap ready [--phase P] [--assignee A]`: the ready list, only items of phase `P` and
/// only items `A` has an open assignment on. An unknown phase is refused with the valid ones.
pub fn ready_where<C: Connection + ?Sized>(
    conn: &C,
    limit: Option<usize>,
    phase: Option<&str>,
    assignee: Option<&str>,
) -> Result<Vec<ItemSummary>> {
    if phase.is_none() && assignee.is_none() {
        return readiness::ready(conn, limit);
    }
    items::check_filter(conn, phase, None, None)?;
    if let Some(a) = assignee {
        require_agent("assignee", a)?;
    }
    read_tx(conn, |c| {
        let mine = assignee.map(|a| assigned_to(c, a)).transpose()?;
        let mut out: Vec<ItemSummary> = readiness::ready(c, None)?
            .into_iter()
            .filter(|i| phase.is_none_or(|p| i.phase_key == p))
            .filter(|i| mine.as_ref().is_none_or(|m| m.contains(&i.id)))
            .collect();
        if let Some(l) = limit {
            out.truncate(l);
        }
        Ok(out)
    })
}
