-- 025_plan_events_append_only
--
-- What: plan_events becomes append-only, as documented:
--   plan_events_no_delete      every DELETE is refused
--   plan_events_no_update      an UPDATE that changes any column other than
--                              processed_at / process_result is refused
--   plan_events_processed_once processed_at / process_result can be set
--                              once, while both are still NULL; afterwards
--                              any UPDATE naming them is refused
-- Messages follow the original's style for its other append-only,
-- non-kernel tables ('Audit log entries are immutable', ...).
--
-- Why: the original documents plan_events as an append-only event log but
-- enforces nothing; rows could be rewritten or deleted, which breaks
-- idempotent replay and the audit value of the log.

-- UP

CREATE TRIGGER plan_events_no_delete
    BEFORE DELETE ON plan_events
BEGIN
    SELECT RAISE(ABORT, 'Plan events cannot be deleted');
END;

CREATE TRIGGER plan_events_no_update
    BEFORE UPDATE ON plan_events
    WHEN NEW.event_id IS NOT OLD.event_id
      OR NEW.idempotency_key IS NOT OLD.idempotency_key
      OR NEW.ts IS NOT OLD.ts
      OR NEW.actor IS NOT OLD.actor
      OR NEW.actor_type IS NOT OLD.actor_type
      OR NEW.source IS NOT OLD.source
      OR NEW.event_type IS NOT OLD.event_type
      OR NEW.item_id IS NOT OLD.item_id
      OR NEW.external_id IS NOT OLD.external_id
      OR NEW.payload IS NOT OLD.payload
      OR NEW.expected_version IS NOT OLD.expected_version
      OR NEW.conflict_policy IS NOT OLD.conflict_policy
      OR NEW.received_at IS NOT OLD.received_at
BEGIN
    SELECT RAISE(ABORT, 'Plan events are immutable (only processed_at and process_result can be recorded, once)');
END;

CREATE TRIGGER plan_events_processed_once
    BEFORE UPDATE OF processed_at, process_result ON plan_events
    WHEN OLD.processed_at IS NOT NULL OR OLD.process_result IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'Plan event processing result is immutable');
END;

-- DOWN

DROP TRIGGER IF EXISTS plan_events_processed_once;
DROP TRIGGER IF EXISTS plan_events_no_update;
DROP TRIGGER IF EXISTS plan_events_no_delete;
