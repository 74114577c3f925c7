//! The roadmap's questions and changes, each returning the document `motus roadmap … --json`
//! prints. Input fields are named as in that JSON (`phase_key`, `item_type`, …).

use motus_core::answer::ops::TermCheck;
use motus_core::answer::roadmap::ExportAnswer;
use motus_core::answer::List;
use motus_core::program::history::History;
use motus_core::roadmap::assignments::AssignOutcome;
use motus_core::roadmap::calls::{self, BlockedList, ItemInput, ItemView};
use motus_core::roadmap::items::Completion;
use motus_core::roadmap::{
    assignments, dependencies, export, items, AddedItem, DependencyType, Edge, Item, ItemUpdate,
    ListFilter, NewItem, Why,
};
use motus_core::terminology::{self, Term};
use motus_core::{Connection, Env, Result};
use serde::Deserialize;

/// `motus roadmap add`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AddInput {
    pub id: Option<String>,
    pub title: String,
    pub phase_key: String,
    pub item_type: Option<String>,
    pub status_key: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub rank: Option<f64>,
    /// Rank it just before this item (`--before`).
    pub before: Option<String>,
    /// Rank it just after this item (`--after`).
    pub after: Option<String>,
    pub target_date: Option<String>,
    pub feature_id: Option<String>,
    pub cr_id: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
    /// Prerequisites (`--depends-on`): `blocks` edges written in the same transaction.
    pub depends_on: Vec<String>,
}

pub fn add<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    a: AddInput,
) -> Result<AddedItem> {
    let rank = items::placed_rank(conn, a.rank, a.before.as_deref(), a.after.as_deref())?;
    motus_core::roadmap::add_with_dependencies(
        conn,
        env,
        actor,
        &NewItem {
            id: a.id,
            title: a.title,
            phase_key: a.phase_key,
            item_type: a.item_type,
            status_key: a.status_key,
            description: a.description,
            owner: a.owner,
            rank,
            target_date: a.target_date,
            feature_id: a.feature_id,
            cr_id: a.cr_id,
            external_id: a.external_id,
            external_url: a.external_url,
        },
        &a.depends_on,
        DependencyType::Blocks,
    )
}

/// `motus roadmap show`.
pub fn show<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<ItemView> {
    calls::show(conn, id)
}

/// `motus roadmap list`.
#[derive(Debug, Default, Deserialize)]
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

pub fn list<C: Connection + ?Sized>(conn: &C, a: ListInput) -> Result<List<Item>> {
    Ok(List::from(items::list(
        conn,
        &ListFilter {
            phase_key: a.phase_key,
            status_key: a.status_key,
            item_type: a.item_type,
            owner: a.owner,
            include_deleted: a.all,
            only_deleted: a.deleted,
        },
    )?))
}

/// `motus roadmap blocked`.
pub fn blocked<C: Connection + ?Sized>(conn: &C) -> Result<BlockedList> {
    calls::blocked(conn)
}

/// `motus roadmap why`.
pub fn why<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Why> {
    calls::why(conn, &ItemInput { id: id.into() })
}

/// `motus roadmap dep add ITEM DEPENDS_ON [--type] [--notes]`.
pub fn add_dependency<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    item: &str,
    depends_on: &str,
    dependency_type: Option<&str>,
    notes: Option<&str>,
) -> Result<Edge> {
    let kind = DependencyType::parse(dependency_type.unwrap_or("blocks"))?;
    dependencies::add(conn, env, actor, item, depends_on, kind, notes)
}

/// `motus roadmap complete` (the JS host gives no role: the actor must own the item or hold
/// an owner/reviewer assignment on it).
pub fn complete<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
) -> Result<Completion> {
    let who = items::Completer {
        agent: actor,
        role: None,
    };
    items::complete(conn, env, &who, id, None)
}

/// `motus roadmap assign ID AGENT [--role] [--notes]`.
pub fn assign<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
    agent: &str,
    role: Option<&str>,
    notes: Option<&str>,
) -> Result<AssignOutcome> {
    assignments::assign(
        conn,
        env,
        actor,
        id,
        agent,
        role.unwrap_or("implementer"),
        notes,
    )
}

/// `motus roadmap history`: an item's snapshots and audit trail.
pub fn history<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<History> {
    items::history(conn, id)
}

/// The accepted keys of a terminology domain (roadmap_phase, roadmap_status, …).
pub fn terms<C: Connection + ?Sized>(conn: &C, domain: &str) -> Result<List<Term>> {
    Ok(List::from(terminology::terms(conn, domain)?))
}

/// Every terminology domain that has keys.
pub fn domains<C: Connection + ?Sized>(conn: &C) -> Result<List<String>> {
    Ok(List::from(terminology::domains(conn)?))
}

/// Checks `key` against `domain` as every write does; the error lists the valid keys.
pub fn validate_term<C: Connection + ?Sized>(
    conn: &C,
    field: &str,
    domain: &str,
    key: &str,
) -> Result<TermCheck> {
    terminology::validate(conn, field, domain, key)?;
    Ok(TermCheck {
        field: field.into(),
        domain: domain.into(),
        key: key.into(),
    })
}

/// `motus roadmap update ID …`: fields as in the item's JSON; an empty string clears an
/// optional field (as on the command line).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateInput {
    pub title: Option<String>,
    pub phase_key: Option<String>,
    pub status_key: Option<String>,
    pub item_type: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub rank: Option<f64>,
    /// Rank it just before this item (`--before`).
    pub before: Option<String>,
    /// Rank it just after this item (`--after`).
    pub after: Option<String>,
    pub target_date: Option<String>,
    pub feature_id: Option<String>,
    pub cr_id: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
}

fn clearable(v: Option<String>) -> Option<Option<String>> {
    v.map(|s| if s.is_empty() { None } else { Some(s) })
}

pub fn update<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
    a: UpdateInput,
) -> Result<Item> {
    let rank = items::placed_rank(conn, a.rank, a.before.as_deref(), a.after.as_deref())?;
    let change = ItemUpdate {
        title: a.title,
        phase_key: a.phase_key,
        status_key: a.status_key,
        item_type: a.item_type,
        description: clearable(a.description),
        owner: clearable(a.owner),
        rank,
        target_date: clearable(a.target_date),
        feature_id: clearable(a.feature_id),
        cr_id: clearable(a.cr_id),
        external_id: clearable(a.external_id),
        external_url: clearable(a.external_url),
    };
    items::update(conn, env, actor, id, &change)
}

/// `motus roadmap delete ID [--reason]` (soft: restore brings it back).
pub fn delete<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
    reason: Option<&str>,
) -> Result<Item> {
    items::delete(conn, env, actor, id, reason)
}

/// `motus roadmap restore ID`.
pub fn restore<C: Connection + ?Sized>(conn: &C, env: &Env, actor: &str, id: &str) -> Result<Item> {
    items::restore(conn, env, actor, id)
}

/// `motus roadmap export|graph --format F [--phase] [--include-deleted] --json`: the text.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportInput {
    /// `markdown` (default), `json`, `dot` or `mermaid`.
    pub format: Option<String>,
    pub phase_key: Option<String>,
    pub include_deleted: bool,
}

pub fn export<C: Connection + ?Sized>(conn: &C, env: &Env, a: ExportInput) -> Result<ExportAnswer> {
    let format = a.format.unwrap_or_else(|| "markdown".into());
    let scope = export::Scope {
        phase_key: a.phase_key,
        include_deleted: a.include_deleted,
    };
    let (items, text) = export::render(conn, env.clock.now(), &scope, &format)?;
    Ok(ExportAnswer {
        format,
        items,
        path: None,
        content: Some(text),
    })
}

/// `motus terminology add DOMAIN KEY DISPLAY_NAME`.
pub fn add_term<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    domain: &str,
    key: &str,
    display_name: &str,
) -> Result<Term> {
    terminology::add(conn, env, actor, domain, key, display_name)
}
