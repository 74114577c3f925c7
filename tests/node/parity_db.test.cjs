'use strict';
// The database calls against the binary: `db.migrate()` answers the binary's `db.migrate`
// document (the original's 0.3.3 file upgraded on two copies), and a JSON Lines export through
// a host driver (better-sqlite3) keeps every value's storage class, so exporting through the
// host and importing the text back gives the file the binary exports and imports.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const { motus, motusBin, tempDb, openHost, copyFixture, BetterSqlite3 } = require('./helpers.cjs');

function binary(file) {
  return (args) => {
    const r = spawnSync(motusBin, ['--db', file, '--json', ...args], {
      encoding: 'utf8',
      env: { ...process.env, MC_AGENT_ID: '' },
    });
    const doc = JSON.parse(r.stdout);
    assert.equal(r.status === 0, doc.ok === true, `exit ${r.status} agrees with ok: ${r.stdout}`);
    return doc;
  };
}

/** A document with its file's path as `<db>`, so two copies' documents compare. */
function relative(doc, file) {
  return JSON.parse(JSON.stringify(doc).split(file).join('<db>'));
}

const BACKUP = /^<db>\.backup-v20-\d{17}-[0-9a-f]{6}$/;

test('db.migrate() answers the binary\'s db.migrate document, dry run and upgrade', () => {
  const fileB = copyFixture('motusos-0.3.3-populated.db', 'migrate-bin');
  const fileA = copyFixture('motusos-0.3.3-populated.db', 'migrate-api');
  const bin = binary(fileB);
  const { sqlite, db } = openHost(fileA);

  const planB = relative(bin(['db', 'migrate', '--dry-run']), fileB);
  const planA = relative(db.migrate({ dryRun: true }), fileA);
  assert.deepEqual(planA, planB);
  assert.equal(planA.from_version, 20);
  assert.ok(planA.would_apply.length > 0);

  const upB = relative(bin(['db', 'migrate']), fileB);
  const upA = relative(db.migrate(), fileA);
  // The backups are named alike (the millisecond and the random part differ).
  assert.match(upB.backup_path, BACKUP);
  assert.match(upA.backup_path, BACKUP);
  assert.ok(fs.existsSync(upA.backup_path.replace('<db>', fileA)));
  assert.deepEqual({ ...upA, backup_path: '<backup>' }, { ...upB, backup_path: '<backup>' });
  assert.equal(upA.to_version, motus.latestSchemaVersion());
  assert.deepEqual(upA.pending, []);

  // Current now: nothing to apply, no backup, the same document again.
  assert.deepEqual(relative(db.migrate(), fileA), relative(bin(['db', 'migrate']), fileB));
  sqlite.close();
});

test('db.migrate() without a file: path and backup_path are null, and the document keeps its schema', () => {
  // A host connection that did not say which file it is on, on an original 0.3.3 file.
  const file = copyFixture('motusos-0.3.3-populated.db', 'migrate-nopath');
  const sqlite = new BetterSqlite3(file);
  const db = motus.Database.fromConnection(motus.betterSqlite3Connection(sqlite));
  const up = db.migrate();
  assert.equal(up.path, null);
  assert.equal(up.backup_path, null, 'no file named: nothing to copy beside, so no backup');
  assert.equal(up.from_version, 20);
  assert.equal(up.to_version, motus.latestSchemaVersion());
  sqlite.close();
  // In the module: the same, the image's copy is toBytes().
  const mem = motus.Database.openInMemory();
  const created = mem.migrate();
  assert.equal(created.path, null);
  assert.equal(created.backup_path, null);
  assert.deepEqual(Object.keys(created).sort(), Object.keys(up).sort());
});

/** Every column's storage classes, table by table: `{ "roadmap_items.rank": { real: 3 } }`. */
function storageClasses(file) {
  const s = new BetterSqlite3(file, { readonly: true });
  const out = {};
  const tables = s.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
  for (const { name } of tables) {
    for (const { name: col } of s.prepare(`SELECT name FROM pragma_table_info('${name}')`).all()) {
      const rows = s.prepare(`SELECT typeof("${col}") AS t, count(*) AS n FROM "${name}" GROUP BY 1`).all();
      if (rows.length) out[`${name}.${col}`] = Object.fromEntries(rows.map((r) => [r.t, r.n]));
    }
  }
  s.close();
  return out;
}

/** The export's rows (its header says when and from where, which differ between runs). */
function rowsOf(text) {
  return text.split('\n').slice(1);
}

test('a JSON Lines export through better-sqlite3 keeps REAL values REAL, as the binary\'s does', () => {
  const file = tempDb('storage');
  const bin = binary(file);
  bin(['db', 'init']);
  // Ranks are REAL: 1.0 and 2.0 are whole numbers a driver may hand back as integers.
  bin(['roadmap', 'add', 'Schema', '--phase', 'phase_a', '--id', 'S-1', '--rank', '1']);
  bin(['roadmap', 'add', 'Kernel', '--phase', 'phase_a', '--id', 'S-2', '--depends-on', 'S-1']);
  bin(['roadmap', 'add', 'Views', '--phase', 'phase_a', '--id', 'S-3', '--after', 'S-1']);
  const classes = storageClasses(file);
  assert.deepEqual(classes['roadmap_items.rank'], { real: 3 });

  const native = spawnSync(motusBin, ['--db', file, 'db', 'export', '--out', '-'], { encoding: 'utf8' });
  assert.equal(native.status, 0, native.stderr);

  // Exported through the host driver: the same rows, line for line.
  const host = openHost(file);
  const viaHost = host.db.exportJsonl();
  host.sqlite.close();
  assert.deepEqual(rowsOf(viaHost), rowsOf(native.stdout));

  // Imported through the host driver into a new file: the same storage classes as the source.
  const target = tempDb('storage-import');
  const into = openHost(target);
  const loaded = into.db.importJsonl(viaHost);
  assert.equal(loaded.ok, true);
  const roundTrip = into.db.exportJsonl();
  into.sqlite.close();
  assert.deepEqual(storageClasses(target), classes);
  assert.deepEqual(rowsOf(roundTrip), rowsOf(native.stdout));

  // And the binary's own import of the host's export agrees.
  const exportFile = `${target}.jsonl`;
  fs.writeFileSync(exportFile, viaHost);
  const byBinary = tempDb('storage-bin-import');
  assert.equal(binary(byBinary)(['db', 'import', exportFile]).ok, true);
  assert.deepEqual(storageClasses(byBinary), classes);
});

test('a host that does not promise bigint integers: whole reals read as integers (the documented limit)', () => {
  const file = tempDb('storage-plain');
  const bin = binary(file);
  bin(['db', 'init']);
  bin(['roadmap', 'add', 'Schema', '--phase', 'phase_a', '--id', 'P-1', '--rank', '1']);
  const sqlite = new BetterSqlite3(file);
  const { integersAsBigInt, ...plain } = motus.betterSqlite3Connection(sqlite);
  assert.equal(integersAsBigInt, true, 'the adapter promises bigint integers');
  const db = motus.Database.fromConnection(plain, { path: file });
  const line = db.exportJsonl().split('\n').find((l) => l.startsWith('{"table":"roadmap_items"') && l.includes('"P-1"'));
  sqlite.close();
  const native = spawnSync(motusBin, ['--db', file, 'db', 'export', '--out', '-'], { encoding: 'utf8' });
  const nativeLine = native.stdout.split('\n').find((l) => l.startsWith('{"table":"roadmap_items"') && l.includes('"P-1"'));
  assert.notEqual(line, nativeLine, 'without the promise 1.0 cannot be told from 1');
});

test('db.init() and db.status() answer the binary\'s db.init and db.status documents', () => {
  const fileB = tempDb('init-bin');
  const fileA = tempDb('init-api');
  const bin = binary(fileB);
  const { sqlite, db } = openHost(fileA);
  const initB = relative(bin(['db', 'init']), fileB);
  const initA = relative(db.init(), fileA);
  assert.deepEqual(initA, initB);
  assert.equal(initA.created, true);
  assert.deepEqual(relative(db.init(), fileA), relative(bin(['db', 'init']), fileB));
  // Sizes are the files' own (the two files' pages differ with their histories).
  // When and how fast each migration was applied differs between the two files; the format
  // of the time must not.
  const sizeless = (d) => JSON.parse(JSON.stringify({ ...d, size_bytes: '<n>', wal_size_bytes: '<n>' })
    .replace(/"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"/g, '"<time>"')
    .replace(/"execution_time_ms":\d+/g, '"execution_time_ms":"<ms>"'));
  assert.deepEqual(sizeless(relative(db.status(), fileA)), sizeless(relative(bin(['db', 'status']), fileB)));
  sqlite.close();
});

test('malformed options say what is wrong, not how a JS error prints', () => {
  const db = motus.Database.openInMemory();
  db.init();
  let err;
  try {
    db.patternList({ kind: 'guessed' });
  } catch (e) {
    err = e;
  }
  assert.equal(err.code, 'invalid_input');
  assert.equal(err.message, 'invalid options: unknown variant `guessed`, expected `learned` or `detected`');
});
