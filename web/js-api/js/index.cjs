'use strict';
// Node entry: the wasm-bindgen API (loaded synchronously) plus the better-sqlite3 adapter.
const api = require('./motus_js.js');
const { betterSqlite3Connection } = require('./better-sqlite3.cjs');

/** Opens motus on a better-sqlite3 Database (file path taken from db.name). */
function openBetterSqlite3(db, options = {}) {
  const path = db.memory ? undefined : db.name;
  return api.Database.fromConnection(betterSqlite3Connection(db), { path, ...options });
}

module.exports = Object.assign({}, api, { betterSqlite3Connection, openBetterSqlite3 });
