'use strict';
// Every core error kind reaches JavaScript as a MotusError with its code, produced by a real
// failure on a real file (or a real image) — and where the native binary can meet the same
// failure on the same file, its message is the same text.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { sameError, motus, tempDb, tempDir, runMotus, openHost, thrown, copyFixture, BetterSqlite3 } = require('./helpers.cjs');

const latest = motus.latestSchemaVersion();

/** A current database file made through the API, closed. */
function currentFile(label) {
  const file = tempDb(label);
  const { sqlite, db } = openHost(file);
  db.init();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  return file;
}

/** Changes a file with plain SQL, as another program would. */
function tamper(file, sql) {
  const s = new BetterSqlite3(file);
  s.exec(sql);
  s.pragma('wal_checkpoint(TRUNCATE)');
  s.close();
}

/**
 * Fails `status()` through the API and through `motus db status`; both must agree. For a
 * statement SQLite cannot prepare, rusqlite adds "in <sql> at offset N", which
 * better-sqlite3 does not expose: there the API's message is the start of the binary's.
 */
function statusFailsLikeTheBinary(file, { prefixOnly = false } = {}) {
  const { sqlite, db } = openHost(file);
  const err = thrown(() => db.status());
  sqlite.close();
  const native = runMotus(file, ['db', 'status']);
  assert.equal(native.status, 1);
  assert.equal(native.json.ok, false);
  assert.equal(err.code, native.json.error.code, 'code');
  if (prefixOnly) {
    assert.ok(native.json.error.message.startsWith(err.message), `${err.message} / ${native.json.error.message}`);
  } else {
    assert.equal(err.message, native.json.error.message, 'message');
  }
  return err;
}

/** The scenario for each code: returns the MotusError (or the error it is the cause of). */
const scenarios = {
  not_a_database() {
    const file = tempDb('notadb');
    fs.writeFileSync(file, Buffer.alloc(8192, 7));
    const err = statusFailsLikeTheBinary(file);
    const fromBytes = thrown(() => motus.Database.fromBytes(fs.readFileSync(file)));
    assert.equal(fromBytes.code, 'not_a_database');
    return err;
  },

  corrupt() {
    const file = currentFile('corrupt');
    const bytes = fs.readFileSync(file);
    bytes.fill(0xab, 100, 4096); // page 1 after the header: the schema table's root
    fs.writeFileSync(file, bytes);
    const err = statusFailsLikeTheBinary(file);
    const inModule = thrown(() => motus.Database.fromBytes(bytes).status());
    assert.equal(inModule.code, 'corrupt');
    return err;
  },

  not_motus() {
    const file = tempDb('foreign');
    tamper(file, 'CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    return statusFailsLikeTheBinary(file);
  },

  schema_too_new() {
    const file = currentFile('toonew');
    tamper(file, `INSERT INTO schema_version (version, migration_name, checksum) VALUES (${latest + 100}, 'from_the_future', 'x')`);
    const err = statusFailsLikeTheBinary(file);
    assert.match(err.message, new RegExp(`version ${latest + 100} is newer`));
    return err;
  },

  migration_changed() {
    const file = currentFile('changed');
    tamper(file, "UPDATE schema_version SET checksum = 'edited' WHERE version = 5");
    return statusFailsLikeTheBinary(file);
  },

  sql() {
    // A ledger missing a column the runner reads: SQLite's own "no such column".
    const file = tempDb('sql');
    tamper(file, 'CREATE TABLE schema_version (version INTEGER PRIMARY KEY, migration_name TEXT, checksum TEXT)');
    const err = statusFailsLikeTheBinary(file, { prefixOnly: true });
    assert.match(err.message, /no such column: applied_at/);
    return err;
  },

  migration_failed() {
    // Another program's trigger refuses the ledger row: the migration fails with the
    // trigger's message as its cause, and rolls back on its own.
    const file = currentFile('migfail');
    tamper(file, `DELETE FROM schema_version WHERE version = ${latest};
      CREATE TRIGGER no_new_versions BEFORE INSERT ON schema_version
      BEGIN SELECT RAISE(ABORT, 'schema is frozen by the operator'); END;`);
    const { sqlite, db } = openHost(file);
    const err = thrown(() => db.migrate({ backupPath: false }));
    assert.match(err.message, new RegExp(`migration ${latest} \\(.*\\) failed and was rolled back`));
    assert.equal(err.cause.code, 'kernel_rule');
    assert.equal(err.cause.message, 'schema is frozen by the operator');
    assert.equal(db.status().schema_version, latest - 1);
    sqlite.close();
    return err;
  },

  unsupported() {
    // A host connection that did not say which file it is on (an in-memory better-sqlite3
    // has no path) is not a local file: a requested VACUUM INTO backup is refused before
    // anything is sent, and the migration it guarded does not run.
    const sqlite = new BetterSqlite3(':memory:');
    const db = motus.openBetterSqlite3(sqlite);
    db.init();
    db.claimWork({ work_id: 'ADHOC-DATA', agent_id: 'alice' });
    sqlite.exec(`DELETE FROM schema_version WHERE version = ${latest}`);
    const out = path.join(tempDir('unsupported'), 'backup.db');
    const err = thrown(() => db.migrate({ backupPath: out }));
    assert.match(err.message, /needs a local SQLite database file/);
    assert.equal(fs.existsSync(out), false, 'no backup file was written');
    assert.equal(db.status().schema_version, latest - 1, 'the migration did not run');
    sqlite.close();
    return err;
  },

  busy() {
    // Another connection holds the write lock; the driver does not wait (timeout 0).
    const file = currentFile('busy');
    const { sqlite, db } = openHost(file, { driverOptions: { timeout: 0 } });
    const holder = new BetterSqlite3(file);
    holder.exec('BEGIN IMMEDIATE');
    const err = thrown(() => db.claimWork({ work_id: 'ADHOC-BUSY' }));
    holder.exec('ROLLBACK');
    holder.close();
    // Nothing was written, and the claim goes through once the lock is free.
    assert.equal(db.claimWork({ work_id: 'ADHOC-BUSY' }).decision, 'GRANTED');
    // A migration that meets the lock fails as a whole, with busy as its cause.
    tamper(file, `DELETE FROM schema_version WHERE version = ${latest}`);
    const holder2 = new BetterSqlite3(file);
    holder2.exec('BEGIN IMMEDIATE');
    const migrating = thrown(() => db.migrate({ backupPath: false }));
    holder2.exec('ROLLBACK');
    holder2.close();
    assert.equal(migrating.code, 'migration_failed');
    assert.equal(migrating.cause.code, 'busy');
    sqlite.close();
    return err;
  },

  read_only() {
    const file = currentFile('readonly');
    const { sqlite, db } = openHost(file, { driverOptions: { readonly: true } });
    const err = thrown(() => db.claimWork({ work_id: 'ADHOC-RO' }));
    sqlite.close();
    const image = motus.Database.openInMemory().toBytes();
    const inModule = thrown(() => motus.Database.fromBytes(image, { readOnly: true }).init());
    assert.equal(inModule.code, 'migration_failed');
    assert.equal(inModule.cause.code, 'read_only');
    return err;
  },

  cannot_open() {
    // The pre-upgrade backup cannot be written where it was asked to go.
    const file = currentFile('cannotopen');
    const { sqlite, db } = openHost(file);
    sqlite.prepare('DELETE FROM schema_version WHERE version = ?').run(latest);
    const err = thrown(() => db.migrate({ backupPath: path.join(tempDir('nowhere'), 'missing', 'b.db') }));
    assert.match(err.message, /missing\/b\.db/);
    assert.equal(db.status().schema_version, latest - 1, 'nothing applied after a failed backup');
    sqlite.close();
    return err;
  },

  disk_full() {
    // SQLite's page limit is a real SQLITE_FULL: evidence bigger than the room left.
    const file = currentFile('full');
    const { sqlite, db } = openHost(file);
    const lease = db.claimWork({ work_id: 'ADHOC-FULL' }).lease_id;
    const pages = sqlite.pragma('page_count', { simple: true });
    sqlite.pragma(`max_page_count = ${pages + 2}`);
    const err = thrown(() => db.recordEvidence(lease, { evidence_type: 'log', log: 'x'.repeat(200_000) }));
    assert.equal(db.leaseStatus(lease).evidence.length, 0, 'nothing was written');
    sqlite.close();
    return err;
  },

  kernel_rule() {
    // A rule in the schema (a trigger's RAISE) refuses the write: its text is the message,
    // through the API and through the binary alike.
    const file = currentFile('rule');
    tamper(file, `CREATE TRIGGER evidence_frozen BEFORE INSERT ON evidence
      BEGIN SELECT RAISE(ABORT, 'evidence is frozen for the audit'); END;`);
    const { sqlite, db } = openHost(file);
    const lease = db.claimWork({ work_id: 'ADHOC-RULE' }).lease_id;
    const err = thrown(() => db.recordEvidence(lease, { evidence_type: 'test_result', passed: 1 }));
    sqlite.close();
    assert.equal(err.message, 'evidence is frozen for the audit');
    const native = runMotus(file, ['work', 'evidence', lease, 'test_result', '--passed', '1']);
    sameError(native.json, err);
    return err;
  },

  constraint() {
    // Another program's UNIQUE index refuses a second decision on the same lease.
    const file = currentFile('constraint');
    tamper(file, 'CREATE UNIQUE INDEX one_decision_per_lease ON decisions(lease_id)');
    const { sqlite, db } = openHost(file);
    const lease = db.claimWork({ work_id: 'ADHOC-UNIQUE' }).lease_id;
    assert.equal(db.recordDecision(lease, { decision: 'first' }).accepted, true);
    const err = thrown(() => db.recordDecision(lease, { decision: 'second' }));
    sqlite.close();
    const native = runMotus(file, ['work', 'decision', lease, 'second']);
    sameError(native.json, err);
    return err;
  },

  unexpected_data() {
    // Another program wrote a timestamp no one can read into a lease.
    const file = currentFile('shape');
    const first = openHost(file);
    const lease = first.db.claimWork({ work_id: 'ADHOC-SHAPE' }).lease_id;
    first.sqlite.close();
    tamper(file, `UPDATE coordination_leases SET issued_at = 'soon' WHERE lease_id = '${lease}'`);
    const { sqlite, db } = openHost(file);
    const err = thrown(() => db.listLeases());
    sqlite.close();
    assert.match(err.message, /unreadable timestamp/);
    const native = runMotus(file, ['work', 'list']);
    sameError(native.json, err);
    return err;
  },

  not_found() {
    const file = currentFile('notfound');
    const { sqlite, db } = openHost(file);
    const err = thrown(() => db.verifyEvidence('ADHOC-NOPE'));
    sqlite.close();
    const native = runMotus(file, ['work', 'verify', 'ADHOC-NOPE']);
    sameError(native.json, err);
    return err;
  },

  invalid_input() {
    const err = thrown(() => motus.Database.openInMemory().migrate({ dryRun: 'yes' }));
    const noConnection = thrown(() => motus.Database.fromConnection({ query() {} }));
    assert.equal(noConnection.code, 'invalid_input');
    assert.match(noConnection.message, /has no inTransaction\(\) method/);
    return err;
  },
};

/**
 * Codes no call can produce: the embedded migrations are validated when the crate is built,
 * reads work on any schema version this build knows (an older one is read as it is), and
 * the cluster codes need a dqlite backend, which the JS API has not.
 */
const UNREACHABLE = ['invalid_migration', 'schema_outdated', 'unavailable', 'outcome_unknown'];

test('a read on the original tool\'s 0.3.3 file works, unmigrated, through the API and the binary alike', () => {
  const file = copyFixture('motusos-0.3.3-populated.db', 'outdated');
  const before = fs.readFileSync(file);
  const { sqlite, db } = openHost(file, { driverOptions: { readonly: true } });
  const api = { leases: db.listLeases({ all: true }), ready: db.roadmapReady() };
  sqlite.close();
  const leases = runMotus(file, ['work', 'list', '--all']);
  const ready = runMotus(file, ['roadmap', 'ready']);
  assert.equal(leases.status, 0, JSON.stringify(leases.json));
  assert.match(leases.stderr, /schema version 20 is older .* `motus db migrate` would upgrade it/);
  assert.deepEqual(api.leases, leases.json);
  assert.deepEqual(api.ready, ready.json);
  assert.ok(before.equals(fs.readFileSync(file)), 'the file is unchanged');
});

for (const [code, scenario] of Object.entries(scenarios)) {
  test(`error kind ${code} reaches JS with its code`, () => {
    const err = scenario();
    assert.ok(err instanceof Error, 'a JS Error');
    assert.equal(err.name, 'MotusError');
    assert.equal(err.code, code);
    assert.ok(err.message.length > 0);
  });
}

test('every error code has a scenario (or is unreachable through the API)', () => {
  const covered = new Set([...Object.keys(scenarios), ...UNREACHABLE]);
  const missing = motus.errorCodes().filter((c) => !covered.has(c));
  assert.deepEqual(missing, []);
});

test('a driver error that is not SQLite\'s becomes sql, with its message', () => {
  const host = {
    query() {
      throw new TypeError('the host lost its connection');
    },
    execute() {
      return 0;
    },
    executeBatch() {},
    inTransaction: false,
  };
  const err = thrown(() => motus.Database.fromConnection(host).status());
  assert.equal(err.code, 'sql');
  assert.equal(err.message, 'SQLite error: the host lost its connection');
});
