//! Roadmap items: add, update, show, list, soft delete and restore, review and complete.

use super::stamp::next_updated_at;
use super::{counts_toward_phase_limit, Item, ITEM_COLUMNS, PHASE_LIMIT};
use crate::audit::{self, AuditEntry};
use crate::connection::{write_tx, Connection, ConnectionExt, Value};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use crate::terminology;

/// What `add` needs; everything but the title and phase has a default.
#[derive(Debug, Clone, Default)]
pub struct NewItem {
    /// Defaults to `RI-<12 hex>`.
    pub id: Option<String>,
    pub title: String,
    pub phase_key: String,
    /// `work` (default), `gate`, `holding` or `integration`.
    pub item_type: Option<String>,
    /// Defaults to `pending`.
    pub status_key: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    /// Defaults to one past the highest rank in the phase.
    pub rank: Option<f64>,
    pub target_date: Option<String>,
    pub feature_id: Option<String>,
    pub cr_id: Option<String>,
    pub external_id: Option<String>,
    pub external_url: Option<String>,
}

/// A partial update: `None` leaves a field as it is; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct ItemUpdate {
    pub title: Option<String>,
    pub phase_key: Option<String>,
    pub status_key: Option<String>,
    pub item_type: Option<String>,
    pub description: Option<Option<String>>,
    pub owner: Option<Option<String>>,
    pub rank: Option<f64>,
    pub target_date: Option<Option<String>>,
    pub feature_id: Option<Option<String>>,
    pub cr_id: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub external_url: Option<Option<String>>,
}

impl ItemUpdate {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.phase_key.is_none()
            && self.status_key.is_none()
            && self.item_type.is_none()
            && self.description.is_none()
            && self.owner.is_none()
            && self.rank.is_none()
            && self.target_date.is_none()
            && self.feature_id.is_none()
            && self.cr_id.is_none()
            && self.external_id.is_none()
            && self.external_url.is_none()
    }
}

/// Which items `list` returns.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub phase_key: Option<String>,
    pub status_key: Option<String>,
    pub item_type: Option<String>,
    pub owner: Option<String>,
    /// Include soft-deleted items.
    pub include_deleted: bool,
    /// Only soft-deleted items.
    pub only_deleted: bool,
}

/// Reads one item, deleted or not.
pub fn get<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Item> {
    Item::get(conn, id)
}

pub fn find<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Option<Item>> {
    Item::find(conn, id)
}

/// Reads one item that must not be soft-deleted.
pub fn get_live<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<Item> {
    let item = get(conn, id)?;
    if let Some(at) = &item.deleted_at {
        return Err(Error::invalid(
            "item",
            format!("{id} was deleted at {at}; restore it first"),
        ));
    }
    Ok(item)
}

/// Items by phase, then rank (unranked last), then id.
pub fn list<C: Connection + ?Sized>(conn: &C, filter: &ListFilter) -> Result<Vec<Item>> {
    check_filter(
        conn,
        filter.phase_key.as_deref(),
        filter.status_key.as_deref(),
        filter.item_type.as_deref(),
    )?;
    let mut sql = format!("SELECT {ITEM_COLUMNS} FROM roadmap_items WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if filter.only_deleted {
        sql.push_str(" AND deleted_at IS NOT NULL");
    } else if !filter.include_deleted {
        sql.push_str(" AND deleted_at IS NULL");
    }
    for (col, val) in [
        ("phase_key", &filter.phase_key),
        ("status_key", &filter.status_key),
        ("item_type", &filter.item_type),
        ("owner", &filter.owner),
    ] {
        if let Some(v) = val {
            args.push(v.into());
            sql.push_str(&format!(" AND {col} = ?{}", args.len()));
        }
    }
    sql.push_str(" ORDER BY phase_key, rank IS NULL, rank, id");
    let rows = conn.query(&sql, &args)?;
    rows.iter().map(Item::from_row).collect()
}

fn require_text(field: &str, v: &str) -> Result<()> {
    if v.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(())
}

fn check_rank(rank: f64) -> Result<()> {
    if !rank.is_finite() {
        return Err(Error::invalid("rank", "must be a finite number"));
    }
    Ok(())
}

/// A filter naming a phase, status or type no item can have is a mistake, not an empty
/// answer: refused with the valid keys, like the same value on a write.
pub fn check_filter<C: Connection + ?Sized>(
    conn: &C,
    phase: Option<&str>,
    status: Option<&str>,
    item_type: Option<&str>,
) -> Result<()> {
    for (field, domain, column, v) in [
        ("phase", "roadmap_phase", "phase_key", phase),
        ("status", "roadmap_status", "status_key", status),
        ("type", "roadmap_item_type", "item_type", item_type),
    ] {
        if let Some(v) = v {
            terminology::validate_filter(conn, field, domain, v, ("roadmap_items", column))?;
        }
    }
    Ok(())
}

/// A target date is a day: exactly `YYYY-MM-DD`, a real one ([`crate::time::parse_date`]).
fn check_date(field: &str, v: &str) -> Result<()> {
    crate::time::parse_date(v)
        .map(|_| ())
        .map_err(|m| Error::invalid(field, m))
}

fn check_reference<C: Connection + ?Sized>(
    conn: &C,
    field: &str,
    table: &str,
    kind: &str,
    id: &str,
) -> Result<()> {
    let live: Option<i64> = conn.query_scalar(
        &format!("SELECT deleted_at IS NULL FROM {table} WHERE id = ?1"),
        params![id],
    )?;
    match live {
        None => Err(Error::invalid(field, format!("no {kind} with id '{id}'"))),
        Some(0) => Err(Error::invalid(field, format!("{kind} '{id}' is deleted"))),
        Some(_) => Ok(()),
    }
}

/// Refuses an `external_id` already used by another live item (it is how syncs find items).
fn check_external_id<C: Connection + ?Sized>(conn: &C, ext: &str, own_id: &str) -> Result<()> {
    let other: Option<String> = conn.query_scalar(
        "SELECT id FROM roadmap_items WHERE external_id = ?1 AND deleted_at IS NULL AND id <> ?2",
        params![ext, own_id],
    )?;
    if let Some(other) = other {
        return Err(Error::invalid(
            "external_id",
            format!("'{ext}' already belongs to roadmap item {other}"),
        ));
    }
    Ok(())
}

/// Active items in a phase, not counting `except`.
fn active_in_phase<C: Connection + ?Sized>(conn: &C, phase: &str, except: &str) -> Result<i64> {
    conn.query_one(
        "SELECT count(*) FROM roadmap_items WHERE phase_key = ?1 AND deleted_at IS NULL \
         AND status_key NOT IN ('completed', 'deferred') AND id IS NOT ?2",
        params![phase, except],
    )
}

/// The schema's phase limit, checked in code first so the error names the phase and count.
fn check_phase_limit<C: Connection + ?Sized>(conn: &C, phase: &str, except: &str) -> Result<()> {
    let active = active_in_phase(conn, phase, except)?;
    if active >= PHASE_LIMIT {
        return Err(Error::KernelRule {
            message: format!(
                "POLICY: Maximum {PHASE_LIMIT} active items per phase ({phase} has {active} \
                 items that are not completed or deferred; complete or defer one, or use another phase)"
            ),
        });
    }
    Ok(())
}

/// One past the highest rank in the phase (what `v_next_rank` gives), 1.0 for an empty phase.
pub fn next_rank<C: Connection + ?Sized>(conn: &C, phase: &str) -> Result<f64> {
    conn.query_one(
        "SELECT coalesce(max(rank), 0) + 1.0 FROM roadmap_items \
         WHERE phase_key = ?1 AND deleted_at IS NULL",
        params![phase],
    )
}

/// Where to place an item relative to another one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement<'a> {
    Before(&'a str),
    After(&'a str),
}

/// The rank an add or update asks for: just before or after another item, else `rank` as given.
/// Naming both neighbours is refused (the command line already forbids it; other callers may not).
pub fn placed_rank<C: Connection + ?Sized>(
    conn: &C,
    rank: Option<f64>,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<Option<f64>> {
    match (before, after) {
        (Some(_), Some(_)) => Err(Error::invalid(
            "before",
            "give either before or after, not both",
        )),
        (Some(b), None) => rank_next_to(conn, Placement::Before(b)).map(Some),
        (None, Some(a)) => rank_next_to(conn, Placement::After(a)).map(Some),
        (None, None) => Ok(rank),
    }
}

/// A rank just before or after `anchor` (midway to its neighbour in the same phase, or one
/// step beyond it), so items can be reordered without renumbering the others.
pub fn rank_next_to<C: Connection + ?Sized>(conn: &C, place: Placement<'_>) -> Result<f64> {
    let (anchor, after) = match place {
        Placement::Before(a) => (a, false),
        Placement::After(a) => (a, true),
    };
    let a = get_live(conn, anchor)?;
    let rank = a.rank.ok_or_else(|| {
        Error::invalid(
            "rank",
            format!("{anchor} has no rank to place next to; give it a rank first"),
        )
    })?;
    let neighbour: Option<f64> = if after {
        conn.query_scalar::<Option<f64>>(
            "SELECT min(rank) FROM roadmap_items WHERE phase_key = ?1 AND deleted_at IS NULL AND rank > ?2",
            params![&a.phase_key, rank],
        )?
        .flatten()
    } else {
        conn.query_scalar::<Option<f64>>(
            "SELECT max(rank) FROM roadmap_items WHERE phase_key = ?1 AND deleted_at IS NULL AND rank < ?2",
            params![&a.phase_key, rank],
        )?
        .flatten()
    };
    Ok(match (neighbour, after) {
        (Some(n), _) => (rank + n) / 2.0,
        (None, true) => rank + 1.0,
        (None, false) => rank - 1.0,
    })
}

/// Creates an item. The phase, type and status are checked against their terminology domains.
pub fn add<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    new: &NewItem,
) -> Result<Item> {
    require_text("title", &new.title)?;
    require_text("phase", &new.phase_key)?;
    if let Some(id) = &new.id {
        require_text("id", id)?;
    }
    if let Some(r) = new.rank {
        check_rank(r)?;
    }
    if let Some(d) = &new.target_date {
        check_date("target_date", d)?;
    }
    write_tx(conn, |c| {
        terminology::validate(c, "phase", "roadmap_phase", &new.phase_key)?;
        let item_type = new.item_type.as_deref().unwrap_or("work");
        terminology::validate(c, "type", "roadmap_item_type", item_type)?;
        let status = new.status_key.as_deref().unwrap_or("pending");
        terminology::validate(c, "status", "roadmap_status", status)?;
        let id = new.id.clone().unwrap_or_else(|| env.new_id("RI"));
        if find(c, &id)?.is_some() {
            return Err(Error::invalid(
                "id",
                format!("a roadmap item with id '{id}' already exists"),
            ));
        }
        if let Some(f) = &new.feature_id {
            check_reference(c, "feature", "features", "feature", f)?;
        }
        if let Some(cr) = &new.cr_id {
            check_reference(c, "cr", "change_requests", "change request", cr)?;
        }
        if let Some(ext) = &new.external_id {
            check_external_id(c, ext, &id)?;
        }
        // Only a new active item takes a slot (as the schema's trigger since migration 032).
        if counts_toward_phase_limit(status) {
            check_phase_limit(c, &new.phase_key, &id)?;
        }
        let rank = match new.rank {
            Some(r) => r,
            None => next_rank(c, &new.phase_key)?,
        };
        let now = env.now().to_db();
        let completed_at = (status == "completed").then(|| now.clone());
        c.execute(
            "INSERT INTO roadmap_items (id, phase_key, title, description, status_key, owner, \
             item_type, rank, target_date, feature_id, cr_id, external_id, external_url, \
             completed_at, created_by, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
            params![
                &id,
                &new.phase_key,
                new.title.trim(),
                new.description.clone(),
                status,
                new.owner.clone(),
                item_type,
                rank,
                new.target_date.clone(),
                new.feature_id.clone(),
                new.cr_id.clone(),
                new.external_id.clone(),
                new.external_url.clone(),
                completed_at,
                actor,
                now
            ],
        )?;
        let item = get(c, &id)?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "roadmap.item",
                actor,
                resource_type: Some("roadmap_item"),
                resource_id: Some(&id),
                action: "create",
                new_value: Some(item.audit_json()),
                ..Default::default()
            },
        )?;
        Ok(item)
    })
}

/// Applies a partial update. Status changes follow the schema's rules (completed is final,
/// starting needs every blocking prerequisite completed); moving to another phase, or back
/// from `deferred`, respects the phase limit, which the schema checks only on insert.
pub fn update<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
    change: &ItemUpdate,
) -> Result<Item> {
    if change.is_empty() {
        return Err(Error::invalid(
            "update",
            "nothing to change; give at least one field (title, phase_key, status_key, item_type, \
             description, owner, rank, target_date, feature_id, cr_id, external_id, external_url)",
        ));
    }
    if let Some(t) = &change.title {
        require_text("title", t)?;
    }
    if let Some(r) = change.rank {
        check_rank(r)?;
    }
    if let Some(Some(d)) = &change.target_date {
        check_date("target_date", d)?;
    }
    write_tx(conn, |c| {
        let holder = crate::kernel::expiry::settle(c, env, id)?;
        let before = get_live(c, id)?;
        if let (Some(h), Some(s)) = (&holder, &change.status_key) {
            if s != &before.status_key {
                return Err(crate::kernel::work_item::held_error(
                    id,
                    h,
                    "change its status",
                ));
            }
        }
        if let Some(p) = &change.phase_key {
            terminology::validate(c, "phase", "roadmap_phase", p)?;
        }
        if let Some(t) = &change.item_type {
            terminology::validate(c, "type", "roadmap_item_type", t)?;
        }
        if let Some(s) = &change.status_key {
            terminology::validate(c, "status", "roadmap_status", s)?;
        }
        if let Some(Some(f)) = &change.feature_id {
            check_reference(c, "feature", "features", "feature", f)?;
        }
        if let Some(Some(cr)) = &change.cr_id {
            check_reference(c, "cr", "change_requests", "change request", cr)?;
        }
        if let Some(Some(ext)) = &change.external_id {
            check_external_id(c, ext, id)?;
        }
        let new_status = change.status_key.as_deref().unwrap_or(&before.status_key);
        let new_phase = change.phase_key.as_deref().unwrap_or(&before.phase_key);
        check_status_change(c, &before, new_status)?;
        let takes_new_slot = counts_toward_phase_limit(new_status)
            && (new_phase != before.phase_key || !counts_toward_phase_limit(&before.status_key));
        if takes_new_slot {
            check_phase_limit(c, new_phase, id)?;
        }
        write_fields(c, env, &before, change)?;
        let after = get(c, id)?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "roadmap.item",
                actor,
                resource_type: Some("roadmap_item"),
                resource_id: Some(id),
                action: "update",
                old_value: Some(before.audit_json()),
                new_value: Some(after.audit_json()),
                ..Default::default()
            },
        )?;
        Ok(after)
    })
}

/// The schema's status rules, checked first so the error says which prerequisite is open.
fn check_status_change<C: Connection + ?Sized>(conn: &C, before: &Item, to: &str) -> Result<()> {
    if before.status_key == to {
        return Ok(());
    }
    if before.is_completed() {
        return Err(Error::KernelRule {
            message: format!(
                "POLICY: Completed items cannot be modified ({} is completed; its status is final)",
                before.id
            ),
        });
    }
    if to == "in_progress" || to == "completed" {
        let open = super::readiness::open_blocking_prerequisites(conn, &before.id)?;
        if !open.is_empty() {
            let names: Vec<String> = open
                .iter()
                .map(|(id, status)| format!("{id} ({status})"))
                .collect();
            // Starting uses the schema trigger's words; completing follows `complete`.
            let verb = if to == "in_progress" {
                "Cannot start".to_string()
            } else {
                format!("Cannot complete {}", before.id)
            };
            return Err(Error::KernelRule {
                message: format!(
                    "{verb}: blocking dependencies not complete: {}",
                    names.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// Writes the changed columns plus a fresh `updated_at` (so history is always captured).
fn write_fields<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    before: &Item,
    change: &ItemUpdate,
) -> Result<()> {
    let mut sets: Vec<&str> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut set = |col: &'static str, v: Value| {
        sets.push(col);
        args.push(v);
    };
    if let Some(v) = &change.title {
        set("title", v.trim().into());
    }
    if let Some(v) = &change.phase_key {
        set("phase_key", v.into());
    }
    if let Some(v) = &change.status_key {
        set("status_key", v.into());
        if v == "completed" && before.completed_at.is_none() {
            set("completed_at", env.now().to_db().into());
        }
    }
    if let Some(v) = &change.item_type {
        set("item_type", v.into());
    }
    if let Some(v) = &change.description {
        set("description", v.clone().into());
    }
    if let Some(v) = &change.owner {
        set("owner", v.clone().into());
    }
    if let Some(v) = change.rank {
        set("rank", v.into());
    }
    if let Some(v) = &change.target_date {
        set("target_date", v.clone().into());
    }
    if let Some(v) = &change.feature_id {
        set("feature_id", v.clone().into());
    }
    if let Some(v) = &change.cr_id {
        set("cr_id", v.clone().into());
    }
    if let Some(v) = &change.external_id {
        set("external_id", v.clone().into());
    }
    if let Some(v) = &change.external_url {
        set("external_url", v.clone().into());
    }
    set(
        "updated_at",
        next_updated_at(Some(&before.updated_at), env.now()).into(),
    );
    let assignments: Vec<String> = sets
        .iter()
        .enumerate()
        .map(|(i, col)| format!("{col} = ?{}", i + 1))
        .collect();
    args.push(before.id.clone().into());
    conn.execute(
        &format!(
            "UPDATE roadmap_items SET {} WHERE id = ?{}",
            assignments.join(", "),
            args.len()
        ),
        &args,
    )?;
    Ok(())
}

/// Asks for review: status `review` (the original's code uses this status; it is not in the
/// seeded `roadmap_status` terminology, so it is set here rather than through `update`).
pub fn review<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
    comment: Option<&str>,
) -> Result<Item> {
    write_tx(conn, |c| {
        let holder = crate::kernel::expiry::settle(c, env, id)?;
        let before = get_live(c, id)?;
        if before.is_completed() {
            return Err(Error::KernelRule {
                message: format!("POLICY: Completed items cannot be modified ({id} is completed)"),
            });
        }
        if let Some(h) = &holder {
            return Err(crate::kernel::work_item::held_error(
                id,
                h,
                "send it to review",
            ));
        }
        if before.status_key == "review" {
            return Ok(before);
        }
        c.execute(
            "UPDATE roadmap_items SET status_key = 'review', updated_at = ?1 WHERE id = ?2",
            params![next_updated_at(Some(&before.updated_at), env.now()), id],
        )?;
        let after = get(c, id)?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "roadmap.item",
                actor,
                resource_type: Some("roadmap_item"),
                resource_id: Some(id),
                action: "review",
                old_value: Some(serde_json::json!({"status_key": before.status_key})),
                new_value: Some(serde_json::json!({"status_key": "review"})),
                context: comment.map(|c| serde_json::json!({"comment": c})),
            },
        )?;
        Ok(after)
    })
}

/// What `complete` did besides marking the item.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Completion {
    pub item: Item,
    /// Who completed it, and the rule that allowed them.
    pub completed_by: String,
    pub allowed_as: String,
    /// The `completion_accepted` decision recorded for it (None when it was already done).
    pub decision_id: Option<String>,
    /// Evidence rows recorded on the item.
    pub evidence_count: i64,
    /// Assignments closed with it.
    pub assignments_completed: usize,
    /// Items that became ready because this one completed.
    pub unblocked: Vec<String>,
}

/// Who asks to complete an item: the agent, and the role its host gives it
/// (`MC_AGENT_ROLE`/`MC_ROLE`, or `reviewer` for the original's `MC_REVIEWER=1`).
#[derive(Debug, Clone, Copy)]
pub struct Completer<'a> {
    pub agent: &'a str,
    pub role: Option<&'a str>,
}

/// Roles that may complete any item (the original: reviewers only).
pub const COMPLETING_ROLES: &[&str] = &["reviewer", "operator", "architect"];

/// Why `who` may complete `item`, or the refusal naming who may.
fn completion_right<C: Connection + ?Sized>(
    conn: &C,
    item: &Item,
    who: &Completer<'_>,
) -> Result<String> {
    if let Some(role) = who.role.filter(|r| COMPLETING_ROLES.contains(r)) {
        return Ok(format!("role {role}"));
    }
    if item.owner.as_deref() == Some(who.agent) {
        return Ok("item owner".into());
    }
    let role: Option<String> = conn.query_scalar(
        "SELECT role FROM roadmap_assignments WHERE item_id = ?1 AND agent_id = ?2 \
         AND status IN ('assigned', 'active') AND role IN ('owner', 'reviewer') ORDER BY role LIMIT 1",
        params![item.id.as_str(), who.agent],
    )?;
    if let Some(role) = role {
        return Ok(format!("assigned {role}"));
    }
    Err(Error::KernelRule {
        message: format!(
            "ROAD-010: {} may not complete {}: completing needs the reviewer role, the item's \
             owner, or an owner/reviewer assignment on it. Agents working on it finish by \
             releasing their lease with success after recording evidence",
            who.agent, item.id
        ),
    })
}

/// Completes an item: status `completed`, `completed_at` now, open assignments closed, and
/// a `completion_accepted` decision naming who did it. Only a reviewer, the item's owner or
/// an owner/reviewer assignee may; refused while a blocking prerequisite is unfinished (the
/// original does not check) and while a live lease works on the item.
pub fn complete<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    who: &Completer<'_>,
    id: &str,
    note: Option<&str>,
) -> Result<Completion> {
    let actor = who.agent;
    if actor.trim().is_empty() {
        return Err(Error::invalid("agent", "must not be empty"));
    }
    write_tx(conn, |c| {
        let holder = crate::kernel::expiry::settle(c, env, id)?;
        let before = get_live(c, id)?;
        let evidence_count: i64 = c.query_one(
            "SELECT count(*) FROM evidence WHERE work_id = ?1",
            params![id],
        )?;
        if before.is_completed() {
            return Ok(Completion {
                item: before,
                completed_by: actor.to_string(),
                allowed_as: "already completed".into(),
                decision_id: None,
                evidence_count,
                assignments_completed: 0,
                unblocked: Vec::new(),
            });
        }
        let allowed_as = completion_right(c, &before, who)?;
        if let Some(h) = &holder {
            return Err(crate::kernel::work_item::held_error(id, h, "complete it"));
        }
        let open = super::readiness::open_blocking_prerequisites(c, id)?;
        if !open.is_empty() {
            let names: Vec<String> = open
                .iter()
                .map(|(id, status)| format!("{id} ({status})"))
                .collect();
            return Err(Error::KernelRule {
                message: format!(
                    "Cannot complete {id}: blocking dependencies not complete: {}",
                    names.join(", ")
                ),
            });
        }
        let now = env.now().to_db();
        c.execute(
            "UPDATE roadmap_items SET status_key = 'completed', completed_at = ?1, updated_at = ?2 \
             WHERE id = ?3",
            params![&now, next_updated_at(Some(&before.updated_at), env.now()), id],
        )?;
        let closed = c.execute(
            "UPDATE roadmap_assignments SET status = 'completed', completed_at = ?1 \
             WHERE item_id = ?2 AND status IN ('assigned', 'active')",
            params![&now, id],
        )?;
        let decision_id = env.new_id("decision");
        let summary = format!("{id} completed by {actor} ({allowed_as})");
        crate::kernel::records::insert_decision(
            c,
            &crate::kernel::records::DecisionRow {
                id: &decision_id,
                work_id: Some(id),
                attempt_id: None,
                lease_id: None,
                decision_type: "completion_accepted",
                summary: &summary,
                rationale: note,
                alternatives: None,
                constraints: None,
                decided_by: actor,
                decided_at: &now,
            },
        )?;
        let unblocked = super::readiness::newly_ready_dependents(c, id)?;
        let item = get(c, id)?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "roadmap.item",
                actor,
                resource_type: Some("roadmap_item"),
                resource_id: Some(id),
                action: "complete",
                old_value: Some(serde_json::json!({"status_key": before.status_key})),
                new_value: Some(serde_json::json!({"status_key": "completed"})),
                context: Some(serde_json::json!({
                    "assignments_completed": closed, "unblocked": unblocked,
                    "allowed_as": allowed_as, "decision_id": decision_id,
                    "evidence_count": evidence_count, "note": note,
                })),
            },
        )?;
        Ok(Completion {
            item,
            completed_by: actor.to_string(),
            allowed_as,
            decision_id: Some(decision_id),
            evidence_count,
            assignments_completed: closed,
            unblocked,
        })
    })
}

/// Soft delete: sets `deleted_at` (the original's `roadmap delete` crashed on a missing
/// `deleted_by` column; who and why go to the audit log instead).
pub fn delete<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    id: &str,
    reason: Option<&str>,
) -> Result<Item> {
    write_tx(conn, |c| {
        if let Some(h) = crate::kernel::expiry::settle(c, env, id)? {
            return Err(crate::kernel::work_item::held_error(id, &h, "delete it"));
        }
        let before = get_live(c, id)?;
        let now = env.now().to_db();
        c.execute(
            "UPDATE roadmap_items SET deleted_at = ?1, updated_at = ?2 WHERE id = ?3",
            params![
                &now,
                next_updated_at(Some(&before.updated_at), env.now()),
                id
            ],
        )?;
        let after = get(c, id)?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "roadmap.item",
                actor,
                resource_type: Some("roadmap_item"),
                resource_id: Some(id),
                action: "delete",
                context: reason.map(|r| serde_json::json!({"reason": r})),
                ..Default::default()
            },
        )?;
        Ok(after)
    })
}

/// Undoes a soft delete. The phase limit applies again to an item coming back.
pub fn restore<C: Connection + ?Sized>(conn: &C, env: &Env, actor: &str, id: &str) -> Result<Item> {
    write_tx(conn, |c| {
        let before = get(c, id)?;
        if before.deleted_at.is_none() {
            return Err(Error::invalid(
                "item",
                format!("{id} is not deleted; nothing to restore"),
            ));
        }
        if counts_toward_phase_limit(&before.status_key) {
            check_phase_limit(c, &before.phase_key, id)?;
        }
        if let Some(ext) = &before.external_id {
            check_external_id(c, ext, id)?;
        }
        c.execute(
            "UPDATE roadmap_items SET deleted_at = NULL, updated_at = ?1 WHERE id = ?2",
            params![next_updated_at(Some(&before.updated_at), env.now()), id],
        )?;
        let after = get(c, id)?;
        audit::record(
            c,
            env,
            &AuditEntry {
                event_type: "roadmap.item",
                actor,
                resource_type: Some("roadmap_item"),
                resource_id: Some(id),
                action: "restore",
                old_value: Some(serde_json::json!({"deleted_at": before.deleted_at})),
                ..Default::default()
            },
        )?;
        Ok(after)
    })
}

/// Snapshots and audit rows of one item, oldest first.
pub fn history<C: Connection + ?Sized>(
    conn: &C,
    id: &str,
) -> Result<crate::program::history::History> {
    get(conn, id)?;
    crate::program::history::history(conn, Some("roadmap_item"), "roadmap_item", id)
}

#[cfg(test)]
mod tests {
    use super::super::testdb::TestDb;
    use super::*;

    fn upd(status: Option<&str>, phase: Option<&str>) -> ItemUpdate {
        ItemUpdate {
            status_key: status.map(Into::into),
            phase_key: phase.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn add_fills_defaults_ranks_after_the_phase_and_audits() {
        let db = TestDb::new();
        let env = db.env();
        let a = add(
            &db.conn,
            &env,
            "agent:a",
            &NewItem {
                title: "  First  ".into(),
                phase_key: "phase_a".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(crate::ids::is_prefixed_hex(&a.id, "RI", 12), "{}", a.id);
        assert_eq!(
            (
                a.title.as_str(),
                a.status_key.as_str(),
                a.item_type.as_str(),
                a.rank
            ),
            ("First", "pending", "work", Some(1.0))
        );
        assert_eq!(a.created_by.as_deref(), Some("agent:a"));
        let b = db.item("B", "phase_a", 7.5);
        assert_eq!(b.rank, Some(7.5));
        assert_eq!(next_rank(&db.conn, "phase_a").unwrap(), 8.5);
        assert_eq!(
            db.count("SELECT count(*) FROM audit_log WHERE event_type = 'roadmap.item' AND action = 'create'"),
            2
        );
        let err = add(
            &db.conn,
            &env,
            "t",
            &NewItem {
                id: Some("B".into()),
                title: "again".into(),
                phase_key: "phase_a".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid id: a roadmap item with id 'B' already exists"
        );
    }

    #[test]
    fn terminology_errors_list_the_valid_keys() {
        let db = TestDb::new();
        let env = db.env();
        let new = |phase: &str, ty: Option<&str>| NewItem {
            title: "x".into(),
            phase_key: phase.into(),
            item_type: ty.map(Into::into),
            ..Default::default()
        };
        let err = add(&db.conn, &env, "t", &new("phase_z", None)).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(
            err.to_string(),
            "invalid phase: 'phase_z' is not a roadmap_phase key; valid keys: phase_a, phase_b, \
             phase_c, phase_d, phase_e, post_launch, phase_f"
        );
        let err = add(&db.conn, &env, "t", &new("phase_a", Some("epic"))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: 'epic' is not a roadmap_item_type key; valid keys: work, gate, holding, integration"
        );
        db.item("A", "phase_a", 1.0);
        let err = update(&db.conn, &env, "t", "A", &upd(Some("done"), None)).unwrap_err();
        assert!(
            err.to_string()
                .contains("valid keys: pending, in_progress, blocked, completed, deferred"),
            "{err}"
        );
        // A key added to the domain is accepted from then on.
        crate::terminology::add(&db.conn, &env, "t", "roadmap_phase", "phase_g", "Phase G")
            .unwrap();
        add(&db.conn, &env, "t", &new("phase_g", Some("gate"))).unwrap();
    }

    #[test]
    fn the_phase_limit_applies_on_insert_on_phase_moves_and_when_leaving_deferred() {
        let db = TestDb::new();
        let env = db.env();
        for i in 0..50 {
            db.item(&format!("A{i:02}"), "phase_a", i as f64);
        }
        let fifty_first = |status: &str| NewItem {
            title: "51st".into(),
            phase_key: "phase_a".into(),
            status_key: Some(status.into()),
            ..Default::default()
        };
        // A completed or deferred item does not take a slot (history can be imported).
        add(&db.conn, &env, "t", &fifty_first("completed")).unwrap();
        add(&db.conn, &env, "t", &fifty_first("deferred")).unwrap();
        let err = add(&db.conn, &env, "t", &fifty_first("pending")).unwrap_err();
        assert_eq!(err.code(), "kernel_rule");
        assert!(
            err.to_string()
                .starts_with("POLICY: Maximum 50 active items per phase (phase_a has 50"),
            "{err}"
        );
        // The schema's own trigger agrees when our check is bypassed.
        let raw = db.conn.execute(
            "INSERT INTO roadmap_items (id, phase_key, title) VALUES ('RAW', 'phase_a', 'raw')",
            &[],
        );
        assert_eq!(
            raw.unwrap_err().to_string(),
            "POLICY: Maximum 50 active items per phase"
        );
        // Moving an active item into the full phase is refused (the schema does not check).
        db.item("B1", "phase_b", 1.0);
        let err = update(&db.conn, &env, "t", "B1", &upd(None, Some("phase_a"))).unwrap_err();
        assert!(err.to_string().starts_with("POLICY: Maximum 50"), "{err}");
        // A deferred item frees a slot; coming back from deferred needs one.
        update(&db.conn, &env, "t", "A00", &upd(Some("deferred"), None)).unwrap();
        update(&db.conn, &env, "t", "B1", &upd(None, Some("phase_a"))).unwrap();
        let err = update(&db.conn, &env, "t", "A00", &upd(Some("pending"), None)).unwrap_err();
        assert!(err.to_string().starts_with("POLICY: Maximum 50"), "{err}");
        // Restoring a deleted active item into a full phase is refused too.
        delete(&db.conn, &env, "t", "A01", None).unwrap();
        update(&db.conn, &env, "t", "A00", &upd(Some("pending"), None)).unwrap();
        let err = restore(&db.conn, &env, "t", "A01").unwrap_err();
        assert!(err.to_string().starts_with("POLICY: Maximum 50"), "{err}");
    }

    #[test]
    fn soft_delete_hides_an_item_and_restore_brings_it_back() {
        let db = TestDb::new();
        let env = db.env();
        db.item("A", "phase_a", 1.0);
        let gone = delete(&db.conn, &env, "agent:x", "A", Some("duplicate")).unwrap();
        assert!(gone.is_deleted());
        assert!(list(&db.conn, &ListFilter::default()).unwrap().is_empty());
        let deleted = list(
            &db.conn,
            &ListFilter {
                only_deleted: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(deleted.len(), 1);
        let err = update(
            &db.conn,
            &env,
            "t",
            "A",
            &ItemUpdate {
                title: Some("x".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("restore it first"), "{err}");
        let err = delete(&db.conn, &env, "t", "A", None).unwrap_err();
        assert!(err.to_string().contains("was deleted at"), "{err}");
        let back = restore(&db.conn, &env, "t", "A").unwrap();
        assert!(!back.is_deleted());
        assert_eq!(list(&db.conn, &ListFilter::default()).unwrap().len(), 1);
        let err = restore(&db.conn, &env, "t", "A").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid item: A is not deleted; nothing to restore"
        );
        let reason: String = db
            .conn
            .query_one(
                "SELECT json_extract(context, '$.reason') FROM audit_log WHERE action = 'delete' AND resource_id = 'A'",
                &[],
            )
            .unwrap();
        assert_eq!(reason, "duplicate");
    }

    #[test]
    fn every_update_writes_a_history_snapshot_even_within_one_clock_tick() {
        let db = TestDb::new();
        let env = db.env();
        db.item("A", "phase_a", 1.0);
        // The clock does not move between these writes.
        for t in ["one", "two", "three"] {
            update(
                &db.conn,
                &env,
                "t",
                "A",
                &ItemUpdate {
                    title: Some(t.into()),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        delete(&db.conn, &env, "t", "A", None).unwrap();
        restore(&db.conn, &env, "t", "A").unwrap();
        let versions: Vec<(i64, String)> = db
            .conn
            .query(
                "SELECT version, json_extract(data, '$.title') FROM entity_versions WHERE entity_type = 'roadmap_item' AND entity_id = 'A' ORDER BY version",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
            .collect();
        assert_eq!(versions.len(), 5);
        assert_eq!(versions[2], (3, "three".to_string()));
        // History is append-only.
        let err = db
            .conn
            .execute("UPDATE entity_versions SET data = '{}'", &[])
            .unwrap_err();
        assert_eq!(err.to_string(), "Entity version history is immutable");
        let err = db
            .conn
            .execute("DELETE FROM entity_versions", &[])
            .unwrap_err();
        assert_eq!(err.to_string(), "Entity version history cannot be deleted");
    }

    #[test]
    fn a_completed_item_keeps_its_status() {
        let db = TestDb::new();
        let env = db.env();
        db.item("A", "phase_a", 1.0);
        // Only a reviewer, the owner or an owner/reviewer assignee may complete.
        let implementer = Completer {
            agent: "bob",
            role: None,
        };
        super::super::assignments::assign(&db.conn, &env, "t", "A", "bob", "implementer", None)
            .unwrap();
        let err = complete(&db.conn, &env, &implementer, "A", None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ROAD-010: bob may not complete A"),
            "{err}"
        );
        assert_eq!(get(&db.conn, "A").unwrap().status_key, "pending");
        super::super::assignments::assign(&db.conn, &env, "t", "A", "rita", "reviewer", None)
            .unwrap();
        let rita = Completer {
            agent: "rita",
            role: None,
        };
        let done = complete(&db.conn, &env, &rita, "A", Some("reviewed")).unwrap();
        assert_eq!(done.item.status_key, "completed");
        assert_eq!(
            (done.completed_by.as_str(), done.allowed_as.as_str()),
            ("rita", "assigned reviewer")
        );
        assert_eq!(done.assignments_completed, 2);
        let by: String = db
            .conn
            .query_one(
                "SELECT decided_by || ' ' || decision_type FROM decisions WHERE id = ?1",
                params![done.decision_id.as_deref()],
            )
            .unwrap();
        assert_eq!(by, "rita completion_accepted");
        assert!(done.item.completed_at.is_some());
        let err = update(&db.conn, &env, "t", "A", &upd(Some("pending"), None)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("POLICY: Completed items cannot be modified"),
            "{err}"
        );
        let err = review(&db.conn, &env, "t", "A", None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("POLICY: Completed items cannot be modified"),
            "{err}"
        );
        // Renaming is still allowed, as in the schema.
        update(
            &db.conn,
            &env,
            "t",
            "A",
            &ItemUpdate {
                title: Some("renamed".into()),
                ..Default::default()
            },
        )
        .unwrap();
    }

    #[test]
    fn items_can_be_placed_before_or_after_another() {
        let db = TestDb::new();
        db.item("A", "phase_a", 1.0);
        db.item("B", "phase_a", 2.0);
        assert_eq!(rank_next_to(&db.conn, Placement::After("A")).unwrap(), 1.5);
        assert_eq!(rank_next_to(&db.conn, Placement::Before("A")).unwrap(), 0.0);
        assert_eq!(rank_next_to(&db.conn, Placement::After("B")).unwrap(), 3.0);
        assert_eq!(
            placed_rank(&db.conn, Some(7.0), None, None).unwrap(),
            Some(7.0)
        );
        assert_eq!(
            placed_rank(&db.conn, Some(7.0), None, Some("A")).unwrap(),
            Some(1.5)
        );
        let both = placed_rank(&db.conn, None, Some("A"), Some("B")).unwrap_err();
        assert_eq!(both.code(), "invalid_input", "{both}");
        assert_eq!(rank_next_to(&db.conn, Placement::Before("B")).unwrap(), 1.5);
        let err = rank_next_to(&db.conn, Placement::After("nope")).unwrap_err();
        assert_eq!(err.code(), "not_found");
    }

    #[test]
    fn review_sets_the_review_status_and_external_ids_stay_unique() {
        let db = TestDb::new();
        let env = db.env();
        db.item("A", "phase_a", 1.0);
        let r = review(&db.conn, &env, "t", "A", Some("please look")).unwrap();
        assert_eq!(r.status_key, "review");
        update(
            &db.conn,
            &env,
            "t",
            "A",
            &ItemUpdate {
                external_id: Some(Some("GH-1".into())),
                ..Default::default()
            },
        )
        .unwrap();
        let err = add(
            &db.conn,
            &env,
            "t",
            &NewItem {
                title: "dup".into(),
                phase_key: "phase_a".into(),
                external_id: Some("GH-1".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid external_id: 'GH-1' already belongs to roadmap item A"
        );
    }
}
