//! Issue 11, tried as an adversarial local user would, through the real binary: files the tool
//! creates are private and never written through a planted symlink; side files, FIFOs and
//! devices are refused where a database or a file is expected; a WAL copied from another
//! database is never applied (every writing command exits 1 and changes no byte; doctor
//! explains; `doctor --fix` sets it aside only when the file alone is sound); names are unique
//! under concurrency; leftovers of killed runs are named and removed.

use motus_tests::{copy_fixture, motus, motus_bin, motus_within, stdout_json};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(out)
}

fn refused(out: &Output, code: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected a refusal ({code}); stdout {} stderr {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let doc = stdout_json(out);
    assert_eq!(doc["error"]["code"], code, "{doc}");
    doc["error"]["message"].as_str().unwrap().to_string()
}

/// Runs motus under `umask 022` (a shell sets it, so no other test thread is affected).
fn motus_umask(home: &Path, args: &[&str]) -> Output {
    let mut script = format!("umask 022 && exec '{}'", motus_bin().display());
    for a in args {
        script.push_str(&format!(" '{}'", a.replace('\'', "'\\''")));
    }
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("HOME", home)
        .env_remove("MOTUS_DATABASE__PATH")
        .env_remove("MC_AGENT_ID")
        .output()
        .unwrap()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let m = std::fs::symlink_metadata(&p).unwrap();
        out.push(p.clone());
        if m.is_dir() {
            walk(&p, out);
        }
    }
}

fn mkfifo(path: &Path) {
    let st = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(st.success(), "mkfifo is needed for this test");
}

/// A database with rows and WAL frames left beside it (write commands leave the WAL).
fn db_with_wal(home: &Path, name: &str, claims: usize) -> PathBuf {
    let db = home.join(name);
    for n in 0..claims {
        ok(&motus(
            home,
            &[
                "--db",
                arg(&db),
                "work",
                "claim",
                &format!("ADHOC-{name}-{n}"),
                "--intent",
                "x",
                "--json",
            ],
        ));
    }
    assert!(
        std::fs::metadata(PathBuf::from(format!("{}-wal", db.display())))
            .unwrap()
            .len()
            > 0
    );
    db
}

fn side(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", db.display()))
}

#[test]
fn no_file_the_tool_creates_is_readable_by_group_or_others_with_umask_022() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // The default database in a new ~/.motus, an upgrade of an original file (pre-upgrade
    // backup), backups, exports, a restore (kept copy), an import into a new path, userland.
    ok(&motus_umask(
        h,
        &["work", "claim", "ADHOC-UMASK-1", "--json"],
    ));
    let old = copy_fixture("motusos-0.3.3-populated.db", h);
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o600)).unwrap();
    let doc = ok(&motus_umask(
        h,
        &["--db", arg(&old), "db", "init", "--json"],
    ));
    assert!(doc["backup_path"].is_string(), "{doc}");
    let out = h.join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bak = out.join("b.db");
    ok(&motus_umask(
        h,
        &["--db", arg(&old), "db", "backup", arg(&bak), "--json"],
    ));
    ok(&motus_umask(
        h,
        &["--db", arg(&old), "db", "backup", arg(&out), "--json"],
    ));
    let exp = out.join("e.jsonl");
    ok(&motus_umask(
        h,
        &[
            "--db",
            arg(&old),
            "db",
            "export",
            "--out",
            arg(&exp),
            "--json",
        ],
    ));
    ok(&motus_umask(
        h,
        &["--db", arg(&old), "db", "restore", arg(&bak), "--json"],
    ));
    let new = out.join("imported.db");
    ok(&motus_umask(
        h,
        &["--db", arg(&new), "db", "import", arg(&exp), "--json"],
    ));
    ok(&motus_umask(
        h,
        &["--db", arg(&old), "userland", "extract", "--json"],
    ));
    ok(&motus_umask(
        h,
        &[
            "--db",
            arg(&old),
            "roadmap",
            "export",
            "-o",
            arg(&out.join("r.md")),
            "--json",
        ],
    ));
    let mut all = Vec::new();
    walk(h, &mut all);
    let mut checked = 0;
    for p in all {
        let m = std::fs::symlink_metadata(&p).unwrap();
        if p == out || p == old {
            continue; // made by this test
        }
        let mode = m.permissions().mode() & 0o777;
        assert_eq!(
            mode & 0o077,
            0,
            "{} is mode {mode:o}: readable by others",
            p.display()
        );
        assert!(
            !p.to_string_lossy().contains(".motus-tmp-"),
            "a staging folder was left: {}",
            p.display()
        );
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} files were checked");
}

#[test]
fn a_symlink_planted_at_an_output_is_never_followed() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = db_with_wal(h, "c.db", 1);
    let victim = h.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    for (i, args) in [
        vec!["db", "export", "--out"],
        vec!["db", "backup"],
        vec!["roadmap", "export", "-o"],
        vec!["roadmap", "graph", "-o"],
    ]
    .into_iter()
    .enumerate()
    {
        let link = h.join(format!("planted-{i}"));
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let mut a = vec!["--db", arg(&db)];
        a.extend(args.iter().copied());
        a.push(arg(&link));
        a.push("--json");
        refused(&motus(h, &a), "exists");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        // --force replaces the link itself, never its target.
        a.push("--force");
        ok(&motus(h, &a));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
    }
    // One rule for every command that writes a file: an existing regular file is refused
    // (nothing written), then replaced with --force.
    for (i, args) in [
        vec!["db", "export", "--out"],
        vec!["db", "backup"],
        vec!["roadmap", "export", "-o"],
        vec!["roadmap", "graph", "-o"],
    ]
    .into_iter()
    .enumerate()
    {
        let plain = h.join(format!("plain-{i}"));
        std::fs::write(&plain, "old").unwrap();
        let mut a = vec!["--db", arg(&db)];
        a.extend(args.iter().copied());
        a.push(arg(&plain));
        a.push("--json");
        refused(&motus(h, &a), "exists");
        assert_eq!(std::fs::read_to_string(&plain).unwrap(), "old", "{args:?}");
        a.push("--force");
        ok(&motus(h, &a));
        assert_ne!(std::fs::read(&plain).unwrap(), b"old", "{args:?}");
    }
    // Never the database itself, not even with --force.
    refused(
        &motus(
            h,
            &[
                "--db",
                arg(&db),
                "db",
                "export",
                "--out",
                arg(&db),
                "--force",
                "--json",
            ],
        ),
        "same_file",
    );
}

#[test]
fn side_files_fifos_devices_and_directories_are_refused_where_a_database_is_expected() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = db_with_wal(h, "c.db", 1);
    let wal = side(&db, "-wal");
    let before = std::fs::read(&db).unwrap();
    let wal_before = std::fs::read(&wal).unwrap();
    // A 0-byte -wal of a database as userland.db, and a -wal as --db for a restore.
    let empty_wal = h.join("u.db-wal");
    std::fs::write(h.join("u.db"), b"").unwrap();
    std::fs::write(&empty_wal, b"").unwrap();
    refused(
        &motus(
            h,
            &[
                "--db",
                arg(&db),
                "--userland",
                arg(&empty_wal),
                "userland",
                "extract",
                "--json",
            ],
        ),
        "sidecar_file",
    );
    let bak = h.join("b.db");
    ok(&motus(
        h,
        &["--db", arg(&db), "db", "backup", arg(&bak), "--json"],
    ));
    for cmd in [
        vec!["db", "restore", arg(&bak)],
        vec!["work", "list"],
        vec!["db", "status"],
        vec!["work", "claim", "ADHOC-X"],
    ] {
        let mut a = vec!["--db", arg(&wal)];
        a.extend(cmd);
        a.push("--json");
        refused(&motus(h, &a), "sidecar_file");
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(std::fs::read(&wal).unwrap(), wal_before);
    // A new database (or userland.db) named like a side file, with no database beside it yet:
    // SQLite would later take it for n.db's WAL or journal. Refused, and nothing is created.
    for name in ["n.db-wal", "n.db-journal", "n.db-shm"] {
        let p = h.join(name);
        for cmd in [vec!["db", "init"], vec!["work", "claim", "ADHOC-N"]] {
            let mut a = vec!["--db", arg(&p)];
            a.extend(cmd);
            a.push("--json");
            refused(&motus(h, &a), "sidecar_file");
        }
        std::fs::write(&p, b"").unwrap();
        refused(
            &motus(h, &["--db", arg(&p), "db", "init", "--json"]),
            "sidecar_file",
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"", "{name} stays empty");
        std::fs::remove_file(&p).unwrap();
        refused(
            &motus(
                h,
                &[
                    "--db",
                    arg(&db),
                    "--userland",
                    arg(&p),
                    "userland",
                    "extract",
                    "--json",
                ],
            ),
            "sidecar_file",
        );
        assert!(!p.exists(), "{name} not created");
    }
    assert!(!h.join("n.db").exists());
    // A FIFO as --db, as a restore source, as an import; a device as an import.
    // A hang fails the test (after 20 s) instead of stalling the suite.
    let run = |args: &[&str]| motus_within(h, args, 20);
    let fifo = h.join("fifo.db");
    mkfifo(&fifo);
    refused(
        &run(&["--db", arg(&fifo), "work", "list", "--json"]),
        "not_a_regular_file",
    );
    refused(
        &run(&["--db", arg(&fifo), "work", "claim", "ADHOC-F", "--json"]),
        "not_a_regular_file",
    );
    refused(
        &run(&["--db", arg(&db), "db", "restore", arg(&fifo), "--json"]),
        "not_a_regular_file",
    );
    refused(
        &run(&["--db", arg(&db), "db", "import", arg(&fifo), "--json"]),
        "not_a_regular_file",
    );
    refused(
        &run(&[
            "--db",
            arg(&h.join("n.db")),
            "db",
            "import",
            "/dev/zero",
            "--json",
        ]),
        "not_a_regular_file",
    );
    // A directory as an export destination's file, and the same file under two names.
    refused(
        &run(&["--db", arg(h), "work", "list", "--json"]),
        "not_a_database",
    );
    let alias = h.join("alias.db");
    std::fs::hard_link(&db, &alias).unwrap();
    refused(
        &run(&["--db", arg(&db), "db", "restore", arg(&alias), "--json"]),
        "same_file",
    );
    refused(
        &run(&[
            "--db",
            arg(&db),
            "--userland",
            arg(&alias),
            "userland",
            "extract",
            "--json",
        ]),
        "same_file",
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// Writing commands run on a database with a foreign WAL: each must exit 1 and leave the
/// database, its WAL and its index exactly as they were.
#[test]
fn a_wal_copied_from_another_database_is_never_applied_and_doctor_fix_sets_it_aside() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let a = db_with_wal(h, "a.db", 3);
    // Fold a.db's WAL into the file, then leave one more commit in a new WAL.
    ok(&motus(h, &["--db", arg(&a), "doctor", "--fix", "--json"]));
    ok(&motus(
        h,
        &["--db", arg(&a), "work", "claim", "ADHOC-a.db-9", "--json"],
    ));
    let b = db_with_wal(h, "b.db", 5);
    std::fs::copy(side(&b, "-wal"), side(&a, "-wal")).unwrap();
    let files = |p: &Path| -> Vec<Option<Vec<u8>>> {
        ["", "-wal", "-shm"]
            .iter()
            .map(|s| std::fs::read(side(p, s)).ok())
            .collect()
    };
    let planted = files(&a);
    let exp = h.join("a.jsonl");
    let bak = h.join("good.db");
    let (never_db, never_jsonl) = (h.join("never.db"), h.join("never.jsonl"));
    ok(&motus(
        h,
        &["--db", arg(&b), "db", "backup", arg(&bak), "--json"],
    ));
    ok(&motus(
        h,
        &[
            "--db",
            arg(&b),
            "db",
            "export",
            "--out",
            arg(&exp),
            "--json",
        ],
    ));
    let commands: Vec<Vec<&str>> = vec![
        vec!["work", "claim", "ADHOC-NEW"],
        vec!["work", "list"],
        vec!["db", "init"],
        vec!["db", "migrate"],
        vec!["db", "status"],
        vec!["db", "backup", arg(&never_db)],
        vec!["db", "export", "--out", arg(&never_jsonl)],
        vec!["db", "import", arg(&exp), "--replace"],
        vec!["db", "restore", arg(&bak)],
        vec!["roadmap", "add", "T", "--phase", "p"],
        vec!["userland", "extract"],
        vec!["pref", "set", "k", "v"],
    ];
    // The same database reached through a symlink from another folder: SQLite reads the WAL
    // beside the file the link leads to, so that is the WAL judged (it once judged the absent
    // `link.db-wal`, granted the claim and wrote into the foreign WAL).
    let link_dir = tempfile::tempdir().unwrap();
    let link = link_dir.path().join("link.db");
    std::os::unix::fs::symlink(&a, &link).unwrap();
    for given in [&a, &link] {
        for cmd in &commands {
            let mut args = vec!["--db", arg(given)];
            args.extend(cmd.iter().copied());
            args.push("--json");
            let msg = refused(&motus(h, &args), "foreign_wal");
            assert!(msg.contains("motus doctor"), "{msg}");
            assert_eq!(
                files(&a),
                planted,
                "{cmd:?} through {given:?} changed the files"
            );
        }
        // doctor explains, changing nothing.
        let out = motus(h, &["--db", arg(given), "doctor", "--json"]);
        assert_eq!(out.status.code(), Some(1));
        let doc = stdout_json(&out);
        assert_eq!(doc["checks"][0]["name"], "wal", "{doc}");
        assert_eq!(doc["checks"][1]["name"], "main_file_alone");
        assert_eq!(doc["checks"][1]["status"], "pass", "{doc}");
        assert_eq!(files(&a), planted);
    }
    assert!(
        std::fs::read_dir(link_dir.path()).unwrap().count() == 1,
        "only the link"
    );
    // --fix (through the link) sets the real WAL aside (kept) because the file alone is
    // sound; then all is well.
    let doc = ok(&motus(
        h,
        &["--db", arg(&link), "doctor", "--fix", "--json"],
    ));
    let aside = doc["repairs"][0]["details"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(doc["repairs"][0]["name"], "foreign_wal", "{doc}");
    assert_eq!(std::fs::read(&aside).unwrap(), planted[1].clone().unwrap());
    let list = ok(&motus(
        h,
        &["--db", arg(&a), "work", "list", "--all", "--json"],
    ))
    .to_string();
    assert_eq!(list.matches("ADHOC-b.db").count(), 0, "{list}");
    for n in 0..3 {
        assert!(list.contains(&format!("ADHOC-a.db-{n}")), "{list}");
    }
    assert!(!never_db.exists() && !never_jsonl.exists());
}

/// `doctor --fix` sets a foreign WAL aside only while no connection of any process has the
/// database open, so nobody reads it through that WAL or writes between the check and the
/// rename: an open connection (another program's SQLite) makes it wait, then exit 1 `busy`
/// with every byte unchanged; once that connection closes it proceeds; writers racing it lose
/// nothing and never see the other database's rows.
#[test]
fn doctor_fix_sets_a_foreign_wal_aside_only_while_nobody_has_the_database_open() {
    use motus_core::sqlite::{OpenMode, SqliteConnection};
    use motus_core::Connection;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let a = db_with_wal(h, "a.db", 3);
    ok(&motus(h, &["--db", arg(&a), "doctor", "--fix", "--json"]));
    ok(&motus(
        h,
        &["--db", arg(&a), "work", "claim", "ADHOC-a.db-9", "--json"],
    ));
    // Another program holds the database open (it never checkpoints on close). From here on
    // this process must not open a.db itself: closing any descriptor of it would drop the
    // holder's POSIX locks, so copies and comparisons are made by child processes.
    let holder = SqliteConnection::open(arg(&a), OpenMode::ReadWrite).unwrap();
    holder.skip_checkpoint_on_close().unwrap();
    holder
        .query("SELECT count(*) FROM sqlite_master", &[])
        .unwrap();
    let b = db_with_wal(h, "b.db", 5);
    std::fs::copy(side(&b, "-wal"), side(&a, "-wal")).unwrap();
    let planted = h.join("planted");
    std::fs::create_dir(&planted).unwrap();
    let shell = |script: &str| {
        Command::new("sh")
            .args(["-c", script, "sh", arg(&a), arg(&planted)])
            .status()
            .unwrap()
            .success()
    };
    assert!(shell("cp \"$1\" \"$1-wal\" \"$1-shm\" \"$2/\""));
    let unchanged = || {
        shell(
            "for s in '' -wal -shm; do cmp -s \"$1$s\" \"$2/$(basename \"$1\")$s\" || exit 1; done",
        )
    };
    let out = Command::new(motus_bin())
        .args(["--db", arg(&a), "doctor", "--fix", "--json"])
        .env("HOME", h)
        .env("MOTUS_BUSY_TIMEOUT_MS", "300")
        .output()
        .unwrap();
    let msg = refused(&out, "busy");
    assert!(msg.contains("nothing was changed"), "{msg}");
    assert!(unchanged(), "a refused --fix changed the files");

    // Writers race a --fix that waits for the holder to close.
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (h, a) = (h.to_path_buf(), a.clone());
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for n in 0..12 {
                    let id = format!("ADHOC-w{w}-{n}");
                    let out = motus(&h, &["--db", arg(&a), "work", "claim", &id, "--json"]);
                    if out.status.success() {
                        acknowledged.push(id);
                    } else {
                        let doc = stdout_json(&out);
                        let code = doc["error"]["code"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        assert!(["foreign_wal", "busy"].contains(&code.as_str()), "{doc}");
                    }
                }
                acknowledged
            })
        })
        .collect();
    let fix = Command::new(motus_bin())
        .args(["--db", arg(&a), "doctor", "--fix", "--json"])
        .env("HOME", h)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(holder);
    let fixed = fix.wait_with_output().unwrap();
    let doc = ok(&fixed);
    assert_eq!(doc["repairs"][0]["name"], "foreign_wal", "{doc}");
    let acknowledged: Vec<String> = writers
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let list = ok(&motus(
        h,
        &["--db", arg(&a), "work", "list", "--all", "--json"],
    ))
    .to_string();
    assert_eq!(list.matches("ADHOC-b.db").count(), 0, "{list}");
    // (ADHOC-a.db-9 lived in the WAL the planted one overwrote: the test destroyed it.)
    for id in acknowledged.iter().chain(
        (0..3)
            .map(|n| format!("ADHOC-a.db-{n}"))
            .collect::<Vec<_>>()
            .iter(),
    ) {
        assert!(list.contains(&format!("\"{id}\"")), "{id} lost: {list}");
    }
    ok(&motus(h, &["--db", arg(&a), "doctor", "--json"]));
}

#[test]
fn two_backups_into_one_folder_at_once_both_succeed_under_different_names() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = db_with_wal(h, "c.db", 1);
    let dir = h.join("backups");
    std::fs::create_dir(&dir).unwrap();
    let spawn = || {
        Command::new(motus_bin())
            .args(["--db", arg(&db), "db", "backup", arg(&dir), "--json"])
            .env("HOME", h)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let kids: Vec<_> = (0..4).map(|_| spawn()).collect();
    let mut names = std::collections::BTreeSet::new();
    for k in kids {
        let doc = ok(&k.wait_with_output().unwrap());
        names.insert(doc["backup_path"].as_str().unwrap().to_string());
    }
    assert_eq!(names.len(), 4);
}

#[test]
fn leftovers_of_killed_runs_are_named_by_doctor_and_removed_by_fix() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = db_with_wal(h, "c.db", 1);
    // What a SIGKILLed backup leaves: its staging folder (pid 4194305 cannot exist).
    let left = h.join(".motus-tmp-4194305-0123456789abcdef");
    std::fs::create_dir(&left).unwrap();
    std::fs::write(left.join("c.db"), b"half a copy").unwrap();
    let doc = ok(&motus(h, &["--db", arg(&db), "doctor", "--json"]));
    let check = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "leftovers")
        .unwrap()
        .clone();
    assert_eq!(check["status"], "warn", "{doc}");
    assert!(check["details"][0]
        .as_str()
        .unwrap()
        .ends_with("0123456789abcdef"));
    let doc = ok(&motus(h, &["--db", arg(&db), "doctor", "--fix", "--json"]));
    assert!(!left.exists(), "{doc}");
}

#[test]
fn evidence_and_verify_read_regular_files_only_and_never_hang() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // A hang fails the test (after 20 s) instead of stalling the suite.
    let run = |args: &[&str]| motus_within(h, args, 20);
    let db = h.join("c.db");
    let claim = ok(&run(&[
        "--db",
        arg(&db),
        "work",
        "claim",
        "ADHOC-EV",
        "--json",
    ]));
    let lease = claim["lease_id"].as_str().unwrap().to_string();
    let fifo = h.join("pipe");
    mkfifo(&fifo);
    // No writer ever opens the FIFO and /dev/zero never ends: both must be refused at once.
    for path in [arg(&fifo), "/dev/zero"] {
        let out = run(&[
            "--db",
            arg(&db),
            "work",
            "evidence",
            &lease,
            "log",
            "--file",
            path,
            "--json",
        ]);
        refused(&out, "not_a_regular_file");
    }
    // A recorded file later replaced by a FIFO is reported changed, not waited on.
    let log = h.join("build.log");
    std::fs::write(&log, "all green").unwrap();
    ok(&run(&[
        "--db",
        arg(&db),
        "work",
        "evidence",
        &lease,
        "log",
        "--file",
        arg(&log),
        "--json",
    ]));
    std::fs::remove_file(&log).unwrap();
    mkfifo(&log);
    let out = run(&["--db", arg(&db), "work", "verify", &lease, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"changed\""));
}

#[test]
fn import_names_an_overlong_line_instead_of_filling_memory() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = db_with_wal(h, "c.db", 1);
    let exp = h.join("e.jsonl");
    ok(&motus(
        h,
        &[
            "--db",
            arg(&db),
            "db",
            "export",
            "--out",
            arg(&exp),
            "--json",
        ],
    ));
    // The header, then one line longer than the cap (sparse: no disk is spent on it).
    let text = std::fs::read_to_string(&exp).unwrap();
    let header = text.lines().next().unwrap();
    let bad = h.join("long.jsonl");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&bad).unwrap();
        writeln!(f, "{header}").unwrap();
        f.set_len(header.len() as u64 + 1 + (65 << 20)).unwrap();
    }
    let out = motus(
        h,
        &[
            "--db",
            arg(&h.join("new.db")),
            "db",
            "import",
            arg(&bad),
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let msg = stdout_json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("line 2"), "{msg}");
    assert!(!h.join("new.db").exists() || std::fs::metadata(h.join("new.db")).unwrap().len() == 0);
}

#[test]
fn concurrent_userland_extractions_get_a_clear_answer() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = copy_fixture("motusos-0.3.3-populated.db", h);
    ok(&motus(h, &["--db", arg(&db), "db", "init", "--json"]));
    let kids: Vec<_> = (0..4)
        .map(|_| {
            Command::new(motus_bin())
                .args(["--db", arg(&db), "userland", "extract", "--json"])
                .env("HOME", h)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let docs: Vec<_> = kids
        .into_iter()
        .map(|k| ok(&k.wait_with_output().unwrap()))
        .collect();
    let moved = docs
        .iter()
        .filter(|d| d["already_extracted"] == false)
        .count();
    assert_eq!(moved, 1, "{docs:#?}");
}

#[test]
fn reads_work_on_a_sound_database_in_a_read_only_folder() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let dir = h.join("ro");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("c.db");
    ok(&motus(
        h,
        &["--db", arg(&db), "work", "claim", "ADHOC-RO", "--json"],
    ));
    ok(&motus(h, &["--db", arg(&db), "doctor", "--fix", "--json"])); // WAL folded in
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(side_path(&db, side));
    }
    assert!(
        Command::new("setpriv").arg("--version").output().is_ok(),
        "setpriv (util-linux) is needed to run as an unprivileged user"
    );
    std::fs::set_permissions(h, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&db).unwrap();
    for cmd in [
        vec!["work", "list", "--all"],
        vec!["db", "status"],
        vec!["doctor"],
    ] {
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(motus_bin())
            .args(["--db", arg(&db), "--json"])
            .args(&cmd)
            .env("HOME", h)
            .output()
            .unwrap();
        let doc = ok(&out);
        if cmd[0] == "work" {
            assert!(doc.to_string().contains("ADHOC-RO"), "{doc}");
        }
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
}

fn side_path(db: &Path, suffix: &str) -> PathBuf {
    side(db, suffix)
}

/// Rows the kernel would refuse, written behind its back (its triggers dropped and restored):
/// doctor names each one, and an export of them is refused by import with nothing written.
#[test]
fn doctor_and_import_hold_the_kernel_rules() {
    use motus_core::sqlite::{OpenMode, SqliteConnection};
    use motus_core::Connection;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let db = h.join("c.db");
    for id in ["A", "B"] {
        ok(&motus(
            h,
            &[
                "--db",
                arg(&db),
                "roadmap",
                "add",
                id,
                "--phase",
                "phase_a",
                "--id",
                id,
                "--json",
            ],
        ));
    }
    ok(&motus(
        h,
        &[
            "--db",
            arg(&db),
            "roadmap",
            "dep",
            "add",
            "A",
            "B",
            "--json",
        ],
    ));
    {
        let c = SqliteConnection::open(arg(&db), OpenMode::ReadWrite).unwrap();
        let triggers = c
            .query(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'roadmap_dependencies'",
                &[],
            )
            .unwrap();
        let saved: Vec<String> = triggers.iter().map(|r| r.value(0).to_text()).collect();
        let names = c
            .query(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'roadmap_dependencies'",
                &[],
            )
            .unwrap();
        for n in names.iter() {
            c.execute_batch(&format!("DROP TRIGGER \"{}\"", n.value(0).to_text()))
                .unwrap();
        }
        c.execute_batch(
            "INSERT INTO roadmap_dependencies (item_id, depends_on_id) VALUES ('B', 'A'); \
             UPDATE sqlite_sequence SET seq = 9223372036854775807 WHERE name = 'audit_log';",
        )
        .unwrap();
        for sql in saved {
            c.execute_batch(&sql).unwrap();
        }
    }
    let out = motus(h, &["--db", arg(&db), "doctor", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = stdout_json(&out);
    let rules = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "kernel_rules")
        .unwrap()
        .clone();
    assert_eq!(rules["status"], "fail", "{doc:#}");
    let details = rules["details"].to_string();
    assert!(details.contains("dependency_cycle"), "{details}");
    assert!(
        details.contains("audit_log at 9223372036854775807"),
        "{details}"
    );
    assert!(
        details.contains("A -> B") && details.contains("B -> A"),
        "{details}"
    );
    // The export carries the same rows (its fingerprints match them); import refuses them.
    let exp = h.join("bad.jsonl");
    ok(&motus(
        h,
        &[
            "--db",
            arg(&db),
            "db",
            "export",
            "--out",
            arg(&exp),
            "--json",
        ],
    ));
    let new = h.join("new.db");
    let msg = refused(
        &motus(h, &["--db", arg(&new), "db", "import", arg(&exp), "--json"]),
        "kernel_rule",
    );
    assert!(msg.contains("dependency_cycle"), "{msg}");
    assert!(!new.exists() || std::fs::metadata(&new).unwrap().len() == 0);
}

/// SQLite opens a database's -wal, -shm and -journal without checking what they are: a FIFO
/// there blocks it forever, a symlink or a directory makes it fail with an error that blames
/// the database. Every kind of planted side file, beside an existing database (WAL or rollback
/// mode, reached directly or through a symlink to the database) and beside a new one, is
/// refused at once, by reads and writes alike, naming the side file, and changes no byte.
#[test]
fn a_side_file_that_is_not_a_regular_file_is_refused_at_once_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let victim = h.join("victim.txt");
    std::fs::write(&victim, b"not SQLite's").unwrap();
    let wal_db = db_with_wal(h, "w.db", 2);
    std::fs::remove_file(side(&wal_db, "-shm")).ok();
    let rollback_db = h.join("r.db");
    ok(&motus(
        h,
        &[
            "--db",
            arg(&rollback_db),
            "work",
            "claim",
            "ADHOC-R",
            "--json",
        ],
    ));
    {
        // Back to a rollback journal (the way the original's files may be), WAL folded in.
        use motus_core::sqlite::{OpenMode, SqliteConnection};
        use motus_core::{params, ConnectionExt};
        let c = SqliteConnection::open(arg(&rollback_db), OpenMode::ReadWrite).unwrap();
        let mode: String = c
            .query_one("PRAGMA journal_mode = DELETE", params![])
            .unwrap();
        assert_eq!(mode, "delete");
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        assert!(!side(&rollback_db, suffix).exists(), "r.db{suffix} is left");
    }
    let link_dir = tempfile::tempdir().unwrap();
    let linked = link_dir.path().join("linked.db");
    std::os::unix::fs::symlink(&wal_db, &linked).unwrap();

    type Plant = fn(&Path, &Path);
    let plants: [(&str, Plant); 3] = [
        ("a symbolic link", |side, victim| {
            std::os::unix::fs::symlink(victim, side).unwrap()
        }),
        ("a FIFO (named pipe)", |side, _| mkfifo(side)),
        ("a directory", |side, _| std::fs::create_dir(side).unwrap()),
    ];
    let commands: [&[&str]; 3] = [
        &["roadmap", "list", "--json"],
        &["work", "claim", "ADHOC-SIDE", "--json"],
        &["doctor", "--json"],
    ];
    // (the path passed as --db, the database SQLite opens, which side files it has now)
    let cases = [
        (&wal_db, &wal_db, vec!["-wal"]),
        (&linked, &wal_db, vec!["-wal"]),
        (&rollback_db, &rollback_db, vec![]),
    ];
    let mut tried = 0;
    for (given, real, present) in &cases {
        for suffix in ["-wal", "-shm", "-journal"] {
            if present.contains(&suffix) {
                continue;
            }
            let planted = side(real, suffix);
            for (what, plant) in &plants {
                plant(&planted, &victim);
                let before = std::fs::read(real).unwrap();
                // (read only when it is a file: the planted one may be a FIFO)
                let wal_of = |db: &Path| {
                    let wal = side(db, "-wal");
                    std::fs::symlink_metadata(&wal)
                        .is_ok_and(|m| m.is_file())
                        .then(|| std::fs::read(&wal).unwrap())
                };
                let wal_before = wal_of(real);
                for cmd in commands {
                    let mut args = vec!["--db", arg(given)];
                    args.extend_from_slice(cmd);
                    let out = motus_within(h, &args, 20);
                    let message = refused(&out, "not_a_regular_file");
                    assert!(
                        message.contains(arg(&planted)) && message.contains(what),
                        "{cmd:?} with {suffix} {what}: {message}"
                    );
                    let hint = stdout_json(&out)["error"]["hint"]
                        .as_str()
                        .unwrap_or("")
                        .to_string();
                    assert!(hint.contains("remove"), "{hint}");
                    assert_eq!(
                        std::fs::read(real).unwrap(),
                        before,
                        "{cmd:?} changed the database"
                    );
                    assert_eq!(wal_of(real), wal_before);
                    tried += 1;
                }
                assert_eq!(std::fs::read(&victim).unwrap(), b"not SQLite's");
                if std::fs::symlink_metadata(&planted).unwrap().is_dir() {
                    std::fs::remove_dir(&planted).unwrap();
                } else {
                    std::fs::remove_file(&planted).unwrap();
                }
            }
        }
        // With the planted file gone, the same database works again.
        ok(&motus(
            h,
            &["--db", arg(given), "roadmap", "list", "--json"],
        ));
        std::fs::remove_file(side(real, "-shm")).ok();
    }
    assert_eq!(tried, (2 + 2 + 3) * 3 * 3);

    // A new database: nothing is created beside a planted journal or WAL.
    for suffix in ["-journal", "-wal"] {
        let new_db = h.join(format!("new{suffix}.db"));
        mkfifo(&side(&new_db, suffix));
        for cmd in [
            &["db", "init", "--json"][..],
            &["work", "claim", "ADHOC-N", "--json"],
        ] {
            let mut args = vec!["--db", arg(&new_db)];
            args.extend_from_slice(cmd);
            refused(&motus_within(h, &args, 20), "not_a_regular_file");
            assert!(!new_db.exists(), "{cmd:?} created {}", new_db.display());
        }
    }
}
