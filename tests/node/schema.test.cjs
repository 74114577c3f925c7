'use strict';
// open / init / migrate / status through the API, on each kind of connection, and the native
// binary's view of the same file.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { motus, tempDb, runMotus, openHost, copyFixture, BetterSqlite3 } = require('./helpers.cjs');

const latest = motus.latestSchemaVersion();

test('a file created through better-sqlite3 is one the native binary calls current', () => {
  const file = tempDb('create');
  const { sqlite, db } = openHost(file);
  const init = db.init();
  assert.equal(init.ok, true);
  assert.equal(init.created, true);
  assert.equal(init.path, file);
  assert.equal(init.schema_version, latest);
  assert.equal(init.applied.length, latest > 0 ? init.applied.length : 0);
  assert.equal(init.applied.at(-1).version, latest);
  assert.equal(init.backup_path, null);
  assert.equal(sqlite.pragma('journal_mode', { simple: true }), 'wal');
  sqlite.close();

  const native = runMotus(file, ['db', 'status']);
  assert.equal(native.status, 0);
  assert.equal(native.json.schema_version, latest);
  assert.equal(native.json.is_current, true);
  const doctor = runMotus(file, ['doctor']);
  assert.equal(doctor.json.status, 'pass', JSON.stringify(doctor.json.checks));

  const again = openHost(file);
  const status = again.db.status();
  const nativeStatus = runMotus(file, ['db', 'status']).json;
  for (const key of ['ok', 'path', 'schema_version', 'latest_version', 'is_current', 'written_by_original', 'pending', 'applied']) {
    assert.deepEqual(status[key], nativeStatus[key], key);
  }
  assert.deepEqual(Object.keys(status).sort(), Object.keys(nativeStatus).sort());
  again.sqlite.close();
});

test('a file the native binary created is current through the API, and init is a no-op', () => {
  const file = tempDb('native');
  assert.equal(runMotus(file, ['db', 'init']).status, 0);
  const { sqlite, db } = openHost(file);
  const status = db.status();
  assert.equal(status.is_current, true);
  assert.equal(status.schema_version, latest);
  const init = db.init();
  assert.equal(init.created, false);
  assert.deepEqual(init.applied, []);
  sqlite.close();
});

test('migrate --dry-run lists every migration on a new file and writes nothing', () => {
  const file = tempDb('dry');
  const { sqlite, db } = openHost(file);
  const plan = db.migrate({ dryRun: true });
  assert.equal(plan.dry_run, true);
  assert.equal(plan.from_version, 0);
  assert.equal(plan.to_version, latest);
  assert.equal(plan.would_apply.length, plan.pending.length);
  assert.equal(plan.would_apply.at(-1).version, latest);
  assert.equal(sqlite.prepare("SELECT count(*) AS n FROM sqlite_master").get().n, 0);
  const done = db.migrate();
  assert.equal(done.dry_run, false);
  assert.equal(done.to_version, latest);
  assert.deepEqual(done.pending, []);
  sqlite.close();
});

test('the original tool\'s populated database upgrades through the API, backup first', () => {
  const file = copyFixture('motusos-0.3.3-populated.db', 'upgrade');
  const { sqlite, db } = openHost(file, { now: () => Date.parse('2026-11-26T07:08:12.345Z') });
  const before = db.status();
  assert.equal(before.schema_version, 20);
  assert.equal(before.written_by_original, true);
  const up = db.migrate();
  assert.equal(up.from_version, 20);
  assert.equal(up.to_version, latest);
  assert.ok(up.backup_path.startsWith(`${file}.backup-v20-20261126070812345-`), up.backup_path);
  assert.match(up.backup_path.slice(file.length), /^\.backup-v20-20261126070812345-[0-9a-f]{6}$/);
  assert.ok(fs.existsSync(up.backup_path));
  const copy = new BetterSqlite3(up.backup_path, { readonly: true });
  assert.equal(copy.prepare('SELECT max(version) AS v FROM schema_version').get().v, 20);
  copy.close();
  sqlite.close();
  const native = runMotus(file, ['db', 'status']).json;
  assert.equal(native.is_current, true);
  assert.equal(native.written_by_original, true);
  assert.equal(runMotus(file, ['doctor']).json.status, 'pass');
});

test('in-module databases: empty, from bytes (writable and read-only), back to bytes', () => {
  const mem = motus.Database.openInMemory();
  assert.equal(mem.kind, 'in_module');
  assert.equal(mem.init().schema_version, latest);
  const image = mem.toBytes();
  assert.ok(image instanceof Uint8Array);

  // The image is a real SQLite file the native binary accepts.
  const file = tempDb('image');
  fs.writeFileSync(file, image);
  assert.equal(runMotus(file, ['db', 'status']).json.is_current, true);

  // A WAL-mode file written by the native binary opens from its bytes.
  const nativeFile = tempDb('walimage');
  runMotus(nativeFile, ['db', 'init']);
  const header = fs.readFileSync(nativeFile).subarray(18, 20);
  assert.deepEqual([...header], [2, 2]);
  const fromFile = motus.Database.fromBytes(fs.readFileSync(nativeFile));
  assert.equal(fromFile.status().is_current, true);

  const ro = motus.Database.fromBytes(image, { readOnly: true });
  assert.equal(ro.status().schema_version, latest);
});

test('the host clock and randomness are injectable and checked', () => {
  const e = (() => {
    try {
      motus.Database.openInMemory({ now: () => 'noon' });
    } catch (err) {
      return err;
    }
  })();
  assert.equal(e.code, 'invalid_input');
  assert.match(e.message, /now\(\) must return milliseconds/);
  const bad = (() => {
    try {
      motus.Database.openInMemory({ randomBytes: () => null });
    } catch (err) {
      return err;
    }
  })();
  assert.equal(bad.code, 'invalid_input');
});
