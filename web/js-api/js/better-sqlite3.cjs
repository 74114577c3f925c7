'use strict';
// A HostConnection over a better-sqlite3 Database, so motus runs on the host's own driver.
// Integers come back as bigint (safeIntegers) and go in as bigint, so SQLite sees integers;
// every number that comes back is therefore a REAL (`integersAsBigInt`), and a REAL 1.0
// stays REAL through an export and an import.
// better-sqlite3 binds `?NNN` parameters by name only, so for statements that use them the
// positional values are passed as an object keyed "1", "2", ….
const fs = require('node:fs');

const STATEMENT_CACHE_LIMIT = 256;
const NUMBERED_PARAMETER = /\?\d/;

function betterSqlite3Connection(db) {
  const cache = new Map();
  const prepare = (sql) => {
    let entry = cache.get(sql);
    if (entry === undefined) {
      const stmt = db.prepare(sql);
      stmt.safeIntegers(true);
      if (stmt.reader) stmt.raw(true);
      entry = { stmt, numbered: NUMBERED_PARAMETER.test(sql) };
      if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
      cache.set(sql, entry);
    }
    return entry;
  };
  const bind = (entry, params) => {
    if (!entry.numbered) return params;
    const named = {};
    for (let i = 0; i < params.length; i++) named[i + 1] = params[i];
    return [named];
  };
  const size = (file) => {
    try {
      return fs.statSync(file).size;
    } catch {
      return 0;
    }
  };
  return {
    integersAsBigInt: true,
    query(sql, params) {
      const entry = prepare(sql);
      const { stmt } = entry;
      if (!stmt.reader) {
        stmt.run(...bind(entry, params));
        return { columns: [], rows: [] };
      }
      const rows = stmt.all(...bind(entry, params));
      return { columns: stmt.columns().map((c) => c.name), rows };
    },
    execute(sql, params) {
      const entry = prepare(sql);
      const { stmt } = entry;
      if (stmt.reader) {
        stmt.all(...bind(entry, params));
        return 0;
      }
      return stmt.run(...bind(entry, params)).changes;
    },
    executeBatch(sql) {
      db.exec(sql);
    },
    inTransaction() {
      return db.inTransaction;
    },
    fileSizes() {
      if (db.memory) return { sizeBytes: 0, walSizeBytes: 0 };
      return { sizeBytes: size(db.name), walSizeBytes: size(`${db.name}-wal`) };
    },
  };
}

module.exports = { betterSqlite3Connection };
