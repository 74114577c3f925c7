//! Embeds every `migrations/NNN_name.sql` (coordination database) and
//! `migrations/userland/NNN_name.sql` (userland database) into the crate at build time.
use std::{env, fs, path::Path};

fn embed(dir: &Path, out: &mut String, const_name: &str) {
    println!("cargo:rerun-if-changed={}", dir.display());
    // A missing folder fails the build: a binary without its migrations would create
    // empty databases (schema version 0) without a word.
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the migrations in {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    out.push_str(&format!("pub static {const_name}: &[(&str, &str)] = &[\n"));
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        let abs = fs::canonicalize(f).unwrap();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
}

fn main() {
    // Read when the script runs, not baked in when it is compiled: cargo may reuse one
    // compiled build script for the same crate in another checkout (a clone sharing the
    // target dir), and a baked-in path would point into that checkout.
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("../migrations");
    let mut out = String::new();
    embed(&root, &mut out, "COORDINATION_FILES");
    embed(&root.join("userland"), &mut out, "USERLAND_FILES");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_migrations.rs");
    fs::write(dest, out).unwrap();
}
