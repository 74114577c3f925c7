-- 022_fix_leases_active_index
--
-- What: replaces the partial index idx_leases_active of 019
--   before: (resource_type, resource_id) WHERE released_at IS NULL
--           AND expires_at > datetime('now')
--   after:  (resource_type, resource_id) WHERE released_at IS NULL
-- Same name, same columns; expiry is left to the queries (the lease
-- triggers and the kernel compare expires_at themselves).
--
-- Why: SQLite refuses non-deterministic functions in an index, so with the
-- original index every INSERT into `leases` fails with "non-deterministic
-- use of datetime() in an index" - the table could never hold a row. An
-- index over unreleased leases serves the same lookups and is
-- deterministic. Fix of the original's defect 1 (schema inventory).

-- UP

DROP INDEX IF EXISTS idx_leases_active;

CREATE INDEX idx_leases_active ON leases (resource_type, resource_id)
    WHERE released_at IS NULL;

-- DOWN

-- Restores the original (unusable) index; fails while leases has rows.
DROP INDEX IF EXISTS idx_leases_active;
CREATE INDEX idx_leases_active ON leases (resource_type, resource_id)
    WHERE released_at IS NULL AND expires_at > datetime('now');
