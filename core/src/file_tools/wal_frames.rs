//! Reads a SQLite `-wal` file's committed frames without SQLite, so a reader that only has
//! the bytes (the browser viewer, reading a file the user chose) can show the database as
//! SQLite would after recovering the WAL: the newest committed copy of each page wins, and
//! the database ends where the last commit says.
//!
//! Format (sqlite.org/fileformat2.html#walformat): a 32-byte header (magic, version, page
//! size, checkpoint sequence, two salts, a checksum of the first 24 bytes), then frames of a
//! 24-byte header (page number, database size in pages for a commit frame else 0, the two
//! salts, a cumulative checksum over the frame header's first 8 bytes and the page) followed
//! by the page. A frame counts when its salts match the header and the checksum chain holds;
//! the first frame that fails ends the log; frames after the last commit frame do not count.

use std::collections::HashMap;

const MAGIC_LE: u32 = 0x377f_0682;
const MAGIC_BE: u32 = 0x377f_0683;
const HEADER: u64 = 32;
const FRAME_HEADER: u64 = 24;

/// Where each page's newest committed copy lives in the `-wal`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WalIndex {
    pub page_size: u32,
    /// Page number (1-based) → byte offset of that page's data in the `-wal`.
    pub pages: HashMap<u32, u64>,
    /// Database size in pages after the last commit; 0 when the log holds no commit.
    pub db_pages: u32,
    /// Committed transactions found.
    pub commits: u32,
    /// Frames after the last commit (an unfinished transaction), which do not count.
    pub ignored_frames: u32,
}

impl WalIndex {
    /// True when the log changes nothing (empty, reset, or no commit).
    pub fn is_empty(&self) -> bool {
        self.commits == 0
    }
}

/// Why a `-wal` could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalError {
    /// Not a WAL file (or a header that does not check out).
    BadHeader(String),
    /// The log's page size differs from the database's.
    PageSize { wal: u32, db: u32 },
    /// Reading the file failed.
    Read(String),
}

impl std::fmt::Display for WalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WalError::BadHeader(why) => write!(f, "not a SQLite WAL file ({why})"),
            WalError::PageSize { wal, db } => write!(
                f,
                "the -wal has pages of {wal} bytes but the database has {db}-byte pages: it belongs to another database"
            ),
            WalError::Read(e) => write!(f, "the -wal could not be read ({e})"),
        }
    }
}

fn u32_at(b: &[u8], at: usize, big: bool) -> u32 {
    let w = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if big {
        u32::from_be_bytes(w)
    } else {
        u32::from_le_bytes(w)
    }
}

/// SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing from `s`.
fn checksum(data: &[u8], big: bool, s: (u32, u32)) -> (u32, u32) {
    let (mut s0, mut s1) = s;
    for pair in data.chunks_exact(8) {
        s0 = s0.wrapping_add(u32_at(pair, 0, big)).wrapping_add(s1);
        s1 = s1.wrapping_add(u32_at(pair, 4, big)).wrapping_add(s0);
    }
    (s0, s1)
}

/// Reads the index of a `-wal` of `len` bytes through `read(offset, buf)`, which must fill
/// `buf` from that offset. `db_page_size` is the database's page size, when known.
pub fn read_index(
    len: u64,
    db_page_size: Option<u32>,
    read: &mut dyn FnMut(u64, &mut [u8]) -> Result<(), String>,
) -> Result<WalIndex, WalError> {
    if len < HEADER {
        // An empty -wal (SQLite truncates it on checkpoint) changes nothing.
        return Ok(WalIndex::default());
    }
    let mut head = [0u8; 32];
    read(0, &mut head).map_err(WalError::Read)?;
    let magic = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let big = match magic {
        MAGIC_LE => false,
        MAGIC_BE => true,
        _ => return Err(WalError::BadHeader("wrong magic number".into())),
    };
    let be = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let page_size = be(8);
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(WalError::BadHeader(format!(
            "page size {page_size} is not valid"
        )));
    }
    if let Some(db) = db_page_size {
        if db != page_size {
            return Err(WalError::PageSize { wal: page_size, db });
        }
    }
    let (salt1, salt2) = (be(16), be(20));
    let sum = checksum(&head[..24], big, (0, 0));
    if sum != (be(24), be(28)) {
        // SQLite ignores a log whose header checksum fails: nothing in it counts.
        return Ok(WalIndex {
            page_size,
            ..Default::default()
        });
    }
    let mut index = WalIndex {
        page_size,
        ..Default::default()
    };
    let frame_len = FRAME_HEADER + page_size as u64;
    let mut pending: Vec<(u32, u64)> = Vec::new();
    let mut running = sum;
    let mut frame = vec![0u8; frame_len as usize];
    let mut at = HEADER;
    while at + frame_len <= len {
        read(at, &mut frame).map_err(WalError::Read)?;
        let fbe =
            |i: usize| u32::from_be_bytes([frame[i], frame[i + 1], frame[i + 2], frame[i + 3]]);
        let (page, commit_size) = (fbe(0), fbe(4));
        if page == 0 || fbe(8) != salt1 || fbe(12) != salt2 {
            break;
        }
        let s = checksum(&frame[..8], big, running);
        let s = checksum(&frame[FRAME_HEADER as usize..], big, s);
        if s != (fbe(16), fbe(20)) {
            break;
        }
        running = s;
        pending.push((page, at + FRAME_HEADER));
        if commit_size != 0 {
            for (p, off) in pending.drain(..) {
                index.pages.insert(p, off);
            }
            index.db_pages = commit_size;
            index.commits += 1;
        }
        at += frame_len;
    }
    index.ignored_frames = pending.len() as u32;
    // Pages past the committed end were truncated away by the last commit.
    let end = index.db_pages;
    if end > 0 {
        index.pages.retain(|p, _| *p <= end);
    }
    Ok(index)
}

#[cfg(all(test, feature = "rusqlite", not(target_family = "wasm")))]
mod tests {
    use super::*;

    fn read_from(bytes: &[u8]) -> impl FnMut(u64, &mut [u8]) -> Result<(), String> + '_ {
        move |off, buf| {
            let s = off as usize;
            buf.copy_from_slice(bytes.get(s..s + buf.len()).ok_or("past the end")?);
            Ok(())
        }
    }

    /// Applies the index to the main file's bytes, as the viewer's VFS does.
    fn apply(db: &[u8], wal: &[u8], idx: &WalIndex) -> Vec<u8> {
        let ps = idx.page_size as usize;
        let mut out = db.to_vec();
        out.resize(idx.db_pages as usize * ps, 0);
        for (p, off) in &idx.pages {
            let at = (*p as usize - 1) * ps;
            out[at..at + ps].copy_from_slice(&wal[*off as usize..*off as usize + ps]);
        }
        out[18] = 1;
        out[19] = 1;
        out
    }

    #[test]
    fn committed_frames_are_found_and_reproduce_what_sqlite_sees() {
        let dir = std::env::temp_dir().join(format!("motus-walframes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("w.db");
        let _ = std::fs::remove_file(&path);
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
             CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
             INSERT INTO t (v) SELECT hex(randomblob(300)) FROM generate_series(1, 500);",
        )
        .unwrap_or_else(|_| {
            // generate_series may be missing: fall back to a recursive CTE.
            c.execute_batch(
                "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
                 INSERT INTO t (v) SELECT hex(randomblob(300)) FROM n;",
            )
            .unwrap()
        });
        c.execute_batch("DELETE FROM t WHERE id % 3 = 0; UPDATE t SET v = 'changed' WHERE id = 7;")
            .unwrap();
        let db = std::fs::read(&path).unwrap();
        let wal = std::fs::read(dir.join("w.db-wal")).unwrap();
        let idx = read_index(wal.len() as u64, Some(4096), &mut read_from(&wal)).unwrap();
        assert!(idx.commits >= 2, "{idx:?}");
        assert_eq!(idx.ignored_frames, 0);
        // The main file alone knows nothing of the rows; with the log applied, SQLite sees
        // exactly what the writer committed.
        let image = apply(&db, &wal, &idx);
        let mem = rusqlite::Connection::open_in_memory().unwrap();
        let mut mem = mem;
        mem.deserialize_read_exact(
            rusqlite::MAIN_DB,
            std::io::Cursor::new(image.clone()),
            image.len(),
            true,
        )
        .unwrap();
        let n: i64 = mem
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        let want: i64 = c
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, want);
        let v: String = mem
            .query_row("SELECT v FROM t WHERE id = 7", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, "changed");

        // A torn last frame (a crash mid-write) ends the log at the previous commit.
        let mut torn = wal.clone();
        let last = torn.len() - 10;
        torn[last] ^= 0xff;
        let t = read_index(torn.len() as u64, Some(4096), &mut read_from(&torn)).unwrap();
        assert_eq!(t.commits, idx.commits - 1);
        // The wrong page size is refused; garbage is not a WAL.
        assert!(matches!(
            read_index(wal.len() as u64, Some(1024), &mut read_from(&wal)),
            Err(WalError::PageSize { .. })
        ));
        let junk = vec![7u8; 4096];
        assert!(matches!(
            read_index(junk.len() as u64, None, &mut read_from(&junk)),
            Err(WalError::BadHeader(_))
        ));
        // An empty log changes nothing.
        assert!(read_index(0, Some(4096), &mut read_from(&[]))
            .unwrap()
            .is_empty());
        drop(c);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
