//! N real `motus` processes call `work claim --next` at once, round after round, over a
//! roadmap with a different number of ready items each round (fewer than, as many as, and
//! more than the processes): every ready item is granted to exactly one process, the first
//! ones by rank first, and a process is refused only when no ready item was left for it.

use super::{assert_database_sound, env_usize};
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{params, Connection, ConnectionExt};
use motus_tests::motus_bin;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};

#[test]
fn racing_claim_next_grants_every_ready_item_exactly_once() {
    let procs = env_usize("MOTUS_RACE_PROCS", 8);
    let rounds = env_usize("MOTUS_RACE_NEXT_ROUNDS", 22);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("race-next.db");
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
    let conn = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadWrite).unwrap();
    // One item that is not ready (its prerequisite is unfinished) must never be handed out,
    // though it ranks first.
    let held = "HELD";
    conn.execute(
        "INSERT INTO roadmap_items (id, phase_key, title, status_key, rank) \
         VALUES ('HELD', 'phase_b', 'held', 'pending', -1), ('HELD-PRE', 'phase_b', 'pre', 'blocked', NULL)",
        params![],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) \
         VALUES ('HELD', 'HELD-PRE', 'blocks')",
        params![],
    )
    .unwrap();
    let (mut grants, mut refusals) = (0usize, 0usize);
    let mut queue: Vec<(f64, String)> = Vec::new();
    for round in 0..rounds {
        // 0 .. procs + 2 ready items: short, exact and long rounds. Ranks are shuffled so
        // the rank order, not the insert order, decides. Items of earlier rounds are done.
        let added = round % (procs + 3);
        for i in 0..added {
            let id = format!("R{round:03}-{i:02}");
            let rank = ((i * 7) % added) as f64 + round as f64 * 10.0;
            conn.execute(
                "INSERT INTO roadmap_items (id, phase_key, title, status_key, rank) \
                 VALUES (?1, 'phase_a', ?1, 'pending', ?2)",
                params![id.as_str(), rank],
            )
            .unwrap();
            queue.push((rank, id));
        }
        // The model: ready items by rank, then id; this round takes the first `procs`.
        queue.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let ready = queue.len();
        let want: BTreeSet<String> = queue.drain(..ready.min(procs)).map(|(_, id)| id).collect();
        let children: Vec<_> = (0..procs)
            .map(|p| {
                motus(&[
                    "--json",
                    "work",
                    "claim",
                    "--next",
                    "--agent",
                    &format!("racer-{p}"),
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
            })
            .collect();
        let mut got = BTreeSet::new();
        let mut leases = Vec::new();
        let mut refused = 0;
        for child in children {
            let out = child.wait_with_output().unwrap();
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                panic!(
                    "round {round}: not JSON ({e}): {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            });
            match doc["reason_code"].as_str() {
                Some("GRANTED_OK") => {
                    assert_eq!(out.status.code(), Some(0));
                    let id = doc["work_id"].as_str().unwrap().to_string();
                    assert!(got.insert(id.clone()), "round {round}: {id} granted twice");
                    leases.push(doc["lease_id"].as_str().unwrap().to_string());
                }
                Some("DENY_NO_READY_WORK") => {
                    assert_eq!(out.status.code(), Some(1), "{doc}");
                    refused += 1;
                }
                _ => panic!("round {round}: unexpected answer {doc}"),
            }
        }
        // The first ready items by rank went to one process each, nothing else was handed
        // out, and a process was refused only when there were more processes than items.
        assert_eq!(got, want, "round {round}");
        assert_eq!(refused, procs.saturating_sub(ready), "round {round}");
        let in_progress: i64 = conn
            .query_one(
                "SELECT count(*) FROM roadmap_items WHERE status_key = 'in_progress'",
                params![],
            )
            .unwrap();
        assert_eq!(in_progress as usize, want.len(), "round {round}");
        let held_status: String = conn
            .query_one(
                "SELECT status_key FROM roadmap_items WHERE id = ?1",
                params![held],
            )
            .unwrap();
        assert_eq!(held_status, "pending", "round {round}");
        grants += got.len();
        refusals += refused;
        // Finish this round's work so the next round starts from its own items only.
        for lease in &leases {
            let ev = motus(&["work", "evidence", lease, "test_result", "--passed", "1"])
                .output()
                .unwrap();
            assert!(
                ev.status.success(),
                "{}",
                String::from_utf8_lossy(&ev.stderr)
            );
            let rel = motus(&["work", "release", lease, "success"])
                .output()
                .unwrap();
            assert!(
                rel.status.success(),
                "{}",
                String::from_utf8_lossy(&rel.stderr)
            );
        }
    }
    assert!(
        grants > 0 && refusals > 0,
        "{grants} grants, {refusals} refusals"
    );
    drop(conn);
    assert_database_sound(&db);
}
