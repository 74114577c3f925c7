//! SIGKILL in the middle of work, many times: after each kill the file passes
//! integrity_check and foreign_key_check, and every call is either wholly there or absent.

use super::{assert_database_sound, env_usize, now};
use motus_core::kernel::{self, ForceTarget};
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::{params, Connection, ConnectionExt, Env, SequentialIds};
use motus_tests::motus_bin;
use std::process::{Command, Stdio};
use std::time::Duration;

struct Now;
impl motus_core::Clock for Now {
    fn now(&self) -> motus_core::Timestamp {
        now()
    }
}

#[test]
fn sigkill_mid_cycle_never_leaves_a_half_written_call() {
    let kills = env_usize("MOTUS_CRASH_KILLS", 50);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let init = Command::new(motus_bin())
        .arg("--db")
        .arg(&db)
        .args(["db", "init"])
        .output()
        .unwrap();
    assert!(init.status.success());
    // A time-based seed, printed so a failure can be replayed with MOTUS_CRASH_SEED.
    let mut seed = std::env::var("MOTUS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| now().millis() as u64);
    eprintln!("crash test seed: {seed}");
    let ids = SequentialIds::new();
    for i in 0..kills {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay_ms = 20 + (seed >> 33) % 280;
        let items: Vec<String> = (0..3).map(|k| format!("ADHOC-K{i:02}-{k}")).collect();
        let mut child = Command::new(motus_bin())
            .arg("--db")
            .arg(&db)
            .args([
                "bench",
                "worker",
                "--tag",
                &format!("k{i}"),
                "--items",
                &items.join(","),
                "--six",
                "--forever",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_database_sound(&db);
        // What an operator does after a crash: abort the dead process's leases.
        let conn = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadWrite).unwrap();
        let env = Env::new(&Now, &ids);
        let held: Vec<String> = conn
            .query(
                "SELECT lease_id FROM coordination_leases WHERE status = 'active'",
                params![],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0).unwrap())
            .collect();
        for lease in held {
            let r = kernel::force_release(
                &conn,
                &env,
                &ForceTarget::Lease(lease),
                "worker killed",
                "crash-test",
                Some("operator"),
            )
            .unwrap();
            assert_eq!(
                r.decision.reason_code,
                kernel::ReasonCode::OverrideForceRelease
            );
        }
    }
    let conn = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadOnly).unwrap();
    let leases: i64 = conn
        .query_one(
            "SELECT count(*) FROM coordination_leases WHERE owner_agent_id LIKE 'bench:k%'",
            params![],
        )
        .unwrap();
    eprintln!("crash test: {kills} kills, {leases} leases written by the killed workers");
    assert!(
        leases > 0,
        "the workers never got to work before being killed"
    );
    drop(conn);
    assert_database_sound(&db);
}
