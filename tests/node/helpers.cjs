'use strict';
// Shared by the Node suites: where the package, the native binary and better-sqlite3 are,
// temporary files, and running `motus --db FILE --json`.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync, spawn } = require('node:child_process');

const repo = path.resolve(__dirname, '..', '..');
const toolsDir = process.env.MOTUS_TOOLS_DIR || path.join(repo, 'tools');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(repo, 'target');
const motusBin = process.env.MOTUS_BIN || path.join(targetDir, 'debug', 'motus');
const fixturesDir = process.env.MOTUS_FIXTURES_DIR || path.join(repo, '..', 'shared', 'fixtures');
const pkgDir = process.env.MOTUS_JS_PKG || path.join(repo, 'web', 'js-api', 'pkg');

const motus = require(path.join(pkgDir, 'node', 'index.cjs'));
const BetterSqlite3 = require(path.join(toolsDir, 'node_modules', 'better-sqlite3'));

function tempDir(label) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `motus-js-${label}-`));
}

function tempDb(label) {
  return path.join(tempDir(label), 'coordination.db');
}

/** A writable copy of one of the original tool's databases (shared/fixtures). */
function copyFixture(name, label) {
  const file = tempDb(label);
  fs.copyFileSync(path.join(fixturesDir, name), file);
  fs.chmodSync(file, 0o600);
  return file;
}

/** Runs the native binary with --db FILE --json; returns { status, json, stderr }. */
function runMotus(db, args) {
  const r = spawnSync(motusBin, ['--db', db, '--json', ...args], { encoding: 'utf8' });
  if (r.error) throw r.error;
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`motus ${args.join(' ')} printed no JSON (exit ${r.status}): ${r.stdout}${r.stderr}`);
  }
  return { status: r.status, json, stderr: r.stderr };
}

/** Starts the native binary without waiting; resolves to { status, json }. */
function startMotus(db, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(motusBin, ['--db', db, '--json', ...args]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (status) => {
      try {
        resolve({ status, json: JSON.parse(out) });
      } catch (e) {
        reject(new Error(`motus ${args.join(' ')} printed no JSON (exit ${status}): ${out}`));
      }
    });
  });
}

/** A better-sqlite3 connection on `file`, and motus opened on it. */
function openHost(file, options = {}) {
  const { driverOptions, ...motusOptions } = options;
  const sqlite = new BetterSqlite3(file, driverOptions);
  const db = motus.openBetterSqlite3(sqlite, motusOptions);
  return { sqlite, db };
}

/**
 * The binary's failure document and the API's thrown error say the same thing: the same
 * code, message and structured context (the binary adds a command-line `hint`).
 */
function sameError(nativeDoc, err) {
  const assert = require('node:assert/strict');
  assert.equal(nativeDoc.ok, false, JSON.stringify(nativeDoc));
  assert.equal(nativeDoc.contract_version, 2);
  const { hint, ...rest } = nativeDoc.error;
  const api = { code: err.code, message: err.message };
  if (err.context !== undefined) api.context = err.context;
  assert.deepEqual(rest, api);
  if (hint !== undefined) assert.equal(typeof hint, 'string');
}

/** Calls fn and returns what it threw (fails if it did not throw). */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

/**
 * The binary's answer as the parity suites compare it: `--db FILE --json`, the agent variables
 * cleared (plus `env`), the CLI-only `hint` dropped; its exit status must agree with `ok`.
 */
function parityBinary(file, env = {}) {
  const assert = require('node:assert/strict');
  return (args) => {
    const r = spawnSync(motusBin, ['--db', file, '--json', ...args], {
      encoding: 'utf8',
      env: { ...process.env, MC_AGENT_ID: '', MC_AGENT_ROLE: '', ...env },
    });
    const doc = JSON.parse(r.stdout);
    assert.equal(r.status === 0, doc.ok === true, `exit ${r.status} agrees with ok: ${r.stdout}`);
    if (doc.error && doc.error.hint !== undefined) delete doc.error.hint;
    return doc;
  };
}

/**
 * The JS API's answer in the same shape: a MotusError thrown by `call(db)` becomes the failure
 * document the binary prints (any other error is rethrown); `onError` sees each MotusError.
 */
function parityApi(db, onError = () => {}) {
  return (call) => {
    try {
      return call(db);
    } catch (e) {
      if (e.name !== 'MotusError') throw e;
      onError(e);
      const error = { code: e.code, message: e.message };
      if (e.context !== undefined) error.context = e.context;
      return { ok: false, contract_version: db.status().contract_version, error };
    }
  };
}

module.exports = {
  parityBinary,
  parityApi,
  sameError,
  repo,
  motus,
  motusBin,
  BetterSqlite3,
  tempDir,
  tempDb,
  copyFixture,
  runMotus,
  startMotus,
  openHost,
  thrown,
};
