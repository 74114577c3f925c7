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
