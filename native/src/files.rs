//! The one place that creates files and directories. Every file the tool writes (exports,
//! backups, pre-upgrade backups, kept copies, import scratch, userland.db, the database itself
//! on first use) is made here, the same way:
//!
//! - it is built inside a private staging directory (`.motus-tmp-<pid>-<random>`, mode 0700,
//!   created with an exclusive `mkdir`) in the destination's own directory, so nobody else can
//!   plant a symlink at its name or at SQLite's `-journal`/`-wal` beside it, and an unfinished
//!   file never carries a finished file's name;
//! - files are created exclusively without following symlinks (`O_CREAT|O_EXCL|O_NOFOLLOW`),
//!   mode 0600 whatever the umask; directories 0700;
//! - it is flushed (`fsync`), put in place in one step, and the directory is flushed;
//! - one overwrite rule: an existing destination is refused ([`Overwrite::Refuse`], an atomic
//!   `link`, so a destination created meanwhile is refused too); `--force`
//!   ([`Overwrite::Replace`]) replaces it with an atomic `rename` (a symlink at the
//!   destination is replaced itself, its target is never written).
//!
//! A run killed half-way leaves only its staging directory; the next run in that directory,
//! and `motus doctor --fix`, remove those whose process is gone ([`leftovers`], [`sweep`]).
//!
//! On Windows (see [`os`]) there are no mode bits: files and folders get the access list of
//! the folder they are made in (a user's profile is theirs alone); a symlink is opened as
//! itself, never followed; and a staging folder counts as left behind once it is a day old.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// What "private" and "never through a symlink" mean on this system.
#[cfg(unix)]
mod os {
    use std::fs::{DirBuilder, File, OpenOptions, Permissions};
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};

    /// A directory builder that makes 0700 directories.
    pub fn private_dir() -> DirBuilder {
        let mut b = DirBuilder::new();
        b.mode(0o700);
        b
    }
    /// Never opens through a symlink at the last component.
    pub fn no_follow(o: &mut OpenOptions) -> &mut OpenOptions {
        o.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
    }
    /// Creates 0600, whatever the umask.
    pub fn private_file(o: &mut OpenOptions) -> &mut OpenOptions {
        no_follow(o.mode(0o600))
    }
    pub fn keep_private(f: &File) -> std::io::Result<()> {
        f.set_permissions(Permissions::from_mode(0o600))
    }
    /// A staging directory of ours whose process is gone.
    pub fn left_behind(pid: u32, meta: &std::fs::Metadata) -> bool {
        // SAFETY: getuid has no preconditions.
        meta.uid() == unsafe { libc::getuid() } && !process_alive(pid)
    }
    fn process_alive(pid: u32) -> bool {
        if pid == std::process::id() {
            return true;
        }
        // SAFETY: kill with signal 0 only checks that the process exists.
        let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
}

/// Windows: no mode bits (new files and folders inherit the folder's access list);
/// `FILE_FLAG_OPEN_REPARSE_POINT` opens a symlink itself instead of its target, and
/// `create_new` (`CREATE_NEW`) never opens an existing name. Without the process API a staging
/// folder is taken for a killed run's once it has not changed for a day.
#[cfg(windows)]
mod os {
    use std::fs::{DirBuilder, File, OpenOptions};
    use std::os::windows::fs::OpenOptionsExt;

    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;

    pub fn private_dir() -> DirBuilder {
        DirBuilder::new()
    }
    pub fn no_follow(o: &mut OpenOptions) -> &mut OpenOptions {
        o.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
    }
    pub fn private_file(o: &mut OpenOptions) -> &mut OpenOptions {
        no_follow(o)
    }
    pub fn keep_private(_f: &File) -> std::io::Result<()> {
        Ok(())
    }
    pub fn left_behind(pid: u32, meta: &std::fs::Metadata) -> bool {
        let day = std::time::Duration::from_secs(24 * 3600);
        pid != std::process::id()
            && meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > day)
    }
}

/// The prefix of staging directories.
pub const STAGING_PREFIX: &str = ".motus-tmp-";

/// What happens when the destination exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Refuse: the destination is never touched.
    Refuse,
    /// Replace it (the `--force` flag).
    Replace,
}

impl Overwrite {
    pub fn from_force(force: bool) -> Self {
        if force {
            Overwrite::Replace
        } else {
            Overwrite::Refuse
        }
    }
}

/// Why putting a file in place failed.
#[derive(Debug)]
pub enum PlaceError {
    /// The destination exists and the rule is [`Overwrite::Refuse`].
    Exists(PathBuf),
    Io(io::Error),
}

impl From<io::Error> for PlaceError {
    fn from(e: io::Error) -> Self {
        PlaceError::Io(e)
    }
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the OS random source is available");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `n` random hex characters (for names that must be unique: backups, kept copies).
pub fn random_suffix(n: usize) -> String {
    let mut s = random_hex(n.div_ceil(2));
    s.truncate(n);
    s
}

/// The directory a path's file lives in (`.` for a bare name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates `dir` and any missing parents, each created one 0700.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    os::private_dir().recursive(true).create(dir)
}

/// Creates a new empty file exclusively (0600, no symlink followed). Used for the database
/// itself on first use, so SQLite opens a file that is ours and private from the start.
pub fn create_new_private(path: &Path) -> io::Result<File> {
    os::private_file(OpenOptions::new().write(true).create_new(true)).open(path)
}

/// A handle to lock a folder by (`File::lock`): the folder itself on unix; on Windows, which
/// cannot lock a folder, the file `.motus-extract.lock` in it (created private, never through
/// a symlink).
pub fn lock_handle(dir: &Path) -> io::Result<File> {
    #[cfg(unix)]
    {
        File::open(dir)
    }
    #[cfg(not(unix))]
    {
        os::private_file(OpenOptions::new().read(true).write(true).create(true))
            .open(dir.join(".motus-extract.lock"))
    }
}

/// Creates the parent directory (0700, and any missing parents 0700 too).
pub fn ensure_parent_dir(db: &Path) -> std::io::Result<()> {
    let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    ensure_private_dir(dir)
}

fn fsync_dir(dir: &Path) {
    // Best effort: some filesystems cannot fsync a directory.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A file being built for `dest`, inside a private staging directory beside it. Dropping it
/// without [`Staged::place`] removes everything it made.
#[derive(Debug)]
pub struct Staged {
    dir: PathBuf,
    file: PathBuf,
    dest: PathBuf,
}

impl Staged {
    /// Makes the staging directory beside `dest` and an empty private file in it. Leftovers
    /// of killed runs in that directory are removed first.
    pub fn new(dest: &Path) -> io::Result<Staged> {
        let parent = parent_dir(dest);
        sweep(&parent);
        let dir = parent.join(format!(
            "{STAGING_PREFIX}{}-{}",
            std::process::id(),
            random_hex(8)
        ));
        os::private_dir().create(&dir)?;
        let name = dest
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "file".into());
        let file = dir.join(name);
        let staged = Staged {
            dir,
            file,
            dest: dest.to_path_buf(),
        };
        create_new_private(&staged.file)?;
        Ok(staged)
    }

    /// The file being built (it exists, empty, 0600). SQLite may open it: its `-journal` /
    /// `-wal` land in the private directory too.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// The file where it will be placed.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Opens the staged file for writing.
    pub fn open(&self) -> io::Result<File> {
        os::no_follow(OpenOptions::new().write(true)).open(&self.file)
    }

    /// Flushes the file, keeps it 0600, puts it at its destination under `rule`, flushes the
    /// directory and removes the staging directory.
    pub fn place(self, rule: Overwrite) -> Result<PathBuf, PlaceError> {
        // Written-to handle: Windows flushes (FlushFileBuffers) only through a handle with
        // write access, a read-only one gets "Access denied".
        let f = os::no_follow(OpenOptions::new().read(true).write(true)).open(&self.file)?;
        os::keep_private(&f)?;
        f.sync_all()?;
        drop(f);
        match rule {
            Overwrite::Refuse => match std::fs::hard_link(&self.file, &self.dest) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return Err(PlaceError::Exists(self.dest.clone()))
                }
                // A filesystem without hard links: check, then rename (not atomic there).
                Err(_) if std::fs::symlink_metadata(&self.dest).is_err() => {
                    std::fs::rename(&self.file, &self.dest)?
                }
                Err(e) => return Err(PlaceError::Io(e)),
            },
            Overwrite::Replace => std::fs::rename(&self.file, &self.dest)?,
        }
        fsync_dir(&parent_dir(&self.dest));
        Ok(self.dest.clone())
        // Drop removes the staging directory (and the second link to the file).
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Writes `bytes` to `dest` the safe way, under `rule`.
pub fn write_file(dest: &Path, bytes: &[u8], rule: Overwrite) -> Result<PathBuf, PlaceError> {
    use std::io::Write;
    let staged = Staged::new(dest)?;
    let mut f = staged.open()?;
    f.write_all(bytes)?;
    drop(f);
    staged.place(rule)
}

/// Writes a command's output file (`roadmap export -o`, `graph -o`, ...) under the one rule:
/// the path checks first, an existing file refused unless `force`, never the database itself.
pub fn write_output(
    db: &Path,
    dest: &Path,
    bytes: &[u8],
    force: bool,
) -> Result<PathBuf, crate::output::CliError> {
    use crate::output::CliError;
    let exists = |p: &Path| {
        CliError::failed(
            "exists",
            format!(
                "{} already exists; pass --force to replace it, or choose a new path",
                p.display()
            ),
        )
    };
    let found = crate::paths::check(dest, crate::paths::Role::Output)?;
    crate::paths::refuse_same(db, dest, "the output")?;
    if !force && (found == crate::paths::Found::File || dest.symlink_metadata().is_ok()) {
        return Err(exists(dest));
    }
    write_file(dest, bytes, Overwrite::from_force(force)).map_err(|e| match e {
        PlaceError::Exists(p) => exists(&p),
        PlaceError::Io(e) => CliError::failed(
            if e.kind() == io::ErrorKind::PermissionDenied {
                "read_only"
            } else {
                "io"
            },
            format!("cannot write {}: {e}", dest.display()),
        ),
    })
}

fn pid_of(name: &str) -> Option<u32> {
    name.strip_prefix(STAGING_PREFIX)?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// Staging directories in `dir` left by runs that were killed (their process is gone) and
/// that belong to this user.
pub fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let Some(pid) = name.to_str().and_then(pid_of) else {
                return false;
            };
            e.path()
                .symlink_metadata()
                .is_ok_and(|m| m.is_dir() && os::left_behind(pid, &m))
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// Removes [`leftovers`]; returns what was removed.
pub fn sweep(dir: &Path) -> Vec<PathBuf> {
    leftovers(dir)
        .into_iter()
        .filter(|p| std::fs::remove_dir_all(p).is_ok())
        .collect()
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_staged_file_is_private_and_replaces_only_with_force() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out.txt");
        write_file(&dest, b"one", Overwrite::Refuse).unwrap();
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(matches!(
            write_file(&dest, b"two", Overwrite::Refuse),
            Err(PlaceError::Exists(_))
        ));
        assert_eq!(std::fs::read(&dest).unwrap(), b"one");
        write_file(&dest, b"two", Overwrite::Replace).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"two");
        // Nothing else is left in the directory.
        let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_symlink_at_the_destination_is_refused_or_replaced_never_followed() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("victim");
        std::fs::write(&target, b"precious").unwrap();
        let dest = d.path().join("out");
        std::os::unix::fs::symlink(&target, &dest).unwrap();
        assert!(matches!(
            write_file(&dest, b"x", Overwrite::Refuse),
            Err(PlaceError::Exists(_))
        ));
        write_file(&dest, b"x", Overwrite::Replace).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&dest).unwrap().is_symlink());
    }

    #[test]
    fn leftovers_of_dead_processes_are_found_and_swept_live_ones_kept() {
        let d = tempfile::tempdir().unwrap();
        // A pid that cannot exist (above pid_max) stands for a killed run.
        let dead = d.path().join(format!("{STAGING_PREFIX}4194305-00"));
        std::fs::create_dir(&dead).unwrap();
        let live = d
            .path()
            .join(format!("{STAGING_PREFIX}{}-11", std::process::id()));
        std::fs::create_dir(&live).unwrap();
        assert_eq!(leftovers(d.path()), vec![dead.clone()]);
        assert_eq!(sweep(d.path()), vec![dead.clone()]);
        assert!(!dead.exists() && live.exists());
    }
}
