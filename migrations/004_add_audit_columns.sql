-- 004_add_audit_columns
--
-- What: the audit-column pass that motusos 0.3.x performs in Python right
-- after its (empty) migration-004 SQL, written here as plain SQL:
--   * creates `metrics` (internal performance samples, with audit columns);
--   * appends the missing audit columns - created_at, updated_at,
--     created_by, updated_by, deleted_at, deleted_by, deletion_reason, in
--     that order, each `TEXT DEFAULT NULL` - to the 16 other tables of the
--     original's AUDIT_TABLES list (columns a table already has, such as a
--     NOT NULL created_at or updated_at, keep their definition);
--   * back-fills empty created_at / updated_at with the current time;
--   * per table, an AFTER INSERT trigger `<t>_audit_insert` that fills an
--     empty created_at / updated_at, an AFTER UPDATE trigger `<t>_updated_at`
--     that stamps updated_at when an update left it unchanged, and the
--     indexes idx_<t>_created_at, idx_<t>_updated_at, idx_<t>_deleted_at.
--
-- Why: the original's fresh v20 database has these objects (17 tables here;
-- migration 017 later rebuilds extension_points and metrics, which drops
-- their helper triggers and extension_points' audit columns and indexes).
-- The list below is exactly what a fresh 001-003 database lacks; unlike the
-- original hook it does not probe the schema, so it is meant for databases
-- that went through 001-003 of this project or of the original.

-- UP

CREATE TABLE metrics (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp       TEXT NOT NULL,
    operation       TEXT NOT NULL,
    elapsed_ms      REAL NOT NULL,
    success         INTEGER NOT NULL DEFAULT 1 CHECK (success IN (0, 1)),
    metadata        TEXT,
    created_at      TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at      TEXT NOT NULL DEFAULT (datetime('now')),
    created_by      TEXT DEFAULT NULL,
    updated_by      TEXT DEFAULT NULL,
    deleted_at      TEXT DEFAULT NULL,
    deleted_by      TEXT DEFAULT NULL,
    deletion_reason TEXT DEFAULT NULL
);

-- sessions: adds all seven audit columns
ALTER TABLE sessions ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE sessions ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE sessions ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE sessions ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE sessions ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE sessions ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE sessions ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- session_cache_state: already has updated_at; adds the other 6
ALTER TABLE session_cache_state ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE session_cache_state ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE session_cache_state ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE session_cache_state ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE session_cache_state ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE session_cache_state ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- session_event_cache: adds all seven audit columns
ALTER TABLE session_event_cache ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE session_event_cache ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE session_event_cache ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE session_event_cache ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE session_event_cache ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE session_event_cache ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE session_event_cache ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- session_file_cache: adds all seven audit columns
ALTER TABLE session_file_cache ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE session_file_cache ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE session_file_cache ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE session_file_cache ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE session_file_cache ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE session_file_cache ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE session_file_cache ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- circuit_breakers: already has updated_at; adds the other 6
ALTER TABLE circuit_breakers ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE circuit_breakers ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE circuit_breakers ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE circuit_breakers ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE circuit_breakers ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE circuit_breakers ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- detected_patterns: adds all seven audit columns
ALTER TABLE detected_patterns ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE detected_patterns ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE detected_patterns ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE detected_patterns ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE detected_patterns ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE detected_patterns ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE detected_patterns ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- learned_patterns: adds all seven audit columns
ALTER TABLE learned_patterns ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE learned_patterns ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE learned_patterns ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE learned_patterns ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE learned_patterns ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE learned_patterns ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE learned_patterns ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- ground_rules: already has created_at; adds the other 6
ALTER TABLE ground_rules ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE ground_rules ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE ground_rules ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE ground_rules ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE ground_rules ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE ground_rules ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- skills: adds all seven audit columns
ALTER TABLE skills ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE skills ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE skills ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE skills ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE skills ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE skills ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE skills ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- preferences: adds all seven audit columns
ALTER TABLE preferences ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE preferences ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE preferences ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE preferences ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE preferences ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE preferences ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE preferences ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- instance_config: already has updated_at; adds the other 6
ALTER TABLE instance_config ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE instance_config ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE instance_config ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE instance_config ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE instance_config ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE instance_config ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- extension_points: already has created_at; adds the other 6
ALTER TABLE extension_points ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE extension_points ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE extension_points ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE extension_points ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE extension_points ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE extension_points ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- health_check_results: adds all seven audit columns
ALTER TABLE health_check_results ADD COLUMN created_at TEXT DEFAULT NULL;
ALTER TABLE health_check_results ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE health_check_results ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE health_check_results ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE health_check_results ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE health_check_results ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE health_check_results ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- idempotency_keys: already has created_at; adds the other 6
ALTER TABLE idempotency_keys ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE idempotency_keys ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE idempotency_keys ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE idempotency_keys ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE idempotency_keys ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE idempotency_keys ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- resource_quotas: already has created_at; adds the other 6
ALTER TABLE resource_quotas ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE resource_quotas ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE resource_quotas ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE resource_quotas ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE resource_quotas ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE resource_quotas ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- terminology: already has created_at; adds the other 6
ALTER TABLE terminology ADD COLUMN updated_at TEXT DEFAULT NULL;
ALTER TABLE terminology ADD COLUMN created_by TEXT DEFAULT NULL;
ALTER TABLE terminology ADD COLUMN updated_by TEXT DEFAULT NULL;
ALTER TABLE terminology ADD COLUMN deleted_at TEXT DEFAULT NULL;
ALTER TABLE terminology ADD COLUMN deleted_by TEXT DEFAULT NULL;
ALTER TABLE terminology ADD COLUMN deletion_reason TEXT DEFAULT NULL;

-- Back-fill: rows that exist already (seed rows of 001) get both stamps.
UPDATE sessions
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE metrics
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE session_cache_state
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE session_event_cache
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE session_file_cache
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE circuit_breakers
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE detected_patterns
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE learned_patterns
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE ground_rules
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE skills
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE preferences
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE instance_config
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE extension_points
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE health_check_results
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE idempotency_keys
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE resource_quotas
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';
UPDATE terminology
   SET created_at = CASE WHEN created_at IS NULL OR created_at = '' THEN datetime('now') ELSE created_at END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at = '' THEN datetime('now') ELSE updated_at END
 WHERE created_at IS NULL OR created_at = '' OR updated_at IS NULL OR updated_at = '';

-- Insert helpers: fill whichever of created_at / updated_at was left empty.
CREATE TRIGGER sessions_audit_insert
    AFTER INSERT ON sessions
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE sessions
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER metrics_audit_insert
    AFTER INSERT ON metrics
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE metrics
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER session_cache_state_audit_insert
    AFTER INSERT ON session_cache_state
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE session_cache_state
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER session_event_cache_audit_insert
    AFTER INSERT ON session_event_cache
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE session_event_cache
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER session_file_cache_audit_insert
    AFTER INSERT ON session_file_cache
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE session_file_cache
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER circuit_breakers_audit_insert
    AFTER INSERT ON circuit_breakers
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE circuit_breakers
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER detected_patterns_audit_insert
    AFTER INSERT ON detected_patterns
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE detected_patterns
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER learned_patterns_audit_insert
    AFTER INSERT ON learned_patterns
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE learned_patterns
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER ground_rules_audit_insert
    AFTER INSERT ON ground_rules
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE ground_rules
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER skills_audit_insert
    AFTER INSERT ON skills
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE skills
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER preferences_audit_insert
    AFTER INSERT ON preferences
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE preferences
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER instance_config_audit_insert
    AFTER INSERT ON instance_config
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE instance_config
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER extension_points_audit_insert
    AFTER INSERT ON extension_points
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE extension_points
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER health_check_results_audit_insert
    AFTER INSERT ON health_check_results
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE health_check_results
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER idempotency_keys_audit_insert
    AFTER INSERT ON idempotency_keys
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE idempotency_keys
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER resource_quotas_audit_insert
    AFTER INSERT ON resource_quotas
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE resource_quotas
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER terminology_audit_insert
    AFTER INSERT ON terminology
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE terminology
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

-- Update helpers: an UPDATE that did not touch updated_at gets it stamped.
-- (Like the original, the WHEN uses `=`, so a row whose updated_at is NULL
-- before and after is left alone.)
CREATE TRIGGER sessions_updated_at
    AFTER UPDATE ON sessions
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE sessions SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER metrics_updated_at
    AFTER UPDATE ON metrics
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE metrics SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER session_cache_state_updated_at
    AFTER UPDATE ON session_cache_state
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE session_cache_state SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER session_event_cache_updated_at
    AFTER UPDATE ON session_event_cache
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE session_event_cache SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER session_file_cache_updated_at
    AFTER UPDATE ON session_file_cache
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE session_file_cache SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER circuit_breakers_updated_at
    AFTER UPDATE ON circuit_breakers
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE circuit_breakers SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER detected_patterns_updated_at
    AFTER UPDATE ON detected_patterns
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE detected_patterns SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER learned_patterns_updated_at
    AFTER UPDATE ON learned_patterns
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE learned_patterns SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER ground_rules_updated_at
    AFTER UPDATE ON ground_rules
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE ground_rules SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER skills_updated_at
    AFTER UPDATE ON skills
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE skills SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER preferences_updated_at
    AFTER UPDATE ON preferences
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE preferences SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER instance_config_updated_at
    AFTER UPDATE ON instance_config
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE instance_config SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER extension_points_updated_at
    AFTER UPDATE ON extension_points
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE extension_points SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER health_check_results_updated_at
    AFTER UPDATE ON health_check_results
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE health_check_results SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER idempotency_keys_updated_at
    AFTER UPDATE ON idempotency_keys
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE idempotency_keys SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER resource_quotas_updated_at
    AFTER UPDATE ON resource_quotas
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE resource_quotas SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER terminology_updated_at
    AFTER UPDATE ON terminology
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE terminology SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

-- Audit indexes.
CREATE INDEX idx_sessions_created_at ON sessions (created_at);
CREATE INDEX idx_sessions_updated_at ON sessions (updated_at);
CREATE INDEX idx_sessions_deleted_at ON sessions (deleted_at);
CREATE INDEX idx_metrics_created_at ON metrics (created_at);
CREATE INDEX idx_metrics_updated_at ON metrics (updated_at);
CREATE INDEX idx_metrics_deleted_at ON metrics (deleted_at);
CREATE INDEX idx_session_cache_state_created_at ON session_cache_state (created_at);
CREATE INDEX idx_session_cache_state_updated_at ON session_cache_state (updated_at);
CREATE INDEX idx_session_cache_state_deleted_at ON session_cache_state (deleted_at);
CREATE INDEX idx_session_event_cache_created_at ON session_event_cache (created_at);
CREATE INDEX idx_session_event_cache_updated_at ON session_event_cache (updated_at);
CREATE INDEX idx_session_event_cache_deleted_at ON session_event_cache (deleted_at);
CREATE INDEX idx_session_file_cache_created_at ON session_file_cache (created_at);
CREATE INDEX idx_session_file_cache_updated_at ON session_file_cache (updated_at);
CREATE INDEX idx_session_file_cache_deleted_at ON session_file_cache (deleted_at);
CREATE INDEX idx_circuit_breakers_created_at ON circuit_breakers (created_at);
CREATE INDEX idx_circuit_breakers_updated_at ON circuit_breakers (updated_at);
CREATE INDEX idx_circuit_breakers_deleted_at ON circuit_breakers (deleted_at);
CREATE INDEX idx_detected_patterns_created_at ON detected_patterns (created_at);
CREATE INDEX idx_detected_patterns_updated_at ON detected_patterns (updated_at);
CREATE INDEX idx_detected_patterns_deleted_at ON detected_patterns (deleted_at);
CREATE INDEX idx_learned_patterns_created_at ON learned_patterns (created_at);
CREATE INDEX idx_learned_patterns_updated_at ON learned_patterns (updated_at);
CREATE INDEX idx_learned_patterns_deleted_at ON learned_patterns (deleted_at);
CREATE INDEX idx_ground_rules_created_at ON ground_rules (created_at);
CREATE INDEX idx_ground_rules_updated_at ON ground_rules (updated_at);
CREATE INDEX idx_ground_rules_deleted_at ON ground_rules (deleted_at);
CREATE INDEX idx_skills_created_at ON skills (created_at);
CREATE INDEX idx_skills_updated_at ON skills (updated_at);
CREATE INDEX idx_skills_deleted_at ON skills (deleted_at);
CREATE INDEX idx_preferences_created_at ON preferences (created_at);
CREATE INDEX idx_preferences_updated_at ON preferences (updated_at);
CREATE INDEX idx_preferences_deleted_at ON preferences (deleted_at);
CREATE INDEX idx_instance_config_created_at ON instance_config (created_at);
CREATE INDEX idx_instance_config_updated_at ON instance_config (updated_at);
CREATE INDEX idx_instance_config_deleted_at ON instance_config (deleted_at);
CREATE INDEX idx_extension_points_created_at ON extension_points (created_at);
CREATE INDEX idx_extension_points_updated_at ON extension_points (updated_at);
CREATE INDEX idx_extension_points_deleted_at ON extension_points (deleted_at);
CREATE INDEX idx_health_check_results_created_at ON health_check_results (created_at);
CREATE INDEX idx_health_check_results_updated_at ON health_check_results (updated_at);
CREATE INDEX idx_health_check_results_deleted_at ON health_check_results (deleted_at);
CREATE INDEX idx_idempotency_keys_created_at ON idempotency_keys (created_at);
CREATE INDEX idx_idempotency_keys_updated_at ON idempotency_keys (updated_at);
CREATE INDEX idx_idempotency_keys_deleted_at ON idempotency_keys (deleted_at);
CREATE INDEX idx_resource_quotas_created_at ON resource_quotas (created_at);
CREATE INDEX idx_resource_quotas_updated_at ON resource_quotas (updated_at);
CREATE INDEX idx_resource_quotas_deleted_at ON resource_quotas (deleted_at);
CREATE INDEX idx_terminology_created_at ON terminology (created_at);
CREATE INDEX idx_terminology_updated_at ON terminology (updated_at);
CREATE INDEX idx_terminology_deleted_at ON terminology (deleted_at);

-- DOWN

-- Comment only: undoing 004 would mean dropping the helper triggers and
-- audit indexes, dropping `metrics` and removing the appended audit columns
-- from 16 tables. Not automated; restore from a backup instead.
