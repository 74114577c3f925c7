-- 001_userland_tables
--
-- What: the five local-customization tables that coordination.db holds
-- since its migrations 002 and 004, created here for userland.db:
--   preferences        explicit user settings
--   skills             skill progress / unlocks
--   ground_rules       non-negotiable rules
--   learned_patterns   accumulated patterns with a frequency counter
--   detected_patterns  auto-detected patterns with a confidence level
-- each with its audit columns (created_at … deletion_reason), its
-- `<t>_audit_insert` / `<t>_updated_at` timestamp triggers and its
-- `idx_<t>_*` indexes.
--
-- Why: `motus userland extract` moves the rows of these tables out of
-- coordination.db. The tables here are identical to coordination.db's
-- column for column (name, order, type, NOT NULL, default, CHECK, UNIQUE):
-- the columns that coordination.db's 004 appended with ALTER TABLE are
-- declared at the same positions, so a row copies across unchanged and the
-- per-table content hashes (which cover column names and order) can prove
-- it. A test compares this schema with a fresh coordination.db's, object
-- by object.

-- UP

CREATE TABLE preferences (
    key             TEXT PRIMARY KEY,
    value           TEXT NOT NULL,
    set_at          TEXT NOT NULL DEFAULT (datetime('now')),
    source          TEXT NOT NULL CHECK (source IN ('cli', 'config_file', 'learned')),
    created_at      TEXT DEFAULT NULL,
    updated_at      TEXT DEFAULT NULL,
    created_by      TEXT DEFAULT NULL,
    updated_by      TEXT DEFAULT NULL,
    deleted_at      TEXT DEFAULT NULL,
    deleted_by      TEXT DEFAULT NULL,
    deletion_reason TEXT DEFAULT NULL
);

CREATE TABLE skills (
    skill_name       TEXT PRIMARY KEY,
    unlocked_at      TEXT,
    progress_count   INTEGER NOT NULL DEFAULT 0 CHECK (progress_count >= 0),
    unlock_threshold INTEGER NOT NULL CHECK (unlock_threshold >= 0),
    created_at       TEXT DEFAULT NULL,
    updated_at       TEXT DEFAULT NULL,
    created_by       TEXT DEFAULT NULL,
    updated_by       TEXT DEFAULT NULL,
    deleted_at       TEXT DEFAULT NULL,
    deleted_by       TEXT DEFAULT NULL,
    deletion_reason  TEXT DEFAULT NULL
);

CREATE TABLE ground_rules (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_type       TEXT NOT NULL,
    rule_value      TEXT NOT NULL,
    created_at      TEXT NOT NULL DEFAULT (datetime('now')),
    source          TEXT NOT NULL CHECK (source IN ('default', 'user_defined', 'imported')),
    updated_at      TEXT DEFAULT NULL,
    created_by      TEXT DEFAULT NULL,
    updated_by      TEXT DEFAULT NULL,
    deleted_at      TEXT DEFAULT NULL,
    deleted_by      TEXT DEFAULT NULL,
    deletion_reason TEXT DEFAULT NULL,
    UNIQUE (rule_type, rule_value)
);

CREATE TABLE learned_patterns (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    pattern_type    TEXT NOT NULL,
    pattern_value   TEXT NOT NULL,
    learned_at      TEXT NOT NULL DEFAULT (datetime('now')),
    source          TEXT NOT NULL CHECK (source IN ('detection', 'user_input', 'observation')),
    frequency       INTEGER NOT NULL DEFAULT 1 CHECK (frequency >= 1),
    last_seen_at    TEXT NOT NULL DEFAULT (datetime('now')),
    created_at      TEXT DEFAULT NULL,
    updated_at      TEXT DEFAULT NULL,
    created_by      TEXT DEFAULT NULL,
    updated_by      TEXT DEFAULT NULL,
    deleted_at      TEXT DEFAULT NULL,
    deleted_by      TEXT DEFAULT NULL,
    deletion_reason TEXT DEFAULT NULL,
    UNIQUE (pattern_type, pattern_value)
);

CREATE TABLE detected_patterns (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    pattern_type      TEXT NOT NULL,
    pattern_value     TEXT NOT NULL,
    confidence        TEXT NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
    detected_from     TEXT,
    detected_at       TEXT NOT NULL DEFAULT (datetime('now')),
    last_confirmed_at TEXT,
    created_at        TEXT DEFAULT NULL,
    updated_at        TEXT DEFAULT NULL,
    created_by        TEXT DEFAULT NULL,
    updated_by        TEXT DEFAULT NULL,
    deleted_at        TEXT DEFAULT NULL,
    deleted_by        TEXT DEFAULT NULL,
    deletion_reason   TEXT DEFAULT NULL,
    UNIQUE (pattern_type, pattern_value)
);

-- Lookup indexes (coordination.db's 002).
CREATE INDEX idx_detected_patterns_type ON detected_patterns (pattern_type);
CREATE INDEX idx_detected_patterns_last_seen ON detected_patterns (detected_at);
CREATE INDEX idx_learned_patterns_type ON learned_patterns (pattern_type);
CREATE INDEX idx_learned_patterns_frequency ON learned_patterns (pattern_type, frequency DESC);
CREATE INDEX idx_ground_rules_type ON ground_rules (rule_type);

-- Insert helpers: a new row with an empty created_at / updated_at gets the
-- current time (coordination.db's 004).
CREATE TRIGGER preferences_audit_insert
    AFTER INSERT ON preferences
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE preferences
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER skills_audit_insert
    AFTER INSERT ON skills
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE skills
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER ground_rules_audit_insert
    AFTER INSERT ON ground_rules
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE ground_rules
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER learned_patterns_audit_insert
    AFTER INSERT ON learned_patterns
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE learned_patterns
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER detected_patterns_audit_insert
    AFTER INSERT ON detected_patterns
    FOR EACH ROW
    WHEN coalesce(NEW.created_at, '') = '' OR coalesce(NEW.updated_at, '') = ''
BEGIN
    UPDATE detected_patterns
       SET created_at = CASE WHEN coalesce(NEW.created_at, '') = '' THEN datetime('now') ELSE NEW.created_at END,
           updated_at = CASE WHEN coalesce(NEW.updated_at, '') = '' THEN datetime('now') ELSE NEW.updated_at END
     WHERE rowid = NEW.rowid;
END;

-- Update helpers: an UPDATE that left updated_at unchanged gets it stamped
-- (like coordination.db's, `=` leaves a row whose updated_at stays NULL alone).
CREATE TRIGGER preferences_updated_at
    AFTER UPDATE ON preferences
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE preferences SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER skills_updated_at
    AFTER UPDATE ON skills
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE skills SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER ground_rules_updated_at
    AFTER UPDATE ON ground_rules
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE ground_rules SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER learned_patterns_updated_at
    AFTER UPDATE ON learned_patterns
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE learned_patterns SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER detected_patterns_updated_at
    AFTER UPDATE ON detected_patterns
    FOR EACH ROW
    WHEN NEW.updated_at = OLD.updated_at
BEGIN
    UPDATE detected_patterns SET updated_at = datetime('now') WHERE rowid = NEW.rowid;
END;

-- Audit indexes (coordination.db's 004).
CREATE INDEX idx_preferences_created_at ON preferences (created_at);
CREATE INDEX idx_preferences_updated_at ON preferences (updated_at);
CREATE INDEX idx_preferences_deleted_at ON preferences (deleted_at);
CREATE INDEX idx_skills_created_at ON skills (created_at);
CREATE INDEX idx_skills_updated_at ON skills (updated_at);
CREATE INDEX idx_skills_deleted_at ON skills (deleted_at);
CREATE INDEX idx_ground_rules_created_at ON ground_rules (created_at);
CREATE INDEX idx_ground_rules_updated_at ON ground_rules (updated_at);
CREATE INDEX idx_ground_rules_deleted_at ON ground_rules (deleted_at);
CREATE INDEX idx_learned_patterns_created_at ON learned_patterns (created_at);
CREATE INDEX idx_learned_patterns_updated_at ON learned_patterns (updated_at);
CREATE INDEX idx_learned_patterns_deleted_at ON learned_patterns (deleted_at);
CREATE INDEX idx_detected_patterns_created_at ON detected_patterns (created_at);
CREATE INDEX idx_detected_patterns_updated_at ON detected_patterns (updated_at);
CREATE INDEX idx_detected_patterns_deleted_at ON detected_patterns (deleted_at);

-- DOWN

DROP TABLE IF EXISTS detected_patterns;
DROP TABLE IF EXISTS learned_patterns;
DROP TABLE IF EXISTS ground_rules;
DROP TABLE IF EXISTS skills;
DROP TABLE IF EXISTS preferences;
