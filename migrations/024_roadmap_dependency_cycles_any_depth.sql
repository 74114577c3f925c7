-- 024_roadmap_dependency_cycles_any_depth
--
-- What: the roadmap dependency graph is kept acyclic on every write.
--   roadmap_dep_no_cycles            (re-created) BEFORE INSERT: refuse the
--                                    edge item_id -> depends_on_id when
--                                    item_id is reachable from depends_on_id,
--                                    at any depth, over all edge types
--   roadmap_dep_no_cycles_on_update  (new) BEFORE UPDATE OF item_id,
--                                    depends_on_id: the same check for the
--                                    edge as it will be, walking the graph
--                                    without the edge's old version
-- Both refuse with the original's message 'Circular dependency detected'
-- (a self-edge included, before the table CHECK).
--
-- Why: the original checks only INSERTs (an UPDATE of an edge could close a
-- cycle: A->B, B->C, then C->X edited to C->A) and stops walking at depth
-- 100, so a longer cycle went through. The walk is a recursive CTE over node
-- ids with UNION (not UNION ALL): each node is visited once, so it
-- terminates on any graph - also one that already contains a cycle made
-- through the old UPDATE hole.

-- UP

DROP TRIGGER IF EXISTS roadmap_dep_no_cycles;

CREATE TRIGGER roadmap_dep_no_cycles
    BEFORE INSERT ON roadmap_dependencies
BEGIN
    SELECT CASE
        WHEN EXISTS (
            WITH RECURSIVE reach (node) AS (
                SELECT NEW.depends_on_id
                UNION
                SELECT edge.depends_on_id
                  FROM reach
                  JOIN roadmap_dependencies AS edge ON edge.item_id = reach.node
            )
            SELECT 1 FROM reach WHERE reach.node = NEW.item_id
        )
        THEN RAISE(ABORT, 'Circular dependency detected')
    END;
END;

CREATE TRIGGER roadmap_dep_no_cycles_on_update
    BEFORE UPDATE OF item_id, depends_on_id ON roadmap_dependencies
BEGIN
    SELECT CASE
        WHEN EXISTS (
            WITH RECURSIVE reach (node) AS (
                SELECT NEW.depends_on_id
                UNION
                SELECT edge.depends_on_id
                  FROM reach
                  JOIN roadmap_dependencies AS edge ON edge.item_id = reach.node
                 WHERE NOT (edge.item_id = OLD.item_id
                            AND edge.depends_on_id = OLD.depends_on_id)
            )
            SELECT 1 FROM reach WHERE reach.node = NEW.item_id
        )
        THEN RAISE(ABORT, 'Circular dependency detected')
    END;
END;

-- DOWN

DROP TRIGGER IF EXISTS roadmap_dep_no_cycles_on_update;
DROP TRIGGER IF EXISTS roadmap_dep_no_cycles;

-- The original's bounded, insert-only check.
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
