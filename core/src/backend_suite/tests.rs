//! The suite's native runner (rusqlite on bundled SQLite), and proof that it fails a backend
//! that gets transactions wrong.

use super::*;
use crate::sqlite::SqliteConnection;

fn open_rusqlite() -> Result<Box<dyn Connection>> {
    Ok(Box::new(SqliteConnection::open_in_memory()?))
}

#[test]
fn rusqlite_in_memory_passes_the_backend_suite() {
    let report = run("rusqlite (in memory)", &mut open_rusqlite);
    println!("{}", report.summary());
    report.assert_passed();
    assert_eq!(report.passed, cases().len());
}

#[test]
fn rusqlite_on_a_wal_file_passes_the_backend_suite() {
    let dir = std::env::temp_dir().join(format!(
        "motus-backend-suite-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir(&dir).unwrap();
    let mut n = 0;
    let report = run("rusqlite (WAL file)", &mut || {
        n += 1;
        let path = dir.join(format!("case-{n}.db"));
        let c = SqliteConnection::open(
            path.to_str().expect("utf-8 temp path"),
            crate::sqlite::OpenMode::ReadWriteCreate,
        )?;
        c.ensure_wal()?;
        Ok(Box::new(c) as Box<dyn Connection>)
    });
    std::fs::remove_dir_all(&dir).unwrap();
    report.assert_passed();
}

#[test]
fn an_adapter_that_ignores_transactions_fails_the_suite() {
    let report = run("ignores transactions", &mut || {
        Ok(
            Box::new(IgnoresTransactions(SqliteConnection::open_in_memory()?))
                as Box<dyn Connection>,
        )
    });
    assert!(!report.is_ok(), "{}", report.summary());
    // Exactly the cases about atomicity notice it; the rest of the behaviour still holds.
    let failed: Vec<&str> = report.failures().map(|c| c.name).collect();
    assert_eq!(
        failed,
        [
            "storage::a_failed_write_leaves_nothing",
            "storage::nested_writes_commit_or_roll_back_together",
        ],
        "{}",
        report.summary()
    );
}

#[test]
fn every_case_has_a_unique_area_qualified_name() {
    let names: Vec<&str> = cases().iter().map(|c| c.name).collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    for n in &names {
        let (area, what) = n.split_once("::").expect("area::name");
        assert!(
            [
                "storage",
                "kernel",
                "roadmap",
                "program",
                "terminology",
                "audit"
            ]
            .contains(&area),
            "{n}"
        );
        assert!(!what.is_empty());
    }
    assert_eq!(
        run_matching("filter", &mut open_rusqlite, "roadmap::")
            .cases
            .len(),
        4
    );
}

/// Passes every statement through and keeps its text.
struct Recording<C> {
    inner: C,
    seen: std::rc::Rc<std::cell::RefCell<Vec<String>>>,
}

impl<C: Connection> Connection for Recording<C> {
    fn execute(&self, sql: &str, params: &[crate::Value]) -> Result<usize> {
        self.seen.borrow_mut().push(sql.to_string());
        self.inner.execute(sql, params)
    }
    fn query(&self, sql: &str, params: &[crate::Value]) -> Result<crate::Rows> {
        self.seen.borrow_mut().push(sql.to_string());
        self.inner.query(sql, params)
    }
    fn execute_batch(&self, sql: &str) -> Result<()> {
        self.seen.borrow_mut().push(sql.to_string());
        self.inner.execute_batch(sql)
    }
    fn in_transaction(&self) -> bool {
        self.inner.in_transaction()
    }
}

/// A replicated backend's server (dqlite 1.11) crashes on `INSERT … RETURNING` and on
/// `PRAGMA journal_mode`: nothing core sends through the `Connection` for the domain —
/// migrations, kernel, roadmap, program, terminology, audit — may contain either.
#[test]
fn the_domain_never_sends_returning_or_journal_mode_through_a_connection() {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let report = run("recording", &mut || {
        Ok(Box::new(Recording {
            inner: SqliteConnection::open_in_memory()?,
            seen: seen.clone(),
        }) as Box<dyn Connection>)
    });
    report.assert_passed();
    let seen = seen.borrow();
    assert!(seen.len() > 1000, "only {} statements recorded", seen.len());
    let word = |sql: &str, w: &str| {
        sql.to_ascii_uppercase()
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|t| t == w)
    };
    let offending: Vec<&String> = seen
        .iter()
        .filter(|s| word(s, "RETURNING") || word(s, "JOURNAL_MODE"))
        .collect();
    assert!(offending.is_empty(), "{offending:#?}");
}
