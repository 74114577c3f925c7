//! `motus work …` end to end: the real binary on a real database file. Every reason code the
//! kernel has is produced here through the CLI, with its exit code and JSON shape.

use motus_core::kernel::ReasonCode;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{params, Connection, ConnectionExt};
use motus_tests::{motus_bin, stdout_json};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary home with its own database file.
struct Home {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("coordination.db");
        Home { dir, db }
    }
    fn run_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(motus_bin());
        cmd.arg("--db").arg(&self.db).args(args);
        cmd.env("HOME", self.dir.path())
            .env_remove("MOTUS_DATABASE__PATH")
            .env_remove("MC_AGENT_ID")
            .env_remove("MC_AGENT_ROLE")
            .env_remove("MC_ROLE");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().expect("run motus")
    }
    /// Runs `motus --json work …`; returns (exit code, JSON document).
    fn work(&self, args: &[&str]) -> (i32, Value) {
        self.work_env(args, &[])
    }
    fn work_env(&self, args: &[&str], envs: &[(&str, &str)]) -> (i32, Value) {
        let mut full = vec!["--json", "work"];
        full.extend_from_slice(args);
        let out = self.run_env(&full, envs);
        (out.status.code().unwrap(), stdout_json(&out))
    }
    fn claim(&self, task: &str, agent: &str) -> String {
        let (code, doc) = self.work(&["claim", task, "--intent", "test", "--agent", agent]);
        assert_eq!(code, 0, "{doc}");
        doc["lease_id"].as_str().unwrap().to_string()
    }
    fn conn(&self) -> SqliteConnection {
        SqliteConnection::open(self.db.to_str().unwrap(), OpenMode::ReadWrite).unwrap()
    }
}

/// Asserts a verdict document: code, decision, exit code, and the contract's keys.
fn assert_verdict(
    seen: &mut BTreeSet<String>,
    (code, doc): (i32, Value),
    want: ReasonCode,
    keys: &[&str],
) -> Value {
    assert_eq!(doc["reason_code"], want.as_str(), "{doc}");
    assert_eq!(doc["decision"], want.verdict().as_str(), "{doc}");
    assert_eq!(doc["message"], want.human_message(), "{doc}");
    let granted = want.verdict() == motus_core::kernel::Verdict::Granted;
    assert_eq!(code, if granted { 0 } else { 1 }, "{doc}");
    for k in keys {
        assert!(doc.get(*k).is_some(), "missing key {k} in {doc}");
    }
    seen.insert(want.as_str().to_string());
    doc
}

/// Asserts a record-call document (`accepted`, the id key, `message`).
fn assert_record(
    seen: &mut BTreeSet<String>,
    (code, doc): (i32, Value),
    id_key: &str,
    want: ReasonCode,
) -> Value {
    assert_eq!(doc["reason_code"], want.as_str(), "{doc}");
    let accepted = want == ReasonCode::GrantedOk;
    assert_eq!(doc["accepted"], accepted, "{doc}");
    assert_eq!(code, if accepted { 0 } else { 1 }, "{doc}");
    assert!(
        doc.get(id_key).is_some() && doc.get("message").is_some(),
        "{doc}"
    );
    assert_eq!(doc[id_key].is_string(), accepted, "{doc}");
    seen.insert(want.as_str().to_string());
    doc
}

const CLAIM_KEYS: &[&str] = &[
    "decision",
    "reason_code",
    "lease_id",
    "message",
    "expires_at",
    "owner",
    "ttl_remaining_s",
];
const RELEASE_KEYS: &[&str] = &["decision", "reason_code", "message", "lease_status"];

#[test]
fn every_reason_code_is_reachable_through_the_cli() {
    let h = Home::new();
    let mut seen = BTreeSet::new();
    let s = &mut seen;

    // claim: granted, busy (write held, readers present, work in progress), each denial
    let doc = assert_verdict(
        s,
        h.work(&["claim", "ADHOC-A", "--intent", "x", "--agent", "alice"]),
        ReasonCode::GrantedOk,
        CLAIM_KEYS,
    );
    let lease_a = doc["lease_id"].as_str().unwrap().to_string();
    assert!(doc["expires_at"].as_str().unwrap().ends_with('Z'));
    let busy = assert_verdict(
        s,
        h.work(&["claim", "ADHOC-A", "--intent", "x", "--agent", "bob"]),
        ReasonCode::BusyWriteHeld,
        CLAIM_KEYS,
    );
    assert_eq!(busy["owner"]["agent_id"], "alice");
    assert_eq!(busy["owner"]["lease_id"], lease_a.as_str());
    assert_eq!(busy["lease_id"], Value::Null);
    assert_verdict(
        s,
        h.work(&[
            "claim",
            "ADHOC-A",
            "--intent",
            "x",
            "--agent",
            "bob",
            "-r",
            "file:src/other.rs",
        ]),
        ReasonCode::BusyWorkInProgress,
        CLAIM_KEYS,
    );
    assert_verdict(
        s,
        h.work(&[
            "claim", "ADHOC-R", "--intent", "x", "--agent", "r", "--mode", "read",
        ]),
        ReasonCode::GrantedOk,
        CLAIM_KEYS,
    );
    assert_verdict(
        s,
        h.work(&["claim", "ADHOC-R", "--intent", "x", "--agent", "w"]),
        ReasonCode::BusyReadersPresent,
        CLAIM_KEYS,
    );
    assert_verdict(
        s,
        h.work(&["claim", "TASK-001", "--intent", "x"]),
        ReasonCode::DenyInvalidWorkId,
        CLAIM_KEYS,
    );
    assert_verdict(
        s,
        h.work(&["claim", "ADHOC-B", "--intent", "x", "--agent", " "]),
        ReasonCode::DenyInvalidAgentId,
        CLAIM_KEYS,
    );
    // A ttl out of range is a usage error on the command line (exit 2, the range named, the
    // usage document under --json); the kernel's DENY_INVALID_TTL answers other front ends.
    for ttl in ["0", "604801", "-5"] {
        let (code, doc) = h.work(&["claim", "ADHOC-B", "--intent", "x", "--ttl", ttl]);
        assert_eq!(code, 2, "{doc}");
        assert_eq!(doc["error"]["code"], "usage", "{doc}");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(message.contains("1..=604800"), "{doc}");
    }
    let (code, doc) = h.work(&["heartbeat", "lease-x", "--ttl", "0"]);
    assert_eq!(
        (code, doc["error"]["code"].as_str()),
        (2, Some("usage")),
        "{doc}"
    );
    assert_verdict(
        s,
        h.work(&["claim", "ADHOC-B", "--intent", "x", "-r", "file:"]),
        ReasonCode::DenyInvalidResources,
        CLAIM_KEYS,
    );

    // records on a live lease, then context / heartbeat
    assert_record(
        s,
        h.work(&["evidence", &lease_a, "test_result", "--passed", "3"]),
        "evidence_id",
        ReasonCode::GrantedOk,
    );
    assert_record(
        s,
        h.work(&["decision", &lease_a, "go", "-r", "because", "-a", "wait"]),
        "decision_id",
        ReasonCode::GrantedOk,
    );
    assert_record(
        s,
        h.work(&[
            "outcome", &lease_a, "file", "-p", "src/a.rs", "-d", "changed",
        ]),
        "outcome_id",
        ReasonCode::GrantedOk,
    );
    let ctx = assert_verdict(
        s,
        h.work(&["context", &lease_a]),
        ReasonCode::GrantedOk,
        &["lens", "lease_status"],
    );
    assert_eq!(ctx["lens"]["evidence"].as_array().unwrap().len(), 1);
    assert_eq!(ctx["lease_status"], "active");
    let hb = assert_verdict(
        s,
        h.work(&["heartbeat", &lease_a, "--ttl", "120"]),
        ReasonCode::GrantedOk,
        &["lease_id", "expires_at"],
    );
    assert!(hb["expires_at"].is_string());

    // handoff, then release of the new lease with each outcome code
    let ho = assert_verdict(
        s,
        h.work(&["handoff", &lease_a, "bob", "--reason", "end of shift"]),
        ReasonCode::HandedOff,
        &["lease_id", "from_lease_id"],
    );
    let lease_b = ho["lease_id"].as_str().unwrap().to_string();
    // `success` needs evidence on this lease's attempt: refused, the lease stays active.
    let no_ev = assert_verdict(
        s,
        h.work(&["release", &lease_b, "success"]),
        ReasonCode::DenyEvidenceRequired,
        RELEASE_KEYS,
    );
    assert_eq!(no_ev["lease_status"], "active", "{no_ev}");
    h.work(&["evidence", &lease_b, "test_result", "--passed", "1"]);
    let rel = assert_verdict(
        s,
        h.work(&["release", &lease_b, "success"]),
        ReasonCode::ReleasedOk,
        RELEASE_KEYS,
    );
    assert_eq!(rel["lease_status"], "released");
    assert_verdict(
        s,
        h.work(&["release", &lease_b, "success"]),
        ReasonCode::ReleasedIdempotentReplay,
        RELEASE_KEYS,
    );
    let unknown = "lease-20200101-00000000";
    assert_verdict(
        s,
        h.work(&["release", unknown, "success"]),
        ReasonCode::LeaseNotFound,
        RELEASE_KEYS,
    );
    let lease_c = h.claim("ADHOC-C", "carol");
    let rb = assert_verdict(
        s,
        h.work(&["release", &lease_c, "failure"]),
        ReasonCode::ReleasedRollbackUnsupported,
        RELEASE_KEYS,
    );
    assert_eq!(rb["attempt_outcome"], "failed");

    // records and context on ended or unknown leases
    assert_record(
        s,
        h.work(&["evidence", &lease_c, "log", "--log", "late"]),
        "evidence_id",
        ReasonCode::DenyMissingLease,
    );
    assert_record(
        s,
        h.work(&["decision", unknown, "x"]),
        "decision_id",
        ReasonCode::LeaseNotFound,
    );
    assert_verdict(
        s,
        h.work(&["context", &lease_c]),
        ReasonCode::DenyMissingLease,
        &["lens", "lease_status"],
    );

    // force release: refused without the operator role, then done with it
    let lease_f = h.claim("ADHOC-F", "frank");
    assert_verdict(
        s,
        h.work(&["force-release", &lease_f, "--reason", "stuck"]),
        ReasonCode::DenyPolicy,
        &["released"],
    );
    let fr = assert_verdict(
        s,
        h.work_env(
            &[
                "force-release",
                "--resource",
                "task:ADHOC-F",
                "--reason",
                "stuck",
                "--agent",
                "ops",
            ],
            &[("MC_AGENT_ROLE", "operator")],
        ),
        ReasonCode::OverrideForceRelease,
        &["released"],
    );
    assert_eq!(fr["released"][0], lease_f.as_str());

    // blockers
    let lease_k = h.claim("ADHOC-K", "kim");
    let (code, b) = h.work(&[
        "block",
        &lease_k,
        "missing_info",
        "need the key",
        "--agent",
        "kim",
    ]);
    assert_eq!((code, b["ok"].clone()), (0, Value::Bool(true)), "{b}");
    h.work(&["release", &lease_k, "failure", "--no-rollback"]);
    assert_verdict(
        s,
        h.work(&["claim", "ADHOC-K", "--intent", "x", "--agent", "lee"]),
        ReasonCode::DenyWorkBlocked,
        CLAIM_KEYS,
    );

    // roadmap items: dependencies, completed items (set up through core on the same file)
    {
        let conn = h.conn();
        conn.execute_batch(
            "INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES ('RI-1', 'phase_a', 'one', 'pending'), ('RI-2', 'phase_a', 'two', 'pending'), ('RI-9', 'phase_a', 'done', 'completed');
             INSERT INTO roadmap_dependencies (item_id, depends_on_id) VALUES ('RI-2', 'RI-1');",
        )
        .unwrap();
    }
    let pre = assert_verdict(
        s,
        h.work(&["claim", "RI-2", "--intent", "x"]),
        ReasonCode::DenyPrereqsIncomplete,
        CLAIM_KEYS,
    );
    assert_eq!(pre["missing_prereqs"][0]["prereq_id"], "RI-1");
    assert_verdict(
        s,
        h.work(&["claim", "RI-9", "--intent", "x"]),
        ReasonCode::DenyWorkCompleted,
        CLAIM_KEYS,
    );
    // an assignment means something: another agent's claim is refused unless it overrides
    let out = h.run_env(&["--json", "roadmap", "assign", "RI-1", "alice"], &[]);
    assert!(out.status.success(), "{out:?}");
    let other = assert_verdict(
        s,
        h.work(&["claim", "RI-1", "--intent", "x", "--agent", "bob"]),
        ReasonCode::DenyAssignedToOther,
        CLAIM_KEYS,
    );
    assert_eq!(other["owner"]["agent_id"], "alice", "{other}");
    let (code, over) = h.work(&[
        "claim",
        "RI-1",
        "--intent",
        "x",
        "--agent",
        "bob",
        "--override-assignment",
    ]);
    assert_eq!(
        (code, over["reason_code"].as_str()),
        (0, Some("GRANTED_OK")),
        "{over}"
    );

    // the phase limit: 50 active ad hoc items (made directly), then one more claim
    {
        let conn = h.conn();
        let active: i64 = conn.query_one("SELECT count(*) FROM roadmap_items WHERE phase_key = 'phase_f' AND status_key NOT IN ('completed', 'deferred')", params![]).unwrap();
        for i in active..50 {
            conn.execute("INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES (?1, 'phase_f', 'filler', 'in_progress')", params![format!("ADHOC-FILL-{i}")]).unwrap();
        }
    }
    assert_verdict(
        s,
        h.work(&["claim", "ADHOC-NEW", "--intent", "x"]),
        ReasonCode::DenyPhaseFull,
        CLAIM_KEYS,
    );
    let none = assert_verdict(
        s,
        h.work(&["claim", "--next", "--phase", "phase_b"]),
        ReasonCode::DenyNoReadyWork,
        CLAIM_KEYS,
    );
    assert_eq!(none["work_id"], Value::Null);
    assert_eq!(none["skipped"], serde_json::json!([]));

    // A ttl out of range never reaches the kernel from the command line: clap refuses it
    // (exit 2, above); DENY_INVALID_TTL answers the MCP and JS front ends.
    let all: BTreeSet<String> = ReasonCode::ALL
        .iter()
        .filter(|c| **c != ReasonCode::DenyInvalidTtl)
        .map(|c| c.as_str().to_string())
        .collect();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "reason codes never produced through the CLI: {missing:?}"
    );
    let problems = motus_core::kernel::invariants::check(
        &h.conn(),
        motus_core::Timestamp::from_millis(now_ms()),
    )
    .unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn bad_input_gets_a_specific_usage_error() {
    let h = Home::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["evidence", "not-a-lease", "test_result"],
            "lease ids look like lease-",
        ),
        (
            &["evidence", "lease-20261126-0000000g", "test_result"],
            "is not a lease id",
        ),
        (
            &["evidence", "lease-20261126-00000000", "test"],
            "[possible values: test_result, build_artifact, diff, log",
        ),
        (
            &["release", "lease-20261126-00000000", "done"],
            "[possible values: success, failure, partial, aborted]",
        ),
        (&["claim", "ADHOC-X", "--intent", ""], "invalid intent"),
        (
            &["claim", "ADHOC-X", "--mode", "exclusive"],
            "[possible values: read, write]",
        ),
        (
            &[
                "decision",
                "lease-20261126-00000000",
                "x",
                "--type",
                "vibes",
            ],
            "[possible values: approval, waiver",
        ),
        (
            &[
                "outcome",
                "lease-20261126-00000000",
                "file",
                "--metadata",
                "[1]",
            ],
            "must be a JSON object",
        ),
        (
            &["block", "ADHOC-NOPE", "bored", "t"],
            "[possible values: missing_approval",
        ),
        (
            &["handoff", "lease-20261126-00000000", "bob", "--reason", " "],
            "a handoff needs a reason",
        ),
    ];
    for (args, want) in cases {
        let (code, doc) = h.work(args);
        assert_eq!(code, 2, "{args:?}: {doc}");
        assert_eq!(doc["ok"], false);
        let msg = doc["error"]["message"].as_str().unwrap();
        assert!(msg.contains(want), "{args:?}: {msg}");
    }
    // A well-formed id that does not exist is not a usage error.
    let (code, doc) = h.work(&["status", "lease-20261126-00000000"]);
    assert_eq!((code, doc["lease_status"].as_str()), (1, Some("not_found")));
}

#[test]
fn the_readme_quickstart_runs_exactly_as_written_on_a_fresh_home() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
        .unwrap();
    let block = docs
        .split("<!-- quickstart -->")
        .nth(1)
        .unwrap()
        .split("<!-- /quickstart -->")
        .next()
        .unwrap();
    // Every line of the block, as one script, exactly as a reader pastes it (`set -e`: a
    // failing line fails the test; `-u`: an unset variable too).
    let script = block
        .lines()
        .skip_while(|l| !l.starts_with("```"))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(script.contains("LEASE=$(motus work claim"), "{block}");
    assert_eq!(
        script
            .lines()
            .filter(|l| l.starts_with("motus ") || l.starts_with("LEASE="))
            .count(),
        5,
        "{script}"
    );
    let home = tempfile::tempdir().unwrap();
    let bin_dir = home.path().join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    std::os::unix::fs::symlink(motus_bin(), bin_dir.join("motus")).unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(home.path())
        .env("HOME", home.path())
        .env("PATH", &path)
        .env_remove("LEASE")
        .env_remove("MOTUS_DATABASE__PATH")
        .env_remove("MC_AGENT_ID")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let db = home.path().join(".motus/coordination.db");
    let conn = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadOnly).unwrap();
    let status: String = conn
        .query_one(
            "SELECT status_key FROM roadmap_items WHERE id = 'ADHOC-TASK-001'",
            params![],
        )
        .unwrap();
    let attempt: String = conn
        .query_one(
            "SELECT outcome FROM attempts WHERE work_id = 'ADHOC-TASK-001'",
            params![],
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), attempt.as_str()),
        ("completed", "completed")
    );
}

#[test]
fn evidence_files_are_attached_by_hash_and_verified() {
    let h = Home::new();
    let lease = h.claim("ADHOC-FILE", "a");
    let file = h.dir.path().join("report.txt");
    std::fs::write(&file, b"all green\n").unwrap();
    let (code, doc) = h.work(&[
        "evidence",
        &lease,
        "build_artifact",
        "--file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{doc}");
    let conn = h.conn();
    let (size, artifacts): (i64, String) = {
        let rows = conn
            .query("SELECT size_bytes, artifacts FROM evidence", params![])
            .unwrap();
        let r = rows.first().unwrap();
        (r.get(0).unwrap(), r.get(1).unwrap())
    };
    assert_eq!(size, 10);
    // sha256 of "all green\n"
    assert!(
        artifacts.contains("\"sha256\":\"1eef57a46547"),
        "{artifacts}"
    );
    let (code, v) = h.work(&["verify", &lease]);
    assert_eq!(
        (code, v["ok"].clone(), v["checked"].clone()),
        (0, Value::Bool(true), Value::from(1)),
        "{v}"
    );
    assert_eq!(v["evidence"][0]["file"]["status"], "ok");
    std::fs::write(&file, b"now red\n").unwrap();
    let (code, v) = h.work(&["verify", "ADHOC-FILE"]);
    assert_eq!(
        (code, v["evidence"][0]["file"]["status"].as_str()),
        (1, Some("changed")),
        "{v}"
    );
    drop(conn);
}

#[test]
fn the_agent_comes_from_mc_agent_id_and_list_shows_live_leases() {
    let h = Home::new();
    let (code, doc) = h.work_env(
        &["claim", "ADHOC-ENV", "--intent", "x"],
        &[("MC_AGENT_ID", "env-agent")],
    );
    assert_eq!(code, 0, "{doc}");
    let (_, list) = h.work(&["list"]);
    assert_eq!(list["count"], 1);
    assert_eq!(list["items"][0]["agent_id"], "env-agent");
    assert_eq!(list["items"][0]["work_id"], "ADHOC-ENV");
    let (code, cleanup) = h.work(&["cleanup"]);
    assert_eq!(
        (code, cleanup["expired_count"].clone()),
        (0, Value::from(0))
    );
    let (code, st) = h.work(&["status", doc["lease_id"].as_str().unwrap()]);
    assert_eq!((code, st["lease_status"].as_str()), (0, Some("active")));
}

#[test]
fn evidence_the_original_recorded_verifies_under_our_hash_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (path, conn) = motus_tests::upgraded_copy("motusos-0.3.3-populated.db", dir.path());
    let items: Vec<String> = conn
        .query(
            "SELECT DISTINCT work_id FROM evidence ORDER BY work_id",
            params![],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0).unwrap())
        .collect();
    let (mut ok, mut unverifiable) = (0, 0);
    for item in &items {
        for c in motus_core::kernel::verify_evidence(&conn, item).unwrap() {
            match c.status {
                "ok" => ok += 1,
                "unverifiable" => unverifiable += 1,
                other => panic!(
                    "{} of {item}: {other} ({} vs {})",
                    c.evidence_id, c.stored_sha256, c.computed_sha256
                ),
            }
        }
    }
    // 71 rows from the original's record_evidence, 200 from its scratch promotion (another rule).
    assert_eq!((ok, unverifiable), (71, 200));
    // The CLI on one of the original's leases, and its lease list read through both time formats.
    let lease: String = conn
        .query_one(
            "SELECT lease_id FROM evidence WHERE uri LIKE 'evidence:%' LIMIT 1",
            params![],
        )
        .unwrap();
    drop(conn);
    let home = Home { db: path, dir };
    let (code, v) = home.work(&["verify", &lease]);
    assert_eq!((code, v["failed"].clone()), (0, Value::from(0)), "{v}");
    let (_, list) = home.work(&["list", "--all"]);
    assert_eq!(list["count"], 60);
}

/// The content hash is the original's (it covers only the content); `verify` also checks that
/// the row is where it was recorded. Each way of moving a row is reported, never "verified".
#[test]
fn an_evidence_row_moved_to_another_agent_attempt_item_or_date_is_reported_by_verify() {
    let h = Home::new();
    let record = |lease: &str, log: &str| {
        let (code, doc) = h.work(&["evidence", lease, "log", "--log", log]);
        assert_eq!(code, 0, "{doc}");
        doc["evidence_id"].as_str().unwrap().to_string()
    };
    let alice = h.claim("ADHOC-ALICE", "alice");
    let bob = h.claim("ADHOC-BOB", "bob");
    let wholesale = record(&alice, "alice's log");
    let agent_only = record(&alice, "second");
    let date_only = record(&alice, "third");
    let item_only = record(&alice, "fourth");
    let untouched = record(&bob, "bob's log");
    let (code, v) = h.work(&["verify", &alice]);
    assert_eq!((code, v["failed"].clone()), (0, Value::from(0)), "{v}");
    assert!(v["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["context"] == "ok" && e["status"] == "ok"));

    let (bob_attempt, bob_work): (String, String) = {
        let c = h.conn();
        let rows = c
            .query(
                "SELECT attempt_id, work_id FROM evidence WHERE id = ?1",
                params![untouched.as_str()],
            )
            .unwrap();
        let r = rows.first().unwrap();
        (r.get(0).unwrap(), r.get(1).unwrap())
    };
    // Someone with the file moves rows (the rows are immutable by trigger: drop it first).
    {
        let c = h.conn();
        c.execute_batch("DROP TRIGGER evidence_no_update").unwrap();
        c.execute(
            "UPDATE evidence SET lease_id = ?1, attempt_id = ?2, work_id = ?3, created_by = 'bob' \
             WHERE id = ?4",
            params![
                bob.as_str(),
                bob_attempt.as_str(),
                bob_work.as_str(),
                wholesale.as_str()
            ],
        )
        .unwrap();
        c.execute(
            "UPDATE evidence SET created_by = 'mallory' WHERE id = ?1",
            params![agent_only.as_str()],
        )
        .unwrap();
        c.execute(
            "UPDATE evidence SET created_at = '2020-01-01 00:00:00.000' WHERE id = ?1",
            params![date_only.as_str()],
        )
        .unwrap();
        c.execute(
            "UPDATE evidence SET work_id = 'ADHOC-BOB' WHERE id = ?1",
            params![item_only.as_str()],
        )
        .unwrap();
    }
    let by_id = |v: &Value, id: &str| -> Value {
        v["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["evidence_id"] == id)
            .unwrap_or_else(|| panic!("{id} not in {v}"))
            .clone()
    };
    // Bob's lease now holds alice's row, consistent with bob's lease and attempt in every
    // column: only the digest recorded with it tells.
    let (code, v) = h.work(&["verify", &bob]);
    assert_eq!(
        (code, v["ok"].clone(), v["failed"].clone()),
        (1, Value::Bool(false), Value::from(1)),
        "{v}"
    );
    let moved = by_id(&v, &wholesale);
    assert_eq!(
        (moved["status"].as_str(), moved["context"].as_str()),
        (Some("ok"), Some("moved")),
        "{moved}"
    );
    assert_eq!(moved["ok"], false);
    assert!(
        moved["context_problems"][0]
            .as_str()
            .unwrap()
            .contains("context digest"),
        "{moved}"
    );
    assert_eq!(by_id(&v, &untouched)["context"], "ok");

    let (code, v) = h.work(&["verify", &alice]);
    assert_eq!((code, v["failed"].clone()), (1, Value::from(3)), "{v}");
    let problems = |id: &str| by_id(&v, id)["context_problems"].to_string();
    assert!(
        problems(&agent_only).contains("held by alice, the row says mallory"),
        "{v}"
    );
    assert!(problems(&date_only).contains("before lease"), "{v}");
    assert!(
        problems(&item_only).contains("is for work item ADHOC-ALICE, the row says ADHOC-BOB"),
        "{v}"
    );
    for id in [&agent_only, &date_only, &item_only] {
        assert_eq!(
            by_id(&v, id)["status"],
            "ok",
            "the content hash still matches"
        );
        assert_eq!(by_id(&v, id)["context"], "moved");
    }
    // By work item too, and in text: the two findings side by side.
    let (code, v) = h.work(&["verify", "ADHOC-BOB"]);
    assert_eq!((code, v["failed"].clone()), (1, Value::from(2)), "{v}");
    let out = h.run_env(&["work", "verify", &alice], &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "FAIL  {agent_only}  log  hash verified, context MOVED"
        )),
        "{text}"
    );
    assert!(text.contains("moved: lease"), "{text}");
}

#[test]
fn claim_next_takes_ready_items_in_rank_order_with_filters_and_says_when_none_is_left() {
    let h = Home::new();
    let add = |id: &str, phase: &str, extra: &[&str]| {
        let mut args = vec!["roadmap", "add", id, "--phase", phase, "--id", id];
        args.extend_from_slice(extra);
        let out = h.run_env(&args, &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    add("LATE", "phase_a", &["--rank", "9"]);
    add("FIRST", "phase_a", &["--rank", "1"]);
    add("GATE", "phase_b", &["--type", "gate"]);
    add("WAITS", "phase_a", &["--rank", "0"]);
    let out = h.run_env(&["roadmap", "dep", "add", "WAITS", "LATE"], &[]);
    assert!(out.status.success());

    let (code, doc) = h.work(&["claim", "--next", "--agent", "a"]);
    assert_eq!((code, doc["work_id"].as_str()), (0, Some("FIRST")), "{doc}");
    assert!(doc["lease_id"].as_str().unwrap().starts_with("lease-"));
    let (_, doc) = h.work(&["claim", "--next", "--agent", "b", "--type", "gate"]);
    assert_eq!(doc["work_id"], "GATE", "{doc}");
    let (_, doc) = h.work(&["claim", "--next", "--agent", "c", "--phase", "phase_b"]);
    assert_eq!(doc["reason_code"], "DENY_NO_READY_WORK", "{doc}");
    let (_, doc) = h.work(&["claim", "--next", "--agent", "c"]);
    assert_eq!(doc["work_id"], "LATE", "{doc}");
    // WAITS depends on LATE, which is in progress: nothing is ready now.
    let (code, doc) = h.work(&["claim", "--next", "--agent", "d"]);
    assert_eq!(
        (code, doc["reason_code"].as_str()),
        (1, Some("DENY_NO_READY_WORK"))
    );
    let status: String = h
        .conn()
        .query_one(
            "SELECT status_key FROM roadmap_items WHERE id = 'WAITS'",
            params![],
        )
        .unwrap();
    assert_eq!(status, "pending");

    // Bad combinations are usage errors (exit 2) that write nothing.
    for bad in [
        &["claim", "X", "--next"][..],
        &["claim", "--phase", "phase_a", "X"],
        &["claim", "--next", "--mode", "read"],
        &["claim", "--next", "-r", "file:a"],
    ] {
        let out = h.run_env(&[&["work"], bad].concat(), &[]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}

/// Defect found by a new user: a claim that expired an earlier lease decided on the item's
/// status read before the expiry reset it, so the item stayed `pending` (and `ready` offered
/// it) while the new holder worked on it.
#[test]
fn a_claim_after_an_expired_lease_moves_the_item_to_in_progress() {
    let h = Home::new();
    let add = h.run_env(
        &[
            "--json", "roadmap", "add", "Parser", "--phase", "phase_a", "--id", "X",
        ],
        &[],
    );
    assert!(add.status.success(), "{add:?}");
    let (code, doc) = h.work(&[
        "claim", "X", "--intent", "t", "--agent", "alice", "--ttl", "1",
    ]);
    assert_eq!(code, 0, "{doc}");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let (code, bob) = h.work(&["claim", "X", "--intent", "t", "--agent", "bob"]);
    assert_eq!(
        (code, bob["reason_code"].as_str()),
        (0, Some("GRANTED_OK")),
        "{bob}"
    );
    let show = stdout_json(&h.run_env(&["--json", "roadmap", "show", "X"], &[]));
    assert_eq!(show["item"]["status_key"], "in_progress", "{show}");
    let ready = stdout_json(&h.run_env(&["--json", "roadmap", "ready"], &[]));
    assert_eq!(ready["count"], 0, "{ready}");
    let (code, carol) = h.work(&["claim", "X", "--intent", "t", "--agent", "carol"]);
    assert_eq!(
        (code, carol["reason_code"].as_str()),
        (1, Some("BUSY_WRITE_HELD")),
        "{carol}"
    );
    assert_eq!(carol["owner"]["agent_id"], "bob", "{carol}");
    let conn = h.conn();
    let problems =
        motus_core::kernel::invariants::check(&conn, motus_core::Timestamp::from_millis(0))
            .unwrap(); // time 0: every active lease counts as live
    assert!(problems.is_empty(), "{problems:?}");
}
