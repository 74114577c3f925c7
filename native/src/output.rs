//! How the CLI speaks: one JSON document on stdout with `--json` (the contract's documents,
//! `docs/contract.md`), text otherwise; errors on stderr with what to do next; exit 0 when
//! the call did what was asked (the document's `ok`), 1 when it failed or was refused, 2
//! for usage errors.

use motus_core::answer::{self, Answer, ErrorAnswer};
use std::path::Path;

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug)]
pub struct CliError {
    pub code: String,
    pub message: String,
    /// What to do next on the command line.
    pub hint: Option<String>,
    /// The core error's structured context, when there is one.
    pub context: Option<serde_json::Map<String, serde_json::Value>>,
    pub exit: u8,
}

impl CliError {
    pub fn failed(code: &str, message: impl Into<String>) -> Self {
        CliError {
            code: code.into(),
            message: message.into(),
            hint: None,
            context: None,
            exit: EXIT_FAILED,
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            exit: EXIT_USAGE,
            ..CliError::failed("usage", message)
        }
    }
    /// Names the file the error is about.
    pub fn at(mut self, path: &Path) -> Self {
        self.message = format!("{}: {}", path.display(), self.message);
        self
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// The failure document.
    pub fn answer(&self) -> ErrorAnswer {
        let mut a = ErrorAnswer::new(&self.code, &self.message).with_hint(self.hint.clone());
        a.error.context = self.context.clone();
        a
    }
}

/// The command-line next step for a core error (core's messages carry none: other front
/// ends have no command line).
pub fn hint_for(e: &motus_core::Error) -> Option<&'static str> {
    use motus_core::Error::*;
    Some(match e.root() {
        Busy { .. } => "retry, or run `motus doctor` to see who holds it",
        NotADatabase { .. } => {
            "check the path, or restore the file from a backup (`motus db restore BACKUP`)"
        }
        Corrupt { .. } => {
            "run `motus doctor`, then restore from a backup (`motus db restore BACKUP`)"
        }
        ReadOnly { .. } => "check the file's permissions and its directory's",
        DiskFull { .. } => "free some space and retry",
        CannotOpen { .. } => "check that the path exists and is a file you can read",
        SchemaTooNew { .. } => "upgrade motus",
        SchemaOutdated { .. } => "run `motus db migrate` (it writes a backup first)",
        NotMotus { .. } => "point --db at a coordination.db, or at a new path to create one",
        OutcomeUnknown { .. } => {
            "look before retrying: `motus work status LEASE`, `motus work list` or `motus roadmap show ID`"
        }
        UnexpectedData { .. } => "run `motus doctor` to check the file",
        Unsupported { .. } => "run it on a local database file (--db PATH)",
        MigrationChanged { .. } => {
            "restore the original migration file, or the database from a backup"
        }
        NotFound { kind, .. } => match kind.as_str() {
            "preference" => "list the keys with `motus pref list`",
            "skill" => "list the skills with `motus skill list`",
            "ground rule" => "list the rules and their ids with `motus rule list`",
            _ => return None,
        },
        // Core names the missing field as its input does; the flag is the command line's.
        InvalidInput { field, message } if message.ends_with(&format!("({field})")) => {
            match field.as_str() {
                "intent" => "pass --intent TEXT",
                "reason" => "pass --reason TEXT",
                "resolution" => "pass --resolution TEXT",
                _ => return None,
            }
        }
        InvalidInput { field, message }
            if field == "test function" && message.ends_with("(test_function)") =>
        {
            "pass --test-function NAME (and --test-file PATH)"
        }
        InvalidInput { field, message } if field == "update" && message.starts_with("nothing to change") => {
            "pass at least one of --title, --phase, --status, --type, --description, --owner, --rank, --before, --after, --target-date, --feature, --cr, --external-id, --external-url"
        }
        InvalidInput { field, message } if message.contains("exists already") => {
            match field.as_str() {
                "skill name" => "see it with `motus skill show NAME`, or delete it first",
                "rule" => "list the rules with `motus rule list`",
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// The command-line next step for a core error about one record, naming its id (core's
/// message names the record, and what to do in words; the command is the CLI's).
fn next_step_for(e: &motus_core::Error) -> Option<String> {
    use motus_core::Error::*;
    let first_word = |m: &str| m.split_whitespace().next().map(str::to_string);
    match e.root() {
        InvalidInput { field, message } if message.contains("restore it first") => {
            let id = first_word(message)?;
            if field == "item" {
                Some(format!("restore it: `motus roadmap restore {id}`"))
            } else {
                // `<kind> <id> is deleted; …`
                let id = message.split_whitespace().nth(1)?;
                Some(format!("restore it: `motus {field} restore {id}`"))
            }
        }
        InvalidInput { field, message } if field == "rank" && message.contains("no rank") => {
            let id = first_word(message)?;
            Some(format!("give it one: `motus roadmap update {id} --rank N`"))
        }
        // `missing required program_id`: the kind's flags for those columns.
        InvalidInput { field, message } if message.starts_with("missing required ") => {
            let kind = motus_core::program::kinds::by_name(field)?;
            let flags: Vec<String> = message
                .trim_start_matches("missing required ")
                .split(", ")
                .filter_map(|col| kind.fields.iter().find(|f| f.column == col))
                .map(|f| format!("--{}", f.flag))
                .collect();
            (!flags.is_empty()).then(|| format!("pass {}", flags.join(", ")))
        }
        NotFound { kind, id } if kind == "dependency" => {
            let item = first_word(id)?;
            Some(format!("see its dependencies: `motus roadmap show {item}`"))
        }
        KernelRule { message } if message.starts_with("ROAD-010: ") => {
            let mut words = message.trim_start_matches("ROAD-010: ").split_whitespace();
            let agent = words.next()?;
            let item = words.nth(3)?.trim_end_matches(':');
            Some(format!(
                "complete it as a reviewer (MC_AGENT_ROLE=reviewer), or assign one (`motus roadmap assign {item} {agent} --role reviewer`); agents working on it finish with `motus work release LEASE success`"
            ))
        }
        KernelRule { message } if message.starts_with("Cannot complete ") => {
            let item = message.split_whitespace().nth(2)?.trim_end_matches(':');
            Some(format!("see what holds it: `motus roadmap why {item}`"))
        }
        KernelRule { message } if message.starts_with("ROAD-003: ") => {
            let lease = message.split("under lease ").nth(1)?.split(';').next()?;
            Some(format!(
                "the holder runs `motus work release {lease} success|partial|failure`; an operator `motus work force-release {lease} --reason TEXT`"
            ))
        }
        KernelRule { message } if message.starts_with("USERLAND: ") => Some(
            if message.contains("interrupted") {
                "run `motus userland extract` to finish it, then retry"
            } else {
                "run the command again"
            }
            .to_string(),
        ),
        _ => None,
    }
}

/// The schema's trigger texts (the published schema, kept byte for byte) end with the
/// original's Python next step; on this command line each gives way to ours.
const ORIGINAL_STEPS: &[(&str, &str)] = &[
    (
        " Use record_evidence() first.",
        "record evidence on the lease first: `motus work evidence LEASE TYPE`",
    ),
    (
        " Use create_blocker() first.",
        "record the blocker first: `motus work block TARGET REASON TITLE`",
    ),
    (
        " Use handoff instead of new claim.",
        "hand the work over instead: `motus work handoff LEASE AGENT --reason WHY`",
    ),
];

/// A trigger's message without the original's step, and ours as the hint.
fn without_original_step(message: String) -> (String, Option<&'static str>) {
    for (theirs, ours) in ORIGINAL_STEPS {
        if let Some(rule) = message.strip_suffix(theirs) {
            return (rule.to_string(), Some(ours));
        }
    }
    (message, None)
}

impl From<motus_core::Error> for CliError {
    fn from(e: motus_core::Error) -> Self {
        let exit = match e {
            motus_core::Error::InvalidInput { .. } | motus_core::Error::Unsupported { .. } => {
                EXIT_USAGE
            }
            _ => EXIT_FAILED,
        };
        let (message, step) = without_original_step(e.to_string());
        CliError {
            code: e.code().into(),
            message,
            hint: step
                .map(str::to_string)
                .or_else(|| hint_for(&e).map(str::to_string))
                .or_else(|| next_step_for(&e)),
            context: answer::errors::error_context(&e),
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
/// The document is the typed answer's (`docs/schema/<NAME>.json`); the caller's exit code
/// must agree with its `ok` ([`emit_answer`] returns it).
pub fn emit<A: Answer>(json: bool, value: &A, human: impl FnOnce() -> String) {
    if json {
        print_json(&answer::document(value));
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

fn print_json(doc: &serde_json::Value) {
    write_stdout(&serde_json::to_string_pretty(doc).expect("serializable"));
}

/// Prints a typed answer as its document, or as text (through [`emit`]'s text path, `-q`
/// included); returns the exit code its `ok` gives.
pub fn emit_answer<A: Answer>(json: bool, a: &A, human: impl FnOnce(&A) -> String) -> u8 {
    if json {
        print_json(&answer::document(a));
    } else {
        emit(false, a, || human(a));
    }
    if a.ok() {
        0
    } else {
        EXIT_FAILED
    }
}

/// Reports an error: the failure document on stdout (for scripts) when `--json`, text on
/// stderr always, with the same `error:` prefix as usage errors, then the `hint:`.
pub fn report_error(json: bool, e: &CliError) {
    if json {
        print_json(&answer::document(&e.answer()));
    }
    let prefix = crate::text::paint(crate::text::Style::Bad, "error:");
    write_stderr(&crate::text::for_stderr(&format!("{prefix} {}", e.message)));
    if let Some(h) = &e.hint {
        write_stderr(&crate::text::for_stderr(&format!("hint: {h}")));
    }
}

/// The failure document of a command line clap refused: its first paragraph is the message
/// (`error: …` and the lines that name what is wrong), its "For more information" line the
/// hint.
pub fn report_usage_json(clap_text: &str) {
    let message = clap_text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let message = message
        .strip_prefix("error: ")
        .unwrap_or(&message)
        .to_string();
    let hint = clap_text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("For more information"))
        .map(str::to_string)
        .unwrap_or_else(|| "run `motus --help`".into());
    let e = CliError::usage(message).with_hint(hint);
    print_json(&answer::document(&e.answer()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_originals_python_steps_give_way_to_commands_of_ours() {
        let e = motus_core::Error::KernelRule {
            message: "KERNEL: Cannot mark attempt completed without evidence. Use record_evidence() first.".into(),
        };
        let err = CliError::from(e);
        assert_eq!(
            err.message,
            "KERNEL: Cannot mark attempt completed without evidence."
        );
        assert!(err.hint.unwrap().contains("motus work evidence"));
    }
}
