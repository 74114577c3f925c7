//! The roadmap's questions and changes, each returning the document `motus roadmap … --json`
//! prints. Input fields are named as in that JSON (`phase_key`, `item_type`, …).

use motus_core::roadmap::{
    assignments, dependencies, items, readiness, DependencyType, ListFilter, NewItem,
};
use motus_core::{terminology, Connection, Env, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

fn doc<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("serializable")
}

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
}

pub fn add<C: Connection + ?Sized>(conn: &C, env: &Env, actor: &str, a: AddInput) -> Result<Value> {
    let rank = match (&a.before, &a.after) {
        (Some(_), Some(_)) => {
            return Err(motus_core::Error::invalid(
                "before",
                "give either before or after, not both",
            ))
        }
        (Some(b), None) => Some(items::rank_next_to(conn, items::Placement::Before(b))?),
        (None, Some(x)) => Some(items::rank_next_to(conn, items::Placement::After(x))?),
        (None, None) => a.rank,
    };
    let item = items::add(
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
    )?;
    Ok(doc(&item))
}

/// `motus roadmap show`.
pub fn show<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Value> {
    let item = items::get(conn, id)?;
    let (depends_on, dependents) = dependencies::of_item(conn, id)?;
    let assigned = assignments::of_item(conn, id)?;
    let why = readiness::why(conn, id)?;
    Ok(json!({
        "item": item,
        "depends_on": depends_on,
        "dependents": dependents,
        "assignments": assigned,
        "ready": why.ready,
        "reasons": why.reasons,
    }))
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

pub fn list<C: Connection + ?Sized>(conn: &C, a: ListInput) -> Result<Value> {
    Ok(doc(&items::list(
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

/// `motus roadmap ready [--limit N | --all]` (the CLI's default limit is 20).
pub fn ready<C: Connection + ?Sized>(conn: &C, limit: Option<usize>) -> Result<Value> {
    Ok(doc(&readiness::ready(conn, limit)?))
}

/// `motus roadmap blocked`.
pub fn blocked<C: Connection + ?Sized>(conn: &C) -> Result<Value> {
    Ok(doc(&readiness::blocked(conn)?))
}

/// `motus roadmap why`.
pub fn why<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Value> {
    Ok(doc(&readiness::why(conn, id)?))
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
) -> Result<Value> {
    let kind = DependencyType::parse(dependency_type.unwrap_or("blocks"))?;
    Ok(doc(&dependencies::add(
        conn, env, actor, item, depends_on, kind, notes,
    )?))
}

/// `motus roadmap complete` (the JS host gives no role: the actor must own the item or hold
/// an owner/reviewer assignment on it).
pub fn complete<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
) -> Result<Value> {
    let who = items::Completer {
        agent: actor,
        role: None,
    };
    Ok(doc(&items::complete(conn, env, &who, id, None)?))
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
) -> Result<Value> {
    Ok(doc(&assignments::assign(
        conn,
        env,
        actor,
        id,
        agent,
        role.unwrap_or("implementer"),
        notes,
    )?))
}

/// `motus roadmap history`: an item's snapshots and audit trail.
pub fn history<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Value> {
    Ok(doc(&items::history(conn, id)?))
}

/// The accepted keys of a terminology domain (roadmap_phase, roadmap_status, …).
pub fn terms<C: Connection + ?Sized>(conn: &C, domain: &str) -> Result<Value> {
    Ok(doc(&terminology::terms(conn, domain)?))
}

/// Every terminology domain that has keys.
pub fn domains<C: Connection + ?Sized>(conn: &C) -> Result<Value> {
    Ok(doc(&terminology::domains(conn)?))
}

/// Checks `key` against `domain` as every write does; the error lists the valid keys.
pub fn validate_term<C: Connection + ?Sized>(
    conn: &C,
    field: &str,
    domain: &str,
    key: &str,
) -> Result<Value> {
    terminology::validate(conn, field, domain, key)?;
    Ok(json!({"ok": true, "field": field, "domain": domain, "key": key}))
}
