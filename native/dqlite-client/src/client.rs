//! A client of one database on a dqlite cluster: finds the leader (every query, reads
//! included, is served by the leader), opens the database, runs statements, and manages
//! membership.

use crate::error::{ClientError, Result};
use crate::guard;
use crate::node::{NodeConn, Timeouts};
use crate::wire::{NodeInfo, Request, Response, Role, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// Where the cluster is and how long to look for its leader.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// `HOST:PORT` of one or more nodes; any of them leads us to the leader.
    pub addresses: Vec<String>,
    pub timeouts: Timeouts,
    /// How long to keep looking for a leader (an election takes a few seconds).
    pub leader_wait: Duration,
}

impl ClusterConfig {
    pub fn new(addresses: Vec<String>) -> Self {
        ClusterConfig {
            addresses,
            timeouts: Timeouts::default(),
            leader_wait: Duration::from_secs(15),
        }
    }
}

/// What a write statement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecResult {
    pub last_insert_id: u64,
    pub rows_affected: u64,
}

/// Every row of a query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// The result was cut at the caller's row limit (the rest was interrupted).
    pub truncated: bool,
}

/// A statement prepared on the node (valid for this connection only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement {
    pub id: u32,
    pub params: u64,
}

pub struct Client {
    conn: NodeConn,
    db: Option<u32>,
    /// Statements prepared and not finalized on this connection. dqlite 1.11.1 crashes
    /// when asked to run or finalize a statement id it already finalized, so ids not in
    /// this set are refused here.
    live: HashSet<u32>,
    /// Statements prepared by [`Client::exec_cached`] / [`Client::query_cached`], by SQL
    /// text, oldest first in `cache_order`. Every id in it is live: an evicted statement is
    /// finalized and removed in one step, and the cache dies with the connection (the node
    /// finalizes a closed connection's statements itself).
    cache: HashMap<String, Statement>,
    cache_order: VecDeque<String>,
    cache_capacity: usize,
    cache_stats: CacheStats,
}

/// How the statement cache did on one connection.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Statements run from the cache (no PREPARE).
    pub hits: u64,
    /// Statements prepared and kept.
    pub prepared: u64,
    /// Cached statements finalized to make room.
    pub evicted: u64,
}

/// A read that touches the schema: running it reloads a schema another connection changed.
const SCHEMA_REFRESH: &str = "SELECT 1 FROM sqlite_master LIMIT 0";

/// Statements kept prepared per connection. Motus sends a few dozen distinct statements;
/// the cap bounds what a long session holds on the node.
pub const DEFAULT_CACHE_CAPACITY: usize = 256;

fn unexpected(what: &str, r: &Response) -> ClientError {
    ClientError::protocol(format!("expected {what}, got {}", r.kind()))
}

fn client_id() -> u64 {
    let mut b = [0u8; 8];
    // Only identifies us in the node's logs; a failed random source is not worth failing for.
    let _ = getrandom::fill(&mut b);
    u64::from_le_bytes(b)
}

/// Asks one connection who leads: `None` when the node knows no leader.
fn ask_leader(conn: &mut NodeConn) -> Result<Option<(u64, String)>> {
    match conn.call(&Request::Leader)? {
        Response::Server { id, address } if address.is_empty() || id == 0 => Ok(None),
        Response::Server { id, address } => Ok(Some((id, address))),
        r => Err(unexpected("SERVER", &r)),
    }
}

impl Client {
    /// Connects to one node, whatever its role (for membership questions).
    pub fn connect_node(address: &str, timeouts: Timeouts) -> Result<Client> {
        let mut conn = NodeConn::connect(address, timeouts)?;
        match conn.call(&Request::Client { id: client_id() })? {
            Response::Welcome { .. } => {}
            r => return Err(unexpected("WELCOME", &r)),
        }
        Ok(Client {
            conn,
            db: None,
            live: HashSet::new(),
            cache: HashMap::new(),
            cache_order: VecDeque::new(),
            cache_capacity: DEFAULT_CACHE_CAPACITY,
            cache_stats: CacheStats::default(),
        })
    }

    /// Finds the current leader through any node of the list (following the node's
    /// answer when it names another node) and connects to it. Retries until
    /// `leader_wait` has passed, since an election takes a few seconds.
    pub fn connect_leader(cfg: &ClusterConfig) -> Result<Client> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(25);
        let mut last = String::from("no node answered");
        if cfg.addresses.is_empty() {
            return Err(ClientError::InvalidInput {
                message: "no node address given".into(),
            });
        }
        loop {
            for address in &cfg.addresses {
                match Self::try_leader_via(address, cfg.timeouts) {
                    Ok(client) => return Ok(client),
                    Err(e) => last = e.to_string(),
                }
            }
            if started.elapsed() >= cfg.leader_wait {
                return Err(ClientError::NoLeader {
                    addresses: cfg.addresses.join(","),
                    waited_ms: started.elapsed().as_millis(),
                    last,
                });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(400));
        }
    }

    fn try_leader_via(address: &str, t: Timeouts) -> Result<Client> {
        let mut client = Self::connect_node(address, t)?;
        let (_, leader) = ask_leader(&mut client.conn)?
            .ok_or_else(|| ClientError::protocol(format!("node {address} knows no leader yet")))?;
        if leader == address {
            return Ok(client);
        }
        // Redirect: the leader must confirm it leads (it may have just lost an election).
        let mut client = Self::connect_node(&leader, t)?;
        match ask_leader(&mut client.conn)? {
            Some((_, a)) if a == leader => Ok(client),
            other => Err(ClientError::protocol(format!(
                "node {address} named {leader} as leader, but {leader} names {other:?}"
            ))),
        }
    }

    /// The address of the node this client talks to.
    pub fn address(&self) -> &str {
        self.conn.address()
    }

    /// The leader as this node sees it: `(id, address)`, or `None` during an election.
    pub fn leader(&mut self) -> Result<Option<(u64, String)>> {
        ask_leader(&mut self.conn)
    }

    /// Every member of the cluster with its role.
    pub fn cluster(&mut self) -> Result<Vec<NodeInfo>> {
        match self.conn.call(&Request::Cluster)? {
            Response::Servers(nodes) => Ok(nodes),
            r => Err(unexpected("SERVERS", &r)),
        }
    }

    fn empty(&mut self, req: &Request<'_>) -> Result<()> {
        match self.conn.call(req)? {
            Response::Empty => Ok(()),
            r => Err(unexpected("EMPTY", &r)),
        }
    }

    /// Adds a node (as a spare; [`Client::assign`] then gives it a role). Leader only.
    pub fn add(&mut self, id: u64, address: &str) -> Result<()> {
        self.empty(&Request::Add { id, address })
    }

    pub fn assign(&mut self, id: u64, role: Role) -> Result<()> {
        self.empty(&Request::Assign { id, role })
    }

    pub fn remove(&mut self, id: u64) -> Result<()> {
        self.empty(&Request::Remove { id })
    }

    /// Hands leadership to another voter.
    pub fn transfer(&mut self, id: u64) -> Result<()> {
        self.empty(&Request::Transfer { id })
    }

    /// Opens (creating on first use) the named database. One per connection.
    pub fn open(&mut self, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(ClientError::InvalidInput {
                message: "the database name is empty".into(),
            });
        }
        match self.conn.call(&Request::Open { name })? {
            Response::Db { id } => {
                self.db = Some(id);
                Ok(())
            }
            r => Err(unexpected("DB", &r)),
        }
    }

    fn db(&self) -> Result<u32> {
        self.db.ok_or_else(|| ClientError::InvalidInput {
            message: "no database is open on this connection".into(),
        })
    }

    fn result(r: Response) -> Result<ExecResult> {
        match r {
            Response::Result {
                last_insert_id,
                rows_affected,
            } => Ok(ExecResult {
                last_insert_id,
                rows_affected,
            }),
            r => Err(unexpected("RESULT", &r)),
        }
    }

    /// Runs one statement with parameters (EXEC_SQL).
    pub fn exec(&mut self, sql: &str, params: &[Value]) -> Result<ExecResult> {
        guard::check(sql)?;
        let db = self.db()?;
        Self::result(self.conn.call(&Request::ExecSql { db, sql, params })?)
    }

    /// Runs a script of statements without parameters, in order, stopping at the first
    /// failure (EXEC_SQL with several statements).
    pub fn exec_script(&mut self, sql: &str) -> Result<ExecResult> {
        self.exec(sql, &[])
    }

    /// Runs one statement and reads every batch of rows (QUERY_SQL).
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<QueryResult> {
        self.query_limited(sql, params, usize::MAX)
    }

    /// Like [`Client::query`], but stops after `max_rows`: the rest of the result is
    /// interrupted on the node (INTERRUPT) and `truncated` is set.
    pub fn query_limited(
        &mut self,
        sql: &str,
        params: &[Value],
        max_rows: usize,
    ) -> Result<QueryResult> {
        guard::check(sql)?;
        let db = self.db()?;
        self.conn.send(&Request::QuerySql { db, sql, params })?;
        self.read_rows(max_rows)
    }

    fn read_rows(&mut self, max_rows: usize) -> Result<QueryResult> {
        let mut out = QueryResult::default();
        loop {
            match self.conn.recv()? {
                Response::Rows(batch) => {
                    if out.columns.is_empty() {
                        out.columns = batch.columns;
                    }
                    out.rows.extend(batch.rows);
                    if !batch.more {
                        if out.rows.len() > max_rows {
                            out.rows.truncate(max_rows);
                            out.truncated = true;
                        }
                        return Ok(out);
                    }
                    if out.rows.len() >= max_rows {
                        out.rows.truncate(max_rows);
                        out.truncated = true;
                        self.interrupt()?;
                        return Ok(out);
                    }
                }
                Response::Failure { code, message } => {
                    return Err(ClientError::Server { code, message })
                }
                r => return Err(unexpected("ROWS", &r)),
            }
        }
    }

    /// Stops the query in progress: the node answers EMPTY after any batch already on
    /// its way, which is read and dropped.
    pub fn interrupt(&mut self) -> Result<()> {
        let db = self.db()?;
        self.conn.send(&Request::Interrupt { db })?;
        loop {
            match self.conn.recv()? {
                Response::Empty => return Ok(()),
                Response::Rows(_) => continue,
                Response::Failure { code, message } => {
                    return Err(ClientError::Server { code, message })
                }
                r => return Err(unexpected("EMPTY", &r)),
            }
        }
    }

    /// Prepares a statement on the node (PREPARE).
    pub fn prepare(&mut self, sql: &str) -> Result<Statement> {
        guard::check(sql)?;
        let db = self.db()?;
        match self.conn.call(&Request::Prepare { db, sql })? {
            Response::Stmt { id, params, .. } => {
                self.live.insert(id);
                Ok(Statement { id, params })
            }
            r => Err(unexpected("STMT", &r)),
        }
    }

    fn require_live(&self, stmt: Statement) -> Result<()> {
        if self.live.contains(&stmt.id) {
            Ok(())
        } else {
            Err(ClientError::Refused {
                message: format!("statement {} is not prepared on this connection (finalized, or from another connection); dqlite 1.11 nodes crash on such a request", stmt.id),
            })
        }
    }

    /// Runs a prepared statement that writes (EXEC).
    pub fn exec_prepared(&mut self, stmt: Statement, params: &[Value]) -> Result<ExecResult> {
        self.require_live(stmt)?;
        let db = self.db()?;
        Self::result(self.conn.call(&Request::Exec {
            db,
            stmt: stmt.id,
            params,
        })?)
    }

    /// Runs a prepared statement that reads (QUERY).
    pub fn query_prepared(&mut self, stmt: Statement, params: &[Value]) -> Result<QueryResult> {
        self.require_live(stmt)?;
        let db = self.db()?;
        self.conn.send(&Request::Query {
            db,
            stmt: stmt.id,
            params,
        })?;
        self.read_rows(usize::MAX)
    }

    /// Releases a prepared statement (FINALIZE).
    pub fn finalize(&mut self, stmt: Statement) -> Result<()> {
        self.require_live(stmt)?;
        let db = self.db()?;
        self.live.remove(&stmt.id);
        self.empty(&Request::Finalize { db, stmt: stmt.id })
    }

    /// How many statements [`Client::exec_cached`] and [`Client::query_cached`] keep
    /// prepared (0: none, every statement is sent as text). Shrinking finalizes the
    /// oldest.
    pub fn set_cache_capacity(&mut self, n: usize) -> Result<()> {
        self.cache_capacity = n;
        self.evict_to(n)
    }

    pub fn cache_stats(&self) -> CacheStats {
        self.cache_stats
    }

    fn evict_to(&mut self, n: usize) -> Result<()> {
        while self.cache.len() > n {
            let Some(sql) = self.cache_order.pop_front() else {
                break;
            };
            if let Some(stmt) = self.cache.remove(&sql) {
                self.cache_stats.evicted += 1;
                self.finalize(stmt)?;
            }
        }
        Ok(())
    }

    /// The cached statement for `sql`, prepared now if it is not cached; `None` when
    /// `sql` is not cached (the cache is off, `sql` is a script, or a query whose shape
    /// follows the schema: see [`guard::selects_star`]).
    fn cached(&mut self, sql: &str, query: bool) -> Result<Option<Statement>> {
        if let Some(stmt) = self.cache.get(sql) {
            self.cache_stats.hits += 1;
            return Ok(Some(*stmt));
        }
        if self.cache_capacity == 0
            || !guard::single_statement(sql)
            || (query && guard::selects_star(sql))
        {
            return Ok(None);
        }
        let stmt = self.prepare(sql)?;
        self.cache_stats.prepared += 1;
        self.cache.insert(sql.to_owned(), stmt);
        self.cache_order.push_back(sql.to_owned());
        self.evict_to(self.cache_capacity)?;
        Ok(Some(stmt))
    }

    /// Drops one statement from the cache (finalizing it).
    fn forget(&mut self, sql: &str) -> Result<()> {
        if let Some(stmt) = self.cache.remove(sql) {
            self.cache_order.retain(|s| s != sql);
            self.finalize(stmt)?;
        }
        Ok(())
    }

    /// [`Client::exec`] through the statement cache: a statement seen before on this
    /// connection runs by id (EXEC), without being parsed and planned again. A cached
    /// statement the node refuses is dropped and the SQL sent as text once more (a failed
    /// statement wrote nothing), so the caller gets the node's own error for it: a
    /// re-planned statement whose table went away reports less than a fresh one.
    pub fn exec_cached(&mut self, sql: &str, params: &[Value]) -> Result<ExecResult> {
        match self.cached(sql, false)? {
            Some(stmt) => match self.exec_prepared(stmt, params) {
                Err(ClientError::Server { .. }) => {
                    self.forget(sql)?;
                    self.exec(sql, params)
                }
                other => other,
            },
            None => self.exec(sql, params),
        }
    }

    /// [`Client::query`] through the statement cache (QUERY by id).
    pub fn query_cached(&mut self, sql: &str, params: &[Value]) -> Result<QueryResult> {
        if guard::selects_star(sql) {
            // The node reads a statement's columns before the step that notices another
            // connection's schema change, so even SQL sent as text would come back in the
            // old shape once. Running a statement first makes the node reload the schema.
            self.query_cached(SCHEMA_REFRESH, &[])?;
        }
        match self.cached(sql, true)? {
            Some(stmt) => match self.query_prepared(stmt, params) {
                Err(ClientError::Server { .. }) => {
                    self.forget(sql)?;
                    self.query(sql, params)
                }
                other => other,
            },
            None => self.query(sql, params),
        }
    }
}
