//! How the CLI speaks: JSON on stdout with `--json`, text otherwise; errors on stderr with
//! what to do next; exit 0 on success, 1 when the operation failed, 2 for usage errors.

use serde::Serialize;
use std::path::Path;

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug)]
pub struct CliError {
    pub code: String,
    pub message: String,
    pub exit: u8,
}

impl CliError {
    pub fn failed(code: &str, message: impl Into<String>) -> Self {
        CliError {
            code: code.into(),
            message: message.into(),
            exit: EXIT_FAILED,
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: "usage".into(),
            message: message.into(),
            exit: EXIT_USAGE,
        }
    }
    /// Names the file the error is about.
    pub fn at(mut self, path: &Path) -> Self {
        self.message = format!("{}: {}", path.display(), self.message);
        self
    }
}

impl From<motus_core::Error> for CliError {
    fn from(e: motus_core::Error) -> Self {
        let exit = match e {
            motus_core::Error::InvalidInput { .. } => EXIT_USAGE,
            _ => EXIT_FAILED,
        };
        CliError {
            code: e.code().into(),
            message: e.to_string(),
            exit,
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::failed("io", e.to_string())
    }
}

/// Prints `value` as one JSON document, or the human text. A closed pipe (`motus … | head`)
/// is not worth a panic: the reader has what it wanted.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) {
    use std::io::Write;
    let text = if json {
        serde_json::to_string_pretty(value).expect("serializable")
    } else {
        human().trim_end().to_string()
    };
    if !text.is_empty() {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}").and_then(|_| out.flush());
    }
}

/// Reports an error: JSON on stdout (for scripts) when `--json`, text on stderr always.
pub fn report_error(json: bool, e: &CliError) {
    if json {
        let doc = serde_json::json!({"ok": false, "error": {"code": e.code, "message": e.message}});
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("serializable")
        );
    }
    eprintln!("motus: error: {}", e.message);
}

/// Prints text lines on stdout; a closed pipe is ignored (the reader has gone).
pub fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|_| out.flush());
}
