//! Add, update, show, list, soft delete, restore and history for every program-management
//! kind, driven by its [`Kind`] description.
//!
//! Rules shared by all kinds:
//! - every `*_key` is checked against its terminology domain, every reference must name a
//!   live entity, and the error says what is accepted;
//! - every update stamps a new `updated_at` in the same transaction, so kinds the schema
//!   versions (products, features, change requests, bugs) always get their snapshot;
//! - a parent with live children cannot be deleted, and a child of a deleted parent cannot be
//!   restored (soft delete does not trip foreign keys, so this is checked here);
//! - every write adds one audit row naming who did what.

use super::kinds::{by_name, Field, FieldType, Kind, ALL};
use crate::audit::{self, AuditEntry};
use crate::connection::{write_tx, Connection, ConnectionExt, Value};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use crate::roadmap::stamp::next_updated_at;
use crate::terminology;

/// One entity as stored: every column, as a JSON object.
pub type Record = serde_json::Map<String, serde_json::Value>;

/// Field values from the caller, by column; `None` clears an optional field on update.
pub type Values = Vec<(String, Option<String>)>;

/// Which entities `list` returns.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Only children of this parent (the kind's parent reference).
    pub parent: Option<String>,
    pub status: Option<String>,
    pub include_deleted: bool,
    pub only_deleted: bool,
}

pub fn get<C: Connection + ?Sized>(conn: &C, kind: &Kind, id: &str) -> Result<Record> {
    find(conn, kind, id)?.ok_or_else(|| Error::not_found(kind.name, id))
}

pub fn find<C: Connection + ?Sized>(conn: &C, kind: &Kind, id: &str) -> Result<Option<Record>> {
    let rows = conn.query(
        &format!("SELECT * FROM {} WHERE id = ?1", kind.table),
        params![id],
    )?;
    Ok(rows.first().map(|r| match r.to_json_object() {
        serde_json::Value::Object(m) => m,
        _ => Record::new(),
    }))
}

fn is_deleted(r: &Record) -> bool {
    r.get("deleted_at").is_some_and(|v| !v.is_null())
}

/// Reads an entity that must not be soft-deleted.
pub fn get_live<C: Connection + ?Sized>(conn: &C, kind: &Kind, id: &str) -> Result<Record> {
    let r = get(conn, kind, id)?;
    if is_deleted(&r) {
        return Err(Error::invalid(
            kind.name,
            format!("{} {id} is deleted; restore it first", kind.name),
        ));
    }
    Ok(r)
}

pub fn list<C: Connection + ?Sized>(
    conn: &C,
    kind: &Kind,
    opts: &ListOptions,
) -> Result<Vec<Record>> {
    let mut sql = format!("SELECT * FROM {} WHERE 1 = 1", kind.table);
    let mut args: Vec<Value> = Vec::new();
    if opts.only_deleted {
        sql.push_str(" AND deleted_at IS NOT NULL");
    } else if !opts.include_deleted {
        sql.push_str(" AND deleted_at IS NULL");
    }
    if let Some(p) = &opts.parent {
        let col = kind.parent.ok_or_else(|| {
            Error::invalid(
                "parent",
                format!("{} has no parent to filter by", kind.plural),
            )
        })?;
        args.push(p.into());
        sql.push_str(&format!(" AND {col} = ?{}", args.len()));
    }
    if let Some(s) = &opts.status {
        match kind.field("status_key").map(|f| f.ty) {
            None => {
                return Err(Error::invalid(
                    "status",
                    format!("{} have no status", kind.plural),
                ))
            }
            // A status no record can have is a mistake, not an empty list.
            Some(FieldType::Term(domain)) => {
                terminology::validate_filter(conn, "status", domain, s, (kind.table, "status_key"))?
            }
            Some(_) => {}
        }
        args.push(s.into());
        sql.push_str(&format!(" AND status_key = ?{}", args.len()));
    }
    sql.push_str(&format!(" ORDER BY {}", kind.order_by));
    let rows = conn.query(&sql, &args)?;
    Ok(rows
        .iter()
        .filter_map(|r| match r.to_json_object() {
            serde_json::Value::Object(m) => Some(m),
            _ => None,
        })
        .collect())
}

fn flags(kind: &Kind) -> String {
    kind.fields
        .iter()
        .map(|f| f.column.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn field_of<'k>(kind: &'k Kind, column: &str) -> Result<&'k Field> {
    kind.field(column).ok_or_else(|| {
        Error::invalid(
            column,
            format!(
                "{} has no field '{column}'; accepted: {}",
                kind.name,
                flags(kind)
            ),
        )
    })
}

/// Checks one value and converts it to what the column stores.
fn convert<C: Connection + ?Sized>(conn: &C, field: &Field, text: &str) -> Result<Value> {
    let name = field.flag;
    match field.ty {
        FieldType::Text => {
            if field.required && text.trim().is_empty() {
                return Err(Error::invalid(name, "must not be empty"));
            }
            Ok(text.into())
        }
        FieldType::Real => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::Real)
            .ok_or_else(|| Error::invalid(name, format!("'{text}' is not a number"))),
        FieldType::Int => text
            .trim()
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| Error::invalid(name, format!("'{text}' is not a whole number"))),
        FieldType::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Value::Integer(1)),
            "false" | "no" | "0" => Ok(Value::Integer(0)),
            _ => Err(Error::invalid(
                name,
                format!("'{text}' is not accepted; use true or false"),
            )),
        },
        FieldType::Date => {
            crate::time::parse_date(text).map_err(|m| Error::invalid(name, m))?;
            Ok(text.into())
        }
        FieldType::Instant => {
            crate::time::check_instant(text).map_err(|m| Error::invalid(name, m))?;
            Ok(text.into())
        }
        FieldType::Choice(options) => {
            if !options.contains(&text) {
                return Err(Error::invalid(
                    name,
                    format!(
                        "'{text}' is not accepted; use one of {}",
                        options.join(", ")
                    ),
                ));
            }
            Ok(text.into())
        }
        FieldType::Term(domain) => {
            terminology::validate(conn, name, domain, text)?;
            Ok(text.into())
        }
        FieldType::Ref(target) => {
            let kind = by_name(target).expect("references name known kinds");
            match find(conn, kind, text)? {
                None => Err(Error::invalid(
                    name,
                    format!("no {} with id '{text}'", kind.name),
                )),
                Some(r) if is_deleted(&r) => Err(Error::invalid(
                    name,
                    format!("{} '{text}' is deleted", kind.name),
                )),
                Some(_) => Ok(text.into()),
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn audit_row<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    kind: &Kind,
    id: &str,
    action: &str,
    old: Option<&Record>,
    new: Option<&Record>,
    context: Option<serde_json::Value>,
) -> Result<()> {
    let obj = |r: Option<&Record>| r.map(|m| serde_json::Value::Object(m.clone()));
    audit::record(
        conn,
        env,
        &AuditEntry {
            event_type: &format!("program.{}", kind.name),
            actor,
            resource_type: Some(kind.name),
            resource_id: Some(id),
            action,
            old_value: obj(old),
            new_value: obj(new),
            context,
        },
    )
}

/// Creates an entity. `id` defaults to `<prefix>-<12 hex>`.
pub fn create<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    kind: &Kind,
    id: Option<&str>,
    values: &Values,
) -> Result<Record> {
    if let Some(id) = id {
        if id.trim().is_empty() {
            return Err(Error::invalid("id", "must not be empty"));
        }
    }
    write_tx(conn, |c| {
        let mut cols: Vec<&str> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        for (column, text) in values {
            let field = field_of(kind, column)?;
            if cols.contains(&field.column) {
                return Err(Error::invalid(field.flag, "given more than once"));
            }
            if let Some(text) = text {
                cols.push(field.column);
                args.push(convert(c, field, text)?);
            }
        }
        let missing: Vec<String> = kind
            .fields
            .iter()
            .filter(|f| f.required && !cols.contains(&f.column))
            .map(|f| f.column.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(Error::invalid(
                kind.name,
                format!("missing required {}", missing.join(", ")),
            ));
        }
        let id = id
            .map(str::to_string)
            .unwrap_or_else(|| env.new_id(kind.id_prefix));
        if find(c, kind, &id)?.is_some() {
            return Err(Error::invalid(
                "id",
                format!("a {} with id '{id}' already exists", kind.name),
            ));
        }
        let now = env.now().to_db();
        cols.extend(["id", "created_at", "updated_at"]);
        args.extend([id.clone().into(), now.clone().into(), now.into()]);
        let marks: Vec<String> = (1..=args.len()).map(|i| format!("?{i}")).collect();
        c.execute(
            &format!(
                "INSERT INTO {} ({}) VALUES ({})",
                kind.table,
                cols.join(", "),
                marks.join(", ")
            ),
            &args,
        )?;
        let rec = get(c, kind, &id)?;
        audit_row(c, env, actor, kind, &id, "create", None, Some(&rec), None)?;
        Ok(rec)
    })
}

/// Changes fields of a live entity; `None` clears an optional field.
pub fn update<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    kind: &Kind,
    id: &str,
    values: &Values,
) -> Result<Record> {
    if values.is_empty() {
        return Err(Error::invalid(
            "update",
            format!("nothing to change; pass at least one of {}", flags(kind)),
        ));
    }
    write_tx(conn, |c| {
        let before = get_live(c, kind, id)?;
        let mut sets: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        for (column, text) in values {
            let field = field_of(kind, column)?;
            let v = match text {
                Some(t) => convert(c, field, t)?,
                None if field.required => {
                    return Err(Error::invalid(
                        field.flag,
                        "is required and cannot be cleared",
                    ))
                }
                None => Value::Null,
            };
            args.push(v);
            sets.push(format!("{} = ?{}", field.column, args.len()));
        }
        let old_stamp = before.get("updated_at").and_then(|v| v.as_str());
        args.push(next_updated_at(old_stamp, env.now()).into());
        sets.push(format!("updated_at = ?{}", args.len()));
        args.push(id.into());
        c.execute(
            &format!(
                "UPDATE {} SET {} WHERE id = ?{}",
                kind.table,
                sets.join(", "),
                args.len()
            ),
            &args,
        )?;
        let after = get(c, kind, id)?;
        audit_row(
            c,
            env,
            actor,
            kind,
            id,
            "update",
            Some(&before),
            Some(&after),
            None,
        )?;
        Ok(after)
    })
}

/// Live rows of other kinds (and roadmap items) that reference `kind`/`id`.
fn live_children<C: Connection + ?Sized>(conn: &C, kind: &Kind, id: &str) -> Result<Vec<String>> {
    let mut refs: Vec<(&str, &str, &str)> = Vec::new();
    for k in ALL {
        for f in k.fields {
            if f.ty == FieldType::Ref(kind.name) {
                refs.push((k.table, f.column, k.name));
            }
        }
    }
    match kind.name {
        "feature" => refs.push(("roadmap_items", "feature_id", "roadmap item")),
        "cr" => refs.push(("roadmap_items", "cr_id", "roadmap item")),
        _ => {}
    }
    let mut out = Vec::new();
    for (table, column, name) in refs {
        let rows = conn.query(
            &format!(
                "SELECT id FROM {table} WHERE {column} = ?1 AND deleted_at IS NULL ORDER BY id LIMIT 5"
            ),
            params![id],
        )?;
        for r in rows.iter() {
            out.push(format!("{name} {}", r.get::<String>(0)?));
        }
    }
    Ok(out)
}

/// Soft delete. Refused while live entities still point at this one.
pub fn delete<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    kind: &Kind,
    id: &str,
    reason: Option<&str>,
) -> Result<Record> {
    write_tx(conn, |c| {
        let before = get_live(c, kind, id)?;
        let children = live_children(c, kind, id)?;
        if !children.is_empty() {
            return Err(Error::invalid(
                kind.name,
                format!(
                    "{} {id} is still used by {}; delete or move those first",
                    kind.name,
                    children.join(", ")
                ),
            ));
        }
        let old_stamp = before.get("updated_at").and_then(|v| v.as_str());
        c.execute(
            &format!(
                "UPDATE {} SET deleted_at = ?1, updated_at = ?2 WHERE id = ?3",
                kind.table
            ),
            params![env.now().to_db(), next_updated_at(old_stamp, env.now()), id],
        )?;
        let after = get(c, kind, id)?;
        let ctx = reason.map(|r| serde_json::json!({"reason": r}));
        audit_row(c, env, actor, kind, id, "delete", None, None, ctx)?;
        Ok(after)
    })
}

/// Undoes a soft delete. Its references must be live; a charter comes back inactive when
/// another document of its type is active (one active per type).
pub fn restore<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    kind: &Kind,
    id: &str,
) -> Result<Record> {
    write_tx(conn, |c| {
        let before = get(c, kind, id)?;
        if !is_deleted(&before) {
            return Err(Error::invalid(
                kind.name,
                format!("{} {id} is not deleted; nothing to restore", kind.name),
            ));
        }
        for f in kind.fields {
            if let FieldType::Ref(target) = f.ty {
                if let Some(pid) = before.get(f.column).and_then(|v| v.as_str()) {
                    let pk = by_name(target).expect("known kind");
                    if find(c, pk, pid)?.is_some_and(|p| is_deleted(&p)) {
                        return Err(Error::invalid(
                            f.flag,
                            format!("its {} {pid} is deleted; restore that first", pk.name),
                        ));
                    }
                }
            }
        }
        let context = make_room_to_restore(c, kind, &before)?;
        let old_stamp = before.get("updated_at").and_then(|v| v.as_str());
        c.execute(
            &format!(
                "UPDATE {} SET deleted_at = NULL, updated_at = ?1 WHERE id = ?2",
                kind.table
            ),
            params![next_updated_at(old_stamp, env.now()), id],
        )?;
        let after = get(c, kind, id)?;
        audit_row(c, env, actor, kind, id, "restore", None, None, context)?;
        Ok(after)
    })
}

/// Before a deleted active row is restored while another of its group is active (see
/// [`Kind::one_active_per`]), it is marked inactive, so restoring keeps the one-active rule.
/// Returns the audit context saying so.
fn make_room_to_restore<C: Connection + ?Sized>(
    conn: &C,
    kind: &Kind,
    row: &Record,
) -> Result<Option<serde_json::Value>> {
    let Some(group) = kind.one_active_per else {
        return Ok(None);
    };
    if row.get("is_active").and_then(|v| v.as_i64()) != Some(1) {
        return Ok(None);
    }
    let key = row.get(group).and_then(|v| v.as_str()).unwrap_or_default();
    let other: Option<String> = conn.query_scalar(
        &format!(
            "SELECT id FROM {} WHERE {group} = ?1 AND is_active = 1 AND deleted_at IS NULL",
            kind.table
        ),
        params![key],
    )?;
    match other {
        Some(other) => {
            conn.execute(
                &format!("UPDATE {} SET is_active = 0 WHERE id = ?1", kind.table),
                params![row["id"].as_str()],
            )?;
            Ok(Some(
                serde_json::json!({"restored_inactive": true, "active": other}),
            ))
        }
        None => Ok(None),
    }
}

/// Snapshots (for versioned kinds) and audit rows of one entity.
pub fn history<C: Connection + ?Sized>(
    conn: &C,
    kind: &Kind,
    id: &str,
) -> Result<super::history::History> {
    get(conn, kind, id)?;
    super::history::history(conn, kind.versioned_as, kind.name, id)
}

/// Number of live entities of a kind (for summaries).
pub fn count<C: Connection + ?Sized>(conn: &C, kind: &Kind) -> Result<i64> {
    conn.query_one(
        &format!(
            "SELECT count(*) FROM {} WHERE deleted_at IS NULL",
            kind.table
        ),
        params![],
    )
}
