//! `motus node start`: run a dqlite node in this process (cargo feature `node`, see
//! `node_host`); `motus node list|leader|assign|remove`: cluster membership through the
//! dqlite wire protocol, on the cluster `--db dqlite://…` names.

use super::ctx::Ctx;
use crate::output::{emit, CliError};
use clap::Subcommand;
use dqlite_client::{Client, ClusterConfig, DqliteUrl, Role, Timeouts};
use motus_core::answer::ops::{NodeAnswer, NodeListAnswer, NodeMember};

#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// Run a dqlite node in the foreground (until SIGTERM or Ctrl-C): bootstrap a cluster, or join one with --join
    Start(StartArgs),
    /// Every member with its id, address and role, and whether it answers
    List,
    /// The node that leads now
    Leader,
    /// Give a member a role (voter, standby or spare)
    Assign {
        /// Member id (hex, as `motus node list` shows it)
        id: String,
        /// The new role
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(["voter", "standby", "spare"]))]
        role: String,
    },
    /// Remove a member from the cluster (stop its process first)
    Remove {
        /// Member id (hex, as `motus node list` shows it)
        id: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct StartArgs {
    /// The node's data directory (created 0700; keep it: a restart on it is the same member)
    #[arg(long, value_name = "DIR")]
    pub data: std::path::PathBuf,
    /// HOST:PORT the node listens on, and that other members and clients reach it at
    #[arg(long, value_name = "HOST:PORT")]
    pub address: String,
    /// Members of the cluster to join (any of them: the leader is found); without it, a new
    /// node bootstraps a cluster of its own
    #[arg(long, value_name = "HOST:PORT,...", value_delimiter = ',')]
    pub join: Vec<String>,
}

#[cfg(all(unix, feature = "node"))]
fn start(ctx: &Ctx, a: StartArgs) -> Result<u8, CliError> {
    crate::node_host::start(
        ctx.json,
        crate::node_host::StartArgs {
            data: a.data,
            address: a.address,
            join: a.join,
        },
    )
}

#[cfg(not(all(unix, feature = "node")))]
fn start(_ctx: &Ctx, _a: StartArgs) -> Result<u8, CliError> {
    Err(CliError::usage(
        "this motus was built without dqlite nodes (cargo feature `node`, which links the system libdqlite)",
    )
    .with_hint(
        "install libdqlite-dev and build with `cargo install --path native --features node`, or run the nodes as Debian's `dqlite-demo` (docs/cluster.md)",
    ))
}

fn url(ctx: &Ctx) -> Result<DqliteUrl, CliError> {
    crate::cluster::url_of(&ctx.db_path)?.ok_or_else(|| {
        CliError::usage(format!(
            "`motus node` manages a dqlite cluster; pass --db dqlite://HOST:PORT[,HOST:PORT…]/NAME (got {})",
            ctx.db_path.display()
        ))
    })
}

fn leader(url: &DqliteUrl) -> Result<Client, CliError> {
    Client::connect_leader(&ClusterConfig::new(url.addresses.clone()))
        .map_err(|e| CliError::from(dqlite_client::connection::map_error(e)))
}

fn parse_id(id: &str) -> Result<u64, CliError> {
    u64::from_str_radix(id.trim_start_matches("0x"), 16).map_err(|_| {
        CliError::usage(format!(
            "{id:?} is not a node id; `motus node list` shows them (hex)"
        ))
    })
}

fn failed(e: dqlite_client::ClientError) -> CliError {
    CliError::from(dqlite_client::connection::map_error(e))
}

pub fn run(ctx: &Ctx, cmd: NodeCommand) -> Result<u8, CliError> {
    if let NodeCommand::Start(a) = cmd {
        return start(ctx, a);
    }
    let url = url(ctx)?;
    let mut client = leader(&url)?;
    match cmd {
        NodeCommand::Leader => {
            let (id, address) = client.leader().map_err(failed)?.unwrap_or_default();
            let doc = NodeAnswer {
                id: format!("{id:x}"),
                address: Some(address.clone()),
                role: None,
                removed: None,
            };
            emit(ctx.json, &doc, || format!("Leader: {address} (id {id:x})"));
        }
        NodeCommand::List => {
            let members = client.cluster().map_err(failed)?;
            let rows: Vec<_> = members
                .iter()
                .map(|m| {
                    let answers = Client::connect_node(&m.address, Timeouts::default())
                        .and_then(|mut c| c.leader())
                        .is_ok();
                    NodeMember {
                        id: format!("{:x}", m.id),
                        address: m.address.clone(),
                        role: m.role.name().to_string(),
                        leader: m.address == client.address(),
                        answers,
                    }
                })
                .collect();
            let doc = NodeListAnswer {
                members: rows.clone(),
            };
            emit(ctx.json, &doc, || {
                let mut s = format!("Members ({})", rows.len());
                for r in &rows {
                    s.push_str(&format!(
                        "\n{}  {}  {}{}{}",
                        r.id,
                        r.address,
                        r.role,
                        if r.leader { "  leader" } else { "" },
                        if r.answers { "" } else { "  NOT ANSWERING" }
                    ));
                }
                s
            });
        }
        NodeCommand::Assign { id, role } => {
            let n = parse_id(&id)?;
            let r = match role.as_str() {
                "voter" => Role::Voter,
                "standby" => Role::Standby,
                "spare" => Role::Spare,
                other => {
                    return Err(CliError::usage(format!(
                        "role {other:?}: use voter, standby or spare"
                    )))
                }
            };
            client.assign(n, r).map_err(failed)?;
            let doc = NodeAnswer {
                id: id.clone(),
                address: None,
                role: Some(role.clone()),
                removed: None,
            };
            emit(ctx.json, &doc, || format!("Node {id} is now a {role}"));
        }
        NodeCommand::Start(_) => unreachable!("handled above"),
        NodeCommand::Remove { id } => {
            let n = parse_id(&id)?;
            client.remove(n).map_err(failed)?;
            let doc = NodeAnswer {
                id: id.clone(),
                address: None,
                role: None,
                removed: Some(true),
            };
            emit(ctx.json, &doc, || format!("Removed node {id}"));
        }
    }
    Ok(0)
}
