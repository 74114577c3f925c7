//! Read-only views of a Motus coordination database for people looking at it: an overview,
//! the roadmap with the reason each blocked item waits, the dependency graph, one work item's
//! timeline (attempts, evidence with re-verified hashes, decisions, blockers, handoffs), the
//! program hierarchy and the audit log.
//!
//! Every function reads only, and copes with tables that an older schema version (or a
//! database the lease store never touched) does not have.

use crate::connection::{read_tx, Connection, ConnectionExt, Rows, Value};
use crate::error::Result;
use crate::params;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

fn has_table<C: Connection + ?Sized>(conn: &C, name: &str) -> Result<bool> {
    conn.has_object("table", name)
}

fn text(r: &crate::Row<'_>, idx: usize) -> Result<String> {
    Ok(r.get::<Option<String>>(idx)?.unwrap_or_default())
}

fn opt_text(r: &crate::Row<'_>, idx: usize) -> Result<Option<String>> {
    r.get::<Option<String>>(idx)
}

/// The SQL expression that makes the original's mixed timestamp formats sort together.
fn sortable(col: &str) -> String {
    format!("replace(replace({col}, 'T', ' '), 'Z', '')")
}

/// A labelled row count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub label: String,
    pub table: String,
    pub count: i64,
    /// `count` is an estimate (from the size of the table's b-tree), shown until the exact
    /// count is worked out.
    #[serde(default)]
    pub estimated: bool,
}

/// A roadmap item in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemSummary {
    pub id: String,
    pub title: String,
    pub phase: String,
    pub status: String,
    pub rank: Option<f64>,
}

/// A lease as listed on the overview and timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaseSummary {
    pub lease_id: String,
    pub owner_agent_id: String,
    pub mode: String,
    pub resources: String,
    pub issued_at: String,
    pub expires_at: String,
    pub heartbeat_deadline: String,
    pub work_id: Option<String>,
    pub attempt_id: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
}

/// Something that happened, newest first on the overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub at: String,
    /// `audit`, `event`, `evidence` or `decision`.
    pub source: String,
    pub subject: String,
    pub detail: String,
}

/// The overview's first screen: counts and active leases, each a bounded, index-backed query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewCounts {
    pub counts: Vec<Count>,
    /// Non-deleted roadmap items per status.
    pub items_by_status: Vec<(String, i64)>,
    /// Leases whose status is `active` (the original expires them lazily, so some may be
    /// past their deadline; `expires_at`/`heartbeat_deadline` say so), newest first, at most
    /// [`MAX_ACTIVE_LEASES`].
    pub active_leases: Vec<LeaseSummary>,
    pub active_lease_count: i64,
    /// Every count is exact and `items_by_status` is filled in. When false, some counts are
    /// estimates and the statuses are not worked out yet: the exact answer follows.
    #[serde(default)]
    pub exact: bool,
}

/// The most active leases the overview lists.
pub const MAX_ACTIVE_LEASES: i64 = 50;

/// The overview's ready and blocked panels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewWork {
    pub ready_count: i64,
    /// The first ready items, by rank.
    pub ready: Vec<ItemSummary>,
    pub blocked_count: i64,
    /// The first blocked items with their reasons.
    pub blocked: Vec<RoadmapEntry>,
}

/// The whole overview page (what [`overview`] answers in one go).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub counts: Vec<Count>,
    /// Non-deleted roadmap items per status.
    pub items_by_status: Vec<(String, i64)>,
    /// Active leases (at most [`MAX_ACTIVE_LEASES`]).
    pub active_leases: Vec<LeaseSummary>,
    pub active_lease_count: i64,
    pub ready_count: i64,
    /// The first ready items, by rank.
    pub ready: Vec<ItemSummary>,
    pub blocked_count: i64,
    /// The first blocked items with their reasons.
    pub blocked: Vec<RoadmapEntry>,
    pub recent: Vec<Activity>,
}

const COUNTED: &[(&str, &str, Option<&str>)] = &[
    ("Roadmap items", "roadmap_items", Some("deleted_at IS NULL")),
    ("Dependencies", "roadmap_dependencies", None),
    ("Leases", "coordination_leases", None),
    ("Attempts", "attempts", None),
    ("Evidence", "evidence", None),
    ("Decisions", "decisions", None),
    ("Outcomes", "kernel_outcomes", None),
    ("Blockers", "blockers", None),
    ("Lease events", "events", None),
    ("Audit log", "audit_log", None),
    ("Programs", "programs", Some("deleted_at IS NULL")),
    ("Features", "features", Some("deleted_at IS NULL")),
];

fn lease_summaries<C: Connection + ?Sized>(
    conn: &C,
    where_sql: &str,
    params: &[Value],
) -> Result<Vec<LeaseSummary>> {
    lease_summaries_limited(conn, where_sql, params, -1)
}

fn lease_summaries_limited<C: Connection + ?Sized>(
    conn: &C,
    where_sql: &str,
    params: &[Value],
    limit: i64,
) -> Result<Vec<LeaseSummary>> {
    if !has_table(conn, "coordination_leases")? {
        return Ok(Vec::new());
    }
    let rows = conn.query(
        &format!(
            "SELECT lease_id, owner_agent_id, mode, resources, issued_at, expires_at, heartbeat_deadline, \
             work_id, attempt_id, status, outcome FROM coordination_leases WHERE {where_sql} ORDER BY issued_at DESC, lease_id LIMIT {limit}"
        ),
        params,
    )?;
    rows.iter()
        .map(|r| {
            Ok(LeaseSummary {
                lease_id: text(&r, 0)?,
                owner_agent_id: text(&r, 1)?,
                mode: text(&r, 2)?,
                resources: text(&r, 3)?,
                issued_at: text(&r, 4)?,
                expires_at: text(&r, 5)?,
                heartbeat_deadline: text(&r, 6)?,
                work_id: opt_text(&r, 7)?,
                attempt_id: opt_text(&r, 8)?,
                status: text(&r, 9)?,
                outcome: opt_text(&r, 10)?,
            })
        })
        .collect()
}

/// Counts, active leases, ready and blocked work and recent activity.
pub fn overview<C: Connection + ?Sized>(conn: &C) -> Result<Overview> {
    let c = overview_counts(conn)?;
    let w = overview_work(conn)?;
    Ok(Overview {
        counts: c.counts,
        items_by_status: c.items_by_status,
        active_leases: c.active_leases,
        active_lease_count: c.active_lease_count,
        ready_count: w.ready_count,
        ready: w.ready,
        blocked_count: w.blocked_count,
        blocked: w.blocked,
        recent: recent_activity(conn, 15)?,
    })
}

/// The first screen: row counts (SQLite counts a b-tree without decoding rows, using the
/// smallest index), roadmap items per status (a covering index) and the newest active leases.
pub fn overview_counts<C: Connection + ?Sized>(conn: &C) -> Result<OverviewCounts> {
    overview_first(conn, &mut |_| None)
}

/// [`overview_counts`] with the big tables' counts taken from `estimate` (the table's name
/// gives `Some(rows)` for a table too big to count at once, `None` to count it exactly), and
/// then, if anything was estimated, without the per-status split of the roadmap (a pass over
/// it): a first screen whose cost does not grow with the file. The exact answer follows.
pub fn overview_first<C: Connection + ?Sized>(
    conn: &C,
    estimate: &mut dyn FnMut(&str) -> Option<i64>,
) -> Result<OverviewCounts> {
    let mut counts = Vec::new();
    for (label, table, filter) in COUNTED {
        if !has_table(conn, table)? {
            continue;
        }
        let (count, estimated) = match estimate(table) {
            Some(n) => (n, true),
            None => {
                let sql = match filter {
                    Some(f) => format!("SELECT count(*) FROM {table} WHERE {f}"),
                    None => format!("SELECT count(*) FROM {table}"),
                };
                (conn.query_one(&sql, params![])?, false)
            }
        };
        counts.push(Count {
            label: label.to_string(),
            table: table.to_string(),
            count,
            estimated,
        });
    }
    let exact = counts.iter().all(|c| !c.estimated);
    let items_by_status = if exact && has_table(conn, "roadmap_items")? {
        conn.query(
            "SELECT COALESCE(status_key, ''), count(*) FROM roadmap_items WHERE deleted_at IS NULL \
             GROUP BY 1 ORDER BY 2 DESC, 1",
            params![],
        )?
        .iter()
        .map(|r| Ok((text(&r, 0)?, r.get(1)?)))
        .collect::<Result<_>>()?
    } else {
        Vec::new()
    };
    let (active_leases, active_lease_count) = if has_table(conn, "coordination_leases")? {
        (
            lease_summaries_limited(conn, "status = 'active'", params![], MAX_ACTIVE_LEASES)?,
            conn.query_one(
                "SELECT count(*) FROM coordination_leases WHERE status = 'active'",
                params![],
            )?,
        )
    } else {
        (Vec::new(), 0)
    };
    Ok(OverviewCounts {
        counts,
        items_by_status,
        active_leases,
        active_lease_count,
        exact,
    })
}

/// How many ready and blocked items each overview panel lists.
pub const PANEL_ITEMS: i64 = 10;

/// Every live item's place in the ready/blocked split, from one pass over each table instead
/// of a subquery per item (which, read block by block in the browser, outran the viewer's
/// time budget at 200k items) and without SQL's set operations (whose several passes and
/// sorts cost as much again):
///
/// 1. `roadmap_items` once, in the table's own order: each item's id and its status as the
///    rules read it (SQLite compares, as in `motus roadmap ready|blocked`), and for the live
///    unfinished items their rank and phase. Keys only, no titles.
/// 2. `roadmap_dependencies`' `blocks` edges once: an item waits when an edge leads to an
///    item that is not completed (a soft-deleted one too; a prerequisite that does not exist
///    does not hold anything).
/// 3. The open blockers (few, from their index).
///
/// Then everything is decided in memory with the rules of [`crate::roadmap::readiness`]:
/// blocked = live, not completed or deferred, waiting or held by a blocker; ready = live,
/// pending, neither. The first of each in the roadmap's order (rank, unranked last, then
/// phase and id) are selected in memory ([`Split::first_in_order`]). A file without an index
/// in that order for every item (every schema: migration 034's `idx_roadmap_ready` holds
/// only pending ones) cannot give the first items in order without reading each item's key
/// once; reading it once is what this does.
struct Split {
    /// Every item's id, in the table's order (a NULL id as `None`).
    ids: Vec<Option<String>>,
    /// The live items neither completed nor deferred: their sort keys (rank, phase) and row.
    candidates: Vec<(Value, Value, u32)>,
    /// Indexes into `candidates` of the ready items.
    ready: Vec<u32>,
    /// Indexes into `candidates` of the blocked items.
    blocked: Vec<u32>,
}

impl Split {
    /// The id of a candidate.
    fn id(&self, c: u32) -> Option<&str> {
        self.ids[self.candidates[c as usize].2 as usize].as_deref()
    }

    /// The roadmap's order of two candidates: rank, unranked last, then phase, then id.
    fn order(&self, a: u32, b: u32) -> std::cmp::Ordering {
        let (ra, pa, _) = &self.candidates[a as usize];
        let (rb, pb, _) = &self.candidates[b as usize];
        (ra.is_null().cmp(&rb.is_null()))
            .then_with(|| sql_order(ra, rb))
            .then_with(|| sql_order(pa, pb))
            .then_with(|| match (self.id(a), self.id(b)) {
                (Some(x), Some(y)) => x.as_bytes().cmp(y.as_bytes()),
                (x, y) => x.is_some().cmp(&y.is_some()),
            })
    }

    /// The first `k` of `list` in the roadmap's order: a selection, then a sort of those `k`
    /// only (sorting every candidate was most of the work).
    fn first_in_order(&self, list: &[u32], k: usize) -> Vec<u32> {
        let mut v = list.to_vec();
        if v.len() > k {
            v.select_nth_unstable_by(k, |a, b| self.order(*a, *b));
            v.truncate(k);
        }
        v.sort_by(|a, b| self.order(*a, *b));
        v
    }
}

/// [`split`]'s pass over the items, in the table's own order, with each item's status as the
/// rules read it (decided by SQLite with the roadmap's own comparisons): 0 a NULL status
/// (never listed, never unfinished), 1 completed, 2 unfinished but deleted or deferred (it
/// still holds its dependents back), 3 a pending candidate, 4 another candidate. Rank and
/// phase (the sort keys) only for candidates.
const SPLIT_ITEMS_SQL: &str = "SELECT id, code, \
       CASE WHEN code >= 3 THEN rank END, CASE WHEN code >= 3 THEN phase_key END \
  FROM (SELECT id, rank, phase_key, \
          CASE WHEN status_key IS NULL THEN 0 WHEN status_key = 'completed' THEN 1 \
               WHEN deleted_at IS NOT NULL OR status_key = 'deferred' THEN 2 \
               WHEN status_key = 'pending' THEN 3 ELSE 4 END AS code \
          FROM roadmap_items)";

/// SQLite's order of two values under the BINARY collation (`ORDER BY`): NULL first, then
/// numbers by value, then text byte by byte, then blobs byte by byte.
fn sql_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering::Equal;
    let class = |v: &Value| match v {
        Value::Null => 0,
        Value::Integer(_) | Value::Real(_) => 1,
        Value::Text(_) => 2,
        Value::Blob(_) => 3,
    };
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(x), Value::Real(y)) => (*x as f64).partial_cmp(y).unwrap_or(Equal),
        (Value::Real(x), Value::Integer(y)) => x.partial_cmp(&(*y as f64)).unwrap_or(Equal),
        (Value::Real(x), Value::Real(y)) => x.partial_cmp(y).unwrap_or(Equal),
        (Value::Text(x), Value::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

/// [`split`]'s pass over the edges.
const SPLIT_EDGES_SQL: &str =
    "SELECT item_id, depends_on_id FROM roadmap_dependencies WHERE dependency_type = 'blocks'";

fn split<C: Connection + ?Sized>(conn: &C) -> Result<Split> {
    // One entry per row; ids are kept once (the index below borrows them).
    let mut ids: Vec<Option<String>> = Vec::new();
    let mut codes: Vec<u8> = Vec::new();
    let mut candidates: Vec<(Value, Value, u32)> = Vec::new();
    conn.for_each_row(SPLIT_ITEMS_SQL, params![], &mut |v| {
        ids.push(match &v[0] {
            Value::Null => None,
            other => Some(other.to_text()),
        });
        let code = match v[1] {
            Value::Integer(c) => c as u8,
            _ => 0,
        };
        if code >= 3 {
            candidates.push((v[2].clone(), v[3].clone(), codes.len() as u32));
        }
        codes.push(code);
        Ok(())
    })?;
    let n = ids.len();
    // id -> the first row with it; what the rules say of an id (unfinished, waiting, held)
    // is kept at that row, so rows sharing an id (a file without its primary key) share it.
    let mut index: HashMap<&str, u32> = HashMap::with_capacity(n);
    let mut first: Vec<u32> = Vec::with_capacity(n);
    let mut unfinished = vec![false; n];
    for (i, id) in ids.iter().enumerate() {
        let i = i as u32;
        let f = match id {
            Some(id) => *index.entry(id.as_str()).or_insert(i),
            None => i,
        };
        first.push(f);
        // `p.status_key <> 'completed'` (a soft-deleted prerequisite counts too); a NULL id
        // never joins.
        if id.is_some() && codes[i as usize] >= 2 {
            unfinished[f as usize] = true;
        }
    }
    let mut waiting = vec![false; n];
    conn.for_each_row(SPLIT_EDGES_SQL, params![], &mut |v| {
        if let (Value::Text(item), Value::Text(on)) = (&v[0], &v[1]) {
            // A prerequisite that does not exist holds nothing.
            if index
                .get(on.as_str())
                .is_some_and(|&j| unfinished[j as usize])
            {
                if let Some(&k) = index.get(item.as_str()) {
                    waiting[k as usize] = true;
                }
            }
        }
        Ok(())
    })?;
    let mut held = vec![false; n];
    // `ready` drops a NULL id when some open blocker names the empty string.
    let mut held_empty = false;
    if has_table(conn, "blockers")? {
        conn.for_each_row(
            "SELECT DISTINCT work_id FROM blockers WHERE resolved_at IS NULL AND work_id IS NOT NULL",
            params![],
            &mut |v| {
                let w = v[0].to_text();
                held_empty |= w.is_empty();
                if let Some(&k) = index.get(w.as_str()) {
                    held[k as usize] = true;
                }
                Ok(())
            },
        )?;
    }
    let mut ready = Vec::new();
    let mut blocked = Vec::new();
    for (c, &(_, _, i)) in candidates.iter().enumerate() {
        let i = i as usize;
        let f = first[i] as usize;
        let has_id = ids[i].is_some();
        // `blocked` matches on `r.id` (never a NULL id).
        if has_id && (waiting[f] || held[f]) {
            blocked.push(c as u32);
        } else if codes[i] == 3 && !(if has_id { held[f] } else { held_empty }) {
            ready.push(c as u32);
        }
    }
    drop(index);
    Ok(Split {
        ids,
        candidates,
        ready,
        blocked,
    })
}

/// One item as the panels list it (`None` if it vanished, which a read transaction rules out).
fn summary_of<C: Connection + ?Sized>(
    conn: &C,
    id: Option<&str>,
) -> Result<Option<(ItemSummary, String)>> {
    let sql = "SELECT id, title, phase_key, COALESCE(status_key, 'pending'), rank, item_type \
               FROM roadmap_items WHERE id = ?1";
    let rows = match id {
        Some(id) => conn.query(sql, params![id])?,
        None => conn.query(&sql.replace("id = ?1", "id IS NULL LIMIT 1"), params![])?,
    };
    rows.first()
        .map(|r| {
            Ok((
                ItemSummary {
                    id: text(&r, 0)?,
                    title: text(&r, 1)?,
                    phase: text(&r, 2)?,
                    status: text(&r, 3)?,
                    rank: r.get(4)?,
                },
                text(&r, 5)?,
            ))
        })
        .transpose()
}

/// The ready and blocked panels: the first [`PANEL_ITEMS`] of each, in the roadmap's order
/// (rank, unranked last, then phase and id), with how many there are, from [`split`]'s two
/// passes; titles are read and reasons worked out only for the items shown. The same
/// answers as `motus roadmap ready|blocked` (same items, same order), without their per-item
/// subqueries (which at 200k items outran the viewer's time budget).
pub fn overview_work<C: Connection + ?Sized>(conn: &C) -> Result<OverviewWork> {
    let mut work = OverviewWork {
        ready_count: 0,
        ready: Vec::new(),
        blocked_count: 0,
        blocked: Vec::new(),
    };
    if !has_table(conn, "roadmap_items")? || !has_table(conn, "roadmap_dependencies")? {
        return Ok(work);
    }
    read_tx(conn, |conn| {
        let split = split(conn)?;
        work.ready_count = split.ready.len() as i64;
        work.blocked_count = split.blocked.len() as i64;
        let shown = PANEL_ITEMS as usize;
        for i in split.first_in_order(&split.ready, shown) {
            if let Some((item, _)) = summary_of(conn, split.id(i))? {
                work.ready.push(item);
            }
        }
        for i in split.first_in_order(&split.blocked, shown) {
            let id = split.id(i).unwrap_or_default();
            if let Some((item, item_type)) = summary_of(conn, Some(id))? {
                work.blocked.push(RoadmapEntry {
                    waits_for: waits_of(conn, id)?,
                    reasons: crate::roadmap::readiness::why(conn, id)?.reasons,
                    item,
                    item_type,
                    state: ItemState::Blocked,
                });
            }
        }
        Ok(work)
    })
}

/// Why a dependency holds an item, as a sentence; `None` once the prerequisite is done.
fn wait_reason(
    dep: &str,
    dependency_type: &str,
    title: &str,
    status: &str,
    kind: &str,
) -> Option<WaitReason> {
    if status == "completed" {
        return None;
    }
    let gate = kind == "gate";
    let why = match (dependency_type, gate) {
        ("blocks", true) => format!("waits for approval: gate {dep} is {status}"),
        ("blocks", false) => format!("blocked by {dep}, which is {status}"),
        ("soft", _) => format!("soft dependency {dep} is {status} (does not block)"),
        _ => format!("related to {dep} ({status}; does not block)"),
    };
    Some(WaitReason {
        depends_on: dep.to_string(),
        depends_on_title: title.to_string(),
        depends_on_status: status.to_string(),
        dependency_type: dependency_type.to_string(),
        gate,
        why,
    })
}

/// The unfinished prerequisites of one item (an index lookup).
fn waits_of<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Vec<WaitReason>> {
    let rows = conn.query(
        "SELECT d.depends_on_id, d.dependency_type, COALESCE(p.title, ''), COALESCE(p.status_key, 'pending'), COALESCE(p.item_type, '') \
         FROM roadmap_dependencies d JOIN roadmap_items p ON p.id = d.depends_on_id \
         WHERE d.item_id = ?1 ORDER BY d.depends_on_id",
        params![id],
    )?;
    let mut out = Vec::new();
    for r in rows.iter() {
        if let Some(w) = wait_reason(
            &text(&r, 0)?,
            &text(&r, 1)?,
            &text(&r, 2)?,
            &text(&r, 3)?,
            &text(&r, 4)?,
        ) {
            out.push(w);
        }
    }
    Ok(out)
}

/// The newest things that happened, across the audit log, lease events, evidence and decisions.
pub fn recent_activity<C: Connection + ?Sized>(conn: &C, limit: i64) -> Result<Vec<Activity>> {
    // Each source gives its newest rows by an index (the audit log's timestamp) or by
    // insertion order (rowid), so the work does not grow with the tables; the candidates are
    // then merged by the timestamp in a common format. `limit * 4` candidates per source
    // absorb the original's mixed timestamp formats.
    let per = limit.max(1) * 4;
    let sources: &[(&str, String)] = &[
        ("audit_log", format!(
            "SELECT * FROM (SELECT timestamp AS at, 'audit' AS source, COALESCE(resource_type, '') || ' ' || COALESCE(resource_id, '') AS subject, \
             COALESCE(event_type, '') || ' ' || COALESCE(action, '') AS detail, {} AS k FROM audit_log ORDER BY timestamp DESC LIMIT {per})",
            sortable("timestamp")
        )),
        ("events", format!(
            "SELECT * FROM (SELECT created_at, 'event', lease_id, event_type, {} FROM events ORDER BY rowid DESC LIMIT {per})",
            sortable("created_at")
        )),
        ("evidence", format!(
            "SELECT * FROM (SELECT created_at, 'evidence', work_id, evidence_type || ' ' || id, {} FROM evidence ORDER BY rowid DESC LIMIT {per})",
            sortable("created_at")
        )),
        ("decisions", format!(
            "SELECT * FROM (SELECT decided_at, 'decision', work_id, decision_summary, {} FROM decisions ORDER BY rowid DESC LIMIT {per})",
            sortable("decided_at")
        )),
    ];
    let mut parts = Vec::new();
    for (table, sql) in sources {
        if has_table(conn, table)? {
            parts.push(sql.clone());
        }
    }
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT at, source, subject, detail FROM ({}) ORDER BY k DESC LIMIT ?1",
        parts.join(" UNION ALL ")
    );
    conn.query(&sql, params![limit])?
        .iter()
        .map(|r| {
            Ok(Activity {
                at: text(&r, 0)?,
                source: text(&r, 1)?,
                subject: text(&r, 2)?,
                detail: text(&r, 3)?,
            })
        })
        .collect()
}

/// Where an item stands for someone choosing what to work on next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Pending with every `blocks` dependency completed and no open blocker.
    Ready,
    /// Waiting on a `blocks` dependency that is not completed, or on an open blocker.
    Blocked,
    InProgress,
    Completed,
    /// Deferred, in review, or pending only on soft dependencies' gates, etc.
    Other,
}

/// One reason an item waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitReason {
    pub depends_on: String,
    pub depends_on_title: String,
    pub depends_on_status: String,
    /// `blocks`, `soft` or `related`.
    pub dependency_type: String,
    /// True when the prerequisite is a gate (its completion is an approval).
    pub gate: bool,
    /// A sentence a person can act on.
    pub why: String,
}

/// A roadmap item with its state and the reasons it waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoadmapEntry {
    pub item: ItemSummary,
    pub item_type: String,
    pub state: ItemState,
    /// Unfinished prerequisites: `blocks` ones make the item blocked; soft ones are listed too.
    pub waits_for: Vec<WaitReason>,
    /// For blocked items: the roadmap's sentences saying what holds it back (as
    /// `motus roadmap why` prints them).
    pub reasons: Vec<String>,
}

/// The roadmap: every non-deleted item, by phase and rank.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Roadmap {
    pub entries: Vec<RoadmapEntry>,
}

impl Roadmap {
    pub fn count(&self, state: ItemState) -> usize {
        self.entries.iter().filter(|e| e.state == state).count()
    }
}

impl ItemState {
    /// The stable name used in URLs and CSS.
    pub fn name(self) -> &'static str {
        match self {
            ItemState::Ready => "ready",
            ItemState::Blocked => "blocked",
            ItemState::InProgress => "in_progress",
            ItemState::Completed => "completed",
            ItemState::Other => "other",
        }
    }
}

/// Which part of the roadmap to show.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RoadmapQuery {
    /// An [`ItemState::name`], or empty for every state.
    #[serde(default)]
    pub state: String,
    /// Case-insensitive substring of the id or title.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub offset: usize,
    /// At most [`MAX_ROADMAP_PAGE`].
    pub limit: usize,
}

pub const MAX_ROADMAP_PAGE: usize = 500;

/// One page of the roadmap, with how many items each state tab holds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RoadmapPage {
    pub entries: Vec<RoadmapEntry>,
    /// Items matching the state and text.
    pub total: usize,
    /// Items matching the text, per state name, plus `""` for all of them.
    pub state_counts: Vec<(String, usize)>,
    pub offset: usize,
    pub limit: usize,
}

/// The roadmap one page at a time: states come from three whole-table queries, while the
/// reasons (a walk per blocked item) are worked out only for the items on the page.
pub fn roadmap_page<C: Connection + ?Sized>(conn: &C, q: &RoadmapQuery) -> Result<RoadmapPage> {
    if !has_table(conn, "roadmap_items")? {
        return Ok(RoadmapPage::default());
    }
    read_tx(conn, |conn| {
        use crate::roadmap::readiness;
        let states = item_states(conn)?;
        let rows = conn.query(
            "SELECT id, title, phase_key, COALESCE(status_key, 'pending'), rank, item_type \
             FROM roadmap_items WHERE deleted_at IS NULL ORDER BY phase_key, rank IS NULL, rank, sort_order, id",
            params![],
        )?;
        let needle = q.text.to_lowercase();
        let limit = q.limit.clamp(1, MAX_ROADMAP_PAGE);
        let mut counts: HashMap<&'static str, usize> = HashMap::new();
        let mut all = 0usize;
        let mut total = 0usize;
        let mut entries = Vec::new();
        for r in rows.iter() {
            let id = text(&r, 0)?;
            let title = text(&r, 1)?;
            if !needle.is_empty()
                && !id.to_lowercase().contains(&needle)
                && !title.to_lowercase().contains(&needle)
            {
                continue;
            }
            let status = text(&r, 3)?;
            let state = state_of(&states, &id, &status);
            all += 1;
            *counts.entry(state.name()).or_default() += 1;
            if !q.state.is_empty() && q.state != state.name() {
                continue;
            }
            total += 1;
            if total <= q.offset || entries.len() >= limit {
                continue;
            }
            entries.push(RoadmapEntry {
                waits_for: Vec::new(),
                reasons: Vec::new(),
                item: ItemSummary {
                    id,
                    title,
                    phase: text(&r, 2)?,
                    status,
                    rank: r.get(4)?,
                },
                item_type: text(&r, 5)?,
                state,
            });
        }
        let deps = has_table(conn, "roadmap_dependencies")?;
        for e in &mut entries {
            if deps {
                e.waits_for = waits_of(conn, &e.item.id)?;
            }
            if e.state == ItemState::Blocked {
                e.reasons = readiness::why(conn, &e.item.id)?.reasons;
            }
        }
        let mut state_counts = vec![(String::new(), all)];
        for s in [
            ItemState::Ready,
            ItemState::Blocked,
            ItemState::InProgress,
            ItemState::Completed,
            ItemState::Other,
        ] {
            state_counts.push((
                s.name().to_string(),
                counts.get(s.name()).copied().unwrap_or(0),
            ));
        }
        Ok(RoadmapPage {
            entries,
            total,
            state_counts,
            offset: q.offset,
            limit,
        })
    })
}

/// Ready and blocked ids (the roadmap's own answers), for telling each item's state.
struct States {
    ready: HashSet<String>,
    blocked: HashSet<String>,
}

fn item_states<C: Connection + ?Sized>(conn: &C) -> Result<States> {
    if !has_table(conn, "roadmap_dependencies")? {
        return Ok(States {
            ready: HashSet::new(),
            blocked: HashSet::new(),
        });
    }
    let split = split(conn)?;
    // A NULL id is listed (and told apart) as the empty string, as everywhere here.
    let ids = |list: &[u32]| -> HashSet<String> {
        list.iter()
            .map(|&i| split.id(i).unwrap_or_default().to_string())
            .collect()
    };
    Ok(States {
        ready: ids(&split.ready),
        blocked: ids(&split.blocked),
    })
}

fn state_of(states: &States, id: &str, status: &str) -> ItemState {
    if status == "completed" {
        ItemState::Completed
    } else if states.blocked.contains(id) {
        ItemState::Blocked
    } else if states.ready.contains(id) {
        ItemState::Ready
    } else if status == "in_progress" {
        ItemState::InProgress
    } else {
        ItemState::Other
    }
}

/// Every item with its state; blocked items carry the roadmap's own explanation
/// ([`crate::roadmap::readiness::why`]). Ready and blocked come from
/// [`crate::roadmap::readiness`], the same answers `motus roadmap ready|blocked` gives.
pub fn roadmap<C: Connection + ?Sized>(conn: &C) -> Result<Roadmap> {
    if !has_table(conn, "roadmap_items")? {
        return Ok(Roadmap::default());
    }
    read_tx(conn, roadmap_in_snapshot)
}

fn roadmap_in_snapshot<C: Connection + ?Sized>(conn: &C) -> Result<Roadmap> {
    use crate::roadmap::readiness;
    let ready: HashSet<String> = readiness::ready(conn, None)?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let blocked: HashSet<String> = readiness::blocked(conn)?
        .into_iter()
        .map(|b| b.item.id)
        .collect();
    let edges = if has_table(conn, "roadmap_dependencies")? {
        crate::roadmap::dependencies::all(conn)?
    } else {
        Vec::new()
    };
    // Every item, deleted ones too (a deleted prerequisite still blocks).
    let rows = conn.query(
        "SELECT id, title, phase_key, COALESCE(status_key, 'pending'), rank, item_type, deleted_at IS NOT NULL \
         FROM roadmap_items ORDER BY phase_key, rank IS NULL, rank, sort_order, id",
        params![],
    )?;
    let mut all: HashMap<String, (String, String, String)> = HashMap::new();
    for r in rows.iter() {
        all.insert(text(&r, 0)?, (text(&r, 1)?, text(&r, 3)?, text(&r, 5)?));
    }
    let mut waits: HashMap<&str, Vec<WaitReason>> = HashMap::new();
    for e in &edges {
        let Some((title, status, kind)) = all.get(&e.depends_on_id) else {
            continue;
        };
        if status == "completed" {
            continue;
        }
        let gate = kind == "gate";
        let dep = &e.depends_on_id;
        let why = match (e.dependency_type.as_str(), gate) {
            ("blocks", true) => format!("waits for approval: gate {dep} is {status}"),
            ("blocks", false) => format!("blocked by {dep}, which is {status}"),
            ("soft", _) => format!("soft dependency {dep} is {status} (does not block)"),
            _ => format!("related to {dep} ({status}; does not block)"),
        };
        waits
            .entry(e.item_id.as_str())
            .or_default()
            .push(WaitReason {
                depends_on: dep.clone(),
                depends_on_title: title.clone(),
                depends_on_status: status.clone(),
                dependency_type: e.dependency_type.clone(),
                gate,
                why,
            });
    }
    let mut entries = Vec::with_capacity(rows.len());
    for r in rows.iter() {
        if r.get::<bool>(6)? {
            continue;
        }
        let id = text(&r, 0)?;
        let status = text(&r, 3)?;
        let state = if status == "completed" {
            ItemState::Completed
        } else if blocked.contains(&id) {
            ItemState::Blocked
        } else if ready.contains(&id) {
            ItemState::Ready
        } else if status == "in_progress" {
            ItemState::InProgress
        } else {
            ItemState::Other
        };
        let reasons = if state == ItemState::Blocked {
            readiness::why(conn, &id)?.reasons
        } else {
            Vec::new()
        };
        entries.push(RoadmapEntry {
            waits_for: waits.remove(id.as_str()).unwrap_or_default(),
            item: ItemSummary {
                id,
                title: text(&r, 1)?,
                phase: text(&r, 2)?,
                status,
                rank: r.get(4)?,
            },
            item_type: text(&r, 5)?,
            state,
            reasons,
        });
    }
    Ok(Roadmap { entries })
}

/// A node of the dependency graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    pub id: String,
    pub title: String,
    pub phase: String,
    pub status: String,
    pub state: ItemState,
}

/// An edge: `from` must come before `to` (`to` depends on `from`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    pub dependency_type: String,
}

/// The dependency graph: items that take part in at least one dependency, and the edges.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DependencyGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
    /// Linked items and edges in the whole graph; more than `nodes`/`edges` hold when the
    /// graph was cut to the limit.
    pub total_nodes: usize,
    pub total_edges: usize,
}

/// The graph of live items, cut to at most `limit` nodes: unfinished items first (in roadmap
/// order), with the edges among the nodes kept.
pub fn dependency_graph<C: Connection + ?Sized>(conn: &C, limit: usize) -> Result<DependencyGraph> {
    if !has_table(conn, "roadmap_dependencies")? || !has_table(conn, "roadmap_items")? {
        return Ok(DependencyGraph::default());
    }
    read_tx(conn, |conn| {
        let states = item_states(conn)?;
        let rows = conn.query(
            "SELECT id, title, phase_key, COALESCE(status_key, 'pending') FROM roadmap_items \
             WHERE deleted_at IS NULL ORDER BY phase_key, rank IS NULL, rank, sort_order, id",
            params![],
        )?;
        let mut items: Vec<GraphNode> = Vec::with_capacity(rows.len());
        for r in rows.iter() {
            let id = text(&r, 0)?;
            let status = text(&r, 3)?;
            items.push(GraphNode {
                state: state_of(&states, &id, &status),
                id,
                title: text(&r, 1)?,
                phase: text(&r, 2)?,
                status,
            });
        }
        let live: HashSet<&str> = items.iter().map(|n| n.id.as_str()).collect();
        let edges: Vec<GraphEdge> = crate::roadmap::dependencies::all(conn)?
            .into_iter()
            .filter(|e| {
                live.contains(e.item_id.as_str()) && live.contains(e.depends_on_id.as_str())
            })
            .map(|e| GraphEdge {
                from: e.depends_on_id,
                to: e.item_id,
                dependency_type: e.dependency_type,
            })
            .collect();
        let linked: HashSet<&str> = edges
            .iter()
            .flat_map(|e| [e.from.as_str(), e.to.as_str()])
            .collect();
        let mut nodes: Vec<GraphNode> = items
            .iter()
            .filter(|n| linked.contains(n.id.as_str()))
            .cloned()
            .collect();
        let total_nodes = nodes.len();
        let total_edges = edges.len();
        if nodes.len() > limit {
            // Stable: unfinished first, roadmap order within each group.
            nodes.sort_by_key(|n| n.state == ItemState::Completed);
            nodes.truncate(limit);
        }
        let kept: HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
        let edges: Vec<GraphEdge> = edges
            .iter()
            .filter(|e| kept.contains(e.from.as_str()) && kept.contains(e.to.as_str()))
            .cloned()
            .collect();
        Ok(DependencyGraph {
            nodes,
            edges,
            total_nodes,
            total_edges,
        })
    })
}

/// A work item that has kernel history (attempts, evidence or decisions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkRef {
    pub work_id: String,
    pub title: Option<String>,
    pub attempts: i64,
    pub evidence: i64,
    pub decisions: i64,
}

/// Work ids with history, most recently active first.
pub fn work_items<C: Connection + ?Sized>(conn: &C) -> Result<Vec<WorkRef>> {
    let mut parts = Vec::new();
    for (table, col, at) in [
        ("attempts", "attempts", "started_at"),
        ("evidence", "evidence", "created_at"),
        ("decisions", "decisions", "decided_at"),
    ] {
        if has_table(conn, table)? {
            parts.push(format!(
                "SELECT work_id, '{col}' AS kind, {} AS k FROM {table} WHERE work_id IS NOT NULL",
                sortable(at)
            ));
        }
    }
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let title = if has_table(conn, "roadmap_items")? {
        "(SELECT title FROM roadmap_items WHERE id = h.work_id)"
    } else {
        "NULL"
    };
    let sql = format!(
        "SELECT work_id, {title}, sum(kind = 'attempts'), sum(kind = 'evidence'), sum(kind = 'decisions'), max(k) AS last \
         FROM ({}) h GROUP BY work_id ORDER BY last DESC, work_id",
        parts.join(" UNION ALL ")
    );
    conn.query(&sql, params![])?
        .iter()
        .map(|r| {
            Ok(WorkRef {
                work_id: text(&r, 0)?,
                title: opt_text(&r, 1)?,
                attempts: r.get(2)?,
                evidence: r.get(3)?,
                decisions: r.get(4)?,
            })
        })
        .collect()
}

/// The result of re-computing an evidence row's hash. Externally tagged: the viewer's page
/// and worker exchange it in a binary form that has no room for an internal tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HashCheck {
    /// The stored hash equals the hash of the stored content.
    Verified,
    /// The stored content does not hash to the stored value: it changed after recording.
    Mismatch { computed: String },
    /// The hash covers something outside the database (e.g. a scratch file), or no hash was stored.
    NotCheckable { reason: String },
}

/// One evidence row with its hash check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub id: String,
    pub evidence_type: String,
    pub uri: String,
    pub sha256: Option<String>,
    pub check: HashCheck,
    pub created_at: String,
    pub created_by: String,
    pub test_results: Option<String>,
    pub diff_summary: Option<String>,
    pub log_excerpt: Option<String>,
    pub artifacts: Option<String>,
}

/// A decision row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionView {
    pub id: String,
    pub decision_type: String,
    pub summary: String,
    pub rationale: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
}

/// An outcome row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeView {
    pub id: String,
    pub outcome_type: String,
    pub path: Option<String>,
    pub description: Option<String>,
    pub created_at: String,
}

/// A blocker row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockerView {
    pub id: String,
    pub attempt_id: Option<String>,
    pub reason_code: String,
    pub title: String,
    pub severity: String,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub resolution: Option<String>,
}

/// A handoff from one attempt (or lease) to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffView {
    pub from: String,
    pub to: Option<String>,
    pub reason: String,
    pub at: String,
}

/// One attempt at a work item and what it produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptView {
    /// Empty for the group of records tied to no attempt.
    pub id: String,
    pub worker_id: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub outcome: Option<String>,
    pub leases: Vec<LeaseSummary>,
    pub evidence: Vec<EvidenceView>,
    pub decisions: Vec<DecisionView>,
    pub outcomes: Vec<OutcomeView>,
}

/// A work item's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    pub work_id: String,
    pub item: Option<ItemSummary>,
    /// Oldest first; a last entry with an empty id gathers records tied to no attempt.
    pub attempts: Vec<AttemptView>,
    pub blockers: Vec<BlockerView>,
    pub handoffs: Vec<HandoffView>,
}

/// Re-computes an evidence row's hash the way the original recorded it.
pub fn check_evidence_hash(
    evidence_type: &str,
    uri: &str,
    stored: Option<&str>,
    artifacts: Option<&str>,
    test_results: Option<&str>,
    diff_summary: Option<&str>,
    log_excerpt: Option<&str>,
) -> HashCheck {
    let Some(stored) = stored.filter(|s| !s.is_empty()) else {
        return HashCheck::NotCheckable {
            reason: "no hash was stored with this evidence".into(),
        };
    };
    if !uri.starts_with("evidence:") {
        return HashCheck::NotCheckable {
            reason: format!("the hash covers {uri}, which is not stored in the database"),
        };
    }
    let parse = |s: Option<&str>| -> std::result::Result<Option<serde_json::Value>, String> {
        match s {
            None => Ok(None),
            Some(t) => serde_json::from_str(t).map(Some).map_err(|e| e.to_string()),
        }
    };
    let (artifacts, tests) = match (parse(artifacts), parse(test_results)) {
        (Ok(a), Ok(t)) => (a, t),
        (Err(e), _) | (_, Err(e)) => {
            return HashCheck::Mismatch {
                computed: format!("(stored JSON does not parse: {e})"),
            }
        }
    };
    // The kernel's own hash (canonical JSON of the five content fields).
    let computed = crate::kernel::records::evidence_hash(
        evidence_type,
        artifacts.as_ref(),
        tests.as_ref(),
        diff_summary,
        log_excerpt,
    );
    if computed.eq_ignore_ascii_case(stored) {
        HashCheck::Verified
    } else {
        HashCheck::Mismatch { computed }
    }
}

fn evidence_for<C: Connection + ?Sized>(
    conn: &C,
    work_id: &str,
) -> Result<Vec<(Option<String>, EvidenceView)>> {
    if !has_table(conn, "evidence")? {
        return Ok(Vec::new());
    }
    let rows = conn.query(
        &format!(
            "SELECT attempt_id, id, evidence_type, uri, sha256, created_at, created_by, test_results, \
             diff_summary, log_excerpt, artifacts FROM evidence WHERE work_id = ?1 ORDER BY {}, id",
            sortable("created_at")
        ),
        params![work_id],
    )?;
    // The kernel's own verification (`motus work verify`), when the work id is a roadmap item.
    let kernel: HashMap<String, (String, String)> = crate::kernel::verify_evidence(conn, work_id)
        .map(|checks| {
            checks
                .into_iter()
                .map(|c| (c.evidence_id, (c.status.to_string(), c.computed_sha256)))
                .collect()
        })
        .unwrap_or_default();
    rows.iter()
        .map(|r| {
            let evidence_type = text(&r, 2)?;
            let uri = text(&r, 3)?;
            let sha = opt_text(&r, 4)?;
            let tests = opt_text(&r, 7)?;
            let diff = opt_text(&r, 8)?;
            let log = opt_text(&r, 9)?;
            let artifacts = opt_text(&r, 10)?;
            let id = text(&r, 1)?;
            let check = match kernel.get(&id) {
                Some((status, computed)) => match status.as_str() {
                    "ok" => HashCheck::Verified,
                    "mismatch" => HashCheck::Mismatch {
                        computed: computed.clone(),
                    },
                    _ => HashCheck::NotCheckable {
                        reason: format!(
                            "the original recorded this row by another rule ({uri}); its hash is not of the stored content"
                        ),
                    },
                },
                None => check_evidence_hash(
                    &evidence_type,
                    &uri,
                    sha.as_deref(),
                    artifacts.as_deref(),
                    tests.as_deref(),
                    diff.as_deref(),
                    log.as_deref(),
                ),
            };
            Ok((
                opt_text(&r, 0)?,
                EvidenceView {
                    id,
                    evidence_type,
                    uri,
                    sha256: sha,
                    check,
                    created_at: text(&r, 5)?,
                    created_by: text(&r, 6)?,
                    test_results: tests,
                    diff_summary: diff,
                    log_excerpt: log,
                    artifacts,
                },
            ))
        })
        .collect()
}

fn group<T>(rows: Vec<(Option<String>, T)>, attempt: &str) -> Vec<T> {
    rows.into_iter()
        .filter(|(a, _)| a.as_deref().unwrap_or("") == attempt)
        .map(|(_, t)| t)
        .collect()
}

fn decisions_for<C: Connection + ?Sized>(
    conn: &C,
    work_id: &str,
) -> Result<Vec<(Option<String>, DecisionView)>> {
    if !has_table(conn, "decisions")? {
        return Ok(Vec::new());
    }
    conn.query(
        &format!(
            "SELECT attempt_id, id, decision_type, decision_summary, rationale, decided_by, decided_at \
             FROM decisions WHERE work_id = ?1 ORDER BY {}, id",
            sortable("decided_at")
        ),
        params![work_id],
    )?
    .iter()
    .map(|r| {
        Ok((
            opt_text(&r, 0)?,
            DecisionView {
                id: text(&r, 1)?,
                decision_type: text(&r, 2)?,
                summary: text(&r, 3)?,
                rationale: opt_text(&r, 4)?,
                decided_by: text(&r, 5)?,
                decided_at: text(&r, 6)?,
            },
        ))
    })
    .collect()
}

fn outcomes_for<C: Connection + ?Sized>(
    conn: &C,
    work_id: &str,
) -> Result<Vec<(Option<String>, OutcomeView)>> {
    if !has_table(conn, "kernel_outcomes")? {
        return Ok(Vec::new());
    }
    conn.query(
        "SELECT attempt_id, id, outcome_type, path, description, created_at FROM kernel_outcomes \
         WHERE work_id = ?1 ORDER BY created_at, id",
        params![work_id],
    )?
    .iter()
    .map(|r| {
        Ok((
            opt_text(&r, 0)?,
            OutcomeView {
                id: text(&r, 1)?,
                outcome_type: text(&r, 2)?,
                path: opt_text(&r, 3)?,
                description: opt_text(&r, 4)?,
                created_at: text(&r, 5)?,
            },
        ))
    })
    .collect()
}

/// A work item's attempts with their leases, evidence (hashes re-verified), decisions and
/// outcomes, plus its blockers and handoffs.
pub fn timeline<C: Connection + ?Sized>(conn: &C, work_id: &str) -> Result<Timeline> {
    let item = if has_table(conn, "roadmap_items")? {
        conn.query(
            "SELECT id, title, phase_key, COALESCE(status_key, 'pending'), rank FROM roadmap_items WHERE id = ?1",
            params![work_id],
        )?
        .first()
        .map(|r| {
            Ok::<_, crate::Error>(ItemSummary {
                id: text(&r, 0)?,
                title: text(&r, 1)?,
                phase: text(&r, 2)?,
                status: text(&r, 3)?,
                rank: r.get(4)?,
            })
        })
        .transpose()?
    } else {
        None
    };
    let attempts: Rows = if has_table(conn, "attempts")? {
        conn.query(
            &format!(
                "SELECT id, COALESCE(worker_id, ''), started_at, ended_at, outcome, handoff_from_attempt_id, handoff_reason \
                 FROM attempts WHERE work_id = ?1 ORDER BY {}, id",
                sortable("started_at")
            ),
            params![work_id],
        )?
    } else {
        Rows::default()
    };
    let leases = lease_summaries(conn, "work_id = ?1", params![work_id])?;
    let evidence = evidence_for(conn, work_id)?;
    let decisions = decisions_for(conn, work_id)?;
    let outcomes = outcomes_for(conn, work_id)?;
    let mut views = Vec::new();
    let mut handoffs = Vec::new();
    for r in attempts.iter() {
        let id = text(&r, 0)?;
        if let Some(from) = opt_text(&r, 5)? {
            handoffs.push(HandoffView {
                from,
                to: Some(id.clone()),
                reason: opt_text(&r, 6)?.unwrap_or_default(),
                at: text(&r, 2)?,
            });
        }
        views.push(AttemptView {
            worker_id: text(&r, 1)?,
            started_at: text(&r, 2)?,
            ended_at: opt_text(&r, 3)?,
            outcome: opt_text(&r, 4)?,
            leases: leases
                .iter()
                .filter(|l| l.attempt_id.as_deref() == Some(id.as_str()))
                .cloned()
                .collect(),
            evidence: group(evidence.clone(), &id),
            decisions: group(decisions.clone(), &id),
            outcomes: group(outcomes.clone(), &id),
            id,
        });
    }
    let known: std::collections::HashSet<String> = views.iter().map(|v| v.id.clone()).collect();
    let orphan = |a: &Option<String>| a.as_ref().is_none_or(|a| !known.contains(a));
    let loose = AttemptView {
        id: String::new(),
        worker_id: String::new(),
        started_at: String::new(),
        ended_at: None,
        outcome: None,
        leases: leases
            .iter()
            .filter(|l| orphan(&l.attempt_id))
            .cloned()
            .collect(),
        evidence: evidence
            .into_iter()
            .filter(|(a, _)| orphan(a))
            .map(|(_, e)| e)
            .collect(),
        decisions: decisions
            .into_iter()
            .filter(|(a, _)| orphan(a))
            .map(|(_, e)| e)
            .collect(),
        outcomes: outcomes
            .into_iter()
            .filter(|(a, _)| orphan(a))
            .map(|(_, e)| e)
            .collect(),
    };
    if !(loose.leases.is_empty()
        && loose.evidence.is_empty()
        && loose.decisions.is_empty()
        && loose.outcomes.is_empty())
    {
        views.push(loose);
    }
    // Handoffs carried in release events.
    if has_table(conn, "events")? && has_table(conn, "coordination_leases")? {
        let rows = conn.query(
            "SELECT e.lease_id, json_extract(e.payload, '$.handoff'), e.created_at FROM events e \
             JOIN coordination_leases l ON l.lease_id = e.lease_id \
             WHERE l.work_id = ?1 AND e.event_type = 'LEASE_RELEASED' AND json_valid(e.payload) \
             AND json_type(e.payload, '$.handoff') IS NOT NULL AND json_type(e.payload, '$.handoff') != 'null' \
             ORDER BY e.created_at",
            params![work_id],
        )?;
        for r in rows.iter() {
            handoffs.push(HandoffView {
                from: text(&r, 0)?,
                to: None,
                reason: text(&r, 1)?,
                at: text(&r, 2)?,
            });
        }
    }
    let blockers = if has_table(conn, "blockers")? {
        conn.query(
            "SELECT id, attempt_id, reason_code, title, severity, created_at, resolved_at, resolution \
             FROM blockers WHERE work_id = ?1 ORDER BY created_at, id",
            params![work_id],
        )?
        .iter()
        .map(|r| {
            Ok(BlockerView {
                id: text(&r, 0)?,
                attempt_id: opt_text(&r, 1)?,
                reason_code: text(&r, 2)?,
                title: text(&r, 3)?,
                severity: text(&r, 4)?,
                created_at: text(&r, 5)?,
                resolved_at: opt_text(&r, 6)?,
                resolution: opt_text(&r, 7)?,
            })
        })
        .collect::<Result<_>>()?
    } else {
        Vec::new()
    };
    Ok(Timeline {
        work_id: work_id.to_string(),
        item,
        attempts: views,
        blockers,
        handoffs,
    })
}

/// A node of the program hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HierarchyNode {
    /// `program`, `product`, `feature`, `bug`, `release` or `change_request`.
    pub kind: String,
    pub id: String,
    pub name: String,
    pub status: String,
    /// Version, severity or target: one short extra fact.
    pub detail: String,
    pub children: Vec<HierarchyNode>,
}

fn nodes<C: Connection + ?Sized>(
    conn: &C,
    kind: &str,
    sql: &str,
    parent: Option<&str>,
) -> Result<Vec<HierarchyNode>> {
    let rows = match parent {
        Some(p) => conn.query(sql, params![p])?,
        None => conn.query(sql, params![])?,
    };
    rows.iter()
        .map(|r| {
            Ok(HierarchyNode {
                kind: kind.to_string(),
                id: text(&r, 0)?,
                name: text(&r, 1)?,
                status: text(&r, 2)?,
                detail: text(&r, 3)?,
                children: Vec::new(),
            })
        })
        .collect()
}

/// Programs → products → features → bugs, with releases and change requests under their product.
/// Records whose parent is missing are gathered under an "unassigned" node.
pub fn program_hierarchy<C: Connection + ?Sized>(conn: &C) -> Result<Vec<HierarchyNode>> {
    if !has_table(conn, "programs")? {
        return Ok(Vec::new());
    }
    let has = |t: &str| has_table(conn, t);
    let mut programs = nodes(
        conn,
        "program",
        "SELECT id, name, COALESCE(status_key, ''), COALESCE(type_key, '') FROM programs WHERE deleted_at IS NULL ORDER BY name, id",
        None,
    )?;
    let features_of = |product: &str| -> Result<Vec<HierarchyNode>> {
        if !has("features")? {
            return Ok(Vec::new());
        }
        let mut fs = nodes(
            conn,
            "feature",
            "SELECT id, name, COALESCE(status_key, ''), COALESCE(version, '') FROM features WHERE product_id = ?1 AND deleted_at IS NULL ORDER BY name, id",
            Some(product),
        )?;
        if has("bugs")? {
            for f in &mut fs {
                f.children = nodes(
                    conn,
                    "bug",
                    "SELECT id, title, COALESCE(status_key, ''), COALESCE(severity_key, '') FROM bugs WHERE feature_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
                    Some(&f.id),
                )?;
            }
        }
        Ok(fs)
    };
    let extras_of = |product: &str| -> Result<Vec<HierarchyNode>> {
        let mut out = Vec::new();
        if has("releases")? {
            out.extend(nodes(
                conn,
                "release",
                "SELECT id, name, COALESCE(status_key, ''), COALESCE(target_date, published_at, '') FROM releases WHERE product_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
                Some(product),
            )?);
        }
        if has("change_requests")? {
            out.extend(nodes(
                conn,
                "change_request",
                "SELECT id, title, COALESCE(status_key, ''), COALESCE(target_version, '') FROM change_requests WHERE product_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
                Some(product),
            )?);
        }
        Ok(out)
    };
    if has("products")? {
        for p in &mut programs {
            let mut products = nodes(
                conn,
                "product",
                "SELECT id, name, COALESCE(status_key, ''), COALESCE(version, '') FROM products WHERE program_id = ?1 AND deleted_at IS NULL ORDER BY name, id",
                Some(&p.id),
            )?;
            for prod in &mut products {
                let mut children = features_of(&prod.id)?;
                children.extend(extras_of(&prod.id)?);
                prod.children = children;
            }
            p.children = products;
        }
        // Products without a live program.
        let orphans = nodes(
            conn,
            "product",
            "SELECT id, name, COALESCE(status_key, ''), COALESCE(version, '') FROM products p WHERE deleted_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM programs g WHERE g.id = p.program_id AND g.deleted_at IS NULL) ORDER BY name, id",
            None,
        )?;
        if !orphans.is_empty() {
            let mut children = Vec::new();
            for mut prod in orphans {
                let mut c = features_of(&prod.id)?;
                c.extend(extras_of(&prod.id)?);
                prod.children = c;
                children.push(prod);
            }
            programs.push(HierarchyNode {
                kind: "program".into(),
                id: String::new(),
                name: "(no program)".into(),
                status: String::new(),
                detail: String::new(),
                children,
            });
        }
    }
    Ok(programs)
}

/// Filters for the audit log; empty fields do not filter.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub event_type: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub resource_type: String,
    /// Substring of the resource id, action or values.
    #[serde(default)]
    pub text: String,
    /// Inclusive lower bound on the timestamp (`YYYY-MM-DD` or longer).
    #[serde(default)]
    pub since: String,
    /// Inclusive upper bound on the timestamp's date part.
    #[serde(default)]
    pub until: String,
    pub offset: i64,
    pub limit: i64,
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub timestamp: String,
    pub event_type: String,
    pub actor: String,
    pub resource_type: String,
    pub resource_id: String,
    pub action: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub context: Option<String>,
}

/// A filtered page of the audit log and the values each filter can take.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub total: i64,
    pub event_types: Vec<(String, i64)>,
    pub actors: Vec<(String, i64)>,
    pub resource_types: Vec<(String, i64)>,
}

fn facet<C: Connection + ?Sized>(conn: &C, col: &str) -> Result<Vec<(String, i64)>> {
    conn.query(
        &format!(
            "SELECT COALESCE({col}, ''), count(*) FROM audit_log GROUP BY 1 ORDER BY 2 DESC, 1"
        ),
        params![],
    )?
    .iter()
    .map(|r| Ok((text(&r, 0)?, r.get(1)?)))
    .collect()
}

/// The audit log, newest first, filtered.
pub fn audit_log<C: Connection + ?Sized>(conn: &C, q: &AuditQuery) -> Result<AuditPage> {
    if !has_table(conn, "audit_log")? {
        return Ok(AuditPage::default());
    }
    let mut clauses = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |clause: &str, v: Value, clauses: &mut Vec<String>| {
        values.push(v);
        clauses.push(clause.replace('?', &format!("?{}", values.len())));
    };
    if !q.event_type.is_empty() {
        bind("event_type = ?", q.event_type.clone().into(), &mut clauses);
    }
    if !q.actor.is_empty() {
        bind("actor = ?", q.actor.clone().into(), &mut clauses);
    }
    if !q.resource_type.is_empty() {
        bind(
            "resource_type = ?",
            q.resource_type.clone().into(),
            &mut clauses,
        );
    }
    if !q.text.is_empty() {
        bind(
            "instr(lower(COALESCE(resource_id, '') || ' ' || COALESCE(action, '') || ' ' || COALESCE(old_value, '') || ' ' || COALESCE(new_value, '') || ' ' || COALESCE(context, '')), lower(?)) > 0",
            q.text.clone().into(),
            &mut clauses,
        );
    }
    let ts = sortable("timestamp");
    if !q.since.is_empty() {
        bind(&format!("{ts} >= ?"), q.since.clone().into(), &mut clauses);
    }
    if !q.until.is_empty() {
        bind(
            &format!("substr({ts}, 1, length(?)) <= ?"),
            q.until.clone().into(),
            &mut clauses,
        );
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let total: i64 = conn.query_one(
        &format!("SELECT count(*) FROM audit_log{where_sql}"),
        &values,
    )?;
    let limit = q.limit.clamp(1, 500);
    let mut page_values = values.clone();
    page_values.push(Value::Integer(limit));
    page_values.push(Value::Integer(q.offset.max(0)));
    let n = page_values.len();
    let rows = conn
        .query(
            &format!(
                "SELECT id, timestamp, event_type, actor, resource_type, resource_id, action, old_value, new_value, context \
                 FROM audit_log{where_sql} ORDER BY {ts} DESC, id DESC LIMIT ?{} OFFSET ?{n}",
                n - 1
            ),
            &page_values,
        )?
        .iter()
        .map(|r| {
            Ok(AuditRow {
                id: r.get(0)?,
                timestamp: text(&r, 1)?,
                event_type: text(&r, 2)?,
                actor: text(&r, 3)?,
                resource_type: text(&r, 4)?,
                resource_id: text(&r, 5)?,
                action: text(&r, 6)?,
                old_value: opt_text(&r, 7)?,
                new_value: opt_text(&r, 8)?,
                context: opt_text(&r, 9)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(AuditPage {
        rows,
        total,
        event_types: facet(conn, "event_type")?,
        actors: facet(conn, "actor")?,
        resource_types: facet(conn, "resource_type")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roadmap::readiness;
    use crate::roadmap::testdb::TestDb;
    use proptest::prelude::*;

    /// A roadmap as a crafted or old file may hold it: any status, deleted items, unranked
    /// items, cycles, edges to items that do not exist, open and resolved blockers.
    #[derive(Debug, Clone)]
    struct Shape {
        items: Vec<(u8, bool, Option<u8>)>,
        deps: Vec<(u8, u8, u8)>,
        blockers: Vec<(u8, bool)>,
    }

    fn shapes() -> impl Strategy<Value = Shape> {
        let item = (
            0u8..5,
            prop::bool::weighted(0.15),
            prop::option::weighted(0.7, 0u8..6),
        );
        (
            prop::collection::vec(item, 0..28),
            prop::collection::vec((0u8..30, 0u8..30, 0u8..3), 0..60),
            prop::collection::vec((0u8..30, any::<bool>()), 0..6),
        )
            .prop_map(|(items, deps, blockers)| Shape {
                items,
                deps,
                blockers,
            })
    }

    fn build(shape: &Shape) -> TestDb {
        let db = TestDb::new();
        // Edges to items that do not exist are part of the shape.
        db.conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        let triggers: Vec<String> = db
            .conn
            .query(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' \
                 AND tbl_name IN ('roadmap_items', 'roadmap_dependencies', 'blockers')",
                params![],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0).unwrap())
            .collect();
        for t in triggers {
            db.conn
                .execute_batch(&format!("DROP TRIGGER \"{t}\""))
                .unwrap();
        }
        let status = ["pending", "in_progress", "completed", "deferred", "review"];
        for (i, (st, deleted, rank)) in shape.items.iter().enumerate() {
            db.conn
                .execute(
                    "INSERT INTO roadmap_items (id, phase_key, title, status_key, rank, deleted_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        format!("I{i:02}"),
                        format!("phase_{}", i % 3),
                        format!("item {i}"),
                        status[*st as usize],
                        rank.map(|r| r as f64),
                        deleted.then_some("2026-01-01 00:00:00")
                    ],
                )
                .unwrap();
        }
        let kinds = ["blocks", "soft", "related"];
        for (a, b, k) in &shape.deps {
            if a != b {
                db.conn
                    .execute(
                        "INSERT OR IGNORE INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) VALUES (?1, ?2, ?3)",
                        params![format!("I{a:02}"), format!("I{b:02}"), kinds[*k as usize]],
                    )
                    .unwrap();
            }
        }
        for (n, (on, resolved)) in shape.blockers.iter().enumerate() {
            db.conn
                .execute(
                    "INSERT INTO blockers (id, work_id, reason_code, title, created_by, resolved_at, resolution) \
                     VALUES (?1, ?2, 'other', 't', 'tester', ?3, ?4)",
                    params![
                        format!("B{n}"),
                        format!("I{on:02}"),
                        resolved.then_some("2026-01-02 00:00:00"),
                        resolved.then_some("done")
                    ],
                )
                .unwrap();
        }
        db
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// The set-based panels and states give exactly the roadmap's own per-item answers.
        #[test]
        fn the_panels_agree_with_the_roadmaps_own_ready_and_blocked(shape in shapes()) {
            let db = build(&shape);
            let ready = readiness::ready(&db.conn, None).unwrap();
            let blocked = readiness::blocked(&db.conn).unwrap();
            let work = overview_work(&db.conn).unwrap();
            prop_assert_eq!(work.ready_count, ready.len() as i64);
            prop_assert_eq!(work.blocked_count, blocked.len() as i64);
            let first = |ids: Vec<String>| ids.into_iter().take(PANEL_ITEMS as usize).collect::<Vec<_>>();
            prop_assert_eq!(
                work.ready.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
                first(ready.iter().map(|i| i.id.clone()).collect())
            );
            prop_assert_eq!(
                work.blocked.iter().map(|e| e.item.id.clone()).collect::<Vec<_>>(),
                first(blocked.iter().map(|b| b.item.id.clone()).collect())
            );
            let states = item_states(&db.conn).unwrap();
            let ready_ids: HashSet<String> = ready.into_iter().map(|i| i.id).collect();
            let blocked_ids: HashSet<String> = blocked.into_iter().map(|b| b.item.id).collect();
            prop_assert_eq!(states.ready, ready_ids);
            prop_assert_eq!(states.blocked, blocked_ids);
        }
    }

    /// A first screen with an estimated table says so, and leaves the per-status split to the
    /// exact answer; with nothing estimated it is the exact answer.
    #[test]
    fn estimated_counts_are_marked_and_the_exact_answer_follows() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        db.item("B", "phase_a", 2.0);
        let exact = overview_counts(&db.conn).unwrap();
        assert!(exact.exact && !exact.items_by_status.is_empty());
        assert!(exact.counts.iter().all(|c| !c.estimated));
        let first =
            overview_first(&db.conn, &mut |t| (t == "roadmap_items").then_some(1000)).unwrap();
        assert!(!first.exact && first.items_by_status.is_empty());
        let items = first
            .counts
            .iter()
            .find(|c| c.table == "roadmap_items")
            .unwrap();
        assert_eq!((items.count, items.estimated), (1000, true));
        let same = overview_first(&db.conn, &mut |_| None).unwrap();
        assert_eq!(same, exact);
    }

    /// Without per-item subqueries: the panels read `roadmap_items` and the `blocks` edges
    /// as one scan each (the only sort is the roadmap's order), never a lookup per item.
    #[test]
    fn the_panels_read_each_table_in_one_scan() {
        let db = TestDb::new();
        let plan = |sql: &str| -> String {
            db.conn
                .query(&format!("EXPLAIN QUERY PLAN {sql}"), params![])
                .unwrap()
                .iter()
                .map(|r| r.get::<String>(3).unwrap())
                .collect::<Vec<_>>()
                .join("; ")
        };
        let items = plan(SPLIT_ITEMS_SQL);
        assert_eq!(items, "SCAN roadmap_items");
        let edges = plan(SPLIT_EDGES_SQL);
        assert!(
            edges.starts_with("SCAN ") && !edges.contains("SEARCH"),
            "{edges}"
        );
        assert!(!edges.contains(';'), "{edges}");
    }

    #[test]
    fn the_documented_evidence_example_verifies() {
        // From the original's behaviour: {"failed":0,"passed":3,"skipped":0} test results.
        let check = check_evidence_hash(
            "test_result",
            "evidence:evidence-x",
            Some("810801a5"),
            None,
            Some(r#"{"passed": 3, "failed": 0, "skipped": 0}"#),
            None,
            None,
        );
        match check {
            HashCheck::Mismatch { computed } => assert!(computed.starts_with("810801a5")),
            other => panic!("{other:?}"),
        }
        let scratch = check_evidence_hash(
            "document",
            "scratch:S-1",
            Some("ab"),
            None,
            None,
            None,
            None,
        );
        assert!(matches!(scratch, HashCheck::NotCheckable { .. }));
    }
}
