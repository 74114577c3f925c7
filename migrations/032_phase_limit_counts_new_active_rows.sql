-- 032_phase_limit_counts_new_active_rows
--
-- What: re-creates enforce_phase_limit so that it only refuses an INSERT
-- that adds an active item: the new row's status_key is neither
-- 'completed' nor 'deferred' and it is not soft-deleted. The count of
-- active items in the phase (>= 50 refuses) and the message
-- 'POLICY: Maximum 50 active items per phase' are unchanged.
--
-- Why: the rule caps *active* items per phase, but the original also
-- refused inserting a completed or deferred item (e.g. importing history)
-- into a full phase, although that row does not add to the count.

-- UP

DROP TRIGGER IF EXISTS enforce_phase_limit;

CREATE TRIGGER enforce_phase_limit
    BEFORE INSERT ON roadmap_items
    WHEN NEW.status_key NOT IN ('completed', 'deferred') AND NEW.deleted_at IS NULL
BEGIN
    SELECT CASE
        WHEN (SELECT count(*)
                FROM roadmap_items AS item
               WHERE item.phase_key = NEW.phase_key
                 AND item.status_key NOT IN ('completed', 'deferred')
                 AND item.deleted_at IS NULL) >= 50
        THEN RAISE(ABORT, 'POLICY: Maximum 50 active items per phase')
    END;
END;

-- DOWN

DROP TRIGGER IF EXISTS enforce_phase_limit;

CREATE TRIGGER enforce_phase_limit
    BEFORE INSERT ON roadmap_items
BEGIN
    SELECT CASE
        WHEN (SELECT count(*)
                FROM roadmap_items AS item
               WHERE item.phase_key = NEW.phase_key
                 AND item.status_key NOT IN ('completed', 'deferred')
                 AND item.deleted_at IS NULL) >= 50
        THEN RAISE(ABORT, 'POLICY: Maximum 50 active items per phase')
    END;
END;
