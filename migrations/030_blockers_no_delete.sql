-- 030_blockers_no_delete
--
-- What: blockers_no_delete - every DELETE from blockers is refused; a
-- blocker leaves the way by being resolved (with justification), and stays
-- as a record.
--
-- Why: in the original any blocker could be hard-deleted, which silently
-- lifted the claim block of attempts_no_claim_blocked without evidence or
-- waiver and erased the record (defect 7 of the schema inventory). The
-- spec's notes on the original's code show no path that deletes blockers.

-- UP

CREATE TRIGGER blockers_no_delete
    BEFORE DELETE ON blockers
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Blocker records cannot be deleted. Resolve the blocker instead.');
END;

-- DOWN

DROP TRIGGER IF EXISTS blockers_no_delete;
