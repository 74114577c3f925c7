-- 017_minify_bool_columns
--
-- What: renames three boolean flags to is_* and pins them to 0/1 by
-- rebuilding their tables (create the new shape, copy the rows in rowid
-- order, drop the old table, rename the new one):
--   extension_points.enabled       -> is_enabled   CHECK (0, 1)
--   standard_assignments.inherited -> is_inherited CHECK (0, 1)
--   metrics.success                -> is_success   CHECK (0, 1)
-- v_standards_summary reads standard_assignments, so it is dropped first
-- and re-created afterwards; the indexes of standard_assignments and the
-- three audit indexes of metrics are re-created.
--
-- Side effects, kept on purpose because the original's v20 schema has
-- them: the rebuilt extension_points has no audit columns (and so no audit
-- indexes or helper triggers), and the rebuilt metrics keeps its audit
-- columns and indexes but not the metrics_audit_insert / metrics_updated_at
-- helper triggers from 004 (triggers are dropped with their table).
--
-- Why: schema-compatible with motusos 0.3.x migration 017. The original
-- wraps this file in its own BEGIN/COMMIT; here the runner's single
-- transaction makes it atomic, so the file has no transaction statements.

-- UP

DROP VIEW IF EXISTS v_standards_summary;

-- extension_points
CREATE TABLE extension_points_rebuild (
    point_name   TEXT NOT NULL,
    handler_id   TEXT NOT NULL,
    handler_type TEXT NOT NULL
                 CHECK (handler_type IN ('builtin', 'plugin', 'hook')),
    handler_path TEXT,
    priority     INTEGER NOT NULL DEFAULT 50,
    is_enabled   INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
    created_at   TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (point_name, handler_id)
);

INSERT INTO extension_points_rebuild
       (point_name, handler_id, handler_type, handler_path, priority, is_enabled, created_at)
SELECT point_name, handler_id, handler_type, handler_path, priority,
       CASE WHEN enabled THEN 1 ELSE 0 END,
       created_at
  FROM extension_points
 ORDER BY rowid;

DROP TABLE extension_points;
ALTER TABLE extension_points_rebuild RENAME TO extension_points;

-- standard_assignments
CREATE TABLE standard_assignments_rebuild (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    standard_id  TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    is_inherited INTEGER NOT NULL DEFAULT 0 CHECK (is_inherited IN (0, 1)),
    created_at   TEXT NOT NULL DEFAULT (datetime('now')),
    FOREIGN KEY (standard_id) REFERENCES standards (id),
    UNIQUE (standard_id, entity_type, entity_id)
);

INSERT INTO standard_assignments_rebuild
       (id, standard_id, entity_type, entity_id, is_inherited, created_at)
SELECT id, standard_id, entity_type, entity_id,
       CASE WHEN inherited THEN 1 ELSE 0 END,
       created_at
  FROM standard_assignments
 ORDER BY id;

DROP TABLE standard_assignments;
ALTER TABLE standard_assignments_rebuild RENAME TO standard_assignments;

CREATE INDEX idx_assignments_entity ON standard_assignments (entity_type, entity_id);
CREATE INDEX idx_assignments_standard ON standard_assignments (standard_id);

-- metrics
CREATE TABLE metrics_rebuild (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp       TEXT NOT NULL,
    operation       TEXT NOT NULL,
    elapsed_ms      REAL NOT NULL,
    is_success      INTEGER NOT NULL DEFAULT 1 CHECK (is_success IN (0, 1)),
    metadata        TEXT,
    created_at      TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at      TEXT NOT NULL DEFAULT (datetime('now')),
    created_by      TEXT DEFAULT NULL,
    updated_by      TEXT DEFAULT NULL,
    deleted_at      TEXT DEFAULT NULL,
    deleted_by      TEXT DEFAULT NULL,
    deletion_reason TEXT DEFAULT NULL
);

INSERT INTO metrics_rebuild
       (id, timestamp, operation, elapsed_ms, is_success, metadata, created_at, updated_at,
        created_by, updated_by, deleted_at, deleted_by, deletion_reason)
SELECT id, timestamp, operation, elapsed_ms,
       CASE WHEN success THEN 1 ELSE 0 END,
       metadata, created_at, updated_at,
       created_by, updated_by, deleted_at, deleted_by, deletion_reason
  FROM metrics
 ORDER BY id;

DROP TABLE metrics;
ALTER TABLE metrics_rebuild RENAME TO metrics;

CREATE INDEX idx_metrics_created_at ON metrics (created_at);
CREATE INDEX idx_metrics_updated_at ON metrics (updated_at);
CREATE INDEX idx_metrics_deleted_at ON metrics (deleted_at);

-- Same definition as in 005.
CREATE VIEW v_standards_summary AS
SELECT std.id           AS id,
       std.name         AS name,
       lvl.display_name AS level,
       ct.display_name  AS check_type,
       std.is_blocking  AS is_blocking,
       count(asg.id)    AS assignments,
       std.created_at   AS created_at
  FROM standards AS std
  LEFT JOIN terminology AS lvl
         ON lvl.domain = 'standard_level' AND lvl.internal_key = std.level_key
  LEFT JOIN terminology AS ct
         ON ct.domain = 'check_type' AND ct.internal_key = std.check_type_key
  LEFT JOIN standard_assignments AS asg ON asg.standard_id = std.id
 WHERE std.deleted_at IS NULL
 GROUP BY std.id, std.name, lvl.display_name, ct.display_name, std.is_blocking, std.created_at
 ORDER BY lvl.sort_order, std.sort_order;

-- DOWN

-- Comment only: reversing the rebuilds (and re-adding what 004 had put on
-- extension_points and metrics) is not automated; restore from a backup.
