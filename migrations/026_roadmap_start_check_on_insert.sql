-- 026_roadmap_start_check_on_insert
--
-- What: roadmap_status_check_deps_on_insert - a roadmap item written with
-- status_key 'in_progress' by INSERT (including INSERT OR REPLACE of an
-- existing id) is refused while a direct 'blocks' prerequisite of that id
-- is not completed; same rule and message as roadmap_status_check_deps.
--
-- Why: the original checks the rule only on UPDATE OF status_key. A brand
-- new id cannot have edges yet (they need the item to exist), but
-- INSERT OR REPLACE keeps the old id's edges and so started an item past
-- its prerequisites.

-- UP

CREATE TRIGGER roadmap_status_check_deps_on_insert
    BEFORE INSERT ON roadmap_items
    WHEN NEW.status_key = 'in_progress'
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

-- DOWN

DROP TRIGGER IF EXISTS roadmap_status_check_deps_on_insert;
