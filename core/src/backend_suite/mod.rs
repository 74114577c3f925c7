//! One storage test suite for every backend (feature `backend-suite`).
//!
//! The kernel, roadmap, program, terminology and audit behaviour, written once as named
//! cases over a connection factory. Each case gets a fresh, empty database from the factory,
//! brings it to the latest schema with our migration runner, and checks what a user relies
//! on: claims and their verdicts, evidence hashes, release outcomes, readiness, cycle
//! refusal, entity history, terminology validation, one audit row per write, and that a
//! failed write leaves nothing behind.
//!
//! A backend passes by returning a new [`Connection`] per call:
//!
//! ```ignore
//! let report = motus_core::backend_suite::run("rusqlite", &mut || {
//!     Ok(Box::new(SqliteConnection::open_in_memory()?))
//! });
//! report.assert_passed();
//! ```
//!
//! Cases never panic (a panic in a browser or a JS host would abort the whole run): they
//! return a [`Failure`] that names the broken expectation, and the [`Report`] lists each
//! case's outcome.

mod broken;
mod kernel_cases;
mod program_cases;
mod roadmap_cases;
mod storage_cases;

pub use broken::IgnoresTransactions;

use crate::connection::{Connection, ConnectionExt};
use crate::error::{Error, Result};
use crate::ids::{Env, SequentialIds};
use crate::migrate::Migrator;
use crate::time::{ManualClock, Timestamp};
use serde::Serialize;

/// Why a case failed: the expectation that did not hold, or an error nobody expected.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure(pub String);

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure(format!("unexpected error [{}]: {e}", e.code()))
    }
}

/// What a case returns.
pub type Outcome = std::result::Result<(), Failure>;

/// Fails the case unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::backend_suite::Failure(format!(
                "{} ({}:{})", format!($($msg)+), file!(), line!()
            )));
        }
    };
}

/// Fails the case unless the two values are equal, showing both.
macro_rules! ensure_eq {
    ($got:expr, $want:expr $(,)?) => {{
        let (got, want) = (&$got, &$want);
        if got != want {
            return Err($crate::backend_suite::Failure(format!(
                "{} is {:?}, expected {:?} ({}:{})",
                stringify!($got), got, want, file!(), line!()
            )));
        }
    }};
    ($got:expr, $want:expr, $($msg:tt)+) => {{
        let (got, want) = (&$got, &$want);
        if got != want {
            return Err($crate::backend_suite::Failure(format!(
                "{}: {} is {:?}, expected {:?} ({}:{})",
                format!($($msg)+), stringify!($got), got, want, file!(), line!()
            )));
        }
    }};
}
pub(crate) use {ensure, ensure_eq};

/// What every case runs against: a migrated database on the backend under test, a clock
/// that only moves when told, and deterministic ids.
pub struct World<'c> {
    pub conn: &'c dyn Connection,
    pub clock: ManualClock,
    pub ids: SequentialIds,
}

impl World<'_> {
    pub fn env(&self) -> Env<'_> {
        Env::new(&self.clock, &self.ids)
    }

    /// `SELECT count(*) …` as a number.
    pub fn count(&self, sql: &str, params: &[crate::Value]) -> Result<i64> {
        self.conn.query_one(sql, params)
    }

    /// Rows in each of `tables`.
    pub fn counts(&self, tables: &[&str]) -> Result<Vec<i64>> {
        tables.iter().map(|t| self.rows_in(t)).collect()
    }

    /// Rows in `table`.
    pub fn rows_in(&self, table: &str) -> Result<i64> {
        self.count(
            &format!(
                "SELECT count(*) FROM {}",
                crate::connection::quote_ident(table)
            ),
            &[],
        )
    }
}

/// One named case of the suite.
#[derive(Clone, Copy)]
pub struct Case {
    /// `area::what_it_checks`, stable so reports can be compared across backends.
    pub name: &'static str,
    pub run: fn(&World<'_>) -> Outcome,
}

/// Every case, in the order they run.
pub fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    all.extend_from_slice(storage_cases::CASES);
    all.extend_from_slice(kernel_cases::CASES);
    all.extend_from_slice(roadmap_cases::CASES);
    all.extend_from_slice(program_cases::CASES);
    all
}

/// One case's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    pub name: &'static str,
    pub passed: bool,
    /// What went wrong, when it failed.
    pub failure: Option<String>,
}

/// The outcome of the whole suite on one backend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub backend: String,
    pub passed: usize,
    pub failed: usize,
    pub cases: Vec<CaseResult>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.failed == 0 && self.passed > 0
    }

    pub fn failures(&self) -> impl Iterator<Item = &CaseResult> {
        self.cases.iter().filter(|c| !c.passed)
    }

    /// Whether the named case failed.
    pub fn failed_case(&self, name: &str) -> bool {
        self.cases.iter().any(|c| c.name == name && !c.passed)
    }

    /// One line per case and a closing total (`backend-suite[NAME]: N passed, M failed`).
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for c in &self.cases {
            match &c.failure {
                None => out.push_str(&format!("ok   {}\n", c.name)),
                Some(f) => out.push_str(&format!("FAIL {}: {f}\n", c.name)),
            }
        }
        out.push_str(&format!(
            "backend-suite[{}]: {} passed, {} failed\n",
            self.backend, self.passed, self.failed
        ));
        out
    }

    /// Panics with the summary unless every case passed.
    pub fn assert_passed(&self) {
        assert!(self.is_ok(), "{}", self.summary());
    }
}

/// A connection factory: each call returns a new, empty database on the backend under test.
pub type Open<'a> = &'a mut dyn FnMut() -> Result<Box<dyn Connection>>;

/// Runs every case on `backend`.
pub fn run(backend: &str, open: Open<'_>) -> Report {
    run_matching(backend, open, "")
}

/// Runs the cases whose name contains `filter` (all when it is empty).
pub fn run_matching(backend: &str, open: Open<'_>, filter: &str) -> Report {
    let mut results = Vec::new();
    for case in cases().into_iter().filter(|c| c.name.contains(filter)) {
        let outcome = run_case(&case, open);
        results.push(CaseResult {
            name: case.name,
            passed: outcome.is_ok(),
            failure: outcome.err().map(|f| f.0),
        });
    }
    let passed = results.iter().filter(|r| r.passed).count();
    Report {
        backend: backend.to_string(),
        passed,
        failed: results.len() - passed,
        cases: results,
    }
}

/// The time every case starts at.
pub const START: &str = "2026-11-26 08:00:00";

fn run_case(case: &Case, open: Open<'_>) -> Outcome {
    let conn =
        open().map_err(|e| Failure(format!("the backend could not open a database: {e}")))?;
    let clock = ManualClock::at(Timestamp::parse(START).expect("START parses"));
    Migrator::coordination()
        .migrate(&*conn, &clock, false, &mut |_| Ok(None))
        .map_err(|e| Failure(format!("migrating a new database failed: {e}")))?;
    ensure!(
        !conn.in_transaction(),
        "a transaction is still open after migrating"
    );
    let world = World {
        conn: &*conn,
        clock,
        ids: SequentialIds::new(),
    };
    (case.run)(&world)?;
    ensure!(
        !conn.in_transaction(),
        "the case left a transaction open on the connection"
    );
    Ok(())
}

#[cfg(test)]
mod tests;
