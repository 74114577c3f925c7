//! How the binary talks on a terminal and in pipes: stored text with control characters is
//! shown escaped in every text output (`--json` unchanged), colour only when asked for or on a
//! terminal (never with NO_COLOR, a pipe or `--color never`), one error prefix, and a closed
//! stdout or a full stderr never panics any command that prints.

use motus_tests::motus_bin;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const HOSTILE: &str = "Evil \x1b]0;pwned\x07 \x1b[2J\x1b[31m \u{9b}1m \r\u{202e} title";

struct Home {
    dir: tempfile::TempDir,
    db: PathBuf,
    lease: String,
}

fn motus_in(home: &Path, db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(motus_bin());
    c.arg("--db").arg(db).args(args);
    c.env("HOME", home)
        .env_remove("MOTUS_DATABASE__PATH")
        .env_remove("MC_AGENT_ID")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    c
}

impl Home {
    /// A database whose stored text is hostile: a roadmap item, a dependency, a live lease with
    /// an intent, a decision and evidence, all holding terminal control sequences.
    fn hostile() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("coordination.db");
        let mut h = Home {
            dir,
            db,
            lease: String::new(),
        };
        h.ok(&[
            "roadmap", "add", HOSTILE, "--phase", "phase_a", "--id", "EVIL-1",
        ]);
        h.ok(&[
            "roadmap", "add", "second", "--phase", "phase_a", "--id", "EVIL-2",
        ]);
        h.ok(&["roadmap", "dep", "add", "EVIL-2", "EVIL-1"]);
        let out = h.ok(&["work", "claim", "ADHOC-EVIL", "--intent", HOSTILE, "-q"]);
        h.lease = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert!(h.lease.starts_with("lease-"), "{}", h.lease);
        let lease = h.lease.clone();
        h.ok(&["work", "decision", &lease, HOSTILE]);
        h.ok(&["work", "evidence", &lease, "test_result", "--passed", "1"]);
        h.ok(&["pref", "set", "evil.key", HOSTILE]);
        h
    }
    fn cmd(&self, args: &[&str]) -> Command {
        motus_in(self.dir.path(), &self.db, args)
    }
    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        out
    }
    /// Text-printing commands on this database, each with at least one stored hostile string
    /// when it shows stored text.
    fn printing_commands(&self) -> Vec<Vec<String>> {
        let l = self.lease.as_str();
        let cmds: Vec<Vec<&str>> = vec![
            vec!["roadmap", "list"],
            vec!["roadmap", "show", "EVIL-1"],
            vec!["roadmap", "ready"],
            vec!["roadmap", "blocked"],
            vec!["roadmap", "why", "EVIL-2"],
            vec!["roadmap", "graph"],
            vec!["roadmap", "history", "EVIL-1"],
            vec!["roadmap", "export"],
            vec!["work", "list", "--all"],
            vec!["work", "status", l],
            vec!["work", "context", l],
            vec!["work", "verify", l],
            vec!["pref", "get", "evil.key"],
            vec!["pref", "list"],
            vec!["db", "status"],
            vec!["doctor"],
            vec!["terminology", "list"],
            vec!["program", "list"],
            vec!["deploy", "list"],
            vec!["--help"],
            vec!["work", "--help"],
            vec!["--version"],
        ];
        cmds.into_iter()
            .map(|c| c.into_iter().map(String::from).collect())
            .collect()
    }
}

fn has_control(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    text.chars()
        .find(|&c| {
            let u = c as u32;
            (u < 0x20 && c != '\n' && c != '\t') || (0x7f..=0x9f).contains(&u) || c == '\u{202e}'
        })
        .map(|c| format!("{c:?} in {text:?}"))
}

#[test]
fn stored_control_characters_are_escaped_in_every_text_output() {
    let h = Home::hostile();
    let mut shown = 0;
    for args in h.printing_commands() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = h.run(&args);
        for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert_eq!(has_control(stream), None, "{args:?} {name}");
        }
        if String::from_utf8_lossy(&out.stdout).contains("Evil \\x1b]0;pwned\\x07") {
            shown += 1;
        }
    }
    assert!(
        shown >= 8,
        "the hostile title was shown (escaped) by only {shown} commands"
    );
    // Error messages that quote stored or given text are escaped too.
    let out = h.run(&["roadmap", "show", "NOPE\x1b[2J"]);
    assert!(!out.status.success());
    assert_eq!(has_control(&out.stderr), None);
    // --json is unchanged: the exact stored text, as JSON escapes it.
    let out = h.ok(&["--json", "roadmap", "show", "EVIL-1"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = doc
        .to_string()
        .contains(&serde_json::to_string(HOSTILE).unwrap()[1..20]);
    assert!(found, "{doc}");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let h = Home::hostile();
    let esc = |o: &Output| o.stdout.contains(&0x1b) || o.stderr.contains(&0x1b);
    // Not a terminal (a pipe): no colour by default, nor with --color never or NO_COLOR.
    for (args, env) in [
        (vec!["roadmap", "list"], None),
        (vec!["roadmap", "list", "--color", "never"], None),
        (
            vec!["roadmap", "list", "--color=auto"],
            Some(("NO_COLOR", "1")),
        ),
        (vec!["roadmap", "show", "NOPE"], None),
        (vec!["roadmap", "bogus-subcommand"], None),
        (
            vec!["--color", "never", "roadmap", "bogus-subcommand"],
            None,
        ),
    ] {
        let mut c = h.cmd(&args);
        if let Some((k, v)) = env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert!(!esc(&out), "{args:?}: {out:?}");
    }
    // --color always colours statuses and the error prefix, and still escapes stored text.
    let out = h.ok(&["roadmap", "list", "--color", "always"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\x1b[33mpending\x1b[0m"), "{text}");
    assert!(text.contains("Evil \\x1b]0;pwned"), "{text}");
    let out = h.run(&["--color", "always", "roadmap", "show", "NOPE"]);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("\x1b[31merror:\x1b[0m "));
    // A real terminal: colour by default, none with NO_COLOR (script(1) gives a pty).
    if let Some(out) = in_pty(&h, "roadmap list", None) {
        assert!(out.contains("\x1b[33mpending"), "{out:?}");
        let out = in_pty(&h, "roadmap list", Some("NO_COLOR=1")).unwrap();
        assert!(!out.contains('\x1b'), "{out:?}");
        let out = in_pty(&h, "roadmap list --color never", None).unwrap();
        assert!(!out.contains('\x1b'), "{out:?}");
    } else {
        panic!(
            "script(1) from util-linux is needed for the terminal case (apt-get install bsdutils)"
        );
    }
}

/// Runs `motus ARGS` under script(1), on a pseudo-terminal; returns what it printed.
fn in_pty(h: &Home, args: &str, env: Option<&str>) -> Option<String> {
    let line = format!(
        "{} {} --db '{}' {args}",
        env.unwrap_or(""),
        motus_bin().display(),
        h.db.display()
    );
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("HOME", h.dir.path())
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).to_string())
}

#[test]
fn one_error_prefix_for_usage_and_operation_errors() {
    let h = Home::hostile();
    for args in [
        vec!["roadmap", "show", "NOPE"],
        vec!["work", "bogus"],
        vec!["roadmap", "add"],
    ] {
        let out = h.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(!err.contains("motus: error"), "{args:?}: {err}");
    }
}

#[test]
fn a_closed_stdout_or_a_full_stderr_never_panics() {
    let h = Home::hostile();
    let mut cmds = h.printing_commands();
    cmds.push(vec![
        "db".into(),
        "export".into(),
        "--out".into(),
        "-".into(),
    ]);
    cmds.push(vec!["roadmap".into(), "show".into(), "NOPE".into()]);
    cmds.push(vec!["--json".into(), "roadmap".into(), "list".into()]);
    for args in cmds {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // A pipe whose reader is already gone: every write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = h
            .cmd(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
        assert!(
            out.status.code().is_some(),
            "{args:?} died by a signal: {:?}",
            out.status
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            !err.contains("Broken pipe") && !err.contains("database"),
            "{args:?}: {err}"
        );
        // stderr on /dev/full: every write fails with ENOSPC.
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = h
            .cmd(&args)
            .stdout(Stdio::null())
            .stderr(full)
            .output()
            .unwrap();
        assert_ne!(
            out.status.code(),
            Some(101),
            "{args:?} with stderr on /dev/full"
        );
        assert!(
            out.status.code().is_some(),
            "{args:?} died by a signal: {:?}",
            out.status
        );
    }
    // The shell pipelines from the issue.
    for line in [
        "roadmap graph | true",
        "db export --out - | head -1 >/dev/null",
    ] {
        let out = Command::new("bash")
            .args([
                "-c",
                &format!(
                    "set -o pipefail; '{}' --db '{}' {line}; echo \"rc=${{PIPESTATUS[0]}}\"",
                    motus_bin().display(),
                    h.db.display()
                ),
            ])
            .env("HOME", h.dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !text.contains("rc=101") && !err.contains("panicked"),
            "{line}: {text} {err}"
        );
        assert!(!err.contains("error"), "{line}: {err}");
    }
}

#[test]
fn quiet_prints_only_the_essential_value() {
    let h = Home::hostile();
    let out = h.ok(&["work", "claim", "ADHOC-Q", "--intent", "x", "-q"]);
    let lease = String::from_utf8(out.stdout).unwrap();
    assert!(
        lease.starts_with("lease-") && lease.trim().lines().count() == 1,
        "{lease:?}"
    );
    let out = h.ok(&[
        "roadmap",
        "add",
        "quiet one",
        "--phase",
        "phase_a",
        "--id",
        "Q-1",
        "--quiet",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Q-1\n");
    // A command without an essential value prints nothing at all.
    let out = h.ok(&["roadmap", "list", "-q"]);
    assert!(out.stdout.is_empty());
    // A refused claim prints nothing on stdout, says why on stderr, and exits 1.
    let out = h.run(&[
        "work", "claim", "ADHOC-Q", "--intent", "again", "-q", "--agent", "other",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(!out.stderr.is_empty());
    // -q and --json contradict each other: a usage error.
    assert_eq!(
        h.run(&["--json", "-q", "roadmap", "list"]).status.code(),
        Some(2)
    );
}

#[test]
fn long_work_draws_a_bar_on_a_terminal_and_nothing_elsewhere() {
    let h = Home::hostile();
    let path = |name: &str| h.dir.path().join(name).display().to_string();
    let export = path("export.jsonl");
    // On a real terminal: a bar titled by the command, with its step; cleared at the end, so
    // the answer is the last thing on the screen.
    for (args, title) in [
        (format!("db backup '{}'", path("b1.db")), "backing up ["),
        (format!("db export --out '{export}'"), "exporting ["),
        // Into the same database: loaded, hashed, compared, found identical.
        (format!("db import '{export}'"), "importing ["),
        (format!("work verify {}", h.lease), "verifying ["),
    ] {
        let out = in_pty(&h, &args, None).expect("script(1) from util-linux");
        assert!(out.contains(title), "{args}: {out:?}");
        assert!(out.contains("% "), "{args}: {out:?}");
        let last = out.rsplit("\x1b[2K").next().unwrap_or_default();
        assert!(
            !last.contains(title),
            "{args}: the bar is not cleared: {out:?}"
        );
    }
    // The same terminal with --json or -q: no bar; the JSON document alone.
    for args in [
        format!("--json db backup '{}'", path("b2.db")),
        format!("-q db backup '{}'", path("b3.db")),
    ] {
        let out = in_pty(&h, &args, None).unwrap();
        assert!(!out.contains("backing up ["), "{args}: {out:?}");
        assert!(!out.contains('\x1b'), "{args}: {out:?}");
    }
    let out = in_pty(&h, &format!("--json db backup '{}'", path("b4.db")), None).unwrap();
    let doc: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(doc["ok"], true, "{out}");
    // A pipe: no bar, no escape code, nothing on stderr.
    for args in [
        vec!["db".to_string(), "backup".into(), path("b5.db")],
        vec![
            "db".into(),
            "export".into(),
            "--out".into(),
            path("e2.jsonl"),
        ],
        vec!["work".into(), "verify".into(), h.lease.clone()],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = h.ok(&args);
        assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
        assert!(!out.stdout.contains(&0x1b), "{args:?}: {out:?}");
    }
    // Upgrading the original's file: a bar over the migrations.
    let mut old = Home::hostile();
    old.db = motus_tests::copy_fixture("motusos-0.3.3-populated.db", old.dir.path());
    let out = in_pty(&old, "db migrate", None).unwrap();
    assert!(out.contains("migrating ["), "{out:?}");
    assert!(out.contains("34"), "{out:?}");
    // Moving the userland tables out: a bar over the extraction's steps.
    let out = in_pty(&old, "userland extract", None).unwrap();
    assert!(out.contains("extracting ["), "{out:?}");
    // A write command with no migration pending never touches the terminal.
    let out = in_pty(&h, "--color never pref set plain.key value", None).unwrap();
    assert!(!out.contains('\x1b'), "{out:?}");
}
