//! `motus roadmap …`: planning items, dependencies, readiness and exports.

use super::ctx::Ctx;
use super::render::{self, actor, table};
use crate::db;
use crate::output::{emit, emit_answer, CliError};
use clap::{Subcommand, ValueEnum};
use motus_core::answer::queue;
use motus_core::answer::roadmap::ExportAnswer;
use motus_core::roadmap::calls;
use motus_core::roadmap::{
    assignments, dependencies, export, items, readiness, DependencyType, Item, ItemSummary,
};
use motus_core::Clock;
use std::path::PathBuf;

/// `motus roadmap` alone lists the roadmap, as in the original.
#[derive(Debug, clap::Args)]
pub struct RoadmapArgs {
    #[command(subcommand)]
    pub command: Option<RoadmapCommand>,
}

#[derive(Debug, Subcommand)]
pub enum RoadmapCommand {
    /// Add an item (prints it, with its id)
    Add(Box<AddArgs>),
    /// Change fields of an item (an empty value clears an optional field)
    Update(Box<UpdateArgs>),
    /// Show one item with its dependencies, dependents, assignments and readiness
    Show {
        /// The item id
        id: String,
    },
    /// List items by phase and rank
    List(ListArgs),
    /// Items that can be started now, by rank (first 20 unless --limit/--all)
    Ready {
        /// How many items to show
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Show every ready item
        #[arg(long, conflicts_with = "limit")]
        all: bool,
        /// Only items of this phase (`phase_key`)
        #[arg(long)]
        phase: Option<String>,
        /// Only items this agent has an open assignment on
        #[arg(long)]
        assignee: Option<String>,
    },
    /// One item's verdict for the caller: complete, blocked (by what), held, assigned, ready
    Status {
        /// The item id
        id: String,
        /// Who is asking [default: $MC_AGENT_ID, else user]
        #[arg(long)]
        agent: Option<String>,
    },
    /// The caller's assigned and active items (and those its leases hold), by rank
    MyWork {
        /// Whose work [default: $MC_AGENT_ID, else user]
        #[arg(long)]
        agent: Option<String>,
    },
    /// Items held back by an unfinished blocking dependency or an open blocker
    Blocked,
    /// Explain what holds an item back, down to the unfinished items at the root
    Why {
        /// The item id
        id: String,
    },
    /// Add, remove or move dependencies
    #[command(subcommand)]
    Dep(DepCommand),
    /// Assign an agent to an item
    Assign {
        /// The item id
        id: String,
        /// The agent to assign
        agent: String,
        /// What the agent does on the item
        #[arg(long, default_value = "implementer", value_parser = clap::builder::PossibleValuesParser::new(motus_core::roadmap::assignments::ROLES.iter().copied()))]
        role: String,
        /// A note kept with the assignment
        #[arg(long)]
        notes: Option<String>,
    },
    /// Drop an agent's open assignments on an item (in_progress goes back to pending)
    Release {
        /// The item id
        id: String,
        /// The agent to release [default: $MC_AGENT_ID, else user]
        #[arg(long)]
        agent: Option<String>,
    },
    /// Ask for review (status review)
    Review {
        /// The item id
        id: String,
        /// A note for the reviewer
        #[arg(long, short)]
        comment: Option<String>,
    },
    /// Mark an item completed: reviewers (MC_AGENT_ROLE=reviewer), the item's owner, or an
    /// owner/reviewer assignee; refused while a prerequisite is unfinished or a lease holds it
    Complete {
        /// The item id
        id: String,
        /// Who completes it [default: $MC_AGENT_ID, else user]
        #[arg(long)]
        agent: Option<String>,
        /// Why it is complete (recorded on the completion_accepted decision)
        #[arg(long)]
        note: Option<String>,
    },
    /// Soft-delete an item (restore brings it back)
    Delete {
        /// The item id
        id: String,
        /// Why it is deleted (kept for restore and history)
        #[arg(long)]
        reason: Option<String>,
    },
    /// Undo a soft delete
    Restore {
        /// The item id
        id: String,
    },
    /// Snapshots and audit trail of an item
    History {
        /// The item id
        id: String,
    },
    /// Write the roadmap as Markdown or JSON
    Export(ExportArgs),
    /// Write the dependency graph as DOT or Mermaid
    Graph(GraphArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The item's title
    pub title: String,
    /// Phase key (terminology domain roadmap_phase)
    #[arg(long)]
    pub phase: String,
    /// Item id [default: RI-<12 hex>]
    #[arg(long)]
    pub id: Option<String>,
    /// work, gate, holding or integration
    #[arg(long = "type")]
    pub item_type: Option<String>,
    /// Status key [default: pending]
    #[arg(long)]
    pub status: Option<String>,
    /// Longer description
    #[arg(long)]
    pub description: Option<String>,
    /// The agent or person who owns it
    #[arg(long)]
    pub owner: Option<String>,
    /// Rank [default: one past the highest in the phase]
    #[arg(long, allow_negative_numbers = true, conflicts_with_all = ["before", "after"])]
    pub rank: Option<f64>,
    /// Rank it just before this item
    #[arg(long, value_name = "ID", conflicts_with = "after")]
    pub before: Option<String>,
    /// Rank it just after this item
    #[arg(long, value_name = "ID")]
    pub after: Option<String>,
    /// YYYY-MM-DD
    #[arg(long)]
    pub target_date: Option<String>,
    /// The feature it belongs to (feature id)
    #[arg(long)]
    pub feature: Option<String>,
    /// The change request it implements (CR id)
    #[arg(long)]
    pub cr: Option<String>,
    /// Its id in another tracker
    #[arg(long)]
    pub external_id: Option<String>,
    /// Its URL in another tracker
    #[arg(long)]
    pub external_url: Option<String>,
    /// Prerequisites, comma-separated: the item waits for each (`blocks` edges), added in the
    /// same transaction; an unknown id refuses the whole add
    #[arg(long, value_name = "ID,ID", value_delimiter = ',')]
    pub depends_on: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// The item id
    pub id: String,
    /// New title
    #[arg(long)]
    pub title: Option<String>,
    /// New phase key (terminology domain roadmap_phase)
    #[arg(long)]
    pub phase: Option<String>,
    /// New status key (pending, in_progress, review, completed, …)
    #[arg(long)]
    pub status: Option<String>,
    /// work, gate, holding or integration
    #[arg(long = "type")]
    pub item_type: Option<String>,
    /// New description (empty clears it)
    #[arg(long)]
    pub description: Option<String>,
    /// New owner (empty clears it)
    #[arg(long)]
    pub owner: Option<String>,
    /// New rank
    #[arg(long, allow_negative_numbers = true, conflicts_with_all = ["before", "after"])]
    pub rank: Option<f64>,
    /// Rank it just before this item
    #[arg(long, value_name = "ID", conflicts_with = "after")]
    pub before: Option<String>,
    /// Rank it just after this item
    #[arg(long, value_name = "ID")]
    pub after: Option<String>,
    /// YYYY-MM-DD (empty clears it)
    #[arg(long)]
    pub target_date: Option<String>,
    /// Feature id (empty clears it)
    #[arg(long)]
    pub feature: Option<String>,
    /// Change request id (empty clears it)
    #[arg(long)]
    pub cr: Option<String>,
    /// Id in another tracker (empty clears it)
    #[arg(long)]
    pub external_id: Option<String>,
    /// URL in another tracker (empty clears it)
    #[arg(long)]
    pub external_url: Option<String>,
}

#[derive(Debug, Default, clap::Args)]
pub struct ListArgs {
    /// Only items of this phase
    #[arg(long)]
    pub phase: Option<String>,
    /// Only items with this status key
    #[arg(long)]
    pub status: Option<String>,
    /// Only items of this type (work, gate, holding, integration)
    #[arg(long = "type")]
    pub item_type: Option<String>,
    /// Only items owned by this agent
    #[arg(long)]
    pub owner: Option<String>,
    /// Include deleted items
    #[arg(long)]
    pub all: bool,
    /// Only deleted items
    #[arg(long, conflicts_with = "all")]
    pub deleted: bool,
}

#[derive(Debug, Subcommand)]
pub enum DepCommand {
    /// ITEM depends on DEPENDS_ON (refused when it would close a cycle)
    Add {
        /// The item that waits
        item: String,
        /// The item it waits for
        depends_on: String,
        /// blocks (holds ITEM back), soft or related (informational)
        #[arg(long = "type", default_value = "blocks")]
        dep_type: String,
        /// A note kept with the dependency
        #[arg(long)]
        notes: Option<String>,
    },
    /// Remove the dependency ITEM -> DEPENDS_ON
    Rm {
        /// The item that waits
        item: String,
        /// The item it waits for
        depends_on: String,
    },
    /// Point ITEM's dependency on OLD at NEW instead (checked for cycles)
    Move {
        /// The item that waits
        item: String,
        /// The prerequisite to replace
        old: String,
        /// The new prerequisite
        new: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ExportFormat,
    /// Write to FILE instead of stdout
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Replace the --output file if it exists (otherwise it is refused)
    #[arg(long)]
    pub force: bool,
    /// Only items of this phase
    #[arg(long)]
    pub phase: Option<String>,
    /// Include deleted items
    #[arg(long)]
    pub include_deleted: bool,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
    /// Write to FILE instead of stdout
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Replace the --output file if it exists (otherwise it is refused)
    #[arg(long)]
    pub force: bool,
    /// Only items of this phase
    #[arg(long)]
    pub phase: Option<String>,
    /// Include deleted items
    #[arg(long)]
    pub include_deleted: bool,
}

pub fn run(ctx: &Ctx, args: RoadmapArgs) -> Result<u8, CliError> {
    let cmd = args
        .command
        .unwrap_or(RoadmapCommand::List(ListArgs::default()));
    match cmd {
        RoadmapCommand::Add(a) => add(ctx, *a),
        RoadmapCommand::Update(a) => update(ctx, *a),
        RoadmapCommand::Show { id } => show(ctx, &id),
        RoadmapCommand::List(a) => list(ctx, a),
        RoadmapCommand::Ready {
            limit,
            all,
            phase,
            assignee,
        } => ready(
            ctx,
            (!all).then_some(limit),
            phase.as_deref(),
            assignee.as_deref(),
        ),
        RoadmapCommand::Status { id, agent } => item_status(ctx, &id, agent),
        RoadmapCommand::MyWork { agent } => my_work(ctx, agent),
        RoadmapCommand::Blocked => blocked(ctx),
        RoadmapCommand::Why { id } => why(ctx, &id),
        RoadmapCommand::Dep(d) => dep(ctx, d),
        RoadmapCommand::Assign {
            id,
            agent,
            role,
            notes,
        } => assign(ctx, &id, &agent, &role, notes.as_deref()),
        RoadmapCommand::Release { id, agent } => release(ctx, &id, agent),
        RoadmapCommand::Review { id, comment } => {
            let db = write_db(ctx)?;
            let item = items::review(&db.conn, &render::env(), &actor(), &id, comment.as_deref())?;
            emit(ctx.json, &item, || {
                format!("Review requested: {} {}", item.id, item.title)
            });
            Ok(0)
        }
        RoadmapCommand::Complete { id, agent, note } => {
            let db = write_db(ctx)?;
            let who = agent.unwrap_or_else(actor);
            let role = host_role();
            let done = items::complete(
                &db.conn,
                &render::env(),
                &items::Completer {
                    agent: &who,
                    role: role.as_deref(),
                },
                &id,
                note.as_deref(),
            )?;
            emit(ctx.json, &done, || {
                let mut s = format!(
                    "Completed {} {} (by {}, {})",
                    done.item.id, done.item.title, done.completed_by, done.allowed_as
                );
                if !done.unblocked.is_empty() {
                    s.push_str(&format!(
                        "\nNow ready ({}): {}",
                        done.unblocked.len(),
                        done.unblocked.join(", ")
                    ));
                }
                s
            });
            Ok(0)
        }
        RoadmapCommand::Delete { id, reason } => {
            let db = write_db(ctx)?;
            let item = items::delete(&db.conn, &render::env(), &actor(), &id, reason.as_deref())?;
            emit(ctx.json, &item, || {
                format!(
                    "Deleted {} (restore with `motus roadmap restore {}`)",
                    item.id, item.id
                )
            });
            Ok(0)
        }
        RoadmapCommand::Restore { id } => {
            let db = write_db(ctx)?;
            let item = items::restore(&db.conn, &render::env(), &actor(), &id)?;
            emit(ctx.json, &item, || {
                format!("Restored {} {}", item.id, item.title)
            });
            Ok(0)
        }
        RoadmapCommand::History { id } => {
            let db = db::open_read(&ctx.db_path)?;
            let h = items::history(&db.conn, &id)?;
            emit(ctx.json, &h, || super::program::history_text(&h));
            Ok(0)
        }
        RoadmapCommand::Export(a) => export_cmd(ctx, a),
        RoadmapCommand::Graph(a) => graph_cmd(ctx, a),
    }
}

/// The role the host gives the caller: `MC_AGENT_ROLE`, else `MC_ROLE`, else `reviewer`
/// for the original's `MC_REVIEWER=1`.
fn host_role() -> Option<String> {
    std::env::var("MC_AGENT_ROLE")
        .or_else(|_| std::env::var("MC_ROLE"))
        .ok()
        .filter(|r| !r.trim().is_empty())
        .or_else(|| {
            matches!(
                std::env::var("MC_REVIEWER").as_deref(),
                Ok("1") | Ok("true")
            )
            .then(|| "reviewer".to_string())
        })
}

fn write_db(ctx: &Ctx) -> Result<db::Db, CliError> {
    db::open_write(&ctx.db_path).map(|(db, _)| db)
}

fn item_line(i: &Item) -> String {
    format!("{} [{}] {} ({})", i.id, i.status_key, i.title, i.phase_key)
}

fn item_text(i: &Item) -> String {
    let mut s = format!(
        "{}  {}\n  phase: {}  status: {}  type: {}  rank: {}",
        i.id,
        i.title,
        i.phase_key,
        i.status_key,
        i.item_type,
        render::rank(i.rank)
    );
    for (label, v) in [
        ("owner", &i.owner),
        ("description", &i.description),
        ("target date", &i.target_date),
        ("feature", &i.feature_id),
        ("change request", &i.cr_id),
        ("external id", &i.external_id),
        ("external url", &i.external_url),
        ("completed at", &i.completed_at),
        ("deleted at", &i.deleted_at),
    ] {
        if let Some(v) = v {
            s.push_str(&format!("\n  {label}: {v}"));
        }
    }
    s
}

fn items_table(items: &[Item]) -> String {
    let rows: Vec<[&str; 5]> = items
        .iter()
        .map(|i| [&i.id, &i.status_key, &i.phase_key, &i.title, ""])
        .collect();
    let ranks: Vec<Option<f64>> = items.iter().map(|i| i.rank).collect();
    rank_table(&rows, &ranks)
}

fn summary_table(items: &[ItemSummary]) -> String {
    let rows: Vec<[&str; 5]> = items
        .iter()
        .map(|i| [&i.id, &i.status_key, &i.phase_key, &i.title, ""])
        .collect();
    let ranks: Vec<Option<f64>> = items.iter().map(|i| i.rank).collect();
    rank_table(&rows, &ranks)
}

fn rank_table(rows: &[[&str; 5]], ranks: &[Option<f64>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .zip(ranks)
        .map(|(r, rank)| {
            vec![
                r[0].to_string(),
                render::rank(*rank),
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
            ]
        })
        .collect();
    table(&["ID", "RANK", "STATUS", "PHASE", "TITLE"], &rows)
}

fn add(ctx: &Ctx, a: AddArgs) -> Result<u8, CliError> {
    let db = write_db(ctx)?;
    let input = motus_core::roadmap::calls::AddInput {
        title: a.title,
        phase_key: a.phase,
        id: a.id,
        item_type: a.item_type,
        status_key: a.status,
        description: a.description,
        owner: a.owner,
        rank: a.rank,
        before: a.before,
        after: a.after,
        target_date: a.target_date,
        feature_id: a.feature,
        cr_id: a.cr,
        external_id: a.external_id,
        external_url: a.external_url,
        depends_on: a.depends_on,
    };
    let added = motus_core::roadmap::calls::add(&db.conn, &render::env(), &actor(), &input)?;
    emit(ctx.json, &added, || {
        let mut s = format!("Added {}", item_line(&added.item));
        if !added.depends_on.is_empty() {
            let on: Vec<&str> = added
                .depends_on
                .iter()
                .map(|e| e.depends_on_id.as_str())
                .collect();
            s.push_str(&format!("\nDepends on: {}", on.join(", ")));
        }
        s
    });
    Ok(0)
}

fn update(ctx: &Ctx, a: UpdateArgs) -> Result<u8, CliError> {
    let db = write_db(ctx)?;
    let input = calls::UpdateInput {
        title: a.title,
        phase_key: a.phase,
        status_key: a.status,
        item_type: a.item_type,
        description: a.description,
        owner: a.owner,
        rank: a.rank,
        before: a.before,
        after: a.after,
        target_date: a.target_date,
        feature_id: a.feature,
        cr_id: a.cr,
        external_id: a.external_id,
        external_url: a.external_url,
    };
    let item = calls::update(&db.conn, &render::env(), &actor(), &a.id, &input)?;
    emit(ctx.json, &item, || format!("Updated {}", item_line(&item)));
    Ok(0)
}

fn show(ctx: &Ctx, id: &str) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let v = calls::show(&db.conn, id)?;
    emit(ctx.json, &v, || {
        let mut s = item_text(&v.item);
        for e in &v.depends_on {
            s.push_str(&format!(
                "\n  depends on: {} ({})",
                e.depends_on_id, e.dependency_type
            ));
        }
        for e in &v.dependents {
            s.push_str(&format!(
                "\n  needed by: {} ({})",
                e.item_id, e.dependency_type
            ));
        }
        for a in &v.assignments {
            s.push_str(&format!(
                "\n  assigned: {} as {} ({})",
                a.agent_id, a.role, a.status
            ));
        }
        if v.ready {
            s.push_str("\n  ready: yes");
        } else {
            for r in &v.reasons {
                s.push_str(&format!("\n  not ready: {r}"));
            }
        }
        s
    });
    Ok(0)
}

fn list(ctx: &Ctx, a: ListArgs) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let all = calls::list(
        &db.conn,
        &calls::ListInput {
            phase_key: a.phase,
            status_key: a.status,
            item_type: a.item_type,
            owner: a.owner,
            all: a.all,
            deleted: a.deleted,
        },
    )?;
    emit(ctx.json, &all, || {
        let all = &all.items;
        let done = all.iter().filter(|i| i.is_completed()).count();
        format!(
            "Roadmap: {} items ({} completed)\n{}",
            all.len(),
            done,
            items_table(all)
        )
    });
    Ok(0)
}

fn item_status(ctx: &Ctx, id: &str, agent: Option<String>) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let caller = agent.unwrap_or_else(actor);
    let a = queue::status(&db.conn, render::CLOCK.now(), &caller, id)?;
    Ok(emit_answer(ctx.json, &a, |a| {
        let mut s = format!("{} [{}] {}\n{}", a.id, a.status_key, a.title, a.message);
        for b in &a.blockers {
            s.push_str(&format!("\n  - {b}"));
        }
        if a.ready && a.held_by.is_none() {
            s.push_str(&format!("\nNext: motus work claim {}", a.id));
        } else if a.is_blocked {
            s.push_str(&format!("\nNext: motus roadmap why {}", a.id));
        }
        s
    }))
}

fn my_work(ctx: &Ctx, agent: Option<String>) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let agent = agent.unwrap_or_else(actor);
    let a = queue::my_work(&db.conn, render::CLOCK.now(), &agent)?;
    Ok(emit_answer(ctx.json, &a, |a| {
        if a.items.is_empty() {
            return format!(
                "No work for {}: see `motus roadmap ready`, or `motus work claim --next`",
                a.agent_id
            );
        }
        let rows: Vec<Vec<String>> = a
            .items
            .iter()
            .map(|i| {
                vec![
                    i.item.id.clone(),
                    i.item.status_key.clone(),
                    i.role.clone().unwrap_or_else(|| "-".into()),
                    i.lease_id.clone().unwrap_or_else(|| "-".into()),
                    i.item.title.clone(),
                ]
            })
            .collect();
        format!(
            "Your work, {} ({} items)\n{}",
            a.agent_id,
            a.count,
            table(&["ID", "STATUS", "ROLE", "LEASE", "TITLE"], &rows)
        )
    }))
}

fn ready(
    ctx: &Ctx,
    limit: Option<usize>,
    phase: Option<&str>,
    assignee: Option<&str>,
) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let ready = calls::ready(
        &db.conn,
        &calls::ReadyInput {
            limit,
            all: limit.is_none(),
            phase: phase.map(str::to_string),
            assignee: assignee.map(str::to_string),
        },
    )?;
    emit(ctx.json, &ready, || {
        let ready = &ready.items;
        if ready.is_empty() {
            return "No items ready. See what holds them back: `motus roadmap blocked`".into();
        }
        format!(
            "Ready to work ({} items)\n{}\nNext: motus roadmap assign {} <agent>",
            ready.len(),
            summary_table(ready),
            ready[0].id
        )
    });
    Ok(0)
}

fn blocked(ctx: &Ctx) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let blocked = calls::blocked(&db.conn)?;
    emit(ctx.json, &blocked, || {
        let blocked = &blocked.items;
        if blocked.is_empty() {
            return "Nothing is blocked".into();
        }
        let rows: Vec<Vec<String>> = blocked
            .iter()
            .map(|b| {
                let mut held = b.blocking_dependencies.clone();
                held.extend(b.blockers.iter().map(|id| format!("blocker {id}")));
                vec![
                    b.item.id.clone(),
                    b.item.status_key.clone(),
                    b.item.title.clone(),
                    held.join(", "),
                ]
            })
            .collect();
        format!(
            "Blocked ({} items)\n{}",
            blocked.len(),
            table(&["ID", "STATUS", "TITLE", "WAITING FOR"], &rows)
        )
    });
    Ok(0)
}

/// How deep `roadmap why` indents its chain before it writes the depth instead.
const MAX_INDENT: usize = 8;

fn why(ctx: &Ctx, id: &str) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let w = readiness::why(&db.conn, id)?;
    emit(ctx.json, &w, || {
        if w.ready {
            return format!("{} is ready: nothing holds it back", w.id);
        }
        let mut s = format!("{} '{}' is not ready:", w.id, w.title);
        for r in &w.reasons {
            s.push_str(&format!("\n  - {r}"));
        }
        if w.blocking_dependencies.len() > 1
            || w.blocking_dependencies
                .iter()
                .any(|n| !n.blockers.is_empty())
        {
            s.push_str("\nChain:");
            for n in &w.blocking_dependencies {
                let deleted = if n.deleted { ", deleted" } else { "" };
                // Indented by depth up to a point: a deep chain's text stays linear in size.
                let indent = (n.depth - 1).min(MAX_INDENT);
                let far = if n.depth > MAX_INDENT {
                    format!("(depth {}) ", n.depth)
                } else {
                    String::new()
                };
                s.push_str(&format!(
                    "\n  {}{far}{} [{}{deleted}] {}",
                    "  ".repeat(indent),
                    n.id,
                    n.status_key,
                    n.title
                ));
                for b in &n.blockers {
                    s.push_str(&format!(" (blocker {}: {})", b.id, b.title));
                }
            }
        }
        if !w.roots.is_empty() {
            s.push_str(&format!("\nStart with: {}", w.roots.join(", ")));
        }
        s
    });
    Ok(0)
}

fn dep(ctx: &Ctx, cmd: DepCommand) -> Result<u8, CliError> {
    let db = write_db(ctx)?;
    let env = render::env();
    match cmd {
        DepCommand::Add {
            item,
            depends_on,
            dep_type,
            notes,
        } => {
            let kind = DependencyType::parse(&dep_type)?;
            let e = dependencies::add(
                &db.conn,
                &env,
                &actor(),
                &item,
                &depends_on,
                kind,
                notes.as_deref(),
            )?;
            emit(ctx.json, &e, || {
                format!(
                    "{} now depends on {} ({})",
                    e.item_id, e.depends_on_id, e.dependency_type
                )
            });
        }
        DepCommand::Rm { item, depends_on } => {
            let e = dependencies::remove(&db.conn, &env, &actor(), &item, &depends_on)?;
            emit(ctx.json, &e, || {
                format!("Removed dependency {} -> {}", e.item_id, e.depends_on_id)
            });
        }
        DepCommand::Move { item, old, new } => {
            let e = dependencies::retarget(&db.conn, &env, &actor(), &item, &old, &new)?;
            emit(ctx.json, &e, || {
                format!(
                    "{} now depends on {} instead of {old} ({})",
                    e.item_id, e.depends_on_id, e.dependency_type
                )
            });
        }
    }
    Ok(0)
}

fn assign(
    ctx: &Ctx,
    id: &str,
    agent: &str,
    role: &str,
    notes: Option<&str>,
) -> Result<u8, CliError> {
    let db = write_db(ctx)?;
    let out = assignments::assign(&db.conn, &render::env(), &actor(), id, agent, role, notes)?;
    emit(ctx.json, &out, || {
        let a = &out.assignment;
        let mut s = format!(
            "Assigned {} to {} as {} ({})",
            a.agent_id, a.item_id, a.role, a.status
        );
        if !out.surfaced_prerequisites.is_empty() {
            s.push_str("\nUnfinished prerequisites nobody is assigned to:");
            for p in &out.surfaced_prerequisites {
                s.push_str(&format!(
                    "\n  {} [{}] {} (depth {})",
                    p.item_id, p.status_key, p.title, p.depth
                ));
            }
        }
        s
    });
    Ok(0)
}

fn release(ctx: &Ctx, id: &str, agent: Option<String>) -> Result<u8, CliError> {
    let db = write_db(ctx)?;
    let who = agent.unwrap_or_else(actor);
    let r = assignments::release(&db.conn, &render::env(), &actor(), id, &who)?;
    emit(ctx.json, &r, || {
        let mut s = format!(
            "Released {} from {id} ({} assignment(s) dropped)",
            who,
            r.dropped.len()
        );
        if r.item_reset_to_pending {
            s.push_str(&format!("\n{id} is pending again"));
        }
        s
    });
    Ok(0)
}

fn scope(phase: Option<String>, include_deleted: bool) -> export::Scope {
    export::Scope {
        phase_key: phase,
        include_deleted,
    }
}

/// Prints or writes an export; with --json, the document says where it went or holds the
/// text.
fn deliver(
    ctx: &Ctx,
    output: Option<PathBuf>,
    force: bool,
    format: &str,
    text: String,
    items: usize,
) -> Result<u8, CliError> {
    match &output {
        Some(path) => {
            crate::files::write_output(&ctx.db_path, path, text.as_bytes(), force)?;
            let doc = ExportAnswer {
                format: format.into(),
                items,
                path: Some(path.display().to_string()),
                content: None,
            };
            emit(ctx.json, &doc, || {
                format!("Exported {items} items to {}", path.display())
            });
        }
        None if ctx.json => {
            let doc = ExportAnswer {
                format: format.into(),
                items,
                path: None,
                content: Some(text),
            };
            emit(true, &doc, String::new);
        }
        None => render::print_document(&text),
    }
    Ok(0)
}

fn export_cmd(ctx: &Ctx, a: ExportArgs) -> Result<u8, CliError> {
    let format = match a.format {
        ExportFormat::Markdown => "markdown",
        ExportFormat::Json => "json",
    };
    rendered(
        ctx,
        format,
        scope(a.phase, a.include_deleted),
        a.output,
        a.force,
    )
}

fn graph_cmd(ctx: &Ctx, a: GraphArgs) -> Result<u8, CliError> {
    let format = match a.format {
        GraphFormat::Dot => "dot",
        GraphFormat::Mermaid => "mermaid",
    };
    rendered(
        ctx,
        format,
        scope(a.phase, a.include_deleted),
        a.output,
        a.force,
    )
}

fn rendered(
    ctx: &Ctx,
    format: &str,
    scope: export::Scope,
    output: Option<PathBuf>,
    force: bool,
) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let (n, text) = export::render(&db.conn, render::CLOCK.now(), &scope, format)?;
    deliver(ctx, output, force, format, text, n)
}
