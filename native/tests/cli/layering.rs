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
