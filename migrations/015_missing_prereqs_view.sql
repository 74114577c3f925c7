-- 015_missing_prereqs_view
--
-- What: v_missing_prereqs - for every live item that is neither completed
-- nor deferred, one row per live, unfinished prerequisite:
--   approval_required      the prerequisite is a gate item (any edge type)
--   blocker_unresolved     a 'blocks' edge to a non-gate item
--   dependency_incomplete  a 'soft' edge (a gate reached by a 'soft' edge
--                          therefore appears twice)
--
-- Why: schema-compatible with motusos 0.3.x migration 015 (which drops a
-- previous version of the view first).

-- UP

DROP VIEW IF EXISTS v_missing_prereqs;

CREATE VIEW v_missing_prereqs AS
SELECT edge.item_id       AS item_id,
       'approval_required' AS prereq_type,
       edge.depends_on_id AS prereq_id,
       pre.status_key     AS prereq_status,
       pre.title          AS prereq_title,
       pre.item_type      AS prereq_item_type
  FROM roadmap_dependencies AS edge
  JOIN roadmap_items AS pre ON pre.id = edge.depends_on_id
  JOIN roadmap_items AS item ON item.id = edge.item_id
 WHERE pre.item_type = 'gate'
   AND pre.status_key NOT IN ('completed')
   AND pre.deleted_at IS NULL
   AND item.deleted_at IS NULL
   AND item.status_key NOT IN ('completed', 'deferred')
UNION ALL
SELECT edge.item_id,
       'blocker_unresolved',
       edge.depends_on_id,
       pre.status_key,
       pre.title,
       pre.item_type
  FROM roadmap_dependencies AS edge
  JOIN roadmap_items AS pre ON pre.id = edge.depends_on_id
  JOIN roadmap_items AS item ON item.id = edge.item_id
 WHERE edge.dependency_type = 'blocks'
   AND pre.item_type != 'gate'
   AND pre.status_key NOT IN ('completed')
   AND pre.deleted_at IS NULL
   AND item.deleted_at IS NULL
   AND item.status_key NOT IN ('completed', 'deferred')
UNION ALL
SELECT edge.item_id,
       'dependency_incomplete',
       edge.depends_on_id,
       pre.status_key,
       pre.title,
       pre.item_type
  FROM roadmap_dependencies AS edge
  JOIN roadmap_items AS pre ON pre.id = edge.depends_on_id
  JOIN roadmap_items AS item ON item.id = edge.item_id
 WHERE edge.dependency_type = 'soft'
   AND pre.status_key NOT IN ('completed')
   AND pre.deleted_at IS NULL
   AND item.deleted_at IS NULL
   AND item.status_key NOT IN ('completed', 'deferred');

-- DOWN

DROP VIEW IF EXISTS v_missing_prereqs;
