//! Keeping every SQLite connection out of a database file while its side files are changed
//! without SQLite (`doctor --fix` setting a foreign WAL aside).
//!
//! SQLite's unix VFS read-locks the PENDING byte and then the SHARED range of the main file
//! before it reads anything, and in WAL mode a connection keeps that SHARED lock for as long
//! as it is open. A write lock over both ranges therefore means that no connection of any
//! process has the database open now, and that none can start (they wait, then get BUSY) until
//! it is let go: nobody can read the database through the WAL being moved, or write, between
//! the check and the rename.
//!
//! On Linux the lock is an open-file-description lock (`F_OFD_SETLK`): it conflicts with
//! SQLite's POSIX locks in every process, and — unlike a POSIX lock — is not dropped when this
//! process closes some other descriptor of the file (the checks made under it open and close
//! the database file to copy it). Other unix systems take a POSIX lock, which such a close does
//! drop: a weaker fallback, documented in docs/security.md. Elsewhere nothing is locked.

use std::path::Path;
use std::time::{Duration, Instant};

/// SQLite's lock bytes (os.h): PENDING_BYTE at 1 GiB, then RESERVED, then 510 SHARED bytes.
#[cfg(unix)]
const PENDING_BYTE: i64 = 0x4000_0000;
#[cfg(unix)]
const LOCK_LEN: i64 = 2 + 510;

/// Held until dropped (closing the descriptor releases the lock).
pub struct Exclusive {
    #[cfg(unix)]
    _file: std::fs::File,
}

/// Waits up to `wait` for every other connection to close `db`, then keeps them out.
/// `WouldBlock` when some process kept it open all that time.
pub fn acquire(db: &Path, wait: Duration) -> std::io::Result<Exclusive> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        use std::os::unix::io::AsRawFd;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            // The file SQLite locks: a symlinked database path leads to it.
            .open(crate::paths::sqlite_file(db))?;
        let started = Instant::now();
        loop {
            // SAFETY: a plain fcntl on a descriptor we own, with a zeroed, then filled, flock.
            let rc = unsafe {
                let mut lock: libc::flock = std::mem::zeroed();
                lock.l_type = libc::F_WRLCK as _;
                lock.l_whence = libc::SEEK_SET as _;
                lock.l_start = PENDING_BYTE as _;
                lock.l_len = LOCK_LEN as _;
                libc::fcntl(file.as_raw_fd(), SET_LOCK, &lock)
            };
            if rc == 0 {
                return Ok(Exclusive { _file: file });
            }
            let err = std::io::Error::last_os_error();
            let held = matches!(err.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EACCES));
            if !held {
                return Err(err);
            }
            if started.elapsed() >= wait {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    "another process has the database open",
                ));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (db, wait, Instant::now());
        Ok(Exclusive {})
    }
}

#[cfg(target_os = "linux")]
const SET_LOCK: libc::c_int = libc::F_OFD_SETLK;
#[cfg(all(unix, not(target_os = "linux")))]
const SET_LOCK: libc::c_int = libc::F_SETLK;

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use motus_core::sqlite::{OpenMode, SqliteConnection};
    use motus_core::Connection;

    #[test]
    fn an_open_connection_keeps_it_out_and_it_keeps_connections_out() {
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("a.db");
        let c = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadWriteCreate).unwrap();
        c.ensure_wal().unwrap();
        c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
        // An open WAL-mode connection holds its SHARED lock: no exclusive access.
        let err = acquire(&db, Duration::from_millis(50)).err().unwrap();
        assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        drop(c);
        let held = acquire(&db, Duration::from_millis(50)).unwrap();
        // While held, a new connection cannot read (BUSY once its wait is over).
        motus_core::sqlite::set_busy_limit_ms(50);
        let read = || {
            let c = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadWrite)?;
            c.query("SELECT count(*) FROM t", &[])
        };
        let e = read().err().expect("kept out");
        assert_eq!(e.code(), "busy", "{e}");
        drop(held);
        assert!(read().is_ok());
        motus_core::sqlite::set_busy_limit_ms(30_000);
    }
}
