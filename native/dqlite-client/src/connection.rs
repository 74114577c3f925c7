//! [`motus_core::Connection`] on a dqlite cluster, so every Motus operation runs unchanged
//! on it.
//!
//! - **The leader serves everything.** The connection finds it through any listed node and
//!   finds it again when it changes (before a transaction starts, never in the middle of
//!   one: a transaction lives on one leader's connection).
//! - **No server-side busy wait.** A second writer's `BEGIN IMMEDIATE` is refused at once
//!   (`database is locked`), so [`Connection::begin_write`] retries with a short, jittered
//!   back-off for up to the busy limit.
//! - **Every commit is certain.** A leader that dies after the Raft commit but before it
//!   answers leaves the client unsure. Each write transaction therefore records a random
//!   marker in the same commit: a row `motus-tx:<id>` in `sqlite_stat1`, the table where
//!   `ANALYZE` keeps planner statistics by table name. SQLite ignores rows that name no
//!   table, and every Motus listing, export, content hash and schema check skips `sqlite_*`
//!   tables, so the markers change nothing anyone reads (a dedicated table would show up
//!   in exports, comparisons and the schema check). When the commit
//!   answer is lost, the connection reconnects to the leader, takes the write lock (so the
//!   lost transaction has ended one way or the other), and reads the marker back: there,
//!   the commit landed and the caller gets its result; absent, nothing was written and the
//!   caller gets [`Error::Unavailable`], safe to retry. A retry therefore never doubles a
//!   claim. Autocommit writes outside a transaction are wrapped in one for the same reason.
//! - **Statements are prepared once per connection.** `execute` and `query` go through the
//!   client's statement cache (PREPARE the first time, then EXEC/QUERY by id), so the
//!   leader does not parse and plan the same SQL on every call. The cache belongs to one
//!   leader connection: a reconnect starts an empty one, so no id is ever sent to a node
//!   that did not prepare it (the client also refuses any id it has finalized).

use crate::client::{CacheStats, Client, ClusterConfig, DEFAULT_CACHE_CAPACITY};
use crate::error::{sqlite_code, ClientError};
use crate::url::DqliteUrl;
use crate::wire;
use motus_core::{Connection, Error, Result, Rows, Value};
use std::cell::RefCell;
use std::time::{Duration, Instant};

/// Markers kept in `sqlite_stat1`; older ones are pruned now and then. An uncertain
/// commit is resolved within seconds, long before 20 000 later commits.
const MARKERS_KEPT: i64 = 20_000;
const MARKER_PREFIX: &str = "motus-tx:";

pub fn map_error(e: ClientError) -> Error {
    match e {
        ClientError::Server { code, message } => {
            if code == sqlite_code::CONSTRAINT_TRIGGER {
                return Error::KernelRule { message };
            }
            if code == sqlite_code::IOERR_NOT_LEADER || code == sqlite_code::IOERR_LEADERSHIP_LOST {
                return Error::Unavailable {
                    message: format!(
                        "the node lost its leadership ({message}); nothing was written"
                    ),
                };
            }
            match code & 0xff {
                sqlite_code::CONSTRAINT => Error::Constraint { message },
                sqlite_code::BUSY | sqlite_code::LOCKED => Error::Busy { message },
                sqlite_code::NOTADB => Error::NotADatabase { message },
                sqlite_code::CORRUPT => Error::Corrupt { message },
                sqlite_code::READONLY => Error::ReadOnly { message },
                sqlite_code::FULL => Error::DiskFull { message },
                sqlite_code::CANTOPEN => Error::CannotOpen { message },
                _ => Error::Sql { message },
            }
        }
        ClientError::InvalidInput { message } => Error::InvalidInput {
            field: "value".into(),
            message,
        },
        ClientError::Refused { message } => Error::Sql {
            message: format!("refused before sending to the cluster: {message}"),
        },
        e @ (ClientError::Io { .. }
        | ClientError::Protocol { .. }
        | ClientError::NoLeader { .. }) => Error::Unavailable {
            message: e.to_string(),
        },
    }
}

fn to_wire(v: &Value) -> wire::Value {
    match v {
        Value::Null => wire::Value::Null,
        Value::Integer(i) => wire::Value::Integer(*i),
        Value::Real(f) => wire::Value::Real(*f),
        Value::Text(s) => wire::Value::Text(s.clone()),
        Value::Blob(b) => wire::Value::Blob(b.clone()),
    }
}

fn from_wire(v: wire::Value) -> Value {
    match v {
        wire::Value::Null => Value::Null,
        wire::Value::Integer(i) => Value::Integer(i),
        wire::Value::Real(f) => Value::Real(f),
        wire::Value::Text(s) => Value::Text(s),
        wire::Value::Blob(b) => Value::Blob(b),
    }
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the OS random source is available");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Tx {
    None,
    Read,
    /// A write transaction and the marker its commit records.
    Write {
        marker: String,
    },
    /// The connection broke inside a transaction: the node rolled it back. Statements
    /// fail until the caller rolls back.
    Broken,
}

struct State {
    client: Option<Client>,
    tx: Tx,
    /// `sqlite_stat1` exists (the first marked commit creates it with `ANALYZE sqlite_master`,
    /// which writes no statistics row).
    has_stat1: bool,
    commits: u64,
    /// The statement cache's figures of connections already dropped (reconnects).
    past_cache: CacheStats,
}

impl State {
    /// Drops the leader connection (and with it its prepared statements, which the node
    /// finalizes when the connection closes); the next call finds the leader again.
    fn drop_client(&mut self) {
        if let Some(c) = self.client.take() {
            let s = c.cache_stats();
            self.past_cache.hits += s.hits;
            self.past_cache.prepared += s.prepared;
            self.past_cache.evicted += s.evicted;
        }
    }
}

/// How long to wait for things the cluster does not queue for us.
#[derive(Debug, Clone, Copy)]
pub struct Waits {
    /// For the write lock (`BEGIN IMMEDIATE` refused as busy).
    pub busy: Duration,
    /// To resolve an uncertain commit (a new leader must be elected and answer).
    pub resolve: Duration,
}

impl Default for Waits {
    fn default() -> Self {
        Waits {
            busy: Duration::from_secs(30),
            resolve: Duration::from_secs(30),
        }
    }
}

pub struct DqliteConnection {
    url: DqliteUrl,
    config: ClusterConfig,
    read_only: bool,
    waits: Waits,
    cache_capacity: usize,
    state: RefCell<State>,
}

impl DqliteConnection {
    /// Connects to the cluster's leader and opens the named database (created on first
    /// use). `read_only` sets `query_only` on the leader's connection.
    pub fn open(url: &DqliteUrl, read_only: bool) -> Result<DqliteConnection> {
        let conn = DqliteConnection {
            url: url.clone(),
            config: ClusterConfig::new(url.addresses.clone()),
            read_only,
            waits: Waits::default(),
            cache_capacity: DEFAULT_CACHE_CAPACITY,
            state: RefCell::new(State {
                client: None,
                tx: Tx::None,
                has_stat1: false,
                commits: 0,
                past_cache: CacheStats::default(),
            }),
        };
        conn.with_client(|_| Ok(()))?;
        Ok(conn)
    }

    pub fn with_waits(mut self, waits: Waits) -> Self {
        self.waits = waits;
        self
    }

    /// How many statements each leader connection keeps prepared (0: none; for
    /// measuring the cache). Applies from the next connection.
    pub fn with_statement_cache(mut self, capacity: usize) -> Self {
        self.cache_capacity = capacity;
        if let Some(c) = self.state.get_mut().client.as_mut() {
            let _ = c.set_cache_capacity(capacity);
        }
        self
    }

    /// The statement cache's figures over this connection's life (every leader
    /// connection it has had).
    pub fn statement_cache_stats(&self) -> CacheStats {
        let st = self.state.borrow();
        let now = st
            .client
            .as_ref()
            .map(|c| c.cache_stats())
            .unwrap_or_default();
        CacheStats {
            hits: st.past_cache.hits + now.hits,
            prepared: st.past_cache.prepared + now.prepared,
            evicted: st.past_cache.evicted + now.evicted,
        }
    }

    pub fn url(&self) -> &DqliteUrl {
        &self.url
    }

    /// The address of the leader this connection talks to now.
    pub fn leader_address(&self) -> Option<String> {
        self.state
            .borrow()
            .client
            .as_ref()
            .map(|c| c.address().to_owned())
    }

    fn connect(&self) -> Result<Client> {
        let mut client = Client::connect_leader(&self.config).map_err(map_error)?;
        client
            .set_cache_capacity(self.cache_capacity)
            .map_err(map_error)?;
        client.open(&self.url.name).map_err(map_error)?;
        let mut pragmas = String::from("PRAGMA foreign_keys = ON;");
        if self.read_only {
            pragmas.push_str(" PRAGMA query_only = ON;");
        }
        client.exec_script(&pragmas).map_err(map_error)?;
        Ok(client)
    }

    /// Runs `f` on the live client, connecting first when there is none. A broken
    /// connection is dropped so the next call finds the leader again.
    fn with_client<T>(
        &self,
        f: impl FnOnce(&mut Client) -> std::result::Result<T, ClientError>,
    ) -> Result<T> {
        let mut st = self.state.borrow_mut();
        if st.tx == Tx::Broken {
            return Err(Error::Unavailable {
                message: "the connection to the leader broke during this transaction, so the node rolled it back; nothing was written".into(),
            });
        }
        if st.client.is_none() {
            st.client = Some(self.connect()?);
        }
        let outcome = f(st.client.as_mut().expect("connected above"));
        match outcome {
            Ok(v) => Ok(v),
            Err(e) => {
                if e.needs_new_leader() {
                    st.drop_client();
                    if st.tx != Tx::None {
                        st.tx = Tx::Broken;
                    }
                }
                Err(map_error(e))
            }
        }
    }

    fn in_tx(&self) -> bool {
        self.state.borrow().tx != Tx::None
    }

    /// Runs a read outside a transaction; one transparent retry on a new leader (reads
    /// are safe to repeat).
    fn read_once_or_twice<T>(
        &self,
        f: &dyn Fn(&mut Client) -> std::result::Result<T, ClientError>,
    ) -> Result<T> {
        match self.with_client(f) {
            Err(Error::Unavailable { .. }) if !self.in_tx() => self.with_client(f),
            other => other,
        }
    }

    /// Runs a write outside a transaction inside one of ours, so its commit is certain.
    fn autocommit<T>(&self, f: impl FnOnce(&Self) -> Result<T>) -> Result<T> {
        motus_core::connection::write_tx(self, |c| f(c))
    }

    fn sleep_jittered(pause: Duration) {
        let mut b = [0u8; 1];
        let _ = getrandom::fill(&mut b);
        let jitter = pause.as_micros() as u64 * b[0] as u64 / 512;
        std::thread::sleep(pause + Duration::from_micros(jitter));
    }

    /// Takes the write lock on the current leader, reconnecting while the leader changes
    /// and backing off while another writer holds it.
    fn begin_immediate(&self) -> Result<()> {
        let started = Instant::now();
        let mut pause = Duration::from_micros(500);
        let mut reconnects = 0;
        loop {
            match self.with_client(|c| c.exec_script("BEGIN IMMEDIATE")) {
                Ok(_) => return Ok(()),
                Err(Error::Busy { message }) => {
                    if started.elapsed() >= self.waits.busy {
                        return Err(Error::Busy {
                            message: format!(
                                "{message}; the cluster's write lock stayed taken for {} s",
                                self.waits.busy.as_secs()
                            ),
                        });
                    }
                    Self::sleep_jittered(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                // Nothing was sent that could write: find the leader again (the search
                // itself waits for an election).
                Err(Error::Unavailable { message }) => {
                    reconnects += 1;
                    if reconnects > 3 {
                        return Err(Error::Unavailable { message });
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn stat1_exists(&self) -> Result<bool> {
        if self.state.borrow().has_stat1 {
            return Ok(true);
        }
        let rows = self.with_client(|c| {
            c.query(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
                &[],
            )
        })?;
        let has = !rows.rows.is_empty();
        self.state.borrow_mut().has_stat1 = has;
        Ok(has)
    }

    fn commit_write(&self, marker: String) -> Result<()> {
        let has_stat1 = self.stat1_exists()?;
        let commits = {
            let mut st = self.state.borrow_mut();
            st.commits += 1;
            st.commits
        };
        let mut script = String::new();
        if !has_stat1 {
            script.push_str("ANALYZE sqlite_master; ");
        } else if commits % 64 == 1 {
            script.push_str(&format!(
                "DELETE FROM sqlite_stat1 WHERE tbl GLOB '{MARKER_PREFIX}*' AND rowid <= (SELECT max(rowid) FROM sqlite_stat1) - {MARKERS_KEPT}; "
            ));
        }
        script.push_str(&format!(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('{MARKER_PREFIX}{marker}', NULL, '0'); COMMIT"
        ));
        let outcome = {
            let mut st = self.state.borrow_mut();
            let client = st.client.as_mut().expect("a transaction has a client");
            client.exec_script(&script)
        };
        match outcome {
            Ok(_) => {
                let mut st = self.state.borrow_mut();
                st.tx = Tx::None;
                st.has_stat1 = true;
                Ok(())
            }
            // A definite answer: the transaction is still open (for example a deferred
            // foreign key) and the caller rolls it back.
            Err(e) if !e.needs_new_leader() => Err(map_error(e)),
            Err(e) => {
                {
                    let mut st = self.state.borrow_mut();
                    st.drop_client();
                    st.tx = Tx::None;
                }
                match self.resolve(&marker) {
                    Ok(true) => Ok(()),
                    Ok(false) => Err(Error::Unavailable {
                        message: format!("the leader was lost before the commit landed ({e}); nothing was written"),
                    }),
                    Err(why) => Err(Error::OutcomeUnknown {
                        message: format!("the leader stopped answering during the commit ({e}) and the cluster did not say within {} s whether it landed ({why}); look before retrying (transaction marker {MARKER_PREFIX}{marker})", self.waits.resolve.as_secs()),
                    }),
                }
            }
        }
    }

    /// Whether the transaction that recorded `marker` committed: asked of the leader
    /// under the write lock, so the lost transaction has finished one way or the other.
    fn resolve(&self, marker: &str) -> Result<bool> {
        let started = Instant::now();
        let mut last = None;
        while started.elapsed() < self.waits.resolve {
            let attempt = (|| {
                self.begin_immediate()?;
                let found = self.with_client(|c| {
                    // No sqlite_stat1: the marked commit (which creates it) never landed.
                    let t = c.query(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
                        &[],
                    )?;
                    if t.rows.is_empty() {
                        return Ok(t);
                    }
                    c.query(
                        "SELECT 1 FROM sqlite_stat1 WHERE tbl = ?",
                        &[wire::Value::Text(format!("{MARKER_PREFIX}{marker}"))],
                    )
                });
                let _ = self.with_client(|c| c.exec_script("ROLLBACK"));
                let mut st = self.state.borrow_mut();
                if st.tx == Tx::Broken {
                    st.drop_client();
                }
                st.tx = Tx::None;
                found.map(|r| !r.rows.is_empty())
            })();
            match attempt {
                Ok(found) => return Ok(found),
                Err(e @ Error::Unavailable { .. }) => {
                    last = Some(e);
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(Error::Unavailable {
            message: "no leader answered".into(),
        }))
    }

    fn first_keyword(sql: &str) -> String {
        let mut s = sql.trim_start();
        // Skip leading comments.
        loop {
            if let Some(rest) = s.strip_prefix("--") {
                s = rest.split_once('\n').map_or("", |x| x.1).trim_start();
            } else if let Some(rest) = s.strip_prefix("/*") {
                s = rest.split_once("*/").map_or("", |x| x.1).trim_start();
            } else {
                break;
            }
        }
        s.chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_uppercase()
    }

    /// Statements that never write data (or must not run inside a transaction).
    fn runs_as_is(sql: &str) -> bool {
        matches!(
            Self::first_keyword(sql).as_str(),
            "SELECT" | "VALUES" | "EXPLAIN" | "PRAGMA" | "ANALYZE" | "VACUUM" | "ATTACH" | "DETACH"
        )
    }
}

impl Connection for DqliteConnection {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        if !self.in_tx() && !Self::runs_as_is(sql) {
            return self.autocommit(|c| c.execute(sql, params));
        }
        let params: Vec<wire::Value> = params.iter().map(to_wire).collect();
        self.with_client(|c| c.exec_cached(sql, &params))
            .map(|r| r.rows_affected as usize)
    }

    fn query(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        let params: Vec<wire::Value> = params.iter().map(to_wire).collect();
        let q = self.read_once_or_twice(&|c| c.query_cached(sql, &params))?;
        Ok(Rows {
            columns: q.columns,
            rows: q
                .rows
                .into_iter()
                .map(|r| r.into_iter().map(from_wire).collect())
                .collect(),
        })
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        match Self::first_keyword(sql).as_str() {
            "BEGIN"
                if sql.to_ascii_uppercase().contains("IMMEDIATE")
                    || sql.to_ascii_uppercase().contains("EXCLUSIVE") =>
            {
                return self.begin_write()
            }
            "BEGIN" => return self.begin_read(),
            "COMMIT" | "END" => return self.commit(),
            "ROLLBACK" => return self.rollback(),
            _ => {}
        }
        if !self.in_tx() && !Self::runs_as_is(sql) {
            return self.autocommit(|c| c.execute_batch(sql));
        }
        self.with_client(|c| c.exec_script(sql)).map(|_| ())
    }

    fn begin_write(&self) -> Result<()> {
        if self.in_tx() {
            return Err(Error::Sql {
                message: "cannot start a transaction within a transaction".into(),
            });
        }
        self.begin_immediate()?;
        self.state.borrow_mut().tx = Tx::Write {
            marker: random_hex(16),
        };
        Ok(())
    }

    fn begin_read(&self) -> Result<()> {
        if self.in_tx() {
            return Err(Error::Sql {
                message: "cannot start a transaction within a transaction".into(),
            });
        }
        match self.with_client(|c| c.exec_script("BEGIN")) {
            Err(Error::Unavailable { .. }) => self.with_client(|c| c.exec_script("BEGIN"))?,
            other => other?,
        };
        self.state.borrow_mut().tx = Tx::Read;
        Ok(())
    }

    fn commit(&self) -> Result<()> {
        let tx = self.state.borrow().tx.clone();
        match tx {
            Tx::Write { marker } => self.commit_write(marker),
            Tx::Read => {
                let r = self.with_client(|c| c.exec_script("COMMIT")).map(|_| ());
                self.state.borrow_mut().tx = Tx::None;
                r
            }
            Tx::Broken => self.with_client(|_| Ok(())),
            Tx::None => Err(Error::Sql {
                message: "cannot commit - no transaction is active".into(),
            }),
        }
    }

    fn rollback(&self) -> Result<()> {
        let tx = self.state.borrow().tx.clone();
        let outcome = match tx {
            Tx::None => Ok(()),
            // The node already rolled it back when the connection broke.
            Tx::Broken => Ok(()),
            Tx::Read | Tx::Write { .. } => {
                self.with_client(|c| c.exec_script("ROLLBACK")).map(|_| ())
            }
        };
        let mut st = self.state.borrow_mut();
        st.tx = Tx::None;
        match outcome {
            // A broken connection is rolled back by the node.
            Err(Error::Unavailable { .. }) => {
                st.drop_client();
                Ok(())
            }
            other => other,
        }
    }

    fn in_transaction(&self) -> bool {
        self.in_tx()
    }
}

#[cfg(test)]
mod tests {
    use super::DqliteConnection;

    #[test]
    fn statements_that_run_outside_a_wrapping_transaction() {
        for sql in [
            "SELECT 1",
            "  pragma foreign_keys",
            "-- c\nVALUES (1)",
            "/* x */ EXPLAIN SELECT 1",
        ] {
            assert!(DqliteConnection::runs_as_is(sql), "{sql}");
        }
        for sql in [
            "INSERT INTO t VALUES (1)",
            "WITH x AS (SELECT 1) DELETE FROM t",
            "CREATE TABLE t(a)",
            "-- c\nUPDATE t SET a = 1",
        ] {
            assert!(!DqliteConnection::runs_as_is(sql), "{sql}");
        }
    }
}
