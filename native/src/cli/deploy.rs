//! `motus deploy check|record|list|finish|claim …`: the deploy gate.

use super::ctx::Ctx;
use super::render::{self, actor, table};
use crate::db;
use crate::output::{emit, CliError, EXIT_FAILED};
use clap::Subcommand;
use motus_core::answer::List;
use motus_core::deploy::{self, Claim, NewClaim};

#[derive(Debug, Subcommand)]
pub enum DeployCommand {
    /// What blocks a deployment now (exit 1 when the gate is closed)
    Check {
        /// What is deployed (the website is gated)
        #[arg(long, default_value = "website", value_parser = clap::builder::PossibleValuesParser::new(deploy::TARGETS.iter().copied()))]
        target: String,
    },
    /// Record a deployment event (refused for the website while the gate is closed)
    Record {
        /// What is deployed
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(deploy::TARGETS.iter().copied()))]
        target: String,
        /// The version deployed
        version: String,
        /// The event's status
        #[arg(long, default_value = "pending", value_parser = clap::builder::PossibleValuesParser::new(deploy::EVENT_STATUSES.iter().copied()))]
        status: String,
    },
    /// Deployment events, oldest first
    List {
        /// Only events for this target
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(deploy::TARGETS.iter().copied()))]
        target: Option<String>,
    },
    /// Set a recorded deployment's status (success/failed stamp its completion)
    Finish {
        /// The deployment event id (from `motus deploy list`)
        id: i64,
        /// The new status
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(deploy::EVENT_STATUSES.iter().copied()))]
        status: String,
    },
    /// Public claims that tests must back
    #[command(subcommand)]
    Claim(ClaimCommand),
}

#[derive(Debug, Subcommand)]
pub enum ClaimCommand {
    /// Register a claim (test status pending)
    Add {
        /// The public claim, as published
        text: String,
        /// The page the claim appears on
        #[arg(long)]
        page: String,
        /// quantitative (needs --test-function) or qualitative
        #[arg(long = "type", value_parser = clap::builder::PossibleValuesParser::new(deploy::CLAIM_TYPES.iter().copied()))]
        claim_type: String,
        /// Claim id [default: generated]
        #[arg(long)]
        id: Option<String>,
        /// The test file that backs the claim
        #[arg(long)]
        test_file: Option<String>,
        /// The test function that backs it (needed for quantitative claims)
        #[arg(long)]
        test_function: Option<String>,
    },
    /// Every claim with its test status
    List,
    /// Record a test verdict: pass, fail, stale or pending
    Set {
        /// The claim id
        id: String,
        /// The verdict
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(deploy::TEST_STATUSES.iter().copied()))]
        status: String,
    },
}

fn write_db(ctx: &Ctx) -> Result<db::Db, CliError> {
    db::open_write(&ctx.db_path).map(|(db, _)| db)
}

fn claim_rows(cs: &[Claim]) -> Vec<Vec<String>> {
    cs.iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.test_status.clone().unwrap_or_default(),
                c.claim_type.clone(),
                c.page.clone(),
                c.claim_text.clone(),
            ]
        })
        .collect()
}

pub fn run(ctx: &Ctx, cmd: DeployCommand) -> Result<u8, CliError> {
    let env = render::env();
    match cmd {
        DeployCommand::Check { target } => {
            let db = db::open_read(&ctx.db_path)?;
            let mut c = deploy::check(&db.conn, &target)?;
            // Recording the first blocking claim's verdict is the next command here.
            let first = c.failed_claims.first().or(c.pending_claims.first());
            c.command = first.map(|claim| format!("motus deploy claim set {} pass", claim.id));
            emit(ctx.json, &c, || {
                let mut s = format!("{}: {}", c.target, c.status);
                if !c.gated {
                    s.push_str(" (not gated)");
                }
                for (label, cs) in [
                    ("Failed claims (block)", &c.failed_claims),
                    ("Pending quantitative claims (block)", &c.pending_claims),
                    ("Stale claims (do not block)", &c.stale_claims),
                ] {
                    if !cs.is_empty() {
                        s.push_str(&format!("\n{label}:\n"));
                        s.push_str(&table(
                            &["ID", "STATUS", "TYPE", "PAGE", "CLAIM"],
                            &claim_rows(cs),
                        ));
                    }
                }
                s.push_str(&format!("\nNext: {}", c.action));
                if let Some(cmd) = &c.command {
                    s.push_str(&format!("\nThen: {cmd}"));
                }
                s
            });
            Ok(if c.can_deploy { 0 } else { EXIT_FAILED })
        }
        DeployCommand::Record {
            target,
            version,
            status,
        } => {
            let db = write_db(ctx)?;
            let d = deploy::record(&db.conn, &env, &actor(), &target, &version, &status).map_err(
                |e| {
                    let gate = matches!(e, motus_core::Error::KernelRule { .. });
                    let err = CliError::from(e);
                    if gate {
                        err.with_hint("`motus deploy check` names the blocking claims and their tests; run them, then `motus deploy claim set ID pass`")
                    } else {
                        err
                    }
                },
            )?;
            emit(ctx.json, &d, || {
                format!(
                    "Recorded deployment {} of {} {} ({})",
                    d.id, d.target, d.version, d.status
                )
            });
            Ok(0)
        }
        DeployCommand::List { target } => {
            let db = db::open_read(&ctx.db_path)?;
            let ds = List::from(deploy::deployments(&db.conn, target.as_deref())?);
            emit(ctx.json, &ds, || {
                let rows: Vec<Vec<String>> = ds
                    .items
                    .iter()
                    .map(|d| {
                        vec![
                            d.id.to_string(),
                            d.created_at.clone(),
                            d.target.clone(),
                            d.version.clone(),
                            d.status.clone(),
                        ]
                    })
                    .collect();
                table(&["ID", "CREATED", "TARGET", "VERSION", "STATUS"], &rows)
            });
            Ok(0)
        }
        DeployCommand::Finish { id, status } => {
            let db = write_db(ctx)?;
            let d = deploy::set_deployment_status(&db.conn, &env, &actor(), id, &status)?;
            emit(ctx.json, &d, || {
                format!("Deployment {} is {}", d.id, d.status)
            });
            Ok(0)
        }
        DeployCommand::Claim(ClaimCommand::Add {
            text,
            page,
            claim_type,
            id,
            test_file,
            test_function,
        }) => {
            let db = write_db(ctx)?;
            let c = deploy::add_claim(
                &db.conn,
                &env,
                &actor(),
                &NewClaim {
                    id,
                    claim_text: text,
                    page,
                    claim_type,
                    test_file,
                    test_function,
                },
            )?;
            emit(ctx.json, &c, || {
                format!("Added claim {} ({})", c.id, c.claim_type)
            });
            Ok(0)
        }
        DeployCommand::Claim(ClaimCommand::List) => {
            let db = db::open_read(&ctx.db_path)?;
            let cs = List::from(deploy::claims(&db.conn)?);
            emit(ctx.json, &cs, || {
                table(
                    &["ID", "STATUS", "TYPE", "PAGE", "CLAIM"],
                    &claim_rows(&cs.items),
                )
            });
            Ok(0)
        }
        DeployCommand::Claim(ClaimCommand::Set { id, status }) => {
            let db = write_db(ctx)?;
            let c = deploy::set_claim_status(&db.conn, &env, &actor(), &id, &status)?;
            emit(ctx.json, &c, || {
                format!(
                    "Claim {} is {}",
                    c.id,
                    c.test_status.clone().unwrap_or_default()
                )
            });
            Ok(0)
        }
    }
}
