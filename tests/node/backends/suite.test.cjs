'use strict';
// core's backend suite (motus_core::backend_suite) on host connections in Node: the
// better-sqlite3 adapter the package ships (web/js-api/js/better-sqlite3.cjs), in memory and
// on WAL files, and a deliberately broken adapter that must fail it. The module under test is
// the js-api built with the `backend-suite` feature by scripts/test-backends
// ($MOTUS_SUITE_PKG, a wasm-bindgen --target nodejs folder).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..', '..', '..');
const toolsDir = process.env.MOTUS_TOOLS_DIR || path.join(repo, 'tools');
const suitePkg = process.env.MOTUS_SUITE_PKG;
if (!suitePkg) throw new Error('MOTUS_SUITE_PKG is not set: run scripts/test-backends');
const suite = require(path.join(suitePkg, 'motus_js.js'));
const BetterSqlite3 = require(path.join(toolsDir, 'node_modules', 'better-sqlite3'));
const { betterSqlite3Connection } = require(path.join(repo, 'web', 'js-api', 'js', 'better-sqlite3.cjs'));

function show(report) {
  for (const c of report.cases) console.log(`${c.passed ? 'ok  ' : 'FAIL'} ${c.name}${c.failure ? `: ${c.failure}` : ''}`);
  console.log(`backend-suite[${report.backend}]: ${report.passed} passed, ${report.failed} failed`);
}

const opened = [];
function memory() {
  const db = new BetterSqlite3(':memory:');
  opened.push(db);
  return betterSqlite3Connection(db);
}

test.after(() => {
  for (const db of opened) if (db.open) db.close();
});

test('better-sqlite3 in memory passes the backend suite', () => {
  const report = suite.runBackendSuite('better-sqlite3 (memory) via HostConnection', memory);
  show(report);
  assert.equal(report.failed, 0, report.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.failure}`).join('\n'));
  assert.equal(report.passed, suite.backendSuiteCases().length);
  assert.ok(report.passed >= 20);
});

test('better-sqlite3 on WAL files passes the backend suite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motus-backend-suite-'));
  let n = 0;
  try {
    const report = suite.runBackendSuite('better-sqlite3 (WAL file) via HostConnection', () => {
      const db = new BetterSqlite3(path.join(dir, `case-${++n}.db`));
      db.pragma('journal_mode = WAL');
      opened.push(db);
      return betterSqlite3Connection(db);
    });
    show(report);
    assert.equal(report.failed, 0, report.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.failure}`).join('\n'));
    assert.equal(report.passed, suite.backendSuiteCases().length);
  } finally {
    for (const db of opened) if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an adapter that drops BEGIN/COMMIT/ROLLBACK fails the suite on its atomicity cases', () => {
  const broken = () => {
    const conn = memory();
    const exec = conn.executeBatch;
    // The classic host bug: transaction statements swallowed, every statement autocommits.
    conn.executeBatch = (sql) => {
      if (/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(sql)) return;
      exec(sql);
    };
    return conn;
  };
  const report = suite.runBackendSuite('better-sqlite3, transactions dropped', broken);
  show(report);
  const failed = report.cases.filter((c) => !c.passed).map((c) => c.name);
  assert.ok(failed.includes('storage::a_failed_write_leaves_nothing'), failed.join(', '));
  assert.ok(failed.includes('storage::nested_writes_commit_or_roll_back_together'), failed.join(', '));
});

test('an adapter that loses integer precision fails the value round trip', () => {
  const lossy = () => {
    const conn = memory();
    const query = conn.query;
    // A host that turns bigints into JS numbers (no safeIntegers) rounds 2^53 + 1.
    conn.query = (sql, params) => {
      const r = query(sql, params);
      return { columns: r.columns, rows: r.rows.map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v))) };
    };
    return conn;
  };
  const report = suite.runBackendSuite('better-sqlite3, integers as numbers', lossy, 'storage::values');
  show(report);
  assert.equal(report.cases.length, 1);
  assert.equal(report.failed, 1);
  assert.match(report.cases[0].failure, /value/);
});

test('a factory that throws is reported per case, not a crash', () => {
  const report = suite.runBackendSuite('no database', () => {
    throw Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' });
  }, 'kernel::');
  assert.ok(report.cases.length > 0);
  assert.equal(report.passed, 0);
  for (const c of report.cases) assert.match(c.failure, /could not open a database/);
});
