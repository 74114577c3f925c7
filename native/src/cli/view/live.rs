//! Live snapshots of the database `motus view` was started on, for the viewer page: each
//! `/live/info` takes a new consistent copy with SQLite's online backup API into a private
//! file (a 0700 directory of our own, the file 0600, created exclusively). The last two are
//! kept so a page still reading one is not cut off; all are deleted when the server stops.

use crate::output::CliError;
use motus_core::sqlite::{OpenMode, SqliteConnection};
use motus_core::Clock;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const KEEP: usize = 2;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Snapshot {
    #[serde(rename = "snapshot")]
    pub id: String,
    pub name: String,
    pub size: u64,
    pub taken_at: String,
    #[serde(skip)]
    pub path: PathBuf,
}

pub struct Snapshots {
    source: PathBuf,
    dir: PathBuf,
    kept: Mutex<VecDeque<Snapshot>>,
    /// One backup at a time: a page reloading quickly must not start many copies.
    taking: Mutex<()>,
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the OS random source is available");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Creates a fresh directory only this user can enter, under an unpredictable name.
fn private_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "motus-view-{}-{}",
        std::process::id(),
        random_hex(8)
    ));
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(&dir)?;
    Ok(dir)
}

fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    o.open(path)
}

impl Snapshots {
    pub fn new(source: PathBuf) -> Result<Self, CliError> {
        let dir = private_dir().map_err(|e| {
            CliError::failed(
                "io",
                format!(
                    "cannot create a private directory for snapshots in {}: {e}",
                    std::env::temp_dir().display()
                ),
            )
        })?;
        Ok(Snapshots {
            source,
            dir,
            kept: Mutex::new(VecDeque::new()),
            taking: Mutex::new(()),
        })
    }

    pub fn source(&self) -> &Path {
        &self.source
    }

    /// Takes a new snapshot of the source database and remembers it (dropping the oldest).
    pub fn take(&self) -> Result<Snapshot, CliError> {
        let _one = self.taking.lock().unwrap_or_else(|p| p.into_inner());
        // The same checks every read command makes (not a directory, a sidecar, a FIFO…).
        let src = crate::db::open_read_any(&self.source)?;
        let id = random_hex(16);
        let path = self.dir.join(format!("{id}.db"));
        create_private_file(&path)?;
        let copied = (|| {
            let path_str = path.to_str().ok_or_else(|| {
                CliError::failed("io", "the temporary directory's path is not UTF-8")
            })?;
            let mut dest =
                SqliteConnection::open(path_str, OpenMode::ReadWrite).map_err(CliError::from)?;
            src.conn
                .file()
                .ok_or_else(|| {
                    CliError::usage("`motus view` shows a local database file; on a cluster, `motus db export --out FILE` then `motus db import FILE --db copy.db` makes one to view")
                })?
                .copy_into(&mut dest)
                .map_err(|e| CliError::from(e).at(&self.source))?;
            // One self-contained file for the page: no -wal beside it.
            motus_core::engine::local_file::use_rollback_journal(&dest, false)
                .map_err(|e| CliError::from(e).at(&path))?;
            Ok::<_, CliError>(())
        })();
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        let size = std::fs::metadata(&path)?.len();
        let snap = Snapshot {
            id,
            name: self
                .source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            size,
            taken_at: crate::host::SystemClock.now().to_rfc3339(),
            path,
        };
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.push_back(snap.clone());
        while kept.len() > KEEP {
            if let Some(old) = kept.pop_front() {
                let _ = std::fs::remove_file(&old.path);
            }
        }
        Ok(snap)
    }

    pub fn get(&self, id: &str) -> Option<Snapshot> {
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|s| s.id == id)
            .cloned()
    }
}

impl Drop for Snapshots {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
