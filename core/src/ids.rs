//! Identifier generation. `core` never reads OS randomness: callers inject an [`IdSource`].

use std::cell::Cell;

/// Where `core` gets the random part of new ids.
pub trait IdSource {
    /// `len` lowercase hexadecimal characters, uniformly random in production.
    fn random_hex(&self, len: usize) -> String;
}

/// Deterministic ids for tests: a counter rendered as hex, zero-padded.
#[derive(Debug, Default)]
pub struct SequentialIds(Cell<u64>);

impl SequentialIds {
    pub fn new() -> Self {
        Self::default()
    }
}

impl IdSource for SequentialIds {
    fn random_hex(&self, len: usize) -> String {
        let n = self.0.get() + 1;
        self.0.set(n);
        let s = format!("{n:0width$x}", width = len);
        s[s.len() - len..].to_string()
    }
}

/// Checks that `s` is `prefix-<hex>` with `hex_len` lowercase hex digits.
pub fn is_prefixed_hex(s: &str, prefix: &str, hex_len: usize) -> bool {
    s.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|h| {
            h.len() == hex_len
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// Everything `core` takes from its host besides the connection.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub clock: &'a dyn crate::time::Clock,
    pub ids: &'a dyn IdSource,
}

impl<'a> Env<'a> {
    pub fn new(clock: &'a dyn crate::time::Clock, ids: &'a dyn IdSource) -> Self {
        Env { clock, ids }
    }
    pub fn now(&self) -> crate::time::Timestamp {
        self.clock.now()
    }
    /// `<prefix>-<12 hex>`, the shape of attempt, evidence, decision and outcome ids.
    pub fn new_id(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.ids.random_hex(12))
    }
}
