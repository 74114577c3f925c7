//! Embeds every `migrations/NNN_name.sql` (coordination database) and
//! `migrations/userland/NNN_name.sql` (userland database) into the crate at build time, and
//! beside them what each one's ledger row records (version, name, checksum): checking a
//! database's ledger needs only that table, so a build that never migrates (the browser
//! viewer) links no SQL text. A test checks the table equals what parsing the files gives.
use sha2::{Digest, Sha256};
use std::{env, fs, path::Path};

/// `NNN_name.sql` -> (NNN, name); the full rules (and their error messages) are
/// `migrate::parse::parse_file_name`, which the runner applies to the same names.
fn version_and_name(file_name: &str) -> (i64, String) {
    let stem = file_name.strip_suffix(".sql").unwrap_or(file_name);
    let (digits, name) = stem.split_once('_').unwrap_or_else(|| {
        panic!("migration {file_name}: expected a name of the form NNN_description.sql")
    });
    let version = digits.parse().unwrap_or_else(|_| {
        panic!("migration {file_name}: the version prefix must be 1 to 9 digits")
    });
    (version, name.to_string())
}

fn embed(dir: &Path, out: &mut String, const_name: &str, ledger_name: &str) {
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
    let mut ledger = Vec::new();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        let abs = fs::canonicalize(f).unwrap();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
        let text = fs::read(f).unwrap();
        // The ledger's checksum: the first 16 hex digits of the file's SHA-256.
        let checksum: String = Sha256::digest(&text)
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        let (version, name) = version_and_name(&name);
        ledger.push((version, name, checksum));
    }
    out.push_str("];\n");
    ledger.sort();
    out.push_str(&format!(
        "pub static {ledger_name}: &[super::LedgerEntry<'static>] = &[\n"
    ));
    for (version, name, checksum) in ledger {
        out.push_str(&format!(
            "    super::LedgerEntry {{ version: {version}, name: {name:?}, checksum: {checksum:?} }},\n"
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
    embed(&root, &mut out, "COORDINATION_FILES", "COORDINATION_LEDGER");
    embed(
        &root.join("userland"),
        &mut out,
        "USERLAND_FILES",
        "USERLAND_LEDGER",
    );
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_migrations.rs");
    fs::write(dest, out).unwrap();
}
