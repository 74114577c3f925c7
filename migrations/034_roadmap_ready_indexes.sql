-- 034_roadmap_ready_indexes
-- Indexes for `motus roadmap ready`: the first page by rank becomes a short covering-index
-- walk whatever the number of items (0.06 ms at 100k items instead of a scan and sort), and
-- "is this prerequisite finished?" one lookup in a small covering index. Results do not
-- change; see docs/roadmap.md and BENCHMARKS.md (Roadmap).
-- UP
CREATE INDEX IF NOT EXISTS idx_roadmap_ready ON roadmap_items
    (rank, phase_key, id, title, status_key, item_type, owner, target_date, external_id, deleted_at)
    WHERE status_key = 'pending' AND deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_roadmap_unfinished ON roadmap_items (id, status_key)
    WHERE status_key <> 'completed';
CREATE INDEX IF NOT EXISTS idx_roadmap_dep_blocking ON roadmap_dependencies
    (item_id, dependency_type, depends_on_id);
-- DOWN
DROP INDEX IF EXISTS idx_roadmap_dep_blocking;
DROP INDEX IF EXISTS idx_roadmap_unfinished;
DROP INDEX IF EXISTS idx_roadmap_ready;
