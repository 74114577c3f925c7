//! Where long work is, for whoever shows it. Core reports each step's own fraction through
//! [`Progress`]; the host draws (the CLI a bar on a terminal, weighting the steps of one
//! command into one line). Nothing here knows of terminals or clocks.

/// A step of long work. Its units are the step's own (rows, pages, files); `done` never
/// exceeds `total` and reaches it only when the step is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Fingerprinting every table (row count + SHA-256), in rows.
    Hashing,
    /// Writing an export's rows, in rows.
    Writing,
    /// Loading an export's rows, in rows.
    Loading,
    /// Copying pages with SQLite's online backup, in pages.
    Copying,
    /// Applying migrations, in migrations.
    Migrating,
    /// Re-hashing recorded evidence, in evidence records.
    Verifying,
    /// Moving rows into another database, in tables.
    Extracting,
}

impl Step {
    pub fn label(self) -> &'static str {
        match self {
            Step::Hashing => "hashing rows",
            Step::Writing => "writing rows",
            Step::Loading => "loading rows",
            Step::Copying => "copying pages",
            Step::Migrating => "migrating",
            Step::Verifying => "verifying evidence",
            Step::Extracting => "extracting tables",
        }
    }
}

/// Receives progress: `step` is `done` of `total` units along.
pub trait Progress {
    fn report(&mut self, step: Step, done: u64, total: u64);
}

impl<F: FnMut(Step, u64, u64)> Progress for F {
    fn report(&mut self, step: Step, done: u64, total: u64) {
        self(step, done, total)
    }
}

/// No one is watching.
pub fn unwatched() -> impl Progress {
    |_: Step, _: u64, _: u64| {}
}
