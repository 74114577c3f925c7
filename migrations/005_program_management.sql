-- 005_program_management
--
-- What: the program-management layer.
--   programs > products > features           portfolio hierarchy
--   change_requests, cr_dependencies         CR work items and their edges
--   roadmap_items                            planning items (the work_id
--                                            target of every kernel table)
--   bugs, releases                           defects and releases
--   standards, standard_assignments,         quality gates, where they
--   compliance_results                       apply, and immutable results
--   charter_docs                             one active doc per type
--   entity_versions                          append-only JSON history
-- with their indexes (most of them partial on `deleted_at IS NULL`), the
-- immutability triggers, the singleton trigger, the five *_version_capture
-- triggers, seven reporting views, 54 terminology rows in 12 domains and
-- the seed portfolio (3 programs, 3 products, 5 features, 12 standards,
-- 10 standard assignments).
--
-- Why: schema-compatible with motusos 0.3.x migration 005. The `*_key`
-- columns hold terminology.internal_key values of a domain; they are not
-- foreign keys (internal_key is only unique per domain), validation is done
-- by the application. standard_assignments' flag is called `inherited`
-- here and becomes `is_inherited` in 017.

-- UP

CREATE TABLE programs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    type_key    TEXT NOT NULL DEFAULT 'software',
    status_key  TEXT NOT NULL DEFAULT 'active',
    owner       TEXT,
    created_at  TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at  TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at  TEXT
);

CREATE INDEX idx_programs_type ON programs (type_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_programs_active ON programs (id) WHERE deleted_at IS NULL;

CREATE TABLE products (
    id             TEXT PRIMARY KEY,
    program_id     TEXT NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT,
    status_key     TEXT NOT NULL DEFAULT 'active',
    version        TEXT NOT NULL DEFAULT '0.0.0',
    repository_url TEXT,
    created_at     TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at     TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at     TEXT,
    FOREIGN KEY (program_id) REFERENCES programs (id)
);

CREATE INDEX idx_products_program ON products (program_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_products_status ON products (status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_products_active ON products (id) WHERE deleted_at IS NULL;

CREATE TABLE features (
    id            TEXT PRIMARY KEY,
    product_id    TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT,
    status_key    TEXT NOT NULL DEFAULT 'planned',
    version       TEXT,
    introduced_in TEXT,
    deprecated_in TEXT,
    created_at    TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at    TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at    TEXT,
    FOREIGN KEY (product_id) REFERENCES products (id)
);

CREATE INDEX idx_features_product ON features (product_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_features_status ON features (status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_features_version ON features (product_id, version) WHERE deleted_at IS NULL;

CREATE TABLE change_requests (
    id                TEXT PRIMARY KEY,
    title             TEXT NOT NULL,
    description       TEXT,
    status_key        TEXT NOT NULL DEFAULT 'queue',
    type_key          TEXT NOT NULL DEFAULT 'enhancement',
    size              TEXT NOT NULL DEFAULT 'M' CHECK (size IN ('S', 'M', 'L', 'XL')),
    owner             TEXT,
    product_id        TEXT,
    feature_id        TEXT,
    target_version    TEXT,
    completed_version TEXT,
    created_at        TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at        TEXT NOT NULL DEFAULT (datetime('now')),
    started_at        TEXT,
    completed_at      TEXT,
    deleted_at        TEXT,
    FOREIGN KEY (product_id) REFERENCES products (id),
    FOREIGN KEY (feature_id) REFERENCES features (id)
);

CREATE INDEX idx_cr_status ON change_requests (status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_product ON change_requests (product_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_feature ON change_requests (feature_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_owner ON change_requests (owner) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_target ON change_requests (target_version) WHERE deleted_at IS NULL;

CREATE TABLE cr_dependencies (
    cr_id           TEXT NOT NULL,
    depends_on_id   TEXT NOT NULL,
    dependency_type TEXT NOT NULL DEFAULT 'blocks'
                    CHECK (dependency_type IN ('blocks', 'related', 'supersedes')),
    created_at      TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (cr_id, depends_on_id),
    FOREIGN KEY (cr_id) REFERENCES change_requests (id),
    FOREIGN KEY (depends_on_id) REFERENCES change_requests (id),
    CHECK (cr_id != depends_on_id)
);

CREATE INDEX idx_cr_dep_blocks ON cr_dependencies (depends_on_id);

-- rank (007), item_type (012) and the external_* / raw_* columns (013) are
-- appended later.
CREATE TABLE roadmap_items (
    id           TEXT PRIMARY KEY,
    phase_key    TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT,
    status_key   TEXT NOT NULL DEFAULT 'pending',
    owner        TEXT,
    scope        TEXT NOT NULL DEFAULT 'user',
    feature_id   TEXT,
    cr_id        TEXT,
    target_date  TEXT,
    completed_at TEXT,
    sort_order   INTEGER NOT NULL DEFAULT 0,
    created_by   TEXT,
    created_at   TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at   TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at   TEXT,
    FOREIGN KEY (feature_id) REFERENCES features (id),
    FOREIGN KEY (cr_id) REFERENCES change_requests (id)
);

CREATE INDEX idx_roadmap_phase ON roadmap_items (phase_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_roadmap_status ON roadmap_items (status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_roadmap_sort ON roadmap_items (phase_key, sort_order) WHERE deleted_at IS NULL;

CREATE TABLE bugs (
    id               TEXT PRIMARY KEY,
    title            TEXT NOT NULL,
    description      TEXT,
    feature_id       TEXT NOT NULL,
    feature_version  TEXT NOT NULL,
    severity_key     TEXT NOT NULL DEFAULT 'medium',
    status_key       TEXT NOT NULL DEFAULT 'open',
    reported_by      TEXT,
    assigned_to      TEXT,
    fix_cr_id        TEXT,
    fixed_in_version TEXT,
    created_at       TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at       TEXT NOT NULL DEFAULT (datetime('now')),
    resolved_at      TEXT,
    deleted_at       TEXT,
    FOREIGN KEY (feature_id) REFERENCES features (id),
    FOREIGN KEY (fix_cr_id) REFERENCES change_requests (id)
);

CREATE INDEX idx_bugs_feature ON bugs (feature_id, feature_version) WHERE deleted_at IS NULL;
CREATE INDEX idx_bugs_status ON bugs (status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_bugs_severity ON bugs (severity_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_bugs_fix ON bugs (fix_cr_id) WHERE deleted_at IS NULL;

CREATE TABLE releases (
    id           TEXT PRIMARY KEY,
    product_id   TEXT NOT NULL,
    type_key     TEXT NOT NULL DEFAULT 'version',
    name         TEXT NOT NULL,
    description  TEXT,
    status_key   TEXT NOT NULL DEFAULT 'pending',
    target_date  TEXT,
    published_at TEXT,
    external_url TEXT,
    created_at   TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at   TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at   TEXT,
    FOREIGN KEY (product_id) REFERENCES products (id)
);

CREATE INDEX idx_releases_product ON releases (product_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_releases_type ON releases (type_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_releases_status ON releases (status_key) WHERE deleted_at IS NULL;

-- doc_path is appended by 018.
CREATE TABLE standards (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    description     TEXT,
    level_key       TEXT NOT NULL,
    check_type_key  TEXT NOT NULL,
    check_command   TEXT,
    check_pattern   TEXT,
    threshold_min   REAL,
    threshold_max   REAL,
    failure_message TEXT NOT NULL,
    is_blocking     INTEGER NOT NULL DEFAULT 1,
    sort_order      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at      TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at      TEXT
);

CREATE INDEX idx_standards_level ON standards (level_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_standards_blocking ON standards (is_blocking) WHERE deleted_at IS NULL;

CREATE TABLE standard_assignments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    standard_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    inherited   INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL DEFAULT (datetime('now')),
    FOREIGN KEY (standard_id) REFERENCES standards (id),
    UNIQUE (standard_id, entity_type, entity_id)
);

CREATE INDEX idx_assignments_entity ON standard_assignments (entity_type, entity_id);
CREATE INDEX idx_assignments_standard ON standard_assignments (standard_id);

CREATE TABLE compliance_results (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    standard_id   TEXT NOT NULL,
    entity_type   TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    release_id    TEXT,
    result        TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'skip', 'error')),
    result_value  TEXT,
    error_message TEXT,
    checked_by    TEXT NOT NULL,
    checked_at    TEXT NOT NULL DEFAULT (datetime('now')),
    FOREIGN KEY (standard_id) REFERENCES standards (id),
    FOREIGN KEY (release_id) REFERENCES releases (id)
);

CREATE TRIGGER compliance_immutable
    BEFORE UPDATE ON compliance_results
BEGIN
    SELECT RAISE(ABORT, 'Compliance results are immutable');
END;

CREATE TRIGGER compliance_no_delete
    BEFORE DELETE ON compliance_results
BEGIN
    SELECT RAISE(ABORT, 'Compliance results cannot be deleted');
END;

CREATE INDEX idx_compliance_entity ON compliance_results (entity_type, entity_id);
CREATE INDEX idx_compliance_release ON compliance_results (release_id);
CREATE INDEX idx_compliance_result ON compliance_results (result);
CREATE INDEX idx_compliance_standard ON compliance_results (standard_id);

CREATE TABLE charter_docs (
    id           TEXT PRIMARY KEY,
    doc_type_key TEXT NOT NULL,
    version      TEXT NOT NULL,
    title        TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    file_path    TEXT,
    is_active    INTEGER NOT NULL DEFAULT 1,
    approved_by  TEXT,
    approved_at  TEXT,
    created_at   TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at   TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at   TEXT
);

-- At most one active, non-deleted document per type.
CREATE UNIQUE INDEX idx_charter_singleton ON charter_docs (doc_type_key)
    WHERE is_active = 1 AND deleted_at IS NULL;
CREATE INDEX idx_charter_type ON charter_docs (doc_type_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_charter_version ON charter_docs (doc_type_key, version);

-- Inserting an active document retires the previously active one of the
-- same type (re-activating an old row by UPDATE still hits the index).
CREATE TRIGGER charter_singleton_enforce
    BEFORE INSERT ON charter_docs
    WHEN NEW.is_active = 1
BEGIN
    UPDATE charter_docs
       SET is_active = 0,
           updated_at = datetime('now')
     WHERE doc_type_key = NEW.doc_type_key
       AND is_active = 1
       AND deleted_at IS NULL;
END;

CREATE TABLE entity_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_type   TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    version       INTEGER NOT NULL,
    data          TEXT NOT NULL,
    changed_by    TEXT NOT NULL,
    change_reason TEXT,
    created_at    TEXT NOT NULL DEFAULT (datetime('now')),
    UNIQUE (entity_type, entity_id, version)
);

CREATE INDEX idx_versions_entity ON entity_versions (entity_type, entity_id);
CREATE INDEX idx_versions_latest ON entity_versions (entity_type, entity_id, version DESC);

CREATE TRIGGER entity_versions_immutable
    BEFORE UPDATE ON entity_versions
BEGIN
    SELECT RAISE(ABORT, 'Entity version history is immutable');
END;

CREATE TRIGGER entity_versions_no_delete
    BEFORE DELETE ON entity_versions
BEGIN
    SELECT RAISE(ABORT, 'Entity version history cannot be deleted');
END;

-- History capture: an UPDATE that changes updated_at appends a JSON
-- snapshot with the next version number for that entity. Updates that leave
-- updated_at alone leave no history.
CREATE TRIGGER cr_version_capture
    AFTER UPDATE ON change_requests
    WHEN NEW.updated_at != OLD.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT 'cr',
           NEW.id,
           1 + coalesce((SELECT max(ev.version) FROM entity_versions AS ev
                          WHERE ev.entity_type = 'cr' AND ev.entity_id = NEW.id), 0),
           json_object('title', NEW.title,
                       'status_key', NEW.status_key,
                       'type_key', NEW.type_key,
                       'size', NEW.size,
                       'owner', NEW.owner,
                       'product_id', NEW.product_id,
                       'feature_id', NEW.feature_id,
                       'target_version', NEW.target_version),
           coalesce(NEW.owner, 'system');
END;

CREATE TRIGGER product_version_capture
    AFTER UPDATE ON products
    WHEN NEW.updated_at != OLD.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT 'product',
           NEW.id,
           1 + coalesce((SELECT max(ev.version) FROM entity_versions AS ev
                          WHERE ev.entity_type = 'product' AND ev.entity_id = NEW.id), 0),
           json_object('name', NEW.name,
                       'status_key', NEW.status_key,
                       'version', NEW.version,
                       'program_id', NEW.program_id),
           'system';
END;

CREATE TRIGGER feature_version_capture
    AFTER UPDATE ON features
    WHEN NEW.updated_at != OLD.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT 'feature',
           NEW.id,
           1 + coalesce((SELECT max(ev.version) FROM entity_versions AS ev
                          WHERE ev.entity_type = 'feature' AND ev.entity_id = NEW.id), 0),
           json_object('name', NEW.name,
                       'status_key', NEW.status_key,
                       'version', NEW.version,
                       'product_id', NEW.product_id),
           'system';
END;

CREATE TRIGGER bug_version_capture
    AFTER UPDATE ON bugs
    WHEN NEW.updated_at != OLD.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT 'bug',
           NEW.id,
           1 + coalesce((SELECT max(ev.version) FROM entity_versions AS ev
                          WHERE ev.entity_type = 'bug' AND ev.entity_id = NEW.id), 0),
           json_object('title', NEW.title,
                       'status_key', NEW.status_key,
                       'severity_key', NEW.severity_key,
                       'feature_id', NEW.feature_id,
                       'feature_version', NEW.feature_version,
                       'fix_cr_id', NEW.fix_cr_id),
           coalesce(NEW.assigned_to, 'system');
END;

CREATE TRIGGER roadmap_version_capture
    AFTER UPDATE ON roadmap_items
    WHEN NEW.updated_at != OLD.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT 'roadmap_item',
           NEW.id,
           1 + coalesce((SELECT max(ev.version) FROM entity_versions AS ev
                          WHERE ev.entity_type = 'roadmap_item' AND ev.entity_id = NEW.id), 0),
           json_object('title', NEW.title,
                       'phase_key', NEW.phase_key,
                       'status_key', NEW.status_key,
                       'owner', NEW.owner,
                       'target_date', NEW.target_date),
           coalesce(NEW.owner, 'system');
END;

-- Open (not done, not deleted) change requests, newest first.
CREATE VIEW v_open_crs AS
SELECT req.id             AS id,
       req.title          AS title,
       req.status_key     AS status_key,
       st.display_name    AS status,
       req.size           AS size,
       req.owner          AS owner,
       prod.name          AS product_name,
       feat.name          AS feature_name,
       req.target_version AS target_version,
       req.created_at     AS created_at
  FROM change_requests AS req
  LEFT JOIN products AS prod ON prod.id = req.product_id
  LEFT JOIN features AS feat ON feat.id = req.feature_id
  LEFT JOIN terminology AS st
         ON st.domain = 'cr_status' AND st.internal_key = req.status_key
 WHERE req.status_key NOT IN ('done')
   AND req.deleted_at IS NULL
 ORDER BY req.created_at DESC;

-- Live bugs with display names, most severe first, then newest.
CREATE VIEW v_bugs_by_version AS
SELECT bug.id               AS id,
       bug.title            AS title,
       feat.name            AS feature_name,
       bug.feature_version  AS feature_version,
       sev.display_name     AS severity,
       st.display_name      AS status,
       bug.fix_cr_id        AS fix_cr_id,
       bug.fixed_in_version AS fixed_in_version,
       bug.created_at       AS created_at
  FROM bugs AS bug
  JOIN features AS feat ON feat.id = bug.feature_id
  LEFT JOIN terminology AS sev
         ON sev.domain = 'bug_severity' AND sev.internal_key = bug.severity_key
  LEFT JOIN terminology AS st
         ON st.domain = 'bug_status' AND st.internal_key = bug.status_key
 WHERE bug.deleted_at IS NULL
 ORDER BY CASE bug.severity_key
              WHEN 'critical' THEN 1
              WHEN 'high'     THEN 2
              WHEN 'medium'   THEN 3
              ELSE 4
          END,
          bug.created_at DESC;

-- Per-phase progress of live roadmap items, in phase order.
CREATE VIEW v_roadmap_progress AS
SELECT item.phase_key    AS phase_key,
       ph.display_name   AS phase,
       count(*)          AS total_items,
       sum(CASE WHEN item.status_key = 'completed'   THEN 1 ELSE 0 END) AS completed,
       sum(CASE WHEN item.status_key = 'in_progress' THEN 1 ELSE 0 END) AS in_progress,
       sum(CASE WHEN item.status_key = 'blocked'     THEN 1 ELSE 0 END) AS blocked,
       round(100.0 * sum(CASE WHEN item.status_key = 'completed' THEN 1 ELSE 0 END)
             / count(*), 1) AS pct_complete
  FROM roadmap_items AS item
  LEFT JOIN terminology AS ph
         ON ph.domain = 'roadmap_phase' AND ph.internal_key = item.phase_key
 WHERE item.deleted_at IS NULL
 GROUP BY item.phase_key, ph.display_name
 ORDER BY ph.sort_order;

CREATE VIEW v_active_charters AS
SELECT doc.id           AS id,
       doc.doc_type_key AS doc_type_key,
       dt.display_name  AS doc_type,
       doc.version      AS version,
       doc.title        AS title,
       doc.approved_by  AS approved_by,
       doc.approved_at  AS approved_at,
       doc.created_at   AS created_at
  FROM charter_docs AS doc
  LEFT JOIN terminology AS dt
         ON dt.domain = 'charter_type' AND dt.internal_key = doc.doc_type_key
 WHERE doc.is_active = 1
   AND doc.deleted_at IS NULL;

-- Per live release: how many standards were checked and the verdict
-- ('blocked' if a blocking standard failed, 'warnings' on any other failure).
-- Every historical result row counts, not only the latest per standard.
CREATE VIEW v_compliance_status AS
SELECT rel.id    AS release_id,
       rel.name  AS release_name,
       prod.name AS product_name,
       count(DISTINCT res.standard_id)                        AS total_checks,
       sum(CASE WHEN res.result = 'pass' THEN 1 ELSE 0 END)   AS passed,
       sum(CASE WHEN res.result = 'fail' THEN 1 ELSE 0 END)   AS failed,
       CASE
           WHEN sum(CASE WHEN res.result = 'fail' AND std.is_blocking = 1 THEN 1 ELSE 0 END) > 0
               THEN 'blocked'
           WHEN sum(CASE WHEN res.result = 'fail' THEN 1 ELSE 0 END) > 0
               THEN 'warnings'
           ELSE 'clear'
       END AS status
  FROM releases AS rel
  JOIN products AS prod ON prod.id = rel.product_id
  LEFT JOIN compliance_results AS res ON res.release_id = rel.id
  LEFT JOIN standards AS std ON std.id = res.standard_id
 WHERE rel.deleted_at IS NULL
 GROUP BY rel.id, rel.name, prod.name;

-- (Dropped and re-created by 017 around the standard_assignments rebuild.)
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

-- Live programs with display names and their number of live products
-- (the status display name comes from the product_status domain).
CREATE VIEW v_programs_summary AS
SELECT prog.id         AS id,
       prog.name       AS name,
       pt.display_name AS type,
       ps.display_name AS status,
       prog.owner      AS owner,
       count(prod.id)  AS product_count,
       prog.created_at AS created_at
  FROM programs AS prog
  LEFT JOIN terminology AS pt
         ON pt.domain = 'program_type' AND pt.internal_key = prog.type_key
  LEFT JOIN terminology AS ps
         ON ps.domain = 'product_status' AND ps.internal_key = prog.status_key
  LEFT JOIN products AS prod
         ON prod.program_id = prog.id AND prod.deleted_at IS NULL
 WHERE prog.deleted_at IS NULL
 GROUP BY prog.id, prog.name, pt.display_name, ps.display_name, prog.owner, prog.created_at;

-- Seed: terminology for the program-management domains (54 rows).
INSERT OR IGNORE INTO terminology (domain, internal_key, display_name, description, sort_order) VALUES
    ('product_status',   'active',            'Active',            'Product is actively developed',       1),
    ('product_status',   'maintenance',       'Maintenance',       'Bug fixes only',                      2),
    ('product_status',   'deprecated',        'Deprecated',        'No new development',                  3),
    ('product_status',   'archived',          'Archived',          'No longer supported',                 4),
    ('feature_status',   'planned',           'Planned',           'Not yet started',                     1),
    ('feature_status',   'in_development',    'In Development',    'Active work',                         2),
    ('feature_status',   'beta',              'Beta',              'Testing phase',                       3),
    ('feature_status',   'stable',            'Stable',            'Production ready',                    4),
    ('feature_status',   'deprecated',        'Deprecated',        'Being phased out',                    5),
    ('roadmap_phase',    'phase_a',           'Phase A',           'Foundation',                          1),
    ('roadmap_phase',    'phase_b',           'Phase B',           'Core Development',                    2),
    ('roadmap_phase',    'phase_c',           'Phase C',           'Functional Verification',             3),
    ('roadmap_phase',    'phase_d',           'Phase D',           'Claims Validation',                   4),
    ('roadmap_phase',    'phase_e',           'Phase E',           'Release Preparation',                 5),
    ('roadmap_phase',    'post_launch',       'Post-Launch',       'Maintenance and growth',              6),
    ('roadmap_status',   'pending',           'Pending',           'Not started',                         1),
    ('roadmap_status',   'in_progress',       'In Progress',       'Active work',                         2),
    ('roadmap_status',   'blocked',           'Blocked',           'Waiting on dependency',               3),
    ('roadmap_status',   'completed',         'Completed',         'Done',                                4),
    ('roadmap_status',   'deferred',          'Deferred',          'Moved to later phase',                5),
    ('bug_severity',     'critical',          'Critical',          'System unusable',                     1),
    ('bug_severity',     'high',              'High',              'Major feature broken',                2),
    ('bug_severity',     'medium',            'Medium',            'Feature degraded',                    3),
    ('bug_severity',     'low',               'Low',               'Minor issue',                         4),
    ('bug_status',       'open',              'Open',              'Not yet addressed',                   1),
    ('bug_status',       'confirmed',         'Confirmed',         'Reproduced',                          2),
    ('bug_status',       'in_progress',       'In Progress',       'Being fixed',                         3),
    ('bug_status',       'fixed',             'Fixed',             'Fix implemented',                     4),
    ('bug_status',       'verified',          'Verified',          'Fix confirmed',                       5),
    ('bug_status',       'wont_fix',          'Won''t Fix',        'Intentional or not worth fixing',     6),
    ('charter_type',     'roadmap',           'Roadmap',           'Single source of truth for planning', 1),
    ('charter_type',     'ethos',             'Ethos',             'Agent operating principles',          2),
    ('charter_type',     'release_checklist', 'Release Checklist', 'Go-live verification',                3),
    ('program_type',     'software',          'Software',          'Code-based deliverables',             1),
    ('program_type',     'content',           'Content',           'Written/media deliverables',          2),
    ('program_type',     'infrastructure',    'Infrastructure',    'Systems and tooling',                 3),
    ('release_type',     'version',           'Version',           'Semantic versioned software release', 1),
    ('release_type',     'post',              'Post',              'Blog post or article',                2),
    ('release_type',     'campaign',          'Campaign',          'Marketing or outreach campaign',      3),
    ('release_type',     'deploy',            'Deploy',            'Infrastructure deployment',           4),
    ('release_status',   'pending',           'Pending',           'Not yet started',                     1),
    ('release_status',   'in_progress',       'In Progress',       'Active work',                         2),
    ('release_status',   'ready',             'Ready',             'Ready for release',                   3),
    ('release_status',   'published',         'Published',         'Released to public',                  4),
    ('release_status',   'archived',          'Archived',          'No longer active',                    5),
    ('standard_level',   'program',           'Program',           'Standards for entire program',        1),
    ('standard_level',   'product',           'Product',           'Standards for product',               2),
    ('standard_level',   'feature',           'Feature',           'Standards for feature',               3),
    ('standard_level',   'release',           'Release',           'Standards for release',               4),
    ('standard_level',   'cr',                'CR',                'Standards for change request',        5),
    ('check_type',       'boolean',           'Boolean',           'Pass/Fail check',                     1),
    ('check_type',       'threshold',         'Threshold',         'Numeric threshold check',             2),
    ('check_type',       'pattern',           'Pattern',           'Regex pattern check',                 3),
    ('check_type',       'manual',            'Manual',            'Human verification required',        4);

-- Seed: portfolio.
INSERT INTO programs (id, name, description, type_key, status_key, owner) VALUES
    ('motus-cli',     'Motus CLI',              'Multi-agent coordination framework', 'software',       'active', 'cli-agent'),
    ('bens-linkedin', 'Ben''s LinkedIn',        'Thought leadership content',         'content',        'active', 'content-agent'),
    ('example-infra', 'Example Infrastructure', 'Systems and tooling',                'infrastructure', 'active', 'infra-agent');

INSERT INTO products (id, program_id, name, description, status_key, version) VALUES
    ('motus',          'motus-cli',     'Motus',          'Multi-agent coordination framework', 'active', '0.4.5'),
    ('motus-web',      'motus-cli',     'Motus Web',      'Dashboard and visualization',        'active', '0.1.0'),
    ('linkedin-posts', 'bens-linkedin', 'LinkedIn Posts', 'Thought leadership posts',           'active', '1.0.0');

INSERT INTO features (id, product_id, name, description, status_key, version) VALUES
    ('coordination-api', 'motus',     'Coordination API', '6-call API (peek, claim, release, heartbeat, force_release, get_state)', 'stable',         '0.1.0'),
    ('policy-gates',     'motus',     'Policy Gates',     'HMAC-signed permits for action verification',                         'stable',         '0.1.0'),
    ('session-sync',     'motus',     'Session Sync',     'Claude/Codex/Gemini transcript parsing',                              'stable',         '0.1.0'),
    ('context-cache',    'motus',     'Context Cache',    'Project memory and learned patterns',                                 'in_development', '0.1.0'),
    ('web-dashboard',    'motus-web', 'Web Dashboard',    'Real-time coordination visualization',                                'in_development', '0.1.0');

-- Seed: standards. check_command is shell text, stored verbatim (SQL string
-- literals have no escapes; STD-REL-002 really contains C:\\\\Users\\\\).
INSERT INTO standards (id, name, description, level_key, check_type_key, check_command, failure_message, is_blocking) VALUES
    ('STD-REL-001', 'No blocklist terms', 'Ensure no CUDA, 4IR, DNA, hallucination terms', 'release', 'boolean',
     '! grep -rqiE "CUDA|4IR|\bDNA\b|hallucination" src/ README.md 2>/dev/null',
     'FAIL:blocklist - Found prohibited terms', 1),
    ('STD-REL-002', 'No personal paths', 'Ensure no personal identifiers', 'release', 'boolean',
     '! grep -rqiE "/Users/|/home/|C:\\\\Users\\\\|bnvoss|veritas" src/ tests/ 2>/dev/null',
     'FAIL:personal - Found personal identifiers', 1),
    ('STD-REL-003', 'No database files', 'Ensure no .db files in repo', 'release', 'boolean',
     '! find . -name "*.db" -not -path "./.git/*" 2>/dev/null | grep -q .',
     'FAIL:no-db - Found database files in repo', 1),
    ('STD-REL-004', 'No secrets', 'Ensure no API keys or secrets in code', 'release', 'boolean',
     '! grep -rqiE "api_key.*=|secret.*=|token.*=" src/ 2>/dev/null',
     'FAIL:secrets - Found hardcoded secrets', 1),
    ('STD-REL-005', 'Gitignore configured', 'Ensure .db and .env in gitignore', 'release', 'boolean',
     'grep -qE "\.db$|\.env|credentials" .gitignore',
     'FAIL:gitignore - Missing security patterns in .gitignore', 1),
    ('STD-REL-006', 'Non-destructive migrations', 'No DROP/DELETE/TRUNCATE in migrations', 'release', 'boolean',
     '! grep -qiE "DROP|DELETE FROM|TRUNCATE" migrations/*.sql 2>/dev/null',
     'FAIL:migrations - Found destructive SQL in migrations', 1),
    ('STD-REL-007', 'Branding correct', 'No loom or motus command references', 'release', 'boolean',
     '! grep -rqiE "loom|motus.command" src/ README.md',
     'FAIL:branding - Found deprecated branding', 1),
    ('STD-PRD-001', 'All tests pass', 'pytest must pass', 'product', 'boolean',
     'python3 -m pytest tests/ -q --tb=no',
     'FAIL:tests - Test failures detected', 1),
    ('STD-PRD-002', 'Linting clean', 'ruff check must pass', 'product', 'boolean',
     'ruff check src/',
     'FAIL:lint - Linting errors detected', 1),
    ('STD-PRD-003', 'No security vulnerabilities', 'pip-audit must pass', 'product', 'boolean',
     'pip-audit',
     'FAIL:security - Security vulnerabilities detected', 1),
    ('STD-CR-001', 'Separate review agent', 'Builder agent cannot review own CR', 'cr', 'manual',
     NULL,
     'FAIL:review - Same agent built and reviewed', 1),
    ('STD-CR-002', 'OODA close-loop', 'Must observe results after acting', 'cr', 'manual',
     NULL,
     'FAIL:ooda - No verification after implementation', 1);

-- Seed: the release and product standards apply to product `motus`.
INSERT INTO standard_assignments (standard_id, entity_type, entity_id, inherited)
SELECT std.id, 'product', 'motus', 0
  FROM standards AS std
 WHERE std.id IN ('STD-REL-001', 'STD-REL-002', 'STD-REL-003', 'STD-REL-004',
                  'STD-REL-005', 'STD-REL-006', 'STD-REL-007',
                  'STD-PRD-001', 'STD-PRD-002', 'STD-PRD-003')
 ORDER BY std.rowid;

-- DOWN

DROP VIEW IF EXISTS v_programs_summary;
DROP VIEW IF EXISTS v_standards_summary;
DROP VIEW IF EXISTS v_compliance_status;
DROP VIEW IF EXISTS v_active_charters;
DROP VIEW IF EXISTS v_roadmap_progress;
DROP VIEW IF EXISTS v_bugs_by_version;
DROP VIEW IF EXISTS v_open_crs;
DROP TABLE IF EXISTS entity_versions;
DROP TABLE IF EXISTS charter_docs;
DROP TABLE IF EXISTS compliance_results;
DROP TABLE IF EXISTS standard_assignments;
DROP TABLE IF EXISTS standards;
DROP TABLE IF EXISTS releases;
DROP TABLE IF EXISTS bugs;
DROP TABLE IF EXISTS roadmap_items;
DROP TABLE IF EXISTS cr_dependencies;
DROP TABLE IF EXISTS change_requests;
DROP TABLE IF EXISTS features;
DROP TABLE IF EXISTS products;
DROP TABLE IF EXISTS programs;
DELETE FROM terminology
 WHERE domain IN ('product_status', 'feature_status', 'roadmap_phase', 'roadmap_status',
                  'bug_severity', 'bug_status', 'charter_type', 'program_type',
                  'release_type', 'release_status', 'standard_level', 'check_type');
