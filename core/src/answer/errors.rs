//! The failure document and the one list of error codes.
//!
//! Core's errors carry their context (which file, which id, which rule) as fields; the
//! document shows them under `context`. Next-step hints (`motus …`) are the CLI's: a JS or
//! MCP caller gets the same code, message and context, and no command-line flags.

use super::Answer;
use crate::error::Error;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};

/// `{"ok": false, "error": {...}}`: the call could not run; nothing was written.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ErrorAnswer {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// One of [`ERROR_CODES`].
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// What to do next (the CLI's; other front ends may leave it out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The error's structured context: the fields of the core error (`found`, `expected`,
    /// `kind`, `id`, `field`, …), so a program need not parse `message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Map<String, Value>>,
}

impl Answer for ErrorAnswer {
    const NAME: &'static str = "error";
    fn ok(&self) -> bool {
        false
    }
}

impl ErrorAnswer {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorAnswer {
            error: ErrorBody {
                code: code.into(),
                message: message.into(),
                hint: None,
                context: None,
            },
        }
    }
    pub fn with_hint(mut self, hint: Option<String>) -> Self {
        self.error.hint = hint;
        self
    }
}

impl From<&Error> for ErrorAnswer {
    fn from(e: &Error) -> Self {
        let mut a = ErrorAnswer::new(e.code(), e.to_string());
        a.error.context = error_context(e);
        a
    }
}

/// A core error's fields, without its code.
pub fn error_context(e: &Error) -> Option<Map<String, Value>> {
    match serde_json::to_value(e) {
        Ok(Value::Object(mut m)) => {
            m.remove("code");
            (!m.is_empty()).then_some(m)
        }
        _ => None,
    }
}

/// Every error code any front end reports, with what it means. Core's codes come first
/// (one per [`Error`] variant); then the codes of the front ends' own failures (bad usage,
/// files outside the database). `docs/contract.md` lists exactly these.
pub const ERROR_CODES: &[(&str, &str)] = &[
    (
        "kernel_rule",
        "a rule of the schema (a trigger) refused the write",
    ),
    (
        "constraint",
        "a CHECK, UNIQUE, NOT NULL or foreign key constraint refused the write",
    ),
    ("busy", "another connection holds the write lock; retry"),
    ("not_a_database", "the file is not a SQLite database"),
    ("corrupt", "SQLite found damage in the file"),
    ("read_only", "the file or its directory cannot be written"),
    ("disk_full", "the disk is full; nothing was written"),
    ("cannot_open", "the file cannot be opened or read"),
    (
        "schema_too_new",
        "the database was written by a newer Motus",
    ),
    (
        "schema_outdated",
        "the database needs migrations this call does not apply",
    ),
    (
        "not_motus",
        "a SQLite file that is not a Motus coordination database",
    ),
    (
        "migration_changed",
        "an applied migration differs from this build's file",
    ),
    ("migration_failed", "a migration failed and was rolled back"),
    ("invalid_migration", "a migration file is malformed"),
    ("not_found", "something the caller named does not exist"),
    (
        "invalid_input",
        "the caller's input is malformed; the message says what is accepted",
    ),
    ("sql", "any other SQLite error"),
    (
        "unexpected_data",
        "a row did not have the shape this build expects (a wrong type, a missing row)",
    ),
    (
        "unavailable",
        "a cluster has no reachable leader; nothing was written, retrying is safe",
    ),
    (
        "outcome_unknown",
        "a cluster lost the answer to a commit; look before retrying",
    ),
    (
        "unsupported",
        "the operation needs a local database file and this backend is not one (exit 2)",
    ),
    ("usage", "the command line is malformed (exit 2)"),
    (
        "io",
        "a file outside the database could not be read or written",
    ),
    (
        "exists",
        "the destination exists; pass --force to replace it",
    ),
    (
        "import_conflict",
        "the import would overwrite different data; pass --replace",
    ),
    ("not_userland", "the file is not a userland database"),
    ("bench", "the benchmark could not run"),
    (
        "not_a_regular_file",
        "a path names a FIFO, device, socket or directory where a file is needed",
    ),
    (
        "sidecar_file",
        "a path names a database's WAL or journal instead of the database",
    ),
    (
        "same_file",
        "a second path names the database (or one of its side files) again",
    ),
    (
        "foreign_wal",
        "the WAL beside the database does not belong to it; nothing was written",
    ),
    (
        "verify_failed",
        "a copy written to a cluster differs from its source after the import",
    ),
    (
        "no_viewer",
        "this binary was built without the browser viewer",
    ),
    ("cannot_listen", "the viewer's port cannot be listened on"),
    (
        "mcp",
        "the MCP session could not start, or its transport failed",
    ),
    (
        "internal",
        "a task of the viewer's server failed; the page may retry",
    ),
];

/// Whether `code` is in [`ERROR_CODES`].
pub fn is_known_code(code: &str) -> bool {
    ERROR_CODES.iter().any(|(c, _)| *c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_of_each() -> Vec<Error> {
        let m = || "m".to_string();
        vec![
            Error::KernelRule { message: m() },
            Error::Constraint { message: m() },
            Error::Busy { message: m() },
            Error::NotADatabase { message: m() },
            Error::Corrupt { message: m() },
            Error::ReadOnly { message: m() },
            Error::DiskFull { message: m() },
            Error::CannotOpen { message: m() },
            Error::SchemaTooNew {
                found: 40,
                supported: 34,
            },
            Error::SchemaOutdated {
                found: 20,
                expected: 34,
            },
            Error::NotMotus { reason: m() },
            Error::MigrationChanged {
                version: 1,
                name: m(),
                recorded: m(),
                expected: m(),
            },
            Error::MigrationFailed {
                version: 1,
                name: m(),
                source: Box::new(Error::Busy { message: m() }),
            },
            Error::InvalidMigration {
                file: m(),
                reason: m(),
            },
            Error::not_found("lease", "lease-x"),
            Error::invalid("ttl", "m"),
            Error::Sql { message: m() },
            Error::UnexpectedData { message: m() },
            Error::Unavailable { message: m() },
            Error::OutcomeUnknown { message: m() },
            Error::Unsupported { operation: m() },
        ]
    }

    #[test]
    fn every_core_error_has_a_listed_code_and_its_context_names_it() {
        let all = one_of_each();
        assert_eq!(
            all.len(),
            Error::ALL_CODES.len(),
            "one_of_each must name every variant"
        );
        for e in &all {
            assert!(
                is_known_code(e.code()),
                "{} is not in ERROR_CODES",
                e.code()
            );
            let v = serde_json::to_value(e).unwrap();
            assert_eq!(v["code"], e.code(), "serde tag and code() agree");
        }
        for c in Error::ALL_CODES {
            assert!(all.iter().any(|e| e.code() == *c), "{c} has no variant");
        }
        let a = ErrorAnswer::from(&Error::SchemaOutdated {
            found: 20,
            expected: 34,
        });
        assert_eq!(a.error.context.unwrap()["found"], 20);
        let mut seen = std::collections::HashSet::new();
        for (c, _) in ERROR_CODES {
            assert!(seen.insert(c), "{c} listed twice");
        }
    }

    #[test]
    fn docs_contract_lists_exactly_these_codes() {
        let doc = include_str!("../../../docs/contract.md");
        let table = doc
            .split("<!-- error-codes -->")
            .nth(1)
            .and_then(|t| t.split("<!-- /error-codes -->").next())
            .expect("docs/contract.md has the error-codes table");
        let listed: Vec<&str> = table
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let codes: Vec<&str> = ERROR_CODES.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            listed, codes,
            "docs/contract.md's error codes are ERROR_CODES, in order"
        );
    }

    #[test]
    fn error_messages_carry_no_command_line_hints() {
        for e in one_of_each() {
            let msg = e.to_string();
            assert!(!msg.contains("motus "), "{}: {msg}", e.code());
            assert!(!msg.contains("--db"), "{}: {msg}", e.code());
        }
    }
}

/// Hints belong to the CLI: no message core writes (an error's, a verdict's, a report's)
/// names a command line or a flag, because a JS or MCP caller has none; the CLI's hint adds
/// the `motus …` step and the flag. The exceptions are listed with their reason.
#[cfg(test)]
mod no_command_lines {
    use std::path::{Path, PathBuf};

    /// The binary's top-level commands: `motus <one of these>` is a command line.
    const COMMANDS: &[&str] = &[
        "db",
        "doctor",
        "work",
        "roadmap",
        "program",
        "product",
        "feature",
        "release",
        "cr",
        "bug",
        "standard",
        "charter",
        "deploy",
        "terminology",
        "userland",
        "pref",
        "skill",
        "rule",
        "pattern",
        "mcp",
        "prime",
        "view",
        "node",
        "help",
    ];

    /// Files whose text is only ever shown by the binary or the viewer, which advise the
    /// binary: the local-file tools' reports (`doctor [--fix]` runs only in the binary) and
    /// the viewer's notices (a page about a file, telling what to run on it).
    const ALLOWED_FILES: &[&str] = &[
        "file_tools/doctor.rs",
        "file_tools/repair.rs",
        "file_tools/browse.rs",
    ];

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

    /// `(line number, line)` of the command lines in `text`'s production code (before its
    /// `#[cfg(test)]`, comments and doc attributes left out), but a kernel verdict's
    /// `suggested_next_actions`: those are the kernel's advice, documented as command lines
    /// (docs/contract.md), and the CLI's and the API's answers carry the same.
    fn command_lines(text: &str) -> Vec<(usize, String)> {
        let lines: Vec<&str> = text
            .lines()
            .take_while(|l| l.trim() != "#[cfg(test)]")
            .collect();
        let mut out = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            if t.starts_with("//") || t.starts_with("#[doc") {
                continue;
            }
            let names_one = line.match_indices("motus ").any(|(at, _)| {
                let word: String = line[at + 6..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                    .collect();
                COMMANDS.contains(&word.as_str())
            });
            let advice = lines[n.saturating_sub(3)..=n]
                .iter()
                .any(|l| l.contains("with_actions(") || l.contains("suggested_next_actions"));
            let flags = flags_in(line);
            if (names_one || !flags.is_empty()) && !advice {
                out.push((n + 1, line.trim().to_string()));
            }
        }
        out
    }

    /// The command-line flags (`--intent`) a line names.
    fn flags_in(line: &str) -> Vec<String> {
        line.match_indices("--")
            .filter(|(at, _)| {
                let before = line[..*at].chars().next_back();
                let after = line[at + 2..].chars().next();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '-')
                    && after.is_some_and(|c| c.is_ascii_lowercase())
            })
            .map(|(at, _)| {
                let name: String = line[at + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                    .collect();
                format!("--{name}")
            })
            .collect()
    }

    /// Flags that may be named, where, and why: text only the binary shows.
    const ALLOWED_FLAGS: &[(&str, &str)] = &[
        // The by-path userland steps (extract, resolve a userland.db by its path) run only
        // in the binary; a host attaches the file instead, and its messages say so.
        ("userland/location.rs", "--userland"),
        ("userland/extract.rs", "--userland"),
        // ERROR_CODES' meanings of the binary's own codes (`exists`, `import_conflict`).
        ("answer/errors.rs", "--force"),
        ("answer/errors.rs", "--replace"),
        // A field's help names the CLI's flag that fills it (`charter add --file-path`).
        ("program/kinds.rs", "--file-path"),
    ];

    #[test]
    fn core_writes_no_command_line_in_its_messages() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut found = Vec::new();
        for f in &files {
            let rel = f
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            // Test modules in files of their own, and the listed exceptions.
            if rel.ends_with("/tests.rs") || ALLOWED_FILES.contains(&rel.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(f).unwrap();
            for (n, line) in command_lines(&text) {
                let flags = flags_in(&line);
                let allowed = !line.contains("motus ")
                    && !flags.is_empty()
                    && flags
                        .iter()
                        .all(|f| ALLOWED_FLAGS.contains(&(rel.as_str(), f.as_str())));
                if !allowed {
                    found.push(format!("core/src/{rel}:{n}: {line}"));
                }
            }
        }
        assert!(
            found.is_empty(),
            "core names a command line (say it in words, with the id in the error's fields; the CLI's hint in native/src/output.rs adds the command):\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn the_scan_finds_a_command_line_and_spares_advice() {
        let sample = "fn f() {\n    message: format!(\"run `motus db migrate`\"),\n    d.suggested_next_actions = vec![\n        \"motus work list\".into(),\n    ];\n    x(\"the motus binary\");\n    Error::invalid(\"intent\", \"say it (--intent TEXT)\");\n    \"a -- b, x--y\";\n}\n#[cfg(test)]\nmod tests { \"motus db init\" }\n";
        let hits: Vec<usize> = command_lines(sample).into_iter().map(|(n, _)| n).collect();
        assert_eq!(hits, [2, 7]);
        assert_eq!(
            flags_in("say it (--intent TEXT), or --dry-run"),
            ["--intent", "--dry-run"]
        );
    }
}
