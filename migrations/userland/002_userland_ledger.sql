-- 002_userland_ledger
--
-- What: what makes a userland.db recognisable and its extraction resumable:
--   userland_meta         key/value identity of this file (a random
--                         userland_id, the format name)
--   userland_extractions  one row per extraction from a coordination.db:
--                         where from (path, instance_id), the per-table row
--                         counts and content hashes of what was copied, and
--                         how far it got (copied -> complete, or discarded
--                         when the source changed before its rows were
--                         removed and the copy was made again)
--   audit_log             the same append-only audit trail coordination.db
--                         has, for writes made to this file
--
-- Why: coordination.db and userland.db cannot commit together, so the
-- extraction is a sequence of single-file transactions; this ledger (with
-- the `userland_extraction` marker that the removal step writes into
-- coordination.db's instance_config) tells a rerun where the last run
-- stopped. At most one extraction per source is live (not discarded).

-- UP

CREATE TABLE userland_meta (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);

INSERT INTO userland_meta (key, value) VALUES
    ('format', 'motus-userland'),
    ('userland_id', lower(hex(randomblob(16))));

CREATE TABLE userland_extractions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    source_path        TEXT NOT NULL,
    source_instance_id TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('copied', 'complete', 'discarded')),
    tables_json        TEXT NOT NULL,
    backup_path        TEXT,
    copied_at          TEXT NOT NULL,
    completed_at       TEXT,
    discarded_at       TEXT,
    CHECK (state <> 'complete' OR completed_at IS NOT NULL),
    CHECK (state <> 'discarded' OR discarded_at IS NOT NULL)
);

CREATE UNIQUE INDEX idx_userland_extractions_live
    ON userland_extractions (source_instance_id)
    WHERE state <> 'discarded';

CREATE TABLE audit_log (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp        TEXT NOT NULL DEFAULT (datetime('now')),
    event_type       TEXT NOT NULL,
    actor            TEXT NOT NULL,
    resource_type    TEXT,
    resource_id      TEXT,
    action           TEXT NOT NULL,
    old_value        TEXT,
    new_value        TEXT,
    context          TEXT,
    instance_id      TEXT NOT NULL,
    protocol_version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX idx_audit_timestamp ON audit_log (timestamp);
CREATE INDEX idx_audit_resource ON audit_log (resource_type, resource_id);
CREATE INDEX idx_audit_actor ON audit_log (actor);

CREATE TRIGGER audit_log_immutable
    BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'Audit log entries are immutable');
END;

CREATE TRIGGER audit_log_no_delete
    BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'Audit log entries cannot be deleted');
END;

-- DOWN

DROP TABLE IF EXISTS audit_log;
DROP TABLE IF EXISTS userland_extractions;
DROP TABLE IF EXISTS userland_meta;
