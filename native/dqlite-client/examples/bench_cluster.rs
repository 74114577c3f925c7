//! claim → evidence → release cycles/s on a real 3-node dqlite cluster (Debian's go-dqlite
//! nodes on loopback) against the same kernel on a local WAL file, and against a floor: the
//! same three write transactions per cycle (the rows a cycle writes, fixed SQL, no kernel
//! logic, no reads) sent through the same `Connection`, all in one run.
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

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let cycles = args.first().copied().unwrap_or(200);
    let runs = args.get(1).copied().unwrap_or(3);
    let cluster = TestCluster::start(3);
    let dir = tempfile::tempdir().unwrap();
    let (mut kc, mut fc, mut kf, mut ff) = (vec![], vec![], vec![], vec![]);
    for run in 0..runs {
        let url = DqliteUrl::parse(&cluster.url(&format!("bench-{run}"))).unwrap();
        let c = DqliteConnection::open(&url, false).unwrap();
        Migrator::coordination()
            .migrate(&c, &Sys, false, &mut |_| Ok(None))
            .unwrap();
        let path = dir.path().join(format!("bench-{run}.db"));
        let f = SqliteConnection::open(path.to_str().unwrap(), OpenMode::ReadWriteCreate).unwrap();
        f.ensure_wal().unwrap();
        Migrator::coordination()
            .migrate(&f, &Sys, false, &mut |_| Ok(None))
            .unwrap();
        kc.push(kernel_cycles(&c, "K", cycles));
        fc.push(floor_cycles(&c, "F", cycles));
        kf.push(kernel_cycles(&f, "K", cycles));
        ff.push(floor_cycles(&f, "F", cycles));
        eprintln!(
            "run {run}: cluster kernel {:.1}/s floor {:.1}/s; file kernel {:.1}/s floor {:.1}/s",
            kc[run], fc[run], kf[run], ff[run]
        );
    }
    let (kc, fc, kf, ff) = (median(kc), median(fc), median(kf), median(ff));
    println!("claim→evidence→release cycles/s, median of {runs} runs of {cycles} cycles (3 write transactions each)");
    println!("3-node dqlite cluster, kernel:            {kc:8.1}");
    println!(
        "3-node dqlite cluster, floor (same txs):  {fc:8.1}   kernel/floor {:.2}",
        kc / fc
    );
    println!("local WAL file, kernel:                   {kf:8.1}");
    println!(
        "local WAL file, floor (same txs):         {ff:8.1}   kernel/floor {:.2}",
        kf / ff
    );
    println!("cluster/file, kernel:                     {:8.3}", kc / kf);
}
