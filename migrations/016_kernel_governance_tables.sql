-- 016_kernel_governance_tables
--
-- What: the kernel governance tables and their rules.
--   compiled_contracts          frozen, content-addressed work contracts
--   attempts                    one execution of a work item by a worker
--                               (the kernel's claim); open while ended_at
--                               is NULL
--   decisions                   append-only decisions (corrections are new
--                               rows that supersede)
--   evidence                    append-only, hashed artifacts
--   blockers                    reasons a work item cannot proceed;
--                               resolution is one-way and justified
--   work_required_capabilities  capabilities a work item needs
--   kernel_decisions, kernel_evidence, kernel_outcomes
--                               legacy append-only logs kept for the CLI
-- with 28 indexes and 19 triggers. Every kernel error text starts with
-- 'KERNEL:'.
--
-- Why: schema-compatible with motusos 0.3.x migration 016. Trigger
-- creation order is the original's: when several BEFORE triggers refuse the
-- same statement SQLite reports the most recently created one, and callers
-- see those messages.
--
-- Deliberately without a rollback section (as in the original): these
-- tables hold append-only evidence and decisions, and a rollback must not
-- drop them silently.

-- UP

CREATE TABLE compiled_contracts (
    contract_hash    TEXT PRIMARY KEY,
    compiled_json    TEXT NOT NULL,
    source_refs_json TEXT,
    created_at       TEXT NOT NULL DEFAULT (datetime('now'))
);

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

CREATE TABLE attempts (
    id                      TEXT PRIMARY KEY,
    work_id                 TEXT NOT NULL REFERENCES roadmap_items (id),
    worker_id               TEXT NOT NULL,
    worker_type             TEXT NOT NULL CHECK (worker_type IN ('agent', 'human', 'system')),
    contract_hash           TEXT REFERENCES compiled_contracts (contract_hash),
    context_hash            TEXT,
    strategy_id             TEXT,
    role                    TEXT,
    handoff_from_attempt_id TEXT REFERENCES attempts (id),
    handoff_reason          TEXT,
    started_at              TEXT NOT NULL DEFAULT (datetime('now')),
    ended_at                TEXT,
    outcome                 TEXT CHECK (outcome IN ('completed', 'blocked', 'failed', 'handed_off')),
    notes                   TEXT
);

CREATE INDEX idx_attempts_work ON attempts (work_id);
CREATE INDEX idx_attempts_worker ON attempts (worker_id);
CREATE INDEX idx_attempts_active ON attempts (work_id) WHERE ended_at IS NULL;
CREATE INDEX idx_attempts_contract ON attempts (contract_hash);

-- One open attempt per work item (a handoff must end the previous one).
CREATE TRIGGER attempts_no_double_claim
    BEFORE INSERT ON attempts
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM attempts AS open_attempt
                      WHERE open_attempt.work_id = NEW.work_id
                        AND open_attempt.ended_at IS NULL)
        THEN RAISE(ABORT, 'KERNEL: Work already has active attempt. Use handoff instead of new claim.')
    END;
END;

-- No new attempt while the work item has an unresolved blocker.
CREATE TRIGGER attempts_no_claim_blocked
    BEFORE INSERT ON attempts
BEGIN
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM blockers AS b
                      WHERE b.work_id = NEW.work_id
                        AND b.resolved_at IS NULL)
        THEN RAISE(ABORT, 'KERNEL: Work has unresolved blockers. Resolve blockers before claiming.')
    END;
END;

CREATE TRIGGER attempts_handoff_requires_reason
    BEFORE INSERT ON attempts
    WHEN NEW.handoff_from_attempt_id IS NOT NULL
BEGIN
    SELECT CASE
        WHEN coalesce(NEW.handoff_reason, '') = ''
        THEN RAISE(ABORT, 'KERNEL: Handoff requires explanation in handoff_reason field')
    END;
END;

-- Outcome NULL -> completed needs evidence recorded for this attempt.
-- (Original scope: UPDATE from a NULL outcome only; widened by 027.)
CREATE TRIGGER attempts_completion_requires_evidence
    BEFORE UPDATE OF outcome ON attempts
    WHEN NEW.outcome = 'completed' AND OLD.outcome IS NULL
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM evidence AS e WHERE e.attempt_id = NEW.id)
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt completed without evidence. Use record_evidence() first.')
    END;
END;

-- Outcome NULL -> blocked needs an open blocker linked to this attempt.
-- (Original scope: UPDATE from a NULL outcome only; widened by 028.)
CREATE TRIGGER attempts_blocked_requires_blocker
    BEFORE UPDATE OF outcome ON attempts
    WHEN NEW.outcome = 'blocked' AND OLD.outcome IS NULL
BEGIN
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM blockers AS b
                          WHERE b.attempt_id = NEW.id
                            AND b.resolved_at IS NULL)
        THEN RAISE(ABORT, 'KERNEL: Cannot mark attempt blocked without blocker record. Use create_blocker() first.')
    END;
END;

CREATE TABLE decisions (
    id                      TEXT PRIMARY KEY,
    work_id                 TEXT REFERENCES roadmap_items (id),
    attempt_id              TEXT REFERENCES attempts (id),
    lease_id                TEXT,
    decision_type           TEXT NOT NULL CHECK (decision_type IN (
                                'approval', 'waiver', 'review_passed', 'review_rejected',
                                'plan_committed', 'completion_accepted', 'escalation',
                                'revocation', 'draft_emitted', 'draft_approved',
                                'draft_rejected')),
    decision_summary        TEXT,
    rationale               TEXT,
    alternatives_considered TEXT,
    constraints             TEXT,
    subject_hash            TEXT,
    authority               TEXT NOT NULL DEFAULT 'system',
    outcome                 TEXT NOT NULL DEFAULT 'recorded',
    reason                  TEXT,
    conditions              TEXT,
    supersedes_decision_id  TEXT REFERENCES decisions (id),
    related_decision_id     TEXT REFERENCES decisions (id),
    decided_by              TEXT NOT NULL DEFAULT 'system',
    decided_at              TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE INDEX idx_decisions_work ON decisions (work_id);
CREATE INDEX idx_decisions_type ON decisions (decision_type);
CREATE INDEX idx_decisions_attempt ON decisions (attempt_id);
CREATE INDEX idx_decisions_supersedes ON decisions (supersedes_decision_id);

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

CREATE TABLE evidence (
    id            TEXT PRIMARY KEY,
    work_id       TEXT NOT NULL REFERENCES roadmap_items (id),
    attempt_id    TEXT REFERENCES attempts (id),
    lease_id      TEXT,
    evidence_type TEXT NOT NULL CHECK (evidence_type IN (
                      'test_result', 'build_artifact', 'diff', 'log', 'attestation',
                      'screenshot', 'reference', 'document', 'policy_bundle', 'other')),
    uri           TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    title         TEXT,
    description   TEXT,
    size_bytes    INTEGER,
    artifacts     TEXT,
    test_results  TEXT,
    diff_summary  TEXT,
    log_excerpt   TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE INDEX idx_evidence_work ON evidence (work_id);
CREATE INDEX idx_evidence_attempt ON evidence (attempt_id);
CREATE INDEX idx_evidence_type ON evidence (evidence_type);
CREATE INDEX idx_evidence_hash ON evidence (sha256);

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

CREATE TABLE blockers (
    id                       TEXT PRIMARY KEY,
    work_id                  TEXT NOT NULL REFERENCES roadmap_items (id),
    attempt_id               TEXT REFERENCES attempts (id),
    reason_code              TEXT NOT NULL CHECK (reason_code IN (
                                 'missing_approval', 'missing_info', 'missing_dependency',
                                 'missing_resource', 'missing_credential',
                                 'technical_failure', 'external_wait', 'other')),
    title                    TEXT NOT NULL,
    description              TEXT,
    needs                    TEXT,
    severity                 TEXT DEFAULT 'blocking' CHECK (severity IN ('blocking', 'warning')),
    related_planning_item_id TEXT REFERENCES roadmap_items (id),
    created_by               TEXT NOT NULL,
    created_at               TEXT NOT NULL DEFAULT (datetime('now')),
    resolved_at              TEXT,
    resolved_by              TEXT,
    resolution               TEXT
);

CREATE INDEX idx_blockers_work ON blockers (work_id);
CREATE INDEX idx_blockers_attempt ON blockers (attempt_id);
CREATE INDEX idx_blockers_open ON blockers (work_id) WHERE resolved_at IS NULL;
CREATE INDEX idx_blockers_reason ON blockers (reason_code);

-- Once resolved, the resolution fields are frozen (clearing resolved_at
-- included); other columns stay editable.
CREATE TRIGGER blockers_resolution_immutable
    BEFORE UPDATE OF resolved_at, resolved_by, resolution ON blockers
    WHEN OLD.resolved_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'KERNEL: Blocker resolution is immutable');
END;

-- Resolving needs an explanation plus evidence for the same work item, or
-- a waiver decision for it, newer than the blocker. (Original comparison:
-- strictly later, as text; 031 of this project relaxes it to the same
-- second and normalises the timestamp format.)
CREATE TRIGGER blockers_resolution_requires_justification
    BEFORE UPDATE OF resolved_at ON blockers
    WHEN NEW.resolved_at IS NOT NULL AND OLD.resolved_at IS NULL
BEGIN
    SELECT CASE
        WHEN coalesce(NEW.resolution, '') = ''
        THEN RAISE(ABORT, 'KERNEL: Blocker resolution requires explanation in resolution field')
        WHEN NOT EXISTS (SELECT 1 FROM evidence AS e
                          WHERE e.work_id = OLD.work_id
                            AND e.created_at > OLD.created_at)
         AND NOT EXISTS (SELECT 1 FROM decisions AS d
                          WHERE d.work_id = OLD.work_id
                            AND d.decision_type = 'waiver'
                            AND d.decided_at > OLD.created_at)
        THEN RAISE(ABORT, 'KERNEL: Blocker resolution requires evidence or waiver decision')
    END;
END;

CREATE TABLE work_required_capabilities (
    work_id       TEXT NOT NULL REFERENCES roadmap_items (id),
    capability_id TEXT NOT NULL,
    required_at   TEXT NOT NULL DEFAULT (datetime('now')),
    required_by   TEXT,
    PRIMARY KEY (work_id, capability_id)
);

CREATE INDEX idx_work_caps_capability ON work_required_capabilities (capability_id);

-- Legacy kernel logs (attempt_id / lease_id are free text here).
CREATE TABLE kernel_decisions (
    id                      TEXT PRIMARY KEY,
    work_id                 TEXT REFERENCES roadmap_items (id),
    attempt_id              TEXT,
    lease_id                TEXT,
    decision_type           TEXT NOT NULL CHECK (decision_type IN (
                                'approval', 'waiver', 'review_passed', 'review_rejected',
                                'plan_committed', 'completion_accepted', 'escalation',
                                'revocation', 'draft_emitted', 'draft_approved',
                                'draft_rejected')),
    decision_summary        TEXT NOT NULL,
    rationale               TEXT,
    alternatives_considered TEXT,
    constraints             TEXT,
    outcome                 TEXT NOT NULL DEFAULT 'recorded',
    conditions              TEXT,
    supersedes_decision_id  TEXT REFERENCES kernel_decisions (id),
    related_decision_id     TEXT REFERENCES kernel_decisions (id),
    decided_by              TEXT NOT NULL,
    decided_at              TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE INDEX idx_kernel_decisions_work ON kernel_decisions (work_id);
CREATE INDEX idx_kernel_decisions_lease ON kernel_decisions (lease_id);
CREATE INDEX idx_kernel_decisions_type ON kernel_decisions (decision_type);
CREATE INDEX idx_kernel_decisions_supersedes ON kernel_decisions (supersedes_decision_id);

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

CREATE TABLE kernel_evidence (
    id            TEXT PRIMARY KEY,
    work_id       TEXT REFERENCES roadmap_items (id),
    attempt_id    TEXT,
    lease_id      TEXT,
    evidence_type TEXT NOT NULL CHECK (evidence_type IN (
                      'test_result', 'build_artifact', 'diff', 'log', 'attestation',
                      'screenshot', 'reference', 'document', 'policy_bundle', 'other')),
    uri           TEXT,
    sha256        TEXT,
    title         TEXT,
    description   TEXT,
    artifacts     TEXT,
    test_results  TEXT,
    diff_summary  TEXT,
    log_excerpt   TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE INDEX idx_kernel_evidence_work ON kernel_evidence (work_id);
CREATE INDEX idx_kernel_evidence_lease ON kernel_evidence (lease_id);
CREATE INDEX idx_kernel_evidence_type ON kernel_evidence (evidence_type);
CREATE INDEX idx_kernel_evidence_hash ON kernel_evidence (sha256);

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

CREATE TABLE kernel_outcomes (
    id           TEXT PRIMARY KEY,
    work_id      TEXT REFERENCES roadmap_items (id),
    attempt_id   TEXT,
    lease_id     TEXT,
    outcome_type TEXT NOT NULL,
    path         TEXT,
    description  TEXT,
    metadata     TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE INDEX idx_kernel_outcomes_work ON kernel_outcomes (work_id);
CREATE INDEX idx_kernel_outcomes_lease ON kernel_outcomes (lease_id);
CREATE INDEX idx_kernel_outcomes_type ON kernel_outcomes (outcome_type);

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

