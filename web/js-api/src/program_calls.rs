//! Program queries (programs, products, features, releases, change requests, bugs,
//! standards, charters): `motus <kind> show|list|history --json`, for any kind by name.

use motus_core::program::kinds::{self, Kind};
use motus_core::program::{crs, entity, ListOptions};
use motus_core::{Connection, Error, Result};
use serde::Deserialize;
use serde_json::{json, Value};

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
pub fn show<C: Connection + ?Sized>(conn: &C, kind_name: &str, id: &str) -> Result<Value> {
    let k = kind(kind_name)?;
    let r = entity::get(conn, k, id)?;
    if k.name == "cr" {
        let (depends_on, dependents) = crs::of_cr(conn, id)?;
        return Ok(json!({"cr": r, "depends_on": depends_on, "dependents": dependents}));
    }
    Ok(Value::Object(r))
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

pub fn list<C: Connection + ?Sized>(conn: &C, kind_name: &str, f: ListInput) -> Result<Value> {
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
    Ok(serde_json::to_value(rs).expect("serializable"))
}

/// `motus <kind> history ID`.
pub fn history<C: Connection + ?Sized>(conn: &C, kind_name: &str, id: &str) -> Result<Value> {
    let h = entity::history(conn, kind(kind_name)?, id)?;
    Ok(serde_json::to_value(h).expect("serializable"))
}
