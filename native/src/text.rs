//! How text reaches a terminal. Two rules:
//!
//! 1. **Stored text is never replayed raw.** Every text line goes through [`finish`], which
//!    shows control characters (C0 except tab and newline, DEL, ESC, C1) and the Unicode bidi
//!    controls as visible escapes (`\x1b`, `\u{9b}`, `\u{202e}`), so a title holding an OSC or
//!    CSI sequence cannot retitle the terminal, clear the screen or reorder what is shown.
//!    `--json` output is not touched (JSON escapes control characters itself).
//! 2. **Colour is ours only.** Styles are marked in the text with a per-process random marker
//!    made of zero-width Unicode tag characters (so tables measure them as nothing); after
//!    escaping, [`finish`] turns those markers into SGR codes, or drops them when colour is
//!    off. Stored text cannot forge a marker it cannot guess, and any ESC it holds is already
//!    escaped by then.

use std::io::IsTerminal;
use std::sync::OnceLock;

/// `--color`: `auto` colours only a terminal, and never with `NO_COLOR` set (no-color.org).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Done, granted, passing.
    Good,
    /// In progress, needs attention.
    Warn,
    /// Failed, blocked, denied.
    Bad,
    /// Secondary information.
    Dim,
    Bold,
}

impl Style {
    fn sgr(self) -> &'static str {
        match self {
            Style::Good => "\x1b[32m",
            Style::Warn => "\x1b[33m",
            Style::Bad => "\x1b[31m",
            Style::Dim => "\x1b[2m",
            Style::Bold => "\x1b[1m",
        }
    }
    fn tag(self) -> char {
        match self {
            Style::Good => TAG_BASE_G,
            Style::Warn => TAG_BASE_W,
            Style::Bad => TAG_BASE_B,
            Style::Dim => TAG_BASE_D,
            Style::Bold => TAG_BASE_S,
        }
    }
}

// Tag characters (U+E0020–U+E007E mirror ASCII; U+E007F ends a tag sequence).
const TAG_BASE_G: char = '\u{E0067}';
const TAG_BASE_W: char = '\u{E0077}';
const TAG_BASE_B: char = '\u{E0062}';
const TAG_BASE_D: char = '\u{E0064}';
const TAG_BASE_S: char = '\u{E0073}';
const TAG_RESET: char = '\u{E007F}';
const MARK: char = '\u{E0001}';

struct Settings {
    stdout_colour: bool,
    stderr_colour: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();
static NONCE: OnceLock<String> = OnceLock::new();

/// Whether a stream gets colour under `choice`, given `NO_COLOR` and whether it is a terminal.
pub fn wants_colour(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Decides colour for stdout and stderr once, from `--color`; later calls change nothing.
pub fn init(choice: ColorChoice) {
    let _ = SETTINGS.set(Settings {
        stdout_colour: wants_colour(choice, std::io::stdout().is_terminal()),
        stderr_colour: wants_colour(choice, std::io::stderr().is_terminal()),
    });
}

fn settings() -> &'static Settings {
    SETTINGS.get_or_init(|| Settings {
        stdout_colour: wants_colour(ColorChoice::Auto, std::io::stdout().is_terminal()),
        stderr_colour: wants_colour(ColorChoice::Auto, std::io::stderr().is_terminal()),
    })
}

/// The per-process marker prefix: MARK then 8 random tag characters.
fn nonce() -> &'static str {
    NONCE.get_or_init(|| {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        let mut s = String::from(MARK);
        for b in bytes {
            // 0x21..=0x7e: visible ASCII mirrored as tags.
            s.push(char::from_u32(0xE0021 + u32::from(b % 94)).unwrap());
        }
        s
    })
}

/// `text` in `style` (the text itself is escaped later, with everything else, by [`finish`]).
pub fn paint(style: Style, text: &str) -> String {
    let n = nonce();
    format!("{n}{}{text}{n}{TAG_RESET}", style.tag())
}

/// One control character as a visible escape, or `None` when it may pass.
fn escape_char(c: char) -> Option<String> {
    let u = c as u32;
    let is_c0 = u < 0x20 && c != '\n' && c != '\t';
    let is_c1 = (0x7f..=0x9f).contains(&u);
    // Bidi embeddings, overrides and isolates (the "Trojan Source" characters).
    let is_bidi = matches!(u, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c);
    if is_c0 || u == 0x7f {
        Some(format!("\\x{u:02x}"))
    } else if is_c1 || is_bidi {
        Some(format!("\\u{{{u:x}}}"))
    } else {
        None
    }
}

/// Escapes control characters in `text` (see the module comment); newline and tab stay.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| escape_char(c).is_some()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match escape_char(c) {
            Some(e) => out.push_str(&e),
            None => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Makes `text` safe for a terminal: escapes control characters, then turns our style
/// markers into colour (or removes them).
pub fn finish(text: &str, colour: bool) -> String {
    let escaped = escape(text);
    let n = nonce();
    if !escaped.contains(n) {
        return escaped.into_owned();
    }
    let mut out = String::with_capacity(escaped.len());
    let mut rest: &str = &escaped;
    while let Some(i) = rest.find(n) {
        out.push_str(&rest[..i]);
        let after = &rest[i + n.len()..];
        let mut chars = after.chars();
        let code = chars.next();
        if colour {
            out.push_str(match code {
                Some(TAG_BASE_G) => Style::Good.sgr(),
                Some(TAG_BASE_W) => Style::Warn.sgr(),
                Some(TAG_BASE_B) => Style::Bad.sgr(),
                Some(TAG_BASE_D) => Style::Dim.sgr(),
                Some(TAG_BASE_S) => Style::Bold.sgr(),
                Some(TAG_RESET) => "\x1b[0m",
                _ => "",
            });
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
}

/// [`finish`] for stdout.
pub fn for_stdout(text: &str) -> String {
    finish(text, settings().stdout_colour)
}

/// [`finish`] for stderr.
pub fn for_stderr(text: &str) -> String {
    finish(text, settings().stderr_colour)
}

/// The colour a status key is shown in, when it has one.
pub fn status_style(status: &str) -> Option<Style> {
    let s = status.to_ascii_lowercase();
    Some(match s.as_str() {
        "completed" | "complete" | "done" | "released" | "success" | "pass" | "passed" | "ok"
        | "granted" | "active" | "resolved" | "approved" | "merged" | "shipped" | "ready" => {
            Style::Good
        }
        "in_progress" | "claimed" | "pending" | "warn" | "review" | "in_review" | "open"
        | "partial" | "draft" | "proposed" | "planned" => Style::Warn,
        "blocked" | "failed" | "fail" | "failure" | "denied" | "expired" | "revoked"
        | "rejected" | "deleted" | "cancelled" | "abandoned" | "busy" => Style::Bad,
        _ => return None,
    })
}

/// A status shown in its colour (unchanged when it has none).
pub fn status(status: &str) -> String {
    match status_style(status) {
        Some(style) => paint(style, status),
        None => status.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        let hostile = "a\x1b]0;pwned\x07b\x1b[2Jc\r\u{9b}31md\u{202e}e\x7f";
        let out = finish(hostile, true);
        assert!(
            !out.chars()
                .any(|c| (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32))),
            "{out:?}"
        );
        assert_eq!(
            out,
            "a\\x1b]0;pwned\\x07b\\x1b[2Jc\\x0d\\u{9b}31md\\u{202e}e\\x7f"
        );
        assert_eq!(finish("tab\there\nnext", true), "tab\there\nnext");
        assert_eq!(finish("日本語 ✓", false), "日本語 ✓");
    }

    #[test]
    fn only_our_markers_become_colour() {
        let s = format!(
            "{} and \u{E0001}\u{E0067}fake",
            paint(Style::Bad, "blocked")
        );
        assert_eq!(
            finish(&s, true),
            "\x1b[31mblocked\x1b[0m and \u{E0001}\u{E0067}fake"
        );
        assert_eq!(finish(&s, false), "blocked and \u{E0001}\u{E0067}fake");
        // A stored ESC inside painted text is still escaped.
        assert_eq!(finish(&paint(Style::Good, "\x1b[8m"), false), "\\x1b[8m");
    }

    #[test]
    fn markers_take_no_width() {
        use unicode_width::UnicodeWidthStr;
        assert_eq!(paint(Style::Good, "done").width(), 4);
    }

    #[test]
    fn no_color_and_never_turn_colour_off() {
        assert!(!wants_colour(ColorChoice::Never, true));
        assert!(wants_colour(ColorChoice::Always, false));
        assert!(!wants_colour(ColorChoice::Auto, false));
    }
}
