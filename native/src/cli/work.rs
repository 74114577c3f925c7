//! `motus work …`: the kernel's calls on the command line. Every command prints one JSON
//! object with `--json`; the exit code is 0 only when the call was granted or accepted.

use super::Ctx;
use crate::db;
use crate::host::{OsIds, SystemClock};
use crate::output::{emit, CliError, EXIT_FAILED};
use clap::{Args, Subcommand};
use motus_core::kernel::{
    self, canonical::Sha256Stream, lease, records, BlockRequest, ClaimNextRequest, ClaimRequest,
    ClaimResponse, Decision, DecisionRequest, EvidenceRequest, FileArtifact, ForceTarget, Mode,
    NextFilter, Options, OutcomeRequest, Recorded, ReleaseOutcome, Resource, UnblockRequest,
};
use motus_core::{Clock, Env};
use serde_json::{json, Value};
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
        /// Decision type (approval, waiver, review_passed, …)
        #[arg(long = "type", default_value = "approval")]
        decision_type: String,
    },
    /// Release a lease: success | failure | partial | aborted
    Release {
        /// The lease to release
        lease_id: String,
        /// How the work ended: success, failure, partial or aborted
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
    },
    /// Expire every overdue lease now
    Cleanup,
    /// Renew a live lease for its ttl (or --ttl seconds)
    Heartbeat {
        /// The lease to renew
        lease_id: String,
        /// New lease length in seconds (1..=604800) [default: the lease's own]
        #[arg(long)]
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
        /// missing_approval | missing_info | missing_dependency | missing_resource |
        /// missing_credential | technical_failure | external_wait | other
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
        #[arg(long, default_value = "blocking")]
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
    #[arg(long, default_value_t = lease::DEFAULT_TTL_S, allow_negative_numbers = true)]
    pub ttl: i64,
    /// A resource TYPE:PATH (repeatable; default task:<task_id>; no colon means file:<spec>)
    #[arg(short, long = "resource", value_name = "TYPE:PATH")]
    pub resources: Vec<String>,
    /// read or write [default: write]
    #[arg(long)]
    pub mode: Option<String>,
    /// Claim an item assigned to another agent anyway (recorded on the lease)
    #[arg(long)]
    pub override_assignment: bool,
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// The lease (from `motus work claim`)
    pub lease_id: String,
    /// test_result | build_artifact | diff | log | attestation | screenshot | reference |
    /// document | policy_bundle | other
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

fn options() -> Options {
    Options {
        metrics: !matches!(
            std::env::var("MC_METRICS_ENABLED").as_deref(),
            Ok("0") | Ok("false") | Ok("no")
        ),
    }
}

fn exit_for(granted: bool) -> u8 {
    if granted {
        0
    } else {
        EXIT_FAILED
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
        WorkCommand::List { all } => return list(ctx, all),
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
        let _ = motus_core::Connection::execute_batch(&db.conn, "PRAGMA wal_checkpoint(TRUNCATE)");
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
    match cmd {
        WorkCommand::Claim(a) if a.next => claim_next(ctx, conn, &env, &opts, a),
        WorkCommand::Claim(a) => {
            if a.phase.is_some() || a.assignee.is_some() || a.item_type.is_some() {
                return Err(CliError::usage(
                    "--phase, --assignee and --type filter `work claim --next`; a claim of a named item takes none of them",
                ));
            }
            let task_id = a.task_id.expect("clap requires a task id without --next");
            let mode = Mode::parse(a.mode.as_deref().unwrap_or("write"))?;
            let req = ClaimRequest {
                intent: a.intent.unwrap_or_else(|| format!("Work on {task_id}")),
                work_id: task_id,
                agent_id: a.agent,
                resources: a
                    .resources
                    .iter()
                    .map(|s| Resource::parse_spec(s))
                    .collect(),
                mode,
                ttl_s: a.ttl,
                override_assignment: a.override_assignment,
            };
            let r = kernel::claim_work(conn, &env, &opts, &req)?;
            let doc = claim_doc(&r, Some(&req.work_id), &req.agent_id);
            emit(ctx.json, &doc, || claim_text(&r, &req.work_id));
            Ok(exit_for(r.decision.is_granted()))
        }
        WorkCommand::Context { lease_id, intent } => {
            let r = kernel::get_context(conn, &env, &opts, &lease_id, intent.as_deref())?;
            let doc = json!({
                "decision": r.decision.decision,
                "reason_code": r.decision.reason_code,
                "message": r.decision.human_message,
                "lens": r.lens,
                "lease_status": r.lease.as_ref().map(|l| l.status),
            });
            emit(ctx.json, &doc, || {
                if !r.decision.is_granted() {
                    let mut s = verdict_text(&r.decision);
                    for w in &r.lens.warnings {
                        s.push_str(&format!(
                            "\nWarning: {}",
                            w["message"].as_str().unwrap_or("")
                        ));
                    }
                    return s;
                }
                let l = &r.lens;
                let mut s = format!(
                    "Context assembled\nLens: {} ({})  hash {}\nResources: {}\n",
                    l.lens_version,
                    l.tier,
                    &l.lens_hash[..12],
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
            });
            Ok(exit_for(r.decision.is_granted()))
        }
        WorkCommand::Outcome {
            lease_id,
            outcome_type,
            path,
            description,
            metadata,
        } => {
            let req = OutcomeRequest {
                outcome_type: outcome_type.clone(),
                path,
                description,
                metadata: parse_json_object("metadata", &metadata)?,
            };
            let r = kernel::put_outcome(conn, &env, &opts, &lease_id, &req)?;
            recorded(
                ctx,
                &r,
                "outcome_id",
                &format!(
                    "Outcome registered: {}\nType: {outcome_type}",
                    r.id.as_deref().unwrap_or("")
                ),
            )
        }
        WorkCommand::Evidence(a) => {
            let file = a.file.as_deref().map(hash_file).transpose()?;
            let req = EvidenceRequest {
                evidence_type: a.evidence_type.clone(),
                artifacts: parse_json_object("artifacts", &a.artifacts)?,
                test_results: records::test_counts(a.passed, a.failed, a.skipped),
                diff_summary: a.diff,
                log_excerpt: a.log,
                file,
            };
            let r = kernel::record_evidence(conn, &env, &opts, &a.lease_id, &req)?;
            recorded(
                ctx,
                &r,
                "evidence_id",
                &format!(
                    "Evidence recorded: {}\nType: {}",
                    r.id.as_deref().unwrap_or(""),
                    a.evidence_type
                ),
            )
        }
        WorkCommand::Decision {
            lease_id,
            decision,
            rationale,
            alternatives,
            constraints,
            decision_type,
        } => {
            let req = DecisionRequest {
                decision,
                rationale,
                alternatives,
                constraints,
                decision_type,
            };
            let r = kernel::record_decision(conn, &env, &opts, &lease_id, &req)?;
            recorded(
                ctx,
                &r,
                "decision_id",
                &format!("Decision logged: {}", r.id.as_deref().unwrap_or("")),
            )
        }
        WorkCommand::Release {
            lease_id,
            outcome,
            no_rollback,
        } => {
            let outcome = ReleaseOutcome::parse(&outcome)?;
            let r = kernel::release_work(conn, &env, &opts, &lease_id, outcome, !no_rollback)?;
            let doc = json!({
                "decision": r.decision.decision,
                "reason_code": r.decision.reason_code,
                "message": r.decision.human_message,
                "lease_status": r.lease.as_ref().map(|l| l.status),
                "attempt_outcome": r.attempt_outcome,
                "warnings": r.warnings,
            });
            emit(ctx.json, &doc, || {
                let mut s = match &r.lease {
                    Some(l) if r.decision.is_granted() => format!(
                        "Released: {}\nFinal status: {}",
                        r.decision.reason_code,
                        l.status.as_str()
                    ),
                    _ => verdict_text(&r.decision),
                };
                for w in &r.warnings {
                    s.push_str(&format!("\nWarning: {w}"));
                }
                s
            });
            Ok(exit_for(r.decision.is_granted()))
        }
        WorkCommand::Cleanup => {
            let r = kernel::cleanup(conn, &env)?;
            emit(ctx.json, &r, || {
                format!("Expired leases: {}", r.expired_count)
            });
            Ok(0)
        }
        WorkCommand::Heartbeat { lease_id, ttl } => {
            let r = kernel::heartbeat(conn, &env, &opts, &lease_id, ttl)?;
            let doc = json!({
                "decision": r.decision.decision,
                "reason_code": r.decision.reason_code,
                "message": r.decision.human_message,
                "lease_id": lease_id,
                "lease_status": r.lease.as_ref().map(|l| l.status),
                "expires_at": r.lease.as_ref().filter(|_| r.decision.is_granted()).map(|l| l.expires_at.to_rfc3339()),
            });
            emit(ctx.json, &doc, || {
                match (&r.lease, r.decision.is_granted()) {
                    (Some(l), true) => format!(
                        "Renewed: {}\nExpires: {}",
                        l.lease_id,
                        l.expires_at.to_rfc3339()
                    ),
                    _ => verdict_text(&r.decision),
                }
            });
            Ok(exit_for(r.decision.is_granted()))
        }
        WorkCommand::Handoff {
            lease_id,
            to_agent,
            reason,
        } => {
            let r = kernel::handoff(conn, &env, &opts, &lease_id, &to_agent, &reason)?;
            let doc = json!({
                "decision": r.decision.decision,
                "reason_code": r.decision.reason_code,
                "message": r.decision.human_message,
                "from_lease_id": lease_id,
                "lease_id": r.lease.as_ref().map(|l| &l.lease_id),
                "agent_id": to_agent,
                "attempt_id": r.lease.as_ref().and_then(|l| l.attempt_id.as_ref()),
                "expires_at": r.lease.as_ref().map(|l| l.expires_at.to_rfc3339()),
                "lease_status": r.from_lease.as_ref().map(|l| l.status),
            });
            emit(ctx.json, &doc, || match &r.lease {
                Some(l) => format!(
                    "Handed off to {to_agent}\nNew lease ID: {}\nExpires: {}",
                    l.lease_id,
                    l.expires_at.to_rfc3339()
                ),
                None => verdict_text(&r.decision),
            });
            Ok(exit_for(r.decision.is_granted()))
        }
        WorkCommand::ForceRelease {
            lease_id,
            resource,
            reason,
            agent,
        } => {
            let target = match (lease_id, resource) {
                (Some(id), _) => ForceTarget::Lease(id),
                (None, Some(r)) => ForceTarget::Resource(Resource::parse_spec(&r)),
                (None, None) => {
                    return Err(CliError::usage("name a lease or --resource TYPE:PATH"))
                }
            };
            let role = std::env::var("MC_AGENT_ROLE")
                .or_else(|_| std::env::var("MC_ROLE"))
                .ok();
            let r = kernel::force_release(conn, &env, &target, &reason, &agent, role.as_deref())?;
            let doc = json!({
                "decision": r.decision.decision,
                "reason_code": r.decision.reason_code,
                "message": r.decision.human_message,
                "released": r.released,
            });
            emit(ctx.json, &doc, || {
                let mut s = verdict_text(&r.decision);
                for id in &r.released {
                    s.push_str(&format!("\nAborted: {id}"));
                }
                s
            });
            Ok(exit_for(r.decision.is_granted()))
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
            let v = kernel::create_blocker(
                conn,
                &env,
                &BlockRequest {
                    target,
                    reason_code,
                    title,
                    description,
                    needs,
                    severity,
                    agent,
                },
            )?;
            let mut doc = serde_json::to_value(&v).expect("serializable");
            doc["ok"] = json!(true);
            emit(ctx.json, &doc, || {
                format!("Blocker recorded: {}\nWork item: {}\nResolve with: motus work unblock {} --resolution TEXT (--waiver TEXT, or record evidence first)", v.blocker_id, v.work_id, v.blocker_id)
            });
            Ok(0)
        }
        WorkCommand::Unblock {
            blocker_id,
            resolution,
            waiver,
            agent,
        } => {
            let v = kernel::resolve_blocker(
                conn,
                &env,
                &UnblockRequest {
                    blocker_id,
                    resolution,
                    waiver,
                    agent,
                },
            )?;
            let mut doc = serde_json::to_value(&v).expect("serializable");
            doc["ok"] = json!(true);
            emit(ctx.json, &doc, || {
                format!(
                    "Blocker resolved: {}\nWork item: {}",
                    v.blocker_id, v.work_id
                )
            });
            Ok(0)
        }
        WorkCommand::Status { .. } | WorkCommand::List { .. } | WorkCommand::Verify { .. } => {
            unreachable!("handled above")
        }
    }
}

/// `work claim --next`: the first ready item the filters allow, claimed in one transaction.
fn claim_next(
    ctx: &Ctx,
    conn: &crate::cluster::DbConn,
    env: &Env,
    opts: &Options,
    a: ClaimArgs,
) -> Result<u8, CliError> {
    let req = ClaimNextRequest {
        filter: NextFilter {
            phase: a.phase,
            assignee: a.assignee,
            item_type: a.item_type,
        },
        intent: a.intent,
        agent_id: a.agent,
        ttl_s: a.ttl,
    };
    let r = kernel::claim_next(conn, env, opts, &req)?;
    let mut doc = claim_doc(&r.claim, r.work_id.as_deref(), &req.agent_id);
    doc["skipped"] = json!(r.skipped);
    emit(ctx.json, &doc, || {
        let mut s = claim_text(&r.claim, r.work_id.as_deref().unwrap_or(""));
        for k in &r.skipped {
            s.push_str(&format!("\nSkipped: {} ({})", k.work_id, k.reason_code));
        }
        s
    });
    Ok(exit_for(r.claim.decision.is_granted()))
}

/// The claim document (`--json`), for `work claim ID` and `work claim --next`.
fn claim_doc(r: &ClaimResponse, work_id: Option<&str>, agent_id: &str) -> Value {
    let lease = r.lease.as_ref();
    json!({
        "decision": r.decision.decision,
        "reason_code": r.decision.reason_code,
        "lease_id": lease.map(|l| &l.lease_id),
        "message": r.decision.human_message,
        "work_id": work_id,
        "attempt_id": lease.and_then(|l| l.attempt_id.as_ref()),
        "agent_id": agent_id,
        "expires_at": lease.map(|l| l.expires_at.to_rfc3339()),
        "owner": r.decision.owner,
        "ttl_remaining_s": r.decision.ttl_remaining_s,
        "policy_rules_fired": r.decision.policy_rules_fired,
        "suggested_next_actions": r.decision.suggested_next_actions,
        "missing_prereqs": r.missing_prereqs,
    })
}

fn claim_text(r: &ClaimResponse, work_id: &str) -> String {
    match &r.lease {
        Some(l) => format!(
            "Claimed: {work_id}\nLease ID: {}\nExpires: {}\nNext: motus work context {}",
            l.lease_id,
            l.expires_at.to_rfc3339(),
            l.lease_id
        ),
        None => verdict_text(&r.decision),
    }
}

fn verdict_text(d: &Decision) -> String {
    let mut s = format!("{}: {}", d.reason_code, d.human_message);
    if let Some(o) = &d.owner {
        s.push_str(&format!("\nHeld by: {}", o.agent_id));
        if let Some(l) = &o.lease_id {
            s.push_str(&format!(" ({l})"));
        }
    }
    for a in &d.suggested_next_actions {
        s.push_str(&format!("\nNext: {a}"));
    }
    s
}

fn recorded(ctx: &Ctx, r: &Recorded, id_key: &str, human: &str) -> Result<u8, CliError> {
    let mut doc = json!({
        "accepted": r.accepted,
        "message": r.message,
        "reason_code": r.reason_code,
        "lease_status": r.lease_status,
    });
    doc[id_key] = json!(r.id);
    emit(ctx.json, &doc, || {
        if r.accepted {
            human.to_string()
        } else {
            r.message.clone()
        }
    });
    Ok(exit_for(r.accepted))
}

fn hash_file(path: &std::path::Path) -> Result<FileArtifact, CliError> {
    let fail =
        |e: std::io::Error| CliError::failed("io", format!("cannot read {}: {e}", path.display()));
    let mut f = std::fs::File::open(path).map_err(fail)?;
    if f.metadata().map_err(fail)?.is_dir() {
        return Err(CliError::usage(format!(
            "{} is a directory; --file takes a file",
            path.display()
        )));
    }
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
    Ok(FileArtifact {
        path: abs.display().to_string(),
        sha256,
        size_bytes,
    })
}

fn status(ctx: &Ctx, lease_id: &str) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let now = SystemClock.now();
    match kernel::lease_status(&db.conn, now, lease_id)? {
        None => {
            let doc = json!({"lease_id": lease_id, "lease_status": "not_found", "outcomes": [], "evidence": [], "decisions": []});
            emit(ctx.json, &doc, || format!("Lease not found: {lease_id}"));
            Ok(EXIT_FAILED)
        }
        Some(d) => {
            let doc = json!({
                "lease_id": lease_id,
                "lease_status": d.lease_status,
                "lease": d.lease,
                "outcomes": d.outcomes,
                "evidence": d.evidence,
                "decisions": d.decisions,
                "events": d.events,
            });
            emit(ctx.json, &doc, || {
                format!(
                    "Lease: {}\nStatus: {}\nAgent: {}\nWork: {}\nExpires: {}\nOutcomes: {}  Evidence: {}  Decisions: {}  Events: {}",
                    d.lease.lease_id,
                    d.lease_status.as_str(),
                    d.lease.owner_agent_id,
                    d.lease.work_id.as_deref().unwrap_or("-"),
                    d.lease.deadline().to_rfc3339(),
                    d.outcomes.len(),
                    d.evidence.len(),
                    d.decisions.len(),
                    d.events.len()
                )
            });
            Ok(0)
        }
    }
}

fn list(ctx: &Ctx, all: bool) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let items = kernel::list_leases(&db.conn, SystemClock.now(), all)?;
    let doc = json!({"items": items, "count": items.len()});
    emit(ctx.json, &doc, || {
        if items.is_empty() {
            return "No leases found.".into();
        }
        let mut s = format!(
            "{} ({})\n",
            if all { "Leases" } else { "Active Leases" },
            items.len()
        );
        for i in &items {
            s.push_str(&format!(
                "{}  {}  {}  {}  expires {}\n",
                i.lease_id,
                i.task_id.as_deref().unwrap_or("-"),
                i.agent_id,
                i.status.as_str(),
                i.expires_at
            ));
        }
        s
    });
    Ok(0)
}

fn verify(ctx: &Ctx, target: &str) -> Result<u8, CliError> {
    let db = db::open_read(&ctx.db_path)?;
    let checks = kernel::verify_evidence(&db.conn, target)?;
    let mut rows = Vec::new();
    let mut failed = 0;
    for c in &checks {
        // A file attached by hash must still hash the same, if it is still there.
        let file = c.file.as_ref().map(|(path, recorded)| {
            match hash_file(std::path::Path::new(path)) {
                Ok(f) => json!({"path": path, "status": if &f.sha256 == recorded { "ok" } else { "changed" }}),
                Err(_) => json!({"path": path, "status": "missing"}),
            }
        });
        let file_ok = file.as_ref().is_none_or(|f| f["status"] != "changed");
        if !c.ok || !file_ok {
            failed += 1;
        }
        let mut row = serde_json::to_value(c).expect("serializable");
        row["file"] = file.unwrap_or(Value::Null);
        rows.push(row);
    }
    let unverifiable = checks.iter().filter(|c| c.status == "unverifiable").count();
    let doc = json!({"ok": failed == 0, "target": target, "checked": checks.len(), "failed": failed, "unverifiable": unverifiable, "evidence": rows});
    emit(ctx.json, &doc, || {
        let mut s = String::new();
        for r in &rows {
            let file = r["file"]["status"]
                .as_str()
                .map(|st| format!(" (file {st})"))
                .unwrap_or_default();
            s.push_str(&format!(
                "{}  {}  {}{file}\n",
                match (r["status"].as_str(), r["file"]["status"].as_str()) {
                    (_, Some("changed")) | (Some("mismatch"), _) => "FAIL",
                    (Some("unverifiable"), _) => "n/a ",
                    _ => "ok  ",
                },
                r["evidence_id"].as_str().unwrap_or(""),
                r["evidence_type"].as_str().unwrap_or("")
            ));
        }
        s.push_str(&format!(
            "Checked {} evidence rows of {target}: {failed} failed",
            checks.len()
        ));
        s
    });
    Ok(exit_for(failed == 0))
}
