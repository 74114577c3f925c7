//! `claim_next`: "give me the next thing to do" in one call. Inside one write transaction it
//! expires what is overdue, walks the ready items in rank order (the roadmap's own
//! [`readiness::ready`]), keeps those the filters allow, and claims the first one the kernel
//! grants ([`claim`]'s own rules, not a copy). Two agents calling it at once therefore get
//! different items, and an agent is refused only when no matching ready item is left.
//!
//! The two-call loop it replaces (`roadmap ready`, then `work claim`) loses races between
//! the calls: the second agent picks the same first item and is told BUSY.

use super::claim::{self, ClaimRequest, ClaimResponse};
use super::expiry;
use super::journal;
use super::lease::{self, Mode};
use super::reason::{Decision, ReasonCode};
use super::Options;
use crate::connection::{write_tx, Connection};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use crate::roadmap::{readiness, ItemSummary};
use serde::Serialize;
use std::collections::HashSet;

/// Which ready items an agent is willing to take. Empty filters take any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NextFilter {
    /// Only items of this phase (`phase_key`).
    pub phase: Option<String>,
    /// Only items assigned to this agent (an open assignment, or the item's owner).
    pub assignee: Option<String>,
    /// Only items of this type (`item_type`: work, gate, holding, integration).
    pub item_type: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ClaimNextRequest {
    pub filter: NextFilter,
    /// What the agent will do; defaults to `Work on <id>` for the item it gets.
    pub intent: Option<String>,
    pub agent_id: String,
    pub ttl_s: i64,
}

impl ClaimNextRequest {
    pub fn new(agent_id: &str) -> Self {
        ClaimNextRequest {
            filter: NextFilter::default(),
            intent: None,
            agent_id: agent_id.into(),
            ttl_s: lease::DEFAULT_TTL_S,
        }
    }
}

/// A ready item the kernel refused (a read lease on it, an orphan attempt, …), so the next
/// one was tried.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub work_id: String,
    pub reason_code: ReasonCode,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimNextResponse {
    /// The grant (with its lease) or the refusal, exactly as `claim_work` answers.
    #[serde(flatten)]
    pub claim: ClaimResponse,
    /// The item claimed, when granted.
    pub work_id: Option<String>,
    /// Ready items passed over because the kernel refused them, in the order tried.
    pub skipped: Vec<Skipped>,
}

/// Verdicts about the request itself: trying another item would be refused the same way.
fn refuses_the_request(code: ReasonCode) -> bool {
    matches!(
        code,
        ReasonCode::DenyInvalidAgentId
            | ReasonCode::DenyInvalidTtl
            | ReasonCode::DenyInvalidResources
    )
}

/// Claims the first ready item (by rank) that `req.filter` allows and the kernel grants.
pub fn claim_next<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    req: &ClaimNextRequest,
) -> Result<ClaimNextResponse> {
    if req.intent.as_deref().is_some_and(|i| i.trim().is_empty()) {
        return Err(Error::invalid(
            "intent",
            "say what you are going to do, or leave the intent out",
        ));
    }
    let started = env.now();
    write_tx(conn, |c| {
        let resp = next_in_tx(c, env, req)?;
        journal::metric(
            c,
            env,
            opts,
            "claim_next",
            started,
            resp.claim.decision.is_granted(),
        )?;
        Ok(resp)
    })
}

fn next_in_tx<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    req: &ClaimNextRequest,
) -> Result<ClaimNextResponse> {
    if !lease::valid_agent(&req.agent_id) {
        return Ok(refusal(
            Decision::new(ReasonCode::DenyInvalidAgentId, &["validate_agent_id"]),
            Vec::new(),
        ));
    }
    crate::roadmap::items::check_filter(
        conn,
        req.filter.phase.as_deref(),
        None,
        req.filter.item_type.as_deref(),
    )?;
    // An item whose lease ran out goes back to the queue here, before the ready list is read.
    expiry::expire_stale(conn, env)?;
    let assigned = match &req.filter.assignee {
        Some(agent) => Some(assigned_items(conn, agent)?),
        None => None,
    };
    let allowed = |item: &ItemSummary| {
        req.filter
            .phase
            .as_ref()
            .is_none_or(|p| &item.phase_key == p)
            && req
                .filter
                .item_type
                .as_ref()
                .is_none_or(|t| &item.item_type == t)
            && match (&assigned, &req.filter.assignee) {
                (Some(ids), Some(agent)) => {
                    ids.contains(&item.id) || item.owner.as_deref() == Some(agent.as_str())
                }
                _ => true,
            }
    };

    let mut tried: HashSet<String> = HashSet::new();
    let mut skipped = Vec::new();
    // Read the ready list a page at a time (most calls take the first item), growing the
    // page until the list is exhausted; the total work stays linear in the ready items.
    let mut page = 32usize;
    loop {
        let ready = readiness::ready(conn, Some(page))?;
        for item in ready.iter().filter(|i| allowed(i)) {
            if !tried.insert(item.id.clone()) {
                continue;
            }
            let claim_req = ClaimRequest {
                work_id: item.id.clone(),
                intent: req
                    .intent
                    .clone()
                    .unwrap_or_else(|| format!("Work on {}", item.id)),
                agent_id: req.agent_id.clone(),
                resources: Vec::new(),
                mode: Mode::Write,
                ttl_s: req.ttl_s,
                // Items reserved for another agent are skipped (DENY_ASSIGNED_TO_OTHER).
                override_assignment: false,
            };
            let resp = claim::claim_in_tx(conn, env, &claim_req)?;
            if resp.decision.is_granted() {
                return Ok(ClaimNextResponse {
                    claim: resp,
                    work_id: Some(item.id.clone()),
                    skipped,
                });
            }
            if refuses_the_request(resp.decision.reason_code) {
                return Ok(ClaimNextResponse {
                    claim: resp,
                    work_id: None,
                    skipped,
                });
            }
            skipped.push(Skipped {
                work_id: item.id.clone(),
                reason_code: resp.decision.reason_code,
            });
        }
        if ready.len() < page {
            break;
        }
        page = page.saturating_mul(4);
    }
    let mut d = Decision::new(ReasonCode::DenyNoReadyWork, &["ready_items"]);
    d.suggested_next_actions = vec![
        "See what holds work back: motus roadmap blocked (then motus roadmap why ID)".into(),
        "Ad hoc work needs no roadmap item: motus work claim ADHOC-<name> --intent TEXT".into(),
    ];
    Ok(refusal(d, skipped))
}

fn refusal(decision: Decision, skipped: Vec<Skipped>) -> ClaimNextResponse {
    ClaimNextResponse {
        claim: ClaimResponse {
            decision,
            lease: None,
            missing_prereqs: Vec::new(),
        },
        work_id: None,
        skipped,
    }
}

/// Items with an open (assigned or active) assignment of `agent`.
fn assigned_items<C: Connection + ?Sized>(conn: &C, agent: &str) -> Result<HashSet<String>> {
    conn.query(
        "SELECT item_id FROM roadmap_assignments WHERE agent_id = ?1 \
         AND status IN ('assigned', 'active')",
        params![agent],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[cfg(all(test, feature = "rusqlite"))]
mod tests {
    use super::*;
    use crate::connection::ConnectionExt;
    use crate::kernel::{release_work, ReleaseOutcome};
    use crate::roadmap::testdb::TestDb;
    use crate::roadmap::{assignments, DependencyType};

    fn next(db: &TestDb, agent: &str, filter: NextFilter) -> ClaimNextResponse {
        let mut req = ClaimNextRequest::new(agent);
        req.filter = filter;
        claim_next(&db.conn, &db.env(), &Options::default(), &req).unwrap()
    }

    fn status(db: &TestDb, id: &str) -> String {
        db.conn
            .query_one(
                "SELECT status_key FROM roadmap_items WHERE id = ?1",
                params![id],
            )
            .unwrap()
    }

    #[test]
    fn agents_get_the_ready_items_in_rank_order_each_once() {
        let db = TestDb::new();
        db.item("C", "phase_a", 3.0);
        db.item("A", "phase_a", 1.0);
        db.item("B", "phase_a", 2.0);
        let got: Vec<_> = ["x", "y", "z"]
            .iter()
            .map(|a| next(&db, a, NextFilter::default()).work_id.unwrap())
            .collect();
        assert_eq!(got, ["A", "B", "C"]);
        assert_eq!(status(&db, "A"), "in_progress");
        let none = next(&db, "w", NextFilter::default());
        assert_eq!(none.claim.decision.reason_code, ReasonCode::DenyNoReadyWork);
        assert!(none.claim.lease.is_none() && none.work_id.is_none());
        assert!(none.skipped.is_empty(), "{:?}", none.skipped);
    }

    #[test]
    fn blocked_and_unfinished_prerequisites_are_never_claimed() {
        let db = TestDb::new();
        db.item("BASE", "phase_a", 1.0);
        db.item("TOP", "phase_a", 0.5);
        db.dep("TOP", "BASE", DependencyType::Blocks);
        let got = next(&db, "x", NextFilter::default());
        assert_eq!(got.work_id.as_deref(), Some("BASE"));
        let none = next(&db, "y", NextFilter::default());
        assert_eq!(none.claim.decision.reason_code, ReasonCode::DenyNoReadyWork);
        assert_eq!(status(&db, "TOP"), "pending");
    }

    #[test]
    fn filters_pick_by_phase_type_and_assignee() {
        let db = TestDb::new();
        db.item("A1", "phase_a", 1.0);
        db.item("B1", "phase_b", 1.0);
        db.item("B2", "phase_b", 2.0);
        db.conn
            .execute(
                "UPDATE roadmap_items SET item_type = 'gate' WHERE id = 'B2'",
                params![],
            )
            .unwrap();
        assignments::assign(&db.conn, &db.env(), "t", "B1", "bob", "implementer", None).unwrap();
        let by_phase = NextFilter {
            phase: Some("phase_b".into()),
            item_type: Some("gate".into()),
            ..Default::default()
        };
        assert_eq!(next(&db, "x", by_phase).work_id.as_deref(), Some("B2"));
        let mine = NextFilter {
            assignee: Some("bob".into()),
            ..Default::default()
        };
        assert_eq!(
            next(&db, "bob", mine.clone()).work_id.as_deref(),
            Some("B1")
        );
        assert_eq!(
            next(&db, "bob", mine).claim.decision.reason_code,
            ReasonCode::DenyNoReadyWork
        );
        assert_eq!(
            next(&db, "x", NextFilter::default()).work_id.as_deref(),
            Some("A1")
        );
    }

    #[test]
    fn a_ready_item_the_kernel_refuses_is_skipped_not_fatal() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        db.item("B", "phase_a", 2.0);
        // A read lease on A's resource: A stays pending (ready), but a write claim is BUSY.
        let mut read = ClaimRequest::new("A", "look", "reader");
        read.mode = Mode::Read;
        let r = claim::claim_work(&db.conn, &db.env(), &Options::default(), &read).unwrap();
        assert!(r.decision.is_granted());
        let got = next(&db, "x", NextFilter::default());
        assert_eq!(got.work_id.as_deref(), Some("B"));
        assert_eq!(
            got.skipped,
            vec![Skipped {
                work_id: "A".into(),
                reason_code: ReasonCode::BusyReadersPresent
            }]
        );
    }

    #[test]
    fn an_expired_lease_puts_its_item_back_in_the_queue_first() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        let mut req = ClaimNextRequest::new("alice");
        req.ttl_s = 1;
        let first = claim_next(&db.conn, &db.env(), &Options::default(), &req).unwrap();
        assert_eq!(first.work_id.as_deref(), Some("A"));
        db.clock.advance_seconds(2);
        let second = next(&db, "bob", NextFilter::default());
        assert_eq!(second.work_id.as_deref(), Some("A"));
        assert_eq!(status(&db, "A"), "in_progress");
        let live: i64 =
            db.count("SELECT count(*) FROM coordination_leases WHERE status = 'active'");
        assert_eq!(live, 1);
        let lease = second.claim.lease.unwrap();
        release_work(
            &db.conn,
            &db.env(),
            &Options::default(),
            &lease.lease_id,
            ReleaseOutcome::Failure,
            true,
        )
        .unwrap();
        assert_eq!(status(&db, "A"), "pending");
    }

    #[test]
    fn invalid_requests_are_refused_before_any_item_is_touched() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        let mut req = ClaimNextRequest::new("x");
        req.ttl_s = 0;
        let r = claim_next(&db.conn, &db.env(), &Options::default(), &req).unwrap();
        assert_eq!(r.claim.decision.reason_code, ReasonCode::DenyInvalidTtl);
        let r = next(&db, " ", NextFilter::default());
        assert_eq!(r.claim.decision.reason_code, ReasonCode::DenyInvalidAgentId);
        assert_eq!(status(&db, "A"), "pending");
        req.ttl_s = 60;
        req.intent = Some("  ".into());
        assert!(claim_next(&db.conn, &db.env(), &Options::default(), &req).is_err());
    }

    #[test]
    fn more_ready_items_than_one_page_are_all_reachable() {
        let db = TestDb::new();
        for i in 0..40 {
            db.item(&format!("I{i:02}"), "phase_a", i as f64);
        }
        // Every item but the last is held by a reader, so the walk must go past page one.
        for i in 0..39 {
            let mut read = ClaimRequest::new(&format!("I{i:02}"), "look", "reader");
            read.mode = Mode::Read;
            claim::claim_work(&db.conn, &db.env(), &Options::default(), &read).unwrap();
        }
        let got = next(&db, "x", NextFilter::default());
        assert_eq!(got.work_id.as_deref(), Some("I39"));
        assert_eq!(got.skipped.len(), 39);
    }
}
