//! Times the overview's queries on a database file, opened as the browser viewer opens it
//! (read-only, immutable, a 16 MB page cache, no mmap), and prints SQLite's page-cache misses
//! per step. Each step is preceded by a `MARK <step>` line on stderr, so a trace of the file's
//! reads (`strace -e trace=openat,pread64,write`) can be split by step and replayed through a
//! model of the viewer's block reader. Not a test: figures go to BENCHMARKS.md.
//!
//!   cargo run --release -p motus-core --features rusqlite --example overview_probe -- FILE [STEP…]
//!
//! Steps: `work` (the overview's ready/blocked panels), `old` (the set-based SQL the panels
//! ran before, for comparison), `ready`, `blocked` (the roadmap's own lists, as
//! `motus roadmap ready|blocked`), `first` (the first screen's exact counts), `recent`.
//! Without steps: work.

use motus_core::overview;
use motus_core::roadmap::readiness;
use motus_core::sqlite::SqliteConnection;
use motus_core::Connection;
use rusqlite::OpenFlags;
use std::io::Write;
use std::time::Instant;

fn misses(conn: &rusqlite::Connection) -> i32 {
    let (mut cur, mut hi) = (0, 0);
    // SAFETY: a valid open connection; the out-pointers live for the call.
    unsafe {
        rusqlite::ffi::sqlite3_db_status(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBSTATUS_CACHE_MISS,
            &mut cur,
            &mut hi,
            1,
        );
    }
    cur
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: overview_probe FILE [STEP…]");
    let mut steps: Vec<String> = args.collect();
    if steps.is_empty() {
        steps = vec!["work".into()];
    }
    let raw = rusqlite::Connection::open_with_flags(
        format!("file:{path}?immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .expect("open");
    raw.execute_batch(
        "PRAGMA query_only = ON; PRAGMA trusted_schema = OFF; PRAGMA cache_size = -16000; \
         PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 0;",
    )
    .expect("pragmas");
    let conn = SqliteConnection::from_rusqlite(raw);
    for step in steps {
        eprintln!("MARK {step}");
        let _ = std::io::stderr().flush();
        misses(conn.inner());
        let t = Instant::now();
        let what = match step.as_str() {
            "work" => {
                let w = overview::overview_work(&conn).unwrap();
                format!(
                    "ready {} blocked {} {:?}",
                    w.ready_count,
                    w.blocked_count,
                    summary_panels(&w)
                )
            }
            "old" => {
                let rows = conn.query(OLD_PANELS_SQL, &[10.into()]).unwrap();
                format!("{} rows", rows.len())
            }
            "why" => {
                let ids = [
                    "RI-SCR-2026-11-26-009",
                    "RI-SCR-2026-11-26-011",
                    "RI-SCR-2026-11-26-012",
                ];
                for id in ids {
                    readiness::why(&conn, id).unwrap();
                }
                format!("{} whys", ids.len())
            }
            "whyparts" => {
                let id = "RI-SCR-2026-11-26-009";
                let reach = "WITH RECURSIVE reach(id) AS (SELECT ?1 UNION \
    SELECT d.depends_on_id FROM reach r \
      JOIN roadmap_dependencies d ON d.item_id = r.id AND d.dependency_type = 'blocks' \
      JOIN roadmap_items p ON p.id = d.depends_on_id AND p.status_key <> 'completed')";
                let qs = [
                    "SELECT * FROM roadmap_items WHERE id = ?1".to_string(),
                    "SELECT id, work_id, title, reason_code, severity, needs, created_at FROM blockers WHERE work_id = ?1 AND resolved_at IS NULL ORDER BY created_at, id".to_string(),
                    format!("{reach} SELECT d.item_id, p.id, p.title, p.status_key, p.deleted_at IS NOT NULL FROM reach r CROSS JOIN roadmap_dependencies d ON d.item_id = r.id AND d.dependency_type = 'blocks' CROSS JOIN roadmap_items p ON p.id = d.depends_on_id AND p.status_key <> 'completed' ORDER BY d.item_id, p.id"),
                    format!("{reach} SELECT b.id, b.work_id, b.title, b.reason_code, b.severity, b.needs, b.created_at FROM reach r CROSS JOIN blockers b ON b.work_id = r.id AND b.resolved_at IS NULL WHERE r.id <> ?1 ORDER BY b.created_at, b.id"),
                    "SELECT p.id FROM roadmap_dependencies d JOIN roadmap_items p ON p.id = d.depends_on_id WHERE d.item_id = ?1 AND d.dependency_type = 'soft' AND p.status_key <> 'completed' AND p.deleted_at IS NULL ORDER BY p.id".to_string(),
                ];
                for q in qs {
                    let t = Instant::now();
                    misses(conn.inner());
                    conn.query(&q, &[id.into()]).unwrap();
                    let m = misses(conn.inner());
                    let plan: Vec<String> = conn
                        .query(&format!("EXPLAIN QUERY PLAN {q}"), &[id.into()])
                        .unwrap()
                        .iter()
                        .map(|r| r.get::<String>(3).unwrap())
                        .collect();
                    println!(
                        "  {:8.1} ms {m:6} misses  {}",
                        t.elapsed().as_secs_f64() * 1000.0,
                        plan.join("; ")
                    );
                }
                String::new()
            }
            "items" => {
                let mut n = 0;
                conn.for_each_row("SELECT id, status_key, deleted_at IS NULL FROM roadmap_items ORDER BY rank IS NULL, rank, phase_key, id", &[], &mut |_| { n += 1; Ok(()) }).unwrap();
                format!("{n} rows")
            }
            "edges" => {
                let mut n = 0;
                conn.for_each_row("SELECT item_id, depends_on_id FROM roadmap_dependencies WHERE dependency_type = 'blocks'", &[], &mut |_| { n += 1; Ok(()) }).unwrap();
                format!("{n} rows")
            }
            "ready" => format!("{} ready", readiness::ready(&conn, None).unwrap().len()),
            "blocked" => format!("{} blocked", readiness::blocked(&conn).unwrap().len()),
            "first" => format!(
                "{} counts",
                overview::overview_counts(&conn).unwrap().counts.len()
            ),
            "recent" => format!(
                "{} rows",
                overview::recent_activity(&conn, 15).unwrap().len()
            ),
            other => panic!("unknown step {other}"),
        };
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "{step:<8} {ms:9.1} ms  {:7} page-cache misses  {what}",
            misses(conn.inner())
        );
    }
    eprintln!("MARK end");
}

fn summary_panels(p: &overview::OverviewWork) -> (Vec<String>, Vec<String>) {
    (
        p.ready.iter().map(|i| i.id.clone()).collect(),
        p.blocked.iter().map(|e| e.item.id.clone()).collect(),
    )
}

/// The panels' query before this probe was written (one set-based statement with a window).
const OLD_PANELS_SQL: &str = "WITH unfinished(id) AS MATERIALIZED (\
   SELECT id FROM roadmap_items WHERE status_key <> 'completed' AND id IS NOT NULL), \
 waiting(id) AS MATERIALIZED (\
   SELECT item_id FROM roadmap_dependencies \
    WHERE dependency_type = 'blocks' AND +depends_on_id IN (SELECT id FROM unfinished)), \
 held(id) AS MATERIALIZED (SELECT work_id FROM blockers WHERE resolved_at IS NULL AND work_id IS NOT NULL), \
 classified AS (\
   SELECT r.id AS id, r.title AS title, r.phase_key AS phase_key, \
          COALESCE(r.status_key, 'pending') AS status_key, r.rank AS rank, r.item_type AS item_type, \
          CASE WHEN r.status_key NOT IN ('completed', 'deferred') \
                AND (+r.id IN (SELECT id FROM waiting) OR +r.id IN (SELECT id FROM held)) THEN 'blocked' \
               WHEN r.status_key = 'pending' THEN 'ready' END AS state \
     FROM roadmap_items r WHERE r.deleted_at IS NULL) \
 SELECT id, title, phase_key, status_key, rank, item_type, state, total FROM (\
   SELECT *, row_number() OVER w AS n, \
          count(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS total \
     FROM classified WHERE state IS NOT NULL \
   WINDOW w AS (PARTITION BY state ORDER BY rank IS NULL, rank, phase_key, id)) \
 WHERE n <= ?1 ORDER BY state, n";
