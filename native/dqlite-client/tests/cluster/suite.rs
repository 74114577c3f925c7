//! The backend suite (`motus_core::backend_suite`) on a real 3-node cluster: every case on
//! its own new database of the cluster, through the same `Connection` the binary uses.

use dqlite_client::testcluster::TestCluster;
use dqlite_client::{DqliteConnection, DqliteUrl};
use motus_core::Connection;

#[test]
fn backend_suite_on_a_dqlite_cluster() {
    let cluster = TestCluster::start(3);
    let mut n = 0;
    let report = motus_core::backend_suite::run("dqlite", &mut || {
        n += 1;
        let url = DqliteUrl::parse(&cluster.url(&format!("suite-{n}")))
            .map_err(dqlite_client::connection::map_error)?;
        Ok(Box::new(DqliteConnection::open(&url, false)?) as Box<dyn Connection>)
    });
    print!("{}", report.summary());
    report.assert_passed();
}
