//! The tools: each one is a core call with a typed input and a typed answer. The input's
//! JSON Schema is the tool's `inputSchema`, the answer document's the `outputSchema`; the
//! arguments are deserialized into the input type (unknown fields refused), so what a tool
//! accepts is exactly what it publishes.

use super::Session;
use crate::host::{OsIds, SystemClock};
use motus_core::answer::{self, work, Answer, ErrorAnswer};
use motus_core::roadmap::calls as roadmap;
use motus_core::Env;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

fn core_error(e: &motus_core::Error) -> Value {
    answer::document(&ErrorAnswer::from(e))
}

/// A failure document for arguments that do not match the input schema.
pub fn invalid_arguments(tool: &str, e: &serde_json::Error) -> Value {
    answer::document(&ErrorAnswer::new(
        "invalid_input",
        format!("arguments of {tool} do not match its input schema: {e}"),
    ))
}

type Handler = Box<dyn Fn(&Session, Value) -> Result<Value, Value> + Send + Sync>;

pub struct ToolDef {
    pub tool: Tool,
    call: Handler,
}

impl ToolDef {
    /// Runs the tool: `Ok(document)`, or `Err(failure document)`.
    pub fn call(&self, session: &Session, args: Value) -> Result<Value, Value> {
        (self.call)(session, args)
    }
}

pub struct Registry {
    tools: Vec<ToolDef>,
}

impl Registry {
    pub fn list(&self) -> Vec<Tool> {
        self.tools.iter().map(|t| t.tool.clone()).collect()
    }
    pub fn get(&self, name: &str) -> Option<&ToolDef> {
        self.tools.iter().find(|t| t.tool.name == name)
    }
    pub fn names(&self) -> Vec<&str> {
        self.tools.iter().map(|t| t.tool.name.as_ref()).collect()
    }
}

fn schema_object(v: Value) -> Arc<JsonObject> {
    match v {
        Value::Object(m) => Arc::new(m),
        other => panic!("a tool schema must be an object, got {other}"),
    }
}

/// The input schema of `I` (what the tool accepts). Every input refuses unknown fields
/// (`deny_unknown_fields`, also inside `OnLease`'s flattened record, where the generated
/// schema loses it), so the schema says so.
pub fn input_schema<I: JsonSchema>() -> Value {
    let mut s = serde_json::to_value(schemars::schema_for!(I)).expect("schema");
    if let Value::Object(m) = &mut s {
        m.entry("additionalProperties")
            .or_insert(Value::Bool(false));
    }
    s
}

/// What a tool's function gets: the session's connection, agent and environment.
pub struct Call<'a> {
    pub conn: &'a crate::cluster::DbConn,
    pub env: &'a Env<'a>,
    pub agent: &'a str,
    pub opts: motus_core::kernel::Options,
}

impl Call<'_> {
    fn agent_or(&self, given: Option<String>) -> Option<String> {
        Some(given.unwrap_or_else(|| self.agent.to_string()))
    }
}

/// A tool from a typed function: arguments are deserialized into `I`, the answer `O`
/// becomes the contract's document — `answer::document`, exactly what the CLI prints with
/// `--json` for the same call (`ok` from the answer, every `*_at` in the one format) — and
/// a core error its failure document. The output schema is the published one
/// (`docs/schema/<NAME>.json`).
fn tool<I, O>(
    name: &'static str,
    description: &'static str,
    read_only: bool,
    f: fn(&Call<'_>, I) -> motus_core::Result<O>,
) -> ToolDef
where
    I: DeserializeOwned + JsonSchema + 'static,
    O: Answer + JsonSchema + 'static,
{
    let annotations = ToolAnnotations::new()
        .read_only(read_only)
        .destructive(false)
        .open_world(false);
    let output = answer::schema::document_schema::<O>();
    let tool = Tool::new(name, description, schema_object(input_schema::<I>()))
        .with_raw_output_schema(schema_object(output))
        .with_annotations(annotations);
    let call: Handler = Box::new(move |session: &Session, args: Value| {
        let input: I = serde_json::from_value(args).map_err(|e| invalid_arguments(name, &e))?;
        let clock = SystemClock;
        let ids = OsIds;
        let env = Env::new(&clock, &ids);
        let answer = session.with_conn(|conn| {
            f(
                &Call {
                    conn,
                    env: &env,
                    agent: &session.agent,
                    opts: crate::cli::work::options(),
                },
                input,
            )
        });
        let answer = answer.map_err(|e| core_error(&e))?;
        Ok(answer::document(&answer))
    });
    ToolDef { tool, call }
}

pub fn registry() -> Registry {
    let mut tools = Vec::new();
    tools.extend(kernel_tools());
    tools.extend(roadmap_tools());
    Registry { tools }
}

fn roadmap_tools() -> Vec<ToolDef> {
    vec![
        tool(
            "roadmap_ready",
            "Roadmap items that can be started now, by rank (first 20 unless limit/all). \
             To take one, prefer claim_next: it picks and claims in one call.",
            true,
            |c, i: roadmap::ReadyInput| roadmap::ready(c.conn, &i),
        ),
        tool(
            "roadmap_blocked",
            "Items held back by an unfinished blocking dependency or an open blocker.",
            true,
            |c, _: roadmap::NoInput| roadmap::blocked(c.conn),
        ),
        tool(
            "roadmap_why",
            "Why an item is not ready: every unfinished item on its dependency chain, open \
             blockers, and the roots to work on first.",
            true,
            |c, i: roadmap::ItemInput| roadmap::why(c.conn, &i),
        ),
        tool(
            "roadmap_show",
            "One roadmap item with its dependencies, dependents, assignments and readiness.",
            true,
            |c, i: roadmap::ItemInput| roadmap::show(c.conn, &i.id),
        ),
        tool(
            "roadmap_add",
            "Add a roadmap item, with its prerequisites (depends_on) in the same transaction; \
             an unknown prerequisite or a cycle refuses the whole call.",
            false,
            |c, i: roadmap::AddInput| roadmap::add(c.conn, c.env, c.agent, &i),
        ),
        tool(
            "roadmap_dep_add",
            "Make an item depend on another (blocks by default); refused when it would close \
             a cycle, and the error names the cycle.",
            false,
            |c, i: roadmap::DepAddInput| roadmap::dep_add(c.conn, c.env, c.agent, &i),
        ),
    ]
}

/// `status`: one lease with everything recorded on it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub lease_id: String,
}

/// `list`: live leases.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListInput {
    /// Include released, aborted and expired leases.
    #[serde(default)]
    pub all: bool,
    /// Only the leases this agent holds (with `all`: held).
    #[serde(default)]
    pub agent: Option<String>,
}

/// `verify`: recompute every evidence hash of a lease or work item.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// A lease id or a work item id.
    pub target: String,
}

/// A record call on a lease (`outcome`, `evidence`, `decision`): the lease and the record.
#[derive(Debug, JsonSchema)]
pub struct OnLease<T> {
    /// The lease the record belongs to (it must be active).
    pub lease_id: String,
    #[serde(flatten)]
    pub record: T,
}

// By hand: serde's `flatten` would hand unknown fields to the record silently, past its
// `deny_unknown_fields`; here the record is read from the remaining fields on its own.
impl<'de, T: DeserializeOwned> Deserialize<'de> for OnLease<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut fields = serde_json::Map::<String, Value>::deserialize(d)?;
        let lease_id = match fields.remove("lease_id") {
            Some(Value::String(s)) => s,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "lease_id must be a string, got {other}"
                )))
            }
            None => return Err(D::Error::missing_field("lease_id")),
        };
        let record = T::deserialize(Value::Object(fields)).map_err(D::Error::custom)?;
        Ok(OnLease { lease_id, record })
    }
}

fn kernel_tools() -> Vec<ToolDef> {
    vec![
        tool(
            "claim_next",
            "Get work in one call: claims the first ready roadmap item (by rank) that the \
             filters allow and nobody holds. Refused with DENY_NO_READY_WORK only when none \
             is left. Keep the lease_id and work_id it returns.",
            false,
            |c, mut i: work::ClaimNextInput| {
                i.agent_id = c.agent_or(i.agent_id);
                work::claim_next(c.conn, c.env, &c.opts, i)
            },
        ),
        tool(
            "claim",
            "Claim a named work item (a roadmap item id, or ADHOC-<name> for ad hoc work): a \
             lease on its resources and an attempt on the item.",
            false,
            |c, mut i: work::ClaimInput| {
                i.agent_id = c.agent_or(i.agent_id);
                work::claim(c.conn, c.env, &c.opts, i)
            },
        ),
        tool(
            "context",
            "The context of a live lease: the work item, prerequisites, blockers, and what was \
             recorded so far.",
            false,
            |c, i: work::ContextInput| work::context(c.conn, c.env, &c.opts, i),
        ),
        tool(
            "outcome",
            "Register an outcome (a file, a change, an artifact) on a live lease.",
            false,
            |c, i: OnLease<work::OutcomeInput>| {
                work::outcome(c.conn, c.env, &c.opts, &i.lease_id, i.record)
            },
        ),
        tool(
            "evidence",
            "Record hashed evidence on a live lease: test_result (passed/failed/skipped), \
             diff, log, build_artifact, ... A release with success completes the item only \
             after evidence.",
            false,
            |c, i: OnLease<work::EvidenceInput>| {
                work::evidence(c.conn, c.env, &c.opts, &i.lease_id, i.record)
            },
        ),
        tool(
            "decision",
            "Record a decision (and its rationale and alternatives) on a live lease.",
            false,
            |c, i: OnLease<work::DecisionInput>| {
                work::decision(c.conn, c.env, &c.opts, &i.lease_id, i.record)
            },
        ),
        tool(
            "release",
            "Release a lease: success (completes the item when evidence was recorded), \
             failure, partial or aborted.",
            false,
            |c, i: work::ReleaseInput| work::release(c.conn, c.env, &c.opts, i),
        ),
        tool(
            "heartbeat",
            "Renew a live lease for its ttl (or ttl_s). Nothing else renews it: call this \
             before expires_at on long work.",
            false,
            |c, i: work::HeartbeatInput| work::heartbeat(c.conn, c.env, &c.opts, i),
        ),
        tool(
            "handoff",
            "Hand a live lease's work to another agent: it gets a new lease and a chained \
             attempt; yours is released.",
            false,
            |c, i: work::HandoffInput| work::handoff(c.conn, c.env, &c.opts, i),
        ),
        tool(
            "block",
            "Record a blocker on a lease's work item (or a work item by id): it cannot be \
             claimed until unblocked.",
            false,
            |c, mut i: work::BlockInput| {
                i.agent_id = c.agent_or(i.agent_id);
                work::block(c.conn, c.env, i)
            },
        ),
        tool(
            "unblock",
            "Resolve a blocker: a resolution plus evidence recorded after it, or a waiver.",
            false,
            |c, mut i: work::UnblockInput| {
                i.agent_id = c.agent_or(i.agent_id);
                work::unblock(c.conn, c.env, i)
            },
        ),
        tool(
            "status",
            "One lease with its outcomes, evidence, decisions and events (read-only).",
            true,
            |c, i: StatusInput| work::status(c.conn, c.env.now(), &i.lease_id),
        ),
        tool(
            "list",
            "Live leases (all: every lease), read-only.",
            true,
            |c, i: ListInput| work::list_for(c.conn, c.env.now(), i.all, i.agent.as_deref()),
        ),
        tool(
            "verify",
            "Recompute every evidence hash of a lease or work item and re-hash attached \
             files (read-only); ok is false when one does not match.",
            true,
            |c, i: VerifyInput| {
                let hash = |p: &str| {
                    crate::cli::work::hash_file(std::path::Path::new(p))
                        .ok()
                        .map(|f| f.sha256)
                };
                work::verify(c.conn, &i.target, Some(&hash))
            },
        ),
    ]
}
