//! What can go wrong talking to a dqlite cluster.

/// SQLite result codes the client looks at (the node reports SQLite's extended codes).
pub mod sqlite_code {
    pub const ERROR: u64 = 1;
    pub const BUSY: u64 = 5;
    pub const LOCKED: u64 = 6;
    pub const READONLY: u64 = 8;
    pub const IOERR: u64 = 10;
    pub const CORRUPT: u64 = 11;
    pub const NOTFOUND: u64 = 12;
    pub const FULL: u64 = 13;
    pub const CANTOPEN: u64 = 14;
    pub const CONSTRAINT: u64 = 19;
    pub const NOTADB: u64 = 26;
    pub const CONSTRAINT_TRIGGER: u64 = CONSTRAINT | (7 << 8);
    /// dqlite: this node is not the leader (any more).
    pub const IOERR_NOT_LEADER: u64 = IOERR | (40 << 8);
    /// dqlite: leadership was lost while the request was in flight; a write's fate is
    /// unknown.
    pub const IOERR_LEADERSHIP_LOST: u64 = IOERR | (41 << 8);
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The TCP connection failed or broke (connect, read or write).
    #[error("connection to dqlite node {address} failed: {source}")]
    Io {
        address: String,
        #[source]
        source: std::io::Error,
    },
    /// The node sent bytes that are not the protocol we speak.
    #[error("dqlite protocol error: {message}")]
    Protocol { message: String },
    /// The node answered with a failure response (a SQLite or dqlite error code).
    #[error("{message} (dqlite/SQLite code {code})")]
    Server { code: u64, message: String },
    /// We did not send the statement: it would harm the cluster or cannot be expressed.
    #[error("refused before sending to the cluster: {message}")]
    Refused { message: String },
    /// A value or statement the protocol cannot carry.
    #[error("{message}")]
    InvalidInput { message: String },
    /// No node of the list knows a leader within the time allowed.
    #[error("no dqlite leader found among {addresses} within {waited_ms} ms ({last}); check that a majority of the nodes is running")]
    NoLeader {
        addresses: String,
        waited_ms: u128,
        last: String,
    },
}

impl ClientError {
    pub fn protocol(message: impl Into<String>) -> Self {
        ClientError::Protocol {
            message: message.into(),
        }
    }

    /// The SQLite (extended) result code of a server failure.
    pub fn code(&self) -> Option<u64> {
        match self {
            ClientError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The node we talked to is not (or no longer) the leader, or the connection is gone:
    /// find the leader again. For a statement that may have written, the outcome is
    /// unknown (see [`ClientError::outcome_unknown`]).
    pub fn needs_new_leader(&self) -> bool {
        match self {
            ClientError::Io { .. }
            | ClientError::Protocol { .. }
            | ClientError::NoLeader { .. } => true,
            ClientError::Server { code, .. } => {
                *code == sqlite_code::IOERR_NOT_LEADER
                    || *code == sqlite_code::IOERR_LEADERSHIP_LOST
            }
            _ => false,
        }
    }

    /// The database is locked by another writer (dqlite has no server-side busy wait).
    pub fn is_busy(&self) -> bool {
        matches!(
            self.code().map(|c| c & 0xff),
            Some(sqlite_code::BUSY) | Some(sqlite_code::LOCKED)
        )
    }
}
