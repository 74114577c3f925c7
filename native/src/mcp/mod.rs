//! `motus mcp`: the kernel and the roadmap as tools of a Model Context Protocol server over
//! stdio, on the official Rust SDK (`rmcp`).
//!
//! One process holds one database connection for the whole session (no process start, no
//! schema check, no open per call). The core calls are synchronous; the connection sits
//! behind a mutex and each tool call runs to completion on the runtime's one thread, so
//! calls of one session are serialized exactly as the CLI's processes are by SQLite's lock.
//! Every tool's input schema is the JSON Schema of the input type it deserializes, and its
//! output schema the schema of the document it returns. A call that cannot run answers an
//! MCP tool error (`isError: true`) whose structured content is the contract's failure
//! document `{"ok": false, "error": {"code", "message"}}`; a refused verdict (DENIED, BUSY)
//! is an answer, as on the CLI (`ok: false` with its `reason_code`).
//!
//! The server never renews a lease on its own: a lease held by an MCP session lives until
//! its `expires_at` unless the agent calls `heartbeat`, exactly like one taken by the CLI.

pub mod guide;
mod tools;

use crate::db;
use crate::output::CliError;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, GetPromptRequestParams,
    GetPromptResponse, GetPromptResult, Implementation, ListPromptsResult, ListToolsResult,
    PaginatedRequestParams, Prompt, PromptMessage, Role, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use std::sync::{Arc, Mutex};

#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// The agent this session works as (claims, records, blockers)
    #[arg(short, long, env = "MC_AGENT_ID", default_value = "default")]
    pub agent: String,
}

/// What one session shares between its calls.
pub struct Session {
    conn: Mutex<crate::cluster::DbConn>,
    pub agent: String,
}

impl Session {
    /// Runs `f` with the session's connection (one call at a time).
    fn with_conn<T>(&self, f: impl FnOnce(&crate::cluster::DbConn) -> T) -> T {
        // A panic in an earlier call leaves SQLite consistent (its transaction was rolled
        // back), so a poisoned lock is still safe to use.
        let guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&guard)
    }
}

#[derive(Clone)]
pub struct Server {
    session: Arc<Session>,
    tools: Arc<tools::Registry>,
}

impl Server {
    pub fn new(conn: crate::cluster::DbConn, agent: String) -> Self {
        Server {
            session: Arc::new(Session {
                conn: Mutex::new(conn),
                agent,
            }),
            tools: Arc::new(tools::registry()),
        }
    }
}

const PROMPT_NAME: &str = "motus-agent-guide";

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let caps = ServerCapabilities::builder()
            .enable_tools()
            .enable_prompts()
            .build();
        ServerConfig::new(caps)
            .with_server_info(Implementation::new("motus", env!("CARGO_PKG_VERSION")))
            .with_instructions(guide::INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools.list()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(tool) = self.tools.get(&request.name) else {
            return Err(McpError::invalid_params(
                format!(
                    "unknown tool '{}'; the tools are: {}",
                    request.name,
                    self.tools.names().join(", ")
                ),
                None,
            ));
        };
        let args = serde_json::Value::Object(request.arguments.unwrap_or_default());
        let t0 = std::time::Instant::now();
        let r = tool.call(&self.session, args);
        if std::env::var_os("MOTUS_MCP_TRACE").is_some() {
            eprintln!("{} {:?}", request.name, t0.elapsed());
        }
        let (is_error, doc) = match r {
            Ok(doc) => (false, doc),
            Err(doc) => (true, doc),
        };
        let text = serde_json::to_string(&doc).expect("documents serialize");
        let mut result = if is_error {
            CallToolResult::error(vec![ContentBlock::text(text)])
        } else {
            CallToolResult::success(vec![ContentBlock::text(text)])
        };
        result.structured_content = Some(doc);
        Ok(result.into())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(vec![Prompt::new(
            PROMPT_NAME,
            Some("How to work with Motus: the loop, the tools, and what to do on each reason code"),
            None,
        )]))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        if request.name != PROMPT_NAME {
            return Err(McpError::invalid_params(
                format!(
                    "unknown prompt '{}'; the prompt is {PROMPT_NAME}",
                    request.name
                ),
                None,
            ));
        }
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, guide::GUIDE)])
                .with_description("The Motus agent guide")
                .into(),
        )
    }
}

/// `motus mcp`: serves until the client closes stdin.
pub fn run(ctx: &crate::cli::ctx::Ctx, args: McpArgs) -> Result<u8, CliError> {
    let (db, _) = db::open_write(&ctx.db_path)?;
    let server = Server::new(db.conn, args.agent);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed("io", format!("cannot start the MCP runtime: {e}")))?;
    rt.block_on(async move {
        let running = server
            .serve(rmcp::transport::io::stdio_pipes())
            .await
            .map_err(|e| CliError::failed("mcp", format!("MCP session did not start: {e}")))?;
        running
            .waiting()
            .await
            .map_err(|e| CliError::failed("mcp", format!("MCP session failed: {e}")))?;
        Ok(0)
    })
}
