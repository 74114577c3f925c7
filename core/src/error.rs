//! One flat error type for everything `core` does. Each variant carries the context a user
//! needs as fields (serialized as the error document's `context`), its message says what
//! happened, and [`Error::code`] is a stable name used for CLI exit codes, JSON output and
//! JavaScript `Error.code`. What to do next with the command line (`motus …`) is the
//! CLI's hint, not part of the message: other front ends have no command line.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Error {
    /// A rule enforced by the schema (a trigger's `RAISE`) refused the write.
    #[error("{message}")]
    KernelRule { message: String },

    /// A CHECK, UNIQUE, NOT NULL or FOREIGN KEY constraint refused the write.
    #[error("constraint failed: {message}")]
    Constraint { message: String },

    /// Another connection holds the lock for longer than we are willing to wait.
    #[error("database is busy ({message}); another process is writing")]
    Busy { message: String },

    /// The file is not a SQLite database at all.
    #[error("not a SQLite database ({message})")]
    NotADatabase { message: String },

    /// SQLite found damage in the file.
    #[error("database file is corrupt ({message})")]
    Corrupt { message: String },

    /// The file (or its directory) cannot be written.
    #[error("database is read-only ({message})")]
    ReadOnly { message: String },

    /// The disk is full; nothing was written.
    #[error("disk is full ({message}); nothing was written")]
    DiskFull { message: String },

    /// The file could not be opened or read.
    #[error("cannot open or read the database ({message})")]
    CannotOpen { message: String },

    /// The database was written by a newer Motus than this build knows.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew { found: i64, supported: i64 },

    /// The database needs migrations this command will not apply by itself.
    #[error("database schema version {found} is older than this build's {expected}")]
    SchemaOutdated { found: i64, expected: i64 },

    /// A SQLite file that is not a Motus coordination database.
    #[error("not a Motus coordination database: {reason}")]
    NotMotus { reason: String },

    /// An applied migration's checksum differs from the file this build carries.
    #[error("migration {version} ({name}) was applied with checksum {recorded}, but this build's file has {expected}; the migration changed after it was applied")]
    MigrationChanged {
        version: i64,
        name: String,
        recorded: String,
        expected: String,
    },

    /// A migration failed; its transaction was rolled back and the database is as it was.
    #[error("migration {version} ({name}) failed and was rolled back, the database is unchanged: {source}")]
    MigrationFailed {
        version: i64,
        name: String,
        source: Box<Error>,
    },

    /// A migration file is malformed.
    #[error("invalid migration file {file}: {reason}")]
    InvalidMigration { file: String, reason: String },

    /// Something named by the caller does not exist.
    #[error("{kind} not found: {id}")]
    NotFound { kind: String, id: String },

    /// The caller's input is malformed; the message says what is accepted.
    #[error("invalid {field}: {message}")]
    InvalidInput { field: String, message: String },

    /// Any other error the SQL engine (the driver) reported.
    #[error("SQLite error: {message}")]
    Sql { message: String },

    /// A statement ran, but its result is not what the schema promises: a missing row or
    /// column, or a value of the wrong type (a file edited by hand or by another tool).
    #[error("unexpected data in the database ({message})")]
    UnexpectedData { message: String },

    /// A networked backend (a dqlite cluster) has no reachable leader, or lost it before the
    /// write committed. Nothing was written; retrying is safe.
    #[error("the cluster is unavailable ({message}); nothing was written, retry once a majority of its nodes runs")]
    Unavailable { message: String },

    /// A networked backend lost the answer to a commit and could not learn whether it
    /// landed. Look before retrying.
    #[error("the outcome of the write is unknown: {message}")]
    OutcomeUnknown { message: String },

    /// The operation needs SQLite on a local file (a journal mode, a checkpoint, `ATTACH`)
    /// and this backend is not one. Nothing was sent.
    #[error("{operation} needs a local SQLite database file; this database is not one, and nothing was sent to it")]
    Unsupported { operation: String },
}

impl Error {
    /// A stable machine-readable name for the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::KernelRule { .. } => "kernel_rule",
            Error::Constraint { .. } => "constraint",
            Error::Busy { .. } => "busy",
            Error::NotADatabase { .. } => "not_a_database",
            Error::Corrupt { .. } => "corrupt",
            Error::ReadOnly { .. } => "read_only",
            Error::DiskFull { .. } => "disk_full",
            Error::CannotOpen { .. } => "cannot_open",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::SchemaOutdated { .. } => "schema_outdated",
            Error::NotMotus { .. } => "not_motus",
            Error::MigrationChanged { .. } => "migration_changed",
            Error::MigrationFailed { .. } => "migration_failed",
            Error::InvalidMigration { .. } => "invalid_migration",
            Error::NotFound { .. } => "not_found",
            Error::InvalidInput { .. } => "invalid_input",
            Error::Sql { .. } => "sql",
            Error::UnexpectedData { .. } => "unexpected_data",
            Error::Unavailable { .. } => "unavailable",
            Error::OutcomeUnknown { .. } => "outcome_unknown",
            Error::Unsupported { .. } => "unsupported",
        }
    }

    /// The error at the root of a migration failure (or this one).
    pub fn root(&self) -> &Error {
        match self {
            Error::MigrationFailed { source, .. } => source.root(),
            other => other,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn not_found(kind: impl Into<String>, id: impl Into<String>) -> Self {
        Error::NotFound {
            kind: kind.into(),
            id: id.into(),
        }
    }

    /// Every code, for documentation and contract tests.
    pub const ALL_CODES: &'static [&'static str] = &[
        "kernel_rule",
        "constraint",
        "busy",
        "not_a_database",
        "corrupt",
        "read_only",
        "disk_full",
        "cannot_open",
        "schema_too_new",
        "schema_outdated",
        "not_motus",
        "migration_changed",
        "migration_failed",
        "invalid_migration",
        "not_found",
        "invalid_input",
        "sql",
        "unexpected_data",
        "unavailable",
        "outcome_unknown",
        "unsupported",
    ];
}
