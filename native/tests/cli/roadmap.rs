//! `motus roadmap …` end to end on real database files.

use motus_tests::{motus, stdout_json};
use serde_json::Value;
use std::path::Path;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn db(&self) -> String {
        self.dir.path().join("c.db").display().to_string()
    }
    fn run(&self, args: &[&str]) -> std::process::Output {
        let db = self.db();
        let mut all = vec!["--db", db.as_str()];
        all.extend_from_slice(args);
        motus(self.dir.path(), &all)
    }
    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        list_or_doc(stdout_json(&out))
    }
    fn add(&self, id: &str, rank: &str) {
        self.json(&[
            "roadmap",
            "add",
            &format!("Item {id}"),
            "--phase",
            "phase_a",
            "--id",
            id,
            "--rank",
            rank,
            // The caller (`user` without MC_AGENT_ID) owns the items, so it may complete them.
            "--owner",
            "user",
        ]);
    }
    fn run_env(&self, args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
        let db = self.db();
        let mut cmd = std::process::Command::new(motus_tests::motus_bin());
        cmd.args(["--db", db.as_str()]).args(args);
        cmd.env("HOME", self.dir.path())
            .env_remove("MOTUS_DATABASE__PATH")
            .env_remove("MC_AGENT_ID")
            .env_remove("MC_AGENT_ROLE")
            .env_remove("MC_ROLE")
            .env_remove("MC_REVIEWER");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn add_prints_the_new_item_with_its_id() {
    let h = Home::new();
    let v = h.json(&[
        "roadmap",
        "add",
        "Write the spec",
        "--phase",
        "phase_b",
        "--type",
        "gate",
    ]);
    let id = v["id"].as_str().unwrap();
    assert!(id.starts_with("RI-"), "{id}");
    assert_eq!(v["title"], "Write the spec");
    assert_eq!(v["item_type"], "gate");
    assert_eq!(v["status_key"], "pending");
    let shown = h.json(&["roadmap", "show", id]);
    assert_eq!(shown["item"]["id"], id);
    assert_eq!(shown["ready"], true);
}

#[test]
fn ready_and_blocked_print_json_arrays_and_follow_dependencies() {
    let h = Home::new();
    h.add("A", "1");
    h.add("B", "2");
    h.add("C", "3");
    h.json(&["roadmap", "dep", "add", "A", "B"]);
    h.json(&["roadmap", "dep", "add", "B", "C", "--type", "blocks"]);
    let ready = h.json(&["roadmap", "ready"]);
    assert_eq!(ids(&ready), ["C"]);
    for key in ["id", "title", "status_key", "rank"] {
        assert!(ready[0].get(key).is_some(), "missing {key}");
    }
    let blocked = h.json(&["roadmap", "blocked"]);
    assert_eq!(ids(&blocked), ["A", "B"]);
    assert_eq!(blocked[0]["blocking_dependencies"][0], "B");
    h.json(&["roadmap", "complete", "C"]);
    assert_eq!(ids(&h.json(&["roadmap", "ready"])), ["B"]);
    // The original printed Python reprs here; ours is JSON even when empty.
    h.json(&["roadmap", "complete", "B"]);
    h.json(&["roadmap", "complete", "A"]);
    assert_eq!(h.json(&["roadmap", "ready"]), serde_json::json!([]));
}

#[test]
fn a_cycle_exits_1_and_names_the_path() {
    let h = Home::new();
    for (id, r) in [("A", "1"), ("B", "2"), ("C", "3")] {
        h.add(id, r);
    }
    h.json(&["roadmap", "dep", "add", "A", "B"]);
    h.json(&["roadmap", "dep", "add", "B", "C"]);
    let out = h.run(&["roadmap", "dep", "add", "C", "A"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Circular dependency detected: C -> A -> B -> C"),
        "{}",
        stderr(&out)
    );
    // With --json the error is a JSON document too.
    let out = h.run(&["roadmap", "dep", "add", "C", "A", "--json"]);
    let v = stdout_json(&out);
    assert_eq!(v["error"]["code"], "kernel_rule");
    // Moving an existing edge into a cycle is refused as well.
    h.add("X", "4");
    h.json(&["roadmap", "dep", "add", "C", "X", "--type", "soft"]);
    let out = h.run(&["roadmap", "dep", "move", "C", "X", "A"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("C -> A -> B -> C"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn why_names_each_blocking_dependency_and_blocker() {
    let h = Home::new();
    for (id, r) in [("A", "1"), ("B", "2"), ("C", "3")] {
        h.add(id, r);
    }
    h.json(&["roadmap", "dep", "add", "A", "B"]);
    h.json(&["roadmap", "dep", "add", "B", "C"]);
    // A kernel blocker on C, written as the kernel writes it.
    let conn = motus_core::sqlite::SqliteConnection::open(
        &h.db(),
        motus_core::sqlite::OpenMode::ReadWrite,
    )
    .unwrap();
    use motus_core::Connection;
    conn.execute(
        "INSERT INTO blockers (id, work_id, reason_code, title, created_by) VALUES ('blk-1', 'C', 'missing_credential', 'API key', 'k')",
        &[],
    )
    .unwrap();
    drop(conn);
    let w = h.json(&["roadmap", "why", "A"]);
    assert_eq!(w["ready"], false);
    let chain: Vec<&str> = w["blocking_dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(chain, ["B", "C"]);
    assert_eq!(w["roots"], serde_json::json!(["C"]));
    assert_eq!(w["blocking_dependencies"][1]["blockers"][0]["id"], "blk-1");
    let c = h.json(&["roadmap", "why", "C"]);
    assert_eq!(c["blockers"][0]["id"], "blk-1");
    assert!(ids(&h.json(&["roadmap", "ready"])).is_empty());
    let text = h.run(&["roadmap", "why", "A"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Start with: C"), "{text}");
}

/// `why` is one walk and its document grows with the chain, not its square: each node names
/// its `parent` (contract version 2) instead of carrying the whole path (version 1 printed
/// ~depth²/2 ids: 4.5 million for this chain). Sizes, not times, so no timed assertion.
#[test]
fn why_on_a_deep_chain_answers_a_document_linear_in_its_depth() {
    const DEPTH: usize = 3000;
    let h = Home::new();
    assert!(h.run(&["db", "init"]).status.success());
    {
        use motus_core::{params, write_tx, Connection};
        let conn = motus_core::sqlite::SqliteConnection::open(
            &h.db(),
            motus_core::sqlite::OpenMode::ReadWrite,
        )
        .unwrap();
        write_tx(&conn, |c| {
            for i in 0..DEPTH {
                c.execute(
                    "INSERT INTO roadmap_items (id, phase_key, title, status_key, rank, created_by) \
                     VALUES (?1, ?2, ?3, 'pending', ?4, 't')",
                    params![format!("C{i:05}"), format!("deep_{:03}", i / 40), format!("Item {i}"), i as f64],
                )?;
            }
            // Top-down, so the schema's cycle trigger finds nothing below each new edge.
            for i in 0..DEPTH - 1 {
                c.execute(
                    "INSERT INTO roadmap_dependencies (item_id, depends_on_id, dependency_type, created_by) \
                     VALUES (?1, ?2, 'blocks', 't')",
                    params![format!("C{i:05}"), format!("C{:05}", i + 1)],
                )?;
            }
            Ok(())
        })
        .unwrap();
    }
    let out = h.run(&["roadmap", "why", "C00000", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        out.stdout.len() < 400 * DEPTH,
        "{} bytes for a chain of {DEPTH}",
        out.stdout.len()
    );
    let w: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(w["contract_version"], 2);
    let nodes = w["blocking_dependencies"].as_array().unwrap();
    assert_eq!(nodes.len(), DEPTH - 1);
    assert_eq!(
        w["roots"],
        serde_json::json!([format!("C{:05}", DEPTH - 1)])
    );
    // Following parents from the root rebuilds the chain up to the item asked about.
    let parent: std::collections::HashMap<&str, &str> = nodes
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n["parent"].as_str().unwrap()))
        .collect();
    let (mut at, mut hops) = (format!("C{:05}", DEPTH - 1), 0);
    while let Some(p) = parent.get(at.as_str()) {
        at = p.to_string();
        hops += 1;
    }
    assert_eq!((at.as_str(), hops), ("C00000", DEPTH - 1));
    assert!(nodes.iter().all(|n| n.get("path").is_none()));
    assert_eq!(nodes[DEPTH - 2]["depth"], DEPTH - 1);
    // Text indents by depth only so far, then says the depth: linear too.
    let text = h.run(&["roadmap", "why", "C00000"]);
    assert!(
        text.stdout.len() < 200 * DEPTH,
        "{} bytes",
        text.stdout.len()
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("(depth {}) C{:05}", DEPTH - 1, DEPTH - 1)),
        "{}",
        &text[text.len() - 300..]
    );
}

#[test]
fn delete_and_restore_work_where_the_original_crashed() {
    let h = Home::new();
    h.add("A", "1");
    let d = h.json(&["roadmap", "delete", "A", "--reason", "duplicate"]);
    assert!(d["deleted_at"].is_string());
    assert!(ids(&h.json(&["roadmap", "list"])).is_empty());
    assert_eq!(ids(&h.json(&["roadmap", "list", "--deleted"])), ["A"]);
    h.json(&["roadmap", "restore", "A"]);
    assert_eq!(ids(&h.json(&["roadmap", "list"])), ["A"]);
    let hist = h.json(&["roadmap", "history", "A"]);
    let actions: Vec<&str> = hist["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "delete", "restore"]);
    assert_eq!(hist["versions"].as_array().unwrap().len(), 2);
}

#[test]
fn release_drops_the_assignment_where_the_original_always_failed() {
    let h = Home::new();
    h.add("A", "1");
    h.json(&["roadmap", "assign", "A", "agent:x"]);
    h.json(&["roadmap", "update", "A", "--status", "in_progress"]);
    let r = h.json(&["roadmap", "release", "A", "--agent", "agent:x"]);
    assert_eq!(r["dropped"][0]["status"], "dropped");
    assert_eq!(r["item_reset_to_pending"], true);
    assert_eq!(ids(&h.json(&["roadmap", "ready"])), ["A"]);
}

#[test]
fn bad_input_says_what_is_accepted() {
    let h = Home::new();
    let out = h.run(&["roadmap", "add", "x", "--phase", "phase_q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("valid keys: phase_a, phase_b"),
        "{}",
        stderr(&out)
    );
    h.add("A", "1");
    h.add("B", "2");
    let out = h.run(&["roadmap", "dep", "add", "A", "B", "--type", "hard"]);
    assert!(
        stderr(&out).contains("use blocks, soft or related"),
        "{}",
        stderr(&out)
    );
    let out = h.run(&["roadmap", "update", "A"]);
    assert!(
        stderr(&out).contains("nothing to change"),
        "{}",
        stderr(&out)
    );
    let out = h.run(&["roadmap", "show", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("roadmap item not found: nope"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn export_and_graph_write_markdown_json_dot_and_mermaid() {
    let h = Home::new();
    h.add("A", "1");
    h.add("B", "2");
    h.json(&["roadmap", "dep", "add", "A", "B", "--type", "soft"]);
    h.json(&["roadmap", "complete", "B"]);
    let md = h.run(&["roadmap", "export"]);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.starts_with("# Roadmap Export"), "{md}");
    assert!(md.contains("## phase_a (1/2 complete)"), "{md}");
    assert!(md.contains("- [x] B: Item B"), "{md}");
    let path = h.dir.path().join("r.json");
    let p = path.to_str().unwrap();
    let v = h.json(&["roadmap", "export", "--format", "json", "-o", p]);
    assert_eq!(v["items"], 2);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(Path::new(p)).unwrap()).unwrap();
    assert_eq!(doc["dependencies"][0]["dependency_type"], "soft");
    let dot = h.run(&["roadmap", "graph"]);
    let dot = String::from_utf8_lossy(&dot.stdout);
    assert!(dot.starts_with("digraph roadmap {"), "{dot}");
    assert!(dot.contains("\"A\" -> \"B\" [style=dashed"), "{dot}");
    let mm = h.run(&["roadmap", "graph", "--format", "mermaid"]);
    let mm = String::from_utf8_lossy(&mm.stdout);
    assert!(mm.starts_with("flowchart LR"), "{mm}");
    assert!(mm.contains("n_A -.->|soft| n_B"), "{mm}");
}

#[test]
fn a_new_phase_is_added_through_terminology_then_accepted() {
    let h = Home::new();
    let out = h.run(&["roadmap", "add", "x", "--phase", "phase_g"]);
    assert_eq!(out.status.code(), Some(2));
    let t = h.json(&["terminology", "add", "roadmap_phase", "phase_g", "Phase G"]);
    assert_eq!(t["internal_key"], "phase_g");
    let keys: Vec<String> = h
        .json(&["terminology", "list", "roadmap_phase"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["internal_key"].as_str().unwrap().to_string())
        .collect();
    assert!(keys.contains(&"phase_g".to_string()), "{keys:?}");
    h.json(&["roadmap", "add", "x", "--phase", "phase_g"]);
    let out = h.run(&["terminology", "add", "roadmap_phase", "Phase G!", "x"]);
    assert!(
        stderr(&out).contains("lowercase letters, digits and '_'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn roadmap_alone_lists_items_as_the_original_did() {
    let h = Home::new();
    h.add("A", "1");
    h.add("B", "2");
    assert_eq!(ids(&h.json(&["roadmap"])), ["A", "B"]);
    let out = h.run(&["roadmap"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Roadmap: 2 items (0 completed)"), "{text}");
}

#[test]
fn items_are_reordered_with_before_and_after() {
    let h = Home::new();
    h.add("A", "1");
    h.add("B", "2");
    h.json(&[
        "roadmap", "add", "Urgent", "--phase", "phase_a", "--id", "U", "--before", "A",
    ]);
    h.json(&["roadmap", "update", "B", "--after", "U"]);
    assert_eq!(ids(&h.json(&["roadmap", "ready"])), ["U", "B", "A"]);
}

/// Every document has the envelope; a list document (`{items, count}`) is given to the test
/// as its items.
fn list_or_doc(doc: Value) -> Value {
    assert_eq!(doc["ok"], true, "{doc}");
    assert!(doc["contract_version"].is_u64(), "{doc}");
    match (doc.get("items"), doc.get("count")) {
        (Some(items @ Value::Array(a)), Some(n)) if n.as_u64() == Some(a.len() as u64) => {
            items.clone()
        }
        _ => doc,
    }
}

/// The original let only reviewers complete, and only assigned items; the rebuild at first
/// completed anything for anyone. Now: a reviewer, the item's owner, or an owner/reviewer
/// assignee; never while a lease works on it; and who did it is recorded.
#[test]
fn complete_needs_the_right_to_and_records_who_did() {
    let h = Home::new();
    for id in ["P", "Q"] {
        let out = h.run_env(
            &[
                "--json", "roadmap", "add", id, "--phase", "phase_a", "--id", id,
            ],
            &[],
        );
        assert!(out.status.success(), "{out:?}");
    }
    let out = h.run_env(
        &["--json", "roadmap", "complete", "P", "--agent", "bob"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stdout_json(&out);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("ROAD-010: bob may not complete P"),
        "{err}"
    );
    assert_eq!(
        h.json(&["roadmap", "show", "P"])["item"]["status_key"],
        "pending"
    );
    // An owner/reviewer assignment gives the right; so does the reviewer role.
    h.json(&["roadmap", "assign", "P", "rita", "--role", "reviewer"]);
    let done = stdout_json(&h.run_env(
        &[
            "--json",
            "roadmap",
            "complete",
            "P",
            "--agent",
            "rita",
            "--note",
            "looked at it",
        ],
        &[],
    ));
    assert_eq!(
        (done["completed_by"].as_str(), done["allowed_as"].as_str()),
        (Some("rita"), Some("assigned reviewer")),
        "{done}"
    );
    assert!(
        done["decision_id"]
            .as_str()
            .unwrap()
            .starts_with("decision-"),
        "{done}"
    );
    // A lease working on Q: completing it behind the lease's back is refused.
    let claim = stdout_json(&h.run_env(
        &[
            "--json", "work", "claim", "Q", "--agent", "al", "--intent", "t",
        ],
        &[],
    ));
    let out = h.run_env(
        &["--json", "roadmap", "complete", "Q"],
        &[("MC_AGENT_ROLE", "reviewer")],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stdout_json(&out);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains(claim["lease_id"].as_str().unwrap()),
        "{err}"
    );
    let out = h.run_env(
        &["--json", "roadmap", "update", "Q", "--status", "pending"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let rel = h.run_env(
        &[
            "--json",
            "work",
            "release",
            claim["lease_id"].as_str().unwrap(),
            "partial",
        ],
        &[],
    );
    assert!(rel.status.success(), "{rel:?}");
    let done = stdout_json(&h.run_env(
        &["--json", "roadmap", "complete", "Q"],
        &[("MC_REVIEWER", "1")],
    ));
    assert_eq!(
        (
            done["item"]["status_key"].as_str(),
            done["allowed_as"].as_str()
        ),
        (Some("completed"), Some("role reviewer")),
        "{done}"
    );
}

#[test]
fn add_with_depends_on_writes_the_item_and_its_edges_in_one_call_or_nothing() {
    let h = Home::new();
    h.add("PARSER", "1");
    h.add("LEXER", "2");
    let doc = h.json(&[
        "roadmap",
        "add",
        "Release 1.0",
        "--phase",
        "phase_a",
        "--id",
        "REL",
        "--depends-on",
        "PARSER,LEXER",
    ]);
    assert_eq!(doc["id"], "REL");
    let on: Vec<_> = doc["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["depends_on_id"].as_str().unwrap())
        .collect();
    assert_eq!(on, ["PARSER", "LEXER"]);
    assert_eq!(ids(&h.json(&["roadmap", "ready"])), ["PARSER", "LEXER"]);
    let why = h.json(&["roadmap", "why", "REL"]);
    assert_eq!(why["ready"], false, "{why}");

    // An unknown prerequisite refuses the whole add: no item, no edge.
    let before = h.json(&["roadmap", "list", "--all"]);
    let out = h.run(&[
        "roadmap",
        "add",
        "Other",
        "--phase",
        "phase_a",
        "--id",
        "OTHER",
        "--depends-on",
        "PARSER,NOPE",
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("NOPE"), "{}", stderr(&out));
    assert_eq!(h.json(&["roadmap", "list", "--all"]), before);
    let out = h.run(&[
        "roadmap",
        "add",
        "Self",
        "--phase",
        "phase_a",
        "--id",
        "SELF",
        "--depends-on",
        "SELF",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Circular dependency detected: SELF -> SELF"));
    assert_eq!(h.json(&["roadmap", "list", "--all"]), before);
}

/// A typo in an enum filter (`--status donee`) used to answer an empty list, which an agent
/// reads as "nothing to do". Every list filter with a fixed vocabulary is checked in core (the
/// JS API gets the same refusal): exit 2, the valid values named, stdout the failure document.
/// A value a row actually holds stays listable even when the vocabulary no longer has it.
#[test]
fn unknown_filter_values_are_refused_with_the_valid_ones_and_held_values_still_list() {
    let h = Home::new();
    h.add("F1", "1");
    for (args, names) in [
        (
            vec!["roadmap", "list", "--status", "donee"],
            "valid keys: pending",
        ),
        (vec!["roadmap", "list", "--type", "epic"], "work, gate"),
        (vec!["roadmap", "list", "--phase", "phase_q"], "phase_a"),
        (vec!["program", "list", "--status", "sleeping"], "active"),
        (
            vec!["deploy", "list", "--target", "moon"],
            "website, pypi, docs",
        ),
        (vec!["charter", "active", "manifesto"], "ethos"),
    ] {
        let mut with_json = args.clone();
        with_json.push("--json");
        let out = h.run(&with_json);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let doc = stdout_json(&out);
        assert_eq!(doc["ok"], false, "{args:?}: {doc}");
        // clap refuses a fixed list before core does (`usage`); core's check serves the JS API.
        let code = doc["error"]["code"].as_str().unwrap();
        assert!(
            ["invalid_input", "usage"].contains(&code),
            "{args:?}: {doc}"
        );
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(message.contains(names), "{args:?}: {message}");
        let text = h.run(&args);
        assert_eq!(text.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&text.stderr).contains(names),
            "{args:?}"
        );
    }
    // Known values still filter; a status only a row holds (written by another tool) lists it.
    assert_eq!(
        h.json(&["roadmap", "list", "--status", "pending"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let conn = motus_core::sqlite::SqliteConnection::open(
        &h.db(),
        motus_core::sqlite::OpenMode::ReadWrite,
    )
    .unwrap();
    use motus_core::Connection;
    conn.execute(
        "UPDATE roadmap_items SET status_key = 'legacy_hold' WHERE id = 'F1'",
        &[],
    )
    .unwrap();
    drop(conn);
    let held = h.json(&["roadmap", "list", "--status", "legacy_hold"]);
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
}
