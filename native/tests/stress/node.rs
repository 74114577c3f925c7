//! `motus node start` (built with `--features node`) as a member: a clean stop on SIGTERM
//! keeps every acknowledged write, nodes restarted on their data are the same members, and
//! what would break a node (a shared data directory, a second process on one directory, a
//! changed address, a directory that is not a node's) is refused before it starts.

use super::cluster::motus_nodes;
use dqlite_client::testcluster::{NodeProgram, TestCluster};
use dqlite_client::{DqliteConnection, DqliteUrl};
use motus_core::{params, ConnectionExt};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

fn motus(home: &Path, args: &[&str]) -> Output {
    let NodeProgram::Motus(bin) = motus_nodes() else {
        unreachable!()
    };
    Command::new(bin)
        .args(args)
        .env("HOME", home)
        .env_remove("MOTUS_DATABASE__PATH")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn free_address() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("127.0.0.1:{}", l.local_addr().unwrap().port())
}

#[test]
fn nodes_stopped_with_sigterm_exit_0_and_restart_on_their_data_with_every_write() {
    let mut cluster = TestCluster::start_with(3, motus_nodes());
    let home = tempfile::tempdir().unwrap();
    let db = cluster.url("stop");
    let out = motus(home.path(), &["--db", &db, "db", "init"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = motus(
        home.path(),
        &[
            "--db",
            &db,
            "--json",
            "work",
            "claim",
            "ADHOC-KEEP",
            "--intent",
            "x",
            "--agent",
            "a",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let lease: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lease = lease["lease_id"].as_str().unwrap().to_string();

    // Every node stopped cleanly, the leader first.
    let leader = cluster.leader_index().expect("a leader");
    let order: Vec<usize> = std::iter::once(leader)
        .chain((0..3).filter(|i| *i != leader))
        .collect();
    for i in order {
        let status = cluster.terminate(i);
        assert_eq!(
            status.code(),
            Some(0),
            "node {i}: {}",
            cluster.nodes[i].log()
        );
        assert!(
            cluster.nodes[i].log().contains("stopping node"),
            "{}",
            cluster.nodes[i].log()
        );
    }
    for i in 0..3 {
        cluster.restart(i);
    }
    cluster.wait_members(3, Duration::from_secs(60));
    // The write is there, read through each node in turn (each redirects to the leader).
    for i in 0..3 {
        let conn = DqliteConnection::open(
            &DqliteUrl::parse(&cluster.url_via(i, "stop")).unwrap(),
            false,
        )
        .unwrap();
        let status: String = conn
            .query_one(
                "SELECT status FROM coordination_leases WHERE lease_id = ?1",
                params![lease.as_str()],
            )
            .unwrap();
        assert_eq!(status, "active");
    }
    // Membership is what it was: three voters, the same ids.
    let out = motus(home.path(), &["--db", &db, "--json", "node", "list"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let members = doc["members"].as_array().unwrap();
    assert_eq!(members.len(), 3, "{doc}");
    assert!(
        members
            .iter()
            .all(|m| m["role"] == "voter" && m["answers"] == true),
        "{doc}"
    );
}

#[test]
fn a_node_data_directory_is_private_and_kept_to_one_node_of_one_address() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();

    // Open to other users: refused, nothing written into it.
    let shared = root.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = motus(
        home.path(),
        &[
            "node",
            "start",
            "--data",
            shared.to_str().unwrap(),
            "--address",
            &free_address(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("chmod 700"), "{}", text(&out));
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 0);

    // Files that are not a node's: refused, untouched.
    let other = root.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(other.join("notes.txt"), b"mine").unwrap();
    let out = motus(
        home.path(),
        &[
            "node",
            "start",
            "--data",
            other.to_str().unwrap(),
            "--address",
            &free_address(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("not the data of a node"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);

    // A new directory is made 0700, its identity file 0600.
    let mut cluster = TestCluster::start_with(1, motus_nodes());
    let data = cluster.nodes[0].data_dir().to_path_buf();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("motus-node.json")), 0o600);

    // A second process on a running node's directory: refused, the node serves on.
    let address = cluster.nodes[0].address.clone();
    let out = motus(
        home.path(),
        &[
            "node",
            "start",
            "--data",
            data.to_str().unwrap(),
            "--address",
            &address,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("another node runs"), "{}", text(&out));
    cluster.wait_members(1, Duration::from_secs(10));

    // Stopped, then started at another address: refused, naming the address it has.
    assert_eq!(cluster.terminate(0).code(), Some(0));
    let out = motus(
        home.path(),
        &[
            "node",
            "start",
            "--data",
            data.to_str().unwrap(),
            "--address",
            &free_address(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("--address {address}")),
        "{}",
        text(&out)
    );
}
