//! `core`'s browsing and overview queries against the real fixture files, opened the way the
//! browser viewer opens them (`SqliteConnection::from_image`). The same tests run natively
//! (`cargo test -p motus-core --features rusqlite`) and in headless Chromium
//! (`--target wasm32-unknown-unknown`, wasm-bindgen-test; see scripts/test-web).
#![cfg(feature = "rusqlite")]

use motus_core::file_tools::browse::{
    self, DatabaseKind, ExportFormat, Filter, FilterOp, PageQuery, Sort,
};
use motus_core::overview::{self, AuditQuery, HashCheck, ItemState};
use motus_core::sqlite::SqliteConnection;
use motus_core::Connection;

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

static POPULATED: &[u8] = include_bytes!("../../../shared/fixtures/motusos-0.3.3-populated.db");
static QUICKSTART: &[u8] = include_bytes!("../../../shared/fixtures/motusos-0.3.3-quickstart.db");
static FOREIGN: &[u8] = include_bytes!("../../../shared/fixtures/motusos-0.6.5-populated.db");

fn open(bytes: &[u8]) -> SqliteConnection {
    SqliteConnection::from_image(bytes.to_vec()).expect("fixture opens")
}

#[test]
fn the_populated_fixture_is_recognised_as_motus() {
    let info = browse::describe(&open(POPULATED)).unwrap();
    assert_eq!(info.schema_version, Some(20));
    assert!(info.tables >= 49, "{info:?}");
    if info.latest_version >= 20 {
        assert_eq!(info.kind, DatabaseKind::Motus, "{info:?}");
        assert!(info.written_by_original);
    } else {
        // Until this build carries migrations 16-20 the file reads as newer than we know.
        assert_eq!(info.kind, DatabaseKind::Generic);
        assert!(info.notice.unwrap().contains("newer"));
    }
}

#[test]
fn a_foreign_sqlite_file_is_generic_with_a_notice() {
    let info = browse::describe(&open(FOREIGN)).unwrap();
    assert_eq!(info.kind, DatabaseKind::Generic);
    let notice = info.notice.unwrap();
    assert!(notice.contains("Not a Motus"), "{notice}");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_clearly() {
    let err = SqliteConnection::from_image(b"hello, this is not a database at all".repeat(10))
        .err()
        .expect("refused");
    assert_eq!(err.code(), "not_a_database");
}

#[test]
fn overview_counts_match_the_fixture() {
    let o = overview::overview(&open(POPULATED)).unwrap();
    let count = |t: &str| o.counts.iter().find(|c| c.table == t).map(|c| c.count);
    assert_eq!(count("roadmap_items"), Some(206));
    assert_eq!(count("roadmap_dependencies"), Some(198));
    assert_eq!(count("coordination_leases"), Some(60));
    assert_eq!(count("evidence"), Some(271));
    assert_eq!(count("decisions"), Some(228));
    assert_eq!(count("audit_log"), Some(265));
    // The original's v_ready_items and v_blocked_items give 57 and 99.
    assert_eq!(o.ready_count, 57);
    assert_eq!(o.blocked_count, 99);
    assert_eq!(o.active_leases.len(), 5);
    assert_eq!(o.active_lease_count, 5);
    assert!(!o.recent.is_empty());
    // The bounded recent activity gives the same newest rows as sorting everything.
    let c = open(POPULATED);
    let all = c
        .query(
            "SELECT at FROM (SELECT timestamp AS at FROM audit_log UNION ALL SELECT created_at FROM events \
             UNION ALL SELECT created_at FROM evidence UNION ALL SELECT decided_at FROM decisions) \
             ORDER BY replace(replace(at, 'T', ' '), 'Z', '') DESC LIMIT 15",
            &[],
        )
        .unwrap();
    let want: Vec<String> = all.iter().map(|r| r.get(0).unwrap()).collect();
    let got: Vec<String> = o.recent.iter().map(|a| a.at.clone()).collect();
    assert_eq!(got, want);
}

#[test]
fn the_roadmap_pages_agree_with_the_whole_roadmap() {
    let c = open(POPULATED);
    let map = overview::roadmap(&c).unwrap();
    let q = |state: &str, text: &str, offset: usize, limit: usize| {
        overview::roadmap_page(
            &c,
            &overview::RoadmapQuery {
                state: state.into(),
                text: text.into(),
                offset,
                limit,
            },
        )
        .unwrap()
    };
    let blocked = q("blocked", "", 0, 500);
    assert_eq!(blocked.total, map.count(ItemState::Blocked));
    let full: Vec<&overview::RoadmapEntry> = map
        .entries
        .iter()
        .filter(|e| e.state == ItemState::Blocked)
        .collect();
    for (a, b) in blocked.entries.iter().zip(full) {
        assert_eq!(a, b);
    }
    let page2 = q("", "", 10, 10);
    assert_eq!(page2.entries.len(), 10);
    assert_eq!(page2.entries[0].item.id, map.entries[10].item.id);
    assert_eq!(page2.state_counts[0], (String::new(), map.entries.len()));
    let ready_n = page2
        .state_counts
        .iter()
        .find(|(s, _)| s == "ready")
        .unwrap()
        .1;
    assert_eq!(ready_n, 57);
}

#[test]
fn ready_and_blocked_agree_with_the_schema_views() {
    let c = open(POPULATED);
    let map = overview::roadmap(&c).unwrap();
    let ready: Vec<String> = c
        .query("SELECT id FROM v_ready_items ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    let mut ours: Vec<String> = map
        .entries
        .iter()
        .filter(|e| e.state == ItemState::Ready)
        .map(|e| e.item.id.clone())
        .collect();
    ours.sort();
    assert_eq!(ours, ready);
    for e in map.entries.iter().filter(|e| e.state == ItemState::Blocked) {
        assert!(e
            .waits_for
            .iter()
            .any(|w| w.dependency_type == "blocks" && w.why.contains(&w.depends_on)));
    }
}

#[test]
fn the_dependency_graph_has_every_edge_between_live_items() {
    let g = overview::dependency_graph(&open(POPULATED), 10_000).unwrap();
    assert_eq!(g.edges.len(), 198);
    assert!(g.nodes.len() > 100);
    assert_eq!((g.total_nodes, g.total_edges), (g.nodes.len(), 198));
    // Cut to a limit: unfinished items first, only edges among the kept nodes.
    let cut = overview::dependency_graph(&open(POPULATED), 20).unwrap();
    assert_eq!(cut.nodes.len(), 20);
    assert_eq!(cut.total_nodes, g.nodes.len());
    let kept: std::collections::HashSet<&str> = cut.nodes.iter().map(|n| n.id.as_str()).collect();
    assert!(cut
        .edges
        .iter()
        .all(|e| kept.contains(e.from.as_str()) && kept.contains(e.to.as_str())));
}

#[test]
fn evidence_hashes_are_re_verified() {
    let c = open(POPULATED);
    let work_id: String = c
        .query(
            "SELECT work_id FROM evidence WHERE uri LIKE 'evidence:%' AND attempt_id IS NOT NULL LIMIT 1",
            &[],
        )
        .unwrap()
        .first()
        .unwrap()
        .get(0)
        .unwrap();
    let t = overview::timeline(&c, &work_id).unwrap();
    let all: Vec<_> = t.attempts.iter().flat_map(|a| &a.evidence).collect();
    assert!(
        all.iter().any(|e| e.check == HashCheck::Verified),
        "{all:?}"
    );
    assert!(!all
        .iter()
        .any(|e| matches!(e.check, HashCheck::Mismatch { .. })));
    assert!(!t.attempts.is_empty());
}

#[test]
fn tables_page_sort_and_filter_on_the_fixture() {
    let c = open(POPULATED);
    let p = browse::table_page(
        &c,
        &PageQuery {
            object: "roadmap_items".into(),
            sort: Some(Sort {
                column: "id".into(),
                descending: true,
            }),
            filters: vec![Filter {
                column: "status_key".into(),
                op: FilterOp::Equals,
                value: "completed".into(),
            }],
            offset: 0,
            limit: 10,
        },
    )
    .unwrap();
    assert_eq!(p.total, 31);
    assert_eq!(p.rows.len(), 10);
    let objects = browse::list_objects(&c).unwrap();
    assert!(objects
        .iter()
        .any(|o| o.name == "v_ready_items" && o.kind == "view"));
    let csv = browse::export_object(
        &c,
        &PageQuery {
            object: "programs".into(),
            limit: 10,
            ..Default::default()
        },
        ExportFormat::Csv,
    )
    .unwrap();
    assert_eq!(csv.lines().count(), 4);
}

#[test]
fn the_console_cannot_change_the_opened_copy() {
    let c = open(QUICKSTART);
    let e = browse::console_query(&c, "DELETE FROM roadmap_items", 10).unwrap_err();
    assert!(e.to_string().contains("console only reads"));
    // Even bypassing the console's check, the connection itself refuses to write.
    let e = c.execute("DELETE FROM roadmap_items", &[]).unwrap_err();
    assert_eq!(e.code(), "read_only", "{e}");
    let r = browse::console_query(&c, "SELECT count(*) AS n FROM roadmap_items", 10).unwrap();
    assert_eq!(r.columns, vec!["n"]);
}

#[test]
fn the_audit_log_filters() {
    let c = open(POPULATED);
    let all = overview::audit_log(
        &c,
        &AuditQuery {
            limit: 50,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(all.total, 265);
    assert_eq!(all.rows.len(), 50);
    let (ty, n) = all.event_types[0].clone();
    let filtered = overview::audit_log(
        &c,
        &AuditQuery {
            event_type: ty,
            limit: 500,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(filtered.total, n);
    let none = overview::audit_log(
        &c,
        &AuditQuery {
            until: "2000-01-01".into(),
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(none.total, 0);
}

#[test]
fn the_program_hierarchy_nests_products_under_programs() {
    let h = overview::program_hierarchy(&open(POPULATED)).unwrap();
    assert_eq!(
        h.iter()
            .filter(|n| n.kind == "program" && !n.id.is_empty())
            .count(),
        3
    );
    let products: usize = h.iter().map(|p| p.children.len()).sum();
    assert_eq!(products, 3);
}
