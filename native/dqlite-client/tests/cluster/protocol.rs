//! Every request the client speaks, against a real 3-node cluster.

use dqlite_client::testcluster::TestCluster;
use dqlite_client::{Client, ClientError, Role, Value};

fn leader(c: &TestCluster, db: &str) -> Client {
    let mut client = Client::connect_leader(&c.config()).expect("leader");
    client.open(db).expect("open");
    client
}

fn exec_and_query_every_type(c: &TestCluster) {
    let mut db = leader(c, "types");
    db.exec_script("CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BLOB, n)")
        .unwrap();
    let r = db
        .exec(
            "INSERT INTO t VALUES (?, ?, ?, ?, ?)",
            &[
                Value::Integer(i64::MIN),
                Value::Real(-0.125),
                Value::Text("héllo, \u{1F600}".into()),
                Value::Blob(vec![0, 1, 254, 255, 0]),
                Value::Null,
            ],
        )
        .unwrap();
    assert_eq!(r.rows_affected, 1);
    assert_eq!(r.last_insert_id, 1);
    let q = db.query("SELECT i, r, s, b, n FROM t", &[]).unwrap();
    assert_eq!(q.columns, vec!["i", "r", "s", "b", "n"]);
    assert_eq!(
        q.rows,
        vec![vec![
            Value::Integer(i64::MIN),
            Value::Real(-0.125),
            Value::Text("héllo, \u{1F600}".into()),
            Value::Blob(vec![0, 1, 254, 255, 0]),
            Value::Null,
        ]]
    );
    // Empty text and blob survive; an empty result still names its columns.
    db.exec("INSERT INTO t(s, b) VALUES ('', x'')", &[])
        .unwrap();
    let q = db.query("SELECT s, b FROM t WHERE s = ''", &[]).unwrap();
    assert_eq!(
        q.rows,
        vec![vec![Value::Text(String::new()), Value::Blob(vec![])]]
    );
    let q = db.query("SELECT i FROM t WHERE 0", &[]).unwrap();
    assert_eq!(q.columns, vec!["i"]);
    assert!(q.rows.is_empty());
}

fn large_results_come_in_batches_and_interrupt_stops_one(c: &TestCluster) {
    let mut db = leader(c, "batches");
    db.exec_script(
        "CREATE TABLE big(n INTEGER, pad TEXT);
         WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5000)
         INSERT INTO big SELECT n, printf('%0100d', n) FROM s;",
    )
    .unwrap();
    // ~600 KB: many ROWS responses of about a page each.
    let q = db.query("SELECT n, pad FROM big ORDER BY n", &[]).unwrap();
    assert_eq!(q.rows.len(), 5000);
    assert!(q
        .rows
        .iter()
        .enumerate()
        .all(|(i, r)| r[0] == Value::Integer(i as i64 + 1)));
    let q = db
        .query_limited("SELECT n, pad FROM big ORDER BY n", &[], 10)
        .unwrap();
    assert!(q.truncated);
    assert_eq!(q.rows.len(), 10);
    // The connection is usable after the interrupt.
    let q = db.query("SELECT count(*) FROM big", &[]).unwrap();
    assert_eq!(q.rows, vec![vec![Value::Integer(5000)]]);
}

fn prepared_statements_bind_run_and_finalize(c: &TestCluster) {
    let mut db = leader(c, "prepared");
    db.exec_script("CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER)")
        .unwrap();
    let ins = db.prepare("INSERT INTO kv VALUES (?1, ?2)").unwrap();
    assert_eq!(ins.params, 2);
    for i in 0..20 {
        db.exec_prepared(ins, &[Value::Text(format!("k{i}")), Value::Integer(i)])
            .unwrap();
    }
    let sel = db.prepare("SELECT v FROM kv WHERE k = ?").unwrap();
    let q = db.query_prepared(sel, &[Value::Text("k7".into())]).unwrap();
    assert_eq!(q.rows, vec![vec![Value::Integer(7)]]);
    db.finalize(ins).unwrap();
    db.finalize(sel).unwrap();
    // Running or finalizing a finalized statement crashes a 1.11.1 node: refused here.
    let e = db
        .exec_prepared(ins, &[Value::Text("x".into()), Value::Integer(1)])
        .unwrap_err();
    assert!(matches!(e, ClientError::Refused { .. }), "{e}");
    assert!(matches!(
        db.finalize(sel).unwrap_err(),
        ClientError::Refused { .. }
    ));
    assert!(matches!(
        db.query_prepared(sel, &[]).unwrap_err(),
        ClientError::Refused { .. }
    ));
    let q = db.query("SELECT count(*) FROM kv", &[]).unwrap();
    assert_eq!(q.rows, vec![vec![Value::Integer(20)]]);
}

fn failures_carry_sqlite_codes_and_trigger_messages(c: &TestCluster) {
    let mut db = leader(c, "failures");
    db.exec_script(
        "CREATE TABLE p(id INTEGER PRIMARY KEY, n INTEGER NOT NULL CHECK (n > 0));
         CREATE TRIGGER p_no_delete BEFORE DELETE ON p
         BEGIN SELECT RAISE(ABORT, 'rows of p are append-only'); END;",
    )
    .unwrap();
    db.exec("INSERT INTO p VALUES (1, 1)", &[]).unwrap();
    let e = db.exec("DELETE FROM p", &[]).unwrap_err();
    assert_eq!(e.code(), Some(1811), "{e}"); // SQLITE_CONSTRAINT_TRIGGER
    assert!(e.to_string().contains("rows of p are append-only"), "{e}");
    let e = db.exec("INSERT INTO p VALUES (2, 0)", &[]).unwrap_err();
    assert_eq!(e.code().map(|c| c & 0xff), Some(19), "{e}");
    let e = db.exec("INSERT INTO p VALUES (1, 5)", &[]).unwrap_err();
    assert_eq!(e.code().map(|c| c & 0xff), Some(19), "{e}");
    let e = db.query("SELECT nope FROM p", &[]).unwrap_err();
    assert_eq!(e.code(), Some(1), "{e}");
    assert!(e.to_string().contains("no such column"), "{e}");
    // The connection survives its failures.
    let q = db.query("SELECT count(*) FROM p", &[]).unwrap();
    assert_eq!(q.rows, vec![vec![Value::Integer(1)]]);
}

fn a_second_writer_is_refused_busy_at_once(c: &TestCluster) {
    let mut a = leader(c, "busy");
    let mut b = leader(c, "busy");
    a.exec_script("CREATE TABLE IF NOT EXISTS t(x)").unwrap();
    a.exec_script("BEGIN IMMEDIATE").unwrap();
    a.exec("INSERT INTO t VALUES (1)", &[]).unwrap();
    let e = b.exec_script("BEGIN IMMEDIATE").unwrap_err();
    assert!(e.is_busy(), "{e}");
    a.exec_script("COMMIT").unwrap();
    b.exec_script("BEGIN IMMEDIATE").unwrap();
    b.exec_script("ROLLBACK").unwrap();
    let q = b.query("SELECT count(*) FROM t", &[]).unwrap();
    assert_eq!(q.rows, vec![vec![Value::Integer(1)]]);
}

fn writes_are_seen_through_every_entry_node(c: &TestCluster) {
    let mut db = leader(c, "replicated");
    db.exec_script("CREATE TABLE r(x); INSERT INTO r VALUES (42);")
        .unwrap();
    for node in &c.nodes {
        let mut cfg = c.config();
        cfg.addresses = vec![node.address.clone()];
        let mut via = Client::connect_leader(&cfg).unwrap();
        via.open("replicated").unwrap();
        let q = via.query("SELECT x FROM r", &[]).unwrap();
        assert_eq!(q.rows, vec![vec![Value::Integer(42)]]);
    }
    // A follower refuses queries: every query is served by the leader.
    let leader_addr = db.address().to_owned();
    let follower = c
        .nodes
        .iter()
        .position(|n| n.address != leader_addr)
        .unwrap();
    let mut f = c.node_client(follower);
    f.open("replicated").unwrap();
    let e = f.query("SELECT x FROM r", &[]).unwrap_err();
    assert!(e.needs_new_leader(), "{e}");
}

fn membership_is_reported_and_changed(c: &TestCluster) {
    let mut any = c.node_client(2);
    let (id, address) = any.leader().unwrap().expect("a leader");
    assert!(id != 0);
    assert!(c.addresses().contains(&address));
    let mut l = Client::connect_leader(&c.config()).unwrap();
    let nodes = l.cluster().unwrap();
    assert_eq!(nodes.len(), 3);
    assert!(nodes.iter().all(|n| n.role == Role::Voter));
    // ADD a node nobody runs (it stays a spare, so quorum is untouched), then REMOVE it.
    l.add(4242, "127.0.0.1:1").unwrap();
    let nodes = l.cluster().unwrap();
    let added = nodes
        .iter()
        .find(|n| n.id == 4242)
        .expect("added node listed");
    assert_eq!(added.role, Role::Spare);
    assert_eq!(added.address, "127.0.0.1:1");
    l.assign(4242, Role::Standby).unwrap();
    assert_eq!(
        l.cluster()
            .unwrap()
            .iter()
            .find(|n| n.id == 4242)
            .unwrap()
            .role,
        Role::Standby
    );
    l.remove(4242).unwrap();
    assert_eq!(l.cluster().unwrap().len(), 3);
    // Membership changes on a follower are refused as "not leader".
    let follower = c
        .nodes
        .iter()
        .position(|n| n.address != l.address())
        .unwrap();
    let e = c
        .node_client(follower)
        .add(4343, "127.0.0.1:2")
        .unwrap_err();
    assert!(e.needs_new_leader(), "{e}");
}

/// The client refuses both statements that crash dqlite 1.11 nodes, and the cluster is
/// proven alive and unchanged afterwards.
fn returning_and_journal_mode_never_reach_a_node(c: &TestCluster) {
    let mut db = leader(c, "guarded");
    db.exec_script("CREATE TABLE g(id INTEGER PRIMARY KEY, v)")
        .unwrap();
    for sql in [
        "INSERT INTO g(v) VALUES (1) RETURNING id",
        "PRAGMA journal_mode=DELETE",
        "PRAGMA main.\"journal_mode\" = MEMORY",
    ] {
        let e = db.exec(sql, &[]).unwrap_err();
        assert!(matches!(e, ClientError::Refused { .. }), "{sql}: {e}");
        let e = db.query(sql, &[]).unwrap_err();
        assert!(matches!(e, ClientError::Refused { .. }), "{sql}: {e}");
        let e = db.prepare(sql).unwrap_err();
        assert!(matches!(e, ClientError::Refused { .. }), "{sql}: {e}");
        let e = db.exec_script(&format!("SELECT 1; {sql};")).unwrap_err();
        assert!(matches!(e, ClientError::Refused { .. }), "{sql}: {e}");
    }
    // Nothing was written, the same connection still works, and all three nodes are alive.
    let q = db.query("SELECT count(*) FROM g", &[]).unwrap();
    assert_eq!(q.rows, vec![vec![Value::Integer(0)]]);
    for i in 0..c.nodes.len() {
        assert!(
            c.node_client(i).leader().unwrap().is_some(),
            "node {i} answers"
        );
    }
    let mut l = Client::connect_leader(&c.config()).unwrap();
    assert_eq!(l.cluster().unwrap().len(), 3);
}

#[test]
fn protocol_against_a_real_cluster() {
    let cluster = TestCluster::start(3);
    crate::run_steps(
        &cluster,
        &[
            ("exec_and_query_every_type", exec_and_query_every_type),
            (
                "large_results_come_in_batches_and_interrupt_stops_one",
                large_results_come_in_batches_and_interrupt_stops_one,
            ),
            (
                "prepared_statements_bind_run_and_finalize",
                prepared_statements_bind_run_and_finalize,
            ),
            (
                "failures_carry_sqlite_codes_and_trigger_messages",
                failures_carry_sqlite_codes_and_trigger_messages,
            ),
            (
                "a_second_writer_is_refused_busy_at_once",
                a_second_writer_is_refused_busy_at_once,
            ),
            (
                "writes_are_seen_through_every_entry_node",
                writes_are_seen_through_every_entry_node,
            ),
            (
                "membership_is_reported_and_changed",
                membership_is_reported_and_changed,
            ),
            (
                "returning_and_journal_mode_never_reach_a_node",
                returning_and_journal_mode_never_reach_a_node,
            ),
            (
                "the_cache_prepares_each_sql_once_and_never_reuses_a_finalized_id",
                crate::statements::the_cache_prepares_each_sql_once_and_never_reuses_a_finalized_id,
            ),
            (
                "a_connection_runs_a_transaction_s_statements_by_id",
                crate::statements::a_connection_runs_a_transaction_s_statements_by_id,
            ),
        ],
    );
}
