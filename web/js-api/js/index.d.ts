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
