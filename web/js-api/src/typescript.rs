//! TypeScript declarations for what crosses the boundary as plain objects. Result shapes are
//! the CLI's `--json` documents.

use wasm_bindgen::prelude::*;

/// The contract's documents and inputs, generated from its JSON Schemas.
#[wasm_bindgen(typescript_custom_section)]
const CONTRACT_TYPES: &'static str = include_str!("contract.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A SQLite value: integers travel as bigint (numbers are accepted back), blobs as Uint8Array. */
export type SqlValue = null | bigint | number | string | Uint8Array;

/** A connection the host brings: its own SQLite driver on its own file. */
export interface HostConnection {
  /** Runs one statement and returns every row it produced. */
  query(sql: string, params: SqlValue[]): { columns: string[]; rows: SqlValue[][] };
  /** Runs one statement; returns how many rows it changed. */
  execute(sql: string, params: SqlValue[]): number | bigint;
  /** Runs a script of statements without parameters. */
  executeBatch(sql: string): void;
  /** Whether a transaction is open (a method, or a boolean property). */
  inTransaction: (() => boolean) | boolean;
  /** Optional: take the write lock (default: executeBatch("BEGIN IMMEDIATE")). */
  beginWrite?(): void;
  beginRead?(): void;
  commit?(): void;
  rollback?(): void;
  /** Optional: sizes of the file and its WAL, for status(). */
  fileSizes?(): { sizeBytes: number; walSizeBytes: number };
}

export interface OpenOptions {
  /** The database file's path: named in error messages, and the pre-upgrade backup goes beside it. */
  path?: string;
  /** The clock: milliseconds since the Unix epoch (default Date.now). */
  now?: () => number;
  /** Randomness for ids: n random bytes (default crypto.getRandomValues). */
  randomBytes?: (n: number) => Uint8Array;
  /** Who makes roadmap changes (the CLI's MC_AGENT_ID); default "user". */
  actor?: string;
  /** Write a metrics row per kernel call (the CLI's MC_METRICS_ENABLED); default true. */
  metrics?: boolean;
}

/** Thrown by every call: `code` is one of errorCodes(), `message` and `context` are what the CLI prints under `error`. */
export interface MotusError extends Error {
  name: "MotusError";
  code: string;
  context?: Record<string, unknown>;
}

/** Every result carries the contract's envelope (docs/contract.md). */
export type Doc<T> = T & { ok: boolean; contract_version: number };
/** A list result: `{ ok, contract_version, count, items }`. */
export type DocList<T> = Doc<{ count: number; items: T[] }>;

export interface MigrationRef { version: number; name: string }
export interface AppliedMigration {
  version: number; name: string; applied_at: string; checksum: string;
  execution_time_ms: number | null; provenance: "motus" | "original";
}

/** `motus db status --json` */
export interface StatusResult {
  ok: true; contract_version: number; path: string | null; schema_version: number; latest_version: number;
  is_current: boolean; written_by_original: boolean; pending: MigrationRef[];
  applied: AppliedMigration[]; size_bytes: number; wal_size_bytes: number;
}

/** `motus db init --json` */
export interface InitResult {
  ok: true; contract_version: number; path: string | null; created: boolean; schema_version: number;
  applied: MigrationRef[]; backup_path: string | null;
}

/** `motus db migrate --json` (plus applied and backup_path) */
export interface MigrateResult {
  ok: true; contract_version: number; path: string | null; dry_run: boolean; from_version: number; to_version: number;
  would_apply: MigrationRef[]; pending: MigrationRef[]; applied: MigrationRef[];
  backup_path: string | null;
}

// ---- work kernel: inputs and results are the contract's types (contract.d.ts, generated) ----

/** Earlier names of the work results (the contract's `*Answer` types). */
export type ClaimResult = ClaimAnswer;
export type ContextResult = ContextAnswer;
export type RecordedResult = OutcomeAnswer | EvidenceAnswer | DecisionAnswer;
export type ReleaseResult = ReleaseAnswer;
export type HeartbeatResult = HeartbeatAnswer;
export type HandoffResult = HandoffAnswer;
export type ForceReleaseResult = ForceReleaseAnswer;
export type BlockerResult = BlockerAnswer;
export type LeaseStatusResult = LeaseStatusAnswer;
export type VerifyResult = VerifyAnswer;

export interface EvidenceContent {
  evidence_type: string; artifacts?: Record<string, unknown> | null;
  test_results?: Record<string, unknown> | null; diff_summary?: string | null; log_excerpt?: string | null;
}

// ---- roadmap ----

export interface RoadmapItem {
  id: string; phase_key: string; title: string; description: string | null; status_key: string;
  owner: string | null; item_type: string; rank: number | null; sort_order: number;
  feature_id: string | null; cr_id: string | null; target_date: string | null;
  completed_at: string | null; created_by: string | null; created_at: string; updated_at: string;
  deleted_at: string | null; external_id: string | null; external_url: string | null;
  [k: string]: unknown;
}
export interface RoadmapEdge {
  item_id: string; depends_on_id: string; dependency_type: string; created_at: string;
  created_by: string | null; notes: string | null;
}
export interface RoadmapAssignment {
  id: number; item_id: string; agent_id: string; role: string; status: string; assigned_at: string;
  assigned_by: string | null; started_at: string | null; completed_at: string | null; notes: string | null;
}
export interface BlockerRef {
  id: string; work_id: string; title: string; reason_code: string; severity: string | null; needs: string | null;
}
/** `motus roadmap blocked --json`: each item's fields plus what holds it. */
export type BlockedItem = RoadmapItem & { blocking_dependencies: string[]; blockers: string[] };
export interface ChainNode {
  id: string; title: string; status_key: string; deleted: boolean; depth: number; parent: string;
  waiting_on: string[]; blockers: BlockerRef[];
}
/** `motus roadmap why --json` */
export interface WhyResult {
  id: string; title: string; status_key: string; rank: number | null; ready: boolean; reasons: string[];
  blocking_dependencies: ChainNode[]; blockers: BlockerRef[]; roots: string[]; soft_dependencies_open: string[];
  [k: string]: unknown;
}
/** `motus roadmap show --json` */
export interface RoadmapShowResult {
  item: RoadmapItem; depends_on: RoadmapEdge[]; dependents: RoadmapEdge[];
  assignments: RoadmapAssignment[]; ready: boolean; reasons: string[];
}
export interface RoadmapCompletion { item: RoadmapItem; assignments_completed: number; unblocked: string[] }
/** `motus … history --json` */
export interface HistoryResult {
  entity_type: string; entity_id: string;
  versions: { version: number; data: unknown; changed_by: string; change_reason: string | null; created_at: string }[];
  audit: { id: number; timestamp: string; actor: string; event_type: string; action: string;
           old_value: unknown; new_value: unknown; context: unknown }[];
}
export interface Term {
  domain: string; internal_key: string; display_name: string; description: string | null;
  sort_order: number; replaced_by: string | null; deprecated: boolean;
}
/** A program-kind record: its table's columns as stored. */
export type ProgramRecord = Record<string, unknown> & { id: string };

export interface RoadmapAddInput {
  title: string; phase_key: string; id?: string; item_type?: string; status_key?: string;
  description?: string; owner?: string; rank?: number;
  /** rank it just before / after this item (instead of rank) */
  before?: string; after?: string; target_date?: string;
  feature_id?: string; cr_id?: string; external_id?: string; external_url?: string;
}
export interface RoadmapListFilter {
  phase_key?: string; status_key?: string; item_type?: string; owner?: string;
  /** include deleted items */
  all?: boolean;
  /** only deleted items */
  deleted?: boolean;
}
"#;
