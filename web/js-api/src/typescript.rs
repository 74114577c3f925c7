//! TypeScript declarations for what crosses the boundary as plain objects. Result shapes are
//! the CLI's `--json` documents.

use wasm_bindgen::prelude::*;

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
}

/** Thrown by every call: `code` is one of errorCodes(), `message` is what the CLI prints. */
export interface MotusError extends Error {
  name: "MotusError";
  code: string;
}

export interface MigrationRef { version: number; name: string }
export interface AppliedMigration {
  version: number; name: string; applied_at: string; checksum: string;
  execution_time_ms: number | null; provenance: "motus" | "original";
}

/** `motus db status --json` */
export interface StatusResult {
  ok: true; path: string | null; schema_version: number; latest_version: number;
  is_current: boolean; written_by_original: boolean; pending: MigrationRef[];
  applied: AppliedMigration[]; size_bytes: number; wal_size_bytes: number;
}

/** `motus db init --json` */
export interface InitResult {
  ok: true; path: string | null; created: boolean; schema_version: number;
  applied: MigrationRef[]; backup_path: string | null;
}

/** `motus db migrate --json` (plus applied and backup_path) */
export interface MigrateResult {
  ok: true; path: string | null; dry_run: boolean; from_version: number; to_version: number;
  would_apply: MigrationRef[]; pending: MigrationRef[]; applied: MigrationRef[];
  backup_path: string | null;
}
"#;
