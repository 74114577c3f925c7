//! The client against real dqlite nodes (Debian's go-dqlite `dqlite-demo`, libdqlite 1.11)
//! on loopback. Starting a cluster takes seconds, so the checks that can share one run as
//! named steps of one test (each step on its own database; every failing step is
//! reported); tests that kill nodes start their own cluster.

mod failover;
mod protocol;
mod statements;
mod suite;

use dqlite_client::testcluster::TestCluster;

type Step = (&'static str, fn(&TestCluster));

/// Runs every step, catching panics so one broken step does not hide the others.
pub fn run_steps(cluster: &TestCluster, steps: &[Step]) {
    let mut failed = Vec::new();
    for (name, step) in steps {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| step(cluster)));
        match outcome {
            Ok(()) => eprintln!("step {name}: ok"),
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                eprintln!("step {name}: FAILED: {msg}");
                failed.push(*name);
            }
        }
    }
    assert!(failed.is_empty(), "failed steps: {failed:?}");
}
