//! claim → evidence → release cycles/s three ways, in one run on one machine:
//!
//! - **in-process**: the kernel's calls on one connection (the floor: no transport at all);
//! - **MCP**: one `motus mcp` session over stdio, driven by a minimal JSON-RPC client (one
//!   line per message, each call awaited before the next, as an agent does): the server's
//!   whole cost — JSON-RPC, argument checks, documents — and nothing of a client library;
//! - **CLI**: one `motus --json work …` process per call, as an agent shelling out does.
//!
//! Each mode gets a fresh database file with the same settings (WAL, synchronous=NORMAL) and
//! cycles over the same ten ad hoc items. Build the binary first, then run:
//!
//! ```sh
//! cargo build --release -p motus && cargo run --release -p motus --example bench_mcp -- [CYCLES]
//! ```
//!
//! `MOTUS_BIN` overrides the binary (default: `target/release/motus` beside this example).

use motus_core::kernel::{self, records, ClaimRequest, EvidenceRequest, Options, ReleaseOutcome};
use motus_core::migrate::Migrator;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{Clock, Env, IdSource, Timestamp};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

struct Wall;
impl Clock for Wall {
    fn now(&self) -> Timestamp {
        let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        Timestamp::from_millis(d.as_millis() as i64)
    }
}

struct Random;
impl IdSource for Random {
    fn random_hex(&self, len: usize) -> String {
        let mut bytes = vec![0u8; len.div_ceil(2)];
        getrandom::fill(&mut bytes).unwrap();
        let mut s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.truncate(len);
        s
    }
}

const ITEMS: usize = 10;

fn item(i: usize) -> String {
    format!("ADHOC-BENCH-{:02}", i % ITEMS)
}

fn motus_bin() -> PathBuf {
    if let Ok(p) = std::env::var("MOTUS_BIN") {
        return PathBuf::from(p);
    }
    // target/<profile>/examples/bench_mcp -> target/<profile>/motus
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("motus")
}

/// A fresh, migrated database file.
fn fresh_db(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let conn = SqliteConnection::open(path.to_str().unwrap(), OpenMode::ReadWriteCreate).unwrap();
    conn.ensure_wal().unwrap();
    Migrator::coordination()
        .migrate(&conn, &Wall, false, &mut |_| Ok(None))
        .unwrap();
    path
}

fn in_process(db: &Path, cycles: usize) -> f64 {
    let conn = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadWrite).unwrap();
    let env = Env::new(&Wall, &Random);
    let opts = Options::default();
    let start = Instant::now();
    for i in 0..cycles {
        let c = kernel::claim_work(
            &conn,
            &env,
            &opts,
            &ClaimRequest::new(&item(i), "bench", "bench"),
        )
        .unwrap();
        let lease = c.lease.expect("granted").lease_id;
        let ev = EvidenceRequest {
            evidence_type: "test_result".into(),
            test_results: records::test_counts(Some(10), Some(0), Some(0)),
            ..Default::default()
        };
        assert!(
            kernel::record_evidence(&conn, &env, &opts, &lease, &ev)
                .unwrap()
                .accepted
        );
        let r = kernel::release_work(&conn, &env, &opts, &lease, ReleaseOutcome::Success, true)
            .unwrap();
        assert!(r.decision.is_granted());
    }
    start.elapsed().as_secs_f64()
}

/// A minimal MCP client over the server's stdin/stdout: newline-delimited JSON-RPC.
struct Mcp {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
    next_id: u64,
}

impl Mcp {
    fn start(db: &Path) -> Mcp {
        let mut child = Command::new(motus_bin())
            .arg("--db")
            .arg(db)
            .args(["mcp", "--agent", "bench"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start motus mcp");
        let out = BufReader::new(child.stdout.take().unwrap());
        let mut m = Mcp {
            child,
            out,
            next_id: 0,
        };
        m.request(
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "bench_mcp", "version": "0"}}),
        );
        m.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        m
    }
    fn send(&mut self, msg: &Value) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{msg}").unwrap();
        stdin.flush().unwrap();
    }
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            assert!(self.out.read_line(&mut line).unwrap() > 0, "server closed");
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["id"] == json!(id) {
                assert!(v.get("error").is_none(), "{v}");
                return v["result"].clone();
            }
        }
    }
    fn tool(&mut self, name: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": name, "arguments": args}));
        assert_ne!(r["isError"], json!(true), "{r}");
        r["structuredContent"].clone()
    }
}

fn mcp(db: &Path, cycles: usize) -> f64 {
    let mut m = Mcp::start(db);
    let start = Instant::now();
    for i in 0..cycles {
        let c = m.tool("claim", json!({"work_id": item(i), "intent": "bench"}));
        let lease = c["lease_id"].as_str().expect("granted").to_string();
        let e = m.tool(
            "evidence",
            json!({"lease_id": lease, "evidence_type": "test_result", "passed": 10, "failed": 0, "skipped": 0}),
        );
        assert_eq!(e["ok"], true, "{e}");
        let r = m.tool("release", json!({"lease_id": lease, "outcome": "success"}));
        assert_eq!(r["ok"], true, "{r}");
    }
    let secs = start.elapsed().as_secs_f64();
    drop(m.child.stdin.take());
    m.child.wait().unwrap();
    secs
}

fn cli(db: &Path, cycles: usize) -> f64 {
    let run = |args: &[&str]| -> Value {
        let out = Command::new(motus_bin())
            .arg("--db")
            .arg(db)
            .arg("--json")
            .args(args)
            .env("MC_AGENT_ID", "bench")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let start = Instant::now();
    for i in 0..cycles {
        let it = item(i);
        let c = run(&["work", "claim", &it, "--intent", "bench"]);
        let lease = c["lease_id"].as_str().unwrap().to_string();
        run(&[
            "work",
            "evidence",
            &lease,
            "test_result",
            "--passed",
            "10",
            "--failed",
            "0",
            "--skipped",
            "0",
        ]);
        run(&["work", "release", &lease, "success"]);
    }
    start.elapsed().as_secs_f64()
}

fn main() {
    let cycles: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("CYCLES is a number"))
        .unwrap_or(2000);
    let cli_cycles = (cycles / 10).max(20);
    let dir = tempfile::tempdir().unwrap();
    assert!(
        motus_bin().exists(),
        "no binary at {}",
        motus_bin().display()
    );

    // Warm-up cycles are not timed: each mode starts from a file its items went through.
    let rows = [
        ("in-process (kernel calls, one connection)", {
            let db = fresh_db(dir.path(), "inproc.db");
            in_process(&db, ITEMS);
            (cycles, in_process(&db, cycles))
        }),
        ("MCP (one `motus mcp` session over stdio)", {
            let db = fresh_db(dir.path(), "mcp.db");
            mcp(&db, ITEMS);
            (cycles, mcp(&db, cycles))
        }),
        ("CLI (one `motus --json work …` process per call)", {
            let db = fresh_db(dir.path(), "cli.db");
            cli(&db, ITEMS);
            (cli_cycles, cli(&db, cli_cycles))
        }),
    ];
    let base = rows[0].1 .1 / rows[0].1 .0 as f64;
    println!("| mode | cycles | cycles/s | ms/cycle | × in-process |");
    println!("|---|---:|---:|---:|---:|");
    let mut doc = Vec::new();
    for (name, (n, secs)) in &rows {
        let per = secs / *n as f64;
        println!(
            "| {name} | {n} | {:.0} | {:.3} | {:.2} |",
            *n as f64 / secs,
            per * 1000.0,
            per / base
        );
        doc.push(json!({"mode": name, "cycles": n, "seconds": secs, "cycles_per_s": *n as f64 / secs, "ms_per_cycle": per * 1000.0, "ratio_to_in_process": per / base}));
    }
    eprintln!("{}", serde_json::to_string(&doc).unwrap());
}
