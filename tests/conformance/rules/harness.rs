//! The machinery behind the rule cases: a case is data (setup, then steps that must be
//! refused, must succeed, or must leave a given value behind), and [`run`] plays it on both
//! databases inside a transaction that is always rolled back.

use motus_core::file_tools::fingerprint::{self, TableFingerprint};
use motus_core::sqlite::SqliteConnection;
use motus_core::{Connection, ConnectionExt, Error};
use motus_tests::{fresh_memory_db, upgraded_copy};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// What a refused statement must report.
#[derive(Debug, Clone, PartialEq)]
pub enum Want {
    /// A trigger's `RAISE`: [`Error::KernelRule`] with exactly this text.
    Rule(String),
    /// A CHECK / UNIQUE / NOT NULL / FOREIGN KEY failure: [`Error::Constraint`] with SQLite's
    /// text. Compared with runs of white space collapsed (see [`same_constraint_text`]).
    Constraint(String),
}

impl fmt::Display for Want {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Want::Rule(m) => write!(f, "KernelRule {m:?}"),
            Want::Constraint(m) => write!(f, "Constraint {m:?}"),
        }
    }
}

/// A trigger's error text.
pub fn rule(message: &str) -> Want {
    Want::Rule(message.to_owned())
}

/// A CHECK constraint's failure, given the CHECK expression as written in the schema.
pub fn check(expr: &str) -> Want {
    Want::Constraint(format!("CHECK constraint failed: {expr}"))
}

/// Any other constraint failure, with SQLite's full text.
pub fn constraint(message: &str) -> Want {
    Want::Constraint(message.to_owned())
}

/// SQLite reports a failed CHECK with the expression's source text, line breaks and
/// indentation included. Our migrations and the original's files lay out five multi-line
/// CHECKs (blockers.reason_code, decisions/kernel_decisions.decision_type,
/// evidence/kernel_evidence.evidence_type) differently, so the same rule has differently
/// spaced texts in a fresh database and in an upgraded one. Constraint texts are therefore
/// compared with white space normalised: runs collapsed to one space, none just inside
/// parentheses. Every character that is not white space must match exactly.
pub fn same_constraint_text(a: &str, b: &str) -> bool {
    normalise_ws(a) == normalise_ws(b)
}

pub fn normalise_ws(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.replace("( ", "(").replace(" )", ")")
}

/// One statement of the setup.
#[derive(Debug, Clone)]
pub enum Setup {
    Sql(String),
    /// Runs `sql` with these triggers removed, then puts them back exactly as they were
    /// (to build a state the rules would refuse, e.g. a graph that already has a cycle).
    Bypassing(Vec<&'static str>, String),
}

/// One step after the setup.
#[derive(Debug, Clone)]
pub enum Step {
    /// Must succeed.
    Ok(String),
    /// Must fail as `want`, and leave every table exactly as it was.
    Refuse { sql: String, want: Want },
    /// `query`'s first column of its first row, as text (NULL as "<null>"), must be `value`.
    Expect { query: String, value: String },
}

/// A rule case: `rule` names the trigger, or `table.CHECK(…)` / `table.UNIQUE(…)` / … for a
/// constraint; several cases may exercise one rule.
#[derive(Debug, Clone)]
pub struct Case {
    pub rule: &'static str,
    pub setup: Vec<Setup>,
    pub steps: Vec<Step>,
}

pub fn case(rule: &'static str) -> Case {
    Case {
        rule,
        setup: Vec::new(),
        steps: Vec::new(),
    }
}

impl Case {
    /// Setup statements, run in order; any failure fails the case.
    pub fn given<I, S>(mut self, stmts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.setup
            .extend(stmts.into_iter().map(|s| Setup::Sql(s.into())));
        self
    }

    /// One setup statement run with `triggers` temporarily removed.
    pub fn given_bypassing(mut self, triggers: &[&'static str], sql: impl Into<String>) -> Self {
        self.setup
            .push(Setup::Bypassing(triggers.to_vec(), sql.into()));
        self
    }

    pub fn refuse(mut self, sql: impl Into<String>, want: Want) -> Self {
        self.steps.push(Step::Refuse {
            sql: sql.into(),
            want,
        });
        self
    }

    pub fn ok(mut self, sql: impl Into<String>) -> Self {
        self.steps.push(Step::Ok(sql.into()));
        self
    }

    pub fn oks<I, S>(mut self, stmts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.steps
            .extend(stmts.into_iter().map(|s| Step::Ok(s.into())));
        self
    }

    pub fn expect(mut self, query: impl Into<String>, value: impl Into<String>) -> Self {
        self.steps.push(Step::Expect {
            query: query.into(),
            value: value.into(),
        });
        self
    }

    pub fn refusals(&self) -> impl Iterator<Item = &Want> {
        self.steps.iter().filter_map(|s| match s {
            Step::Refuse { want, .. } => Some(want),
            _ => None,
        })
    }

    pub fn has_ok(&self) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::Ok(_)))
    }

    pub fn has_expect(&self) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::Expect { .. }))
    }
}

/// The two databases every case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A new database built by our runner (all migrations).
    Fresh,
    /// A copy of `motusos-0.3.3-quickstart.db` (written by the original) upgraded by our runner.
    UpgradedQuickstart,
}

impl Db {
    pub const BOTH: [Db; 2] = [Db::Fresh, Db::UpgradedQuickstart];

    pub fn label(self) -> &'static str {
        match self {
            Db::Fresh => "fresh database (our migrations)",
            Db::UpgradedQuickstart => "motusos-0.3.3-quickstart.db upgraded by our runner",
        }
    }

    /// A private, writable in-memory copy of this database. Each database is built once per
    /// test binary (the quickstart copy is upgraded in a temporary directory) and kept as a
    /// serialized image; every call deserializes its own copy of that image.
    pub fn open(self) -> SqliteConnection {
        static FRESH: OnceLock<Vec<u8>> = OnceLock::new();
        static QUICKSTART: OnceLock<Vec<u8>> = OnceLock::new();
        let image = match self {
            Db::Fresh => FRESH.get_or_init(|| fresh_memory_db().to_image().unwrap()),
            Db::UpgradedQuickstart => QUICKSTART.get_or_init(|| {
                let dir = tempfile::tempdir().unwrap();
                let (_path, mut conn) = upgraded_copy("motusos-0.3.3-quickstart.db", dir.path());
                conn.to_image().unwrap()
            }),
        };
        open_image(image)
    }
}

fn open_image(image: &[u8]) -> SqliteConnection {
    let mut bytes = image.to_vec();
    // Header bytes 18/19 = 2 mean WAL, which an in-memory database cannot use.
    if bytes[18] == 2 || bytes[19] == 2 {
        bytes[18] = 1;
        bytes[19] = 1;
    }
    let len = bytes.len();
    let mut raw = SqliteConnection::open_in_memory().unwrap().into_inner();
    raw.deserialize_read_exact("main", std::io::Cursor::new(bytes), len, false)
        .expect("deserialize the database image");
    let conn = SqliteConnection::from_rusqlite(raw);
    // The settings every Motus connection uses (foreign keys are what matter here).
    conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
    conn
}

/// Runs `f` on a copy of `db` from a small pool. Cases leave no trace (each runs in a
/// transaction that is rolled back, schema changes included), so a copy can serve case after
/// case; reusing it spares re-reading the schema and re-preparing the fingerprint queries,
/// which is most of a case's cost in a debug build. A copy goes back to the pool only outside
/// any transaction; a panicking case drops its copy.
fn with_pooled<T>(db: Db, f: impl FnOnce(&SqliteConnection) -> T) -> T {
    static POOLS: [Mutex<Vec<SqliteConnection>>; 2] =
        [Mutex::new(Vec::new()), Mutex::new(Vec::new())];
    let pool = &POOLS[db as usize];
    let conn = pool.lock().unwrap().pop().unwrap_or_else(|| db.open());
    let out = f(&conn);
    if !conn.in_transaction() {
        pool.lock().unwrap().push(conn);
    }
    out
}

/// Runs `case` on both databases; the panic message names the test, the rule and the database
/// of every failure.
pub fn run(test: &str, case: Case) {
    assert!(
        case.has_ok(),
        "case {test} ({}) has no statement that must succeed",
        case.rule
    );
    assert!(
        case.refusals().next().is_some() || case.has_expect(),
        "case {test} ({}) neither breaks the rule nor checks an effect",
        case.rule
    );
    let failures: Vec<String> = Db::BOTH
        .iter()
        .filter_map(|&db| {
            with_pooled(db, |conn| run_on(&case, conn)).err().map(|e| {
                format!(
                    "case `{test}` (rule {}) on the {}:\n  {e}",
                    case.rule,
                    db.label()
                )
            })
        })
        .collect();
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n\n"));
}

/// Plays the case inside one transaction and rolls it back.
pub fn run_on<C: Connection + ?Sized>(case: &Case, conn: &C) -> Result<(), String> {
    conn.begin_write()
        .map_err(|e| format!("BEGIN failed: {e:?}"))?;
    let outcome = play(case, conn);
    let _ = conn.rollback();
    outcome
}

fn play<C: Connection + ?Sized>(case: &Case, conn: &C) -> Result<(), String> {
    for (i, s) in case.setup.iter().enumerate() {
        match s {
            Setup::Sql(sql) => conn.execute_batch(sql),
            Setup::Bypassing(triggers, sql) => bypassing(conn, triggers, sql),
        }
        .map_err(|e| format!("setup statement #{} failed: {s:?}\n  error: {e:?}", i + 1))?;
    }
    // The fingerprints taken after a refusal serve as the "before" of the next refusal as long
    // as nothing but reads happened in between (fingerprinting every table is the slow part).
    let mut last: Option<BTreeMap<String, TableFingerprint>> = None;
    for (i, step) in case.steps.iter().enumerate() {
        let n = i + 1;
        match step {
            Step::Ok(sql) => {
                last = None;
                conn.execute_batch(sql).map_err(|e| {
                    format!(
                        "step #{n}: statement that must succeed was refused: {sql}\n  error: {e:?}"
                    )
                })?
            }
            Step::Refuse { sql, want } => {
                let before = match last.take() {
                    Some(f) => f,
                    None => fingerprints(conn)?,
                };
                match conn.execute_batch(sql) {
                    Ok(()) => {
                        return Err(format!(
                            "step #{n}: statement was accepted, expected {want}: {sql}"
                        ))
                    }
                    Err(e) if !matches_want(&e, want) => {
                        return Err(format!(
                            "step #{n}: wrong error for: {sql}\n  expected {want}\n  got      {e:?}"
                        ))
                    }
                    Err(_) => {}
                }
                if !conn.in_transaction() {
                    return Err(format!(
                        "step #{n}: the refusal ended the surrounding transaction: {sql}"
                    ));
                }
                let after = fingerprints(conn)?;
                let changed: std::collections::BTreeSet<&String> = before
                    .keys()
                    .chain(after.keys())
                    .filter(|t| before.get(*t) != after.get(*t))
                    .collect();
                if !changed.is_empty() {
                    return Err(format!(
                        "step #{n}: refused statement still changed tables {changed:?}: {sql}"
                    ));
                }
                last = Some(after);
            }
            Step::Expect { query, value } => {
                let got = conn
                    .query(query, &[])
                    .map_err(|e| format!("step #{n}: query failed: {query}\n  error: {e:?}"))?;
                let got = got
                    .first()
                    .map(|r| match r.value(0) {
                        v if v.is_null() => "<null>".to_owned(),
                        v => v.to_text(),
                    })
                    .unwrap_or_else(|| "<no row>".to_owned());
                if &got != value {
                    return Err(format!(
                        "step #{n}: {query}\n  expected {value:?}\n  got      {got:?}"
                    ));
                }
            }
        }
    }
    Ok(())
}

fn fingerprints<C: Connection + ?Sized>(
    conn: &C,
) -> Result<BTreeMap<String, TableFingerprint>, String> {
    fingerprint::all_tables(conn).map_err(|e| format!("fingerprint failed: {e:?}"))
}

fn matches_want(e: &Error, want: &Want) -> bool {
    match (e, want) {
        (Error::KernelRule { message }, Want::Rule(w)) => message == w,
        (Error::Constraint { message }, Want::Constraint(w)) => same_constraint_text(message, w),
        _ => false,
    }
}

fn bypassing<C: Connection + ?Sized>(
    conn: &C,
    triggers: &[&str],
    sql: &str,
) -> motus_core::Result<()> {
    let mut saved = Vec::new();
    for t in triggers {
        let ddl: String = conn.query_one(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
            motus_core::params![*t],
        )?;
        conn.execute_batch(&format!("DROP TRIGGER {t}"))?;
        saved.push(ddl);
    }
    conn.execute_batch(sql)?;
    for ddl in saved {
        conn.execute_batch(&ddl)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reading rules out of a schema (for the coverage test)
// ---------------------------------------------------------------------------------------

/// The messages of every `RAISE(ABORT|FAIL|ROLLBACK, '…')` in a trigger's SQL.
pub fn raise_messages(sql: &str) -> Vec<String> {
    let lower = sql.to_ascii_lowercase();
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("raise") {
        let mut i = from + pos + 5;
        from = i;
        let skip_ws = |i: &mut usize| {
            while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
                *i += 1;
            }
        };
        skip_ws(&mut i);
        if bytes.get(i) != Some(&b'(') {
            continue;
        }
        i += 1;
        skip_ws(&mut i);
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        skip_ws(&mut i);
        if bytes.get(i) != Some(&b',') {
            continue;
        }
        i += 1;
        skip_ws(&mut i);
        if bytes.get(i) != Some(&b'\'') {
            continue;
        }
        let (text, end) = string_literal(sql, i);
        out.push(text);
        from = end;
    }
    out
}

/// `sql[start] == '\''`: the literal's value and the index after it.
fn string_literal(sql: &str, start: usize) -> (String, usize) {
    let bytes = sql.as_bytes();
    let mut i = start + 1;
    let mut text = String::new();
    let mut chunk = i;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            text.push_str(&sql[chunk..i]);
            if bytes.get(i + 1) == Some(&b'\'') {
                text.push('\'');
                i += 2;
                chunk = i;
                continue;
            }
            return (text, i + 1);
        }
        i += 1;
    }
    (text, i)
}

/// The expressions of every `CHECK (…)` in a CREATE TABLE statement, as written.
pub fn check_expressions(sql: &str) -> Vec<String> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            i = skip_quoted(bytes, i);
            continue;
        }
        if let Some(end) = skip_comment(bytes, i) {
            i = end;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if sql[start..i].eq_ignore_ascii_case("check") {
                let mut j = i;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if bytes.get(j) == Some(&b'(') {
                    let (inner, end) = paren_group(sql, j);
                    out.push(inner.trim().to_owned());
                    i = end;
                }
            }
            continue;
        }
        i += 1;
    }
    out
}

/// At a `--` or `/*` comment: the index after it. (The original's CREATE TABLE texts carry
/// comments with apostrophes, e.g. `-- What's locked`.)
fn skip_comment(bytes: &[u8], i: usize) -> Option<usize> {
    match (bytes[i], bytes.get(i + 1)) {
        (b'-', Some(b'-')) => Some(
            bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| i + p + 1),
        ),
        (b'/', Some(b'*')) => Some(
            bytes[i + 2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(bytes.len(), |p| i + 2 + p + 2),
        ),
        _ => None,
    }
}

fn skip_quoted(bytes: &[u8], start: usize) -> usize {
    let q = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == q {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

/// `sql[start] == '('`: the text inside the balanced group and the index after it.
fn paren_group(sql: &str, start: usize) -> (&str, usize) {
    let bytes = sql.as_bytes();
    let mut depth = 0;
    let mut i = start;
    while i < bytes.len() {
        if let Some(end) = skip_comment(bytes, i) {
            i = end;
            continue;
        }
        match bytes[i] {
            b'\'' | b'"' => {
                i = skip_quoted(bytes, i);
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return (&sql[start + 1..i], i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    (&sql[start + 1..], bytes.len())
}

// ---------------------------------------------------------------------------------------
// SQL builders shared by the cases (ids are chosen so they never meet the fixture's rows)
// ---------------------------------------------------------------------------------------

/// A roadmap item in phase `rules`.
pub fn item(id: &str, status: &str) -> String {
    format!(
        "INSERT INTO roadmap_items (id, phase_key, title, status_key) \
         VALUES ('{id}', 'rules', 'Item {id}', '{status}')"
    )
}

/// Pending roadmap items.
pub fn items(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| item(id, "pending")).collect()
}

/// `item` depends on `on` (edge item → depends_on).
pub fn dep(item: &str, on: &str, kind: &str) -> String {
    format!(
        "INSERT INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) \
         VALUES ('{item}', '{on}', '{kind}')"
    )
}

/// An open attempt.
pub fn attempt(id: &str, work: &str) -> String {
    format!(
        "INSERT INTO attempts (id, work_id, worker_id, worker_type) \
         VALUES ('{id}', '{work}', 'agent:rules', 'agent')"
    )
}

/// An unresolved blocker, optionally linked to an attempt.
pub fn blocker(id: &str, work: &str, attempt: Option<&str>) -> String {
    let attempt = attempt.map_or("NULL".to_owned(), |a| format!("'{a}'"));
    format!(
        "INSERT INTO blockers (id, work_id, attempt_id, reason_code, title, created_by) \
         VALUES ('{id}', '{work}', {attempt}, 'missing_info', 'Blocker {id}', 'agent:rules')"
    )
}

/// Evidence for a work item, optionally linked to an attempt, recorded now.
pub fn evidence(id: &str, work: &str, attempt: Option<&str>) -> String {
    let attempt = attempt.map_or("NULL".to_owned(), |a| format!("'{a}'"));
    format!(
        "INSERT INTO evidence (id, work_id, attempt_id, evidence_type, uri, sha256, created_by) \
         VALUES ('{id}', '{work}', {attempt}, 'test_result', 'file:///{id}', 'sha-{id}', 'agent:rules')"
    )
}

/// Resolves a blocker (the justification has to exist already).
pub fn resolve(blocker: &str) -> String {
    format!(
        "UPDATE blockers SET resolved_at = datetime('now'), resolved_by = 'agent:rules', \
         resolution = 'fixed' WHERE id = '{blocker}'"
    )
}

/// A plan event.
pub fn plan_event(id: &str) -> String {
    format!(
        "INSERT INTO plan_events (event_id, idempotency_key, ts, actor, actor_type, source, event_type, payload) \
         VALUES ('{id}', 'key-{id}', '2026-01-01T00:00:00Z', 'alice', 'user', 'cli', 'item.created', '{{}}')"
    )
}

/// ISO-8601 `…T…Z` text for now + `offset` (the format the lease store writes).
pub fn iso(offset: &str) -> String {
    format!("strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '{offset}')")
}

/// A lease on resource `file:<res>` expiring at the SQL expression `expires`.
pub fn lease(id: &str, res: &str, mode: &str, expires: &str) -> String {
    format!(
        "INSERT INTO leases (id, resource_type, resource_id, mode, worker_id, ttl_seconds, expires_at) \
         VALUES ('{id}', 'file', '{res}', '{mode}', 'agent:rules', 3600, {expires})"
    )
}
