-- 031_blocker_justification_same_second
--
-- What: re-creates blockers_resolution_requires_justification with the same
-- rule and messages, comparing times as times:
--   evidence for the work item with datetime(created_at) >= the blocker's
--   datetime(created_at), or a 'waiver' decision for it with
--   datetime(decided_at) >= the blocker's datetime(created_at).
--
-- Why: the original compared the raw text with a strict '>'. Timestamps
-- have one-second resolution, so evidence recorded in the same second as
-- the blocker never counted (a blocker could not be resolved during its
-- first second - a race for any fast client); and text comparison mixes up
-- the two formats that occur in one database ('YYYY-MM-DD HH:MM:SS' from
-- SQLite defaults, 'YYYY-MM-DDTHH:MM:SSZ' from application code), since
-- 'T' sorts after ' '. datetime() normalises both (NULL or unparsable
-- values never count).

-- UP

DROP TRIGGER IF EXISTS blockers_resolution_requires_justification;

CREATE TRIGGER blockers_resolution_requires_justification
    BEFORE UPDATE OF resolved_at ON blockers
    WHEN NEW.resolved_at IS NOT NULL AND OLD.resolved_at IS NULL
BEGIN
    SELECT CASE
        WHEN coalesce(NEW.resolution, '') = ''
        THEN RAISE(ABORT, 'KERNEL: Blocker resolution requires explanation in resolution field')
        WHEN NOT EXISTS (SELECT 1 FROM evidence AS e
                          WHERE e.work_id = OLD.work_id
                            AND datetime(e.created_at) >= datetime(OLD.created_at))
         AND NOT EXISTS (SELECT 1 FROM decisions AS d
                          WHERE d.work_id = OLD.work_id
                            AND d.decision_type = 'waiver'
                            AND datetime(d.decided_at) >= datetime(OLD.created_at))
        THEN RAISE(ABORT, 'KERNEL: Blocker resolution requires evidence or waiver decision')
    END;
END;

-- DOWN

DROP TRIGGER IF EXISTS blockers_resolution_requires_justification;

CREATE TRIGGER blockers_resolution_requires_justification
    BEFORE UPDATE OF resolved_at ON blockers
    WHEN NEW.resolved_at IS NOT NULL AND OLD.resolved_at IS NULL
BEGIN
    SELECT CASE
        WHEN coalesce(NEW.resolution, '') = ''
        THEN RAISE(ABORT, 'KERNEL: Blocker resolution requires explanation in resolution field')
        WHEN NOT EXISTS (SELECT 1 FROM evidence AS e
                          WHERE e.work_id = OLD.work_id
                            AND e.created_at > OLD.created_at)
         AND NOT EXISTS (SELECT 1 FROM decisions AS d
                          WHERE d.work_id = OLD.work_id
                            AND d.decision_type = 'waiver'
                            AND d.decided_at > OLD.created_at)
        THEN RAISE(ABORT, 'KERNEL: Blocker resolution requires evidence or waiver decision')
    END;
END;
