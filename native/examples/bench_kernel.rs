//! The kernel benchmark of `shared/bench/README.md`, in one run — in-process
//! cycles/s (claim → evidence → release, and the full six calls), the same writes as raw
//! rusqlite statements in the same number of transactions (the floor), one CLI call's wall
//! time with process start, and 1/2/4/8 concurrent processes on one file (disjoint and
//! shared items) with lock waits, lost and doubled grants. With `--peer-venv` it also runs
//! the original through `peer-bench.py` for side-by-side ratios.
//!
//!     cargo build --release -p motus && cargo run --release -p motus --example bench_kernel -- \
//!         [--json] [--runs 3] [--procs 1,2,4,8] [--peer-venv VENV] [--json-out FILE]
//!
//! CLI wall times use the `motus` binary beside this example's directory (`--motus PATH`
//! to choose another); the concurrency rows start this program again as `worker` processes.
//! It ships with the repository, not inside the `motus` binary.

use clap::{Args, Parser, Subcommand};
use motus_core::kernel::{
    self, records, ClaimRequest, DecisionRequest, EvidenceRequest, Options, OutcomeRequest,
    ReleaseOutcome, Verdict,
};
use motus_core::migrate::Migrator;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{params, Clock, Connection, ConnectionExt, Env, IdSource, Rows, Timestamp, Value};
use serde::Serialize;
use serde_json::{json, Value as Json};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Every failure of the harness: it reports and exits 1.
type CliError = Box<dyn std::error::Error>;

struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp::from_millis(d.as_millis() as i64)
    }
}

struct OsIds;

impl IdSource for OsIds {
    fn random_hex(&self, len: usize) -> String {
        let mut bytes = vec![0u8; len.div_ceil(2)];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        let mut s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.truncate(len);
        s
    }
}

fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

#[derive(Debug, Parser)]
#[command(
    name = "bench_kernel",
    about = "The Motus kernel benchmark with same-run baselines"
)]
struct Cli {
    /// The report as one JSON document
    #[arg(long, global = true)]
    json: bool,
    /// The motus binary whose CLI calls are timed [default: `motus` beside target/*/examples]
    #[arg(long)]
    motus: Option<PathBuf>,
    #[command(flatten)]
    args: BenchArgs,
}

fn main() {
    let cli = Cli::parse();
    let outcome = match cli.args.worker {
        Some(BenchCommand::Worker(w)) => {
            let db = w.db.clone();
            worker(&db, w)
        }
        None => report(cli.json, cli.motus, cli.args),
    };
    if let Err(e) = outcome {
        eprintln!("bench_kernel: {e}");
        std::process::exit(1);
    }
}

/// `target/<profile>/motus` for `target/<profile>/examples/bench_kernel`.
fn default_motus() -> Result<PathBuf, CliError> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| fail("cannot tell where the motus binary is; pass --motus PATH"))?;
    let motus = profile_dir.join("motus");
    if !motus.is_file() {
        return Err(fail(format!(
            "{} does not exist: build it first (cargo build --release -p motus) or pass --motus PATH",
            motus.display()
        )));
    }
    Ok(motus)
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub worker: Option<BenchCommand>,
    /// Timed cycles per process
    #[arg(long, default_value_t = 600)]
    pub cycles: usize,
    /// Work items per process
    #[arg(long, default_value_t = 10)]
    pub items: usize,
    /// Process counts for the concurrency rows
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8")]
    pub procs: Vec<usize>,
    /// Runs per row (the median is reported)
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// CLI calls to time
    #[arg(long, default_value_t = 20)]
    pub cli_calls: usize,
    /// A virtualenv with motusos==0.3.3, to run the original side by side
    #[arg(long)]
    pub peer_venv: Option<PathBuf>,
    /// peer-bench.py
    #[arg(long, default_value = "../shared/bench/peer-bench.py")]
    pub peer_script: PathBuf,
    /// Cycles per process for the peer (it is ~100× slower)
    #[arg(long, default_value_t = 60)]
    pub peer_cycles: usize,
    /// Where to put the scratch databases [default: a new directory under the temp dir]
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Also write the full JSON report here
    #[arg(long)]
    pub json_out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// (internal) One benchmark process: cycles over the given items on --db
    #[command(hide = true)]
    Worker(WorkerArgs),
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The database file the worker cycles on
    #[arg(long)]
    pub db: PathBuf,
    #[arg(long)]
    pub tag: String,
    /// Comma-separated work item ids
    #[arg(long)]
    pub items: String,
    #[arg(long, default_value_t = 60)]
    pub cycles: usize,
    /// Full six-call cycles instead of claim → evidence → release
    #[arg(long)]
    pub six: bool,
    /// Print "ready" and wait for a line on stdin before the timed loop
    #[arg(long)]
    pub wait_go: bool,
    /// Cycle until killed (crash tests)
    #[arg(long)]
    pub forever: bool,
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
        * 1000.0
}

/// CPU time this thread has run, in ms (Linux `schedstat`; 0 elsewhere). The machines we
/// measure on are shared, so CPU per cycle is reported beside wall-clock throughput.
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}

fn fail(e: impl std::fmt::Display) -> CliError {
    e.to_string().into()
}

/// A connection that measures how long each write transaction waits for the lock.
struct LockTimed<'a> {
    inner: &'a SqliteConnection,
    max_wait: Cell<Duration>,
    over_1s: Cell<usize>,
}

impl<'a> LockTimed<'a> {
    fn new(inner: &'a SqliteConnection) -> Self {
        LockTimed {
            inner,
            max_wait: Cell::new(Duration::ZERO),
            over_1s: Cell::new(0),
        }
    }
}

impl Connection for LockTimed<'_> {
    fn execute(&self, sql: &str, p: &[Value]) -> motus_core::Result<usize> {
        self.inner.execute(sql, p)
    }
    fn query(&self, sql: &str, p: &[Value]) -> motus_core::Result<Rows> {
        self.inner.query(sql, p)
    }
    fn execute_batch(&self, sql: &str) -> motus_core::Result<()> {
        self.inner.execute_batch(sql)
    }
    fn begin_write(&self) -> motus_core::Result<()> {
        let t = Instant::now();
        let r = self.inner.begin_write();
        let waited = t.elapsed();
        if waited > self.max_wait.get() {
            self.max_wait.set(waited);
        }
        if waited > Duration::from_secs(1) {
            self.over_1s.set(self.over_1s.get() + 1);
        }
        r
    }
    fn in_transaction(&self) -> bool {
        self.inner.in_transaction()
    }
}

fn open_file(path: &Path) -> Result<SqliteConnection, CliError> {
    let conn = SqliteConnection::open(
        path.to_str().ok_or_else(|| fail("non-UTF-8 path"))?,
        OpenMode::ReadWriteCreate,
    )?;
    conn.ensure_wal()?;
    conn.skip_checkpoint_on_close()?;
    Ok(conn)
}

fn fresh_db(path: &Path) -> Result<SqliteConnection, CliError> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(side_file(path, suffix));
    }
    let conn = open_file(path)?;
    Migrator::coordination().migrate(&conn, &SystemClock, false, &mut |_| Ok(None))?;
    // Measure on a connection that opened an existing file, as agents do, not on the one
    // that just ran every migration.
    drop(conn);
    open_file(path)
}

/// Claims and completes each item once (untimed), as the peer benchmark prepares its items.
fn prepare_items<C: Connection + ?Sized>(conn: &C, items: &[String]) -> Result<(), CliError> {
    let env = Env::new(&SystemClock, &OsIds);
    for id in items {
        let c = kernel::claim_work(
            conn,
            &env,
            &Options::default(),
            &ClaimRequest::new(id, "prepare", "prep"),
        )?;
        let lease = c
            .lease
            .ok_or_else(|| fail(format!("prepare claim of {id}: {}", c.decision.reason_code)))?;
        evidence(conn, &env, &lease.lease_id, 1)?;
        kernel::release_work(
            conn,
            &env,
            &Options::default(),
            &lease.lease_id,
            ReleaseOutcome::Success,
            true,
        )?;
    }
    Ok(())
}

fn evidence<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease: &str,
    passed: u64,
) -> Result<bool, CliError> {
    let req = EvidenceRequest {
        evidence_type: "test_result".into(),
        test_results: records::test_counts(Some(passed), Some(0), Some(0)),
        ..Default::default()
    };
    Ok(kernel::record_evidence(conn, env, &Options::default(), lease, &req)?.accepted)
}

#[derive(Debug, Default, Serialize)]
struct CycleStats {
    ok: usize,
    denied: usize,
    failed: usize,
    errors: Vec<String>,
    lat_ms: Vec<f64>,
    /// (item, granted at, release called at) in ms since the epoch.
    intervals: Vec<(String, f64, f64)>,
    max_lock_wait_ms: f64,
    lock_waits_over_1s: usize,
    start_ms: f64,
    end_ms: f64,
}

/// One cycle: claim → evidence → release (or all six calls). Returns whether it was ok.
fn cycle<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    item: &str,
    agent: &str,
    six: bool,
    stats: &mut CycleStats,
) -> Result<bool, CliError> {
    let opts = Options::default();
    let c = kernel::claim_work(
        conn,
        env,
        &opts,
        &ClaimRequest::new(item, "bench cycle", agent),
    )?;
    let Some(lease) = c.lease else {
        stats.denied += 1;
        return Ok(false);
    };
    let granted = now_ms();
    let id = lease.lease_id.as_str();
    let mut ok = true;
    if six {
        ok &= kernel::get_context(conn, env, &opts, id, None)?
            .decision
            .decision
            == Verdict::Granted;
        ok &= kernel::put_outcome(
            conn,
            env,
            &opts,
            id,
            &OutcomeRequest {
                outcome_type: "file".into(),
                path: Some("src/app.py".into()),
                ..Default::default()
            },
        )?
        .accepted;
    }
    ok &= evidence(conn, env, id, 10)?;
    if six {
        ok &= kernel::record_decision(
            conn,
            env,
            &opts,
            id,
            &DecisionRequest::new("bench decision"),
        )?
        .accepted;
    }
    stats.intervals.push((item.to_string(), granted, now_ms()));
    ok &= kernel::release_work(conn, env, &opts, id, ReleaseOutcome::Success, true)?
        .decision
        .decision
        == Verdict::Granted;
    if !ok {
        stats.failed += 1;
    }
    Ok(ok)
}

fn run_cycles<C: Connection + ?Sized>(
    conn: &C,
    items: &[String],
    agent: &str,
    cycles: usize,
    six: bool,
    forever: bool,
) -> Result<CycleStats, CliError> {
    let env = Env::new(&SystemClock, &OsIds);
    let mut stats = CycleStats {
        start_ms: now_ms(),
        ..Default::default()
    };
    let mut i = 0;
    while forever || i < cycles {
        let item = &items[i % items.len()];
        let t = Instant::now();
        match cycle(conn, &env, item, agent, six, &mut stats) {
            Ok(true) => stats.ok += 1,
            Ok(false) => {}
            Err(e) => {
                stats.failed += 1;
                if stats.errors.len() < 5 {
                    stats.errors.push(e.to_string());
                }
            }
        }
        stats.lat_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        i += 1;
    }
    stats.end_ms = now_ms();
    Ok(stats)
}

fn worker(db: &Path, w: WorkerArgs) -> Result<(), CliError> {
    let conn = open_file(db)?;
    let timed = LockTimed::new(&conn);
    let items: Vec<String> = w.items.split(',').map(str::to_string).collect();
    // Warm-up: statement cache, page cache (untimed, its own agent id).
    let env = Env::new(&SystemClock, &OsIds);
    let mut scratch = CycleStats::default();
    for item in items.iter().take(2) {
        let _ = cycle(
            &timed,
            &env,
            item,
            &format!("warm:{}", w.tag),
            w.six,
            &mut scratch,
        );
    }
    timed.max_wait.set(Duration::ZERO);
    timed.over_1s.set(0);
    if w.wait_go {
        println!("ready");
        std::io::stdout().flush()?;
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
    }
    let mut stats = run_cycles(
        &timed,
        &items,
        &format!("bench:{}", w.tag),
        w.cycles,
        w.six,
        w.forever,
    )?;
    stats.max_lock_wait_ms = timed.max_wait.get().as_secs_f64() * 1000.0;
    stats.lock_waits_over_1s = timed.over_1s.get();
    println!("{}", serde_json::to_string(&stats).expect("serializable"));
    Ok(())
}

fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn percentile(mut xs: Vec<f64>, p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[((xs.len() - 1) as f64 * p) as usize]
}

fn items_for(tag: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("ADHOC-{tag}-{i:03}")).collect()
}

/// In-process cycles/s on a fresh file (median of runs).
fn in_process(dir: &Path, args: &BenchArgs, six: bool) -> Result<Json, CliError> {
    let mut rates = vec![];
    let mut lat = vec![];
    let mut cpu = vec![];
    for run in 0..args.runs {
        let path = dir.join(format!("inproc-{six}-{run}.db"));
        let conn = fresh_db(&path)?;
        let items = items_for("w0", args.items);
        prepare_items(&conn, &items)?;
        let mut warm = CycleStats::default();
        let env = Env::new(&SystemClock, &OsIds);
        for item in items.iter().take(2) {
            cycle(&conn, &env, item, "warm:w0", six, &mut warm)?;
        }
        let cpu0 = thread_cpu_ms();
        let stats = run_cycles(&conn, &items, "bench:w0", args.cycles, six, false)?;
        cpu.push((thread_cpu_ms() - cpu0) / args.cycles as f64);
        if stats.ok != args.cycles {
            return Err(fail(format!(
                "in-process run lost cycles: {} of {} ok: {:?}",
                stats.ok, args.cycles, stats.errors
            )));
        }
        rates.push(stats.ok as f64 / ((stats.end_ms - stats.start_ms) / 1000.0));
        lat.extend(stats.lat_ms);
    }
    Ok(
        json!({"cycles_per_s": median(rates.clone()), "runs": rates, "cpu_ms_per_cycle": median(cpu), "p50_ms": percentile(lat.clone(), 0.5), "p95_ms": percentile(lat, 0.95)}),
    )
}

/// The floor: the rows one cycle writes (same columns, same payload shapes and sizes), as
/// plain prepared statements in the same three
/// transactions (no checks, no reads, no Connection trait).
fn raw_floor(dir: &Path, args: &BenchArgs) -> Result<Json, CliError> {
    let mut rates = vec![];
    let mut cpu = vec![];
    for run in 0..args.runs {
        let path = dir.join(format!("raw-{run}.db"));
        let conn = fresh_db(&path)?;
        let items = items_for("w0", args.items);
        prepare_items(&conn, &items)?;
        let db = conn.inner();
        let ids = OsIds;
        let e = |r: Result<usize, _>| r.map(|_| ()).map_err(fail);
        let hex = |n: usize| motus_core::IdSource::random_hex(&ids, n);
        let start = Instant::now();
        let cpu0 = thread_cpu_ms();
        for i in 0..args.cycles {
            let item = &items[i % items.len()];
            let lease = format!("lease-20261126-{}", hex(8));
            let attempt = format!("attempt-{}", hex(12));
            let evidence = format!("evidence-{}", hex(12));
            let now = motus_core::Clock::now(&SystemClock).to_db();
            // claim
            db.execute_batch("BEGIN IMMEDIATE").map_err(fail)?;
            e(db.prepare_cached("INSERT INTO attempts (id, work_id, worker_id, worker_type, started_at) VALUES (?1, ?2, ?3, 'agent', ?4)").map_err(fail)?.execute((&attempt, item, "bench:w0", &now)))?;
            e(db.prepare_cached("INSERT INTO coordination_leases (lease_id, owner_agent_id, mode, resources, issued_at, expires_at, heartbeat_deadline, snapshot_id, policy_version, lens_digest, work_id, attempt_id, status, outcome, created_at, updated_at) VALUES (?1, ?2, 'write', ?3, ?4, ?4, ?4, ?5, 'v1.0.0', ?6, ?7, ?8, 'active', NULL, ?4, ?4)").map_err(fail)?
                .execute((&lease, "bench:w0", format!("[{{\"path\": \"{item}\", \"type\": \"task\"}}]"), &now, format!("snap-{}", hex(12)), "0".repeat(64), item, &attempt)))?;
            e(db.prepare_cached("INSERT INTO events (event_id, lease_id, event_type, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)").map_err(fail)?.execute((format!("evt-{}", hex(12)), &lease, "LEASE_CLAIMED", json!({"agent_id": "bench:w0", "mode": "write", "resources": [format!("task:{item}")], "intent": format!("[{item}] bench cycle"), "ttl_s": 3600, "work_id": item, "attempt_id": attempt}).to_string(), &now)))?;
            raw_audit(
                &conn,
                &now,
                "work.claim",
                &lease,
                json!({"work_id": item, "attempt_id": attempt, "expires_at": now}),
            )?;
            raw_metric(&conn, &now, "claim_work")?;
            db.execute_batch("COMMIT").map_err(fail)?;
            // evidence
            db.execute_batch("BEGIN IMMEDIATE").map_err(fail)?;
            e(db.prepare_cached("INSERT INTO evidence (id, work_id, attempt_id, lease_id, evidence_type, uri, sha256, title, size_bytes, artifacts, test_results, diff_summary, log_excerpt, created_by, created_at) VALUES (?1, ?2, ?3, ?4, 'test_result', ?5, ?6, NULL, NULL, '{}', ?7, NULL, NULL, ?8, ?9)").map_err(fail)?
                .execute((&evidence, item, &attempt, &lease, format!("evidence:{evidence}"), "0".repeat(64), "{\"failed\":0,\"passed\":10,\"skipped\":0}", "bench:w0", &now)))?;
            e(db.prepare_cached("INSERT INTO events (event_id, lease_id, event_type, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)").map_err(fail)?.execute((format!("evt-{}", hex(12)), &lease, "EVIDENCE_RECORDED", json!({"evidence_id": evidence, "lease_id": lease, "evidence_type": "test_result", "artifacts": {}, "test_results": {"passed": 10, "failed": 0, "skipped": 0}, "diff_summary": null, "log_excerpt": null, "sha256": "0".repeat(64), "recorded_at": now}).to_string(), &now)))?;
            raw_audit(
                &conn,
                &now,
                "work.evidence",
                &evidence,
                json!({"lease_id": lease, "evidence_type": "test_result", "sha256": "0".repeat(64)}),
            )?;
            raw_metric(&conn, &now, "record_evidence")?;
            db.execute_batch("COMMIT").map_err(fail)?;
            // release
            db.execute_batch("BEGIN IMMEDIATE").map_err(fail)?;
            e(db.prepare_cached("UPDATE coordination_leases SET status = 'released', outcome = 'success', updated_at = ?1 WHERE lease_id = ?2 AND status = 'active'").map_err(fail)?.execute((&now, &lease)))?;
            e(db.prepare_cached("UPDATE attempts SET ended_at = ?1, outcome = 'completed' WHERE id = ?2 AND ended_at IS NULL").map_err(fail)?.execute((&now, &attempt)))?;
            e(db.prepare_cached("INSERT INTO events (event_id, lease_id, event_type, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)").map_err(fail)?.execute((format!("evt-{}", hex(12)), &lease, "LEASE_RELEASED", json!({"outcome": "success", "rollback_requested": false, "rollback_performed": false, "rollback_success": null, "rollback_reason": null, "evidence_ids": [evidence], "handoff": null, "attempt_outcome": "completed"}).to_string(), &now)))?;
            raw_audit(
                &conn,
                &now,
                "work.release",
                &lease,
                json!({"outcome": "success", "status": "released", "attempt_outcome": "completed"}),
            )?;
            raw_metric(&conn, &now, "release_work")?;
            db.execute_batch("COMMIT").map_err(fail)?;
        }
        rates.push(args.cycles as f64 / start.elapsed().as_secs_f64());
        cpu.push((thread_cpu_ms() - cpu0) / args.cycles as f64);
    }
    Ok(
        json!({"cycles_per_s": median(rates.clone()), "runs": rates, "cpu_ms_per_cycle": median(cpu)}),
    )
}

fn raw_audit(
    conn: &SqliteConnection,
    now: &str,
    event: &str,
    id: &str,
    value: Json,
) -> Result<(), CliError> {
    conn.inner().prepare_cached("INSERT INTO audit_log (timestamp, event_type, actor, resource_type, resource_id, action, old_value, new_value, context, instance_id) VALUES (?1, ?2, 'bench:w0', 'lease', ?3, 'x', NULL, ?4, NULL, COALESCE((SELECT value FROM instance_config WHERE key = 'instance_id'), 'unknown'))")
        .map_err(fail)?
        .execute((now, event, id, value.to_string()))
        .map_err(fail)?;
    Ok(())
}

fn raw_metric(conn: &SqliteConnection, now: &str, op: &str) -> Result<(), CliError> {
    conn.inner().prepare_cached("INSERT INTO metrics (timestamp, operation, elapsed_ms, is_success, metadata, created_at, updated_at) VALUES (?1, ?2, 0.0, 1, NULL, ?1, ?1)")
        .map_err(fail)?
        .execute((now, format!("work_compiler.{op}")))
        .map_err(fail)?;
    Ok(())
}

/// Wall time of single CLI calls, process start included.
fn cli_calls(dir: &Path, args: &BenchArgs, exe: &Path) -> Result<Json, CliError> {
    let db = dir.join("cli.db");
    fresh_db(&db)?;
    let time = |argv: &[&str]| -> Result<(f64, String), CliError> {
        let t = Instant::now();
        let out = Command::new(&exe)
            .arg("--db")
            .arg(&db)
            .args(argv)
            .env_remove("MC_AGENT_ID")
            .output()?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if !out.status.success() {
            return Err(fail(format!(
                "{argv:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok((ms, String::from_utf8_lossy(&out.stdout).into_owned()))
    };
    let (mut version, mut claim, mut ev, mut rel, mut list) =
        (vec![], vec![], vec![], vec![], vec![]);
    time(&["--version"])?;
    for i in 0..args.cli_calls {
        version.push(time(&["--version"])?.0);
        let task = format!("ADHOC-CLI-{i:03}");
        let (ms, out) = time(&["--json", "work", "claim", &task, "--intent", "cli bench"])?;
        claim.push(ms);
        let lease = serde_json::from_str::<Json>(&out).map_err(fail)?["lease_id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        ev.push(time(&["work", "evidence", &lease, "test_result", "--passed", "1"])?.0);
        rel.push(time(&["work", "release", &lease, "success"])?.0);
        list.push(time(&["work", "list", "--all"])?.0);
    }
    let first = {
        let fresh = dir.join("cli-first.db");
        let t = Instant::now();
        let out = Command::new(&exe)
            .arg("--db")
            .arg(&fresh)
            .args(["work", "claim", "ADHOC-COLD-001", "--intent", "cold"])
            .output()?;
        if !out.status.success() {
            return Err(fail("first claim on a new database failed"));
        }
        t.elapsed().as_secs_f64() * 1000.0
    };
    Ok(json!({
        "version_ms": median(version), "claim_ms": median(claim.clone()), "claim_max_ms": claim.iter().cloned().fold(0.0, f64::max),
        "evidence_ms": median(ev), "release_ms": median(rel), "list_ms": median(list), "first_claim_new_db_ms": first,
    }))
}

/// Spawns `n` worker processes on one file; returns the row's figures.
fn concurrent(
    dir: &Path,
    args: &BenchArgs,
    n: usize,
    shared: bool,
    run: usize,
) -> Result<Json, CliError> {
    let exe = std::env::current_exe()?;
    let path = dir.join(format!("conc-{n}-{shared}-{run}.db"));
    let conn = fresh_db(&path)?;
    let lists: Vec<Vec<String>> = (0..n)
        .map(|w| {
            items_for(
                if shared {
                    "shared".into()
                } else {
                    format!("w{w}")
                }
                .as_str(),
                args.items,
            )
        })
        .collect();
    for (w, l) in lists.iter().enumerate() {
        if !shared || w == 0 {
            prepare_items(&conn, l)?;
        }
    }
    let mut procs = vec![];
    for (w, l) in lists.iter().enumerate() {
        let mut child = Command::new(&exe)
            .arg("worker")
            .arg("--db")
            .arg(&path)
            .args([
                "--tag",
                &format!("w{w}"),
                "--items",
                &l.join(","),
                "--cycles",
                &args.cycles.to_string(),
                "--wait-go",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut out = BufReader::new(child.stdout.take().expect("piped"));
        let mut line = String::new();
        out.read_line(&mut line)?;
        if line.trim() != "ready" {
            return Err(fail(format!("worker {w} did not start: {line}")));
        }
        procs.push((child, out));
    }
    let go = now_ms();
    for (child, _) in procs.iter_mut() {
        writeln!(child.stdin.as_mut().expect("piped"), "go")?;
    }
    let mut results: Vec<CycleResult> = vec![];
    for (mut child, mut out) in procs {
        let mut line = String::new();
        out.read_line(&mut line)?;
        child.wait()?;
        results.push(
            serde_json::from_str(&line)
                .map_err(|e| fail(format!("worker output {line:?}: {e}")))?,
        );
    }
    let end = results.iter().map(|r| r.end_ms).fold(0.0, f64::max);
    let ok: usize = results.iter().map(|r| r.ok).sum();
    let denied: usize = results.iter().map(|r| r.denied).sum();
    let failed: usize = results.iter().map(|r| r.failed).sum();
    let lat: Vec<f64> = results.iter().flat_map(|r| r.lat_ms.clone()).collect();
    // Lost grants: ok cycles the file does not hold as released leases with evidence.
    let held: i64 = conn.query_one(
        "SELECT count(*) FROM coordination_leases l WHERE l.owner_agent_id LIKE 'bench:w%' AND l.status = 'released' \
         AND EXISTS (SELECT 1 FROM evidence e WHERE e.lease_id = l.lease_id)", params![])?;
    let double = double_grants(&conn)?;
    let integrity: String = conn.query_one("PRAGMA integrity_check", params![])?;
    Ok(json!({
        "procs": n, "shared": shared, "cycles_per_s": ok as f64 / ((end - go) / 1000.0), "ok": ok, "denied": denied,
        "failed": failed, "lost": ok as i64 - held, "double_grants": double,
        "p50_ms": percentile(lat.clone(), 0.5), "p95_ms": percentile(lat, 0.95),
        "max_lock_wait_ms": results.iter().map(|r| r.max_lock_wait_ms).fold(0.0, f64::max),
        "lock_waits_over_1s": results.iter().map(|r| r.lock_waits_over_1s).sum::<usize>(),
        "errors": results.iter().flat_map(|r| r.errors.clone()).take(3).collect::<Vec<_>>(),
        "integrity": integrity,
    }))
}

#[derive(serde::Deserialize)]
struct CycleResult {
    ok: usize,
    denied: usize,
    failed: usize,
    errors: Vec<String>,
    lat_ms: Vec<f64>,
    max_lock_wait_ms: f64,
    lock_waits_over_1s: usize,
    end_ms: f64,
}

/// Leases on one work item whose lifetimes overlap (DB side: issued_at .. updated_at).
fn double_grants(conn: &SqliteConnection) -> Result<i64, CliError> {
    Ok(conn.query_one(
        "SELECT count(*) FROM coordination_leases a JOIN coordination_leases b \
         ON a.work_id = b.work_id AND a.lease_id < b.lease_id AND a.mode = 'write' AND b.mode = 'write' \
         WHERE a.issued_at < b.updated_at AND b.issued_at < a.updated_at",
        params![],
    )?)
}

/// Medians (and the best run's CPU per cycle) over single runs.
fn merge_runs(runs: &[Json]) -> Json {
    let cpu: Vec<f64> = runs
        .iter()
        .filter_map(|r| r["cpu_ms_per_cycle"].as_f64())
        .collect();
    json!({
        "cycles_per_s": row_median(runs, "cycles_per_s"),
        "runs": runs.iter().map(|r| r["cycles_per_s"].clone()).collect::<Vec<_>>(),
        "cpu_ms_per_cycle": median(cpu.clone()),
        "cpu_ms_per_cycle_min": cpu.iter().cloned().fold(f64::INFINITY, f64::min),
        "p50_ms": row_median(runs, "p50_ms"),
        "p95_ms": row_median(runs, "p95_ms"),
    })
}

fn row_median(rows: &[Json], key: &str) -> f64 {
    median(rows.iter().filter_map(|r| r[key].as_f64()).collect())
}

fn peer(args: &BenchArgs, dir: &Path) -> Option<Json> {
    let venv = args.peer_venv.as_ref()?;
    let out_json = dir.join("peer.json");
    eprintln!(
        "bench_kernel: running the original (motusos) through {} …",
        args.peer_script.display()
    );
    let status = Command::new("python3")
        .arg(&args.peer_script)
        .arg("--venv")
        .arg(venv)
        .args([
            "--runs",
            "1",
            "--cycles",
            &args.peer_cycles.to_string(),
            "--cases",
            "abd",
            "--json-out",
        ])
        .arg(&out_json)
        .stdout(Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        eprintln!("bench_kernel: peer-bench.py failed ({status})");
        return None;
    }
    let raw: Json = serde_json::from_str(&std::fs::read_to_string(&out_json).ok()?).ok()?;
    let cps = |k: &str| raw["cycles_runs"][k][0]["cycles_per_s"].as_f64();
    let dbl = |k: &str| raw["cycles_runs"][k][0]["double_grants"].as_i64();
    let cli_claim = median(
        raw["cli"]["claim"]
            .as_array()
            .map(|a| a.iter().filter_map(Json::as_f64).collect())
            .unwrap_or_default(),
    ) * 1000.0;
    Some(json!({
        "version": raw["version"], "cycles_per_s_1": cps("1"), "cycles_per_s_2": cps("2"), "cycles_per_s_4": cps("4"),
        "double_grants_2_shared": dbl("2s"), "double_grants_4_shared": dbl("4s"), "cli_claim_ms": cli_claim,
    }))
}

fn report(json: bool, motus: Option<PathBuf>, args: BenchArgs) -> Result<(), CliError> {
    let motus = match motus {
        Some(m) => m,
        None => default_motus()?,
    };
    let tmp;
    let dir = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => {
            tmp = std::env::temp_dir().join(format!("motus-bench-{}", std::process::id()));
            std::fs::create_dir_all(&tmp)?;
            tmp.clone()
        }
    };
    eprintln!("bench_kernel: in-process cycles …");
    // Kernel and floor runs alternate, so a burst of load on this shared machine hits both.
    let one = BenchArgs {
        runs: 1,
        worker: None,
        procs: vec![],
        peer_venv: None,
        dir: None,
        json_out: None,
        peer_script: PathBuf::new(),
        ..args
    };
    let (mut three_runs, mut six_runs, mut floor_runs) = (vec![], vec![], vec![]);
    for _ in 0..args.runs {
        three_runs.push(in_process(&dir, &one, false)?);
        floor_runs.push(raw_floor(&dir, &one)?);
        six_runs.push(in_process(&dir, &one, true)?);
    }
    let three = merge_runs(&three_runs);
    let six = merge_runs(&six_runs);
    eprintln!("bench_kernel: raw rusqlite floor …");
    let floor = merge_runs(&floor_runs);
    eprintln!("bench_kernel: CLI wall time …");
    let cli = cli_calls(&dir, &args, &motus)?;
    let mut rows = vec![];
    for shared in [false, true] {
        for &n in &args.procs {
            if shared && n == 1 {
                continue;
            }
            eprintln!(
                "bench_kernel: {n} processes{} …",
                if shared { ", shared items" } else { "" }
            );
            let runs: Vec<Json> = (0..args.runs)
                .map(|r| concurrent(&dir, &args, n, shared, r))
                .collect::<Result<_, _>>()?;
            let sum = |k: &str| runs.iter().map(|r| r[k].as_i64().unwrap_or(0)).sum::<i64>();
            rows.push(json!({
                "procs": n, "shared": shared, "cycles_per_s": row_median(&runs, "cycles_per_s"),
                "p50_ms": row_median(&runs, "p50_ms"), "p95_ms": row_median(&runs, "p95_ms"),
                "max_lock_wait_ms": runs.iter().filter_map(|r| r["max_lock_wait_ms"].as_f64()).fold(0.0, f64::max),
                "lock_waits_over_1s": sum("lock_waits_over_1s"), "ok": sum("ok"), "denied": sum("denied"),
                "failed": sum("failed"), "lost": sum("lost"), "double_grants": sum("double_grants"),
                "integrity": runs.iter().map(|r| r["integrity"].as_str().unwrap_or("?").to_string()).collect::<std::collections::BTreeSet<_>>(),
                "errors": runs.iter().flat_map(|r| r["errors"].as_array().cloned().unwrap_or_default()).take(3).collect::<Vec<_>>(),
            }));
        }
    }
    let peer = peer(&args, &dir);
    let three_cps = three["cycles_per_s"].as_f64().unwrap_or(0.0);
    let floor_cps = floor["cycles_per_s"].as_f64().unwrap_or(f64::NAN);
    let doc = json!({
        "cycles_per_process": args.cycles, "items_per_process": args.items, "runs": args.runs,
        "in_process": three, "in_process_six_calls": six, "raw_floor": floor,
        "floor_ratio": floor_cps / three_cps,
        "floor_ratio_cpu": three["cpu_ms_per_cycle"].as_f64().unwrap_or(f64::NAN) / floor["cpu_ms_per_cycle"].as_f64().unwrap_or(f64::NAN),
        "cli": cli, "concurrency": rows, "peer": peer,
        "vs_peer": peer.as_ref().and_then(|p| p["cycles_per_s_1"].as_f64()).map(|p| three_cps / p),
        "loadavg": std::fs::read_to_string("/proc/loadavg").ok().map(|s| s.trim().to_string()),
    });
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if let Some(p) = &args.json_out {
        std::fs::write(p, serde_json::to_string_pretty(&doc).expect("serializable"))?;
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("serializable")
        );
    } else {
        print!("{}", render(&doc));
    }
    Ok(())
}

fn render(d: &Json) -> String {
    let f = |v: &Json| {
        v.as_f64()
            .map(|x| format!("{x:.1}"))
            .unwrap_or_else(|| "-".into())
    };
    let mut s = format!(
        "Kernel benchmark: {} cycles per process, {} items per process, median of {} runs\n\n",
        d["cycles_per_process"], d["items_per_process"], d["runs"]
    );
    s.push_str("| measure | value |\n|---|---|\n");
    s.push_str(&format!(
        "| in-process cycles/s (claim → evidence → release) | {} (p50 {} ms, p95 {} ms) |\n",
        f(&d["in_process"]["cycles_per_s"]),
        f(&d["in_process"]["p50_ms"]),
        f(&d["in_process"]["p95_ms"])
    ));
    s.push_str(&format!(
        "| in-process six-call cycles/s | {} |\n",
        f(&d["in_process_six_calls"]["cycles_per_s"])
    ));
    s.push_str(&format!(
        "| raw rusqlite floor, same writes and transactions, cycles/s | {} |\n",
        f(&d["raw_floor"]["cycles_per_s"])
    ));
    s.push_str(&format!(
        "| floor / kernel (goal ≤ 1.3): by wall-clock cycles/s ; by CPU ms per cycle | {:.2} ; {:.2} |\n",
        d["floor_ratio"].as_f64().unwrap_or(f64::NAN),
        d["floor_ratio_cpu"].as_f64().unwrap_or(f64::NAN)
    ));
    let cpu = |k: &str| d[k]["cpu_ms_per_cycle"].as_f64().unwrap_or(f64::NAN);
    s.push_str(&format!(
        "| CPU ms per cycle: kernel 3-call / kernel 6-call / raw floor | {:.3} / {:.3} / {:.3} |\n",
        cpu("in_process"),
        cpu("in_process_six_calls"),
        cpu("raw_floor")
    ));
    s.push_str(&format!(
        "| CLI `work claim`, wall ms incl. process start (median / max) | {} / {} |\n",
        f(&d["cli"]["claim_ms"]),
        f(&d["cli"]["claim_max_ms"])
    ));
    s.push_str(&format!(
        "| CLI `work evidence` / `work release` / `work list --all` ms | {} / {} / {} |\n",
        f(&d["cli"]["evidence_ms"]),
        f(&d["cli"]["release_ms"]),
        f(&d["cli"]["list_ms"])
    ));
    s.push_str(&format!(
        "| CLI `--version` ms; first claim on a new database ms | {} ; {} |\n",
        f(&d["cli"]["version_ms"]),
        f(&d["cli"]["first_claim_new_db_ms"])
    ));
    if let Some(p) = d["peer"].as_object() {
        s.push_str(&format!(
            "| original {} cycles/s, 1 process (same run) | {} |\n",
            p["version"].as_str().unwrap_or("?"),
            f(&p["cycles_per_s_1"])
        ));
        s.push_str(&format!(
            "| kernel / original, 1 process (goal ≥ 15) | {:.0}× |\n",
            d["vs_peer"].as_f64().unwrap_or(f64::NAN)
        ));
        s.push_str(&format!(
            "| original CLI `work claim` ms | {} |\n",
            f(&p["cli_claim_ms"])
        ));
        s.push_str(&format!(
            "| original double grants, 2 / 4 processes on shared items | {} / {} |\n",
            p["double_grants_2_shared"], p["double_grants_4_shared"]
        ));
    }
    s.push_str("\n| processes | items | cycles/s | p50 ms | p95 ms | max lock wait ms | waits > 1 s | ok | denied | failed | lost | double grants | integrity |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in d["concurrency"].as_array().into_iter().flatten() {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r["procs"],
            if r["shared"] == true {
                "shared"
            } else {
                "disjoint"
            },
            f(&r["cycles_per_s"]),
            f(&r["p50_ms"]),
            f(&r["p95_ms"]),
            f(&r["max_lock_wait_ms"]),
            r["lock_waits_over_1s"],
            r["ok"],
            r["denied"],
            r["failed"],
            r["lost"],
            r["double_grants"],
            r["integrity"]
                .as_array()
                .map(|a| a
                    .iter()
                    .filter_map(Json::as_str)
                    .collect::<Vec<_>>()
                    .join(","))
                .unwrap_or_default()
        ));
    }
    if let Some(l) = d["loadavg"].as_str() {
        s.push_str(&format!("\nload average: {l}\n"));
    }
    s
}
