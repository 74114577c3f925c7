-- 010_fix_phase_limit_status
--
-- What: replaces the phase limit of 008. Inserting a roadmap item is
-- refused when its phase already holds 50 or more live items whose status
-- is neither 'completed' nor 'deferred'.
--
-- Why: schema-compatible with motusos 0.3.x migration 010. The first
-- version excluded a status 'cancelled' that does not exist in the
-- roadmap_status domain, so deferred items counted as active.
-- (The status of the row being inserted is not looked at; 032 of this
-- project narrows that.)

-- UP

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

-- DOWN

DROP TRIGGER IF EXISTS enforce_phase_limit;

CREATE TRIGGER enforce_phase_limit
    BEFORE INSERT ON roadmap_items
BEGIN
    SELECT CASE
        WHEN (SELECT count(*)
                FROM roadmap_items AS item
               WHERE item.phase_key = NEW.phase_key
                 AND item.status_key NOT IN ('completed', 'cancelled')
                 AND item.deleted_at IS NULL) >= 50
        THEN RAISE(ABORT, 'POLICY: Maximum 50 active items per phase')
    END;
END;
