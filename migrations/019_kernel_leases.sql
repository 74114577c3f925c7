-- 019_kernel_leases
--
-- What: the kernel lease table `leases` (KERNEL-SCHEMA v0.1.3): a worker
-- holds a read, write or exclusive lease on (resource_type, resource_id)
-- until released_at is set or expires_at passes. Three indexes and three
-- BEFORE INSERT triggers:
--   leases_exclusive_check  an exclusive lease needs an idle resource
--   leases_write_check      a write lease is refused under an exclusive one
--                           (never observed: leases_any_check, created
--                           later, fires first with the same condition)
--   leases_any_check        read/write leases are refused under an
--                           exclusive one
-- Read+write and write+write leases may coexist.
--
-- Why: schema-compatible with motusos 0.3.x migration 019, including its
-- defect: the partial index idx_leases_active filters on datetime('now'),
-- which SQLite refuses to evaluate in an index, so every INSERT into
-- `leases` fails with "non-deterministic use of datetime() in an index".
-- 022 of this project replaces the index; the original's LeaseStore uses
-- its own tables (coordination_leases, events; see 021), not this one.
--
-- Runner note: before applying this file the original renames an existing
-- `leases` table that lacks any of resource_type, resource_id, worker_id,
-- ttl_seconds, acquired_at to leases_legacy (or leases_legacy_1, _2, ...).
-- That conditional step cannot be written in plain SQL and belongs to the
-- migration runner.

-- UP

CREATE TABLE leases (
    id             TEXT PRIMARY KEY,
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    mode           TEXT NOT NULL CHECK (mode IN ('read', 'write', 'exclusive')),
    worker_id      TEXT NOT NULL,
    attempt_id     TEXT REFERENCES attempts (id),
    acquired_at    TEXT NOT NULL DEFAULT (datetime('now')),
    ttl_seconds    INTEGER NOT NULL,
    expires_at     TEXT NOT NULL,
    last_heartbeat TEXT,
    released_at    TEXT
);

CREATE INDEX idx_leases_resource ON leases (resource_type, resource_id);
CREATE INDEX idx_leases_worker ON leases (worker_id);
-- The original's broken index, reproduced as is (see header and 022).
CREATE INDEX idx_leases_active ON leases (resource_type, resource_id)
    WHERE released_at IS NULL AND expires_at > datetime('now');

CREATE TRIGGER leases_exclusive_check
    BEFORE INSERT ON leases
    WHEN NEW.mode = 'exclusive'
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM leases AS held
                      WHERE held.resource_type = NEW.resource_type
                        AND held.resource_id = NEW.resource_id
                        AND held.released_at IS NULL
                        AND held.expires_at > datetime('now'))
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire exclusive lease - resource has active leases')
    END;
END;

CREATE TRIGGER leases_write_check
    BEFORE INSERT ON leases
    WHEN NEW.mode = 'write'
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM leases AS held
                      WHERE held.resource_type = NEW.resource_type
                        AND held.resource_id = NEW.resource_id
                        AND held.mode = 'exclusive'
                        AND held.released_at IS NULL
                        AND held.expires_at > datetime('now'))
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire write lease - exclusive lease active')
    END;
END;

CREATE TRIGGER leases_any_check
    BEFORE INSERT ON leases
    WHEN NEW.mode IN ('read', 'write')
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM leases AS held
                      WHERE held.resource_type = NEW.resource_type
                        AND held.resource_id = NEW.resource_id
                        AND held.mode = 'exclusive'
                        AND held.released_at IS NULL
                        AND held.expires_at > datetime('now'))
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire lease - exclusive lease active on resource')
    END;
END;

-- DOWN

DROP TRIGGER IF EXISTS leases_any_check;
DROP TRIGGER IF EXISTS leases_write_check;
DROP TRIGGER IF EXISTS leases_exclusive_check;
DROP TABLE IF EXISTS leases;
