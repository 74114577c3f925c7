//! Corrupt and hostile input: every command on a truncated file, a garbage header, a
//! zero-length file, a directory, a database locked past the busy timeout, a read-only file
//! and a full disk gives a specific error code, a message, exit 1, no panic — and the file is
//! not changed. Run with `--nocapture` to print the table that docs/operations.md shows.

use motus_core::file_tools::backup::{self, Contents};
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::Connection;
use motus_tests::{copy_fixture, motus_bin};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A home folder with a good backup and a good export to feed `restore` and `import`.
struct Home {
    dir: tempfile::TempDir,
    good_backup: PathBuf,
    good_export: PathBuf,
    rows: Vec<String>,
    env: Vec<(&'static str, String)>,
    as_nobody: bool,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let db = copy_fixture("motusos-0.3.3-populated.db", dir.path());
        let home = Home {
            good_backup: dir.path().join("good-backup.db"),
            good_export: dir.path().join("good-export.jsonl"),
            dir,
            rows: Vec::new(),
            env: Vec::new(),
            as_nobody: false,
        };
        for args in [
            vec!["db", "init"],
            vec!["db", "backup", arg(&home.good_backup)],
            vec!["db", "export", "--out", arg(&home.good_export)],
        ] {
            let out = home.run(&db, &args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::fs::remove_file(&db).unwrap();
        for side in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{side}", db.display()));
        }
        home
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, db: &Path, args: &[&str]) -> Output {
        let mut cmd = if self.as_nobody {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(motus_bin());
            c
        } else {
            Command::new(motus_bin())
        };
        cmd.args(["--db", arg(db), "--json"])
            .args(args)
            .env("HOME", self.dir.path())
            .env_remove("MOTUS_DATABASE__PATH");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("run motus")
    }

    /// Runs one command and checks its exit code, error code and message; records a row.
    fn expect(&mut self, input: &str, db: &Path, args: &[&str], exit: i32, code: &str) {
        let out = self.run(db, args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let shown = args
            .iter()
            .map(|a| {
                Path::new(a)
                    .file_name()
                    .filter(|_| a.contains('/'))
                    .map_or(a.to_string(), |f| f.to_string_lossy().into_owned())
            })
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{input} / motus {shown} panicked:\n{stderr}"
        );
        assert_eq!(
            out.status.code(),
            Some(exit),
            "{input} / motus {shown}: expected exit {exit}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        );
        let message =
            if exit == 0 {
                "(succeeds)".to_string()
            } else {
                let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
                    panic!("{input} / motus {shown}: stdout is not JSON ({e}):\n{stdout}\n{stderr}")
                });
                if code == "check_failed" {
                    // doctor's verdict: the command ran, a check failed.
                    assert_eq!(doc["status"], "fail", "{doc}");
                    let failed: Vec<String> = doc["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|c| c["status"] == "fail")
                        .map(|c| c["message"].as_str().unwrap().to_string())
                        .collect();
                    failed.join("; ")
                } else {
                    // "migration_failed:busy": the code, and the root cause named in the message.
                    let (code, cause) = code.split_once(':').unwrap_or((code, ""));
                    let cause_text = match cause {
                        "busy" => "database is busy",
                        "read_only" => "read-only",
                        "disk_full" => "disk is full",
                        _ => "",
                    };
                    assert!(
                    doc["error"]["message"].as_str().unwrap_or("").contains(cause_text),
                    "{input} / motus {shown}: the message must name the cause ({cause})\n{stdout}"
                );
                    assert_eq!(
                        doc["error"]["code"], code,
                        "{input} / motus {shown}: wrong error code\n{stdout}\n{stderr}"
                    );
                    assert!(stderr.starts_with("error: "), "{stderr}");
                    doc["error"]["message"].as_str().unwrap().to_string()
                }
            };
        let short: String = message
            .replace(arg(self.dir.path()), "…")
            .replace('|', "\\|")
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(150)
            .collect();
        self.rows.push(format!(
            "| {input} | `motus {shown}` | {} | {short} | {exit} |",
            if exit == 0 { "—" } else { code }
        ));
    }

    fn print(&self) {
        eprintln!();
        for r in &self.rows {
            eprintln!("{r}");
        }
    }
}

fn contents(path: &Path) -> Contents {
    let c = SqliteConnection::open(arg(path), OpenMode::ReadOnly).unwrap();
    motus_core::read_tx(&c, backup::contents).unwrap()
}

/// The commands that must refuse a damaged file, with the code they must give.
fn refuse_all(home: &mut Home, input: &str, db: &Path, code: &str) {
    let dest = home.path("never.db");
    let out = home.path("never.jsonl");
    let good_export = home.good_export.clone();
    for args in [
        vec!["db", "status"],
        vec!["doctor"],
        vec!["db", "init"],
        vec!["db", "migrate"],
        vec!["db", "backup", arg(&dest)],
        vec!["db", "export", "--out", arg(&out)],
        vec!["db", "import", arg(&good_export)],
        vec!["work", "claim", "ADHOC-HOSTILE-1"],
        vec!["work", "list"],
    ] {
        home.expect(input, db, &args, 1, code);
    }
    assert!(
        !dest.exists() && !out.exists(),
        "nothing is written from a damaged file"
    );
}

#[test]
fn truncated_file() {
    let mut home = Home::new();
    let db = home.path("truncated.db");
    let bytes = std::fs::read(&home.good_backup).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() / 3]).unwrap();
    let before = std::fs::read(&db).unwrap();
    refuse_all(&mut home, "truncated file (first third)", &db, "corrupt");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is unchanged");
    // The way out: restore a backup over it (the damaged bytes are kept beside it).
    let good = home.good_backup.clone();
    home.expect(
        "truncated file (first third)",
        &db,
        &["db", "restore", arg(&good)],
        0,
        "",
    );
    assert_eq!(contents(&db), contents(&good));
    home.print();
}

#[test]
fn garbage_header() {
    let mut home = Home::new();
    let db = home.path("garbage.db");
    let bytes = std::fs::read(&home.good_backup).unwrap();
    std::fs::write(
        &db,
        [b"NOT SQLITE AT ALL".as_slice(), &bytes[17..]].concat(),
    )
    .unwrap();
    let before = std::fs::read(&db).unwrap();
    refuse_all(&mut home, "garbage header", &db, "not_a_database");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let good = home.good_backup.clone();
    home.expect("garbage header", &db, &["db", "restore", arg(&good)], 0, "");
    home.print();
}

#[test]
fn text_file() {
    let mut home = Home::new();
    let db = home.path("notes.txt");
    std::fs::write(&db, "these are my notes, not a database\n".repeat(200)).unwrap();
    let before = std::fs::read(&db).unwrap();
    refuse_all(&mut home, "a text file", &db, "not_a_database");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    home.print();
}

#[test]
fn zero_length_file() {
    // SQLite defines a 0-byte file as an empty database: read commands say it is empty,
    // commands that need data refuse it, and `db init` initialises it (as it would a new path).
    let mut home = Home::new();
    let db = home.path("zero.db");
    std::fs::write(&db, b"").unwrap();
    let (dest, out) = (home.path("never.db"), home.path("never.jsonl"));
    home.expect("zero-length file", &db, &["doctor"], 1, "check_failed");
    home.expect(
        "zero-length file",
        &db,
        &["db", "backup", arg(&dest)],
        1,
        "not_motus",
    );
    home.expect(
        "zero-length file",
        &db,
        &["db", "export", "--out", arg(&out)],
        1,
        "not_motus",
    );
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "unchanged");
    let good_export = home.good_export.clone();
    home.expect(
        "zero-length file",
        &db,
        &["db", "import", arg(&good_export)],
        0,
        "",
    );
    std::fs::write(&db, b"").unwrap();
    home.expect("zero-length file", &db, &["db", "init"], 0, "");
    home.print();
}

#[test]
fn directory() {
    let mut home = Home::new();
    let db = home.path("a-directory.db");
    std::fs::create_dir(&db).unwrap();
    refuse_all(&mut home, "a directory", &db, "not_a_database");
    let good = home.good_backup.clone();
    home.expect(
        "a directory",
        &db,
        &["db", "restore", arg(&good)],
        1,
        "not_a_database",
    );
    assert!(
        std::fs::read_dir(&db).unwrap().next().is_none(),
        "nothing written inside"
    );
    home.print();
}

#[test]
fn missing_file() {
    let mut home = Home::new();
    let db = home.path("missing.db");
    let (dest, out) = (home.path("never.db"), home.path("never.jsonl"));
    home.expect("missing file", &db, &["db", "status"], 1, "not_found");
    home.expect("missing file", &db, &["doctor"], 1, "not_found");
    home.expect("missing file", &db, &["db", "migrate"], 1, "not_found");
    home.expect(
        "missing file",
        &db,
        &["db", "backup", arg(&dest)],
        1,
        "not_found",
    );
    home.expect(
        "missing file",
        &db,
        &["db", "export", "--out", arg(&out)],
        1,
        "not_found",
    );
    assert!(!db.exists());
    home.print();
}

#[test]
fn database_locked_longer_than_the_busy_timeout() {
    let mut home = Home::new();
    home.env.push(("MOTUS_BUSY_TIMEOUT_MS", "400".into()));
    // An original v20 file, so `db init` must write (upgrade) and has to wait for the lock.
    let db = copy_fixture("motusos-0.3.3-populated.db", home.dir.path());
    let holder = SqliteConnection::open(arg(&db), OpenMode::ReadWrite).unwrap();
    holder.ensure_wal().unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    holder
        .execute_batch(
            "INSERT INTO metrics (timestamp, operation, elapsed_ms) VALUES ('t', 'held', 1)",
        )
        .unwrap();
    let before = {
        let reader = SqliteConnection::open(arg(&db), OpenMode::ReadOnly).unwrap();
        motus_core::read_tx(&reader, backup::contents).unwrap()
    };
    let label =
        "locked by another connection (`BEGIN IMMEDIATE` held; `MOTUS_BUSY_TIMEOUT_MS=400`)";
    let started = std::time::Instant::now();
    home.expect(label, &db, &["db", "init"], 1, "migration_failed:busy");
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(400)
            && waited < std::time::Duration::from_secs(10),
        "waited {waited:?}"
    );
    home.expect(label, &db, &["db", "migrate"], 1, "migration_failed:busy");
    let (good, good_export) = (home.good_backup.clone(), home.good_export.clone());
    home.expect(label, &db, &["db", "restore", arg(&good)], 1, "busy");
    home.expect(
        label,
        &db,
        &["db", "import", arg(&good_export), "--replace"],
        1,
        "busy",
    );
    // WAL readers never wait for a writer.
    let (dest, out) = (
        home.path("while-locked.db"),
        home.path("while-locked.jsonl"),
    );
    home.expect(label, &db, &["db", "status"], 0, "");
    home.expect(label, &db, &["db", "backup", arg(&dest)], 0, "");
    home.expect(label, &db, &["db", "export", "--out", arg(&out)], 0, "");
    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    // A current database: a kernel write waits for the lock, then says busy; reads go on.
    let current = home.path("current.db");
    home.expect(label, &current, &["db", "init"], 0, "");
    let holder2 = SqliteConnection::open(arg(&current), OpenMode::ReadWrite).unwrap();
    holder2.execute_batch("BEGIN IMMEDIATE").unwrap();
    home.expect(
        label,
        &current,
        &["work", "claim", "ADHOC-LOCKED-1"],
        1,
        "busy",
    );
    home.expect(label, &current, &["work", "list"], 0, "");
    holder2.execute_batch("ROLLBACK").unwrap();
    drop(holder2);
    home.expect(label, &current, &["work", "claim", "ADHOC-LOCKED-1"], 0, "");
    // Nothing lost: the holder's write committed, and nobody else wrote.
    let after = contents(&db);
    assert_eq!(
        after.tables["metrics"].rows,
        before.tables["metrics"].rows + 1
    );
    // (sqlite_sequence counts the holder's AUTOINCREMENT id too.)
    let mut others = after.clone();
    let mut was = before.clone();
    for t in ["metrics", "sqlite_sequence"] {
        others.tables.remove(t);
        was.tables.remove(t);
    }
    assert_eq!(others, was);
    home.print();
}

#[test]
fn read_only_file() {
    let mut home = Home::new();
    let db = copy_fixture("motusos-0.3.3-populated.db", home.dir.path());
    let before = contents(&db);
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", db.display()));
    }
    // Root ignores file modes, so the commands run as `nobody` (setpriv); the folder stays
    // writable (SQLite needs its -shm there), the file is 0444.
    assert!(
        Command::new("setpriv").arg("--version").output().is_ok(),
        "setpriv (util-linux) is needed to run as an unprivileged user"
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(home.dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    for f in [&db, &home.good_backup, &home.good_export] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    home.as_nobody = unsafe_is_root();
    let label = "read-only file (0444, run as an unprivileged user)";
    home.expect(label, &db, &["db", "init"], 1, "migration_failed:read_only");
    home.expect(
        label,
        &db,
        &["work", "claim", "ADHOC-RO-1"],
        1,
        "migration_failed:read_only",
    );
    home.expect(
        label,
        &db,
        &["db", "migrate"],
        1,
        "migration_failed:read_only",
    );
    let (good, good_export) = (home.good_backup.clone(), home.good_export.clone());
    home.expect(label, &db, &["db", "restore", arg(&good)], 1, "read_only");
    home.expect(
        label,
        &db,
        &["db", "import", arg(&good_export), "--replace"],
        1,
        "read_only",
    );
    let (dest, out) = (home.path("ro-copy.db"), home.path("ro.jsonl"));
    home.expect(label, &db, &["db", "status"], 0, "");
    home.expect(label, &db, &["db", "backup", arg(&dest)], 0, "");
    home.expect(label, &db, &["db", "export", "--out", arg(&out)], 0, "");
    home.as_nobody = false;
    assert_eq!(contents(&db), before, "nothing changed");
    home.print();
}

fn unsafe_is_root() -> bool {
    // SAFETY-free: read the effective uid from /proc instead of calling libc.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: PathBuf, size: &str) -> Tmpfs {
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "tmpfs",
                arg(&dir),
            ])
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "the full-disk test needs a small tmpfs and could not mount one (run as root with CAP_SYS_ADMIN): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(dir)
    }
    /// Fills every free byte with a file.
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.0.join("filler")).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
        for n in 0.. {
            // Smaller pieces until not even one byte fits.
            let mut g = match std::fs::File::create(self.0.join(format!("filler-{n}"))) {
                Ok(g) => g,
                Err(_) => break,
            };
            if g.write_all(&[0u8; 1]).and_then(|_| g.sync_all()).is_err() {
                break;
            }
            if n > 64 {
                break;
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(arg(&self.0)).status();
    }
}

#[test]
fn full_disk() {
    let mut home = Home::new();
    let fs = Tmpfs::mount(home.path("small-fs"), "6m");
    // An original v20 file: `db init` must upgrade it, which needs room for its backup and WAL.
    std::fs::copy(
        motus_tests::fixture("motusos-0.3.3-populated.db"),
        fs.0.join("coordination.db"),
    )
    .unwrap();
    let db = fs.0.join("coordination.db");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    let before = contents(&db);
    fs.fill();
    let label = "full disk (6 MB tmpfs, filled)";
    let (dest, out, newdb) = (fs.0.join("b.db"), fs.0.join("e.jsonl"), fs.0.join("new.db"));
    let good_export = home.good_export.clone();
    home.expect(label, &db, &["db", "init"], 1, "disk_full");
    home.expect(
        label,
        &db,
        &["work", "claim", "ADHOC-FULL-1"],
        1,
        "disk_full",
    );
    home.expect(label, &db, &["db", "migrate"], 1, "disk_full");
    home.expect(label, &db, &["db", "backup", arg(&dest)], 1, "disk_full");
    home.expect(
        label,
        &db,
        &["db", "export", "--out", arg(&out)],
        1,
        "disk_full",
    );
    home.expect(
        label,
        &newdb,
        &["db", "import", arg(&good_export)],
        1,
        "disk_full",
    );
    home.expect(label, &db, &["db", "status"], 0, "");
    // Nothing lost, nothing half-written left behind.
    assert_eq!(contents(&db), before);
    let left: Vec<String> = std::fs::read_dir(&fs.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            !n.starts_with("filler")
                && ![
                    "coordination.db",
                    "coordination.db-wal",
                    "coordination.db-shm",
                ]
                .contains(&n.as_str())
        })
        .collect();
    assert!(left.is_empty(), "left behind on the full disk: {left:?}");
    // Once there is room again, the same upgrade succeeds.
    for e in std::fs::read_dir(&fs.0).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("filler")
        {
            std::fs::remove_file(p).unwrap();
        }
    }
    home.expect(label, &db, &["db", "init"], 0, "");
    let c = SqliteConnection::open(arg(&db), OpenMode::ReadOnly).unwrap();
    assert_eq!(
        motus_core::file_tools::doctor::integrity(&c)
            .unwrap()
            .message,
        "integrity_check: ok"
    );
    drop(c);
    home.print();
}

#[test]
fn schema_with_a_column_name_that_is_not_utf8() {
    // Found by the open_image fuzz target: rusqlite panics on such a name; we must not.
    let mut home = Home::new();
    let db = home.path("odd-view.db");
    home.expect(
        "view whose column name is not UTF-8",
        &db,
        &["db", "init"],
        0,
        "",
    );
    let sql = b"CREATE VIEW v_odd AS SELECT 1 AS \"\xff\xfe\"";
    {
        let c = SqliteConnection::open(arg(&db), OpenMode::ReadWrite).unwrap();
        c.execute_batch("CREATE VIEW v_odd AS SELECT 1 AS x")
            .unwrap();
        c.execute_batch(&format!(
            "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = CAST(x'{}' AS TEXT) WHERE name = 'v_odd'; PRAGMA writable_schema = OFF;",
            sql.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ))
        .unwrap();
    }
    let label = "view whose column name is not UTF-8 (crafted schema)";
    home.expect(label, &db, &["doctor"], 1, "check_failed");
    home.expect(label, &db, &["db", "status"], 0, "");
    home.expect(label, &db, &["work", "list"], 0, "");
    home.print();
}
