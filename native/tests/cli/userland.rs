//! `motus userland …`, `pref`, `skill`, `rule` and `pattern` on real files with the real binary:
//! extraction of the original's databases, a SIGKILL at every step followed by a rerun, a
//! database that is never extracted, and the data commands' round trips in both homes.

use motus_core::file_tools::fingerprint;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{Connection, ConnectionExt};
use motus_tests::{copy_fixture, motus_bin, stdout_json};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const TABLES: [&str; 5] = [
    "preferences",
    "skills",
    "ground_rules",
    "learned_patterns",
    "detected_patterns",
];

/// Every point `motus userland extract` can be stopped at (`MOTUS_TEST_PAUSE_AT`), and the
/// state `motus userland status` must report after a SIGKILL there (`*_uncommitted` points are
/// inside a transaction, so the kill rolls that step back).
const STEPS: [(&str, &str); 9] = [
    ("backup", "not_extracted"),
    ("userland_created", "not_extracted"),
    ("copy_uncommitted", "not_extracted"),
    ("copied", "interrupted_after_copy"),
    ("verified", "interrupted_after_copy"),
    ("remove_uncommitted", "interrupted_after_copy"),
    ("removed", "interrupted_after_removal"),
    ("complete_uncommitted", "interrupted_after_removal"),
    ("completed", "extracted"),
];

/// Rows as the original's schema writes them: its column defaults (`datetime('now')`, second
/// precision) and its audit triggers fill the timestamps; plus a soft-deleted row, a NULL
/// updated_at and non-ASCII text. (The 0.3.3 fixtures hold no rows in these five tables: the
/// sessions that produced them wrote none, so rows are seeded through the original's schema.)
const ORIGINAL_STYLE_ROWS: &str = "
INSERT INTO preferences (key, value, source) VALUES ('editor', 'vim', 'cli'), ('theme', 'dark ☾', 'config_file');
INSERT INTO preferences (key, value, source, deleted_at, deleted_by, deletion_reason) VALUES ('old', 'x', 'learned', '2026-01-02 03:04:05', 'user', 'stale');
UPDATE preferences SET updated_at = NULL WHERE key = 'theme';
INSERT INTO skills (skill_name, progress_count, unlock_threshold) VALUES ('rust', 3, 5), ('sql', 7, 5);
INSERT INTO ground_rules (rule_type, rule_value, source) VALUES ('never', 'push to main', 'user_defined'), ('always', 'run tests', 'default');
INSERT INTO learned_patterns (pattern_type, pattern_value, source, frequency) VALUES ('lang', 'rust', 'observation', 4), ('tool', 'cargo', 'detection', 1);
INSERT INTO detected_patterns (pattern_type, pattern_value, confidence, detected_from) VALUES ('framework', 'leptos', 'high', 'Cargo.toml'), ('vcs', 'git', 'low', NULL);
";

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `motus` with HOME at `home` and none of the path or test variables from the outside.
fn command(home: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(motus_bin());
    c.args(args)
        .env("HOME", home)
        .env_remove("MOTUS_DATABASE__PATH")
        .env_remove("MOTUS_USERLAND__PATH")
        .env_remove("MOTUS_TEST_PAUSE_AT")
        .env_remove("MC_AGENT_ID");
    c
}

fn run(home: &Path, args: &[&str]) -> Output {
    command(home, args).output().expect("run motus")
}

/// Runs and expects exit 0, returning the JSON document.
fn ok(home: &Path, args: &[&str]) -> Value {
    let out = run(home, args);
    assert!(
        out.status.success(),
        "motus {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

fn open(path: &Path) -> SqliteConnection {
    SqliteConnection::open(arg(path), OpenMode::ReadWrite).unwrap()
}

fn hashes(path: &Path, tables: &[&str]) -> BTreeMap<String, fingerprint::TableFingerprint> {
    let conn = open(path);
    tables
        .iter()
        .map(|t| (t.to_string(), fingerprint::table(&conn, t).unwrap()))
        .collect()
}

fn count(path: &Path, sql: &str) -> i64 {
    open(path).query_one(sql, &[]).unwrap()
}

/// A copy of a 0.3.3 fixture with original-style rows, upgraded by `motus db migrate`.
fn seeded_fixture(name: &str, dir: &Path) -> PathBuf {
    let db = copy_fixture(name, dir);
    open(&db).execute_batch(ORIGINAL_STYLE_ROWS).unwrap();
    ok(dir, &["--db", arg(&db), "db", "migrate", "--json"]);
    db
}

fn db_args<'a>(db: &'a Path, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--db", arg(db), "--json"];
    v.extend_from_slice(rest);
    v
}

/// Preference keys and values as `motus pref list --all` serves them.
fn served_prefs(home: &Path, db: &Path) -> Vec<(String, String)> {
    let doc = ok(home, &db_args(db, &["pref", "list", "--all"]));
    doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_string(),
                p["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn extraction_of_the_populated_fixture_moves_every_row_and_changes_nothing_else() {
    let home = tempfile::tempdir().unwrap();
    let db = seeded_fixture("motusos-0.3.3-populated.db", home.path());
    let conn = open(&db);
    let others: Vec<String> = conn
        .query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.value(0).to_text())
        .filter(|t| !TABLES.contains(&t.as_str()) && t != "audit_log" && t != "instance_config")
        .collect();
    drop(conn);
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    let moved_before = hashes(&db, &TABLES);
    let others_before = hashes(&db, &others);
    let prefs_before = served_prefs(home.path(), &db);
    assert_eq!(prefs_before.len(), 3);
    let doctor_before = run(home.path(), &db_args(&db, &["doctor"]));

    // The dry run reports the plan and writes nothing.
    let plan = ok(
        home.path(),
        &db_args(&db, &["userland", "extract", "--dry-run"]),
    );
    assert_eq!(plan["state"], "not_extracted");
    assert_eq!(plan["rows"], 11);
    assert!(plan["would"].as_array().unwrap().len() >= 5, "{plan:#}");
    let userland = home.path().join("userland.db");
    assert!(!userland.exists(), "a dry run creates nothing");
    assert_eq!(hashes(&db, &TABLES), moved_before);

    let out = ok(home.path(), &db_args(&db, &["userland", "extract"]));
    assert_eq!(out["userland_path"], userland.display().to_string());
    assert_eq!(out["rows"], 11);
    assert_eq!(out["copies"], 1);
    // Same counts and content hashes in userland.db; coordination.db's tables are empty.
    assert_eq!(hashes(&userland, &TABLES), moved_before);
    for t in TABLES {
        assert_eq!(out["tables"][t]["sha256"], moved_before[t].sha256.as_str());
        assert_eq!(count(&db, &format!("SELECT count(*) FROM {t}")), 0, "{t}");
    }
    // Nothing else changed but one marker row and one audit row.
    assert_eq!(hashes(&db, &others), others_before);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE event_type = 'userland.extract'"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM instance_config WHERE key = 'userland_extraction'"
        ),
        1
    );
    // The backup taken first holds the rows as they were.
    let backup = PathBuf::from(out["backup_path"].as_str().unwrap());
    assert_eq!(hashes(&backup, &TABLES), moved_before);
    let partial = std::fs::read_dir(home.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().ends_with(".partial"));
    assert!(!partial, "the backup is renamed into place once complete");
    // Reads follow the rows; doctor's verdict is unchanged.
    assert_eq!(served_prefs(home.path(), &db), prefs_before);
    let doctor_after = run(home.path(), &db_args(&db, &["doctor"]));
    assert_eq!(doctor_after.status.code(), doctor_before.status.code());
    assert_eq!(
        stdout_json(&doctor_after)["status"],
        stdout_json(&doctor_before)["status"]
    );
    let status = ok(home.path(), &db_args(&db, &["userland", "status"]));
    assert_eq!(status["state"], "extracted");
    for t in status["tables"].as_array().unwrap() {
        assert_eq!(t["lives_in"], "userland", "{t}");
        assert_eq!(t["stray_rows_in_coordination"], 0);
    }
    assert_eq!(status["tables"][0]["rows"], 3);
    // Userland.db is recognised by the userland migrator, and is private.
    let u = SqliteConnection::open(arg(&userland), OpenMode::ReadOnly).unwrap();
    assert!(motus_core::migrate::Migrator::userland()
        .status(&u)
        .unwrap()
        .is_current());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&userland).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A second run has nothing to do and takes no backup.
    let again = ok(home.path(), &db_args(&db, &["userland", "extract"]));
    assert_eq!(again["already_extracted"], true);
    assert_eq!(again["backup_path"], Value::Null);
}

#[test]
fn doctor_passes_on_an_extracted_database() {
    let home = tempfile::tempdir().unwrap();
    for (name, db) in [
        ("fresh", home.path().join("fresh/coordination.db")),
        (
            "fixture",
            seeded_fixture("motusos-0.3.3-fresh.db", home.path()),
        ),
    ] {
        if name == "fresh" {
            ok(
                home.path(),
                &db_args(&db, &["pref", "set", "editor", "vim"]),
            );
        }
        ok(home.path(), &db_args(&db, &["userland", "extract"]));
        let out = run(home.path(), &db_args(&db, &["doctor"]));
        let doc = stdout_json(&out);
        assert!(out.status.success(), "{name}: {doc:#}");
        assert_eq!(doc["status"], "pass", "{name}: {doc:#}");
    }
}

/// Starts an extraction that pauses at `step`, then SIGKILLs it there.
fn kill_extraction_at(home: &Path, db: &Path, step: &str) {
    let mut child = command(home, &["--db", arg(db), "userland", "extract"])
        .env("MOTUS_TEST_PAUSE_AT", step)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        if line.contains(&format!("test pause at {step} ")) {
            child.kill().unwrap(); // SIGKILL on Unix
            let status = child.wait().unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                assert_eq!(status.signal(), Some(9), "{step}: killed by SIGKILL");
            }
            let _ = status;
            return;
        }
        seen.push(line);
    }
    let status = child.wait().unwrap();
    panic!("{step}: the extraction never paused ({status}); stderr: {seen:?}");
}

#[test]
fn a_sigkill_at_every_step_then_a_rerun_loses_and_doubles_nothing() {
    for (step, expected_state) in STEPS {
        let home = tempfile::tempdir().unwrap();
        let db = seeded_fixture("motusos-0.3.3-quickstart.db", home.path());
        let moved = hashes(&db, &TABLES);
        let prefs = served_prefs(home.path(), &db);
        kill_extraction_at(home.path(), &db, step);

        // Whatever the kill left, every row is served, once, from one place.
        assert_eq!(served_prefs(home.path(), &db), prefs, "{step}");
        let status = ok(home.path(), &db_args(&db, &["userland", "status"]));
        let state = status["state"].as_str().unwrap().to_string();
        assert_eq!(state, expected_state, "{step}");
        let plan = ok(
            home.path(),
            &db_args(&db, &["userland", "extract", "--dry-run"]),
        );
        assert_eq!(plan["state"], expected_state, "{step}: dry run");
        let interrupted_after_removal = state == "interrupted_after_removal";
        if interrupted_after_removal {
            // Writes wait for the rerun, and say so.
            let out = run(
                home.path(),
                &db_args(&db, &["pref", "set", "pager", "less"]),
            );
            assert_eq!(out.status.code(), Some(1), "{step}");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("motus userland extract"),
                "{step}"
            );
        }

        let out = ok(home.path(), &db_args(&db, &["userland", "extract"]));
        let userland = home.path().join("userland.db");
        assert_eq!(
            hashes(&userland, &TABLES),
            moved,
            "{step}: rows after rerun"
        );
        for t in TABLES {
            assert_eq!(
                count(&db, &format!("SELECT count(*) FROM {t}")),
                0,
                "{step}: {t} emptied"
            );
        }
        assert_eq!(
            count(
                &userland,
                "SELECT count(*) FROM userland_extractions WHERE state = 'complete'"
            ),
            1,
            "{step}"
        );
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM audit_log WHERE event_type = 'userland.extract'"
            ),
            1,
            "{step}: one removal recorded"
        );
        assert_eq!(served_prefs(home.path(), &db), prefs, "{step}");
        let status = ok(home.path(), &db_args(&db, &["userland", "status"]));
        assert_eq!(status["state"], "extracted", "{step}: was {state}, {out:#}");
        // The data commands work again, in userland.db.
        let set = ok(
            home.path(),
            &db_args(&db, &["pref", "set", "pager", "less"]),
        );
        assert_eq!(set["lives_in"], "userland", "{step}");
    }
}

#[test]
fn a_database_that_is_never_extracted_behaves_as_before() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("coordination.db");
    ok(home.path(), &db_args(&db, &["db", "init"]));
    // A userland.db beside it that holds another database's extraction is not used.
    let other = home.path().join("other/coordination.db");
    ok(
        home.path(),
        &db_args(&other, &["pref", "set", "editor", "emacs"]),
    );
    ok(
        home.path(),
        &[
            "--db",
            arg(&other),
            "--userland",
            arg(&home.path().join("userland.db")),
            "--json",
            "userland",
            "extract",
        ],
    );
    let set = ok(
        home.path(),
        &db_args(&db, &["pref", "set", "editor", "vim"]),
    );
    assert_eq!(set["lives_in"], "coordination");
    assert_eq!(
        ok(home.path(), &db_args(&db, &["pref", "get", "editor"]))["preference"]["value"],
        "vim"
    );
    ok(
        home.path(),
        &db_args(&db, &["rule", "add", "never", "force-push"]),
    );
    ok(
        home.path(),
        &db_args(&db, &["skill", "add", "rust", "--threshold", "2"]),
    );
    // The rows and their audit rows are in coordination.db, exactly as without userland.db.
    assert_eq!(
        count(&db, "SELECT count(*) FROM preferences WHERE value = 'vim'"),
        1
    );
    assert_eq!(count(&db, "SELECT count(*) FROM ground_rules"), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE event_type LIKE 'userland.%'"
        ),
        3
    );
    let status = ok(home.path(), &db_args(&db, &["userland", "status"]));
    assert_eq!(status["state"], "not_extracted");
    assert!(status["tables"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["lives_in"] == "coordination"));
    // The other database's rows are untouched in its own userland.db.
    assert_eq!(
        count(
            &home.path().join("userland.db"),
            "SELECT count(*) FROM preferences WHERE value = 'emacs'"
        ),
        1
    );
    // Without any userland command, no userland.db is ever created.
    let plain = tempfile::tempdir().unwrap();
    let pdb = plain.path().join("c.db");
    ok(plain.path(), &db_args(&pdb, &["pref", "set", "k", "v"]));
    ok(plain.path(), &db_args(&pdb, &["pref", "list"]));
    assert!(!plain.path().join("userland.db").exists());
}

/// The same round trips wherever the rows live.
fn data_round_trips(home: &Path, db: &Path, lives_in: &str) {
    let set = ok(home, &db_args(db, &["pref", "set", "color", "blue"]));
    assert_eq!(
        (set["lives_in"].as_str(), set["created"].as_bool()),
        (Some(lives_in), Some(true))
    );
    let set = ok(
        home,
        &db_args(
            db,
            &["pref", "set", "color", "red", "--source", "config_file"],
        ),
    );
    assert_eq!(set["previous"], "blue");
    let got = ok(home, &db_args(db, &["pref", "get", "color"]));
    assert_eq!(got["preference"]["value"], "red");
    assert_eq!(got["preference"]["source"], "config_file");
    let text = run(home, &["--db", arg(db), "pref", "get", "color"]);
    assert_eq!(String::from_utf8_lossy(&text.stdout).trim(), "red");
    ok(
        home,
        &db_args(db, &["pref", "unset", "color", "--reason", "done"]),
    );
    let out = run(home, &db_args(db, &["pref", "get", "color"]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_json(&out)["error"]["code"], "not_found");
    let all = ok(home, &db_args(db, &["pref", "list", "--all"]));
    let color = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "color")
        .unwrap()
        .clone();
    assert_eq!(color["deletion_reason"], "done");
    assert!(color["deleted_at"].is_string());

    let bad = run(
        home,
        &db_args(db, &["pref", "set", "k", "v", "--source", "shell"]),
    );
    assert_eq!(bad.status.code(), Some(2));
    let msg = stdout_json(&bad)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("cli, config_file, learned"), "{msg}");

    let skill = ok(
        home,
        &db_args(
            db,
            &["skill", "add", "zig", "--threshold", "3", "--progress", "3"],
        ),
    );
    assert!(skill["skill"]["unlocked_at"].is_string());
    assert_eq!(
        ok(home, &db_args(db, &["skill", "show", "zig"]))["skill"]["unlock_threshold"],
        3
    );
    let neg = run(
        home,
        &db_args(db, &["skill", "add", "c", "--threshold", "-1"]),
    );
    assert_eq!(neg.status.code(), Some(2));
    ok(home, &db_args(db, &["skill", "delete", "zig"]));
    let gone = run(home, &db_args(db, &["skill", "show", "zig"]));
    assert_eq!(gone.status.code(), Some(1));
    assert!(ok(home, &db_args(db, &["skill", "list"]))["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["skill_name"] != "zig"));

    let rule = ok(
        home,
        &db_args(db, &["rule", "add", "signing", "sign commits"]),
    );
    let id = rule["rule"]["id"].as_i64().unwrap();
    assert_eq!(rule["rule"]["source"], "user_defined");
    let dup = run(
        home,
        &db_args(db, &["rule", "add", "signing", "sign commits"]),
    );
    assert_eq!(dup.status.code(), Some(2));
    let bad = run(
        home,
        &db_args(db, &["rule", "add", "a", "b", "--source", "mine"]),
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("default, user_defined, imported"));
    let listed = ok(home, &db_args(db, &["rule", "list", "--type", "signing"]));
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["count"], 1);
    ok(home, &db_args(db, &["rule", "delete", &id.to_string()]));
    assert_eq!(
        ok(home, &db_args(db, &["rule", "list", "--type", "signing"]))["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let missing = run(home, &db_args(db, &["rule", "delete", "99999"]));
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("motus rule list"));

    let patterns = ok(home, &db_args(db, &["pattern", "list"]));
    assert_eq!(patterns["lives_in"], lives_in);
    assert!(patterns["learned"].is_array() && patterns["detected"].is_array());
}

#[test]
fn data_commands_round_trip_before_and_after_extraction() {
    let home = tempfile::tempdir().unwrap();
    let db = seeded_fixture("motusos-0.3.3-fresh.db", home.path());
    data_round_trips(home.path(), &db, "coordination");
    let patterns = ok(
        home.path(),
        &db_args(&db, &["pattern", "list", "--type", "lang"]),
    );
    assert_eq!(patterns["learned"][0]["pattern_value"], "rust");
    assert_eq!(patterns["detected"].as_array().unwrap().len(), 0);
    let audit_before = count(&db, "SELECT count(*) FROM audit_log");
    ok(home.path(), &db_args(&db, &["userland", "extract"]));
    let audit_after_extract = count(&db, "SELECT count(*) FROM audit_log");
    assert_eq!(audit_after_extract, audit_before + 1);
    data_round_trips(home.path(), &db, "userland");
    // After the move, writes are audited in userland.db, not coordination.db.
    assert_eq!(
        count(&db, "SELECT count(*) FROM audit_log"),
        audit_after_extract
    );
    let userland = home.path().join("userland.db");
    assert!(
        count(
            &userland,
            "SELECT count(*) FROM audit_log WHERE resource_type = 'preference'"
        ) >= 3
    );
    let detected = ok(
        home.path(),
        &db_args(&db, &["pattern", "list", "--kind", "detected"]),
    );
    assert_eq!(detected["learned"].as_array().unwrap().len(), 0);
    assert_eq!(detected["detected"].as_array().unwrap().len(), 2);
}

#[test]
fn the_userland_path_comes_from_the_flag_or_the_environment_and_a_wrong_file_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("coordination.db");
    let custom = home.path().join("custom/mine.db");
    ok(
        home.path(),
        &db_args(&db, &["pref", "set", "editor", "vim"]),
    );
    let out = ok(
        home.path(),
        &[
            "--db",
            arg(&db),
            "--userland",
            arg(&custom),
            "--json",
            "userland",
            "extract",
        ],
    );
    assert_eq!(out["userland_path"], custom.display().to_string());
    // Without the flag, the default path has no file: a clear error, exit 1.
    let missing = run(home.path(), &db_args(&db, &["pref", "get", "editor"]));
    assert_eq!(missing.status.code(), Some(1));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("--userland PATH") && err.contains("mine.db"),
        "{err}"
    );
    // The environment variable names it.
    let out = command(home.path(), &db_args(&db, &["pref", "get", "editor"]))
        .env("MOTUS_USERLAND__PATH", &custom)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_json(&out)["preference"]["value"], "vim");
    // A coordination database is not a userland.db.
    let wrong = run(
        home.path(),
        &[
            "--db",
            arg(&db),
            "--userland",
            arg(&db),
            "--json",
            "pref",
            "get",
            "editor",
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(stdout_json(&wrong)["error"]["code"], "not_userland");
    // Extracting a second database into a userland.db that holds the first one's is refused.
    let second = home.path().join("second.db");
    ok(home.path(), &db_args(&second, &["pref", "set", "a", "b"]));
    let refused = run(
        home.path(),
        &[
            "--db",
            arg(&second),
            "--userland",
            arg(&custom),
            "--json",
            "userland",
            "extract",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    let msg = stdout_json(&refused)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("another coordination database"), "{msg}");
    assert_eq!(count(&second, "SELECT count(*) FROM preferences"), 1);
}

#[test]
fn a_userland_db_passed_as_the_coordination_database_is_named_for_what_it_is() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("coordination.db");
    ok(
        home.path(),
        &db_args(&db, &["pref", "set", "editor", "vim"]),
    );
    ok(home.path(), &db_args(&db, &["userland", "extract"]));
    let userland = home.path().join("userland.db");
    for cmd in [
        &["db", "status"][..],
        &["doctor"],
        &["db", "init"],
        &["pref", "list"],
    ] {
        let out = run(home.path(), &db_args(&userland, cmd));
        assert_eq!(out.status.code(), Some(1), "{cmd:?}");
        let msg = stdout_json(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            msg.contains("is a userland.db") && msg.contains("--userland"),
            "{cmd:?}: {msg}"
        );
    }
}

#[test]
fn a_preference_written_between_the_copy_and_the_removal_is_not_lost() {
    let home = tempfile::tempdir().unwrap();
    // An original v20 file, not upgraded yet: the extraction upgrades it first.
    let db = copy_fixture("motusos-0.3.3-fresh.db", home.path());
    open(&db).execute_batch(ORIGINAL_STYLE_ROWS).unwrap();
    let upgraded = home.path().join("upgraded.db");
    std::fs::copy(&db, &upgraded).unwrap();
    ok(home.path(), &db_args(&upgraded, &["db", "migrate"]));
    // The run is killed after its copy; meanwhile another command writes to coordination.db.
    kill_extraction_at(home.path(), &db, "verified");
    let set = ok(home.path(), &db_args(&db, &["pref", "set", "late", "yes"]));
    assert_eq!(set["lives_in"], "coordination");
    let out = ok(home.path(), &db_args(&db, &["userland", "extract"]));
    assert_eq!(out["found"], "interrupted_after_copy");
    assert_eq!(
        out["copies"], 1,
        "the stale copy was discarded and made again"
    );
    let got = ok(home.path(), &db_args(&db, &["pref", "get", "late"]));
    assert_eq!(
        (
            got["lives_in"].as_str(),
            got["preference"]["value"].as_str()
        ),
        (Some("userland"), Some("yes"))
    );
    let userland = home.path().join("userland.db");
    assert_eq!(
        count(
            &userland,
            "SELECT count(*) FROM userland_extractions WHERE state = 'discarded'"
        ),
        1
    );
    // Everything else moved exactly as it was in the original's file.
    let mut expected = hashes(&upgraded, &TABLES);
    expected.remove("preferences");
    let mut moved = hashes(&userland, &TABLES);
    assert_eq!(moved.remove("preferences").unwrap().rows, 4);
    assert_eq!(moved, expected);
    // The original file was upgraded (with its own backup) before the extraction's backup.
    let backups = std::fs::read_dir(home.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("motusos-0.3.3-fresh.db.backup-"))
        .count();
    assert!(backups >= 2, "a migration backup and an extraction backup");
}

#[test]
fn a_coordination_db_restored_from_its_backup_is_served_as_it_was_and_not_extracted_twice() {
    let home = tempfile::tempdir().unwrap();
    let db = seeded_fixture("motusos-0.3.3-fresh.db", home.path());
    let prefs = served_prefs(home.path(), &db);
    let out = ok(home.path(), &db_args(&db, &["userland", "extract"]));
    let backup = PathBuf::from(out["backup_path"].as_str().unwrap());
    // The user restores coordination.db from the backup the extraction took.
    for side in ["-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(side);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    std::fs::copy(&backup, &db).unwrap();
    // No marker: the rows are served from coordination.db again, as before the extraction.
    assert_eq!(served_prefs(home.path(), &db), prefs);
    let status = run(home.path(), &db_args(&db, &["userland", "status"]));
    assert_eq!(status.status.code(), Some(1));
    let doc = stdout_json(&status);
    assert_eq!(doc["state"], "mismatch");
    assert_eq!(doc["lives_in"], "coordination");
    // Extracting again over the completed copy is refused with what to do.
    let again = run(home.path(), &db_args(&db, &["userland", "extract"]));
    assert_eq!(again.status.code(), Some(2));
    let msg = stdout_json(&again)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("restored from a backup") && msg.contains("aside"),
        "{msg}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM preferences"), 3);
}
