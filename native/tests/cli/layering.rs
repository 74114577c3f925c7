//! The layout's promises that the compiler does not check: the front ends hold no SQL of
//! their own (every statement lives in `core`, behind the `Connection` trait and the engine
//! seam), so a backend that is not a local file sees only what core decides to send.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Statement openings inside a string literal: what a front end would send as SQL.
const STATEMENTS: &[&str] = &[
    "\"SELECT ",
    "\"INSERT ",
    "\"UPDATE ",
    "\"DELETE ",
    "\"PRAGMA ",
    "\"CREATE ",
    "\"DROP ",
    "\"ALTER ",
    "\"ATTACH ",
    "\"DETACH ",
    "\"VACUUM",
    "\"WITH ",
    "sqlite_master",
    "pragma_update(",
    "pragma_query",
    "query_row(",
];

/// The lines of `text` that are production code: a file's tests follow its `#[cfg(test)]`.
fn production(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "#[cfg(test)]")
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
}

#[test]
fn the_front_ends_send_no_sql_of_their_own() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["native/src", "web/js-api/src"] {
        sources(&root.join(dir), &mut files);
    }
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in production(&text) {
            if STATEMENTS.iter().any(|s| line.contains(s)) {
                found.push(format!(
                    "{}:{}: {}",
                    f.strip_prefix(&root).unwrap_or(f).display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    // The JS host adapter's transaction defaults are the adapter's, like the trait's own.
    found.retain(|l| !l.contains("call_or_batch("));
    assert!(
        found.is_empty(),
        "SQL outside core (put it in a core function, e.g. engine::catalogue or engine::local_file):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_sql_when_there_is_some() {
    let sample = "fn f() {\n    conn.query(\"SELECT 1\", &[]);\n}\n#[cfg(test)]\nmod tests { \"SELECT 2\" }\n";
    let hits: Vec<usize> = production(sample)
        .filter(|(_, l)| l.contains("\"SELECT "))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(hits, [1]);
}

/// The code a front end's failure is built with: the first string literal after each of
/// `calls` in `text` (the literal may start on the next line), with its line number.
fn failure_codes<'a>(text: &'a str, calls: &[&str]) -> Vec<(usize, &'a str)> {
    // Production code only: a file's tests follow its `#[cfg(test)]` (as in `production`).
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == "#[cfg(test)]" {
            break;
        }
        end += line.len();
    }
    let text = &text[..end];
    let mut out = Vec::new();
    for call in calls {
        for (at, _) in text.match_indices(call) {
            let rest = text[at + call.len()..].trim_start();
            // `CliError::failed(code, …)` with a variable is the caller's code, checked there.
            let Some(lit) = rest.strip_prefix('"') else {
                continue;
            };
            let code = &lit[..lit.find('"').unwrap_or(0)];
            out.push((text[..at].lines().count(), code));
        }
    }
    out
}

/// One list of error codes: every code the binary's own failures use (a `CliError` or an
/// `ErrorAnswer` built in native/src) is in core's `ERROR_CODES`, the list docs/contract.md
/// publishes; core's own codes are tied to its error enum by `answer::errors::tests`.
#[test]
fn every_failure_code_of_the_binary_is_in_the_published_list() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["native/src", "web/js-api/src"] {
        sources(&root.join(dir), &mut files);
    }
    let calls = ["CliError::failed(", "ErrorAnswer::new(", "js_error("];
    let mut seen = 0;
    let mut unlisted = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (line, code) in failure_codes(&text, &calls) {
            seen += 1;
            if !motus_core::answer::errors::is_known_code(code) {
                unlisted.push(format!(
                    "{}:{line}: {code:?}",
                    f.strip_prefix(&root).unwrap_or(f).display()
                ));
            }
        }
    }
    assert!(
        seen > 40,
        "{seen} failure codes found: the scan missed them"
    );
    assert!(
        unlisted.is_empty(),
        "codes not in motus_core::answer::errors::ERROR_CODES (add them there and to docs/contract.md):\n{}",
        unlisted.join("\n")
    );
}

#[test]
fn the_code_scan_reads_literals_on_the_next_line_and_skips_tests() {
    let sample = "fn f() {\n    CliError::failed(\"io\", m);\n    CliError::failed(\n        \"same_file\",\n    );\n    CliError::failed(code, m);\n}\n#[cfg(test)]\nmod tests { CliError::failed(\"nope\", m) }\n";
    let codes: Vec<&str> = failure_codes(sample, &["CliError::failed("])
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(codes, ["io", "same_file"]);
}
