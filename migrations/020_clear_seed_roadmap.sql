-- 020_clear_seed_roadmap
--
-- What: hard-deletes the roadmap items that earlier development versions
-- of the original seeded (created_by 'migration:011' or
-- 'migration:011_roadmap_reality_reset'), after first deleting the rows
-- that reference them: their assignments, every dependency edge touching
-- them and - unlike the original - the assignment_prerequisites rows of
-- those assignments or items. No-op on a fresh database.
--
-- Why: ledger-compatible with motusos 0.3.x migration 020. The original
-- forgets assignment_prerequisites and then fails with "FOREIGN KEY
-- constraint failed" on a database whose seeded items had surfaced
-- prerequisites, leaving that database stuck before version 20; clearing
-- those bookkeeping rows first lets such a database be upgraded. Kernel
-- rows (attempts, evidence, decisions, ...) that reference a seeded item
-- still make this migration fail, atomically, as they should: they are
-- append-only records.

-- UP

DELETE FROM assignment_prerequisites
 WHERE prerequisite_item_id IN (SELECT item.id FROM roadmap_items AS item
                                 WHERE item.created_by IN ('migration:011', 'migration:011_roadmap_reality_reset'))
    OR source_assignment_id IN (SELECT asg.id
                                  FROM roadmap_assignments AS asg
                                  JOIN roadmap_items AS item ON item.id = asg.item_id
                                 WHERE item.created_by IN ('migration:011', 'migration:011_roadmap_reality_reset'));

DELETE FROM roadmap_assignments
 WHERE item_id IN (SELECT item.id FROM roadmap_items AS item
                    WHERE item.created_by IN ('migration:011', 'migration:011_roadmap_reality_reset'));

DELETE FROM roadmap_dependencies
 WHERE item_id IN (SELECT item.id FROM roadmap_items AS item
                    WHERE item.created_by IN ('migration:011', 'migration:011_roadmap_reality_reset'))
    OR depends_on_id IN (SELECT item.id FROM roadmap_items AS item
                          WHERE item.created_by IN ('migration:011', 'migration:011_roadmap_reality_reset'));

DELETE FROM roadmap_items
 WHERE created_by IN ('migration:011', 'migration:011_roadmap_reality_reset');

-- DOWN

-- Comment only: the deleted seed rows are not restored.
