-- 027_attempts_completion_requires_evidence_always
--
-- What: "an attempt is completed only with evidence" now holds for every
-- way of getting there:
--   attempts_completion_requires_evidence            (re-created) BEFORE
--       UPDATE OF outcome: any change of outcome to 'completed' (from NULL
--       or from 'failed' / 'blocked' / 'handed_off') needs an evidence row
--       with attempt_id = this attempt
--   attempts_completion_requires_evidence_on_insert  (new) BEFORE INSERT:
--       the same for a row inserted with outcome 'completed' (evidence
--       references its attempt by FK, so such an insert is always refused)
-- Message unchanged: 'KERNEL: Cannot mark attempt completed without
-- evidence. Use record_evidence() first.'
--
-- Why: the original only checked UPDATEs from a NULL outcome, so
-- failed -> completed, blocked -> completed and INSERT ... 'completed'
-- skipped the evidence requirement (defect 7 of the schema inventory).
-- Per the spec's notes, the original's own code inserts attempts without
-- an outcome and finalises only open ones (ended_at IS NULL), and it checks
-- for evidence before writing 'completed', so it does not rely on these
-- paths.

-- UP

DROP TRIGGER IF EXISTS attempts_completion_requires_evidence;

CREATE TRIGGER attempts_completion_requires_evidence
    BEFORE UPDATE OF outcome ON attempts
    WHEN NEW.outcome = 'completed' AND OLD.outcome IS NOT 'completed'
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM evidence AS e WHERE e.attempt_id = NEW.id)
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt completed without evidence. Use record_evidence() first.')
    END;
END;

CREATE TRIGGER attempts_completion_requires_evidence_on_insert
    BEFORE INSERT ON attempts
    WHEN NEW.outcome = 'completed'
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM evidence AS e WHERE e.attempt_id = NEW.id)
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt completed without evidence. Use record_evidence() first.')
    END;
END;

-- DOWN

DROP TRIGGER IF EXISTS attempts_completion_requires_evidence_on_insert;
DROP TRIGGER IF EXISTS attempts_completion_requires_evidence;

CREATE TRIGGER attempts_completion_requires_evidence
    BEFORE UPDATE OF outcome ON attempts
    WHEN NEW.outcome = 'completed' AND OLD.outcome IS NULL
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM evidence AS e WHERE e.attempt_id = NEW.id)
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt completed without evidence. Use record_evidence() first.')
    END;
END;
