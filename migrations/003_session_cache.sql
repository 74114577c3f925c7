-- 003_session_cache
--
-- What: the session cache that indexes agent transcript files:
--   session_file_cache   one row per ingested session JSONL file
--   session_event_cache  per-event metadata of a cached file
--   session_cache_state  key/value sync state
-- and five lookup indexes.
--
-- Why: schema-compatible with motusos 0.3.x migration 003, which creates
-- these objects only when missing (IF NOT EXISTS), so this file does too.

-- UP

CREATE TABLE IF NOT EXISTS session_file_cache (
    id              TEXT PRIMARY KEY,
    source          TEXT NOT NULL,
    file_path       TEXT UNIQUE NOT NULL,
    file_hash       TEXT NOT NULL,
    file_mtime_ns   INTEGER NOT NULL,
    file_size_bytes INTEGER NOT NULL,
    ingested_at     TEXT NOT NULL,
    project_path    TEXT,
    model           TEXT,
    total_turns     INTEGER,
    total_tokens    INTEGER,
    last_action     TEXT NOT NULL DEFAULT '',
    has_completion  INTEGER NOT NULL DEFAULT 0 CHECK (has_completion IN (0, 1)),
    parse_error     TEXT,
    status          TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'archived', 'corrupted', 'partial', 'skipped'))
);

CREATE INDEX IF NOT EXISTS idx_session_file_cache_mtime ON session_file_cache (file_mtime_ns);
CREATE INDEX IF NOT EXISTS idx_session_file_cache_project ON session_file_cache (project_path);
CREATE INDEX IF NOT EXISTS idx_session_file_cache_status ON session_file_cache (status);

CREATE TABLE IF NOT EXISTS session_event_cache (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id      TEXT NOT NULL REFERENCES session_file_cache (id),
    sequence        INTEGER NOT NULL,
    type            TEXT NOT NULL,
    timestamp       TEXT,
    content_preview TEXT,
    content_hash    TEXT,
    tool_name       TEXT,
    token_count     INTEGER,
    UNIQUE (session_id, sequence)
);

CREATE INDEX IF NOT EXISTS idx_session_event_cache_session ON session_event_cache (session_id);
CREATE INDEX IF NOT EXISTS idx_session_event_cache_type ON session_event_cache (type);

CREATE TABLE IF NOT EXISTS session_cache_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);

-- DOWN

DROP TABLE IF EXISTS session_cache_state;
DROP TABLE IF EXISTS session_event_cache;
DROP TABLE IF EXISTS session_file_cache;
