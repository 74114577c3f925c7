'use strict';
// Node entry: the wasm-bindgen API (loaded synchronously) plus the better-sqlite3 adapter.
const fs = require('node:fs');
const api = require('./motus_js.js');
const { betterSqlite3Connection } = require('./better-sqlite3.cjs');

/** Opens motus on a better-sqlite3 Database (file path taken from db.name). */
function openBetterSqlite3(db, options = {}) {
  const path = db.memory ? undefined : db.name;
  return api.Database.fromConnection(betterSqlite3Connection(db), { path, ...options });
}

/** The current SHA-256 (hex) of a file, or null when it is gone: `verifyEvidence`'s hashFile. */
function hashFile(file) {
  try {
    return api.hashBytes(fs.readFileSync(file)).sha256;
  } catch (e) {
    if (e && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) return null;
    throw e;
  }
}

/** A file to attach to `recordEvidence({ file })`: its absolute path, SHA-256 and size. */
function fileArtifact(file) {
  const full = fs.realpathSync(file);
  return { path: full, ...api.hashBytes(fs.readFileSync(full)) };
}

module.exports = Object.assign({}, api, {
  betterSqlite3Connection,
  openBetterSqlite3,
  hashFile,
  fileArtifact,
});
