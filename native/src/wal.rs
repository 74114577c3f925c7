//! Does the `-wal` beside a database belong to it? SQLite applies any well-formed WAL it finds
//! beside a file, so a WAL copied from another database (or left by another file of the same
//! name) would be read as this database's latest pages and, on the next checkpoint, written
//! into it. Every command checks before SQLite opens the file:
//!
//! - no WAL, or one SQLite would ignore (shorter than its header, bad magic, bad header
//!   checksum, no valid frame): nothing to check;
//! - a `-shm` index that SQLite keeps for this database describes the WAL (its salts, and the
//!   checksum of the last frame it indexed, equal the WAL's): it is the WAL SQLite was using;
//! - otherwise (no index, an index of another WAL): the database is checked *with* this WAL on a
//!   private copy of both files, never on the files themselves, so a damaged combination is
//!   reported without SQLite rebuilding the index or checkpointing anything.
//!
//! `motus doctor` explains what it found, and `doctor --fix` sets a WAL that does not belong
//! aside (renamed, kept) only when the main file alone is sound.

use crate::files;
use crate::output::CliError;
use crate::paths::side_file;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use std::io::Read;
use std::path::{Path, PathBuf};

const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

/// The WAL's header fields that matter here.
#[derive(Debug, Clone, Copy)]
struct Header {
    big_endian_cksum: bool,
    page_size: usize,
    salts: [u8; 8],
    cksum: (u32, u32),
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn checksum(data: &[u8], big_endian: bool, mut s: (u32, u32)) -> (u32, u32) {
    for chunk in data.chunks_exact(8) {
        let read = |b: &[u8]| {
            let a = [b[0], b[1], b[2], b[3]];
            if big_endian {
                u32::from_be_bytes(a)
            } else {
                u32::from_le_bytes(a)
            }
        };
        s.0 = s.0.wrapping_add(read(&chunk[..4])).wrapping_add(s.1);
        s.1 = s.1.wrapping_add(read(&chunk[4..])).wrapping_add(s.0);
    }
    s
}

fn parse_header(h: &[u8]) -> Option<Header> {
    if h.len() < WAL_HEADER {
        return None;
    }
    let magic = be32(&h[0..]);
    if magic & 0xFFFF_FFFE != 0x377f_0682 || be32(&h[4..]) != 3_007_000 {
        return None;
    }
    let big = magic & 1 == 1;
    let page_size = be32(&h[8..]) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return None;
    }
    let cksum = checksum(&h[..24], big, (0, 0));
    if cksum != (be32(&h[24..]), be32(&h[28..])) {
        return None;
    }
    let mut salts = [0u8; 8];
    salts.copy_from_slice(&h[16..24]);
    Some(Header {
        big_endian_cksum: big,
        page_size,
        salts,
        cksum,
    })
}

/// The wal-index header SQLite keeps at the start of `-shm` (two copies that must agree).
struct Index {
    max_frame: u32,
    frame_cksum: (u32, u32),
    salts: [u8; 8],
}

fn read_index(shm: &Path) -> Option<Index> {
    let mut f = crate::paths::open_regular(shm).ok()?;
    let mut b = [0u8; 96];
    // The two copies differ while a writer updates them: read again (SQLite does the same).
    for _ in 0..50 {
        use std::io::{Seek, SeekFrom};
        f.seek(SeekFrom::Start(0)).ok()?;
        f.read_exact(&mut b).ok()?;
        if b[..48] == b[48..96] {
            break;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    let ne = |o: usize| u32::from_ne_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    if b[..48] != b[48..96] || ne(0) != 3_007_000 || b[12] != 1 {
        return None;
    }
    let mut salts = [0u8; 8];
    salts.copy_from_slice(&b[32..40]);
    Some(Index {
        max_frame: ne(16),
        frame_cksum: (ne(24), ne(28)),
        salts,
    })
}

/// What was found beside a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No WAL, or nothing in it SQLite would apply.
    Nothing,
    /// The index SQLite keeps for this database describes this WAL.
    Indexed,
    /// No index vouches for it, but the database with it is sound (checked on a copy).
    CheckedSound,
    /// It does not belong, or the database with it is not sound: the reason.
    Unsound(String),
}

/// Reads the frame header at 1-based `frame`.
fn frame_header(wal: &mut std::fs::File, h: &Header, frame: u32) -> Option<[u8; FRAME_HEADER]> {
    use std::io::{Seek, SeekFrom};
    let off = WAL_HEADER as u64 + (frame as u64 - 1) * (FRAME_HEADER + h.page_size) as u64;
    wal.seek(SeekFrom::Start(off)).ok()?;
    let mut fh = [0u8; FRAME_HEADER];
    wal.read_exact(&mut fh).ok()?;
    Some(fh)
}

/// The number of frames SQLite would accept (valid salts and checksum chain, up to the last
/// commit frame). Reads the whole WAL: used only when no index vouches for it.
fn committed_frames(wal: &mut std::fs::File, h: &Header) -> u32 {
    use std::io::{Seek, SeekFrom};
    if wal.seek(SeekFrom::Start(WAL_HEADER as u64)).is_err() {
        return 0;
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 16, wal);
    let mut frame = vec![0u8; FRAME_HEADER + h.page_size];
    let (mut n, mut committed, mut s) = (0u32, 0u32, h.cksum);
    while reader.read_exact(&mut frame).is_ok() {
        if frame[8..16] != h.salts || be32(&frame[0..]) == 0 {
            break;
        }
        s = checksum(&frame[..8], h.big_endian_cksum, s);
        s = checksum(&frame[FRAME_HEADER..], h.big_endian_cksum, s);
        if s != (be32(&frame[16..]), be32(&frame[20..])) {
            break;
        }
        n += 1;
        if be32(&frame[4..]) != 0 {
            committed = n;
        }
    }
    committed
}

fn db_page_size(db: &Path) -> Option<usize> {
    let mut f = crate::paths::open_regular(db).ok()?;
    let mut h = [0u8; 100];
    f.read_exact(&mut h).ok()?;
    if !h.starts_with(b"SQLite format 3\0") {
        return None;
    }
    let v = u16::from_be_bytes([h[16], h[17]]) as usize;
    Some(if v == 1 { 65536 } else { v })
}

/// One look at the WAL and its index; `Err` is a mismatch that a writer running at the same
/// moment can explain (it restarts the WAL, or rewrites the index), so it is looked at again.
fn judge_once(db: &Path) -> Result<Verdict, String> {
    let wal_path = side_file(db, "-wal");
    let Ok(mut wal) = crate::paths::open_regular(&wal_path) else {
        return Ok(Verdict::Nothing);
    };
    let mut head = [0u8; WAL_HEADER];
    if wal.read_exact(&mut head).is_err() {
        return Ok(Verdict::Nothing);
    }
    let Some(h) = parse_header(&head) else {
        return Ok(Verdict::Nothing);
    };
    if let Some(ix) = read_index(&side_file(db, "-shm")) {
        if ix.max_frame > 0 {
            if ix.salts != h.salts {
                return Err("the WAL beside it is not the one SQLite indexed for this database (its salts differ from the -shm index): it was replaced or copied from another database".into());
            }
            return match frame_header(&mut wal, &h, ix.max_frame) {
                Some(fh)
                    if fh[8..16] == h.salts
                        && (be32(&fh[16..]), be32(&fh[20..])) == ix.frame_cksum =>
                {
                    Ok(Verdict::Indexed)
                }
                _ => Err("the WAL beside it does not hold the frames SQLite indexed for this database: it was changed or copied from another database".into()),
            };
        }
        // SQLite restarted the WAL (salt-1 + 1 in the index, nothing written yet): the old
        // frames were all checkpointed already, so reading them again changes nothing.
        if be32(&ix.salts[..4]) == be32(&h.salts[..4]).wrapping_add(1) {
            return Ok(Verdict::Nothing);
        }
        if ix.salts != h.salts && committed_frames(&mut wal, &h) > 0 {
            return Err("the WAL beside it is not the one SQLite last indexed for this database (its salts differ from the -shm index): it was replaced or copied from another database".into());
        }
    }
    if committed_frames(&mut wal, &h) == 0 {
        return Ok(Verdict::Nothing);
    }
    if let Some(ps) = db_page_size(db) {
        if ps != h.page_size {
            return Ok(Verdict::Unsound(format!(
                "the WAL beside it is for {}-byte pages, the database has {ps}-byte pages: it belongs to another database",
                h.page_size
            )));
        }
    }
    Ok(match check_copy(db, Some(&wal_path)) {
        Ok(()) => Verdict::CheckedSound,
        Err(why) => Verdict::Unsound(format!(
            "the database read with the WAL beside it is not sound ({why})"
        )),
    })
}

/// Judges the WAL beside `db` without letting SQLite touch either file. A mismatch between the
/// WAL and its index must persist across a few looks (about 0.2 s): a writer restarting the
/// WAL at that moment explains a passing one.
pub fn judge(db: &Path) -> Verdict {
    let mut last = String::new();
    for attempt in 0..20 {
        match judge_once(db) {
            Ok(v) => return v,
            Err(why) => last = why,
        }
        std::thread::sleep(std::time::Duration::from_millis(2 + attempt));
    }
    Verdict::Unsound(last)
}

/// Copies `db` (and `wal`, when given) into a private directory and runs SQLite's
/// integrity check there; the originals are only read.
pub fn check_copy(db: &Path, wal: Option<&Path>) -> Result<(), String> {
    let scratch = std::env::temp_dir().join("check.db");
    let staged = files::Staged::new(&scratch).map_err(|e| format!("cannot copy it: {e}"))?;
    let copy = |from: &Path, to: &Path| -> Result<(), String> {
        let mut src =
            crate::paths::open_regular(from).map_err(|e| format!("cannot read it: {e}"))?;
        let mut dst = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(to)
            .map_err(|e| format!("cannot copy it: {e}"))?;
        std::io::copy(&mut src, &mut dst).map_err(|e| format!("cannot copy it: {e}"))?;
        Ok(())
    };
    copy(db, staged.path())?;
    if let Some(w) = wal {
        copy(w, &side_file(staged.path(), "-wal"))?;
    }
    let conn = SqliteConnection::open(&staged.path().to_string_lossy(), OpenMode::ReadWrite)
        .map_err(|e| e.to_string())?;
    let lines =
        motus_core::engine::local_file::integrity_check(&conn).map_err(|e| e.to_string())?;
    if lines != ["ok"] {
        return Err(format!(
            "integrity_check: {}",
            lines.into_iter().take(3).collect::<Vec<_>>().join("; ")
        ));
    }
    motus_core::engine::catalogue::object_count(&conn).map_err(|e| e.to_string())?;
    Ok(())
}

/// Refuses a database whose WAL does not belong to it (or makes it unsound), before SQLite
/// opens it: exit 1, and no byte of either file changed.
pub fn refuse_unsound(db: &Path) -> Result<(), CliError> {
    match judge(db) {
        Verdict::Unsound(why) => Err(CliError::failed(
            "foreign_wal",
            format!(
                "{}: {why}. Nothing was written. Run `motus doctor` to see whether the database file alone is sound; `motus doctor --fix` then sets that WAL aside (kept, renamed)",
                db.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// Sets the WAL (and its index) aside under a new name, keeping them: `<db>-wal.foreign-<t>`.
pub fn set_aside(db: &Path) -> std::io::Result<Vec<PathBuf>> {
    let stamp: String = crate::host::now_stamp();
    let tag = format!(".foreign-{stamp}-{}", files::random_suffix(6));
    let mut moved = Vec::new();
    for suffix in ["-wal", "-shm"] {
        let from = side_file(db, suffix);
        if from.symlink_metadata().is_ok() {
            let mut to = from.as_os_str().to_owned();
            to.push(&tag);
            let to = PathBuf::from(to);
            std::fs::rename(&from, &to)?;
            moved.push(to);
        }
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_checksum_is_sqlites() {
        // A WAL written by SQLite itself: its header parses and its frames count.
        let d = tempfile::tempdir().unwrap();
        let db = d.path().join("a.db");
        let c = rusqlite_free_wal(&db);
        let wal = side_file(&db, "-wal");
        let mut f = std::fs::File::open(&wal).unwrap();
        let mut head = [0u8; WAL_HEADER];
        f.read_exact(&mut head).unwrap();
        let h = parse_header(&head).expect("SQLite's own header is valid");
        assert!(committed_frames(&mut f, &h) > 0);
        assert_eq!(judge(&db), Verdict::Indexed);
        drop(c);
    }

    /// A database left with WAL frames and its index (no checkpoint on close).
    fn rusqlite_free_wal(db: &Path) -> SqliteConnection {
        let c = SqliteConnection::open(db.to_str().unwrap(), OpenMode::ReadWriteCreate).unwrap();
        c.skip_checkpoint_on_close().unwrap();
        c.ensure_wal().unwrap();
        motus_core::Connection::execute_batch(
            &c,
            "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);",
        )
        .unwrap();
        c
    }

    #[test]
    fn a_wal_copied_from_another_database_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a.db"), d.path().join("b.db"));
        drop(rusqlite_free_wal(&a));
        let cb = rusqlite_free_wal(&b);
        motus_core::Connection::execute_batch(&cb, "INSERT INTO t VALUES (3)").unwrap();
        drop(cb);
        std::fs::copy(side_file(&b, "-wal"), side_file(&a, "-wal")).unwrap();
        assert!(matches!(judge(&a), Verdict::Unsound(_)));
        // Without an index either, it is checked on a copy (here the schema happens to be
        // the same shape, so the copy may pass; what matters is the original is untouched).
        let before = std::fs::read(&a).unwrap();
        std::fs::remove_file(side_file(&a, "-shm")).unwrap();
        let _ = judge(&a);
        assert_eq!(std::fs::read(&a).unwrap(), before);
        assert!(!side_file(&a, "-shm").exists());
    }
}
