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
  /**
   * true when the driver returns every INTEGER as a bigint (better-sqlite3 with safeIntegers,
   * node:sqlite with setReadBigInts(true)): a number is then always a REAL, so a REAL 1.0 keeps
   * its storage class. Otherwise an integral number is read as an INTEGER.
   */
  integersAsBigInt?: boolean;
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

/** Earlier names of the database results (the contract's `*Answer` types). */
export type StatusResult = DbStatusAnswer;
export type InitResult = DbInitAnswer;

/** `motus db migrate --json`: the contract's `db.migrate` document. */
export type MigrateResult = DbMigrateAnswer;

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

// ---- roadmap and program kinds: results are the contract's types (contract.d.ts) ----

/** Earlier names of the roadmap results. */
export type RoadmapItem = Item;
export type RoadmapEdge = Edge;
export type RoadmapAssignment = Assignment;
export type WhyResult = RoadmapWhyAnswer;
export type RoadmapShowResult = RoadmapShowAnswer;
export type RoadmapCompletion = RoadmapCompleteAnswer;
export type HistoryResult = HistoryAnswer;

/** Earlier name of the roadmap list's filter (the contract's `RoadmapListInput`). */
export type RoadmapListFilter = RoadmapListInput;
"#;
