-- 023_fix_assignment_prerequisites_view
--
-- What: re-creates v_assignment_with_prerequisites with the same eleven
-- columns and meaning as in 007, for assignments on live items:
--   readiness           'already_active' (item completed or in progress),
--                       'ready' (no unfinished direct 'blocks'
--                       prerequisite) or 'blocked'
--   unmet_prereq_count  distinct unfinished prerequisites in
--                       v_prerequisite_chain
--   immediate_blockers  unfinished direct 'blocks' prerequisites, ', '-joined
--   blocker_assignees   distinct agents assigned/active on those
--                       prerequisites, ', '-joined
-- The de-duplication of blocker_assignees now happens in a sub-select, and
-- the list is joined with group_concat(x, ', ').
--
-- Why: the original writes group_concat(DISTINCT x, ', '); SQLite allows
-- DISTINCT only on one-argument aggregates, so every query on the view
-- failed with "DISTINCT aggregates must have exactly one argument" (the
-- original's defect 2).

-- UP

DROP VIEW IF EXISTS v_assignment_with_prerequisites;

CREATE VIEW v_assignment_with_prerequisites AS
SELECT asg.id          AS assignment_id,
       asg.item_id     AS item_id,
       item.title      AS item_title,
       asg.agent_id    AS agent_id,
       asg.role        AS role,
       asg.status      AS assignment_status,
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
       (SELECT group_concat(agents.agent_id, ', ')
          FROM (SELECT DISTINCT other.agent_id AS agent_id
                  FROM roadmap_dependencies AS e3
                  JOIN roadmap_items AS pre ON pre.id = e3.depends_on_id
                  JOIN roadmap_assignments AS other ON other.item_id = pre.id
                 WHERE e3.item_id = asg.item_id
                   AND e3.dependency_type = 'blocks'
                   AND pre.status_key != 'completed'
                   AND other.status IN ('assigned', 'active')) AS agents) AS blocker_assignees
  FROM roadmap_assignments AS asg
  JOIN roadmap_items AS item ON item.id = asg.item_id
 WHERE item.deleted_at IS NULL;

-- DOWN

-- Restores the original (unqueryable) definition.
DROP VIEW IF EXISTS v_assignment_with_prerequisites;
CREATE VIEW v_assignment_with_prerequisites AS
SELECT asg.id          AS assignment_id,
       asg.item_id     AS item_id,
       item.title      AS item_title,
       asg.agent_id    AS agent_id,
       asg.role        AS role,
       asg.status      AS assignment_status,
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
