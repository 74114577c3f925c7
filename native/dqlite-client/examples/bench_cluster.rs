//! claim → evidence → release cycles/s on a real 3-node dqlite cluster (Debian's go-dqlite
//! nodes on loopback) against the same kernel on a local WAL file, and against a floor: the
//! same three write transactions per cycle (the rows a cycle writes, fixed SQL, no kernel
//! logic, no reads) sent through the same `Connection`; and the cluster kernel with the
//! statement cache off. All in one run, interleaved per round (so a load change hits every
//! variant alike); median and spread (min–max) over the rounds, with the load average.
//!
//! `cargo run --release -p dqlite-client --example bench_cluster [CYCLES] [RUNS]`

use dqlite_client::testcluster::TestCluster;
use dqlite_client::{DqliteConnection, DqliteUrl};
use motus_core::kernel::{self, records, ClaimRequest, EvidenceRequest, Options, ReleaseOutcome};
use motus_core::migrate::Migrator;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{params, write_tx, Clock, Connection, Env, IdSource, Timestamp};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

struct Sys;
impl Clock for Sys {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64,
        )
    }
}
impl IdSource for Sys {
    fn random_hex(&self, len: usize) -> String {
        let mut b = vec![0u8; len.div_ceil(2)];
        getrandom::fill(&mut b).unwrap();
        let mut s: String = b.iter().map(|x| format!("{x:02x}")).collect();
        s.truncate(len);
        s
    }
}

fn kernel_cycles(conn: &dyn Connection, tag: &str, cycles: usize) -> f64 {
    let env = Env::new(&Sys, &Sys);
    let opts = Options::default();
    let start = Instant::now();
    for i in 0..cycles {
        let item = format!("ADHOC-{tag}-{}", i % 20);
        let c = kernel::claim_work(
            conn,
            &env,
            &opts,
            &ClaimRequest::new(&item, "bench cycle", "bench"),
        )
        .unwrap();
        let lease = c.lease.expect("granted").lease_id;
        let req = EvidenceRequest {
            evidence_type: "test_result".into(),
            test_results: records::test_counts(Some(10), Some(0), Some(0)),
            ..Default::default()
        };
        assert!(
            kernel::record_evidence(conn, &env, &opts, &lease, &req)
                .unwrap()
                .accepted
        );
        kernel::release_work(conn, &env, &opts, &lease, ReleaseOutcome::Success, true).unwrap();
    }
    cycles as f64 / start.elapsed().as_secs_f64()
}

/// The floor: per cycle, the three transactions a cycle commits, with the rows it writes
/// (attempt, lease, events, evidence, audit and metric rows, the two closing updates).
fn floor_cycles(conn: &dyn Connection, tag: &str, cycles: usize) -> f64 {
    let ids = Sys;
    let hex = |n| ids.random_hex(n);
    // The floor's items exist (the kernel creates an ad hoc item on its first claim).
    kernel_cycles(conn, &format!("F{tag}"), 20);
    let start = Instant::now();
    for i in 0..cycles {
        let item = format!("ADHOC-F{tag}-{}", i % 20);
        let (lease, attempt, evidence) = (
            format!("lease-20261202-{}", hex(8)),
            format!("attempt-{}", hex(12)),
            format!("evidence-{}", hex(12)),
        );
        let now = Sys.now().to_db();
        let audit = "INSERT INTO audit_log (timestamp, event_type, actor, resource_type, resource_id, action, old_value, new_value, context, instance_id) VALUES (?1, ?2, 'bench', 'lease', ?3, 'x', NULL, '{}', NULL, 'bench')";
        let metric = "INSERT INTO metrics (timestamp, operation, elapsed_ms, is_success, metadata, created_at, updated_at) VALUES (?1, ?2, 0.0, 1, NULL, ?1, ?1)";
        let event = "INSERT INTO events (event_id, lease_id, event_type, payload, created_at) VALUES (?1, ?2, ?3, '{}', ?4)";
        write_tx(conn, |c| {
            c.execute("INSERT INTO attempts (id, work_id, worker_id, worker_type, started_at) VALUES (?1, ?2, 'bench', 'agent', ?3)", params![attempt.as_str(), item.as_str(), now.as_str()])?;
            c.execute("INSERT INTO coordination_leases (lease_id, owner_agent_id, mode, resources, issued_at, expires_at, heartbeat_deadline, snapshot_id, policy_version, lens_digest, work_id, attempt_id, status, outcome, created_at, updated_at) VALUES (?1, 'bench', 'write', '[]', ?2, ?2, ?2, 'snap', 'v1.0.0', '0', ?3, ?4, 'active', NULL, ?2, ?2)", params![lease.as_str(), now.as_str(), item.as_str(), attempt.as_str()])?;
            c.execute(event, params![format!("evt-{}", hex(12)), lease.as_str(), "LEASE_CLAIMED", now.as_str()])?;
            c.execute(audit, params![now.as_str(), "work.claim", lease.as_str()])?;
            c.execute(metric, params![now.as_str(), "work_compiler.claim_work"])?;
            Ok(())
        })
        .unwrap();
        write_tx(conn, |c| {
            c.execute("INSERT INTO evidence (id, work_id, attempt_id, lease_id, evidence_type, uri, sha256, artifacts, test_results, created_by, created_at) VALUES (?1, ?2, ?3, ?4, 'test_result', 'x', ?5, '{}', '{\"failed\":0,\"passed\":10,\"skipped\":0}', 'bench', ?6)", params![evidence.as_str(), item.as_str(), attempt.as_str(), lease.as_str(), "0".repeat(64), now.as_str()])?;
            c.execute(event, params![format!("evt-{}", hex(12)), lease.as_str(), "EVIDENCE_RECORDED", now.as_str()])?;
            c.execute(audit, params![now.as_str(), "work.evidence", evidence.as_str()])?;
            c.execute(metric, params![now.as_str(), "work_compiler.record_evidence"])?;
            Ok(())
        })
        .unwrap();
        write_tx(conn, |c| {
            c.execute("UPDATE coordination_leases SET status = 'released', outcome = 'success', updated_at = ?1 WHERE lease_id = ?2", params![now.as_str(), lease.as_str()])?;
            c.execute("UPDATE attempts SET ended_at = ?1, outcome = 'completed' WHERE id = ?2", params![now.as_str(), attempt.as_str()])?;
            c.execute(event, params![format!("evt-{}", hex(12)), lease.as_str(), "LEASE_RELEASED", now.as_str()])?;
            c.execute(audit, params![now.as_str(), "work.release", lease.as_str()])?;
            c.execute(metric, params![now.as_str(), "work_compiler.release_work"])?;
            Ok(())
        })
        .unwrap();
    }
    cycles as f64 / start.elapsed().as_secs_f64()
}

/// Point reads/s of one kernel-shaped query (a join by lease id), outside transactions,
/// on `a` and `b` alternately in blocks of 50 (so a burst of load hits both alike): one
/// request each, so the statement cache's saving (no parse and plan on the node) is not
/// hidden behind Raft commits.
fn point_reads(a: &dyn Connection, b: &dyn Connection, reads: usize) -> (f64, f64) {
    let sql = "SELECT l.status, a.outcome FROM coordination_leases l JOIN attempts a ON a.id = l.attempt_id WHERE l.lease_id = ?1";
    let leases = |c: &dyn Connection| -> Vec<String> {
        c.query(
            "SELECT lease_id FROM coordination_leases LIMIT 20",
            params![],
        )
        .unwrap()
        .iter()
        .map(|r| r.get::<String>(0).unwrap())
        .collect()
    };
    let (la, lb) = (leases(a), leases(b));
    let mut spent = [std::time::Duration::ZERO; 2];
    let mut done = 0;
    while done < reads {
        for (k, (c, ls)) in [(a, &la), (b, &lb)].into_iter().enumerate() {
            let start = Instant::now();
            for i in done..done + 50 {
                let rows = c.query(sql, params![ls[i % ls.len()].as_str()]).unwrap();
                assert_eq!(rows.len(), 1);
            }
            spent[k] += start.elapsed();
        }
        done += 50;
    }
    (
        done as f64 / spent[0].as_secs_f64(),
        done as f64 / spent[1].as_secs_f64(),
    )
}

/// Median and spread of one variant's rounds.
fn summary(v: &[f64]) -> (f64, f64, f64) {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let cycles = args.first().copied().unwrap_or(200);
    let runs = args.get(1).copied().unwrap_or(5);
    let load_before = loadavg();
    let cluster = TestCluster::start(3);
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "3-node cluster, kernel",
        "3-node cluster, kernel, no statement cache",
        "3-node cluster, floor (same txs, no logic)",
        "local WAL file, kernel",
        "local WAL file, floor (same txs, no logic)",
        "3-node cluster, point reads/s",
        "3-node cluster, point reads/s, no statement cache",
    ];
    let mut results: Vec<Vec<f64>> = vec![vec![]; names.len()];
    for run in 0..runs {
        let open = |name: String, cache: usize| {
            let url = DqliteUrl::parse(&cluster.url(&name)).unwrap();
            let c = DqliteConnection::open(&url, false)
                .unwrap()
                .with_statement_cache(cache);
            Migrator::coordination()
                .migrate(&c, &Sys, false, &mut |_| Ok(None))
                .unwrap();
            c
        };
        let cached = open(format!("bench-{run}"), 256);
        let uncached = open(format!("bench-nc-{run}"), 0);
        let path = dir.path().join(format!("bench-{run}.db"));
        let f = SqliteConnection::open(path.to_str().unwrap(), OpenMode::ReadWriteCreate).unwrap();
        f.ensure_wal().unwrap();
        Migrator::coordination()
            .migrate(&f, &Sys, false, &mut |_| Ok(None))
            .unwrap();
        let before = cached.statement_cache_stats();
        results[0].push(kernel_cycles(&cached, "K", cycles));
        let after = cached.statement_cache_stats();
        results[1].push(kernel_cycles(&uncached, "K", cycles));
        results[2].push(floor_cycles(&cached, "F", cycles));
        results[3].push(kernel_cycles(&f, "K", cycles));
        results[4].push(floor_cycles(&f, "F", cycles));
        let (on, off) = point_reads(&cached, &uncached, cycles * 10);
        results[5].push(on);
        results[6].push(off);
        eprintln!(
            "round {run}: {} (kernel cycles: {} statements run by id, {} prepared); load {}",
            results
                .iter()
                .map(|r| format!("{:.1}", r[run]))
                .collect::<Vec<_>>()
                .join(" / "),
            after.hits - before.hits,
            after.prepared - before.prepared,
            loadavg()
        );
    }
    println!(
        "claim→evidence→release cycles/s: median (min–max) of {runs} interleaved rounds of {cycles} cycles (3 write transactions each)"
    );
    println!("load average before: {load_before}; after: {}", loadavg());
    let med: Vec<f64> = results.iter().map(|r| summary(r).0).collect();
    for (name, r) in names.iter().zip(&results) {
        let (m, lo, hi) = summary(r);
        println!("{name:<44} {m:9.1}  ({lo:.1}–{hi:.1})");
    }
    println!(
        "cluster kernel / cluster floor:      {:.2}",
        med[0] / med[2]
    );
    println!(
        "statement cache on / off (cluster):  {:.2} cycles, {:.2} point reads",
        med[0] / med[1],
        med[5] / med[6]
    );
    println!(
        "file kernel / file floor:            {:.2}",
        med[3] / med[4]
    );
    println!(
        "cluster kernel / file kernel:        {:.3}",
        med[0] / med[3]
    );
}
