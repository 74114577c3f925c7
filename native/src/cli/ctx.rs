//! The global options every command sees, resolved once by the dispatcher. Its own module
//! so the commands (and `cluster`, `mcp`) depend on it without depending on the dispatcher.

use std::path::PathBuf;

pub struct Ctx {
    pub db_path: PathBuf,
    pub userland_path: PathBuf,
    pub json: bool,
}
