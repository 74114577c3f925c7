//! Help, completions, man pages, `--version` and `motus help environment` through the binary.
//! The `--help` of every command is kept as a snapshot (`help.snap`): a changed or missing
//! description shows up in review. Regenerate it with
//! `MOTUS_UPDATE_SNAPSHOTS=1 cargo test -p motus --test cli help::`.

use motus_tests::motus_bin;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn motus(args: &[&str]) -> Output {
    Command::new(motus_bin())
        .args(args)
        .env("COLUMNS", "80")
        .env("NO_COLOR", "1")
        .env_remove("MOTUS_DATABASE__PATH")
        .output()
        .unwrap()
}

/// Every visible command path (`work claim`), found by walking the `Commands:` sections of
/// the help itself.
pub(crate) fn command_paths() -> Vec<String> {
    fn walk(prefix: &[String], out: &mut Vec<String>) {
        let mut args: Vec<&str> = prefix.iter().map(String::as_str).collect();
        args.push("--help");
        let text = String::from_utf8(motus(&args).stdout).unwrap();
        let subs: Vec<String> = text
            .lines()
            .skip_while(|l| *l != "Commands:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .filter(|l| l.starts_with("  ") && !l[2..].starts_with(' '))
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect();
        for sub in subs {
            let mut p = prefix.to_vec();
            p.push(sub);
            out.push(p.join(" "));
            walk(&p, out);
        }
    }
    let mut paths = vec![String::new()];
    walk(&[], &mut paths);
    paths
}

#[test]
fn the_help_of_every_command_matches_its_snapshot_and_fits_80_columns() {
    let paths = command_paths();
    assert!(paths.len() > 100, "{paths:?}");
    assert!(paths.iter().any(|p| p == "work claim"));
    assert!(
        !paths.iter().any(|p| p.starts_with("bench")),
        "developer commands are hidden"
    );
    let mut snap = String::new();
    for p in &paths {
        let mut args: Vec<&str> = p.split(' ').filter(|s| !s.is_empty()).collect();
        args.push("--help");
        let out = motus(&args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            let width = line.chars().count();
            // clap does not wrap the usage line; a single word longer than the line (a path, a
            // URL) may stick out too.
            let exempt = line.starts_with("Usage: ") || !line.trim().contains(' ');
            assert!(
                width <= 80 || exempt,
                "`motus {p} --help` has a {width}-column line:\n{line}"
            );
        }
        assert!(
            !text.contains("--userland"),
            "`motus {p} --help` shows --userland"
        );
        snap.push_str(&format!("===== motus {p} --help\n{text}\n"));
    }
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/help.snap");
    if std::env::var_os("MOTUS_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&file, &snap).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&file).unwrap_or_default();
    if want != snap {
        let first = want
            .lines()
            .zip(snap.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(snap.lines().count()));
        let got_line = snap.lines().nth(first).unwrap_or("<end>");
        let want_line = want.lines().nth(first).unwrap_or("<end>");
        panic!(
            "--help changed (first difference at line {}):\n  snapshot: {want_line}\n  now:      {got_line}\nIf intended: MOTUS_UPDATE_SNAPSHOTS=1 cargo test -p motus --test cli help:: and commit native/tests/cli/help.snap",
            first + 1
        );
    }
}

fn shell_accepts(shell: &str, script: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("motus.{shell}"));
    std::fs::write(&file, script).unwrap();
    let out = Command::new(shell)
        .arg("-n")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{shell} is needed for this test ({e}); .ci/setup installs it"));
    assert!(
        out.status.success(),
        "{shell} -n refused the completion script: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn completion_scripts_are_accepted_by_their_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let out = motus(&["completions", shell]);
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("claim") && text.contains("roadmap"),
            "{shell}: {text}"
        );
        shell_accepts(shell, &out.stdout);
    }
    for shell in ["elvish", "powershell"] {
        let out = motus(&["completions", shell]);
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
    // Fixed values complete: a lease mode, a deploy target, a node role, an evidence type.
    let bash = String::from_utf8(motus(&["completions", "bash"]).stdout).unwrap();
    for values in [
        "\"read write\"",
        "\"website pypi docs\"",
        "voter standby spare",
        "test_result build_artifact",
    ] {
        assert!(bash.contains(values), "{values} is not completed");
    }
    let out = motus(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: bash, zsh, fish"));
}

#[test]
fn man_pages_are_written_per_command_and_never_over_existing_ones_without_force() {
    let out = motus(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH motus 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(motus(&["man", "--out-dir", d]).status.success());
    let claim = std::fs::read_to_string(dir.path().join("motus-work-claim.1")).unwrap();
    assert!(
        claim.contains("motus\\-work\\-claim") || claim.contains("motus-work-claim"),
        "{claim}"
    );
    let again = motus(&["man", "--out-dir", d]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(motus(&["man", "--out-dir", d, "--force"]).status.success());
}

#[test]
fn version_names_the_commit() {
    let out = motus(&["--version"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let commit = text
        .trim()
        .strip_prefix(&format!("motus {} (", env!("CARGO_PKG_VERSION")))
        .and_then(|r| r.strip_suffix(')'));
    let commit = commit.unwrap_or_else(|| panic!("{text:?}"));
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        Some(h) => assert_eq!(commit, h),
        None => assert_eq!(commit, "unknown"),
    }
}

/// Every variable the sources read (`env::var("X")`, `env::var_os("X")`, clap `env = "X"`,
/// and `ENV_*`/`*_ENV` constants) is listed by `motus help environment`.
#[test]
fn help_environment_lists_every_variable_the_code_reads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut names = std::collections::BTreeSet::new();
    let mut files = Vec::new();
    collect(&root.join("native/src"), &mut files);
    collect(&root.join("core/src"), &mut files);
    for f in files {
        // Test modules (`tests.rs`, `model_tests.rs`) read variables of the test suite, not
        // of the tool.
        if f.file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with("tests.rs"))
        {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (pat, end) in [
            ("env::var(\"", '"'),
            ("env::var_os(\"", '"'),
            ("env = \"", '"'),
        ] {
            for part in text.split(pat).skip(1) {
                names.insert(part.split(end).next().unwrap().to_string());
            }
        }
        for line in text.lines() {
            let l = line.trim();
            if l.starts_with("pub const ") && l.contains(": &str = \"") && (l.contains("ENV")) {
                names.insert(l.split('"').nth(1).unwrap().to_string());
            }
        }
    }
    // Read by std on our behalf.
    names.insert("TMPDIR".into());
    assert!(
        names.contains("MOTUS_DATABASE__PATH") && names.contains("MC_METRICS_ENABLED"),
        "{names:?}"
    );
    let out = motus(&["help", "environment"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let missing: Vec<_> = names
        .iter()
        .filter(|n| !text.contains(&format!("  {n}\n")))
        .collect();
    assert!(
        missing.is_empty(),
        "not in `motus help environment`: {missing:?}\n{text}"
    );
    // `motus help <command>` is that command's long help; an unknown topic is a usage error.
    let out = motus(&["help", "work", "claim"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("--intent"));
    assert_eq!(motus(&["help", "nope"]).status.code(), Some(2));
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs")
            // Test modules read their own knobs (MOTUS_MODEL_CASES); the binary never does.
            && !p.file_name().unwrap().to_string_lossy().ends_with("tests.rs")
        {
            out.push(p);
        }
    }
}
