//! Generic browsing of any SQLite database: what the file is, its tables and views, a page
//! of rows with sorting and filtering, a read-only SQL console and CSV/JSON export.
//!
//! The browser viewer calls these through the [`Connection`] trait; nothing here writes.
//! Identifiers are always checked against the schema and quoted; values are always bound.

use crate::connection::{quote_ident, Connection, ConnectionExt, Rows, Value};
use crate::error::{Error, Result};
use crate::migrate::Migrator;
use crate::params;
use serde::{Deserialize, Serialize};

/// One cell as it travels to a user interface: the SQLite storage class is kept, blobs are hex.
/// Externally tagged (`{"i":3}`, `"n"`): the viewer's page and worker exchange cells in a
/// binary form that has no room for an adjacent tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    #[serde(rename = "n")]
    Null,
    #[serde(rename = "i")]
    Integer(i64),
    #[serde(rename = "r")]
    Real(f64),
    #[serde(rename = "s")]
    Text(String),
    /// Lowercase hex of the bytes.
    #[serde(rename = "b")]
    Blob(String),
    /// A value too big to send: only its storage class (`text` or `blob`) and size in bytes.
    #[serde(rename = "x")]
    Large { class: String, bytes: i64 },
}

/// Cells bigger than this travel as [`Cell::Large`] (their size, not their content).
pub const MAX_CELL_BYTES: usize = 64 * 1024;

impl Cell {
    pub fn from_value(v: &Value) -> Cell {
        match v {
            Value::Null => Cell::Null,
            Value::Integer(i) => Cell::Integer(*i),
            Value::Real(f) => Cell::Real(*f),
            Value::Text(s) => Cell::Text(s.clone()),
            Value::Blob(b) => Cell::Blob(hex::encode(b)),
        }
    }

    /// Like [`Cell::from_value`], but a value over `max` bytes becomes [`Cell::Large`].
    pub fn from_value_capped(v: &Value, max: usize) -> Cell {
        match v {
            Value::Text(s) if s.len() > max => Cell::Large {
                class: "text".into(),
                bytes: s.len() as i64,
            },
            Value::Blob(b) if b.len() > max => Cell::Large {
                class: "blob".into(),
                bytes: b.len() as i64,
            },
            other => Cell::from_value(other),
        }
    }

    /// Display text (NULL is empty).
    pub fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Integer(i) => i.to_string(),
            Cell::Real(f) => f.to_string(),
            Cell::Text(s) | Cell::Blob(s) => s.clone(),
            Cell::Large { class, bytes } => format!("({class} of {bytes} bytes, not loaded)"),
        }
    }

    /// The storage class name: null, integer, real, text, blob.
    pub fn type_name(&self) -> &'static str {
        match self {
            Cell::Null => "null",
            Cell::Integer(_) => "integer",
            Cell::Real(_) => "real",
            Cell::Text(_) => "text",
            Cell::Blob(_) => "blob",
            Cell::Large { class, .. } if class == "text" => "text",
            Cell::Large { .. } => "blob",
        }
    }
}

fn cells(rows: &Rows) -> Vec<Vec<Cell>> {
    rows.rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| Cell::from_value_capped(v, MAX_CELL_BYTES))
                .collect()
        })
        .collect()
}

/// What kind of database a file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseKind {
    /// A Motus coordination database whose schema this build knows.
    Motus,
    /// Any other SQLite database (including a Motus database newer than this build).
    Generic,
}

/// The first thing a viewer shows about an opened file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    pub kind: DatabaseKind,
    /// Why the file is shown in generic mode, or what is special about it; says what to do.
    pub notice: Option<String>,
    /// Highest applied migration, for Motus databases.
    pub schema_version: Option<i64>,
    /// The version this build migrates to.
    pub latest_version: i64,
    /// True when the ledger carries the original tool's (motusos 0.3.x) checksums.
    pub written_by_original: bool,
    pub tables: usize,
    pub views: usize,
    pub page_size: i64,
    pub page_count: i64,
    /// True for a Motus `userland.db` (preferences, skills, ground rules, patterns).
    #[serde(default)]
    pub userland: bool,
}

/// The tables that make a file a Motus `userland.db`.
pub const USERLAND_TABLES: &[&str] = &["preferences", "skills", "ground_rules", "learned_patterns"];

fn is_userland<C: Connection + ?Sized>(conn: &C) -> Result<bool> {
    for t in USERLAND_TABLES {
        if !conn.has_object("table", t)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Decides what a database is, without changing it. A foreign SQLite file is not an
/// error here: it is shown in generic mode with a notice.
pub fn describe<C: Connection + ?Sized>(conn: &C) -> Result<DatabaseInfo> {
    let count = |kind: &str| -> Result<usize> {
        Ok(conn.query_one::<i64>(
            "SELECT count(*) FROM sqlite_master WHERE type = ?1 AND name NOT LIKE 'sqlite_%'",
            params![kind],
        )? as usize)
    };
    let migrator = Migrator::coordination();
    let latest = migrator.latest_version();
    let mut info = DatabaseInfo {
        kind: DatabaseKind::Generic,
        notice: None,
        schema_version: None,
        latest_version: latest,
        written_by_original: false,
        tables: count("table")?,
        views: count("view")?,
        page_size: conn.query_one("PRAGMA page_size", params![])?,
        page_count: conn.query_one("PRAGMA page_count", params![])?,
        userland: false,
    };
    match migrator.status(conn) {
        Ok(status) if status.is_new => {
            info.notice = Some(
                "This SQLite database is empty (no tables). If you expected your Motus data, open ~/.motus/coordination.db instead."
                    .into(),
            );
        }
        Ok(status) => {
            info.kind = DatabaseKind::Motus;
            info.schema_version = Some(status.current_version);
            info.written_by_original = status.written_by_original();
            if !status.is_current() {
                info.notice = Some(format!(
                    "Schema version {} is older than this viewer's {latest}; pages show what this version holds. Your copy is not migrated (run `motus db migrate` on the original file to upgrade it).",
                    status.current_version
                ));
            }
        }
        Err(Error::SchemaTooNew { found, supported }) => {
            info.schema_version = Some(found);
            info.notice = Some(format!(
                "This Motus database has schema version {found}, newer than this viewer knows ({supported}); it is shown as a plain SQLite database. Use a newer viewer for the Motus pages."
            ));
        }
        Err(Error::NotMotus { reason }) => {
            info.notice = Some(format!(
                "Not a Motus coordination database ({reason}). It is shown as a plain SQLite database: every table and view can be browsed."
            ));
        }
        Err(Error::MigrationChanged { version, name, .. }) => {
            info.notice = Some(format!(
                "The migration ledger does not match this viewer (migration {version} {name} has another checksum); it is shown as a plain SQLite database."
            ));
        }
        Err(e) => return Err(e),
    }
    // A userland.db has its own ledger, so the coordination migrator calls it foreign.
    if info.kind == DatabaseKind::Generic
        && is_userland(conn)?
        && !conn.has_object("table", "roadmap_items")?
    {
        info.userland = true;
        info.notice = Some(
            "A Motus userland.db: the person's preferences, skills, ground rules and learned and detected patterns. Open them on the Tables page (preferences, skills, ground_rules, learned_patterns, detected_patterns)."
                .into(),
        );
    }
    Ok(info)
}

/// A column of a table or view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub name: String,
    /// The declared type (may be empty: SQLite columns need not declare one).
    pub decl_type: String,
    pub not_null: bool,
    /// Position in the primary key (1-based), 0 when not part of it.
    pub primary_key: i64,
}

/// A table or view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectInfo {
    pub name: String,
    /// `table` or `view`.
    pub kind: String,
    /// Number of rows; not filled by [`list_objects`] (counting is O(rows): ask
    /// [`row_count`] per object after the list is shown).
    pub row_count: Option<i64>,
    pub columns: Vec<ColumnInfo>,
    /// Why this object cannot be read (a broken view, a virtual table of a module this
    /// SQLite lacks); the other objects are listed as usual.
    #[serde(default)]
    pub error: Option<String>,
}

/// Every table and view, tables first, by name, with their columns. One object that cannot
/// be read does not hide the others: it carries its error instead.
pub fn list_objects<C: Connection + ?Sized>(conn: &C) -> Result<Vec<ObjectInfo>> {
    let rows = conn.query(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') \
         ORDER BY type, name",
        params![],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows.iter() {
        let name: String = r.get(0)?;
        let kind: String = r.get(1)?;
        let (columns, error) = match columns(conn, &name) {
            Ok(c) => (c, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        out.push(ObjectInfo {
            name,
            kind,
            row_count: None,
            columns,
            error,
        });
    }
    Ok(out)
}

/// The number of rows of a table or view (a view's count runs its query).
pub fn row_count<C: Connection + ?Sized>(conn: &C, object: &str) -> Result<i64> {
    if !conn.has_object("table", object)? && !conn.has_object("view", object)? {
        return Err(Error::not_found("table or view", object));
    }
    conn.query_one::<i64>(
        &format!("SELECT count(*) FROM {}", quote_ident(object)),
        params![],
    )
}

/// The columns of one table or view; an unknown name is [`Error::NotFound`].
pub fn columns<C: Connection + ?Sized>(conn: &C, object: &str) -> Result<Vec<ColumnInfo>> {
    if !conn.has_object("table", object)? && !conn.has_object("view", object)? {
        return Err(Error::not_found("table or view", object));
    }
    let rows = conn.query(
        "SELECT name, type, \"notnull\", pk FROM pragma_table_xinfo(?1) WHERE hidden != 1 ORDER BY cid",
        params![object],
    )?;
    rows.iter()
        .map(|r| {
            Ok(ColumnInfo {
                name: r.get(0)?,
                decl_type: r.get::<Option<String>>(1)?.unwrap_or_default(),
                not_null: r.get(2)?,
                primary_key: r.get(3)?,
            })
        })
        .collect()
}

/// How a column filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    /// Text contains (case-insensitive for ASCII).
    Contains,
    Equals,
    NotEquals,
    Less,
    Greater,
    IsNull,
    NotNull,
}

impl FilterOp {
    pub const ALL: &'static [FilterOp] = &[
        FilterOp::Contains,
        FilterOp::Equals,
        FilterOp::NotEquals,
        FilterOp::Less,
        FilterOp::Greater,
        FilterOp::IsNull,
        FilterOp::NotNull,
    ];

    /// Short stable name used in URLs.
    pub fn name(self) -> &'static str {
        match self {
            FilterOp::Contains => "has",
            FilterOp::Equals => "eq",
            FilterOp::NotEquals => "ne",
            FilterOp::Less => "lt",
            FilterOp::Greater => "gt",
            FilterOp::IsNull => "null",
            FilterOp::NotNull => "notnull",
        }
    }

    pub fn parse(s: &str) -> Option<FilterOp> {
        FilterOp::ALL.iter().copied().find(|op| op.name() == s)
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            FilterOp::Contains => "contains",
            FilterOp::Equals => "=",
            FilterOp::NotEquals => "≠",
            FilterOp::Less => "<",
            FilterOp::Greater => ">",
            FilterOp::IsNull => "is empty (NULL)",
            FilterOp::NotNull => "is not NULL",
        }
    }

    pub fn takes_value(self) -> bool {
        !matches!(self, FilterOp::IsNull | FilterOp::NotNull)
    }
}

/// One column filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub column: String,
    pub op: FilterOp,
    #[serde(default)]
    pub value: String,
}

/// Sort order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sort {
    pub column: String,
    pub descending: bool,
}

/// What page of which table or view to read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PageQuery {
    pub object: String,
    pub sort: Option<Sort>,
    #[serde(default)]
    pub filters: Vec<Filter>,
    pub offset: i64,
    pub limit: i64,
}

/// A page of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub object: String,
    pub kind: String,
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows matching the filters.
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// The most rows one page may hold.
pub const MAX_PAGE_ROWS: i64 = 1000;

/// Builds `WHERE … ORDER BY …` for a query, checking every column against the object.
fn where_and_order(
    columns: &[ColumnInfo],
    query: &PageQuery,
) -> Result<(String, String, Vec<Value>)> {
    let known = |name: &str| -> Result<String> {
        if columns.iter().any(|c| c.name == name) {
            Ok(quote_ident(name))
        } else {
            Err(Error::invalid(
                "column",
                format!(
                    "{} has no column named {name:?}; pick one of its columns",
                    query.object
                ),
            ))
        }
    };
    let mut clauses = Vec::new();
    let mut values = Vec::new();
    for f in &query.filters {
        let col = known(&f.column)?;
        let clause = match f.op {
            FilterOp::IsNull => format!("{col} IS NULL"),
            FilterOp::NotNull => format!("{col} IS NOT NULL"),
            FilterOp::Contains => {
                let escaped = f
                    .value
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                values.push(Value::Text(format!("%{escaped}%")));
                format!("CAST({col} AS TEXT) LIKE ?{} ESCAPE '\\'", values.len())
            }
            op => {
                values.push(typed_value(&f.value));
                let sym = match op {
                    FilterOp::Equals => "=",
                    FilterOp::NotEquals => "IS NOT",
                    FilterOp::Less => "<",
                    _ => ">",
                };
                format!("{col} {sym} ?{}", values.len())
            }
        };
        clauses.push(clause);
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let order_sql = match &query.sort {
        Some(s) => format!(
            " ORDER BY {} {}",
            known(&s.column)?,
            if s.descending { "DESC" } else { "ASC" }
        ),
        None => String::new(),
    };
    Ok((where_sql, order_sql, values))
}

/// A filter value as the most specific SQLite type it spells.
fn typed_value(s: &str) -> Value {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        Value::Integer(i)
    } else if let Ok(f) = t.parse::<f64>() {
        if f.is_finite() {
            Value::Real(f)
        } else {
            Value::Text(s.to_string())
        }
    } else {
        Value::Text(s.to_string())
    }
}

fn select_sql(columns: &[ColumnInfo], object: &str) -> String {
    let list: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
    format!("SELECT {} FROM {}", list.join(", "), quote_ident(object))
}

/// Like [`select_sql`], but each column comes with its size and big values are not read:
/// `octet_length` of a text or blob is known without loading it.
fn select_sized_sql(columns: &[ColumnInfo], object: &str) -> String {
    let list: Vec<String> = columns
        .iter()
        .map(|c| {
            let q = quote_ident(&c.name);
            format!(
                "CASE WHEN octet_length({q}) > {MAX_CELL_BYTES} THEN NULL ELSE {q} END, \
                 CASE WHEN octet_length({q}) > {MAX_CELL_BYTES} THEN typeof({q}) END, \
                 CASE WHEN octet_length({q}) > {MAX_CELL_BYTES} THEN octet_length({q}) END"
            )
        })
        .collect();
    format!("SELECT {} FROM {}", list.join(", "), quote_ident(object))
}

/// Rows of [`select_sized_sql`] as cells.
fn sized_cells(rows: &Rows, n_columns: usize) -> Vec<Vec<Cell>> {
    rows.rows
        .iter()
        .map(|r| {
            (0..n_columns)
                .map(|i| match (&r[3 * i + 1], &r[3 * i + 2]) {
                    (Value::Text(class), Value::Integer(bytes)) => Cell::Large {
                        class: class.clone(),
                        bytes: *bytes,
                    },
                    _ => Cell::from_value_capped(&r[3 * i], MAX_CELL_BYTES),
                })
                .collect()
        })
        .collect()
}

/// One page of a table or view, with the total number of matching rows.
pub fn table_page<C: Connection + ?Sized>(conn: &C, query: &PageQuery) -> Result<Page> {
    let columns = columns(conn, &query.object)?;
    let kind = if conn.has_object("table", &query.object)? {
        "table"
    } else {
        "view"
    };
    let (where_sql, order_sql, mut values) = where_and_order(&columns, query)?;
    let total: i64 = conn.query_one(
        &format!(
            "SELECT count(*) FROM {}{where_sql}",
            quote_ident(&query.object)
        ),
        &values,
    )?;
    let limit = query.limit.clamp(1, MAX_PAGE_ROWS);
    let offset = query.offset.max(0);
    values.push(Value::Integer(limit));
    values.push(Value::Integer(offset));
    let n = values.len();
    let sql = format!(
        "{}{where_sql}{order_sql} LIMIT ?{} OFFSET ?{n}",
        select_sized_sql(&columns, &query.object),
        n - 1
    );
    let rows = conn.query(&sql, &values)?;
    Ok(Page {
        object: query.object.clone(),
        kind: kind.to_string(),
        rows: sized_cells(&rows, columns.len()),
        columns,
        total,
        offset,
        limit,
    })
}

/// Every row of a table or view that matches the filters, in the chosen order.
pub fn all_rows<C: Connection + ?Sized>(conn: &C, query: &PageQuery) -> Result<Rows> {
    let columns = columns(conn, &query.object)?;
    let (where_sql, order_sql, values) = where_and_order(&columns, query)?;
    conn.query(
        &format!(
            "{}{where_sql}{order_sql}",
            select_sql(&columns, &query.object)
        ),
        &values,
    )
}

/// The result of a console statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// True when more rows existed than were returned.
    pub truncated: bool,
    pub max_rows: usize,
}

/// The PRAGMAs the console runs (all of them only read). The viewer's SQLite authorizer allows
/// exactly these too: one list, so the text guard and the engine's guard cannot drift apart.
pub const READ_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
    "compile_options",
    "collation_list",
    "function_list",
    "module_list",
    "pragma_list",
    "database_list",
];
/// PRAGMAs that read a setting when given no argument (and would change it with one).
pub const READ_PRAGMAS_NO_ARG: &[&str] = &[
    "page_count",
    "page_size",
    "freelist_count",
    "encoding",
    "user_version",
    "schema_version",
    "application_id",
    "journal_mode",
    "auto_vacuum",
    "foreign_keys",
    "query_only",
    "data_version",
];

/// The SQLite authorizer of a read-only browsing connection (the viewer installs it): SQLite
/// asks it while preparing every statement, so nothing but reading gets through — no write,
/// no schema change, no ATTACH, no PRAGMA outside [`READ_PRAGMAS`] and (without an argument)
/// [`READ_PRAGMAS_NO_ARG`], not even under `EXPLAIN`, where SQLite applies some PRAGMAs while
/// preparing the statement.
#[cfg(feature = "rusqlite")]
pub fn read_only_authorizer(
    ctx: rusqlite::hooks::AuthContext<'_>,
) -> rusqlite::hooks::Authorization {
    use rusqlite::hooks::{AuthAction, Authorization};
    match ctx.action {
        AuthAction::Select
        | AuthAction::Read { .. }
        | AuthAction::Function { .. }
        | AuthAction::Recursive
        | AuthAction::Transaction { .. } => Authorization::Allow,
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            let name = pragma_name.to_ascii_lowercase();
            if READ_PRAGMAS.contains(&name.as_str())
                || (pragma_value.is_none() && READ_PRAGMAS_NO_ARG.contains(&name.as_str()))
            {
                Authorization::Allow
            } else {
                Authorization::Deny
            }
        }
        _ => Authorization::Deny,
    }
}

fn refuse(what: &str) -> Error {
    Error::invalid(
        "statement",
        format!(
            "{what}. The console only reads: use SELECT, WITH … SELECT, VALUES, EXPLAIN or a read-only PRAGMA such as table_info(name). To change data, use the motus command on your own copy of the file."
        ),
    )
}

/// The statement with comments removed and string/identifier literals blanked, so keywords
/// and semicolons can be checked without being fooled by quoted text.
fn strip_sql(sql: &str) -> Result<String> {
    scan_sql(sql, true)
}

/// The statement without comments; quoted text is kept as written.
fn without_comments(sql: &str) -> Result<String> {
    scan_sql(sql, false)
}

fn scan_sql(sql: &str, blank_literals: bool) -> Result<String> {
    let mut out = String::with_capacity(sql.len());
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                out.push(' ');
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
                out.push(' ');
                continue;
            }
            '\'' | '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let start = i;
                i += 1;
                loop {
                    if i >= chars.len() {
                        return Err(Error::invalid(
                            "statement",
                            format!("a quoted text or name opened with {c} is never closed; close it and run again"),
                        ));
                    }
                    if chars[i] == close {
                        if close != ']' && chars.get(i + 1) == Some(&close) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                if blank_literals {
                    out.push_str(" x ");
                } else {
                    out.extend(&chars[start..=i]);
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// Refuses anything that is not one read-only statement, with a message saying what runs.
/// (The viewer also has SQLite refuse everything but reading, with an authorizer; this check
/// gives the clear message first.)
pub fn check_read_only(sql: &str) -> Result<()> {
    let stripped = strip_sql(sql)?;
    check_stripped(stripped.trim().trim_end_matches(';').trim(), 0)
}

fn check_stripped(body: &str, depth: usize) -> Result<()> {
    if body.is_empty() && depth > 0 {
        return Err(refuse("EXPLAIN needs a statement to explain"));
    }
    if body.is_empty() {
        return Err(Error::invalid(
            "statement",
            "the console is empty; type a SELECT statement, e.g. SELECT * FROM sqlite_master",
        ));
    }
    if body.contains(';') {
        return Err(refuse("Only one statement runs at a time"));
    }
    let lower = body.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first().copied().unwrap_or("");
    match first {
        "select" | "values" => {}
        // EXPLAIN prepares the statement it explains, and preparing some PRAGMAs already
        // changes the connection: the explained statement must pass the same check.
        "explain" if depth == 0 => {
            let mut rest = body.trim_start()[7..].trim_start();
            let lower_rest = rest.to_ascii_lowercase();
            if lower_rest.starts_with("query") {
                let after = lower_rest[5..].trim_start();
                if after.starts_with("plan") {
                    let skip = rest.len() - after.len() + 4;
                    rest = rest[skip..].trim_start();
                }
            }
            return check_stripped(rest, depth + 1);
        }
        "explain" => return Err(refuse("EXPLAIN EXPLAIN is not a statement")),
        "with" => {
            for verb in [
                "insert", "update", "delete", "replace", "drop", "create", "alter",
            ] {
                if words.contains(&verb) {
                    return Err(refuse(&format!(
                        "This statement contains {}, which changes data",
                        verb.to_uppercase()
                    )));
                }
            }
        }
        "pragma" => {
            let name = words.get(1).copied().unwrap_or("");
            let name = if words.len() > 2 && words.get(2).is_some() && body.contains('.') {
                // `PRAGMA schema.name`
                words.get(2).copied().unwrap_or("")
            } else {
                name
            };
            let has_arg = body.contains('=') || body.contains('(');
            let allowed =
                READ_PRAGMAS.contains(&name) || (READ_PRAGMAS_NO_ARG.contains(&name) && !has_arg);
            if !allowed || body.contains('=') {
                return Err(refuse(&format!(
                    "PRAGMA {name} in this form can change settings or is not known to be read-only"
                )));
            }
        }
        other => {
            return Err(refuse(&format!(
                "{} statements change the database or its connection",
                other.to_uppercase()
            )))
        }
    }
    Ok(())
}

/// Runs one read-only statement and returns at most `max_rows` rows.
pub fn console_query<C: Connection + ?Sized>(
    conn: &C,
    sql: &str,
    max_rows: usize,
) -> Result<QueryResult> {
    check_read_only(sql)?;
    let cleaned = without_comments(sql)?;
    let trimmed = cleaned.trim().trim_end_matches(';').trim_end();
    let first_word = strip_sql(trimmed)?
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    // Wrap plain queries so a huge result is not read whole into memory.
    let wrapped = matches!(first_word.as_str(), "select" | "with" | "values");
    let rows = if wrapped {
        conn.query(
            &format!("SELECT * FROM (\n{trimmed}\n) LIMIT ?1"),
            params![(max_rows + 1) as i64],
        )
    } else {
        conn.query(trimmed, params![])
    }
    .map_err(explain_console_error)?;
    let truncated = rows.rows.len() > max_rows;
    let mut shown = cells(&rows);
    shown.truncate(max_rows);
    Ok(QueryResult {
        columns: rows.columns,
        rows: shown,
        truncated,
        max_rows,
    })
}

fn explain_console_error(e: Error) -> Error {
    match e {
        Error::ReadOnly { .. } => refuse("The opened copy is read-only"),
        Error::Sql { message } if message.contains("not authorized") => refuse(
            "SQLite refused this statement: it would change the database or the connection",
        ),
        Error::Sql { message } => Error::Sql {
            message: format!("{message} — check the statement's table and column names (the Tables page lists them)"),
        },
        other => other,
    }
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv;charset=utf-8",
            ExportFormat::Json => "application/json",
        }
    }
}

/// Text a spreadsheet would run as a formula (OWASP "CSV injection"): it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return.
pub fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Rows as CSV (RFC 4180: header line, CRLF line ends, fields quoted when needed). Text
/// that a spreadsheet would run as a formula is prefixed with `'`, so it shows as text;
/// numbers stay numbers.
pub fn to_csv(columns: &[String], rows: &[Vec<Cell>]) -> String {
    fn field(s: &str, text: bool) -> String {
        let s = if text && looks_like_formula(s) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    }
    let mut out = String::new();
    let header: Vec<String> = columns.iter().map(|c| field(c, true)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .map(|c| field(&c.text(), matches!(c, Cell::Text(_))))
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Rows as a JSON array of objects keyed by column name (blobs as hex).
pub fn to_json(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let list: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let map: serde_json::Map<String, serde_json::Value> = columns
                .iter()
                .zip(r)
                .map(|(c, v)| {
                    let j = match v {
                        Cell::Null => serde_json::Value::Null,
                        Cell::Integer(i) => (*i).into(),
                        Cell::Real(f) => serde_json::Number::from_f64(*f)
                            .map(serde_json::Value::Number)
                            .unwrap_or(serde_json::Value::Null),
                        Cell::Text(s) | Cell::Blob(s) => s.clone().into(),
                        Cell::Large { .. } => v.text().into(),
                    };
                    (c.clone(), j)
                })
                .collect();
            serde_json::Value::Object(map)
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into())
}

/// Formats rows in the chosen format.
pub fn export(columns: &[String], rows: &[Vec<Cell>], format: ExportFormat) -> String {
    match format {
        ExportFormat::Csv => to_csv(columns, rows),
        ExportFormat::Json => to_json(columns, rows),
    }
}

/// Every row of a table or view matching the filters, formatted for download.
pub fn export_object<C: Connection + ?Sized>(
    conn: &C,
    query: &PageQuery,
    format: ExportFormat,
) -> Result<String> {
    let rows = all_rows(conn, query)?;
    // Exports carry whole values up to 16 MiB; a bigger one is named by its size.
    let cells: Vec<Vec<Cell>> = rows
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| Cell::from_value_capped(v, 16 << 20))
                .collect()
        })
        .collect();
    Ok(export(&rows.columns, &cells, format))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteConnection;

    fn sample() -> SqliteConnection {
        let c = SqliteConnection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INT, photo BLOB);
             INSERT INTO people (name, age, photo) VALUES ('Ann', 31, x'00ff'), ('Bob', NULL, NULL),
               ('Cé \"quoted\", comma', 25, NULL), ('100% _real_', 40, NULL);
             CREATE VIEW adults AS SELECT name FROM people WHERE age >= 30;",
        )
        .unwrap();
        c
    }

    /// The viewer's connection guard, on a real SQLite connection set up as the viewer sets it
    /// up: everything that could write, change the schema, attach a file or change a setting
    /// of the connection is refused by SQLite itself, `EXPLAIN` or not; reading passes.
    #[test]
    fn the_read_only_authorizer_refuses_every_change_and_lets_reading_through() {
        let dir = std::env::temp_dir().join(format!("motus-authorizer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("guarded.db");
        let _ = std::fs::remove_file(&path);
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a'), ('b');
             CREATE INDEX t_v ON t (v); CREATE VIEW tv AS SELECT v FROM t;
             PRAGMA query_only = ON; PRAGMA trusted_schema = OFF;",
        )
        .unwrap();
        let foreign_keys: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        conn.authorizer(Some(read_only_authorizer)).unwrap();
        let before = std::fs::read(&path).unwrap();
        let other = dir.join("other.db");
        let refused = [
            "INSERT INTO t (v) VALUES ('c')".to_string(),
            "UPDATE t SET v = 'x'".into(),
            "DELETE FROM t".into(),
            "REPLACE INTO t (id, v) VALUES (1, 'z')".into(),
            "CREATE TABLE u (x)".into(),
            "CREATE TEMP TABLE u (x)".into(),
            "CREATE INDEX t_id ON t (id)".into(),
            "CREATE VIEW v2 AS SELECT 1".into(),
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END".into(),
            "DROP TABLE t".into(),
            "DROP VIEW tv".into(),
            "DROP INDEX t_v".into(),
            "ALTER TABLE t ADD COLUMN w".into(),
            "ALTER TABLE t RENAME TO t2".into(),
            format!("ATTACH DATABASE '{}' AS o", other.display()),
            "DETACH DATABASE main".into(),
            "VACUUM".into(),
            format!("VACUUM INTO '{}'", other.display()),
            "ANALYZE".into(),
            "REINDEX".into(),
            "PRAGMA query_only = 0".into(),
            "PRAGMA query_only = OFF".into(),
            "EXPLAIN PRAGMA query_only = 0".into(),
            "EXPLAIN QUERY PLAN PRAGMA query_only = 0".into(),
            "PRAGMA foreign_keys = ON".into(),
            "EXPLAIN PRAGMA foreign_keys = ON".into(),
            "PRAGMA hard_heap_limit = 1000".into(),
            "PRAGMA soft_heap_limit = 1000".into(),
            "PRAGMA writable_schema = ON".into(),
            "PRAGMA trusted_schema = ON".into(),
            "PRAGMA journal_mode = DELETE".into(),
            "PRAGMA user_version = 7".into(),
            "PRAGMA cache_size = 10".into(),
            "PRAGMA mmap_size = 1000000".into(),
            "PRAGMA temp_store_directory = '/tmp'".into(),
            "PRAGMA wal_checkpoint".into(),
            "PRAGMA optimize".into(),
            "PRAGMA incremental_vacuum".into(),
            "PRAGMA shrink_memory".into(),
            "PRAGMA case_sensitive_like = 1".into(),
            "PRAGMA recursive_triggers = 1".into(),
            "PRAGMA busy_timeout = 1".into(),
        ];
        for sql in &refused {
            // Preparing is where the authorizer acts (and where EXPLAIN PRAGMA applied the
            // setting before): a refused statement never gets a prepared form.
            let err = match conn.prepare(sql) {
                Ok(mut st) => st.raw_execute().err().map(|e| e.to_string()),
                Err(e) => Some(e.to_string()),
            };
            let err = err.unwrap_or_else(|| panic!("{sql}: allowed"));
            assert!(
                err.contains("not authorized") || err.contains("authorization denied"),
                "{sql}: {err}"
            );
        }
        // Nothing changed: the settings, the data, the file.
        let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(one("PRAGMA query_only"), 1);
        assert_eq!(one("PRAGMA foreign_keys"), foreign_keys);
        assert_eq!(one("SELECT count(*) FROM t"), 2);
        assert_eq!(one("PRAGMA user_version"), 0);
        assert!(!other.exists(), "nothing attached or written beside it");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // Reading passes: queries, views, recursion, functions, the read-only PRAGMAs, and
        // the settings PRAGMAs without an argument.
        for sql in [
            "SELECT v FROM t ORDER BY id",
            "SELECT * FROM tv",
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) SELECT sum(x) FROM c",
            "SELECT upper(v), length(v), json_array(v) FROM t",
            "EXPLAIN QUERY PLAN SELECT * FROM t WHERE v = 'a'",
            "EXPLAIN SELECT * FROM t",
            "BEGIN",
            "COMMIT",
            "PRAGMA table_info(t)",
            "PRAGMA index_list(t)",
            "PRAGMA index_info(t_v)",
            "PRAGMA integrity_check",
            "PRAGMA database_list",
            "PRAGMA page_count",
            "PRAGMA page_size",
            "PRAGMA query_only",
            "PRAGMA foreign_keys",
            "PRAGMA journal_mode",
            "PRAGMA user_version",
            "SELECT * FROM pragma_table_info('t')",
        ] {
            let mut st = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            let mut rows = st.raw_query();
            while rows.next().unwrap_or_else(|e| panic!("{sql}: {e}")).is_some() {}
        }
        drop(conn);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_foreign_database_is_generic_with_a_notice() {
        let info = describe(&sample()).unwrap();
        assert_eq!(info.kind, DatabaseKind::Generic);
        assert!(info.notice.unwrap().contains("Not a Motus"));
        assert_eq!((info.tables, info.views), (1, 1));
    }

    #[test]
    fn big_cells_travel_by_size_and_broken_views_do_not_hide_the_rest() {
        let c = sample();
        c.execute_batch(
            "CREATE TABLE big (id INTEGER PRIMARY KEY, b BLOB, t TEXT);
             INSERT INTO big VALUES (1, zeroblob(300000), 'small'), (2, x'01', hex(zeroblob(70000)));
             CREATE VIEW broken AS SELECT nope FROM people;",
        )
        .unwrap();
        let q = PageQuery {
            object: "big".into(),
            limit: 10,
            ..Default::default()
        };
        let p = table_page(&c, &q).unwrap();
        assert_eq!(
            p.rows[0][1],
            Cell::Large {
                class: "blob".into(),
                bytes: 300000
            }
        );
        assert_eq!(p.rows[0][2], Cell::Text("small".into()));
        assert_eq!(p.rows[1][1], Cell::Blob("01".into()));
        assert_eq!(
            p.rows[1][2],
            Cell::Large {
                class: "text".into(),
                bytes: 140000
            }
        );
        let r = console_query(&c, "SELECT b FROM big ORDER BY id", 10).unwrap();
        assert!(matches!(r.rows[0][0], Cell::Large { bytes: 300000, .. }));
        let objs = list_objects(&c).unwrap();
        let broken = objs.iter().find(|o| o.name == "broken").unwrap();
        assert!(
            broken.error.as_deref().unwrap().contains("nope"),
            "{broken:?}"
        );
        assert!(objs
            .iter()
            .find(|o| o.name == "people")
            .unwrap()
            .error
            .is_none());
    }

    #[test]
    fn a_userland_db_is_recognised() {
        let c = SqliteConnection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE preferences (key TEXT PRIMARY KEY, value TEXT);
             CREATE TABLE skills (skill_name TEXT PRIMARY KEY);
             CREATE TABLE ground_rules (id TEXT PRIMARY KEY);
             CREATE TABLE learned_patterns (id TEXT PRIMARY KEY);",
        )
        .unwrap();
        let info = describe(&c).unwrap();
        assert!(info.userland);
        assert!(info.notice.unwrap().contains("userland.db"));
        assert!(!describe(&sample()).unwrap().userland);
    }

    #[test]
    fn objects_list_tables_and_views_and_counts_come_per_object() {
        let objs = list_objects(&sample()).unwrap();
        assert_eq!(objs[0].name, "people");
        assert_eq!(row_count(&sample(), "people").unwrap(), 4);
        assert_eq!(row_count(&sample(), "adults").unwrap(), 2);
        assert_eq!(objs[0].columns[1].decl_type, "TEXT");
        assert!(objs[0].columns[1].not_null);
        assert_eq!(objs[1].kind, "view");
        assert_eq!(objs[1].row_count, None);
    }

    #[test]
    fn pages_sort_and_filter() {
        let c = sample();
        let q = PageQuery {
            object: "people".into(),
            sort: Some(Sort {
                column: "age".into(),
                descending: true,
            }),
            filters: vec![Filter {
                column: "age".into(),
                op: FilterOp::NotNull,
                value: String::new(),
            }],
            offset: 1,
            limit: 2,
        };
        let p = table_page(&c, &q).unwrap();
        assert_eq!(p.total, 3);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0][2], Cell::Integer(31));
        // LIKE wildcards in the value are literal.
        let q = PageQuery {
            object: "people".into(),
            filters: vec![Filter {
                column: "name".into(),
                op: FilterOp::Contains,
                value: "0% _".into(),
            }],
            limit: 10,
            ..Default::default()
        };
        assert_eq!(table_page(&c, &q).unwrap().total, 1);
    }

    #[test]
    fn unknown_columns_and_objects_are_refused() {
        let c = sample();
        let q = PageQuery {
            object: "people".into(),
            sort: Some(Sort {
                column: "nope\"; DROP TABLE people; --".into(),
                descending: false,
            }),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(table_page(&c, &q).unwrap_err().code(), "invalid_input");
        let q = PageQuery {
            object: "missing".into(),
            limit: 10,
            ..Default::default()
        };
        assert_eq!(table_page(&c, &q).unwrap_err().code(), "not_found");
    }

    #[test]
    fn the_console_reads_and_refuses_writes() {
        let c = sample();
        let r = console_query(&c, "SELECT name FROM people ORDER BY id; -- done", 2).unwrap();
        assert_eq!(r.rows.len(), 2);
        assert!(r.truncated);
        assert_eq!(r.columns, vec!["name"]);
        let r = console_query(&c, "PRAGMA table_info(people)", 100).unwrap();
        assert_eq!(r.rows.len(), 4);
        for bad in [
            "DELETE FROM people",
            "select 1; drop table people",
            "PRAGMA query_only = OFF",
            "PRAGMA query_only(0)",
            "WITH x AS (SELECT 1) DELETE FROM people",
            "ATTACH 'x.db' AS x",
            "VACUUM",
            "EXPLAIN PRAGMA query_only = 0",
            "explain query plan pragma foreign_keys = off",
            "EXPLAIN PRAGMA hard_heap_limit = 1000",
            "EXPLAIN DELETE FROM people",
            "EXPLAIN",
        ] {
            let e = console_query(&c, bad, 10).unwrap_err();
            assert!(e.to_string().contains("console only reads"), "{bad}: {e}");
        }
        // A semicolon inside a string is not a second statement.
        let r = console_query(&c, "SELECT 'a;b' AS v", 10).unwrap();
        assert_eq!(r.rows[0][0], Cell::Text("a;b".into()));
        assert!(console_query(&c, "EXPLAIN QUERY PLAN SELECT * FROM people", 10).is_ok());
        assert!(console_query(&c, "EXPLAIN PRAGMA table_info(people)", 10).is_ok());
        let e = console_query(&c, "SELECT nope FROM people", 10).unwrap_err();
        assert!(e.to_string().contains("no such column"));
    }

    #[test]
    fn csv_and_json_export_quote_properly() {
        let c = sample();
        let q = PageQuery {
            object: "people".into(),
            limit: 10,
            ..Default::default()
        };
        let csv = export_object(&c, &q, ExportFormat::Csv).unwrap();
        assert!(csv.starts_with("id,name,age,photo\r\n1,Ann,31,00ff\r\n"));
        assert!(csv.contains("\"Cé \"\"quoted\"\", comma\""));
        // Formula prefixes in text are neutralised; numbers are not touched.
        let csv = to_csv(
            &["=x".into(), "n".into()],
            &[
                vec![
                    Cell::Text("=HYPERLINK(\"http://e\")".into()),
                    Cell::Integer(-5),
                ],
                vec![Cell::Text("@SUM(A1)".into()), Cell::Real(-1.5)],
                vec![Cell::Text("+1".into()), Cell::Null],
                vec![Cell::Text("\tx".into()), Cell::Null],
                vec![Cell::Text("=cmd|' /C calc'!A0".into()), Cell::Null],
                vec![Cell::Text("-2+3".into()), Cell::Null],
                vec![Cell::Text("\rx".into()), Cell::Null],
            ],
        );
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "'=x,n");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://e\"\")\",-5");
        assert_eq!(lines[2], "'@SUM(A1),-1.5");
        assert_eq!(lines[3], "'+1,");
        assert_eq!(lines[4], "'\tx,");
        assert_eq!(lines[5], "'=cmd|' /C calc'!A0,");
        assert_eq!(lines[6], "'-2+3,");
        assert!(csv.contains("\"'\rx\","));
        let json = export_object(&c, &q, ExportFormat::Json).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v[1]["age"], serde_json::Value::Null);
        assert_eq!(v[0]["photo"], "00ff");
    }
}
