//! Program writes and history (programs, products, features, releases, change requests,
//! bugs, standards, charters) for any kind by name; `show` and `list` are core's
//! (`motus_core::program::calls`), the CLI's too.

use motus_core::answer::program::ProgramRecord;
use motus_core::program::entity;
use motus_core::program::history::History;
use motus_core::program::Values;
use motus_core::{Connection, Env, Error, Result};

pub use motus_core::program::calls::kind;

/// `motus <kind> history ID`.
pub fn history<C: Connection + ?Sized>(conn: &C, kind_name: &str, id: &str) -> Result<History> {
    entity::history(conn, kind(kind_name)?, id)
}

/// Field values from a JS object, by column (`{ name: "…", status_key: "active" }`): text,
/// numbers and booleans as the command line would give them; `null` (or, on update, an
/// empty string) clears an optional field.
pub fn values(fields: serde_json::Map<String, serde_json::Value>, update: bool) -> Result<Values> {
    fields
        .into_iter()
        .map(|(column, v)| {
            let text = match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) if update && s.is_empty() => None,
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                other => {
                    return Err(Error::invalid(
                        &column,
                        format!("must be text, a number or a boolean, not {other}"),
                    ))
                }
            };
            Ok((column, text))
        })
        .collect()
}

/// `motus <kind> add`: `fields` by column (the kind's title field required), `id` optional.
pub fn create<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    kind_name: &str,
    id: Option<&str>,
    fields: serde_json::Map<String, serde_json::Value>,
) -> Result<ProgramRecord> {
    let k = kind(kind_name)?;
    let vals = values(fields, false)?;
    entity::create(conn, env, actor, k, id, &vals).map(ProgramRecord)
}

/// `motus <kind> update ID`: only the fields given change.
pub fn update<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    kind_name: &str,
    id: &str,
    fields: serde_json::Map<String, serde_json::Value>,
) -> Result<ProgramRecord> {
    let k = kind(kind_name)?;
    let vals = values(fields, true)?;
    entity::update(conn, env, actor, k, id, &vals).map(ProgramRecord)
}

/// `motus <kind> delete ID [--reason]` (refused while it has live children).
pub fn delete<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    kind_name: &str,
    id: &str,
    reason: Option<&str>,
) -> Result<ProgramRecord> {
    entity::delete(conn, env, actor, kind(kind_name)?, id, reason).map(ProgramRecord)
}

/// `motus <kind> restore ID`.
pub fn restore<C: Connection + ?Sized>(
    conn: &C,
    env: &Env,
    actor: &str,
    kind_name: &str,
    id: &str,
) -> Result<ProgramRecord> {
    entity::restore(conn, env, actor, kind(kind_name)?, id).map(ProgramRecord)
}
