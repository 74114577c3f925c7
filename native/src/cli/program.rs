//! `motus program|product|feature|release|cr|bug|standard|charter <verb> …`
//!
//! Every kind gets the same verbs — add, update, show, list, delete, restore, history — built
//! from its description in `motus_core::program::kinds`, so flags, validation and output are
//! the same everywhere. A few kinds add verbs of their own (cr dependencies, standard
//! assignments and compliance results, charter activation).

use super::ctx::Ctx;
use super::render::{self, actor, table};
use crate::db;
use crate::output::{emit, CliError};
use clap::{Arg, ArgAction, ArgMatches, Command};
use motus_core::answer::program::ProgramRecord;
use motus_core::answer::List;
use motus_core::program::calls::{self, Shown};
use motus_core::program::history::History;
use motus_core::program::kinds::{self, FieldType, Kind};
use motus_core::program::{charters, crs, entity, standards, Record, Values};
use std::marker::PhantomData;

/// Which kind a CLI variant manages.
pub trait KindMarker {
    fn kind() -> &'static Kind;
}

macro_rules! markers {
    ($($name:ident => $kind:path),* $(,)?) => {$(
        #[derive(Debug, Clone)]
        pub struct $name;
        impl KindMarker for $name {
            fn kind() -> &'static Kind { &$kind }
        }
    )*};
}
markers!(
    ProgramK => kinds::PROGRAM,
    ProductK => kinds::PRODUCT,
    FeatureK => kinds::FEATURE,
    ReleaseK => kinds::RELEASE,
    CrK => kinds::CHANGE_REQUEST,
    BugK => kinds::BUG,
    StandardK => kinds::STANDARD,
    CharterK => kinds::CHARTER,
);

/// The parsed arguments of `motus <kind> …`.
#[derive(Debug, Clone)]
pub struct EntityArgs<K> {
    matches: ArgMatches,
    _kind: PhantomData<K>,
}

impl<K: KindMarker> clap::FromArgMatches for EntityArgs<K> {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(EntityArgs {
            matches: m.clone(),
            _kind: PhantomData,
        })
    }
    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        self.matches = m.clone();
        Ok(())
    }
}

impl<K: KindMarker> clap::Args for EntityArgs<K> {
    fn augment_args(cmd: Command) -> Command {
        build(K::kind(), cmd)
    }
    fn augment_args_for_update(cmd: Command) -> Command {
        build(K::kind(), cmd)
    }
}

fn id_arg(kind: &Kind) -> Arg {
    Arg::new("id")
        .required(true)
        .value_name("ID")
        .help(format!("The {}'s id", kind.name))
}

fn field_help(f: &kinds::Field) -> String {
    match f.ty {
        FieldType::Term(domain) => format!("{} (terminology domain {domain})", f.help),
        FieldType::Ref(kind) => format!("{} ({kind} id)", f.help),
        _ => f.help.to_string(),
    }
}

/// The verbs every kind has, plus its own.
fn build(kind: &'static Kind, cmd: Command) -> Command {
    let title = kind.field(kind.title).expect("the title field exists");
    let mut add = Command::new("add")
        .about(format!("Add a {}", kind.name))
        .arg(
            Arg::new(title.column)
                .required(true)
                .value_name(if title.flag == "name" {
                    "NAME"
                } else {
                    "TITLE"
                })
                .help(title.help),
        )
        .arg(Arg::new("new_id").long("id").value_name("ID").help(format!(
            "Id of the new {} [default: {}-<12 hex>]",
            kind.name, kind.id_prefix
        )));
    let mut update = Command::new("update")
        .about(format!(
            "Change fields of a {} (an empty value clears an optional field)",
            kind.name
        ))
        .arg(id_arg(kind));
    for f in kind.fields {
        let make = || {
            Arg::new(f.column)
                .long(f.flag)
                .value_name("VALUE")
                .allow_hyphen_values(true)
                .help(field_help(f))
        };
        if f.column != kind.title {
            // A charter's hash can come from --file-path, so the CLI does not insist on it.
            let computed = kind.name == "charter" && f.column == "content_hash";
            add = add.arg(make().required(f.required && !computed));
        }
        update = update.arg(make());
    }
    let mut list = Command::new("list")
        .about(format!("List {}", kind.plural))
        .arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Include deleted ones"),
        )
        .arg(
            Arg::new("deleted")
                .long("deleted")
                .action(ArgAction::SetTrue)
                .conflicts_with("all")
                .help("Only deleted ones"),
        );
    if let Some(parent) = kind.parent.and_then(|p| kind.field(p)) {
        list = list.arg(
            Arg::new("parent")
                .long(parent.flag)
                .value_name("ID")
                .help(format!("Only those of this {}", parent.flag)),
        );
    }
    if kind.field("status_key").is_some() {
        list = list.arg(
            Arg::new("status")
                .long("status")
                .value_name("KEY")
                .help("Only those with this status"),
        );
    }
    let mut cmd = cmd
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(add)
        .subcommand(update)
        .subcommand(
            Command::new("show")
                .about(format!("Show one {}", kind.name))
                .arg(id_arg(kind)),
        )
        .subcommand(list)
        .subcommand(
            Command::new("delete")
                .about(format!(
                    "Soft-delete a {} (restore brings it back)",
                    kind.name
                ))
                .arg(id_arg(kind))
                .arg(
                    Arg::new("reason")
                        .long("reason")
                        .value_name("TEXT")
                        .help("Why it is deleted (kept for restore and history)"),
                ),
        )
        .subcommand(
            Command::new("restore")
                .about("Undo a soft delete")
                .arg(id_arg(kind)),
        )
        .subcommand(
            Command::new("history")
                .about("Snapshots and audit trail")
                .arg(id_arg(kind)),
        );
    match kind.name {
        "cr" => {
            cmd = cmd.subcommand(
                Command::new("dep")
                    .about("Dependencies between change requests")
                    .subcommand_required(true)
                    .subcommand(
                        Command::new("add")
                            .about("CR depends on DEPENDS_ON (refused when it would close a cycle)")
                            .arg(
                                Arg::new("cr")
                                    .required(true)
                                    .help("The change request that waits"),
                            )
                            .arg(
                                Arg::new("depends_on")
                                    .required(true)
                                    .help("The change request it waits for"),
                            )
                            .arg(
                                Arg::new("type")
                                    .long("type")
                                    .default_value("blocks")
                                    .help("blocks, related or supersedes"),
                            ),
                    )
                    .subcommand(
                        Command::new("rm")
                            .about("Remove a dependency")
                            .arg(
                                Arg::new("cr")
                                    .required(true)
                                    .help("The change request that waits"),
                            )
                            .arg(
                                Arg::new("depends_on")
                                    .required(true)
                                    .help("The change request it waits for"),
                            ),
                    ),
            )
        }
        "standard" => {
            let entity = || {
                Arg::new("entity")
                    .required(true)
                    .value_name("TYPE:ID")
                    .help("e.g. product:motus (program, product, feature, release, cr)")
            };
            cmd = cmd
                .subcommand(
                    Command::new("assign")
                        .about("Apply a standard to an entity")
                        .arg(id_arg(kind))
                        .arg(entity())
                        .arg(
                            Arg::new("inherited")
                                .long("inherited")
                                .action(ArgAction::SetTrue)
                                .help("Mark the assignment as inherited from a parent entity"),
                        ),
                )
                .subcommand(
                    Command::new("unassign")
                        .about("Stop applying a standard to an entity")
                        .arg(id_arg(kind))
                        .arg(entity()),
                )
                .subcommand(
                    Command::new("record")
                        .about("Record a compliance result (results are append-only)")
                        .arg(id_arg(kind))
                        .arg(entity())
                        .arg(
                            Arg::new("result")
                                .long("result")
                                .required(true)
                                .help("pass, fail, skip or error"),
                        )
                        .arg(
                            Arg::new("release")
                                .long("release")
                                .value_name("ID")
                                .help("The release the result applies to"),
                        )
                        .arg(
                            Arg::new("value")
                                .long("value")
                                .help("The measured value, as text"),
                        )
                        .arg(
                            Arg::new("error")
                                .long("error")
                                .help("The error message, for an error result"),
                        ),
                )
                .subcommand(
                    Command::new("results")
                        .about("Compliance results, oldest first")
                        .arg(
                            Arg::new("standard")
                                .long("standard")
                                .value_name("ID")
                                .help("Only results of this standard"),
                        )
                        .arg(
                            Arg::new("entity")
                                .long("entity")
                                .value_name("TYPE:ID")
                                .help("Only results for this entity, e.g. product:motus"),
                        )
                        .arg(
                            Arg::new("release")
                                .long("release")
                                .value_name("ID")
                                .help("Only results for this release"),
                        ),
                )
                .subcommand(
                    Command::new("compliance")
                        .about("Latest result of each standard applied to an entity")
                        .arg(entity()),
                )
        }
        "charter" => {
            cmd = cmd
                .subcommand(
                    Command::new("activate")
                        .about("Make a document the active one of its type")
                        .arg(id_arg(kind)),
                )
                .subcommand(
                    Command::new("active")
                        .about("The active document of a type")
                        .arg(
                            Arg::new("doc_type")
                                .required(true)
                                .value_name("DOC_TYPE")
                                .help("The document type key, as given to `charter add`"),
                        ),
                )
        }
        _ => {}
    }
    cmd
}

fn write_db(ctx: &Ctx) -> Result<db::Db, CliError> {
    db::open_write(&ctx.db_path).map(|(db, _)| db)
}

fn arg(m: &ArgMatches, name: &str) -> Option<String> {
    m.try_get_one::<String>(name).ok().flatten().cloned()
}

fn required(m: &ArgMatches, name: &str) -> String {
    arg(m, name).unwrap_or_default()
}

/// Field values given on the command line; with `clear_empty`, "" clears a field.
fn values(kind: &Kind, m: &ArgMatches, clear_empty: bool) -> Values {
    kind.fields
        .iter()
        .filter_map(|f| {
            arg(m, f.column).map(|v| {
                let v = if clear_empty && v.is_empty() {
                    None
                } else {
                    Some(v)
                };
                (f.column.to_string(), v)
            })
        })
        .collect()
}

fn record_text(kind: &Kind, r: &Record) -> String {
    let id = r.get("id").and_then(|v| v.as_str()).unwrap_or("");
    let title = r.get(kind.title).and_then(|v| v.as_str()).unwrap_or("");
    let mut s = format!("{} {id}  {title}", kind.name);
    for (k, v) in r {
        if k == "id" || k == kind.title || v.is_null() {
            continue;
        }
        let v = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string());
        s.push_str(&format!("\n  {k}: {v}"));
    }
    s
}

fn records_table(kind: &Kind, rs: &[Record]) -> String {
    let get = |r: &Record, k: &str| {
        r.get(k)
            .map(|v| {
                v.as_str().map(str::to_string).unwrap_or_else(|| {
                    if v.is_null() {
                        String::new()
                    } else {
                        v.to_string()
                    }
                })
            })
            .unwrap_or_default()
    };
    let rows: Vec<Vec<String>> = rs
        .iter()
        .map(|r| {
            let mut status = get(r, "status_key");
            if kind.name == "charter" {
                status = if get(r, "is_active") == "1" {
                    "active"
                } else {
                    "inactive"
                }
                .into();
            }
            if !get(r, "deleted_at").is_empty() {
                status.push_str(" (deleted)");
            }
            vec![get(r, "id"), status, get(r, kind.title)]
        })
        .collect();
    format!(
        "{} {}\n{}",
        rs.len(),
        kind.plural,
        table(&["ID", "STATUS", &kind.title.to_uppercase()], &rows)
    )
}

/// History as text: one line per snapshot, then the audit trail.
pub fn history_text(h: &History) -> String {
    let mut s = format!("History of {} {}", h.entity_type, h.entity_id);
    if h.versions.is_empty() && h.audit.is_empty() {
        s.push_str("\n  (no recorded changes)");
    }
    for v in &h.versions {
        s.push_str(&format!(
            "\n  v{} {} by {}: {}",
            v.version, v.created_at, v.changed_by, v.data
        ));
    }
    if !h.audit.is_empty() {
        s.push_str("\nAudit:");
        for a in &h.audit {
            s.push_str(&format!(
                "\n  {} {} {} ({})",
                a.timestamp, a.actor, a.action, a.event_type
            ));
        }
    }
    s
}

pub fn run<K: KindMarker>(ctx: &Ctx, args: EntityArgs<K>) -> Result<u8, CliError> {
    let kind = K::kind();
    let (verb, m) = args
        .matches
        .subcommand()
        .ok_or_else(|| CliError::usage(format!("`motus {}` needs a subcommand", kind.name)))?;
    let env = render::env();
    let who = actor();
    match verb {
        "add" => {
            let db = write_db(ctx)?;
            let mut vals: Values = vec![(kind.title.to_string(), arg(m, kind.title))];
            vals.extend(
                values(kind, m, false)
                    .into_iter()
                    .filter(|(c, _)| c != kind.title),
            );
            if kind.name == "charter" {
                fill_content_hash(&mut vals)?;
            }
            let r = entity::create(
                &db.conn,
                &env,
                &who,
                kind,
                arg(m, "new_id").as_deref(),
                &vals,
            )?;
            let r = ProgramRecord(r);
            emit(ctx.json, &r, || {
                format!("Added {}", record_text(kind, &r.0))
            });
        }
        "update" => {
            let db = write_db(ctx)?;
            let mut vals = values(kind, m, true);
            if kind.name == "charter" {
                fill_content_hash(&mut vals)?;
            }
            let r = entity::update(&db.conn, &env, &who, kind, &required(m, "id"), &vals)?;
            let r = ProgramRecord(r);
            emit(ctx.json, &r, || {
                format!("Updated {}", record_text(kind, &r.0))
            });
        }
        "show" => {
            let db = db::open_read(&ctx.db_path)?;
            let id = required(m, "id");
            match calls::show(&db.conn, kind, &id)? {
                Shown::Cr(doc) => {
                    emit(ctx.json, &doc, || {
                        let mut s = record_text(kind, &doc.cr.0);
                        for d in &doc.depends_on {
                            s.push_str(&format!(
                                "\n  depends on: {} ({})",
                                d.depends_on_id, d.dependency_type
                            ));
                        }
                        for d in &doc.dependents {
                            s.push_str(&format!(
                                "\n  needed by: {} ({})",
                                d.cr_id, d.dependency_type
                            ));
                        }
                        s
                    });
                }
                Shown::Record(r) => emit(ctx.json, &r, || record_text(kind, &r.0)),
            }
        }
        "list" => {
            let db = db::open_read(&ctx.db_path)?;
            let input = calls::ListInput {
                parent: arg(m, "parent"),
                status: arg(m, "status"),
                all: m.get_flag("all"),
                deleted: m.get_flag("deleted"),
            };
            let rs = calls::list(&db.conn, kind, &input)?;
            emit(ctx.json, &rs, || {
                let rows: Vec<_> = rs.items.iter().map(|r| r.0.clone()).collect();
                records_table(kind, &rows)
            });
        }
        "delete" => {
            let db = write_db(ctx)?;
            let id = required(m, "id");
            let r = entity::delete(&db.conn, &env, &who, kind, &id, arg(m, "reason").as_deref())?;
            emit(ctx.json, &ProgramRecord(r), || {
                format!(
                    "Deleted {} {id} (restore with `motus {} restore {id}`)",
                    kind.name, kind.name
                )
            });
        }
        "restore" => {
            let db = write_db(ctx)?;
            let r = entity::restore(&db.conn, &env, &who, kind, &required(m, "id"))?;
            emit(ctx.json, &ProgramRecord(r.clone()), || {
                format!("Restored {}", record_text(kind, &r))
            });
        }
        "history" => {
            let db = db::open_read(&ctx.db_path)?;
            let h = entity::history(&db.conn, kind, &required(m, "id"))?;
            emit(ctx.json, &h, || history_text(&h));
        }
        "dep" => return cr_dep(ctx, m),
        "assign" | "unassign" | "record" | "results" | "compliance" => {
            return standard_verb(ctx, verb, m)
        }
        "activate" => {
            let db = write_db(ctx)?;
            let r = charters::activate(&db.conn, &env, &who, &required(m, "id"))?;
            emit(ctx.json, &ProgramRecord(r.clone()), || {
                format!("Active now: {}", record_text(kind, &r))
            });
        }
        "active" => {
            let db = db::open_read(&ctx.db_path)?;
            let doc_type = required(m, "doc_type");
            let doc = calls::charter_active(&db.conn, &doc_type)?;
            emit(ctx.json, &doc, || match &doc.charter {
                Some(r) => record_text(kind, &r.0),
                None => format!("No active {doc_type} document"),
            });
        }
        other => return Err(CliError::usage(format!("unknown subcommand {other}"))),
    }
    Ok(0)
}

/// A charter's `content_hash` defaults to the SHA-256 of the file at `--file-path`.
fn fill_content_hash(vals: &mut Values) -> Result<(), CliError> {
    let has_hash = vals.iter().any(|(c, v)| c == "content_hash" && v.is_some());
    let path = vals
        .iter()
        .find(|(c, _)| c == "file_path")
        .and_then(|(_, v)| v.clone());
    if let (false, Some(path)) = (has_hash, path) {
        let bytes = std::fs::read(&path).map_err(|e| {
            CliError::usage(format!(
                "cannot read {path} to compute its content hash ({e}); pass --content-hash instead"
            ))
        })?;
        vals.push(("content_hash".into(), Some(charters::content_hash(&bytes))));
    }
    Ok(())
}

fn cr_dep(ctx: &Ctx, m: &ArgMatches) -> Result<u8, CliError> {
    let (verb, m) = m
        .subcommand()
        .ok_or_else(|| CliError::usage("`motus cr dep` needs add or rm"))?;
    let db = write_db(ctx)?;
    let env = render::env();
    let (cr, on) = (required(m, "cr"), required(m, "depends_on"));
    match verb {
        "add" => {
            let d = crs::add(&db.conn, &env, &actor(), &cr, &on, &required(m, "type"))?;
            emit(ctx.json, &d, || {
                format!("{cr} now depends on {on} ({})", d.dependency_type)
            });
        }
        _ => {
            let doc = calls::cr_dep_remove(&db.conn, &env, &actor(), &cr, &on)?;
            emit(ctx.json, &doc, || {
                format!("Removed dependency {cr} -> {on}")
            });
        }
    }
    Ok(0)
}

fn standard_verb(ctx: &Ctx, verb: &str, m: &ArgMatches) -> Result<u8, CliError> {
    let env = render::env();
    let entity_of = |m: &ArgMatches, name: &str| -> Result<Option<(String, String)>, CliError> {
        arg(m, name)
            .map(|e| standards::parse_entity(&e).map_err(CliError::from))
            .transpose()
    };
    match verb {
        "assign" | "unassign" => {
            let db = write_db(ctx)?;
            let (t, id) = entity_of(m, "entity")?.unwrap_or_default();
            let std_id = required(m, "id");
            if verb == "assign" {
                let a = standards::assign(
                    &db.conn,
                    &env,
                    &actor(),
                    &std_id,
                    &t,
                    &id,
                    m.get_flag("inherited"),
                )?;
                emit(ctx.json, &a, || format!("{std_id} applies to {t}:{id}"));
            } else {
                let doc = calls::standard_unassign(&db.conn, &env, &actor(), &std_id, &t, &id)?;
                emit(ctx.json, &doc, || {
                    format!("{std_id} no longer applies to {t}:{id}")
                });
            }
        }
        "record" => {
            let db = write_db(ctx)?;
            let (t, id) = entity_of(m, "entity")?.unwrap_or_default();
            let r = standards::record_result(
                &db.conn,
                &env,
                &actor(),
                &standards::NewResult {
                    standard_id: required(m, "id"),
                    entity_type: t,
                    entity_id: id,
                    release_id: arg(m, "release"),
                    result: required(m, "result"),
                    result_value: arg(m, "value"),
                    error_message: arg(m, "error"),
                },
            )?;
            emit(ctx.json, &r, || {
                format!(
                    "Recorded {} for {} on {}:{}",
                    r.result, r.standard_id, r.entity_type, r.entity_id
                )
            });
        }
        "results" => {
            let db = db::open_read(&ctx.db_path)?;
            let ent = entity_of(m, "entity")?;
            let rs = standards::results(
                &db.conn,
                arg(m, "standard").as_deref(),
                ent.as_ref().map(|(t, i)| (t.as_str(), i.as_str())),
                arg(m, "release").as_deref(),
            )?;
            let rs = List::from(rs);
            emit(ctx.json, &rs, || {
                let rows: Vec<Vec<String>> = rs
                    .items
                    .iter()
                    .map(|r| {
                        vec![
                            r.checked_at.clone(),
                            r.standard_id.clone(),
                            format!("{}:{}", r.entity_type, r.entity_id),
                            r.result.clone(),
                        ]
                    })
                    .collect();
                table(&["CHECKED AT", "STANDARD", "ENTITY", "RESULT"], &rows)
            });
        }
        _ => {
            let db = db::open_read(&ctx.db_path)?;
            let (t, id) = entity_of(m, "entity")?.unwrap_or_default();
            let c = standards::compliance(&db.conn, &t, &id)?;
            emit(ctx.json, &c, || {
                let rows: Vec<Vec<String>> = c
                    .standards
                    .iter()
                    .map(|s| {
                        vec![
                            s.standard_id.clone(),
                            s.latest.clone(),
                            if s.is_blocking {
                                "blocking"
                            } else {
                                "advisory"
                            }
                            .into(),
                            s.name.clone(),
                        ]
                    })
                    .collect();
                format!(
                    "{}:{} is {}\n{}",
                    c.entity_type,
                    c.entity_id,
                    c.status,
                    table(&["STANDARD", "LATEST", "KIND", "NAME"], &rows)
                )
            });
        }
    }
    Ok(0)
}
