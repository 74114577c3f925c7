//! Roadmap query benchmark: `ready` (first 20 by rank, and all ready items) and `why`, at
//! 1k / 10k / 100k items on the workload of shared/bench/README.md, with the original's
//! `v_ready_items` query on the same data as the baseline in the same run.
//!
//!     cargo run --release -p motus --example bench_roadmap -- [--sizes 1000,10000,100000]
//!         [--runs 7] [--json-out FILE] [--keep DIR] [--chains 1000,10000,100000]
//!         [--baseline-max 10000]
//!
//! `--chains`: `why` at the top of one chain of N pending items (each `blocks` on the next),
//! with its document serialized, against the previous walk (one query per node and a full
//! path per node: quadratic) up to `--baseline-max` deep, and the recursive query alone.
//! `--sizes ''` skips the ready workload.
//!
//! Workload: phases of 250 items (205 completed, 40 pending, 5 in progress); each item after
//! the first of its phase gets 0, 1 or 2 dependencies (weights 55/35/10) on one of the
//! previous 30 items of the same phase, 85 % `blocks`, the rest `soft`. Items and edges are
//! inserted with plain SQL in one transaction each, so every schema trigger runs.
//! Each query runs once cold (reported separately), then `--runs` times; medians are reported.

use motus_core::migrate::Migrator;
use motus_core::roadmap::readiness;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{params, write_tx, Connection, ConnectionExt, ManualClock, Timestamp, Value};
use std::time::Instant;

/// splitmix64: small, deterministic, good enough to spread dependencies.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Args {
    sizes: Vec<usize>,
    chains: Vec<usize>,
    baseline_max: usize,
    runs: usize,
    json_out: Option<String>,
    keep: Option<String>,
}

fn parse_args() -> Args {
    let mut a = Args {
        sizes: vec![1_000, 10_000, 100_000],
        chains: vec![1_000, 10_000, 100_000],
        baseline_max: 10_000,
        runs: 7,
        json_out: None,
        keep: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--sizes" => a.sizes = list(&val()),
            "--chains" => a.chains = list(&val()),
            "--baseline-max" => a.baseline_max = val().parse().expect("an integer"),
            "--runs" => a.runs = val().parse().expect("--runs is an integer"),
            "--json-out" => a.json_out = Some(val()),
            "--keep" => a.keep = Some(val()),
            other => panic!("unknown argument {other}; see the header of bench_roadmap.rs"),
        }
    }
    a
}

fn list(v: &str) -> Vec<usize> {
    v.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().expect("sizes are integers"))
        .collect()
}

/// One chain of `n` pending items (40 a phase), `C000000` blocks on `C000001` … Edges go in top-down so
/// the schema's cycle trigger (which walks down from the new prerequisite) finds nothing
/// below it: loading stays linear.
fn load_chain(conn: &SqliteConnection, n: usize) {
    write_tx(conn, |c| {
        for i in 0..n {
            c.execute(
                "INSERT INTO roadmap_items (id, phase_key, title, status_key, rank, created_by) \
                 VALUES (?1, ?2, ?3, 'pending', ?4, 'bench')",
                // 40 a phase: the schema allows 50 active items per phase.
                params![
                    format!("C{i:06}"),
                    format!("chain_{:05}", i / 40),
                    format!("Chain item {i}"),
                    i as f64
                ],
            )?;
        }
        for i in 0..n.saturating_sub(1) {
            c.execute(
                "INSERT INTO roadmap_dependencies (item_id, depends_on_id, dependency_type, created_by) \
                 VALUES (?1, ?2, 'blocks', 'bench')",
                params![format!("C{i:06}"), format!("C{:06}", i + 1)],
            )?;
        }
        Ok(())
    })
    .unwrap();
}

/// The walk `why` had before (kept here as the baseline): breadth-first with one query per
/// node and the whole path from the top cloned into every node. Returns the number of nodes
/// and of path entries (what its document carried).
fn previous_walk(conn: &SqliteConnection, id: &str) -> (usize, usize) {
    let mut seen = std::collections::HashSet::from([id.to_string()]);
    let mut queue = std::collections::VecDeque::from([(id.to_string(), vec![id.to_string()])]);
    let (mut nodes, mut entries) = (0, 0);
    while let Some((node, path)) = queue.pop_front() {
        let rows = conn
            .query(
                "SELECT p.id, p.title, p.status_key, p.deleted_at IS NOT NULL \
                   FROM roadmap_dependencies d JOIN roadmap_items p ON p.id = d.depends_on_id \
                  WHERE d.item_id = ?1 AND d.dependency_type = 'blocks' AND p.status_key <> 'completed' \
                  ORDER BY p.id",
                params![&node],
            )
            .unwrap();
        for r in rows.iter() {
            let pid: String = r.get(0).unwrap();
            if !seen.insert(pid.clone()) {
                continue;
            }
            let _ = conn
                .query(
                    "SELECT id FROM blockers WHERE work_id = ?1 AND resolved_at IS NULL",
                    params![&pid],
                )
                .unwrap();
            let mut p = path.clone();
            p.push(pid.clone());
            nodes += 1;
            entries += p.len();
            queue.push_back((pid, p));
        }
    }
    (nodes, entries)
}

#[derive(serde::Serialize)]
struct ChainRow {
    depth: usize,
    /// `readiness::why` at the top, and its `--json` document serialized.
    ours: Timing,
    document_bytes: usize,
    /// The recursive query alone, counted inside SQLite (the floor).
    reach_sql_only: Timing,
    /// The previous walk, when the chain is no deeper than `--baseline-max`.
    previous: Option<Timing>,
    previous_path_entries: Option<usize>,
}

fn measure_chain(
    conn: &SqliteConnection,
    depth: usize,
    runs: usize,
    baseline_max: usize,
) -> ChainRow {
    let (ours, bytes) = time(runs, || {
        let w = readiness::why(conn, "C000000").unwrap();
        assert_eq!(w.blocking_dependencies.len(), depth - 1);
        serde_json::to_vec(&motus_core::answer::document(&w))
            .unwrap()
            .len()
    });
    let (reach, _) = time(runs, || {
        conn.query_one::<i64>(
            "WITH RECURSIVE reach(id) AS (SELECT ?1 UNION SELECT d.depends_on_id FROM reach r \
               JOIN roadmap_dependencies d ON d.item_id = r.id AND d.dependency_type = 'blocks' \
               JOIN roadmap_items p ON p.id = d.depends_on_id AND p.status_key <> 'completed') \
             SELECT count(*) FROM reach",
            params!["C000000"],
        )
        .unwrap()
    });
    let (previous, previous_path_entries) = if depth <= baseline_max {
        // Quadratic: one run after the cold call is enough to see it.
        let (t, (nodes, entries)) = time(1, || previous_walk(conn, "C000000"));
        assert_eq!(nodes, depth - 1);
        (Some(t), Some(entries))
    } else {
        (None, None)
    };
    ChainRow {
        depth,
        ours,
        document_bytes: bytes,
        reach_sql_only: reach,
        previous,
        previous_path_entries,
    }
}

/// Loads the workload; returns (items, edges).
fn load(conn: &SqliteConnection, n: usize) -> (usize, usize) {
    const PHASE: usize = 250;
    let mut rng = Rng(42);
    write_tx(conn, |c| {
        for i in 0..n {
            let (ph, pos) = (i / PHASE, i % PHASE);
            let status = if pos < 205 {
                "completed"
            } else if pos < 245 {
                "pending"
            } else {
                "in_progress"
            };
            c.execute(
                "INSERT INTO roadmap_items (id, phase_key, title, status_key, rank, created_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'bench')",
                params![
                    format!("RI-B{i:06}"),
                    format!("phase_{ph:04}"),
                    format!("Bench item {i}"),
                    status,
                    pos as f64
                ],
            )?;
        }
        Ok(())
    })
    .unwrap();
    let mut edges = 0;
    write_tx(conn, |c| {
        for i in 0..n {
            let (ph, pos) = (i / PHASE, i % PHASE);
            if pos == 0 {
                continue;
            }
            let w = rng.below(100);
            let k = if w < 55 { 0 } else if w < 90 { 1 } else { 2 };
            let lo = (ph * PHASE).max(i.saturating_sub(30));
            let mut targets: Vec<usize> = (0..k).map(|_| lo + rng.below((i - lo) as u64) as usize).collect();
            targets.sort();
            targets.dedup();
            for t in targets {
                let kind = if rng.unit() < 0.85 { "blocks" } else { "soft" };
                c.execute(
                    "INSERT INTO roadmap_dependencies (item_id, depends_on_id, dependency_type, created_by) \
                     VALUES (?1, ?2, ?3, 'bench')",
                    params![format!("RI-B{i:06}"), format!("RI-B{t:06}"), kind],
                )?;
                edges += 1;
            }
        }
        Ok(())
    })
    .unwrap();
    (n, edges)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

/// CPU time this thread has run, in ns (Linux): the figure that machine load disturbs least.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// One measured query: the cold first call, then `runs` calls: their median and fastest wall
/// time, and the mean CPU time (the kernel updates a thread's CPU time at scheduler ticks, so
/// it is read once around all runs rather than per call).
#[derive(serde::Serialize, Clone, Copy, Default)]
struct Timing {
    cold_ms: f64,
    wall_ms: f64,
    min_ms: f64,
    cpu_ms: f64,
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Timing, T) {
    let t = Instant::now();
    let mut out = f();
    let cold_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut wall = Vec::with_capacity(runs);
    let c0 = cpu_ns();
    for _ in 0..runs {
        let t = Instant::now();
        out = f();
        wall.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let cpu_ms = match (c0, cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e6 / runs.max(1) as f64,
        _ => f64::NAN,
    };
    let min_ms = wall.iter().cloned().fold(f64::INFINITY, f64::min);
    (
        Timing {
            cold_ms,
            wall_ms: median(wall),
            min_ms,
            cpu_ms,
        },
        out,
    )
}

#[derive(serde::Serialize)]
struct Row {
    items: usize,
    edges: usize,
    ready_total: i64,
    with_ready_indexes: bool,
    ours_first20: Timing,
    ours_all: Timing,
    ours_all_rows: usize,
    /// The same query counted inside SQLite (no rows cross into Rust): the SQL part of `all`.
    ours_all_sql_only: Timing,
    /// Per call, over `why_items` held-back pending items.
    ours_why: Timing,
    why_items: usize,
    original_first20: Timing,
    original_all: Timing,
    original_all_rows: usize,
    /// Query plan of `ready` (the same SQL serves the first page and all items).
    plan: String,
}

fn plan(conn: &SqliteConnection, sql: &str) -> String {
    conn.query(&format!("EXPLAIN QUERY PLAN {sql}"), &[Value::Integer(20)])
        .map(|r| {
            r.iter()
                .map(|row| row.get::<String>(3).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

fn per_call(t: Timing, n: usize) -> Timing {
    let n = n.max(1) as f64;
    Timing {
        cold_ms: t.cold_ms / n,
        wall_ms: t.wall_ms / n,
        min_ms: t.min_ms / n,
        cpu_ms: t.cpu_ms / n,
    }
}

fn measure(conn: &SqliteConnection, items: usize, edges: usize, runs: usize) -> Row {
    let with_index = conn.has_object("index", "idx_roadmap_ready").unwrap();
    let ready_total = readiness::ready_count(conn).unwrap();
    let (first20, page) = time(runs, || readiness::ready(conn, Some(20)).unwrap());
    assert_eq!(page.len(), 20.min(ready_total as usize));
    let (all, every) = time(runs, || readiness::ready(conn, None).unwrap());
    assert_eq!(every.len() as i64, ready_total);
    // `why` on pending items that are held back: the first 50 blocked, by rank.
    let held: Vec<String> = readiness::blocked(conn)
        .unwrap()
        .into_iter()
        .filter(|b| b.item.status_key == "pending")
        .take(50)
        .map(|b| b.item.id)
        .collect();
    let (why_total, _) = time(runs, || {
        for id in &held {
            readiness::why(conn, id).unwrap();
        }
    });
    // The original: RoadmapAPI.ready() and a full read of the view.
    let orig20 =
        "SELECT id, title, phase_key, owner, rank FROM v_ready_items ORDER BY rank ASC LIMIT 20";
    let (o20, _) = time(runs, || conn.query(orig20, &[]).unwrap());
    let (oall, orows) = time(runs, || {
        conn.query(
            "SELECT id, title, phase_key, owner, rank FROM v_ready_items",
            &[],
        )
        .unwrap()
    });
    // The exact SQL `ready` runs (index hints included when the indexes exist), counted
    // inside SQLite: the SQL part of "all ready".
    let sql = readiness::ready_sql(conn, true).unwrap();
    let (sql_only, _) = time(runs, || {
        conn.query_one::<i64>(
            &format!("SELECT count(*) FROM ({sql})"),
            &[Value::Integer(-1)],
        )
        .unwrap()
    });
    Row {
        items,
        edges,
        ready_total,
        ours_all_sql_only: sql_only,
        with_ready_indexes: with_index,
        ours_first20: first20,
        ours_all: all,
        ours_all_rows: every.len(),
        ours_why: per_call(why_total, held.len()),
        why_items: held.len(),
        original_first20: o20,
        original_all: oall,
        original_all_rows: orows.len(),
        plan: plan(conn, &sql),
    }
}

fn main() {
    let args = parse_args();
    let dir = tempfile::tempdir().unwrap();
    let base = args
        .keep
        .clone()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().to_path_buf());
    std::fs::create_dir_all(&base).unwrap();
    let clock = ManualClock::at(Timestamp::parse("2026-11-26 08:00:00").unwrap());
    let mut rows = Vec::new();
    for &n in &args.sizes {
        let path = base.join(format!("roadmap-{n}.db"));
        let _ = std::fs::remove_file(&path);
        let conn =
            SqliteConnection::open(path.to_str().unwrap(), OpenMode::ReadWriteCreate).unwrap();
        conn.ensure_wal().unwrap();
        Migrator::coordination()
            .migrate(&conn, &clock, false, &mut |_| Ok(None))
            .unwrap();
        let t = Instant::now();
        let (items, edges) = load(&conn, n);
        eprintln!(
            "loaded {items} items, {edges} edges in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        // Without the indexes of migration 034 first, then with them, on the same file.
        conn.execute_batch(
            "DROP INDEX IF EXISTS idx_roadmap_ready; DROP INDEX IF EXISTS idx_roadmap_unfinished; \
             DROP INDEX IF EXISTS idx_roadmap_dep_blocking;",
        )
        .unwrap();
        rows.push(measure(&conn, items, edges, args.runs));
        conn.execute_batch(readiness::READY_INDEXES_SQL).unwrap();
        rows.push(measure(&conn, items, edges, args.runs));
    }
    let mut chains = Vec::new();
    for &n in &args.chains {
        let path = base.join(format!("chain-{n}.db"));
        let _ = std::fs::remove_file(&path);
        let conn =
            SqliteConnection::open(path.to_str().unwrap(), OpenMode::ReadWriteCreate).unwrap();
        conn.ensure_wal().unwrap();
        Migrator::coordination()
            .migrate(&conn, &clock, false, &mut |_| Ok(None))
            .unwrap();
        let t = Instant::now();
        load_chain(&conn, n);
        eprintln!(
            "loaded a chain of {n} in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        chains.push(measure_chain(&conn, n, args.runs, args.baseline_max));
    }
    if !chains.is_empty() {
        println!("`why` at the top of a chain: median wall ms / fastest wall ms / mean CPU ms ({} calls after one cold call; the previous walk: one call after one cold call).", args.runs);
        println!("| depth | ours: why + document | document bytes | recursive query alone | previous walk | previous: path entries |");
        println!("|---|---|---|---|---|---|");
        let f = |t: &Timing| format!("{:.3} / {:.3} / {:.3}", t.wall_ms, t.min_ms, t.cpu_ms);
        for c in &chains {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                c.depth,
                f(&c.ours),
                c.document_bytes,
                f(&c.reach_sql_only),
                c.previous
                    .as_ref()
                    .map(f)
                    .unwrap_or_else(|| "not run".into()),
                c.previous_path_entries
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            );
        }
    }
    if rows.is_empty() {
        if let Some(p) = args.json_out {
            std::fs::write(&p, serde_json::to_string_pretty(&chains).unwrap()).unwrap();
        }
        return;
    }
    println!(
        "{} calls after one cold call: median wall ms / fastest wall ms / mean CPU ms.",
        args.runs
    );
    println!("| items | edges | ready | new indexes | ours first 20 | ours all ready | (its SQL alone) | ours why / call | original first 20 | original all |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let f = |t: &Timing| format!("{:.3} / {:.3} / {:.3}", t.wall_ms, t.min_ms, t.cpu_ms);
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.items,
            r.edges,
            r.ready_total,
            if r.with_ready_indexes { "yes" } else { "no" },
            f(&r.ours_first20),
            f(&r.ours_all),
            f(&r.ours_all_sql_only),
            f(&r.ours_why),
            f(&r.original_first20),
            f(&r.original_all)
        );
    }
    for r in &rows {
        eprintln!(
            "plan (n={}, indexes={}): {}",
            r.items, r.with_ready_indexes, r.plan
        );
    }
    if let Some(p) = args.json_out {
        let all = serde_json::json!({"ready": rows, "chains": chains});
        std::fs::write(&p, serde_json::to_string_pretty(&all).unwrap()).unwrap();
    }
}
