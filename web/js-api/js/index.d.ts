export * from './motus_js';
import { Database, HostConnection, OpenOptions } from './motus_js';

/** The subset of a better-sqlite3 `Database` the adapter uses. */
export interface BetterSqlite3Database {
  prepare(sql: string): unknown;
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
  readonly memory: boolean;
  readonly name: string;
}

/** A HostConnection over a better-sqlite3 Database. */
export function betterSqlite3Connection(db: BetterSqlite3Database): HostConnection;

/** `Database.fromConnection(betterSqlite3Connection(db), { path: db.name, ...options })`. */
export function openBetterSqlite3(db: BetterSqlite3Database, options?: OpenOptions): Database;

/** The current SHA-256 (hex) of a file, or null when it is gone (for `verifyEvidence`). */
export function hashFile(path: string): string | null;

/** A file to attach as evidence: absolute path, SHA-256 and size. */
export function fileArtifact(path: string): { path: string; sha256: string; size_bytes: number };
