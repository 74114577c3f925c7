//! What every backend must do below the domain: carry values unchanged, report errors with
//! their kind, and make a write all or nothing.

use super::{ensure, ensure_eq, Case, Outcome, World};
use crate::connection::{write_tx, Connection, ConnectionExt, Value};
use crate::error::Error;
use crate::kernel::{self, ClaimRequest};
use crate::params;
use crate::roadmap::{items, NewItem};

pub(super) const CASES: &[Case] = &[
    Case {
        name: "storage::values_round_trip_unchanged",
        run: values_round_trip_unchanged,
    },
    Case {
        name: "storage::errors_keep_their_kind",
        run: errors_keep_their_kind,
    },
    Case {
        name: "storage::a_failed_write_leaves_nothing",
        run: a_failed_write_leaves_nothing,
    },
    Case {
        name: "storage::nested_writes_commit_or_roll_back_together",
        run: nested_writes_commit_or_roll_back_together,
    },
];

fn values_round_trip_unchanged(w: &World<'_>) -> Outcome {
    w.conn
        .execute_batch("CREATE TABLE suite_values (k INTEGER PRIMARY KEY, v)")?;
    let values = [
        Value::Null,
        Value::Integer(0),
        Value::Integer(i64::MAX),
        Value::Integer(i64::MIN),
        Value::Integer(9_007_199_254_740_993), // 2^53 + 1: not a JS number
        Value::Real(1.5),
        Value::Real(-0.1),
        Value::Text(String::new()),
        Value::Text("héllo ✓ 🦀 'quoted' \"double\"".into()),
        Value::Blob(vec![0, 1, 127, 128, 255]),
        Value::Blob(Vec::new()),
    ];
    for (k, v) in values.iter().enumerate() {
        let n = w.conn.execute(
            "INSERT INTO suite_values (k, v) VALUES (?1, ?2)",
            params![k, v],
        )?;
        ensure_eq!(n, 1usize, "rows changed by one INSERT");
    }
    let rows = w
        .conn
        .query("SELECT k, v FROM suite_values ORDER BY k", &[])?;
    ensure_eq!(rows.columns, vec!["k".to_string(), "v".to_string()]);
    ensure_eq!(rows.len(), values.len());
    for (row, want) in rows.iter().zip(&values) {
        // An empty blob may come back as an empty blob only; NULL must stay NULL.
        ensure_eq!(row.value(1), want, "value {}", row.value(0).to_text());
    }
    // A value of the wrong type is a data-shape error, not a driver error.
    let text_row = w
        .conn
        .query("SELECT v FROM suite_values WHERE k = 8", &[])?;
    let wrong = text_row.first().map(|r| r.get::<i64>(0));
    ensure!(
        matches!(wrong, Some(Err(Error::UnexpectedData { .. }))),
        "reading text as an integer gave {wrong:?}"
    );
    let typeof_blob: String = w
        .conn
        .query_one("SELECT typeof(v) FROM suite_values WHERE k = 9", &[])?;
    ensure_eq!(typeof_blob, "blob");
    let changed = w
        .conn
        .execute("UPDATE suite_values SET v = 1 WHERE k IN (1, 2, 3)", &[])?;
    ensure_eq!(changed, 3usize, "rows changed by an UPDATE of three rows");
    let none = w
        .conn
        .query("SELECT k FROM suite_values WHERE k < 0", &[])?;
    ensure!(none.is_empty(), "a query with no match returned {none:?}");
    Ok(())
}

fn errors_keep_their_kind(w: &World<'_>) -> Outcome {
    w.conn.execute_batch(
        "CREATE TABLE suite_errors (id TEXT PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0)); \
         CREATE TRIGGER suite_refuse BEFORE DELETE ON suite_errors \
         BEGIN SELECT RAISE(ABORT, 'SUITE: rows here cannot be deleted'); END;",
    )?;
    w.conn
        .execute("INSERT INTO suite_errors VALUES ('a', 1)", &[])?;
    let unique = w
        .conn
        .execute("INSERT INTO suite_errors VALUES ('a', 2)", &[])
        .err();
    ensure!(
        matches!(unique, Some(Error::Constraint { .. })),
        "a duplicate primary key gave {unique:?}, expected a constraint error"
    );
    let not_null = w
        .conn
        .execute("INSERT INTO suite_errors VALUES ('b', NULL)", &[])
        .err();
    ensure!(
        matches!(not_null, Some(Error::Constraint { .. })),
        "a NULL in a NOT NULL column gave {not_null:?}"
    );
    let check = w
        .conn
        .execute("INSERT INTO suite_errors VALUES ('c', -1)", &[])
        .err();
    ensure!(
        matches!(check, Some(Error::Constraint { .. })),
        "a failed CHECK gave {check:?}"
    );
    let rule = w
        .conn
        .execute("DELETE FROM suite_errors WHERE id = 'a'", &[])
        .err();
    ensure_eq!(
        rule,
        Some(Error::KernelRule {
            message: "SUITE: rows here cannot be deleted".into()
        }),
        "a trigger's RAISE(ABORT) must arrive as a kernel rule with its exact text"
    );
    // The schema's own rules arrive the same way.
    let audit = w
        .conn
        .execute(
            "INSERT INTO audit_log (timestamp, event_type, actor, action, instance_id) \
             VALUES ('2026-11-26 08:00:00.000', 'suite', 'suite', 'create', 'i')",
            &[],
        )
        .map(|_| ());
    ensure!(audit.is_ok(), "appending to audit_log failed: {audit:?}");
    let immutable = w
        .conn
        .execute("UPDATE audit_log SET actor = 'x'", &[])
        .err();
    ensure_eq!(
        immutable,
        Some(Error::KernelRule {
            message: "Audit log entries are immutable".into()
        })
    );
    let syntax = w.conn.query("SELEKT 1", &[]).err();
    ensure!(
        matches!(&syntax, Some(e) if e.code() == "sql"),
        "a syntax error gave {syntax:?}, expected a plain SQL error"
    );
    let missing = w.conn.query("SELECT * FROM no_such_table", &[]).err();
    ensure!(
        matches!(&missing, Some(e) if e.code() == "sql"),
        "a missing table gave {missing:?}"
    );
    ensure_eq!(w.rows_in("suite_errors")?, 1);
    Ok(())
}

const TOUCHED_BY_A_CLAIM: &[&str] = &[
    "coordination_leases",
    "events",
    "attempts",
    "roadmap_items",
    "metrics",
    "audit_log",
    "entity_versions",
];

fn a_failed_write_leaves_nothing(w: &World<'_>) -> Outcome {
    // Every kernel and roadmap write ends with its audit row; refusing that row fails the
    // write after its other statements ran, so only a real rollback leaves nothing.
    w.conn.execute_batch(
        "CREATE TRIGGER suite_fail_audit BEFORE INSERT ON audit_log \
         BEGIN SELECT RAISE(ABORT, 'SUITE: disk on fire'); END;",
    )?;
    let before = w.counts(TOUCHED_BY_A_CLAIM)?;
    let claim = kernel::claim_work(
        w.conn,
        &w.env(),
        &kernel::Options::default(),
        &ClaimRequest::new("ADHOC-SUITE-ROLLBACK", "try", "agent-a"),
    );
    ensure!(
        matches!(&claim, Err(Error::KernelRule { message }) if message == "SUITE: disk on fire"),
        "the claim gave {claim:?}, expected the audit trigger's error"
    );
    ensure!(
        !w.conn.in_transaction(),
        "the failed claim left a transaction open"
    );
    ensure_eq!(
        w.counts(TOUCHED_BY_A_CLAIM)?,
        before,
        "rows in {TOUCHED_BY_A_CLAIM:?} after a claim that failed"
    );
    let add = items::add(
        w.conn,
        &w.env(),
        "suite",
        &NewItem {
            id: Some("RI-ROLLBACK".into()),
            title: "never stored".into(),
            phase_key: "phase_a".into(),
            ..Default::default()
        },
    );
    ensure!(add.is_err(), "the roadmap add succeeded: {add:?}");
    ensure_eq!(
        w.counts(TOUCHED_BY_A_CLAIM)?,
        before,
        "rows after a roadmap add that failed"
    );
    // Once the fault is gone the same calls succeed.
    w.conn.execute_batch("DROP TRIGGER suite_fail_audit")?;
    let granted = kernel::claim_work(
        w.conn,
        &w.env(),
        &kernel::Options::default(),
        &ClaimRequest::new("ADHOC-SUITE-ROLLBACK", "try", "agent-a"),
    )?;
    ensure!(granted.decision.is_granted(), "{granted:?}");
    ensure_eq!(w.rows_in("coordination_leases")?, before[0] + 1);
    Ok(())
}

fn nested_writes_commit_or_roll_back_together(w: &World<'_>) -> Outcome {
    w.conn
        .execute_batch("CREATE TABLE suite_tx (v INTEGER NOT NULL)")?;
    let insert = |c: &dyn Connection, v: i64| -> crate::Result<()> {
        c.execute("INSERT INTO suite_tx (v) VALUES (?1)", params![v])
            .map(|_| ())
    };
    let inside = std::cell::Cell::new(false);
    let failed: crate::Result<()> = write_tx(w.conn, |c| {
        insert(c, 1)?;
        write_tx(c, |c| insert(c, 2))?;
        inside.set(c.in_transaction());
        Err(Error::invalid("suite", "refused after two inserts"))
    });
    ensure!(
        matches!(&failed, Err(Error::InvalidInput { .. })),
        "the refused write reported {failed:?}"
    );
    ensure!(
        inside.get(),
        "in_transaction() was false inside a write transaction (helpers rely on it to nest)"
    );
    ensure!(!w.conn.in_transaction(), "a transaction is still open");
    ensure_eq!(
        w.rows_in("suite_tx")?,
        0,
        "rows after a refused write (nested inside another)"
    );
    write_tx(w.conn, |c| {
        insert(c, 1)?;
        write_tx(c, |c| insert(c, 2))
    })?;
    ensure!(!w.conn.in_transaction(), "a transaction is still open");
    ensure_eq!(w.rows_in("suite_tx")?, 2);
    let sum: i64 = w.conn.query_one("SELECT sum(v) FROM suite_tx", &[])?;
    ensure_eq!(sum, 3);
    Ok(())
}
