//! `--db dqlite://…`: the binary's commands on a real 3-node cluster (Debian's go-dqlite
//! nodes on loopback), and the clear refusal of the commands that only make sense on a file.

use dqlite_client::testcluster::TestCluster;
use motus_tests::motus_bin;
use std::path::Path;
use std::process::{Command, Output};

fn motus(home: &Path, db: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(motus_bin());
    if let Some(db) = db {
        c.arg("--db").arg(db);
    }
    c.args(args)
        .env("HOME", home)
        .env_remove("MC_AGENT_ID")
        .env_remove("MOTUS_DATABASE__PATH")
        .current_dir(home);
    c.output().unwrap()
}

fn ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stdout {} stderr {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

#[test]
fn commands_run_on_a_cluster_and_file_only_ones_say_so() {
    let cluster = TestCluster::start(3);
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let url = cluster.url("cli");
    let db = Some(url.as_str());

    let doc = ok(&motus(h, db, &["--json", "db", "init"]));
    assert_eq!(doc["created"], true, "{doc}");
    let doc = ok(&motus(h, db, &["--json", "db", "status"]));
    assert_eq!(doc["is_current"], true, "{doc}");
    assert!(doc["size_bytes"].as_u64().unwrap() > 0, "{doc}");

    // The main job, entering through a follower as often as through the leader.
    let via = cluster.url_via(2, "cli");
    let claim = ok(&motus(
        h,
        Some(&via),
        &[
            "--json",
            "work",
            "claim",
            "ADHOC-TASK-001",
            "--intent",
            "first",
        ],
    ));
    let lease = claim["lease_id"].as_str().unwrap().to_string();
    ok(&motus(
        h,
        db,
        &["work", "evidence", &lease, "test_result", "--passed", "3"],
    ));
    ok(&motus(
        h,
        Some(&cluster.url_via(1, "cli")),
        &["work", "release", &lease, "success"],
    ));
    let status = ok(&motus(h, db, &["--json", "work", "status", &lease]));
    assert!(status.to_string().contains("released"), "{status}");
    ok(&motus(
        h,
        db,
        &[
            "roadmap",
            "add",
            "Ship the parser",
            "--phase",
            "phase_a",
            "--id",
            "PARSER",
        ],
    ));
    let ready = motus(h, db, &["roadmap", "ready"]);
    assert!(String::from_utf8_lossy(&ready.stdout).contains("PARSER"));

    // The environment variable works like --db.
    let out = Command::new(motus_bin())
        .args(["--json", "db", "status"])
        .env("HOME", h)
        .env("MOTUS_DATABASE__PATH", &url)
        .output()
        .unwrap();
    assert_eq!(ok(&out)["path"], url.as_str());

    // doctor: schema and integrity as on a file, plus leader and members.
    let doc = ok(&motus(h, db, &["--json", "doctor"]));
    assert_eq!(doc["status"], "pass", "{doc}");
    let names: Vec<&str> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for want in ["integrity", "foreign_keys", "schema", "leader", "members"] {
        assert!(names.contains(&want), "{names:?}");
    }
    let members = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "members")
        .unwrap();
    assert_eq!(members["details"].as_array().unwrap().len(), 3);

    // export → a local file → back into a new cluster database: same content, verified.
    ok(&motus(h, db, &["db", "export", "--out", "cluster.jsonl"]));
    let file = h.join("copy.db");
    ok(&motus(
        h,
        Some(file.to_str().unwrap()),
        &["db", "import", "cluster.jsonl"],
    ));
    ok(&motus(
        h,
        Some(file.to_str().unwrap()),
        &["db", "export", "--out", "file.jsonl"],
    ));
    let doc = ok(&motus(
        h,
        Some(&cluster.url("cli2")),
        &["--json", "db", "import", "file.jsonl"],
    ));
    assert_eq!(doc["created"], true, "{doc}");
    let doc = ok(&motus(
        h,
        Some(&cluster.url("cli2")),
        &["--json", "db", "import", "cluster.jsonl"],
    ));
    assert_eq!(doc["identical"], true, "{doc}");
    // Different data is not overwritten without --replace, and nothing is written.
    ok(&motus(
        h,
        Some(&cluster.url("cli2")),
        &["work", "claim", "ADHOC-OTHER", "--intent", "x"],
    ));
    let out = motus(
        h,
        Some(&cluster.url("cli2")),
        &["--json", "db", "import", "cluster.jsonl"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("import_conflict"));
    let doc = ok(&motus(
        h,
        Some(&cluster.url("cli2")),
        &["--json", "db", "import", "cluster.jsonl", "--replace"],
    ));
    let kept = doc["previous_kept_at"].as_str().unwrap();
    assert!(h.join(kept).exists(), "{doc}");
    // No file was ever created under a path spelled like the URL.
    assert!(!h.join("dqlite:").exists());

    // Membership: list, leader, assign and remove through the wire protocol.
    let doc = ok(&motus(h, db, &["--json", "node", "list"]));
    let members = doc["members"].as_array().unwrap();
    assert_eq!(members.len(), 3, "{doc}");
    assert!(
        members
            .iter()
            .all(|m| m["role"] == "voter" && m["answers"] == true),
        "{doc}"
    );
    assert_eq!(
        members.iter().filter(|m| m["leader"] == true).count(),
        1,
        "{doc}"
    );
    let leader = ok(&motus(
        h,
        Some(&cluster.url_via(2, "cli")),
        &["--json", "node", "leader"],
    ));
    assert!(cluster
        .addresses()
        .contains(&leader["address"].as_str().unwrap().to_string()));
    // A spare nobody runs (quorum is untouched): made a standby, then removed.
    let mut l = dqlite_client::Client::connect_leader(&cluster.config()).unwrap();
    l.add(0xabc, "127.0.0.1:1").unwrap();
    ok(&motus(h, db, &["node", "assign", "abc", "standby"]));
    let doc = ok(&motus(h, db, &["--json", "node", "list"]));
    assert!(doc.to_string().contains("standby"), "{doc}");
    ok(&motus(h, db, &["node", "remove", "abc"]));
    let doc = ok(&motus(h, db, &["--json", "node", "list"]));
    assert_eq!(doc["members"].as_array().unwrap().len(), 3, "{doc}");

    // File-only commands refuse clearly, with what to use instead.
    for args in [
        vec!["db", "backup", "b.db"],
        vec!["db", "restore", "copy.db"],
        vec!["doctor", "--fix"],
        vec!["userland", "extract"],
        vec!["view"],
    ] {
        let out = motus(h, db, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("works on a local database file, not on a cluster"),
            "{args:?}: {err}"
        );
    }
    // A malformed URL is a usage error that shows the accepted form.
    let out = motus(h, Some("dqlite://127.0.0.1/x"), &["db", "status"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dqlite://HOST:PORT"));
}

/// `motus node start` in a binary built without the `node` feature says how to get one;
/// with it, a malformed address is a usage error before anything is created.
#[test]
fn node_start_says_what_it_needs() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("n1");
    let out = motus(
        home.path(),
        None,
        &[
            "node",
            "start",
            "--data",
            data.to_str().unwrap(),
            "--address",
            "nowhere",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    if cfg!(feature = "node") {
        assert!(err.contains("give HOST:PORT"), "{err}");
    } else {
        assert!(err.contains("--features node"), "{err}");
        assert!(err.contains("dqlite-demo"), "{err}");
    }
    assert!(!data.exists(), "nothing is created");
}

/// The `tables` list of an export's header: (name, rows, sha256) per table.
fn export_tables(path: &Path) -> Vec<(String, u64, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    header["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                t["rows"].as_u64().unwrap(),
                t["sha256"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn export_version(path: &Path) -> i64 {
    let text = std::fs::read_to_string(path).unwrap();
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    header["schema_version"].as_i64().unwrap()
}

/// Upgrading a cluster database keeps an export of it first (its backup, path reported);
/// an export at an older schema version is imported into a current cluster database by
/// migrating its rows on the way in; into a cluster database behind this build, it is
/// refused, naming `db migrate`, with nothing written.
#[test]
fn cluster_upgrades_keep_an_export_and_imports_cross_schema_versions() {
    use std::os::unix::fs::PermissionsExt;
    let cluster = TestCluster::start(3);
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let fixture = motus_tests::copy_fixture("motusos-0.3.3-populated.db", h);
    let fixture = fixture.to_str().unwrap();
    ok(&motus(
        h,
        Some(fixture),
        &["db", "export", "--out", "v20.jsonl"],
    ));
    let old = export_version(&h.join("v20.jsonl"));
    assert!(old < 34, "{old}");

    // No database of that name on the cluster: nothing to upgrade, as for a missing file.
    let out = motus(h, Some(&cluster.url("missing")), &["db", "migrate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("db init"));

    // A cluster database at the old version (an import into an empty one keeps it), then
    // upgraded: the export kept first is the database as it was.
    let url_old = cluster.url("old");
    ok(&motus(h, Some(&url_old), &["db", "import", "v20.jsonl"]));
    let before = motus(h, Some(&url_old), &["--json", "db", "migrate"]);
    let doc = ok(&before);
    let kept = doc["backup_path"]
        .as_str()
        .expect("a backup path")
        .to_string();
    assert!(
        kept.starts_with("old-before-migrate-v") && kept.ends_with(".jsonl"),
        "{kept}"
    );
    assert!(
        String::from_utf8_lossy(&before.stderr).contains(&kept),
        "the path is reported: {}",
        String::from_utf8_lossy(&before.stderr)
    );
    let kept = h.join(kept);
    assert_eq!(
        std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(export_version(&kept), old);
    assert_eq!(export_tables(&kept), export_tables(&h.join("v20.jsonl")));
    let status = ok(&motus(h, Some(&url_old), &["--json", "db", "status"]));
    assert_eq!(status["is_current"], true, "{status}");

    // Into a current cluster database holding other data: refused without --replace; with
    // it, the old rows are migrated on the way in, as a file upgrade would.
    let url_cur = cluster.url("current");
    ok(&motus(h, Some(&url_cur), &["db", "init"]));
    ok(&motus(
        h,
        Some(&url_cur),
        &["work", "claim", "ADHOC-MINE", "--intent", "x"],
    ));
    let refused = motus(h, Some(&url_cur), &["--json", "db", "import", "v20.jsonl"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stdout).contains("import_conflict"),
        "{}",
        String::from_utf8_lossy(&refused.stdout)
    );
    let doc = ok(&motus(
        h,
        Some(&url_cur),
        &["--json", "db", "import", "v20.jsonl", "--replace"],
    ));
    assert_eq!(doc["migrated_from"], old, "{doc}");
    assert_eq!(doc["schema_version"], 34, "{doc}");
    assert!(doc["previous_kept_at"].is_string(), "{doc}");
    let status = ok(&motus(h, Some(&url_cur), &["--json", "db", "status"]));
    assert_eq!(status["is_current"], true, "{status}");
    let doctor = ok(&motus(h, Some(&url_cur), &["--json", "doctor"]));
    assert_eq!(doctor["status"], "pass", "{doctor}");
    // The same rows as the fixture upgraded as a file (migration bookkeeping aside).
    let file_copy = h.join("upgraded.db");
    ok(&motus(
        h,
        Some(file_copy.to_str().unwrap()),
        &["db", "import", "v20.jsonl"],
    ));
    ok(&motus(
        h,
        Some(file_copy.to_str().unwrap()),
        &["db", "migrate"],
    ));
    ok(&motus(
        h,
        Some(file_copy.to_str().unwrap()),
        &["db", "export", "--out", "file-upgraded.jsonl"],
    ));
    ok(&motus(
        h,
        Some(&url_cur),
        &["db", "export", "--out", "cluster-upgraded.jsonl"],
    ));
    let counts = |p: &str| -> Vec<(String, u64)> {
        export_tables(&h.join(p))
            .into_iter()
            .filter(|(n, _, _)| n != "schema_version" && n != "audit_log")
            .map(|(n, r, _)| (n, r))
            .collect()
    };
    assert_eq!(
        counts("cluster-upgraded.jsonl"),
        counts("file-upgraded.jsonl")
    );

    // Into a cluster database behind this build: refused, naming what to do; unchanged.
    let url_behind = cluster.url("behind");
    ok(&motus(h, Some(&url_behind), &["db", "import", "v20.jsonl"]));
    ok(&motus(
        h,
        Some(&url_behind),
        &["db", "export", "--out", "behind-before.jsonl"],
    ));
    let out = motus(
        h,
        Some(&url_behind),
        &["db", "import", "cluster-upgraded.jsonl", "--replace"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("db migrate"), "{err}");
    assert!(err.contains("Nothing was written"), "{err}");
    ok(&motus(
        h,
        Some(&url_behind),
        &["db", "export", "--out", "behind-after.jsonl"],
    ));
    assert_eq!(
        export_tables(&h.join("behind-before.jsonl")),
        export_tables(&h.join("behind-after.jsonl"))
    );
}
