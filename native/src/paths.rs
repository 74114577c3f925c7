//! Where the database lives: `--db PATH`, else `MOTUS_DATABASE__PATH`, else
//! `~/.motus/coordination.db`. The directory is created 0700, the files are kept 0600.

use std::path::{Path, PathBuf};

pub const ENV_DB_PATH: &str = "MOTUS_DATABASE__PATH";
pub const ENV_USERLAND_PATH: &str = "MOTUS_USERLAND__PATH";

/// Resolves the coordination database path from the flag and the environment.
pub fn coordination_db(flag: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = flag {
        return Ok(expand_home(p));
    }
    if let Some(p) = std::env::var_os(ENV_DB_PATH).filter(|v| !v.is_empty()) {
        return Ok(expand_home(Path::new(&p)));
    }
    Ok(motus_home()?.join("coordination.db"))
}

/// Resolves the userland database path: `--userland PATH`, else `MOTUS_USERLAND__PATH`, else
/// `userland.db` beside the coordination database (`~/.motus/userland.db` by default).
pub fn userland_db(flag: Option<&Path>, coordination: &Path) -> PathBuf {
    if let Some(p) = flag {
        return expand_home(p);
    }
    if let Some(p) = std::env::var_os(ENV_USERLAND_PATH).filter(|v| !v.is_empty()) {
        return expand_home(Path::new(&p));
    }
    coordination
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join("userland.db")
}

/// `~/.motus`.
pub fn motus_home() -> Result<PathBuf, String> {
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .ok_or("HOME is not set; pass --db PATH or set MOTUS_DATABASE__PATH")?;
    Ok(PathBuf::from(home).join(".motus"))
}

fn expand_home(p: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    p.to_path_buf()
}

/// Opens an existing file for reading only if it is a regular file: a FIFO or a device is
/// refused without blocking (on unix the open is non-blocking, checked, then made blocking
/// again; Windows has no FIFO that blocks an open).
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let f = options.open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, device, socket or directory)",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: fcntl on a descriptor we own; clearing O_NONBLOCK for ordinary reads.
        unsafe {
            let fd = f.as_raw_fd();
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
    Ok(f)
}

/// What kind of special file this is (none for a regular file).
fn special_kind(ft: std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a FIFO (named pipe)");
        } else if ft.is_socket() {
            return Some("a socket");
        } else if ft.is_block_device() || ft.is_char_device() {
            return Some("a device");
        }
    }
    (!ft.is_file()).then_some("not a regular file")
}

/// What a path is expected to be, for [`check`]'s messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The coordination database (`--db`).
    Database,
    /// userland.db (`--userland`).
    Userland,
    /// A file read as input: a restore source, an export to import, an evidence file.
    Source,
    /// A file the command creates: a backup, an export.
    Output,
}

impl Role {
    fn noun(self) -> &'static str {
        match self {
            Role::Database => "a database file",
            Role::Userland => "a userland.db",
            Role::Source => "a regular file to read",
            Role::Output => "a file to write",
        }
    }
}

/// What [`check`] found at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Missing,
    /// A regular file (symlinks followed).
    File,
}

const SIDE_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// `X.db` when `path` is `X.db-wal`, `X.db-shm` or `X.db-journal`.
fn sidecar_base(path: &Path) -> Option<(PathBuf, &'static str)> {
    let name = path.file_name()?.to_str()?;
    SIDE_SUFFIXES.iter().find_map(|suffix| {
        let base = name.strip_suffix(suffix).filter(|b| !b.is_empty())?;
        Some((path.with_file_name(base), *suffix))
    })
}

/// The first bytes of a WAL (either byte order) or a rollback journal.
fn has_sidecar_magic(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut f) = open_regular(path) else {
        return false;
    };
    let mut head = [0u8; 8];
    if f.read_exact(&mut head).is_err() {
        return false;
    }
    matches!(
        head[..4],
        [0x37, 0x7f, 0x06, 0x82] | [0x37, 0x7f, 0x06, 0x83]
    ) || head == [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]
}

fn role_is_database(role: Role) -> bool {
    matches!(role, Role::Database | Role::Userland)
}

/// The one check of a path where a database or a file is expected: refuses a `-wal`, `-shm`
/// or `-journal` of a database, a FIFO, device, socket or directory, with a specific error.
pub fn check(path: &Path, role: Role) -> Result<Found, crate::output::CliError> {
    use crate::output::CliError;
    let shown = path.display();
    if let Some((base, suffix)) = sidecar_base(path) {
        let base_is_file = std::fs::metadata(&base).is_ok_and(|m| m.is_file());
        if base_is_file || has_sidecar_magic(path) {
            return Err(CliError::failed(
                "sidecar_file",
                format!(
                    "{shown} is the {suffix} side file of the database {}, not {}; SQLite owns it — pass the database itself (or another path)",
                    base.display(),
                    role.noun()
                ),
            ));
        }
    }
    if let Some((base, suffix)) = sidecar_base(path).filter(|_| role_is_database(role)) {
        // A new (or empty) database under a side file's name: SQLite would take it for the
        // WAL or journal of `base` as soon as that database exists, and destroy one of them.
        if std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
            return Err(CliError::failed(
                "sidecar_file",
                format!(
                    "{shown} is named like the {suffix} side file of a database {}, so SQLite would take it for that database's {suffix}; choose a name that does not end in -wal, -shm or -journal",
                    base.display()
                ),
            ));
        }
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if role_is_database(role) {
                // A new database: SQLite creates its journal at once, beside whatever is here.
                check_side_files(path)?;
            }
            return Ok(Found::Missing);
        }
        Err(e) => {
            return Err(CliError::failed(
                if e.kind() == std::io::ErrorKind::PermissionDenied {
                    "read_only"
                } else {
                    "cannot_open"
                },
                format!("cannot read {shown}: {e}"),
            ))
        }
    };
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(CliError::failed(
            "not_a_database",
            format!(
                "{shown} is a directory, not {}; pass the path of the file",
                role.noun()
            ),
        ));
    }
    if let Some(what) = special_kind(ft) {
        return Err(CliError::failed(
            "not_a_regular_file",
            format!(
                "{shown} is {what}, not {}; pass a regular file",
                role.noun()
            ),
        ));
    }
    if role != Role::Source && role != Role::Output && has_sidecar_magic(path) {
        return Err(CliError::failed(
            "sidecar_file",
            format!(
                "{shown} holds a SQLite WAL or journal, not a database; pass the database itself"
            ),
        ));
    }
    if role_is_database(role) {
        check_side_files(path)?;
    }
    Ok(Found::File)
}

/// The side files SQLite opens beside a database ([`side_file`]): each one that exists must
/// be a regular file. SQLite opens them without checking: on a FIFO it blocks forever, on a
/// symlink or a directory it fails with an error that blames the database ("cannot open",
/// "read-only"). [`check`] runs it for the commands that look at a database path first (a new
/// database before it is created, a restore or import target before anything is replaced) and
/// `db::open_file` right before SQLite opens the file, so a refused command changes no byte.
pub fn check_side_files(db: &Path) -> Result<(), crate::output::CliError> {
    for suffix in SIDE_SUFFIXES {
        let side = side_file(db, suffix);
        let Ok(meta) = std::fs::symlink_metadata(&side) else {
            continue;
        };
        let ft = meta.file_type();
        if ft.is_file() {
            continue;
        }
        let what = if ft.is_symlink() {
            "a symbolic link"
        } else if ft.is_dir() {
            "a directory"
        } else {
            special_kind(ft).unwrap_or("not a regular file")
        };
        return Err(crate::output::CliError::failed(
            "not_a_regular_file",
            format!(
                "{} (the {suffix} side file of the database {}) is {what}, not a file SQLite made; SQLite would hang or fail on it, so nothing was opened or changed",
                side.display(),
                sqlite_file(db).display()
            ),
        )
        .with_hint(format!(
            "remove {} (when no process has the database open) and run the command again",
            side.display()
        )));
    }
    Ok(())
}

/// True when `a` and `b` are the same file (same device and inode), under any two names.
#[cfg(unix)]
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Windows: the same path once every symlink is resolved (std exposes no stable file index, so
/// two hard links to one file are not recognised there).
#[cfg(not(unix))]
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Refuses `other` when it is the database `db` (or one of its side files) under another name.
pub fn refuse_same(db: &Path, other: &Path, what: &str) -> Result<(), crate::output::CliError> {
    let clash = same_file(db, other)
        || SIDE_SUFFIXES
            .iter()
            .any(|s| same_file(&side_file(db, s), other));
    if clash {
        return Err(crate::output::CliError::failed(
            "same_file",
            format!(
                "{} is the database {} (or one of its side files) under another name; {what} must be a different file",
                other.display(),
                db.display()
            ),
        ));
    }
    Ok(())
}

/// Restricts the database and its WAL/SHM side files to the owner.
pub fn restrict_files(db: &Path) {
    // Windows: files keep the access list of their folder.
    #[cfg(not(unix))]
    let _ = db;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [
            db.to_path_buf(),
            side_file(db, "-wal"),
            side_file(db, "-shm"),
        ] {
            if let Ok(meta) = std::fs::metadata(&p) {
                if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
                    let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
                }
            }
        }
    }
}

/// The file SQLite opens for the database path `db`: on unix SQLite follows a symlink at the
/// database's name and keeps the `-wal`, `-shm` and `-journal` beside the file it leads to (on
/// Windows it does not follow it).
pub fn sqlite_file(db: &Path) -> PathBuf {
    #[cfg(unix)]
    if std::fs::symlink_metadata(db).is_ok_and(|m| m.file_type().is_symlink()) {
        if let Ok(real) = std::fs::canonicalize(db) {
            return real;
        }
    }
    db.to_path_buf()
}

/// A side file's path, where SQLite keeps it: `coordination.db-wal` and so on, beside the
/// file a symlinked database path leads to. Every side-file check, judge and repair names
/// them through here, so none looks beside a symlink while SQLite reads beside its target.
pub fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut p = sqlite_file(db).into_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;

    #[test]
    fn open_regular_refuses_a_fifo_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo on a path in our own temp dir.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = open_regular(&fifo).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    }
}
