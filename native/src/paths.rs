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

/// Creates the parent directory (0700 when we create it).
pub fn ensure_parent_dir(db: &Path) -> std::io::Result<()> {
    let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Restricts the database and its WAL/SHM side files to the owner.
pub fn restrict_files(db: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            if let Ok(meta) = std::fs::metadata(&p) {
                if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
                    let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
                }
            }
        }
    }
}

/// A side file's path: `coordination.db-wal` and so on.
pub fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}
