//! Errors a host's SQLite driver throws, mapped onto core's error kinds by SQLite result
//! code: the driver's code name (better-sqlite3's `SqliteError.code`, e.g.
//! `SQLITE_CONSTRAINT_TRIGGER`) or number (`node:sqlite`'s `errcode`) becomes a SQLite
//! extended result code, and core's one mapping (`motus_core::engine::result_codes`, the
//! same rusqlite's errors go through) decides the kind. No driver type is involved.

use motus_core::Error;

/// SQLite's result codes (primary and extended) by name. These numbers are SQLite's ABI.
const RESULT_CODES: &[(&str, i32)] = &[
    ("SQLITE_OK", 0),
    ("SQLITE_ERROR", 1),
    ("SQLITE_INTERNAL", 2),
    ("SQLITE_PERM", 3),
    ("SQLITE_ABORT", 4),
    ("SQLITE_BUSY", 5),
    ("SQLITE_LOCKED", 6),
    ("SQLITE_NOMEM", 7),
    ("SQLITE_READONLY", 8),
    ("SQLITE_INTERRUPT", 9),
    ("SQLITE_IOERR", 10),
    ("SQLITE_CORRUPT", 11),
    ("SQLITE_NOTFOUND", 12),
    ("SQLITE_FULL", 13),
    ("SQLITE_CANTOPEN", 14),
    ("SQLITE_PROTOCOL", 15),
    ("SQLITE_EMPTY", 16),
    ("SQLITE_SCHEMA", 17),
    ("SQLITE_TOOBIG", 18),
    ("SQLITE_CONSTRAINT", 19),
    ("SQLITE_MISMATCH", 20),
    ("SQLITE_MISUSE", 21),
    ("SQLITE_NOLFS", 22),
    ("SQLITE_AUTH", 23),
    ("SQLITE_FORMAT", 24),
    ("SQLITE_RANGE", 25),
    ("SQLITE_NOTADB", 26),
    ("SQLITE_NOTICE", 27),
    ("SQLITE_WARNING", 28),
    ("SQLITE_ROW", 100),
    ("SQLITE_DONE", 101),
    ("SQLITE_ERROR_MISSING_COLLSEQ", 257),
    ("SQLITE_ERROR_RETRY", 513),
    ("SQLITE_ERROR_SNAPSHOT", 769),
    ("SQLITE_ERROR_RESERVESIZE", 1025),
    ("SQLITE_ERROR_KEY", 1281),
    ("SQLITE_ERROR_UNABLE", 1537),
    ("SQLITE_IOERR_READ", 266),
    ("SQLITE_IOERR_SHORT_READ", 522),
    ("SQLITE_IOERR_WRITE", 778),
    ("SQLITE_IOERR_FSYNC", 1034),
    ("SQLITE_IOERR_DIR_FSYNC", 1290),
    ("SQLITE_IOERR_TRUNCATE", 1546),
    ("SQLITE_IOERR_FSTAT", 1802),
    ("SQLITE_IOERR_UNLOCK", 2058),
    ("SQLITE_IOERR_RDLOCK", 2314),
    ("SQLITE_IOERR_DELETE", 2570),
    ("SQLITE_IOERR_BLOCKED", 2826),
    ("SQLITE_IOERR_NOMEM", 3082),
    ("SQLITE_IOERR_ACCESS", 3338),
    ("SQLITE_IOERR_CHECKRESERVEDLOCK", 3594),
    ("SQLITE_IOERR_LOCK", 3850),
    ("SQLITE_IOERR_CLOSE", 4106),
    ("SQLITE_IOERR_DIR_CLOSE", 4362),
    ("SQLITE_IOERR_SHMOPEN", 4618),
    ("SQLITE_IOERR_SHMSIZE", 4874),
    ("SQLITE_IOERR_SHMLOCK", 5130),
    ("SQLITE_IOERR_SHMMAP", 5386),
    ("SQLITE_IOERR_SEEK", 5642),
    ("SQLITE_IOERR_DELETE_NOENT", 5898),
    ("SQLITE_IOERR_MMAP", 6154),
    ("SQLITE_IOERR_GETTEMPPATH", 6410),
    ("SQLITE_IOERR_CONVPATH", 6666),
    ("SQLITE_IOERR_VNODE", 6922),
    ("SQLITE_IOERR_AUTH", 7178),
    ("SQLITE_IOERR_BEGIN_ATOMIC", 7434),
    ("SQLITE_IOERR_COMMIT_ATOMIC", 7690),
    ("SQLITE_IOERR_ROLLBACK_ATOMIC", 7946),
    ("SQLITE_IOERR_DATA", 8202),
    ("SQLITE_IOERR_CORRUPTFS", 8458),
    ("SQLITE_IOERR_IN_PAGE", 8714),
    ("SQLITE_IOERR_BADKEY", 8970),
    ("SQLITE_IOERR_CODEC", 9226),
    ("SQLITE_LOCKED_SHAREDCACHE", 262),
    ("SQLITE_LOCKED_VTAB", 518),
    ("SQLITE_BUSY_RECOVERY", 261),
    ("SQLITE_BUSY_SNAPSHOT", 517),
    ("SQLITE_BUSY_TIMEOUT", 773),
    ("SQLITE_CANTOPEN_NOTEMPDIR", 270),
    ("SQLITE_CANTOPEN_ISDIR", 526),
    ("SQLITE_CANTOPEN_FULLPATH", 782),
    ("SQLITE_CANTOPEN_CONVPATH", 1038),
    ("SQLITE_CANTOPEN_DIRTYWAL", 1294),
    ("SQLITE_CANTOPEN_SYMLINK", 1550),
    ("SQLITE_CORRUPT_VTAB", 267),
    ("SQLITE_CORRUPT_SEQUENCE", 523),
    ("SQLITE_CORRUPT_INDEX", 779),
    ("SQLITE_READONLY_RECOVERY", 264),
    ("SQLITE_READONLY_CANTLOCK", 520),
    ("SQLITE_READONLY_ROLLBACK", 776),
    ("SQLITE_READONLY_DBMOVED", 1032),
    ("SQLITE_READONLY_CANTINIT", 1288),
    ("SQLITE_READONLY_DIRECTORY", 1544),
    ("SQLITE_ABORT_ROLLBACK", 516),
    ("SQLITE_CONSTRAINT_CHECK", 275),
    ("SQLITE_CONSTRAINT_COMMITHOOK", 531),
    ("SQLITE_CONSTRAINT_FOREIGNKEY", 787),
    ("SQLITE_CONSTRAINT_FUNCTION", 1043),
    ("SQLITE_CONSTRAINT_NOTNULL", 1299),
    ("SQLITE_CONSTRAINT_PRIMARYKEY", 1555),
    ("SQLITE_CONSTRAINT_TRIGGER", 1811),
    ("SQLITE_CONSTRAINT_UNIQUE", 2067),
    ("SQLITE_CONSTRAINT_VTAB", 2323),
    ("SQLITE_CONSTRAINT_ROWID", 2579),
    ("SQLITE_CONSTRAINT_PINNED", 2835),
    ("SQLITE_CONSTRAINT_DATATYPE", 3091),
    ("SQLITE_NOTICE_RECOVER_WAL", 283),
    ("SQLITE_NOTICE_RECOVER_ROLLBACK", 539),
    ("SQLITE_NOTICE_RBU", 795),
    ("SQLITE_WARNING_AUTOINDEX", 284),
    ("SQLITE_AUTH_USER", 279),
];

/// The numeric result code for a driver's code name. An unknown extended name falls back to
/// its primary code (`SQLITE_BUSY_SOMETHING_NEW` → `SQLITE_BUSY`).
pub fn result_code_for_name(name: &str) -> Option<i32> {
    let lookup = |n: &str| {
        RESULT_CODES
            .iter()
            .find(|(known, _)| *known == n)
            .map(|(_, c)| *c)
    };
    lookup(name).or_else(|| {
        let rest = name.strip_prefix("SQLITE_")?;
        let primary = rest.split('_').next()?;
        lookup(&format!("SQLITE_{primary}"))
    })
}

/// What a host reported about a failed call.
#[derive(Debug, Clone, PartialEq)]
pub struct HostFailure {
    /// The driver's code name, when it gave one (`SQLITE_BUSY`).
    pub code_name: Option<String>,
    /// The driver's numeric result code, when it gave one.
    pub code_number: Option<i32>,
    /// The error's message.
    pub message: String,
}

/// Maps a host failure onto a core error, through core's result-code mapping.
pub fn map_host_failure(failure: &HostFailure) -> Error {
    let code = failure
        .code_number
        .or_else(|| failure.code_name.as_deref().and_then(result_code_for_name));
    match code {
        Some(code) if code != 0 => {
            motus_core::engine::result_codes::error_for(code, failure.message.clone())
        }
        // Not a SQLite error at all (a bug or a TypeError in the host's code).
        _ => Error::Sql {
            message: failure.message.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(name: &str, message: &str) -> HostFailure {
        HostFailure {
            code_name: Some(name.into()),
            code_number: None,
            message: message.into(),
        }
    }

    #[test]
    fn every_named_code_maps_like_rusqlite() {
        for (name, number) in RESULT_CODES.iter().filter(|(_, n)| *n != 0) {
            let by_name = map_host_failure(&failure(name, "m"));
            let by_rusqlite = motus_core::sqlite::map_error(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(*number),
                Some("m".into()),
            ));
            assert_eq!(by_name, by_rusqlite, "{name}");
        }
    }

    #[test]
    fn names_match_the_native_sqlite_numbers() {
        use rusqlite::ffi;
        for (name, want) in [
            ("SQLITE_CONSTRAINT_TRIGGER", ffi::SQLITE_CONSTRAINT_TRIGGER),
            ("SQLITE_CONSTRAINT_UNIQUE", ffi::SQLITE_CONSTRAINT_UNIQUE),
            ("SQLITE_BUSY_SNAPSHOT", ffi::SQLITE_BUSY_SNAPSHOT),
            ("SQLITE_IOERR_SHORT_READ", ffi::SQLITE_IOERR_SHORT_READ),
            ("SQLITE_READONLY_DBMOVED", ffi::SQLITE_READONLY_DBMOVED),
            ("SQLITE_CANTOPEN_ISDIR", ffi::SQLITE_CANTOPEN_ISDIR),
            ("SQLITE_NOTADB", ffi::SQLITE_NOTADB),
            ("SQLITE_FULL", ffi::SQLITE_FULL),
        ] {
            assert_eq!(result_code_for_name(name), Some(want), "{name}");
        }
    }

    #[test]
    fn the_kinds_a_driver_reports() {
        let code = |name: &str| map_host_failure(&failure(name, "x")).code();
        assert_eq!(code("SQLITE_CONSTRAINT_TRIGGER"), "kernel_rule");
        assert_eq!(code("SQLITE_CONSTRAINT_UNIQUE"), "constraint");
        assert_eq!(code("SQLITE_CONSTRAINT"), "constraint");
        assert_eq!(code("SQLITE_BUSY"), "busy");
        assert_eq!(code("SQLITE_LOCKED_SHAREDCACHE"), "busy");
        assert_eq!(code("SQLITE_NOTADB"), "not_a_database");
        assert_eq!(code("SQLITE_CORRUPT"), "corrupt");
        assert_eq!(code("SQLITE_IOERR_SHORT_READ"), "corrupt");
        assert_eq!(code("SQLITE_IOERR_WRITE"), "sql");
        assert_eq!(code("SQLITE_READONLY"), "read_only");
        assert_eq!(code("SQLITE_FULL"), "disk_full");
        assert_eq!(code("SQLITE_CANTOPEN"), "cannot_open");
        assert_eq!(code("SQLITE_ERROR"), "sql");
        assert_eq!(code("SQLITE_BUSY_FROM_THE_FUTURE"), "busy");
        assert_eq!(code("ERR_INVALID_ARG_TYPE"), "sql");
    }

    #[test]
    fn a_trigger_message_is_kept_verbatim() {
        let e = map_host_failure(&failure(
            "SQLITE_CONSTRAINT_TRIGGER",
            "decisions are append-only",
        ));
        assert_eq!(e.to_string(), "decisions are append-only");
    }

    #[test]
    fn a_numeric_code_wins_over_a_name() {
        let e = map_host_failure(&HostFailure {
            code_name: Some("ERR_SQLITE_ERROR".into()),
            code_number: Some(5),
            message: "database is locked".into(),
        });
        assert_eq!(e.code(), "busy");
    }
}
