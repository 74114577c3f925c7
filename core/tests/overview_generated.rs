//! The overview's ready/blocked panels against the roadmap's own answers (`motus roadmap
//! ready|blocked|why`) on real generated database files: the populated 0.3.3 fixture plus a
//! generated roadmap shaped like the viewer bench's (chains of `blocks` edges, three statuses
//! in turn) with the cases that tell the rules apart — ranked and unranked items, deleted
//! unfinished prerequisites, soft and related edges, edges to items that do not exist, open and
//! resolved blockers, deferred and in-review items. Checked on the file as the original left
//! it (no ready indexes) and again with migration 034's ready indexes.
#![cfg(all(feature = "rusqlite", not(target_family = "wasm")))]

use motus_core::overview::{self, ItemState, RoadmapQuery, PANEL_ITEMS};
use motus_core::roadmap::readiness;
use motus_core::sqlite::SqliteConnection;
use std::path::PathBuf;

const POPULATED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/motusos-0.3.3-populated.db"
);

struct Generated {
    path: PathBuf,
}

impl Drop for Generated {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The fixture with `n` generated items added, as a file of its own.
fn generate(n: usize, tag: &str) -> Generated {
    let path = std::env::temp_dir().join(format!(
        "motus-overview-{tag}-{}-{}.db",
        std::process::id(),
        n
    ));
    let _ = std::fs::remove_file(&path);
    // Removed on drop, also when generating fails half way.
    let generated = Generated { path: path.clone() };
    std::fs::copy(POPULATED, &path).expect("copy the fixture");
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    // The generator writes what a crafted or old file may hold: no triggers in the way.
    let triggers: Vec<String> = db
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' \
             AND tbl_name IN ('roadmap_items', 'roadmap_dependencies', 'blockers')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in triggers {
        db.execute_batch(&format!("DROP TRIGGER \"{t}\"")).unwrap();
    }
    db.execute_batch("PRAGMA foreign_keys = OFF; BEGIN")
        .unwrap();
    let statuses = [
        "completed",
        "pending",
        "in_progress",
        "pending",
        "deferred",
        "review",
    ];
    let id = |i: usize| format!("GEN-{i:05}");
    for i in 0..n {
        let rank = (i % 5 == 0).then(|| ((i * 37) % 101) as f64);
        let deleted = (i % 17 == 0).then_some("2026-01-01 00:00:00");
        db.execute(
            "INSERT INTO roadmap_items (id, phase_key, title, status_key, rank, deleted_at, item_type) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                id(i),
                format!("phase_gen_{:02}", i % 40),
                format!("generated item {i}"),
                statuses[i % statuses.len()],
                rank,
                deleted,
                if i % 23 == 0 { "gate" } else { "work" },
            ],
        )
        .unwrap();
    }
    let edge = |from: String, to: String, kind: &str| {
        db.execute(
            "INSERT OR IGNORE INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) VALUES (?1, ?2, ?3)",
            rusqlite::params![from, to, kind],
        )
        .unwrap();
    };
    for i in 1..n {
        if i % 2 == 1 {
            // Near the start the bench's formula points before the first item: an edge to an
            // item that does not exist, which holds nothing.
            let on = (i + 1)
                .checked_sub(2 + i % 7)
                .map_or_else(|| format!("BEFORE-{i}"), id);
            edge(id(i), on, "blocks");
        }
        if i % 11 == 0 && i >= 3 {
            edge(id(i), id(i - 3), "soft");
        }
        if i % 13 == 0 && i >= 2 {
            edge(id(i), id(i - 2), "related");
        }
        if i % 19 == 0 {
            edge(id(i), format!("MISSING-{i}"), "blocks");
        }
    }
    for i in (0..n).step_by(97) {
        db.execute(
            "INSERT INTO blockers (id, work_id, reason_code, title, created_by) VALUES (?1, ?2, 'missing_info', 'need the spec', 'gen')",
            rusqlite::params![format!("BLK-OPEN-{i}"), id(i)],
        )
        .unwrap();
    }
    for i in (5..n).step_by(89) {
        db.execute(
            "INSERT INTO blockers (id, work_id, reason_code, title, created_by, resolved_at, resolved_by, resolution) \
             VALUES (?1, ?2, 'missing_info', 'was stuck', 'gen', '2026-01-02 00:00:00', 'gen', 'done')",
            rusqlite::params![format!("BLK-DONE-{i}"), id(i)],
        )
        .unwrap();
    }
    db.execute_batch("COMMIT").unwrap();
    generated
}

fn open(g: &Generated) -> SqliteConnection {
    SqliteConnection::from_rusqlite(rusqlite::Connection::open(&g.path).unwrap())
}

/// `why` (which explains every blocked item the panels show) reads only what the item
/// reaches: no scan of the edges or the items.
fn check_the_chain_plans(conn: &SqliteConnection) {
    use motus_core::Connection;
    for sql in readiness::chain_sql() {
        let plan: Vec<String> = conn
            .query(&format!("EXPLAIN QUERY PLAN {sql}"), &["GEN-00001".into()])
            .unwrap()
            .iter()
            .map(|r| r.get::<String>(3).unwrap())
            .collect();
        let scans: Vec<&String> = plan
            .iter()
            .filter(|s| s.starts_with("SCAN ") && s.as_str() != "SCAN r" && !s.contains("CONSTANT"))
            .collect();
        assert!(scans.is_empty(), "{plan:?}");
    }
}

/// Panels, totals and item states equal the roadmap's own lists, item for item, in order,
/// with the roadmap's own reasons.
fn check_against_the_roadmap(conn: &SqliteConnection) {
    let ready = readiness::ready(conn, None).unwrap();
    let blocked = readiness::blocked(conn).unwrap();
    let work = overview::overview_work(conn).unwrap();
    assert_eq!(work.ready_count, ready.len() as i64);
    assert_eq!(work.blocked_count, blocked.len() as i64);
    let shown = PANEL_ITEMS as usize;
    assert_eq!(work.ready.len(), ready.len().min(shown));
    for (panel, own) in work.ready.iter().zip(&ready) {
        assert_eq!(
            (
                &panel.id,
                &panel.title,
                &panel.phase,
                &panel.status,
                panel.rank
            ),
            (
                &own.id,
                &own.title,
                &own.phase_key,
                &own.status_key,
                own.rank
            )
        );
    }
    assert_eq!(work.blocked.len(), blocked.len().min(shown));
    for (panel, own) in work.blocked.iter().zip(&blocked) {
        assert_eq!(panel.item.id, own.item.id);
        assert_eq!(panel.item_type, own.item.item_type);
        assert_eq!(panel.state, ItemState::Blocked);
        let why = readiness::why(conn, &own.item.id).unwrap();
        assert!(!why.ready);
        assert_eq!(panel.reasons, why.reasons, "{}", own.item.id);
        let mut blocking: Vec<String> = panel
            .waits_for
            .iter()
            .filter(|w| w.dependency_type == "blocks")
            .map(|w| w.depends_on.clone())
            .collect();
        blocking.sort();
        assert_eq!(blocking, own.blocking_dependencies, "{}", own.item.id);
    }
    // The Roadmap page's tabs take their states from the same split.
    let page = overview::roadmap_page(
        conn,
        &RoadmapQuery {
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    let tab = |s: &str| page.state_counts.iter().find(|(n, _)| n == s).unwrap().1;
    assert_eq!(tab("ready"), ready.len());
    assert_eq!(tab("blocked"), blocked.len());
}

#[test]
fn the_panels_equal_the_roadmaps_own_lists_on_a_generated_file() {
    let g = generate(3000, "panels");
    let conn = open(&g);
    // The generated file has every case the rules tell apart, among the first items too.
    let blocked = readiness::blocked(&conn).unwrap();
    let ready = readiness::ready(&conn, None).unwrap();
    assert!(ready.len() > 100 && blocked.len() > 100);
    assert!(ready[0].rank.is_some() && ready.iter().any(|i| i.rank.is_none()));
    assert!(blocked[..PANEL_ITEMS as usize]
        .iter()
        .any(|b| !b.blockers.is_empty()));
    assert!(blocked.iter().any(|b| b.item.status_key == "review"));
    assert!(blocked.iter().any(|b| b.blocking_dependencies.is_empty()));
    let deleted_prerequisite = blocked.iter().any(|b| {
        readiness::why(&conn, &b.item.id)
            .unwrap()
            .blocking_dependencies
            .iter()
            .any(|n| n.deleted)
    });
    assert!(deleted_prerequisite);
    check_against_the_roadmap(&conn);
    check_the_chain_plans(&conn);
    // And through migration 034's ready indexes (the roadmap's indexed queries).
    conn.inner()
        .execute_batch(readiness::READY_INDEXES_SQL)
        .unwrap();
    check_against_the_roadmap(&conn);
    check_the_chain_plans(&conn);
}

/// Completing the items at the head of the panels moves the next ones up, as the roadmap
/// says (the panels follow the file, nothing is remembered).
#[test]
fn the_panels_follow_changes_to_the_file() {
    let g = generate(600, "changes");
    let conn = open(&g);
    let before = overview::overview_work(&conn).unwrap();
    let head: Vec<String> = before.ready.iter().take(3).map(|i| i.id.clone()).collect();
    conn.inner()
        .execute_batch(&format!(
            "UPDATE roadmap_items SET status_key = 'completed' WHERE id IN ('{}')",
            head.join("', '")
        ))
        .unwrap();
    let after = overview::overview_work(&conn).unwrap();
    assert!(after.ready.iter().all(|i| !head.contains(&i.id)));
    check_against_the_roadmap(&conn);
}
