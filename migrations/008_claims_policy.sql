-- 008_claims_policy
--
-- What: the claims registry and deployment gate.
--   claims             public claims that must be backed by tests
--                      (a quantitative claim must name its test_function)
--   deployment_events  deployment attempts; a 'website' event is gated
-- plus two indexes, three policy triggers and three views:
--   enforce_deploy_gate          first version (replaced by 009): refuses a
--                                website deployment while a failed claim
--                                that has a test_function exists
--   enforce_completed_immutable  a completed roadmap item stays completed
--   enforce_phase_limit          first version (replaced by 010): at most
--                                50 active items per phase, where "active"
--                                wrongly excluded a non-existent 'cancelled'
--                                status instead of 'deferred'
--   v_can_deploy, v_claims_needing_tests, v_deploy_blockers
--
-- Why: schema-compatible with motusos 0.3.x migration 008; the two
-- superseded trigger versions are kept so that the history 008 -> 009/010
-- reads as in the original.

-- UP

CREATE TABLE claims (
    id               TEXT PRIMARY KEY,
    claim_text       TEXT NOT NULL CHECK (LENGTH(claim_text) >= 5),
    page             TEXT NOT NULL,
    claim_type       TEXT NOT NULL CHECK (claim_type IN ('quantitative', 'qualitative')),
    test_file        TEXT,
    test_function    TEXT,
    test_status      TEXT DEFAULT 'pending'
                     CHECK (test_status IN ('pending', 'pass', 'fail', 'stale')),
    last_verified_at TEXT,
    created_at       TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at       TEXT NOT NULL DEFAULT (datetime('now')),
    CHECK (claim_type != 'quantitative' OR test_function IS NOT NULL)
);

CREATE INDEX idx_claims_status ON claims (test_status);
CREATE INDEX idx_claims_page ON claims (page);

CREATE TABLE deployment_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    target       TEXT NOT NULL CHECK (target IN ('website', 'pypi', 'docs')),
    version      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'in_progress', 'success', 'failed', 'blocked')),
    triggered_by TEXT,
    created_at   TEXT NOT NULL DEFAULT (datetime('now')),
    completed_at TEXT
);

-- First version of the gate (superseded by 009).
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

-- Leaving 'completed' is refused; other edits of a completed item
-- (title, soft delete, ...) are allowed.
CREATE TRIGGER enforce_completed_immutable
    BEFORE UPDATE ON roadmap_items
    WHEN OLD.status_key = 'completed' AND NEW.status_key != 'completed'
BEGIN
    SELECT RAISE(ABORT, 'POLICY: Completed items cannot be modified');
END;

CREATE VIEW v_can_deploy AS
SELECT 'website' AS target,
       CASE
           WHEN EXISTS (SELECT 1 FROM claims AS c1 WHERE c1.test_status = 'fail')
               THEN 'BLOCKED'
           WHEN EXISTS (SELECT 1 FROM claims AS c2
                         WHERE c2.test_status = 'pending'
                           AND c2.claim_type = 'quantitative')
               THEN 'PENDING'
           ELSE 'READY'
       END AS status,
       (SELECT count(*) FROM claims AS c3 WHERE c3.test_status = 'fail') AS failed_count,
       (SELECT group_concat(c4.id, ', ') FROM claims AS c4 WHERE c4.test_status = 'fail') AS failed_claims;

CREATE VIEW v_claims_needing_tests AS
SELECT c.id         AS id,
       c.claim_text AS claim_text,
       c.page       AS page
  FROM claims AS c
 WHERE c.claim_type = 'quantitative'
   AND (c.test_function IS NULL OR c.test_status = 'pending');

-- Failed and stale claims, least recently verified first ('stale' is
-- listed here although the deploy gate does not block on it).
CREATE VIEW v_deploy_blockers AS
SELECT c.id               AS id,
       c.claim_text       AS claim_text,
       c.page             AS page,
       c.test_function    AS test_function,
       c.test_status      AS test_status,
       c.last_verified_at AS last_verified_at
  FROM claims AS c
 WHERE c.test_status IN ('fail', 'stale')
 ORDER BY c.last_verified_at ASC;

-- First version of the phase limit (superseded by 010).
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

-- DOWN

DROP TRIGGER IF EXISTS enforce_phase_limit;
DROP VIEW IF EXISTS v_deploy_blockers;
DROP VIEW IF EXISTS v_claims_needing_tests;
DROP VIEW IF EXISTS v_can_deploy;
DROP TRIGGER IF EXISTS enforce_completed_immutable;
DROP TRIGGER IF EXISTS enforce_deploy_gate;
DROP TABLE IF EXISTS deployment_events;
DROP TABLE IF EXISTS claims;
