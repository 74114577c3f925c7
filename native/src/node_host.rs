//! `motus node start`: one dqlite node in this process (libdqlite through
//! `libdqlite-sys`, cargo feature `node`), in the foreground until SIGTERM or SIGINT.
//!
//! - The data directory is created 0700 (files.rs rules) and holds, besides libdqlite's
//!   Raft files, `motus-node.json`: the node's id and address, written once (0600,
//!   atomically) before the node first starts, so a restart is the same member.
//! - The first node of a cluster (no `--join`) gets id 1, which libdqlite bootstraps as a
//!   one-voter cluster; a joining node gets a generated id and, once it serves, asks the
//!   leader (found through `--join`) to ADD it and ASSIGN it the voter role. Both steps
//!   are skipped when the leader already lists it, so a restart with `--join` is harmless.
//! - Signals are blocked in every thread before libdqlite starts its loop thread, and the
//!   main thread waits for them: SIGTERM/SIGINT stop the node cleanly (in-flight requests
//!   finish, connections close) and the process exits 0.

use crate::files::{self, Overwrite};
use crate::output::{emit, note, CliError};
use dqlite_client::{Client, ClusterConfig, Role};
use libdqlite_sys::{Node, NodeConfig};
use serde::{Deserialize, Serialize};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

pub const IDENTITY_FILE: &str = "motus-node.json";

/// How long a joining node keeps asking the leader to take it in.
const JOIN_LIMIT: Duration = Duration::from_secs(60);

pub struct StartArgs {
    pub data: PathBuf,
    pub address: String,
    pub join: Vec<String>,
}

/// Who this node is, kept in its data directory.
#[derive(Debug, Serialize, Deserialize)]
struct Identity {
    /// Hex, as `motus node list` shows it.
    id: String,
    address: String,
}

fn io_error(what: &str, path: &Path, e: impl std::fmt::Display) -> CliError {
    CliError::failed("io", format!("{what} {}: {e}", path.display()))
}

/// Creates the data directory 0700, or checks that an existing one is a private directory.
fn prepare_dir(dir: &Path) -> Result<(), CliError> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => files::ensure_private_dir(dir)
            .map_err(|e| io_error("cannot create the data directory", dir, e)),
        Err(e) => Err(io_error("cannot inspect the data directory", dir, e)),
        Ok(m) if !m.is_dir() => Err(CliError::failed(
            "io",
            format!("{} is not a directory", dir.display()),
        )
        .with_hint("pass --data a directory of its own (it is created if missing)")),
        Ok(m) if m.permissions().mode() & 0o077 != 0 => Err(CliError::failed(
            "io",
            format!(
                "the data directory {} is open to other users (mode {:o}); it holds the whole database",
                dir.display(),
                m.permissions().mode() & 0o777
            ),
        )
        .with_hint(format!("chmod 700 {}", dir.display()))),
        Ok(_) => Ok(()),
    }
}

/// The node's identity: the one on disk (its address must match), or a new one (id 1 to
/// bootstrap a cluster, a generated id to join one) written before the node first starts.
fn identity(args: &StartArgs) -> Result<(u64, bool), CliError> {
    let path = args.data.join(IDENTITY_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let found: Identity = serde_json::from_slice(&bytes)
                .map_err(|e| io_error("cannot read the node identity", &path, e))?;
            let id = u64::from_str_radix(&found.id, 16)
                .map_err(|e| io_error("cannot read the node identity", &path, e))?;
            if found.address != args.address {
                return Err(CliError::failed(
                    "invalid_input",
                    format!(
                        "the node in {} is member {} at {}, not at {}",
                        args.data.display(),
                        found.id,
                        found.address,
                        args.address
                    ),
                )
                .with_hint(format!(
                    "start it with --address {} (a member keeps its address; to move it, `motus node remove {}` and start a new node on an empty directory)",
                    found.address, found.id
                )));
            }
            Ok((id, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let others = std::fs::read_dir(&args.data)
                .map_err(|e| io_error("cannot list the data directory", &args.data, e))?
                .filter_map(|e| e.ok())
                .filter(|e| !e.file_name().to_string_lossy().starts_with(".motus-tmp-"))
                .count();
            if others > 0 {
                return Err(CliError::failed(
                    "io",
                    format!(
                        "{} holds files but no {IDENTITY_FILE}: it is not the data of a node `motus node start` made",
                        args.data.display()
                    ),
                )
                .with_hint("pass --data an empty or new directory"));
            }
            let id = if args.join.is_empty() {
                1
            } else {
                // Never 1: that id bootstraps a cluster of its own.
                let mut id = libdqlite_sys::generate_node_id(&args.address)
                    .map_err(|e| CliError::usage(e.to_string()))?;
                while id <= 1 {
                    id = libdqlite_sys::generate_node_id(&args.address)
                        .map_err(|e| CliError::usage(e.to_string()))?;
                }
                id
            };
            let doc = serde_json::to_vec_pretty(&Identity {
                id: format!("{id:x}"),
                address: args.address.clone(),
            })
            .expect("identity serialises");
            match files::write_file(&path, &doc, Overwrite::Refuse) {
                Ok(_) => {}
                // Another `motus node start` on this directory got there first.
                Err(files::PlaceError::Exists(_)) => {
                    return Err(CliError::failed(
                        "exists",
                        format!("another node was just started on {}", args.data.display()),
                    )
                    .with_hint("run one node per data directory"))
                }
                Err(files::PlaceError::Io(e)) => {
                    return Err(io_error("cannot write the node identity", &path, e))
                }
            }
            Ok((id, true))
        }
        Err(e) => Err(io_error("cannot read the node identity", &path, e)),
    }
}

/// Holds an exclusive lock on the identity file for the process's life: two processes on
/// one Raft directory would corrupt it.
fn lock_dir(dir: &Path) -> Result<std::fs::File, CliError> {
    use std::os::unix::io::AsRawFd;
    let path = dir.join(IDENTITY_FILE);
    let f = crate::paths::open_regular(&path)
        .map_err(|e| io_error("cannot open the node identity", &path, e))?;
    // SAFETY: a valid open descriptor.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Err(
            CliError::failed("busy", format!("another node runs on {}", dir.display()))
                .with_hint("stop it first, or give this node a data directory of its own"),
        );
    }
    Ok(f)
}

/// Asks the leader (found through `join`, or this node itself) to take `id` in as a voter;
/// nothing is changed when it is one already. Retries until [`JOIN_LIMIT`].
fn join(id: u64, address: &str, join: &[String]) -> Result<(), String> {
    let mut entry: Vec<String> = join.iter().filter(|a| *a != address).cloned().collect();
    entry.push(address.to_string());
    let mut cfg = ClusterConfig::new(entry);
    cfg.leader_wait = Duration::from_secs(5);
    let started = std::time::Instant::now();
    let mut last;
    loop {
        let attempt = Client::connect_leader(&cfg).and_then(|mut leader| {
            let members = leader.cluster()?;
            match members.iter().find(|m| m.id == id) {
                Some(m) if m.role == Role::Voter => return Ok(()),
                Some(_) => {}
                None => leader.add(id, address)?,
            }
            leader.assign(id, Role::Voter)
        });
        match attempt {
            Ok(()) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
        if started.elapsed() > JOIN_LIMIT {
            return Err(last);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Blocks SIGINT and SIGTERM in this thread (and every thread it starts from now on).
fn block_stop_signals() -> libc::sigset_t {
    // SAFETY: plain libc calls on a local, initialised signal set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    }
}

/// Waits up to `limit` for one of `set`'s signals; returns it, if one came.
fn wait_signal(set: &libc::sigset_t, limit: Duration) -> Option<i32> {
    let ts = libc::timespec {
        tv_sec: limit.as_secs() as libc::time_t,
        tv_nsec: limit.subsec_nanos() as libc::c_long,
    };
    // SAFETY: a valid set and timeout; no siginfo wanted.
    let sig = unsafe { libc::sigtimedwait(set, std::ptr::null_mut(), &ts) };
    (sig > 0).then_some(sig)
}

pub fn start(json: bool, args: StartArgs) -> Result<u8, CliError> {
    if args.address.parse::<std::net::SocketAddr>().is_err() && !args.address.contains(':') {
        return Err(CliError::usage(format!(
            "--address {:?}: give HOST:PORT, the address other members and clients reach this node at",
            args.address
        )));
    }
    prepare_dir(&args.data)?;
    let (id, new) = identity(&args)?;
    let _lock = lock_dir(&args.data)?;
    let signals = block_stop_signals();
    let mut node = Node::create(&NodeConfig {
        id,
        address: &args.address,
        bind: &args.address,
        data_dir: &args.data,
        latency_ms: None,
    })
    .and_then(|mut n| n.start().map(|()| n))
    .map_err(|e| {
        CliError::failed(
            "io",
            format!("the dqlite node at {} did not start: {e}", args.address),
        )
        .with_hint("check that the address is this machine's and the port is free, and that the data directory is writable")
    })?;
    // Joining runs beside the signal wait, so a stop request is honoured at once.
    let (done_tx, done) = mpsc::channel();
    if !args.join.is_empty() {
        let (address, entry) = (args.address.clone(), args.join.clone());
        std::thread::spawn(move || {
            let _ = done_tx.send(join(id, &address, &entry));
        });
    } else {
        let _ = done_tx.send(Ok(()));
    }
    let mut ready = false;
    loop {
        if let Some(sig) = wait_signal(&signals, Duration::from_millis(200)) {
            note(&format!(
                "stopping node {id:x} at {} (signal {sig})",
                args.address
            ));
            node.stop()
                .map_err(|e| CliError::failed("io", e.to_string()))?;
            return Ok(0);
        }
        if ready {
            continue;
        }
        match done.try_recv() {
            Err(mpsc::TryRecvError::Empty) => continue,
            Ok(Ok(())) => {
                ready = true;
                let doc = motus_core::answer::ops::NodeStartedAnswer {
                    id: format!("{id:x}"),
                    address: args.address.clone(),
                    data: args.data.display().to_string(),
                    new,
                    voter_joined: !args.join.is_empty(),
                };
                emit(json, &doc, || {
                    format!(
                        "Node {id:x} serves {} (data {}); stop it with Ctrl-C or SIGTERM",
                        args.address,
                        args.data.display()
                    )
                });
            }
            Ok(Err(e)) => return Err(join_failed(&mut node, id, &args, &e)),
            Err(mpsc::TryRecvError::Disconnected) => {
                return Err(join_failed(
                    &mut node,
                    id,
                    &args,
                    "the join ended without an answer",
                ))
            }
        }
    }
}

fn join_failed(node: &mut Node, id: u64, args: &StartArgs, e: &str) -> CliError {
    let _ = node.stop();
    CliError::failed(
        "unavailable",
        format!(
            "node {id:x} at {} could not join the cluster through {}: {e}",
            args.address,
            args.join.join(",")
        ),
    )
    .with_hint("check that --join names a running member and that it can reach --address; then start this node again (it keeps its id)")
}
