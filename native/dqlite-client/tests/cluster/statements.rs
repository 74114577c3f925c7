//! The statement cache: each SQL text prepared once per leader connection and run by id
//! after that; evicted statements finalized and never sent again (a 1.11.1 node dies on a
//! finalized id); a schema change, a failed run and a script handled; a reconnect after
//! the leader is killed starts a fresh cache.

use dqlite_client::testcluster::TestCluster;
use dqlite_client::{CacheStats, Client, DqliteConnection, DqliteUrl, Value};
use motus_core::{params, write_tx, Connection, ConnectionExt};

fn all_alive(c: &TestCluster) {
    for i in 0..c.nodes.len() {
        if c.nodes[i].is_running() {
            assert!(
                c.node_client(i).leader().unwrap().is_some(),
                "node {i} answers"
            );
        }
    }
}

pub fn the_cache_prepares_each_sql_once_and_never_reuses_a_finalized_id(c: &TestCluster) {
    let mut db = Client::connect_leader(&c.config()).unwrap();
    db.open("stmt-cache").unwrap();
    db.exec_script("CREATE TABLE kv(k INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    let sqls: Vec<String> = (0..6)
        .map(|i| format!("INSERT INTO kv (k, v) VALUES (?1, 'from {i}')"))
        .collect();
    // Six statements in rotation through three slots: every run evicts (finalizes) one.
    db.set_cache_capacity(3).unwrap();
    for n in 0..60i64 {
        db.exec_cached(&sqls[(n % 6) as usize], &[Value::Integer(n)])
            .unwrap();
    }
    assert_eq!(
        db.cache_stats(),
        CacheStats {
            hits: 0,
            prepared: 60,
            evicted: 57
        }
    );
    all_alive(c);
    // Room for all six: the three missing are prepared once, then all run by id.
    db.set_cache_capacity(8).unwrap();
    for n in 60..120i64 {
        db.exec_cached(&sqls[(n % 6) as usize], &[Value::Integer(n)])
            .unwrap();
    }
    let s = db.cache_stats();
    assert_eq!((s.prepared - 60, s.hits), (3, 57), "{s:?}");
    let q = db.query_cached("SELECT count(*) FROM kv", &[]).unwrap();
    assert_eq!(q.rows, vec![vec![Value::Integer(120)]]);

    // A failed run: the node's own error, as for SQL sent as text.
    let e = db.exec_cached(&sqls[0], &[Value::Integer(1)]).unwrap_err();
    let fresh = db.exec(&sqls[0], &[Value::Integer(1)]).unwrap_err();
    assert_eq!(e.to_string(), fresh.to_string());
    db.exec_cached(&sqls[0], &[Value::Integer(1000)]).unwrap();

    // A schema change, by this connection or another: cached statements are re-planned
    // and keep their shape; `SELECT *` (whose shape follows the schema) is never cached.
    let explicit = "SELECT k, v FROM kv WHERE k = ?";
    let star = "SELECT * FROM kv WHERE k = ?";
    assert_eq!(
        db.query_cached(explicit, &[Value::Integer(5)])
            .unwrap()
            .columns,
        vec!["k", "v"]
    );
    assert_eq!(
        db.query_cached(star, &[Value::Integer(5)]).unwrap().columns,
        vec!["k", "v"]
    );
    let mut other = Client::connect_leader(&c.config()).unwrap();
    other.open("stmt-cache").unwrap();
    other
        .exec_script("ALTER TABLE kv ADD COLUMN extra TEXT DEFAULT 'x'")
        .unwrap();
    let q = db.query_cached(star, &[Value::Integer(5)]).unwrap();
    assert_eq!(q.columns, vec!["k", "v", "extra"]);
    assert_eq!(q.rows[0][2], Value::Text("x".into()));
    let q = db.query_cached(explicit, &[Value::Integer(5)]).unwrap();
    assert_eq!(q.columns, vec!["k", "v"]);
    assert_eq!(
        q.rows,
        vec![vec![Value::Integer(5), Value::Text("from 5".into())]]
    );
    // The table rebuilt with its columns in another order: still right, by name.
    other
        .exec_script("CREATE TABLE kv2(v TEXT, k INTEGER PRIMARY KEY, extra TEXT); INSERT INTO kv2 (k, v, extra) SELECT k, v, extra FROM kv; DROP TABLE kv; ALTER TABLE kv2 RENAME TO kv")
        .unwrap();
    let q = db.query_cached(explicit, &[Value::Integer(5)]).unwrap();
    assert_eq!(
        q.rows,
        vec![vec![Value::Integer(5), Value::Text("from 5".into())]]
    );
    db.exec_cached(&sqls[3], &[Value::Integer(4000)]).unwrap();
    let q = db.query_cached(explicit, &[Value::Integer(4000)]).unwrap();
    assert_eq!(
        q.rows,
        vec![vec![Value::Integer(4000), Value::Text("from 3".into())]]
    );
    // The table gone: the same error as for the SQL sent as text.
    other.exec_script("DROP TABLE kv").unwrap();
    let e = db.query_cached(explicit, &[Value::Integer(5)]).unwrap_err();
    let fresh = db.query(explicit, &[Value::Integer(5)]).unwrap_err();
    assert_eq!(e.to_string(), fresh.to_string());
    assert!(e.to_string().contains("no such table"), "{e}");
    let e = db.exec_cached(&sqls[2], &[Value::Integer(1)]).unwrap_err();
    assert!(e.to_string().contains("no such table"), "{e}");
    db.exec_script("CREATE TABLE kv(k INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    all_alive(c);

    // A script is never prepared (PREPARE takes one statement).
    let before = db.cache_stats().prepared;
    db.exec_cached(
        "INSERT INTO kv (k, v) VALUES (2000, 'a'); INSERT INTO kv (k, v) VALUES (2001, 'b')",
        &[],
    )
    .unwrap();
    assert_eq!(db.cache_stats().prepared, before);
    let q = db
        .query_cached("SELECT count(*) FROM kv WHERE k >= 2000", &[])
        .unwrap();
    assert_eq!(q.rows, vec![vec![Value::Integer(2)]]);

    // Turning the cache off finalizes everything it held.
    db.set_cache_capacity(0).unwrap();
    db.exec_cached(&sqls[1], &[Value::Integer(3000)]).unwrap();
    all_alive(c);
}

pub fn a_connection_runs_a_transaction_s_statements_by_id(c: &TestCluster) {
    let url = DqliteUrl::parse(&c.url("stmt-conn")).unwrap();
    let conn = DqliteConnection::open(&url, false).unwrap();
    conn.execute_batch("CREATE TABLE t(a INTEGER)").unwrap();
    let before = conn.statement_cache_stats();
    write_tx(&conn, |c| {
        for i in 0..100 {
            c.execute("INSERT INTO t VALUES (?1)", params![i])?;
            let _: i64 = c.query_one("SELECT count(*) FROM t", params![])?;
        }
        Ok(())
    })
    .unwrap();
    let after = conn.statement_cache_stats();
    assert_eq!(after.prepared - before.prepared, 2, "{after:?}");
    assert!(after.hits - before.hits >= 198, "{after:?}");
    let n: i64 = conn.query_one("SELECT count(*) FROM t", params![]).unwrap();
    assert_eq!(n, 100);
}
