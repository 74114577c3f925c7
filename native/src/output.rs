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

/// `-q/--quiet`: the one value a command prints instead of its text (`lease_id` for a
/// claim), set once from the parsed command; `Some(None)` when it has none (prints nothing).
static QUIET: std::sync::OnceLock<Option<&'static str>> = std::sync::OnceLock::new();

pub fn set_quiet(key: Option<&'static str>) {
    let _ = QUIET.set(key);
}

/// Writes `text` and a newline on stdout. A closed pipe (`motus … | head`) is not worth a
/// panic or a message: the reader has what it wanted.
fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|_| out.flush());
}

/// Writes a line on stderr; a full or closed stderr is ignored (never a panic).
fn write_stderr(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}").and_then(|_| err.flush());
}

/// Prints `value` as one JSON document, or the human text (escaped and coloured by
/// `crate::text`). With `-q`, only the command's essential value; when that value is absent
/// (a denied claim has no lease), the human text goes to stderr so the reason is not lost.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) {
    if json {
        write_stdout(&serde_json::to_string_pretty(value).expect("serializable"));
        return;
    }
    if let Some(key) = QUIET.get() {
        let essential = key.and_then(|k| {
            let v = serde_json::to_value(value).ok()?;
            match v.get(k)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        });
        match essential {
            Some(v) => write_stdout(&crate::text::for_stdout(&v)),
            None if key.is_some() => write_stderr(&crate::text::for_stderr(human().trim_end())),
            None => {}
        }
        return;
    }
    let text = human();
    let text = text.trim_end();
    if !text.is_empty() {
        write_stdout(&crate::text::for_stdout(text));
    }
}

/// Reports an error: JSON on stdout (for scripts) when `--json`, text on stderr always, with
/// the same `error:` prefix as usage errors.
pub fn report_error(json: bool, e: &CliError) {
    if json {
        let doc = serde_json::json!({"ok": false, "error": {"code": e.code, "message": e.message}});
        write_stdout(&serde_json::to_string_pretty(&doc).expect("serializable"));
    }
    let prefix = crate::text::paint(crate::text::Style::Bad, "error:");
    write_stderr(&crate::text::for_stderr(&format!("{prefix} {}", e.message)));
}

/// The JSON error document alone (for usage errors clap reports itself).
pub fn report_json_only(e: &CliError) {
    let doc = serde_json::json!({"ok": false, "error": {"code": e.code, "message": e.message}});
    write_stdout(&serde_json::to_string_pretty(&doc).expect("serializable"));
}

/// Prints text lines on stdout (escaped); a closed pipe is ignored.
pub fn say(text: &str) {
    write_stdout(&crate::text::for_stdout(text));
}

/// A side note on stderr (progress, "backed up … before upgrading"), escaped; never panics.
pub fn note(text: &str) {
    write_stderr(&crate::text::for_stderr(text));
}

/// The exit status of a command whose stdout reader went away before it finished writing its
/// data (`motus db export --out - | head -1`): 128 + SIGPIPE, as `cat` or `git log` give.
pub const EXIT_READER_GONE: u8 = 141;

/// A writer that remembers whether its reader went away (EPIPE), so a streaming command can
/// stop quietly instead of reporting a database or disk error.
pub struct PipeWatch<W> {
    inner: W,
    pub reader_gone: bool,
}

impl<W> PipeWatch<W> {
    pub fn new(inner: W) -> Self {
        PipeWatch {
            inner,
            reader_gone: false,
        }
    }
}

impl<W: std::io::Write> std::io::Write for PipeWatch<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        if matches!(&r, Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe) {
            self.reader_gone = true;
        }
        r
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        if matches!(&r, Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe) {
            self.reader_gone = true;
        }
        r
    }
}
