//! The original's contract where the first rebuild dropped it: the lens keys of `work
//! context`, `roadmap status ID`, `roadmap my-work`, `work list --agent`, `roadmap ready
//! --phase/--assignee`, and lease ids of another shape that a database holds.

use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{params, Connection};
use motus_tests::{motus_bin, stdout_json};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

struct Home {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        Home { dir, db }
    }
    /// `motus --db DB --json ARGS` as `agent` (MC_AGENT_ID); (exit code, document).
    fn as_agent(&self, agent: &str, args: &[&str]) -> (i32, Value) {
        let out = Command::new(motus_bin())
            .arg("--db")
            .arg(&self.db)
            .arg("--json")
            .args(args)
            .env("HOME", self.dir.path())
            .env("MC_AGENT_ID", agent)
            .env_remove("MOTUS_DATABASE__PATH")
            .env_remove("MC_AGENT_ROLE")
            .output()
            .unwrap();
        (out.status.code().unwrap(), stdout_json(&out))
    }
    fn ok(&self, agent: &str, args: &[&str]) -> Value {
        let (code, doc) = self.as_agent(agent, args);
        assert_eq!(code, 0, "{args:?}: {doc}");
        doc
    }
    fn add(&self, id: &str, phase: &str, rank: &str) {
        self.ok(
            "user",
            &[
                "roadmap", "add", id, "--id", id, "--phase", phase, "--rank", rank,
            ],
        );
    }
}

fn ids(doc: &Value) -> Vec<String> {
    doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn context_carries_the_original_lens_keys() {
    let h = Home::new();
    h.add("LENS", "phase_a", "1");
    let first = h.ok("alice", &["work", "claim", "LENS"])["lease_id"]
        .as_str()
        .unwrap()
        .to_string();
    h.ok(
        "alice",
        &["work", "evidence", &first, "log", "--log", "tried"],
    );
    h.ok("alice", &["work", "release", &first, "failure"]);
    let lease = h.ok("bob", &["work", "claim", "LENS"])["lease_id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = h.ok("bob", &["work", "context", &lease]);
    let lens = &a["lens"];
    assert_eq!(lens["cache_state_hash"], "e3b0c44298fc1c14", "{lens}");
    assert_eq!(lens["tool_guidance"], serde_json::json!([]));
    assert_eq!(lens["policy_version"], "v1.0.0");
    assert!(
        lens["assembled_at"].as_str().unwrap().ends_with('Z'),
        "{lens}"
    );
    let recent = lens["recent_outcomes"].as_array().unwrap();
    assert_eq!(recent.len(), 1, "alice's attempt: {lens}");
    assert_eq!(recent[0]["agent_id"], "alice");
    assert_eq!(recent[0]["outcome"], "failed");
    // The time is not content: the same context hashes the same.
    let again = h.ok("bob", &["work", "context", &lease]);
    assert_eq!(again["lens"]["lens_hash"], lens["lens_hash"]);
    // The stub lens of a refusal has the keys too.
    let (code, none) = h.as_agent("bob", &["work", "context", "lease-20260101-00000000"]);
    assert_eq!(code, 1);
    assert_eq!(none["lens"]["cache_state_hash"], "");
}

#[test]
fn roadmap_status_and_my_work_answer_for_the_caller() {
    let h = Home::new();
    h.add("BASE", "phase_a", "1");
    h.add("TOP", "phase_a", "2");
    h.add("MINE", "phase_b", "3");
    h.add("HELD", "phase_b", "0.5");
    h.ok("user", &["roadmap", "dep", "add", "TOP", "BASE"]);
    h.ok("user", &["roadmap", "assign", "MINE", "alice"]);
    h.ok("user", &["roadmap", "assign", "BASE", "bob"]);
    let s = h.ok("alice", &["roadmap", "status", "TOP"]);
    assert_eq!(
        (s["message"].as_str(), s["is_blocked"].as_bool()),
        (Some("Blocked by 1 prerequisites"), Some(true)),
        "{s}"
    );
    assert_eq!(s["blockers"][0], "BASE: BASE (pending)");
    assert_eq!(
        h.ok("alice", &["roadmap", "status", "MINE"])["message"],
        "Assigned to you and ready"
    );
    assert_eq!(
        h.ok("alice", &["roadmap", "status", "BASE"])["message"],
        "Assigned to bob"
    );
    let lease = h.ok("alice", &["work", "claim", "HELD"])["lease_id"]
        .as_str()
        .unwrap()
        .to_string();
    let held = h.ok("carol", &["roadmap", "status", "HELD"]);
    assert_eq!(
        (held["message"].as_str(), held["lease_id"].as_str()),
        (Some("Being worked on by alice"), Some(lease.as_str()))
    );
    let (code, missing) = h.as_agent("alice", &["roadmap", "status", "NOPE"]);
    assert_eq!(
        (code, missing["error"]["code"].as_str()),
        (1, Some("not_found"))
    );

    // My work: assigned (MINE) and held by a lease (HELD), by rank; not bob's.
    let mine = h.ok("alice", &["roadmap", "my-work"]);
    assert_eq!(ids(&mine), ["HELD", "MINE"], "{mine}");
    assert_eq!(mine["items"][0]["lease_id"], lease.as_str());
    assert_eq!(mine["items"][1]["role"], "implementer");
    assert_eq!(
        ids(&h.ok("alice", &["roadmap", "my-work", "--agent", "bob"])),
        ["BASE"]
    );
    assert_eq!(h.ok("dave", &["roadmap", "my-work"])["count"], 0);
}

#[test]
fn list_and_ready_filter_by_agent_phase_and_assignee() {
    let h = Home::new();
    h.add("A1", "phase_a", "1");
    h.add("A2", "phase_a", "2");
    h.add("B1", "phase_b", "3");
    h.ok("user", &["roadmap", "assign", "A2", "alice"]);
    h.ok("user", &["roadmap", "assign", "B1", "alice"]);
    assert_eq!(
        ids(&h.ok("u", &["roadmap", "ready", "--phase", "phase_a"])),
        ["A1", "A2"]
    );
    assert_eq!(
        ids(&h.ok("u", &["roadmap", "ready", "--assignee", "alice"])),
        ["A2", "B1"]
    );
    assert_eq!(
        ids(&h.ok(
            "u",
            &[
                "roadmap",
                "ready",
                "--assignee",
                "alice",
                "--phase",
                "phase_b"
            ]
        )),
        ["B1"]
    );
    assert_eq!(
        ids(&h.ok(
            "u",
            &["roadmap", "ready", "--assignee", "alice", "--limit", "1"]
        )),
        ["A2"]
    );
    let (code, bad) = h.as_agent("u", &["roadmap", "ready", "--phase", "phase_z"]);
    assert_eq!(
        (code, bad["error"]["code"].as_str()),
        (2, Some("invalid_input"))
    );

    h.ok("alice", &["work", "claim", "ADHOC-L1"]);
    h.ok("bob", &["work", "claim", "ADHOC-L2"]);
    let listed = h.ok("u", &["work", "list", "--agent", "bob"]);
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["items"][0]["agent_id"], "bob");
    assert_eq!(h.ok("u", &["work", "list"])["count"], 2);
    assert_eq!(h.ok("u", &["work", "list", "--agent", "carol"])["count"], 0);
}

/// A lease id of another shape (another tool's, an older build's) is usable when the database
/// holds it; an id that is malformed and names no lease is still a usage error.
#[test]
fn a_lease_id_the_database_holds_is_usable_whatever_its_shape() {
    let h = Home::new();
    let lease = h.ok("alice", &["work", "claim", "ADHOC-ODD"])["lease_id"]
        .as_str()
        .unwrap()
        .to_string();
    {
        let c = SqliteConnection::open(h.db.to_str().unwrap(), OpenMode::ReadWrite).unwrap();
        // As another tool wrote it: the lease and its events renamed together.
        c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        for table in ["coordination_leases", "events"] {
            c.execute(
                &format!("UPDATE {table} SET lease_id = 'L-legacy_42' WHERE lease_id = ?1"),
                params![lease.as_str()],
            )
            .unwrap();
        }
    }
    let odd = "L-legacy_42";
    let listed = h.ok("u", &["work", "list"]);
    assert_eq!(listed["items"][0]["lease_id"], odd);
    assert_eq!(
        h.ok("alice", &["work", "status", odd])["lease"]["status"],
        "active"
    );
    h.ok("alice", &["work", "heartbeat", odd]);
    h.ok("alice", &["work", "context", odd]);
    h.ok("alice", &["work", "evidence", odd, "log", "--log", "ok"]);
    assert_eq!(h.ok("u", &["work", "verify", odd])["checked"], 1);
    h.ok("alice", &["work", "release", odd, "success"]);
    let (code, doc) = h.as_agent("alice", &["work", "status", "not-a-lease"]);
    assert_eq!(
        (code, doc["error"]["code"].as_str()),
        (2, Some("invalid_input")),
        "{doc}"
    );
}
