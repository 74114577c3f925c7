-- 002_project_memory
--
-- What: the project-memory ("userland candidate") tables:
--   detected_patterns  auto-detected patterns with a confidence level
--   learned_patterns   accumulated patterns with a frequency counter
--   preferences        explicit user settings
--   ground_rules       non-negotiable rules
--   skills             skill progress / unlocks
--   sessions           per-project session history
-- and their six lookup indexes. No seed rows.
--
-- Why: schema-compatible with motusos 0.3.x migration 002. Migration 004
-- later appends the seven audit columns to every one of these tables.

-- UP

CREATE TABLE detected_patterns (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    pattern_type      TEXT NOT NULL,
    pattern_value     TEXT NOT NULL,
    confidence        TEXT NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
    detected_from     TEXT,
    detected_at       TEXT NOT NULL DEFAULT (datetime('now')),
    last_confirmed_at TEXT,
    UNIQUE (pattern_type, pattern_value)
);

CREATE INDEX idx_detected_patterns_type ON detected_patterns (pattern_type);
CREATE INDEX idx_detected_patterns_last_seen ON detected_patterns (detected_at);

CREATE TABLE learned_patterns (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    pattern_type  TEXT NOT NULL,
    pattern_value TEXT NOT NULL,
    learned_at    TEXT NOT NULL DEFAULT (datetime('now')),
    source        TEXT NOT NULL CHECK (source IN ('detection', 'user_input', 'observation')),
    frequency     INTEGER NOT NULL DEFAULT 1 CHECK (frequency >= 1),
    last_seen_at  TEXT NOT NULL DEFAULT (datetime('now')),
    UNIQUE (pattern_type, pattern_value)
);

CREATE INDEX idx_learned_patterns_type ON learned_patterns (pattern_type);
CREATE INDEX idx_learned_patterns_frequency ON learned_patterns (pattern_type, frequency DESC);

CREATE TABLE preferences (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL,
    set_at TEXT NOT NULL DEFAULT (datetime('now')),
    source TEXT NOT NULL CHECK (source IN ('cli', 'config_file', 'learned'))
);

CREATE TABLE ground_rules (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_type  TEXT NOT NULL,
    rule_value TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    source     TEXT NOT NULL CHECK (source IN ('default', 'user_defined', 'imported')),
    UNIQUE (rule_type, rule_value)
);

CREATE INDEX idx_ground_rules_type ON ground_rules (rule_type);

CREATE TABLE skills (
    skill_name       TEXT PRIMARY KEY,
    unlocked_at      TEXT,
    progress_count   INTEGER NOT NULL DEFAULT 0 CHECK (progress_count >= 0),
    unlock_threshold INTEGER NOT NULL CHECK (unlock_threshold >= 0)
);

CREATE TABLE sessions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at         TEXT NOT NULL DEFAULT (datetime('now')),
    ended_at           TEXT,
    commands_run       INTEGER NOT NULL DEFAULT 0 CHECK (commands_run >= 0),
    learnings_captured INTEGER NOT NULL DEFAULT 0 CHECK (learnings_captured >= 0),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);

CREATE INDEX idx_sessions_started ON sessions (started_at DESC);

-- DOWN

DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS skills;
DROP TABLE IF EXISTS ground_rules;
DROP TABLE IF EXISTS preferences;
DROP TABLE IF EXISTS learned_patterns;
DROP TABLE IF EXISTS detected_patterns;
