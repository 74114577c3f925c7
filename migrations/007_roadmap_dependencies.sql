-- 007_roadmap_dependencies
--
-- What: dependencies, assignments and prerequisite cascade for the roadmap.
--   roadmap_dependencies      directed edges item_id -> depends_on_id
--                             ('blocks' gates starting work, 'soft' and
--                             'related' are informational)
--   roadmap_assignments       who works on an item, in which role
--   assignment_prerequisites  incomplete, unassigned transitive prerequisites
--                             surfaced when an assignment is made
--   roadmap_items.rank        REAL ordering key, initialised from sort_order
-- plus 8 indexes, 6 triggers (cycle check, start check, two audit writers,
-- the assignment cascade and prerequisite resolution) and 8 views.
--
-- Why: schema-compatible with motusos 0.3.x migration 007, including its
-- two known defects, which are repaired by later migrations of this
-- project rather than here (so that a database at version 20 matches the
-- original object for object):
--   * roadmap_dep_no_cycles only runs on INSERT and stops at depth 100
--     (fixed in 024);
--   * v_assignment_with_prerequisites uses a DISTINCT aggregate with two
--     arguments, so every query on it fails with "DISTINCT aggregates must
--     have exactly one argument" (fixed in 023).

-- UP

CREATE TABLE roadmap_dependencies (
    item_id         TEXT NOT NULL,
    depends_on_id   TEXT NOT NULL,
    dependency_type TEXT NOT NULL DEFAULT 'blocks'
                    CHECK (dependency_type IN ('blocks', 'soft', 'related')),
    created_at      TEXT NOT NULL DEFAULT (datetime('now')),
    created_by      TEXT,
    notes           TEXT,
    PRIMARY KEY (item_id, depends_on_id),
    FOREIGN KEY (item_id) REFERENCES roadmap_items (id),
    FOREIGN KEY (depends_on_id) REFERENCES roadmap_items (id),
    CHECK (item_id != depends_on_id)
);

CREATE INDEX idx_roadmap_dep_item ON roadmap_dependencies (item_id);
CREATE INDEX idx_roadmap_dep_depends ON roadmap_dependencies (depends_on_id);

CREATE TABLE roadmap_assignments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id      TEXT NOT NULL,
    agent_id     TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT 'implementer'
                 CHECK (role IN ('implementer', 'reviewer', 'owner', 'observer')),
    assigned_at  TEXT NOT NULL DEFAULT (datetime('now')),
    assigned_by  TEXT,
    started_at   TEXT,
    completed_at TEXT,
    status       TEXT NOT NULL DEFAULT 'assigned'
                 CHECK (status IN ('assigned', 'active', 'completed', 'dropped')),
    notes        TEXT,
    FOREIGN KEY (item_id) REFERENCES roadmap_items (id),
    UNIQUE (item_id, agent_id, role)
);

CREATE INDEX idx_assignment_item ON roadmap_assignments (item_id);
CREATE INDEX idx_assignment_agent ON roadmap_assignments (agent_id);
CREATE INDEX idx_assignment_status ON roadmap_assignments (status) WHERE status = 'active';

ALTER TABLE roadmap_items ADD COLUMN rank REAL;

UPDATE roadmap_items SET rank = sort_order WHERE rank IS NULL;

CREATE INDEX idx_roadmap_rank ON roadmap_items (phase_key, rank) WHERE deleted_at IS NULL;

-- Pending, live items without an unfinished 'blocks' prerequisite (a
-- soft-deleted prerequisite that is not completed still blocks).
CREATE VIEW v_ready_items AS
SELECT item.id        AS id,
       item.title     AS title,
       item.phase_key AS phase_key,
       item.owner     AS owner,
       item.rank      AS rank
  FROM roadmap_items AS item
 WHERE item.deleted_at IS NULL
   AND item.status_key = 'pending'
   AND item.id NOT IN (SELECT edge.item_id
                         FROM roadmap_dependencies AS edge
                         JOIN roadmap_items AS pre ON pre.id = edge.depends_on_id
                        WHERE edge.dependency_type = 'blocks'
                          AND pre.status_key != 'completed')
 ORDER BY item.phase_key, item.rank;

-- Live, unfinished items with at least one unfinished 'blocks' prerequisite.
CREATE VIEW v_blocked_items AS
SELECT item.id                                AS id,
       item.title                             AS title,
       item.phase_key                         AS phase_key,
       item.status_key                        AS status_key,
       count(edge.depends_on_id)              AS blocking_count,
       group_concat(edge.depends_on_id, ', ') AS blocking_items
  FROM roadmap_items AS item
  JOIN roadmap_dependencies AS edge
    ON edge.item_id = item.id AND edge.dependency_type = 'blocks'
  JOIN roadmap_items AS pre ON pre.id = edge.depends_on_id
 WHERE item.deleted_at IS NULL
   AND item.status_key NOT IN ('completed', 'deferred')
   AND pre.status_key != 'completed'
 GROUP BY item.id;

-- Every edge whose two ends are live.
CREATE VIEW v_dependency_graph AS
SELECT edge.item_id         AS from_id,
       src.title            AS from_title,
       src.status_key       AS from_status,
       edge.depends_on_id   AS to_id,
       dst.title            AS to_title,
       dst.status_key       AS to_status,
       edge.dependency_type AS dependency_type
  FROM roadmap_dependencies AS edge
  JOIN roadmap_items AS src ON src.id = edge.item_id
  JOIN roadmap_items AS dst ON dst.id = edge.depends_on_id
 WHERE src.deleted_at IS NULL
   AND dst.deleted_at IS NULL;

-- Next free rank per phase (1.0 when the phase has no ranked items).
CREATE VIEW v_next_rank AS
SELECT item.phase_key                      AS phase_key,
       coalesce(max(item.rank), 0) + 1.0   AS next_rank
  FROM roadmap_items AS item
 WHERE item.deleted_at IS NULL
 GROUP BY item.phase_key;

CREATE VIEW v_roadmap_with_deps AS
SELECT item.id          AS id,
       item.phase_key   AS phase_key,
       item.title       AS title,
       item.status_key  AS status_key,
       item.owner       AS owner,
       item.rank        AS rank,
       item.target_date AS target_date,
       (SELECT count(*)
          FROM roadmap_dependencies AS e1
         WHERE e1.item_id = item.id
           AND e1.dependency_type = 'blocks') AS blocking_dep_count,
       (SELECT count(*)
          FROM roadmap_dependencies AS e2
          JOIN roadmap_items AS pre ON pre.id = e2.depends_on_id
         WHERE e2.item_id = item.id
           AND e2.dependency_type = 'blocks'
           AND pre.status_key != 'completed') AS unmet_dep_count,
       (SELECT group_concat(asg.agent_id, ', ')
          FROM roadmap_assignments AS asg
         WHERE asg.item_id = item.id
           AND asg.status = 'active') AS active_agents
  FROM roadmap_items AS item
 WHERE item.deleted_at IS NULL
 ORDER BY item.phase_key, item.rank;

-- Transitive closure over 'blocks' edges from every item, one row per path,
-- skipping soft-deleted prerequisites; paths stop at depth 50.
CREATE VIEW v_prerequisite_chain AS
WITH RECURSIVE walk (root_id, node_id, node_title, node_status, lvl, trail) AS (
    SELECT edge.item_id,
           edge.depends_on_id,
           pre.title,
           pre.status_key,
           1,
           edge.item_id || '->' || edge.depends_on_id
      FROM roadmap_dependencies AS edge
      JOIN roadmap_items AS pre ON pre.id = edge.depends_on_id
     WHERE edge.dependency_type = 'blocks'
       AND pre.deleted_at IS NULL
    UNION ALL
    SELECT walk.root_id,
           edge.depends_on_id,
           pre.title,
           pre.status_key,
           walk.lvl + 1,
           walk.trail || '->' || edge.depends_on_id
      FROM walk
      JOIN roadmap_dependencies AS edge ON edge.item_id = walk.node_id
      JOIN roadmap_items AS pre ON pre.id = edge.depends_on_id
     WHERE edge.dependency_type = 'blocks'
       AND pre.deleted_at IS NULL
       AND walk.lvl < 50
)
SELECT DISTINCT
       root_id      AS root_item_id,
       node_id      AS prereq_id,
       node_title   AS prereq_title,
       node_status  AS prereq_status,
       lvl          AS depth,
       trail        AS path,
       CASE WHEN node_status = 'completed' THEN 1 ELSE 0 END AS is_complete
  FROM walk
 ORDER BY root_item_id, depth, prereq_id;

-- Faithful to the original, including its defect: the blocker_assignees
-- column uses group_concat(DISTINCT x, sep), which SQLite rejects when the
-- view is queried. Re-created in working form by 023.
CREATE VIEW v_assignment_with_prerequisites AS
SELECT asg.id         AS assignment_id,
       asg.item_id    AS item_id,
       item.title     AS item_title,
       asg.agent_id   AS agent_id,
       asg.role       AS role,
       asg.status     AS assignment_status,
       item.status_key AS item_status,
       CASE
           WHEN item.status_key IN ('completed', 'in_progress') THEN 'already_active'
           WHEN NOT EXISTS (SELECT 1
                              FROM roadmap_dependencies AS e1
                              JOIN roadmap_items AS pre ON pre.id = e1.depends_on_id
                             WHERE e1.item_id = asg.item_id
                               AND e1.dependency_type = 'blocks'
                               AND pre.status_key != 'completed') THEN 'ready'
           ELSE 'blocked'
       END AS readiness,
       (SELECT count(DISTINCT chain.prereq_id)
          FROM v_prerequisite_chain AS chain
         WHERE chain.root_item_id = asg.item_id
           AND chain.prereq_status != 'completed') AS unmet_prereq_count,
       (SELECT group_concat(e2.depends_on_id, ', ')
          FROM roadmap_dependencies AS e2
          JOIN roadmap_items AS pre ON pre.id = e2.depends_on_id
         WHERE e2.item_id = asg.item_id
           AND e2.dependency_type = 'blocks'
           AND pre.status_key != 'completed') AS immediate_blockers,
       (SELECT group_concat(DISTINCT other.agent_id, ', ')
          FROM roadmap_dependencies AS e3
          JOIN roadmap_items AS pre ON pre.id = e3.depends_on_id
          JOIN roadmap_assignments AS other ON other.item_id = pre.id
         WHERE e3.item_id = asg.item_id
           AND e3.dependency_type = 'blocks'
           AND pre.status_key != 'completed'
           AND other.status IN ('assigned', 'active')) AS blocker_assignees
  FROM roadmap_assignments AS asg
  JOIN roadmap_items AS item ON item.id = asg.item_id
 WHERE item.deleted_at IS NULL;

CREATE TABLE assignment_prerequisites (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    source_assignment_id INTEGER NOT NULL,
    prerequisite_item_id TEXT NOT NULL,
    depth                INTEGER NOT NULL,
    surfaced_at          TEXT NOT NULL DEFAULT (datetime('now')),
    resolved_at          TEXT,
    FOREIGN KEY (source_assignment_id) REFERENCES roadmap_assignments (id),
    FOREIGN KEY (prerequisite_item_id) REFERENCES roadmap_items (id)
);

CREATE INDEX idx_prereq_source ON assignment_prerequisites (source_assignment_id);
CREATE INDEX idx_prereq_unresolved ON assignment_prerequisites (prerequisite_item_id)
    WHERE resolved_at IS NULL;

-- Refuse an edge whose target already reaches its source (all edge types
-- count; a self-edge is caught here before the table CHECK). Original
-- behaviour: bounded walk (depth < 100), INSERT only - see 024.
CREATE TRIGGER roadmap_dep_no_cycles
    BEFORE INSERT ON roadmap_dependencies
BEGIN
    SELECT CASE
        WHEN EXISTS (
            WITH RECURSIVE reach (node, hops) AS (
                SELECT NEW.depends_on_id, 1
                UNION ALL
                SELECT edge.depends_on_id, reach.hops + 1
                  FROM reach
                  JOIN roadmap_dependencies AS edge ON edge.item_id = reach.node
                 WHERE reach.hops < 100
            )
            SELECT 1 FROM reach WHERE reach.node = NEW.item_id
        )
        THEN RAISE(ABORT, 'Circular dependency detected')
    END;
END;

-- Moving an item to in_progress needs every direct 'blocks' prerequisite
-- completed (soft-deleted prerequisites still count).
CREATE TRIGGER roadmap_status_check_deps
    BEFORE UPDATE OF status_key ON roadmap_items
    WHEN NEW.status_key = 'in_progress' AND OLD.status_key != 'in_progress'
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1
                       FROM roadmap_dependencies AS edge
                       JOIN roadmap_items AS pre ON pre.id = edge.depends_on_id
                      WHERE edge.item_id = NEW.id
                        AND edge.dependency_type = 'blocks'
                        AND pre.status_key != 'completed')
        THEN RAISE(ABORT, 'Cannot start: blocking dependencies not complete')
    END;
END;

CREATE TRIGGER roadmap_dep_audit_insert
    AFTER INSERT ON roadmap_dependencies
BEGIN
    INSERT INTO audit_log (event_type, actor, resource_type, resource_id, action, new_value, instance_id)
    VALUES ('roadmap_dependency',
            coalesce(NEW.created_by, 'system'),
            'roadmap_dependency',
            NEW.item_id || '->' || NEW.depends_on_id,
            'create',
            json_object('item_id', NEW.item_id,
                        'depends_on_id', NEW.depends_on_id,
                        'type', NEW.dependency_type),
            (SELECT cfg.value FROM instance_config AS cfg WHERE cfg.key = 'instance_id'));
END;

CREATE TRIGGER roadmap_assignment_audit
    AFTER INSERT ON roadmap_assignments
BEGIN
    INSERT INTO audit_log (event_type, actor, resource_type, resource_id, action, new_value, instance_id)
    VALUES ('roadmap_assignment',
            coalesce(NEW.assigned_by, 'system'),
            'roadmap_assignment',
            NEW.item_id,
            'assign',
            json_object('item_id', NEW.item_id,
                        'agent_id', NEW.agent_id,
                        'role', NEW.role),
            (SELECT cfg.value FROM instance_config AS cfg WHERE cfg.key = 'instance_id'));
END;

-- A new assignment surfaces every transitive 'blocks' prerequisite of its
-- item that is not completed and has nobody assigned/active on it, and
-- logs one 'assignment_cascade' audit row when there is at least one.
CREATE TRIGGER roadmap_assignment_cascade
    AFTER INSERT ON roadmap_assignments
BEGIN
    INSERT INTO assignment_prerequisites (source_assignment_id, prerequisite_item_id, depth)
    SELECT NEW.id, chain.prereq_id, chain.depth
      FROM v_prerequisite_chain AS chain
     WHERE chain.root_item_id = NEW.item_id
       AND chain.prereq_status != 'completed'
       AND NOT EXISTS (SELECT 1
                         FROM roadmap_assignments AS taken
                        WHERE taken.item_id = chain.prereq_id
                          AND taken.status IN ('assigned', 'active'));

    INSERT INTO audit_log (event_type, actor, resource_type, resource_id, action, new_value, instance_id)
    SELECT 'assignment_cascade',
           coalesce(NEW.assigned_by, 'system'),
           'roadmap_assignment',
           NEW.item_id,
           'cascade_detected',
           json_object('assignment_id', NEW.id,
                       'item_id', NEW.item_id,
                       'agent_id', NEW.agent_id,
                       'unassigned_prereqs',
                       (SELECT group_concat(c2.prereq_id, ', ')
                          FROM v_prerequisite_chain AS c2
                         WHERE c2.root_item_id = NEW.item_id
                           AND c2.prereq_status != 'completed'
                           AND NOT EXISTS (SELECT 1
                                             FROM roadmap_assignments AS t2
                                            WHERE t2.item_id = c2.prereq_id
                                              AND t2.status IN ('assigned', 'active')))),
           (SELECT cfg.value FROM instance_config AS cfg WHERE cfg.key = 'instance_id')
     WHERE EXISTS (SELECT 1
                     FROM v_prerequisite_chain AS c3
                    WHERE c3.root_item_id = NEW.item_id
                      AND c3.prereq_status != 'completed'
                      AND NOT EXISTS (SELECT 1
                                        FROM roadmap_assignments AS t3
                                       WHERE t3.item_id = c3.prereq_id
                                         AND t3.status IN ('assigned', 'active')));
END;

-- Assigning anyone to an item resolves the open prerequisite rows that
-- point at it (resolution happens on assignment, not on completion).
CREATE TRIGGER roadmap_prereq_resolved
    AFTER INSERT ON roadmap_assignments
BEGIN
    UPDATE assignment_prerequisites
       SET resolved_at = datetime('now')
     WHERE prerequisite_item_id = NEW.item_id
       AND resolved_at IS NULL;
END;

-- Open prerequisite rows per live, unfinished prerequisite item, most
-- blocking first, then closest.
CREATE VIEW v_unassigned_prerequisites AS
SELECT ap.prerequisite_item_id                AS prerequisite_item_id,
       pre.title                              AS prereq_title,
       pre.phase_key                          AS phase_key,
       pre.status_key                         AS status_key,
       count(DISTINCT ap.source_assignment_id) AS blocking_count,
       group_concat(src.title, ', ')          AS blocks_items,
       min(ap.depth)                          AS min_depth
  FROM assignment_prerequisites AS ap
  JOIN roadmap_items AS pre ON pre.id = ap.prerequisite_item_id
  JOIN roadmap_assignments AS asg ON asg.id = ap.source_assignment_id
  JOIN roadmap_items AS src ON src.id = asg.item_id
 WHERE ap.resolved_at IS NULL
   AND pre.deleted_at IS NULL
   AND pre.status_key != 'completed'
 GROUP BY ap.prerequisite_item_id
 ORDER BY blocking_count DESC, min_depth ASC;

-- DOWN

DROP VIEW IF EXISTS v_unassigned_prerequisites;
DROP TRIGGER IF EXISTS roadmap_prereq_resolved;
DROP TRIGGER IF EXISTS roadmap_assignment_cascade;
DROP TRIGGER IF EXISTS roadmap_assignment_audit;
DROP TRIGGER IF EXISTS roadmap_dep_audit_insert;
DROP TRIGGER IF EXISTS roadmap_status_check_deps;
DROP TRIGGER IF EXISTS roadmap_dep_no_cycles;
DROP TABLE IF EXISTS assignment_prerequisites;
DROP VIEW IF EXISTS v_assignment_with_prerequisites;
DROP VIEW IF EXISTS v_prerequisite_chain;
DROP VIEW IF EXISTS v_roadmap_with_deps;
DROP VIEW IF EXISTS v_next_rank;
DROP VIEW IF EXISTS v_dependency_graph;
DROP VIEW IF EXISTS v_blocked_items;
DROP VIEW IF EXISTS v_ready_items;
DROP INDEX IF EXISTS idx_roadmap_rank;
ALTER TABLE roadmap_items DROP COLUMN rank;
DROP TABLE IF EXISTS roadmap_assignments;
DROP TABLE IF EXISTS roadmap_dependencies;
