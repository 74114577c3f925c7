-- 001_initial_schema
--
-- What: the system & policy foundation of coordination.db:
--   instance_config      key/value identity of this installation
--   terminology          stable internal keys with editable display names
--   resource_quotas      soft/hard runaway limits
--   idempotency_keys     request de-duplication
--   audit_log            append-only audit trail (UPDATE/DELETE refused)
--   health_check_results rolling 7-day window of health checks
--   circuit_breakers     per-subsystem breaker state
--   extension_points     handler registry (its `enabled` flag becomes
--                        `is_enabled` in 017)
-- plus the seed rows the original writes: 7 instance_config keys (one of
-- them a freshly generated random instance_id), 17 terminology rows,
-- 5 quotas, 3 breakers and 7 built-in extension handlers.
--
-- Why: schema-compatible with motusos 0.3.x migration 001. Column order,
-- types, defaults, CHECK lists, trigger names and error texts are the
-- original's; the SQL text itself is written for this project.

-- UP

CREATE TABLE instance_config (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE terminology (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    domain        TEXT NOT NULL,
    internal_key  TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    description   TEXT,
    sort_order    INTEGER DEFAULT 0,
    deprecated_at TEXT,
    replaced_by   TEXT,
    created_at    TEXT NOT NULL DEFAULT (datetime('now')),
    UNIQUE (domain, internal_key)
);

CREATE INDEX idx_terminology_lookup ON terminology (domain, internal_key);

CREATE TABLE resource_quotas (
    resource_type        TEXT PRIMARY KEY,
    soft_limit           INTEGER NOT NULL,
    hard_limit           INTEGER NOT NULL,
    current_usage        INTEGER NOT NULL DEFAULT 0,
    last_warning_at      TEXT,
    last_reset_at        TEXT,
    reset_interval_hours INTEGER,
    created_at           TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY,
    operation    TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'complete', 'failed')),
    created_at   TEXT NOT NULL DEFAULT (datetime('now')),
    expires_at   TEXT NOT NULL,
    CHECK (expires_at > created_at)
);

CREATE INDEX idx_idempotency_expires ON idempotency_keys (expires_at);
CREATE INDEX idx_idempotency_status ON idempotency_keys (status)
    WHERE status = 'pending';

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

-- The audit trail is append-only.
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

CREATE TABLE health_check_results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    check_name  TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
    message     TEXT,
    details     TEXT,
    duration_ms REAL,
    checked_at  TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE INDEX idx_health_latest ON health_check_results (check_name, checked_at DESC);

-- Every insert prunes results older than seven days (a backdated row
-- inserted with an old checked_at removes itself).
CREATE TRIGGER health_check_cleanup
    AFTER INSERT ON health_check_results
BEGIN
    DELETE FROM health_check_results
     WHERE checked_at < datetime('now', '-7 days');
END;

CREATE TABLE circuit_breakers (
    name                     TEXT PRIMARY KEY,
    state                    TEXT NOT NULL DEFAULT 'closed'
                             CHECK (state IN ('closed', 'open', 'half_open')),
    failure_count            INTEGER NOT NULL DEFAULT 0,
    success_count            INTEGER NOT NULL DEFAULT 0,
    last_failure_at          TEXT,
    last_success_at          TEXT,
    opened_at                TEXT,
    failure_threshold        INTEGER NOT NULL DEFAULT 5,
    recovery_timeout_seconds INTEGER NOT NULL DEFAULT 30,
    updated_at               TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE extension_points (
    point_name   TEXT NOT NULL,
    handler_id   TEXT NOT NULL,
    handler_type TEXT NOT NULL
                 CHECK (handler_type IN ('builtin', 'plugin', 'hook')),
    handler_path TEXT,
    priority     INTEGER NOT NULL DEFAULT 50,
    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at   TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (point_name, handler_id)
);

-- Seed: instance identity. instance_id is 32 random lowercase hex digits,
-- generated once when this migration runs.
INSERT INTO instance_config (key, value) VALUES
    ('instance_id',             lower(hex(randomblob(16)))),
    ('instance_name',           'default'),
    ('protocol_version',        '1'),
    ('federation_enabled',      'false'),
    ('federation_upstream_url', ''),
    ('federation_api_key',      ''),
    ('created_at',              datetime('now'));

-- Seed: terminology (planes, artifacts, CR statuses and types).
INSERT INTO terminology (domain, internal_key, display_name, description, sort_order) VALUES
    ('plane',     'control_plane', 'Control Plane',  'Where decisions are made',          1),
    ('plane',     'ops_plane',     'Ops Plane',      'Where coordination happens',        2),
    ('plane',     'data_plane',    'Data Plane',     'Where work happens',                3),
    ('artifact',  'flight_rule',   'Flight Rule',    'Pre-computed decision (no thinking)', 1),
    ('artifact',  'playbook',      'Playbook',       'Domain guidance (MUST/SHOULD/MAY)', 2),
    ('artifact',  'cr',            'Change Request', 'Discrete work item',                3),
    ('artifact',  'adr',           'ADR',            'Architectural decision record',     4),
    ('cr_status', 'queue',         'Queue',          'Not started',                       1),
    ('cr_status', 'in_progress',   'In Progress',    'Active work',                       2),
    ('cr_status', 'review',        'Review',         'Awaiting review',                   3),
    ('cr_status', 'done',          'Done',           'Completed',                         4),
    ('cr_type',   'defect',        'Defect',         'Bug fix',                           1),
    ('cr_type',   'enhancement',   'Enhancement',    'New capability',                    2),
    ('cr_type',   'chore',         'Chore',          'Operational/maintenance',           3),
    ('cr_type',   'spec',          'Spec',           'Design work',                       4);

-- Deprecated artifact names stay resolvable and point at their successors.
INSERT INTO terminology (domain, internal_key, display_name, description, sort_order, deprecated_at, replaced_by) VALUES
    ('artifact', 'dna',        'DNA',        'DEPRECATED: Use flight_rule', 99, datetime('now'), 'flight_rule'),
    ('artifact', 'skill_pack', 'Skill Pack', 'DEPRECATED: Use playbook',    99, datetime('now'), 'playbook');

-- Seed: quotas (soft/hard; events_per_hour resets hourly).
INSERT INTO resource_quotas (resource_type, soft_limit, hard_limit, reset_interval_hours) VALUES
    ('active_claims_per_agent', 10,   50,    NULL),
    ('events_per_hour',         1000, 10000, 1),
    ('db_size_mb',              500,  1000,  NULL),
    ('pending_outbox',          1000, 10000, NULL),
    ('concurrent_sessions',     5,    20,    NULL);

-- Seed: circuit breakers, all closed.
INSERT INTO circuit_breakers (name, failure_threshold, recovery_timeout_seconds) VALUES
    ('database',    3, 10),
    ('federation',  5, 60),
    ('file_system', 3, 30);

-- Seed: built-in extension handlers.
INSERT INTO extension_points (point_name, handler_id, handler_type, priority) VALUES
    ('pre_claim_acquire',  'quota_check',        'builtin', 10),
    ('pre_claim_acquire',  'namespace_acl',      'builtin', 20),
    ('post_claim_acquire', 'audit_log',          'builtin', 90),
    ('post_claim_acquire', 'federation_publish', 'builtin', 100),
    ('pre_command',        'health_check',       'builtin', 10),
    ('on_error',           'audit_log',          'builtin', 10),
    ('on_quota_warning',   'audit_log',          'builtin', 10);

-- DOWN

DROP TABLE IF EXISTS extension_points;
DROP TABLE IF EXISTS circuit_breakers;
DROP TRIGGER IF EXISTS health_check_cleanup;
DROP TABLE IF EXISTS health_check_results;
DROP TRIGGER IF EXISTS audit_log_no_delete;
DROP TRIGGER IF EXISTS audit_log_immutable;
DROP TABLE IF EXISTS audit_log;
DROP TABLE IF EXISTS idempotency_keys;
DROP TABLE IF EXISTS resource_quotas;
DROP TABLE IF EXISTS terminology;
DROP TABLE IF EXISTS instance_config;
