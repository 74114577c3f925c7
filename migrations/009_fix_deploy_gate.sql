-- 009_fix_deploy_gate
--
-- What: replaces the first deploy gate of 008. A 'website' deployment
-- event is now refused
--   POLICY-001 while any claim has test_status 'fail' (with or without a
--              test_function), and otherwise
--   POLICY-002 while any quantitative claim is still 'pending'.
-- 'stale' and NULL statuses do not block; 'pypi' and 'docs' are never
-- gated. This is the same rule as the view v_can_deploy.
--
-- Why: schema-compatible with motusos 0.3.x migration 009 (the first gate
-- let deployments through with pending quantitative claims and disagreed
-- with v_can_deploy).

-- UP

DROP TRIGGER IF EXISTS enforce_deploy_gate;

CREATE TRIGGER enforce_deploy_gate
    BEFORE INSERT ON deployment_events
    WHEN NEW.target = 'website'
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM claims AS c WHERE c.test_status = 'fail')
        THEN RAISE(ABORT, 'POLICY-001: Cannot deploy - failed claims exist. Run: pytest -k claim')
        WHEN EXISTS (SELECT 1 FROM claims AS c
                      WHERE c.test_status = 'pending'
                        AND c.claim_type = 'quantitative')
        THEN RAISE(ABORT, 'POLICY-002: Cannot deploy - pending quantitative claims. Run: MOTUS_TRACK_CLAIMS=1 pytest -k claim')
    END;
END;

-- DOWN

DROP TRIGGER IF EXISTS enforce_deploy_gate;

CREATE TRIGGER enforce_deploy_gate
    BEFORE INSERT ON deployment_events
    WHEN NEW.target = 'website'
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1
                       FROM claims AS c
                      WHERE c.test_status = 'fail'
                        AND c.test_function IS NOT NULL)
        THEN RAISE(ABORT, 'POLICY: Cannot deploy - failed claims exist. Query v_deploy_blockers.')
    END;
END;
