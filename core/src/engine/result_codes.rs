//! SQLite result codes onto core's error kinds: the one mapping every backend uses
//! (rusqlite's `SqliteFailure`, a JS driver's `code`/`errcode`, a dqlite server's failure
//! code), so the same failure has the same kind everywhere. The numbers are SQLite's ABI.

use crate::error::Error;

pub const ERROR: i32 = 1;
pub const BUSY: i32 = 5;
pub const LOCKED: i32 = 6;
pub const READONLY: i32 = 8;
pub const IOERR: i32 = 10;
pub const CORRUPT: i32 = 11;
pub const FULL: i32 = 13;
pub const CANTOPEN: i32 = 14;
pub const CONSTRAINT: i32 = 19;
pub const NOTADB: i32 = 26;
/// `SQLITE_IOERR_SHORT_READ`: the file ends before a page it claims to hold.
pub const IOERR_SHORT_READ: i32 = IOERR | (2 << 8);
/// `SQLITE_CONSTRAINT_TRIGGER`: a trigger's `RAISE(ABORT, …)`, how the schema states its rules.
pub const CONSTRAINT_TRIGGER: i32 = CONSTRAINT | (7 << 8);

/// The primary result code of an extended one (`SQLITE_BUSY_SNAPSHOT` → `SQLITE_BUSY`).
pub fn primary(code: i32) -> i32 {
    code & 0xff
}

/// The error kind for a failed statement's (extended or primary) result code and SQLite's
/// message. A trigger's message is kept verbatim: it is the rule's text.
pub fn error_for(code: i32, message: String) -> Error {
    if code == CONSTRAINT_TRIGGER {
        return Error::KernelRule { message };
    }
    if code == IOERR_SHORT_READ {
        return Error::Corrupt { message };
    }
    match primary(code) {
        CONSTRAINT => Error::Constraint { message },
        BUSY | LOCKED => Error::Busy { message },
        NOTADB => Error::NotADatabase { message },
        CORRUPT => Error::Corrupt { message },
        READONLY => Error::ReadOnly { message },
        FULL => Error::DiskFull { message },
        CANTOPEN => Error::CannotOpen { message },
        _ => Error::Sql { message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_linked_sqlite() {
        use rusqlite::ffi;
        for (ours, theirs) in [
            (BUSY, ffi::SQLITE_BUSY),
            (LOCKED, ffi::SQLITE_LOCKED),
            (READONLY, ffi::SQLITE_READONLY),
            (CORRUPT, ffi::SQLITE_CORRUPT),
            (FULL, ffi::SQLITE_FULL),
            (CANTOPEN, ffi::SQLITE_CANTOPEN),
            (CONSTRAINT, ffi::SQLITE_CONSTRAINT),
            (NOTADB, ffi::SQLITE_NOTADB),
            (IOERR_SHORT_READ, ffi::SQLITE_IOERR_SHORT_READ),
            (CONSTRAINT_TRIGGER, ffi::SQLITE_CONSTRAINT_TRIGGER),
        ] {
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn extended_codes_fall_back_to_their_primary_kind() {
        let kind = |code| error_for(code, "m".into()).code();
        assert_eq!(kind(CONSTRAINT_TRIGGER), "kernel_rule");
        assert_eq!(kind(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE), "constraint");
        assert_eq!(kind(rusqlite::ffi::SQLITE_BUSY_SNAPSHOT), "busy");
        assert_eq!(kind(rusqlite::ffi::SQLITE_LOCKED_SHAREDCACHE), "busy");
        assert_eq!(kind(rusqlite::ffi::SQLITE_READONLY_DBMOVED), "read_only");
        assert_eq!(kind(IOERR_SHORT_READ), "corrupt");
        assert_eq!(kind(rusqlite::ffi::SQLITE_IOERR_WRITE), "sql");
        assert_eq!(kind(ERROR), "sql");
    }
}
