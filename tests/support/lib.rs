//! Shared helpers for the cross-crate tests: fixture copies, the real `motus` binary, and
//! fresh databases built by our migration runner.

use motus_core::migrate::Migrator;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{ManualClock, Timestamp};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `../shared/fixtures` beside the checkout (CI lays it there too).
pub fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures");
    assert!(
        dir.join("motusos-0.3.3-fresh.db").exists(),
        "fixtures not found at {}: the shared/ folder must sit beside the checkout",
        dir.display()
    );
    dir
}

pub fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(name)
}

/// Opens a fixture read-only in place (immutable: it is in WAL mode in a read-only folder).
pub fn open_fixture_readonly(name: &str) -> SqliteConnection {
    let uri = format!("file:{}?mode=ro&immutable=1", fixture(name).display());
    SqliteConnection::open(&uri, OpenMode::ReadOnly).expect("fixture opens read-only")
}

/// Copies a fixture into `dir` (writable) and returns the copy's path.
pub fn copy_fixture(name: &str, dir: &Path) -> PathBuf {
    let dest = dir.join(name);
    std::fs::copy(fixture(name), &dest).expect("copy fixture");
    let mut perms = std::fs::metadata(&dest).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&dest, perms).unwrap();
    dest
}

/// A clock fixed at a known instant.
pub fn test_clock() -> ManualClock {
    ManualClock::at(Timestamp::parse("2026-11-26 08:00:00").unwrap())
}

/// A new in-memory database migrated to the latest schema by our runner.
pub fn fresh_memory_db() -> SqliteConnection {
    let conn = SqliteConnection::open_in_memory().unwrap();
    Migrator::coordination()
        .migrate(&conn, &test_clock(), false, &mut |_| Ok(None))
        .unwrap();
    conn
}

/// Opens a copied fixture for writing and upgrades it with our runner.
pub fn upgraded_copy(name: &str, dir: &Path) -> (PathBuf, SqliteConnection) {
    let path = copy_fixture(name, dir);
    let conn = SqliteConnection::open(path.to_str().unwrap(), OpenMode::ReadWrite).unwrap();
    Migrator::coordination()
        .migrate(&conn, &test_clock(), false, &mut |_| Ok(None))
        .unwrap();
    (path, conn)
}

/// The `motus` binary built by this workspace (target/<profile>/motus). The CLI tests live in
/// the `motus` package, so cargo has built it (fresh) before they run.
pub fn motus_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("MOTUS_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = profile_dir.join(format!("motus{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run the CLI tests with `cargo test -p motus` (or set MOTUS_BIN)",
        bin.display()
    );
    bin
}

/// Runs `motus` with `args`, HOME pointed at `home` so nothing touches the real ~/.motus.
pub fn motus(home: &Path, args: &[&str]) -> Output {
    Command::new(motus_bin())
        .args(args)
        .env("HOME", home)
        .env_remove("MOTUS_DATABASE__PATH")
        .env_remove("MC_AGENT_ID")
        .output()
        .expect("run motus")
}

/// [`motus`], killed if it has not finished within `secs`: the test then fails, naming the
/// command, instead of hanging the suite (for promises such as "a FIFO never blocks").
pub fn motus_within(home: &Path, args: &[&str], secs: u64) -> Output {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(motus_bin())
        .args(args)
        .env("HOME", home)
        .env_remove("MOTUS_DATABASE__PATH")
        .env_remove("MC_AGENT_ID")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run motus");
    // Drained while it runs, so a long answer cannot fill the pipe and stall it.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut b = Vec::new();
        out.read_to_end(&mut b).map(|_| b)
    });
    let stderr = std::thread::spawn(move || {
        let mut b = Vec::new();
        err.read_to_end(&mut b).map(|_| b)
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for motus") {
            break st;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("motus {args:?} was still running after {secs} s (it hangs)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap().expect("read stdout"),
        stderr: stderr.join().unwrap().expect("read stderr"),
    }
}

/// Parses stdout as one JSON document, with the output in the panic message when it is not.
pub fn stdout_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n--- stdout\n{}\n--- stderr\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
