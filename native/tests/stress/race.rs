//! N real `motus` processes claim the same resource at once, round after round: exactly one
//! is granted each round, the rest are told BUSY, and the file never holds two open
//! attempts or two live leases for it.

use super::{assert_database_sound, env_usize};
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{params, ConnectionExt};
use motus_tests::motus_bin;
use std::process::{Command, Stdio};

#[test]
fn racing_processes_get_exactly_one_grant_per_round() {
    let procs = env_usize("MOTUS_RACE_PROCS", 8);
    let rounds = env_usize("MOTUS_RACE_ROUNDS", 50);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("race.db");
    let motus = |args: &[&str]| {
        let mut c = Command::new(motus_bin());
        c.arg("--db")
            .arg(&db)
            .args(args)
            .env("HOME", dir.path())
            .env_remove("MC_AGENT_ID");
        c
    };
    assert!(motus(&["db", "init"]).output().unwrap().status.success());
    let check = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadOnly).unwrap();
    for round in 0..rounds {
        let children: Vec<_> = (0..procs)
            .map(|p| {
                motus(&[
                    "--json",
                    "work",
                    "claim",
                    "ADHOC-RACE",
                    "--intent",
                    "race",
                    "--agent",
                    &format!("racer-{p}"),
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
            })
            .collect();
        let mut granted = vec![];
        for child in children {
            let out = child.wait_with_output().unwrap();
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                panic!(
                    "round {round}: not JSON ({e}): {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            });
            match doc["decision"].as_str() {
                Some("GRANTED") => {
                    assert_eq!(out.status.code(), Some(0));
                    granted.push(doc["lease_id"].as_str().unwrap().to_string());
                }
                Some("BUSY") => assert_eq!(out.status.code(), Some(1), "{doc}"),
                _ => panic!("round {round}: unexpected answer {doc}"),
            }
        }
        assert_eq!(granted.len(), 1, "round {round}: {granted:?}");
        let open: i64 = check
            .query_one(
                "SELECT count(*) FROM attempts WHERE work_id = 'ADHOC-RACE' AND ended_at IS NULL",
                params![],
            )
            .unwrap();
        let live: i64 = check
            .query_one(
                "SELECT count(*) FROM coordination_leases WHERE status = 'active'",
                params![],
            )
            .unwrap();
        assert_eq!((open, live), (1, 1), "round {round}");
        let outcome = if round % 2 == 0 { "success" } else { "failure" };
        if outcome == "success" {
            // A successful release needs evidence (an unrecorded success is refused).
            let ev = motus(&[
                "work",
                "evidence",
                &granted[0],
                "test_result",
                "--passed",
                "1",
            ])
            .output()
            .unwrap();
            assert!(
                ev.status.success(),
                "{}",
                String::from_utf8_lossy(&ev.stderr)
            );
        }
        let rel = motus(&["work", "release", &granted[0], outcome])
            .output()
            .unwrap();
        assert!(
            rel.status.success(),
            "{}",
            String::from_utf8_lossy(&rel.stderr)
        );
    }
    let leases: i64 = check
        .query_one("SELECT count(*) FROM coordination_leases", params![])
        .unwrap();
    assert_eq!(leases as usize, rounds);
    drop(check);
    assert_database_sound(&db);
}
