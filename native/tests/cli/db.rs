//! `motus db …` and `motus doctor` on real files with the real binary.

use motus_tests::{copy_fixture, motus, stdout_json};
use std::path::Path;

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn db_init_creates_the_default_database_with_private_permissions() {
    let home = tempfile::tempdir().unwrap();
    let out = motus(home.path(), &["db", "init", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = stdout_json(&out);
    let db = home.path().join(".motus/coordination.db");
    assert_eq!(doc["path"], db.display().to_string());
    assert_eq!(doc["created"], true);
    assert_eq!(doc["schema_version"], motus_core::migrate::latest_version());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir_mode = std::fs::metadata(home.path().join(".motus"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        let file_mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!((dir_mode, file_mode), (0o700, 0o600));
    }
    // Second init: nothing to do.
    let again = stdout_json(&motus(home.path(), &["db", "init", "--json"]));
    assert_eq!(again["created"], false);
    assert_eq!(again["applied"].as_array().unwrap().len(), 0);
}

#[test]
fn db_status_reports_version_and_path_read_only() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("x.db");
    assert!(motus(home.path(), &["--db", arg(&db), "db", "init"])
        .status
        .success());
    let before = std::fs::read(&db).unwrap();
    let out = motus(home.path(), &["--db", arg(&db), "db", "status", "--json"]);
    assert!(out.status.success());
    let doc = stdout_json(&out);
    assert_eq!(doc["schema_version"], motus_core::migrate::latest_version());
    assert_eq!(doc["path"], db.display().to_string());
    assert_eq!(doc["is_current"], true);
    assert_eq!(std::fs::read(&db).unwrap(), before, "status must not write");
}

#[test]
fn the_environment_variable_names_the_database_when_no_flag_is_given() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("from-env.db");
    let out = std::process::Command::new(motus_tests::motus_bin())
        .args(["db", "init", "--json"])
        .env("HOME", home.path())
        .env("MOTUS_DATABASE__PATH", &db)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_json(&out)["path"], db.display().to_string());
    assert!(db.exists());
}

#[test]
fn migrate_upgrades_an_original_database_after_backing_it_up() {
    let home = tempfile::tempdir().unwrap();
    let db = copy_fixture("motusos-0.3.3-populated.db", home.path());
    let dry = motus(
        home.path(),
        &["--db", arg(&db), "db", "migrate", "--dry-run", "--json"],
    );
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let plan = stdout_json(&dry);
    assert_eq!(plan["from_version"], 20);
    assert!(!plan["would_apply"].as_array().unwrap().is_empty());

    let out = motus(home.path(), &["--db", arg(&db), "db", "migrate", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("backed up"),
        "the backup location is announced: {stderr}"
    );
    let backups: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".backup-v20-"))
        .collect();
    assert_eq!(backups.len(), 1);
    let latest = motus_core::migrate::latest_version();
    let doc = stdout_json(&out);
    assert_eq!(doc["from_version"], 20, "the version before: {doc}");
    assert_eq!(doc["to_version"], latest);
    let applied: Vec<i64> = doc["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["version"].as_i64().unwrap())
        .collect();
    assert_eq!(applied, (21..=latest).collect::<Vec<_>>(), "{doc}");
    assert_eq!(doc["pending"].as_array().unwrap().len(), 0);
    let backup = backups[0].path();
    assert_eq!(doc["backup_path"], backup.display().to_string());

    // Again: nothing to do, said so, no second backup.
    let again = stdout_json(&motus(
        home.path(),
        &["--db", arg(&db), "db", "migrate", "--json"],
    ));
    assert_eq!(
        (&again["from_version"], &again["to_version"]),
        (&latest.into(), &latest.into())
    );
    assert_eq!(again["applied"].as_array().unwrap().len(), 0);
    assert!(again["backup_path"].is_null());
}

#[test]
fn migrate_in_text_says_from_what_to_what_and_where_the_backup_is() {
    let home = tempfile::tempdir().unwrap();
    let db = copy_fixture("motusos-0.3.3-fresh.db", home.path());
    let out = motus(home.path(), &["--db", arg(&db), "db", "migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let latest = motus_core::migrate::latest_version();
    assert!(
        text.contains(&format!(
            "from 20 to {latest}: applied 21..{latest}; backup at "
        )),
        "{text}"
    );
    let backup = text.trim_end().rsplit("backup at ").next().unwrap();
    assert!(
        Path::new(backup).is_file(),
        "the named backup exists: {backup}"
    );
}

#[test]
fn foreign_and_non_database_files_are_refused_with_exit_1() {
    let home = tempfile::tempdir().unwrap();
    let foreign = copy_fixture("motusos-0.6.5-populated.db", home.path());
    let text = home.path().join("text.db");
    std::fs::write(&text, "hello, not sqlite\n".repeat(100)).unwrap();
    for (path, code) in [(&foreign, "not_motus"), (&text, "not_a_database")] {
        for cmd in [
            &["db", "status"][..],
            &["db", "migrate"],
            &["db", "init"],
            &["doctor"],
        ] {
            let mut args = vec!["--db", arg(path), "--json"];
            args.extend_from_slice(cmd);
            let out = motus(home.path(), &args);
            assert_eq!(out.status.code(), Some(1), "{cmd:?} on {}", path.display());
            assert_eq!(stdout_json(&out)["error"]["code"], code, "{cmd:?}");
        }
    }
    let dir = home.path().join("a-directory");
    std::fs::create_dir(&dir).unwrap();
    let out = motus(home.path(), &["--db", arg(&dir), "db", "status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
}

#[test]
fn doctor_passes_on_a_fresh_and_an_upgraded_database() {
    let home = tempfile::tempdir().unwrap();
    let fresh = home.path().join("fresh.db");
    assert!(motus(home.path(), &["--db", arg(&fresh), "db", "init"])
        .status
        .success());
    let upgraded = copy_fixture("motusos-0.3.3-quickstart.db", home.path());
    assert!(
        motus(home.path(), &["--db", arg(&upgraded), "db", "migrate"])
            .status
            .success()
    );
    for db in [&fresh, &upgraded] {
        let out = motus(home.path(), &["--db", arg(db), "doctor", "--json"]);
        let doc = stdout_json(&out);
        assert!(out.status.success(), "{doc:#}");
        assert_eq!(doc["status"], "pass", "{doc:#}");
        let names: Vec<_> = doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "integrity",
                "foreign_keys",
                "kernel_rules",
                "schema_version",
                "schema",
                "wal_size",
                "leftovers"
            ]
        );
    }
}

#[test]
fn doctor_on_an_original_database_warns_that_migrations_are_pending() {
    let home = tempfile::tempdir().unwrap();
    let db = copy_fixture("motusos-0.3.3-fresh.db", home.path());
    let out = motus(home.path(), &["--db", arg(&db), "doctor", "--json"]);
    let doc = stdout_json(&out);
    assert!(out.status.success(), "{doc:#}");
    assert_eq!(doc["status"], "warn");
    let schema = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "schema")
        .unwrap()
        .clone();
    assert_eq!(
        schema["status"], "pass",
        "an original v20 database matches our v20: {schema:#}"
    );
}

#[test]
fn doctor_accepts_the_lease_store_tables_the_original_creates_at_run_time() {
    let home = tempfile::tempdir().unwrap();
    let db = copy_fixture("motusos-0.3.3-quickstart.db", home.path());
    let out = motus(home.path(), &["--db", arg(&db), "doctor", "--json"]);
    let doc = stdout_json(&out);
    let schema = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "schema")
        .unwrap()
        .clone();
    assert_eq!(schema["status"], "pass", "{schema:#}");
    assert_eq!(doc["status"], "warn", "migrations are pending: {doc:#}");
}

#[test]
fn usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(
        motus(home.path(), &["db", "frobnicate"]).status.code(),
        Some(2)
    );
    assert_eq!(
        motus(home.path(), &["--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(motus(home.path(), &["--version"]).status.code(), Some(0));
}
