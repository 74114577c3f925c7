CREATE TABLE schema_version (
            version INTEGER PRIMARY KEY,
            migration_name TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT (datetime('now')),
            checksum TEXT NOT NULL,
            execution_time_ms INTEGER
        );
CREATE TABLE instance_config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
, created_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL);
CREATE TABLE terminology (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain TEXT NOT NULL,           -- 'cr_status', 'plane', 'artifact_type'
    internal_key TEXT NOT NULL,     -- 'in_progress', 'ops_plane'
    display_name TEXT NOT NULL,     -- 'In Progress', 'Ops Plane'
    description TEXT,
    sort_order INTEGER DEFAULT 0,
    deprecated_at TEXT,
    replaced_by TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')), updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL,

    UNIQUE(domain, internal_key)
);
CREATE TABLE resource_quotas (
    resource_type TEXT PRIMARY KEY,
    soft_limit INTEGER NOT NULL,
    hard_limit INTEGER NOT NULL,
    current_usage INTEGER NOT NULL DEFAULT 0,
    last_warning_at TEXT,
    last_reset_at TEXT,
    reset_interval_hours INTEGER,   -- NULL = never auto-reset
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL);
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT,                  -- JSON
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'complete', 'failed')),
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    expires_at TEXT NOT NULL, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL,

    CHECK (expires_at > created_at)
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT NOT NULL DEFAULT (datetime('now')),
    event_type TEXT NOT NULL,
    actor TEXT NOT NULL,            -- 'agent:builder-1', 'system', 'user:ben'
    resource_type TEXT,
    resource_id TEXT,
    action TEXT NOT NULL,           -- 'create', 'update', 'delete', 'transition'
    old_value TEXT,                 -- JSON
    new_value TEXT,                 -- JSON
    context TEXT,                   -- JSON (session_id, namespace, etc.)
    instance_id TEXT NOT NULL,
    protocol_version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE health_check_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    check_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
    message TEXT,
    details TEXT,                   -- JSON
    duration_ms REAL,
    checked_at TEXT NOT NULL DEFAULT (datetime('now'))
, created_at TEXT DEFAULT NULL, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL);
CREATE TABLE circuit_breakers (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL DEFAULT 'closed'
        CHECK (state IN ('closed', 'open', 'half_open')),
    failure_count INTEGER NOT NULL DEFAULT 0,
    success_count INTEGER NOT NULL DEFAULT 0,
    last_failure_at TEXT,
    last_success_at TEXT,
    opened_at TEXT,
    failure_threshold INTEGER NOT NULL DEFAULT 5,
    recovery_timeout_seconds INTEGER NOT NULL DEFAULT 30,
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
, created_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL);
CREATE TABLE detected_patterns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pattern_type TEXT NOT NULL,
    pattern_value TEXT NOT NULL,
    confidence TEXT NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
    detected_from TEXT,
    detected_at TEXT NOT NULL DEFAULT (datetime('now')),
    last_confirmed_at TEXT, created_at TEXT DEFAULT NULL, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL,
    UNIQUE(pattern_type, pattern_value)
);
CREATE TABLE learned_patterns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pattern_type TEXT NOT NULL,
    pattern_value TEXT NOT NULL,
    learned_at TEXT NOT NULL DEFAULT (datetime('now')),
    source TEXT NOT NULL CHECK (source IN ('detection', 'user_input', 'observation')),
    frequency INTEGER NOT NULL DEFAULT 1 CHECK (frequency >= 1),
    last_seen_at TEXT NOT NULL DEFAULT (datetime('now')), created_at TEXT DEFAULT NULL, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL,
    UNIQUE(pattern_type, pattern_value)
);
CREATE TABLE preferences (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    set_at TEXT NOT NULL DEFAULT (datetime('now')),
    source TEXT NOT NULL CHECK (source IN ('cli', 'config_file', 'learned'))
, created_at TEXT DEFAULT NULL, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL);
CREATE TABLE ground_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_type TEXT NOT NULL,
    rule_value TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    source TEXT NOT NULL CHECK (source IN ('default', 'user_defined', 'imported')), updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL,
    UNIQUE(rule_type, rule_value)
);
CREATE TABLE skills (
    skill_name TEXT PRIMARY KEY,
    unlocked_at TEXT,
    progress_count INTEGER NOT NULL DEFAULT 0 CHECK (progress_count >= 0),
    unlock_threshold INTEGER NOT NULL CHECK (unlock_threshold >= 0)
, created_at TEXT DEFAULT NULL, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL DEFAULT (datetime('now')),
    ended_at TEXT,
    commands_run INTEGER NOT NULL DEFAULT 0 CHECK (commands_run >= 0),
    learnings_captured INTEGER NOT NULL DEFAULT 0 CHECK (learnings_captured >= 0), created_at TEXT DEFAULT NULL, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE TABLE session_file_cache (
    id TEXT PRIMARY KEY,              -- Session ID (file stem)
    source TEXT NOT NULL,             -- 'claude', 'codex', 'gemini', ...
    file_path TEXT UNIQUE NOT NULL,   -- Source file path
    file_hash TEXT NOT NULL,          -- SHA-256 of file content (hex)
    file_mtime_ns INTEGER NOT NULL,   -- File modification time (ns since epoch)
    file_size_bytes INTEGER NOT NULL, -- File size in bytes
    ingested_at TEXT NOT NULL,        -- When we ingested (UTC)

    -- Extracted metadata (best-effort)
    project_path TEXT,
    model TEXT,
    total_turns INTEGER,
    total_tokens INTEGER,

    -- Fast-path status inputs (avoid re-reading JSONL on `mc list`)
    last_action TEXT NOT NULL DEFAULT '',
    has_completion INTEGER NOT NULL DEFAULT 0
        CHECK (has_completion IN (0, 1)),
    parse_error TEXT,

    -- Status
    status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'archived', 'corrupted', 'partial', 'skipped'))
, created_at TEXT DEFAULT NULL, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL);
CREATE TABLE session_event_cache (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES session_file_cache(id),
    sequence INTEGER NOT NULL,
    type TEXT NOT NULL,
    timestamp TEXT,
    content_preview TEXT,
    content_hash TEXT,
    tool_name TEXT,
    token_count INTEGER, created_at TEXT DEFAULT NULL, updated_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL,

    UNIQUE(session_id, sequence)
);
CREATE TABLE session_cache_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (datetime('now'))
, created_at TEXT DEFAULT NULL, created_by TEXT DEFAULT NULL, updated_by TEXT DEFAULT NULL, deleted_at TEXT DEFAULT NULL, deleted_by TEXT DEFAULT NULL, deletion_reason TEXT DEFAULT NULL);
CREATE TABLE programs (
    id TEXT PRIMARY KEY,                    -- 'motus-cli', 'bens-linkedin', 'example-infra'
    name TEXT NOT NULL,
    description TEXT,
    type_key TEXT NOT NULL DEFAULT 'software',
    status_key TEXT NOT NULL DEFAULT 'active',
    owner TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at TEXT
    -- NOTE: type_key and status_key reference terminology.internal_key
    -- but terminology.internal_key is not unique (domain-scoped).
    -- Validation is application-level via terminology table lookups.
);
CREATE TABLE products (
    id TEXT PRIMARY KEY,                    -- 'motus', 'motus-web', 'motus-crypto'
    program_id TEXT NOT NULL,               -- Parent program
    name TEXT NOT NULL,                     -- Display name (can change)
    description TEXT,
    status_key TEXT NOT NULL DEFAULT 'active',
    version TEXT NOT NULL DEFAULT '0.0.0',  -- Current version
    repository_url TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at TEXT,                        -- Soft delete

    FOREIGN KEY (program_id) REFERENCES programs(id)
    -- status_key validated via terminology lookup (not FK - see design note)
);
CREATE TABLE features (
    id TEXT PRIMARY KEY,                    -- 'coordination-api', 'policy-gates'
    product_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    status_key TEXT NOT NULL DEFAULT 'planned',
    version TEXT,                           -- Feature-specific version
    introduced_in TEXT,                     -- Product version when added
    deprecated_in TEXT,                     -- Product version when deprecated
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at TEXT,

    FOREIGN KEY (product_id) REFERENCES products(id)
);
CREATE TABLE change_requests (
    id TEXT PRIMARY KEY,                    -- 'CR-2025-12-26-001'
    title TEXT NOT NULL,
    description TEXT,
    status_key TEXT NOT NULL DEFAULT 'queue',
    type_key TEXT NOT NULL DEFAULT 'enhancement',
    size TEXT NOT NULL DEFAULT 'M' CHECK (size IN ('S', 'M', 'L', 'XL')),
    owner TEXT,                             -- Agent or person ID
    product_id TEXT,
    feature_id TEXT,
    target_version TEXT,                    -- Version this CR targets
    completed_version TEXT,                 -- Version this CR shipped in
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    started_at TEXT,
    completed_at TEXT,
    deleted_at TEXT,

    FOREIGN KEY (product_id) REFERENCES products(id),
    FOREIGN KEY (feature_id) REFERENCES features(id)
    -- status_key, type_key validated via terminology lookup (not FK - see design note)
);
CREATE TABLE cr_dependencies (
    cr_id TEXT NOT NULL,
    depends_on_id TEXT NOT NULL,
    dependency_type TEXT NOT NULL DEFAULT 'blocks'
        CHECK (dependency_type IN ('blocks', 'related', 'supersedes')),
    created_at TEXT NOT NULL DEFAULT (datetime('now')),

    PRIMARY KEY (cr_id, depends_on_id),
    FOREIGN KEY (cr_id) REFERENCES change_requests(id),
    FOREIGN KEY (depends_on_id) REFERENCES change_requests(id),
    CHECK (cr_id != depends_on_id)
);
CREATE TABLE roadmap_items (
    id TEXT PRIMARY KEY,                    -- 'RI-001'
    phase_key TEXT NOT NULL,                -- References terminology
    title TEXT NOT NULL,
    description TEXT,
    status_key TEXT NOT NULL DEFAULT 'pending',
    owner TEXT,
    scope TEXT NOT NULL DEFAULT 'user',
    feature_id TEXT,
    cr_id TEXT,                             -- Optional link to CR
    target_date TEXT,
    completed_at TEXT,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at TEXT, rank REAL, item_type TEXT NOT NULL DEFAULT 'work'
  CHECK (item_type IN ('work', 'gate', 'holding', 'integration')), external_id TEXT, external_url TEXT, raw_status TEXT, raw_type TEXT,

    -- phase_key validated via terminology lookup (not FK - see design note)
    -- status_key validated via terminology lookup (not FK - see design note),
    FOREIGN KEY (feature_id) REFERENCES features(id),
    FOREIGN KEY (cr_id) REFERENCES change_requests(id)
);
CREATE TABLE bugs (
    id TEXT PRIMARY KEY,                    -- 'BUG-2025-12-26-001'
    title TEXT NOT NULL,
    description TEXT,
    feature_id TEXT NOT NULL,
    feature_version TEXT NOT NULL,          -- 'context v0.1.1'
    severity_key TEXT NOT NULL DEFAULT 'medium',
    status_key TEXT NOT NULL DEFAULT 'open',
    reported_by TEXT,
    assigned_to TEXT,
    fix_cr_id TEXT,                         -- CR that fixes this bug
    fixed_in_version TEXT,                  -- Version containing fix
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    resolved_at TEXT,
    deleted_at TEXT,

    FOREIGN KEY (feature_id) REFERENCES features(id),
    -- severity_key validated via terminology lookup (not FK - see design note)
    -- status_key validated via terminology lookup (not FK - see design note),
    FOREIGN KEY (fix_cr_id) REFERENCES change_requests(id)
);
CREATE TABLE releases (
    id TEXT PRIMARY KEY,                    -- 'v0.1.0', 'post-2025-12-26-001'
    product_id TEXT NOT NULL,
    type_key TEXT NOT NULL DEFAULT 'version',
    name TEXT NOT NULL,                     -- 'v0.1.0', 'Know Don't Guess Launch Post'
    description TEXT,
    status_key TEXT NOT NULL DEFAULT 'pending',
    target_date TEXT,
    published_at TEXT,
    external_url TEXT,                      -- PyPI, LinkedIn, etc.
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at TEXT,

    FOREIGN KEY (product_id) REFERENCES products(id)
    -- type_key, status_key validated via terminology lookup (not FK - see design note)
);
CREATE TABLE standards (
    id TEXT PRIMARY KEY,                    -- 'STD-001'
    name TEXT NOT NULL,                     -- 'No blocklist terms'
    description TEXT,
    level_key TEXT NOT NULL,                -- 'program', 'product', 'feature', 'release', 'cr'
    check_type_key TEXT NOT NULL,           -- 'boolean', 'threshold', 'pattern', 'manual'
    check_command TEXT,                     -- Bash command for boolean/pattern
    check_pattern TEXT,                     -- Regex for pattern check
    threshold_min REAL,                     -- For threshold checks
    threshold_max REAL,
    failure_message TEXT NOT NULL,
    is_blocking INTEGER NOT NULL DEFAULT 1, -- Blocks release if fails
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at TEXT
    -- level_key, check_type_key validated via terminology lookup (not FK - see design note)
, doc_path TEXT);
CREATE TABLE compliance_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    standard_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    release_id TEXT,                        -- Which release was this for
    result TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'skip', 'error')),
    result_value TEXT,                      -- Actual value for threshold checks
    error_message TEXT,
    checked_by TEXT NOT NULL,               -- 'agent:builder-1', 'system', 'user:ben'
    checked_at TEXT NOT NULL DEFAULT (datetime('now')),

    FOREIGN KEY (standard_id) REFERENCES standards(id),
    FOREIGN KEY (release_id) REFERENCES releases(id)
);
CREATE TABLE charter_docs (
    id TEXT PRIMARY KEY,                    -- 'charter-roadmap-v2.1'
    doc_type_key TEXT NOT NULL,             -- 'roadmap', 'ethos', 'release_checklist'
    version TEXT NOT NULL,                  -- '2.1'
    title TEXT NOT NULL,
    content_hash TEXT NOT NULL,             -- SHA-256 of content
    file_path TEXT,                         -- Path to .md file if exists
    is_active INTEGER NOT NULL DEFAULT 1,   -- Only ONE active per type
    approved_by TEXT,
    approved_at TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    deleted_at TEXT
    -- doc_type_key validated via terminology lookup (not FK - see design note)
);
CREATE TABLE entity_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity_type TEXT NOT NULL,              -- 'product', 'feature', 'cr', 'bug'
    entity_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,                     -- JSON snapshot
    changed_by TEXT NOT NULL,
    change_reason TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),

    UNIQUE(entity_type, entity_id, version)
);
CREATE TABLE roadmap_dependencies (
    item_id TEXT NOT NULL,
    depends_on_id TEXT NOT NULL,
    dependency_type TEXT NOT NULL DEFAULT 'blocks'
        CHECK (dependency_type IN ('blocks', 'soft', 'related')),
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    created_by TEXT,
    notes TEXT,

    PRIMARY KEY (item_id, depends_on_id),
    FOREIGN KEY (item_id) REFERENCES roadmap_items(id),
    FOREIGN KEY (depends_on_id) REFERENCES roadmap_items(id),
    -- Cannot depend on itself
    CHECK (item_id != depends_on_id)
);
CREATE TABLE roadmap_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,         -- 'agent:builder-haiku', 'user:ben', 'agent:opus-main'
    role TEXT NOT NULL DEFAULT 'implementer'
        CHECK (role IN ('implementer', 'reviewer', 'owner', 'observer')),
    assigned_at TEXT NOT NULL DEFAULT (datetime('now')),
    assigned_by TEXT,
    started_at TEXT,                -- When agent actually started
    completed_at TEXT,              -- When agent finished their part
    status TEXT NOT NULL DEFAULT 'assigned'
        CHECK (status IN ('assigned', 'active', 'completed', 'dropped')),
    notes TEXT,

    FOREIGN KEY (item_id) REFERENCES roadmap_items(id),
    UNIQUE (item_id, agent_id, role)
);
CREATE TABLE assignment_prerequisites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_assignment_id INTEGER NOT NULL,  -- The assignment that triggered this
    prerequisite_item_id TEXT NOT NULL,     -- The item that needs assignment
    depth INTEGER NOT NULL,                 -- How many levels up in the chain
    surfaced_at TEXT NOT NULL DEFAULT (datetime('now')),
    resolved_at TEXT,                       -- When someone got assigned
    FOREIGN KEY (source_assignment_id) REFERENCES roadmap_assignments(id),
    FOREIGN KEY (prerequisite_item_id) REFERENCES roadmap_items(id)
);
CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    claim_text TEXT NOT NULL CHECK (LENGTH(claim_text) >= 5),
    page TEXT NOT NULL,
    claim_type TEXT NOT NULL CHECK (claim_type IN ('quantitative', 'qualitative')),
    test_file TEXT,
    test_function TEXT,
    test_status TEXT DEFAULT 'pending'
        CHECK (test_status IN ('pending', 'pass', 'fail', 'stale')),
    last_verified_at TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),

    -- POLICY: Quantitative claims MUST have test function
    CHECK (claim_type != 'quantitative' OR test_function IS NOT NULL)
);
CREATE TABLE deployment_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL CHECK (target IN ('website', 'pypi', 'docs')),
    version TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'in_progress', 'success', 'failed', 'blocked')),
    triggered_by TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    completed_at TEXT
);
CREATE TABLE plan_events (
    event_id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    ts TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_type TEXT NOT NULL CHECK (actor_type IN ('user', 'service', 'agent', 'system')),
    source TEXT NOT NULL,
    event_type TEXT NOT NULL,
    item_id TEXT,
    external_id TEXT,
    payload TEXT NOT NULL,
    expected_version TEXT,
    conflict_policy TEXT,

    -- Audit
    received_at TEXT NOT NULL DEFAULT (datetime('now')),
    processed_at TEXT,
    process_result TEXT CHECK (process_result IN ('applied', 'rejected', 'conflict') OR process_result IS NULL)
);
CREATE TABLE compiled_contracts (
    contract_hash TEXT PRIMARY KEY,
    compiled_json TEXT NOT NULL,
    source_refs_json TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    work_id TEXT NOT NULL REFERENCES roadmap_items(id),

    -- Worker identity
    worker_id TEXT NOT NULL,
    worker_type TEXT NOT NULL CHECK (worker_type IN ('agent', 'human', 'system')),

    -- Compiled contract (frozen at claim time)
    contract_hash TEXT REFERENCES compiled_contracts(contract_hash),
    context_hash TEXT,

    -- Strategy and role
    strategy_id TEXT,
    role TEXT,

    -- Handoff chain
    handoff_from_attempt_id TEXT REFERENCES attempts(id),
    handoff_reason TEXT,

    -- Execution state
    started_at TEXT NOT NULL DEFAULT (datetime('now')),
    ended_at TEXT,
    outcome TEXT CHECK (outcome IN ('completed', 'blocked', 'failed', 'handed_off')),

    notes TEXT
);
CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    work_id TEXT REFERENCES roadmap_items(id),
    attempt_id TEXT REFERENCES attempts(id),
    lease_id TEXT,

    -- Decision type
    decision_type TEXT NOT NULL CHECK (decision_type IN (
        'approval',
        'waiver',
        'review_passed',
        'review_rejected',
        'plan_committed',
        'completion_accepted',
        'escalation',
        'revocation',
        'draft_emitted',
        'draft_approved',
        'draft_rejected'
    )),

    -- Legacy fields (compatibility)
    decision_summary TEXT,
    rationale TEXT,
    alternatives_considered TEXT,
    constraints TEXT,

    -- Spec fields
    subject_hash TEXT,
    authority TEXT NOT NULL DEFAULT 'system',
    outcome TEXT NOT NULL DEFAULT 'recorded',
    reason TEXT,
    conditions TEXT,

    -- Relationship to other decisions
    supersedes_decision_id TEXT REFERENCES decisions(id),
    related_decision_id TEXT REFERENCES decisions(id),

    -- Immutable record
    decided_by TEXT NOT NULL DEFAULT 'system',
    decided_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    work_id TEXT NOT NULL REFERENCES roadmap_items(id),
    attempt_id TEXT REFERENCES attempts(id),
    lease_id TEXT,

    -- Artifact identity
    evidence_type TEXT NOT NULL CHECK (evidence_type IN (
        'test_result', 'build_artifact', 'diff', 'log', 'attestation',
        'screenshot', 'reference', 'document', 'policy_bundle', 'other'
    )),
    uri TEXT NOT NULL,
    sha256 TEXT NOT NULL,

    -- Metadata
    title TEXT,
    description TEXT,
    size_bytes INTEGER,

    -- Legacy fields (compatibility)
    artifacts TEXT,
    test_results TEXT,
    diff_summary TEXT,
    log_excerpt TEXT,

    -- Provenance
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE blockers (
    id TEXT PRIMARY KEY,
    work_id TEXT NOT NULL REFERENCES roadmap_items(id),
    attempt_id TEXT REFERENCES attempts(id),

    -- Blocker details
    reason_code TEXT NOT NULL CHECK (reason_code IN (
        'missing_approval',
        'missing_info',
        'missing_dependency',
        'missing_resource',
        'missing_credential',
        'technical_failure',
        'external_wait',
        'other'
    )),
    title TEXT NOT NULL,
    description TEXT,

    -- What's needed to unblock
    needs TEXT,

    -- Severity
    severity TEXT DEFAULT 'blocking' CHECK (severity IN ('blocking', 'warning')),

    -- Link to planning item if applicable
    related_planning_item_id TEXT REFERENCES roadmap_items(id),

    -- Creation
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),

    -- Resolution
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT
);
CREATE TABLE work_required_capabilities (
    work_id TEXT NOT NULL REFERENCES roadmap_items(id),
    capability_id TEXT NOT NULL,
    required_at TEXT NOT NULL DEFAULT (datetime('now')),
    required_by TEXT,
    PRIMARY KEY (work_id, capability_id)
);
CREATE TABLE kernel_decisions (
    id TEXT PRIMARY KEY,
    work_id TEXT REFERENCES roadmap_items(id),
    attempt_id TEXT,
    lease_id TEXT,

    -- Decision type
    decision_type TEXT NOT NULL CHECK (decision_type IN (
        'approval',
        'waiver',
        'review_passed',
        'review_rejected',
        'plan_committed',
        'completion_accepted',
        'escalation',
        'revocation',
        'draft_emitted',
        'draft_approved',
        'draft_rejected'
    )),

    -- What was decided
    decision_summary TEXT NOT NULL,
    rationale TEXT,
    alternatives_considered TEXT,
    constraints TEXT,

    -- Outcome
    outcome TEXT NOT NULL DEFAULT 'recorded',
    conditions TEXT,

    -- Relationship to other decisions
    supersedes_decision_id TEXT REFERENCES kernel_decisions(id),
    related_decision_id TEXT REFERENCES kernel_decisions(id),

    -- Immutable record
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE kernel_evidence (
    id TEXT PRIMARY KEY,
    work_id TEXT REFERENCES roadmap_items(id),
    attempt_id TEXT,
    lease_id TEXT,

    -- Artifact identity
    evidence_type TEXT NOT NULL CHECK (evidence_type IN (
        'test_result', 'build_artifact', 'diff', 'log', 'attestation',
        'screenshot', 'reference', 'document', 'policy_bundle', 'other'
    )),
    uri TEXT,
    sha256 TEXT,

    -- Metadata
    title TEXT,
    description TEXT,
    artifacts TEXT,
    test_results TEXT,
    diff_summary TEXT,
    log_excerpt TEXT,

    -- Provenance
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE kernel_outcomes (
    id TEXT PRIMARY KEY,
    work_id TEXT REFERENCES roadmap_items(id),
    attempt_id TEXT,
    lease_id TEXT,

    -- Outcome details
    outcome_type TEXT NOT NULL,
    path TEXT,
    description TEXT,
    metadata TEXT,

    -- Provenance
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE extension_points (
    point_name TEXT NOT NULL,
    handler_id TEXT NOT NULL,
    handler_type TEXT NOT NULL
        CHECK (handler_type IN ('builtin', 'plugin', 'hook')),
    handler_path TEXT,
    priority INTEGER NOT NULL DEFAULT 50,
    is_enabled INTEGER NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (datetime('now')),

    PRIMARY KEY (point_name, handler_id)
);
CREATE TABLE standard_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    standard_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    is_inherited INTEGER NOT NULL DEFAULT 0 CHECK (is_inherited IN (0, 1)),
    created_at TEXT NOT NULL DEFAULT (datetime('now')),

    FOREIGN KEY (standard_id) REFERENCES standards(id),
    UNIQUE(standard_id, entity_type, entity_id)
);
CREATE TABLE metrics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT NOT NULL,
    operation TEXT NOT NULL,
    elapsed_ms REAL NOT NULL,
    is_success INTEGER NOT NULL DEFAULT 1 CHECK (is_success IN (0, 1)),
    metadata TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at TEXT NOT NULL DEFAULT (datetime('now')),
    created_by TEXT DEFAULT NULL,
    updated_by TEXT DEFAULT NULL,
    deleted_at TEXT DEFAULT NULL,
    deleted_by TEXT DEFAULT NULL,
    deletion_reason TEXT DEFAULT NULL
);
CREATE TABLE leases (
    id TEXT PRIMARY KEY,

    -- What's locked
    resource_type TEXT NOT NULL,  -- 'file', 'capability', 'work_item', etc.
    resource_id TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('read', 'write', 'exclusive')),

    -- Who holds it
    worker_id TEXT NOT NULL,
    attempt_id TEXT REFERENCES attempts(id),

    -- Timing
    acquired_at TEXT NOT NULL DEFAULT (datetime('now')),
    ttl_seconds INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    last_heartbeat TEXT,

    -- Release
    released_at TEXT
);
CREATE TABLE coordination_leases (
    lease_id TEXT PRIMARY KEY,
    owner_agent_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    resources TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    heartbeat_deadline TEXT NOT NULL,
    snapshot_id TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    lens_digest TEXT NOT NULL,
    work_id TEXT,
    attempt_id TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    outcome TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    lease_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (lease_id) REFERENCES coordination_leases(lease_id)
);
CREATE INDEX idx_terminology_lookup ON terminology(domain, internal_key);
CREATE INDEX idx_idempotency_expires ON idempotency_keys(expires_at);
CREATE INDEX idx_idempotency_status ON idempotency_keys(status) WHERE status = 'pending';
CREATE INDEX idx_audit_timestamp ON audit_log(timestamp);
CREATE INDEX idx_audit_resource ON audit_log(resource_type, resource_id);
CREATE INDEX idx_audit_actor ON audit_log(actor);
CREATE INDEX idx_health_latest ON health_check_results(check_name, checked_at DESC);
CREATE INDEX idx_detected_patterns_type ON detected_patterns(pattern_type);
CREATE INDEX idx_detected_patterns_last_seen ON detected_patterns(detected_at);
CREATE INDEX idx_learned_patterns_type ON learned_patterns(pattern_type);
CREATE INDEX idx_learned_patterns_frequency ON learned_patterns(pattern_type, frequency DESC);
CREATE INDEX idx_ground_rules_type ON ground_rules(rule_type);
CREATE INDEX idx_sessions_started ON sessions(started_at DESC);
CREATE INDEX idx_session_file_cache_mtime ON session_file_cache(file_mtime_ns);
CREATE INDEX idx_session_file_cache_project ON session_file_cache(project_path);
CREATE INDEX idx_session_file_cache_status ON session_file_cache(status);
CREATE INDEX idx_session_event_cache_session ON session_event_cache(session_id);
CREATE INDEX idx_session_event_cache_type ON session_event_cache(type);
CREATE INDEX idx_sessions_created_at ON sessions(created_at);
CREATE INDEX idx_sessions_updated_at ON sessions(updated_at);
CREATE INDEX idx_sessions_deleted_at ON sessions(deleted_at);
CREATE INDEX idx_session_cache_state_created_at ON session_cache_state(created_at);
CREATE INDEX idx_session_cache_state_updated_at ON session_cache_state(updated_at);
CREATE INDEX idx_session_cache_state_deleted_at ON session_cache_state(deleted_at);
CREATE INDEX idx_session_event_cache_created_at ON session_event_cache(created_at);
CREATE INDEX idx_session_event_cache_updated_at ON session_event_cache(updated_at);
CREATE INDEX idx_session_event_cache_deleted_at ON session_event_cache(deleted_at);
CREATE INDEX idx_session_file_cache_created_at ON session_file_cache(created_at);
CREATE INDEX idx_session_file_cache_updated_at ON session_file_cache(updated_at);
CREATE INDEX idx_session_file_cache_deleted_at ON session_file_cache(deleted_at);
CREATE INDEX idx_circuit_breakers_created_at ON circuit_breakers(created_at);
CREATE INDEX idx_circuit_breakers_updated_at ON circuit_breakers(updated_at);
CREATE INDEX idx_circuit_breakers_deleted_at ON circuit_breakers(deleted_at);
CREATE INDEX idx_detected_patterns_created_at ON detected_patterns(created_at);
CREATE INDEX idx_detected_patterns_updated_at ON detected_patterns(updated_at);
CREATE INDEX idx_detected_patterns_deleted_at ON detected_patterns(deleted_at);
CREATE INDEX idx_learned_patterns_created_at ON learned_patterns(created_at);
CREATE INDEX idx_learned_patterns_updated_at ON learned_patterns(updated_at);
CREATE INDEX idx_learned_patterns_deleted_at ON learned_patterns(deleted_at);
CREATE INDEX idx_ground_rules_created_at ON ground_rules(created_at);
CREATE INDEX idx_ground_rules_updated_at ON ground_rules(updated_at);
CREATE INDEX idx_ground_rules_deleted_at ON ground_rules(deleted_at);
CREATE INDEX idx_skills_created_at ON skills(created_at);
CREATE INDEX idx_skills_updated_at ON skills(updated_at);
CREATE INDEX idx_skills_deleted_at ON skills(deleted_at);
CREATE INDEX idx_preferences_created_at ON preferences(created_at);
CREATE INDEX idx_preferences_updated_at ON preferences(updated_at);
CREATE INDEX idx_preferences_deleted_at ON preferences(deleted_at);
CREATE INDEX idx_instance_config_created_at ON instance_config(created_at);
CREATE INDEX idx_instance_config_updated_at ON instance_config(updated_at);
CREATE INDEX idx_instance_config_deleted_at ON instance_config(deleted_at);
CREATE INDEX idx_health_check_results_created_at ON health_check_results(created_at);
CREATE INDEX idx_health_check_results_updated_at ON health_check_results(updated_at);
CREATE INDEX idx_health_check_results_deleted_at ON health_check_results(deleted_at);
CREATE INDEX idx_idempotency_keys_created_at ON idempotency_keys(created_at);
CREATE INDEX idx_idempotency_keys_updated_at ON idempotency_keys(updated_at);
CREATE INDEX idx_idempotency_keys_deleted_at ON idempotency_keys(deleted_at);
CREATE INDEX idx_resource_quotas_created_at ON resource_quotas(created_at);
CREATE INDEX idx_resource_quotas_updated_at ON resource_quotas(updated_at);
CREATE INDEX idx_resource_quotas_deleted_at ON resource_quotas(deleted_at);
CREATE INDEX idx_terminology_created_at ON terminology(created_at);
CREATE INDEX idx_terminology_updated_at ON terminology(updated_at);
CREATE INDEX idx_terminology_deleted_at ON terminology(deleted_at);
CREATE INDEX idx_programs_type ON programs(type_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_programs_active ON programs(id) WHERE deleted_at IS NULL;
CREATE INDEX idx_products_program ON products(program_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_products_status ON products(status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_products_active ON products(id) WHERE deleted_at IS NULL;
CREATE INDEX idx_features_product ON features(product_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_features_status ON features(status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_features_version ON features(product_id, version) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_status ON change_requests(status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_product ON change_requests(product_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_feature ON change_requests(feature_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_owner ON change_requests(owner) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_target ON change_requests(target_version) WHERE deleted_at IS NULL;
CREATE INDEX idx_cr_dep_blocks ON cr_dependencies(depends_on_id);
CREATE INDEX idx_roadmap_phase ON roadmap_items(phase_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_roadmap_status ON roadmap_items(status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_roadmap_sort ON roadmap_items(phase_key, sort_order) WHERE deleted_at IS NULL;
CREATE INDEX idx_bugs_feature ON bugs(feature_id, feature_version) WHERE deleted_at IS NULL;
CREATE INDEX idx_bugs_status ON bugs(status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_bugs_severity ON bugs(severity_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_bugs_fix ON bugs(fix_cr_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_releases_product ON releases(product_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_releases_type ON releases(type_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_releases_status ON releases(status_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_standards_level ON standards(level_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_standards_blocking ON standards(is_blocking) WHERE deleted_at IS NULL;
CREATE INDEX idx_compliance_entity ON compliance_results(entity_type, entity_id);
CREATE INDEX idx_compliance_release ON compliance_results(release_id);
CREATE INDEX idx_compliance_result ON compliance_results(result);
CREATE INDEX idx_compliance_standard ON compliance_results(standard_id);
CREATE UNIQUE INDEX idx_charter_singleton
ON charter_docs(doc_type_key)
WHERE is_active = 1 AND deleted_at IS NULL;
CREATE INDEX idx_charter_type ON charter_docs(doc_type_key) WHERE deleted_at IS NULL;
CREATE INDEX idx_charter_version ON charter_docs(doc_type_key, version);
CREATE INDEX idx_versions_entity ON entity_versions(entity_type, entity_id);
CREATE INDEX idx_versions_latest ON entity_versions(entity_type, entity_id, version DESC);
CREATE INDEX idx_roadmap_dep_item ON roadmap_dependencies(item_id);
CREATE INDEX idx_roadmap_dep_depends ON roadmap_dependencies(depends_on_id);
CREATE INDEX idx_assignment_item ON roadmap_assignments(item_id);
CREATE INDEX idx_assignment_agent ON roadmap_assignments(agent_id);
CREATE INDEX idx_assignment_status ON roadmap_assignments(status) WHERE status = 'active';
CREATE INDEX idx_roadmap_rank ON roadmap_items(phase_key, rank) WHERE deleted_at IS NULL;
CREATE INDEX idx_prereq_source ON assignment_prerequisites(source_assignment_id);
CREATE INDEX idx_prereq_unresolved ON assignment_prerequisites(prerequisite_item_id) WHERE resolved_at IS NULL;
CREATE INDEX idx_claims_status ON claims(test_status);
CREATE INDEX idx_claims_page ON claims(page);
CREATE INDEX idx_roadmap_external_id
ON roadmap_items(external_id)
WHERE deleted_at IS NULL;
CREATE INDEX idx_plan_events_item ON plan_events(item_id);
CREATE INDEX idx_plan_events_ts ON plan_events(ts);
CREATE INDEX idx_plan_events_source ON plan_events(source);
CREATE INDEX idx_attempts_work ON attempts(work_id);
CREATE INDEX idx_attempts_worker ON attempts(worker_id);
CREATE INDEX idx_attempts_active ON attempts(work_id) WHERE ended_at IS NULL;
CREATE INDEX idx_attempts_contract ON attempts(contract_hash);
CREATE INDEX idx_decisions_work ON decisions(work_id);
CREATE INDEX idx_decisions_type ON decisions(decision_type);
CREATE INDEX idx_decisions_attempt ON decisions(attempt_id);
CREATE INDEX idx_decisions_supersedes ON decisions(supersedes_decision_id);
CREATE INDEX idx_evidence_work ON evidence(work_id);
CREATE INDEX idx_evidence_attempt ON evidence(attempt_id);
CREATE INDEX idx_evidence_type ON evidence(evidence_type);
CREATE INDEX idx_evidence_hash ON evidence(sha256);
CREATE INDEX idx_blockers_work ON blockers(work_id);
CREATE INDEX idx_blockers_attempt ON blockers(attempt_id);
CREATE INDEX idx_blockers_open ON blockers(work_id) WHERE resolved_at IS NULL;
CREATE INDEX idx_blockers_reason ON blockers(reason_code);
CREATE INDEX idx_work_caps_capability ON work_required_capabilities(capability_id);
CREATE INDEX idx_kernel_decisions_work ON kernel_decisions(work_id);
CREATE INDEX idx_kernel_decisions_lease ON kernel_decisions(lease_id);
CREATE INDEX idx_kernel_decisions_type ON kernel_decisions(decision_type);
CREATE INDEX idx_kernel_decisions_supersedes ON kernel_decisions(supersedes_decision_id);
CREATE INDEX idx_kernel_evidence_work ON kernel_evidence(work_id);
CREATE INDEX idx_kernel_evidence_lease ON kernel_evidence(lease_id);
CREATE INDEX idx_kernel_evidence_type ON kernel_evidence(evidence_type);
CREATE INDEX idx_kernel_evidence_hash ON kernel_evidence(sha256);
CREATE INDEX idx_kernel_outcomes_work ON kernel_outcomes(work_id);
CREATE INDEX idx_kernel_outcomes_lease ON kernel_outcomes(lease_id);
CREATE INDEX idx_kernel_outcomes_type ON kernel_outcomes(outcome_type);
CREATE INDEX idx_assignments_entity ON standard_assignments(entity_type, entity_id);
CREATE INDEX idx_assignments_standard ON standard_assignments(standard_id);
CREATE INDEX idx_metrics_created_at ON metrics(created_at);
CREATE INDEX idx_metrics_updated_at ON metrics(updated_at);
CREATE INDEX idx_metrics_deleted_at ON metrics(deleted_at);
CREATE INDEX idx_leases_resource ON leases(resource_type, resource_id);
CREATE INDEX idx_leases_worker ON leases(worker_id);
CREATE INDEX idx_leases_active ON leases(resource_type, resource_id)
    WHERE released_at IS NULL AND expires_at > datetime('now');
CREATE INDEX idx_coordination_leases_status ON coordination_leases(status);
CREATE INDEX idx_coordination_leases_owner ON coordination_leases(owner_agent_id);
CREATE INDEX idx_coordination_leases_expires ON coordination_leases(expires_at);
CREATE INDEX idx_events_lease ON events(lease_id);
CREATE VIEW v_open_crs AS
SELECT
    cr.id,
    cr.title,
    cr.status_key,
    t_status.display_name as status,
    cr.size,
    cr.owner,
    p.name as product_name,
    f.name as feature_name,
    cr.target_version,
    cr.created_at
FROM change_requests cr
LEFT JOIN products p ON cr.product_id = p.id
LEFT JOIN features f ON cr.feature_id = f.id
LEFT JOIN terminology t_status ON t_status.domain = 'cr_status' AND t_status.internal_key = cr.status_key
WHERE cr.status_key NOT IN ('done')
AND cr.deleted_at IS NULL
ORDER BY cr.created_at DESC;
CREATE VIEW v_bugs_by_version AS
SELECT
    b.id,
    b.title,
    f.name as feature_name,
    b.feature_version,
    t_sev.display_name as severity,
    t_stat.display_name as status,
    b.fix_cr_id,
    b.fixed_in_version,
    b.created_at
FROM bugs b
JOIN features f ON b.feature_id = f.id
LEFT JOIN terminology t_sev ON t_sev.domain = 'bug_severity' AND t_sev.internal_key = b.severity_key
LEFT JOIN terminology t_stat ON t_stat.domain = 'bug_status' AND t_stat.internal_key = b.status_key
WHERE b.deleted_at IS NULL
ORDER BY
    CASE b.severity_key WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3 ELSE 4 END,
    b.created_at DESC;
CREATE VIEW v_roadmap_progress AS
SELECT
    r.phase_key,
    t_phase.display_name as phase,
    COUNT(*) as total_items,
    SUM(CASE WHEN r.status_key = 'completed' THEN 1 ELSE 0 END) as completed,
    SUM(CASE WHEN r.status_key = 'in_progress' THEN 1 ELSE 0 END) as in_progress,
    SUM(CASE WHEN r.status_key = 'blocked' THEN 1 ELSE 0 END) as blocked,
    ROUND(100.0 * SUM(CASE WHEN r.status_key = 'completed' THEN 1 ELSE 0 END) / COUNT(*), 1) as pct_complete
FROM roadmap_items r
LEFT JOIN terminology t_phase ON t_phase.domain = 'roadmap_phase' AND t_phase.internal_key = r.phase_key
WHERE r.deleted_at IS NULL
GROUP BY r.phase_key, t_phase.display_name
ORDER BY t_phase.sort_order;
CREATE VIEW v_active_charters AS
SELECT
    c.id,
    c.doc_type_key,
    t.display_name as doc_type,
    c.version,
    c.title,
    c.approved_by,
    c.approved_at,
    c.created_at
FROM charter_docs c
LEFT JOIN terminology t ON t.domain = 'charter_type' AND t.internal_key = c.doc_type_key
WHERE c.is_active = 1 AND c.deleted_at IS NULL;
CREATE VIEW v_compliance_status AS
SELECT
    r.id as release_id,
    r.name as release_name,
    p.name as product_name,
    COUNT(DISTINCT cr.standard_id) as total_checks,
    SUM(CASE WHEN cr.result = 'pass' THEN 1 ELSE 0 END) as passed,
    SUM(CASE WHEN cr.result = 'fail' THEN 1 ELSE 0 END) as failed,
    CASE
        WHEN SUM(CASE WHEN cr.result = 'fail' AND s.is_blocking = 1 THEN 1 ELSE 0 END) > 0 THEN 'blocked'
        WHEN SUM(CASE WHEN cr.result = 'fail' THEN 1 ELSE 0 END) > 0 THEN 'warnings'
        ELSE 'clear'
    END as status
FROM releases r
JOIN products p ON r.product_id = p.id
LEFT JOIN compliance_results cr ON cr.release_id = r.id
LEFT JOIN standards s ON cr.standard_id = s.id
WHERE r.deleted_at IS NULL
GROUP BY r.id, r.name, p.name;
CREATE VIEW v_programs_summary AS
SELECT
    pr.id,
    pr.name,
    t_type.display_name as type,
    t_status.display_name as status,
    pr.owner,
    COUNT(p.id) as product_count,
    pr.created_at
FROM programs pr
LEFT JOIN terminology t_type ON t_type.domain = 'program_type' AND t_type.internal_key = pr.type_key
LEFT JOIN terminology t_status ON t_status.domain = 'product_status' AND t_status.internal_key = pr.status_key
LEFT JOIN products p ON p.program_id = pr.id AND p.deleted_at IS NULL
WHERE pr.deleted_at IS NULL
GROUP BY pr.id, pr.name, t_type.display_name, t_status.display_name, pr.owner, pr.created_at;
CREATE VIEW v_blocked_items AS
SELECT
    ri.id,
    ri.title,
    ri.phase_key,
    ri.status_key,
    COUNT(rd.depends_on_id) as blocking_count,
    GROUP_CONCAT(rd.depends_on_id, ', ') as blocking_items
FROM roadmap_items ri
JOIN roadmap_dependencies rd ON rd.item_id = ri.id AND rd.dependency_type = 'blocks'
JOIN roadmap_items dep ON dep.id = rd.depends_on_id
WHERE ri.deleted_at IS NULL
  AND ri.status_key NOT IN ('completed', 'deferred')
  AND dep.status_key != 'completed'
GROUP BY ri.id;
CREATE VIEW v_dependency_graph AS
SELECT
    rd.item_id as from_id,
    ri_from.title as from_title,
    ri_from.status_key as from_status,
    rd.depends_on_id as to_id,
    ri_to.title as to_title,
    ri_to.status_key as to_status,
    rd.dependency_type
FROM roadmap_dependencies rd
JOIN roadmap_items ri_from ON ri_from.id = rd.item_id
JOIN roadmap_items ri_to ON ri_to.id = rd.depends_on_id
WHERE ri_from.deleted_at IS NULL
  AND ri_to.deleted_at IS NULL;
CREATE VIEW v_ready_items AS
SELECT
    ri.id,
    ri.title,
    ri.phase_key,
    ri.owner,
    ri.rank
FROM roadmap_items ri
WHERE ri.deleted_at IS NULL
  AND ri.status_key = 'pending'
  AND ri.id NOT IN (
      SELECT rd.item_id
      FROM roadmap_dependencies rd
      JOIN roadmap_items dep ON dep.id = rd.depends_on_id
      WHERE rd.dependency_type = 'blocks'
        AND dep.status_key != 'completed'
  )
ORDER BY ri.phase_key, ri.rank;
CREATE VIEW v_next_rank AS
SELECT
    phase_key,
    COALESCE(MAX(rank), 0) + 1.0 as next_rank
FROM roadmap_items
WHERE deleted_at IS NULL
GROUP BY phase_key;
CREATE VIEW v_roadmap_with_deps AS
SELECT
    ri.id,
    ri.phase_key,
    ri.title,
    ri.status_key,
    ri.owner,
    ri.rank,
    ri.target_date,
    (SELECT COUNT(*) FROM roadmap_dependencies rd WHERE rd.item_id = ri.id AND rd.dependency_type = 'blocks') as blocking_dep_count,
    (SELECT COUNT(*) FROM roadmap_dependencies rd
     JOIN roadmap_items dep ON dep.id = rd.depends_on_id
     WHERE rd.item_id = ri.id
       AND rd.dependency_type = 'blocks'
       AND dep.status_key != 'completed') as unmet_dep_count,
    (SELECT GROUP_CONCAT(agent_id, ', ') FROM roadmap_assignments ra WHERE ra.item_id = ri.id AND ra.status = 'active') as active_agents
FROM roadmap_items ri
WHERE ri.deleted_at IS NULL
ORDER BY ri.phase_key, ri.rank;
CREATE VIEW v_prerequisite_chain AS
WITH RECURSIVE prereq_chain(root_item_id, prereq_id, prereq_title, prereq_status, depth, path) AS (
    -- Base case: direct dependencies
    SELECT
        rd.item_id as root_item_id,
        rd.depends_on_id as prereq_id,
        ri.title as prereq_title,
        ri.status_key as prereq_status,
        1 as depth,
        rd.item_id || '->' || rd.depends_on_id as path
    FROM roadmap_dependencies rd
    JOIN roadmap_items ri ON ri.id = rd.depends_on_id
    WHERE rd.dependency_type = 'blocks'
      AND ri.deleted_at IS NULL

    UNION ALL

    -- Recursive case: dependencies of dependencies
    SELECT
        pc.root_item_id,
        rd.depends_on_id as prereq_id,
        ri.title as prereq_title,
        ri.status_key as prereq_status,
        pc.depth + 1 as depth,
        pc.path || '->' || rd.depends_on_id as path
    FROM prereq_chain pc
    JOIN roadmap_dependencies rd ON rd.item_id = pc.prereq_id
    JOIN roadmap_items ri ON ri.id = rd.depends_on_id
    WHERE rd.dependency_type = 'blocks'
      AND ri.deleted_at IS NULL
      AND pc.depth < 50  -- Prevent runaway recursion
)
SELECT DISTINCT
    root_item_id,
    prereq_id,
    prereq_title,
    prereq_status,
    depth,
    path,
    CASE WHEN prereq_status = 'completed' THEN 1 ELSE 0 END as is_complete
FROM prereq_chain
ORDER BY root_item_id, depth, prereq_id;
CREATE VIEW v_assignment_with_prerequisites AS
SELECT
    ra.id as assignment_id,
    ra.item_id,
    ri.title as item_title,
    ra.agent_id,
    ra.role,
    ra.status as assignment_status,
    ri.status_key as item_status,
    -- Is this item ready to start?
    CASE
        WHEN ri.status_key IN ('completed', 'in_progress') THEN 'already_active'
        WHEN NOT EXISTS (
            SELECT 1 FROM roadmap_dependencies rd
            JOIN roadmap_items dep ON dep.id = rd.depends_on_id
            WHERE rd.item_id = ra.item_id
              AND rd.dependency_type = 'blocks'
              AND dep.status_key != 'completed'
        ) THEN 'ready'
        ELSE 'blocked'
    END as readiness,
    -- Count of unmet prerequisites
    (SELECT COUNT(DISTINCT prereq_id)
     FROM v_prerequisite_chain pc
     WHERE pc.root_item_id = ra.item_id
       AND pc.prereq_status != 'completed') as unmet_prereq_count,
    -- List of immediate blockers
    (SELECT GROUP_CONCAT(rd.depends_on_id, ', ')
     FROM roadmap_dependencies rd
     JOIN roadmap_items dep ON dep.id = rd.depends_on_id
     WHERE rd.item_id = ra.item_id
       AND rd.dependency_type = 'blocks'
       AND dep.status_key != 'completed') as immediate_blockers,
    -- Who is assigned to immediate blockers?
    (SELECT GROUP_CONCAT(DISTINCT ra2.agent_id, ', ')
     FROM roadmap_dependencies rd
     JOIN roadmap_items dep ON dep.id = rd.depends_on_id
     JOIN roadmap_assignments ra2 ON ra2.item_id = dep.id
     WHERE rd.item_id = ra.item_id
       AND rd.dependency_type = 'blocks'
       AND dep.status_key != 'completed'
       AND ra2.status IN ('assigned', 'active')) as blocker_assignees
FROM roadmap_assignments ra
JOIN roadmap_items ri ON ri.id = ra.item_id
WHERE ri.deleted_at IS NULL;
CREATE VIEW v_unassigned_prerequisites AS
SELECT
    ap.prerequisite_item_id,
    ri.title as prereq_title,
    ri.phase_key,
    ri.status_key,
    COUNT(DISTINCT ap.source_assignment_id) as blocking_count,
    GROUP_CONCAT(ri_source.title, ', ') as blocks_items,
    MIN(ap.depth) as min_depth  -- Closest to a leaf
FROM assignment_prerequisites ap
JOIN roadmap_items ri ON ri.id = ap.prerequisite_item_id
JOIN roadmap_assignments ra ON ra.id = ap.source_assignment_id
JOIN roadmap_items ri_source ON ri_source.id = ra.item_id
WHERE ap.resolved_at IS NULL
  AND ri.deleted_at IS NULL
  AND ri.status_key != 'completed'
GROUP BY ap.prerequisite_item_id
ORDER BY blocking_count DESC, min_depth ASC;
CREATE VIEW v_can_deploy AS
SELECT
    'website' as target,
    CASE
        WHEN EXISTS (SELECT 1 FROM claims WHERE test_status = 'fail')
        THEN 'BLOCKED'
        WHEN EXISTS (
            SELECT 1 FROM claims
            WHERE test_status = 'pending'
            AND claim_type = 'quantitative'
        )
        THEN 'PENDING'
        ELSE 'READY'
    END as status,
    (SELECT COUNT(*) FROM claims WHERE test_status = 'fail') as failed_count,
    (SELECT GROUP_CONCAT(id, ', ') FROM claims WHERE test_status = 'fail') as failed_claims;
CREATE VIEW v_claims_needing_tests AS
SELECT id, claim_text, page
FROM claims
WHERE claim_type = 'quantitative'
AND (test_function IS NULL OR test_status = 'pending');
CREATE VIEW v_deploy_blockers AS
SELECT
    id,
    claim_text,
    page,
    test_function,
    test_status,
    last_verified_at
FROM claims
WHERE test_status IN ('fail', 'stale')
ORDER BY last_verified_at ASC;
CREATE VIEW v_missing_prereqs AS
-- Type 1: Approval required (depends on incomplete gate)
SELECT
    rd.item_id,
    'approval_required' as prereq_type,
    rd.depends_on_id as prereq_id,
    dep.status_key as prereq_status,
    dep.title as prereq_title,
    dep.item_type as prereq_item_type
FROM roadmap_dependencies rd
JOIN roadmap_items dep ON dep.id = rd.depends_on_id
JOIN roadmap_items ri ON ri.id = rd.item_id
WHERE dep.item_type = 'gate'
  AND dep.status_key NOT IN ('completed')
  AND dep.deleted_at IS NULL
  AND ri.deleted_at IS NULL
  AND ri.status_key NOT IN ('completed', 'deferred')

UNION ALL

-- Type 2: Blocker unresolved (blocking dependency not completed)
SELECT
    rd.item_id,
    'blocker_unresolved' as prereq_type,
    rd.depends_on_id as prereq_id,
    dep.status_key as prereq_status,
    dep.title as prereq_title,
    dep.item_type as prereq_item_type
FROM roadmap_dependencies rd
JOIN roadmap_items dep ON dep.id = rd.depends_on_id
JOIN roadmap_items ri ON ri.id = rd.item_id
WHERE rd.dependency_type = 'blocks'
  AND dep.item_type != 'gate'  -- Gates handled above
  AND dep.status_key NOT IN ('completed')
  AND dep.deleted_at IS NULL
  AND ri.deleted_at IS NULL
  AND ri.status_key NOT IN ('completed', 'deferred')

UNION ALL

-- Type 3: Dependency incomplete (soft dependency not completed)
SELECT
    rd.item_id,
    'dependency_incomplete' as prereq_type,
    rd.depends_on_id as prereq_id,
    dep.status_key as prereq_status,
    dep.title as prereq_title,
    dep.item_type as prereq_item_type
FROM roadmap_dependencies rd
JOIN roadmap_items dep ON dep.id = rd.depends_on_id
JOIN roadmap_items ri ON ri.id = rd.item_id
WHERE rd.dependency_type = 'soft'
  AND dep.status_key NOT IN ('completed')
  AND dep.deleted_at IS NULL
  AND ri.deleted_at IS NULL
  AND ri.status_key NOT IN ('completed', 'deferred');
CREATE VIEW v_standards_summary AS
SELECT
    s.id,
    s.name,
    t_level.display_name as level,
    t_check.display_name as check_type,
    s.is_blocking,
    COUNT(sa.id) as assignments,
    s.created_at
FROM standards s
LEFT JOIN terminology t_level ON t_level.domain = 'standard_level' AND t_level.internal_key = s.level_key
LEFT JOIN terminology t_check ON t_check.domain = 'check_type' AND t_check.internal_key = s.check_type_key
LEFT JOIN standard_assignments sa ON sa.standard_id = s.id
WHERE s.deleted_at IS NULL
GROUP BY s.id, s.name, t_level.display_name, t_check.display_name, s.is_blocking, s.created_at
ORDER BY t_level.sort_order, s.sort_order;
CREATE TRIGGER audit_log_immutable
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'Audit log entries are immutable');
END;
CREATE TRIGGER audit_log_no_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'Audit log entries cannot be deleted');
END;
CREATE TRIGGER health_check_cleanup
AFTER INSERT ON health_check_results
BEGIN
    DELETE FROM health_check_results
    WHERE checked_at < datetime('now', '-7 days');
END;
CREATE TRIGGER sessions_audit_insert
            AFTER INSERT ON sessions
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE sessions
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER session_cache_state_audit_insert
            AFTER INSERT ON session_cache_state
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE session_cache_state
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER session_event_cache_audit_insert
            AFTER INSERT ON session_event_cache
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE session_event_cache
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER session_file_cache_audit_insert
            AFTER INSERT ON session_file_cache
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE session_file_cache
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER circuit_breakers_audit_insert
            AFTER INSERT ON circuit_breakers
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE circuit_breakers
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER detected_patterns_audit_insert
            AFTER INSERT ON detected_patterns
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE detected_patterns
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER learned_patterns_audit_insert
            AFTER INSERT ON learned_patterns
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE learned_patterns
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER ground_rules_audit_insert
            AFTER INSERT ON ground_rules
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE ground_rules
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER skills_audit_insert
            AFTER INSERT ON skills
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE skills
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER preferences_audit_insert
            AFTER INSERT ON preferences
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE preferences
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER instance_config_audit_insert
            AFTER INSERT ON instance_config
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE instance_config
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER health_check_results_audit_insert
            AFTER INSERT ON health_check_results
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE health_check_results
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER idempotency_keys_audit_insert
            AFTER INSERT ON idempotency_keys
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE idempotency_keys
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER resource_quotas_audit_insert
            AFTER INSERT ON resource_quotas
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE resource_quotas
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER terminology_audit_insert
            AFTER INSERT ON terminology
            FOR EACH ROW
            WHEN NEW.created_at IS NULL
                OR NEW.created_at = ''
                OR NEW.updated_at IS NULL
                OR NEW.updated_at = ''
            BEGIN
                UPDATE terminology
                SET created_at = CASE
                        WHEN NEW.created_at IS NULL OR NEW.created_at = ''
                        THEN datetime('now')
                        ELSE NEW.created_at
                    END,
                    updated_at = CASE
                        WHEN NEW.updated_at IS NULL OR NEW.updated_at = ''
                        THEN datetime('now')
                        ELSE NEW.updated_at
                    END
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER sessions_updated_at
            AFTER UPDATE ON sessions
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE sessions SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER session_cache_state_updated_at
            AFTER UPDATE ON session_cache_state
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE session_cache_state SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER session_event_cache_updated_at
            AFTER UPDATE ON session_event_cache
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE session_event_cache SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER session_file_cache_updated_at
            AFTER UPDATE ON session_file_cache
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE session_file_cache SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER circuit_breakers_updated_at
            AFTER UPDATE ON circuit_breakers
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE circuit_breakers SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER detected_patterns_updated_at
            AFTER UPDATE ON detected_patterns
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE detected_patterns SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER learned_patterns_updated_at
            AFTER UPDATE ON learned_patterns
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE learned_patterns SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER ground_rules_updated_at
            AFTER UPDATE ON ground_rules
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE ground_rules SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER skills_updated_at
            AFTER UPDATE ON skills
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE skills SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER preferences_updated_at
            AFTER UPDATE ON preferences
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE preferences SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER instance_config_updated_at
            AFTER UPDATE ON instance_config
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE instance_config SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER health_check_results_updated_at
            AFTER UPDATE ON health_check_results
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE health_check_results SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER idempotency_keys_updated_at
            AFTER UPDATE ON idempotency_keys
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE idempotency_keys SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER resource_quotas_updated_at
            AFTER UPDATE ON resource_quotas
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE resource_quotas SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER terminology_updated_at
            AFTER UPDATE ON terminology
            FOR EACH ROW
            WHEN NEW.updated_at == OLD.updated_at
            BEGIN
                UPDATE terminology SET updated_at = datetime('now')
                WHERE rowid = NEW.rowid;
            END;
CREATE TRIGGER compliance_immutable
BEFORE UPDATE ON compliance_results
BEGIN
    SELECT RAISE(ABORT, 'Compliance results are immutable');
END;
CREATE TRIGGER compliance_no_delete
BEFORE DELETE ON compliance_results
BEGIN
    SELECT RAISE(ABORT, 'Compliance results cannot be deleted');
END;
CREATE TRIGGER charter_singleton_enforce
BEFORE INSERT ON charter_docs
WHEN NEW.is_active = 1
BEGIN
    UPDATE charter_docs
    SET is_active = 0, updated_at = datetime('now')
    WHERE doc_type_key = NEW.doc_type_key
    AND is_active = 1
    AND deleted_at IS NULL;
END;
CREATE TRIGGER entity_versions_immutable
BEFORE UPDATE ON entity_versions
BEGIN
    SELECT RAISE(ABORT, 'Entity version history is immutable');
END;
CREATE TRIGGER entity_versions_no_delete
BEFORE DELETE ON entity_versions
BEGIN
    SELECT RAISE(ABORT, 'Entity version history cannot be deleted');
END;
CREATE TRIGGER cr_version_capture
AFTER UPDATE ON change_requests
WHEN OLD.updated_at != NEW.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT
        'cr',
        NEW.id,
        COALESCE((SELECT MAX(version) FROM entity_versions
                  WHERE entity_type = 'cr' AND entity_id = NEW.id), 0) + 1,
        json_object(
            'title', NEW.title,
            'status_key', NEW.status_key,
            'type_key', NEW.type_key,
            'size', NEW.size,
            'owner', NEW.owner,
            'product_id', NEW.product_id,
            'feature_id', NEW.feature_id,
            'target_version', NEW.target_version
        ),
        COALESCE(NEW.owner, 'system');
END;
CREATE TRIGGER product_version_capture
AFTER UPDATE ON products
WHEN OLD.updated_at != NEW.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT
        'product',
        NEW.id,
        COALESCE((SELECT MAX(version) FROM entity_versions
                  WHERE entity_type = 'product' AND entity_id = NEW.id), 0) + 1,
        json_object(
            'name', NEW.name,
            'status_key', NEW.status_key,
            'version', NEW.version,
            'program_id', NEW.program_id
        ),
        'system';
END;
CREATE TRIGGER feature_version_capture
AFTER UPDATE ON features
WHEN OLD.updated_at != NEW.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT
        'feature',
        NEW.id,
        COALESCE((SELECT MAX(version) FROM entity_versions
                  WHERE entity_type = 'feature' AND entity_id = NEW.id), 0) + 1,
        json_object(
            'name', NEW.name,
            'status_key', NEW.status_key,
            'version', NEW.version,
            'product_id', NEW.product_id
        ),
        'system';
END;
CREATE TRIGGER bug_version_capture
AFTER UPDATE ON bugs
WHEN OLD.updated_at != NEW.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT
        'bug',
        NEW.id,
        COALESCE((SELECT MAX(version) FROM entity_versions
                  WHERE entity_type = 'bug' AND entity_id = NEW.id), 0) + 1,
        json_object(
            'title', NEW.title,
            'status_key', NEW.status_key,
            'severity_key', NEW.severity_key,
            'feature_id', NEW.feature_id,
            'feature_version', NEW.feature_version,
            'fix_cr_id', NEW.fix_cr_id
        ),
        COALESCE(NEW.assigned_to, 'system');
END;
CREATE TRIGGER roadmap_version_capture
AFTER UPDATE ON roadmap_items
WHEN OLD.updated_at != NEW.updated_at
BEGIN
    INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by)
    SELECT
        'roadmap_item',
        NEW.id,
        COALESCE((SELECT MAX(version) FROM entity_versions
                  WHERE entity_type = 'roadmap_item' AND entity_id = NEW.id), 0) + 1,
        json_object(
            'title', NEW.title,
            'phase_key', NEW.phase_key,
            'status_key', NEW.status_key,
            'owner', NEW.owner,
            'target_date', NEW.target_date
        ),
        COALESCE(NEW.owner, 'system');
END;
CREATE TRIGGER roadmap_dep_no_cycles
BEFORE INSERT ON roadmap_dependencies
BEGIN
    SELECT CASE
        WHEN EXISTS (
            WITH RECURSIVE dep_chain(id, depth) AS (
                -- Start from the item we're depending on
                SELECT NEW.depends_on_id, 1
                UNION ALL
                -- Follow the dependency chain
                SELECT rd.depends_on_id, dc.depth + 1
                FROM dep_chain dc
                JOIN roadmap_dependencies rd ON rd.item_id = dc.id
                WHERE dc.depth < 100  -- Prevent infinite recursion
            )
            SELECT 1 FROM dep_chain WHERE id = NEW.item_id
        )
        THEN RAISE(ABORT, 'Circular dependency detected')
    END;
END;
CREATE TRIGGER roadmap_status_check_deps
BEFORE UPDATE OF status_key ON roadmap_items
WHEN NEW.status_key = 'in_progress' AND OLD.status_key != 'in_progress'
BEGIN
    SELECT CASE
        WHEN EXISTS (
            SELECT 1
            FROM roadmap_dependencies rd
            JOIN roadmap_items dep ON dep.id = rd.depends_on_id
            WHERE rd.item_id = NEW.id
              AND rd.dependency_type = 'blocks'
              AND dep.status_key != 'completed'
        )
        THEN RAISE(ABORT, 'Cannot start: blocking dependencies not complete')
    END;
END;
CREATE TRIGGER roadmap_dep_audit_insert
AFTER INSERT ON roadmap_dependencies
BEGIN
    INSERT INTO audit_log (event_type, actor, resource_type, resource_id, action, new_value, instance_id)
    VALUES (
        'roadmap_dependency',
        COALESCE(NEW.created_by, 'system'),
        'roadmap_dependency',
        NEW.item_id || '->' || NEW.depends_on_id,
        'create',
        json_object('item_id', NEW.item_id, 'depends_on_id', NEW.depends_on_id, 'type', NEW.dependency_type),
        (SELECT value FROM instance_config WHERE key = 'instance_id')
    );
END;
CREATE TRIGGER roadmap_assignment_audit
AFTER INSERT ON roadmap_assignments
BEGIN
    INSERT INTO audit_log (event_type, actor, resource_type, resource_id, action, new_value, instance_id)
    VALUES (
        'roadmap_assignment',
        COALESCE(NEW.assigned_by, 'system'),
        'roadmap_assignment',
        NEW.item_id,
        'assign',
        json_object('item_id', NEW.item_id, 'agent_id', NEW.agent_id, 'role', NEW.role),
        (SELECT value FROM instance_config WHERE key = 'instance_id')
    );
END;
CREATE TRIGGER roadmap_assignment_cascade
AFTER INSERT ON roadmap_assignments
BEGIN
    -- Insert all unassigned prerequisites into the cascade table
    INSERT INTO assignment_prerequisites (source_assignment_id, prerequisite_item_id, depth)
    SELECT
        NEW.id,
        pc.prereq_id,
        pc.depth
    FROM v_prerequisite_chain pc
    WHERE pc.root_item_id = NEW.item_id
      AND pc.prereq_status != 'completed'
      AND NOT EXISTS (
          SELECT 1 FROM roadmap_assignments ra
          WHERE ra.item_id = pc.prereq_id
            AND ra.status IN ('assigned', 'active')
      );

    -- Also log to audit if there are blockers
    INSERT INTO audit_log (event_type, actor, resource_type, resource_id, action, new_value, instance_id)
    SELECT
        'assignment_cascade',
        COALESCE(NEW.assigned_by, 'system'),
        'roadmap_assignment',
        NEW.item_id,
        'cascade_detected',
        json_object(
            'assignment_id', NEW.id,
            'item_id', NEW.item_id,
            'agent_id', NEW.agent_id,
            'unassigned_prereqs', (
                SELECT GROUP_CONCAT(pc.prereq_id, ', ')
                FROM v_prerequisite_chain pc
                WHERE pc.root_item_id = NEW.item_id
                  AND pc.prereq_status != 'completed'
                  AND NOT EXISTS (
                      SELECT 1 FROM roadmap_assignments ra
                      WHERE ra.item_id = pc.prereq_id
                        AND ra.status IN ('assigned', 'active')
                  )
            )
        ),
        (SELECT value FROM instance_config WHERE key = 'instance_id')
    WHERE EXISTS (
        SELECT 1 FROM v_prerequisite_chain pc
        WHERE pc.root_item_id = NEW.item_id
          AND pc.prereq_status != 'completed'
          AND NOT EXISTS (
              SELECT 1 FROM roadmap_assignments ra
              WHERE ra.item_id = pc.prereq_id
                AND ra.status IN ('assigned', 'active')
          )
    );
END;
CREATE TRIGGER roadmap_prereq_resolved
AFTER INSERT ON roadmap_assignments
BEGIN
    UPDATE assignment_prerequisites
    SET resolved_at = datetime('now')
    WHERE prerequisite_item_id = NEW.item_id
      AND resolved_at IS NULL;
END;
CREATE TRIGGER enforce_completed_immutable
BEFORE UPDATE ON roadmap_items
WHEN OLD.status_key = 'completed' AND NEW.status_key != 'completed'
BEGIN
    SELECT RAISE(ABORT, 'POLICY: Completed items cannot be modified');
END;
CREATE TRIGGER enforce_deploy_gate
BEFORE INSERT ON deployment_events
WHEN NEW.target = 'website'
BEGIN
    SELECT CASE
        -- Block on ANY failed claim (align with view)
        WHEN EXISTS (
            SELECT 1 FROM claims
            WHERE test_status = 'fail'
        )
        THEN RAISE(ABORT, 'POLICY-001: Cannot deploy - failed claims exist. Run: pytest -k claim')
        -- Block on pending QUANTITATIVE claims (must be verified)
        WHEN EXISTS (
            SELECT 1 FROM claims
            WHERE test_status = 'pending'
            AND claim_type = 'quantitative'
        )
        THEN RAISE(ABORT, 'POLICY-002: Cannot deploy - pending quantitative claims. Run: MOTUS_TRACK_CLAIMS=1 pytest -k claim')
    END;
END;
CREATE TRIGGER enforce_phase_limit
BEFORE INSERT ON roadmap_items
BEGIN
    SELECT CASE
        WHEN (
            SELECT COUNT(*) FROM roadmap_items
            WHERE phase_key = NEW.phase_key
            AND status_key NOT IN ('completed', 'deferred')
            AND deleted_at IS NULL
        ) >= 50
        THEN RAISE(ABORT, 'POLICY: Maximum 50 active items per phase')
    END;
END;
CREATE TRIGGER compiled_contracts_no_update
BEFORE UPDATE ON compiled_contracts
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Compiled contracts are immutable');
END;
CREATE TRIGGER compiled_contracts_no_delete
BEFORE DELETE ON compiled_contracts
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Compiled contracts cannot be deleted');
END;
CREATE TRIGGER attempts_no_double_claim
BEFORE INSERT ON attempts
BEGIN
    SELECT CASE
        WHEN EXISTS (
            SELECT 1 FROM attempts a
            WHERE a.work_id = NEW.work_id
              AND a.ended_at IS NULL
        )
        THEN RAISE(ABORT, 'KERNEL: Work already has active attempt. Use handoff instead of new claim.')
    END;
END;
CREATE TRIGGER attempts_no_claim_blocked
BEFORE INSERT ON attempts
BEGIN
    SELECT CASE
        WHEN EXISTS (
            SELECT 1 FROM blockers b
            WHERE b.work_id = NEW.work_id
              AND b.resolved_at IS NULL
        )
        THEN RAISE(ABORT, 'KERNEL: Work has unresolved blockers. Resolve blockers before claiming.')
    END;
END;
CREATE TRIGGER attempts_handoff_requires_reason
BEFORE INSERT ON attempts
WHEN NEW.handoff_from_attempt_id IS NOT NULL
BEGIN
    SELECT CASE
        WHEN NEW.handoff_reason IS NULL OR NEW.handoff_reason = ''
        THEN RAISE(ABORT, 'KERNEL: Handoff requires explanation in handoff_reason field')
    END;
END;
CREATE TRIGGER attempts_completion_requires_evidence
BEFORE UPDATE OF outcome ON attempts
WHEN NEW.outcome = 'completed' AND OLD.outcome IS NULL
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (
            SELECT 1 FROM evidence e
            WHERE e.attempt_id = NEW.id
        )
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt completed without evidence. Use record_evidence() first.')
    END;
END;
CREATE TRIGGER attempts_blocked_requires_blocker
BEFORE UPDATE OF outcome ON attempts
WHEN NEW.outcome = 'blocked' AND OLD.outcome IS NULL
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (
            SELECT 1 FROM blockers b
            WHERE b.attempt_id = NEW.id
              AND b.resolved_at IS NULL
        )
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt blocked without blocker record. Use create_blocker() first.')
    END;
END;
CREATE TRIGGER decisions_no_update
BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Decision records are immutable. Create a new decision with supersedes_decision_id instead.');
END;
CREATE TRIGGER decisions_no_delete
BEFORE DELETE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Decision records cannot be deleted.');
END;
CREATE TRIGGER evidence_no_update
BEFORE UPDATE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Evidence records are immutable. Create new evidence instead.');
END;
CREATE TRIGGER evidence_no_delete
BEFORE DELETE ON evidence
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Evidence records cannot be deleted.');
END;
CREATE TRIGGER blockers_resolution_immutable
BEFORE UPDATE OF resolved_at, resolved_by, resolution
ON blockers
WHEN OLD.resolved_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Blocker resolution is immutable');
END;
CREATE TRIGGER blockers_resolution_requires_justification
BEFORE UPDATE OF resolved_at ON blockers
WHEN NEW.resolved_at IS NOT NULL AND OLD.resolved_at IS NULL
BEGIN
    SELECT CASE
        WHEN NEW.resolution IS NULL OR NEW.resolution = ''
        THEN RAISE(ABORT, 'KERNEL: Blocker resolution requires explanation in resolution field')
        WHEN NOT EXISTS (
            SELECT 1 FROM evidence e
            WHERE e.work_id = OLD.work_id
              AND e.created_at > OLD.created_at
        ) AND NOT EXISTS (
            SELECT 1 FROM decisions d
            WHERE d.work_id = OLD.work_id
              AND d.decision_type = 'waiver'
              AND d.decided_at > OLD.created_at
        )
        THEN RAISE(ABORT, 'KERNEL: Blocker resolution requires evidence or waiver decision')
    END;
END;
CREATE TRIGGER kernel_decisions_no_update
BEFORE UPDATE ON kernel_decisions
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Decision records are immutable. Create a new decision with supersedes_decision_id instead.');
END;
CREATE TRIGGER kernel_decisions_no_delete
BEFORE DELETE ON kernel_decisions
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Decision records cannot be deleted.');
END;
CREATE TRIGGER kernel_evidence_no_update
BEFORE UPDATE ON kernel_evidence
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Evidence records are immutable. Create new evidence instead.');
END;
CREATE TRIGGER kernel_evidence_no_delete
BEFORE DELETE ON kernel_evidence
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Evidence records cannot be deleted.');
END;
CREATE TRIGGER kernel_outcomes_no_update
BEFORE UPDATE ON kernel_outcomes
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Outcome records are immutable.');
END;
CREATE TRIGGER kernel_outcomes_no_delete
BEFORE DELETE ON kernel_outcomes
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Outcome records cannot be deleted.');
END;
CREATE TRIGGER leases_exclusive_check
BEFORE INSERT ON leases
WHEN NEW.mode = 'exclusive'
BEGIN
    SELECT CASE
        WHEN EXISTS (
            SELECT 1 FROM leases
            WHERE resource_type = NEW.resource_type
              AND resource_id = NEW.resource_id
              AND released_at IS NULL
              AND expires_at > datetime('now')
        )
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire exclusive lease - resource has active leases')
    END;
END;
CREATE TRIGGER leases_write_check
BEFORE INSERT ON leases
WHEN NEW.mode = 'write'
BEGIN
    SELECT CASE
        WHEN EXISTS (
            SELECT 1 FROM leases
            WHERE resource_type = NEW.resource_type
              AND resource_id = NEW.resource_id
              AND mode = 'exclusive'
              AND released_at IS NULL
              AND expires_at > datetime('now')
        )
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire write lease - exclusive lease active')
    END;
END;
CREATE TRIGGER leases_any_check
BEFORE INSERT ON leases
WHEN NEW.mode IN ('read', 'write')
BEGIN
    SELECT CASE
        WHEN EXISTS (
            SELECT 1 FROM leases
            WHERE resource_type = NEW.resource_type
              AND resource_id = NEW.resource_id
              AND mode = 'exclusive'
              AND released_at IS NULL
              AND expires_at > datetime('now')
        )
        THEN RAISE(ABORT, 'KERNEL: Cannot acquire lease - exclusive lease active on resource')
    END;
END;
INSERT INTO instance_config (key, value) VALUES ('instance_id','devinstance');
