//! The roadmap queries give the same answers on a fresh database of ours and on an upgraded
//! copy of a populated database written by motusos 0.3.3, and agree with the original's
//! views except where blockers exist (which the original's views ignore).

use motus_core::roadmap::{dependencies, items, readiness, DependencyType};
use motus_core::sqlite::SqliteConnection;
use motus_core::{params, Connection, ConnectionExt, Env, SequentialIds};
use motus_tests::{fresh_memory_db, open_fixture_readonly, test_clock, upgraded_copy};
use std::collections::BTreeSet;

const REVIEWER: items::Completer<'static> = items::Completer {
    agent: "t",
    role: Some("reviewer"),
};

const POPULATED: &str = "motusos-0.3.3-populated.db";

/// Copies every row of `table` from `src` to `dst`, column by column.
fn copy_table(src: &SqliteConnection, dst: &SqliteConnection, table: &str) {
    let rows = src.query(&format!("SELECT * FROM {table}"), &[]).unwrap();
    let cols = rows.columns.join(", ");
    let marks: Vec<String> = (1..=rows.columns.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO {table} ({cols}) VALUES ({})", marks.join(", "));
    for r in rows.iter() {
        dst.execute(&sql, r.values()).unwrap();
    }
}

/// A fresh database of ours holding the fixture's planning data.
fn fresh_with_fixture_data() -> SqliteConnection {
    let src = open_fixture_readonly(POPULATED);
    let dst = fresh_memory_db();
    for t in [
        "change_requests",
        "roadmap_items",
        "roadmap_dependencies",
        "blockers",
    ] {
        copy_table(&src, &dst, t);
    }
    dst
}

fn view_ids(conn: &SqliteConnection, view: &str) -> BTreeSet<String> {
    conn.query(&format!("SELECT id FROM {view}"), &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect()
}

fn ready_ids(conn: &SqliteConnection) -> Vec<String> {
    readiness::ready(conn, None)
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

fn blocked_ids(conn: &SqliteConnection) -> BTreeSet<String> {
    readiness::blocked(conn)
        .unwrap()
        .into_iter()
        .map(|b| b.item.id)
        .collect()
}

#[test]
fn ready_and_blocked_match_the_originals_views_on_the_populated_fixture() {
    let original = open_fixture_readonly(POPULATED);
    let n: i64 = original
        .query_one("SELECT count(*) FROM roadmap_items", &[])
        .unwrap();
    assert_eq!(n, 206);
    let want_ready = view_ids(&original, "v_ready_items");
    let want_blocked = view_ids(&original, "v_blocked_items");
    assert_eq!((want_ready.len(), want_blocked.len()), (57, 99));
    // The fixture has no blockers, so our stricter rule gives the same sets.
    let open_blockers: i64 = original
        .query_one(
            "SELECT count(*) FROM blockers WHERE resolved_at IS NULL",
            &[],
        )
        .unwrap();
    assert_eq!(open_blockers, 0);

    let dir = tempfile::tempdir().unwrap();
    let (_, upgraded) = upgraded_copy(POPULATED, dir.path());
    let fresh = fresh_with_fixture_data();
    for conn in [&upgraded, &fresh] {
        let ready: BTreeSet<String> = ready_ids(conn).into_iter().collect();
        assert_eq!(ready, want_ready);
        assert_eq!(readiness::ready_count(conn).unwrap(), 57);
        assert_eq!(blocked_ids(conn), want_blocked);
        assert_eq!(readiness::ready(conn, Some(20)).unwrap().len(), 20);
    }
}

#[test]
fn every_query_answers_the_same_on_fresh_and_upgraded_databases() {
    let dir = tempfile::tempdir().unwrap();
    let (_, upgraded) = upgraded_copy(POPULATED, dir.path());
    let fresh = fresh_with_fixture_data();
    assert_eq!(
        readiness::ready(&fresh, None).unwrap(),
        readiness::ready(&upgraded, None).unwrap()
    );
    assert_eq!(
        readiness::blocked(&fresh).unwrap(),
        readiness::blocked(&upgraded).unwrap()
    );
    let all = items::list(&upgraded, &Default::default()).unwrap();
    assert_eq!(all, items::list(&fresh, &Default::default()).unwrap());
    for item in &all {
        assert_eq!(
            readiness::why(&fresh, &item.id).unwrap(),
            readiness::why(&upgraded, &item.id).unwrap(),
            "why {}",
            item.id
        );
    }
    // `why` agrees with `ready`: an item is ready exactly when nothing holds it back.
    let ready: BTreeSet<String> = ready_ids(&upgraded).into_iter().collect();
    for item in &all {
        let w = readiness::why(&upgraded, &item.id).unwrap();
        assert_eq!(w.ready, ready.contains(&item.id), "{}", item.id);
    }
}

/// A blocker is where we differ from the original on purpose: the kernel refuses to claim
/// an item with an open blocker (`attempts_no_claim_blocked`), so offering it as ready is
/// wrong. The original's view still lists it.
#[test]
fn an_open_blocker_removes_an_item_from_ready_on_both_databases_unlike_the_original_view() {
    let dir = tempfile::tempdir().unwrap();
    let (_, upgraded) = upgraded_copy(POPULATED, dir.path());
    let fresh = fresh_with_fixture_data();
    for conn in [&upgraded, &fresh] {
        let first = ready_ids(conn)[0].clone();
        conn.execute(
            "INSERT INTO blockers (id, work_id, reason_code, title, created_by) \
             VALUES ('blk-conf', ?1, 'external_wait', 'vendor reply', 'conformance')",
            params![&first],
        )
        .unwrap();
        let ours: BTreeSet<String> = ready_ids(conn).into_iter().collect();
        let view = view_ids(conn, "v_ready_items");
        assert_eq!(view.len(), 57);
        assert_eq!(
            view.difference(&ours).cloned().collect::<Vec<_>>(),
            vec![first.clone()]
        );
        assert!(blocked_ids(conn).contains(&first));
        let why = readiness::why(conn, &first).unwrap();
        assert_eq!(why.blockers[0].id, "blk-conf");
        // The kernel's own rule agrees with us: the item cannot be claimed.
        let claim = conn.execute(
            "INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('att-c', ?1, 'w', 'agent')",
            params![&first],
        );
        assert_eq!(
            claim.unwrap_err().to_string(),
            "KERNEL: Work has unresolved blockers. Resolve blockers before claiming."
        );
    }
}

#[test]
fn writes_through_our_api_work_the_same_on_the_upgraded_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let (_, upgraded) = upgraded_copy(POPULATED, dir.path());
    let fresh = fresh_with_fixture_data();
    let clock = test_clock();
    for conn in [&upgraded, &fresh] {
        let ids = SequentialIds::new();
        let env = Env::new(&clock, &ids);
        let ready = ready_ids(conn);
        let (a, b) = (&ready[0], &ready[1]);
        dependencies::add(conn, &env, "t", a, b, DependencyType::Blocks, None).unwrap();
        assert!(!ready_ids(conn).contains(a));
        let err = dependencies::add(conn, &env, "t", b, a, DependencyType::Soft, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("Circular dependency detected: {b} -> {a} -> {b}")
        );
        items::complete(conn, &env, &REVIEWER, b, None).unwrap();
        assert!(ready_ids(conn).contains(a));
        let versions: i64 = conn
            .query_one(
                "SELECT count(*) FROM entity_versions WHERE entity_id = ?1",
                params![b],
            )
            .unwrap();
        assert!(versions >= 1);
        items::delete(conn, &env, "t", a, None).unwrap();
        items::restore(conn, &env, "t", a).unwrap();
        assert!(ready_ids(conn).contains(a));
    }
}

/// The original's trigger checked inserts only, to depth 100; on both databases our schema
/// refuses an UPDATE that closes a cycle, and our API names the cycle first.
#[test]
fn cycles_through_updates_are_refused_on_both_databases() {
    let dir = tempfile::tempdir().unwrap();
    let (_, upgraded) = upgraded_copy(POPULATED, dir.path());
    let fresh = fresh_with_fixture_data();
    let clock = test_clock();
    for conn in [&upgraded, &fresh] {
        let ids = SequentialIds::new();
        let env = Env::new(&clock, &ids);
        for id in ["CY-A", "CY-B", "CY-C", "CY-X"] {
            items::add(
                conn,
                &env,
                "t",
                &items::NewItem {
                    id: Some(id.into()),
                    title: id.into(),
                    phase_key: "phase_c".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        let (a, b, c, x) = ("CY-A", "CY-B", "CY-C", "CY-X");
        dependencies::add(conn, &env, "t", a, b, DependencyType::Blocks, None).unwrap();
        dependencies::add(conn, &env, "t", b, c, DependencyType::Blocks, None).unwrap();
        dependencies::add(conn, &env, "t", c, x, DependencyType::Related, None).unwrap();
        let raw = conn.execute(
            "UPDATE roadmap_dependencies SET depends_on_id = ?1 WHERE item_id = ?2 AND depends_on_id = ?3",
            params![a, c, x],
        );
        assert_eq!(raw.unwrap_err().to_string(), "Circular dependency detected");
        let err = dependencies::retarget(conn, &env, "t", c, x, a).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("Circular dependency detected: {c} -> {a} -> {b} -> {c}")
        );
        // Still acyclic, and nothing changed.
        assert_eq!(dependencies::path(conn, c, a).unwrap(), None);
        assert_eq!(
            dependencies::path(conn, a, x).unwrap().unwrap(),
            [a, b, c, x]
        );
    }
}

/// Program management reads the same on both databases, and history written by the
/// original continues where it stopped.
#[test]
fn program_entities_and_history_agree_on_fresh_and_upgraded_databases() {
    use motus_core::program::{entity, kinds, standards};
    let dir = tempfile::tempdir().unwrap();
    let (_, upgraded) = upgraded_copy(POPULATED, dir.path());
    let fresh = fresh_with_fixture_data();
    let names = |conn: &SqliteConnection, kind: &kinds::Kind| -> Vec<(String, String)> {
        entity::list(conn, kind, &Default::default())
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap().to_string(),
                    r[kind.title].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    for kind in kinds::ALL {
        assert_eq!(names(&fresh, kind), names(&upgraded, kind), "{}", kind.name);
    }
    assert_eq!(names(&upgraded, &kinds::CHANGE_REQUEST).len(), 2);
    assert_eq!(
        standards::compliance(&fresh, "product", "motus").unwrap(),
        standards::compliance(&upgraded, "product", "motus").unwrap()
    );
    // An item the original versioned gets the next version number from us.
    let (id, last): (String, i64) = {
        let rows = upgraded
            .query(
                "SELECT entity_id, max(version) FROM entity_versions WHERE entity_type = 'roadmap_item' \
                 GROUP BY entity_id ORDER BY entity_id LIMIT 1",
                &[],
            )
            .unwrap();
        let r = rows.first().unwrap();
        (r.get(0).unwrap(), r.get(1).unwrap())
    };
    let clock = test_clock();
    let ids = SequentialIds::new();
    let env = Env::new(&clock, &ids);
    items::update(
        &upgraded,
        &env,
        "agent:conformance",
        &id,
        &items::ItemUpdate {
            owner: Some(Some("agent:new".into())),
            ..Default::default()
        },
    )
    .unwrap();
    let h = items::history(&upgraded, &id).unwrap();
    assert_eq!(h.versions.last().unwrap().version, last + 1);
    assert_eq!(h.versions.last().unwrap().data["owner"], "agent:new");
    assert_eq!(h.audit.last().unwrap().actor, "agent:conformance");
}
