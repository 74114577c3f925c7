//! Links the system libdqlite (Debian's libdqlite-dev 1.11, which `.ci/setup` installs).
//! A machine without it fails the build here, saying what to install: nothing is skipped.

fn main() {
    if let Err(e) = pkg_config::Config::new()
        .atleast_version("1.10")
        .probe("dqlite")
    {
        panic!(
            "libdqlite not found ({e}).\n`motus node` (cargo feature `node`) links the system libdqlite: \
             install it with `apt-get install libdqlite-dev` (done by .ci/setup), or build without \
             `--features node`."
        );
    }
}
