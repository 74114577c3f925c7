//! A synchronous client of the dqlite wire protocol over std TCP, and a
//! [`motus_core::Connection`] on it ([`DqliteConnection`]), so every Motus operation runs
//! unchanged on a Raft-replicated dqlite cluster.
//!
//! - [`wire`]: message framing and the request/response bodies (unit-tested byte by byte).
//! - [`node`]: one TCP connection to one node.
//! - [`client`]: leader discovery and redirect, OPEN, EXEC_SQL/QUERY_SQL, PREPARE/EXEC/
//!   QUERY/FINALIZE, INTERRUPT, rows in batches, CLUSTER/ADD/ASSIGN/REMOVE/TRANSFER.
//! - [`guard`]: statements never sent (they crash dqlite 1.11 nodes).
//! - [`url`] parses `dqlite://HOST:PORT[,HOST:PORT…]/NAME`.
//! - [`testcluster`]: real nodes on loopback for tests.

pub mod client;
pub mod connection;
pub mod error;
pub mod guard;
pub mod node;
pub mod testcluster;
pub mod url;
pub mod wire;

pub use client::{CacheStats, Client, ClusterConfig, ExecResult, QueryResult, Statement};
pub use connection::DqliteConnection;
pub use error::{ClientError, Result};
pub use node::Timeouts;
pub use url::DqliteUrl;
pub use wire::{NodeInfo, Role, Value};
