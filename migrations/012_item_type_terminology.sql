-- 012_item_type_terminology
--
-- What:
--   * roadmap_items.item_type TEXT NOT NULL DEFAULT 'work', one of work,
--     gate (checkpoint), holding (parked) or integration;
--   * terminology: domain roadmap_item_type (4 keys) and the roadmap phase
--     phase_f "Future" (insert-or-ignore);
--   * items titled 'GATE: ...' / 'HOLDING: ...' become item_type gate /
--     holding and lose the prefix;
--   * one 'schema_change' audit_log row recording what was done.
--
-- Why: schema- and data-compatible with motusos 0.3.x migration 012.

-- UP

ALTER TABLE roadmap_items ADD COLUMN item_type TEXT NOT NULL DEFAULT 'work'
    CHECK (item_type IN ('work', 'gate', 'holding', 'integration'));

INSERT OR IGNORE INTO terminology (domain, internal_key, display_name, description, sort_order) VALUES
    ('roadmap_item_type', 'work',        'Work',        'Regular deliverable item requiring effort',                                         1),
    ('roadmap_item_type', 'gate',        'Gate',        'Checkpoint requiring verification before next phase',                              2),
    ('roadmap_item_type', 'holding',     'Holding',     'Future item not yet actionable - parked for later',                                3),
    ('roadmap_item_type', 'integration', 'Integration', 'Post-feature alignment: vault sync, conflict removal, verification, website update', 4),
    ('roadmap_phase',     'phase_f',     'Future',      'Holding area for post-v0.1.0 enhancements',                                        7);

-- Title prefixes become item types.
UPDATE roadmap_items
   SET item_type = 'gate',
       title = ltrim(substr(title, 6))
 WHERE substr(title, 1, 5) = 'GATE:';

UPDATE roadmap_items
   SET item_type = 'holding',
       title = ltrim(substr(title, 9))
 WHERE substr(title, 1, 8) = 'HOLDING:';

INSERT INTO audit_log (event_type, actor, resource_type, action, new_value, instance_id)
SELECT 'schema_change',
       'migration:012_item_type_terminology',
       'roadmap_items',
       'add_column',
       json_object('column', 'item_type',
                   'types_defined', (SELECT count(*) FROM terminology AS t
                                      WHERE t.domain = 'roadmap_item_type'),
                   'items_migrated', (SELECT count(*) FROM roadmap_items AS r
                                       WHERE r.item_type != 'work'),
                   'phase_f_added', (SELECT count(*) FROM terminology AS t
                                      WHERE t.domain = 'roadmap_phase'
                                        AND t.internal_key = 'phase_f')),
       (SELECT cfg.value FROM instance_config AS cfg WHERE cfg.key = 'instance_id');

-- DOWN

-- Comment only: item_type and the stripped title prefixes are not undone
-- automatically (audit_log rows cannot be deleted either).
