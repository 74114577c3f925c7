//! The libdqlite C API that `motus node start` uses (see `/usr/include/dqlite.h`), written
//! by hand: a handful of functions do not justify bindgen. [`ffi`] is the raw surface;
//! [`Node`] owns one node and stops and destroys it when dropped.

use std::ffi::{CStr, CString};
use std::fmt;
use std::path::Path;

#[allow(non_camel_case_types)]
pub mod ffi {
    use std::os::raw::{c_char, c_int, c_uint, c_ulonglong};

    /// Opaque `dqlite_node`.
    #[repr(C)]
    pub struct dqlite_node {
        _private: [u8; 0],
    }

    pub type dqlite_node_id = c_ulonglong;

    extern "C" {
        pub fn dqlite_version_number() -> c_int;
        pub fn dqlite_node_create(
            id: dqlite_node_id,
            address: *const c_char,
            data_dir: *const c_char,
            n: *mut *mut dqlite_node,
        ) -> c_int;
        pub fn dqlite_node_destroy(n: *mut dqlite_node);
        pub fn dqlite_node_set_bind_address(n: *mut dqlite_node, address: *const c_char) -> c_int;
        pub fn dqlite_node_set_network_latency_ms(n: *mut dqlite_node, ms: c_uint) -> c_int;
        pub fn dqlite_node_start(n: *mut dqlite_node) -> c_int;
        pub fn dqlite_node_stop(n: *mut dqlite_node) -> c_int;
        pub fn dqlite_node_errmsg(n: *mut dqlite_node) -> *const c_char;
        pub fn dqlite_generate_node_id(address: *const c_char) -> dqlite_node_id;
    }
}

/// A libdqlite call that failed: which call, its return code, the node's message.
#[derive(Debug)]
pub struct NodeError {
    pub call: &'static str,
    pub code: i32,
    pub message: String,
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed (code {})", self.call, self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for NodeError {}

/// The library's version as `MAJOR*10000 + MINOR*100 + RELEASE`.
pub fn version_number() -> i32 {
    // SAFETY: no arguments, no state.
    unsafe { ffi::dqlite_version_number() }
}

/// A fresh node id for a member joining at `address` (libdqlite's own generator).
pub fn generate_node_id(address: &str) -> Result<u64, NodeError> {
    let c = cstring("dqlite_generate_node_id", address)?;
    // SAFETY: a valid NUL-terminated string that outlives the call.
    Ok(unsafe { ffi::dqlite_generate_node_id(c.as_ptr()) })
}

fn cstring(call: &'static str, s: &str) -> Result<CString, NodeError> {
    CString::new(s).map_err(|_| NodeError {
        call,
        code: -1,
        message: format!("{s:?} contains a NUL byte"),
    })
}

/// One dqlite node: created, configured, started; [`Drop`] stops it (if started) and
/// destroys it, as the header requires. One node per id per process: libdqlite registers
/// a SQLite VFS named after the id.
pub struct Node {
    raw: *mut ffi::dqlite_node,
    started: bool,
}

// The handle is only used from the thread that owns it; libdqlite runs its own loop thread.
unsafe impl Send for Node {}

/// What a node is created with.
pub struct NodeConfig<'a> {
    pub id: u64,
    /// The address other members and clients reach it at (`HOST:PORT`).
    pub address: &'a str,
    /// The address it listens on (usually the same).
    pub bind: &'a str,
    pub data_dir: &'a Path,
    /// One-way network latency; heartbeats and election timeouts follow it.
    pub latency_ms: Option<u32>,
}

impl Node {
    pub fn create(cfg: &NodeConfig<'_>) -> Result<Node, NodeError> {
        let address = cstring("dqlite_node_create", cfg.address)?;
        let dir = cfg.data_dir.to_str().ok_or_else(|| NodeError {
            call: "dqlite_node_create",
            code: -1,
            message: format!("{} is not UTF-8", cfg.data_dir.display()),
        })?;
        let dir = cstring("dqlite_node_create", dir)?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid strings (libdqlite copies them), a valid out-pointer.
        let rc =
            unsafe { ffi::dqlite_node_create(cfg.id, address.as_ptr(), dir.as_ptr(), &mut raw) };
        if raw.is_null() {
            return Err(NodeError {
                call: "dqlite_node_create",
                code: rc,
                message: "out of memory".into(),
            });
        }
        // From here on `node` owns `raw`: an early return destroys it.
        let node = Node {
            raw,
            started: false,
        };
        node.check("dqlite_node_create", rc)?;
        let bind = cstring("dqlite_node_set_bind_address", cfg.bind)?;
        // SAFETY: a live node, not started; a valid string (copied).
        let rc = unsafe { ffi::dqlite_node_set_bind_address(node.raw, bind.as_ptr()) };
        node.check("dqlite_node_set_bind_address", rc)?;
        if let Some(ms) = cfg.latency_ms {
            // SAFETY: a live node, not started.
            let rc = unsafe { ffi::dqlite_node_set_network_latency_ms(node.raw, ms) };
            node.check("dqlite_node_set_network_latency_ms", rc)?;
        }
        Ok(node)
    }

    /// Starts the node's loop thread; on success it accepts connections.
    pub fn start(&mut self) -> Result<(), NodeError> {
        // SAFETY: a live, configured node, started at most once.
        let rc = unsafe { ffi::dqlite_node_start(self.raw) };
        self.check("dqlite_node_start", rc)?;
        self.started = true;
        Ok(())
    }

    /// Stops the loop thread after in-flight requests; the node can then only be dropped.
    pub fn stop(&mut self) -> Result<(), NodeError> {
        if !self.started {
            return Ok(());
        }
        self.started = false;
        // SAFETY: a live, started node.
        let rc = unsafe { ffi::dqlite_node_stop(self.raw) };
        self.check("dqlite_node_stop", rc)
    }

    fn check(&self, call: &'static str, rc: i32) -> Result<(), NodeError> {
        if rc == 0 {
            return Ok(());
        }
        // SAFETY: a live node; the message is a NUL-terminated string it owns (copied now).
        let message = unsafe {
            let p = ffi::dqlite_node_errmsg(self.raw);
            if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        Err(NodeError {
            call,
            code: rc,
            message,
        })
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.stop();
        // SAFETY: a live node, stopped (or never started); not used again.
        unsafe { ffi::dqlite_node_destroy(self.raw) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_the_system_library() {
        assert!(version_number() >= 11000, "{}", version_number());
        assert_ne!(generate_node_id("127.0.0.1:9001").unwrap(), 0);
    }

    #[test]
    fn a_node_starts_serves_tcp_and_stops() {
        let dir = std::env::temp_dir().join(format!("libdqlite-sys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let mut node = Node::create(&NodeConfig {
            id: 1,
            address: &address,
            bind: &address,
            data_dir: &dir,
            latency_ms: None,
        })
        .unwrap();
        node.start().unwrap();
        std::net::TcpStream::connect(&address).expect("the node listens");
        node.stop().unwrap();
        drop(node);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_carry_the_library_message() {
        let dir = std::env::temp_dir().join("libdqlite-sys-missing-dir/does/not/exist");
        // Another id than the test above: libdqlite names its SQLite VFS after the id, so
        // two live nodes of one id in one process would share it.
        let err = Node::create(&NodeConfig {
            id: 2,
            address: "127.0.0.1:1",
            bind: "127.0.0.1:1",
            data_dir: &dir,
            latency_ms: None,
        })
        .and_then(|mut n| n.start());
        assert!(err.is_err());
    }
}
