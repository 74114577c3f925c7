//! The crash harness: several writers run real `motus work claim|evidence|release`
//! processes against one database while the harness SIGKILLs calls at random points. After
//! every kill the file must pass `integrity_check` and `foreign_key_check`, every call that
//! reported success must be there, and no call may be half-written (the kernel's
//! whole-database invariants: each call's lease, attempt, event and audit rows come together
//! or not at all).
//!
//! `cargo test` runs a real but small number of kills (`MOTUS_CRASH_KILLS`, default 24);
//! `scripts/crash-harness` runs the full 200 on a release build. `MOTUS_CRASH_SEED` replays
//! a run.

use motus_core::kernel::invariants;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{Clock, Connection, ConnectionExt, Timestamp};
use motus_tests::motus_bin;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WRITERS: usize = 4;

/// A small xorshift generator: the harness needs no crate for randomness.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A call that printed success (exit 0 and its JSON), so must be in the database.
#[derive(Debug, Clone)]
enum Reported {
    Claim { lease_id: String, work_id: String },
    Evidence { evidence_id: String },
    Release { lease_id: String },
}

#[derive(Default)]
struct Tally {
    kills: AtomicU64,
    calls: AtomicU64,
    successes: AtomicU64,
    checks: AtomicU64,
    refused: AtomicU64,
    /// Killed claims whose transaction had committed / had not, found after the kill.
    killed_claims_committed: AtomicU64,
    killed_claims_not_committed: AtomicU64,
}

struct Harness {
    home: PathBuf,
    db: PathBuf,
    reported: Mutex<Vec<Reported>>,
    refusals: Mutex<Vec<String>>,
    tally: Tally,
    kills_wanted: u64,
    /// Serialises the after-kill checks so their figures are per kill.
    check_lock: Mutex<()>,
    typical_call: Duration,
    /// The last successful claim / evidence / release duration (µs), to aim kills at the
    /// moment a call does its database work.
    last_call_us: Mutex<[u64; 3]>,
}

fn kind_index(args: &[&str]) -> Option<usize> {
    match args.get(1) {
        Some(&"claim") => Some(0),
        Some(&"evidence") => Some(1),
        Some(&"release") => Some(2),
        _ => None,
    }
}

struct SystemNow;
impl Clock for SystemNow {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64,
        )
    }
}

enum Run {
    Finished(Option<serde_json::Value>),
    Killed,
}

impl Harness {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(motus_bin());
        c.args(["--db", self.db.to_str().unwrap(), "--json"])
            .args(args)
            .env("HOME", &self.home)
            .env("MC_AGENT_ID", "crash-harness")
            .env_remove("MOTUS_DATABASE__PATH")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Runs one call; with `kill_after`, SIGKILLs it at that point if it is still running.
    fn call(&self, args: &[&str], kill_after: Option<Duration>) -> Run {
        self.tally.calls.fetch_add(1, Ordering::Relaxed);
        let spawned = Instant::now();
        let mut child = self.command(args).spawn().expect("spawn motus");
        if let Some(delay) = kill_after {
            let started = Instant::now();
            while child.try_wait().unwrap().is_none() {
                if started.elapsed() >= delay {
                    child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        let out = child.wait_with_output().unwrap();
        {
            use std::os::unix::process::ExitStatusExt;
            // (A call that finished just before the kill reached it counts as finished.)
            if out.status.signal() == Some(9) {
                self.tally.kills.fetch_add(1, Ordering::Relaxed);
                return Run::Killed;
            }
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked"),
            "motus {args:?} panicked: {stderr}"
        );
        if out.status.success() {
            if let Some(k) = kind_index(args) {
                self.last_call_us.lock().unwrap()[k] = spawned.elapsed().as_micros() as u64;
            }
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("motus {args:?}: exit 0 without JSON ({e}): {stderr}"));
            Run::Finished(Some(doc))
        } else {
            // A refusal (busy past the wait, a lease another writer's killed call left
            // behind, …) is a reported failure, not a crash: it must have written nothing,
            // which the invariants check.
            self.tally.refused.fetch_add(1, Ordering::Relaxed);
            let mut seen = self.refusals.lock().unwrap();
            if seen.len() < 5 {
                let reason = serde_json::from_slice::<serde_json::Value>(&out.stdout)
                    .map(|d| format!("{} {}", d["reason_code"], d["message"]))
                    .unwrap_or_default();
                seen.push(format!(
                    "motus {}: {reason} {}",
                    args.join(" "),
                    stderr.trim()
                ));
            }
            Run::Finished(None)
        }
    }

    fn record(&self, r: Reported) {
        self.tally.successes.fetch_add(1, Ordering::Relaxed);
        self.reported.lock().unwrap().push(r);
    }

    fn done(&self) -> bool {
        self.tally.kills.load(Ordering::Relaxed) >= self.kills_wanted
    }

    /// The live lease on `task`, if a claim of it committed (found with `motus work list`).
    fn live_lease(&self, task: &str) -> Option<String> {
        let Run::Finished(Some(doc)) = self.call(&["work", "list"], None) else {
            panic!("motus work list failed");
        };
        doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["work_id"] == task)
            .map(|l| l["lease_id"].as_str().unwrap().to_string())
    }

    /// One writer: claim → evidence → release on a new ad hoc task, again and again, each
    /// call possibly killed at a random point. After a kill the writer picks the task up
    /// where the database says it is, so every task is finished in the end (and the ad hoc
    /// phase never fills up with abandoned items).
    fn writer(&self, w: usize, seed: u64) {
        let mut rng = Rng(seed | 1);
        let mut n = 0;
        while !self.done() {
            n += 1;
            let task = format!("ADHOC-CRASH-{w}-{n}");
            let kill = |rng: &mut Rng, kind: usize| {
                // About one call in four is killed: a third of those anywhere from spawn to
                // a little past the typical call's end, a third in its last stretch, and a
                // third aimed at the last 15% of the previous call of the same kind, where it
                // does its database work and commits.
                (rng.below(4) == 0).then(|| {
                    let t = self.typical_call.as_micros() as u64;
                    let last = self.last_call_us.lock().unwrap()[kind];
                    let at = match rng.below(3) {
                        0 => rng.below(t * 5 / 4),
                        1 => t * 6 / 10 + rng.below(t / 2),
                        _ => last * 85 / 100 + rng.below(last * 17 / 100),
                    };
                    Duration::from_micros(at)
                })
            };
            let mut resumed = false;
            loop {
                let lease_id = match if resumed {
                    self.live_lease(&task)
                } else {
                    None
                } {
                    Some(id) => id,
                    None => {
                        let claim = self.call(
                            &["work", "claim", &task, "--intent", "crash"],
                            kill(&mut rng, 0),
                        );
                        match claim {
                            Run::Finished(Some(doc)) => {
                                let lease_id =
                                    doc["lease_id"].as_str().expect("lease_id").to_string();
                                self.record(Reported::Claim {
                                    lease_id: lease_id.clone(),
                                    work_id: task.clone(),
                                });
                                lease_id
                            }
                            Run::Killed => {
                                self.check();
                                self.classify_killed_claim(&task);
                                resumed = true;
                                continue;
                            }
                            // Refused: a killed release had completed the task already.
                            Run::Finished(None) => break,
                        }
                    }
                };
                let ev = self.call(
                    &[
                        "work",
                        "evidence",
                        &lease_id,
                        "test_result",
                        "--passed",
                        "1",
                    ],
                    kill(&mut rng, 1),
                );
                match ev {
                    Run::Finished(Some(doc)) => self.record(Reported::Evidence {
                        evidence_id: doc["evidence_id"]
                            .as_str()
                            .unwrap_or_else(|| panic!("evidence_id in {doc}"))
                            .to_string(),
                    }),
                    Run::Killed => {
                        self.check();
                        resumed = true;
                        continue;
                    }
                    Run::Finished(None) => break,
                }
                let rel = self.call(
                    &["work", "release", &lease_id, "success"],
                    kill(&mut rng, 2),
                );
                match rel {
                    Run::Finished(Some(_)) => {
                        self.record(Reported::Release { lease_id });
                        break;
                    }
                    Run::Killed => {
                        self.check();
                        resumed = true;
                    }
                    Run::Finished(None) => break,
                }
            }
        }
    }

    /// Whether a killed claim had committed (all its rows) or not (none): both must occur
    /// for the kills to be landing on both sides of the commit.
    fn classify_killed_claim(&self, task: &str) {
        let conn = SqliteConnection::open(self.db.to_str().unwrap(), OpenMode::ReadOnly).unwrap();
        let attempts: i64 = conn
            .query_one(
                "SELECT count(*) FROM attempts WHERE work_id = ?1",
                motus_core::params![task],
            )
            .unwrap();
        let counter = if attempts > 0 {
            &self.tally.killed_claims_committed
        } else {
            &self.tally.killed_claims_not_committed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The checks after a kill, on a read snapshot taken after copying the reported list.
    fn check(&self) {
        let _one_at_a_time = self.check_lock.lock().unwrap();
        let reported = self.reported.lock().unwrap().clone();
        let conn = SqliteConnection::open(self.db.to_str().unwrap(), OpenMode::ReadOnly)
            .expect("the database opens after a kill");
        motus_core::read_tx(&conn, |c| {
            let integrity = motus_core::file_tools::doctor::integrity(c)?;
            assert_eq!(integrity.message, "integrity_check: ok", "{:?}", integrity.details);
            let fk = c.query("PRAGMA foreign_key_check", &[])?;
            assert!(fk.is_empty(), "foreign_key_check: {:?}", fk.to_json_objects());
            let problems = invariants::check(c, SystemNow.now())?;
            assert!(problems.is_empty(), "half-written calls: {problems:#?}");
            let mut lost = Vec::new();
            for r in &reported {
                let present = match r {
                    Reported::Claim { lease_id, work_id } => c
                        .query_scalar::<i64>(
                            "SELECT 1 FROM coordination_leases l JOIN attempts a ON a.id = l.attempt_id \
                             WHERE l.lease_id = ?1 AND a.work_id = ?2",
                            motus_core::params![lease_id.as_str(), work_id.as_str()],
                        )?
                        .is_some(),
                    Reported::Evidence { evidence_id } => c
                        .query_scalar::<i64>(
                            "SELECT 1 FROM evidence WHERE id = ?1",
                            motus_core::params![evidence_id.as_str()],
                        )?
                        .is_some(),
                    Reported::Release { lease_id } => c
                        .query_scalar::<i64>(
                            "SELECT 1 FROM coordination_leases WHERE lease_id = ?1 AND status = 'released'",
                            motus_core::params![lease_id.as_str()],
                        )?
                        .is_some(),
                };
                if !present {
                    lost.push(r.clone());
                }
            }
            assert!(lost.is_empty(), "calls that reported success are missing: {lost:#?}");
            Ok(())
        })
        .unwrap();
        self.tally.checks.fetch_add(1, Ordering::Relaxed);
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} must be a number, not {v}"))
        })
        .unwrap_or(default)
}

fn typical_call_duration(home: &Path, db: &Path) -> Duration {
    let started = Instant::now();
    for i in 0..3 {
        let out = Command::new(motus_bin())
            .args(["--db", db.to_str().unwrap(), "--json", "work", "claim"])
            .arg(format!("ADHOC-WARMUP-{i}"))
            .env("HOME", home)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    started.elapsed() / 3
}

#[test]
fn sigkilled_writers_never_lose_or_half_write_a_call() {
    let kills = env_u64("MOTUS_CRASH_KILLS", 24);
    let seed = env_u64(
        "MOTUS_CRASH_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    );
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("crash.db");
    let init = Command::new(motus_bin())
        .args(["--db", db.to_str().unwrap(), "db", "init"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(init.status.success());
    let typical = typical_call_duration(home.path(), &db);
    let h = Arc::new(Harness {
        home: home.path().to_path_buf(),
        db: db.clone(),
        reported: Mutex::new(Vec::new()),
        refusals: Mutex::new(Vec::new()),
        tally: Tally::default(),
        kills_wanted: kills,
        check_lock: Mutex::new(()),
        typical_call: typical,
        last_call_us: Mutex::new([typical.as_micros() as u64; 3]),
    });
    let started = Instant::now();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let h = h.clone();
            let s = seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(w as u64);
            std::thread::spawn(move || h.writer(w, s))
        })
        .collect();
    for w in writers {
        w.join().expect("a writer failed a check");
    }
    // A last check once everyone stopped, plus doctor on the real binary.
    h.check();
    let conn = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadOnly).unwrap();
    let (tasks, unfinished): (i64, i64) = conn
        .inner()
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE status_key != 'completed') FROM roadmap_items WHERE id LIKE 'ADHOC-CRASH-%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(conn);
    assert_eq!(
        unfinished, 0,
        "every task is finished despite the kills ({tasks} tasks)"
    );
    let doctor = Command::new(motus_bin())
        .args(["--db", db.to_str().unwrap(), "--json", "doctor"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap();
    assert_eq!(doc["summary"]["failed"], 0, "{doc}");
    let t = &h.tally;
    for r in h.refusals.lock().unwrap().iter() {
        eprintln!("crash harness: a refused call: {r}");
    }
    eprintln!(
        "crash harness: seed {seed}, {} writers, {} kills survived, {} calls ({} reported success, all present; {} refused), {} after-kill checks passed, 0 lost, 0 half-written, {tasks} tasks all completed; killed claims found committed {} / not committed {}; typical call {:?}, {:.1}s",
        WRITERS,
        t.kills.load(Ordering::Relaxed),
        t.calls.load(Ordering::Relaxed),
        t.successes.load(Ordering::Relaxed),
        t.refused.load(Ordering::Relaxed),
        t.checks.load(Ordering::Relaxed),
        t.killed_claims_committed.load(Ordering::Relaxed),
        t.killed_claims_not_committed.load(Ordering::Relaxed),
        typical,
        started.elapsed().as_secs_f64()
    );
    assert!(t.kills.load(Ordering::Relaxed) >= kills);
    assert!(
        t.successes.load(Ordering::Relaxed) > 0,
        "some calls must succeed"
    );
}
