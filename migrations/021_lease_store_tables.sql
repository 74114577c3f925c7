-- 021_lease_store_tables
--
-- What: the lease store's runtime tables, as the original's LeaseStore
-- creates them on first use:
--   coordination_leases  one row per granted lease (status active ->
--                        released | aborted | expired; ISO-8601 'Z' times)
--   events               lease event log, FK to coordination_leases
-- with the indexes idx_coordination_leases_status / _owner / _expires and
-- idx_events_lease.
--
-- Why: in the original these are created by code, not by a migration, so a
-- database written by the original has them only after first use. Making
-- them part of the schema lets every database of this project have the
-- same shape. IF NOT EXISTS throughout, because databases written by the
-- original after first use already contain them.
--
-- Not done here (cannot be written in plain SQL): the original's LeaseStore
-- also adds work_id / attempt_id to an older coordination_leases that lacks
-- them, and creates a one-column `schema_version` stub in an empty file.
-- Neither applies to databases of motusos 0.3.x migrated to v20; the stub
-- must never be created by this project (it breaks the migration ledger).

-- UP

CREATE TABLE IF NOT EXISTS coordination_leases (
    lease_id           TEXT PRIMARY KEY,
    owner_agent_id     TEXT NOT NULL,
    mode               TEXT NOT NULL,
    resources          TEXT NOT NULL,
    issued_at          TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    heartbeat_deadline TEXT NOT NULL,
    snapshot_id        TEXT NOT NULL,
    policy_version     TEXT NOT NULL,
    lens_digest        TEXT NOT NULL,
    work_id            TEXT,
    attempt_id         TEXT,
    status             TEXT NOT NULL DEFAULT 'active',
    outcome            TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_coordination_leases_status ON coordination_leases (status);
CREATE INDEX IF NOT EXISTS idx_coordination_leases_owner ON coordination_leases (owner_agent_id);
CREATE INDEX IF NOT EXISTS idx_coordination_leases_expires ON coordination_leases (expires_at);

CREATE TABLE IF NOT EXISTS events (
    event_id   TEXT PRIMARY KEY,
    lease_id   TEXT NOT NULL REFERENCES coordination_leases (lease_id),
    event_type TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS idx_events_lease ON events (lease_id);

-- DOWN

-- Comment only: these tables may hold lease history written by the
-- original's LeaseStore before this migration ran; they are not dropped.
