//! Program queries (programs, products, features, releases, change requests, bugs,
//! standards, charters): `motus <kind> show|list|history --json`, for any kind by name.

use motus_core::answer::program::{CrView, ProgramRecord};
use motus_core::answer::List;
use motus_core::program::history::History;
use motus_core::program::kinds::{self, Kind};
use motus_core::program::{crs, entity, ListOptions};
use motus_core::{Connection, Error, Result};
use serde::Deserialize;

/// A kind by its CLI name (`program`, `product`, `feature`, `release`, `cr`, `bug`,
/// `standard`, `charter`).
pub fn kind(name: &str) -> Result<&'static Kind> {
    kinds::by_name(name).ok_or_else(|| {
        Error::invalid(
            "kind",
            format!("'{name}' is not a kind; kinds: program, product, feature, release, cr, bug, standard, charter"),
        )
    })
}

/// `motus <kind> show ID` (a change request also lists its dependencies).
/// `motus <kind> show ID`: the record, or for a change request the record with its
/// dependencies.
pub enum Shown {
    Record(ProgramRecord),
    Cr(CrView),
}

pub fn show<C: Connection + ?Sized>(conn: &C, kind_name: &str, id: &str) -> Result<Shown> {
    let k = kind(kind_name)?;
    let r = entity::get(conn, k, id)?;
    if k.name == "cr" {
        let (depends_on, dependents) = crs::of_cr(conn, id)?;
        return Ok(Shown::Cr(CrView {
            cr: ProgramRecord(r),
            depends_on,
            dependents,
        }));
    }
    Ok(Shown::Record(ProgramRecord(r)))
}

/// `motus <kind> list [--parent] [--status] [--all | --deleted]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListInput {
    pub parent: Option<String>,
    pub status: Option<String>,
    pub all: bool,
    pub deleted: bool,
}

pub fn list<C: Connection + ?Sized>(
    conn: &C,
    kind_name: &str,
    f: ListInput,
) -> Result<List<ProgramRecord>> {
    let rs = entity::list(
        conn,
        kind(kind_name)?,
        &ListOptions {
            parent: f.parent,
            status: f.status,
            include_deleted: f.all,
            only_deleted: f.deleted,
        },
    )?;
    Ok(List::from(
        rs.into_iter().map(ProgramRecord).collect::<Vec<_>>(),
    ))
}

/// `motus <kind> history ID`.
pub fn history<C: Connection + ?Sized>(conn: &C, kind_name: &str, id: &str) -> Result<History> {
    entity::history(conn, kind(kind_name)?, id)
}
