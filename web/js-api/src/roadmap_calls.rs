//! The roadmap's questions and changes, each returning the document `motus roadmap … --json`
//! prints. Input fields are named as in that JSON (`phase_key`, `item_type`, …). `add`,
//! `show`, `list`, `ready`, `blocked`, `update` and the text exports are core's calls
//! (`motus_core::roadmap::calls`), the CLI's too.

use motus_core::answer::ops::TermCheck;
use motus_core::answer::List;
use motus_core::program::history::History;
use motus_core::roadmap::assignments::AssignOutcome;
use motus_core::roadmap::calls::{self, ItemInput};
use motus_core::roadmap::items::Completion;
use motus_core::roadmap::{assignments, dependencies, items, DependencyType, Edge, Item, Why};
use motus_core::terminology::{self, Term};
use motus_core::{Connection, Env, Result};

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
