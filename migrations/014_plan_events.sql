-- 014_plan_events
--
-- What: plan_events, the canonical log of ingested plan events (one row per
-- event, de-duplicated by its UNIQUE idempotency_key), three lookup indexes
-- and one 'schema_change' audit_log row.
--
-- Why: schema- and data-compatible with motusos 0.3.x migration 014. The
-- table is documented as append-only but the original enforces nothing;
-- 025 of this project adds the enforcement.

-- UP

CREATE TABLE plan_events (
    event_id         TEXT PRIMARY KEY,
    idempotency_key  TEXT NOT NULL UNIQUE,
    ts               TEXT NOT NULL,
    actor            TEXT NOT NULL,
    actor_type       TEXT NOT NULL CHECK (actor_type IN ('user', 'service', 'agent', 'system')),
    source           TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    item_id          TEXT,
    external_id      TEXT,
    payload          TEXT NOT NULL,
    expected_version TEXT,
    conflict_policy  TEXT,
    received_at      TEXT NOT NULL DEFAULT (datetime('now')),
    processed_at     TEXT,
    process_result   TEXT CHECK (process_result IN ('applied', 'rejected', 'conflict') OR process_result IS NULL)
);

CREATE INDEX idx_plan_events_item ON plan_events (item_id);
CREATE INDEX idx_plan_events_ts ON plan_events (ts);
CREATE INDEX idx_plan_events_source ON plan_events (source);

INSERT INTO audit_log (event_type, actor, resource_type, action, new_value, instance_id)
SELECT 'schema_change',
       'migration:014_plan_events',
       'plan_events',
       'create_table',
       json_object('indexes', json_array('idx_plan_events_item', 'idx_plan_events_ts', 'idx_plan_events_source')),
       (SELECT cfg.value FROM instance_config AS cfg WHERE cfg.key = 'instance_id');

-- DOWN

DROP TABLE IF EXISTS plan_events;
