-- 013_add_roadmap_external_fields
--
-- What: roadmap_items gains external_id, external_url, raw_status and
-- raw_type (identity and raw values of an item mirrored from an external
-- tracker), a partial index on external_id over live items, and one
-- 'schema_change' audit_log row.
--
-- Why: schema- and data-compatible with motusos 0.3.x migration 013.

-- UP

ALTER TABLE roadmap_items ADD COLUMN external_id TEXT;
ALTER TABLE roadmap_items ADD COLUMN external_url TEXT;
ALTER TABLE roadmap_items ADD COLUMN raw_status TEXT;
ALTER TABLE roadmap_items ADD COLUMN raw_type TEXT;

CREATE INDEX idx_roadmap_external_id ON roadmap_items (external_id)
    WHERE deleted_at IS NULL;

INSERT INTO audit_log (event_type, actor, resource_type, action, new_value, instance_id)
SELECT 'schema_change',
       'migration:013_add_roadmap_external_fields',
       'roadmap_items',
       'add_columns',
       json_object('columns', json_array('external_id', 'external_url', 'raw_status', 'raw_type'),
                   'indexes', json_array('idx_roadmap_external_id')),
       (SELECT cfg.value FROM instance_config AS cfg WHERE cfg.key = 'instance_id');

-- DOWN

-- Comment only: the columns are not removed automatically.
