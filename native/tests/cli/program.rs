//! `motus program|product|feature|release|cr|bug|standard|charter` and `motus deploy` end to end.

use motus_tests::{motus, stdout_json};
use serde_json::Value;

struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Self {
        Home(tempfile::tempdir().unwrap())
    }
    fn run(&self, args: &[&str]) -> std::process::Output {
        let db = self.0.path().join("c.db").display().to_string();
        let mut all = vec!["--db", db.as_str()];
        all.extend_from_slice(args);
        motus(self.0.path(), &all)
    }
    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        list_or_doc(stdout_json(&out))
    }
    fn fails(&self, args: &[&str]) -> (i32, String) {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[test]
fn the_hierarchy_has_the_same_verbs_everywhere() {
    let h = Home::new();
    let p = h.json(&[
        "program",
        "add",
        "Platform",
        "--id",
        "plat",
        "--type",
        "infrastructure",
    ]);
    assert_eq!(p["type_key"], "infrastructure");
    h.json(&["product", "add", "API", "--program", "plat", "--id", "api"]);
    h.json(&["feature", "add", "Auth", "--product", "api", "--id", "auth"]);
    h.json(&[
        "release",
        "add",
        "v1.0.0",
        "--product",
        "api",
        "--id",
        "r1",
        "--target-date",
        "2026-12-01",
    ]);
    h.json(&[
        "cr",
        "add",
        "Add OAuth",
        "--product",
        "api",
        "--feature",
        "auth",
        "--id",
        "cr1",
        "--size",
        "L",
    ]);
    h.json(&[
        "bug",
        "add",
        "Token leak",
        "--feature",
        "auth",
        "--feature-version",
        "0.9",
        "--severity",
        "critical",
        "--id",
        "b1",
        "--fix-cr",
        "cr1",
    ]);
    let features = h.json(&["feature", "list", "--product", "api"]);
    assert_eq!(features.as_array().unwrap().len(), 1);
    let bugs = h.json(&["bug", "list", "--status", "open"]);
    assert_eq!(bugs[0]["id"], "b1");
    // Updates bump history; clearing an optional field with an empty value.
    h.json(&[
        "bug",
        "update",
        "b1",
        "--status",
        "fixed",
        "--fixed-in-version",
        "1.0",
    ]);
    h.json(&["bug", "update", "b1", "--fixed-in-version", ""]);
    let hist = h.json(&["bug", "history", "b1"]);
    assert_eq!(hist["versions"].as_array().unwrap().len(), 2);
    assert_eq!(hist["versions"][0]["data"]["status_key"], "fixed");
    assert_eq!(
        h.json(&["bug", "show", "b1"])["fixed_in_version"],
        Value::Null
    );
    // A parent in use cannot be deleted; the error says by whom.
    let (code, err) = h.fails(&["product", "delete", "api"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("still used by feature auth, release r1, cr cr1"),
        "{err}"
    );
    // Delete and restore.
    h.json(&["release", "delete", "r1", "--reason", "cancelled"]);
    assert!(h
        .json(&["release", "list"])
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["id"] != "r1"));
    h.json(&["release", "restore", "r1"]);
    assert_eq!(
        h.json(&["release", "show", "r1"])["deleted_at"],
        Value::Null
    );
}

#[test]
fn terminology_errors_list_the_valid_keys() {
    let h = Home::new();
    let (code, err) = h.fails(&["cr", "add", "x", "--type", "bugfix"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("'bugfix' is not a cr_type key; valid keys: defect, enhancement, chore, spec"),
        "{err}"
    );
    let (_, err) = h.fails(&[
        "release",
        "add",
        "v1",
        "--product",
        "motus",
        "--type",
        "major",
    ]);
    assert!(
        err.contains("valid keys: version, post, campaign, deploy"),
        "{err}"
    );
    let (_, err) = h.fails(&["product", "add", "x"]);
    assert!(err.contains("--program"), "{err}");
}

#[test]
fn charters_standards_and_cr_dependencies() {
    let h = Home::new();
    let doc = h.0.path().join("ETHOS.md");
    std::fs::write(&doc, "be kind\n").unwrap();
    let doc = doc.to_str().unwrap();
    let e1 = h.json(&[
        "charter",
        "add",
        "Ethos",
        "--doc-type",
        "ethos",
        "--version",
        "1",
        "--file-path",
        doc,
        "--id",
        "e1",
    ]);
    assert_eq!(e1["content_hash"].as_str().unwrap().len(), 64);
    h.json(&[
        "charter",
        "add",
        "Ethos v2",
        "--doc-type",
        "ethos",
        "--version",
        "2",
        "--content-hash",
        "x",
        "--id",
        "e2",
    ]);
    assert_eq!(
        h.json(&["charter", "active", "ethos"])["charter"]["id"],
        "e2"
    );
    h.json(&["charter", "activate", "e1"]);
    assert_eq!(
        h.json(&["charter", "active", "ethos"])["charter"]["id"],
        "e1"
    );
    // None active: a well-formed, empty answer.
    let none = h.json(&["charter", "active", "roadmap"]);
    assert_eq!(none["ok"], true);
    assert_eq!(none["doc_type"], "roadmap");
    assert!(none["charter"].is_null(), "{none}");
    let actives: Vec<Value> = h
        .json(&["charter", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["is_active"] == 1)
        .cloned()
        .collect();
    assert_eq!(actives.len(), 1);

    h.json(&[
        "standard",
        "record",
        "STD-PRD-001",
        "product:motus",
        "--result",
        "pass",
    ]);
    h.json(&[
        "standard",
        "record",
        "STD-PRD-001",
        "product:motus",
        "--result",
        "fail",
        "--error",
        "2 tests failed",
    ]);
    let results = h.json(&["standard", "results", "--standard", "STD-PRD-001"]);
    assert_eq!(results.as_array().unwrap().len(), 2);
    let c = h.json(&["standard", "compliance", "product:motus"]);
    assert_eq!(c["status"], "blocked");
    let latest: Vec<&str> = c["standards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["standard_id"] == "STD-PRD-001")
        .map(|s| s["latest"].as_str().unwrap())
        .collect();
    assert_eq!(latest, ["fail"]);
    let (_, err) = h.fails(&["standard", "assign", "STD-CR-001", "motus"]);
    assert!(err.contains("is not TYPE:ID"), "{err}");

    h.json(&["cr", "add", "A", "--id", "a"]);
    h.json(&["cr", "add", "B", "--id", "b"]);
    h.json(&["cr", "dep", "add", "a", "b"]);
    let (code, err) = h.fails(&["cr", "dep", "add", "b", "a"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Circular dependency detected: b -> a -> b"),
        "{err}"
    );
    assert_eq!(
        h.json(&["cr", "show", "a"])["depends_on"][0]["depends_on_id"],
        "b"
    );
}

#[test]
fn deploy_check_and_record_follow_the_gate() {
    let h = Home::new();
    h.json(&["db", "init"]);
    assert_eq!(h.json(&["deploy", "check"])["status"], "READY");
    h.json(&[
        "deploy",
        "claim",
        "add",
        "Claims resolve in 2 ms",
        "--page",
        "/perf",
        "--type",
        "quantitative",
        "--test-function",
        "test_speed",
        "--id",
        "speed",
    ]);
    let out = h.run(&["deploy", "check", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let c = stdout_json(&out);
    assert_eq!(c["status"], "PENDING");
    assert_eq!(c["pending_claims"][0]["id"], "speed");
    // The next step is ours: the claim's test, then the command that records its verdict
    // (not the original's `MOTUS_TRACK_CLAIMS=1 pytest -k claim`).
    assert!(
        c["action"].as_str().unwrap().contains("speed (test_speed)"),
        "{c}"
    );
    assert_eq!(c["command"], "motus deploy claim set speed pass");
    let (code, err) = h.fails(&["deploy", "record", "website", "1.0.0"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("POLICY-002") && err.contains("(claims: speed)"),
        "{err}"
    );
    assert!(!err.contains("pytest"), "{err}");
    assert!(err.contains("motus deploy claim set ID pass"), "{err}");
    h.json(&["deploy", "record", "pypi", "1.0.0", "--status", "success"]);
    h.json(&["deploy", "claim", "set", "speed", "pass"]);
    assert_eq!(h.json(&["deploy", "check"])["can_deploy"], true);
    let d = h.json(&[
        "deploy",
        "record",
        "website",
        "1.0.0",
        "--status",
        "in_progress",
    ]);
    let id = d["id"].to_string();
    assert_eq!(
        h.json(&["deploy", "finish", &id, "--status", "success"])["status"],
        "success"
    );
    assert_eq!(h.json(&["deploy", "list"]).as_array().unwrap().len(), 2);
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
