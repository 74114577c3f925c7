//! What can be worked on now, what cannot, and why.
//!
//! Ready = status `pending`, not deleted, every `blocks` prerequisite completed, and no
//! unresolved kernel blocker (`blockers.resolved_at IS NULL` for the item's `work_id`).
//! The original's `v_ready_items` ignores blockers, so an item the kernel refuses to claim
//! still shows as ready there. A soft-deleted prerequisite that is not completed still
//! blocks, as in the original's view and its `roadmap_status_check_deps` trigger (otherwise
//! `ready` would offer items the trigger refuses to start).
//!
//! Order: rank ascending with unranked items last (the original sorts NULL ranks first, so
//! ad-hoc items float above planned work), then phase, then id. The first page is read from
//! the ready index in rank order and stops after `limit` rows, so its cost does not grow
//! with the size of the roadmap.

use super::{summary_columns, ItemSummary};
use crate::connection::{read_tx, Connection, ConnectionExt};
use crate::error::Result;
use crate::params;
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};

/// The indexes the ready query wants, as migration 034 creates them (see docs/roadmap.md):
/// - `idx_roadmap_ready`: pending, live items in rank order, covering the listed columns, so
///   the first page is a short walk of one small index whatever the roadmap's size;
/// - `idx_roadmap_unfinished`: the few items not completed, so "is this prerequisite
///   finished?" is one lookup in a small index;
/// - `idx_roadmap_dep_blocking`: an item's edges by type, covering the target.
///
/// Without them `ready` is still correct, only slower on large roadmaps. The benchmark drops
/// and re-creates them from this text to measure both.
pub const READY_INDEXES_SQL: &str = "\
CREATE INDEX IF NOT EXISTS idx_roadmap_ready ON roadmap_items \
    (rank, phase_key, id, title, status_key, item_type, owner, target_date, external_id, deleted_at) \
    WHERE status_key = 'pending' AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_roadmap_unfinished ON roadmap_items (id, status_key) \
    WHERE status_key <> 'completed';
CREATE INDEX IF NOT EXISTS idx_roadmap_dep_blocking ON roadmap_dependencies \
    (item_id, dependency_type, depends_on_id);";

/// `r` is pending, live, and has no unfinished `blocks` prerequisite. Open blockers are
/// few, so they are read once and filtered out in [`ready`] rather than probed per row.
const PENDING_UNBLOCKED: &str = "r.status_key = 'pending' AND r.deleted_at IS NULL \
     AND NOT EXISTS (SELECT 1 FROM roadmap_dependencies d \
                     JOIN roadmap_items p ON p.id = d.depends_on_id \
                     WHERE d.item_id = r.id AND d.dependency_type = 'blocks' \
                       AND p.status_key <> 'completed')";

/// The same condition with the prerequisite lookup pinned to `idx_roadmap_unfinished`.
const PENDING_UNBLOCKED_INDEXED: &str = "r.status_key = 'pending' AND r.deleted_at IS NULL \
     AND NOT EXISTS (SELECT 1 FROM roadmap_dependencies d \
                     JOIN roadmap_items p INDEXED BY idx_roadmap_unfinished ON p.id = d.depends_on_id \
                     WHERE d.item_id = r.id AND d.dependency_type = 'blocks' \
                       AND p.status_key <> 'completed')";

/// Whether migration 034's indexes are there. SQLite's planner, without `ANALYZE`
/// statistics (which Motus databases do not have), prefers `idx_roadmap_status` and a sort;
/// naming the indexes keeps the first page a short index walk.
fn has_ready_indexes<C: Connection + ?Sized>(conn: &C) -> Result<bool> {
    let n: i64 = conn.query_one(
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' \
         AND name IN ('idx_roadmap_ready', 'idx_roadmap_unfinished')",
        params![],
    )?;
    Ok(n == 2)
}

/// FROM clause and condition for the ready queries.
fn ready_source<C: Connection + ?Sized>(conn: &C) -> Result<(&'static str, &'static str)> {
    Ok(if has_ready_indexes(conn)? {
        (
            "roadmap_items r INDEXED BY idx_roadmap_ready",
            PENDING_UNBLOCKED_INDEXED,
        )
    } else {
        ("roadmap_items r", PENDING_UNBLOCKED)
    })
}

/// The SQL `ready` runs for ranked (`true`) or unranked items, before open blockers are
/// filtered out; `?1` is the row limit (-1 for all). Public so benchmarks can show its plan.
pub fn ready_sql<C: Connection + ?Sized>(conn: &C, ranked: bool) -> Result<String> {
    let cols = summary_columns("r");
    let (source, cond) = ready_source(conn)?;
    Ok(if ranked {
        format!(
            "SELECT {cols} FROM {source} WHERE {cond} AND r.rank IS NOT NULL \
             ORDER BY r.rank, r.phase_key, r.id LIMIT ?1"
        )
    } else {
        format!(
            "SELECT {cols} FROM {source} WHERE {cond} AND r.rank IS NULL \
             ORDER BY r.phase_key, r.id LIMIT ?1"
        )
    })
}

/// Work items with an unresolved blocker.
fn blocked_by_blockers<C: Connection + ?Sized>(conn: &C) -> Result<HashSet<String>> {
    let rows = conn.query(
        "SELECT DISTINCT work_id FROM blockers WHERE resolved_at IS NULL",
        params![],
    )?;
    rows.iter().map(|r| r.get(0)).collect()
}

/// Ready items in order; `limit` of `None` returns all of them.
pub fn ready<C: Connection + ?Sized>(conn: &C, limit: Option<usize>) -> Result<Vec<ItemSummary>> {
    read_tx(conn, |c| {
        let held = blocked_by_blockers(c)?;
        // Fetch enough rows that dropping every blocked one still fills the page.
        let cap = |room: Option<usize>| room.map_or(-1, |l| (l + held.len()) as i64);
        let mut items: Vec<ItemSummary> = Vec::new();
        let keep = |rows: crate::connection::Rows, items: &mut Vec<ItemSummary>| -> Result<()> {
            for values in rows.rows {
                if limit.is_some_and(|l| items.len() >= l) {
                    break;
                }
                let item = ItemSummary::from_values(values)?;
                if !held.contains(&item.id) {
                    items.push(item);
                }
            }
            Ok(())
        };
        let ranked = c.query(&ready_sql(c, true)?, params![cap(limit)])?;
        keep(ranked, &mut items)?;
        let room = limit.map(|l| l.saturating_sub(items.len()));
        if room != Some(0) {
            let unranked = c.query(&ready_sql(c, false)?, params![cap(room)])?;
            keep(unranked, &mut items)?;
        }
        Ok(items)
    })
}

/// How many items are ready.
pub fn ready_count<C: Connection + ?Sized>(conn: &C) -> Result<i64> {
    conn.query_one(
        &format!(
            "SELECT count(*) FROM roadmap_items r WHERE {PENDING_UNBLOCKED} \
             AND NOT EXISTS (SELECT 1 FROM blockers b WHERE b.work_id = r.id AND b.resolved_at IS NULL)"
        ),
        params![],
    )
}

/// An open kernel blocker on an item.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BlockerRef {
    pub id: String,
    pub work_id: String,
    pub title: String,
    pub reason_code: String,
    pub severity: Option<String>,
    pub needs: Option<String>,
    pub created_at: String,
}

/// An item that cannot start, with what holds it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BlockedItem {
    #[serde(flatten)]
    pub item: ItemSummary,
    /// Direct `blocks` prerequisites that are not completed.
    pub blocking_dependencies: Vec<String>,
    /// Unresolved blockers on the item.
    pub blockers: Vec<String>,
}

/// Live items not completed or deferred that have an unfinished `blocks` prerequisite or an
/// open blocker (the original's `v_blocked_items` counts only the former).
pub fn blocked<C: Connection + ?Sized>(conn: &C) -> Result<Vec<BlockedItem>> {
    let cols = summary_columns("r");
    let rows = conn.query(
        &format!(
            "SELECT * FROM (SELECT {cols}, \
               (SELECT group_concat(d.depends_on_id, char(10)) FROM roadmap_dependencies d \
                  JOIN roadmap_items p ON p.id = d.depends_on_id \
                 WHERE d.item_id = r.id AND d.dependency_type = 'blocks' \
                   AND p.status_key <> 'completed') AS deps, \
               (SELECT group_concat(b.id, char(10)) FROM blockers b \
                 WHERE b.work_id = r.id AND b.resolved_at IS NULL) AS open_blockers \
             FROM roadmap_items r \
             WHERE r.deleted_at IS NULL AND r.status_key NOT IN ('completed', 'deferred')) \
             WHERE deps IS NOT NULL OR open_blockers IS NOT NULL \
             ORDER BY rank IS NULL, rank, phase_key, id"
        ),
        params![],
    )?;
    let n = super::SUMMARY_COLUMNS.split(", ").count();
    let split = |v: Option<String>| {
        let mut ids: Vec<String> = v
            .map(|s| s.split('\n').map(str::to_string).collect())
            .unwrap_or_default();
        ids.sort();
        ids
    };
    rows.iter()
        .map(|r| {
            Ok(BlockedItem {
                item: ItemSummary::from_row(r)?,
                blocking_dependencies: split(r.get(n)?),
                blockers: split(r.get(n + 1)?),
            })
        })
        .collect()
}

/// Direct `blocks` prerequisites of `id` that are not completed, as (id, status).
pub fn open_blocking_prerequisites<C: Connection + ?Sized>(
    conn: &C,
    id: &str,
) -> Result<Vec<(String, String)>> {
    let rows = conn.query(
        "SELECT p.id, p.status_key || CASE WHEN p.deleted_at IS NULL THEN '' ELSE ', deleted' END \
           FROM roadmap_dependencies d JOIN roadmap_items p ON p.id = d.depends_on_id \
          WHERE d.item_id = ?1 AND d.dependency_type = 'blocks' AND p.status_key <> 'completed' \
          ORDER BY p.id",
        params![id],
    )?;
    rows.iter().map(|r| Ok((r.get(0)?, r.get(1)?))).collect()
}

/// Items that depend on `id` and are ready now (after `id` completed).
pub fn newly_ready_dependents<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Vec<String>> {
    let rows = conn.query(
        &format!(
            "SELECT r.id FROM roadmap_dependencies e JOIN roadmap_items r ON r.id = e.item_id \
             WHERE e.depends_on_id = ?1 AND e.dependency_type = 'blocks' AND {PENDING_UNBLOCKED} \
               AND NOT EXISTS (SELECT 1 FROM blockers b WHERE b.work_id = r.id AND b.resolved_at IS NULL) \
             ORDER BY r.rank IS NULL, r.rank, r.id"
        ),
        params![id],
    )?;
    rows.iter().map(|r| r.get(0)).collect()
}

fn open_blockers<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Vec<BlockerRef>> {
    let rows = conn.query(
        "SELECT id, work_id, title, reason_code, severity, needs, created_at FROM blockers \
         WHERE work_id = ?1 AND resolved_at IS NULL ORDER BY created_at, id",
        params![id],
    )?;
    rows.iter()
        .map(|r| {
            Ok(BlockerRef {
                id: r.get::<Option<String>>(0)?.unwrap_or_default(),
                work_id: r.get(1)?,
                title: r.get(2)?,
                reason_code: r.get(3)?,
                severity: r.get(4)?,
                needs: r.get(5)?,
                created_at: r.get(6)?,
            })
        })
        .collect()
}

/// One unfinished item on the chain below the item asked about.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChainNode {
    pub id: String,
    pub title: String,
    pub status_key: String,
    pub deleted: bool,
    /// 1 for a direct prerequisite.
    pub depth: usize,
    /// The item this one holds back on a shortest chain from the item asked about (that
    /// item itself at depth 1). Following parents rebuilds the path; contract version 1
    /// printed the whole path per node, which grew with the square of the chain's depth.
    pub parent: String,
    /// Its own unfinished `blocks` prerequisites (empty at a root).
    pub waiting_on: Vec<String>,
    /// Its own open blockers.
    pub blockers: Vec<BlockerRef>,
}

/// Everything that holds an item back.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Why {
    pub id: String,
    pub title: String,
    pub status_key: String,
    pub rank: Option<f64>,
    pub ready: bool,
    /// One sentence per reason, for people.
    pub reasons: Vec<String>,
    /// Every unfinished item on the `blocks` chain below this one, nearest first.
    pub blocking_dependencies: Vec<ChainNode>,
    /// Open blockers on the item itself.
    pub blockers: Vec<BlockerRef>,
    /// The unfinished items at the bottom of the chain: work on these first.
    pub roots: Vec<String>,
    /// Open `soft` prerequisites (they do not block; shown for context).
    pub soft_dependencies_open: Vec<String>,
}

/// Explains what holds `id` back, following `blocks` edges down to the unfinished items at
/// the root of each chain.
pub fn why<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Why> {
    read_tx(conn, |c| {
        let item = super::Item::get(c, id)?;
        let mut reasons = Vec::new();
        if let Some(at) = &item.deleted_at {
            reasons.push(format!("{id} was deleted at {at}; restore it first"));
        }
        match item.status_key.as_str() {
            "pending" => {}
            "completed" => reasons.push(format!("{id} is already completed")),
            other => reasons.push(format!(
                "{id} has status '{other}'; only 'pending' items are offered as ready"
            )),
        }
        let blockers = open_blockers(c, id)?;
        for b in &blockers {
            reasons.push(format!(
                "open blocker {} ({}): {}",
                b.id, b.reason_code, b.title
            ));
        }
        let chain = walk_chain(c, id)?;
        for n in chain.iter().filter(|n| n.depth == 1) {
            let deleted = if n.deleted { ", deleted" } else { "" };
            reasons.push(format!(
                "waits for {} '{}' ({}{deleted})",
                n.id, n.title, n.status_key
            ));
        }
        let roots: Vec<String> = chain
            .iter()
            .filter(|n| n.waiting_on.is_empty())
            .map(|n| n.id.clone())
            .collect();
        let soft = c.query(
            "SELECT p.id FROM roadmap_dependencies d JOIN roadmap_items p ON p.id = d.depends_on_id \
             WHERE d.item_id = ?1 AND d.dependency_type = 'soft' AND p.status_key <> 'completed' \
             AND p.deleted_at IS NULL ORDER BY p.id",
            params![id],
        )?;
        let soft_dependencies_open = soft.iter().map(|r| r.get(0)).collect::<Result<_>>()?;
        Ok(Why {
            ready: reasons.is_empty(),
            id: item.id,
            title: item.title,
            status_key: item.status_key,
            rank: item.rank,
            reasons,
            blocking_dependencies: chain,
            blockers,
            roots,
            soft_dependencies_open,
        })
    })
}

/// The item and every unfinished item reachable from it over `blocks` edges (one recursive
/// query; `UNION` keeps each item once, so a cycle an older tool left cannot loop it).
const REACH: &str = "WITH RECURSIVE reach(id) AS (SELECT ?1 UNION \
    SELECT d.depends_on_id FROM reach r \
      JOIN roadmap_dependencies d ON d.item_id = r.id AND d.dependency_type = 'blocks' \
      JOIN roadmap_items p ON p.id = d.depends_on_id AND p.status_key <> 'completed')";

/// The two queries of [`walk_chain`] (`?1` is the item): the reachable unfinished edges, and
/// the open blockers on the reached items. `CROSS JOIN` keeps the reached items driving both:
/// left to itself, SQLite satisfies `ORDER BY d.item_id` by walking the whole edge index and
/// probing every edge against the reached set (9k page reads for a chain of two at 100k
/// edges: 80–150 ms natively, seconds in the browser viewer). Public so tests can show their
/// plans.
pub fn chain_sql() -> [String; 2] {
    [
        format!(
            "{REACH} SELECT d.item_id, p.id, p.title, p.status_key, p.deleted_at IS NOT NULL \
               FROM reach r \
               CROSS JOIN roadmap_dependencies d ON d.item_id = r.id AND d.dependency_type = 'blocks' \
               CROSS JOIN roadmap_items p ON p.id = d.depends_on_id AND p.status_key <> 'completed' \
              ORDER BY d.item_id, p.id"
        ),
        format!(
            "{REACH} SELECT b.id, b.work_id, b.title, b.reason_code, b.severity, b.needs, b.created_at \
               FROM reach r CROSS JOIN blockers b ON b.work_id = r.id AND b.resolved_at IS NULL \
              WHERE r.id <> ?1 ORDER BY b.created_at, b.id"
        ),
    ]
}

/// Breadth-first over unfinished `blocks` prerequisites; each item appears once, at its
/// shallowest depth, nearest first (prerequisites of one item in id order). Linear in what
/// the item reaches: the two queries of [`chain_sql`] fetch the reachable edges and blockers,
/// then one walk in memory.
fn walk_chain<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Vec<ChainNode>> {
    struct Info {
        title: String,
        status_key: String,
        deleted: bool,
    }
    let [edges_sql, blockers_sql] = chain_sql();
    let rows = conn.query(&edges_sql, params![id])?;
    let mut prereqs: HashMap<String, Vec<String>> = HashMap::new();
    let mut info: HashMap<String, Info> = HashMap::new();
    for r in rows.iter() {
        let pid: String = r.get(1)?;
        prereqs.entry(r.get(0)?).or_default().push(pid.clone());
        if !info.contains_key(&pid) {
            info.insert(
                pid,
                Info {
                    title: r.get(2)?,
                    status_key: r.get(3)?,
                    deleted: r.get(4)?,
                },
            );
        }
    }
    let mut blockers: HashMap<String, Vec<BlockerRef>> = HashMap::new();
    let rows = conn.query(&blockers_sql, params![id])?;
    for r in rows.iter() {
        let b = BlockerRef {
            id: r.get::<Option<String>>(0)?.unwrap_or_default(),
            work_id: r.get(1)?,
            title: r.get(2)?,
            reason_code: r.get(3)?,
            severity: r.get(4)?,
            needs: r.get(5)?,
            created_at: r.get(6)?,
        };
        blockers.entry(b.work_id.clone()).or_default().push(b);
    }
    let mut seen: HashSet<&str> = HashSet::from([id]);
    let mut queue: VecDeque<(&str, usize)> = VecDeque::from([(id, 0)]);
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut nodes: Vec<ChainNode> = Vec::new();
    while let Some((node, depth)) = queue.pop_front() {
        let waiting_on = prereqs.get(node).map(Vec::as_slice).unwrap_or_default();
        for pid in waiting_on {
            if !seen.insert(pid.as_str()) {
                continue;
            }
            let i = &info[pid];
            index.insert(pid.as_str(), nodes.len());
            nodes.push(ChainNode {
                id: pid.clone(),
                title: i.title.clone(),
                status_key: i.status_key.clone(),
                deleted: i.deleted,
                depth: depth + 1,
                parent: node.to_string(),
                waiting_on: Vec::new(),
                blockers: blockers.remove(pid).unwrap_or_default(),
            });
            queue.push_back((pid.as_str(), depth + 1));
        }
        if let Some(&i) = index.get(node) {
            nodes[i].waiting_on = waiting_on.to_vec();
        }
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::super::testdb::TestDb;
    use super::super::{items, DependencyType::*, ItemUpdate};
    use super::*;

    fn ids(items: &[ItemSummary]) -> Vec<&str> {
        items.iter().map(|i| i.id.as_str()).collect()
    }

    fn set_status(db: &TestDb, id: &str, status: &str) {
        items::update(
            &db.conn,
            &db.env(),
            "t",
            id,
            &ItemUpdate {
                status_key: Some(status.into()),
                ..Default::default()
            },
        )
        .unwrap();
    }

    /// A blocker on `work_id`, inserted as the kernel does.
    fn block(db: &TestDb, id: &str, work_id: &str) {
        db.conn
            .execute(
                "INSERT INTO blockers (id, work_id, reason_code, title, created_by) VALUES (?1, ?2, 'missing_info', 'need the spec', 'tester')",
                crate::params![id, work_id],
            )
            .unwrap();
    }

    #[test]
    fn the_first_page_is_read_from_the_ready_index_in_rank_order() {
        let db = TestDb::new();
        let plan = |sql: &str| -> String {
            db.conn
                .query(&format!("EXPLAIN QUERY PLAN {sql}"), crate::params![20])
                .unwrap()
                .iter()
                .map(|r| r.get::<String>(3).unwrap())
                .collect::<Vec<_>>()
                .join("; ")
        };
        // No ANALYZE statistics, as in every Motus database.
        let first_page = plan(&ready_sql(&db.conn, true).unwrap());
        let unranked = plan(&ready_sql(&db.conn, false).unwrap());
        assert!(
            unranked.contains("idx_roadmap_ready (rank=?)"),
            "{unranked}"
        );
        assert!(!unranked.contains("TEMP B-TREE"), "{unranked}");
        // A walk of the covering index in rank order: no scan, no sort.
        assert!(
            first_page.contains("USING COVERING INDEX idx_roadmap_ready"),
            "{first_page}"
        );
        assert!(
            first_page.contains("idx_roadmap_dep_blocking"),
            "{first_page}"
        );
        assert!(
            first_page.contains("idx_roadmap_unfinished"),
            "{first_page}"
        );
        assert!(!first_page.contains("TEMP B-TREE"), "{first_page}");
        // The migration and the text the benchmark re-creates them from agree.
        let defined: i64 = db.count(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN \
             ('idx_roadmap_ready', 'idx_roadmap_unfinished', 'idx_roadmap_dep_blocking')",
        );
        assert_eq!(defined, 3);
        let before: Vec<String> = db
            .conn
            .query(
                "SELECT sql FROM sqlite_master WHERE name LIKE 'idx_roadmap_%' ORDER BY name",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get::<Option<String>>(0).unwrap().unwrap_or_default())
            .collect();
        db.conn
            .execute_batch(
                "DROP INDEX idx_roadmap_ready; DROP INDEX idx_roadmap_unfinished; \
                 DROP INDEX idx_roadmap_dep_blocking;",
            )
            .unwrap();
        db.conn.execute_batch(READY_INDEXES_SQL).unwrap();
        let after: Vec<String> = db
            .conn
            .query(
                "SELECT sql FROM sqlite_master WHERE name LIKE 'idx_roadmap_%' ORDER BY name",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get::<Option<String>>(0).unwrap().unwrap_or_default())
            .collect();
        let norm = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|s| {
                    s.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .replace(" IF NOT EXISTS", "")
                })
                .collect()
        };
        assert_eq!(norm(&before), norm(&after));
    }

    #[test]
    fn readiness_follows_chains_of_blocking_dependencies() {
        let db = TestDb::new();
        db.item("A", "phase_a", 3.0);
        db.item("B", "phase_a", 2.0);
        db.item("C", "phase_a", 1.0);
        db.item("S", "phase_a", 4.0);
        db.dep("A", "B", Blocks);
        db.dep("B", "C", Blocks);
        db.dep("S", "A", Soft); // soft does not block
        assert_eq!(ids(&ready(&db.conn, None).unwrap()), ["C", "S"]);
        set_status(&db, "C", "completed");
        assert_eq!(ids(&ready(&db.conn, None).unwrap()), ["B", "S"]);
        items::complete(
            &db.conn,
            &db.env(),
            &items::Completer {
                agent: "t",
                role: Some("reviewer"),
            },
            "B",
            None,
        )
        .unwrap();
        assert_eq!(ids(&ready(&db.conn, None).unwrap()), ["A", "S"]);
        let blocked = blocked(&db.conn).unwrap();
        assert!(blocked.is_empty(), "{blocked:?}");
    }

    #[test]
    fn an_open_blocker_holds_an_item_back_until_resolved() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        db.item("B", "phase_a", 2.0);
        block(&db, "blk-1", "A");
        assert_eq!(ids(&ready(&db.conn, None).unwrap()), ["B"]);
        // The original's view still calls A ready: that is the difference.
        let view: i64 = db.count("SELECT count(*) FROM v_ready_items WHERE id = 'A'");
        assert_eq!(view, 1);
        let b = blocked(&db.conn).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(
            (b[0].item.id.as_str(), b[0].blockers.clone()),
            ("A", vec!["blk-1".to_string()])
        );
        let w = why(&db.conn, "A").unwrap();
        assert!(!w.ready);
        assert_eq!(w.blockers[0].id, "blk-1");
        // Resolve it as the kernel would (a blocker inserted resolved needs no justification;
        // here we resolve an open one with a waiver decision recorded after it).
        db.clock.advance_seconds(2);
        db.conn
            .execute(
                "INSERT INTO decisions (id, work_id, decision_type, decided_by, decided_at) VALUES ('dec-1', 'A', 'waiver', 'lead', datetime('now', '+1 hour'))",
                &[],
            )
            .unwrap();
        db.conn
            .execute(
                "UPDATE blockers SET resolved_at = datetime('now', '+2 hours'), resolved_by = 'lead', resolution = 'waived' WHERE id = 'blk-1'",
                &[],
            )
            .unwrap();
        assert_eq!(ids(&ready(&db.conn, None).unwrap()), ["A", "B"]);
    }

    #[test]
    fn ready_orders_by_rank_with_unranked_items_last_and_respects_the_limit() {
        let db = TestDb::new();
        db.item("R3", "phase_a", 3.0);
        db.item("R1", "phase_b", 1.0);
        db.item("R2", "phase_a", 2.0);
        db.conn
            .execute(
                "INSERT INTO roadmap_items (id, phase_key, title) VALUES ('U1', 'phase_a', 'unranked')",
                &[],
            )
            .unwrap();
        assert_eq!(
            ids(&ready(&db.conn, None).unwrap()),
            ["R1", "R2", "R3", "U1"]
        );
        assert_eq!(ids(&ready(&db.conn, Some(2)).unwrap()), ["R1", "R2"]);
        assert_eq!(
            ids(&ready(&db.conn, Some(4)).unwrap()),
            ["R1", "R2", "R3", "U1"]
        );
        assert_eq!(ready_count(&db.conn).unwrap(), 4);
    }

    #[test]
    fn deleted_items_are_not_ready_but_a_deleted_unfinished_prerequisite_still_blocks() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        db.item("B", "phase_a", 2.0);
        db.dep("A", "B", Blocks);
        items::delete(&db.conn, &db.env(), "t", "B", Some("obsolete")).unwrap();
        assert!(ready(&db.conn, None).unwrap().is_empty());
        let w = why(&db.conn, "A").unwrap();
        assert_eq!(w.blocking_dependencies[0].id, "B");
        assert!(w.blocking_dependencies[0].deleted);
        assert!(
            w.reasons.iter().any(|r| r.contains("deleted")),
            "{:?}",
            w.reasons
        );
    }

    #[test]
    fn why_follows_the_chain_down_to_its_roots() {
        let db = TestDb::new();
        for (i, id) in ["TOP", "MID", "LEFT", "RIGHT", "DONE"].iter().enumerate() {
            db.item(id, "phase_a", i as f64);
        }
        db.dep("TOP", "MID", Blocks);
        db.dep("MID", "LEFT", Blocks);
        db.dep("MID", "RIGHT", Blocks);
        db.dep("RIGHT", "DONE", Blocks);
        set_status(&db, "DONE", "completed");
        block(&db, "blk-r", "RIGHT");
        let w = why(&db.conn, "TOP").unwrap();
        assert!(!w.ready);
        let chain: Vec<(&str, usize)> = w
            .blocking_dependencies
            .iter()
            .map(|n| (n.id.as_str(), n.depth))
            .collect();
        assert_eq!(chain, [("MID", 1), ("LEFT", 2), ("RIGHT", 2)]);
        assert_eq!(w.roots, ["LEFT", "RIGHT"]);
        let right = &w.blocking_dependencies[2];
        assert_eq!(
            (
                right.parent.as_str(),
                w.blocking_dependencies[0].parent.as_str()
            ),
            ("MID", "TOP")
        );
        assert_eq!(right.blockers[0].id, "blk-r");
        assert_eq!(w.blocking_dependencies[0].waiting_on, ["LEFT", "RIGHT"]);
        // A ready item has nothing to explain.
        let left = why(&db.conn, "LEFT").unwrap();
        assert!(left.ready && left.reasons.is_empty());
    }

    #[test]
    fn starting_needs_every_blocking_prerequisite_completed() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        db.item("B", "phase_a", 2.0);
        db.dep("A", "B", Blocks);
        let err = items::update(
            &db.conn,
            &db.env(),
            "t",
            "A",
            &ItemUpdate {
                status_key: Some("in_progress".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot start: blocking dependencies not complete: B (pending)"
        );
        let err = items::complete(
            &db.conn,
            &db.env(),
            &items::Completer {
                agent: "t",
                role: Some("reviewer"),
            },
            "A",
            None,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("Cannot complete A"), "{err}");
        // The same rule holds when the status is set through update.
        let err = items::update(
            &db.conn,
            &db.env(),
            "t",
            "A",
            &ItemUpdate {
                status_key: Some("completed".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot complete A: blocking dependencies not complete: B (pending)"
        );
        items::complete(
            &db.conn,
            &db.env(),
            &items::Completer {
                agent: "t",
                role: Some("reviewer"),
            },
            "B",
            None,
        )
        .unwrap();
        set_status(&db, "A", "in_progress");
    }
}
