//! The roadmap calls an agent makes (the MCP server's `roadmap_*` tools), as typed inputs and
//! answers: what is ready, what is blocked and why, one item in full, adding an item with
//! its prerequisites, adding a dependency. Inputs derive `Deserialize` and `JsonSchema`, so
//! a front end that takes JSON arguments checks them against the same types it publishes.

use super::assignments::Assignment;
use super::{assignments, dependencies, items, readiness, Item, NewItem};
use super::{AddedItem, BlockedItem, DependencyType, Edge, ItemSummary, Why};
use crate::connection::{read_tx, Connection};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
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

/// `roadmap add`, with its prerequisites.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddInput {
    pub title: String,
    /// Phase key (terminology domain `roadmap_phase`, e.g. `phase_a`).
    pub phase: String,
    /// Item id (default `RI-<12 hex>`).
    pub id: Option<String>,
    /// `work` (default), `gate`, `holding` or `integration`.
    pub item_type: Option<String>,
    /// Status key (default `pending`).
    pub status: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    /// Rank (default one past the highest in the phase); lower comes first.
    pub rank: Option<f64>,
    /// `YYYY-MM-DD`.
    pub target_date: Option<String>,
    /// Prerequisites: the item waits for each (`blocks` edges), written in the same
    /// transaction; an unknown id refuses the whole call.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

impl AddInput {
    pub fn new_item(&self) -> NewItem {
        NewItem {
            id: self.id.clone(),
            title: self.title.clone(),
            phase_key: self.phase.clone(),
            item_type: self.item_type.clone(),
            status_key: self.status.clone(),
            description: self.description.clone(),
            owner: self.owner.clone(),
            rank: self.rank,
            target_date: self.target_date.clone(),
            ..Default::default()
        }
    }
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
    super::add_with_dependencies(
        conn,
        env,
        actor,
        &input.new_item(),
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
