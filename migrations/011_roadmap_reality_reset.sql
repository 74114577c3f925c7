-- 011_roadmap_reality_reset
--
-- What: soft-deletes (sets deleted_at on) every live roadmap item whose
-- created_by starts with 'migration:' - items that earlier development
-- versions of the original seeded from migration files.
--
-- Why: schema- and ledger-compatible with motusos 0.3.x migration 011,
-- whose seeding part was removed; what remains is this clean-up. On a
-- fresh database there are no such items and nothing changes.

-- UP

UPDATE roadmap_items
   SET deleted_at = datetime('now')
 WHERE deleted_at IS NULL
   AND created_by LIKE 'migration:%';

-- DOWN

-- Comment only: the soft-deleted rows cannot be told apart from rows that
-- were deleted for other reasons, so nothing is restored automatically.
