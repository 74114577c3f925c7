//! Which bytes `motus view` serves for a path: the viewer embedded in the binary, or (for
//! developers) a build directory given with `--dir`. Never anything outside that root, and
//! never the current directory by accident.

use std::path::{Component, Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/viewer_assets.rs"));
}

/// Where the viewer's files come from.
pub enum Root {
    /// The committed `web/viewer/dist`, embedded at build time.
    Embedded,
    /// A directory, canonicalized once at start: every served file must resolve inside it.
    Dir(PathBuf),
}

/// A file to send.
pub enum Found {
    Bytes(&'static [u8]),
    File(std::fs::File, u64),
}

impl Root {
    pub fn embedded_is_present() -> bool {
        embedded::ASSETS.iter().any(|(p, _)| *p == "index.html")
    }

    pub fn describe(&self) -> String {
        match self {
            Root::Embedded => format!(
                "the viewer built into this binary ({} files)",
                embedded::ASSETS.len()
            ),
            Root::Dir(d) => d.display().to_string(),
        }
    }

    /// Maps a request path (no query) onto a file; `None` for anything outside the root.
    pub fn find(&self, path: &str) -> Option<Found> {
        let rel = relative(path)?;
        match self {
            Root::Embedded => embedded::ASSETS
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, b)| Found::Bytes(b)),
            Root::Dir(root) => open_inside(root, &rel),
        }
    }
}

/// The request path as a `/`-joined relative path of plain names (`index.html` for a
/// directory); `None` when it has `..`, `.`, a drive or root component, a backslash or NUL.
fn relative(path: &str) -> Option<String> {
    let decoded = percent_decode(path)?;
    if decoded.contains(['\\', '\0']) {
        return None;
    }
    let mut parts = Vec::new();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(n) => parts.push(n.to_str()?.to_string()),
            _ => return None,
        }
    }
    if decoded.ends_with('/') || parts.is_empty() {
        parts.push("index.html".into());
    }
    Some(parts.join("/"))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Opens `root/rel` only when its real path (every symlink resolved) is still inside `root`
/// and is a regular file. The file is opened by that resolved path with O_NOFOLLOW, so a
/// symlink swapped in after the check is not followed either.
fn open_inside(root: &Path, rel: &str) -> Option<Found> {
    let real = root.join(rel).canonicalize().ok()?;
    if !real.starts_with(root) {
        return None;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(&real).ok()?;
    let meta = file.metadata().ok()?;
    meta.is_file().then(|| Found::File(file, meta.len()))
}

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_are_plain_names_inside_the_root() {
        assert_eq!(relative("/").as_deref(), Some("index.html"));
        assert_eq!(relative("/a/b.js").as_deref(), Some("a/b.js"));
        assert_eq!(relative("/a/").as_deref(), Some("a/index.html"));
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/a\\..\\b",
            "/./x",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(relative(bad), None, "{bad}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_root_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("dist");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("index.html"), "ok").unwrap();
        std::fs::write(dir.path().join("secret"), "secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("leak")).unwrap();
        std::os::unix::fs::symlink("index.html", root.join("alias.html")).unwrap();
        let root = Root::Dir(root.canonicalize().unwrap());
        assert!(root.find("/").is_some());
        assert!(
            root.find("/alias.html").is_some(),
            "a symlink inside the root is fine"
        );
        assert!(root.find("/leak").is_none());
    }
}
