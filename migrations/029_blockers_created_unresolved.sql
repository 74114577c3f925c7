-- 029_blockers_created_unresolved
--
-- What: blockers_created_unresolved - inserting a blocker that already has
-- resolved_at set is refused; a blocker is created open and resolved by an
-- UPDATE, where blockers_resolution_requires_justification applies.
--
-- Why: in the original an already-resolved INSERT bypassed the
-- justification rule (resolution text plus later evidence or a waiver), so
-- a "resolved" blocker could exist with no justification at all (defect 7
-- of the schema inventory).

-- UP

CREATE TRIGGER blockers_created_unresolved
    BEFORE INSERT ON blockers
    WHEN NEW.resolved_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Blockers must be created unresolved. Resolve them with evidence or a waiver decision.');
END;

-- DOWN

DROP TRIGGER IF EXISTS blockers_created_unresolved;
