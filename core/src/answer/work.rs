//! The work kernel's calls as the contract gives them: an input type (what `motus work …`'s
//! arguments and the JS API's objects mean) and an answer type per call. The CLI, the JS API
//! and the MCP server call these and render the answers; none builds a document itself.

use super::{ts_opt, Answer, List};
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::kernel::{
    self, lease, records, BlockRequest, BlockerView, ClaimRequest, Decision, DecisionRequest,
    EvidenceRequest, FileArtifact, ForceTarget, Lease, LeaseStatus, Mode, Options, OutcomeRequest,
    Recorded, ReleaseOutcome, Resource, UnblockRequest,
};
use crate::kernel::{
    lifecycle::CleanupResponse, lifecycle::Lens, query::EvidenceCheck, query::LeaseSummary,
    reason::Owner, work_item::MissingPrereq, ReasonCode, Verdict,
};
use crate::time::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The verdict every kernel answer starts with.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct VerdictHead {
    /// GRANTED, DENIED or BUSY.
    pub decision: Verdict,
    pub reason_code: ReasonCode,
    /// The reason code's message (the original's text).
    pub message: String,
}

impl From<&Decision> for VerdictHead {
    fn from(d: &Decision) -> Self {
        VerdictHead {
            decision: d.decision,
            reason_code: d.reason_code,
            message: d.human_message.to_string(),
        }
    }
}

impl VerdictHead {
    fn granted(&self) -> bool {
        self.decision == Verdict::Granted
    }
}

/// Fills the placeholders of the kernel's suggested actions with the real ids.
fn actions(d: &Decision, lease_id: Option<&str>) -> Vec<String> {
    d.suggested_next_actions
        .iter()
        .map(|a| match lease_id {
            Some(id) => a.replace("<lease_id>", id),
            None => a.clone(),
        })
        .collect()
}

// ------------------------------------------------------------------------- claim

/// `motus work claim`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    /// A roadmap item id, or `ADHOC-…` for ad hoc work (created on claim).
    pub work_id: String,
    /// Default `Work on <work_id>`.
    pub intent: Option<String>,
    /// Default `default` (the CLI: `--agent`, else `MC_AGENT_ID`).
    pub agent_id: Option<String>,
    /// Lease length in seconds, 1..=604800 (default 3600).
    pub ttl_s: Option<i64>,
    /// `TYPE:PATH` specs (default `task:<work_id>`; no colon means `file:<spec>`).
    #[serde(default)]
    pub resources: Vec<String>,
    /// `read` or `write` (default).
    pub mode: Option<String>,
    /// Claim an item assigned to another agent anyway (recorded).
    #[serde(default)]
    pub override_assignment: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ClaimAnswer {
    #[serde(flatten)]
    pub verdict: VerdictHead,
    /// The item claimed (null when `claim --next` found none).
    pub work_id: Option<String>,
    pub agent_id: String,
    pub lease_id: Option<String>,
    pub attempt_id: Option<String>,
    #[serde(serialize_with = "ts_opt")]
    pub expires_at: Option<Timestamp>,
    /// Seconds the lease holds: the new lease's when granted, the holder's when BUSY.
    pub ttl_remaining_s: Option<i64>,
    /// The holder of the conflicting lease (BUSY).
    pub owner: Option<Owner>,
    pub policy_rules_fired: Vec<String>,
    pub suggested_next_actions: Vec<String>,
    /// Prerequisites that are not done.
    pub missing_prereqs: Vec<MissingPrereq>,
}

impl Answer for ClaimAnswer {
    const NAME: &'static str = "work.claim";
    fn ok(&self) -> bool {
        self.verdict.granted()
    }
}

pub fn claim<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    input: ClaimInput,
) -> Result<ClaimAnswer> {
    let req = ClaimRequest {
        intent: input
            .intent
            .unwrap_or_else(|| format!("Work on {}", input.work_id)),
        agent_id: input.agent_id.unwrap_or_else(|| "default".into()),
        resources: input
            .resources
            .iter()
            .map(|s| Resource::parse_spec(s))
            .collect(),
        mode: Mode::parse(input.mode.as_deref().unwrap_or("write"))?,
        ttl_s: input.ttl_s.unwrap_or(lease::DEFAULT_TTL_S),
        override_assignment: input.override_assignment,
        work_id: input.work_id,
    };
    let r = kernel::claim_work(conn, env, opts, &req)?;
    Ok(claim_answer(env, r, Some(req.work_id), req.agent_id))
}

fn claim_answer(
    env: &Env,
    r: kernel::ClaimResponse,
    work_id: Option<String>,
    agent_id: String,
) -> ClaimAnswer {
    let l = r.lease.as_ref();
    ClaimAnswer {
        verdict: (&r.decision).into(),
        lease_id: l.map(|l| l.lease_id.clone()),
        attempt_id: l.and_then(|l| l.attempt_id.clone()),
        expires_at: l.map(|l| l.expires_at),
        ttl_remaining_s: r
            .decision
            .ttl_remaining_s
            .or_else(|| l.map(|l| lease::ttl_remaining_s(l, env.now()))),
        owner: r.decision.owner.clone(),
        policy_rules_fired: r
            .decision
            .policy_rules_fired
            .iter()
            .map(|s| s.to_string())
            .collect(),
        suggested_next_actions: actions(&r.decision, l.map(|l| l.lease_id.as_str())),
        missing_prereqs: r.missing_prereqs,
        work_id,
        agent_id,
    }
}

// ------------------------------------------------------------------ claim --next

/// `motus work claim --next`: the first ready roadmap item (by rank) the filters allow.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimNextInput {
    /// Only items of this phase.
    pub phase: Option<String>,
    /// Only items assigned to this agent (open assignment or owner).
    pub assignee: Option<String>,
    /// Only items of this type (work, gate, holding, integration).
    pub item_type: Option<String>,
    pub intent: Option<String>,
    /// Default `default`.
    pub agent_id: Option<String>,
    /// Default 3600.
    pub ttl_s: Option<i64>,
}

/// A ready item passed over, and why.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SkippedItem {
    pub work_id: String,
    pub reason_code: ReasonCode,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ClaimNextAnswer {
    #[serde(flatten)]
    pub claim: ClaimAnswer,
    /// Ready items passed over (held, blocked, …) before the one claimed.
    pub skipped: Vec<SkippedItem>,
}

impl Answer for ClaimNextAnswer {
    const NAME: &'static str = "work.claim_next";
    fn ok(&self) -> bool {
        self.claim.ok()
    }
}

pub fn claim_next<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    input: ClaimNextInput,
) -> Result<ClaimNextAnswer> {
    let req = kernel::ClaimNextRequest {
        filter: kernel::NextFilter {
            phase: input.phase,
            assignee: input.assignee,
            item_type: input.item_type,
        },
        intent: input.intent,
        agent_id: input.agent_id.unwrap_or_else(|| "default".into()),
        ttl_s: input.ttl_s.unwrap_or(lease::DEFAULT_TTL_S),
    };
    let r = kernel::claim_next(conn, env, opts, &req)?;
    Ok(ClaimNextAnswer {
        claim: claim_answer(env, r.claim, r.work_id, req.agent_id),
        skipped: r
            .skipped
            .into_iter()
            .map(|k| SkippedItem {
                work_id: k.work_id,
                reason_code: k.reason_code,
            })
            .collect(),
    })
}

// ----------------------------------------------------------------------- context

#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextInput {
    pub lease_id: String,
    pub intent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ContextAnswer {
    #[serde(flatten)]
    pub verdict: VerdictHead,
    pub lease_id: String,
    pub lease_status: Option<LeaseStatus>,
    /// The context lens: the item, prerequisites, blockers and what was recorded.
    pub lens: Lens,
}

impl Answer for ContextAnswer {
    const NAME: &'static str = "work.context";
    fn ok(&self) -> bool {
        self.verdict.granted()
    }
}

pub fn context<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    input: ContextInput,
) -> Result<ContextAnswer> {
    let r = kernel::get_context(conn, env, opts, &input.lease_id, input.intent.as_deref())?;
    Ok(ContextAnswer {
        verdict: (&r.decision).into(),
        lease_status: r.lease.as_ref().map(|l| l.status),
        lens: r.lens,
        lease_id: input.lease_id,
    })
}

// ----------------------------------------------------------- outcome, evidence, decision

macro_rules! record_answer {
    ($name:ident, $doc:literal, $id:ident, $what:literal) => {
        #[doc = concat!("The answer of `motus work ", $what, "`.")]
        #[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
        pub struct $name {
            pub accepted: bool,
            pub lease_id: String,
            /// The new row's id (when accepted).
            pub $id: Option<String>,
            pub reason_code: ReasonCode,
            pub message: String,
            pub lease_status: Option<LeaseStatus>,
        }

        impl Answer for $name {
            const NAME: &'static str = $doc;
            fn ok(&self) -> bool {
                self.accepted
            }
        }

        impl $name {
            fn new(lease_id: &str, r: Recorded) -> Self {
                $name {
                    accepted: r.accepted,
                    lease_id: lease_id.to_string(),
                    $id: r.id,
                    reason_code: r.reason_code,
                    message: r.message,
                    lease_status: r.lease_status,
                }
            }
        }
    };
}

record_answer!(OutcomeAnswer, "work.outcome", outcome_id, "outcome");
record_answer!(EvidenceAnswer, "work.evidence", evidence_id, "evidence");
record_answer!(DecisionAnswer, "work.decision", decision_id, "decision");

/// `motus work outcome`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    pub outcome_type: String,
    pub path: Option<String>,
    pub description: Option<String>,
    /// A JSON object.
    pub metadata: Option<Value>,
}

pub fn outcome<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    input: OutcomeInput,
) -> Result<OutcomeAnswer> {
    let req = OutcomeRequest {
        outcome_type: input.outcome_type,
        path: input.path,
        description: input.description,
        metadata: json_object("metadata", input.metadata)?,
    };
    let r = kernel::put_outcome(conn, env, opts, lease_id, &req)?;
    Ok(OutcomeAnswer::new(lease_id, r))
}

/// `motus work evidence`: counts, diff and log as the CLI's flags; `file` is a file the
/// host hashed (the CLI's `--file`, the JS API's `fileArtifact(path)`).
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// test_result, build_artifact, diff, log, attestation, screenshot, reference,
    /// document, policy_bundle or other.
    pub evidence_type: String,
    pub passed: Option<u64>,
    pub failed: Option<u64>,
    pub skipped: Option<u64>,
    pub diff: Option<String>,
    pub log: Option<String>,
    /// A JSON object.
    pub artifacts: Option<Value>,
    pub file: Option<FileInput>,
}

/// A file attached by its hash.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileInput {
    pub path: String,
    pub sha256: String,
    pub size_bytes: u64,
}

pub fn evidence<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    input: EvidenceInput,
) -> Result<EvidenceAnswer> {
    let req = EvidenceRequest {
        evidence_type: input.evidence_type,
        artifacts: json_object("artifacts", input.artifacts)?,
        test_results: records::test_counts(input.passed, input.failed, input.skipped),
        diff_summary: input.diff,
        log_excerpt: input.log,
        file: input.file.map(|f| FileArtifact {
            path: f.path,
            sha256: f.sha256,
            size_bytes: f.size_bytes,
        }),
    };
    let r = kernel::record_evidence(conn, env, opts, lease_id, &req)?;
    Ok(EvidenceAnswer::new(lease_id, r))
}

/// `motus work decision`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub decision: String,
    pub rationale: Option<String>,
    #[serde(default)]
    pub alternatives: Vec<String>,
    #[serde(default)]
    pub constraints: Vec<String>,
    /// approval (default), waiver, review_passed, …
    pub decision_type: Option<String>,
}

pub fn decision<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    lease_id: &str,
    input: DecisionInput,
) -> Result<DecisionAnswer> {
    let req = DecisionRequest {
        decision: input.decision,
        rationale: input.rationale,
        alternatives: input.alternatives,
        constraints: input.constraints,
        decision_type: input.decision_type.unwrap_or_else(|| "approval".into()),
    };
    let r = kernel::record_decision(conn, env, opts, lease_id, &req)?;
    Ok(DecisionAnswer::new(lease_id, r))
}

fn json_object(field: &str, v: Option<Value>) -> Result<Option<Value>> {
    match v {
        None | Some(Value::Object(_)) => Ok(v),
        Some(_) => Err(Error::invalid(field, "must be a JSON object")),
    }
}

// ----------------------------------------------------------------------- release

#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseInput {
    pub lease_id: String,
    /// success, failure, partial or aborted.
    pub outcome: String,
    /// Do not report a rollback for failure/aborted.
    #[serde(default)]
    pub no_rollback: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ReleaseAnswer {
    #[serde(flatten)]
    pub verdict: VerdictHead,
    pub lease_id: String,
    pub lease_status: Option<LeaseStatus>,
    /// What was written on the attempt (`completed`, `failed`, …), if one was ended.
    pub attempt_outcome: Option<String>,
    pub warnings: Vec<String>,
}

impl Answer for ReleaseAnswer {
    const NAME: &'static str = "work.release";
    fn ok(&self) -> bool {
        self.verdict.granted()
    }
}

pub fn release<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    input: ReleaseInput,
) -> Result<ReleaseAnswer> {
    let outcome = ReleaseOutcome::parse(&input.outcome)?;
    let r = kernel::release_work(
        conn,
        env,
        opts,
        &input.lease_id,
        outcome,
        !input.no_rollback,
    )?;
    Ok(ReleaseAnswer {
        verdict: (&r.decision).into(),
        lease_status: r.lease.as_ref().map(|l| l.status),
        attempt_outcome: r.attempt_outcome.map(str::to_string),
        warnings: r.warnings,
        lease_id: input.lease_id,
    })
}

// --------------------------------------------------------------------- heartbeat

#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatInput {
    pub lease_id: String,
    /// Renew for this many seconds (default: the claim's ttl).
    pub ttl_s: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HeartbeatAnswer {
    #[serde(flatten)]
    pub verdict: VerdictHead,
    pub lease_id: String,
    pub lease_status: Option<LeaseStatus>,
    /// The new deadline (when renewed).
    #[serde(serialize_with = "ts_opt")]
    pub expires_at: Option<Timestamp>,
    pub ttl_remaining_s: Option<i64>,
    pub suggested_next_actions: Vec<String>,
}

impl Answer for HeartbeatAnswer {
    const NAME: &'static str = "work.heartbeat";
    fn ok(&self) -> bool {
        self.verdict.granted()
    }
}

pub fn heartbeat<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    input: HeartbeatInput,
) -> Result<HeartbeatAnswer> {
    let r = kernel::heartbeat(conn, env, opts, &input.lease_id, input.ttl_s)?;
    let granted = r.decision.is_granted();
    Ok(HeartbeatAnswer {
        verdict: (&r.decision).into(),
        lease_status: r.lease.as_ref().map(|l| l.status),
        expires_at: r.lease.as_ref().filter(|_| granted).map(|l| l.expires_at),
        ttl_remaining_s: r.decision.ttl_remaining_s,
        suggested_next_actions: actions(&r.decision, Some(&input.lease_id)),
        lease_id: input.lease_id,
    })
}

// ----------------------------------------------------------------------- handoff

#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffInput {
    pub lease_id: String,
    /// The agent that takes the work over.
    pub to_agent_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HandoffAnswer {
    #[serde(flatten)]
    pub verdict: VerdictHead,
    /// The lease that was handed off (now released).
    pub from_lease_id: String,
    /// Its status after the call.
    pub lease_status: Option<LeaseStatus>,
    /// The receiving agent's new lease.
    pub lease_id: Option<String>,
    /// The receiving agent.
    pub agent_id: String,
    pub attempt_id: Option<String>,
    #[serde(serialize_with = "ts_opt")]
    pub expires_at: Option<Timestamp>,
}

impl Answer for HandoffAnswer {
    const NAME: &'static str = "work.handoff";
    fn ok(&self) -> bool {
        self.verdict.granted()
    }
}

pub fn handoff<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    opts: &Options,
    input: HandoffInput,
) -> Result<HandoffAnswer> {
    let r = kernel::handoff(
        conn,
        env,
        opts,
        &input.lease_id,
        &input.to_agent_id,
        &input.reason,
    )?;
    let l = r.lease.as_ref();
    Ok(HandoffAnswer {
        verdict: (&r.decision).into(),
        lease_status: r.from_lease.as_ref().map(|l| l.status),
        lease_id: l.map(|l| l.lease_id.clone()),
        attempt_id: l.and_then(|l| l.attempt_id.clone()),
        expires_at: l.map(|l| l.expires_at),
        from_lease_id: input.lease_id,
        agent_id: input.to_agent_id,
    })
}

// ----------------------------------------------------------------- force release

#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForceReleaseInput {
    /// The lease to abort (or `resource`).
    pub lease_id: Option<String>,
    /// Abort every lease holding `TYPE:PATH` instead.
    pub resource: Option<String>,
    pub reason: String,
    /// The operator (default `default`).
    pub agent_id: Option<String>,
    /// The caller's role (the CLI: `MC_AGENT_ROLE`): operator or architect.
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ForceReleaseAnswer {
    #[serde(flatten)]
    pub verdict: VerdictHead,
    /// The leases that were aborted.
    pub released: Vec<String>,
    pub suggested_next_actions: Vec<String>,
}

impl Answer for ForceReleaseAnswer {
    const NAME: &'static str = "work.force_release";
    fn ok(&self) -> bool {
        self.verdict.granted()
    }
}

pub fn force_release<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    input: ForceReleaseInput,
) -> Result<ForceReleaseAnswer> {
    let target = match (input.lease_id, input.resource) {
        (Some(id), None) => ForceTarget::Lease(id),
        (None, Some(r)) => ForceTarget::Resource(Resource::parse_spec(&r)),
        _ => {
            return Err(Error::invalid(
                "target",
                "name either lease_id or resource (TYPE:PATH)",
            ))
        }
    };
    let agent = input.agent_id.unwrap_or_else(|| "default".into());
    let r = kernel::force_release(
        conn,
        env,
        &target,
        &input.reason,
        &agent,
        input.role.as_deref(),
    )?;
    Ok(ForceReleaseAnswer {
        verdict: (&r.decision).into(),
        suggested_next_actions: actions(&r.decision, None),
        released: r.released,
    })
}

// ---------------------------------------------------------------------- blockers

/// `motus work block`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockInput {
    /// A lease id (the blocker is tied to its work item and attempt) or a work item id.
    pub target: String,
    /// missing_approval, missing_info, missing_dependency, missing_resource,
    /// missing_credential, technical_failure, external_wait or other.
    pub reason_code: String,
    pub title: String,
    pub description: Option<String>,
    pub needs: Option<String>,
    /// blocking (default) or warning.
    pub severity: Option<String>,
    pub agent_id: Option<String>,
}

/// `motus work unblock`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnblockInput {
    pub blocker_id: String,
    pub resolution: String,
    /// Record a waiver decision with this justification.
    pub waiver: Option<String>,
    pub agent_id: Option<String>,
}

/// A blocker after `work block` or `work unblock`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BlockerAnswer {
    #[serde(flatten)]
    pub blocker: BlockerView,
}

impl Answer for BlockerAnswer {
    const NAME: &'static str = "work.blocker";
}

pub fn block<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    input: BlockInput,
) -> Result<BlockerAnswer> {
    let blocker = kernel::create_blocker(
        conn,
        env,
        &BlockRequest {
            target: input.target,
            reason_code: input.reason_code,
            title: input.title,
            description: input.description,
            needs: input.needs,
            severity: input.severity.unwrap_or_else(|| "blocking".into()),
            agent: input.agent_id.unwrap_or_else(|| "default".into()),
        },
    )?;
    Ok(BlockerAnswer { blocker })
}

pub fn unblock<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    input: UnblockInput,
) -> Result<BlockerAnswer> {
    let blocker = kernel::resolve_blocker(
        conn,
        env,
        &UnblockRequest {
            blocker_id: input.blocker_id,
            resolution: input.resolution,
            waiver: input.waiver,
            agent: input.agent_id.unwrap_or_else(|| "default".into()),
        },
    )?;
    Ok(BlockerAnswer { blocker })
}

// ----------------------------------------------------------------------- cleanup

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CleanupAnswer {
    #[serde(flatten)]
    pub cleanup: CleanupResponse,
}

impl Answer for CleanupAnswer {
    const NAME: &'static str = "work.cleanup";
}

pub fn cleanup<C: Connection + ?Sized>(conn: &C, env: &Env) -> Result<CleanupAnswer> {
    Ok(CleanupAnswer {
        cleanup: kernel::cleanup(conn, env)?,
    })
}

// ------------------------------------------------------------------ status, list

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LeaseStatusAnswer {
    pub lease_id: String,
    /// active, released, aborted, expired, or `not_found`.
    pub lease_status: String,
    /// The lease row (absent when not found).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease: Option<Lease>,
    pub outcomes: Vec<Value>,
    pub evidence: Vec<Value>,
    pub decisions: Vec<Value>,
    pub events: Vec<Value>,
}

impl Answer for LeaseStatusAnswer {
    const NAME: &'static str = "work.status";
    fn ok(&self) -> bool {
        self.lease.is_some()
    }
}

pub fn status<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    lease_id: &str,
) -> Result<LeaseStatusAnswer> {
    Ok(match kernel::lease_status(conn, now, lease_id)? {
        None => LeaseStatusAnswer {
            lease_id: lease_id.into(),
            lease_status: "not_found".into(),
            lease: None,
            outcomes: vec![],
            evidence: vec![],
            decisions: vec![],
            events: vec![],
        },
        Some(d) => LeaseStatusAnswer {
            lease_id: lease_id.into(),
            lease_status: d.lease_status.as_str().into(),
            lease: Some(d.lease),
            outcomes: d.outcomes,
            evidence: d.evidence,
            decisions: d.decisions,
            events: d.events,
        },
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LeaseListAnswer {
    #[serde(flatten)]
    pub list: List<LeaseSummary>,
}

impl Answer for LeaseListAnswer {
    const NAME: &'static str = "work.list";
}

pub fn list<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    all: bool,
) -> Result<LeaseListAnswer> {
    list_for(conn, now, all, None)
}

/// `motus work list [--all] [--agent A]`: only the leases `agent` holds (or held) when given.
pub fn list_for<C: Connection + ?Sized>(
    conn: &C,
    now: Timestamp,
    all: bool,
    agent: Option<&str>,
) -> Result<LeaseListAnswer> {
    let mut leases = kernel::list_leases(conn, now, all)?;
    if let Some(a) = agent {
        if !lease::valid_agent(a) {
            return Err(Error::invalid("agent", "must not be empty"));
        }
        leases.retain(|l| l.agent_id == a);
    }
    Ok(LeaseListAnswer {
        list: leases.into(),
    })
}

// ------------------------------------------------------------------------ verify

/// A re-hashed attached file: `ok`, `changed`, `missing`, or `unchecked` (the host has no
/// files to read).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FileCheck {
    pub path: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct VerifiedEvidence {
    #[serde(flatten)]
    pub check: EvidenceCheck,
    pub file: Option<FileCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct VerifyAnswer {
    /// The lease or work item checked.
    pub target: String,
    pub checked: usize,
    pub failed: usize,
    pub unverifiable: usize,
    pub evidence: Vec<VerifiedEvidence>,
}

impl Answer for VerifyAnswer {
    const NAME: &'static str = "work.verify";
    fn ok(&self) -> bool {
        self.failed == 0
    }
}

/// Recomputes every evidence hash; an attached file is re-hashed by the host through
/// `hash_file` (None: gone), or reported `unchecked` without one.
pub fn verify<C: Connection + ?Sized>(
    conn: &C,
    target: &str,
    hash_file: Option<&dyn Fn(&str) -> Option<String>>,
) -> Result<VerifyAnswer> {
    verify_with_progress(conn, target, hash_file, &mut crate::progress::unwatched())
}

/// [`verify`], reporting [`Step::Verifying`](crate::progress::Step) in evidence records.
pub fn verify_with_progress<C: Connection + ?Sized>(
    conn: &C,
    target: &str,
    hash_file: Option<&dyn Fn(&str) -> Option<String>>,
    progress: &mut dyn crate::progress::Progress,
) -> Result<VerifyAnswer> {
    let checks = kernel::verify_evidence(conn, target)?;
    let unverifiable = checks.iter().filter(|c| c.status == "unverifiable").count();
    let mut failed = 0;
    let total = checks.len() as u64;
    progress.report(crate::progress::Step::Verifying, 0, total);
    let evidence: Vec<VerifiedEvidence> = checks
        .into_iter()
        .enumerate()
        .map(|(i, check)| {
            progress.report(crate::progress::Step::Verifying, i as u64, total);
            let file = check.file.as_ref().map(|(path, recorded)| {
                let status = match hash_file {
                    None => "unchecked",
                    Some(h) => match h(path) {
                        Some(sha) if &sha == recorded => "ok",
                        Some(_) => "changed",
                        None => "missing",
                    },
                };
                FileCheck {
                    path: path.clone(),
                    status: status.into(),
                }
            });
            if !check.ok || file.as_ref().is_some_and(|f| f.status == "changed") {
                failed += 1;
            }
            VerifiedEvidence { check, file }
        })
        .collect();
    progress.report(crate::progress::Step::Verifying, total, total);
    Ok(VerifyAnswer {
        target: target.into(),
        checked: evidence.len(),
        failed,
        unverifiable,
        evidence,
    })
}
