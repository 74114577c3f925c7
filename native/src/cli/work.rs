//! `motus work …`: the kernel's calls on the command line. Every command prints one JSON
//! object with `--json`; the exit code is 0 only when the call was granted or accepted.

use super::ctx::Ctx;
use crate::db;
use crate::host::{OsIds, SystemClock};
use crate::output::{emit_answer, CliError};
use clap::{Args, Subcommand};
use motus_core::answer::work::{self as answers, *};
use motus_core::kernel::{canonical::Sha256Stream, lease, Options};
use motus_core::{Clock, Env};
use serde_json::Value;
use std::io::Read;

#[derive(Debug, Subcommand)]
pub enum WorkCommand {
    /// Claim a work item: a lease on its resources and an attempt on the item
    Claim(ClaimArgs),
    /// Assemble the context of a live lease (work item, prerequisites, blockers, records)
    Context {
        /// The lease (from `motus work claim`)
        lease_id: String,
        /// What you are about to do now (recorded with the context)
        #[arg(short, long)]
        intent: Option<String>,
    },
    /// Register an outcome (a file, a change, an artifact) on a live lease
    Outcome {
        /// The lease (from `motus work claim`)
        lease_id: String,
        /// What was produced: file, change, artifact, …
        outcome_type: String,
        /// The file or location of the outcome
        #[arg(short, long)]
        path: Option<String>,
        /// What it is, for people
        #[arg(short, long)]
        description: Option<String>,
        /// Extra metadata as a JSON object
        #[arg(long, value_name = "JSON")]
        metadata: Option<String>,
    },
    /// Record hashed evidence on a live lease
    Evidence(EvidenceArgs),
    /// Record a decision on a live lease
    Decision {
        /// The lease (from `motus work claim`)
        lease_id: String,
        /// The decision, in one sentence
        decision: String,
        /// Why it was decided
        #[arg(short, long)]
        rationale: Option<String>,
        /// An alternative that was considered (repeatable)
        #[arg(short, long = "alternative")]
        alternatives: Vec<String>,
        /// A constraint the decision respects (repeatable)
        #[arg(long = "constraint")]
        constraints: Vec<String>,
        /// Decision type
        #[arg(long = "type", default_value = "approval", value_parser = clap::builder::PossibleValuesParser::new(motus_core::kernel::records::DECISION_TYPES.iter().copied()))]
        decision_type: String,
    },
    /// Release a lease: success | failure | partial | aborted
    Release {
        /// The lease to release
        lease_id: String,
        /// How the work ended
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(["success", "failure", "partial", "aborted"]))]
        outcome: String,
        /// Do not report a rollback for failure/aborted
        #[arg(long)]
        no_rollback: bool,
    },
    /// Show one lease with everything recorded on it (read-only)
    Status {
        /// The lease to show
        lease_id: String,
    },
    /// List live leases (read-only)
    List {
        /// Include released, aborted and expired leases
        #[arg(long)]
        all: bool,
        /// Only the leases this agent holds (with --all: held)
        #[arg(long)]
        agent: Option<String>,
    },
    /// Expire every overdue lease now
    Cleanup,
    /// Renew a live lease for its ttl (or --ttl seconds)
    Heartbeat {
        /// The lease to renew
        lease_id: String,
        /// New lease length in seconds (1..=604800) [default: the lease's own]
        #[arg(long, value_parser = ttl_range(), allow_negative_numbers = true)]
        ttl: Option<i64>,
    },
    /// Hand a live lease's work to another agent
    Handoff {
        /// The lease whose work is handed over
        lease_id: String,
        /// The agent that takes the work over
        to_agent: String,
        /// Why the work changes hands
        #[arg(long)]
        reason: String,
    },
    /// Operator only (MC_AGENT_ROLE=operator|architect): abort a lease, or every lease on a resource
    ForceRelease {
        /// The lease to abort
        #[arg(required_unless_present = "resource")]
        lease_id: Option<String>,
        /// Abort every lease holding TYPE:PATH instead
        #[arg(long, value_name = "TYPE:PATH", conflicts_with = "lease_id")]
        resource: Option<String>,
        /// Why the lease is aborted (recorded in the audit log)
        #[arg(long)]
        reason: String,
        /// The operator acting [env: MC_AGENT_ID]
        #[arg(short, long, env = "MC_AGENT_ID", default_value = "default")]
        agent: String,
    },
    /// Record a blocker on a lease's work item (or on a work item by id)
    Block {
        /// A lease id or a work item id
        target: String,
        /// Why the work is blocked
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(motus_core::kernel::blockers::BLOCKER_REASONS.iter().copied()))]
        reason_code: String,
        /// The blocker, in one line
        title: String,
        /// More detail on the blocker
        #[arg(short, long)]
        description: Option<String>,
        /// What would unblock it
        #[arg(long)]
        needs: Option<String>,
        /// blocking (holds the item back) or warning
        #[arg(long, default_value = "blocking", value_parser = clap::builder::PossibleValuesParser::new(["blocking", "warning"]))]
        severity: String,
        /// The agent recording the blocker [env: MC_AGENT_ID]
        #[arg(short, long, env = "MC_AGENT_ID", default_value = "default")]
        agent: String,
    },
    /// Resolve a blocker: a written resolution plus later evidence or a waiver
    Unblock {
        /// The blocker (its id from `motus work block`)
        blocker_id: String,
        /// How it was resolved
        #[arg(long)]
        resolution: String,
        /// Record a waiver decision with this text as the justification
        #[arg(long)]
        waiver: Option<String>,
        /// The agent resolving it [env: MC_AGENT_ID]
        #[arg(short, long, env = "MC_AGENT_ID", default_value = "default")]
        agent: String,
    },
    /// Recompute and check every evidence hash of a lease or work item (read-only)
    Verify {
        /// A lease id or a work item id
        target: String,
    },
}

#[derive(Debug, Args)]
pub struct ClaimArgs {
    /// The work item (a roadmap item id, or ADHOC-<name> for ad hoc work)
    #[arg(required_unless_present = "next", conflicts_with = "next")]
    pub task_id: Option<String>,
    /// Claim the first ready roadmap item (by rank) that the filters allow and nobody
    /// holds, in one transaction; refused (DENY_NO_READY_WORK) only when none is left
    #[arg(long, conflicts_with_all = ["resources", "mode"])]
    pub next: bool,
    /// With --next: only items of this phase
    #[arg(long)]
    pub phase: Option<String>,
    /// With --next: only items assigned to this agent (open assignment or owner)
    #[arg(long)]
    pub assignee: Option<String>,
    /// With --next: only items of this type (work, gate, holding, integration)
    #[arg(long = "type")]
    pub item_type: Option<String>,
    /// What you intend to do (shown to others in the lease)
    #[arg(short, long)]
    pub intent: Option<String>,
    /// The agent claiming the work [env: MC_AGENT_ID]
    #[arg(short, long, env = "MC_AGENT_ID", default_value = "default")]
    pub agent: String,
    /// Lease length in seconds (1..=604800)
    #[arg(long, default_value_t = lease::DEFAULT_TTL_S, allow_negative_numbers = true, value_parser = ttl_range())]
    pub ttl: i64,
    /// A resource TYPE:PATH (repeatable; default task:<task_id>; no colon means file:<spec>)
    #[arg(short, long = "resource", value_name = "TYPE:PATH")]
    pub resources: Vec<String>,
    /// Shared reads or an exclusive write [default: write]
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(["read", "write"]))]
    pub mode: Option<String>,
    /// Claim an item assigned to another agent anyway (recorded on the lease)
    #[arg(long)]
    pub override_assignment: bool,
}

/// `--ttl`: a lease lasts 1 s to 7 days; anything else is a usage error naming the range.
fn ttl_range() -> clap::builder::RangedI64ValueParser<i64> {
    clap::value_parser!(i64).range(1..=lease::MAX_TTL_S)
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// The lease (from `motus work claim`)
    pub lease_id: String,
    /// What the evidence is
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(motus_core::kernel::records::EVIDENCE_TYPES.iter().copied()))]
    pub evidence_type: String,
    /// Number of tests that passed
    #[arg(long)]
    pub passed: Option<u64>,
    /// Number of tests that failed
    #[arg(long)]
    pub failed: Option<u64>,
    /// Number of tests skipped
    #[arg(long)]
    pub skipped: Option<u64>,
    /// A diff, as text
    #[arg(long)]
    pub diff: Option<String>,
    /// A log excerpt, as text
    #[arg(long)]
    pub log: Option<String>,
    /// Attach a file by its SHA-256 and size
    #[arg(long, value_name = "PATH")]
    pub file: Option<std::path::PathBuf>,
    /// Artifacts as a JSON object
    #[arg(long, value_name = "JSON")]
    pub artifacts: Option<String>,
}

pub(crate) fn options() -> Options {
    Options {
        metrics: !matches!(
            std::env::var("MC_METRICS_ENABLED").as_deref(),
            Ok("0") | Ok("false") | Ok("no")
        ),
    }
}

fn parse_json_object(field: &str, text: &Option<String>) -> Result<Option<Value>, CliError> {
    match text {
        None => Ok(None),
        Some(t) => match serde_json::from_str::<Value>(t) {
            Ok(v @ Value::Object(_)) => Ok(Some(v)),
            Ok(_) => Err(CliError::usage(format!("--{field} must be a JSON object"))),
            Err(e) => Err(CliError::usage(format!("--{field} is not valid JSON: {e}"))),
        },
    }
}

pub fn run(ctx: &Ctx, cmd: WorkCommand) -> Result<u8, CliError> {
    let clock = SystemClock;
    let ids = OsIds;
    let env = Env::new(&clock, &ids);
    match cmd {
        WorkCommand::Status { lease_id } => return status(ctx, &lease_id),
        WorkCommand::List { all, agent } => return list(ctx, all, agent.as_deref()),
        WorkCommand::Verify { target } => return verify(ctx, &target),
        _ => {}
    }
    let (db, _) = db::open_write(&ctx.db_path)?;
    if let Some(file) = db.conn.file() {
        file.skip_checkpoint_on_close()?;
    }
    let code = write_command(ctx, &db.conn, &env, cmd);
    checkpoint_if_large(&db);
    code
}

/// The WAL this process leaves behind (see `skip_checkpoint_on_close`) is folded back into
/// the database once it passes a few MB, so opening it stays cheap.
const WAL_CHECKPOINT_BYTES: u64 = 4 << 20;

fn checkpoint_if_large(db: &db::Db) {
    if db.conn.is_cluster() {
        return; // the nodes checkpoint their own WAL
    }
    let wal = std::fs::metadata(crate::paths::side_file(&db.path, "-wal")).map_or(0, |m| m.len());
    if wal > WAL_CHECKPOINT_BYTES {
        // Best effort: a busy checkpoint is retried by a later call.
        let _ = motus_core::engine::local_file::checkpoint_truncate(&db.conn);
    }
}

fn write_command(
    ctx: &Ctx,
    conn: &crate::cluster::DbConn,
    env: &Env,
    cmd: WorkCommand,
) -> Result<u8, CliError> {
    let env = *env;
    let opts = options();
    let json = ctx.json;
    Ok(match cmd {
        WorkCommand::Claim(a) if a.next => {
            let input = ClaimNextInput {
                phase: a.phase,
                assignee: a.assignee,
                item_type: a.item_type,
                intent: a.intent,
                agent_id: Some(a.agent),
                ttl_s: Some(a.ttl),
            };
            let r = answers::claim_next(conn, &env, &opts, input)?;
            emit_answer(json, &r, |r| {
                let mut s = claim_text(&r.claim);
                for k in &r.skipped {
                    s.push_str(&format!("\nSkipped: {} ({})", k.work_id, k.reason_code));
                }
                s
            })
        }
        WorkCommand::Claim(a) => {
            if a.phase.is_some() || a.assignee.is_some() || a.item_type.is_some() {
                return Err(CliError::usage(
                    "--phase, --assignee and --type filter `work claim --next`; a claim of a named item takes none of them",
                ));
            }
            let input = ClaimInput {
                work_id: a.task_id.expect("clap requires a task id without --next"),
                intent: a.intent,
                agent_id: Some(a.agent),
                ttl_s: Some(a.ttl),
                resources: a.resources,
                mode: a.mode,
                override_assignment: a.override_assignment,
            };
            let r = answers::claim(conn, &env, &opts, input)?;
            emit_answer(json, &r, claim_text)
        }
        WorkCommand::Context { lease_id, intent } => {
            let r = answers::context(conn, &env, &opts, ContextInput { lease_id, intent })?;
            emit_answer(json, &r, context_text)
        }
        WorkCommand::Outcome {
            lease_id,
            outcome_type,
            path,
            description,
            metadata,
        } => {
            let input = OutcomeInput {
                outcome_type,
                path,
                description,
                metadata: parse_json_object("metadata", &metadata)?,
            };
            let r = answers::outcome(conn, &env, &opts, &lease_id, input.clone())?;
            emit_answer(json, &r, |r| {
                recorded_text(r.accepted, &r.message, || {
                    format!(
                        "Outcome registered: {}\nType: {}",
                        r.outcome_id.as_deref().unwrap_or(""),
                        input.outcome_type
                    )
                })
            })
        }
        WorkCommand::Evidence(a) => {
            let file = a.file.as_deref().map(hash_file).transpose()?;
            let input = EvidenceInput {
                evidence_type: a.evidence_type,
                passed: a.passed,
                failed: a.failed,
                skipped: a.skipped,
                diff: a.diff,
                log: a.log,
                artifacts: parse_json_object("artifacts", &a.artifacts)?,
                file,
            };
            let r = answers::evidence(conn, &env, &opts, &a.lease_id, input.clone())?;
            emit_answer(json, &r, |r| {
                recorded_text(r.accepted, &r.message, || {
                    format!(
                        "Evidence recorded: {}\nType: {}",
                        r.evidence_id.as_deref().unwrap_or(""),
                        input.evidence_type
                    )
                })
            })
        }
        WorkCommand::Decision {
            lease_id,
            decision,
            rationale,
            alternatives,
            constraints,
            decision_type,
        } => {
            let input = DecisionInput {
                decision,
                rationale,
                alternatives,
                constraints,
                decision_type: Some(decision_type),
            };
            let r = answers::decision(conn, &env, &opts, &lease_id, input)?;
            emit_answer(json, &r, |r| {
                recorded_text(r.accepted, &r.message, || {
                    format!(
                        "Decision logged: {}",
                        r.decision_id.as_deref().unwrap_or("")
                    )
                })
            })
        }
        WorkCommand::Release {
            lease_id,
            outcome,
            no_rollback,
        } => {
            let input = ReleaseInput {
                lease_id,
                outcome,
                no_rollback,
            };
            let r = answers::release(conn, &env, &opts, input)?;
            emit_answer(json, &r, |r| match &r.lease_status {
                Some(status) => {
                    let mut s = format!(
                        "Released: {}\nFinal status: {}",
                        r.verdict.reason_code,
                        status.as_str()
                    );
                    for w in &r.warnings {
                        s.push_str(&format!("\nWarning: {w}"));
                    }
                    s
                }
                None => verdict_text(&r.verdict, None, &[]),
            })
        }
        WorkCommand::Cleanup => {
            let r = answers::cleanup(conn, &env)?;
            emit_answer(json, &r, |r| {
                format!("Expired leases: {}", r.cleanup.expired_count)
            })
        }
        WorkCommand::Heartbeat { lease_id, ttl } => {
            let input = HeartbeatInput {
                lease_id,
                ttl_s: ttl,
            };
            let r = answers::heartbeat(conn, &env, &opts, input)?;
            emit_answer(json, &r, |r| match (r.expires_at, r.verdict.decision) {
                (Some(t), motus_core::kernel::Verdict::Granted) => {
                    format!("Renewed: {}\nExpires: {}", r.lease_id, t.to_rfc3339())
                }
                _ => verdict_text(&r.verdict, None, &r.suggested_next_actions),
            })
        }
        WorkCommand::Handoff {
            lease_id,
            to_agent,
            reason,
        } => {
            let input = HandoffInput {
                lease_id,
                to_agent_id: to_agent,
                reason,
            };
            let r = answers::handoff(conn, &env, &opts, input)?;
            emit_answer(json, &r, |r| match &r.lease_id {
                Some(id) => format!(
                    "Handed off to {}\nNew lease ID: {id}\nExpires: {}",
                    r.agent_id,
                    r.expires_at.map(|t| t.to_rfc3339()).unwrap_or_default()
                ),
                None => verdict_text(&r.verdict, None, &[]),
            })
        }
        WorkCommand::ForceRelease {
            lease_id,
            resource,
            reason,
            agent,
        } => {
            let role = std::env::var("MC_AGENT_ROLE")
                .or_else(|_| std::env::var("MC_ROLE"))
                .ok();
            let input = ForceReleaseInput {
                lease_id,
                resource,
                reason,
                agent_id: Some(agent),
                role,
            };
            let r = answers::force_release(conn, &env, input)?;
            emit_answer(json, &r, |r| {
                let mut s = verdict_text(&r.verdict, None, &r.suggested_next_actions);
                for id in &r.released {
                    s.push_str(&format!("\nAborted: {id}"));
                }
                s
            })
        }
        WorkCommand::Block {
            target,
            reason_code,
            title,
            description,
            needs,
            severity,
            agent,
        } => {
            let input = BlockInput {
                target,
                reason_code,
                title,
                description,
                needs,
                severity: Some(severity),
                agent_id: Some(agent),
            };
            let r = answers::block(conn, &env, input)?;
            emit_answer(json, &r, |r| {
                let b = &r.blocker;
                format!("Blocker recorded: {}\nWork item: {}\nResolve with: motus work unblock {} --resolution TEXT (--waiver TEXT, or record evidence first)", b.blocker_id, b.work_id, b.blocker_id)
            })
        }
        WorkCommand::Unblock {
            blocker_id,
            resolution,
            waiver,
            agent,
        } => {
            let input = UnblockInput {
                blocker_id,
                resolution,
                waiver,
                agent_id: Some(agent),
            };
            let r = answers::unblock(conn, &env, input)?;
            emit_answer(json, &r, |r| {
                format!(
                    "Blocker resolved: {}\nWork item: {}",
                    r.blocker.blocker_id, r.blocker.work_id
                )
            })
        }
        WorkCommand::Status { .. } | WorkCommand::List { .. } | WorkCommand::Verify { .. } => {
            unreachable!("handled above")
        }
    })
}

fn claim_text(r: &ClaimAnswer) -> String {
    match &r.lease_id {
        Some(id) => format!(
            "Claimed: {}\nLease ID: {id}\nExpires: {}\nNext: motus work context {id}",
            r.work_id.as_deref().unwrap_or(""),
            r.expires_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        ),
        None => verdict_text(&r.verdict, r.owner.as_ref(), &r.suggested_next_actions),
    }
}

fn verdict_text(
    v: &VerdictHead,
    owner: Option<&motus_core::kernel::reason::Owner>,
    actions: &[String],
) -> String {
    let mut s = format!("{}: {}", v.reason_code, v.message);
    if let Some(o) = owner {
        s.push_str(&format!("\nHeld by: {}", o.agent_id));
        if let Some(l) = &o.lease_id {
            s.push_str(&format!(" ({l})"));
        }
    }
    for a in actions {
        s.push_str(&format!("\nNext: {a}"));
    }
    s
}

fn context_text(r: &ContextAnswer) -> String {
    let l = &r.lens;
    if r.verdict.decision != motus_core::kernel::Verdict::Granted {
        let mut s = verdict_text(&r.verdict, None, &[]);
        for w in &l.warnings {
            s.push_str(&format!(
                "\nWarning: {}",
                w["message"].as_str().unwrap_or("")
            ));
        }
        return s;
    }
    let mut s = format!(
        "Context assembled\nLens: {} ({})  hash {}\nResources: {}\n",
        l.lens_version,
        l.tier,
        &l.lens_hash[..12.min(l.lens_hash.len())],
        l.resources.join(", ")
    );
    if let Some(item) = &l.work_item {
        s.push_str(&format!(
            "Work item: {} — {} [{}]\n",
            item["id"].as_str().unwrap_or(""),
            item["title"].as_str().unwrap_or(""),
            item["status"].as_str().unwrap_or("")
        ));
    }
    s.push_str(&format!(
        "Missing prerequisites: {}\nOpen blockers: {}\nEvidence: {}  Decisions: {}  Outcomes: {}",
        l.missing_prereqs.len(),
        l.open_blockers.len(),
        l.evidence.len(),
        l.decisions.len(),
        l.outcomes.len()
    ));
    s
}

fn recorded_text(accepted: bool, message: &str, human: impl FnOnce() -> String) -> String {
    if accepted {
        human()
    } else {
        message.to_string()
    }
}

pub(crate) fn hash_file(path: &std::path::Path) -> Result<FileInput, CliError> {
    let fail =
        |e: std::io::Error| CliError::failed("io", format!("cannot read {}: {e}", path.display()));
    if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(CliError::usage(format!(
            "{} is a directory; --file takes a file",
            path.display()
        )));
    }
    // Regular files only, opened without blocking: a FIFO or a device (`/dev/zero`) would
    // otherwise hang the call or never end.
    let mut f = crate::paths::open_regular(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidInput {
            CliError::failed(
                "not_a_regular_file",
                format!(
                    "{} is not a regular file (a FIFO, device or socket); evidence files must be regular files",
                    path.display()
                ),
            )
        } else {
            fail(e)
        }
    })?;
    let mut h = Sha256Stream::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(fail)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    let (sha256, size_bytes) = h.finish();
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(FileInput {
        path: abs.display().to_string(),
        sha256,
        size_bytes,
    })
}

fn status(ctx: &Ctx, lease_id: &str) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let r = answers::status(&db.conn, SystemClock.now(), lease_id)?;
    Ok(emit_answer(ctx.json, &r, |r| {
        match &r.lease {
        None => format!("Lease not found: {lease_id}"),
        Some(l) => format!(
            "Lease: {}\nStatus: {}\nAgent: {}\nWork: {}\nExpires: {}\nOutcomes: {}  Evidence: {}  Decisions: {}  Events: {}",
            l.lease_id,
            r.lease_status,
            l.owner_agent_id,
            l.work_id.as_deref().unwrap_or("-"),
            l.deadline().to_rfc3339(),
            r.outcomes.len(),
            r.evidence.len(),
            r.decisions.len(),
            r.events.len()
        ),
    }
    }))
}

fn list(ctx: &Ctx, all: bool, agent: Option<&str>) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let r = answers::list_for(&db.conn, SystemClock.now(), all, agent)?;
    Ok(emit_answer(ctx.json, &r, |r| {
        let items = &r.list.items;
        if items.is_empty() {
            return "No leases found.".into();
        }
        let mut s = format!(
            "{} ({})\n",
            if all { "Leases" } else { "Active Leases" },
            items.len()
        );
        for i in items {
            s.push_str(&format!(
                "{}  {}  {}  {}  expires {}\n",
                i.lease_id,
                i.work_id.as_deref().unwrap_or("-"),
                i.agent_id,
                i.status.as_str(),
                i.expires_at
            ));
        }
        s
    }))
}

fn verify(ctx: &Ctx, target: &str) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    // A file attached by hash must still hash the same, if it is still there; one replaced by
    // a FIFO or a device is not the file that was recorded (reported changed, never read).
    let rehash = |path: &str| match hash_file(std::path::Path::new(path)) {
        Ok(f) => Some(f.sha256),
        Err(e) if e.code == "not_a_regular_file" => Some(String::new()),
        Err(_) => None,
    };
    let mut bar =
        crate::progress::Bar::new("verifying", &[(motus_core::progress::Step::Verifying, 1)]);
    let r = answers::verify_with_progress(&db.conn, target, Some(&rehash), &mut bar)?;
    drop(bar);
    Ok(emit_answer(ctx.json, &r, |r| {
        let mut s = String::new();
        for e in &r.evidence {
            let fstatus = e.file.as_ref().map(|f| f.status.as_str());
            let file = fstatus
                .map(|st| format!(" (file {st})"))
                .unwrap_or_default();
            // The content hash and the context are two findings: say both.
            let hash = match e.check.status {
                "ok" => "hash verified",
                "mismatch" => "hash MISMATCH",
                _ => "hash not of this content (written by another rule)",
            };
            let context = match e.check.context {
                "ok" => "context verified",
                "moved" => "context MOVED",
                _ => "context not recorded (older writer)",
            };
            s.push_str(&format!(
                "{}  {}  {}  {hash}, {context}{file}\n",
                match (e.check.status, fstatus, e.check.context) {
                    (_, Some("changed"), _) | ("mismatch", _, _) | (_, _, "moved") => "FAIL",
                    ("unverifiable", _, _) => "n/a ",
                    _ => "ok  ",
                },
                e.check.evidence_id,
                e.check.evidence_type
            ));
            for p in &e.check.context_problems {
                s.push_str(&format!("      moved: {p}\n"));
            }
        }
        s.push_str(&format!(
            "Checked {} evidence rows of {target}: {} failed",
            r.checked, r.failed
        ));
        s
    }))
}
