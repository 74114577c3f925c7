//! The deploy gate: public claims that must be backed by tests, and deployment events.
//!
//! The rules are the schema's (`enforce_deploy_gate`, `v_can_deploy`, `v_deploy_blockers`):
//! a `website` deployment is refused while any claim's test failed (POLICY-001) or any
//! quantitative claim is still pending (POLICY-002); `pypi` and `docs` are not gated;
//! `stale` claims are listed as needing attention but do not block. [`check`] answers the
//! question before anything is written, naming the claims in the way; [`record`] writes the
//! event (the trigger refuses it when the gate is closed).

use crate::audit::{self, AuditEntry};
use crate::connection::{write_tx, Connection, ConnectionExt, Row};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use crate::roadmap::stamp::next_updated_at;
use serde::Serialize;

pub const TARGETS: &[&str] = &["website", "pypi", "docs"];
pub const EVENT_STATUSES: &[&str] = &["pending", "in_progress", "success", "failed", "blocked"];
pub const CLAIM_TYPES: &[&str] = &["quantitative", "qualitative"];
pub const TEST_STATUSES: &[&str] = &["pending", "pass", "fail", "stale"];

/// The only target the schema gates.
pub const GATED_TARGET: &str = "website";

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!(
            "'{value}' is not accepted; use one of {}",
            allowed.join(", ")
        ),
    ))
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Claim {
    pub id: String,
    pub claim_text: String,
    pub page: String,
    pub claim_type: String,
    pub test_file: Option<String>,
    pub test_function: Option<String>,
    pub test_status: Option<String>,
    pub last_verified_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const CLAIM_COLUMNS: &str = "id, claim_text, page, claim_type, test_file, test_function, \
     test_status, last_verified_at, created_at, updated_at";

fn claim_from(r: Row<'_>) -> Result<Claim> {
    Ok(Claim {
        id: r.get::<Option<String>>(0)?.unwrap_or_default(),
        claim_text: r.get(1)?,
        page: r.get(2)?,
        claim_type: r.get(3)?,
        test_file: r.get(4)?,
        test_function: r.get(5)?,
        test_status: r.get(6)?,
        last_verified_at: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub fn claims<C: Connection + ?Sized>(conn: &C) -> Result<Vec<Claim>> {
    let rows = conn.query(
        &format!("SELECT {CLAIM_COLUMNS} FROM claims ORDER BY page, id"),
        params![],
    )?;
    rows.iter().map(claim_from).collect()
}

pub fn claim<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Claim> {
    let rows = conn.query(
        &format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE id = ?1"),
        params![id],
    )?;
    rows.first()
        .map(claim_from)
        .transpose()?
        .ok_or_else(|| Error::not_found("claim", id))
}

#[derive(Debug, Clone, Default)]
pub struct NewClaim {
    pub id: Option<String>,
    pub claim_text: String,
    pub page: String,
    pub claim_type: String,
    pub test_file: Option<String>,
    pub test_function: Option<String>,
}

/// Registers a claim (status `pending` until a test run says otherwise).
pub fn add_claim<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    new: &NewClaim,
) -> Result<Claim> {
    if new.claim_text.trim().chars().count() < 5 {
        return Err(Error::invalid(
            "claim text",
            "must be at least 5 characters",
        ));
    }
    if new.page.trim().is_empty() {
        return Err(Error::invalid("page", "must not be empty"));
    }
    one_of("claim type", &new.claim_type, CLAIM_TYPES)?;
    if new.claim_type == "quantitative" && new.test_function.is_none() {
        return Err(Error::invalid(
            "test function",
            "a quantitative claim needs the test that proves it (test_function)",
        ));
    }
    write_tx(conn, |c| {
        let id = new.id.clone().unwrap_or_else(|| env.new_id("claim"));
        if c.query_scalar::<i64>("SELECT 1 FROM claims WHERE id = ?1", params![&id])?
            .is_some()
        {
            return Err(Error::invalid(
                "id",
                format!("a claim with id '{id}' already exists"),
            ));
        }
        let now = env.now().to_db();
        c.execute(
            "INSERT INTO claims (id, claim_text, page, claim_type, test_file, test_function, \
             test_status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7)",
            params![
                &id,
                new.claim_text.trim(),
                &new.page,
                &new.claim_type,
                new.test_file.clone(),
                new.test_function.clone(),
                now
            ],
        )?;
        let cl = claim(c, &id)?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "deploy.claim",
                actor,
                resource_type: Some("claim"),
                resource_id: Some(&id),
                action: "create",
                new_value: serde_json::to_value(&cl).ok(),
                ..Default::default()
            },
        )?;
        Ok(cl)
    })
}

/// Records a test verdict on a claim (`pass`, `fail`, `stale` or back to `pending`).
pub fn set_claim_status<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
    status: &str,
) -> Result<Claim> {
    one_of("test status", status, TEST_STATUSES)?;
    write_tx(conn, |c| {
        let before = claim(c, id)?;
        let verified = (status == "pass" || status == "fail").then(|| env.now().to_db());
        c.execute(
            "UPDATE claims SET test_status = ?1, last_verified_at = coalesce(?2, last_verified_at), \
             updated_at = ?3 WHERE id = ?4",
            params![
                status,
                verified,
                next_updated_at(Some(&before.updated_at), env.now()),
                id
            ],
        )?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "deploy.claim",
                actor,
                resource_type: Some("claim"),
                resource_id: Some(id),
                action: "set_status",
                old_value: Some(serde_json::json!({"test_status": before.test_status})),
                new_value: Some(serde_json::json!({"test_status": status})),
                ..Default::default()
            },
        )?;
        claim(c, id)
    })
}

/// What stands between a target and a deployment.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Check {
    pub target: String,
    pub can_deploy: bool,
    /// `READY`, `PENDING` or `BLOCKED` (as `v_can_deploy`; ungated targets are `READY`).
    pub status: String,
    pub gated: bool,
    /// Claims whose test failed: they block (POLICY-001).
    pub failed_claims: Vec<Claim>,
    /// Quantitative claims not yet verified: they block (POLICY-002).
    pub pending_claims: Vec<Claim>,
    /// Stale claims: listed by `v_deploy_blockers` but not blocking.
    pub stale_claims: Vec<Claim>,
    /// What to do next: the blocking claims and the tests that back them.
    pub action: String,
    /// The one command to run next, when a front end has one (the CLI: record a verdict).
    pub command: Option<String>,
}

/// `id (test_file::test_function)` for each claim, as far as the claim names its test.
fn tests_of(claims: &[Claim]) -> String {
    claims
        .iter()
        .map(|c| match (&c.test_file, &c.test_function) {
            (Some(f), Some(t)) => format!("{} ({f}::{t})", c.id),
            (Some(f), None) => format!("{} ({f})", c.id),
            (None, Some(t)) => format!("{} ({t})", c.id),
            (None, None) => format!("{} (no test named)", c.id),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Answers "can `target` be deployed now?" from the gate's rules, naming the claims in the way.
pub fn check<C: Connection + ?Sized>(conn: &C, target: &str) -> Result<Check> {
    one_of("target", target, TARGETS)?;
    let select = |cond: &str| -> Result<Vec<Claim>> {
        let rows = conn.query(
            &format!(
                "SELECT {CLAIM_COLUMNS} FROM claims WHERE {cond} ORDER BY coalesce(last_verified_at, ''), id"
            ),
            params![],
        )?;
        rows.iter().map(claim_from).collect()
    };
    let failed_claims = select("test_status = 'fail'")?;
    let pending_claims = select("claim_type = 'quantitative' AND test_status = 'pending'")?;
    let stale_claims = select("test_status = 'stale'")?;
    let gated = target == GATED_TARGET;
    // The view is the schema's own verdict for the website; we agree with it by construction.
    let view_status: String = conn.query_one("SELECT status FROM v_can_deploy", params![])?;
    let status = if gated {
        view_status
    } else {
        "READY".to_string()
    };
    // The next step names the claims and the tests that back them; the command that records
    // a verdict is the front end's to add (this is no command line).
    let (action, command) = match status.as_str() {
        "BLOCKED" => (
            format!(
                "Fix the test(s) of {} failing claim(s) and record each verdict once it passes: {}",
                failed_claims.len(),
                tests_of(&failed_claims)
            ),
            None,
        ),
        "PENDING" => (
            format!(
                "Run the test(s) that back {} pending quantitative claim(s) and record each verdict: {}",
                pending_claims.len(),
                tests_of(&pending_claims)
            ),
            None,
        ),
        _ => ("Deploy when ready".to_string(), None),
    };
    Ok(Check {
        target: target.to_string(),
        can_deploy: status == "READY",
        status,
        gated,
        failed_claims,
        pending_claims,
        stale_claims,
        action,
        command,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Deployment {
    pub id: i64,
    pub target: String,
    pub version: String,
    pub status: String,
    pub triggered_by: Option<String>,
    pub created_at: String,
    pub completed_at: Option<String>,
}

fn deployment_from(r: Row<'_>) -> Result<Deployment> {
    Ok(Deployment {
        id: r.get(0)?,
        target: r.get(1)?,
        version: r.get(2)?,
        status: r.get(3)?,
        triggered_by: r.get(4)?,
        created_at: r.get(5)?,
        completed_at: r.get(6)?,
    })
}

const DEPLOY_COLUMNS: &str = "id, target, version, status, triggered_by, created_at, completed_at";

pub fn deployments<C: Connection + ?Sized>(
    conn: &C,
    target: Option<&str>,
) -> Result<Vec<Deployment>> {
    if let Some(t) = target {
        // A target some row holds stays listable (rows the original wrote); a typo is refused.
        let held = !conn
            .query(
                "SELECT 1 FROM deployment_events WHERE target = ?1 LIMIT 1",
                params![t],
            )?
            .is_empty();
        if !held {
            one_of("target", t, TARGETS)?;
        }
    }
    let rows = conn.query(
        &format!(
            "SELECT {DEPLOY_COLUMNS} FROM deployment_events WHERE ?1 IS NULL OR target = ?1 ORDER BY id"
        ),
        params![target],
    )?;
    rows.iter().map(deployment_from).collect()
}

fn deployment<C: Connection + ?Sized>(conn: &C, id: i64) -> Result<Deployment> {
    let rows = conn.query(
        &format!("SELECT {DEPLOY_COLUMNS} FROM deployment_events WHERE id = ?1"),
        params![id],
    )?;
    rows.first()
        .map(deployment_from)
        .transpose()?
        .ok_or_else(|| Error::not_found("deployment", id.to_string()))
}

/// Records a deployment event. For the website the gate applies: when it is closed nothing
/// is written and the error carries the schema's message plus the claims in the way.
pub fn record<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    target: &str,
    version: &str,
    status: &str,
) -> Result<Deployment> {
    one_of("target", target, TARGETS)?;
    one_of("status", status, EVENT_STATUSES)?;
    if version.trim().is_empty() {
        return Err(Error::invalid("version", "must not be empty"));
    }
    write_tx(conn, |c| {
        let now = env.now().to_db();
        let completed = matches!(status, "success" | "failed").then(|| now.clone());
        let inserted = c.execute(
            "INSERT INTO deployment_events (target, version, status, triggered_by, created_at, completed_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![target, version, status, actor, &now, completed],
        );
        if let Err(Error::KernelRule { message }) = inserted {
            let gate = check(c, target)?;
            let names: Vec<&str> = if gate.failed_claims.is_empty() {
                gate.pending_claims.iter().map(|c| c.id.as_str()).collect()
            } else {
                gate.failed_claims.iter().map(|c| c.id.as_str()).collect()
            };
            // The schema's trigger text ends with the original's Python step ("Run: …
            // pytest -k claim"), which means nothing here: it gives way to ours.
            let rule = message
                .split(" Run:")
                .next()
                .unwrap_or(&message)
                .trim_end()
                .trim_end_matches('.');
            return Err(Error::KernelRule {
                message: format!(
                    "{rule} (claims: {}); record each claim's verdict once its test passes",
                    names.join(", ")
                ),
            });
        }
        inserted?;
        let id: i64 = c.query_one("SELECT last_insert_rowid()", params![])?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "deploy.event",
                actor,
                resource_type: Some("deployment"),
                resource_id: Some(&id.to_string()),
                action: "record",
                new_value: Some(
                    serde_json::json!({"target": target, "version": version, "status": status}),
                ),
                ..Default::default()
            },
        )?;
        deployment(c, id)
    })
}

/// Moves a deployment to a new status (`success`/`failed` stamp `completed_at`).
pub fn set_deployment_status<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: i64,
    status: &str,
) -> Result<Deployment> {
    one_of("status", status, EVENT_STATUSES)?;
    write_tx(conn, |c| {
        let before = deployment(c, id)?;
        let completed = matches!(status, "success" | "failed").then(|| env.now().to_db());
        c.execute(
            "UPDATE deployment_events SET status = ?1, completed_at = coalesce(?2, completed_at) WHERE id = ?3",
            params![status, completed, id],
        )?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "deploy.event",
                actor,
                resource_type: Some("deployment"),
                resource_id: Some(&id.to_string()),
                action: "set_status",
                old_value: Some(serde_json::json!({"status": before.status})),
                new_value: Some(serde_json::json!({"status": status})),
                ..Default::default()
            },
        )?;
        deployment(c, id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roadmap::testdb::TestDb;

    fn claim_of(db: &TestDb, id: &str, ty: &str) {
        add_claim(
            &db.conn,
            &db.env(),
            "t",
            &NewClaim {
                id: Some(id.into()),
                claim_text: format!("claim {id} holds"),
                page: "/".into(),
                claim_type: ty.into(),
                test_function: (ty == "quantitative").then(|| format!("test_{id}")),
                ..Default::default()
            },
        )
        .unwrap();
    }

    #[test]
    fn the_gate_follows_the_schema_rules_and_names_the_claims() {
        let db = TestDb::new();
        let env = db.env();
        assert!(check(&db.conn, "website").unwrap().can_deploy);
        claim_of(&db, "q1", "quantitative");
        claim_of(&db, "l1", "qualitative");
        let c = check(&db.conn, "website").unwrap();
        assert_eq!((c.status.as_str(), c.can_deploy), ("PENDING", false));
        assert_eq!(c.pending_claims[0].id, "q1");
        let err = record(&db.conn, &env, "ci", "website", "1.0", "pending").unwrap_err();
        assert_eq!(
            err.to_string(),
            "POLICY-002: Cannot deploy - pending quantitative claims (claims: q1); record each claim's verdict once its test passes"
        );
        assert!(deployments(&db.conn, None).unwrap().is_empty());
        // Other targets are not gated.
        assert!(check(&db.conn, "pypi").unwrap().can_deploy);
        record(&db.conn, &env, "ci", "pypi", "1.0", "success").unwrap();
        set_claim_status(&db.conn, &env, "ci", "l1", "fail").unwrap();
        let c = check(&db.conn, "website").unwrap();
        assert_eq!(c.status, "BLOCKED");
        let err = record(&db.conn, &env, "ci", "website", "1.0", "pending").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("POLICY-001: Cannot deploy - failed claims exist (claims: l1)"),
            "{err}"
        );
        assert!(!err.to_string().contains("pytest"), "{err}");
        set_claim_status(&db.conn, &env, "ci", "l1", "pass").unwrap();
        set_claim_status(&db.conn, &env, "ci", "q1", "stale").unwrap();
        // Stale is listed but does not block, as in the schema.
        let c = check(&db.conn, "website").unwrap();
        assert_eq!((c.status.as_str(), c.stale_claims.len()), ("READY", 1));
        let d = record(&db.conn, &env, "ci", "website", "1.0", "in_progress").unwrap();
        let d = set_deployment_status(&db.conn, &env, "ci", d.id, "success").unwrap();
        assert!(d.completed_at.is_some());
        // 2 claims, 3 verdicts, 2 deployments recorded, 1 status change; refusals write nothing.
        assert_eq!(
            db.count("SELECT count(*) FROM audit_log WHERE event_type LIKE 'deploy.%'"),
            8
        );
    }

    #[test]
    fn bad_claims_and_targets_say_what_is_accepted() {
        let db = TestDb::new();
        let env = db.env();
        let err = add_claim(
            &db.conn,
            &env,
            "t",
            &NewClaim {
                claim_text: "10x faster".into(),
                page: "/".into(),
                claim_type: "quantitative".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("(test_function)"), "{err}");
        let err = check(&db.conn, "moon").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid target: 'moon' is not accepted; use one of website, pypi, docs"
        );
        let err = record(&db.conn, &env, "t", "docs", "1", "done").unwrap_err();
        assert!(err
            .to_string()
            .contains("pending, in_progress, success, failed, blocked"));
    }
}
