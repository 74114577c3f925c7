//! Real dqlite nodes on loopback for tests, one data directory each, killed with SIGKILL
//! (or stopped with SIGTERM) and restarted on their data at will. A node is either
//! Debian's go-dqlite `dqlite-demo` process or `motus node start` (libdqlite 1.11 with
//! Raft, both). A missing program fails loudly (install it with `.ci/setup`; build motus
//! with `--features node`); nothing here skips.

use crate::client::{Client, ClusterConfig};
use crate::node::Timeouts;
use crate::wire::Role;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const NODE_PROGRAM: &str = "dqlite-demo";

/// Which program runs the nodes.
#[derive(Debug, Clone)]
pub enum NodeProgram {
    /// Debian's go-dqlite demo node.
    DqliteDemo,
    /// `motus node start` of this motus binary (built with `--features node`).
    Motus(PathBuf),
}

pub struct TestNode {
    /// The wire-protocol address (`127.0.0.1:PORT`).
    pub address: String,
    api: String,
    dir: PathBuf,
    join: Option<String>,
    program: NodeProgram,
    child: Option<Child>,
}

impl TestNode {
    fn spawn(&mut self) {
        let mut cmd = match &self.program {
            NodeProgram::DqliteDemo => {
                let mut cmd = Command::new(NODE_PROGRAM);
                cmd.arg("--api")
                    .arg(&self.api)
                    .arg("--db")
                    .arg(&self.address)
                    .arg("--dir")
                    .arg(&self.dir);
                cmd
            }
            NodeProgram::Motus(bin) => {
                let mut cmd = Command::new(bin);
                cmd.args(["node", "start", "--address", &self.address, "--data"])
                    .arg(&self.dir);
                cmd
            }
        };
        if let Some(j) = &self.join {
            cmd.arg("--join").arg(j);
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.with_extension("log"))
            .expect("node log file");
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log);
        let child = cmd.spawn().unwrap_or_else(|e| match &self.program {
            NodeProgram::DqliteDemo => panic!("cannot start `{NODE_PROGRAM}` ({e}): install Debian's go-dqlite package (`apt-get install go-dqlite`, done by .ci/setup)"),
            NodeProgram::Motus(bin) => panic!("cannot start `{} node start` ({e})", bin.display()),
        });
        self.child = Some(child);
    }

    /// The node's data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The node's log (its stdout and stderr, every run appended).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.with_extension("log")).unwrap_or_default()
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }
}

/// A cluster of real nodes; every node is killed when this is dropped.
pub struct TestCluster {
    pub nodes: Vec<TestNode>,
    root: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl TestCluster {
    /// Starts `n` `dqlite-demo` nodes (the first bootstraps, the others join it) and waits
    /// until all of them are members and a leader serves requests.
    pub fn start(n: usize) -> TestCluster {
        TestCluster::start_with(n, NodeProgram::DqliteDemo)
    }

    /// [`TestCluster::start`] with nodes run by `program`.
    pub fn start_with(n: usize, program: NodeProgram) -> TestCluster {
        let mut suffix = [0u8; 6];
        getrandom::fill(&mut suffix).expect("random source");
        let root = std::env::temp_dir().join(format!(
            "motus-dqlite-{}-{}",
            std::process::id(),
            suffix
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ));
        std::fs::create_dir_all(&root).expect("cluster directory");
        let mut nodes: Vec<TestNode> = Vec::new();
        for i in 0..n {
            let dir = root.join(format!("node{}", i + 1));
            // `motus node start` makes its own (private) data directory.
            if matches!(program, NodeProgram::DqliteDemo) {
                std::fs::create_dir_all(&dir).expect("node directory");
            }
            nodes.push(TestNode {
                address: format!("127.0.0.1:{}", free_port()),
                api: format!("127.0.0.1:{}", free_port()),
                dir,
                join: None,
                program: program.clone(),
                child: None,
            });
        }
        let first = nodes[0].address.clone();
        for node in nodes.iter_mut().skip(1) {
            node.join = Some(first.clone());
        }
        let mut cluster = TestCluster { nodes, root };
        cluster.nodes[0].spawn();
        cluster.wait_members(1, Duration::from_secs(30));
        for i in 1..n {
            cluster.nodes[i].spawn();
        }
        cluster.wait_members(n, Duration::from_secs(60));
        cluster
    }

    /// Every node's wire address.
    pub fn addresses(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.address.clone()).collect()
    }

    /// `dqlite://A,B,C/NAME` for the whole cluster.
    pub fn url(&self, name: &str) -> String {
        format!("dqlite://{}/{name}", self.addresses().join(","))
    }

    /// `dqlite://X/NAME` entering through one node only (it redirects to the leader).
    pub fn url_via(&self, node: usize, name: &str) -> String {
        format!("dqlite://{}/{name}", self.nodes[node].address)
    }

    pub fn config(&self) -> ClusterConfig {
        let mut c = ClusterConfig::new(self.addresses());
        c.leader_wait = Duration::from_secs(30);
        c
    }

    /// Waits until a leader reports `n` voters (panics after `limit`).
    pub fn wait_members(&mut self, n: usize, limit: Duration) {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < limit {
            let running: Vec<String> = self
                .nodes
                .iter()
                .filter(|x| x.is_running())
                .map(|x| x.address.clone())
                .collect();
            let mut cfg = ClusterConfig::new(running);
            cfg.leader_wait = Duration::from_millis(500);
            self.respawn_port_collisions();
            match Client::connect_leader(&cfg).and_then(|mut c| c.cluster()) {
                Ok(nodes) if nodes.iter().filter(|x| x.role == Role::Voter).count() >= n => return,
                Ok(nodes) => last = format!("{nodes:?}"),
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let logs: Vec<String> = self
            .nodes
            .iter()
            .map(|x| format!("--- {} ---\n{}", x.address, x.log()))
            .collect();
        panic!(
            "the test cluster did not reach {n} voters in {limit:?}: {last}; node logs in {}:\n{}",
            self.root.display(),
            logs.join("\n")
        );
    }

    /// A port chosen free can be taken by another process before the node binds it (tests
    /// and other engineers' clusters start nodes in parallel). A `dqlite-demo` that exited
    /// because its HTTP API port was taken is started again on a new one: that port is not
    /// part of the node's identity, the wire address is.
    fn respawn_port_collisions(&mut self) {
        for node in &mut self.nodes {
            let exited = node
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            let api_port = node.api.rsplit(':').next().unwrap_or_default().to_string();
            let collided = node.log().lines().any(|l| {
                l.contains("address already in use") && l.contains(&format!(":{api_port}:"))
            });
            if exited && collided && matches!(node.program, NodeProgram::DqliteDemo) {
                node.child = None;
                node.api = format!("127.0.0.1:{}", free_port());
                node.spawn();
            }
        }
    }

    /// The index of the node that currently leads, if a leader is known.
    pub fn leader_index(&self) -> Option<usize> {
        let mut cfg = self.config();
        cfg.leader_wait = Duration::from_secs(20);
        let c = Client::connect_leader(&cfg).ok()?;
        self.nodes.iter().position(|n| n.address == c.address())
    }

    /// SIGKILL: the node dies without a word to anyone.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    #[cfg(unix)]
    /// SIGTERM, then waits for the process to exit; returns its exit status.
    pub fn terminate(&mut self, i: usize) -> std::process::ExitStatus {
        let mut child = self.nodes[i].child.take().expect("the node runs");
        // SAFETY: signalling our own child process by its pid.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        child.wait().expect("the node process exits")
    }

    /// Starts a killed node again on its data directory.
    pub fn restart(&mut self, i: usize) {
        assert!(!self.nodes[i].is_running(), "node {i} is running");
        self.nodes[i].spawn();
    }

    /// A client on one node (not necessarily the leader).
    pub fn node_client(&self, i: usize) -> Client {
        Client::connect_node(&self.nodes[i].address, Timeouts::default()).expect("node answers")
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill(i);
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}
