//! Lazy expiry: a lease past its deadline is ended by the first call that notices it, inside
//! that call's write transaction, before the call reads anything the expiry changes (the
//! lease, its attempt, the work item). It sits above `lease` (the rows) and `work_item`
//! (attempts and items), which know nothing of each other's lifecycle.

use super::journal;
use super::lease::{self, Lease, LeaseStatus};
use super::work_item;
use crate::connection::Connection;
use crate::error::Result;
use crate::ids::Env;
use crate::params;

/// Loads a lease and, inside the caller's write transaction, expires it if it is overdue.
pub fn load_current<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    lease_id: &str,
) -> Result<Option<Lease>> {
    let Some(mut lease) = lease::load(conn, lease_id)? else {
        return Ok(None);
    };
    if lease.status == LeaseStatus::Active && !lease.is_live(env.now()) {
        expire(conn, env, &mut lease)?;
    }
    Ok(Some(lease))
}

/// Marks an overdue lease expired: status, a `LEASE_EXPIRED` event, an audit row, and the
/// end of its open attempt (so the work item can be claimed again).
pub fn expire<C: Connection + ?Sized>(conn: &C, env: &Env, lease: &mut Lease) -> Result<()> {
    let now = env.now();
    lease::set_status(conn, lease, LeaseStatus::Expired, None, now)?;
    let payload = serde_json::json!({
        "expired_at": lease.deadline().to_rfc3339(),
        "noticed_at": now.to_rfc3339(),
        "attempt_id": lease.attempt_id,
    });
    journal::event(conn, env, &lease.lease_id, "LEASE_EXPIRED", &payload)?;
    work_item::end_attempt_abnormally(conn, env, lease, "lease expired")?;
    journal::audit(
        conn,
        env,
        "system",
        "work.expire",
        "lease",
        &lease.lease_id,
        "expire",
        Some(payload),
    )
}

/// Expires every overdue active lease; returns the ones it expired.
pub fn expire_stale<C: Connection + ?Sized>(conn: &C, env: &Env) -> Result<Vec<Lease>> {
    let now = env.now();
    let mut expired = Vec::new();
    for mut lease in lease::load_active(conn)? {
        if !lease.is_live(now) {
            expire(conn, env, &mut lease)?;
            expired.push(lease);
        }
    }
    Ok(expired)
}

/// Before a roadmap write reads an item: expires the overdue leases working on it (so the
/// read sees the item as that expiry leaves it, not as it was) and returns the live lease
/// holding it, if any.
pub fn settle<C: Connection + ?Sized>(conn: &C, env: &Env, work_id: &str) -> Result<Option<Lease>> {
    let rows = conn.query(
        &format!(
            "SELECT {} FROM coordination_leases WHERE status = 'active' AND work_id = ?1 \
             AND attempt_id IS NOT NULL",
            lease::LEASE_COLUMNS
        ),
        params![work_id],
    )?;
    let mut holder = None;
    for r in rows.iter() {
        let mut l = Lease::from_row(&r)?;
        if l.is_live(env.now()) {
            holder = Some(l);
        } else {
            expire(conn, env, &mut l)?;
        }
    }
    Ok(holder)
}
