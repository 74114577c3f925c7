//! `--db dqlite://HOST:PORT[,HOST:PORT…]/NAME`: the coordination database on a dqlite
//! cluster instead of a local file. Commands that only make sense on a file (a file backup
//! or restore, userland extraction into a file, the viewer of a file) say so instead.

use crate::output::CliError;
use dqlite_client::{DqliteConnection, DqliteUrl};
use motus_core::sqlite::SqliteConnection;
use motus_core::{Connection, Result, Rows, Value};
use std::path::Path;

/// The coordination database a command works on: a local file or a cluster.
pub enum DbConn {
    File(SqliteConnection),
    Cluster(DqliteConnection),
}

impl DbConn {
    /// The local file's connection, when it is one.
    pub fn file(&self) -> Option<&SqliteConnection> {
        match self {
            DbConn::File(c) => Some(c),
            DbConn::Cluster(_) => None,
        }
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self, DbConn::Cluster(_))
    }
}

macro_rules! both {
    ($self:ident, $c:ident => $e:expr) => {
        match $self {
            DbConn::File($c) => $e,
            DbConn::Cluster($c) => $e,
        }
    };
}

impl Connection for DbConn {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        both!(self, c => c.execute(sql, params))
    }
    fn query(&self, sql: &str, params: &[Value]) -> Result<Rows> {
        both!(self, c => c.query(sql, params))
    }
    fn execute_batch(&self, sql: &str) -> Result<()> {
        both!(self, c => c.execute_batch(sql))
    }
    fn begin_write(&self) -> Result<()> {
        both!(self, c => c.begin_write())
    }
    fn begin_read(&self) -> Result<()> {
        both!(self, c => c.begin_read())
    }
    fn commit(&self) -> Result<()> {
        both!(self, c => c.commit())
    }
    fn rollback(&self) -> Result<()> {
        both!(self, c => c.rollback())
    }
    fn in_transaction(&self) -> bool {
        both!(self, c => c.in_transaction())
    }
    fn is_local_file(&self) -> bool {
        both!(self, c => c.is_local_file())
    }
}

/// The cluster URL `path` names, if it names one (`dqlite://…`); a malformed one is a
/// usage error that shows the accepted form.
pub fn url_of(path: &Path) -> std::result::Result<Option<DqliteUrl>, CliError> {
    match path.to_str() {
        Some(s) if DqliteUrl::is_url(s) => DqliteUrl::parse(s)
            .map(Some)
            .map_err(|e| CliError::usage(e.to_string())),
        _ => Ok(None),
    }
}

pub fn is_cluster(path: &Path) -> bool {
    path.to_str().is_some_and(DqliteUrl::is_url)
}

/// Connects to the cluster's leader and opens the database (read-only sets `query_only`).
pub fn open(url: &DqliteUrl, read_only: bool) -> std::result::Result<DqliteConnection, CliError> {
    DqliteConnection::open(url, read_only)
        .map_err(|e| CliError::from(e).at(Path::new(&url.to_string())))
}

/// For commands that work on a local file only: a clear refusal naming what to use instead.
pub fn refuse_file_only(
    path: &Path,
    command: &str,
    instead: &str,
) -> std::result::Result<(), CliError> {
    if is_cluster(path) {
        return Err(CliError::usage(format!(
            "`motus {command}` works on a local database file, not on a cluster ({}); {instead}",
            path.display()
        )));
    }
    Ok(())
}

/// `motus doctor` on a cluster: who leads, and every member with its role and whether it
/// answers (in place of the WAL and leftover checks, which are a file's).
pub fn doctor_checks(conn: &DqliteConnection) -> Vec<motus_core::file_tools::doctor::Check> {
    use dqlite_client::{Client, Role, Timeouts};
    use motus_core::file_tools::doctor::{Check, CheckStatus};
    /// One member as the `members` check lists it.
    #[derive(serde::Serialize)]
    struct MemberHealth {
        id: String,
        address: String,
        role: &'static str,
        answers: bool,
        sees_leader: String,
    }
    let mut checks = Vec::new();
    let Some(leader) = conn.leader_address() else {
        checks.push(Check::new(
            "leader",
            CheckStatus::Fail,
            "no leader answered",
        ));
        return checks;
    };
    let members = Client::connect_node(&leader, Timeouts::default()).and_then(|mut c| c.cluster());
    let members = match members {
        Ok(m) => m,
        Err(e) => {
            checks.push(Check::new(
                "leader",
                CheckStatus::Fail,
                format!("the leader {leader} stopped answering: {e}"),
            ));
            return checks;
        }
    };
    checks.push(Check::new(
        "leader",
        CheckStatus::Pass,
        format!("leader is {leader}"),
    ));
    let mut rows = Vec::new();
    let mut voters: usize = 0;
    let mut down_voters = Vec::new();
    for m in &members {
        // Each member is asked who leads: an answer proves it runs and follows the cluster.
        let sees =
            Client::connect_node(&m.address, Timeouts::default()).and_then(|mut c| c.leader());
        let (up, sees) = match sees {
            Ok(Some((_, a))) => (true, a),
            Ok(None) => (true, String::new()),
            Err(_) => (false, String::new()),
        };
        if m.role == Role::Voter {
            voters += 1;
            if !up {
                down_voters.push(m.address.clone());
            }
        }
        rows.push(MemberHealth {
            id: format!("{:x}", m.id),
            address: m.address.clone(),
            role: m.role.name(),
            answers: up,
            sees_leader: sees,
        });
    }
    let tolerated = voters.saturating_sub(1) / 2;
    let (status, message) = if !down_voters.is_empty() {
        (
            CheckStatus::Warn,
            format!(
                "{} member(s), {voters} voter(s); voter(s) not answering: {}. Restart them on their data directories",
                members.len(),
                down_voters.join(", ")
            ),
        )
    } else if voters < 3 {
        (
            CheckStatus::Warn,
            format!("{} member(s), {voters} voter(s): losing one node stops writes; run 3 or more voters", members.len()),
        )
    } else {
        (
            CheckStatus::Pass,
            format!("{} member(s), {voters} voters, all answering; writes survive the loss of {tolerated} node(s)", members.len()),
        )
    };
    checks.push(
        Check::new("members", status, message)
            .with_details(serde_json::to_value(&rows).unwrap_or_default()),
    );
    checks
}

/// The database's size on the cluster (pages × page size, as the leader reports it).
pub fn size_bytes(conn: &DqliteConnection) -> u64 {
    motus_core::engine::local_file::size_bytes(conn).unwrap_or(0)
}

/// Exports the cluster database to `NAME-<why>-<time>-<random>.jsonl` in the working
/// directory (built in a private staging directory, placed when complete): the copy kept
/// before a cluster database is replaced or upgraded. Returns where it is.
pub fn export_kept(
    cluster: &DqliteConnection,
    url: &DqliteUrl,
    why: &str,
) -> std::result::Result<std::path::PathBuf, CliError> {
    use crate::host::SystemClock;
    use motus_core::file_tools::transfer;
    use motus_core::Clock;
    let io = |e: std::io::Error| {
        CliError::failed(
            "io",
            format!("cannot write the copy kept {why} in the working directory: {e}"),
        )
        .with_hint("run the command from a directory you can write to")
    };
    let stamp: String = SystemClock
        .now()
        .to_db()
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let dest = std::path::PathBuf::from(format!(
        "{}-{why}-{stamp}-{}.jsonl",
        url.name,
        crate::files::random_suffix(6)
    ));
    let staged = crate::files::Staged::new(&dest).map_err(io)?;
    {
        let mut w = std::io::BufWriter::new(staged.open().map_err(io)?);
        transfer::export(
            cluster,
            Some(&url.to_string()),
            SystemClock.now(),
            &mut w,
            &mut motus_core::progress::unwatched(),
        )
        .map_err(|e| CliError::from(e).at(Path::new(&url.to_string())))?;
        std::io::Write::flush(&mut w).map_err(io)?;
    }
    staged
        .place(crate::files::Overwrite::Refuse)
        .map_err(|e| match e {
            crate::files::PlaceError::Io(e) => io(e),
            crate::files::PlaceError::Exists(p) => CliError::failed(
                "io",
                format!("{} appeared while the copy was written", p.display()),
            ),
        })
}

/// `motus db import FILE --db dqlite://…`: the export is loaded and verified in a private
/// scratch file first (so a bad export never touches the cluster), then written into the
/// cluster database in one transaction that commits only when every table hashes to the
/// export's fingerprint. A database holding different data is replaced only with
/// `--replace`, after its current content is exported beside the working directory.
pub fn import(
    ctx: &crate::cli::ctx::Ctx,
    url: &DqliteUrl,
    input: &Path,
    header: &motus_core::file_tools::transfer::Header,
    lines: &mut dyn Iterator<Item = std::io::Result<String>>,
    replace: bool,
) -> std::result::Result<ClusterImport, CliError> {
    use crate::host::SystemClock;
    use motus_core::file_tools::transfer;
    use motus_core::migrate::Migrator;
    use motus_core::sqlite::OpenMode;
    use motus_core::Clock;
    let target = Path::new(&ctx.db_path);
    let at = |p: &Path| {
        let p = p.to_path_buf();
        move |e: motus_core::Error| CliError::from(e).at(&p)
    };
    let io = |e: std::io::Error| {
        CliError::failed(
            "io",
            format!("cannot create a scratch file in the temporary directory: {e}"),
        )
    };
    let staged = crate::files::Staged::new(
        &std::env::temp_dir().join(format!("motus-import-{}.db", url.name)),
    )
    .map_err(io)?;
    let scratch_path = staged.path().to_path_buf();
    let scratch = SqliteConnection::open(&scratch_path.to_string_lossy(), OpenMode::ReadWrite)
        .map_err(at(&scratch_path))?;
    motus_core::engine::local_file::use_scratch_journal(&scratch, None)
        .map_err(at(&scratch_path))?;
    transfer::prepare_empty(&scratch, header, &SystemClock)
        .map_err(|e| CliError::from(e.root().clone()).at(target))?;
    transfer::load(
        &scratch,
        header,
        lines,
        &mut motus_core::progress::unwatched(),
    )
    .map_err(|e| {
        let mut err = CliError::from(e);
        err.exit = crate::output::EXIT_FAILED;
        err
    })?;
    let cluster = open(url, false)?;
    let tables = motus_core::engine::catalogue::table_count(&cluster).map_err(at(target))?;
    // A cluster database at another schema version than the export: the export's rows
    // are brought to the cluster's version (this build's) by the same migrations, in the
    // scratch file; a cluster behind this build is upgraded first, by the user.
    let mut migrated_from = None;
    if tables > 0 {
        let status = Migrator::coordination()
            .status(&cluster)
            .map_err(at(target))?;
        let latest = motus_core::migrate::latest_version();
        if status.current_version != header.schema_version {
            if status.current_version != latest {
                return Err(CliError::failed(
                    "schema_outdated",
                    format!(
                        "{} is at schema version {}, the export at {}, and this build's is {latest}: the export's rows can only be brought to this build's version. Nothing was written",
                        target.display(),
                        status.current_version,
                        header.schema_version
                    ),
                )
                .with_hint(format!(
                    "upgrade the cluster database first (`motus db migrate --db {}`, which keeps an export of it), then import again",
                    url
                )));
            }
            Migrator::coordination()
                .migrate(&scratch, &SystemClock, false, &mut |_| Ok(None))
                .map_err(at(&scratch_path))?;
            migrated_from = Some(header.schema_version);
        }
    }
    // The verified rows, as an export, for the cluster's own load (which checks them again).
    let mut bytes = Vec::new();
    transfer::export(
        &scratch,
        Some(&input.display().to_string()),
        SystemClock.now(),
        &mut bytes,
        &mut motus_core::progress::unwatched(),
    )
    .map_err(at(&scratch_path))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::failed("io", "the scratch export is not UTF-8"))?;
    let mut verified = text.lines().map(|l| Ok(l.to_owned()));
    let first = verified.next().and_then(|l| l.ok()).unwrap_or_default();
    let header = transfer::parse_header(&first).map_err(at(&scratch_path))?;

    let (mut identical, mut replaced, mut kept) = (false, false, None);
    if tables > 0 {
        let diffs = motus_core::read_tx(&cluster, |c| transfer::compare(c, &scratch))
            .map_err(at(target))?;
        if diffs.is_empty() {
            identical = true;
        } else if !replace {
            let lines: Vec<String> = diffs.iter().map(|d| format!("  {d}")).collect();
            return Err(CliError::failed(
                "import_conflict",
                format!(
                    "{} already holds different data; importing would replace it. Nothing was written. Differences:\n{}\nImport into a new database name, or pass --replace to overwrite (its current content is exported first)",
                    target.display(),
                    lines.join("\n")
                ),
            ));
        } else {
            // Keep what is there: an export in the working directory.
            let placed = export_kept(&cluster, url, "before-import")?;
            kept = Some(placed);
            transfer::load(
                &cluster,
                &header,
                &mut verified,
                &mut motus_core::progress::unwatched(),
            )
            .map_err(at(target))?;
            replaced = true;
        }
    } else {
        transfer::prepare_empty(&cluster, &header, &SystemClock).map_err(at(target))?;
        transfer::load(
            &cluster,
            &header,
            &mut verified,
            &mut motus_core::progress::unwatched(),
        )
        .map_err(at(target))?;
    }
    if !identical {
        let diffs = motus_core::read_tx(&cluster, |c| transfer::compare(c, &scratch))
            .map_err(at(target))?;
        if !diffs.is_empty() {
            return Err(CliError::failed(
                "verify_failed",
                format!(
                    "after the import, {} differs from the export in {} table(s)",
                    target.display(),
                    diffs.len()
                ),
            ));
        }
    }
    Ok(ClusterImport {
        created: tables == 0,
        identical,
        replaced,
        kept,
        migrated_from,
        schema_version: header.schema_version,
    })
}

/// What an import into a cluster did; `db import` reports it like a file's.
pub struct ClusterImport {
    pub created: bool,
    pub identical: bool,
    pub replaced: bool,
    pub kept: Option<std::path::PathBuf>,
    /// The export's schema version, when its rows were migrated to the cluster's.
    pub migrated_from: Option<i64>,
    /// The schema version of the rows written.
    pub schema_version: i64,
}
