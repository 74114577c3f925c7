//! Leases: the `coordination_leases` row, its resources and its lifecycle
//! (active → released | aborted | expired, nothing else), and lazy expiry.

use crate::connection::{Connection, Row};
use crate::error::{Error, Result};
use crate::ids::Env;
use crate::params;
use crate::time::Timestamp;
use serde::Serialize;

/// Longest lease a claim may ask for (7 days), as in the original.
pub const MAX_TTL_S: i64 = 604_800;
/// The CLI's default lease length.
pub const DEFAULT_TTL_S: i64 = 3600;
pub const POLICY_VERSION: &str = "v1.0.0";

/// One claimed resource, `type:path`. Overlap is exact equality of both parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: String,
    pub path: String,
}

impl Resource {
    pub fn new(kind: impl Into<String>, path: impl Into<String>) -> Self {
        Resource {
            kind: kind.into(),
            path: path.into(),
        }
    }
    /// The CLI's `TYPE:PATH`, split on the first colon; no colon means `file:<spec>`.
    pub fn parse_spec(spec: &str) -> Resource {
        match spec.split_once(':') {
            Some((kind, path)) => Resource::new(kind.trim(), path.trim()),
            None => Resource::new("file", spec.trim()),
        }
    }
    pub fn is_valid(&self) -> bool {
        !self.kind.trim().is_empty() && !self.path.trim().is_empty()
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind, self.path)
    }
}

/// The `resources` column as the original writes it (`json.dumps(sort_keys=True)`).
pub fn resources_to_column(resources: &[Resource]) -> String {
    let items: Vec<String> = resources
        .iter()
        .map(|r| {
            format!(
                "{{\"path\": {}, \"type\": {}}}",
                serde_json::Value::from(r.path.as_str()),
                serde_json::Value::from(r.kind.as_str())
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn resources_from_column(text: &str) -> Result<Vec<Resource>> {
    #[derive(serde::Deserialize)]
    struct Raw {
        #[serde(rename = "type")]
        kind: String,
        path: String,
    }
    let raw: Vec<Raw> = serde_json::from_str(text).map_err(|e| Error::UnexpectedData {
        message: format!("lease resources are not valid JSON ({e}): {text}"),
    })?;
    Ok(raw
        .into_iter()
        .map(|r| Resource::new(r.kind, r.path))
        .collect())
}

/// Access mode. A write lease excludes every other lease on the resource; reads share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Read,
    Write,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Read => "read",
            Mode::Write => "write",
        }
    }
    pub fn parse(s: &str) -> Result<Mode> {
        match s {
            "read" => Ok(Mode::Read),
            "write" => Ok(Mode::Write),
            other => Err(Error::invalid(
                "mode",
                format!("'{other}' is not a lease mode; use read or write"),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LeaseStatus {
    Active,
    Released,
    Aborted,
    Expired,
}

impl LeaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaseStatus::Active => "active",
            LeaseStatus::Released => "released",
            LeaseStatus::Aborted => "aborted",
            LeaseStatus::Expired => "expired",
        }
    }
    fn parse(s: &str) -> Option<LeaseStatus> {
        Some(match s {
            "active" => LeaseStatus::Active,
            "released" => LeaseStatus::Released,
            "aborted" => LeaseStatus::Aborted,
            "expired" => LeaseStatus::Expired,
            _ => return None,
        })
    }
}

/// A `coordination_leases` row.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Lease {
    pub lease_id: String,
    pub owner_agent_id: String,
    pub mode: String,
    pub resources: Vec<Resource>,
    #[serde(serialize_with = "ts_json")]
    pub issued_at: Timestamp,
    #[serde(serialize_with = "ts_json")]
    pub expires_at: Timestamp,
    #[serde(serialize_with = "ts_json")]
    pub heartbeat_deadline: Timestamp,
    pub snapshot_id: String,
    pub policy_version: String,
    pub lens_digest: String,
    pub work_id: Option<String>,
    pub attempt_id: Option<String>,
    pub status: LeaseStatus,
    pub outcome: Option<String>,
    #[serde(serialize_with = "ts_json")]
    pub updated_at: Timestamp,
}

/// Timestamps in JSON output: RFC 3339 UTC with milliseconds.
pub fn ts_json<S: serde::Serializer>(ts: &Timestamp, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&ts.to_rfc3339())
}

pub const LEASE_COLUMNS: &str =
    "lease_id, owner_agent_id, mode, resources, issued_at, expires_at, \
     heartbeat_deadline, snapshot_id, policy_version, lens_digest, work_id, attempt_id, status, \
     outcome, updated_at";

fn parse_ts(row: &Row, idx: usize, lease_id: &str) -> Result<Timestamp> {
    let text: String = row.get(idx)?;
    Timestamp::parse(&text).ok_or_else(|| Error::UnexpectedData {
        message: format!(
            "lease {lease_id} has an unreadable timestamp in {}: {text}",
            row.columns()[idx]
        ),
    })
}

impl Lease {
    /// Reads a row selected with [`LEASE_COLUMNS`].
    pub fn from_row(row: &Row) -> Result<Lease> {
        let lease_id: String = row.get(0)?;
        let status_text: String = row.get(12)?;
        let status = LeaseStatus::parse(&status_text).ok_or_else(|| Error::UnexpectedData {
            message: format!("lease {lease_id} has an unknown status '{status_text}'"),
        })?;
        Ok(Lease {
            owner_agent_id: row.get(1)?,
            mode: row.get(2)?,
            resources: resources_from_column(&row.get::<String>(3)?)?,
            issued_at: parse_ts(row, 4, &lease_id)?,
            expires_at: parse_ts(row, 5, &lease_id)?,
            heartbeat_deadline: parse_ts(row, 6, &lease_id)?,
            snapshot_id: row.get(7)?,
            policy_version: row.get(8)?,
            lens_digest: row.get(9)?,
            work_id: row.get(10)?,
            attempt_id: row.get(11)?,
            status,
            outcome: row.get(13)?,
            updated_at: parse_ts(row, 14, &lease_id)?,
            lease_id,
        })
    }

    /// The instant the lease stops holding: the earlier of its two deadlines.
    pub fn deadline(&self) -> Timestamp {
        self.expires_at.min(self.heartbeat_deadline)
    }

    /// Active and not past its deadline at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.status == LeaseStatus::Active && now < self.deadline()
    }

    /// The status a reader should see at `now` (an overdue active lease is expired).
    pub fn effective_status(&self, now: Timestamp) -> LeaseStatus {
        if self.status == LeaseStatus::Active && now >= self.deadline() {
            LeaseStatus::Expired
        } else {
            self.status
        }
    }

    pub fn is_write(&self) -> bool {
        self.mode != "read"
    }
}

/// Checks the shape `lease-YYYYMMDD-xxxxxxxx`, so a typo gets a clear error, not "not found".
pub fn validate_lease_id(id: &str) -> Result<()> {
    let ok = id
        .strip_prefix("lease-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(date, hex)| {
            date.len() == 8
                && date.bytes().all(|b| b.is_ascii_digit())
                && hex.len() == 8
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "lease_id",
            format!("'{id}' is not a lease id; lease ids look like lease-20261126-1a2b3c4d"),
        ))
    }
}

/// [`validate_lease_id`], except that an id this database holds is always usable, whatever
/// its shape (another tool, or an older one, may have written it): only an id that is not
/// shaped like ours *and* names no lease here is refused as malformed.
pub fn check_lease_id<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<()> {
    if validate_lease_id(id).is_ok() || exists(conn, id)? {
        return Ok(());
    }
    validate_lease_id(id)
}

/// Whether a lease with this id exists (any status).
pub fn exists<C: Connection + ?Sized>(conn: &C, id: &str) -> Result<bool> {
    Ok(conn
        .query(
            "SELECT 1 FROM coordination_leases WHERE lease_id = ?1",
            params![id],
        )?
        .first()
        .is_some())
}

pub fn new_lease_id(env: &Env) -> String {
    format!("lease-{}-{}", env.now().yyyymmdd(), env.ids.random_hex(8))
}

/// Loads a lease by id.
pub fn load<C: Connection + ?Sized>(conn: &C, lease_id: &str) -> Result<Option<Lease>> {
    let rows = conn.query(
        &format!("SELECT {LEASE_COLUMNS} FROM coordination_leases WHERE lease_id = ?1"),
        params![lease_id],
    )?;
    rows.first().map(|r| Lease::from_row(&r)).transpose()
}

/// Every lease with status `active` (live or overdue).
pub fn load_active<C: Connection + ?Sized>(conn: &C) -> Result<Vec<Lease>> {
    let rows = conn.query(
        &format!("SELECT {LEASE_COLUMNS} FROM coordination_leases WHERE status = 'active'"),
        params![],
    )?;
    rows.iter().map(|r| Lease::from_row(&r)).collect()
}

/// Writes a terminal status (and outcome) on the row and in `lease`.
pub fn set_status<C: Connection + ?Sized>(
    conn: &C,
    lease: &mut Lease,
    status: LeaseStatus,
    outcome: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let changed = conn.execute(
        "UPDATE coordination_leases SET status = ?1, outcome = ?2, updated_at = ?3 \
         WHERE lease_id = ?4 AND status = 'active'",
        params![
            status.as_str(),
            outcome,
            now.to_db(),
            lease.lease_id.as_str()
        ],
    )?;
    if changed != 1 {
        return Err(Error::UnexpectedData {
            message: format!("lease {} was not active when it was ended", lease.lease_id),
        });
    }
    lease.status = status;
    lease.outcome = outcome.map(str::to_string);
    lease.updated_at = now;
    Ok(())
}

/// Ttl still left at `now`, in whole seconds (0 once past).
pub fn ttl_remaining_s(lease: &Lease, now: Timestamp) -> i64 {
    now.seconds_until(lease.deadline()).max(0)
}

/// Agent ids: non-empty after trimming.
pub fn valid_agent(agent: &str) -> bool {
    !agent.trim().is_empty()
}
