//! Build-time facts baked into the binary:
//! - the viewer: every file of the committed `web/viewer/dist` is embedded, so `motus view`
//!   works from any directory after `cargo install` (see docs/viewer.md, "How it ships");
//! - the commit this binary was built from, for `motus --version`;
//! - with the `node` feature, libdqlite must use the system SQLite it was built against,
//!   not the binary's bundled one (see `hide_bundled_sqlite`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    embed_viewer(
        &manifest.join("../web/viewer/dist"),
        &out.join("viewer_assets.rs"),
    );
    println!("cargo:rustc-env=MOTUS_BUILD_COMMIT={}", commit(&manifest));
    if std::env::var_os("CARGO_FEATURE_NODE").is_some() {
        hide_bundled_sqlite();
    }
}

/// The linker exports an executable's symbols that a shared library on the link line
/// references: libdqlite's `sqlite3_*` calls would then bind to rusqlite's bundled SQLite
/// (another version, other options, its own global state) instead of its own
/// libsqlite3.so. Symbols from static archives stay local to the binary instead.
fn hide_bundled_sqlite() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-link-arg-bins=-Wl,--exclude-libs,ALL");
    }
}

fn embed_viewer(dist: &Path, dest: &Path) {
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(dist, dist, &mut files);
    }
    files.sort();
    let mut code =
        String::from("/// The viewer's files: (path relative to the dist directory, bytes).\n");
    code.push_str("pub static ASSETS: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in &files {
        println!("cargo:rerun-if-changed={}", abs.display());
        writeln!(
            code,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    std::fs::write(dest, code).unwrap();
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        // Only regular files and directories: a symlink in dist is not embedded.
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            collect(root, &path, files);
        } else if kind.is_file() {
            let rel = path.strip_prefix(root).unwrap();
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push((rel.join("/"), path.canonicalize().unwrap()));
        }
    }
}

/// `git rev-parse --short=12 HEAD`, or `unknown` outside a git checkout (a source tarball).
fn commit(manifest: &Path) -> String {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(manifest)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            if let Some(common) = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"])
            {
                println!("cargo:rerun-if-changed={common}/{r}");
                println!("cargo:rerun-if-changed={common}/packed-refs");
            }
        }
    }
    git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into())
}
