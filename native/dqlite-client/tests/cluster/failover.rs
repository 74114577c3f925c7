//! Leader discovery across a real election.

use dqlite_client::testcluster::TestCluster;
use dqlite_client::{Client, Value};
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
