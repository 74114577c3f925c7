//! The program kinds' calls as their answers, for every front end (the CLI's `motus <kind> …`,
//! the JS API's `program*`, `cr*`, `standard*` and `charter*` calls): the documents that are
//! more than one core value (`cr show`, `charter active`, `cr dep rm`, `standard unassign`)
//! are put together here, once.

use super::{charters, crs, entity, kinds, standards, Kind, ListOptions};
use crate::answer::program::{
    ActiveCharter, CrDependencyRemoved, CrView, ProgramRecord, StandardUnassigned,
};
use crate::answer::List;
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::ids::Env;
use serde::{Deserialize, Serialize};

/// A kind by its command name (`program`, `product`, `feature`, `release`, `cr`, `bug`,
/// `standard`, `charter`).
pub fn kind(name: &str) -> Result<&'static Kind> {
    kinds::by_name(name).ok_or_else(|| {
        Error::invalid(
            "kind",
            format!("'{name}' is not a kind; kinds: program, product, feature, release, cr, bug, standard, charter"),
        )
    })
}

/// `<kind> show ID`: the record, or for a change request the record with its dependencies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Shown {
    Record(ProgramRecord),
    Cr(CrView),
}

pub fn show<C: Connection + ?Sized>(conn: &C, kind: &Kind, id: &str) -> Result<Shown> {
    let r = entity::get(conn, kind, id)?;
    if kind.name == "cr" {
        let (depends_on, dependents) = crs::of_cr(conn, id)?;
        return Ok(Shown::Cr(CrView {
            cr: ProgramRecord(r),
            depends_on,
            dependents,
        }));
    }
    Ok(Shown::Record(ProgramRecord(r)))
}

/// `<kind> list [--parent] [--status] [--all | --deleted]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListInput {
    pub parent: Option<String>,
    pub status: Option<String>,
    /// Include deleted records.
    pub all: bool,
    /// Only deleted records.
    pub deleted: bool,
}

pub fn list<C: Connection + ?Sized>(
    conn: &C,
    kind: &Kind,
    f: &ListInput,
) -> Result<List<ProgramRecord>> {
    let rs = entity::list(
        conn,
        kind,
        &ListOptions {
            parent: f.parent.clone(),
            status: f.status.clone(),
            include_deleted: f.all,
            only_deleted: f.deleted,
        },
    )?;
    Ok(List::from(
        rs.into_iter().map(ProgramRecord).collect::<Vec<_>>(),
    ))
}

/// `cr dep rm CR DEPENDS_ON`.
pub fn cr_dep_remove<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    cr: &str,
    depends_on: &str,
) -> Result<CrDependencyRemoved> {
    crs::remove(conn, env, actor, cr, depends_on)?;
    Ok(CrDependencyRemoved {
        cr_id: cr.into(),
        depends_on_id: depends_on.into(),
    })
}

/// `charter active DOC_TYPE`: the active document, or `charter: null`.
pub fn charter_active<C: Connection + ?Sized>(conn: &C, doc_type: &str) -> Result<ActiveCharter> {
    Ok(ActiveCharter {
        doc_type: doc_type.into(),
        charter: charters::active(conn, doc_type)?.map(ProgramRecord),
    })
}

/// `standard unassign ID ENTITY`.
pub fn standard_unassign<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    standard_id: &str,
    entity_type: &str,
    entity_id: &str,
) -> Result<StandardUnassigned> {
    standards::unassign(conn, env, actor, standard_id, entity_type, entity_id)?;
    Ok(StandardUnassigned {
        standard_id: standard_id.into(),
        entity_type: entity_type.into(),
        entity_id: entity_id.into(),
    })
}

impl Shown {
    /// The document: `program.record`, or `cr.show` for a change request.
    pub fn document(&self) -> serde_json::Value {
        match self {
            Shown::Record(r) => crate::answer::document(r),
            Shown::Cr(c) => crate::answer::document(c),
        }
    }
}
