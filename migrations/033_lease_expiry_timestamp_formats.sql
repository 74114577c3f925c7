-- 033_lease_expiry_timestamp_formats
--
-- What: re-creates the three lease triggers of 019 - same names, same
-- order, same rules and messages - comparing expiry as a time:
-- datetime(expires_at) > datetime('now') instead of the raw text
-- expires_at > datetime('now').
--   leases_exclusive_check  exclusive needs no unreleased, unexpired lease
--   leases_write_check      write refused under an active exclusive lease
--   leases_any_check        read/write refused under an active exclusive
--                           lease (created last, so it reports first, as in
--                           the original)
--
-- Why: the text comparison is only right when expires_at is written as
-- 'YYYY-MM-DD HH:MM:SS'. An ISO-8601 value 'YYYY-MM-DDTHH:MM:SSZ' (the
-- format the lease store and application code use) sorts after every
-- same-day 'YYYY-MM-DD HH:MM:SS' because 'T' > ' ', so an exclusive lease
-- that had expired an hour earlier still blocked readers until midnight.
-- datetime() normalises both formats. (The table only became writable with
-- 022.)

-- UP

DROP TRIGGER IF EXISTS leases_exclusive_check;
DROP TRIGGER IF EXISTS leases_write_check;
DROP TRIGGER IF EXISTS leases_any_check;

CREATE TRIGGER leases_exclusive_check
    BEFORE INSERT ON leases
    WHEN NEW.mode = 'exclusive'
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM leases AS held
                      WHERE held.resource_type = NEW.resource_type
                        AND held.resource_id = NEW.resource_id
                        AND held.released_at IS NULL
                        AND datetime(held.expires_at) > datetime('now'))
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire exclusive lease - resource has active leases')
    END;
END;

CREATE TRIGGER leases_write_check
    BEFORE INSERT ON leases
    WHEN NEW.mode = 'write'
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM leases AS held
                      WHERE held.resource_type = NEW.resource_type
                        AND held.resource_id = NEW.resource_id
                        AND held.mode = 'exclusive'
                        AND held.released_at IS NULL
                        AND datetime(held.expires_at) > datetime('now'))
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire write lease - exclusive lease active')
    END;
END;

CREATE TRIGGER leases_any_check
    BEFORE INSERT ON leases
    WHEN NEW.mode IN ('read', 'write')
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM leases AS held
                      WHERE held.resource_type = NEW.resource_type
                        AND held.resource_id = NEW.resource_id
                        AND held.mode = 'exclusive'
                        AND held.released_at IS NULL
                        AND datetime(held.expires_at) > datetime('now'))
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire lease - exclusive lease active on resource')
    END;
END;

-- DOWN

DROP TRIGGER IF EXISTS leases_exclusive_check;
DROP TRIGGER IF EXISTS leases_write_check;
DROP TRIGGER IF EXISTS leases_any_check;

CREATE TRIGGER leases_exclusive_check
    BEFORE INSERT ON leases
    WHEN NEW.mode = 'exclusive'
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM leases AS held
                      WHERE held.resource_type = NEW.resource_type
                        AND held.resource_id = NEW.resource_id
                        AND held.released_at IS NULL
                        AND held.expires_at > datetime('now'))
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire exclusive lease - resource has active leases')
    END;
END;

CREATE TRIGGER leases_write_check
    BEFORE INSERT ON leases
    WHEN NEW.mode = 'write'
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM leases AS held
                      WHERE held.resource_type = NEW.resource_type
                        AND held.resource_id = NEW.resource_id
                        AND held.mode = 'exclusive'
                        AND held.released_at IS NULL
                        AND held.expires_at > datetime('now'))
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire write lease - exclusive lease active')
    END;
END;

CREATE TRIGGER leases_any_check
    BEFORE INSERT ON leases
    WHEN NEW.mode IN ('read', 'write')
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM leases AS held
                      WHERE held.resource_type = NEW.resource_type
                        AND held.resource_id = NEW.resource_id
                        AND held.mode = 'exclusive'
                        AND held.released_at IS NULL
                        AND held.expires_at > datetime('now'))
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire lease - exclusive lease active on resource')
    END;
END;
