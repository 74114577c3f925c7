-- 028_attempts_blocked_requires_blocker_always
--
-- What: "an attempt is blocked only with an open blocker record" now holds
-- for every way of getting there:
--   attempts_blocked_requires_blocker            (re-created) BEFORE UPDATE
--       OF outcome: any change of outcome to 'blocked' needs an unresolved
--       blocker with attempt_id = this attempt
--   attempts_blocked_requires_blocker_on_insert  (new) BEFORE INSERT: the
--       same for a row inserted with outcome 'blocked' (blockers reference
--       their attempt by FK, so such an insert is always refused)
-- Message unchanged: 'KERNEL: Cannot mark attempt blocked without blocker
-- record. Use create_blocker() first.'
--
-- Why: the sibling of 027 - the original only checked UPDATEs from a NULL
-- outcome.

-- UP

DROP TRIGGER IF EXISTS attempts_blocked_requires_blocker;

CREATE TRIGGER attempts_blocked_requires_blocker
    BEFORE UPDATE OF outcome ON attempts
    WHEN NEW.outcome = 'blocked' AND OLD.outcome IS NOT 'blocked'
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM blockers AS b
                          WHERE b.attempt_id = NEW.id
                            AND b.resolved_at IS NULL)
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt blocked without blocker record. Use create_blocker() first.')
    END;
END;

CREATE TRIGGER attempts_blocked_requires_blocker_on_insert
    BEFORE INSERT ON attempts
    WHEN NEW.outcome = 'blocked'
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM blockers AS b
                          WHERE b.attempt_id = NEW.id
                            AND b.resolved_at IS NULL)
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt blocked without blocker record. Use create_blocker() first.')
    END;
END;

-- DOWN

DROP TRIGGER IF EXISTS attempts_blocked_requires_blocker_on_insert;
DROP TRIGGER IF EXISTS attempts_blocked_requires_blocker;

CREATE TRIGGER attempts_blocked_requires_blocker
    BEFORE UPDATE OF outcome ON attempts
    WHEN NEW.outcome = 'blocked' AND OLD.outcome IS NULL
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM blockers AS b
                          WHERE b.attempt_id = NEW.id
                            AND b.resolved_at IS NULL)
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt blocked without blocker record. Use create_blocker() first.')
    END;
END;
