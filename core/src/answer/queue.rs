//! The caller's side of the roadmap: `roadmap ready --phase/--assignee`, `roadmap status ID`
//! (the original's one-item verdict) and `roadmap my-work` (what the caller is assigned or
//! holds, by rank).

use super::Answer;
use crate::connection::{read_tx, Connection};
use crate::error::Result;
use crate::kernel::lease;
use crate::params;
use crate::roadmap::calls::require_agent;
use crate::roadmap::{readiness, ItemSummary};
use crate::time::Timestamp;
use schemars::JsonSchema;
use serde::Serialize;

/// `motus roadmap status ID`: the original's one-item verdict, for the caller.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StatusAnswer {
    pub id: String,
    pub title: String,
    pub status_key: String,
    pub rank: Option<f64>,
    /// The agent with an open assignment on it (the first, by assignment id), if any.
    pub assignee: Option<String>,
    /// The agent whose live lease works on it, if any.
    pub held_by: Option<String>,
    pub lease_id: Option<String>,
    /// An unfinished `blocks` prerequisite or an open blocker holds it back.
    pub is_blocked: bool,
    /// Each direct unfinished prerequisite as `ID: title (status)`, then each open blocker.
    pub blockers: Vec<String>,
    /// Ready to be claimed now (`roadmap ready` lists it).
    pub ready: bool,
    /// The original's sentence: `Item is complete`, `Blocked by N prerequisites`, `Being
    /// worked on by A`, `Assigned to you and ready`, `Assigned to A`, `Ready to claim`, or
    /// why it is not (deleted, another status).
    pub message: String,
}

impl Answer for StatusAnswer {
    const NAME: &'static str = "roadmap.status";
}

pub fn status<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    caller: &str,
    id: &str,
) -> Result<StatusAnswer> {
    read_tx(conn, |c| {
        let why = readiness::why(c, id)?;
        let assignee: Option<String> = c
            .query(
                "SELECT agent_id FROM roadmap_assignments WHERE item_id = ?1 \
                 AND status IN ('assigned', 'active') ORDER BY id LIMIT 1",
                params![id],
            )?
            .first()
            .map(|r| r.get(0))
            .transpose()?;
        let holder = lease::load_active(c)?
            .into_iter()
            .find(|l| l.work_id.as_deref() == Some(id) && l.is_live(now) && l.is_write());
        let mut blockers: Vec<String> = why
            .blocking_dependencies
            .iter()
            .filter(|n| n.depth == 1)
            .map(|n| format!("{}: {} ({})", n.id, n.title, n.status_key))
            .collect();
        let prerequisites = blockers.len();
        blockers.extend(
            why.blockers
                .iter()
                .map(|b| format!("blocker {}: {} ({})", b.id, b.title, b.reason_code)),
        );
        let is_blocked = !blockers.is_empty();
        let message = if why.status_key == "completed" {
            "Item is complete".to_string()
        } else if prerequisites > 0 {
            format!("Blocked by {prerequisites} prerequisites")
        } else if !why.blockers.is_empty() {
            format!("Blocked by {} open blockers", why.blockers.len())
        } else if let Some(h) = &holder {
            format!("Being worked on by {}", h.owner_agent_id)
        } else if let Some(reason) = why.reasons.first().filter(|_| !why.ready) {
            reason.clone()
        } else {
            match &assignee {
                Some(a) if a == caller => "Assigned to you and ready".to_string(),
                Some(a) => format!("Assigned to {a}"),
                None => "Ready to claim".to_string(),
            }
        };
        Ok(StatusAnswer {
            id: why.id,
            title: why.title,
            status_key: why.status_key,
            rank: why.rank,
            assignee,
            held_by: holder.as_ref().map(|h| h.owner_agent_id.clone()),
            lease_id: holder.map(|h| h.lease_id),
            is_blocked,
            blockers,
            ready: why.ready,
            message,
        })
    })
}

/// One item of the caller's work.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct MyWorkItem {
    #[serde(flatten)]
    pub item: ItemSummary,
    /// The caller's open assignment role (`implementer`, `reviewer`, …), if assigned.
    pub role: Option<String>,
    /// `assigned` or `active` for an assignment; null when only a lease holds it.
    pub assignment_status: Option<String>,
    /// The caller's live lease on it, if any.
    pub lease_id: Option<String>,
}

/// `motus roadmap my-work`: the caller's assigned and active items, by rank.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct MyWorkAnswer {
    pub agent_id: String,
    pub count: usize,
    pub items: Vec<MyWorkItem>,
}

impl Answer for MyWorkAnswer {
    const NAME: &'static str = "roadmap.my_work";
}

pub fn my_work<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    agent: &str,
) -> Result<MyWorkAnswer> {
    require_agent("agent", agent)?;
    read_tx(conn, |c| {
        let leases: Vec<lease::Lease> = lease::load_active(c)?
            .into_iter()
            .filter(|l| l.owner_agent_id == agent && l.is_live(now) && l.work_id.is_some())
            .collect();
        let rows = c.query(
            &format!(
                "SELECT {}, a.role, a.status FROM roadmap_items r \
                   JOIN roadmap_assignments a ON a.item_id = r.id \
                  WHERE a.agent_id = ?1 AND a.status IN ('assigned', 'active') \
                    AND r.deleted_at IS NULL AND r.status_key <> 'completed' \
                  ORDER BY a.id",
                crate::roadmap::summary_columns("r")
            ),
            params![agent],
        )?;
        let mut items: Vec<MyWorkItem> = Vec::new();
        let n = crate::roadmap::SUMMARY_COLUMNS.split(',').count();
        for r in rows.iter() {
            let item = ItemSummary::from_row(r)?;
            if items.iter().any(|i| i.item.id == item.id) {
                continue; // two roles on one item: the first assignment speaks
            }
            items.push(MyWorkItem {
                lease_id: leases
                    .iter()
                    .find(|l| l.work_id.as_deref() == Some(item.id.as_str()))
                    .map(|l| l.lease_id.clone()),
                item,
                role: r.get(n)?,
                assignment_status: r.get(n + 1)?,
            });
        }
        for l in &leases {
            let id = l.work_id.as_deref().unwrap_or_default();
            if items.iter().any(|i| i.item.id == id) {
                continue;
            }
            let found = c.query(
                &format!(
                    "SELECT {} FROM roadmap_items r WHERE r.id = ?1",
                    crate::roadmap::summary_columns("r")
                ),
                params![id],
            )?;
            if let Some(r) = found.first() {
                items.push(MyWorkItem {
                    item: ItemSummary::from_row(r)?,
                    role: None,
                    assignment_status: None,
                    lease_id: Some(l.lease_id.clone()),
                });
            }
        }
        // By rank, unranked last, then id (as `ready`).
        items.sort_by(|a, b| {
            let key = |i: &MyWorkItem| (i.item.rank.is_none(), i.item.rank.unwrap_or(0.0));
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(a.item.id.cmp(&b.item.id))
        });
        Ok(MyWorkAnswer {
            agent_id: agent.to_string(),
            count: items.len(),
            items,
        })
    })
}
