//! Leader discovery across a real election.

use dqlite_client::testcluster::TestCluster;
use dqlite_client::{Client, DqliteConnection, DqliteUrl, Value};
use motus_core::{params, Connection, ConnectionExt};
use std::time::Instant;

#[test]
fn the_client_finds_the_new_leader_after_the_old_one_is_killed() {
    let mut c = TestCluster::start(3);
    let mut db = Client::connect_leader(&c.config()).unwrap();
    db.open("failover").unwrap();
    db.exec_script("CREATE TABLE f(x); INSERT INTO f VALUES (1);")
        .unwrap();
    let old = c.leader_index().unwrap();
    c.kill(old);
    // The old connection is dead; a new one finds the new leader through the survivors.
    assert!(db.query("SELECT x FROM f", &[]).is_err());
    let started = Instant::now();
    let mut db = Client::connect_leader(&c.config()).unwrap();
    eprintln!("new leader {} after {:?}", db.address(), started.elapsed());
    assert_ne!(db.address(), c.nodes[old].address);
    db.open("failover").unwrap();
    db.exec("INSERT INTO f VALUES (2)", &[]).unwrap();
    // The killed node comes back on its data and catches up.
    c.restart(old);
    c.wait_members(3, std::time::Duration::from_secs(60));
    let q = db.query("SELECT x FROM f ORDER BY x", &[]).unwrap();
    assert_eq!(
        q.rows,
        vec![vec![Value::Integer(1)], vec![Value::Integer(2)]]
    );
}

#[test]
fn cached_statements_start_afresh_on_the_new_leader() {
    let mut c = TestCluster::start(3);
    let conn = DqliteConnection::open(&DqliteUrl::parse(&c.url("cache-failover")).unwrap(), false)
        .unwrap();
    conn.execute_batch("CREATE TABLE f(x)").unwrap();
    for i in 0..5 {
        conn.execute("INSERT INTO f VALUES (?1)", params![i])
            .unwrap();
    }
    let n: i64 = conn.query_one("SELECT count(*) FROM f", params![]).unwrap();
    assert_eq!(n, 5);
    let before = conn.statement_cache_stats();
    let old = c.leader_index().unwrap();
    c.kill(old);
    // The same SQL on the new leader: prepared there again (the old ids died with the old
    // connection; sending one would be refused, or kill the node).
    let mut n = None;
    for _ in 0..3 {
        match conn.query_one::<i64>("SELECT count(*) FROM f", params![]) {
            Ok(v) => {
                n = Some(v);
                break;
            }
            Err(e) => eprintln!("during the election: {e}"),
        }
    }
    assert_eq!(n, Some(5));
    conn.execute("INSERT INTO f VALUES (?1)", params![5])
        .unwrap();
    let after = conn.statement_cache_stats();
    assert!(
        after.prepared >= before.prepared + 1,
        "{before:?} -> {after:?}"
    );
    assert_ne!(
        conn.leader_address().as_deref(),
        Some(c.nodes[old].address.as_str())
    );
    for i in (0..3).filter(|i| *i != old) {
        assert!(
            c.node_client(i).leader().unwrap().is_some(),
            "node {i} answers"
        );
    }
}
