//! Every rule case (every trigger and every CHECK) on a real 3-node dqlite cluster
//! (Debian's go-dqlite nodes on loopback), through `DqliteConnection`: on a fresh database
//! built by our migrations on the cluster, and on the upgraded quickstart database's rows
//! imported into the cluster (`motus db import`'s path: `transfer::prepare_empty` + `load`).
//! The same cases, the same exact messages and unchanged-table checks as on a local file.

use super::harness;
use dqlite_client::testcluster::TestCluster;
use dqlite_client::{DqliteConnection, DqliteUrl};
use motus_core::file_tools::transfer;
use motus_core::migrate::Migrator;
use motus_core::Clock;
use motus_tests::test_clock;

fn open(cluster: &TestCluster, name: &str) -> DqliteConnection {
    DqliteConnection::open(&DqliteUrl::parse(&cluster.url(name)).unwrap(), false).unwrap()
}

#[test]
fn every_rule_case_holds_on_a_dqlite_cluster() {
    let cluster = TestCluster::start(3);
    let fresh = open(&cluster, "rules-fresh");
    Migrator::coordination()
        .migrate(&fresh, &test_clock(), false, &mut |_| Ok(None))
        .unwrap();

    let quickstart = open(&cluster, "rules-quickstart");
    let mut bytes = Vec::new();
    let source = harness::Db::UpgradedQuickstart.open();
    transfer::export(
        &source,
        None,
        test_clock().now(),
        &mut bytes,
        &mut motus_core::progress::unwatched(),
    )
    .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.lines().map(|l| Ok(l.to_owned()));
    let header = transfer::parse_header(&lines.next().unwrap().unwrap()).unwrap();
    transfer::prepare_empty(&quickstart, &header, &test_clock()).unwrap();
    transfer::load(
        &quickstart,
        &header,
        &mut lines,
        &mut motus_core::progress::unwatched(),
    )
    .unwrap();

    let cases = super::all_cases();
    let mut failures = Vec::new();
    for (label, conn) in [("fresh", &fresh), ("quickstart rows", &quickstart)] {
        for (test, case) in &cases {
            if let Err(e) = harness::run_on(case, conn) {
                failures.push(format!(
                    "case `{test}` (rule {}) on the cluster's {label} database:\n  {e}",
                    case.rule
                ));
            }
        }
    }
    eprintln!(
        "{} rule cases × 2 databases on the cluster, {} failures",
        cases.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n\n"));
}
