//! Adding an item together with what it depends on, in one transaction: a plan of ten items
//! is ten calls, not ten adds and twelve `dep add`s. An unknown or deleted prerequisite, a
//! dependency on the item itself, or a start status the dependency rule forbids refuses the
//! whole call, and nothing is written.

use super::dependencies::{self, DependencyType, Edge};
use super::items::{self, get_live};
use super::{Item, NewItem};
use crate::connection::{write_tx, Connection};
use crate::error::{Error, Result};
use crate::ids::Env;
use serde::Serialize;

/// The new item and the edges it was given.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AddedItem {
    #[serde(flatten)]
    pub item: Item,
    /// The `blocks` edges from the new item to its prerequisites, in the order given.
    pub depends_on: Vec<Edge>,
}

/// Adds `new` and a `kind` edge to each of `depends_on` (duplicates collapse), all or nothing.
pub fn add_with_dependencies<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    new: &NewItem,
    depends_on: &[String],
    kind: DependencyType,
) -> Result<AddedItem> {
    let mut wanted: Vec<&str> = Vec::new();
    for id in depends_on.iter().map(|s| s.trim()) {
        if id.is_empty() {
            return Err(Error::invalid(
                "depends_on",
                "an empty id; list prerequisite ids separated by commas (A,B)",
            ));
        }
        if !wanted.contains(&id) {
            wanted.push(id);
        }
    }
    if let Some(own) = &new.id {
        if wanted.contains(&own.trim()) {
            return Err(Error::KernelRule {
                message: format!("Circular dependency detected: {own} -> {own}"),
            });
        }
    }
    write_tx(conn, |c| {
        // Prerequisites first: a missing one is named before anything is written.
        let prereqs: Vec<Item> = wanted
            .iter()
            .map(|id| get_live(c, id))
            .collect::<Result<_>>()?;
        let status = new.status_key.as_deref().unwrap_or("pending");
        if kind == DependencyType::Blocks && (status == "in_progress" || status == "completed") {
            let unfinished: Vec<&str> = prereqs
                .iter()
                .filter(|p| !p.is_completed())
                .map(|p| p.id.as_str())
                .collect();
            if !unfinished.is_empty() {
                return Err(Error::KernelRule {
                    message: format!(
                        "Cannot start: blocking dependencies not complete ({}); add the item as pending",
                        unfinished.join(", ")
                    ),
                });
            }
        }
        let item = items::add(c, env, actor, new)?;
        let edges = wanted
            .iter()
            .map(|on| dependencies::add(c, env, actor, &item.id, on, kind, None))
            .collect::<Result<Vec<_>>>()?;
        Ok(AddedItem {
            item,
            depends_on: edges,
        })
    })
}

#[cfg(all(test, feature = "rusqlite"))]
mod tests {
    use super::*;
    use crate::roadmap::readiness;
    use crate::roadmap::testdb::TestDb;

    fn new_item(id: &str) -> NewItem {
        NewItem {
            id: Some(id.into()),
            title: format!("Item {id}"),
            phase_key: "phase_a".into(),
            ..Default::default()
        }
    }

    fn deps(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_item_and_its_prerequisites_land_together() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        db.item("B", "phase_a", 2.0);
        let added = add_with_dependencies(
            &db.conn,
            &db.env(),
            "t",
            &new_item("C"),
            &deps(&["A", "B", "A"]),
            DependencyType::Blocks,
        )
        .unwrap();
        assert_eq!(added.item.id, "C");
        let on: Vec<_> = added
            .depends_on
            .iter()
            .map(|e| e.depends_on_id.as_str())
            .collect();
        assert_eq!(on, ["A", "B"]);
        let ready: Vec<_> = readiness::ready(&db.conn, None)
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert_eq!(ready, ["A", "B"]);
        assert_eq!(readiness::why(&db.conn, "C").unwrap().roots.len(), 2);
    }

    #[test]
    fn a_bad_prerequisite_refuses_the_whole_call_and_writes_nothing() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        let before = db.count("SELECT count(*) FROM audit_log");
        for (id, on) in [
            ("C", &["A", "NOPE"][..]),
            ("C", &["C"][..]),
            ("C", &["A", " "][..]),
        ] {
            let err = add_with_dependencies(
                &db.conn,
                &db.env(),
                "t",
                &new_item(id),
                &deps(on),
                DependencyType::Blocks,
            )
            .unwrap_err();
            assert!(!err.to_string().is_empty());
        }
        let mut started = new_item("D");
        started.status_key = Some("in_progress".into());
        let err = add_with_dependencies(
            &db.conn,
            &db.env(),
            "t",
            &started,
            &deps(&["A"]),
            DependencyType::Blocks,
        )
        .unwrap_err();
        assert!(err.to_string().contains("A"), "{err}");
        assert_eq!(db.count("SELECT count(*) FROM roadmap_items"), 1);
        assert_eq!(db.count("SELECT count(*) FROM roadmap_dependencies"), 0);
        assert_eq!(db.count("SELECT count(*) FROM audit_log"), before);
    }
}
