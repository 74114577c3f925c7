//! The chaos harness: for each operation that copies or replaces the database (`db backup`,
//! `db restore`, `db import --replace`, `db export`, `db migrate`, `doctor --fix`,
//! `userland extract`), several writer processes (the real binary, `program add`) commit
//! acknowledged rows while the operation runs again and again, and some runs are SIGKILLed.
//! Afterwards every acknowledged row must be in the resulting database or in a kept copy of a
//! replaced one (`<db>.before-*`): 0 lost. No run may report the database corrupt (or its WAL
//! foreign) when it is not, `motus doctor` must pass at the end, and no file may be left under
//! a finished file's name by a killed run.
//!
//! Sizes: `MOTUS_CHAOS_RUNS` (operation runs per operation, default 4), `MOTUS_CHAOS_WRITERS`
//! (default 3). `scripts/chaos-harness N` runs every operation N times with the figures.

use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::Connection;
use motus_tests::{copy_fixture, motus, motus_bin};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small xorshift generator (seeded from the clock, printed) for kill delays.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[derive(Default)]
struct Tally {
    acked: Vec<String>,
    writer_failures: Vec<String>,
}

fn writer(db: PathBuf, home: PathBuf, w: usize, stop: Arc<AtomicBool>, tally: Arc<Mutex<Tally>>) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let id = format!("CHAOS-{w}-{n}");
        let title = format!("Chaos {w}-{n}");
        let out = motus(
            &home,
            &[
                "--db",
                arg(&db),
                "program",
                "add",
                &title,
                "--id",
                &id,
                "--json",
            ],
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let mut t = tally.lock().unwrap();
        if out.status.success() {
            t.acked.push(id);
        } else {
            t.writer_failures.push(format!(
                "{id}: exit {:?} {} {}",
                out.status.code(),
                doc["error"]["code"],
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
}

/// Program ids in a database file (read-only; a file that cannot be read holds none).
fn items_in(path: &Path) -> BTreeSet<String> {
    let Ok(c) = SqliteConnection::open(arg(path), OpenMode::ReadOnly) else {
        return BTreeSet::new();
    };
    c.query("SELECT id FROM programs", &[])
        .map(|rows| rows.iter().map(|r| r.value(0).to_text()).collect())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Figures {
    op: &'static str,
    runs: usize,
    kills: usize,
    commits: usize,
    lost: usize,
}

/// Runs `op` (arguments after `--db DB`) `runs` times while writers commit, killing about one
/// run in three; checks the promise and returns the figures.
fn chaos(op: &'static str, args: &[&str], setup: impl FnOnce(&Path, &Path)) -> Figures {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_path_buf();
    let db = h.join("coordination.db");
    setup(&h, &db);
    let runs = env_usize("MOTUS_CHAOS_RUNS", 4);
    let writers = env_usize("MOTUS_CHAOS_WRITERS", 3);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let (db, h, stop, tally) = (db.clone(), h.clone(), stop.clone(), tally.clone());
            std::thread::spawn(move || writer(db, h, w, stop, tally))
        })
        .collect();
    // Let the writers get going, then time one run to aim the kills.
    std::thread::sleep(Duration::from_millis(300));
    let mut typical = Duration::from_millis(400);
    let (mut kills, mut false_reports) = (0, Vec::new());
    for run in 0..runs {
        let mut full: Vec<String> = vec!["--db".into(), arg(&db).into()];
        full.extend(args.iter().map(|a| a.replace("{home}", arg(&h))));
        full.push("--json".into());
        let started = Instant::now();
        let mut child = Command::new(motus_bin())
            .args(&full)
            .env("HOME", &h)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let kill = run > 0 && rng.below(3) == 0;
        if kill {
            let delay = Duration::from_micros(rng.below(typical.as_micros() as u64 + 1));
            std::thread::sleep(delay);
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                kills += 1;
            }
        }
        let out = child.wait_with_output().unwrap();
        if !kill {
            typical = started.elapsed();
        }
        let killed = out.status.code().is_none();
        if !killed && !out.status.success() {
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            let code = doc["error"]["code"].as_str().unwrap_or("?").to_string();
            // BUSY is an honest answer under load; anything else is a false report.
            if code != "busy" {
                false_reports.push(format!(
                    "{op} run {run}: {code}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let tally = tally.lock().unwrap();
    // Where acknowledged rows may be: the database, and copies kept by replace operations.
    let mut found = items_in(&db);
    let mut places = vec![db.clone()];
    for e in std::fs::read_dir(&h).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("coordination.db.before-") && !name.ends_with("-wal") {
            found.extend(items_in(&e.path()));
            places.push(e.path());
        }
        assert!(
            !name.contains(".partial"),
            "{op}: a killed run left {name} under a finished-looking name"
        );
    }
    let lost: Vec<_> = tally.acked.iter().filter(|l| !found.contains(*l)).collect();
    let doctor = motus(&h, &["--db", arg(&db), "doctor", "--json"]);
    let doctor_doc: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap_or_default();
    // The checks that did not pass, by name and message (a warning is allowed, and said).
    let not_passed: Vec<String> = doctor_doc["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["status"] != "pass")
        .map(|c| format!("{} {}: {}", c["status"], c["name"], c["message"]))
        .collect();
    eprintln!(
        "chaos {op}: seed {seed}, {writers} writers, {} commits acknowledged, {runs} runs, {kills} killed, {} lost, {} false reports, {} writer failures, doctor {}{}",
        tally.acked.len(),
        lost.len(),
        false_reports.len(),
        tally.writer_failures.len(),
        doctor_doc["status"],
        if not_passed.is_empty() { String::new() } else { format!(" ({})", not_passed.join("; ")) }
    );
    assert!(false_reports.is_empty(), "{op}: {false_reports:#?}");
    assert!(
        tally.writer_failures.is_empty(),
        "{op}: writers failed: {:#?}",
        &tally.writer_failures[..tally.writer_failures.len().min(3)]
    );
    assert!(
        lost.is_empty(),
        "{op}: {} acknowledged commit(s) lost (in none of {places:?}): {lost:?}",
        lost.len()
    );
    assert!(false_reports.is_empty(), "{op}: {false_reports:#?}");
    assert!(
        tally.writer_failures.is_empty(),
        "{op}: writers failed: {:#?}",
        tally.writer_failures
    );
    assert!(
        doctor.status.success(),
        "{op}: doctor afterwards: {doctor_doc:#}"
    );
    assert!(
        !tally.acked.is_empty(),
        "{op}: the writers committed nothing"
    );
    Figures {
        op,
        runs,
        kills,
        commits: tally.acked.len(),
        lost: lost.len(),
    }
}

fn seeded(h: &Path, db: &Path) {
    for n in 0..3 {
        let out = motus(
            h,
            &[
                "--db",
                arg(db),
                "work",
                "claim",
                &format!("ADHOC-SEED-{n}"),
                "--json",
            ],
        );
        assert!(out.status.success());
    }
}

fn report(f: Figures) {
    println!(
        "CHAOS op={} runs={} kills={} commits={} lost={}",
        f.op, f.runs, f.kills, f.commits, f.lost
    );
}

#[test]
fn chaos_db_backup() {
    report(chaos(
        "db backup",
        &["db", "backup", "{home}/backups"],
        |h, db| {
            seeded(h, db);
            std::fs::create_dir(h.join("backups")).unwrap();
        },
    ));
}

#[test]
fn chaos_db_export() {
    report(chaos("db export", &["db", "export", "--out", "-"], seeded));
}

#[test]
fn chaos_db_restore() {
    report(chaos(
        "db restore",
        &["db", "restore", "{home}/source.db"],
        |h, db| {
            seeded(h, db);
            let src = h.join("source.db");
            let out = motus(h, &["--db", arg(db), "db", "backup", arg(&src), "--json"]);
            assert!(out.status.success(), "{out:?}");
        },
    ));
}

#[test]
fn chaos_db_import_replace() {
    report(chaos(
        "db import --replace",
        &["db", "import", "{home}/source.jsonl", "--replace"],
        |h, db| {
            seeded(h, db);
            let src = h.join("source.jsonl");
            let out = motus(
                h,
                &[
                    "--db",
                    arg(db),
                    "db",
                    "export",
                    "--out",
                    arg(&src),
                    "--json",
                ],
            );
            assert!(out.status.success(), "{out:?}");
        },
    ));
}

#[test]
fn chaos_db_migrate() {
    // An original v20 file: the first run (or the first writer) upgrades it.
    report(chaos("db migrate", &["db", "migrate"], |h, db| {
        let f = copy_fixture("motusos-0.3.3-populated.db", h);
        std::fs::rename(f, db).unwrap();
    }));
}

#[test]
fn chaos_doctor_fix() {
    report(chaos("doctor --fix", &["doctor", "--fix"], seeded));
}

#[test]
fn chaos_userland_extract() {
    report(chaos(
        "userland extract",
        &["userland", "extract"],
        |h, db| {
            let f = copy_fixture("motusos-0.3.3-populated.db", h);
            std::fs::rename(f, db).unwrap();
            let out = motus(h, &["--db", arg(db), "db", "init", "--json"]);
            assert!(out.status.success());
        },
    ));
}
